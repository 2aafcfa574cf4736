//! Console pages: a workspace's jobs ([`list`]), one job with its live run
//! and its history ([`detail`]), the forms that define and change jobs
//! ([`edit`]), and the buttons that run, cancel and delete them
//! ([`actions`]). Every rule (roles, workspaces, a run at a time) is the
//! API's.

mod actions;
mod detail;
mod edit;
mod list;

use super::Console;
use super::api::{Answer, segment};
use super::connections::ConnectionView as Connection;
use super::session::Signed;
use axum::Router;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

/// The routes of the jobs pages.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/workspaces/{ws}/jobs", get(list::list).post(edit::create))
        .route("/workspaces/{ws}/jobs/new", get(edit::new))
        .route("/jobs/{id}", get(detail::show).post(edit::update))
        .route("/jobs/{id}/edit", get(edit::edit))
        .route("/jobs/{id}/run", post(actions::run))
        .route("/jobs/{id}/cancel", post(actions::cancel))
        .route("/jobs/{id}/delete", get(actions::ask_delete).post(actions::delete))
}

/// A job as the API shows it.
#[derive(Deserialize)]
struct Job {
    /// Its id.
    id: String,
    /// Its workspace.
    workspace_id: String,
    /// Its name.
    name: String,
    /// The connection read from.
    source_connection_id: String,
    /// The connection written to.
    destination_connection_id: String,
    /// `"all"` or a list of table names.
    tables: Value,
    /// Put before each destination table's name.
    table_prefix: String,
    /// Rows per page.
    batch_size: u32,
}

/// A run as the API shows it.
#[derive(Deserialize)]
struct Run {
    /// Starting, Testing, Running, Successful, Failed or Cancelled.
    status: String,
    /// Rows written over all tables.
    rows: u64,
    /// Per-table progress.
    tables: Vec<TableRun>,
    /// Why it failed as a whole.
    #[serde(default)]
    error: Option<String>,
    /// Whether a cancel was asked for.
    cancel_requested: bool,
    /// When it started.
    started_at: String,
    /// When it ended.
    #[serde(default)]
    finished_at: Option<String>,
    /// How long it ran (so far).
    duration_ms: u64,
}

/// One table of a run.
#[derive(Deserialize)]
struct TableRun {
    /// The source table.
    table: String,
    /// The table written.
    destination_table: String,
    /// Pending, Running, Successful, Failed or Cancelled.
    status: String,
    /// Rows written so far.
    rows: u64,
    /// Time spent on it so far.
    duration_ms: u64,
    /// Why it failed.
    #[serde(default)]
    error: Option<String>,
}

impl Run {
    /// Whether the run is still under way (not ended).
    fn under_way(&self) -> bool {
        matches!(self.status.as_str(), "Starting" | "Testing" | "Running")
    }

    /// How many of its tables are done with (copied, failed or cancelled).
    fn tables_done(&self) -> usize {
        self.tables.iter().filter(|t| !matches!(t.status.as_str(), "Pending" | "Running")).count()
    }

    /// How many of its tables were copied whole.
    fn tables_copied(&self) -> usize {
        self.tables.iter().filter(|t| t.status == "Successful").count()
    }
}

/// The class that colours a run's or a table's status.
fn status_class(status: &str) -> &'static str {
    match status {
        "Successful" => "status succeeded",
        "Failed" => "status failed",
        "Starting" | "Testing" | "Running" => "status active",
        _ => "status",
    }
}

/// A job's tables as the form shows them: `all`, or one name a line.
fn tables_text(tables: &Value) -> String {
    match tables {
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
        Value::String(all) => all.clone(),
        other => other.to_string(),
    }
}

/// The `/jobs/{id}` path of the API and the console.
fn job_path(id: &str) -> String {
    format!("/jobs/{}", segment(id))
}

/// Every connection of workspace `ws`.
async fn connections(signed: &Signed, ws: &str) -> Answer<Vec<Connection>> {
    signed.api.all(&format!("/workspaces/{}/connections", segment(ws))).await
}

/// The latest run of job `id`; `None` when it never ran.
async fn latest_run(signed: &Signed, id: &str) -> Answer<Option<Run>> {
    match signed.api.get::<Run>(&format!("{}/status", job_path(id))).await {
        Ok(run) => Ok(Some(run)),
        Err(failure) if failure.code == "run_not_found" => Ok(None),
        Err(failure) => Err(failure),
    }
}

/// A link to connection `id`, by its name when it is among `all`.
fn connection_link(all: &[Connection], id: &str) -> Markup {
    let name = all.iter().find(|c| c.id == id).map_or(id, |c| c.name.as_str());
    html! { a href=(super::connections::href(id)) { (name) } }
}

/// A job's tables, short: `all`, or the names.
fn tables_summary(tables: &Value) -> String {
    tables_text(tables).replace('\n', ", ")
}

/// A run's status, coloured.
fn status_badge(status: &str) -> Markup {
    html! { span class=(status_class(status)) { (status) } }
}
