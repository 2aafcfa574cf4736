//! The API's one error type: a stable code per case, the OData-style JSON
//! shape `{"error": {"code", "message", "target", "details"}}`, and internal
//! errors logged, never shown.

use crate::connector::model::{ConnectorError, ErrorKind};
use crate::runtime::Fault;
use crate::service::{ServiceError, What};
use crate::store::StoreError;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// One detail of an error, e.g. each invalid field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code.
    pub code: &'static str,
    /// What was wrong.
    pub message: String,
    /// Where: a field, parameter or property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// The error body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable snake_case code.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The field, parameter or resource it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Further errors, e.g. one per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

/// The error envelope every failed request gets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or invalid.
    #[error("{message}")]
    BadRequest {
        /// A stable code.
        code: &'static str,
        /// What was wrong.
        message: String,
        /// Where.
        target: Option<String>,
        /// Each problem, when there are several.
        details: Vec<ErrorDetail>,
    },
    /// 401: no valid token.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the caller's role does not allow the action.
    #[error("{0}")]
    Forbidden(String),
    /// 403 with a code of its own: the action is never allowed, whoever asks
    /// (e.g. a connector name reserved for the bundled publisher).
    #[error("{message}")]
    Refused {
        /// A stable code.
        code: &'static str,
        /// Why.
        message: String,
        /// What it concerns.
        target: Option<String>,
    },
    /// 502/503 with a code of its own: the connector cannot be called now
    /// (503 with `Retry-After` when it is worth trying again soon, 502 when
    /// it was refused).
    #[error("{message}")]
    Unavailable {
        /// A stable code.
        code: &'static str,
        /// Why.
        message: String,
        /// Seconds to wait before trying again; `None`: 502, not soon.
        retry_after: Option<u64>,
    },
    /// 429: too many failed authentications from this address.
    #[error("Too many failed authentications; retry in {retry_after} s.")]
    TooManyAuthFailures {
        /// Seconds until attempts are accepted again.
        retry_after: u64,
    },
    /// 404: no such resource (or route).
    #[error("{message}")]
    NotFound {
        /// A stable code.
        code: &'static str,
        /// What was not found.
        message: String,
    },
    /// 405: the route exists, the method does not.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: the request conflicts with the current state.
    #[error("{message}")]
    Conflict {
        /// A stable code.
        code: &'static str,
        /// Why.
        message: String,
        /// What it concerns.
        target: Option<String>,
    },
    /// 413: the body is larger than allowed.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415: the body is not of the type the route takes.
    #[error("The request body must be {expected}.")]
    UnsupportedMediaType {
        /// What the route takes, e.g. `JSON (Content-Type: application/json)`.
        expected: &'static str,
    },
    /// The connector reported a failure: 400 for configuration and
    /// credentials, 404 not found, 429 rate limited (with `Retry-After`),
    /// 502 unreachable or internal.
    #[error("{}", .0.message)]
    Connector(ConnectorError),
    /// 502/504: the host stopped the connector.
    #[error("{0}")]
    Fault(Fault),
    /// 500: anything else; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 with one message.
    pub fn bad_request(code: &'static str, message: impl Into<String>, target: impl Into<Option<String>>) -> Self {
        ApiError::BadRequest { code, message: message.into(), target: target.into(), details: Vec::new() }
    }

    /// A 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::NotFound { code, message: message.into() }
    }

    /// A 409.
    pub fn conflict(code: &'static str, message: impl Into<String>, target: impl Into<Option<String>>) -> Self {
        ApiError::Conflict { code, message: message.into(), target: target.into() }
    }

    fn parts(&self) -> (StatusCode, &'static str, Option<String>) {
        use ApiError::*;
        match self {
            BadRequest { code, target, .. } => (StatusCode::BAD_REQUEST, code, target.clone()),
            Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", None),
            Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", None),
            Refused { code, target, .. } => (StatusCode::FORBIDDEN, code, target.clone()),
            Unavailable { code, retry_after: Some(_), .. } => (StatusCode::SERVICE_UNAVAILABLE, code, None),
            Unavailable { code, retry_after: None, .. } => (StatusCode::BAD_GATEWAY, code, None),
            TooManyAuthFailures { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_auth_failures", None),
            NotFound { code, .. } => (StatusCode::NOT_FOUND, code, None),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", None),
            Conflict { code, target, .. } => (StatusCode::CONFLICT, code, target.clone()),
            PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            UnsupportedMediaType { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None),
            Connector(e) => {
                let (status, code) = match e.kind {
                    ErrorKind::InvalidConfig => (StatusCode::BAD_REQUEST, "connector_invalid_config"),
                    ErrorKind::AuthFailed => (StatusCode::BAD_REQUEST, "connector_auth_failed"),
                    ErrorKind::NotFound => (StatusCode::NOT_FOUND, "connector_not_found_error"),
                    ErrorKind::Unsupported => (StatusCode::BAD_REQUEST, "connector_unsupported"),
                    ErrorKind::Unreachable => (StatusCode::BAD_GATEWAY, "connector_unreachable"),
                    ErrorKind::RateLimited => (StatusCode::TOO_MANY_REQUESTS, "connector_rate_limited"),
                    ErrorKind::Internal => (StatusCode::BAD_GATEWAY, "connector_error"),
                };
                // A property, named as every property-related target is.
                (status, code, e.property.as_ref().map(|p| format!("properties.{p}")))
            }
            Fault(f) if f.kind.is_timeout() => (StatusCode::GATEWAY_TIMEOUT, f.kind.code(), None),
            Fault(f) if f.kind.is_overloaded() => (StatusCode::SERVICE_UNAVAILABLE, f.kind.code(), None),
            Fault(f) => (StatusCode::BAD_GATEWAY, f.kind.code(), None),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error", None),
        }
    }
}

