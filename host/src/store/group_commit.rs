//! Group commit of test results and connection log entries: the writes
//! that arrive while a commit is in flight are queued, then written
//! together in one transaction, so one commit (one fsync) acknowledges all
//! of them, on SQLite and on PostgreSQL alike. Each caller gets its own
//! answer only after that transaction committed, so a write the client was
//! told about is as durable as any other.
//!
//! One writer task drains the queue: at most one batch commits at a time,
//! and a batch is whatever arrived during the previous commit (up to
//! [`MAX_BATCH`]). If a batch fails, its writes are retried one by one, so
//! each caller gets the error of its own write, if any.
//!
//! The writer also reports each write's outcome, in commit order, to a
//! hook (the row cache): reported by each caller instead, a later
//! revision's update could reach the cache before an earlier one's and
//! drop the row.

use super::{StoreError, timestamp};
use crate::connections::Status;
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The most writes one transaction makes.
const MAX_BATCH: usize = 256;

/// One test result to record.
#[derive(Debug)]
pub(super) struct TestWrite {
    /// The connection id.
    pub id: Uuid,
    /// The revision tested: the write only applies if the row is still at it.
    pub revision: i64,
    /// The test's outcome.
    pub status: Status,
    /// When it was tested.
    pub at: DateTime<Utc>,
}

/// Told each write's outcome once its batch committed, in commit order,
/// before any caller is answered.
pub(super) type OnCommit = Box<dyn Fn(&TestWrite, Recorded) + Send + Sync>;

/// What became of a test result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Written: the connection was still at the revision tested.
    Applied,
    /// Not written: another result for the same revision was written in
    /// the same commit (tests of one configuration finishing together).
    Superseded,
    /// Not written: the connection had changed since the test read it.
    Stale,
}

impl Recorded {
    fn of(applied: bool) -> Self {
        if applied { Recorded::Applied } else { Recorded::Stale }
    }
}

/// One connection log entry to append (`store::logs`).
#[derive(Debug)]
pub(super) struct LogWrite {
    /// The connection.
    pub connection: Uuid,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// When it was written (RFC 3339, UTC).
    pub written_at: String,
    /// The operation's lines.
    pub text: String,
    /// The most bytes a row of merged entries may hold.
    pub max_row_bytes: u64,
}

/// The most bytes of entries merged into one row, whatever the file cap.
const MAX_MERGED_BYTES: usize = 16 << 10;

/// One row of [`insert_logs`]: the entries of one connection and day in a
/// batch, in the order they came, while they fit.
struct LogRow<'a> {
    connection: Uuid,
    day: &'a str,
    /// The last entry's.
    written_at: &'a str,
    text: String,
}

/// Merges the entries of each connection and day, in order, into rows of
/// at most [`MAX_MERGED_BYTES`] and the file cap: one row costs the
/// database one insert however many operations it holds, and the file
/// served is the same concatenation (`crate::logs`).
fn log_rows<'a>(logs: &[&'a LogWrite]) -> Vec<LogRow<'a>> {
    let mut rows: Vec<LogRow<'a>> = Vec::new();
    let mut open: std::collections::HashMap<(Uuid, &str), usize> = std::collections::HashMap::new();
    for log in logs {
        let limit = MAX_MERGED_BYTES.min(usize::try_from(log.max_row_bytes).unwrap_or(usize::MAX));
        let key = (log.connection, log.day.as_str());
        match open.get(&key).map(|i| &mut rows[*i]) {
            Some(row) if row.text.len() + log.text.len() <= limit => {
                row.text.push_str(&log.text);
                row.written_at = &log.written_at;
            }
            _ => {
                open.insert(key, rows.len());
                rows.push(LogRow {
                    connection: log.connection,
                    day: &log.day,
                    written_at: &log.written_at,
                    text: log.text.clone(),
                });
            }
        }
    }
    rows
}

/// A write waiting for its batch, and where its answer goes.
enum Queued {
    Test { write: TestWrite, done: oneshot::Sender<Result<Recorded, StoreError>> },
    Log { write: LogWrite, done: oneshot::Sender<Result<(), StoreError>> },
}

/// The queue of test results waiting to be committed. Cheap to clone.
#[derive(Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::UnboundedSender<Queued>,
}

