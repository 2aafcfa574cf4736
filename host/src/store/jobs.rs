//! Jobs and their runs. A run holds its job (`jobs.active_run_id`) and a
//! lease on both connections (`connection_leases`) until it ends or its
//! lease expires; every write that must not happen during a run checks the
//! lease in the same statement (docs/jobs.md).

use super::{Store, StoreError, is_unique_violation, parse_timestamp, timestamp};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

/// A replication job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its id.
    pub id: Uuid,
    /// The workspace it belongs to.
    pub workspace_id: String,
    /// Its name, unique per workspace case-insensitively.
    pub name: String,
    /// The connection rows are read from.
    pub source: Uuid,
    /// The connection rows are written to.
    pub destination: Uuid,
    /// The source tables to copy; `None`: all of them.
    pub tables: Option<Vec<String>>,
    /// Prepended to each table's name in the destination.
    pub table_prefix: String,
    /// Rows per page read and batch written.
    pub batch_size: u32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The run under way, if any (its lease may have expired).
    pub active_run: Option<Uuid>,
}

/// The state of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum RunStatus {
    /// Accepted; the server is about to start.
    Starting,
    /// Testing both connections.
    Testing,
    /// Copying tables.
    Running,
    /// Every table copied.
    Successful,
    /// The run or at least one table failed.
    Failed,
    /// Cancelled on request.
    Cancelled,
}

impl RunStatus {
    /// Every status, in order.
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Starting,
        RunStatus::Testing,
        RunStatus::Running,
        RunStatus::Successful,
        RunStatus::Failed,
        RunStatus::Cancelled,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Starting => "Starting",
            RunStatus::Testing => "Testing",
            RunStatus::Running => "Running",
            RunStatus::Successful => "Successful",
            RunStatus::Failed => "Failed",
            RunStatus::Cancelled => "Cancelled",
        }
    }

    /// Whether the run is still under way.
    pub fn is_active(self) -> bool {
        matches!(self, RunStatus::Starting | RunStatus::Testing | RunStatus::Running)
    }

    fn parse(s: &str) -> Result<Self, StoreError> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| StoreError::Corrupt(format!("run status `{s}`")))
    }
}

/// The SQL list of active statuses.
const ACTIVE: &str = "('Starting', 'Testing', 'Running')";

/// The state of one table in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum TableStatus {
    /// Not started yet.
    Pending,
    /// Being copied.
    Running,
    /// Copied whole.
    Successful,
    /// Failed; see its error.
    Failed,
    /// Stopped by a cancel.
    Cancelled,
}

impl TableStatus {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Pending => "Pending",
            TableStatus::Running => "Running",
            TableStatus::Successful => "Successful",
            TableStatus::Failed => "Failed",
            TableStatus::Cancelled => "Cancelled",
        }
    }
}

/// One table's progress in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TableProgress {
    /// The source table.
    pub table: String,
    /// The table written in the destination.
    pub destination_table: String,
    /// Its state.
    pub status: TableStatus,
    /// Rows written so far.
    pub rows: u64,
    /// Time spent on it so far, in milliseconds.
    pub duration_ms: u64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One run of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its id.
    pub id: Uuid,
    /// The job.
    pub job_id: Uuid,
    /// Its state.
    pub status: RunStatus,
    /// Per-table progress, in copy order.
    pub tables: Vec<TableProgress>,
    /// Why the run failed as a whole.
    pub error: Option<String>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Whether a cancel was asked for.
    pub cancel_requested: bool,
}

/// The outcome of a write to a job.
#[derive(Debug, PartialEq, Eq)]
pub enum JobWrite {
    /// Written.
    Done,
    /// No such job.
    NotFound,
    /// Another job of the workspace has this name.
    NameTaken,
    /// A run is under way.
    Running,
}

/// The outcome of starting a run.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// Started: the job and its connections are held until `until`.
    Started,
    /// Another run holds the job.
    Running(Uuid),
    /// Another job's live run writes into the destination connection: its name.
    DestinationBusy(String),
    /// The source or destination connection no longer exists: its id.
    ConnectionGone(Uuid),
    /// No such job.
    NotFound,
}

