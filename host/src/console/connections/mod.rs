//! Console pages of connections: the list of a workspace ([`list`]), one
//! connection ([`detail`]), the create and edit forms ([`edit`]), its
//! actions ([`actions`]), tables and columns ([`tables`]) and logs
//! ([`logs`]).

mod actions;
mod detail;
pub mod edit;
mod list;
mod logs;
mod tables;

use super::Console;
pub use super::api::List;
use super::api::{Answer, Api, segment};
use crate::connections::Settings;
use crate::connector::model::PropertySpec;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value};

/// The routes of the connection pages.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/workspaces/{workspace}/connections", get(list::list).post(edit::create))
        .route("/workspaces/{workspace}/connections/new", get(edit::new))
        .route("/connections/{id}", get(detail::detail).post(edit::update))
        .route("/connections/{id}/edit", get(edit::edit))
        .route("/connections/{id}/test", post(actions::test))
        .route("/connections/{id}/reset-metadata", post(actions::reset_metadata))
        .route("/connections/{id}/reset-credentials", post(actions::reset_credentials))
        .route("/connections/{id}/authorize", post(actions::authorize))
        .route("/connections/{id}/delete", get(actions::confirm_delete).post(actions::delete))
        .route("/connections/{id}/tables", get(tables::tables))
        .route("/connections/{id}/reset-tables", post(tables::reset))
        .route("/connections/{id}/tables/{table}", get(tables::columns))
        .route("/connections/{id}/logs", get(logs::list))
        .route("/connections/{id}/logs/{name}", get(logs::view))
        .route("/connections/{id}/logs/{name}/download", get(logs::download))
}

/// A connection as the API shows it (secrets masked).
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectionView {
    /// Its id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Its name.
    pub name: String,
    /// Its connector.
    pub connector: String,
    /// The version it is pinned to.
    pub connector_version: String,
    /// Its property values, secrets masked.
    pub properties: Map<String, Value>,
    /// Its settings.
    pub settings: Settings,
    /// Its labels.
    pub labels: Vec<String>,
    /// `untested`, `ok`, `failed` or `needs_credentials`.
    pub status: String,
    /// When it was last tested.
    pub last_tested_at: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

/// One installed connector version, as the API shows it.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionView {
    /// The connector's name.
    pub name: String,
    /// The version.
    pub version: String,
    /// A human name.
    pub display_name: String,
    /// What it connects to.
    pub description: String,
    /// The properties it accepts.
    pub properties: Vec<PropertySpec>,
    /// `source`, `destination`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The sha256 of the component.
    pub sha256: String,
    /// The WIT package version it targets.
    pub wit_version: String,
    /// Its signature, when signed.
    #[serde(default)]
    pub signature: Option<SignatureView>,
    /// Who published it (`bundled`, `key:...`, `unsigned`).
    pub publisher: String,
    /// Its OAuth settings, when the host authorizes its connections.
    #[serde(default)]
    pub oauth: Option<Value>,
}

/// The signature of an installed version.
#[derive(Debug, Clone, Deserialize)]
pub struct SignatureView {
    /// The public key it verifies with.
    pub key: String,
    /// Whether this server trusts the key.
    pub trusted: bool,
}

/// An installed connector with its versions, oldest first.
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectorView {
    /// Its name.
    pub name: String,
    /// The version new connections get.
    pub newest_version: String,
    /// Every installed version.
    pub versions: Vec<VersionView>,
}

/// Connection `id`.
pub async fn connection(api: &Api, id: &str) -> Answer<ConnectionView> {
    api.get(&format!("/connections/{}", segment(id))).await
}

/// Connector `name` with its installed versions.
pub async fn connector(api: &Api, name: &str) -> Answer<ConnectorView> {
    api.get(&format!("/connectors/{}", segment(name))).await
}

/// The property names whose value `c` shows masked: the secrets that hold
/// a value.
pub fn stored_secrets(c: &ConnectionView, specs: &[PropertySpec]) -> Vec<String> {
    specs
        .iter()
        .filter(|s| s.secret && c.properties.keys().any(|k| k.eq_ignore_ascii_case(&s.name)))
        .map(|s| s.name.clone())
        .collect()
}

/// The link to connection `id`'s page.
pub fn href(id: &str) -> String {
    format!("/connections/{}", segment(id))
}
