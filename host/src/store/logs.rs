//! Connection log entries in the database, for servers sharing it
//! (`crate::logs` decides when).

use super::group_commit::LogWrite;
use super::{Store, StoreError};
use sqlx::Row;
use uuid::Uuid;

/// One stored entry: the lines of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// When it was written (RFC 3339, UTC).
    pub written_at: String,
    /// The size of its text in bytes.
    pub bytes: i64,
    /// Its text, when asked for.
    pub text: Option<String>,
}

impl Store {
    /// Appends an entry (`text`, of `day`, written at `written_at`) to a
    /// connection's log, committed with the other writes of its batch (see
    /// `group_commit`): a return means committed. Entries of one connection
    /// and day in one batch may be stored as one row, of at most
    /// `max_row_bytes` (the log file's size cap).
    pub async fn append_log(
        &self,
        connection: Uuid,
        day: String,
        written_at: String,
        text: &str,
        max_row_bytes: u64,
    ) -> Result<(), StoreError> {
        let text = text.to_string();
        self.group_commit().append(LogWrite { connection, day, written_at, text, max_row_bytes }).await
    }

    /// A connection's entries in the order written, of one day or of every
    /// day, with their text only when `with_text`.
    pub async fn log_entries(
        &self,
        connection: Uuid,
        day: Option<&str>,
        with_text: bool,
    ) -> Result<Vec<LogEntry>, StoreError> {
        let text = if with_text { "text" } else { "NULL" };
        let sql = format!(
            "SELECT day, written_at, bytes, {text} FROM connection_log_entries \
             WHERE connection_id = $1 AND ($2 = '' OR day = $2) ORDER BY day, written_at, id"
        );
        let rows =
            sqlx::query(&sql).bind(connection.to_string()).bind(day.unwrap_or_default()).fetch_all(self.pool()).await?;
        rows.into_iter()
            .map(|r| {
                Ok(LogEntry {
                    day: r.try_get(0)?,
                    written_at: r.try_get(1)?,
                    bytes: r.try_get(2)?,
                    text: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Deletes a connection's entries, or only those of days before `before`.
    pub async fn delete_log_entries(&self, connection: Option<Uuid>, before: Option<&str>) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM connection_log_entries WHERE ($1 = '' OR connection_id = $1) AND ($2 = '' OR day < $2)",
        )
        .bind(connection.map(|c| c.to_string()).unwrap_or_default())
        .bind(before.unwrap_or_default())
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
