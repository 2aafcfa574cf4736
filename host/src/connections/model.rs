//! The stored connection.

use super::{Properties, Settings};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether a connection last worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Never tested since it was created or its properties changed.
    Untested,
    /// The last test succeeded.
    Ok,
    /// The last test failed.
    Failed,
    /// Its credentials were reset and must be supplied again.
    NeedsCredentials,
}

impl Status {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Untested => "untested",
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::NeedsCredentials => "needs_credentials",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [Status::Untested, Status::Ok, Status::Failed, Status::NeedsCredentials].into_iter().find(|v| v.as_str() == s)
    }
}

/// A connection as the store returns it: properties decrypted, secret
/// values in clear (the API masks them; `Debug` shows property names only).
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Its id.
    pub id: Uuid,
    /// The workspace it belongs to.
    pub workspace_id: String,
    /// Its name, unique per workspace case-insensitively.
    pub name: String,
    /// The connector's name as installed (e.g. `QuickBooks`).
    pub connector: String,
    /// The connector version it is pinned to.
    pub connector_version: semver::Version,
    /// Its properties.
    pub properties: Properties,
    /// Its settings.
    pub settings: Settings,
    /// Its labels.
    pub labels: Vec<String>,
    /// Whether it last worked.
    pub status: Status,
    /// When it was last tested.
    pub last_tested_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Bumped by every write.
    pub revision: i64,
}
