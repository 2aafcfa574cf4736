//! `POST /connections/{id}/test` and `POST /connections/{id}/reset-credentials`.

use super::{find_as, show};
use crate::api::error::ApiResult;
use crate::api::extract::{Params, Path};
use crate::api::state::AppState;
use crate::auth::{Action, Principal};
use crate::service::connections::{self as service, TestFailure};
use axum::Json;
use axum::extract::State;
use serde::Serialize;

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

impl From<TestFailure> for TestError {
    fn from(f: TestFailure) -> Self {
        TestError { code: f.code, message: f.message, property: f.property, retry_after: f.retry_after }
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
    let tested = service::test(&state.services(), &connection).await?;
    let duration_ms = u64::try_from(tested.duration.as_millis()).unwrap_or(u64::MAX);
    Ok(Json(match tested.result {
        Ok(message) => TestResult { success: true, message, error: None, duration_ms },
        Err(failure) => {
            TestResult { success: false, message: failure.message.clone(), error: Some(failure.into()), duration_ms }
        }
    }))
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
    let written = service::reset_credentials(&state.services(), read).await?;
    Ok(Json(show(&state.registry, &written)))
}
