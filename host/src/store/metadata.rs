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
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// One cached answer.
#[derive(Debug, Clone)]
pub struct CachedItem {
    /// The connector version and properties hash it was fetched under.
    pub config_key: String,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    row: Arc<StoredItem>,
}

impl CachedItem {
    /// The answer, as JSON.
    pub fn payload(&self) -> &str {
        &self.row.payload
    }

    /// The answer as `decode` reads it (`None`: it does not decode). While
    /// the in-process cache keeps the row, `decode` runs once for it and
    /// later hits share its result (`docs/storage.md`).
    pub fn decoded<T: Send + Sync + 'static>(&self, decode: impl FnOnce(&str) -> Option<T>) -> Option<Arc<T>> {
        let memo = self
            .row
            .decoded
            .get_or_init(|| decode(&self.row.payload).map(|value| Arc::new(value) as Arc<dyn Any + Send + Sync>));
        memo.clone()?.downcast::<T>().ok()
    }
}

/// A metadata cache row as stored: its configuration key still sealed.
#[derive(Debug)]
pub(super) struct StoredItem {
    sealed_key: String,
    payload: String,
    fetched_at: DateTime<Utc>,
    /// The payload decoded, once (see [`CachedItem::decoded`]).
    decoded: OnceLock<Option<Arc<dyn Any + Send + Sync>>>,
}

/// What the in-process cache knows of one connection's cached answers:
/// per item read so far, its row, or `None` when there was none.
pub(super) type Known = Arc<HashMap<String, Option<Arc<StoredItem>>>>;

/// Roughly how many bytes `known` takes, for the cache's bound.
pub(super) fn weight(known: &Known) -> u32 {
    let bytes: usize = known
        .iter()
        .map(|(item, row)| 64 + item.len() + row.as_ref().map_or(0, |r| r.sealed_key.len() + r.payload.len()))
        .sum();
    u32::try_from(bytes).unwrap_or(u32::MAX)
}

impl Store {
    /// The cached `item` (e.g. `tables`, `columns:customers`) of a
    /// connection: from the in-process cache where there is one
    /// (`docs/storage.md`), else from the database.
    pub async fn cached(&self, connection: Uuid, item: &str) -> Result<Option<CachedItem>, StoreError> {
        let Some(memo) = self.metadata_known() else {
            return Ok(self.cached_row(connection, item).await?.and_then(|row| self.unseal(connection, item, &row)));
        };
        if let Some(row) = memo.get(&connection).as_ref().and_then(|known| known.get(item)) {
            return Ok(row.as_ref().and_then(|row| self.unseal(connection, item, row)));
        }
        let generation = memo.generation();
        let row = self.cached_row(connection, item).await?;
        let mut known = memo.get(&connection).map(|known| (*known).clone()).unwrap_or_default();
        known.insert(item.to_string(), row.clone());
        memo.fill(connection, Arc::new(known), generation);
        Ok(row.and_then(|row| self.unseal(connection, item, &row)))
    }

    /// The stored row of a cached item, from the database.
    async fn cached_row(&self, connection: Uuid, item: &str) -> Result<Option<Arc<StoredItem>>, StoreError> {
        let found = sqlx::query(
            "SELECT config_key, payload, fetched_at FROM metadata_cache WHERE connection_id = $1 AND item = $2",
        )
        .bind(connection.to_string())
        .bind(item)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = found else { return Ok(None) };
        Ok(Some(Arc::new(StoredItem {
            sealed_key: r.try_get("config_key")?,
            payload: r.try_get("payload")?,
            fetched_at: parse_timestamp(&r.try_get::<String, _>("fetched_at")?)?,
            decoded: OnceLock::new(),
        })))
    }

    /// A stored item with its key decrypted; none (a miss) if it does not decrypt.
    fn unseal(&self, connection: Uuid, item: &str, row: &Arc<StoredItem>) -> Option<CachedItem> {
        let config_key = self.keyring().open(&row.sealed_key, &context(connection, item)).ok()?;
        Some(CachedItem {
            config_key: String::from_utf8(config_key).ok()?,
            fetched_at: row.fetched_at,
            row: row.clone(),
        })
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
        // The next read takes the row from the database: two answers written
        // at once may reach the database and this cache in different orders.
        self.forget_item(connection, item);
        match result {
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Ok(()),
            Err(e) => Err(e.into()),
            Ok(_) => {
                self.settle().await;
                Ok(())
            }
        }
    }

    /// Drops every cached answer of a connection.
    pub async fn clear_cache(&self, connection: Uuid) -> Result<(), StoreError> {
        let result = sqlx::query("DELETE FROM metadata_cache WHERE connection_id = $1")
            .bind(connection.to_string())
            .execute(self.pool())
            .await;
        self.caches().metadata.change(connection, |_| None);
        result?;
        self.settle().await;
        Ok(())
    }

    /// Forgets what the in-process cache knows of one item.
    fn forget_item(&self, connection: Uuid, item: &str) {
        self.caches().metadata.change(connection, |known| {
            let mut known = (*known?).clone();
            known.remove(item);
            Some(Arc::new(known))
        });
    }
}

/// The associated data of a cached answer's configuration key.
fn context(connection: Uuid, item: &str) -> String {
    format!("syncport/metadata_cache/{connection}/{item}/config_key")
}
