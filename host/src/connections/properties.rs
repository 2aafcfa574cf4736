//! Connection properties: names compare case-insensitively, as
//! connection-string keys do; a name the connector declares is stored in
//! its spelling ([`Properties::respell`]), any other as first given.

use crate::connector::model::{ConnectorInfo, Property};
use serde::{Deserialize, Serialize};

/// A connection's properties, in the order they were first set. `Debug`
/// shows the names only: values may be secrets, and a `{:?}` in an error or
/// a log line must never print one.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "serde_json::Map<String, serde_json::Value>", into = "serde_json::Map<String, serde_json::Value>")]
pub struct Properties(Vec<Property>);

impl Properties {
    /// The value of `name`, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|p| p.name.eq_ignore_ascii_case(name)).map(|p| p.value.as_str())
    }

    /// Sets `name`, keeping the stored spelling if it exists.
    pub fn set(&mut self, name: &str, value: String) {
        match self.0.iter_mut().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) => p.value = value,
            None => self.0.push(Property::new(name, value)),
        }
    }

    /// Renames each property to the spelling `spelling` gives it (the same
    /// name in another case; any other answer is ignored).
    pub fn respell<'s>(&mut self, spelling: impl Fn(&str) -> Option<&'s str>) {
        for p in &mut self.0 {
            if let Some(declared) = spelling(&p.name)
                && declared != p.name
                && declared.eq_ignore_ascii_case(&p.name)
            {
                p.name = declared.to_string();
            }
        }
    }

    /// Removes `name`; whether it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|p| !p.name.eq_ignore_ascii_case(name));
        self.0.len() != before
    }

    /// Every property.
    pub fn iter(&self) -> impl Iterator<Item = &Property> {
        self.0.iter()
    }

    /// The properties as the runtime passes them.
    pub fn to_vec(&self) -> Vec<Property> {
        self.0.clone()
    }

    /// The properties a call of the connector `info` gets: all but those
    /// only the host reads (an OAuth client secret and refresh token).
    pub fn for_connector(&self, info: &ConnectorInfo) -> Vec<Property> {
        let withheld = info.oauth.as_ref().map(|o| o.host_only());
        let keep = |p: &&Property| !withheld.is_some_and(|w| w.iter().any(|n| n.eq_ignore_ascii_case(&p.name)));
        self.0.iter().filter(keep).cloned().collect()
    }

    /// Removes the connection's credentials; the names removed. For a
    /// connector with OAuth, its tokens (the client id and secret stay, so
    /// it can be authorized again); otherwise every secret property.
    pub fn remove_credentials(&mut self, info: &ConnectorInfo) -> Vec<String> {
        let credential = |p: &Property| match &info.oauth {
            Some(o) => o.token_properties().iter().any(|n| n.eq_ignore_ascii_case(&p.name)),
            None => info.property(&p.name).is_some_and(|s| s.secret),
        };
        let removed: Vec<String> = self.0.iter().filter(|p| credential(p)).map(|p| p.name.clone()).collect();
        self.0.retain(|p| !credential(p));
        removed
    }
}

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Properties").field(&self.0.iter().map(|p| p.name.as_str()).collect::<Vec<_>>()).finish()
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Properties {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        let mut properties = Properties::default();
        for (name, value) in map {
            let value = match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            properties.set(&name, value);
        }
        properties
    }
}

impl From<Properties> for serde_json::Map<String, serde_json::Value> {
    fn from(properties: Properties) -> Self {
        properties.0.into_iter().map(|p| (p.name, serde_json::Value::String(p.value))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::model::fixtures::oauth_connector;

    #[test]
    fn debug_shows_names_never_values() {
        let mut properties = Properties::default();
        properties.set("Password", "hunter2-value".into());
        properties.set("User", "someone@example.com".into());
        let shown = format!("{properties:?} {:?}", properties.to_vec());
        assert!(shown.contains("Password") && shown.contains("User"), "{shown}");
        assert!(!shown.contains("hunter2-value") && !shown.contains("someone@example.com"), "{shown}");
    }

    fn all() -> Properties {
        let mut properties = Properties::default();
        for name in ["id", "secret", "access", "refresh", "expires", "password"] {
            properties.set(name, format!("{name}-value"));
        }
        properties
    }

    #[test]
    fn a_connector_never_gets_the_client_secret_or_refresh_token() {
        let given: Vec<String> = all().for_connector(&oauth_connector()).into_iter().map(|p| p.name).collect();
        assert_eq!(given, ["id", "access", "expires", "password"]);
        let mut plain = oauth_connector();
        plain.oauth = None;
        assert_eq!(all().for_connector(&plain).len(), 6, "without OAuth every property goes");
    }

    #[test]
    fn credentials_are_the_tokens_with_oauth_and_every_secret_without() {
        let mut properties = all();
        assert_eq!(properties.remove_credentials(&oauth_connector()), ["access", "refresh", "expires"]);
        let mut plain = oauth_connector();
        plain.oauth = None;
        let mut properties = all();
        assert_eq!(properties.remove_credentials(&plain), ["secret", "access", "refresh", "password"]);
        assert_eq!(properties.get("id"), Some("id-value"));
    }
}
