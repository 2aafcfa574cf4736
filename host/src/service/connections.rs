//! The rules of connections: create (resolve the version, the mask, the
//! properties against the specs, the pinning guard, the write, the
//! operation record), update (merge and write with optimistic concurrency),
//! reset credentials, test (and record the result), delete.

use super::{ServiceError, ServiceResult, Services, What, plugin_for, refresh_connectors};
use crate::connections::validate::{self, Required};
use crate::connections::{Connection, Properties, RefreshInterval, Settings, Status, Verbosity};
use crate::logs::OperationRecord;
use crate::registry::Registry;
use crate::runtime::{CallError, MASK, Plugin};
use crate::store::{NewConnection, Recorded, Store, WriteOutcome};
use chrono::{DateTime, Utc};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What a create or update asks for; `None` where not given. No `Debug`:
/// it holds property values in clear.
#[derive(Default)]
pub struct Changes {
    /// The name.
    pub name: Option<String>,
    /// The connector (create only).
    pub connector: Option<String>,
    /// The connector version: on create, else the newest; on update, a move.
    pub connector_version: Option<semver::Version>,
    /// Properties: name, and value or `None` to remove it.
    pub properties: Vec<(String, Option<String>)>,
    /// `settings.metadata_refresh_interval`.
    pub refresh: Option<RefreshInterval>,
    /// `settings.logfile_verbosity`.
    pub verbosity: Option<Verbosity>,
    /// `settings.use_cdata_callback_url`.
    pub callback: Option<bool>,
    /// The labels.
    pub labels: Option<Vec<String>>,
}

/// The connection `id` (as the caller gave it), or [`ServiceError::NotFound`].
pub async fn find(store: &Store, id: &str) -> ServiceResult<Connection> {
    let not_found = || ServiceError::NotFound { what: What::Connection, id: id.to_string() };
    let uuid = Uuid::parse_str(id).map_err(|_| not_found())?;
    store.connection(uuid).await?.ok_or_else(not_found)
}

/// Creates a connection in `workspace_id` on the installed connector the
/// changes name; the connection and the plugin it is pinned to.
pub async fn create(
    services: &Services,
    workspace_id: String,
    changes: Changes,
) -> ServiceResult<(Connection, Plugin)> {
    let Some(connector) = changes.connector.as_deref() else {
        return Err(ServiceError::missing("connector"));
    };
    let registry = &services.registry;
    let _pinning = registry.pin_guard().await;
    if registry.get(connector, changes.connector_version.as_ref()).is_none() {
        // Perhaps installed through another server a moment ago.
        refresh_connectors(services).await?;
    }
    let plugin = resolve(registry, connector, changes.connector_version.as_ref())?;
    let mut properties = Properties::default();
    for (name, value) in &changes.properties {
        if let Some(value) = value {
            if value == MASK && plugin.info().property(name).is_some_and(|s| s.secret) {
                return Err(mask_without_secret(name));
            }
            properties.set(name, value.clone());
        }
    }
    check(&properties, &plugin, Required::All)?;
    validate::canonicalize(&mut properties, plugin.info());
    let settings = Settings {
        metadata_refresh_interval: changes.refresh.unwrap_or_default(),
        logfile_verbosity: changes.verbosity.unwrap_or_default(),
        use_cdata_callback_url: changes.callback.unwrap_or_default(),
    };
    let name = changes.name.unwrap_or_default();
    let new = NewConnection {
        workspace_id,
        name: name.clone(),
        connector: plugin.id().name.clone(),
        connector_version: plugin.id().version.clone(),
        properties,
        settings,
        labels: changes.labels.unwrap_or_default(),
    };
    let started = Instant::now();
    match services.store.create_connection(new).await? {
        WriteOutcome::Done(c) => {
            let outcome = format!("created `{}` on {} {}", c.name, c.connector, c.connector_version);
            let record = OperationRecord::new("create", true, outcome, started.elapsed());
            services.logs.record(c.id, c.settings.logfile_verbosity, record).await;
            Ok((c, plugin))
        }
        WriteOutcome::NameTaken => Err(ServiceError::NameTaken { what: What::Connection, name }),
        other => Err(ServiceError::Internal(format!("create gave {other:?}"))),
    }
}

