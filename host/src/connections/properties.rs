//! Connection properties: names compare case-insensitively, as
//! connection-string keys do; the first spelling given is kept.

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

    /// Removes every property `info` marks secret; the names removed.
    pub fn remove_secrets(&mut self, info: &ConnectorInfo) -> Vec<String> {
        let removed: Vec<String> = self
            .0
            .iter()
            .filter(|p| info.property(&p.name).is_some_and(|s| s.secret))
            .map(|p| p.name.clone())
            .collect();
        self.0.retain(|p| !info.property(&p.name).is_some_and(|s| s.secret));
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

    #[test]
    fn debug_shows_names_never_values() {
        let mut properties = Properties::default();
        properties.set("Password", "hunter2-value".into());
        properties.set("User", "someone@example.com".into());
        let shown = format!("{properties:?} {:?}", properties.to_vec());
        assert!(shown.contains("Password") && shown.contains("User"), "{shown}");
        assert!(!shown.contains("hunter2-value") && !shown.contains("someone@example.com"), "{shown}");
    }
}
