//! The metadata cache: a connection's tables and columns, cached per
//! connection under a key of the connector version and a hash of the
//! properties, so a configuration change invalidates them.
//! `metadata_refresh_interval` says how long they stay fresh; a fresh cached
//! answer never enters the sandbox. Used by the API and by job runs.

use crate::connections::Connection;
use crate::connector::model::{ColumnInfo, ConnectorInfo, ErrorKind, TableInfo};
use crate::logs::OperationRecord;
use crate::runtime::Call;
use crate::service::oauth::with_tokens;
use crate::service::{ServiceError, ServiceResult, Services, plugin_for};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// A list of metadata items, and its JSON text when that is exactly what
/// serializing the items gives (then an answer can be that text, with no
/// work per item).
pub struct Answer<T> {
    /// The items.
    pub items: Arc<Vec<T>>,
    /// The items as JSON, when it is exactly what serializing them gives.
    pub json: Option<String>,
}

/// Which items of a list the caller gets.
pub type Keep<'a, T> = &'a (dyn Fn(&T) -> bool + Sync);

/// The tables of `connection`, from the cache when fresh (and not `reset`).
pub async fn tables_of(services: &Services, connection: &Connection, reset: bool) -> ServiceResult<Answer<TableInfo>> {
    tables_where(services, connection, reset, None).await
}

/// The tables of `connection` that `keep` keeps (all without it), from the
/// cache when fresh (and not `reset`). The whole list is cached; the log
/// says how many of its items the caller got (`2 of 12 items from the
/// cache`).
pub async fn tables_where(
    services: &Services,
    connection: &Connection,
    reset: bool,
    keep: Option<Keep<'_, TableInfo>>,
) -> ServiceResult<Answer<TableInfo>> {
    let plugin = plugin_for(&services.registry, connection)?;
    let fetch = || async {
        let used = with_tokens(services, connection, &plugin, |c| plugin.list_tables(c, None, Vec::new())).await?;
        Ok(used.1)
    };
    cached(services, connection, plugin.info(), "tables", "list-tables", reset, keep, fetch).await
}

/// The columns of `table` of `connection`, from the cache when fresh (and
/// not `reset`); an unknown table is [`ServiceError::NoSuchTable`].
pub async fn columns_of(
    services: &Services,
    connection: &Connection,
    table: &str,
    reset: bool,
) -> ServiceResult<Answer<ColumnInfo>> {
    let plugin = plugin_for(&services.registry, connection)?;
    // The exact name: a source may have tables differing only in case.
    let item = format!("columns:{table}");
    let fetch = || async {
        let used = with_tokens(services, connection, &plugin, |c| plugin.list_columns(c, table.to_string())).await?;
        Ok(used.1)
    };
    cached(services, connection, plugin.info(), &item, "list-columns", reset, None, fetch).await.map_err(|e| match e {
        ServiceError::Connector(e) if e.kind == ErrorKind::NotFound => {
            ServiceError::NoSuchTable { table: table.to_string(), reason: e.message }
        }
        other => other,
    })
}

/// Drops the cache of `connection` and calls the connector's `reset-metadata`.
pub async fn reset(services: &Services, connection: &Connection) -> ServiceResult<()> {
    let plugin = plugin_for(&services.registry, connection)?;
    services.store.clear_cache(connection.id).await?;
    let (_, call) = with_tokens(services, connection, &plugin, |c| plugin.reset_metadata(c)).await?;
    let outcome = call.result.as_ref().map_or_else(|e| e.to_string(), |()| "cache cleared".to_string());
    log(services, connection, "reset-metadata", &call, outcome, None).await;
    Ok(call.result?)
}

/// The cache key of a connection's configuration: its connector version and
/// a hash of its properties (names lower-cased, sorted), OAuth tokens left
/// out: renewing a token changes no table.
fn config_key(c: &Connection, info: &ConnectorInfo) -> String {
    let token = |name: &str| {
        info.oauth.as_ref().is_some_and(|o| o.token_properties().iter().any(|t| t.eq_ignore_ascii_case(name)))
    };
    let mut pairs: Vec<(String, &str)> =
        c.properties.iter().filter(|p| !token(&p.name)).map(|p| (p.name.to_lowercase(), p.value.as_str())).collect();
    pairs.sort();
    let mut hasher = Sha256::new();
    for (name, value) in pairs {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((value.len() as u64).to_le_bytes());
        hasher.update(value.as_bytes());
    }
    format!("{}:{}", c.connector_version, hex::encode(hasher.finalize()))
}

