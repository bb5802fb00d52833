//! Who may do what: the one function, [`authorize`], that decides every
//! action from the actor the backend holds and, for a step of the workflow,
//! the application's facts. The window only hides buttons.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::queue::ReferralStep;
use crate::workflow::{next, Facts, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Clerk,
    Executor,
    Head,
    Administrator,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Clerk, Role::Executor, Role::Head, Role::Administrator];

    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Executor => "executor",
            Role::Head => "head",
            Role::Administrator => "administrator",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    RegisterApplication,
    /// Correct the person data of an open application (a new version).
    CorrectApplication,
    ViewApplications,
    PrintDocument,
    Workflow(Step),
    ManageOffice,
    ManageUsers,
    VerifyAudit,
    /// See the queue, its history and referrals; print queue documents.
    ViewQueue,
    /// The register of kindergartens and their groups.
    ManageKindergartens,
    /// Declare free places, confirm priority evidence, preview distribution.
    ManageQueue,
    /// Commit a distribution: referrals go out over the head's signature.
    Distribute,
    /// A step of a referral's life, as reported by the kindergarten or the
    /// parent; expiry is the office clock's, never a person's.
    Referral(ReferralStep),
    /// Back up, copy a backup out, restore: the whole registry leaves or
    /// replaces the workstation, so only the administrator.
    ManageBackups,
    /// The office's figures (applications by service and status, overdue,
    /// queue, referrals): counts only, no person's data.
    ViewDashboard,
}

/// The person acting, as the backend knows them after log-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub login: String,
    pub full_name: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The role matrix. The administrator configures the office but neither
/// registers nor approves: holding that role alone never signs anything.
fn grants(role: Role, action: Action) -> bool {
    use Role::*;
    match action {
        Action::RegisterApplication | Action::CorrectApplication | Action::PrintDocument => role == Clerk,
        Action::ViewApplications => matches!(role, Clerk | Executor | Head),
        Action::Workflow(step) => match step {
            Step::SendToHead | Step::SendToAkimat | Step::RecordAkimatAct | Step::Issue | Step::Withdraw => {
                role == Clerk
            }
            Step::AssignExecutor | Step::Sign | Step::ReturnToExecutor => role == Head,
            Step::PrepareResult => role == Executor,
        },
        Action::ManageOffice | Action::ManageUsers | Action::ManageBackups => role == Administrator,
        Action::VerifyAudit => matches!(role, Administrator | Head),
        Action::ViewDashboard => matches!(role, Executor | Head),
        Action::ViewQueue => matches!(role, Clerk | Executor | Head),
        Action::ManageKindergartens => matches!(role, Head | Administrator),
        Action::ManageQueue => matches!(role, Executor | Head),
        Action::Distribute => role == Head,
        Action::Referral(step) => match step {
            ReferralStep::Present | ReferralStep::Enrol | ReferralStep::RefuseByParent => {
                matches!(role, Executor | Head)
            }
            ReferralStep::Cancel => role == Head,
            ReferralStep::Expire => false,
        },
    }
}

/// Allowed, with the role the actor acts in (recorded in the audit), or
/// denied with the reason. For workflow steps `facts` must be given: the
/// step must apply to the application's state, only the named executor
/// prepares the result, and neither whoever registered the application nor
/// whoever prepared its result can sign it (four eyes: a head who is also
/// an executor and assigned himself still needs another head's signature).
pub fn authorize(actor: &Actor, action: Action, facts: Option<&Facts>) -> Result<Role, Error> {
    let role = actor.roles.iter().copied().find(|r| grants(*r, action)).ok_or(Error::Forbidden)?;
    if let Action::Workflow(step) = action {
        let facts = facts.ok_or(Error::InvalidState)?;
        if next(facts.status, step).is_none() {
            return Err(Error::InvalidState);
        }
        match step {
            Step::Sign if facts.registered_by == actor.user_id || facts.prepared_by == Some(actor.user_id) => {
                return Err(Error::FourEyes)
            }
            Step::PrepareResult if facts.executor != Some(actor.user_id) => return Err(Error::NotAssigned),
            _ => {}
        }
    }
    Ok(role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Status;

    fn actor(id: i64, roles: &[Role]) -> Actor {
        Actor { user_id: id, login: format!("u{id}"), full_name: "U".into(), roles: roles.to_vec() }
    }

    fn facts(status: Status) -> Facts {
        Facts { status, registered_by: 1, executor: Some(2), prepared_by: Some(2) }
    }

    #[test]
    fn only_a_clerk_registers() {
        assert_eq!(authorize(&actor(1, &[Role::Clerk]), Action::RegisterApplication, None), Ok(Role::Clerk));
        for r in [Role::Executor, Role::Head, Role::Administrator] {
            assert_eq!(authorize(&actor(1, &[r]), Action::RegisterApplication, None), Err(Error::Forbidden), "{r:?}");
        }
        assert_eq!(
            authorize(&actor(1, &[Role::Administrator, Role::Clerk]), Action::RegisterApplication, None),
            Ok(Role::Clerk),
            "a combined account acts in the role that grants the action"
        );
    }

    #[test]
    fn administrator_alone_cannot_approve_or_see_applications() {
        let admin = actor(9, &[Role::Administrator]);
        assert_eq!(
            authorize(&admin, Action::Workflow(Step::Sign), Some(&facts(Status::ResultPrepared))),
            Err(Error::Forbidden)
        );
        assert!(authorize(&admin, Action::ViewApplications, None).is_err());
        assert!(authorize(&admin, Action::ManageUsers, None).is_ok());
    }

    #[test]
    fn four_eyes_and_assignment() {
        let registrar_head = actor(1, &[Role::Clerk, Role::Head]);
        assert_eq!(
            authorize(&registrar_head, Action::Workflow(Step::Sign), Some(&facts(Status::ResultPrepared))),
            Err(Error::FourEyes)
        );
        let other_head = actor(3, &[Role::Head]);
        assert_eq!(
            authorize(&other_head, Action::Workflow(Step::Sign), Some(&facts(Status::ResultPrepared))),
            Ok(Role::Head)
        );
        let preparing_head = actor(2, &[Role::Executor, Role::Head]);
        assert_eq!(
            authorize(&preparing_head, Action::Workflow(Step::Sign), Some(&facts(Status::ResultPrepared))),
            Err(Error::FourEyes),
            "whoever prepared the result cannot sign it"
        );
        let wrong_executor = actor(4, &[Role::Executor]);
        assert_eq!(
            authorize(&wrong_executor, Action::Workflow(Step::PrepareResult), Some(&facts(Status::WithExecutor))),
            Err(Error::NotAssigned)
        );
        assert_eq!(
            authorize(
                &actor(2, &[Role::Executor]),
                Action::Workflow(Step::PrepareResult),
                Some(&facts(Status::WithExecutor))
            ),
            Ok(Role::Executor)
        );
    }

    #[test]
    fn a_clerk_cannot_sign() {
        let clerk = actor(5, &[Role::Clerk]);
        assert_eq!(
            authorize(&clerk, Action::Workflow(Step::Sign), Some(&facts(Status::ResultPrepared))),
            Err(Error::Forbidden)
        );
    }

    #[test]
    fn a_step_that_does_not_apply_is_refused_as_stale() {
        let head = actor(3, &[Role::Head]);
        assert_eq!(
            authorize(&head, Action::Workflow(Step::Sign), Some(&facts(Status::Signed))),
            Err(Error::InvalidState)
        );
        assert_eq!(authorize(&head, Action::Workflow(Step::Sign), None), Err(Error::InvalidState));
    }
}
