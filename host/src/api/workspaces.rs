//! `/workspaces`: list, create, read, delete.

use super::auth::{Require, forbidden};
use super::error::{ApiError, ApiResult};
use super::extract::{Field, JsonBody, PRINTABLE_PATTERN, Params, Path, Problems};
use super::state::AppState;
use crate::auth::{Action, Denied, Principal};
use crate::service::workspaces::{self as service, NewWorkspace};
use crate::store::{Store, Workspace};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of workspaces.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, remove))
}

/// `id`: 1 to 64 letters, digits, `-` and `_`.
fn workspace_id_schema() -> utoipa::openapi::schema::Object {
    crate::api::extract::text_schema(1, 64, "^[A-Za-z0-9_-]{1,64}$")
}

/// `name`: at most 128 characters, no control characters.
fn workspace_name_schema() -> utoipa::openapi::schema::Object {
    crate::api::extract::text_schema(0, 128, PRINTABLE_PATTERN)
}

/// `POST /workspaces`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": "sales", "name": "Sales"}))]
pub struct CreateWorkspace {
    /// 1 to 64 letters, digits, `-` and `_`; used in paths.
    #[schema(schema_with = workspace_id_schema)]
    id: Field<String>,
    /// Up to 128 characters, no control characters; default (or blank): the id.
    #[serde(default)]
    #[schema(schema_with = workspace_name_schema)]
    name: Field<String>,
}

impl CreateWorkspace {
    /// The workspace asked for, checked: an id of 1 to 64 letters, digits,
    /// `-` and `_`; a name of at most 128 characters without control
    /// characters.
    fn read(self) -> ApiResult<NewWorkspace> {
        let mut problems = Problems::default();
        let (id, name) = (self.id.get("id", &mut problems), self.name.get("name", &mut problems));
        problems.finish(())?;
        let id = id.ok_or_else(|| ApiError::bad_request("missing_field", "`id` is required.", Some("id".into())))?;
        let valid =
            !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(ApiError::bad_request(
                "invalid_field",
                "A workspace id has 1 to 64 letters, digits, `-` or `_`.",
                Some("id".into()),
            ));
        }
        if name.as_deref().is_some_and(|n| n.chars().count() > 128 || n.chars().any(char::is_control)) {
            return Err(ApiError::bad_request(
                "invalid_field",
                "A workspace name has 1 to 128 characters and no control characters.",
                Some("name".into()),
            ));
        }
        Ok(NewWorkspace { id, name })
    }
}

/// A workspace in a response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceView {
    /// Its id, used in paths.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many connections it holds.
    pub connection_count: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A list of workspaces.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceList {
    /// The workspaces, by id.
    pub value: Vec<WorkspaceView>,
}

fn view(w: Workspace) -> WorkspaceView {
    WorkspaceView { id: w.id, name: w.name, connection_count: w.connections, created_at: w.created_at }
}

/// Succeeds if workspace `id` exists and `principal` may do `action` in
/// it: 404 when it is missing or not granted (as if it did not exist), 403
/// when the role does not allow the action. Checks existence only, without
/// counting connections.
pub async fn require_workspace_as(store: &Store, principal: &Principal, id: &str, action: Action) -> ApiResult<()> {
    let check = principal.check(id, action);
    if check == Err(Denied::Hidden) || !store.workspace_exists(id).await? {
        return Err(not_found(id));
    }
    check.map_err(|_| forbidden())
}

fn not_found(id: &str) -> ApiError {
    ApiError::from(service::not_found(id))
}

/// `GET /workspaces`
#[utoipa::path(get, operation_id = "list_workspaces", path = "/workspaces", tag = "workspaces", responses((status = 200, body = WorkspaceList)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    params: Params,
) -> ApiResult<Json<WorkspaceList>> {
    params.only(&[])?;
    let visible = state.store.workspaces().await?.into_iter().filter(|w| principal.sees(&w.id));
    Ok(Json(WorkspaceList { value: visible.map(view).collect() }))
}

/// `GET /workspaces/{workspace_id}`
#[utoipa::path(get, operation_id = "get_workspace", path = "/workspaces/{workspace_id}", tag = "workspaces",
    params(("workspace_id" = String, Path, description = "The workspace id.")),
    responses((status = 200, body = WorkspaceView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<WorkspaceView>> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &id, Action::Read).await?;
    Ok(Json(view(service::find(&state.store, &id).await?)))
}

/// `POST /workspaces` with `{"id": "sales", "name": "Sales"}`; `name`
/// defaults to the id.
#[utoipa::path(post, operation_id = "create_workspace", path = "/workspaces", tag = "workspaces",
    request_body(content = CreateWorkspace),
    responses((status = 201, body = WorkspaceView), (status = 400, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    params: Params,
    body: JsonBody<CreateWorkspace>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    principal.require_admin()?;
    let new = body.parse()?.read()?;
    let location = format!("/api.rsc/v2/workspaces/{}", new.id);
    let created = service::create(&state.services(), new).await?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view(created))))
}

/// `DELETE /workspaces/{workspace_id}`: only an empty workspace, never `default`.
#[utoipa::path(delete, operation_id = "delete_workspace", path = "/workspaces/{workspace_id}", tag = "workspaces",
    params(("workspace_id" = String, Path, description = "The workspace id.")),
    responses((status = 204), (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<StatusCode> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &id, Action::Administer).await?;
    service::delete(&state.services(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