/// A cached payload decoded: its items, and whether serializing them gives
/// the payload back byte for byte (so it can be sent as is).
struct Decoded<T> {
    items: Arc<Vec<T>>,
    canonical: bool,
}

/// Reads a cached payload (`None`: unreadable, e.g. written by another version).
fn decode<T: Serialize + DeserializeOwned>(payload: &str) -> Option<Decoded<T>> {
    let items: Vec<T> = serde_json::from_str(payload).ok()?;
    let canonical = serde_json::to_string(&items).is_ok_and(|again| again == payload);
    Some(Decoded { items: Arc::new(items), canonical })
}

/// How the log counts the items `keep` keeps (all without it): `12 items`,
/// or `2 of 12 items` when the caller gets fewer than there are.
fn counted<T>(items: &[T], keep: Option<Keep<'_, T>>) -> String {
    let total = items.len();
    match keep.map(|keep| items.iter().filter(|item| keep(item)).count()) {
        Some(kept) if kept != total => format!("{kept} of {total} items"),
        _ => format!("{total} items"),
    }
}

/// The answer of the items `keep` keeps (all without it).
fn served<T: Clone>(items: Arc<Vec<T>>, json: Option<String>, keep: Option<Keep<'_, T>>) -> Answer<T> {
    match keep {
        Some(keep) if !items.iter().all(keep) => {
            Answer { items: Arc::new(items.iter().filter(|item| keep(item)).cloned().collect()), json: None }
        }
        _ => Answer { items, json },
    }
}

/// A fresh cached answer for `item`, or `fetch`'s answer, cached; the items
/// `keep` keeps of it.
#[allow(clippy::too_many_arguments)]
async fn cached<T, F>(
    services: &Services,
    connection: &Connection,
    info: &ConnectorInfo,
    item: &str,
    operation: &str,
    reset: bool,
    keep: Option<Keep<'_, T>>,
    fetch: impl FnOnce() -> F,
) -> ServiceResult<Answer<T>>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Future<Output = ServiceResult<Call<Vec<T>>>>,
{
    let started = Instant::now();
    let key = config_key(connection, info);
    if !reset && let Some(hit) = services.store.cached(connection.id, item).await? {
        let max_age = connection.settings.metadata_refresh_interval.max_age();
        let fresh = max_age.is_none_or(|age| chrono::Utc::now() - hit.fetched_at < age);
        if hit.config_key == key && fresh {
            match hit.decoded(decode::<T>) {
                Some(decoded) => {
                    let outcome = format!("{} from the cache", counted(&decoded.items, keep));
                    let record = OperationRecord::new(operation, true, outcome, started.elapsed())
                        .with_payload(Some(hit.payload()));
                    services.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
                    let json = decoded.canonical.then(|| hit.payload().to_string());
                    return Ok(served(decoded.items.clone(), json, keep));
                }
                None => {
                    tracing::warn!(connection = %connection.id, item, "unreadable cache entry; refetching")
                }
            }
        }
    }
    let call = fetch().await?;
    let payload = call.result.as_ref().ok().map(|value| serde_json::to_string(value).expect("metadata serializes"));
    let outcome = call.result.as_ref().map_or_else(ToString::to_string, |value| counted(value, keep));
    log(services, connection, operation, &call, outcome, payload.as_deref()).await;
    let value = call.result?;
    if let Some(payload) = &payload {
        services.store.cache(connection.id, item, &key, payload).await?;
    }
    Ok(served(Arc::new(value), payload, keep))
}

/// Logs a plugin call on the connection.
async fn log<T>(
    services: &Services,
    connection: &Connection,
    operation: &str,
    call: &Call<T>,
    outcome: String,
    payload: Option<&str>,
) {
    let record = OperationRecord::new(operation, call.result.is_ok(), outcome, call.duration)
        .with_payload(payload)
        .with_plugin(&call.logs);
    services.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
}
