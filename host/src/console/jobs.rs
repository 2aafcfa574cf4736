//! Console pages: a workspace's jobs, one job with its live run and its
//! history, and the forms that define, change, run, cancel and delete jobs.
//! Every rule (roles, workspaces, a run at a time) is the API's.

use super::Console;
use super::api::{Answer, Failure, query, segment};
use super::page::{self, Section};
use super::parts::{
    Confirm, Done, act, button_form, confirm, described, done, field, invalid, text_input, whole, with_status,
};
use super::session::{Fields, FieldsExt, Posted, Signed};
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

/// The routes of the jobs pages.
pub fn router() -> Router<Console> {
    Router::new()
        .route("/workspaces/{ws}/jobs", get(list).post(create))
        .route("/workspaces/{ws}/jobs/new", get(new))
        .route("/jobs/{id}", get(show).post(update))
        .route("/jobs/{id}/edit", get(edit))
        .route("/jobs/{id}/run", post(run))
        .route("/jobs/{id}/cancel", post(cancel))
        .route("/jobs/{id}/delete", get(ask_delete).post(delete))
}

/// How many runs the job page lists.
const HISTORY: &str = "20";

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

/// A list of jobs.
#[derive(Deserialize)]
struct JobList {
    /// The jobs, by name.
    value: Vec<Job>,
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

/// A job's runs.
#[derive(Deserialize)]
struct RunList {
    /// Newest first.
    value: Vec<Run>,
}

/// A connection, as much of it as the jobs pages show.
#[derive(Deserialize)]
struct Connection {
    /// Its id.
    id: String,
    /// Its name.
    name: String,
    /// Its connector.
    connector: String,
    /// The pinned version.
    connector_version: String,
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

/// A duration in milliseconds, for people.
fn duration(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
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

/// The form's tables as the API takes them: `"all"` when that is all it
/// says, else the list of its non-empty lines.
fn tables_json(text: &str) -> Value {
    let names: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match names.as_slice() {
        [all] if all.eq_ignore_ascii_case("all") => json!("all"),
        _ => json!(names),
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
    html! { a href=(format!("/connections/{}", segment(id))) { (name) } }
}

/// A job's tables, short: `all`, or the names.
fn tables_summary(tables: &Value) -> String {
    tables_text(tables).replace('\n', ", ")
}

/// A run's status, coloured.
fn status_badge(status: &str) -> Markup {
    html! { span class=(status_class(status)) { (status) } }
}

// ---------------------------------------------------------------------------
// The list

/// `GET /workspaces/{ws}/jobs`: the workspace's jobs with their last run.
async fn list(signed: Signed, Path(ws): Path<String>, Query(query): Query<Done>) -> Response {
    match list_body(&signed, &ws).await {
        Ok(body) => {
            let body = html! { (page::notice(query.done.as_deref())) (body) };
            page::page(&signed, "Jobs", Section::Jobs, Some(&ws), body).await
        }
        Err(failure) => page::fail(&failure),
    }
}

/// The list page's body.
async fn list_body(signed: &Signed, ws: &str) -> Answer<Markup> {
    let jobs: JobList = signed.api.get(&format!("/workspaces/{}/jobs", segment(ws))).await?;
    let all = connections(signed, ws).await?;
    let mut rows = Vec::new();
    for job in &jobs.value {
        rows.push(job_row(job, latest_run(signed, &job.id).await?.as_ref(), &all));
    }
    Ok(html! {
        div.actions { a.button href=(format!("/workspaces/{}/jobs/new", segment(ws))) { "New job" } }
        div.scroll {
            table.responsive #job-list {
                thead { tr { th { "Name" } th { "Source" } th { "Destination" } th { "Tables" } th { "Last run" } th { "Actions" } } }
                tbody {
                    @for row in &rows { (row) }
                    @if rows.is_empty() { tr { td colspan="6" { "No jobs in this workspace yet." } } }
                }
            }
        }
    })
}

/// One row of the list.
fn job_row(job: &Job, last: Option<&Run>, all: &[Connection]) -> Markup {
    let path = job_path(&job.id);
    html! {
        tr {
            td data-label="Name" { a href=(path) { (job.name) } }
            td data-label="Source" { (connection_link(all, &job.source_connection_id)) }
            td data-label="Destination" { (connection_link(all, &job.destination_connection_id)) }
            td data-label="Tables" { (tables_summary(&job.tables)) }
            td data-label="Last run" {
                @match last {
                    Some(run) => { (status_badge(&run.status)) " " span.muted { (page::when(Some(&run.started_at))) } }
                    None => span.muted { "never" },
                }
            }
            td data-label="Actions" { a href=(path) { "Open" } " · " a href=(format!("{path}/edit")) { "Edit" } }
        }
    }
}

// ---------------------------------------------------------------------------
// The form

/// What the job form holds: text as typed (or as the job has it).
#[derive(Default)]
struct JobInput {
    /// `name`.
    name: String,
    /// `source_connection_id`.
    source: String,
    /// `destination_connection_id`.
    destination: String,
    /// `tables`: `all` or one name a line.
    tables: String,
    /// `table_prefix`.
    prefix: String,
    /// `batch_size`, as typed.
    batch_size: String,
}

impl JobInput {
    /// A new job's form: every table.
    fn new() -> Self {
        JobInput { tables: "all".into(), ..JobInput::default() }
    }

    /// The form of an existing job.
    fn of(job: &Job) -> Self {
        JobInput {
            name: job.name.clone(),
            source: job.source_connection_id.clone(),
            destination: job.destination_connection_id.clone(),
            tables: tables_text(&job.tables),
            prefix: job.table_prefix.clone(),
            batch_size: job.batch_size.to_string(),
        }
    }

    /// What was posted.
    fn posted(fields: &Fields) -> Self {
        let text = |name: &str| fields.value(name).unwrap_or_default().to_string();
        JobInput {
            name: text("name"),
            source: text("source_connection_id"),
            destination: text("destination_connection_id"),
            tables: text("tables"),
            prefix: text("table_prefix"),
            batch_size: text("batch_size"),
        }
    }

    /// The API's body: every field; an empty batch size is left out (the
    /// API's default, or unchanged).
    fn body(&self) -> Value {
        let mut body = json!({
            "name": self.name,
            "source_connection_id": self.source,
            "destination_connection_id": self.destination,
            "tables": tables_json(&self.tables),
            "table_prefix": self.prefix,
        });
        if !self.batch_size.is_empty() {
            body["batch_size"] = whole(&self.batch_size);
        }
        body
    }
}

/// Which job the form is for.
enum Target<'a> {
    /// A new job in workspace `ws`.
    New {
        /// The workspace.
        ws: &'a str,
    },
    /// Job `id` of workspace `ws`.
    Edit {
        /// The job.
        id: &'a str,
        /// Its workspace.
        ws: &'a str,
    },
}

impl Target<'_> {
    /// The workspace.
    fn ws(&self) -> &str {
        match self {
            Target::New { ws } | Target::Edit { ws, .. } => ws,
        }
    }

