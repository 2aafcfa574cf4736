//! The connection's configuration as a connector sees it.

use crate::{ConnectorError, PropertySpec, Result};
use std::str::FromStr;

/// The connection's properties, looked up case-insensitively, with the
/// described defaults filled in. An empty value counts as not set.
#[derive(Debug, Clone)]
pub struct Config {
    values: Vec<(String, String)>,
    specs: Vec<PropertySpec>,
}

impl Config {
    /// A configuration of `values`, described by `specs`.
    pub fn new(values: impl IntoIterator<Item = (String, String)>, specs: Vec<PropertySpec>) -> Self {
        Self { values: values.into_iter().collect(), specs }
    }

    /// The value of `name`, or its described default; `None` when neither is set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .or_else(|| self.spec(name).and_then(|s| s.default_value.as_deref()))
    }

    /// The value of `name`, or an invalid-config error naming it.
    pub fn required(&self, name: &str) -> Result<&str> {
        self.get(name).ok_or_else(|| {
            ConnectorError::invalid_config(
                self.spelling(name),
                format!("Property `{}` is required.", self.spelling(name)),
            )
        })
    }

    /// The OAuth access token in property `name`, which the host stores
    /// when a user authorizes the connection (WIT 0.3.0 `oauth`), or an
    /// `auth-failed` error naming it that says how to authorize.
    pub fn access_token(&self, name: &str) -> Result<&str> {
        match self.get(name).map(str::trim) {
            Some(token) if !token.is_empty() => Ok(token),
            _ => Err(ConnectorError::auth_failed(
                "The connection is not authorized yet: authorize it (POST /connections/{id}/oauth/authorize, \
                 or `syncport connection authorize NAME`).",
            )
            .with_property(self.spelling(name))),
        }
    }

    /// The value of `name` parsed as `T`, or an invalid-config error naming
    /// it and the expected form (`what`, e.g. "a whole number").
    pub fn parse<T: FromStr>(&self, name: &str, what: &str) -> Result<Option<T>> {
        self.get(name)
            .map(|v| {
                v.trim().parse().map_err(|_| {
                    ConnectorError::invalid_config(
                        self.spelling(name),
                        format!("Property `{}` must be {what}; got `{v}`.", self.spelling(name)),
                    )
                })
            })
            .transpose()
    }

    /// The value of `name` as a boolean (`true`/`false`, any case).
    pub fn flag(&self, name: &str) -> Result<bool> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(ConnectorError::invalid_config(
                self.spelling(name),
                format!("Property `{}` must be true or false.", self.spelling(name)),
            )),
        }
    }

    /// The properties as given (without defaults).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Checks the values against the specs: every required property is set
    /// and every value is among its allowed values. Runs before every call.
    pub fn validate(&self) -> Result<()> {
        for spec in &self.specs {
            let value = self.get(&spec.name);
            if spec.required && value.is_none() {
                return Err(ConnectorError::invalid_config(
                    &spec.name,
                    format!("Property `{}` is required.", spec.name),
                ));
            }
            if let Some(value) = value
                && !spec.allowed_values.is_empty()
                && !spec.allowed_values.iter().any(|a| a.eq_ignore_ascii_case(value))
            {
                let shown = if spec.secret { "********" } else { value };
                return Err(ConnectorError::invalid_config(
                    &spec.name,
                    format!(
                        "Property `{}` must be one of {}; got `{shown}`.",
                        spec.name,
                        spec.allowed_values.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    fn spec(&self, name: &str) -> Option<&PropertySpec> {
        self.specs.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// The described spelling of `name`, for messages.
    fn spelling(&self, name: &str) -> String {
        self.spec(name).map_or_else(|| name.to_string(), |s| s.name.clone())
    }
}
