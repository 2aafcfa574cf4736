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
use crate::registry::{Registry, RegistryError, normalize};
use crate::runtime::{Cap, LoadError, Plugin};
use crate::service::connectors::{self as service, Component};
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
    /// Its signature, when signed: the key and whether this server trusts
    /// it. `null` when unsigned. A signature by a key that is not trusted
    /// vouches for nothing (anyone can make a key); see docs/security.md,
    /// "Signed connectors".
    pub signature: Option<SignatureView>,
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
    /// What a job may use it as: `source`, `destination`, both, or none (a
    /// metadata-only connector, like every WIT 0.1.0 one).
    pub roles: Vec<String>,
    /// The origins it may send requests to, as patterns over its properties
    /// (WIT 0.3.0; empty: it has no network). See docs/security.md.
    pub egress: Vec<String>,
    /// How the host authorizes its connections with OAuth 2.0 (WIT 0.3.0),
    /// when the service uses it (docs/oauth.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oauth: Option<crate::connector::model::OAuthSpec>,
}

/// The signature of an installed version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignatureView {
    /// The Ed25519 public key (base64) the signature verifies with: it was
    /// checked against the component's bytes.
    pub key: String,
    /// Whether the key is one of this server's trusted keys
    /// (`--trusted-keys-file`). `false` when the server trusts no key.
    pub trusted: bool,
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
    let plugin = service::version(&state.registry, &name, &version)?;
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
    let installed = service::install(&state.services(), Component { bytes: Vec::from(bytes), signature }).await?;
    let (plugin, status) = (installed.plugin, if installed.created { StatusCode::CREATED } else { StatusCode::OK });
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
    service::remove(&state.services(), &name, &version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Loads what other servers installed or removed since the last refresh.
pub async fn refresh(state: &AppState) -> ApiResult<()> {
    Ok(crate::service::refresh_connectors(&state.services()).await?)
}

/// The view of an installed version.
pub fn version_view(registry: &Registry, plugin: &Plugin) -> ConnectorVersionView {
    let (id, info) = (plugin.id(), plugin.info());
    ConnectorVersionView {
        name: id.name.clone(),
        version: id.version.to_string(),
        sha256: id.sha256.clone(),
        wit_version: id.wit.to_string(),
        signature: registry.signer(plugin).map(|key| SignatureView { trusted: registry.trusts(&key), key }),
        publisher: registry.publisher(plugin).to_text(),
        display_name: info.display_name.clone(),
        description: info.description.clone(),
        properties: info.properties.clone(),
        roles: [("source", info.roles.source), ("destination", info.roles.destination)]
            .into_iter()
            .filter(|(_, has)| *has)
            .map(|(role, _)| role.to_string())
            .collect(),
        egress: info.egress.clone(),
        oauth: info.oauth.clone(),
    }
}

/// A connector from its versions, oldest first (not empty).
fn connector_view(versions: Vec<ConnectorVersionView>) -> ConnectorView {
    let newest = versions.last().map(|v| (v.name.clone(), v.version.clone())).unwrap_or_default();
    ConnectorView { name: newest.0, newest_version: newest.1, versions }
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
pub(super) fn registry_error(error: RegistryError) -> ApiError {
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
