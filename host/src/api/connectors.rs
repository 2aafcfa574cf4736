//! `GET /connectors`: what is installed, with property specs to build forms.

use super::error::ApiResult;
use super::extract::Params;
use super::state::AppState;
use crate::connector::model::PropertySpec;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

/// The routes of connectors.
pub fn router() -> Router<AppState> {
    Router::new().route("/connectors", get(list))
}

/// One installed version.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConnectorVersionView {
    /// The version.
    pub version: String,
    /// The sha256 of the component.
    pub sha256: String,
    /// The WIT package version it targets.
    pub wit_version: String,
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
#[utoipa::path(get, operation_id = "list_connectors", path = "/api.rsc/v2/connectors", tag = "connectors", responses((status = 200, body = ConnectorList)))]
pub async fn list(State(state): State<AppState>, params: Params) -> ApiResult<Json<ConnectorList>> {
    params.only(&[])?;
    let mut value: Vec<ConnectorView> = Vec::new();
    for plugin in state.registry.list() {
        let (id, info) = (plugin.id(), plugin.info());
        let version = ConnectorVersionView {
            version: id.version.to_string(),
            sha256: id.sha256.clone(),
            wit_version: id.wit.to_string(),
            display_name: info.display_name.clone(),
            description: info.description.clone(),
            properties: info.properties.clone(),
        };
        match value.last_mut() {
            Some(last) if last.name == id.name => {
                last.newest_version = version.version.clone();
                last.versions.push(version);
            }
            _ => value.push(ConnectorView {
                name: id.name.clone(),
                newest_version: version.version.clone(),
                versions: vec![version],
            }),
        }
    }
    Ok(Json(ConnectorList { value }))
}
