//! One run of a job: test both connections, refresh metadata where the
//! connection asks for it at the start of a job, then copy each table.
//! One table's failure fails that table, not the others.

use super::copy::{Copied, Endpoint, TableCopy, unless_cancelled};
use super::{Jobs, pending};
use crate::connections::{Connection, RefreshInterval};
use crate::connector::model::TableInfo;
use crate::logs::OperationRecord;
use crate::metadata::{columns_of, tables_of};
use crate::registry::Availability;
use crate::runtime::{LogLine, Plugin};
use crate::service::Services;
use crate::store::{Job, Renewal, RunStatus, TableProgress, TableStatus};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What the run has done so far, shared with its lease renewals.
struct Progress {
    status: RunStatus,
    tables: Vec<TableProgress>,
    /// Rows of the table being copied, counted by the copy itself.
    current: Option<(usize, Arc<AtomicU64>, Instant)>,
}

impl Progress {
    /// The tables with the current one's live row count and duration.
    fn snapshot(&self) -> (RunStatus, Vec<TableProgress>) {
        let mut tables = self.tables.clone();
        if let Some((i, rows, started)) = &self.current {
            tables[*i].rows = rows.load(Ordering::Relaxed);
            tables[*i].duration_ms = millis(started.elapsed());
        }
        (self.status, tables)
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Why a run stopped before its tables.
type Stop = String;

/// Runs `job` as run `id`, whose lease runs until `held_until`, to its
/// end and records that end.
pub(super) async fn run(
    services: &Services,
    jobs: &Arc<Jobs>,
    job: Job,
    id: Uuid,
    tables: Vec<TableProgress>,
    cancel: Arc<AtomicBool>,
    held_until: Instant,
) {
    let progress = Arc::new(Mutex::new(Progress { status: RunStatus::Testing, tables, current: None }));
    let lost = Arc::new(AtomicBool::new(false));
    // Stops renewing when the run ends, panics included: a run that is gone
    // must not keep its connections.
    let renewals = Renewals { progress: progress.clone(), cancel: cancel.clone(), lost: lost.clone() };
    let _renewals = AbortOnDrop(renew_every(services, jobs, id, held_until, renewals));
    let outcome = copy_all(services, jobs, &job, &progress, &cancel).await;
    if lost.load(Ordering::Relaxed) {
        tracing::warn!(run = %id, job = %job.id, "job run lost its lease (ended elsewhere, or expired); stopped");
        return;
    }
    let (_, tables) = progress.lock().expect("progress lock").snapshot();
    let failed = tables.iter().filter(|t| t.status == TableStatus::Failed).count();
    let (status, error) = match outcome {
        Err(stop) => (RunStatus::Failed, Some(stop)),
        Ok(()) if jobs.is_shutting_down() => (RunStatus::Failed, Some(SHUT_DOWN.to_string())),
        Ok(()) if failed > 0 => (RunStatus::Failed, Some(format!("{failed} of {} tables failed.", tables.len()))),
        Ok(()) if tables.iter().any(|t| t.status == TableStatus::Cancelled) => (RunStatus::Cancelled, None),
        // Cancelled before the source's tables were known.
        Ok(()) if tables.is_empty() && cancel.load(Ordering::Relaxed) => (RunStatus::Cancelled, None),
        Ok(()) => (RunStatus::Successful, None),
    };
    services.metrics.job_run(status.as_str());
    match services.store.finish_run(id, status, &tables, error.as_deref()).await {
        Ok(true) => tracing::info!(run = %id, job = %job.id, status = status.as_str(), "job run ended"),
        Ok(false) => tracing::warn!(run = %id, "job run was ended elsewhere before it finished"),
        Err(error) => tracing::error!(%error, run = %id, "could not record the end of a job run"),
    }
}

/// Why a run failed when its server shut down under it.
const SHUT_DOWN: &str = "The server shut down during the run.";

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What the renewals of a run share with it.
struct Renewals {
    /// The progress each renewal records.
    progress: Arc<Mutex<Progress>>,
    /// Set when a cancel was asked for, or the lease is lost.
    cancel: Arc<AtomicBool>,
    /// Set when the lease is lost.
    lost: Arc<AtomicBool>,
}

/// Renews the run's lease with its progress every [`renewal_period`];
/// sets `cancel` when a cancel was asked for, and `lost` too when the run
/// was ended elsewhere or its lease ran out: the lease held until
/// `held_until` (this server's clock) and no renewal succeeded before
/// then. A renewal still waiting on the database at that moment (out of
/// reach, or a row locked) is abandoned, so the copy stops before its next
/// write even while the database does not answer.
fn renew_every(
    services: &Services,
    jobs: &Jobs,
    id: Uuid,
    mut held_until: Instant,
    shared: Renewals,
) -> tokio::task::JoinHandle<()> {
    let (store, lease) = (services.store.clone(), jobs.lease());
    tokio::spawn(async move {
        let lose = |why: &str| {
            tracing::warn!(run = %id, "{why}");
            shared.lost.store(true, Ordering::Relaxed);
            shared.cancel.store(true, Ordering::Relaxed);
        };
        loop {
            tokio::time::sleep(renewal_period(lease)).await;
            let asked = Instant::now();
            let Some(left) = held_until.checked_duration_since(asked).filter(|left| !left.is_zero()) else {
                return lose("job run's lease ran out before it could be renewed");
            };
            let (status, tables) = shared.progress.lock().expect("progress lock").snapshot();
            let renewal = store.renew_run(id, status, &tables, chrono::Utc::now() + lease);
            match tokio::time::timeout(left, renewal).await {
                Ok(Ok(Renewal::Held { cancel_requested })) => {
                    held_until = asked + lease;
                    if cancel_requested {
                        shared.cancel.store(true, Ordering::Relaxed);
                    }
                }
                Ok(Ok(Renewal::Lost)) => return lose("job run was ended elsewhere, or its lease expired"),
                Ok(Err(error)) => tracing::error!(%error, run = %id, "could not renew a job run's lease"),
                Err(_) => return lose("job run's lease ran out while its renewal waited for the database"),
            }
        }
    })
}

/// How often a run renews its lease and records its progress: every
/// second, or every third of the lease if that is shorter.
fn renewal_period(lease: Duration) -> Duration {
    (lease / 3).min(Duration::from_secs(1))
}

/// A connection of the job with its pinned plugin, or why it cannot serve.
async fn endpoint(services: &Services, id: Uuid, side: &str) -> Result<Side, Stop> {
    let connection = services
        .store
        .connection(id)
        .await
        .map_err(|e| format!("reading the {side} connection: {e}"))?
        .ok_or_else(|| format!("The {side} connection `{id}` no longer exists."))?;
    let (name, version) = (&connection.connector, &connection.connector_version);
    let plugin = match services.registry.availability(name, version) {
        Availability::Loaded(plugin) => plugin.keeping_logs(connection.settings.logfile_verbosity.max_level()),
        Availability::Loading => {
            return Err(format!("{name} {version} is still loading after a restart; run the job again in a moment."));
        }
        Availability::Refused { reason, .. } => {
            return Err(format!("{name} {version} was refused when this server loaded it: {reason}."));
        }
        Availability::Missing => return Err(format!("{name} {version} is not installed.")),
    };
    let roles = plugin.info().roles;
    let (able, role) = if side == "source" { (roles.source, "read from") } else { (roles.destination, "write to") };
    if !able {
        return Err(format!(
            "The {side} connection `{}` uses {} {} (WIT {}), which a job cannot {role}.",
            connection.name,
            connection.connector,
            connection.connector_version,
            plugin.id().wit
        ));
    }
    Ok(Side { connection, plugin })
}

/// Tests the connection (renewing its OAuth tokens first when they expire
/// soon, so the run starts with fresh ones); the error says which side
/// failed and why.
async fn test(services: &Services, side: &mut Side, name: &str) -> Result<(), Stop> {
    let Side { connection, plugin } = side;
    let used = crate::service::oauth::with_tokens(services, connection, plugin, |c| plugin.test(c)).await;
    let (tested, call) = used.map_err(|e| format!("The {name} connection `{}` cannot run: {e}", connection.name))?;
    *connection = tested;
    let side = name;
    let ok = call.result.is_ok();
    let outcome = call.result.as_ref().map_or_else(ToString::to_string, Clone::clone);
    let record = OperationRecord::new("job-test", ok, outcome.clone(), call.duration).with_plugin(&call.logs);
    services.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
    if ok { Ok(()) } else { Err(format!("The {side} connection `{}` failed its test: {outcome}", connection.name)) }
}

/// Everything but recording the end: tests, metadata, tables. A cancel
/// ends the tests and metadata calls under way at once.
async fn copy_all(
    services: &Services,
    jobs: &Jobs,
    job: &Job,
    progress: &Mutex<Progress>,
    cancel: &Arc<AtomicBool>,
) -> Result<(), Stop> {
    let Some(plan) = unless_cancelled(cancel, plan(services, jobs, job, progress)).await else {
        cancel_pending(progress, 0);
        return Ok(());
    };
    let plan = plan?;
    progress.lock().expect("progress lock").status = RunStatus::Running;
    let count = progress.lock().expect("progress lock").tables.len();
    for i in 0..count {
        if cancel.load(Ordering::Relaxed) {
            cancel_pending(progress, i);
            break;
        }
        let table = progress.lock().expect("progress lock").tables[i].clone();
        if table.status == TableStatus::Failed {
            continue;
        }
        let rows = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        {
            let mut p = progress.lock().expect("progress lock");
            p.tables[i].status = TableStatus::Running;
            p.current = Some((i, rows.clone(), started));
        }
        let (copied, logs) = copy_table(services, &plan, &table, cancel, &rows).await;
        let record = {
            let mut p = progress.lock().expect("progress lock");
            p.current = None;
            let t = &mut p.tables[i];
            t.rows = rows.load(Ordering::Relaxed);
            t.duration_ms = millis(started.elapsed());
            (t.status, t.error) = match copied {
                Ok(Copied::Whole) => (TableStatus::Successful, None),
                Ok(Copied::Cancelled) => (TableStatus::Cancelled, None),
                Err(e) => (TableStatus::Failed, Some(e)),
            };
            services.metrics.job_table(t.status.as_str());
            let error = t.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default();
            let outcome = format!(
                "job `{}`: {} -> {}: {:?}, {} rows{error}",
                job.name, t.table, t.destination_table, t.status, t.rows
            );
            OperationRecord::new("job-table", t.status != TableStatus::Failed, outcome, started.elapsed())
        };
        let sides = [(&plan.source.connection, &logs.source), (&plan.destination.connection, &logs.destination)];
        for (c, lines) in sides {
            services.logs.record(c.id, c.settings.logfile_verbosity, record.clone().with_plugin(lines)).await;
        }
    }
    Ok(())
}

/// Fails each table whose destination table an earlier table of the run
/// already writes (`A.Customers` and `B.Customers` both become `Customers`).
fn fail_duplicate_destinations(tables: &mut [TableProgress]) {
    for i in 1..tables.len() {
        if let Some(first) = tables[..i].iter().find(|t| t.destination_table == tables[i].destination_table) {
            let error = format!(
                "`{}` would also be written to `{}`, which `{}` already is; name the tables so that they differ.",
                tables[i].table, tables[i].destination_table, first.table
            );
            tables[i].status = TableStatus::Failed;
            tables[i].error = Some(error);
        }
    }
}

/// A connection of a run, with the connector version it is pinned to.
struct Side {
    connection: Connection,
    plugin: Plugin,
}

/// What every table copy of a run shares.
struct Plan<'a> {
    job: &'a Job,
    source: Side,
    destination: Side,
    /// The destination connection's own directory.
    dir: std::path::PathBuf,
    /// Whether the source's metadata is read fresh (Start_of_Job).
    reset: bool,
}

/// Tests both connections, reads the source's tables if the job names none,
/// and makes the destination's directory.
async fn plan<'a>(
    services: &Services,
    jobs: &Jobs,
    job: &'a Job,
    progress: &Mutex<Progress>,
) -> Result<Plan<'a>, Stop> {
    let mut source = endpoint(services, job.source, "source").await?;
    let mut destination = endpoint(services, job.destination, "destination").await?;
    test(services, &mut source, "source").await?;
    test(services, &mut destination, "destination").await?;
    let refresh = |c: &Connection| c.settings.metadata_refresh_interval == RefreshInterval::StartOfJob;
    if refresh(&destination.connection) {
        services.store.clear_cache(destination.connection.id).await.map_err(|e| format!("refreshing metadata: {e}"))?;
    }
    let reset = refresh(&source.connection);
    if job.tables.is_none() {
        let listed = tables_of(services, &source.connection, reset)
            .await
            .map_err(|e| format!("listing the source's tables: {e}"))?;
        let names: Vec<String> = listed.items.iter().map(TableInfo::qualified_name).collect();
        progress.lock().expect("progress lock").tables = pending(&names, &job.table_prefix);
    }
    fail_duplicate_destinations(&mut progress.lock().expect("progress lock").tables);
    let dir = jobs.files().dir(destination.connection.id);
    tokio::fs::create_dir_all(&dir).await.map_err(|e| format!("creating the destination's directory: {e}"))?;
    Ok(Plan { job, source, destination, dir, reset })
}

