//! What the API asks of jobs: the checks on a job's connections, the job
//! record a create builds (its id, dates and defaults) and an update
//! merges, and create, update, delete, execute and cancel with what each
//! outcome means.

use super::{Jobs, pending};
use crate::registry::Registry;
use crate::service::{ServiceError, ServiceResult, Services, What, plugin_for};
use crate::store::{Job, JobWrite, Run, Start, Store};
use std::sync::Arc;
use uuid::Uuid;

/// The rows per page and batch of a job that does not say.
pub const DEFAULT_BATCH_SIZE: u32 = 1000;
/// The most rows per page and batch.
pub const MAX_BATCH_SIZE: u32 = 100_000;

/// What a create or update asks for; `None` where not given.
#[derive(Debug, Default)]
pub struct Changes {
    /// The name (required on create).
    pub name: Option<String>,
    /// The source connection (required on create).
    pub source: Option<Uuid>,
    /// The destination connection (required on create).
    pub destination: Option<Uuid>,
    /// The tables: `Some(None)` all of them, `Some(Some(list))` these.
    pub tables: Option<Option<Vec<String>>>,
    /// The destination table prefix.
    pub table_prefix: Option<String>,
    /// Rows per page and batch.
    pub batch_size: Option<u32>,
}

/// The job `id` (as the caller gave it), or [`ServiceError::NotFound`].
pub async fn find(store: &Store, id: &str) -> ServiceResult<Job> {
    let not_found = || not_found(id);
    let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
    store.job(uuid).await?.ok_or_else(not_found)
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound { what: What::Job, id: id.to_string() }
}

/// Creates a job in `workspace_id` (a name, a source and a destination are
/// required; by default every table, no prefix, [`DEFAULT_BATCH_SIZE`])
/// once its connections can serve it; the job as stored.
pub async fn create(services: &Services, workspace_id: String, changes: Changes) -> ServiceResult<Job> {
    let name = changes.name.ok_or_else(|| ServiceError::missing("name"))?;
    let source = changes.source.ok_or_else(|| ServiceError::missing("source_connection_id"))?;
    let destination = changes.destination.ok_or_else(|| ServiceError::missing("destination_connection_id"))?;
    let now = crate::store::now();
    let job = Job {
        id: Uuid::new_v4(),
        workspace_id,
        name,
        source,
        destination,
        tables: changes.tables.unwrap_or(None),
        table_prefix: changes.table_prefix.unwrap_or_default(),
        batch_size: changes.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
        created_at: now,
        updated_at: now,
        active_run: None,
    };
    check_endpoints(services, &job.workspace_id, job.source, job.destination).await?;
    match services.store.create_job(&job).await? {
        JobWrite::Done => Ok(job),
        JobWrite::NameTaken => Err(ServiceError::NameTaken { what: What::Job, name: job.name }),
        other => Err(ServiceError::Internal(format!("job create gave {other:?}"))),
    }
}

/// Merges `changes` into `job` (`asked`: its id as the caller gave it) and
/// writes it once its connections can serve it; not while it runs. The job
/// as written.
pub async fn update(services: &Services, mut job: Job, changes: Changes, asked: &str) -> ServiceResult<Job> {
    job.name = changes.name.unwrap_or(job.name);
    job.source = changes.source.unwrap_or(job.source);
    job.destination = changes.destination.unwrap_or(job.destination);
    job.tables = changes.tables.unwrap_or(job.tables);
    job.table_prefix = changes.table_prefix.unwrap_or(job.table_prefix);
    job.batch_size = changes.batch_size.unwrap_or(job.batch_size);
    job.updated_at = crate::store::now();
    check_endpoints(services, &job.workspace_id, job.source, job.destination).await?;
    match services.store.update_job(&job).await? {
        JobWrite::Done => Ok(job),
        JobWrite::NameTaken => Err(ServiceError::NameTaken { what: What::Job, name: job.name }),
        JobWrite::Running => Err(ServiceError::Running { job: asked.to_string() }),
        JobWrite::NotFound => Err(not_found(asked)),
    }
}

