//! The OpenAPI 3.1 document, served at `/api.rsc/v2/openapi.json`.
//!
//! Its paths come from the routes themselves: each resource's `router()`
//! declares its handlers once with `routes!`, which gives both the axum
//! route and the path's operation (see `api::routers`). This module holds
//! only what is not a route: the info, tags, security schemes, the server,
//! and [`complete`], which adds what every operation shares (the statuses
//! the layers around the handlers answer with, response headers, closed
//! response schemas, and the links that chain a create to what follows).

use super::state::AppState;
use axum::Extension;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Content, Ref, RefOr, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The document's fixed parts; the paths are added by the routers.
#[derive(OpenApi)]
#[openapi(
    info(title = "Syncport Connection Management API", version = "2.0",
        description = "The Connection Management API v2 over sandboxed WebAssembly connectors. \
            Paths are relative to the server URL `/api.rsc/v2`. Errors are \
            `{\"error\": {\"code\", \"message\", \"target\", \"details\"}}`; see docs/api.md. \
            The schemas give the canonical spellings; the server also accepts request keys in any case, \
            with spaces or dashes for underscores, `connect_version` for `connector_version`, and enum \
            values and query flags in any case."),
    servers((url = "/api.rsc/v2", description = "This server: paths are relative to its API base.")),
    modifiers(&TokenAuth),
    security(("token" = []), ("basic" = [])),
    components(schemas(super::error::ErrorResponse, super::error::ErrorBody, super::error::ErrorDetail)),
    tags(
        (name = "workspaces", description = "Groups of connections."),
        (name = "connections", description = "Connections: create, read, update, delete, test, reset credentials, authorize with OAuth."),
        (name = "metadata", description = "Tables and columns, cached."),
        (name = "logs", description = "Connection log files."),
        (name = "connectors", description = "Installed connectors: list, install, remove."),
        (name = "jobs", description = "Replication jobs: define, run, cancel, follow."),
        (name = "users", description = "Users, roles, workspace grants and tokens (admin only)."),
        (name = "operations", description = "Health and readiness, for load balancers (no token)."),
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

/// The served document: its JSON, made once.
#[derive(Clone)]
pub struct Document(Bytes);

impl Document {
    /// The document as JSON, with what utoipa cannot say added ([`finish`]).
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut value = serde_json::to_value(doc).expect("the document serializes");
        finish(&mut value);
        Document(Bytes::from(serde_json::to_vec(&value).expect("the document serializes")))
    }

    /// The JSON text.
    pub fn json(&self) -> &[u8] {
        &self.0
    }
}

/// `GET /openapi.json`, which needs no token.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(document))
}

/// `GET /openapi.json`: this document. Public: clients generate code from it.
#[utoipa::path(get, operation_id = "get_openapi_document", path = "/openapi.json", tag = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API.", content_type = "application/json",
        body = Object, example = json!({"openapi": "3.1.0", "info": {"title": "Syncport Connection Management API", "version": "2.0"}, "paths": {}}))))]
pub async fn document(Extension(document): Extension<Document>, body: axum::body::Body) -> impl IntoResponse {
    // A body a GET should not have is read (and dropped) first: a server
    // that closes with it unread resets the connection while the client is
    // still reading this long answer.
    let _ = axum::body::to_bytes(body, 1 << 20).await;
    ([(header::CONTENT_TYPE, "application/json")], document.0)
}

/// The operations that need no token: `GET /openapi.json`, health and
/// readiness, and the OAuth callback (its single-use state authenticates it).
const PUBLIC: &[&str] = &["get_openapi_document", "health", "ready", "oauth_callback"];

/// Operations that call a connector, or wait for connectors to load:
/// 502 (crashed, refused), 503 (loading, overloaded; `Retry-After`), 504
/// (timed out).
const CALLS_CONNECTOR: &[&str] = &[
    "create_connection",
    "update_connection",
    "test_connection",
    "reset_credentials",
    "authorize_connection",
    "oauth_callback",
    "list_tables",
    "list_tables_with_get",
    "list_columns",
    "reset_metadata",
    "install_connector",
    "create_job",
    "update_job",
    "execute_job",
];

