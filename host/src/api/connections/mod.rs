//! `/workspaces/{id}/connections` and `/connections/{id}`: create, read,
//! list, update, delete, test, reset credentials.

pub mod actions;
pub mod body;
pub mod view;

use super::auth::Require;
use super::error::{ApiError, ApiResult};
use super::extract::{JsonBody, Params, Path};
use super::state::AppState;
use super::workspaces::require_workspace_as;
use crate::auth::{Action, Principal};
use crate::connections::Connection;
use crate::registry::{Availability, Registry};
use crate::service::connections as service;
use crate::service::{ServiceError, What};
use crate::store::{ConnectionFilter, Store};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use body::{CreateConnection, UpdateConnection};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use view::{ConnectionView, view};

/// The routes of connections.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(actions::test))
        .routes(routes!(actions::reset_credentials))
}

/// The largest page of a listing.
pub const MAX_TOP: i64 = 1000;

/// A page of connections.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConnectionList {
    /// The connections, by name.
    pub value: Vec<ConnectionView>,
    /// The query that fetches the next page, when there is one.
    #[serde(rename = "@odata.nextLink", skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// The connection `id` if `principal` may do `action` on it: 404 when its
/// workspace is not granted (as if it did not exist), 403 when the role
/// does not allow the action.
pub async fn find_as(store: &Store, principal: &Principal, id: &str, action: Action) -> ApiResult<Connection> {
    let connection = service::find(store, id).await?;
    let hidden = || ApiError::from(ServiceError::NotFound { what: What::Connection, id: id.into() });
    principal.require(&connection.workspace_id, action, hidden)?;
    Ok(connection)
}

/// The view of `c`, masked by its pinned version's specs: those recorded
/// at install, also for a version refused at load.
pub fn show(registry: &Registry, c: &Connection) -> ConnectionView {
    match registry.availability(&c.connector, &c.connector_version) {
        Availability::Loaded(plugin) => view(c, Some(plugin.info())),
        Availability::Refused { info: Some(info), .. } => view(c, Some(&info)),
        _ => view(c, None),
    }
}

/// `GET /workspaces/{workspace_id}/connections`
#[utoipa::path(get, operation_id = "list_connections", path = "/workspaces/{workspace_id}/connections", tag = "connections",
    params(("workspace_id" = String, Path, description = "The workspace."),
        ("$top" = Option<i64>, Query, minimum = 0, maximum = 1000, description = "At most this many (default and maximum 1000)."),
        ("$skip" = Option<i64>, Query, minimum = 0, description = "Skip this many first."),
        ("label" = Option<String>, Query, description = "Only connections with this label."),
        ("connector" = Option<String>, Query, description = "Only connections of this connector.")),
    responses((status = 200, body = ConnectionList), (status = 404, body = super::error::ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(workspace_id): Path<String>,
    params: Params,
) -> ApiResult<Json<ConnectionList>> {
    params.only(&["top", "skip", "label", "connector"])?;
    require_workspace_as(&state.store, &principal, &workspace_id, Action::Read).await?;
    let top = params.count("top", MAX_TOP)?.unwrap_or(MAX_TOP);
    let skip = params.count("skip", i64::MAX)?.unwrap_or(0);
    let filter = ConnectionFilter {
        label: params.get("label").map(str::to_string),
        connector: params.get("connector").map(crate::connector::normalize),
        top: Some(top + 1),
        skip: Some(skip),
    };
    let mut found = state.store.connections(&workspace_id, &filter).await?;
    let more = found.len() as i64 > top;
    found.truncate(top as usize);
    // `$top=0` asks for no rows: no next page either, or a client that
    // follows links would ask for the same empty page forever.
    let next_link = (more && top > 0).then(|| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("$top", &top.to_string()).append_pair("$skip", &(skip + top).to_string());
        for name in ["label", "connector"] {
            if let Some(v) = params.get(name) {
                query.append_pair(name, v);
            }
        }
        format!("/api.rsc/v2/workspaces/{workspace_id}/connections?{}", query.finish())
    });
    let value = found.iter().map(|c| show(&state.registry, c)).collect();
    Ok(Json(ConnectionList { value, next_link }))
}

/// `GET /connections/{connection_id}`
#[utoipa::path(get, operation_id = "get_connection", path = "/connections/{connection_id}", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = ConnectionView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<ConnectionView>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Read).await?;
    Ok(Json(show(&state.registry, &connection)))
}

/// `POST /workspaces/{workspace_id}/connections`
#[utoipa::path(post, operation_id = "create_connection", path = "/workspaces/{workspace_id}/connections", tag = "connections",
    params(("workspace_id" = String, Path, description = "The workspace.")),
    request_body(content = CreateConnection),
    responses((status = 201, body = ConnectionView), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(workspace_id): Path<String>,
    params: Params,
    body: JsonBody<CreateConnection>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &workspace_id, Action::Write).await?;
    let body = body.parse()?.validate()?;
    let (c, plugin) = service::create(&state.services(), workspace_id, body).await?;
    let location = format!("/api.rsc/v2/connections/{}", c.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view(&c, Some(plugin.info())))))
}

/// `PUT /connections/{connection_id}`: merges properties and settings.
#[utoipa::path(put, operation_id = "update_connection", path = "/connections/{connection_id}", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    request_body(content = UpdateConnection),
    responses((status = 200, body = ConnectionView), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    body: JsonBody<UpdateConnection>,
) -> ApiResult<Json<ConnectionView>> {
    params.only(&[])?;
    let read = find_as(&state.store, &principal, &id, Action::Write).await?;
    let body = body.parse()?.validate()?;
    let written = service::update(&state.services(), read, &body).await?;
    Ok(Json(show(&state.registry, &written)))
}

/// `DELETE /connections/{connection_id}`
#[utoipa::path(delete, operation_id = "delete_connection", path = "/connections/{connection_id}", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 204), (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<StatusCode> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Write).await?;
    service::delete(&state.services(), &connection, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
