//! Constructors for [`ConnectorError`].

use crate::{ConnectorError, ErrorKind};

/// The result of a connector method.
pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

impl ConnectorError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), property: None, retry_after: None }
    }

    /// A property is missing or has a bad value.
    pub fn invalid_config(property: impl Into<String>, message: impl Into<String>) -> Self {
        Self { property: Some(property.into()), ..Self::new(ErrorKind::InvalidConfig, message) }
    }

    /// The credentials were refused. Name the credential at fault, if known,
    /// with [`with_property`](Self::with_property).
    pub fn auth_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::AuthFailed, message)
    }

    /// The remote system could not be reached.
    pub fn unreachable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unreachable, message)
    }

    /// The table or object asked for does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// The remote system throttled the call; retry after `seconds`.
    pub fn rate_limited(message: impl Into<String>, seconds: u32) -> Self {
        Self { retry_after: Some(seconds), ..Self::new(ErrorKind::RateLimited, message) }
    }

    /// The connector does not support the operation.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// Anything else: a bug in the connector.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Names the property this error concerns.
    pub fn with_property(mut self, property: impl Into<String>) -> Self {
        self.property = Some(property.into());
        self
    }
}

/// The kind as the host spells it in its logs and API (`auth_failed`,
/// `not_found`, ...), so a connector's log lines read the same.
impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorKind::InvalidConfig => "invalid_config",
            ErrorKind::AuthFailed => "auth_failed",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::NotFound => "not_found",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Internal => "internal",
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{ConnectorError, ErrorKind};

    #[test]
    fn kinds_display_as_the_host_spells_them() {
        assert_eq!(ConnectorError::auth_failed("no").kind.to_string(), "auth_failed");
        assert_eq!(ErrorKind::InvalidConfig.to_string(), "invalid_config");
        assert_eq!(ErrorKind::RateLimited.to_string(), "rate_limited");
    }
}