impl GroupCommit {
    /// Starts the writer task on the current tokio runtime; it ends when
    /// the last clone is dropped.
    pub(super) fn start(pool: AnyPool, on_commit: OnCommit) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(pool, rx, on_commit));
        Self { queue }
    }

    /// Writes `write` with the next batch; what became of it, once committed.
    pub(super) async fn write(&self, write: TestWrite) -> Result<Recorded, StoreError> {
        let (done, answer) = oneshot::channel();
        self.queue.send(Queued::Test { write, done }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Appends `write` with the next batch; returns once committed.
    pub(super) async fn append(&self, write: LogWrite) -> Result<(), StoreError> {
        let (done, answer) = oneshot::channel();
        self.queue.send(Queued::Log { write, done }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

async fn writer(pool: AnyPool, mut rx: mpsc::UnboundedReceiver<Queued>, on_commit: OnCommit) {
    let mut batch = Vec::new();
    // One connection kept from batch to batch: no acquire (and, on
    // PostgreSQL, no ping) per batch. Given back when a batch fails.
    let mut held: Option<PoolConnection<Any>> = None;
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (mut tests, mut logs) = (Vec::new(), Vec::new());
        for queued in batch.drain(..) {
            match queued {
                Queued::Test { write, done } => tests.push((write, done)),
                Queued::Log { write, done } => logs.push((write, done)),
            }
        }
        let test_writes: Vec<&TestWrite> = tests.iter().map(|(w, _)| w).collect();
        let log_writes: Vec<&LogWrite> = logs.iter().map(|(w, _)| w).collect();
        let (test_outcomes, log_outcomes) = match write_held(&mut held, &pool, &test_writes, &log_writes).await {
            Ok(outcomes) => (outcomes.into_iter().map(Ok).collect(), log_writes.iter().map(|_| Ok(())).collect()),
            Err(error) => {
                let writes = test_writes.len() + log_writes.len();
                tracing::warn!(%error, writes, "a batch of writes failed; writing them one by one");
                let mut test_outcomes = Vec::with_capacity(test_writes.len());
                for write in &test_writes {
                    test_outcomes.push(write_one(&pool, write).await);
                }
                let mut log_outcomes: Vec<Result<(), StoreError>> = Vec::with_capacity(log_writes.len());
                for write in &log_writes {
                    log_outcomes.push(insert_logs(&pool, &[write]).await);
                }
                (test_outcomes, log_outcomes)
            }
        };
        for ((write, _), outcome) in tests.iter().zip(&test_outcomes) {
            if let Ok(recorded) = outcome {
                on_commit(write, *recorded);
            }
        }
        for ((_, done), outcome) in tests.into_iter().zip(test_outcomes) {
            let _ = done.send(outcome);
        }
        for ((_, done), outcome) in logs.into_iter().zip(log_outcomes) {
            let _ = done.send(outcome);
        }
    }
}

/// [`write_all`] on the `held` connection, or a new one from `pool`; keeps
/// the connection only if the batch succeeded.
async fn write_held(
    held: &mut Option<PoolConnection<Any>>,
    pool: &AnyPool,
    writes: &[&TestWrite],
    logs: &[&LogWrite],
) -> Result<Vec<Recorded>, StoreError> {
    let mut connection = match held.take() {
        Some(connection) => connection,
        None => pool.acquire().await?,
    };
    let written = write_all(&mut connection, writes, logs).await;
    if written.is_ok() {
        *held = Some(connection);
    }
    written
}

/// Writes every test result and log entry in one transaction; what became
/// of each test result.
///
/// Of several writes for the same connection and revision (tests of one
/// connection finishing together), only the first can apply, as one after
/// another: whether it applies or not, the row is no longer at that
/// revision for the next. So only the first is sent to the database; the
/// others are superseded if it applied, stale if not. The log entries are
/// one `INSERT` of many rows. When that leaves one statement, it runs on
/// its own (one round trip to the database instead of three; a single
/// statement is its own transaction).
async fn write_all(
    connection: &mut AnyConnection,
    writes: &[&TestWrite],
    logs: &[&LogWrite],
) -> Result<Vec<Recorded>, StoreError> {
    fn key(write: &&TestWrite) -> (Uuid, i64) {
        (write.id, write.revision)
    }
    let mut seen = std::collections::HashSet::new();
    let first: Vec<bool> = writes.iter().map(|w| seen.insert(key(w))).collect();
    let mut outcomes = std::collections::HashMap::new();
    match (seen.len(), logs.is_empty()) {
        (0, true) => {}
        (0, false) => insert_logs(&mut *connection, logs).await?,
        (1, true) => {
            outcomes.insert(key(&writes[0]), write_one(&mut *connection, writes[0]).await?);
        }
        _ => {
            let mut tx = connection.begin().await?;
            for (write, _) in writes.iter().zip(&first).filter(|(_, first)| **first) {
                let applied = update(write).execute(&mut *tx).await?.rows_affected() == 1;
                outcomes.insert(key(write), Recorded::of(applied));
            }
            if !logs.is_empty() {
                insert_logs(&mut *tx, logs).await?;
            }
            tx.commit().await?;
        }
    }
    Ok(writes
        .iter()
        .zip(first)
        .map(|(write, first)| match outcomes.get(&key(write)).copied().unwrap_or(Recorded::Stale) {
            Recorded::Applied if !first => Recorded::Superseded,
            outcome => outcome,
        })
        .collect())
}

async fn write_one<'c, E>(executor: E, write: &TestWrite) -> Result<Recorded, StoreError>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    Ok(Recorded::of(update(write).execute(executor).await?.rows_affected() == 1))
}

fn update(write: &TestWrite) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(
        "UPDATE connections SET status = $1, last_tested_at = $2, revision = revision + 1 \
         WHERE id = $3 AND revision = $4",
    )
    .bind(write.status.as_str())
    .bind(timestamp(write.at))
    .bind(write.id.to_string())
    .bind(write.revision)
}

/// Appends every entry of `logs` (at least one) in one `INSERT`.
async fn insert_logs<'c, E>(executor: E, logs: &[&LogWrite]) -> Result<(), StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    const COLUMNS: usize = 6;
    let logs = log_rows(logs);
    let rows: Vec<String> = (0..logs.len())
        .map(|i| {
            let n = i * COLUMNS;
            format!("(${}, ${}, ${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4, n + 5, n + 6)
        })
        .collect();
    let sql = format!(
        "INSERT INTO connection_log_entries (id, connection_id, day, written_at, bytes, text) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for log in &logs {
        query = query
            .bind(Uuid::new_v4().to_string())
            .bind(log.connection.to_string())
            .bind(log.day)
            .bind(log.written_at)
            .bind(i64::try_from(log.text.len()).unwrap_or(i64::MAX))
            .bind(log.text.as_str());
    }
    query.execute(executor).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(connection: Uuid, day: &str, at: &str, text: &str, max_row_bytes: u64) -> LogWrite {
        LogWrite { connection, day: day.into(), written_at: at.into(), text: text.into(), max_row_bytes }
    }

    #[test]
    fn entries_of_one_connection_and_day_merge_in_order_while_they_fit() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let writes = [
            entry(a, "2026-12-07", "t1", "a1\n", 1 << 20),
            entry(b, "2026-12-07", "t2", "b1\n", 1 << 20),
            entry(a, "2026-12-07", "t3", "a2\n", 1 << 20),
            entry(a, "2026-12-08", "t4", "a3\n", 1 << 20),
            entry(b, "2026-12-07", "t5", "b2\n", 6),
            entry(b, "2026-12-07", "t6", "b3\n", 6),
        ];
        let refs: Vec<&LogWrite> = writes.iter().collect();
        let rows: Vec<(Uuid, &str, &str, String)> =
            log_rows(&refs).into_iter().map(|r| (r.connection, r.day, r.written_at, r.text)).collect();
        assert_eq!(
            rows,
            [
                (a, "2026-12-07", "t3", "a1\na2\n".to_string()),
                (b, "2026-12-07", "t5", "b1\nb2\n".to_string()),
                (a, "2026-12-08", "t4", "a3\n".to_string()),
                (b, "2026-12-07", "t6", "b3\n".to_string()),
            ],
            "a row stops at the file cap (6 bytes for b's last two)"
        );
    }
}
