//! The role matrix, written out as the office's rules say it and checked
//! against `authorize` for every (role, action, state) triple: only the
//! allowed ones pass, and every refusal says why.

use kense_domain::access::{authorize, Action, Actor, Role};
use kense_domain::workflow::{next, Facts, Status, Step};
use kense_domain::Error;

const REGISTRAR: i64 = 1;
const EXECUTOR: i64 = 2;
const SOMEONE: i64 = 3;

/// Who may do a step, independently of the state: the regulation's roles
/// (seeds-digest §1.6).
fn role_of(step: Step) -> Role {
    match step {
        Step::SendToHead | Step::SendToAkimat | Step::RecordAkimatAct | Step::Issue | Step::Withdraw => Role::Clerk,
        Step::AssignExecutor | Step::Sign | Step::ReturnToExecutor => Role::Head,
        Step::PrepareResult => Role::Executor,
    }
}

#[test]
fn every_role_action_and_state() {
    let mut allowed = 0;
    let mut checked = 0;
    for role in Role::ALL {
        for user in [REGISTRAR, EXECUTOR, SOMEONE] {
            let actor = Actor { user_id: user, login: String::new(), full_name: String::new(), roles: vec![role] };
            for status in Status::ALL {
                for step in Step::ALL {
                    let facts = Facts {
                        status,
                        registered_by: REGISTRAR,
                        executor: Some(EXECUTOR),
                        prepared_by: Some(EXECUTOR),
                    };
                    let got = authorize(&actor, Action::Workflow(step), Some(&facts));
                    let expected = if role != role_of(step) {
                        Err(Error::Forbidden)
                    } else if next(status, step).is_none() {
                        Err(Error::InvalidState)
                    } else if step == Step::Sign && (user == REGISTRAR || user == EXECUTOR) {
                        Err(Error::FourEyes)
                    } else if step == Step::PrepareResult && user != EXECUTOR {
                        Err(Error::NotAssigned)
                    } else {
                        Ok(role)
                    };
                    assert_eq!(got, expected, "{role:?} (user {user}) {step:?} in {status:?}");
                    checked += 1;
                    allowed += usize::from(got.is_ok());
                }
            }
        }
    }
    assert_eq!(checked, 4 * 3 * Status::ALL.len() * Step::ALL.len());
    assert!(allowed > 0);
}

#[test]
fn every_role_and_plain_action() {
    use kense_domain::queue::ReferralStep;
    use Action::*;
    let table: [(Action, &[Role]); 18] = [
        (RegisterApplication, &[Role::Clerk]),
        (CorrectApplication, &[Role::Clerk]),
        (PrintDocument, &[Role::Clerk]),
        (ViewApplications, &[Role::Clerk, Role::Executor, Role::Head]),
        (ManageOffice, &[Role::Administrator]),
        (ManageUsers, &[Role::Administrator]),
        (VerifyAudit, &[Role::Administrator, Role::Head]),
        (ViewQueue, &[Role::Clerk, Role::Executor, Role::Head]),
        (ManageKindergartens, &[Role::Head, Role::Administrator]),
        (ManageQueue, &[Role::Executor, Role::Head]),
        (Distribute, &[Role::Head]),
        (Referral(ReferralStep::Present), &[Role::Executor, Role::Head]),
        (Referral(ReferralStep::Enrol), &[Role::Executor, Role::Head]),
        (Referral(ReferralStep::RefuseByParent), &[Role::Executor, Role::Head]),
        (Referral(ReferralStep::Cancel), &[Role::Head]),
        (Referral(ReferralStep::Expire), &[]),
        (ManageBackups, &[Role::Administrator]),
        (ViewDashboard, &[Role::Executor, Role::Head]),
    ];
    for (action, roles) in table {
        for role in Role::ALL {
            let actor = Actor { user_id: SOMEONE, login: String::new(), full_name: String::new(), roles: vec![role] };
            let expected = if roles.contains(&role) { Ok(role) } else { Err(Error::Forbidden) };
            assert_eq!(authorize(&actor, action, None), expected, "{role:?} {action:?}");
        }
    }
}

#[test]
fn a_workflow_step_without_facts_is_refused() {
    let head = Actor { user_id: SOMEONE, login: String::new(), full_name: String::new(), roles: vec![Role::Head] };
    assert_eq!(authorize(&head, Action::Workflow(Step::Sign), None), Err(Error::InvalidState));
}
