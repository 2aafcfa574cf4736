//! The frame every console page shares (header, navigation, workspace
//! picker, sign-out), notices, and pages for what went wrong.

use super::api::{Failure, segment};
use super::session::{CSRF_FIELD, Signed};
use crate::auth::Role;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Connections of a workspace.
    Connections,
    /// Jobs of a workspace.
    Jobs,
    /// Installed connectors.
    Connectors,
    /// Users (admins).
    Users,
}

/// A whole HTML document around `body`.
fn document(title: &str, header: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Syncport" }
                link rel="stylesheet" href=(super::assets::STYLESHEET);
            }
            body {
                a.skip href="#main" { "Skip to content" }
                (header)
                main #main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page of a signed-in user: the navigation (with `workspace` as the
/// current one for workspace sections), then `body`.
pub async fn page(signed: &Signed, title: &str, section: Section, workspace: Option<&str>, body: Markup) -> Response {
    let workspaces: Vec<String> = match signed.api.workspaces().await {
        Ok(list) => list.into_iter().map(|w| w.id).collect(),
        Err(failure) => return fail(&failure),
    };
    let current = workspace.or(workspaces.first().map(String::as_str)).unwrap_or("default");
    let ws = segment(current);
    let link = |s: Section, href: String, label: &str| {
        html! { a href=(href) aria-current=[(s == section).then_some("page")] { (label) } }
    };
    let header = html! {
        header.top {
            a.brand href="/" { "Syncport" }
            nav aria-label="Main" {
                (link(Section::Connections, format!("/workspaces/{ws}/connections"), "Connections"))
                (link(Section::Jobs, format!("/workspaces/{ws}/jobs"), "Jobs"))
                (link(Section::Connectors, "/connectors".into(), "Connectors"))
                @if signed.principal.role == Role::Admin {
                    (link(Section::Users, "/users".into(), "Users"))
                }
            }
            @if matches!(section, Section::Connections | Section::Jobs) && workspaces.len() > 1 {
                form.workspace method="get" action="/workspace" {
                    label for="workspace-picker" { "Workspace" }
                    select #workspace-picker name="workspace" {
                        @for id in &workspaces {
                            option value=(id) selected[id == current] { (id) }
                        }
                    }
                    input type="hidden" name="section" value=(if section == Section::Jobs { "jobs" } else { "connections" });
                    button type="submit" { "Open" }
                }
            }
            form.sign-out method="post" action="/sign-out" {
                (csrf(signed))
                span.who { (signed.principal.name) " (" (signed.principal.role.as_str()) ")" }
                button type="submit" { "Sign out" }
            }
        }
    };
    document(title, header, body).into_response()
}

/// A page for someone not signed in (the sign-in page).
pub fn public(title: &str, body: Markup) -> Markup {
    document(title, html! { header.top { span.brand { "Syncport" } } }, body)
}

/// The hidden CSRF field every form of a signed-in page carries.
pub fn csrf(signed: &Signed) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(signed.csrf); }
}

/// A refusal or failure of the API, as a box on a page.
pub fn failure_box(failure: &Failure) -> Markup {
    html! {
        div.error role="alert" {
            p { strong { (failure.message) } }
            p.code { "Code: " code { (failure.code) }
                @if let Some(target) = &failure.target { " · concerns " code { (target) } } }
            @if !failure.details.is_empty() {
                ul { @for d in &failure.details {
                    li { @if let Some(t) = &d.target { code { (t) } ": " } (d.message) }
                } }
            }
            @if let Some(advice) = advice(failure) { p.advice { (advice) } }
        }
    }
}

/// What to do about a refusal, where the code says more than its message.
fn advice(failure: &Failure) -> Option<&'static str> {
    Some(match failure.code.as_str() {
        "connection_in_use" | "destination_in_use" => {
            "A job run is using it: wait for the run to end, or cancel it, then try again."
        }
        "connector_version_in_use" => {
            "Move the connections pinned to this version to another version (edit each), or delete them, then remove it."
        }
        "job_running" => "The job is running: wait for the run to end, or cancel it, then try again.",
        "write_conflict" => "Someone changed it meanwhile: reload the page to see their change, then try again.",
        "workspace_not_empty" => "Delete or move the workspace's connections and jobs first.",
        "last_admin" => "Make another user an admin first.",
        "forbidden" => "Ask an admin for a role that allows this.",
        _ => return None,
    })
}

/// A whole page for an API failure: sign-in again on 401, else the
/// failure with the API's status.
pub fn fail(failure: &Failure) -> Response {
    if failure.signed_out() {
        return Redirect::to("/sign-in").into_response();
    }
    let title = match failure.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        _ => "Something went wrong",
    };
    let body = html! { (failure_box(failure)) p { a href="/" { "Back to the console" } } };
    (failure.status, public(title, body)).into_response()
}

/// A whole page saying what went wrong, with `status`.
pub fn problem(status: StatusCode, message: &str) -> Response {
    let body = html! { div.error role="alert" { p { (message) } } p { a href="/" { "Back to the console" } } };
    (status, public("Something went wrong", body)).into_response()
}

/// A notice of what the last action did, as `?done=` names it.
pub fn notice(done: Option<&str>) -> Markup {
    let text = match done.unwrap_or_default() {
        "created" => "Created.",
        "saved" => "Saved.",
        "deleted" => "Deleted.",
        "reset-metadata" => "The cached metadata was dropped; it is read again on next use.",
        "reset-credentials" => "The credentials were cleared; enter new ones to use the connection again.",
        "installed" => "Installed.",
        "removed" => "Removed.",
        "started" => "The run started.",
        "cancelled" => "The run was asked to stop.",
        "token" => "The token was revoked.",
        _ => return html! {},
    };
    html! { p.notice role="status" { (text) } }
}

/// A timestamp as the API gives it, shortened for tables.
pub fn when(timestamp: Option<&str>) -> String {
    match timestamp {
        Some(t) => t.get(..19).unwrap_or(t).replace('T', " "),
        None => "never".into(),
    }
}
