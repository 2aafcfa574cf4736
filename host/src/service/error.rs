//! What a service reports when it does not do what was asked: each variant
//! says what happened; `crate::api` decides the status, code and target.

use crate::connections::validate::Problem;
use crate::connector::model::ConnectorError;
use crate::registry::RegistryError;
use crate::runtime::{CallError, Fault};
use crate::store::{PinnedConnection, StoreError};
use std::fmt;

/// What a service could not find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// A connection.
    Connection,
    /// A job.
    Job,
    /// A user.
    User,
    /// A user's token.
    Token,
    /// A workspace.
    Workspace,
}

impl fmt::Display for What {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            What::Connection => "Connection",
            What::Job => "Job",
            What::User => "User",
            What::Token => "Token",
            What::Workspace => "Workspace",
        })
    }
}

/// A rejection of the caller's input: a stable code, what is wrong, and
/// where (a field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// A stable snake_case code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// The field it concerns.
    pub target: Option<String>,
}

/// Why a service did not do what was asked. The messages are the ones the
/// API shows.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such connection, job, user, token or workspace (`id` as the caller gave it).
    #[error("{what} `{id}` does not exist.")]
    NotFound {
        /// What was looked for.
        what: What,
        /// Its id, as asked.
        id: String,
    },
    /// The connector has no such table. The message says so once: the
    /// connector's message, when it already does, else ours with its detail.
    #[error("{}", no_such_table(table, reason))]
    NoSuchTable {
        /// The table, as asked.
        table: String,
        /// The connector's message.
        reason: String,
    },
    /// Another connection or job of the workspace, another user, or
    /// another workspace has the name (a workspace's: its id).
    #[error("{}", taken(*what, name))]
    NameTaken {
        /// A connection, a job, a user or a workspace.
        what: What,
        /// The name.
        name: String,
    },
    /// An admin asked to take their own admin role away.
    #[error("An admin cannot demote themself.")]
    OwnRole,
    /// The user is the last admin, who cannot be deleted.
    #[error("The last admin cannot be deleted.")]
    LastAdmin,
    /// The default workspace cannot be deleted.
    #[error("The default workspace always exists.")]
    DefaultWorkspace {
        /// The workspace, as asked.
        workspace: String,
    },
    /// The workspace still holds connections.
    #[error("Workspace `{workspace}` still holds connections; delete them first.")]
    WorkspaceNotEmpty {
        /// The workspace, as asked.
        workspace: String,
    },
    /// No such connector version is installed.
    #[error("Connector `{name}` version `{version}` is not installed.")]
    NotInstalled {
        /// The connector, as asked.
        name: String,
        /// The version, as asked.
        version: String,
    },
    /// Connections are pinned to the connector version to remove.
    #[error(
        "{}. Move them to another version (PUT with connector_version) or delete them first.",
        super::connectors::pinned_message(name, version, pinned)
    )]
    VersionInUse {
        /// The connector.
        name: String,
        /// The version.
        version: semver::Version,
        /// The connections pinned to it.
        pinned: Vec<PinnedConnection>,
    },
    /// Installing or removing a connector component failed: it does not
    /// load, is not signed as required, uses a name another publisher
    /// owns, or conflicts with what is installed.
    #[error("{0}")]
    Registry(RegistryError),
    /// A running job uses the connection.
    #[error("Connection `{connection}` is in use by running job `{job}`.")]
    InUse {
        /// The connection, as asked.
        connection: String,
        /// The job.
        job: String,
    },
    /// The job is running, so it cannot change.
    #[error("Job `{job}` is running; cancel it or wait for it to end.")]
    Running {
        /// The job, as asked.
        job: String,
    },
    /// The job has no run under way to cancel.
    #[error("Job `{job}` is not running.")]
    NotRunning {
        /// The job, as asked.
        job: String,
    },
    /// Another job writes into this job's destination connection.
    #[error("Job `{job}` is writing into this job's destination connection; wait for it to end.")]
    DestinationBusy {
        /// The other job.
        job: String,
    },
    /// Other writers kept changing the connection under an update.
    #[error("Connection `{connection}` kept changing under this update; try again.")]
    WriteConflict {
        /// The connection.
        connection: String,
    },
    /// The input is rejected, for one reason.
    #[error("{}", .0.message)]
    Rejected(Rejection),
    /// The properties do not fit the connector version's specs: every
    /// problem.
    #[error("invalid properties: {}", problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid {
        /// Each problem.
        problems: Vec<Problem>,
    },
    /// The connector is still loading after a restart: try again soon.
    #[error("{0}")]
    Loading(String),
    /// The connector version was refused when this server loaded it.
    #[error("{0}")]
    Refused(String),
    /// The connector reported a failure.
    #[error("{}", .0.message)]
    Connector(ConnectorError),
    /// The host stopped the connector.
    #[error("{0}")]
    Fault(Fault),
    /// OAuth gave the connection no working token.
    #[error("{0}")]
    OAuth(super::oauth::OAuthFailure),
    /// The database failed.
    #[error("internal error: {0}")]
    Store(#[from] StoreError),
    /// Anything else: a bug or a broken installation.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The message of [`ServiceError::NoSuchTable`]: `Table `X` does not exist.`
/// said once. The connector's `reason` is kept when it adds something: as
/// it is when it names the table and says it is missing (its own words),
/// after ours otherwise (`Table `X` does not exist: the API answered 404.`).
fn no_such_table(table: &str, reason: &str) -> String {
    let ours = format!("Table `{table}` does not exist.");
    let reason = reason.trim();
    let lower = reason.to_lowercase();
    let said = ["does not exist", "doesn't exist", "not found", "no such table", "unknown table"];
    if reason.is_empty()
        || reason.eq_ignore_ascii_case(&ours)
        || reason.eq_ignore_ascii_case(ours.trim_end_matches('.'))
    {
        ours
    } else if !table.is_empty() && lower.contains(&table.to_lowercase()) && said.iter().any(|s| lower.contains(s)) {
        reason.to_string()
    } else {
        format!("{}: {reason}", ours.trim_end_matches('.'))
    }
}

/// The message of [`ServiceError::NameTaken`].
fn taken(what: What, name: &str) -> String {
    match what {
        What::User => format!("A user named `{name}` already exists."),
        What::Workspace => format!("Workspace `{name}` already exists."),
        other => format!("A {} named `{name}` already exists in this workspace.", other.to_string().to_lowercase()),
    }
}

impl ServiceError {
    /// A rejection of the input: `code`, `message`, about `target`.
    pub fn rejected(code: &'static str, message: impl Into<String>, target: impl Into<Option<String>>) -> Self {
        ServiceError::Rejected(Rejection { code, message: message.into(), target: target.into() })
    }

    /// The rejection of an input without the required `field`.
    pub fn missing(field: &str) -> Self {
        Self::rejected("missing_field", format!("`{field}` is required."), Some(field.to_string()))
    }
}

impl From<CallError> for ServiceError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Connector(e) => ServiceError::Connector(e),
            CallError::Fault(f) => ServiceError::Fault(f),
        }
    }
}

/// The result of a service.
pub type ServiceResult<T> = Result<T, ServiceError>;

#[cfg(test)]
mod tests {
    use super::no_such_table;

    #[test]
    fn a_missing_table_is_said_missing_once_with_the_connectors_detail() {
        let ours = "Table `Nope` does not exist.";
        for reason in ["Table `Nope` does not exist.", "table `nope` does not exist", "", "  "] {
            assert_eq!(no_such_table("Nope", reason), ours, "{reason:?}");
        }
        let own = "Table `Nope` does not exist. Did you mean `Notes`?";
        assert_eq!(no_such_table("Nope", own), own);
        assert_eq!(no_such_table("Nope", "No such table: Nope (schema dbo)."), "No such table: Nope (schema dbo).");
        assert_eq!(
            no_such_table("Nope", "The API answered 404."),
            "Table `Nope` does not exist: The API answered 404."
        );
        // Saying "not found" about something else keeps ours.
        assert_eq!(no_such_table("Nope", "Endpoint not found."), "Table `Nope` does not exist: Endpoint not found.");
    }
}
