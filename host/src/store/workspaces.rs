//! Workspaces.

use super::{Store, StoreError, is_unique_violation, parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// A workspace: a named group of connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Its id, e.g. `default`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// How many connections it holds.
    pub connections: i64,
}

const SELECT: &str = "SELECT w.id, w.name, w.created_at, \
    (SELECT COUNT(*) FROM connections c WHERE c.workspace_id = w.id) AS connections FROM workspaces w";

fn row(r: sqlx::any::AnyRow) -> Result<Workspace, StoreError> {
    Ok(Workspace {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        created_at: parse_timestamp(&r.try_get::<String, _>("created_at")?)?,
        connections: r.try_get("connections")?,
    })
}

impl Store {
    /// Every workspace, by id.
    pub async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY w.id")).fetch_all(self.pool()).await?;
        rows.into_iter().map(row).collect()
    }

    /// The workspace `id`.
    pub async fn workspace(&self, id: &str) -> Result<Option<Workspace>, StoreError> {
        let found = sqlx::query(&format!("{SELECT} WHERE w.id = $1")).bind(id).fetch_optional(self.pool()).await?;
        found.map(row).transpose()
    }

    /// Whether workspace `id` exists.
    pub async fn workspace_exists(&self, id: &str) -> Result<bool, StoreError> {
        let found = sqlx::query("SELECT 1 FROM workspaces WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        Ok(found.is_some())
    }

    /// Creates a workspace; `false` if the id is taken.
    pub async fn create_workspace(&self, id: &str, name: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("INSERT INTO workspaces (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(timestamp(Utc::now()))
            .execute(self.pool())
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes an empty workspace: `Ok(true)` if deleted, `Ok(false)` if it
    /// holds connections (checked in the same statement).
    /// Its users' grants go with it, so a later workspace of the same id
    /// grants nothing to them.
    pub async fn delete_workspace(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let deleted = sqlx::query(
            "DELETE FROM workspaces WHERE id = $1 AND NOT EXISTS \
             (SELECT 1 FROM connections WHERE workspace_id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM user_workspaces WHERE workspace_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        self.settle().await;
        Ok(true)
    }
}
