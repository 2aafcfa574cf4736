//! `/workspaces/{id}/connections` and `/connections/{id}`: create, read,
//! list, update, delete, test, reset credentials.

pub mod actions;
pub mod body;
pub mod view;

use super::error::{ApiError, ApiResult, ErrorDetail};
use super::extract::{JsonBody, Params, Path};
use super::state::AppState;
use super::workspaces::require_workspace_as;
use crate::auth::{Action, Principal};
use crate::connections::validate::{self, Required};
use crate::connections::{Connection, Properties, Settings, Status};
use crate::connector::registry::{Availability, Registry};
use crate::logs::OperationRecord;
use crate::runtime::{MASK, Plugin};
use crate::store::{ConnectionFilter, NewConnection, Store, WriteOutcome};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use body::{ConnectionBody, CreateConnection, UpdateConnection};
use serde::Serialize;
use std::time::Instant;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
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

/// The connection `id`, or 404.
pub async fn find(store: &Store, id: &str) -> ApiResult<Connection> {
    let uuid = Uuid::parse_str(id).map_err(|_| not_found(id))?;
    store.connection(uuid).await?.ok_or_else(|| not_found(id))
}

/// The connection `id` if `principal` may do `action` on it: 404 when its
/// workspace is not granted (as if it did not exist), 403 when the role
/// does not allow the action.
pub async fn find_as(store: &Store, principal: &Principal, id: &str, action: Action) -> ApiResult<Connection> {
    let connection = find(store, id).await?;
    principal.require(&connection.workspace_id, action, || not_found(id))?;
    Ok(connection)
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("connection_not_found", format!("Connection `{id}` does not exist."))
}

/// The plugin a connection is pinned to, keeping the log lines its
/// `logfile_verbosity` keeps: 503 `connector_loading` while it loads after a
/// restart, 502 `connector_refused` when it was refused.
pub fn plugin_for(registry: &Registry, c: &Connection) -> ApiResult<Plugin> {
    let (name, version) = (&c.connector, &c.connector_version);
    match registry.availability(name, version) {
        Availability::Loaded(plugin) => Ok(plugin.keeping_logs(c.settings.logfile_verbosity.max_level())),
        Availability::Loading => Err(super::connectors::loading(format!(
            "Connector {name} {version} of connection {} is still loading after a restart; try again in a moment.",
            c.id
        ))),
        Availability::Refused { reason, .. } => Err(ApiError::Unavailable {
            code: "connector_refused",
            message: format!(
                "Connector {name} {version} of connection {} was refused when this server loaded it ({reason}); \
                 its connections cannot run until an admin installs a component that loads.",
                c.id
            ),
            retry_after: None,
        }),
        Availability::Missing => {
            Err(ApiError::Internal(format!("connector {name} {version} of connection {} is not installed", c.id)))
        }
    }
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
        connector: params.get("connector").map(crate::connector::registry::normalize),
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
    JsonBody(body): JsonBody<CreateConnection>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &workspace_id, Action::Write).await?;
    let body = body.validate()?;
    let Some(connector) = body.connector.as_deref() else {
        return Err(ApiError::bad_request("missing_field", "`connector` is required.", Some("connector".into())));
    };
    let _pinning = state.registry.pin_guard().await;
    if state.registry.get(connector, body.connector_version.as_ref()).is_none() {
        // Perhaps installed through another server a moment ago.
        super::connectors::refresh(&state).await?;
    }
    let plugin = resolve(&state.registry, connector, body.connector_version.as_ref())?;
    let mut properties = Properties::default();
    for (name, value) in &body.properties {
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
        metadata_refresh_interval: body.refresh.unwrap_or_default(),
        logfile_verbosity: body.verbosity.unwrap_or_default(),
        use_cdata_callback_url: body.callback.unwrap_or_default(),
    };
    let name = body.name.unwrap_or_default();
    let new = NewConnection {
        workspace_id,
        name: name.clone(),
        connector: plugin.id().name.clone(),
        connector_version: plugin.id().version.clone(),
        properties,
        settings,
        labels: body.labels.unwrap_or_default(),
    };
    let started = Instant::now();
    match state.store.create_connection(new).await? {
        WriteOutcome::Done(c) => {
            let outcome = format!("created `{}` on {} {}", c.name, c.connector, c.connector_version);
            let record = OperationRecord::new("create", true, outcome, started.elapsed());
            state.logs.record(c.id, c.settings.logfile_verbosity, record).await;
            let location = format!("/api.rsc/v2/connections/{}", c.id);
            Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view(&c, Some(plugin.info())))))
        }
        WriteOutcome::NameTaken => Err(name_taken(&name)),
        other => Err(ApiError::Internal(format!("create gave {other:?}"))),
    }
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
    JsonBody(body): JsonBody<UpdateConnection>,
) -> ApiResult<Json<ConnectionView>> {
    params.only(&[])?;
    let read = find_as(&state.store, &principal, &id, Action::Write).await?;
    let body = body.validate()?;
    let started = Instant::now();
    let mut changes = String::new();
    // Only a move pins the connection to another version.
    let _pinning = match body.connector_version {
        Some(_) => Some(state.registry.pin_guard().await),
        None => None,
    };
    let view = write_with_retry(&state, read, |current| {
        let next = merge(&state.registry, current, &body)?;
        changes = describe_changes(current, &next);
        Ok(next)
    })
    .await?;
    let record = OperationRecord::new("update", true, changes, started.elapsed());
    state.logs.record(view.id, view.settings.logfile_verbosity, record).await;
    Ok(view)
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
    match state.store.delete_connection(connection.id).await? {
        WriteOutcome::Done(()) => {
            if let Err(error) = state.logs.remove(connection.id).await {
                tracing::warn!(%error, connection = %connection.id, "could not delete the connection's logs");
            }
            state.jobs.remove_connection_dir(connection.id).await;
            Ok(StatusCode::NO_CONTENT)
        }
        WriteOutcome::InUse(job) => Err(in_use(&id, &job)),
        _ => Err(ApiError::not_found("connection_not_found", format!("Connection `{id}` does not exist."))),
    }
}

