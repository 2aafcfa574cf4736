//! Connections: every write checks the revision it read and the job leases
//! in the same statement, so concurrent writers never lose an update and a
//! connection in use by a running job is never changed.
//!
//! Properties are encrypted at the row boundary: the `properties` column
//! holds one envelope (`v1:<key id>:<base64>`, see [`crate::secrets`]) of the
//! whole JSON object, so neither a property's name nor its value is readable
//! in the database. Everything else is stored in clear.

use super::group_commit::{Recorded, TestWrite};
use super::rows::{COLUMNS, StoredConnection};
use super::{Store, StoreError, is_unique_violation, timestamp};
use crate::connections::{Connection, Properties, Settings, Status};
use crate::secrets::{Keyring, is_envelope, key_id_of};
use chrono::Utc;
use sqlx::Row;
use uuid::Uuid;

/// What a create needs.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// The workspace.
    pub workspace_id: String,
    /// The name.
    pub name: String,
    /// The connector's name as installed.
    pub connector: String,
    /// The pinned version.
    pub connector_version: semver::Version,
    /// Its properties, validated.
    pub properties: Properties,
    /// Its settings.
    pub settings: Settings,
    /// Its labels.
    pub labels: Vec<String>,
}

/// Filters and paging of a connection listing.
#[derive(Debug, Clone, Default)]
pub struct ConnectionFilter {
    /// Only connections with this label (case-insensitive).
    pub label: Option<String>,
    /// Only connections of this connector (normalized name).
    pub connector: Option<String>,
    /// At most this many.
    pub top: Option<i64>,
    /// Skipping this many first.
    pub skip: Option<i64>,
}

/// The outcome of a guarded write.
#[derive(Debug)]
pub enum WriteOutcome<T> {
    /// Written.
    Done(T),
    /// No such connection.
    NotFound,
    /// Another name in the workspace already is this one (case-insensitively).
    NameTaken,
    /// Held by a running job.
    InUse(String),
    /// Someone else wrote first; read again and retry.
    Stale,
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes")
}

/// The stored form of a connection's properties: their JSON, encrypted.
fn seal_properties(keyring: &Keyring, id: Uuid, properties: &Properties) -> Result<String, StoreError> {
    keyring.seal_properties(id, &json(properties)).map_err(StoreError::Encrypt)
}

/// A connection's properties from their stored form. Errors say what is
/// wrong (unknown key, wrong key, not encrypted, not an object) and never
/// quote the stored text or what it decrypts to.
pub(super) fn open_properties(keyring: &Keyring, id: Uuid, stored: &str) -> Result<Properties, StoreError> {
    let json = keyring
        .open_properties(id, stored)
        .map_err(|e| StoreError::Corrupt(format!("connection {id} properties: {e}")))?;
    parse_properties(&json).map_err(|e| StoreError::Corrupt(format!("connection {id} properties: {e}")))
}

/// Properties from their JSON text; the error gives the position, never the text.
fn parse_properties(json: &str) -> Result<Properties, String> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde::Deserializer::deserialize_map(&mut de, InOrder).and_then(|properties| de.end().map(|()| properties)).map_err(
        |e| format!("not a JSON object ({:?} error at line {}, column {})", e.classify(), e.line(), e.column()),
    )
}

/// Reads a JSON object straight into [`Properties`], entry by entry, as
/// `Properties::from` a `serde_json::Map` would (non-string values as their
/// JSON text, a later duplicate name replacing the value), without
/// building the map first.
struct InOrder;

impl<'de> serde::de::Visitor<'de> for InOrder {
    type Value = Properties;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
        let mut properties = Properties::default();
        while let Some((name, value)) = map.next_entry::<String, serde_json::Value>()? {
            let value = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            properties.set(&name, value);
        }
        Ok(properties)
    }
}

