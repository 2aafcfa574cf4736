//! Which connections are pinned to a connector version.

use super::{Store, StoreError};
use sqlx::Row;

/// A connection pinned to a connector version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PinnedConnection {
    /// Its id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Its name.
    pub name: String,
}

impl Store {
    /// The connections pinned to `version` of the connector `name`
    /// (normalized like the registry does), by workspace and name.
    pub async fn pinned_connections(&self, name: &str, version: &str) -> Result<Vec<PinnedConnection>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, workspace_id, name FROM connections WHERE connector_key = $1 AND connector_version = $2 \
             ORDER BY workspace_id, name_key",
        )
        .bind(crate::connector::normalize(name))
        .bind(version)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| Ok(PinnedConnection { id: r.try_get(0)?, workspace_id: r.try_get(1)?, name: r.try_get(2)? }))
            .collect()
    }
}