/// The outcome of renewing a run's lease.
#[derive(Debug, PartialEq, Eq)]
pub enum Renewal {
    /// Still the run's; whether a cancel was asked for.
    Held {
        /// A cancel was asked for (on any server).
        cancel_requested: bool,
    },
    /// The run was ended elsewhere (its lease expired and another server
    /// failed it): stop without writing.
    Lost,
}

const JOB_COLUMNS: &str = "id, workspace_id, name, source_connection_id, destination_connection_id, tables, \
    table_prefix, batch_size, created_at, updated_at, active_run_id";

const RUN_COLUMNS: &str = "id, job_id, status, tables, error, started_at, finished_at, cancel_requested";

fn uuid(r: &sqlx::any::AnyRow, column: &str) -> Result<Uuid, StoreError> {
    let text: String = r.try_get(column)?;
    Uuid::parse_str(&text).map_err(|e| StoreError::Corrupt(format!("{column} `{text}`: {e}")))
}

fn job_row(r: sqlx::any::AnyRow) -> Result<Job, StoreError> {
    let tables: Option<String> = r.try_get("tables")?;
    let tables = tables
        .map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("job tables: {e}"))))
        .transpose()?;
    let active: Option<String> = r.try_get("active_run_id")?;
    Ok(Job {
        id: uuid(&r, "id")?,
        workspace_id: r.try_get("workspace_id")?,
        name: r.try_get("name")?,
        source: uuid(&r, "source_connection_id")?,
        destination: uuid(&r, "destination_connection_id")?,
        tables,
        table_prefix: r.try_get("table_prefix")?,
        batch_size: u32::try_from(r.try_get::<i64, _>("batch_size")?).unwrap_or(u32::MAX),
        created_at: parse_timestamp(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_timestamp(&r.try_get::<String, _>("updated_at")?)?,
        active_run: active.and_then(|a| Uuid::parse_str(&a).ok()),
    })
}

fn run_row(r: sqlx::any::AnyRow) -> Result<Run, StoreError> {
    let tables: String = r.try_get("tables")?;
    let finished: Option<String> = r.try_get("finished_at")?;
    Ok(Run {
        id: uuid(&r, "id")?,
        job_id: uuid(&r, "job_id")?,
        status: RunStatus::parse(&r.try_get::<String, _>("status")?)?,
        tables: serde_json::from_str(&tables).map_err(|e| StoreError::Corrupt(format!("run tables: {e}")))?,
        error: r.try_get("error")?,
        started_at: parse_timestamp(&r.try_get::<String, _>("started_at")?)?,
        finished_at: finished.as_deref().map(parse_timestamp).transpose()?,
        cancel_requested: r.try_get::<i64, _>("cancel_requested")? != 0,
    })
}

fn tables_json(tables: &Option<Vec<String>>) -> Option<String> {
    tables.as_ref().map(|t| serde_json::to_string(t).expect("a list of strings serializes"))
}

fn progress_json(tables: &[TableProgress]) -> String {
    serde_json::to_string(tables).expect("table progress serializes")
}

/// A query of the jobs table.
type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a job's definition as `$1` to `$7`: name, its lower-cased key,
/// source, destination, tables, table prefix, batch size.
fn bind_definition<'q>(query: Query<'q>, job: &'q Job) -> Query<'q> {
    query
        .bind(&job.name)
        .bind(job.name.to_lowercase())
        .bind(job.source.to_string())
        .bind(job.destination.to_string())
        .bind(tables_json(&job.tables))
        .bind(&job.table_prefix)
        .bind(i64::from(job.batch_size))
}

/// The guard that no live run holds the job, for `WHERE` clauses.
fn not_running(now: usize) -> String {
    format!("(active_run_id IS NULL OR active_until <= ${now})")
}

