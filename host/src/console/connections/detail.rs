//! One connection: what it is, its properties (secrets never shown), its
//! last test, and its actions.

use super::super::api::Failure;
use super::super::page::{self, Section};
use super::super::parts::button_form;
use super::super::session::Signed;
use super::edit::variant_name;
use super::{ConnectionView, VersionView, connection, connector, href, stored_secrets};
use crate::connections::{RefreshInterval, Verbosity};
use crate::runtime::MASK;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;

/// What `POST /connections/{id}/test` answers.
#[derive(Debug, Deserialize)]
pub struct TestResult {
    /// Whether the test passed.
    pub success: bool,
    /// What the connector said.
    pub message: String,
    /// Why it failed.
    pub error: Option<TestError>,
    /// How long it took.
    pub duration_ms: u64,
}

/// The typed error of a failed test.
#[derive(Debug, Deserialize)]
pub struct TestError {
    /// The error kind's code (`auth_failed`, `unreachable`, ...).
    pub code: String,
    /// The property it names, if any.
    pub property: Option<String>,
}

/// What a page shows above the connection: an action's outcome.
pub enum Outcome {
    /// Nothing.
    None,
    /// A test's result.
    Tested(TestResult),
    /// An action the API refused.
    Refused(Failure),
}

/// `GET /connections/{id}`
pub async fn detail(signed: Signed, Path(id): Path<String>, Query(params): Query<HashMap<String, String>>) -> Response {
    let outcome = Outcome::None;
    show(&signed, &id, outcome, params.get("done").map(String::as_str)).await
}

/// The page of connection `id`, with an action's `outcome`.
pub async fn show(signed: &Signed, id: &str, outcome: Outcome, done: Option<&str>) -> Response {
    let c = match connection(&signed.api, id).await {
        Ok(c) => c,
        Err(failure) => return page::fail(&failure),
    };
    let version = match connector(&signed.api, &c.connector).await {
        Ok(connector) => connector.versions.into_iter().find(|v| v.version == c.connector_version),
        Err(_) => None,
    };
    let status = match &outcome {
        Outcome::Refused(failure) => failure.status,
        _ => StatusCode::OK,
    };
    let body = html! {
        (page::notice(done))
        (outcome_box(&outcome))
        (actions(signed, &c, version.as_ref()))
        (facts(&c))
        h2 { "Properties" }
        (properties(&c, version.as_ref(), &outcome))
    };
    let title = format!("Connection {}", c.name);
    let page = page::page(signed, &title, Section::Connections, Some(&c.workspace_id), body).await;
    (status, page).into_response()
}

/// The result of a test, or a refusal.
fn outcome_box(outcome: &Outcome) -> Markup {
    match outcome {
        Outcome::None => html! {},
        Outcome::Refused(failure) => page::failure_box(failure),
        Outcome::Tested(t) if t.success => html! {
            div.result-ok #test-result role="status" {
                p { strong { "Test succeeded" } " in " (t.duration_ms) " ms: " (t.message) }
            }
        },
        Outcome::Tested(t) => html! {
            div.error #test-result role="alert" {
                p { strong { "Test failed" } " in " (t.duration_ms) " ms: " (t.message) }
                @if let Some(e) = &t.error {
                    p.code { "Code: " code #test-error-code { (e.code) }
                        @if let Some(p) = &e.property { " · property " code #test-error-property { (p) } } }
                }
            }
        },
    }
}

/// The buttons of a connection's actions (the API refuses what the role
/// does not allow, and the page says so).
fn actions(signed: &Signed, c: &ConnectionView, version: Option<&VersionView>) -> Markup {
    let base = href(&c.id);
    let post =
        |action: &str, label: &str, id: &str| button_form(signed, &format!("{base}/{action}"), id, label, false, false);
    html! {
        div.actions {
            a.button #edit-connection href=(format!("{base}/edit")) { "Edit" }
            (post("test", "Test", "test-connection"))
            @if version.is_some_and(|v| v.oauth.is_some()) {
                (post("authorize", "Authorize", "authorize-connection"))
            }
            a.button.plain href=(format!("{base}/tables")) { "Tables" }
            a.button.plain href=(format!("{base}/logs")) { "Logs" }
            (post("reset-metadata", "Reset metadata", "reset-metadata"))
            (post("reset-credentials", "Reset credentials", "reset-credentials"))
            a.button.danger #delete-connection href=(format!("{base}/delete")) { "Delete" }
        }
    }
}

