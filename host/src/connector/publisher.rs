//! Who stands behind a component, and so who owns its connector name
//! (`docs/security.md`, "Publishers and connector names").
//!
//! A connector name belongs to one publisher: the bundled publisher for the
//! names of the server's connectors directory and the names in
//! [`RESERVED`], otherwise the publisher of its installed versions. An
//! install under a name another publisher owns is refused, so a new
//! connection that asks for a name always lands on that one publisher's
//! versions.

use std::fmt;

/// Names that always belong to the bundled publisher, normalized
/// (`registry::normalize`): the connectors Syncport ships.
pub const RESERVED: &[&str] = &["quickbooks", "salesforce", "csv"];

/// A component's publisher.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Publisher {
    /// The server's own connectors directory (`--connectors-dir`): every
    /// component whose bytes are a file there, however it arrives.
    Bundled,
    /// The Ed25519 key (base64) whose valid signature the component carries.
    Key(String),
    /// Installed without a signature by an admin of this server (over the
    /// API, or with `syncport connector install --data-dir`).
    Unsigned,
}

impl Publisher {
    /// The publisher of a component installed with a valid signature by
    /// `signed_by`, or unsigned.
    pub fn of(signed_by: Option<&str>) -> Self {
        match signed_by {
            Some(key) => Publisher::Key(key.to_string()),
            None => Publisher::Unsigned,
        }
    }

    /// The text form, stored and shown: `bundled`, `key:<base64>` or `unsigned`.
    pub fn to_text(&self) -> String {
        match self {
            Publisher::Bundled => "bundled".into(),
            Publisher::Key(key) => format!("key:{key}"),
            Publisher::Unsigned => "unsigned".into(),
        }
    }

    /// Parses the text form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "bundled" => Some(Publisher::Bundled),
            "unsigned" => Some(Publisher::Unsigned),
            _ => text.strip_prefix("key:").filter(|k| !k.is_empty()).map(|k| Publisher::Key(k.to_string())),
        }
    }
}

impl fmt::Display for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Publisher::Bundled => f.write_str("the bundled connectors (the server's connectors directory)"),
            Publisher::Key(key) => write!(f, "the signing key {key}"),
            Publisher::Unsigned => f.write_str("unsigned installs on this server"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_survives_a_round_trip() {
        for publisher in [Publisher::Bundled, Publisher::Unsigned, Publisher::Key("AAAA".into())] {
            assert_eq!(Publisher::parse(&publisher.to_text()), Some(publisher));
        }
        assert_eq!(Publisher::parse("key:"), None);
        assert_eq!(Publisher::parse("someone"), None);
    }
}
