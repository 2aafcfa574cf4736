//! The Accounting API's errors: `{"Fault":{"Error":[...],"type":"..."}}`.

use crate::settings::prop;
use serde::Deserialize;
use syncport_connector_sdk::{ConnectorError, Result, http::Response};

/// The body of a failed request.
#[derive(Debug, Deserialize)]
struct FaultBody {
    #[serde(rename = "Fault")]
    fault: Fault,
}

/// A fault: its type and errors.
#[derive(Debug, Deserialize)]
pub struct Fault {
    /// `AuthenticationFault`, `ValidationFault`, `ThrottleExceeded`, ...
    #[serde(rename = "type", default)]
    pub kind: String,
    /// What went wrong; usually one.
    #[serde(rename = "Error", default)]
    pub errors: Vec<FaultError>,
}

/// One error of a fault.
#[derive(Debug, Deserialize)]
pub struct FaultError {
    /// A short message, e.g. `Object Not Found`.
    #[serde(rename = "Message", default)]
    pub message: String,
    /// The error code, e.g. `610`.
    #[serde(default)]
    pub code: String,
}

/// The codes of errors about an entity or object that does not exist.
const NOT_FOUND_CODES: [&str; 2] = ["610", "620"];

impl Fault {
    /// The fault in `body`, if it holds one.
    pub fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<FaultBody>(body).ok().map(|b| b.fault)
    }

    /// The first error's message and code, for users.
    fn summary(&self) -> String {
        match self.errors.first() {
            Some(e) if !e.code.is_empty() => format!("{} (code {})", e.message, e.code),
            Some(e) => e.message.clone(),
            None => "no detail given".to_string(),
        }
    }

    /// Whether it says the entity or object asked for does not exist.
    fn is_not_found(&self) -> bool {
        self.errors.iter().any(|e| {
            let message = e.message.to_ascii_lowercase();
            NOT_FOUND_CODES.contains(&e.code.as_str())
                || message.contains("not found")
                || message.contains("invalid entity")
                || message.contains("invalid table")
        })
    }

    /// Whether it is about the minor version.
    fn is_about_minor_version(&self) -> bool {
        self.errors.iter().any(|e| e.message.to_ascii_lowercase().contains("minor version"))
    }
}

/// `response` when it succeeded; otherwise the error its status and fault mean.
pub fn check(response: Response) -> Result<Response> {
    let fault = Fault::parse(response.body());
    if response.is_success() && fault.is_none() {
        return Ok(response);
    }
    let status = response.status();
    match fault {
        // Throttling and outages keep the SDK's meaning (rate-limited with
        // Retry-After, unreachable after retries).
        _ if status == 429 || status >= 500 => {
            Err(response.error_for_status().err().unwrap_or_else(|| unexpected(status)))
        }
        Some(fault) => Err(error(&fault, status)),
        None => Err(response.error_for_status().err().unwrap_or_else(|| unexpected(status))),
    }
}

/// The error a fault means.
fn error(fault: &Fault, status: u16) -> ConnectorError {
    let summary = fault.summary();
    match fault.kind.as_str() {
        "AuthenticationFault" | "AuthorizationFault" => ConnectorError::auth_failed(format!(
            "QuickBooks Online refused the access token ({}: {summary}); authorize the connection again.",
            fault.kind
        ))
        .with_property(prop::ACCESS_TOKEN),
        "ThrottleExceeded" => {
            ConnectorError::rate_limited(format!("QuickBooks Online is throttling requests: {summary}."), 60)
        }
        "ValidationFault" if fault.is_not_found() => {
            ConnectorError::not_found(format!("QuickBooks Online found no such object: {summary}."))
        }
        "ValidationFault" if fault.is_about_minor_version() => ConnectorError::invalid_config(
            prop::MINOR_VERSION,
            format!("QuickBooks Online refused the minor version: {summary}."),
        ),
        _ if status == 401 => ConnectorError::auth_failed(format!(
            "QuickBooks Online refused the access token: {summary}; authorize the connection again."
        ))
        .with_property(prop::ACCESS_TOKEN),
        kind => ConnectorError::internal(format!("QuickBooks Online answered HTTP {status} with {kind}: {summary}.")),
    }
}

/// The error of a failed answer that says nothing more.
fn unexpected(status: u16) -> ConnectorError {
    ConnectorError::internal(format!("QuickBooks Online answered HTTP {status} with a fault."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncport_connector_sdk::ErrorKind;

    fn fault(status: u16, kind: &str, message: &str, code: &str) -> Result<Response> {
        let body = format!(
            r#"{{"Fault":{{"Error":[{{"Message":"{message}","Detail":"d","code":"{code}"}}],"type":"{kind}"}},"time":"t"}}"#
        );
        check(Response::new(status, vec![("Retry-After".into(), "30".into())], body.into_bytes()))
    }

    #[test]
    fn authentication_faults_name_the_token() {
        let e = fault(401, "AuthenticationFault", "message=AuthenticationFailed; errorCode=003200", "3200")
            .expect_err("refused");
        assert_eq!(e.kind, ErrorKind::AuthFailed);
        assert_eq!(e.property.as_deref(), Some("OAuthAccessToken"));
        assert!(e.message.contains("AuthenticationFailed"), "{}", e.message);
    }

    #[test]
    fn validation_faults_are_not_found_or_invalid() {
        assert_eq!(fault(400, "ValidationFault", "Object Not Found", "610").expect_err("x").kind, ErrorKind::NotFound);
        let e = fault(400, "ValidationFault", "Invalid minor version parameter", "2010").expect_err("x");
        assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::InvalidConfig, Some("MinorVersion")));
        let e = fault(400, "ValidationFault", "Error parsing query", "4000").expect_err("x");
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(e.message.contains("Error parsing query (code 4000)"), "{}", e.message);
    }

    #[test]
    fn throttling_keeps_retry_after() {
        let e = fault(429, "ThrottleExceeded", "message=ThrottleExceeded", "003001").expect_err("throttled");
        assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimited, Some(30)));
        let e = fault(400, "ThrottleExceeded", "x", "003001").expect_err("throttled");
        assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimited, Some(60)));
    }

    #[test]
    fn other_faults_and_plain_failures() {
        assert_eq!(fault(500, "SystemFault", "boom", "10000").expect_err("x").kind, ErrorKind::Unreachable);
        assert_eq!(fault(200, "SystemFault", "boom", "10000").expect_err("x").kind, ErrorKind::Internal);
        let plain = check(Response::new(403, vec![], b"<html>".to_vec())).expect_err("forbidden");
        assert_eq!(plain.kind, ErrorKind::AuthFailed);
        assert!(check(Response::new(200, vec![], br#"{"QueryResponse":{}}"#.to_vec())).is_ok());
    }
}
