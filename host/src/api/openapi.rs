//! The OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/api.rsc/v2/openapi.json`.

use super::state::AppState;
use super::{connections, connectors, error, jobs, logs, metadata, users, workspaces};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

/// The API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Syncport Connection Management API", version = "2.0"),
    modifiers(&TokenAuth),
    security(("token" = []), ("basic" = [])),
    paths(
        workspaces::list, workspaces::create, workspaces::read, workspaces::remove,
        connections::list, connections::create, connections::read, connections::update, connections::remove,
        connections::actions::test, connections::actions::reset_credentials,
        metadata::tables, metadata::tables_with_get, metadata::columns, metadata::reset_metadata,
        logs::list, logs::download, logs::download_with_get,
        connectors::list, connectors::install, connectors::read, connectors::read_version, connectors::remove,
        jobs::list, jobs::create, jobs::read, jobs::update, jobs::remove, jobs::execute, jobs::cancel, jobs::status,
        jobs::history,
        users::list, users::create, users::read, users::update, users::remove, users::generate_token, users::revoke_token,
        document,
    ),
    components(schemas(error::ErrorResponse, error::ErrorBody, error::ErrorDetail)),
    tags(
        (name = "workspaces", description = "Groups of connections."),
        (name = "connections", description = "Connections: create, read, update, delete, test, reset credentials."),
        (name = "metadata", description = "Tables and columns, cached."),
        (name = "logs", description = "Connection log files."),
        (name = "connectors", description = "Installed connectors: list, install, remove."),
        (name = "jobs", description = "Replication jobs: define, run, cancel, follow."),
        (name = "users", description = "Users, roles, workspace grants and tokens (admin only)."),
        (name = "openapi", description = "This document."),
    )
)]
pub struct ApiDoc;

/// Declares the two ways to present a token.
struct TokenAuth;

impl utoipa::Modify for TokenAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(super::auth::TOKEN_HEADER))),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("Any user name; the token as the password."))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(document))
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, operation_id = "get_openapi_document", path = "/api.rsc/v2/openapi.json", tag = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json", body = Object)))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
