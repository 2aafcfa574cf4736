//! `/connectors`: what is installed, with property specs to build forms;
//! installing a component (its bytes as the body) and removing a version.

use super::auth::Require;
use super::error::{ApiError, ApiResult};
use super::extract::{Params, Path};
use super::state::AppState;
use crate::auth::Principal;
use crate::connector::model::PropertySpec;
use crate::connector::publisher::Publisher;
use crate::connector::signature::{Signature, SignatureError};
use crate::registry::shared;
use crate::registry::{Installed, Registry, RegistryError, normalize};
use crate::runtime::{Cap, LoadError, Plugin};
use crate::store::{PinnedConnection, Stored};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The header that carries a component's detached signature on install.
pub const SIGNATURE_HEADER: &str = "x-syncport-signature";

/// How long an install waits for the start-up load before it answers
/// `connector_loading`.
const STARTUP_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A 503 `connector_loading`: try again in a moment.
pub fn loading(message: impl Into<String>) -> ApiError {
    ApiError::Unavailable { code: "connector_loading", message: message.into(), retry_after: Some(2) }
}

/// The routes of connectors; installs read bodies up to
/// [`AppState::component_limit`] bytes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, install)).routes(routes!(read)).routes(routes!(read_version, remove))
}

/// One installed version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectorVersionView {
    /// The connector's name.
    pub name: String,
    /// The version.
    pub version: String,
    /// The sha256 of the component.
    pub sha256: String,
    /// The WIT package version it targets.
    pub wit_version: String,
    /// The public key that signed it (base64), when signed.
    pub signed_by: Option<String>,
    /// Who published it, and so owns its name: `bundled` (the server's
    /// connectors directory), `key:<base64 public key>` (its signer) or
    /// `unsigned` (installed unsigned by an admin).
    pub publisher: String,
    /// A human name.
    pub display_name: String,
    /// What it connects to.
    pub description: String,
    /// The properties it accepts.
    #[schema(value_type = Vec<Object>)]
    pub properties: Vec<PropertySpec>,
}

/// An installed connector with its versions, newest last.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectorView {
    /// Its name.
    pub name: String,
    /// The version new connections get.
    pub newest_version: String,
    /// Every installed version, oldest first.
    pub versions: Vec<ConnectorVersionView>,
}

/// The installed connectors.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectorList {
    /// By name.
    pub value: Vec<ConnectorView>,
}

/// `GET /connectors`
#[utoipa::path(get, operation_id = "list_connectors", path = "/connectors", tag = "connectors", responses((status = 200, body = ConnectorList)))]
pub async fn list(State(state): State<AppState>, params: Params) -> ApiResult<Json<ConnectorList>> {
    params.only(&[])?;
    refresh(&state).await?;
    Ok(Json(connector_list(&state.registry)))
}

/// Every installed connector, grouped as the registry looks names up.
pub fn connector_list(registry: &Registry) -> ConnectorList {
    let mut value: Vec<(String, ConnectorView)> = Vec::new();
    for plugin in registry.list() {
        let key = normalize(&plugin.id().name);
        let version = version_view(registry, &plugin);
        match value.last_mut() {
            Some((last, connector)) if *last == key => {
                connector.newest_version = version.version.clone();
                connector.versions.push(version);
            }
            _ => value.push((key, connector_view(vec![version]))),
        }
    }
    ConnectorList { value: value.into_iter().map(|(_, connector)| connector).collect() }
}

