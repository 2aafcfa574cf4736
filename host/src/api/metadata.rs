//! Tables, columns and the metadata cache:
//! `/connections/{id}/tables`, `/connections/{id}/tables/{table}/columns`,
//! `/connections/{id}/reset-metadata`.
//!
//! Answers are cached per connection under a key of the connector version
//! and a hash of the properties, so a configuration change invalidates them.
//! `metadata_refresh_interval` says how long they stay fresh; a fresh cached
//! answer never enters the sandbox.

use super::connections::{find_as, plugin_for};
use super::error::{ApiError, ApiResult};
use super::extract::{Params, Path};
use super::state::AppState;
use crate::auth::{Action, Principal};
use crate::connections::Connection;
use crate::connector::model::{ColumnInfo, ErrorKind, TableInfo, TableType};
use crate::logs::OperationRecord;
use crate::runtime::{Call, CallError};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of metadata.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tables_with_get, tables))
        .routes(routes!(columns))
        .routes(routes!(reset_metadata))
}

/// A list of tables.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TableList {
    /// The tables, in the connector's order.
    #[schema(value_type = Vec<Object>)]
    pub value: Vec<TableInfo>,
}

/// A list of columns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ColumnList {
    /// The columns, by ordinal.
    #[schema(value_type = Vec<Object>)]
    pub value: Vec<ColumnInfo>,
}

/// The result of a metadata reset.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetResult {
    /// Always true: failures are errors.
    pub success: bool,
    /// What was done.
    pub message: String,
}

/// `POST /connections/{connection_id}/tables` (as the spec writes it)
#[utoipa::path(post, operation_id = "list_tables", path = "/connections/{connection_id}/tables", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("schema" = Option<String>, Query, description = "Only tables of this schema (case-insensitive)."),
        ("include_table_types" = Option<String>, Query, pattern = "^ *((TABLE|VIEW|SYNONYM) *(, *(TABLE|VIEW|SYNONYM) *)*)?$", description = "Comma list of TABLE, VIEW, SYNONYM (any case)."),
        ("reset_metadata" = Option<bool>, Query, description = "Refresh the cache first.")),
    responses((status = 200, body = TableList), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 502, body = super::error::ErrorResponse),
        (status = 503, body = super::error::ErrorResponse), (status = 504, body = super::error::ErrorResponse)))]
pub async fn tables(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    params.only(&["schema", "include_table_types", "reset_metadata"])?;
    let types = table_types(params.get("include_table_types"))?;
    let reset = params.flag("reset_metadata")?;
    let connection = find_as(&state.store, &principal, &id, Action::Operate).await?;
    let all = tables_of(&state, &connection, reset).await?;
    let schema = params.get("schema").map(str::trim).filter(|s| !s.is_empty());
    if schema.is_none() && types.is_empty() {
        return Ok(all.into_response());
    }
    let value = all
        .items
        .iter()
        .filter(|t| schema.is_none_or(|s| s.eq_ignore_ascii_case(&t.schema)))
        .filter(|t| types.is_empty() || types.contains(&t.table_type))
        .cloned()
        .collect();
    Ok(Json(TableList { value }).into_response())
}

/// `GET /connections/{connection_id}/tables`: the same read as the POST.
#[utoipa::path(get, operation_id = "list_tables_with_get", path = "/connections/{connection_id}/tables", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("schema" = Option<String>, Query, description = "Only tables of this schema (case-insensitive)."),
        ("include_table_types" = Option<String>, Query, pattern = "^ *((TABLE|VIEW|SYNONYM) *(, *(TABLE|VIEW|SYNONYM) *)*)?$", description = "Comma list of TABLE, VIEW, SYNONYM (any case)."),
        ("reset_metadata" = Option<bool>, Query, description = "Refresh the cache first.")),
    responses((status = 200, body = TableList), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 502, body = super::error::ErrorResponse),
        (status = 503, body = super::error::ErrorResponse), (status = 504, body = super::error::ErrorResponse)))]
pub async fn tables_with_get(
    state: State<AppState>,
    principal: Principal,
    path: Path<String>,
    params: Params,
) -> ApiResult<Response> {
    tables(state, principal, path, params).await
}

/// `GET /connections/{connection_id}/tables/{table_name}/columns`
#[utoipa::path(get, operation_id = "list_columns", path = "/connections/{connection_id}/tables/{table_name}/columns", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("table_name" = String, Path, description = "The table, optionally schema-qualified (dbo.Customer); percent-encode spaces and unicode."),
        ("reset_metadata" = Option<bool>, Query, description = "Refresh the cache first.")),
    responses((status = 200, body = ColumnList), (status = 404, body = super::error::ErrorResponse),
        (status = 502, body = super::error::ErrorResponse), (status = 503, body = super::error::ErrorResponse),
        (status = 504, body = super::error::ErrorResponse)))]
pub async fn columns(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, table)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    params.only(&["reset_metadata"])?;
    let reset = params.flag("reset_metadata")?;
    let connection = find_as(&state.store, &principal, &id, Action::Operate).await?;
    Ok(columns_of(&state, &connection, &table, reset).await?.into_response())
}

/// The tables of `connection`, from the cache when fresh (and not `reset`).
pub(crate) async fn tables_of(state: &AppState, connection: &Connection, reset: bool) -> ApiResult<Answer<TableInfo>> {
    let plugin = plugin_for(&state.registry, connection)?;
    let config = connection.properties.to_vec();
    cached(state, connection, "tables", "list-tables", reset, || plugin.list_tables(config, None, Vec::new())).await
}

