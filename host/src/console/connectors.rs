//! Console pages of connectors: the installed versions with their pinned
//! connections, signature and roles; install by upload and removal
//! (admins, as the API rules); and the conformance check of a component
//! without installing it ("try it in the sandbox").

use super::Console;
use super::api::{List, segment};
use super::connections::{ConnectionView, ConnectorView, VersionView};
use super::page::{self, Section};
use super::session::{CSRF_FIELD, Posted, Signed, check_csrf};
use crate::api::auth::Require;
use crate::check::{self, Report};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};

/// The routes of the connector pages; uploads may be as large as the
/// server's component limit.
pub fn router(component_limit: usize) -> Router<Console> {
    let upload = DefaultBodyLimit::max(component_limit.saturating_add(64 << 10));
    Router::new()
        .route("/connectors", get(list).post(install).layer(upload))
        .route("/connectors/{name}/versions/{version}/remove", post(remove))
        .route("/connectors/try", get(try_form).post(try_component).layer(upload))
}

/// Connections per `(connector, version)` in the workspaces the user sees.
async fn pinned(signed: &Signed) -> Result<BTreeMap<(String, String), Vec<ConnectionView>>, super::api::Failure> {
    let mut pins: BTreeMap<(String, String), Vec<ConnectionView>> = BTreeMap::new();
    for workspace in signed.api.workspaces().await? {
        let path = format!("/workspaces/{}/connections", segment(&workspace.id));
        for c in signed.api.all::<ConnectionView>(&path).await? {
            pins.entry((c.connector.to_lowercase(), c.connector_version.clone())).or_default().push(c);
        }
    }
    Ok(pins)
}

/// `GET /connectors`
async fn list(signed: Signed, Query(params): Query<HashMap<String, String>>) -> Response {
    let connectors = match signed.api.get::<List<ConnectorView>>("/connectors").await {
        Ok(list) => list.value,
        Err(failure) => return page::fail(&failure),
    };
    let pins = match pinned(&signed).await {
        Ok(pins) => pins,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        (page::notice(params.get("done").map(String::as_str)))
        (listing(&signed, &connectors, &pins))
        (install_form(&signed, None))
    };
    page::page(&signed, "Connectors", Section::Connectors, None, body).await
}

/// The table of installed versions.
fn listing(
    signed: &Signed,
    connectors: &[ConnectorView],
    pins: &BTreeMap<(String, String), Vec<ConnectionView>>,
) -> Markup {
    let admin = signed.principal.require_admin().is_ok();
    html! {
        table.responsive #connector-list {
            thead { tr { th { "Connector" } th { "Version" } th { "Roles" } th { "Signature" } th { "Pinned connections" } th { "" } } }
            tbody { @for c in connectors { @for v in c.versions.iter().rev() {
                @let count = pins.get(&(c.name.to_lowercase(), v.version.clone())).map_or(0, Vec::len);
                tr id=(format!("connector-{}-{}", c.name, v.version)) {
                    td data-label="Connector" { strong { (v.display_name) } " " code.muted { (c.name) } br; span.muted { (v.description) } }
                    td data-label="Version" { (v.version) @if v.version == c.newest_version { " " span.status { "newest" } }
                        br; span.muted { "WIT " (v.wit_version) } }
                    td data-label="Roles" { @if v.roles.is_empty() { span.muted { "metadata only" } } @else { (v.roles.join(", ")) } }
                    td data-label="Signature" { (signature(v)) }
                    td data-label="Pinned connections" { (count) }
                    td { @if admin {
                        form method="post" action=(format!("/connectors/{}/versions/{}/remove", segment(&c.name), segment(&v.version))) {
                            (page::csrf(signed))
                            button.danger type="submit" aria-label=(format!("Remove {} {}", c.name, v.version)) { "Remove" }
                        }
                    } }
                }
            } } }
        }
    }
}

/// A version's signature status.
fn signature(v: &VersionView) -> Markup {
    html! {
        @match &v.signature {
            Some(s) if s.trusted => span.status.trusted title=(s.key) { "signed, trusted" },
            Some(s) => span.status title=(s.key) { "signed, key not trusted" },
            None if v.publisher == "bundled" => span.status { "bundled" },
            None => span.status.failed { "unsigned" },
        }
    }
}

