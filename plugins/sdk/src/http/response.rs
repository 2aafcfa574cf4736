//! What the service answered.

use super::errors::status_error;
use crate::{ConnectorError, Result};

/// A response: status, headers and the whole body.
#[derive(Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    origin: String,
    credential: Option<String>,
}

/// Shows the status and body size only.
impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Response({} from {}, {} bytes)", self.status, self.origin, self.body.len())
    }
}

impl Response {
    /// A response of `status` with `headers` (names in any case) and `body`,
    /// as a [`Transport`](super::Transport) returns it.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let headers = headers.into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect();
        Self { status, headers, body, origin: String::new(), credential: None }
    }

    /// Records which request it answers, for error messages.
    pub(crate) fn answering(mut self, origin: String, credential: Option<&str>) -> Self {
        self.origin = origin;
        self.credential = credential.map(str::to_string);
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every header, names lowercase.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The origin it came from, e.g. `https://example.com`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The body as UTF-8 text; otherwise an `internal` error.
    pub fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body)
            .map_err(|_| ConnectorError::internal(format!("The response from {} is not UTF-8 text.", self.origin)))
    }

    /// The body parsed as JSON into `T`. Malformed or unexpected JSON is an
    /// `internal` error giving the position, never the body's content.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Data => "does not have the expected shape",
                serde_json::error::Category::Eof => "ends too soon",
                _ => "is not valid JSON",
            };
            ConnectorError::internal(format!(
                "The response from {} {what} (line {}, column {}).",
                self.origin,
                e.line(),
                e.column()
            ))
        })
    }

    /// Itself when the status is below 400; otherwise the error the status
    /// means ([`status_error`]).
    pub fn error_for_status(self) -> Result<Self> {
        let (retry_after, date) = (self.header("retry-after"), self.header("date"));
        match status_error(self.status, retry_after, date, &self.origin, self.credential.as_deref()) {
            Some(error) => Err(error),
            None => Ok(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn response(status: u16, body: &str) -> Response {
        Response::new(status, vec![("Retry-After".into(), "7".into())], body.as_bytes().to_vec())
            .answering("https://x.example".into(), Some("Token"))
    }

    #[test]
    fn headers_are_found_in_any_case() {
        assert_eq!(response(200, "").header("RETRY-AFTER"), Some("7"));
        assert_eq!(response(200, "").header("x"), None);
    }

    #[test]
    fn malformed_json_is_internal_without_the_body() {
        let e = response(200, r#"{"secret": "hunter2""#).json::<serde_json::Value>().expect_err("truncated");
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(e.message.starts_with("The response from https://x.example ends too soon"), "{}", e.message);
        let e =
            response(200, r#"{"n": "hunter2"}"#).json::<std::collections::HashMap<String, u32>>().expect_err("shape");
        assert!(!e.message.contains("hunter2"), "{}", e.message);
        assert!(e.message.contains("expected shape"), "{}", e.message);
    }

    #[test]
    fn error_for_status_uses_the_request_context() {
        assert!(response(204, "").error_for_status().is_ok());
        let e = response(401, "").error_for_status().expect_err("refused");
        assert_eq!(e.kind, ErrorKind::AuthFailed);
        assert_eq!(e.property.as_deref(), Some("Token"));
        let e = response(429, "").error_for_status().expect_err("throttled");
        assert_eq!(e.retry_after, Some(7));
    }
}
