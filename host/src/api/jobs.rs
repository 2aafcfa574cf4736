//! `/workspaces/{id}/jobs` and `/jobs/{id}`: replication jobs, their runs
//! (`execute`, `cancel`, `status`, `history`). See docs/jobs.md.

use super::auth::Require;
use super::connections::MAX_TOP;
use super::error::{ApiError, ApiResult};
use super::extract::{Field, JsonBody, NAME_PATTERN, Params, Path, Problems, Whole, is_name, name_schema};
use super::state::AppState;
use super::workspaces::require_workspace_as;
use crate::auth::{Action, Principal};
use crate::jobs::rules::{self, Changes, MAX_BATCH_SIZE};
use crate::service::{ServiceError, What};
use crate::store::{Job, Run, RunStatus, TableProgress};
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of jobs.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update, remove))
        .routes(routes!(execute))
        .routes(routes!(cancel))
        .routes(routes!(status))
        .routes(routes!(history))
}

/// A job in a response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobView {
    /// Its id.
    pub id: Uuid,
    /// The workspace it belongs to.
    pub workspace_id: String,
    /// Its name.
    pub name: String,
    /// The connection rows are read from.
    pub source_connection_id: Uuid,
    /// The connection rows are written to.
    pub destination_connection_id: Uuid,
    /// `"all"`, or the source tables to copy.
    pub tables: JobTables,
    /// Prepended to each table's name in the destination.
    pub table_prefix: String,
    /// Rows per page read and batch written.
    pub batch_size: u32,
    /// The run under way, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_run_id: Option<Uuid>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The tables a job copies: `"all"` or a list of names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum JobTables {
    /// `"all"`: every table of the source, listed when a run starts.
    #[schema(value_type = String, example = "all")]
    All(&'static str),
    /// These source tables, in this order.
    List(Vec<String>),
}

/// A list of jobs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobList {
    /// The jobs, by name.
    pub value: Vec<JobView>,
}

/// A run in a response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunView {
    /// The run's id.
    pub run_id: Uuid,
    /// The job's id.
    pub job_id: Uuid,
    /// Starting, Testing, Running, Successful, Failed or Cancelled.
    pub status: RunStatus,
    /// Rows written over all tables.
    pub rows: u64,
    /// Per-table progress, in copy order.
    pub tables: Vec<TableProgress>,
    /// Why the run failed as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether a cancel was asked for.
    pub cancel_requested: bool,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<Utc>>,
    /// How long it ran (so far), in milliseconds.
    pub duration_ms: u64,
}

/// A job's runs, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RunList {
    /// The runs.
    pub value: Vec<RunView>,
}

fn view(job: Job) -> JobView {
    JobView {
        id: job.id,
        workspace_id: job.workspace_id,
        name: job.name,
        source_connection_id: job.source,
        destination_connection_id: job.destination,
        tables: job.tables.map_or(JobTables::All("all"), JobTables::List),
        table_prefix: job.table_prefix,
        batch_size: job.batch_size,
        active_run_id: job.active_run,
        created_at: job.created_at,
        updated_at: job.updated_at,
    }
}

fn run_view(run: Run) -> RunView {
    let end = run.finished_at.unwrap_or_else(Utc::now);
    RunView {
        run_id: run.id,
        job_id: run.job_id,
        status: run.status,
        rows: run.tables.iter().map(|t| t.rows).sum(),
        tables: run.tables,
        error: run.error,
        cancel_requested: run.cancel_requested,
        started_at: run.started_at,
        finished_at: run.finished_at,
        duration_ms: u64::try_from((end - run.started_at).num_milliseconds()).unwrap_or_default(),
    }
}

/// The job `id` if `principal` may do `action` in its workspace.
async fn find_job(state: &AppState, principal: &Principal, id: &str, action: Action) -> ApiResult<Job> {
    let job = rules::find(&state.store, id).await?;
    principal.require(&job.workspace_id, action, || {
        ApiError::from(ServiceError::NotFound { what: What::Job, id: id.into() })
    })?;
    Ok(job)
}

