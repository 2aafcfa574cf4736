//! The REST API's errors: `[{"message":"...","errorCode":"..."}]`.

use crate::settings::prop;
use serde::Deserialize;
use syncport_connector_sdk::{ConnectorError, Result, http::Response};

/// One error of an error answer.
#[derive(Debug, Deserialize)]
pub struct ApiError {
    /// What went wrong, for users.
    #[serde(default)]
    pub message: String,
    /// The code, e.g. `INVALID_SESSION_ID`.
    #[serde(rename = "errorCode", default)]
    pub code: String,
}

/// The first error of an error answer's body, if it holds one.
pub fn parse(body: &[u8]) -> Option<ApiError> {
    serde_json::from_slice::<Vec<ApiError>>(body).ok()?.into_iter().next()
}

/// `response` when it succeeded; otherwise the error its status and body mean.
pub fn check(response: Response) -> Result<Response> {
    if response.is_success() {
        return Ok(response);
    }
    let status = response.status();
    let retry_after = response.header("retry-after").and_then(|v| v.trim().parse().ok());
    let error = match parse(response.body()) {
        Some(e) if e.code == "INVALID_SESSION_ID" || status == 401 => ConnectorError::auth_failed(format!(
            "Salesforce refused the access token ({}: {}); authorize the connection again.",
            e.code, e.message
        ))
        .with_property(prop::ACCESS_TOKEN),
        Some(e) if e.code == "REQUEST_LIMIT_EXCEEDED" => ConnectorError::rate_limited(
            format!("Salesforce refused the request: the org's API request limit is reached ({}).", e.message),
            retry_after.unwrap_or(3600),
        ),
        Some(e) if matches!(e.code.as_str(), "NOT_FOUND" | "INVALID_TYPE") => {
            ConnectorError::not_found(format!("Salesforce: {} ({}).", e.message, e.code))
        }
        Some(e) if status < 500 && status != 429 && status != 403 => {
            ConnectorError::internal(format!("Salesforce refused the request: {} ({}).", e.message, e.code))
        }
        _ => return response.error_for_status(),
    };
    Err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncport_connector_sdk::ErrorKind;

    fn answer(status: u16, body: &str) -> ConnectorError {
        check(Response::new(status, vec![], body.as_bytes().to_vec())).expect_err("an error")
    }

    #[test]
    fn error_codes_map_to_kinds() {
        let e = answer(401, r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#);
        assert_eq!((e.kind, e.property.as_deref()), (ErrorKind::AuthFailed, Some("OAuthAccessToken")));
        assert!(e.message.contains("Session expired or invalid"), "{}", e.message);
        let e = answer(403, r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#);
        assert_eq!((e.kind, e.retry_after), (ErrorKind::RateLimited, Some(3600)));
        let e = answer(404, r#"[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]"#);
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert_eq!(
            answer(400, r#"[{"message":"sObject type 'Nope' is not supported.","errorCode":"INVALID_TYPE"}]"#).kind,
            ErrorKind::NotFound
        );
        let e = answer(400, r#"[{"message":"unexpected token: FROM","errorCode":"MALFORMED_QUERY"}]"#);
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(e.message.contains("unexpected token: FROM (MALFORMED_QUERY)"), "{}", e.message);
    }

    #[test]
    fn other_answers_keep_the_sdks_meaning() {
        assert_eq!(answer(503, "<html>").kind, ErrorKind::Unreachable);
        assert_eq!(answer(403, r#"[{"message":"no","errorCode":"API_DISABLED_FOR_ORG"}]"#).kind, ErrorKind::AuthFailed);
        assert_eq!(answer(404, "not json").kind, ErrorKind::NotFound);
        assert!(check(Response::new(200, vec![], b"{}".to_vec())).is_ok());
    }
}
