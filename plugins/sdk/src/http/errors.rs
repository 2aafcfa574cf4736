//! What HTTP statuses and transport failures mean to the host.

use super::retry_after::{parse_http_date, parse_retry_after};
use super::transport::{TransportError, TransportErrorKind};
use crate::ConnectorError;

/// Seconds to wait after a 429 that does not say how long.
const DEFAULT_RETRY_AFTER: u32 = 60;

/// Whether an answer is worth another attempt: 500, 502, 504, and 503
/// unless it says when to come back (`Retry-After`).
pub(crate) fn is_transient(status: u16, retry_after: Option<&str>) -> bool {
    matches!(status, 500 | 502 | 504) || (status == 503 && retry_after.is_none())
}

/// The error an HTTP status means, or `None` below 400:
///
/// - 429, and 503 with `Retry-After`: `rate-limited`, retrying after the
///   header's seconds (an HTTP date counts from the response's `Date`
///   header; 60 when there is no usable value);
/// - 401, 403: `auth-failed`, naming `credential` (the property holding the
///   credential) when given;
/// - 404: `not-found`;
/// - 500, 502, 503, 504 (after the client's retries): `unreachable`;
/// - anything else: `internal`.
///
/// Messages name `origin` and the status, nothing of the request.
pub fn status_error(
    status: u16,
    retry_after: Option<&str>,
    date: Option<&str>,
    origin: &str,
    credential: Option<&str>,
) -> Option<ConnectorError> {
    if status < 400 {
        return None;
    }
    // The component reads no clock: an HTTP date counts from the server's.
    let now = date.and_then(parse_http_date);
    let wait = retry_after.and_then(|v| parse_retry_after(v, now));
    let error = match status {
        429 | 503 if status == 429 || retry_after.is_some() => ConnectorError::rate_limited(
            format!("{origin} is throttling requests (HTTP {status}); try again later."),
            wait.unwrap_or(DEFAULT_RETRY_AFTER),
        ),
        401 | 403 => {
            let what = match credential {
                Some(property) => format!("; check `{property}`"),
                None => String::new(),
            };
            let error = ConnectorError::auth_failed(format!("{origin} refused the credentials (HTTP {status}){what}."));
            match credential {
                Some(property) => error.with_property(property),
                None => error,
            }
        }
        404 => ConnectorError::not_found(format!("{origin} found nothing at that address (HTTP 404).")),
        500 | 502..=504 => ConnectorError::unreachable(format!(
            "{origin} is failing (HTTP {status}, {} attempts); try again later.",
            super::client::ATTEMPTS
        )),
        _ => ConnectorError::internal(format!("{origin} answered HTTP {status}.")),
    };
    Some(error)
}

/// The error a transport failure means.
pub(crate) fn transport_error(error: &TransportError, origin: &str) -> ConnectorError {
    let code = &error.code;
    match error.kind {
        TransportErrorKind::Refused if code == "destination-IP-prohibited" => ConnectorError::unreachable(format!(
            "The host's egress policy refused {origin} ({code}): it resolves to a private or special address \
             this server does not allow (an operator may allow one with --egress-allow-private)."
        )),
        TransportErrorKind::Refused => ConnectorError::unreachable(format!(
            "The host's egress policy refused {origin} ({code}): a connector may reach only the origins \
             declared in its `describe` egress patterns, filled in from the connection's properties."
        )),
        TransportErrorKind::Limit => ConnectorError::internal(format!(
            "A host limit was hit calling {origin} ({code}): {}.",
            match code.as_str() {
                "HTTP-response-body-size" => "the responses of this call exceed the host's byte limit",
                "connection-limit-reached" => "this call made more requests, or more at once, than the host allows",
                _ => "the host allows no more of this in one call",
            }
        )),
        TransportErrorKind::Network => ConnectorError::unreachable(format!("Could not reach {origin} ({code}).")),
        TransportErrorKind::Other => ConnectorError::unreachable(format!("The request to {origin} failed ({code}).")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const ORIGIN: &str = "https://api.example";

    fn kind(status: u16, retry_after: Option<&str>) -> Option<ErrorKind> {
        status_error(status, retry_after, None, ORIGIN, None).map(|e| e.kind)
    }

    #[test]
    fn statuses_map_to_error_kinds() {
        assert_eq!(kind(200, None), None);
        assert_eq!(kind(304, None), None);
        assert_eq!(kind(400, None), Some(ErrorKind::Internal));
        assert_eq!(kind(401, None), Some(ErrorKind::AuthFailed));
        assert_eq!(kind(403, None), Some(ErrorKind::AuthFailed));
        assert_eq!(kind(404, None), Some(ErrorKind::NotFound));
        assert_eq!(kind(429, None), Some(ErrorKind::RateLimited));
        assert_eq!(kind(503, Some("5")), Some(ErrorKind::RateLimited));
        for status in [500, 502, 503, 504] {
            assert_eq!(kind(status, None), Some(ErrorKind::Unreachable), "{status}");
        }
        assert_eq!(kind(501, None), Some(ErrorKind::Internal));
    }

    #[test]
    fn throttling_carries_the_delay() {
        let e = status_error(429, Some("12"), None, ORIGIN, None).expect("error");
        assert_eq!(e.retry_after, Some(12));
        assert_eq!(status_error(429, None, None, ORIGIN, None).expect("error").retry_after, Some(DEFAULT_RETRY_AFTER));
        assert_eq!(status_error(429, Some("soon"), None, ORIGIN, None).expect("error").retry_after, Some(60));
        let (at, date) = (Some("Sun, 06 Nov 1994 08:50:07 GMT"), Some("Sun, 06 Nov 1994 08:49:37 GMT"));
        assert_eq!(status_error(503, at, date, ORIGIN, None).expect("error").retry_after, Some(30));
        assert_eq!(status_error(503, at, None, ORIGIN, None).expect("error").retry_after, Some(60), "no Date");
    }

    #[test]
    fn refused_credentials_name_the_property() {
        let e = status_error(401, None, None, ORIGIN, Some("OAuthAccessToken")).expect("error");
        assert_eq!(e.property.as_deref(), Some("OAuthAccessToken"));
        assert!(e.message.contains("https://api.example") && e.message.contains("`OAuthAccessToken`"));
    }

    #[test]
    fn only_unexplained_server_failures_are_transient() {
        assert!(is_transient(500, None) && is_transient(502, None) && is_transient(504, None));
        assert!(is_transient(503, None));
        assert!(!is_transient(503, Some("3")) && !is_transient(429, None) && !is_transient(501, None));
    }

    #[test]
    fn transport_failures_explain_themselves() {
        let refused = transport_error(&TransportError::new(TransportErrorKind::Refused, "HTTP-request-denied"), ORIGIN);
        assert_eq!(refused.kind, ErrorKind::Unreachable);
        assert!(refused.message.contains("egress policy refused https://api.example (HTTP-request-denied)"));
        assert!(refused.message.contains("`describe` egress"));
        let limit = transport_error(&TransportError::new(TransportErrorKind::Limit, "HTTP-response-body-size"), ORIGIN);
        assert_eq!(limit.kind, ErrorKind::Internal);
        assert!(limit.message.contains("byte limit"), "{}", limit.message);
        let dns = transport_error(&TransportError::new(TransportErrorKind::Network, "DNS-error"), ORIGIN);
        assert_eq!(
            (dns.kind, dns.message.as_str()),
            (ErrorKind::Unreachable, "Could not reach https://api.example (DNS-error).")
        );
    }
}