/// The upload form of an install (admins), with a refusal if any.
fn install_form(signed: &Signed, failure: Option<&super::api::Failure>) -> Markup {
    if signed.principal.require_admin().is_err() {
        return html! {};
    }
    html! {
        h2 #install { "Install a connector" }
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        form.stack #install-form method="post" action="/connectors" enctype="multipart/form-data" {
            (page::csrf(signed))
            div.field {
                label for="component" { "Component (.wasm)" }
                input #component name="component" type="file" accept=".wasm,application/wasm" required;
            }
            div.field {
                label for="signature" { "Signature " span.muted { "(optional)" } }
                input #signature name="signature" aria-describedby="signature-help";
                p.help #signature-help { "As " code { "syncport connector sign" } " prints it: "
                    code { "syncport-ed25519 <key> <signature>" } "." }
            }
            div.actions {
                button #install-button type="submit" { "Install" }
                a href="/connectors/try" { "Check a component in the sandbox first" }
            }
        }
    }
}

/// The fields of a multipart form, the CSRF token checked.
async fn multipart(signed: &Signed, mut form: Multipart) -> Result<HashMap<String, Bytes>, Response> {
    let mut fields = HashMap::new();
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) => fields.insert(name, bytes),
                    Err(e) => {
                        return Err(page::problem(e.status(), &format!("The upload did not read: {}", e.body_text())));
                    }
                };
            }
            Ok(None) => break,
            Err(e) => return Err(page::problem(e.status(), &format!("The upload did not read: {}", e.body_text()))),
        }
    }
    let csrf = fields.get(CSRF_FIELD).and_then(|b| std::str::from_utf8(b).ok());
    check_csrf(signed, csrf).map_err(IntoResponse::into_response)?;
    Ok(fields)
}

/// A text field of a multipart form, trimmed; `None` when empty.
fn text(fields: &HashMap<String, Bytes>, name: &str) -> Option<String> {
    let value = std::str::from_utf8(fields.get(name)?).ok()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// The page of a non-admin at an admin-only route (shown before an upload
/// is read); `None` for an admin.
fn admins_only(signed: &Signed) -> Option<Response> {
    signed.principal.require_admin().err().map(|_| {
        page::problem(StatusCode::FORBIDDEN, "Only admins install connectors or check components in the sandbox.")
    })
}

/// The fields of an upload form of an admin; for anyone else, the refusal
/// before the upload is read.
async fn admin_upload(signed: &Signed, form: Multipart) -> Result<HashMap<String, Bytes>, Response> {
    match admins_only(signed) {
        Some(refusal) => Err(refusal),
        None => multipart(signed, form).await,
    }
}

/// `POST /connectors`: the upload, installed through the API.
async fn install(signed: Signed, form: Multipart) -> Response {
    let fields = match admin_upload(&signed, form).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let component = fields.get("component").cloned().unwrap_or_default();
    let signature = text(&fields, "signature");
    if signature.as_deref().is_some_and(|s| axum::http::HeaderValue::from_str(s).is_err()) {
        let failure = super::api::Failure::invalid(
            "malformed_signature",
            "The signature must be one line of text, as `syncport connector sign` prints it.",
            "signature",
        );
        let body = html! { (install_form(&signed, Some(&failure))) };
        let page = page::page(&signed, "Install a connector", Section::Connectors, None, body).await;
        return (failure.status, page).into_response();
    }
    let headers: Vec<(&str, &str)> =
        signature.as_deref().map(|s| (crate::api::connectors::SIGNATURE_HEADER, s)).into_iter().collect();
    let failure =
        match signed.api.call(Method::POST, "/connectors", Some("application/wasm"), component, &headers).await {
            Ok(_) => return Redirect::to("/connectors?done=installed").into_response(),
            Err(failure) if failure.signed_out() => return page::fail(&failure),
            Err(failure) => failure,
        };
    let body =
        html! { (install_form(&signed, Some(&failure))) p { a href="/connectors" { "Back to the connectors" } } };
    (failure.status, page::page(&signed, "Install a connector", Section::Connectors, None, body).await).into_response()
}

/// `POST /connectors/{name}/versions/{version}/remove`: through the API;
/// a 409 lists the connections pinned to it.
async fn remove(Path((name, version)): Path<(String, String)>, posted: Posted) -> Response {
    let signed = posted.signed;
    let path = format!("/connectors/{}/versions/{}", segment(&name), segment(&version));
    let failure = match signed.api.call(Method::DELETE, &path, None, Bytes::new(), &[]).await {
        Ok(_) => return Redirect::to("/connectors?done=removed").into_response(),
        Err(failure) if failure.signed_out() => return page::fail(&failure),
        Err(failure) => failure,
    };
    let pinned = match failure.code.as_str() {
        "connector_version_in_use" => pinned(&signed).await.unwrap_or_default(),
        _ => BTreeMap::new(),
    };
    let pinned = pinned.get(&(name.to_lowercase(), version.clone())).cloned().unwrap_or_default();
    let body = html! {
        (page::failure_box(&failure))
        @if !pinned.is_empty() {
            h2 { "Connections pinned to " (name) " " (version) }
            ul #pinned-connections { @for c in &pinned {
                li { a href=(super::connections::href(&c.id)) { (c.name) } " in " (c.workspace_id)
                    " · " a href=(format!("{}/edit", super::connections::href(&c.id))) { "move it to another version" } }
            } }
        }
        p { a href="/connectors" { "Back to the connectors" } }
    };
    let title = format!("{name} {version} was not removed");
    (failure.status, page::page(&signed, &title, Section::Connectors, None, body).await).into_response()
}