/// JSON Schema pattern of a table prefix: no control characters, `/` or `\`.
const PREFIX_PATTERN: &str = "^[^\\u0000-\\u001F\\u007F-\\u009F/\\\\]*$";

/// `table_prefix`: at most 64 characters, no control characters, `/` or `\\`.
fn prefix_schema() -> utoipa::openapi::schema::Object {
    crate::api::extract::text_schema(0, 64, PREFIX_PATTERN)
}

/// `POST /workspaces/{workspace_id}/jobs`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Nightly QuickBooks to CSV",
    "source_connection_id": "0f8e4c1e-2b7a-4d55-9a43-5b1c1f1e0a11",
    "destination_connection_id": "6a1d2f3e-4c5b-4a69-8e7f-0a1b2c3d4e5f",
    "tables": ["Customers", "Invoices"],
    "table_prefix": "qb_",
    "batch_size": 1000
}))]
pub struct CreateJob {
    /// Unique in the workspace, compared case-insensitively; 1 to 128 characters.
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// The connection read from (a source connector); `source` is accepted too.
    #[serde(alias = "source")]
    #[schema(value_type = uuid::Uuid)]
    source_connection_id: Field<String>,
    /// The connection written to (a destination connector); `destination` is accepted too.
    #[serde(alias = "destination")]
    #[schema(value_type = uuid::Uuid)]
    destination_connection_id: Field<String>,
    /// `"all"` (default) or a list of the source's table names.
    #[serde(default)]
    #[schema(schema_with = tables_schema)]
    tables: Field<TablesInput>,
    /// Put before each destination table's name; default none. At most 64
    /// characters, without `/`, `\` or control characters.
    #[serde(default)]
    #[schema(schema_with = prefix_schema)]
    table_prefix: Field<String>,
    /// Rows per page, 1 to 100,000; default 1,000.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 1, maximum = 100000)]
    batch_size: Field<Whole>,
}

/// `PUT /jobs/{job_id}`: only what is given changes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"tables": "all", "batch_size": 5000}))]
pub struct UpdateJob {
    /// A new name, unique in the workspace.
    #[serde(default)]
    #[schema(schema_with = name_schema)]
    name: Field<String>,
    /// Another source connection.
    #[serde(default, alias = "source")]
    #[schema(value_type = uuid::Uuid)]
    source_connection_id: Field<String>,
    /// Another destination connection.
    #[serde(default, alias = "destination")]
    #[schema(value_type = uuid::Uuid)]
    destination_connection_id: Field<String>,
    /// `"all"` or a list of the source's table names.
    #[serde(default)]
    #[schema(schema_with = tables_schema)]
    tables: Field<TablesInput>,
    /// Put before each destination table's name.
    #[serde(default)]
    #[schema(schema_with = prefix_schema)]
    table_prefix: Field<String>,
    /// Rows per page, 1 to 100,000.
    #[serde(default)]
    #[schema(value_type = u32, minimum = 1, maximum = 100000)]
    batch_size: Field<Whole>,
}

/// `"all"` (`None`, any case) or a non-empty list of distinct table names.
pub struct TablesInput(Option<Vec<String>>);

impl<'de> Deserialize<'de> for TablesInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let wrong = || D::Error::custom("must be \"all\" or a non-empty list of table names");
        match Value::deserialize(deserializer)? {
            Value::String(s) if s.trim().eq_ignore_ascii_case("all") => Ok(TablesInput(None)),
            Value::Array(items) if !items.is_empty() => {
                let mut names: Vec<String> = Vec::new();
                for item in items {
                    let name = item.as_str().filter(|n| is_name(n, usize::MAX)).map(str::trim).ok_or_else(wrong)?;
                    if names.iter().any(|n| n == name) {
                        return Err(D::Error::custom(format!("names `{name}` twice")));
                    }
                    names.push(name.to_string());
                }
                Ok(TablesInput(Some(names)))
            }
            _ => Err(wrong()),
        }
    }
}

/// `tables`: `"all"` or a non-empty list of distinct names.
fn tables_schema() -> impl Into<utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
    let all = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["all"]));
    let name = ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).pattern(Some(NAME_PATTERN));
    let list = ArrayBuilder::new().items(name).min_items(Some(1)).unique_items(true);
    OneOfBuilder::new()
        .item(all)
        .item(list)
        .description(Some("`\"all\"`, or the source tables to copy, in this order (distinct names)."))
        .examples([json!(["Customers", "Invoices"])])
}

