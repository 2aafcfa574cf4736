//! `POST /connections/{id}/test` and `POST /connections/{id}/reset-credentials`.

use super::{find_as, plugin_for, write_with_retry};
use crate::api::error::ApiResult;
use crate::api::extract::{Params, Path};
use crate::api::state::AppState;
use crate::auth::{Action, Principal};
use crate::connections::{Connection, Status};
use crate::logs::OperationRecord;
use crate::runtime::CallError;
use crate::store::Recorded;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Instant;

/// What went wrong in a failed test.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestError {
    /// `invalid_config`, `auth_failed`, `unreachable`, `not_found`,
    /// `rate_limited`, `unsupported`, `internal` (from the connector), or
    /// `connector_timeout`, `connector_crashed`, `connector_overloaded` (the host stopped it).
    pub code: String,
    /// What happened.
    pub message: String,
    /// The property at fault, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
    /// Seconds to wait before retrying, when rate limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

/// The result of a connection test.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TestResult {
    /// Whether the connection works.
    pub success: bool,
    /// The connector's message, or what went wrong.
    pub message: String,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<TestError>,
    /// How long the test took, in milliseconds.
    pub duration_ms: u64,
}

impl TestError {
    fn from_call(error: CallError) -> Self {
        match error {
            CallError::Connector(e) => {
                let code = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_string));
                TestError {
                    code: code.unwrap_or_else(|| "internal".into()),
                    message: e.message,
                    property: e.property,
                    retry_after: e.retry_after,
                }
            }
            CallError::Fault(f) => {
                TestError { code: f.kind.code().into(), message: f.to_string(), property: None, retry_after: None }
            }
        }
    }
}

/// `POST /connections/{connection_id}/test`: runs the connector's `test` in
/// the sandbox. Always 200 when the connection exists: a failure, crash or
/// timeout is a failed result. Records `status` and `last_tested_at`.
#[utoipa::path(post, operation_id = "test_connection", path = "/connections/{connection_id}/test", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = TestResult), (status = 404, body = crate::api::error::ErrorResponse),
        (status = 502, body = crate::api::error::ErrorResponse), (status = 503, body = crate::api::error::ErrorResponse)))]
pub async fn test(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<TestResult>> {
    params.only(&[])?;
    let connection = find_as(&state.store, &principal, &id, Action::Operate).await?;
    let plugin = plugin_for(&state.registry, &connection)?;
    // `begun` at the stored precision (milliseconds), to compare with
    // another test's `last_tested_at`.
    let (started, begun) = (Instant::now(), crate::store::now());
    let call = plugin.test(connection.properties.to_vec()).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let result = match call.result {
        Ok(message) => TestResult { success: true, message, error: None, duration_ms },
        Err(error) => {
            let error = TestError::from_call(error);
            TestResult { success: false, message: error.message.clone(), error: Some(error), duration_ms }
        }
    };
    let status = if result.success { Status::Ok } else { Status::Failed };
    record(&state, &connection, status, begun).await?;
    let outcome = match &result.error {
        None => result.message.clone(),
        Some(e) => format!("{}: {}", e.code, e.message),
    };
    let record = OperationRecord::new("test", result.success, outcome, call.duration).with_plugin(&call.logs);
    state.logs.record(connection.id, connection.settings.logfile_verbosity, record).await;
    Ok(Json(result))
}

/// Records `status` from a test of `tested` (the connection as the test read
/// it) that began at `begun`. When the connection was updated during the
/// test, the status is recorded on the updated connection as long as what
/// was tested (connector version and properties) is unchanged (a rename,
/// say) and no test begun later was recorded meanwhile. A result that lost
/// to other tests' results only (the connection not updated) is left there.
async fn record(state: &AppState, tested: &Connection, status: Status, begun: DateTime<Utc>) -> ApiResult<()> {
    if state.store.record_test(tested.id, tested.revision, status).await? != Recorded::Stale {
        return Ok(());
    }
    // Test results change `revision` but not `updated_at`: when only other
    // tests got there first (the usual case), the cheap check ends it.
    if state.store.updated_at(tested.id).await?.is_none_or(|at| at == tested.updated_at) {
        return Ok(());
    }
    let Some(now) = state.store.connection(tested.id).await? else { return Ok(()) };
    let same_config = now.connector_version == tested.connector_version && now.properties == tested.properties;
    let newer_result = now.last_tested_at.is_some_and(|at| at >= begun);
    if same_config && !newer_result {
        state.store.record_test(now.id, now.revision, status).await?;
    }
    Ok(())
}

/// `POST /connections/{connection_id}/reset-credentials`: removes every
/// secret property value, drops cached metadata, and sets `status` to
/// `needs_credentials`.
#[utoipa::path(post, operation_id = "reset_credentials", path = "/connections/{connection_id}/reset-credentials", tag = "connections",
    params(("connection_id" = String, Path, description = "The connection id.")),
    responses((status = 200, body = super::view::ConnectionView), (status = 404, body = crate::api::error::ErrorResponse),
        (status = 409, body = crate::api::error::ErrorResponse)))]
pub async fn reset_credentials(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<super::view::ConnectionView>> {
    params.only(&[])?;
    let read = find_as(&state.store, &principal, &id, Action::Write).await?;
    let started = Instant::now();
    let mut removed = Vec::new();
    let view = write_with_retry(&state, read, |current| {
        let plugin = plugin_for(&state.registry, current)?;
        let mut next = current.clone();
        removed = next.properties.remove_secrets(plugin.info());
        next.status = Status::NeedsCredentials;
        Ok(next)
    })
    .await?;
    state.store.clear_cache(view.id).await?;
    let outcome = format!("removed {}", if removed.is_empty() { "no secrets".into() } else { removed.join(", ") });
    let record = OperationRecord::new("reset-credentials", true, outcome, started.elapsed());
    state.logs.record(view.id, view.settings.logfile_verbosity, record).await;
    Ok(view)
}