/// Merges `changes` into the connection `read` (as the caller read it) and
/// writes it; the connection as written.
pub async fn update(services: &Services, read: Connection, changes: &Changes) -> ServiceResult<Connection> {
    let started = Instant::now();
    let mut described = String::new();
    // Only a move pins the connection to another version.
    let _pinning = match changes.connector_version {
        Some(_) => Some(services.registry.pin_guard().await),
        None => None,
    };
    let written = write_with_retry(services, read, |current| {
        let next = merge(&services.registry, current, changes)?;
        described = describe_changes(current, &next);
        Ok(next)
    })
    .await?;
    let record = OperationRecord::new("update", true, described, started.elapsed());
    services.logs.record(written.id, written.settings.logfile_verbosity, record).await;
    Ok(written)
}

/// Removes the credentials of `read` (its OAuth tokens, for a connector
/// with OAuth; else every secret property value), drops its cached
/// metadata and authorizations under way, and sets its status to
/// `needs_credentials`; the connection as written.
pub async fn reset_credentials(services: &Services, read: Connection) -> ServiceResult<Connection> {
    let started = Instant::now();
    let mut removed = Vec::new();
    let written = write_with_retry(services, read, |current| {
        let plugin = plugin_for(&services.registry, current)?;
        let mut next = current.clone();
        removed = next.properties.remove_credentials(plugin.info());
        next.status = Status::NeedsCredentials;
        Ok(next)
    })
    .await?;
    services.store.clear_cache(written.id).await?;
    // An authorization under way would bring the cleared tokens back.
    services.store.clear_oauth_states(written.id).await?;
    let outcome = format!("removed {}", if removed.is_empty() { "no credentials".into() } else { removed.join(", ") });
    let record = OperationRecord::new("reset-credentials", true, outcome, started.elapsed());
    services.logs.record(written.id, written.settings.logfile_verbosity, record).await;
    Ok(written)
}

/// Deletes `connection` (`asked`: its id as the caller gave it), its logs
/// and its files.
pub async fn delete(services: &Services, connection: &Connection, asked: &str) -> ServiceResult<()> {
    match services.store.delete_connection(connection.id).await? {
        WriteOutcome::Done(()) => {
            if let Err(error) = services.logs.remove(connection.id).await {
                tracing::warn!(%error, connection = %connection.id, "could not delete the connection's logs");
            }
            services.files.remove(connection.id).await;
            Ok(())
        }
        WriteOutcome::InUse(job) => Err(ServiceError::InUse { connection: asked.to_string(), job }),
        _ => Err(ServiceError::NotFound { what: What::Connection, id: asked.to_string() }),
    }
}

/// Why a test failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    /// The connector's error kind (`invalid_config`, `auth_failed`, ...), or
    /// the host's fault code (`connector_timeout`, ...).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The property at fault, if known.
    pub property: Option<String>,
    /// Seconds to wait before retrying, when rate limited.
    pub retry_after: Option<u32>,
}

impl TestFailure {
    fn of(error: CallError) -> Self {
        match error {
            CallError::Connector(e) => {
                let code = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string));
                TestFailure {
                    code: code.unwrap_or_else(|| "internal".into()),
                    message: e.message,
                    property: e.property,
                    retry_after: e.retry_after,
                }
            }
            CallError::Fault(f) => {
                TestFailure { code: f.kind.code().into(), message: f.to_string(), property: None, retry_after: None }
            }
        }
    }
}

/// What a test found: the connector's message, or why it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tested {
    /// `Ok`: the connector's message.
    pub result: Result<String, TestFailure>,
    /// How long the test took.
    pub duration: Duration,
}