    /// Where the form posts.
    fn action(&self) -> String {
        match self {
            Target::New { ws } => format!("/workspaces/{}/jobs", segment(ws)),
            Target::Edit { id, .. } => job_path(id),
        }
    }

    /// Where "Back" goes.
    fn back(&self) -> String {
        match self {
            Target::New { ws } => format!("/workspaces/{}/jobs", segment(ws)),
            Target::Edit { id, .. } => job_path(id),
        }
    }
}

/// The job form page, with `input` and what the API refused of it.
async fn form_page(signed: &Signed, target: &Target<'_>, input: &JobInput, failure: Option<&Failure>) -> Response {
    let all = match connections(signed, target.ws()).await {
        Ok(all) => all,
        Err(failure) => return page::fail(&failure),
    };
    let (title, submit) = match target {
        Target::New { .. } => ("New job", "Create job"),
        Target::Edit { .. } => ("Edit job", "Save"),
    };
    let body = html! {
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        (job_form(signed, target, input, failure, &all, submit))
    };
    let response = page::page(signed, title, Section::Jobs, Some(target.ws()), body).await;
    with_status(response, failure)
}

/// The job form.
fn job_form(
    signed: &Signed,
    target: &Target<'_>,
    input: &JobInput,
    failure: Option<&Failure>,
    all: &[Connection],
    submit: &str,
) -> Markup {
    let tables_help = "all, or the source tables to copy, one a line (in copy order).";
    html! {
        form.stack #job-form method="post" action=(target.action()) {
            (page::csrf(signed))
            (field("name", "Name", failure, "Unique in the workspace.", text_input("name", "text", &input.name, failure)))
            (field("source_connection_id", "Source", failure, "The connection read from.",
                connection_select("source_connection_id", &input.source, all, failure)))
            (field("destination_connection_id", "Destination", failure, "The connection written to.",
                connection_select("destination_connection_id", &input.destination, all, failure)))
            (field("tables", "Tables", failure, tables_help, html! {
                textarea #tables name="tables" rows="4" aria-invalid=[invalid(failure, "tables")]
                    aria-describedby=(described(failure, "tables")) autofocus[invalid(failure, "tables").is_some()] { (input.tables) }
            }))
            (field("table_prefix", "Table prefix", failure, "Put before each table's name in the destination; may be empty.",
                text_input("table_prefix", "text", &input.prefix, failure)))
            (field("batch_size", "Batch size", failure, "Rows per page; empty: the API's default (1,000), or unchanged.",
                text_input("batch_size", "number", &input.batch_size, failure)))
            div.actions {
                button type="submit" { (submit) }
                a href=(target.back()) { "Back" }
            }
        }
    }
}