/// `GET /connectors/{name}`
#[utoipa::path(get, operation_id = "get_connector", path = "/connectors/{name}", tag = "connectors",
    params(("name" = String, Path, description = "The connector name (case-insensitive; a `CData ` prefix is ignored).")),
    responses((status = 200, body = ConnectorView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn read(
    State(state): State<AppState>,
    Path(name): Path<String>,
    params: Params,
) -> ApiResult<Json<ConnectorView>> {
    params.only(&[])?;
    refresh(&state).await?;
    let versions: Vec<_> = state.registry.versions(&name).iter().map(|p| version_view(&state.registry, p)).collect();
    if versions.is_empty() {
        return Err(ApiError::not_found("connector_not_found", format!("Connector `{name}` is not installed.")));
    }
    Ok(Json(connector_view(versions)))
}

/// `GET /connectors/{name}/versions/{version}`
#[utoipa::path(get, operation_id = "get_connector_version", path = "/connectors/{name}/versions/{version}", tag = "connectors",
    params(("name" = String, Path, description = "The connector name."), ("version" = String, Path, description = "The version (semver).")),
    responses((status = 200, body = ConnectorVersionView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn read_version(
    State(state): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Json<ConnectorVersionView>> {
    params.only(&[])?;
    refresh(&state).await?;
    let plugin = installed(&state.registry, &name, &version)?;
    Ok(Json(version_view(&state.registry, &plugin)))
}

/// `POST /connectors` (admins): the body is the component
/// (`Content-Type: application/wasm`), its signature in
/// `X-Syncport-Signature`. 201 when installed, 200 when the same bytes
/// already were.
#[utoipa::path(post, operation_id = "install_connector", path = "/connectors", tag = "connectors",
    request_body(description = "The connector component (its bytes).",
        content((String = "application/wasm"), (String = "application/octet-stream"))),
    params(("X-Syncport-Signature" = Option<String>, Header, pattern = "^syncport-ed25519 [A-Za-z0-9+/]+=* [A-Za-z0-9+/]+=*$", description = "`syncport-ed25519 <public key> <signature>`, from `syncport connector sign`.")),
    responses((status = 201, body = ConnectorVersionView), (status = 200, body = ConnectorVersionView),
        (status = 400, body = super::error::ErrorResponse), (status = 403, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse), (status = 413, body = super::error::ErrorResponse),
        (status = 415, body = super::error::ErrorResponse), (status = 503, body = super::error::ErrorResponse)))]
pub async fn install(
    State(state): State<AppState>,
    principal: Principal,
    params: Params,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<impl IntoResponse> {
    // Who and what, before reading a body of up to the component limit.
    principal.require_admin()?;
    params.only(&[])?;
    let mime = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mime = mime.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if mime != "application/wasm" && mime != "application/octet-stream" {
        return Err(ApiError::UnsupportedMediaType {
            expected: "a WebAssembly component (Content-Type: application/wasm)",
        });
    }
    let signature = match headers.get(SIGNATURE_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| SignatureError::Malformed("the signature header is not ASCII".into()))
                .and_then(Signature::parse)
                .map_err(signature_error)?,
        ),
    };
    let bytes = axum::body::to_bytes(body, state.component_limit).await.map_err(|error| {
        if std::error::Error::source(&error).is_some_and(|e| e.is::<http_body_util::LengthLimitError>()) {
            ApiError::PayloadTooLarge
        } else {
            ApiError::bad_request(
                "unreadable_body",
                format!("The body could not be read: {error}."),
                Some("body".into()),
            )
        }
    })?;
    // Which names belong to whom is known once the start-up load is done.
    if !state.registry.wait_started(STARTUP_WAIT).await {
        return Err(loading("the installed connectors are still loading after a restart"));
    }
    // Inspected, compiled under the budget and described, off the request
    // threads; then its name checked against its owner; then stored in the
    // database, which decides a name and version (and the name's owner) for
    // every server; then kept and made callable here.
    // Its `describe` has a deadline even when it blocks in a host call.
    let prepared = shared::load_with_deadline(&state.registry, "component", &bytes, signature.as_ref(), None, false)
        .await
        .map_err(registry_error)?;
    let id = prepared.plugin.id().clone();
    match state.registry.get(&id.name, Some(&id.version)) {
        Some(installed) if installed.id().sha256 != id.sha256 => {
            let (name, version, installed) = (id.name.clone(), id.version.clone(), installed.id().sha256.clone());
            return Err(registry_error(RegistryError::Conflict { name, version, installed }));
        }
        // The same bytes: installed already, whoever installs them again.
        Some(_) => {}
        None => state.registry.check_owner(&id.name, &prepared.publisher).map_err(registry_error)?,
    }
    let row = shared::row_of(&prepared.plugin, signature.as_ref(), &prepared.publisher);
    let stored = match state.store.store_component(&row, &bytes).await? {
        Stored::Conflict(installed) => {
            let (name, version) = (id.name.clone(), id.version.clone());
            return Err(registry_error(RegistryError::Conflict { name, version, installed }));
        }
        Stored::NameOwned(owner) => {
            let owner = Publisher::parse(&owner).unwrap_or(Publisher::Unsigned);
            let (name, publisher) = (id.name.clone(), prepared.publisher.clone());
            return Err(registry_error(RegistryError::NameOwned { name, owner, publisher }));
        }
        stored => stored,
    };
    let registry = state.registry.clone();
    let Installed { plugin, .. } =
        tokio::task::spawn_blocking(move || registry.commit(prepared, &bytes, signature.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(format!("install task: {e}")))?
            .map_err(registry_error)?;
    let status = if stored == Stored::Inserted {
        let id = plugin.id();
        tracing::info!(name = %id.name, version = %id.version, sha256 = %id.sha256, "installed connector");
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let name: String = form_urlencoded::byte_serialize(plugin.id().name.as_bytes()).collect();
    let location = format!("/api.rsc/v2/connectors/{}/versions/{}", name.replace('+', "%20"), plugin.id().version);
    Ok((status, [(header::LOCATION, location)], Json(version_view(&state.registry, &plugin))))
}

/// `DELETE /connectors/{name}/versions/{version}` (admins): 409 naming the
/// connections pinned to it.
#[utoipa::path(delete, operation_id = "remove_connector_version", path = "/connectors/{name}/versions/{version}", tag = "connectors",
    params(("name" = String, Path, description = "The connector name."), ("version" = String, Path, description = "The version (semver).")),
    responses((status = 204), (status = 403, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Path((name, version)): Path<(String, String)>,
    params: Params,
) -> ApiResult<StatusCode> {
    principal.require_admin()?;
    params.only(&[])?;
    let plugin = installed(&state.registry, &name, &version)?;
    let id = plugin.id().clone();
    let no_new_pins = state.registry.removal_guard().await;
    // One statement checks the pins and deletes, for every server at once.
    let pinned = state.store.delete_component(&id.name, &id.version.to_string()).await?;
    if !pinned.is_empty() {
        return Err(ApiError::conflict(
            "connector_version_in_use",
            format!(
                "{}. Move them to another version (PUT with connector_version) or delete them first.",
                pinned_message(&id.name, &id.version, &pinned)
            ),
            Some(format!("{}/{}", id.name, id.version)),
        ));
    }
    let registry = state.registry.clone();
    let removed = tokio::task::spawn_blocking(move || {
        let _no_new_pins = no_new_pins;
        registry.remove(&id.name, &id.version)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("remove task: {e}")))?;
    match removed {
        // A refresh may have dropped it already.
        Ok(_) | Err(RegistryError::NotInstalled { .. }) => {}
        Err(error) => return Err(registry_error(error)),
    }
    tracing::info!(name = %plugin.id().name, version = %plugin.id().version, "removed connector");
    Ok(StatusCode::NO_CONTENT)
}

/// Loads what other servers installed or removed since the last refresh.
pub async fn refresh(state: &AppState) -> ApiResult<()> {
    Ok(crate::service::refresh_connectors(&state.services()).await?)
}

/// The installed `version` of `name`, or 404.
fn installed(registry: &Registry, name: &str, version: &str) -> ApiResult<Plugin> {
    let not_found = || {
        ApiError::not_found(
            "connector_version_not_found",
            format!("Connector `{name}` version `{version}` is not installed."),
        )
    };
    let version = semver::Version::parse(version).map_err(|_| not_found())?;
    registry.get(name, Some(&version)).ok_or_else(not_found)
}

/// The view of an installed version.
pub fn version_view(registry: &Registry, plugin: &Plugin) -> ConnectorVersionView {
    let (id, info) = (plugin.id(), plugin.info());
    ConnectorVersionView {
        name: id.name.clone(),
        version: id.version.to_string(),
        sha256: id.sha256.clone(),
        wit_version: id.wit.to_string(),
        signed_by: registry.signer(plugin),
        publisher: registry.publisher(plugin).to_text(),
        display_name: info.display_name.clone(),
        description: info.description.clone(),
        properties: info.properties.clone(),
    }
}

/// A connector from its versions, oldest first (not empty).
fn connector_view(versions: Vec<ConnectorVersionView>) -> ConnectorView {
    let newest = versions.last().map(|v| (v.name.clone(), v.version.clone())).unwrap_or_default();
    ConnectorView { name: newest.0, newest_version: newest.1, versions }
}

/// `name version is pinned by N connection(s): workspace/name (id), ...`,
/// at most 20 named.
pub fn pinned_message(name: &str, version: &semver::Version, pinned: &[PinnedConnection]) -> String {
    const SHOWN: usize = 20;
    let mut names: Vec<String> =
        pinned.iter().take(SHOWN).map(|c| format!("{}/{} ({})", c.workspace_id, c.name, c.id)).collect();
    if pinned.len() > SHOWN {
        names.push(format!("and {} more", pinned.len() - SHOWN));
    }
    format!("{name} {version} is pinned by {} connection(s): {}", pinned.len(), names.join(", "))
}

fn signature_error(source: SignatureError) -> ApiError {
    let code = match source {
        SignatureError::Malformed(_) => "malformed_signature",
        SignatureError::Missing | SignatureError::NoTrustedKeys => "signature_required",
        SignatureError::Invalid { .. } => "invalid_signature",
        SignatureError::Untrusted { .. } => "untrusted_signature",
    };
    ApiError::bad_request(code, source.to_string(), Some(SIGNATURE_HEADER.into()))
}

/// An install or removal failure as the API reports it.
fn registry_error(error: RegistryError) -> ApiError {
    match error {
        RegistryError::Load { source: LoadError::PoolFull(full), .. } => {
            ApiError::conflict("instance_pool_full", full.to_string(), Some("body".into()))
        }
        RegistryError::Load { source, .. } => {
            let code = match source {
                LoadError::PoolFull(_) => "instance_pool_full",
                LoadError::NotAComponent(_) => "invalid_component",
                LoadError::UnsupportedWit { .. } => "unsupported_wit_version",
                LoadError::Incompatible(_) => "incompatible_component",
                LoadError::Describe(_) => "invalid_describe",
                LoadError::OverLimit { cap: Cap::CoreInstances, .. } => "component_too_many_instances",
                LoadError::OverLimit { cap: Cap::Memories, .. } => "component_too_many_memories",
                LoadError::OverLimit { cap: Cap::Tables, .. } => "component_too_many_tables",
                LoadError::CompileTimeout { .. } => "component_compile_timeout",
                LoadError::CompileMemory { .. } => "component_compile_memory",
                LoadError::CompileFailed(_) => "component_compile_failed",
                LoadError::DescribeChanged(_) => "describe_changed",
                LoadError::LoadTimeout { .. } => "component_load_timeout",
            };
            ApiError::bad_request(code, source.to_string(), Some("body".into()))
        }
        RegistryError::Signature { source, .. } => signature_error(source),
        RegistryError::NameOwned { ref owner, ref name, .. } => {
            let target = Some(name.clone());
            if *owner == Publisher::Bundled {
                ApiError::Refused { code: "connector_name_reserved", message: error.to_string(), target }
            } else {
                ApiError::conflict("connector_name_owned", error.to_string(), target)
            }
        }
        RegistryError::Conflict { ref name, ref version, .. } => {
            let target = format!("{name}/{version}");
            ApiError::conflict("connector_version_conflict", error.to_string(), Some(target))
        }
        RegistryError::NotInstalled { .. } => ApiError::not_found("connector_version_not_found", error.to_string()),
        RegistryError::Io { .. } => ApiError::Internal(error.to_string()),
    }
}
