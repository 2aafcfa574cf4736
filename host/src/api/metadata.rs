//! Tables, columns and the metadata cache:
//! `/connections/{id}/tables`, `/connections/{id}/tables/{table}/columns`,
//! `/connections/{id}/reset-metadata`.
//!
//! Answers come from the metadata cache ([`crate::metadata`]).

use super::connections::find_as;
use super::error::{ApiError, ApiResult};
use super::extract::{Params, Path};
use super::state::AppState;
use crate::auth::{Action, Principal};
use crate::connector::model::{ColumnInfo, TableInfo, TableType};
use crate::metadata::{Answer, Keep, columns_of, tables_where};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
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
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse),
        (status = 502, body = super::error::ErrorResponse),
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
    let schema = params.get("schema").map(str::trim).filter(|s| !s.is_empty());
    let keep = |t: &TableInfo| {
        schema.is_none_or(|s| s.eq_ignore_ascii_case(&t.schema)) && (types.is_empty() || types.contains(&t.table_type))
    };
    let filtered = schema.is_some() || !types.is_empty();
    // The connection log counts what the caller gets (`2 of 12 items`).
    let keep: Option<Keep<'_, TableInfo>> = filtered.then_some(&keep);
    Ok(tables_where(&state.services(), &connection, reset, keep).await?.into_response())
}

/// `GET /connections/{connection_id}/tables`: the same read as the POST.
#[utoipa::path(get, operation_id = "list_tables_with_get", path = "/connections/{connection_id}/tables", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("schema" = Option<String>, Query, description = "Only tables of this schema (case-insensitive)."),
        ("include_table_types" = Option<String>, Query, pattern = "^ *((TABLE|VIEW|SYNONYM) *(, *(TABLE|VIEW|SYNONYM) *)*)?$", description = "Comma list of TABLE, VIEW, SYNONYM (any case)."),
        ("reset_metadata" = Option<bool>, Query, description = "Refresh the cache first.")),
    responses((status = 200, body = TableList), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse),
        (status = 502, body = super::error::ErrorResponse),
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
        (status = 409, body = super::error::ErrorResponse), (status = 502, body = super::error::ErrorResponse), (status = 503, body = super::error::ErrorResponse),
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
    Ok(columns_of(&state.services(), &connection, &table, reset).await?.into_response())
}

/// `POST /connections/{connection_id}/reset-metadata`: drops the cache and
/// calls the connector's `reset-metadata`.
#[utoipa::path(post, operation_id = "reset_metadata", path = "/connections/{connection_id}/reset-metadata", tag = "metadata",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = ResetResult), (status = 404, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse), (status = 502, body = super::error::ErrorResponse), (status = 503, body = super::error::ErrorResponse),
        (status = 504, body = super::error::ErrorResponse)))]
pub async fn reset_metadata(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ResetResult>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Write).await?;
    crate::metadata::reset(&state.services(), &connection).await?;
    Ok(Json(ResetResult { success: true, message: "Metadata reset.".into() }))
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
