//! Who may do what. The one place where permission is decided; the window
//! only hides buttons, the shell asks here with the user it holds.

use serde::{Deserialize, Serialize};

use crate::error::Error;

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
    ViewApplications,
    PrintReceipt,
    ManageOffice,
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

    /// The role recorded in the audit for an action: the first role of the
    /// actor that grants it.
    pub fn acting_role(&self, action: Action) -> Option<Role> {
        self.roles.iter().copied().find(|r| grants(*r, action))
    }
}

fn grants(role: Role, action: Action) -> bool {
    match action {
        Action::RegisterApplication | Action::PrintReceipt => role == Role::Clerk,
        Action::ViewApplications => matches!(role, Role::Clerk | Role::Executor | Role::Head),
        Action::ManageOffice => role == Role::Administrator,
    }
}

pub fn authorize(actor: &Actor, action: Action) -> Result<Role, Error> {
    actor.acting_role(action).ok_or(Error::Forbidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor { user_id: 1, login: "u".into(), full_name: "U".into(), roles: roles.to_vec() }
    }

    #[test]
    fn only_a_clerk_registers() {
        assert_eq!(authorize(&actor(&[Role::Clerk]), Action::RegisterApplication), Ok(Role::Clerk));
        for r in [Role::Executor, Role::Head, Role::Administrator] {
            assert_eq!(authorize(&actor(&[r]), Action::RegisterApplication), Err(Error::Forbidden), "{r:?}");
        }
        assert_eq!(
            authorize(&actor(&[Role::Administrator, Role::Clerk]), Action::RegisterApplication),
            Ok(Role::Clerk),
            "a combined account acts in the role that grants the action"
        );
    }

    #[test]
    fn administrator_alone_sees_no_applications() {
        assert!(authorize(&actor(&[Role::Administrator]), Action::ViewApplications).is_err());
        assert!(authorize(&actor(&[Role::Administrator]), Action::ManageOffice).is_ok());
    }
}