/// The sandbox check's form.
fn try_page_body(signed: &Signed, config: &str, error: Option<&str>) -> Markup {
    html! {
        p { "Upload a component and a configuration: every conformance check of "
            code { "syncport connector check" } " runs on it in the sandbox, under this server's limits. \
             Nothing is installed." }
        @if let Some(error) = error { div.error role="alert" { p { (error) } } }
        form.stack #try-form method="post" action="/connectors/try" enctype="multipart/form-data" {
            (page::csrf(signed))
            div.field {
                label for="try-component" { "Component (.wasm)" }
                input #try-component name="component" type="file" accept=".wasm,application/wasm" required;
            }
            div.field {
                label for="config" { "Configuration " span.muted { "(optional)" } }
                textarea #config name="config" rows="6" aria-describedby="config-help" { (config) }
                p.help #config-help { "A JSON object of property names to values, e.g. "
                    code { "{\"User\": \"me\", \"Password\": \"...\"}" }
                    ". Empty: the described defaults. Values are used for this check only and not kept." }
            }
            div.actions { button #try-button type="submit" { "Run the checks" } }
        }
    }
}

/// `GET /connectors/try` (admins).
async fn try_form(signed: Signed) -> Response {
    if let Some(response) = admins_only(&signed) {
        return response;
    }
    let body = try_page_body(&signed, "", None);
    page::page(&signed, "Try a component in the sandbox", Section::Connectors, None, body).await
}

/// `POST /connectors/try` (admins): the report of every check.
async fn try_component(signed: Signed, State(console): State<Console>, form: Multipart) -> Response {
    let fields = match admin_upload(&signed, form).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let wasm = fields.get("component").cloned().unwrap_or_default();
    let config_text = text(&fields, "config");
    let title = "Try a component in the sandbox";
    let config = match config_text.as_deref().map(check::parse_config).transpose() {
        Ok(config) => config,
        Err(error) => {
            let body = try_page_body(
                &signed,
                config_text.as_deref().unwrap_or_default(),
                Some(&format!("The configuration {error}.")),
            );
            let page = page::page(&signed, title, Section::Connectors, None, body).await;
            return (StatusCode::BAD_REQUEST, page).into_response();
        }
    };
    let registry = console.state.registry.clone();
    // One check at a time per server: each compiles a component.
    let Ok(_turn) = console.checks.acquire().await else {
        return page::problem(StatusCode::SERVICE_UNAVAILABLE, "The server is shutting down.");
    };
    let report = match tokio::task::spawn_blocking(move || check::run(registry.runtime(), &wasm, config)).await {
        Ok(report) => report,
        Err(error) => {
            tracing::error!(%error, "the sandbox check stopped");
            return page::problem(StatusCode::INTERNAL_SERVER_ERROR, "The check stopped; the failure is logged.");
        }
    };
    let body = html! { (report_box(&report)) (try_page_body(&signed, "", None)) };
    page::page(&signed, title, Section::Connectors, None, body).await
}

/// A conformance report.
fn report_box(report: &Report) -> Markup {
    let verdict = match (report.passed, report.complete) {
        (true, true) => "Every check passed.",
        (true, false) => "No check failed, but some did not run.",
        _ => "Some checks failed.",
    };
    html! {
        section #report aria-labelledby="report-title" {
            h2 #report-title { "Report" @if let Some(id) = &report.connector { ": " (id.name) " " (id.version) } }
            p class=(if report.passed { "result-ok" } else { "error" }) #report-verdict { (verdict) }
            table.responsive #checks {
                thead { tr { th { "Check" } th { "Result" } th { "Details" } } }
                tbody { @for c in &report.checks {
                    @let status = format!("{:?}", c.status).to_lowercase();
                    tr id=(format!("check-{}", c.name.as_str())) {
                        td data-label="Check" { code { (c.name.as_str()) } }
                        td data-label="Result" { span class=(format!("status {}", if status == "passed" { "succeeded" } else { status.as_str() })) { (status) } }
                        td data-label="Details" { (c.summary) @if !c.problems.is_empty() { ul { @for p in &c.problems { li { (p) } } } } }
                    }
                } }
            }
        }
    }
}