/// The columns of `table` of `connection`, from the cache when fresh (and
/// not `reset`); an unknown table is 404 `table_not_found`.
pub(crate) async fn columns_of(
    state: &AppState,
    connection: &Connection,
    table: &str,
    reset: bool,
) -> ApiResult<Answer<ColumnInfo>> {
    let plugin = plugin_for(&state.registry, connection)?;
    let config = connection.properties.to_vec();
    // The exact name: a source may have tables differing only in case.
    let item = format!("columns:{table}");
    let name = table.to_string();
    cached(state, connection, &item, "list-columns", reset, || plugin.list_columns(config, name)).await.map_err(|e| {
        match e {
            ApiError::Connector(e) if e.kind == ErrorKind::NotFound => {
                ApiError::not_found("table_not_found", format!("Table `{table}` does not exist: {}", e.message))
            }
            other => other,
        }
    })
}

/// `POST /connections/{connection_id}/reset-metadata`: drops the cache and
/// calls the connector's `reset-metadata`.
#[utoipa::path(post, operation_id = "reset_metadata", path = "/connections/{connection_id}/reset-metadata", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = ResetResult), (status = 404, body = super::error::ErrorResponse),
        (status = 502, body = super::error::ErrorResponse), (status = 503, body = super::error::ErrorResponse),
        (status = 504, body = super::error::ErrorResponse)))]
pub async fn reset_metadata(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ResetResult>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Write).await?;
    let plugin = plugin_for(&state.registry, &connection)?;
    state.store.clear_cache(connection.id).await?;
    let call = plugin.reset_metadata(connection.properties.to_vec()).await;
    let outcome = call.result.as_ref().map_or_else(|e| e.to_string(), |()| "cache cleared".to_string());
    log(&state, &connection, "reset-metadata", &call, outcome, None).await;
    call.result.map_err(ApiError::from_call)?;
    Ok(Json(ResetResult { success: true, message: "Metadata reset.".into() }))
}

/// The cache key of a connection's configuration: its connector version and
/// a hash of its properties (names lower-cased, sorted).
fn config_key(c: &Connection) -> String {
    let mut pairs: Vec<(String, &str)> =
        c.properties.iter().map(|p| (p.name.to_lowercase(), p.value.as_str())).collect();
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

/// A list of metadata items, and its JSON text when that is exactly what
/// serializing the items gives (then the response is that text, with no
/// work per item).
pub(crate) struct Answer<T> {
    /// The items.
    pub(crate) items: Arc<Vec<T>>,
    json: Option<String>,
}

/// `{"value": [...]}`, as `TableList` and `ColumnList` serialize.
#[derive(Serialize)]
struct ValueList<'a, T> {
    value: &'a [T],
}

impl<T: Serialize> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        let body = match self.json {
            Some(json) => format!("{{\"value\":{json}}}"),
            None => serde_json::to_string(&ValueList { value: &self.items }).expect("metadata serializes"),
        };
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
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

/// A fresh cached answer for `item`, or `fetch`'s answer, cached.
async fn cached<T, F>(
    state: &AppState,
    connection: &Connection,
    item: &str,
    operation: &str,
    reset: bool,
    fetch: impl FnOnce() -> F,
) -> ApiResult<Answer<T>>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    F: Future<Output = Call<Vec<T>>>,
{
    let started = Instant::now();
    let key = config_key(connection);
    if !reset && let Some(hit) = state.store.cached(connection.id, item).await? {
        let max_age = connection.settings.metadata_refresh_interval.max_age();
        let fresh = max_age.is_none_or(|age| chrono::Utc::now() - hit.fetched_at < age);
        if hit.config_key == key && fresh {
            match hit.decoded(decode::<T>) {
                Some(decoded) => {
                    let outcome = format!("{} items from the cache", decoded.items.len());
                    let record = OperationRecord::new(operation, true, outcome, started.elapsed())
                        .with_payload(Some(hit.payload()));
                    state.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
                    let json = decoded.canonical.then(|| hit.payload().to_string());
                    return Ok(Answer { items: decoded.items.clone(), json });
                }
                None => {
                    tracing::warn!(connection = %connection.id, item, "unreadable cache entry; refetching")
                }
            }
        }
    }
    let call = fetch().await;
    let payload = call.result.as_ref().ok().map(|value| serde_json::to_string(value).expect("metadata serializes"));
    let outcome = call.result.as_ref().map_or_else(ToString::to_string, |value| format!("{} items", value.len()));
    log(state, connection, operation, &call, outcome, payload.as_deref()).await;
    let value = call.result.map_err(ApiError::from_call)?;
    if let Some(payload) = &payload {
        state.store.cache(connection.id, item, &key, payload).await?;
    }
    Ok(Answer { items: Arc::new(value), json: payload })
}

/// Logs a plugin call on the connection.
async fn log<T>(
    state: &AppState,
    connection: &Connection,
    operation: &str,
    call: &Call<T>,
    outcome: String,
    payload: Option<&str>,
) {
    let record = OperationRecord::new(operation, call.result.is_ok(), outcome, call.duration)
        .with_payload(payload)
        .with_plugin(&call.logs);
    state.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
}

/// Parses `include_table_types`: a comma list of TABLE, VIEW, SYNONYM.
fn table_types(raw: Option<&str>) -> ApiResult<Vec<TableType>> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    raw.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            TableType::ALL.into_iter().find(|ty| format!("{ty:?}").eq_ignore_ascii_case(t)).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("`include_table_types` takes TABLE, VIEW and SYNONYM, not `{t}`."),
                    Some("include_table_types".into()),
                )
            })
        })
        .collect()
}

impl From<CallError> for ApiError {
    fn from(error: CallError) -> Self {
        ApiError::from_call(error)
    }
}
