//! Group commit of test results: the status writes of tests that finish
//! while a commit is in flight are queued, then written together in one
//! transaction, so one fsync acknowledges all of them. Each caller gets its
//! own answer only after that transaction committed, so a test result the
//! client was told about is as durable as any other write.
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
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// The most test results one transaction writes.
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

struct Queued {
    write: TestWrite,
    done: oneshot::Sender<Result<Recorded, StoreError>>,
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
        self.queue.send(Queued { write, done }).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

async fn writer(pool: AnyPool, mut rx: mpsc::UnboundedReceiver<Queued>, on_commit: OnCommit) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let writes: Vec<&TestWrite> = batch.iter().map(|q| &q.write).collect();
        let outcomes = match write_all(&pool, &writes).await {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(error) => {
                tracing::warn!(%error, writes = batch.len(), "a batch of test results failed; writing them one by one");
                let mut outcomes = Vec::with_capacity(batch.len());
                for write in writes {
                    outcomes.push(write_one(&pool, write).await);
                }
                outcomes
            }
        };
        for (queued, outcome) in batch.iter().zip(&outcomes) {
            if let Ok(recorded) = outcome {
                on_commit(&queued.write, *recorded);
            }
        }
        for (queued, outcome) in batch.drain(..).zip(outcomes) {
            let _ = queued.done.send(outcome);
        }
    }
}

/// Writes every write in one transaction; what became of each.
///
/// Of several writes for the same connection and revision (tests of one
/// connection finishing together), only the first can apply, as one after
/// another: whether it applies or not, the row is no longer at that
/// revision for the next. So only the first is sent to the database; the
/// others are superseded if it applied, stale if not. When that leaves one
/// statement, it runs on its own (one round trip to the database instead
/// of three; a single statement is its own transaction).
async fn write_all(pool: &AnyPool, writes: &[&TestWrite]) -> Result<Vec<Recorded>, StoreError> {
    fn key(write: &&TestWrite) -> (Uuid, i64) {
        (write.id, write.revision)
    }
    let mut seen = std::collections::HashSet::new();
    let first: Vec<bool> = writes.iter().map(|w| seen.insert(key(w))).collect();
    let mut outcomes = std::collections::HashMap::new();
    if seen.len() == 1 {
        outcomes.insert(key(&writes[0]), write_one(pool, writes[0]).await?);
    } else {
        let mut tx = pool.begin().await?;
        for (write, _) in writes.iter().zip(&first).filter(|(_, first)| **first) {
            let applied = update(write).execute(&mut *tx).await?.rows_affected() == 1;
            outcomes.insert(key(write), Recorded::of(applied));
        }
        tx.commit().await?;
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

async fn write_one(pool: &AnyPool, write: &TestWrite) -> Result<Recorded, StoreError> {
    Ok(Recorded::of(update(write).execute(pool).await?.rows_affected() == 1))
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