impl From<StoreError> for ApiError {
    /// 503 `database_unavailable` (with `Retry-After`) when the database
    /// cannot be reached, so clients and load balancers retry; any other
    /// database failure is a 500.
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "the database does not answer");
            let message = "The database does not answer; try again in a moment.".to_string();
            return ApiError::Unavailable { code: "database_unavailable", message, retry_after: Some(2) };
        }
        ApiError::Internal(error.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let message = error.to_string();
        match error {
            ServiceError::NotFound { what, .. } => {
                let code = match what {
                    What::Connection => "connection_not_found",
                    What::Job => "job_not_found",
                    What::User => "user_not_found",
                    What::Token => "token_not_found",
                    What::Workspace => "workspace_not_found",
                };
                ApiError::not_found(code, message)
            }
            ServiceError::NoSuchTable { .. } => ApiError::not_found("table_not_found", message),
            ServiceError::NameTaken { what, .. } => {
                let (code, target) = match what {
                    What::Connection => ("name_taken", Some("name")),
                    What::Job => ("job_name_taken", None),
                    What::User => ("user_exists", Some("name")),
                    What::Workspace => ("workspace_exists", Some("id")),
                    What::Token => return ApiError::Internal(format!("a token's name taken: {message}")),
                };
                ApiError::conflict(code, message, target.map(String::from))
            }
            ServiceError::OwnRole => ApiError::conflict("own_role", message, Some("role".into())),
            ServiceError::LastAdmin => ApiError::conflict("last_admin", message, None),
            ServiceError::DefaultWorkspace { workspace } => {
                ApiError::conflict("default_workspace", message, Some(workspace))
            }
            ServiceError::WorkspaceNotEmpty { workspace } => {
                ApiError::conflict("workspace_not_empty", message, Some(workspace))
            }
            ServiceError::NotInstalled { .. } => ApiError::not_found("connector_version_not_found", message),
            ServiceError::VersionInUse { name, version, .. } => {
                ApiError::conflict("connector_version_in_use", message, Some(format!("{name}/{version}")))
            }
            ServiceError::Registry(error) => super::connectors::registry_error(error),
            ServiceError::InUse { job, .. } => ApiError::conflict("connection_in_use", message, Some(job)),
            ServiceError::Running { .. } => ApiError::conflict("job_running", message, None),
            ServiceError::NotRunning { .. } => ApiError::conflict("job_not_running", message, None),
            ServiceError::DestinationBusy { .. } => {
                ApiError::conflict("destination_in_use", message, Some("destination_connection_id".into()))
            }
            ServiceError::WriteConflict { .. } => ApiError::conflict("write_conflict", message, None),
            ServiceError::Rejected(r) => ApiError::bad_request(r.code, r.message, r.target),
            ServiceError::Invalid { problems } => {
                let details = problems
                    .into_iter()
                    .map(|p| ErrorDetail {
                        code: p.code,
                        message: p.message,
                        target: Some(format!("properties.{}", p.property)),
                    })
                    .collect();
                match super::connections::body::into_result(details) {
                    Err(error) => error,
                    Ok(()) => ApiError::Internal("invalid properties without a problem".into()),
                }
            }
            ServiceError::Loading(message) => super::connectors::loading(message),
            ServiceError::Refused(message) => {
                ApiError::Unavailable { code: "connector_refused", message, retry_after: None }
            }
            ServiceError::Connector(e) => ApiError::Connector(e),
            ServiceError::Fault(f) => ApiError::Fault(f),
            ServiceError::OAuth(f) => match f.kind {
                crate::service::oauth::FailureKind::NeedsCredentials => ApiError::conflict(f.code(), message, None),
                crate::service::oauth::FailureKind::TokenEndpoint => {
                    ApiError::Unavailable { code: f.code(), message, retry_after: None }
                }
            },
            ServiceError::Store(e) => ApiError::from(e),
            ServiceError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, target) = self.parts();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "The server failed to handle the request; the failure is logged.".to_string()
            }
            ApiError::PayloadTooLarge => "The request body is larger than the server accepts.".to_string(),
            ApiError::MethodNotAllowed => "This route does not accept that method.".to_string(),
            other => other.to_string(),
        };
        let retry_after = match &self {
            ApiError::Connector(e) => e.retry_after.map(u64::from),
            ApiError::TooManyAuthFailures { retry_after } => Some(*retry_after),
            ApiError::Unavailable { retry_after, .. } => *retry_after,
            // Every slot was busy for the whole queue timeout: try again soon.
            ApiError::Fault(f) if f.kind.is_overloaded() => Some(1),
            _ => None,
        };
        let unauthorized = matches!(self, ApiError::Unauthorized(_));
        let details = match self {
            ApiError::BadRequest { details, .. } => details,
            _ => Vec::new(),
        };
        let body = ErrorResponse { error: ErrorBody { code: code.to_string(), message, target, details } };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if unauthorized {
            let challenge = HeaderValue::from_static("Basic realm=\"syncport\", charset=\"UTF-8\"");
            response.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
