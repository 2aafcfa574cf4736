//! The jobs of a workspace, each with its last run.

use super::super::api::{Answer, List, segment};
use super::super::page::{self, Section};
use super::super::parts::Done;
use super::super::session::Signed;
use super::{Connection, Job, Run, connection_link, connections, job_path, latest_run, status_badge, tables_summary};
use axum::extract::{Path, Query};
use axum::response::Response;
use maud::{Markup, html};

/// `GET /workspaces/{ws}/jobs`: the workspace's jobs with their last run.
pub(super) async fn list(signed: Signed, Path(ws): Path<String>, Query(query): Query<Done>) -> Response {
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
    let jobs: List<Job> = signed.api.get(&format!("/workspaces/{}/jobs", segment(ws))).await?;
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