/// The label keys of `labels`: trimmed, lower case, unique.
fn label_keys(labels: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = labels.iter().map(|l| l.trim().to_lowercase()).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The live-lease guard for `WHERE` clauses, with the parameter numbers of
/// the connection id and of now.
fn not_leased(id: usize, now: usize) -> String {
    format!("NOT EXISTS (SELECT 1 FROM connection_leases l WHERE l.connection_id = ${id} AND l.expires_at > ${now})")
}

impl Store {
    /// The connection `id`: from the row cache where there is one
    /// (`docs/storage.md`), else from the database.
    pub async fn connection(&self, id: Uuid) -> Result<Option<Connection>, StoreError> {
        let Some(rows) = self.rows() else {
            return self.connection_row(id).await?.map(|row| row.open(self.keyring())).transpose();
        };
        if let Some(row) = rows.get(&id) {
            return row.open(self.keyring()).map(Some);
        }
        let generation = rows.generation();
        let Some(row) = self.connection_row(id).await? else { return Ok(None) };
        let row = std::sync::Arc::new(row);
        rows.fill(id, row.clone(), generation);
        row.open(self.keyring()).map(Some)
    }

    /// When connection `id` was last updated (test results do not count),
    /// if it exists; without decrypting its properties.
    pub async fn updated_at(&self, id: Uuid) -> Result<Option<chrono::DateTime<Utc>>, StoreError> {
        if let Some(row) = self.rows().and_then(|rows| rows.get(&id)) {
            return Ok(Some(row.updated_at()));
        }
        let found = sqlx::query("SELECT updated_at FROM connections WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        found.map(|r| super::parse_timestamp(&r.try_get::<String, _>("updated_at")?)).transpose()
    }

    /// The stored row of connection `id`, from the database.
    async fn connection_row(&self, id: Uuid) -> Result<Option<StoredConnection>, StoreError> {
        let found = sqlx::query(&format!("SELECT {COLUMNS} FROM connections WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        found.as_ref().map(StoredConnection::from_row).transpose()
    }

    /// Connections of a workspace matching `filter`, by name.
    pub async fn connections(
        &self,
        workspace_id: &str,
        filter: &ConnectionFilter,
    ) -> Result<Vec<Connection>, StoreError> {
        // Parameters are numbered in the order they first appear, as SQLite needs.
        let mut sql = format!("SELECT {COLUMNS} FROM connections c WHERE workspace_id = $1");
        let mut binds = vec![workspace_id.to_string()];
        if let Some(connector) = &filter.connector {
            binds.push(connector.clone());
            sql.push_str(&format!(" AND connector_key = ${}", binds.len()));
        }
        if let Some(label) = &filter.label {
            binds.push(label.trim().to_lowercase());
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM connection_labels l WHERE l.connection_id = c.id AND l.label_key = ${})",
                binds.len()
            ));
        }
        // name_key is unique per workspace: ordering by it alone lets the
        // (workspace_id, name_key) index serve the page without a sort.
        sql.push_str(" ORDER BY name_key");
        sql.push_str(&format!(
            " LIMIT {} OFFSET {}",
            filter.top.unwrap_or(i64::MAX).max(0),
            filter.skip.unwrap_or(0).max(0)
        ));
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(|r| StoredConnection::from_row(r)?.open(self.keyring())).collect()
    }

    /// Creates a connection with status `untested`.
    pub async fn create_connection(&self, new: NewConnection) -> Result<WriteOutcome<Connection>, StoreError> {
        let now = super::now();
        let connection = Connection {
            id: Uuid::new_v4(),
            workspace_id: new.workspace_id,
            name: new.name,
            connector: new.connector,
            connector_version: new.connector_version,
            properties: new.properties,
            settings: new.settings,
            labels: new.labels,
            status: Status::Untested,
            last_tested_at: None,
            created_at: now,
            updated_at: now,
            revision: 1,
        };
        let properties = seal_properties(self.keyring(), connection.id, &connection.properties)?;
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO connections (id, workspace_id, name, name_key, connector, connector_key, connector_version, \
             properties, settings, labels, status, last_tested_at, created_at, updated_at, revision) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $13, 1)",
        )
        .bind(connection.id.to_string())
        .bind(&connection.workspace_id)
        .bind(&connection.name)
        .bind(connection.name.to_lowercase())
        .bind(&connection.connector)
        .bind(crate::connector::normalize(&connection.connector))
        .bind(connection.connector_version.to_string())
        .bind(properties)
        .bind(json(&connection.settings))
        .bind(json(&connection.labels))
        .bind(connection.status.as_str())
        .bind(timestamp(now))
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if is_unique_violation(&e) => return Ok(WriteOutcome::NameTaken),
            other => other?,
        };
        insert_labels(&mut tx, connection.id, &connection.labels).await?;
        tx.commit().await?;
        Ok(WriteOutcome::Done(connection))
    }

    /// Writes the credentials of `next` (its properties and status) over the
    /// stored connection if it is still at `next.revision`, whether or not a
    /// job holds it (renewed OAuth tokens change nothing a run depends on);
    /// bumps the revision.
    pub async fn update_credentials(&self, next: &Connection) -> Result<WriteOutcome<Connection>, StoreError> {
        let now = super::now();
        let properties = seal_properties(self.keyring(), next.id, &next.properties)?;
        let updated = sqlx::query(
            "UPDATE connections SET properties = $1, status = $2, updated_at = $3, revision = revision + 1 \
             WHERE id = $4 AND revision = $5",
        )
        .bind(&properties)
        .bind(next.status.as_str())
        .bind(timestamp(now))
        .bind(next.id.to_string())
        .bind(next.revision)
        .execute(self.pool())
        .await?;
        if updated.rows_affected() == 0 {
            self.row_stale(next.id, next.revision);
            // A job's lease does not stop this write: only a gone or newer row does.
            return Ok(match self.connection_row(next.id).await? {
                None => WriteOutcome::NotFound,
                Some(_) => WriteOutcome::Stale,
            });
        }
        let written = Connection { updated_at: now, revision: next.revision + 1, ..next.clone() };
        self.row_written(next.id, next.revision, |_| StoredConnection::new(&written, properties));
        self.settle().await;
        Ok(WriteOutcome::Done(written))
    }

    /// Writes `next` over the stored connection if it is still at
    /// `next.revision` and no job holds it; bumps the revision.
    pub async fn update_connection(&self, next: &Connection) -> Result<WriteOutcome<Connection>, StoreError> {
        let now = super::now();
        let properties = seal_properties(self.keyring(), next.id, &next.properties)?;
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(&format!(
            "UPDATE connections SET name = $1, name_key = $2, connector_version = $3, properties = $4, settings = $5, \
             labels = $6, status = $7, last_tested_at = $8, updated_at = $9, revision = revision + 1 \
             WHERE id = $10 AND revision = $11 AND {}",
            not_leased(10, 9)
        ))
        .bind(&next.name)
        .bind(next.name.to_lowercase())
        .bind(next.connector_version.to_string())
        .bind(&properties)
        .bind(json(&next.settings))
        .bind(json(&next.labels))
        .bind(next.status.as_str())
        .bind(next.last_tested_at.map(timestamp))
        .bind(timestamp(now))
        .bind(next.id.to_string())
        .bind(next.revision)
        .execute(&mut *tx)
        .await;
        let updated = match updated {
            Err(e) if is_unique_violation(&e) => return Ok(WriteOutcome::NameTaken),
            other => other?,
        };
        if updated.rows_affected() == 0 {
            drop(tx);
            self.row_stale(next.id, next.revision);
            return self.why_not_written(next.id).await;
        }
        sqlx::query("DELETE FROM connection_labels WHERE connection_id = $1")
            .bind(next.id.to_string())
            .execute(&mut *tx)
            .await?;
        insert_labels(&mut tx, next.id, &next.labels).await?;
        tx.commit().await?;
        let written = Connection { updated_at: now, revision: next.revision + 1, ..next.clone() };
        self.row_written(next.id, next.revision, |_| StoredConnection::new(&written, properties));
        self.settle().await;
        Ok(WriteOutcome::Done(written))
    }

    /// Deletes a connection unless a job holds it; its labels, cached
    /// metadata and expired leases go with it (`ON DELETE CASCADE`).
    pub async fn delete_connection(&self, id: Uuid) -> Result<WriteOutcome<()>, StoreError> {
        let deleted = sqlx::query(&format!("DELETE FROM connections WHERE id = $1 AND {}", not_leased(1, 2)))
            .bind(id.to_string())
            .bind(timestamp(Utc::now()))
            .execute(self.pool())
            .await?;
        if deleted.rows_affected() == 1 {
            self.connection_gone(id);
            self.settle().await;
            return Ok(WriteOutcome::Done(()));
        }
        self.why_not_written(id).await
    }

    /// Why a guarded write touched no row.
    async fn why_not_written<T>(&self, id: Uuid) -> Result<WriteOutcome<T>, StoreError> {
        let holder = sqlx::query("SELECT holder FROM connection_leases WHERE connection_id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(timestamp(Utc::now()))
            .fetch_optional(self.pool())
            .await?;
        if let Some(holder) = holder {
            return Ok(WriteOutcome::InUse(holder.try_get("holder")?));
        }
        Ok(match self.connection_row(id).await? {
            None => WriteOutcome::NotFound,
            Some(_) => WriteOutcome::Stale,
        })
    }
}