/// A select of the workspace's connections, `selected` chosen.
fn connection_select(name: &str, selected: &str, all: &[Connection], failure: Option<&Failure>) -> Markup {
    let known = all.iter().any(|c| c.id == selected);
    html! {
        select id=(name) name=(name) aria-invalid=[invalid(failure, name)] aria-describedby=(described(failure, name))
            autofocus[invalid(failure, name).is_some()] {
            @if !known { option value=(selected) selected { @if selected.is_empty() { "Choose a connection" } @else { (selected) } } }
            @for c in all {
                option value=(c.id) selected[c.id == selected] { (c.name) " (" (c.connector) " " (c.connector_version) ")" }
            }
        }
    }
}

/// `GET /workspaces/{ws}/jobs/new`
async fn new(signed: Signed, Path(ws): Path<String>) -> Response {
    form_page(&signed, &Target::New { ws: &ws }, &JobInput::new(), None).await
}

/// `POST /workspaces/{ws}/jobs`: creates the job, then shows it.
async fn create(Path(ws): Path<String>, posted: Posted) -> Response {
    let input = JobInput::posted(&posted.fields);
    let path = format!("/workspaces/{}/jobs", segment(&ws));
    match posted.signed.api.send::<Job>(Method::POST, &path, input.body()).await {
        Ok(job) => done(&job_path(&job.id), "created"),
        Err(failure) => form_page(&posted.signed, &Target::New { ws: &ws }, &input, Some(&failure)).await,
    }
}

/// `GET /jobs/{id}/edit`
async fn edit(signed: Signed, Path(id): Path<String>) -> Response {
    match signed.api.get::<Job>(&job_path(&id)).await {
        Ok(job) => {
            form_page(&signed, &Target::Edit { id: &id, ws: &job.workspace_id }, &JobInput::of(&job), None).await
        }
        Err(failure) => page::fail(&failure),
    }
}

/// `POST /jobs/{id}`: changes the job, then shows it.
async fn update(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let input = JobInput::posted(&posted.fields);
    let failure = match signed.api.send::<Job>(Method::PUT, &job_path(&id), input.body()).await {
        Ok(_) => return done(&job_path(&id), "saved"),
        Err(failure) => failure,
    };
    match signed.api.get::<Job>(&job_path(&id)).await {
        Ok(job) => form_page(signed, &Target::Edit { id: &id, ws: &job.workspace_id }, &input, Some(&failure)).await,
        Err(_) => page::fail(&failure),
    }
}

// ---------------------------------------------------------------------------
// One job

/// The query of a job's page.
#[derive(Deserialize)]
struct JobQuery {
    /// The notice's code (see [`page::notice`]).
    done: Option<String>,
    /// `0`: do not refresh the page while a run is under way.
    follow: Option<String>,
}

/// `GET /jobs/{id}`: the job, its run (live while under way, unless
/// `follow=0`) and history.
async fn show(signed: Signed, Path(id): Path<String>, Query(query): Query<JobQuery>) -> Response {
    let follow = query.follow.as_deref() != Some("0");
    job_page(&signed, &id, query.done.as_deref(), None, follow).await
}