/// Operations whose 201 (or 202, or 200 for an install) says where the
/// resource is in `Location`.
const LOCATION: &[&str] = &["create_workspace", "create_connection", "create_user", "create_job", "execute_job"];

/// Adds to every operation what the layers around the handlers do: the
/// statuses they answer with (with the error schema), the `x-request-id`
/// header of every response, `Location`, `WWW-Authenticate`, `Retry-After`
/// and `Content-Disposition` where they are sent; closes the response
/// schemas; describes the install body as binary; declares
/// `GET /openapi.json` public; and links each create to what follows.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for operation in operations(item) {
            complete_operation(path, operation);
        }
    }
    close_schemas(doc);
    exemplify(doc);
}

/// An example for every response body, by schema name. (Request bodies
/// carry theirs on their types.) `tests/api/openapi.rs` checks each has its
/// schema's required keys and no others.
fn response_examples() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let at = "2026-11-27T09:30:00.000Z";
    let workspace = json!({"id": "sales", "name": "Sales", "connection_count": 2, "created_at": at});
    let connection = json!({
        "id": "0f8e4c1e-2b7a-4d55-9a43-5b1c1f1e0a11", "workspace_id": "sales", "name": "QuickBooks Production",
        "connector": "QuickBooks", "connector_version": "1.1.0",
        "properties": {"CompanyId": "9130357766", "OAuthClientSecret": "********"},
        "settings": {"metadata_refresh_interval": "Daily", "logfile_verbosity": "Info", "use_cdata_callback_url": false},
        "labels": ["finance"], "status": "ok", "last_tested_at": at, "created_at": at, "updated_at": at
    });
    let version = json!({
        "name": "QuickBooks", "version": "3.0.0", "sha256": "3bc6bbf52a8d40f27c498ad310381253275b0e750ee9bb0276696be5f43dc27d", "wit_version": "0.3.0",
        "signature": {"key": "PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=", "trusted": true}, "publisher": "bundled", "display_name": "QuickBooks Online",
        "description": "QuickBooks Online accounting data.",
        "properties": [{"name": "CompanyId", "display_name": "Company ID", "description": "The realm id of the company.",
            "required": true, "secret": false, "default_value": null, "allowed_values": []}],
        "roles": ["source"], "egress": ["https://quickbooks.api.intuit.com", "{BaseURL}"]
    });
    let connector = json!({"name": "QuickBooks", "newest_version": "3.0.0", "versions": [version.clone()]});
    let job = json!({
        "id": "3b9d2c1a-5e4f-4a3b-8c7d-6e5f4a3b2c1d", "workspace_id": "sales", "name": "Nightly QuickBooks to CSV",
        "source_connection_id": "0f8e4c1e-2b7a-4d55-9a43-5b1c1f1e0a11",
        "destination_connection_id": "6a1d2f3e-4c5b-4a69-8e7f-0a1b2c3d4e5f",
        "tables": ["Customers", "Invoices"], "table_prefix": "qb_", "batch_size": 1000,
        "created_at": at, "updated_at": at
    });
    let run = json!({
        "run_id": "7c6b5a49-3827-4165-9a8b-7c6d5e4f3a2b", "job_id": "3b9d2c1a-5e4f-4a3b-8c7d-6e5f4a3b2c1d",
        "status": "Successful", "rows": 1200,
        "tables": [{"table": "Customers", "destination_table": "qb_Customers", "status": "Successful", "rows": 1200, "duration_ms": 840}],
        "cancel_requested": false, "started_at": at, "finished_at": at, "duration_ms": 912
    });
    let token = json!({"id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "created_at": at, "expires_at": null});
    let user = json!({
        "id": "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d", "name": "una", "role": "standard", "workspaces": ["sales"],
        "tokens": [token.clone()], "created_at": at, "token": "spt_9xK2mQ7vL4nR8tY1wE6uI3oP5aS0dF"
    });
    let table =
        json!({"schema": "QuickBooksOnline", "name": "Customers", "table_type": "TABLE", "description": "Customers."});
    let column = json!({"name": "Id", "data_type": "string", "nullable": false, "ordinal": 1, "primary_key": true,
        "length": null, "precision": null, "scale": null, "description": "The unique Id of the customer."});
    vec![
        ("WorkspaceView", workspace.clone()),
        ("WorkspaceList", json!({"value": [workspace]})),
        ("ConnectionView", connection.clone()),
        (
            "ConnectionList",
            json!({"value": [connection], "@odata.nextLink": "/api.rsc/v2/workspaces/sales/connections?%24top=1&%24skip=1"}),
        ),
        (
            "TestResult",
            json!({"success": false, "message": "The token was refused.",
            "error": {"code": "auth_failed", "message": "The token was refused.", "property": "OAuthAccessToken"}, "duration_ms": 231}),
        ),
        (
            "AuthorizationView",
            json!({"authorization_url": "https://appcenter.intuit.com/connect/oauth2?response_type=code&client_id=ABc1&redirect_uri=https%3A%2F%2Fsync.example.com%2Fapi.rsc%2Fv2%2Foauth%2Fcallback&scope=com.intuit.quickbooks.accounting&state=q8V0f6mJ2h1sY4nL9cX3bR7tK5wE0pA2dG6uI1oZ8vM&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGmSFkEb-M&code_challenge_method=S256",
            "state": "q8V0f6mJ2h1sY4nL9cX3bR7tK5wE0pA2dG6uI1oZ8vM", "expires_at": "2026-11-27T09:40:00.000Z",
            "redirect_uri": "https://sync.example.com/api.rsc/v2/oauth/callback"}),
        ),
        (
            "CallbackView",
            json!({"connection_id": "0f8e4c1e-2b7a-4d55-9a43-5b1c1f1e0a11", "status": "ok",
            "message": "Connected to QuickBooks Online company 9130357766 (Sandbox Company_US_1)."}),
        ),
        ("Health", json!({"status": "ok"})),
        ("Readiness", json!({"status": "ready", "database": true, "connectors": true})),
        ("TableList", json!({"value": [table]})),
        ("ColumnList", json!({"value": [column]})),
        ("ResetResult", json!({"success": true, "message": "Metadata reset."})),
        ("LogList", json!({"value": [{"name": "2026-11-27.log", "size": 5120, "modified_at": at}]})),
        ("ConnectorVersionView", version),
        ("ConnectorView", connector.clone()),
        ("ConnectorList", json!({"value": [connector]})),
        ("JobView", job.clone()),
        ("JobList", json!({"value": [job]})),
        ("RunView", run.clone()),
        ("RunList", json!({"value": [run]})),
        ("UserView", user.clone()),
        ("UserList", json!({"value": [user]})),
        (
            "NewToken",
            json!({"token": "spt_9xK2mQ7vL4nR8tY1wE6uI3oP5aS0dF", "id": "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
            "created_at": at, "expires_at": "2027-02-25T09:30:00.000Z"}),
        ),
        (
            "ErrorResponse",
            json!({"error": {"code": "unknown_property",
            "message": "QuickBooks 1.1.0 has no property `Colour`; its properties are: CompanyId, ...",
            "target": "properties.Colour",
            "details": [{"code": "unknown_property", "message": "QuickBooks 1.1.0 has no property `Colour`.", "target": "properties.Colour"}]}}),
        ),
    ]
}

fn exemplify(doc: &mut utoipa::openapi::OpenApi) {
    let Some(components) = doc.components.as_mut() else { return };
    for (name, example) in response_examples() {
        match components.schemas.get_mut(name) {
            Some(RefOr::T(Schema::Object(object))) => object.example = Some(example),
            Some(RefOr::T(Schema::AllOf(all))) => all.example = Some(example),
            _ => {}
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
}

fn complete_operation(path: &str, op: &mut Operation) {
    let id = op.operation_id.clone().unwrap_or_default();
    let public = PUBLIC.contains(&id.as_str());
    let has_body = op.request_body.is_some();
    let mut add = |status: &str, description: &str| {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| RefOr::T(error_response(description)));
    };
    if public {
        op.security = Some(Vec::new());
    } else {
        add("400", "Invalid input: an unknown query parameter, a parameter or body that does not read.");
        add("401", "No valid token: `x-cdata-authtoken`, or HTTP Basic with the token as the password.");
        add("403", "The caller's role does not allow this.");
        add("429", "Too many failed authentications from this address (or the connector is rate limited).");
    }
    if path.contains('{') {
        add("404", "No such resource, or not in a workspace granted to the caller.");
    }
    if has_body {
        add("413", "The body is larger than the server accepts.");
        add("415", "The body is not of the media type this operation takes.");
    }
    if CALLS_CONNECTOR.contains(&id.as_str()) {
        add("502", "The connector crashed, failed or was refused when loaded.");
        add("503", "The connector is still loading, or every call slot stayed busy; retry after `Retry-After`.");
        add("504", "The connector timed out.");
    }
    add("500", "The server failed; the failure is logged under the response's `x-request-id`.");
    if id == "install_connector"
        && let Some(body) = &mut op.request_body
    {
        for content in body.content.values_mut() {
            content.schema = Some(RefOr::T(binary()));
        }
        body.required = Some(utoipa::openapi::Required::True);
    }
    if id == "generate_token"
        && let Some(body) = &mut op.request_body
    {
        // The body may be left out (then no `Content-Type` either).
        body.required = Some(utoipa::openapi::Required::False);
    }
    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        if response.description.is_empty() {
            response.description = describe(status).to_string();
        }
        response.headers.insert("x-request-id".into(), header("The request's id: the one sent, or a new UUID."));
        match status.as_str() {
            "401" => {
                response
                    .headers
                    .insert("WWW-Authenticate".into(), header("`Basic realm=\"syncport\", charset=\"UTF-8\"`."));
            }
            "429" | "503" => {
                let text = "Seconds to wait before trying again.";
                response.headers.insert("Retry-After".into(), integer_header(text));
            }
            "201" | "202" if LOCATION.contains(&id.as_str()) => {
                response.headers.insert("Location".into(), header("Where the resource is."));
            }
            "200" | "201" if id == "install_connector" => {
                response.headers.insert("Location".into(), header("Where the installed version is."));
            }
            _ => {}
        }
        if id.starts_with("download_log") && status == "200" {
            let text = "`attachment; filename=\"<log name>\"`.";
            response.headers.insert("Content-Disposition".into(), header(text));
        }
    }
    links(&id, op);
}

/// What a status means here, for responses declared without a description.
fn describe(status: &str) -> &'static str {
    match status {
        "200" => "Done.",
        "201" => "Created.",
        "202" => "Accepted: under way.",
        "204" => "Done; no content.",
        "400" => "Invalid input; `error.target` names the field, parameter or property.",
        "403" => "The caller's role does not allow this.",
        "404" => "No such resource, or not in a workspace granted to the caller.",
        "409" => "Conflicts with the current state; `error.code` says how.",
        "413" => "The body is larger than the server accepts.",
        "415" => "The body is not of the media type this operation takes.",
        "502" => "The connector crashed, failed or was refused when loaded.",
        "503" => "The connector is still loading, or every call slot stayed busy; retry after `Retry-After`.",
        "504" => "The connector timed out.",
        _ => "See the error's code.",
    }
}