async fn insert_labels(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: Uuid,
    labels: &[String],
) -> Result<(), StoreError> {
    for key in label_keys(labels) {
        sqlx::query("INSERT INTO connection_labels (connection_id, label_key) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Store {
    /// Records a test's outcome. Not guarded by leases: a test reads, it
    /// does not change the connection's configuration. Committed together
    /// with the results of other tests finishing meanwhile (group commit,
    /// see [`super::group_commit`]); returns once committed.
    ///
    /// Only if the connection is still at `revision`, the one tested: a
    /// result for a connection changed meanwhile is not recorded.
    pub async fn record_test(&self, id: Uuid, revision: i64, status: Status) -> Result<Recorded, StoreError> {
        // The row cache learns the outcome from the writer, in commit order.
        let recorded = self.group_commit().write(TestWrite { id, revision, status, at: super::now() }).await?;
        if recorded == Recorded::Applied {
            self.settle().await;
        }
        Ok(recorded)
    }
}

/// Which rows [`Store::seal_connections`] encrypts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reseal {
    /// Rows an earlier version stored in clear.
    Cleartext,
    /// Every row not encrypted with the keyring's first key (a rotation).
    NotPrimary,
}

/// Rows per page when encrypting every row again.
const RESEAL_PAGE: i64 = 500;

impl Store {
    /// The ids of the keys the stored properties are encrypted with, and
    /// whether some are stored in clear (by a version before encryption).
    pub async fn properties_keys(&self) -> Result<(Vec<String>, bool), StoreError> {
        // Envelopes start `v1:<16 hex digits>:`, 20 characters.
        let prefixes = sqlx::query("SELECT DISTINCT substr(properties, 1, 20) AS prefix FROM connections")
            .fetch_all(self.pool())
            .await?;
        let mut ids = Vec::new();
        let mut cleartext = false;
        for r in prefixes {
            let prefix: String = r.try_get("prefix")?;
            match key_id_of(&prefix) {
                Some(id) => ids.push(id.to_string()),
                None => cleartext = true,
            }
        }
        ids.sort();
        ids.dedup();
        Ok((ids, cleartext))
    }

    /// Decrypts one row per key `key_id` encrypted, to prove the key is
    /// the right one (a key id names a key; this checks the key itself).
    pub async fn check_key(&self, key_id: &str) -> Result<(), StoreError> {
        let found = sqlx::query("SELECT id, properties FROM connections WHERE properties LIKE $1 LIMIT 1")
            .bind(format!("v1:{key_id}:%"))
            .fetch_optional(self.pool())
            .await?;
        if let Some(r) = found {
            let id: String = r.try_get("id")?;
            let id = Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("connection id: {e}")))?;
            open_properties(self.keyring(), id, &r.try_get::<String, _>("properties")?)?;
        }
        Ok(())
    }

    /// Encrypts the properties of the rows `which` selects with the
    /// keyring's first key, in one transaction, and drops the cached
    /// metadata whose key was not encrypted with it. The number of rows.
    pub async fn seal_connections(&self, which: Reseal) -> Result<u64, StoreError> {
        let keyring = self.keyring();
        let pattern = match which {
            Reseal::Cleartext => "v1:%".to_string(),
            Reseal::NotPrimary => format!("v1:{}:%", keyring.primary_id()),
        };
        let mut tx = self.pool().begin().await?;
        let mut after = String::new();
        let mut sealed = 0u64;
        loop {
            let page = sqlx::query(&format!(
                "SELECT id, properties FROM connections WHERE id > $1 AND properties NOT LIKE $2 \
                 ORDER BY id LIMIT {RESEAL_PAGE}"
            ))
            .bind(&after)
            .bind(&pattern)
            .fetch_all(&mut *tx)
            .await?;
            let Some(last) = page.last() else { break };
            after = last.try_get("id")?;
            for r in page {
                let raw_id: String = r.try_get("id")?;
                let id = Uuid::parse_str(&raw_id).map_err(|e| StoreError::Corrupt(format!("connection id: {e}")))?;
                let stored: String = r.try_get("properties")?;
                let properties = if is_envelope(&stored) {
                    open_properties(keyring, id, &stored)?
                } else {
                    parse_properties(&stored)
                        .map_err(|e| StoreError::Corrupt(format!("connection {id} properties: {e}")))?
                };
                sqlx::query("UPDATE connections SET properties = $1, revision = revision + 1 WHERE id = $2")
                    .bind(seal_properties(keyring, id, &properties)?)
                    .bind(raw_id)
                    .execute(&mut *tx)
                    .await?;
                sealed += 1;
            }
        }
        sqlx::query("DELETE FROM metadata_cache WHERE config_key NOT LIKE $1").bind(&pattern).execute(&mut *tx).await?;
        tx.commit().await?;
        self.forget_all();
        self.settle().await;
        Ok(sealed)
    }

    /// Rewrites the database without the space earlier versions of rows
    /// occupied, so no old ciphertext (or clear text) lingers in free pages
    /// or the write-ahead log. SQLite only: `VACUUM`, then a checkpoint that
    /// empties the WAL. On PostgreSQL, see `docs/security.md`.
    pub async fn compact(&self) -> Result<(), StoreError> {
        if self.is_sqlite() {
            sqlx::query("VACUUM").execute(self.pool()).await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(self.pool()).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SecretKey;

    #[test]
    fn properties_read_in_order_are_what_a_json_map_gives() {
        let cases = [
            r#"{"A":"1","b":"2"}"#,
            r#"{"A":"1","a":"2","B":3,"C":null,"D":{"x":[1,true]}}"#,
            r#"{"A":"1","A":"2"}"#,
            "{}",
        ];
        for json in cases {
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).expect("an object");
            assert_eq!(parse_properties(json), Ok(Properties::from(map)), "{json}");
        }
        for bad in ["[]", "\"text\"", "{", "{} trailing", ""] {
            assert!(parse_properties(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_row_cache_keeps_a_connection_tested_by_many_callers_at_once_as_stored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("syncport.db").display());
        let key = SecretKey::from_base64(&SecretKey::generate_base64().expect("random"), "key").expect("key");
        let store = Store::open(crate::store::Database::at(&url), Keyring::new(key)).await.expect("store");
        let new = NewConnection {
            workspace_id: "default".into(),
            name: "Books".into(),
            connector: "QuickBooks".into(),
            connector_version: semver::Version::new(1, 0, 0),
            properties: Properties::default(),
            settings: Settings::default(),
            labels: Vec::new(),
        };
        let Ok(WriteOutcome::Done(created)) = store.create_connection(new).await else { panic!("created") };
        for round in 0..20 {
            // Each caller reads the row, then records a result: the results
            // land in several commits, their callers resumed in any order.
            let callers: Vec<_> = (0..16)
                .map(|i| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let read = store.connection(created.id).await.expect("read").expect("exists");
                        let status = if i % 2 == 0 { Status::Ok } else { Status::Failed };
                        store.record_test(read.id, read.revision, status).await.expect("recorded")
                    })
                })
                .collect();
            for caller in callers {
                caller.await.expect("caller");
            }
            let cached = store.rows().and_then(|rows| rows.get(&created.id)).expect("the row is still cached");
            let stored = store.connection_row(created.id).await.expect("read").expect("exists");
            let keyring = store.keyring();
            assert_eq!(cached.open(keyring).expect("open"), stored.open(keyring).expect("open"), "round {round}");
        }
    }
}