/// The fields of a job body, checked: each set only when given.
fn read_job(
    name: Field<String>,
    source: Field<String>,
    destination: Field<String>,
    tables: Field<TablesInput>,
    table_prefix: Field<String>,
    batch_size: Field<Whole>,
) -> ApiResult<Changes> {
    let mut problems = Problems::default();
    let mut out = Changes::default();
    if let Some(name) = name.get("name", &mut problems) {
        if is_name(&name, 128) {
            out.name = Some(name.trim().to_string());
        } else {
            problems.add("invalid_field", "name", "`name` must be 1 to 128 printable characters.");
        }
    }
    let mut id = |field: Field<String>, key: &str| {
        let s = field.get(key, &mut problems)?;
        let id = Uuid::parse_str(s.trim()).ok();
        if id.is_none() {
            problems.add("invalid_field", key, format!("`{key}` must be a connection id, not `{s}`."));
        }
        id
    };
    out.source = id(source, "source_connection_id");
    out.destination = id(destination, "destination_connection_id");
    out.tables = tables.get("tables", &mut problems).map(|t| t.0);
    if let Some(prefix) = table_prefix.get("table_prefix", &mut problems) {
        if prefix.chars().count() > 64 || prefix.chars().any(|c| c.is_control() || c == '/' || c == '\\') {
            let message = "`table_prefix` must be at most 64 characters, without `/`, `\\` or control characters.";
            problems.add("invalid_field", "table_prefix", message);
        } else {
            out.table_prefix = Some(prefix);
        }
    }
    if let Some(size) = batch_size.get("batch_size", &mut problems) {
        if let Some(size) = u32::try_from(size.0).ok().filter(|s| (1..=MAX_BATCH_SIZE).contains(s)) {
            out.batch_size = Some(size);
        } else {
            let message = format!("`batch_size` must be an integer from 1 to {MAX_BATCH_SIZE}, not {}.", size.0);
            problems.add("invalid_field", "batch_size", message);
        }
    }
    problems.finish(out)
}

/// `GET /workspaces/{workspace_id}/jobs`
#[utoipa::path(get, operation_id = "list_jobs", path = "/workspaces/{workspace_id}/jobs", tag = "jobs",
    params(("workspace_id" = String, Path, description = "The workspace.")),
    responses((status = 200, body = JobList), (status = 404, body = super::error::ErrorResponse)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Path(workspace_id): Path<String>,
    params: Params,
) -> ApiResult<Json<JobList>> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &workspace_id, Action::Read).await?;
    let jobs = state.store.jobs(&workspace_id).await?;
    Ok(Json(JobList { value: jobs.into_iter().map(view).collect() }))
}

/// `POST /workspaces/{workspace_id}/jobs`
#[utoipa::path(post, operation_id = "create_job", path = "/workspaces/{workspace_id}/jobs", tag = "jobs",
    params(("workspace_id" = String, Path, description = "The workspace.")),
    request_body(content = CreateJob),
    responses((status = 201, body = JobView), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Path(workspace_id): Path<String>,
    params: Params,
    body: JsonBody<CreateJob>,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    require_workspace_as(&state.store, &principal, &workspace_id, Action::Write).await?;
    let body = body.parse()?;
    let changes = read_job(
        body.name,
        body.source_connection_id,
        body.destination_connection_id,
        body.tables,
        body.table_prefix,
        body.batch_size,
    )?;
    let job = rules::create(&state.services(), workspace_id, changes).await?;
    let location = format!("/api.rsc/v2/jobs/{}", job.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(view(job))))
}

/// `GET /jobs/{job_id}`
#[utoipa::path(get, operation_id = "get_job", path = "/jobs/{job_id}", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    responses((status = 200, body = JobView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<JobView>> {
    params.only(&[])?;
    Ok(Json(view(find_job(&state, &principal, &id, Action::Read).await?)))
}