/// A response with the error schema.
fn error_response(description: &str) -> Response {
    let mut response = Response::new(description);
    response.content.insert("application/json".into(), Content::new(Some(Ref::from_schema_name("ErrorResponse"))));
    response
}

fn header(description: &str) -> Header {
    HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::String)).description(Some(description)).build()
}

fn integer_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
        .description(Some(description))
        .build()
}

fn binary() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The component's bytes (a WebAssembly component)."))
            .build(),
    )
}

/// The operations a create's response leads to, and the parameter the new
/// id fills.
fn links(id: &str, op: &mut Operation) {
    let (status, parameter, targets): (&str, &str, &[&str]) = match id {
        "create_workspace" => {
            let targets: &[&str] = &[
                "get_workspace",
                "list_connections",
                "create_connection",
                "list_jobs",
                "create_job",
                "delete_workspace",
            ];
            ("201", "workspace_id", targets)
        }
        "create_connection" => (
            "201",
            "connection_id",
            &[
                "get_connection",
                "update_connection",
                "test_connection",
                "list_tables_with_get",
                "list_tables",
                "list_columns",
                "reset_metadata",
                "list_logs",
                "download_log_with_get",
                "download_log",
                "reset_credentials",
                "authorize_connection",
                "delete_connection",
            ],
        ),
        "create_job" => {
            let targets: &[&str] =
                &["get_job", "update_job", "execute_job", "cancel_job", "job_status", "job_history", "delete_job"];
            ("201", "job_id", targets)
        }
        "create_user" => ("201", "user_id", &["get_user", "update_user", "generate_token", "delete_user"]),
        _ => return,
    };
    let Some(RefOr::T(response)) = op.responses.responses.get_mut(status) else { return };
    for target in targets {
        let link = LinkBuilder::new()
            .operation_id(*target)
            .parameter(parameter, "$response.body#/id")
            .description(format!("The new resource's `{parameter}`."))
            .build();
        response.links.insert(target.to_string(), RefOr::T(link));
    }
    if id == "create_user" {
        let link = LinkBuilder::new()
            .operation_id("revoke_token")
            .parameter("user_id", "$response.body#/id")
            .parameter("token_id", "$response.body#/tokens/0/id")
            .description("The new user's first token.")
            .build();
        response.links.insert("revoke_token".into(), RefOr::T(link));
    }
}

