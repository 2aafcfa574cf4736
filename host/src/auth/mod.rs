//! Who may do what: users with a role, granted workspaces, and API tokens.
//!
//! Plain types, below the store and the API: every `/api.rsc/v2` route
//! requires a token (checked by `crate::api::auth`). The token's user
//! becomes the request's [`Principal`]; handlers ask it whether an
//! [`Action`] is allowed in a workspace ([`Principal::check`]). A workspace
//! the user was not granted answers as if it did not exist (404), so ids do
//! not leak.

pub mod cache;
pub mod limiter;
pub mod token;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, users and connectors included, in every workspace.
    Admin,
    /// Create, edit, delete and test connections in granted workspaces.
    Standard,
    /// Read-only on connections in granted workspaces; may test, list
    /// tables and columns, and read logs.
    Support,
}

impl Role {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Standard => "standard",
            Role::Support => "support",
        }
    }

    /// Parses the stored spelling, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        [Role::Admin, Role::Standard, Role::Support].into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// Something a request does, checked against the caller's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// List and read connections (and their workspace).
    Read,
    /// Test a connection, list its tables and columns, read its logs.
    Operate,
    /// Create, update, delete connections and jobs; reset metadata or credentials.
    Write,
    /// Start and cancel job runs.
    Run,
    /// Create and delete workspaces; manage users and connectors.
    Administer,
}

impl Action {
    fn allowed(self, role: Role) -> bool {
        matches!(
            (self, role),
            (_, Role::Admin)
                | (Action::Read | Action::Operate | Action::Run, Role::Standard | Role::Support)
                | (Action::Write, Role::Standard)
        )
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's name.
    pub name: String,
    /// The user's role.
    pub role: Role,
    /// The workspaces granted (all, for admins).
    pub workspaces: Vec<String>,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The workspace is not granted: answer as if it did not exist.
    Hidden,
    /// Granted, but the role does not allow the action: 403.
    Forbidden,
}

impl Principal {
    /// Whether the user sees `workspace` at all.
    pub fn sees(&self, workspace: &str) -> bool {
        self.role == Role::Admin || self.workspaces.iter().any(|w| w == workspace)
    }

    /// Whether the user may do `action` in `workspace`.
    pub fn check(&self, workspace: &str, action: Action) -> Result<(), Denied> {
        if !self.sees(workspace) {
            return Err(Denied::Hidden);
        }
        if !action.allowed(self.role) {
            return Err(Denied::Forbidden);
        }
        Ok(())
    }
}