/// Deletes `job` and its history; not while it runs.
pub async fn delete(store: &Store, job: &Job, asked: &str) -> ServiceResult<()> {
    match store.delete_job(job.id).await? {
        JobWrite::Done => Ok(()),
        JobWrite::Running => Err(ServiceError::Running { job: asked.to_string() }),
        _ => Err(not_found(asked)),
    }
}

/// Starts a run of `job` in the background; the run as started.
pub async fn execute(jobs: &Arc<Jobs>, services: &Services, job: Job, asked: &str) -> ServiceResult<Run> {
    check_endpoints(services, &job.workspace_id, job.source, job.destination).await?;
    let tables = pending(job.tables.as_deref().unwrap_or_default(), &job.table_prefix);
    let (run, started) = jobs.execute(services.clone(), job, tables).await?;
    match started {
        Start::Started => {
            let run = services.store.run(run).await?;
            run.ok_or_else(|| ServiceError::Internal("a started run is gone".into()))
        }
        Start::Running(_) => Err(ServiceError::Running { job: asked.to_string() }),
        Start::DestinationBusy(other) => Err(ServiceError::DestinationBusy { job: other }),
        Start::ConnectionGone(connection) => Err(ServiceError::rejected(
            "unknown_connection",
            format!("Connection `{connection}` of this job no longer exists; point the job at another one."),
            None,
        )),
        Start::NotFound => Err(not_found(asked)),
    }
}

/// Asks the run of `job` under way to stop (at its next page, on whichever
/// server runs it); the run.
pub async fn cancel(jobs: &Jobs, store: &Store, job: &Job, asked: &str) -> ServiceResult<Run> {
    let Some(run) = store.request_cancel(job.id).await? else {
        return Err(ServiceError::NotRunning { job: asked.to_string() });
    };
    jobs.cancel_here(run);
    store.run(run).await?.ok_or_else(|| ServiceError::Internal("a cancelled run is gone".into()))
}

/// Checks that both connections exist in `workspace` and that their pinned
/// connectors can be a source and a destination.
async fn check_endpoints(services: &Services, workspace: &str, source: Uuid, destination: Uuid) -> ServiceResult<()> {
    for (id, field, source_side) in
        [(source, "source_connection_id", true), (destination, "destination_connection_id", false)]
    {
        let missing = || {
            ServiceError::rejected(
                "unknown_connection",
                format!("Connection `{id}` does not exist in workspace `{workspace}`."),
                Some(field.to_string()),
            )
        };
        let connection = match crate::service::connections::find(&services.store, &id.to_string()).await {
            Ok(connection) => connection,
            Err(ServiceError::NotFound { .. }) => return Err(missing()),
            Err(other) => return Err(other),
        };
        if connection.workspace_id != workspace {
            return Err(missing());
        }
        can_serve(&services.registry, &connection, field, source_side)?;
    }
    Ok(())
}

/// Whether the connector version `connection` is pinned to can be a job's
/// source (`source_side`) or destination.
fn can_serve(
    registry: &Registry,
    connection: &crate::connections::Connection,
    field: &str,
    source_side: bool,
) -> ServiceResult<()> {
    let plugin = plugin_for(registry, connection)?;
    let roles = plugin.info().roles;
    let (able, code, verb) = if source_side {
        (roles.source, "connector_cannot_read", "read from (it is not a source)")
    } else {
        (roles.destination, "connector_cannot_write", "write to (it is not a destination)")
    };
    if able {
        return Ok(());
    }
    Err(ServiceError::rejected(
        code,
        format!(
            "Connection `{}` uses {} {} (WIT {}), which a job cannot {verb}; move it to a version that can.",
            connection.name,
            connection.connector,
            connection.connector_version,
            plugin.id().wit
        ),
        Some(field.to_string()),
    ))
}