/// Runs the connector's `test` on `connection` in the sandbox, records its
/// `status` and `last_tested_at` and logs it. A failure, crash or timeout
/// is a failed test, not an error.
pub async fn test(services: &Services, connection: &Connection) -> ServiceResult<Tested> {
    let plugin = plugin_for(&services.registry, connection)?;
    // `begun` at the stored precision (milliseconds), to compare with
    // another test's `last_tested_at`.
    let (started, begun) = (Instant::now(), crate::store::now());
    let (tested, call) = match super::oauth::with_tokens(services, connection, &plugin, |c| plugin.test(c)).await {
        Ok(used) => used,
        Err(ServiceError::OAuth(failure)) => return untestable(services, connection, failure, started, begun).await,
        Err(other) => return Err(other),
    };
    let duration = started.elapsed();
    let result = call.result.map_err(TestFailure::of);
    let status = if result.is_ok() { Status::Ok } else { Status::Failed };
    let outcome = match &result {
        Ok(message) => message.clone(),
        Err(e) => format!("{}: {}", e.code, e.message),
    };
    let line = OperationRecord::new("test", result.is_ok(), outcome, call.duration).with_plugin(&call.logs);
    // Both at once: on PostgreSQL they join one group commit.
    let (recorded, ()) = tokio::join!(
        record(&services.store, &tested, status, begun),
        services.logs.record(tested.id, tested.settings.logfile_verbosity, line)
    );
    recorded?;
    Ok(Tested { result, duration })
}

/// A test that could not run for want of a working OAuth token: a failed
/// test, recorded as `needs_credentials` when a user must authorize again.
async fn untestable(
    services: &Services,
    connection: &Connection,
    failure: super::oauth::OAuthFailure,
    started: Instant,
    begun: DateTime<Utc>,
) -> ServiceResult<Tested> {
    let needs_credentials = failure.kind == super::oauth::FailureKind::NeedsCredentials;
    let status = if needs_credentials { Status::NeedsCredentials } else { Status::Failed };
    // The connection may have been written meanwhile (a renewal refused).
    let current = find(&services.store, &connection.id.to_string()).await?;
    record(&services.store, &current, status, begun).await?;
    let failure =
        TestFailure { code: failure.code().into(), message: failure.message, property: None, retry_after: None };
    let outcome = format!("{}: {}", failure.code, failure.message);
    let record = OperationRecord::new("test", false, outcome, started.elapsed());
    services.logs.record(current.id, current.settings.logfile_verbosity, record).await;
    Ok(Tested { result: Err(failure), duration: started.elapsed() })
}

/// Records `status` from a test of `tested` (the connection as the test read
/// it) that began at `begun`. When the connection was updated during the
/// test, the status is recorded on the updated connection as long as what
/// was tested (connector version and properties) is unchanged (a rename,
/// say) and no test begun later was recorded meanwhile. A result that lost
/// to other tests' results only (the connection not updated) is left there.
async fn record(store: &Store, tested: &Connection, status: Status, begun: DateTime<Utc>) -> ServiceResult<()> {
    if store.record_test(tested.id, tested.revision, status).await? != Recorded::Stale {
        return Ok(());
    }
    // Test results change `revision` but not `updated_at`: when only other
    // tests got there first (the usual case), the cheap check ends it.
    if store.updated_at(tested.id).await?.is_none_or(|at| at == tested.updated_at) {
        return Ok(());
    }
    let Some(now) = store.connection(tested.id).await? else { return Ok(()) };
    let same_config = now.connector_version == tested.connector_version && now.properties == tested.properties;
    let newer_result = now.last_tested_at.is_some_and(|at| at >= begun);
    if same_config && !newer_result {
        store.record_test(now.id, now.revision, status).await?;
    }
    Ok(())
}