/// `PUT /jobs/{job_id}`: replaces the fields given; 409 while it runs.
#[utoipa::path(put, operation_id = "update_job", path = "/jobs/{job_id}", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    request_body(content = UpdateJob),
    responses((status = 200, body = JobView), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
    body: JsonBody<UpdateJob>,
) -> ApiResult<Json<JobView>> {
    params.only(&[])?;
    let job = find_job(&state, &principal, &id, Action::Write).await?;
    let body = body.parse()?;
    let changes = read_job(
        body.name,
        body.source_connection_id,
        body.destination_connection_id,
        body.tables,
        body.table_prefix,
        body.batch_size,
    )?;
    let job = rules::update(&state.services(), job, changes, &id).await?;
    Ok(Json(view(job)))
}

/// `DELETE /jobs/{job_id}`: the job and its history; 409 while it runs.
#[utoipa::path(delete, operation_id = "delete_job", path = "/jobs/{job_id}", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    responses((status = 204), (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn remove(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<StatusCode> {
    params.only(&[])?;
    let job = find_job(&state, &principal, &id, Action::Write).await?;
    rules::delete(&state.store, &job, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /jobs/{job_id}/execute`: starts a run in the background; 202 with
/// the run, `Location` its status.
#[utoipa::path(post, operation_id = "execute_job", path = "/jobs/{job_id}/execute", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    responses((status = 202, body = RunView), (status = 400, body = super::error::ErrorResponse),
        (status = 404, body = super::error::ErrorResponse), (status = 409, body = super::error::ErrorResponse)))]
pub async fn execute(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    let job = find_job(&state, &principal, &id, Action::Run).await?;
    let run = rules::execute(&state.jobs, &state.services(), job, &id).await?;
    let location = format!("/api.rsc/v2/jobs/{id}/status");
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(run_view(run))))
}

/// `POST /jobs/{job_id}/cancel`: asks the run under way to stop (at its
/// next page, on whichever server runs it); 202 with the run.
#[utoipa::path(post, operation_id = "cancel_job", path = "/jobs/{job_id}/cancel", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    responses((status = 202, body = RunView), (status = 404, body = super::error::ErrorResponse),
        (status = 409, body = super::error::ErrorResponse)))]
pub async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<impl IntoResponse> {
    params.only(&[])?;
    let job = find_job(&state, &principal, &id, Action::Run).await?;
    let run = rules::cancel(&state.jobs, &state.store, &job, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(run_view(run))))
}

/// `GET /jobs/{job_id}/status`: the latest run, live while it runs.
#[utoipa::path(get, operation_id = "job_status", path = "/jobs/{job_id}/status", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id.")),
    responses((status = 200, body = RunView), (status = 404, body = super::error::ErrorResponse)))]
pub async fn status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<RunView>> {
    params.only(&[])?;
    let job = find_job(&state, &principal, &id, Action::Read).await?;
    let latest = state.store.runs(job.id, 1, 0).await?.into_iter().next();
    let run = latest.ok_or_else(|| ApiError::not_found("run_not_found", format!("Job `{id}` has not run yet.")))?;
    Ok(Json(run_view(run)))
}

/// `GET /jobs/{job_id}/history`: every run, newest first.
#[utoipa::path(get, operation_id = "job_history", path = "/jobs/{job_id}/history", tag = "jobs",
    params(("job_id" = String, Path, description = "The job id."),
        ("$top" = Option<i64>, Query, minimum = 0, maximum = 1000, description = "At most this many (default and maximum 1000)."),
        ("$skip" = Option<i64>, Query, minimum = 0, description = "Skip this many first.")),
    responses((status = 200, body = RunList), (status = 404, body = super::error::ErrorResponse)))]
pub async fn history(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<RunList>> {
    params.only(&["top", "skip"])?;
    let top = params.count("top", MAX_TOP)?.unwrap_or(MAX_TOP);
    let skip = params.count("skip", i64::MAX)?.unwrap_or(0);
    let job = find_job(&state, &principal, &id, Action::Read).await?;
    let runs = state.store.runs(job.id, top, skip).await?;
    Ok(Json(RunList { value: runs.into_iter().map(run_view).collect() }))
}