/// What the connection is.
fn facts(c: &ConnectionView) -> Markup {
    html! {
        dl.facts {
            dt { "Connector" } dd { (c.connector) " " span #pinned-version { (c.connector_version) } " (pinned)" }
            dt { "Status" } dd { span #connection-status class=(format!("status {}", c.status)) { (c.status) } }
            dt { "Last test" } dd { (page::when(c.last_tested_at.as_deref())) }
            dt { "Labels" } dd { @for l in &c.labels { span.label { (l) } } @if c.labels.is_empty() { span.muted { "none" } } }
            dt { "Metadata refresh" } dd { (variant_name(c.settings.metadata_refresh_interval, &RefreshInterval::VARIANTS)) }
            dt { "Log verbosity" } dd { (variant_name(c.settings.logfile_verbosity, &Verbosity::VARIANTS)) }
            dt { "CData callback URL" } dd { (if c.settings.use_cdata_callback_url { "yes" } else { "no" }) }
            dt { "Workspace" } dd { (c.workspace_id) }
            dt { "Created" } dd { (page::when(Some(&c.created_at))) }
            dt { "Updated" } dd { (page::when(Some(&c.updated_at))) }
            dt { "Id" } dd { code { (c.id) } }
        }
    }
}

/// The properties: every one the connector accepts, a secret only as
/// "stored" or "not set", the one a failed test names highlighted.
fn properties(c: &ConnectionView, version: Option<&VersionView>, outcome: &Outcome) -> Markup {
    let flagged = match outcome {
        Outcome::Tested(TestResult { error: Some(TestError { property: Some(p), .. }), .. }) => Some(p.as_str()),
        _ => None,
    };
    let specs = version.map(|v| v.properties.as_slice()).unwrap_or_default();
    let secrets = stored_secrets(c, specs);
    let value_of = |name: &str| c.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    html! {
        table.responsive #properties {
            thead { tr { th { "Property" } th { "Value" } } }
            tbody {
                @for spec in specs {
                    @let invalid = flagged.is_some_and(|f| f.eq_ignore_ascii_case(&spec.name));
                    tr.invalid[invalid] id=(format!("property-{}", spec.name)) aria-invalid=[invalid.then_some("true")] {
                        td data-label="Property" {
                            (spec.display_name) " " code.muted { (spec.name) }
                            @if invalid { " " strong.why { "← the failed test names this property" } }
                        }
                        td data-label="Value" {
                            @if spec.secret {
                                @if secrets.contains(&spec.name) { span.muted { "stored (secret, not shown)" } }
                                @else { span.muted { "not set" } }
                            } @else if let Some(v) = value_of(&spec.name).and_then(|v| v.as_str()) { (v) }
                            @else { span.muted { "not set" } }
                        }
                    }
                }
                // A version that no longer loads: the stored values, secrets as such.
                @if specs.is_empty() { @for (name, value) in &c.properties {
                    tr {
                        td data-label="Property" { code { (name) } }
                        td data-label="Value" {
                            @match value.as_str() {
                                Some(MASK) => span.muted { "stored (secret, not shown)" },
                                Some(v) => (v),
                                None => span.muted { "not set" },
                            }
                        }
                    }
                } }
            }
        }
        @if let Some(p) = flagged {
            p { a #fix-property href=(format!("{}/edit?{}", href(&c.id), super::super::api::query([("focus", p)]))) {
                "Edit " (p) } }
        }
    }
}