/// Applies `change` to `read` (the connection as the caller read it) and
/// writes it back if nobody wrote in between; otherwise reads again and
/// retries (optimistic concurrency, so concurrent writers never lose each
/// other's changes).
pub(crate) async fn write_with_retry(
    services: &Services,
    read: Connection,
    mut change: impl FnMut(&Connection) -> ServiceResult<Connection>,
) -> ServiceResult<Connection> {
    let id = read.id.to_string();
    let id = id.as_str();
    let mut first = Some(read);
    for attempt in 0..100u32 {
        let current = match first.take() {
            Some(read) => read,
            None => find(&services.store, id).await?,
        };
        let next = change(&current)?;
        match services.store.update_connection(&next).await? {
            WriteOutcome::Done(c) => return Ok(c),
            WriteOutcome::NotFound => break,
            WriteOutcome::NameTaken => return Err(ServiceError::NameTaken { what: What::Connection, name: next.name }),
            WriteOutcome::InUse(job) => return Err(ServiceError::InUse { connection: id.to_string(), job }),
            WriteOutcome::Stale => back_off(attempt).await,
        }
    }
    Err(ServiceError::WriteConflict { connection: id.to_string() })
}

/// Writes a change of credentials only (properties and status) to the
/// connection `read`, even while a job run holds it, retrying like
/// [`write_with_retry`]. `change` gives `None` when the connection as it is
/// now needs no write (say, another server stored newer tokens meanwhile);
/// the connection as written, or as it is.
pub(crate) async fn write_credentials(
    services: &Services,
    read: Connection,
    mut change: impl FnMut(&Connection) -> Option<Connection>,
) -> ServiceResult<Connection> {
    let id = read.id.to_string();
    let mut first = Some(read);
    for attempt in 0..100u32 {
        let current = match first.take() {
            Some(read) => read,
            None => find(&services.store, &id).await?,
        };
        let Some(next) = change(&current) else { return Ok(current) };
        let next = Connection { properties: next.properties, status: next.status, ..current };
        match services.store.update_credentials(&next).await? {
            WriteOutcome::Done(c) => return Ok(c),
            WriteOutcome::Stale => back_off(attempt).await,
            _ => return Err(ServiceError::NotFound { what: What::Connection, id }),
        }
    }
    Err(ServiceError::WriteConflict { connection: id })
}

/// Backs off a little after a lost write, with jitter, so writers stop colliding.
async fn back_off(attempt: u32) {
    let jitter = getrandom::u32().unwrap_or_default() % 1000;
    let micros = u64::from(jitter) * u64::from(attempt.min(20) + 1);
    tokio::time::sleep(Duration::from_micros(micros)).await;
}

/// The connection `current` with the changes merged in, validated.
fn merge(registry: &Registry, current: &Connection, changes: &Changes) -> ServiceResult<Connection> {
    let mut next = current.clone();
    if let Some(name) = &changes.name {
        next.name = name.clone();
    }
    let plugin = match &changes.connector_version {
        Some(v) => resolve(registry, &current.connector, Some(v))?,
        None => plugin_for(registry, current)?,
    };
    next.connector_version = plugin.id().version.clone();
    let mut removed = Vec::new();
    for (name, value) in &changes.properties {
        let secret = plugin.info().property(name).is_some_and(|s| s.secret);
        match value {
            None => {
                if next.properties.remove(name) {
                    removed.push(name.clone());
                }
            }
            // The mask sent back keeps the stored secret.
            Some(v) if v == MASK && secret && next.properties.get(name).is_some() => {}
            // With no stored secret the mask stands for nothing; never store it.
            Some(v) if v == MASK && secret => return Err(mask_without_secret(name)),
            Some(v) => next.properties.set(name, v.clone()),
        }
    }
    if let Some(spec) = &plugin.info().oauth {
        let secret = &spec.client_secret_property;
        let secret_set = changes
            .properties
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(secret) && v.as_deref().is_some_and(|v| v != MASK));
        super::oauth::forget_moved_credentials(spec, &current.properties, &mut next.properties, secret_set);
    }
    // A secret may be missing after reset-credentials, and an update that
    // does not touch it must still work; a move to another version must
    // bring every secret that version requires, unless the connection
    // waits for credentials anyway.
    let moved = next.connector_version != current.connector_version;
    let required = if moved && current.status != Status::NeedsCredentials {
        Required::All
    } else {
        Required::NonSecretOrRemoved(&removed)
    };
    check(&next.properties, &plugin, required)?;
    validate::canonicalize(&mut next.properties, plugin.info());
    let settings = &mut next.settings;
    settings.metadata_refresh_interval = changes.refresh.unwrap_or(settings.metadata_refresh_interval);
    settings.logfile_verbosity = changes.verbosity.unwrap_or(settings.logfile_verbosity);
    settings.use_cdata_callback_url = changes.callback.unwrap_or(settings.use_cdata_callback_url);
    if let Some(labels) = &changes.labels {
        next.labels = labels.clone();
    }
    // New properties or another version make the last test say nothing;
    // a connection waiting for credentials keeps waiting until it gets them.
    if next.properties != current.properties || (moved && current.status != Status::NeedsCredentials) {
        next.status = Status::Untested;
    }
    Ok(next)
}