/// The job page, with a notice of what was done or what the API refused;
/// it refreshes itself while a run is under way when `follow`.
async fn job_page(signed: &Signed, id: &str, done: Option<&str>, failure: Option<&Failure>, follow: bool) -> Response {
    let job = match signed.api.get::<Job>(&job_path(id)).await {
        Ok(job) => job,
        Err(failure) => return page::fail(&failure),
    };
    let body = match job_body(signed, &job, follow).await {
        Ok(body) => body,
        Err(failure) => return page::fail(&failure),
    };
    let body = html! {
        (page::notice(done))
        @if let Some(failure) = failure { (page::failure_box(failure)) }
        (body)
    };
    let response = page::page(signed, &job.name, Section::Jobs, Some(&job.workspace_id), body).await;
    with_status(response, failure)
}

/// The job page's body: facts, buttons, the latest run, the history.
async fn job_body(signed: &Signed, job: &Job, follow: bool) -> Answer<Markup> {
    // The two connections by id (a deleted one shows as its id).
    let mut named = Vec::new();
    for id in [&job.source_connection_id, &job.destination_connection_id] {
        named.extend(signed.api.get::<Connection>(&format!("/connections/{}", segment(id))).await.ok());
    }
    let latest = latest_run(signed, &job.id).await?;
    let path = format!("{}/history?{}", job_path(&job.id), query([("$top", HISTORY)]));
    let history: RunList = signed.api.get(&path).await?;
    let running = latest.as_ref().is_some_and(Run::under_way);
    Ok(html! {
        (facts(job, &named))
        (buttons(signed, &job.id, running))
        h2 { @if running { "Run under way" } @else { "Last run" } }
        @match &latest {
            Some(run) if running => (live(&job.id, run, follow)),
            Some(run) => (outcome(run)),
            None => p.muted { "The job has not run yet." },
        }
        h2 { "History" }
        (history_table(&history.value))
    })
}

/// What the job is.
fn facts(job: &Job, all: &[Connection]) -> Markup {
    html! {
        dl.facts {
            dt { "Workspace" } dd { (job.workspace_id) }
            dt { "Source" } dd { (connection_link(all, &job.source_connection_id)) }
            dt { "Destination" } dd { (connection_link(all, &job.destination_connection_id)) }
            dt { "Tables" } dd { (tables_summary(&job.tables)) }
            dt { "Table prefix" } dd { @if job.table_prefix.is_empty() { span.muted { "none" } } @else { code { (job.table_prefix) } } }
            dt { "Batch size" } dd { (job.batch_size) " rows" }
        }
    }
}

/// Run and Cancel (each disabled when it cannot apply), Edit, Delete.
fn buttons(signed: &Signed, id: &str, running: bool) -> Markup {
    let path = job_path(id);
    html! {
        div.actions {
            (button_form(signed, &format!("{path}/run"), "run-button", "Run", running, false))
            (button_form(signed, &format!("{path}/cancel"), "cancel-button", "Cancel run", !running, true))
            a.button #edit-job href=(format!("{path}/edit")) { "Edit" }
            a.button.danger #delete-job href=(format!("{path}/delete")) { "Delete" }
        }
    }
}

/// Seconds between two refreshes of a job's page while its run is under way.
const REFRESH_SECS: u32 = 2;

