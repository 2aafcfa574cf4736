//! Checking a connection's properties against its connector version's
//! `describe` specs.

use super::Properties;
use crate::connector::model::ConnectorInfo;

/// One thing wrong with the properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `unknown_property`, `invalid_property_value` or `missing_property`.
    pub code: &'static str,
    /// What is wrong, never echoing a secret value.
    pub message: String,
    /// The property concerned, as the caller spelled it.
    pub property: String,
}

/// Which required properties must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required<'a> {
    /// Every required property (create).
    All,
    /// Required properties that are not secret, and any required property
    /// the request removed (update: secrets may be absent after a
    /// credentials reset, until the caller sets them again).
    NonSecretOrRemoved(&'a [String]),
}

/// Every problem of `properties` against `info`.
pub fn check(properties: &Properties, info: &ConnectorInfo, required: Required<'_>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let label = format!("{} {}", info.name, info.version);
    for p in properties.iter() {
        let Some(spec) = info.property(&p.name) else {
            let valid: Vec<&str> = info.properties.iter().map(|s| s.name.as_str()).collect();
            problems.push(Problem {
                code: "unknown_property",
                message: format!("{label} has no property `{}`; its properties are: {}.", p.name, valid.join(", ")),
                property: p.name.clone(),
            });
            continue;
        };
        if !spec.allowed_values.is_empty() && !spec.allowed_values.iter().any(|a| a.eq_ignore_ascii_case(&p.value)) {
            let shown = if spec.secret { "the given value".to_string() } else { format!("`{}`", p.value) };
            problems.push(Problem {
                code: "invalid_property_value",
                message: format!(
                    "Property `{}` must be one of {}, not {shown}.",
                    spec.name,
                    spec.allowed_values.join(", ")
                ),
                property: p.name.clone(),
            });
        }
    }
    for spec in info.properties.iter().filter(|s| s.required) {
        let needed = match required {
            Required::All => true,
            Required::NonSecretOrRemoved(removed) => {
                !spec.secret || removed.iter().any(|r| r.eq_ignore_ascii_case(&spec.name))
            }
        };
        if needed && properties.get(&spec.name).is_none_or(|v| v.trim().is_empty()) {
            problems.push(Problem {
                code: "missing_property",
                message: format!("{label} requires property `{}`.", spec.name),
                property: spec.name.clone(),
            });
        }
    }
    problems
}

/// Stores the names of declared properties (`apitoken` becomes `ApiToken`)
/// and the values of properties with allowed values (`LOOP` becomes
/// `loop`) in the spelling the connector declares, since connectors may
/// compare them exactly and callers read them back. Undeclared names stay
/// as given.
pub fn canonicalize(properties: &mut Properties, info: &ConnectorInfo) {
    properties.respell(|name| info.property(name).map(|spec| spec.name.as_str()));
    let fixes: Vec<(String, String)> = properties
        .iter()
        .filter_map(|p| {
            let spec = info.property(&p.name)?;
            let declared = spec.allowed_values.iter().find(|a| a.eq_ignore_ascii_case(&p.value))?;
            (declared != &p.value).then(|| (p.name.clone(), declared.clone()))
        })
        .collect();
    for (name, value) in fixes {
        properties.set(&name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connector::model::fixtures::oauth_connector;

    #[test]
    fn declared_names_are_stored_in_the_connectors_spelling() {
        let info = oauth_connector();
        let declared: Vec<String> = info.properties.iter().map(|p| p.name.to_uppercase()).collect();
        let mut properties = Properties::default();
        for name in &declared {
            properties.set(name, "v".into());
        }
        properties.set("Undeclared_Name", "v".into());
        canonicalize(&mut properties, &info);
        let names: Vec<&str> = properties.iter().map(|p| p.name.as_str()).collect();
        let mut expected: Vec<&str> = info.properties.iter().map(|p| p.name.as_str()).collect();
        expected.push("Undeclared_Name");
        assert_eq!(names, expected);
    }
}
