//! A connection row as stored: every column decoded except the properties,
//! which stay encrypted until [`StoredConnection::open`]. This is what the
//! in-process row cache keeps, so it never holds a secret in clear.

use super::{StoreError, parse_timestamp};
use crate::connections::{Connection, Properties, Status};
use crate::secrets::Keyring;
use sqlx::Row;
use uuid::Uuid;

/// The columns [`StoredConnection::from_row`] reads.
pub(super) const COLUMNS: &str = "id, workspace_id, name, connector, connector_version, properties, settings, \
    labels, status, last_tested_at, created_at, updated_at, revision";

/// A connection whose properties are still sealed.
#[derive(Debug, Clone)]
pub(crate) struct StoredConnection {
    /// The connection, with no properties.
    connection: Connection,
    /// The `properties` column: one envelope of their JSON.
    sealed: String,
}

impl StoredConnection {
    /// `connection` as written, with `sealed` its encrypted properties.
    pub(super) fn new(connection: &Connection, sealed: String) -> Self {
        Self { connection: Connection { properties: Properties::default(), ..connection.clone() }, sealed }
    }

    /// Decodes a row selected with [`COLUMNS`].
    pub(super) fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, StoreError> {
        let corrupt = |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("connection {what}: {e}"));
        let id: String = r.try_get("id")?;
        let version: String = r.try_get("connector_version")?;
        let status: String = r.try_get("status")?;
        let connection = Connection {
            id: Uuid::parse_str(&id).map_err(|e| corrupt("id", &e))?,
            workspace_id: r.try_get("workspace_id")?,
            name: r.try_get("name")?,
            connector: r.try_get("connector")?,
            connector_version: semver::Version::parse(&version).map_err(|e| corrupt("version", &e))?,
            properties: Properties::default(),
            settings: serde_json::from_str(&r.try_get::<String, _>("settings")?)
                .map_err(|e| corrupt("settings", &e))?,
            labels: serde_json::from_str(&r.try_get::<String, _>("labels")?).map_err(|e| corrupt("labels", &e))?,
            status: Status::parse(&status).ok_or_else(|| corrupt("status", &status))?,
            last_tested_at: r
                .try_get::<Option<String>, _>("last_tested_at")?
                .as_deref()
                .map(parse_timestamp)
                .transpose()?,
            created_at: parse_timestamp(&r.try_get::<String, _>("created_at")?)?,
            updated_at: parse_timestamp(&r.try_get::<String, _>("updated_at")?)?,
            revision: r.try_get("revision")?,
        };
        Ok(Self { connection, sealed: r.try_get("properties")? })
    }

    /// Roughly how many bytes it takes, for the cache's bound.
    pub(super) fn weight(&self) -> u32 {
        let c = &self.connection;
        let labels: usize = c.labels.iter().map(String::len).sum();
        let bytes = 256 + self.sealed.len() + c.workspace_id.len() + c.name.len() + c.connector.len() + labels;
        u32::try_from(bytes).unwrap_or(u32::MAX)
    }

    /// Its revision.
    pub(super) fn revision(&self) -> i64 {
        self.connection.revision
    }

    /// When it was last updated (test results do not count).
    pub(super) fn updated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.connection.updated_at
    }

    /// The same row after a test recorded `status` at `at` (revision bumped).
    pub(super) fn tested(&self, status: Status, at: chrono::DateTime<chrono::Utc>) -> Self {
        let connection = Connection {
            status,
            last_tested_at: Some(at),
            revision: self.connection.revision + 1,
            properties: Properties::default(),
            ..self.connection.clone()
        };
        Self { connection, sealed: self.sealed.clone() }
    }

    /// The connection with its properties decrypted.
    pub(super) fn open(&self, keyring: &Keyring) -> Result<Connection, StoreError> {
        let id = self.connection.id;
        let properties = super::connections::open_properties(keyring, id, &self.sealed)?;
        Ok(Connection { properties, ..self.connection.clone() })
    }
}
