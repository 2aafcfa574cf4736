//! One job's page: what it is, its buttons, the latest run (its live
//! progress while under way, else its outcome) and the history of its runs.

use super::super::api::{Answer, Failure, List, query};
use super::super::connections::connection;
use super::super::page::{self, Section};
use super::super::parts::{button_form, with_status};
use super::super::session::Signed;
use super::{
    Connection, Job, Run, TableRun, connection_link, job_path, latest_run, status_badge, status_class, tables_summary,
};
use axum::extract::{Path, Query};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

/// How many runs the job page lists.
const HISTORY: &str = "20";

/// A duration in milliseconds, for people.
fn duration(ms: u64) -> String {
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
    }
}

/// The query of a job's page.
#[derive(Deserialize)]
pub(super) struct JobQuery {
    /// The notice's code (see [`page::notice`]).
    done: Option<String>,
    /// `0`: do not refresh the page while a run is under way.
    follow: Option<String>,
}

/// `GET /jobs/{id}`: the job, its run (live while under way, unless
/// `follow=0`) and history.
pub(super) async fn show(signed: Signed, Path(id): Path<String>, Query(query): Query<JobQuery>) -> Response {
    let follow = query.follow.as_deref() != Some("0");
    job_page(&signed, &id, query.done.as_deref(), None, follow).await
}

/// The job page, with a notice of what was done or what the API refused;
/// it refreshes itself while a run is under way when `follow`.
pub(super) async fn job_page(
    signed: &Signed,
    id: &str,
    done: Option<&str>,
    failure: Option<&Failure>,
    follow: bool,
) -> Response {
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
        named.extend(connection(&signed.api, id).await.ok());
    }
    let latest = latest_run(signed, &job.id).await?;
    let path = format!("{}/history?{}", job_path(&job.id), query([("$top", HISTORY)]));
    let history: List<Run> = signed.api.get(&path).await?;
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