/// Applies `change` to `read` (the connection as the caller read it) and
/// writes it back if nobody wrote in between; otherwise reads again and
/// retries (optimistic concurrency, so concurrent writers never lose each
/// other's changes).
pub async fn write_with_retry(
    state: &AppState,
    read: Connection,
    mut change: impl FnMut(&Connection) -> ApiResult<Connection>,
) -> ApiResult<Json<ConnectionView>> {
    let id = read.id.to_string();
    let id = id.as_str();
    let mut first = Some(read);
    for attempt in 0..100u32 {
        let current = match first.take() {
            Some(read) => read,
            None => find(&state.store, id).await?,
        };
        let next = change(&current)?;
        match state.store.update_connection(&next).await? {
            WriteOutcome::Done(c) => return Ok(Json(show(&state.registry, &c))),
            WriteOutcome::NotFound => break,
            WriteOutcome::NameTaken => return Err(name_taken(&next.name)),
            WriteOutcome::InUse(job) => return Err(in_use(id, &job)),
            // Back off a little, with jitter, so writers stop colliding.
            WriteOutcome::Stale => {
                let jitter = getrandom::u32().unwrap_or_default() % 1000;
                let micros = u64::from(jitter) * u64::from(attempt.min(20) + 1);
                tokio::time::sleep(std::time::Duration::from_micros(micros)).await;
            }
        }
    }
    Err(ApiError::conflict(
        "write_conflict",
        format!("Connection `{id}` kept changing under this update; try again."),
        None,
    ))
}

/// The connection `current` with the body's changes merged in, validated.
fn merge(registry: &Registry, current: &Connection, body: &ConnectionBody) -> ApiResult<Connection> {
    let mut next = current.clone();
    if let Some(name) = &body.name {
        next.name = name.clone();
    }
    let plugin = match &body.connector_version {
        Some(v) => resolve(registry, &current.connector, Some(v))?,
        None => plugin_for(registry, current)?,
    };
    next.connector_version = plugin.id().version.clone();
    let mut removed = Vec::new();
    for (name, value) in &body.properties {
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
    settings.metadata_refresh_interval = body.refresh.unwrap_or(settings.metadata_refresh_interval);
    settings.logfile_verbosity = body.verbosity.unwrap_or(settings.logfile_verbosity);
    settings.use_cdata_callback_url = body.callback.unwrap_or(settings.use_cdata_callback_url);
    if let Some(labels) = &body.labels {
        next.labels = labels.clone();
    }
    // New properties or another version make the last test say nothing;
    // a connection waiting for credentials keeps waiting until it gets them.
    if next.properties != current.properties || (moved && current.status != Status::NeedsCredentials) {
        next.status = Status::Untested;
    }
    Ok(next)
}

/// The installed connector `name` at `version` (or its newest), or a 400
/// listing what is installed.
fn resolve(registry: &Registry, name: &str, version: Option<&semver::Version>) -> ApiResult<Plugin> {
    if let Some(plugin) = registry.get(name, version) {
        return Ok(plugin);
    }
    if registry.is_starting() {
        return Err(super::connectors::loading(format!(
            "The installed connectors are still loading after a restart; `{name}` is not loaded yet. Try again in a moment."
        )));
    }
    let installed = registry.versions(name);
    if installed.is_empty() {
        let mut names: Vec<String> = registry.list().iter().map(|p| p.id().name.clone()).collect();
        names.dedup();
        return Err(ApiError::bad_request(
            "unknown_connector",
            format!("Connector `{name}` is not installed; installed connectors: {}.", names.join(", ")),
            Some("connector".to_string()),
        ));
    }
    let versions: Vec<String> = installed.iter().map(|p| p.id().version.to_string()).collect();
    Err(ApiError::bad_request(
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
fn check(properties: &Properties, plugin: &Plugin, required: Required<'_>) -> ApiResult<()> {
    let problems = validate::check(properties, plugin.info(), required)
        .into_iter()
        .map(|p| ErrorDetail { code: p.code, message: p.message, target: Some(format!("properties.{}", p.property)) })
        .collect();
    body::into_result(problems)
}

fn mask_without_secret(name: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_property_value",
        format!("`{MASK}` stands for a stored secret, but `{name}` has none; send its value."),
        Some(format!("properties.{name}")),
    )
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict(
        "name_taken",
        format!("A connection named `{name}` already exists in this workspace."),
        Some("name".into()),
    )
}

fn in_use(id: &str, job: &str) -> ApiError {
    ApiError::conflict(
        "connection_in_use",
        format!("Connection `{id}` is in use by running job `{job}`."),
        Some(job.into()),
    )
}
