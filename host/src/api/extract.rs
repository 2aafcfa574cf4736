//! Request extractors whose failures come back in the API's error shape.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Path parameters, as axum's `Path`, with failures in the API's error
/// shape. A parameter that is not UTF-8 once percent-decoded names nothing
/// that can exist, so it is the 404 of what it would name.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => match e.into_kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => {
                    let (code, what) = match key.as_str() {
                        "workspace_id" => ("workspace_not_found", "workspace"),
                        "connection_id" => ("connection_not_found", "connection"),
                        "table_name" => ("table_not_found", "table"),
                        "log_name" => ("log_not_found", "log file"),
                        "user_id" => ("user_not_found", "user"),
                        "token_id" => ("token_not_found", "token"),
                        _ => ("route_not_found", "resource"),
                    };
                    Err(ApiError::not_found(code, format!("The {what} does not exist: `{key}` is not UTF-8.")))
                }
                other => Err(ApiError::bad_request("invalid_path_parameter", other.to_string(), None)),
            },
            Err(other) => Err(ApiError::bad_request("invalid_path_parameter", other.body_text(), None)),
        }
    }
}

/// A JSON object body. Not JSON: 415; too large: 413; malformed: 400 saying
/// the line and column; any other JSON value: 400.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType { expected: "JSON (Content-Type: application/json)" });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::bad_request("unreadable_body", rejection.body_text(), Some("body".to_string()))
            }
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(JsonObject(map)),
            Ok(other) => Err(ApiError::bad_request(
                "invalid_body",
                format!("The body must be a JSON object, not {}.", kind(&other)),
                Some("body".to_string()),
            )),
            Err(e) => Err(ApiError::bad_request(
                "malformed_json",
                format!("The body is not valid JSON: {} (line {}, column {}).", error_text(&e), e.line(), e.column()),
                Some("body".to_string()),
            )),
        }
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequest<S> for JsonObject {
    type Rejection = ApiError;

    /// No body at all is `None`; anything else must be a JSON object.
    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, ApiError> {
        let empty = req.headers().get(CONTENT_TYPE).is_none()
            && req
                .headers()
                .get(axum::http::header::CONTENT_LENGTH)
                .is_none_or(|l| l.to_str().is_ok_and(|l| l.trim() == "0"));
        if empty {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state).await.map(Some)
    }
}

/// serde_json's message without its own " at line L column C" suffix.
fn error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// The JSON type of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Query parameters with case-insensitive names; `$top` and `top` are one.
/// Each route names the parameters it accepts, and others are a 400.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.trim_start_matches('$').to_ascii_lowercase(), v.into_owned()))
                .collect(),
        ))
    }
}

impl Params {
    /// Fails on any parameter not in `allowed` (lower case, without `$`).
    pub fn only(&self, allowed: &[&str]) -> Result<&Self, ApiError> {
        match self.0.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
            None => Ok(self),
            Some((k, _)) => Err(ApiError::bad_request(
                "unknown_parameter",
                format!("Unknown query parameter `{k}`; this route accepts: {}.", allowed.join(", ")),
                Some(k.clone()),
            )),
        }
    }

    /// The value of `name`, if given (the last one wins).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `name` as a boolean (`true`/`false`/`1`/`0`, any case); absent is false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if v == "true" || v == "1" => Ok(true),
            Some(v) if v == "false" || v == "0" || v.is_empty() => Ok(false),
            Some(v) => Err(ApiError::bad_request(
                "invalid_parameter",
                format!("Query parameter `{name}` must be true or false, not `{v}`."),
                Some(name.to_string()),
            )),
        }
    }

    /// `name` as a whole number from 0 to `max`.
    pub fn count(&self, name: &str, max: i64) -> Result<Option<i64>, ApiError> {
        self.get(name)
            .map(|v| {
                v.trim().parse::<i64>().ok().filter(|n| (0..=max).contains(n)).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_parameter",
                        format!("Query parameter `{name}` must be a whole number from 0 to {max}, not `{v}`."),
                        Some(name.to_string()),
                    )
                })
            })
            .transpose()
    }
}
