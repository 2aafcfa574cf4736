//! `/connections/{id}/logs` and `/connections/{id}/logs/{log_name}/download`.

use super::connections::find_as;
use super::error::{ApiError, ApiResult};
use super::extract::{Params, Path};
use super::state::AppState;
use crate::auth::{Action, Principal};
use crate::logs::{LogError, LogFile};
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of connection logs.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list)).routes(routes!(download_with_get, download))
}

/// A connection's log files.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogList {
    /// Newest first.
    pub value: Vec<LogFile>,
}

impl From<LogError> for ApiError {
    fn from(error: LogError) -> Self {
        match error {
            LogError::InvalidName(name) => ApiError::bad_request(
                "invalid_log_name",
                format!("`{name}` is not a log file name; names look like 2026-11-27.log."),
                Some("log_name".into()),
            ),
            LogError::NotFound(name) => {
                ApiError::not_found("log_not_found", format!("No log file `{name}` for this connection."))
            }
            LogError::Io(e) => ApiError::Internal(e.to_string()),
        }
    }
}

/// `GET /connections/{connection_id}/logs`
#[utoipa::path(get, operation_id = "list_logs", path = "/connections/{connection_id}/logs", tag = "logs",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = LogList), (status = 404, body = super::error::ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<LogList>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Operate).await?;
    Ok(Json(LogList { value: state.logs.list(connection.id).await? }))
}

/// `POST /connections/{connection_id}/logs/{log_name}/download`: the file
/// as `text/plain`, as an attachment.
#[utoipa::path(post, operation_id = "download_log", path = "/connections/{connection_id}/logs/{log_name}/download", tag = "logs",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("log_name" = String, Path, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[0-9]+)?\\.log$", description = "A name from the log list, e.g. 2026-11-27.log.")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse)))]
pub async fn download(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, name)): Path<(String, String)>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Operate).await?;
    let bytes = state.logs.read(connection.id, &name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    ))
}

/// `GET /connections/{connection_id}/logs/{log_name}/download`: the same read as the POST.
#[utoipa::path(get, operation_id = "download_log_with_get", path = "/connections/{connection_id}/logs/{log_name}/download", tag = "logs",
    params(("connection_id" = String, Path, description = "The connection id."),
        ("log_name" = String, Path, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}(\\.[0-9]+)?\\.log$", description = "A name from the log list, e.g. 2026-11-27.log.")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse)))]
pub async fn download_with_get(
    state: State<AppState>,
    principal: Principal,
    path: Path<(String, String)>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    download(state, principal, path, params).await
}
