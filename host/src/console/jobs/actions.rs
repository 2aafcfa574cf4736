//! What the job page's buttons post: run, cancel, and delete with its
//! confirmation.

use super::super::api::segment;
use super::super::page::{self, Section};
use super::super::parts::{Confirm, act, confirm, done};
use super::super::session::{Posted, Signed};
use super::detail::job_page;
use super::{Job, job_path};
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use maud::html;

/// `POST /jobs/{id}/run`: starts a run (the API's `execute`).
pub(super) async fn run(Path(id): Path<String>, posted: Posted) -> Response {
    job_action(&posted.signed, &id, "execute", "started").await
}

/// `POST /jobs/{id}/cancel`: asks the run under way to stop.
pub(super) async fn cancel(Path(id): Path<String>, posted: Posted) -> Response {
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
pub(super) async fn ask_delete(signed: Signed, Path(id): Path<String>) -> Response {
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
pub(super) async fn delete(Path(id): Path<String>, posted: Posted) -> Response {
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