/// Response objects have exactly their declared properties: every object
/// schema among the components is closed, except those an `allOf`
/// combines (a closed part would refuse the other parts' properties).
fn close_schemas(doc: &mut utoipa::openapi::OpenApi) {
    let Some(components) = doc.components.as_mut() else { return };
    let combined: Vec<String> = components
        .schemas
        .values()
        .filter_map(|s| match s {
            RefOr::T(Schema::AllOf(all)) => Some(all.items.iter()),
            _ => None,
        })
        .flatten()
        .filter_map(|item| match item {
            RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_string),
            _ => None,
        })
        .collect();
    for (name, schema) in components.schemas.iter_mut() {
        if let RefOr::T(Schema::Object(object)) = schema
            && object.schema_type == SchemaType::Type(Type::Object)
            && object.additional_properties.is_none()
            && !combined.contains(name)
        {
            object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
    }
}

/// What utoipa's model cannot hold, added to the JSON: `required: true` on
/// the headers every such response carries, and links' `operationId`.
fn finish(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    for item in paths.values_mut().filter_map(|i| i.as_object_mut()) {
        for op in item.values_mut().filter_map(|o| o.as_object_mut()) {
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            for (status, response) in responses.iter_mut() {
                // utoipa 5 writes a link's `operationId` as `operation_id`.
                if let Some(links) = response.get_mut("links").and_then(|l| l.as_object_mut()) {
                    for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
                        if let Some(id) = link.remove("operation_id") {
                            link.insert("operationId".into(), id);
                        }
                    }
                }
                let Some(headers) = response.get_mut("headers").and_then(|h| h.as_object_mut()) else { continue };
                for (name, header) in headers.iter_mut() {
                    let always = match name.as_str() {
                        "x-request-id" => true,
                        "WWW-Authenticate" => status == "401",
                        "Location" | "Content-Disposition" => true,
                        _ => false,
                    };
                    if always && let Some(header) = header.as_object_mut() {
                        header.insert("required".into(), serde_json::Value::Bool(true));
                    }
                }
            }
        }
    }
}
