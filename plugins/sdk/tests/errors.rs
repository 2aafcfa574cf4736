//! The `ConnectorError` constructors.

use syncport_connector_sdk::{ConnectorError, ErrorKind};

#[test]
fn constructors_set_the_kind_and_message() {
    let cases = [
        (ConnectorError::auth_failed("a"), ErrorKind::AuthFailed),
        (ConnectorError::unreachable("a"), ErrorKind::Unreachable),
        (ConnectorError::not_found("a"), ErrorKind::NotFound),
        (ConnectorError::unsupported("a"), ErrorKind::Unsupported),
        (ConnectorError::internal("a"), ErrorKind::Internal),
    ];
    for (error, kind) in cases {
        assert_eq!(error.kind, kind);
        assert_eq!(error.message, "a");
        assert_eq!(error.property, None);
        assert_eq!(error.retry_after, None);
    }
}

#[test]
fn invalid_config_names_the_property() {
    let e = ConnectorError::invalid_config("Port", format!("Property `{}` is bad.", "Port"));
    assert_eq!(e.kind, ErrorKind::InvalidConfig);
    assert_eq!(e.property.as_deref(), Some("Port"));
    assert_eq!(e.message, "Property `Port` is bad.");
}

#[test]
fn rate_limited_carries_the_wait() {
    let e = ConnectorError::rate_limited("slow down", 30);
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(30));
    assert_eq!(e.property, None);
}

#[test]
fn with_property_names_the_property_of_any_error() {
    let e = ConnectorError::auth_failed("refused").with_property("Password");
    assert_eq!(e.kind, ErrorKind::AuthFailed);
    assert_eq!(e.property.as_deref(), Some("Password"));
    assert_eq!(e.message, "refused");
}
