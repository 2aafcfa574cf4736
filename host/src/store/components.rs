//! Installed connector components in the database, so every server on it
//! runs the same ones (docs/deploy.md).

use super::{PinnedConnection, Store, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sqlx::Row;

/// A stored component, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComponent {
    /// The sha256 of its bytes, hex.
    pub sha256: String,
    /// The connector name.
    pub name: String,
    /// The version.
    pub version: String,
    /// Its signature's text form, when signed.
    pub signature: Option<String>,
    /// What its `describe` said at install, as JSON (`ConnectorInfo`);
    /// `None` for a row stored before it was recorded.
    pub describe: Option<String>,
    /// Its publisher's text form (`Publisher::to_text`); `None` for a row
    /// stored before it was recorded.
    pub publisher: Option<String>,
}

/// What storing a component did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// It is stored now.
    Inserted,
    /// It already was, with the same bytes.
    AlreadyStored,
    /// Another component has its name and version: its sha256.
    Conflict(String),
    /// The name belongs to another publisher: its text form.
    NameOwned(String),
}

impl Store {
    /// Stores a component unless its name and version are taken by other
    /// bytes, or its name by another publisher (a row of another publisher
    /// under the name, in the same statement).
    pub async fn store_component(&self, component: &StoredComponent, bytes: &[u8]) -> Result<Stored, StoreError> {
        let name_key = crate::connector::normalize(&component.name);
        let inserted = sqlx::query(
            "INSERT INTO connector_components \
             (sha256, name_key, name, version, bytes, signature, installed_at, describe_json, publisher) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 WHERE NOT EXISTS (SELECT 1 FROM connector_components o \
             WHERE o.name_key = $2 AND o.publisher IS NOT NULL AND o.publisher <> $9 AND o.sha256 <> $1) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&component.sha256)
        .bind(&name_key)
        .bind(&component.name)
        .bind(&component.version)
        .bind(B64.encode(bytes))
        .bind(component.signature.clone())
        .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .bind(component.describe.clone())
        .bind(component.publisher.clone().unwrap_or_default())
        .execute(self.pool())
        .await?;
        if inserted.rows_affected() == 1 {
            sqlx::query("DELETE FROM connector_removed WHERE sha256 = $1")
                .bind(&component.sha256)
                .execute(self.pool())
                .await?;
            return Ok(Stored::Inserted);
        }
        let holder: Option<String> =
            sqlx::query("SELECT sha256 FROM connector_components WHERE name_key = $1 AND version = $2")
                .bind(&name_key)
                .bind(&component.version)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        if let Some(sha) = holder.filter(|sha| *sha != component.sha256) {
            return Ok(Stored::Conflict(sha));
        }
        let stored: Option<String> = sqlx::query("SELECT sha256 FROM connector_components WHERE sha256 = $1")
            .bind(&component.sha256)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if stored.is_some() {
            return Ok(Stored::AlreadyStored);
        }
        let owner: Option<String> = sqlx::query(
            "SELECT publisher FROM connector_components WHERE name_key = $1 AND publisher IS NOT NULL \
             AND publisher <> $2 ORDER BY installed_at, sha256 LIMIT 1",
        )
        .bind(&name_key)
        .bind(component.publisher.clone().unwrap_or_default())
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        Ok(match owner {
            Some(owner) => Stored::NameOwned(owner),
            // Removed in between: as good as stored by someone else.
            None => Stored::AlreadyStored,
        })
    }

    /// Records what `describe` said and who published the component
    /// `sha256`, where the row has no record yet (stored before records
    /// were kept). A record, once there, is never replaced.
    pub async fn record_component(&self, sha256: &str, describe: &str, publisher: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE connector_components SET describe_json = $2 WHERE sha256 = $1 AND describe_json IS NULL")
            .bind(sha256)
            .bind(describe)
            .execute(self.pool())
            .await?;
        sqlx::query("UPDATE connector_components SET publisher = $2 WHERE sha256 = $1 AND publisher IS NULL")
            .bind(sha256)
            .bind(publisher)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Makes the bundled publisher the publisher of the component `sha256`:
    /// its bytes are in this server's connectors directory.
    pub async fn claim_bundled(&self, sha256: &str, bundled: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE connector_components SET publisher = $2 WHERE sha256 = $1")
            .bind(sha256)
            .bind(bundled)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Every stored component, without bytes.
    pub async fn stored_components(&self) -> Result<Vec<StoredComponent>, StoreError> {
        let rows = sqlx::query(
            "SELECT sha256, name, version, signature, describe_json, publisher FROM connector_components \
             ORDER BY installed_at, sha256",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredComponent {
                    sha256: r.try_get(0)?,
                    name: r.try_get(1)?,
                    version: r.try_get(2)?,
                    signature: r.try_get(3)?,
                    describe: r.try_get(4)?,
                    publisher: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// The sha256 of every component removed through the API (and not
    /// installed again since).
    pub async fn removed_components(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT sha256 FROM connector_removed").fetch_all(self.pool()).await?;
        rows.into_iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// The bytes of the component `sha256`, if stored.
    pub async fn component_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let text: Option<String> = sqlx::query("SELECT bytes FROM connector_components WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.pool())
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        text.map(|t| B64.decode(t).map_err(|e| StoreError::Corrupt(format!("component {sha256}: {e}")))).transpose()
    }

    /// Deletes the component of `name` at `version` unless a connection is
    /// pinned to it, in one statement (so no server can pin one in
    /// between); the pinned connections otherwise.
    pub async fn delete_component(&self, name: &str, version: &str) -> Result<Vec<PinnedConnection>, StoreError> {
        let name_key = crate::connector::normalize(name);
        let mut tx = self.pool().begin().await?;
        let deleted: Option<String> = sqlx::query(
            "DELETE FROM connector_components WHERE name_key = $1 AND version = $2 AND NOT EXISTS \
             (SELECT 1 FROM connections c WHERE c.connector_key = $1 AND c.connector_version = $2) RETURNING sha256",
        )
        .bind(&name_key)
        .bind(version)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        if let Some(sha256) = deleted {
            sqlx::query("INSERT INTO connector_removed (sha256, removed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(sha256)
                .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            return Ok(Vec::new());
        }
        tx.rollback().await?;
        self.pinned_connections(name, version).await
    }
}