/// A run under way: its progress, and (when `follow`) a refresh of the page
/// every [`REFRESH_SECS`], with a link to stop it (a reload moves the focus
/// to the top of the page).
fn live(id: &str, run: &Run, follow: bool) -> Markup {
    let total = run.tables.len();
    let done = run.tables_done();
    html! {
        @if follow {
            meta http-equiv="refresh" content=(format!("{REFRESH_SECS}; url={}", job_path(id)));
            p { "This page refreshes every " (REFRESH_SECS) " s. "
                a #stop-following href=(format!("{}?follow=0", job_path(id))) { "Stop refreshing" } }
        } @else {
            p { a #follow href=(job_path(id)) { "Refresh, and follow the run" } }
        }
        p {
            (status_badge(&run.status)) " "
            label for="run-progress" { "Tables done" } " "
            @if total == 0 { progress #run-progress { "starting" } }
            @else { progress #run-progress max=(total) value=(done) { (done) " of " (total) " tables" } }
        }
        p role="status" {
            (run.rows) " rows copied; " (done) " of " (total) " tables done; " (duration(run.duration_ms)) " so far."
            @if run.cancel_requested { " A cancel was asked for: the run stops at its next page." }
        }
        (tables_table(&run.tables))
    }
}

/// How the latest run ended.
fn outcome(run: &Run) -> Markup {
    html! {
        p {
            strong #run-outcome class=(status_class(&run.status)) { (run.status) }
            " · " (run.rows) " rows in " (duration(run.duration_ms))
            " · ended " (page::when(run.finished_at.as_deref()))
        }
        @if let Some(error) = &run.error { div.error { p { (error) } } }
        (tables_table(&run.tables))
    }
}

/// A run's tables.
fn tables_table(tables: &[TableRun]) -> Markup {
    html! {
        @if !tables.is_empty() {
            div.scroll { table.responsive {
                thead { tr { th { "Table" } th { "Written as" } th { "Status" } th { "Rows" } th { "Time" } th { "Error" } } }
                tbody { @for t in tables { tr {
                    td data-label="Table" { (t.table) }
                    td data-label="Written as" { (t.destination_table) }
                    td data-label="Status" { (status_badge(&t.status)) }
                    td data-label="Rows" { (t.rows) }
                    td data-label="Time" { (duration(t.duration_ms)) }
                    td data-label="Error" { (t.error.as_deref().unwrap_or_default()) }
                } } }
            } }
        }
    }
}

/// The job's runs, newest first.
fn history_table(runs: &[Run]) -> Markup {
    html! {
        div.scroll { table.responsive #history {
            caption.muted { "The newest " (HISTORY) " runs." }
            thead { tr { th { "Started" } th { "Status" } th { "Rows" } th { "Tables copied" } th { "Time" } th { "Error" } } }
            tbody {
                @for run in runs { tr {
                    td data-label="Started" { (page::when(Some(&run.started_at))) }
                    td data-label="Status" { (status_badge(&run.status)) }
                    td data-label="Rows" { (run.rows) }
                    td data-label="Tables copied" { (run.tables_copied()) " of " (run.tables.len()) }
                    td data-label="Time" { (duration(run.duration_ms)) }
                    td data-label="Error" { (run.error.as_deref().unwrap_or_default()) }
                } }
                @if runs.is_empty() { tr { td colspan="6" { "No runs yet." } } }
            }
        } }
    }
}

/// `POST /jobs/{id}/run`: starts a run (the API's `execute`).
async fn run(Path(id): Path<String>, posted: Posted) -> Response {
    job_action(&posted.signed, &id, "execute", "started").await
}

/// `POST /jobs/{id}/cancel`: asks the run under way to stop.
async fn cancel(Path(id): Path<String>, posted: Posted) -> Response {
    job_action(&posted.signed, &id, "cancel", "cancelled").await
}

/// Posts `/jobs/{id}/{verb}` to the API; the job page after, with the
/// notice `code` or what the API refused.
async fn job_action(signed: &Signed, id: &str, verb: &str, code: &str) -> Response {
    match act(signed, Method::POST, &format!("{}/{verb}", job_path(id))).await {
        Ok(()) => done(&job_path(id), code),
        Err(failure) => job_page(signed, id, None, Some(&failure), true).await,
    }
}

/// `GET /jobs/{id}/delete`: asks whether to delete the job.
async fn ask_delete(signed: Signed, Path(id): Path<String>) -> Response {
    let job = match signed.api.get::<Job>(&job_path(&id)).await {
        Ok(job) => job,
        Err(failure) => return page::fail(&failure),
    };
    let question =
        html! { "Delete the job " strong { (job.name) } " and the history of its runs? This cannot be undone." };
    let what = Confirm {
        title: "Delete job",
        question,
        action: format!("{}/delete", job_path(&id)),
        back: job_path(&id),
        section: Section::Jobs,
        workspace: Some(&job.workspace_id),
    };
    confirm(&signed, what).await
}

/// `POST /jobs/{id}/delete`: deletes the job; its workspace's jobs after.
async fn delete(Path(id): Path<String>, posted: Posted) -> Response {
    let signed = &posted.signed;
    let job = match signed.api.get::<Job>(&job_path(&id)).await {
        Ok(job) => job,
        Err(failure) => return page::fail(&failure),
    };
    match act(signed, Method::DELETE, &job_path(&id)).await {
        Ok(()) => done(&format!("/workspaces/{}/jobs", segment(&job.workspace_id)), "deleted"),
        Err(failure) => job_page(signed, &id, None, Some(&failure), true).await,
    }
}