/// Marks the tables from `from` on that have not started as cancelled.
fn cancel_pending(progress: &Mutex<Progress>, from: usize) {
    let mut p = progress.lock().expect("progress lock");
    p.tables[from..]
        .iter_mut()
        .filter(|t| t.status == TableStatus::Pending)
        .for_each(|t| t.status = TableStatus::Cancelled);
}

/// Copies one table: how it ended, and the log lines of each side's calls.
async fn copy_table(
    services: &Services,
    plan: &Plan<'_>,
    table: &TableProgress,
    cancel: &Arc<AtomicBool>,
    rows: &Arc<AtomicU64>,
) -> (Result<Copied, String>, TableLogs) {
    let (source, destination) = (&plan.source, &plan.destination);
    let columns = match columns_of(services, &source.connection, &table.table, plan.reset).await {
        Ok(columns) => columns.items.to_vec(),
        Err(e) => return (Err(e.to_string()), TableLogs::default()),
    };
    let copy = TableCopy {
        source: Endpoint::new(source.plugin.clone(), source.connection.properties.for_connector(source.plugin.info())),
        destination: Endpoint::new(
            destination.plugin.clone(),
            destination.connection.properties.for_connector(destination.plugin.info()),
        ),
        destination_dir: plan.dir.clone(),
        table: table.table.clone(),
        destination_table: table.destination_table.clone(),
        columns,
        batch_size: plan.job.batch_size,
        cancel: cancel.clone(),
        rows: rows.clone(),
        metrics: services.metrics.clone(),
    };
    // A task of its own, so a panic in it fails this table only.
    let copy = Arc::new(copy);
    let copied = tokio::spawn(copy.clone().run()).await.map_err(|e| format!("the copy task failed: {e}"));
    let logs = TableLogs { source: copy.source.take_logs(), destination: copy.destination.take_logs() };
    (copied.and_then(|c| c), logs)
}

/// The log lines of a table's calls, for each side's connection log.
#[derive(Default)]
struct TableLogs {
    source: Vec<LogLine>,
    destination: Vec<LogLine>,
}