impl Store {
    /// Creates `job`; [`JobWrite::NameTaken`] if its name is taken.
    pub async fn create_job(&self, job: &Job) -> Result<JobWrite, StoreError> {
        let insert = sqlx::query(
            "INSERT INTO jobs (name, name_key, source_connection_id, destination_connection_id, tables, \
             table_prefix, batch_size, id, workspace_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        );
        let result = bind_definition(insert, job)
            .bind(job.id.to_string())
            .bind(&job.workspace_id)
            .bind(timestamp(job.created_at))
            .execute(self.pool())
            .await;
        match result {
            Ok(_) => Ok(JobWrite::Done),
            Err(e) if is_unique_violation(&e) => Ok(JobWrite::NameTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// The job `id`.
    pub async fn job(&self, id: Uuid) -> Result<Option<Job>, StoreError> {
        let found = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        found.map(job_row).transpose()
    }

    /// The jobs of `workspace`, by name.
    pub async fn jobs(&self, workspace: &str) -> Result<Vec<Job>, StoreError> {
        let rows = sqlx::query(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE workspace_id = $1 ORDER BY name_key"))
            .bind(workspace)
            .fetch_all(self.pool())
            .await?;
        rows.into_iter().map(job_row).collect()
    }

    /// Replaces the job's definition unless a live run holds it.
    pub async fn update_job(&self, job: &Job) -> Result<JobWrite, StoreError> {
        let sql = format!(
            "UPDATE jobs SET name = $1, name_key = $2, source_connection_id = $3, destination_connection_id = $4, \
             tables = $5, table_prefix = $6, batch_size = $7, updated_at = $8 WHERE id = $9 AND {}",
            not_running(10)
        );
        let result = bind_definition(sqlx::query(&sql), job)
            .bind(timestamp(job.updated_at))
            .bind(job.id.to_string())
            .bind(timestamp(Utc::now()))
            .execute(self.pool())
            .await;
        match result {
            Ok(done) if done.rows_affected() == 1 => Ok(JobWrite::Done),
            Ok(_) => self.why_job_not_written(job.id).await,
            Err(e) if is_unique_violation(&e) => Ok(JobWrite::NameTaken),
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes the job and its history unless a live run holds it.
    pub async fn delete_job(&self, id: Uuid) -> Result<JobWrite, StoreError> {
        let deleted = sqlx::query(&format!("DELETE FROM jobs WHERE id = $1 AND {}", not_running(2)))
            .bind(id.to_string())
            .bind(timestamp(Utc::now()))
            .execute(self.pool())
            .await?;
        if deleted.rows_affected() == 1 { Ok(JobWrite::Done) } else { self.why_job_not_written(id).await }
    }

    async fn why_job_not_written(&self, id: Uuid) -> Result<JobWrite, StoreError> {
        Ok(if self.job(id).await?.is_some() { JobWrite::Running } else { JobWrite::NotFound })
    }

    /// Starts run `run` of `job` on server `owner`, held until `until`: in
    /// one transaction, takes the job unless a live run holds it, checks
    /// that both connections exist and that no other job's live run writes
    /// into the destination, fails a run whose lease expired, and leases
    /// both connections to the run.
    ///
    /// Every transaction here takes rows in one order (jobs, connections,
    /// job runs, leases), so two servers never wait on each other in a circle.
    pub async fn start_run(
        &self,
        job: &Job,
        run: Uuid,
        owner: &str,
        until: DateTime<Utc>,
        tables: &[TableProgress],
    ) -> Result<Start, StoreError> {
        let (now, until) = (timestamp(Utc::now()), timestamp(until));
        let mut tx = self.pool().begin().await?;
        let taken = sqlx::query(&format!(
            "UPDATE jobs SET active_run_id = $1, active_until = $2 WHERE id = $3 AND {}",
            not_running(4)
        ))
        .bind(run.to_string())
        .bind(&until)
        .bind(job.id.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if taken.rows_affected() == 0 {
            drop(tx);
            return Ok(match self.job(job.id).await? {
                Some(Job { active_run: Some(other), .. }) => Start::Running(other),
                _ => Start::NotFound,
            });
        }
        // Both connections' rows, in one order for every run, so that a
        // concurrent write or start waits rather than slipping in.
        let mut connections = vec![job.source, job.destination];
        connections.sort();
        connections.dedup();
        for connection in &connections {
            let locked = sqlx::query("UPDATE connections SET revision = revision WHERE id = $1")
                .bind(connection.to_string())
                .execute(&mut *tx)
                .await?;
            if locked.rows_affected() == 0 {
                return Ok(Start::ConnectionGone(*connection));
            }
        }
        let busy = sqlx::query(
            "SELECT j.name FROM connection_leases l JOIN jobs j ON j.active_run_id = l.run_id \
             WHERE l.connection_id = $1 AND l.expires_at > $2 AND j.destination_connection_id = $1 AND j.id <> $3",
        )
        .bind(job.destination.to_string())
        .bind(&now)
        .bind(job.id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(other) = busy {
            return Ok(Start::DestinationBusy(other.try_get("name")?));
        }
        sqlx::query(&format!(
            "UPDATE job_runs SET status = 'Failed', error = $1, finished_at = $2 \
             WHERE job_id = $3 AND status IN {ACTIVE} AND lease_expires_at <= $2"
        ))
        .bind(LEASE_EXPIRED)
        .bind(&now)
        .bind(job.id.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO job_runs (id, job_id, status, tables, error, started_at, finished_at, lease_owner, \
             lease_expires_at, cancel_requested) VALUES ($1, $2, 'Starting', $3, NULL, $4, NULL, $5, $6, 0)",
        )
        .bind(run.to_string())
        .bind(job.id.to_string())
        .bind(progress_json(tables))
        .bind(&now)
        .bind(owner)
        .bind(&until)
        .execute(&mut *tx)
        .await?;
        for connection in connections {
            // A lease of this job's earlier run that expired.
            sqlx::query("DELETE FROM connection_leases WHERE connection_id = $1 AND holder = $2 AND expires_at <= $3")
                .bind(connection.to_string())
                .bind(&job.name)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO connection_leases (connection_id, holder, expires_at, run_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(connection.to_string())
            .bind(&job.name)
            .bind(&until)
            .bind(run.to_string())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Start::Started)
    }

    /// Records a run's progress and extends its leases to `until`, unless
    /// the run was ended elsewhere or its lease already expired (then the
    /// run is lost: its server must stop it without writing).
    pub async fn renew_run(
        &self,
        run: Uuid,
        status: RunStatus,
        tables: &[TableProgress],
        until: DateTime<Utc>,
    ) -> Result<Renewal, StoreError> {
        let (now, until) = (timestamp(Utc::now()), timestamp(until));
        let mut tx = self.pool().begin().await?;
        sqlx::query("UPDATE jobs SET active_until = $1 WHERE active_run_id = $2")
            .bind(&until)
            .bind(run.to_string())
            .execute(&mut *tx)
            .await?;
        // A lease that expired is lost even when nobody took it over yet:
        // its connections may have been changed in the meantime.
        let renewed = sqlx::query(&format!(
            "UPDATE job_runs SET status = $1, tables = $2, lease_expires_at = $3 \
             WHERE id = $4 AND status IN {ACTIVE} AND lease_expires_at > $5"
        ))
        .bind(status.as_str())
        .bind(progress_json(tables))
        .bind(&until)
        .bind(run.to_string())
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if renewed.rows_affected() == 0 {
            return Ok(Renewal::Lost);
        }
        sqlx::query("UPDATE connection_leases SET expires_at = $1 WHERE run_id = $2")
            .bind(&until)
            .bind(run.to_string())
            .execute(&mut *tx)
            .await?;
        let cancel: i64 = sqlx::query("SELECT cancel_requested FROM job_runs WHERE id = $1")
            .bind(run.to_string())
            .fetch_one(&mut *tx)
            .await?
            .try_get("cancel_requested")?;
        tx.commit().await?;
        Ok(Renewal::Held { cancel_requested: cancel != 0 })
    }

    /// Ends a run with `status`, freeing its job and connections; `false`
    /// if it had already been ended elsewhere.
    pub async fn finish_run(
        &self,
        run: Uuid,
        status: RunStatus,
        tables: &[TableProgress],
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        release_job(&mut tx, run).await?;
        let ended = sqlx::query(&format!(
            "UPDATE job_runs SET status = $1, tables = $2, error = $3, finished_at = $4 \
             WHERE id = $5 AND status IN {ACTIVE}"
        ))
        .bind(status.as_str())
        .bind(progress_json(tables))
        .bind(error)
        .bind(timestamp(Utc::now()))
        .bind(run.to_string())
        .execute(&mut *tx)
        .await?;
        release_leases(&mut tx, run).await?;
        tx.commit().await?;
        Ok(ended.rows_affected() == 1)
    }

    /// Asks the live run of `job` to cancel; the run's id, or `None` when
    /// no run is under way.
    pub async fn request_cancel(&self, job: Uuid) -> Result<Option<Uuid>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT id FROM job_runs WHERE job_id = $1 AND status IN {ACTIVE} AND lease_expires_at > $2"
        ))
        .bind(job.to_string())
        .bind(timestamp(Utc::now()))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let run = uuid(&row, "id")?;
        sqlx::query("UPDATE job_runs SET cancel_requested = 1 WHERE id = $1")
            .bind(run.to_string())
            .execute(self.pool())
            .await?;
        Ok(Some(run))
    }

    /// Fails every run whose server stopped renewing it: its lease expired
    /// (or, with `all`, every active run: the one server of a SQLite
    /// database has just started). Frees their jobs and connections; the
    /// runs failed.
    pub async fn fail_abandoned_runs(&self, all: bool) -> Result<Vec<Uuid>, StoreError> {
        let now = timestamp(Utc::now());
        let cutoff = if all { "9999-12-31T00:00:00.000Z".to_string() } else { now.clone() };
        let rows = sqlx::query(&format!("SELECT id FROM job_runs WHERE status IN {ACTIVE} AND lease_expires_at <= $1"))
            .bind(&cutoff)
            .fetch_all(self.pool())
            .await?;
        let mut failed = Vec::new();
        for row in rows {
            let run = uuid(&row, "id")?;
            let mut tx = self.pool().begin().await?;
            // The job's row first (a no-op write takes its lock), as everywhere.
            sqlx::query("UPDATE jobs SET active_until = active_until WHERE active_run_id = $1")
                .bind(run.to_string())
                .execute(&mut *tx)
                .await?;
            let ended = sqlx::query(&format!(
                "UPDATE job_runs SET status = 'Failed', error = $1, finished_at = $2 \
                 WHERE id = $3 AND status IN {ACTIVE} AND lease_expires_at <= $4"
            ))
            .bind(LEASE_EXPIRED)
            .bind(&now)
            .bind(run.to_string())
            .bind(&cutoff)
            .execute(&mut *tx)
            .await?;
            if ended.rows_affected() == 1 {
                release_job(&mut tx, run).await?;
                release_leases(&mut tx, run).await?;
                failed.push(run);
            }
            tx.commit().await?;
        }
        Ok(failed)
    }

    /// The run `id`.
    pub async fn run(&self, id: Uuid) -> Result<Option<Run>, StoreError> {
        let found = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM job_runs WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(self.pool())
            .await?;
        found.map(run_row).transpose()
    }

    /// The runs of `job`, newest first: at most `top`, after `skip`.
    pub async fn runs(&self, job: Uuid, top: i64, skip: i64) -> Result<Vec<Run>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {RUN_COLUMNS} FROM job_runs WHERE job_id = $1 ORDER BY started_at DESC, id DESC \
             LIMIT $2 OFFSET $3"
        ))
        .bind(job.to_string())
        .bind(top)
        .bind(skip)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(run_row).collect()
    }
}

/// Why a run failed when its server stopped renewing it.
pub const LEASE_EXPIRED: &str = "The server running this job stopped before it ended (its lease expired).";

/// Frees the job a run holds.
async fn release_job(tx: &mut sqlx::Transaction<'_, sqlx::Any>, run: Uuid) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET active_run_id = NULL, active_until = NULL WHERE active_run_id = $1")
        .bind(run.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Frees the connections a run holds.
async fn release_leases(tx: &mut sqlx::Transaction<'_, sqlx::Any>, run: Uuid) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM connection_leases WHERE run_id = $1").bind(run.to_string()).execute(&mut **tx).await?;
    Ok(())
}
