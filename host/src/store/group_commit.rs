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

use super::StoreError;
use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

/// The most test results one transaction writes.
const MAX_BATCH: usize = 256;

/// One test result to record.
#[derive(Debug)]
pub(super) struct TestWrite {
    /// The connection id.
    pub id: String,
    /// The revision tested: the write only applies if the row is still at it.
    pub revision: i64,
    /// The stored spelling of the status.
    pub status: &'static str,
    /// When it was tested, as stored.
    pub at: String,
}

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
    pub(super) fn start(pool: AnyPool) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(writer(pool, rx));
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

async fn writer(pool: AnyPool, mut rx: mpsc::UnboundedReceiver<Queued>) {
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let writes: Vec<&TestWrite> = batch.iter().map(|q| &q.write).collect();
        match write_all(&pool, &writes).await {
            Ok(applied) => {
                for (queued, applied) in batch.drain(..).zip(applied) {
                    let _ = queued.done.send(Ok(applied));
                }
            }
            Err(error) => {
                tracing::warn!(%error, writes = batch.len(), "a batch of test results failed; writing them one by one");
                for queued in batch.drain(..) {
                    let result = write_one(&pool, &queued.write).await;
                    let _ = queued.done.send(result);
                }
            }
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
    fn key<'a>(write: &&'a TestWrite) -> (&'a str, i64) {
        (write.id.as_str(), write.revision)
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
    .bind(write.status)
    .bind(write.at.as_str())
    .bind(write.id.as_str())
    .bind(write.revision)
}