/// What an update changed, by name only (never property values).
fn describe_changes(before: &Connection, after: &Connection) -> String {
    let mut changes = Vec::new();
    if before.name != after.name {
        changes.push(format!("name `{}` -> `{}`", before.name, after.name));
    }
    if before.connector_version != after.connector_version {
        changes.push(format!("version {} -> {}", before.connector_version, after.connector_version));
    }
    let touched: Vec<&str> = after
        .properties
        .iter()
        .filter(|p| before.properties.get(&p.name) != Some(p.value.as_str()))
        .map(|p| p.name.as_str())
        .chain(before.properties.iter().filter(|p| after.properties.get(&p.name).is_none()).map(|p| p.name.as_str()))
        .collect();
    if !touched.is_empty() {
        changes.push(format!("properties {}", touched.join(", ")));
    }
    if before.settings != after.settings {
        changes.push("settings".into());
    }
    if before.labels != after.labels {
        changes.push("labels".into());
    }
    if changes.is_empty() { "no changes".into() } else { format!("changed {}", changes.join("; ")) }
}

/// The installed connector `name` at `version` (or its newest), or why not,
/// listing what is installed.
fn resolve(registry: &Registry, name: &str, version: Option<&semver::Version>) -> ServiceResult<Plugin> {
    if let Some(plugin) = registry.get(name, version) {
        return Ok(plugin);
    }
    if registry.is_starting() {
        return Err(ServiceError::Loading(format!(
            "The installed connectors are still loading after a restart; `{name}` is not loaded yet. Try again in a moment."
        )));
    }
    let installed = registry.versions(name);
    if installed.is_empty() {
        let mut names: Vec<String> = registry.list().iter().map(|p| p.id().name.clone()).collect();
        names.dedup();
        return Err(ServiceError::rejected(
            "unknown_connector",
            format!("Connector `{name}` is not installed; installed connectors: {}.", names.join(", ")),
            Some("connector".to_string()),
        ));
    }
    let versions: Vec<String> = installed.iter().map(|p| p.id().version.to_string()).collect();
    Err(ServiceError::rejected(
        "unknown_connector_version",
        format!(
            "{} {} is not installed; installed versions: {}.",
            installed[0].id().name,
            version.map(ToString::to_string).unwrap_or_default(),
            versions.join(", ")
        ),
        Some("connector_version".to_string()),
    ))
}

/// Fails with every problem of `properties` against the plugin's specs.
fn check(properties: &Properties, plugin: &Plugin, required: Required<'_>) -> ServiceResult<()> {
    let problems = validate::check(properties, plugin.info(), required);
    if problems.is_empty() { Ok(()) } else { Err(ServiceError::Invalid { problems }) }
}

fn mask_without_secret(name: &str) -> ServiceError {
    ServiceError::rejected(
        "invalid_property_value",
        format!("`{MASK}` stands for a stored secret, but `{name}` has none; send its value."),
        Some(format!("properties.{name}")),
    )
}
