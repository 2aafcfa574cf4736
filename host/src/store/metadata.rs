//! The metadata cache: list-tables and list-columns answers per connection.
//!
//! An answer's configuration key is a hash of the connection's properties,
//! secrets included; it is stored encrypted (like the properties), so the
//! database holds nothing derived from a secret that could be checked
//! against guesses. A key that does not decrypt (written under an older key,
//! or by a version that stored it in clear) is a cache miss.

use super::{Store, StoreError, parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

/// One cached answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedItem {
    /// The connector version and properties hash it was fetched under.
    pub config_key: String,
    /// The answer, as JSON.
    pub payload: String,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

impl Store {
    /// The cached `item` (e.g. `tables`, `columns:customers`) of a connection.
    pub async fn cached(&self, connection: Uuid, item: &str) -> Result<Option<CachedItem>, StoreError> {
        let found = sqlx::query(
            "SELECT config_key, payload, fetched_at FROM metadata_cache WHERE connection_id = $1 AND item = $2",
        )
        .bind(connection.to_string())
        .bind(item)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = found else { return Ok(None) };
        let sealed: String = r.try_get("config_key")?;
        let Ok(config_key) = self.keyring().open(&sealed, &context(connection, item)) else { return Ok(None) };
        let Ok(config_key) = String::from_utf8(config_key) else { return Ok(None) };
        Ok(Some(CachedItem {
            config_key,
            payload: r.try_get("payload")?,
            fetched_at: parse_timestamp(&r.try_get::<String, _>("fetched_at")?)?,
        }))
    }

    /// Stores an answer, replacing the previous one. A connection deleted
    /// meanwhile keeps nothing (the foreign key refuses the row).
    pub async fn cache(&self, connection: Uuid, item: &str, config_key: &str, payload: &str) -> Result<(), StoreError> {
        let config_key =
            self.keyring().seal(config_key.as_bytes(), &context(connection, item)).map_err(StoreError::Encrypt)?;
        let result = sqlx::query(
            "INSERT INTO metadata_cache (connection_id, item, config_key, payload, fetched_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id, item) \
             DO UPDATE SET config_key = excluded.config_key, payload = excluded.payload, fetched_at = excluded.fetched_at",
        )
        .bind(connection.to_string())
        .bind(item)
        .bind(&config_key)
        .bind(payload)
        .bind(timestamp(Utc::now()))
        .execute(self.pool())
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Ok(()),
            other => other.map(drop).map_err(Into::into),
        }
    }

    /// Drops every cached answer of a connection.
    pub async fn clear_cache(&self, connection: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM metadata_cache WHERE connection_id = $1")
            .bind(connection.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

/// The associated data of a cached answer's configuration key.
fn context(connection: Uuid, item: &str) -> String {
    format!("syncport/metadata_cache/{connection}/{item}/config_key")
}
