//! The job form: a new job (new, create) and an existing one's (edit,
//! update).

use super::super::api::{Failure, segment};
use super::super::page::{self, Section};
use super::super::parts::{described, done, field, invalid, text_input, whole, with_status};
use super::super::session::{Fields, FieldsExt, Posted, Signed};
use super::{Connection, Job, connections, job_path, tables_text};
use axum::extract::Path;
use axum::http::Method;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::{Value, json};

/// The form's tables as the API takes them: `"all"` when that is all it
/// says, else the list of its non-empty lines.
fn tables_json(text: &str) -> Value {
    let names: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match names.as_slice() {
        [all] if all.eq_ignore_ascii_case("all") => json!("all"),
        _ => json!(names),
    }
}

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
pub(super) async fn new(signed: Signed, Path(ws): Path<String>) -> Response {
    form_page(&signed, &Target::New { ws: &ws }, &JobInput::new(), None).await
}

/// `POST /workspaces/{ws}/jobs`: creates the job, then shows it.
pub(super) async fn create(Path(ws): Path<String>, posted: Posted) -> Response {
    let input = JobInput::posted(&posted.fields);
    let path = format!("/workspaces/{}/jobs", segment(&ws));
    match posted.signed.api.send::<Job>(Method::POST, &path, input.body()).await {
        Ok(job) => done(&job_path(&job.id), "created"),
        Err(failure) => form_page(&posted.signed, &Target::New { ws: &ws }, &input, Some(&failure)).await,
    }
}

/// `GET /jobs/{id}/edit`
pub(super) async fn edit(signed: Signed, Path(id): Path<String>) -> Response {
    match signed.api.get::<Job>(&job_path(&id)).await {
        Ok(job) => {
            form_page(&signed, &Target::Edit { id: &id, ws: &job.workspace_id }, &JobInput::of(&job), None).await
        }
        Err(failure) => page::fail(&failure),
    }
}

/// `POST /jobs/{id}`: changes the job, then shows it.
pub(super) async fn update(Path(id): Path<String>, posted: Posted) -> Response {
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
