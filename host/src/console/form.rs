//! A connection's properties as form fields, generated from its
//! connector's `describe` (the property specs): required marks,
//! descriptions as help, allowed values as selects, defaults pre-filled,
//! and secrets write-only: never rendered back, left unchanged when empty.

use super::session::{Fields, FieldsExt};
use crate::connector::model::PropertySpec;
use maud::{Markup, html};
use serde_json::{Map, Value};

/// The form field name of property `name`.
fn input_name(spec: &PropertySpec) -> String {
    format!("p.{}", spec.name)
}

/// The form field name of a secret's "clear it" box.
fn clear_name(spec: &PropertySpec) -> String {
    format!("clear.{}", spec.name)
}

/// The element id of property `name`'s input (its wrapper is
/// `field-<name>`).
pub fn input_id(name: &str) -> String {
    format!("prop-{name}")
}

/// What a form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new connection: defaults are pre-filled, required means required.
    Create,
    /// An existing one: its values are shown, secrets are not.
    Edit,
}

/// A property to flag, with why.
pub struct Flag<'a> {
    /// The property name (any case).
    pub property: &'a str,
    /// What is wrong with it.
    pub message: &'a str,
}

/// The inputs of `specs`. `values` are the values to show (the stored
/// ones on edit, the posted ones after a refusal; secrets among them are
/// never shown), `stored_secrets` the secrets that have a value, `flags`
/// the properties to highlight.
pub fn property_inputs(
    specs: &[PropertySpec],
    purpose: Purpose,
    values: &Map<String, Value>,
    stored_secrets: &[String],
    flags: &[Flag<'_>],
) -> Markup {
    html! {
        @for spec in specs {
            @let flag = flags.iter().find(|f| f.property.eq_ignore_ascii_case(&spec.name));
            @let value = lookup(values, &spec.name);
            @let stored = stored_secrets.iter().any(|s| s.eq_ignore_ascii_case(&spec.name));
            (property_input(spec, purpose, value, stored, flag))
        }
    }
}

/// The value of property `name` in `values`, compared case-insensitively.
fn lookup<'v>(values: &'v Map<String, Value>, name: &str) -> Option<&'v str> {
    values.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).and_then(|(_, v)| v.as_str())
}

/// One property's label, input, help and flag.
fn property_input(
    spec: &PropertySpec,
    purpose: Purpose,
    value: Option<&str>,
    stored: bool,
    flag: Option<&Flag<'_>>,
) -> Markup {
    let id = input_id(&spec.name);
    let help_id = format!("{id}-help");
    let why_id = format!("{id}-why");
    let described = if flag.is_some() { format!("{help_id} {why_id}") } else { help_id.clone() };
    // A secret is never rendered back; on edit, empty means "unchanged".
    let shown = if spec.secret {
        None
    } else {
        value.or(if purpose == Purpose::Create { spec.default_value.as_deref() } else { None })
    };
    let required = spec.required && !(spec.secret && purpose == Purpose::Edit && stored);
    let label = if spec.display_name.is_empty() { &spec.name } else { &spec.display_name };
    html! {
        div.field.invalid[flag.is_some()] id=(format!("field-{}", spec.name)) {
            label for=(id) {
                (label)
                @if spec.required { " " span.required title="required" { "*" } span.muted { " (required)" } }
                @if spec.secret { " " span.muted { "(secret)" } }
            }
            @if !spec.allowed_values.is_empty() {
                select id=(id) name=(input_name(spec)) required[required] aria-describedby=(described)
                    aria-invalid=[flag.map(|_| "true")] autofocus[flag.is_some()] {
                    @if !spec.required || shown.is_none() { option value="" { "(not set)" } }
                    @for allowed in &spec.allowed_values {
                        option value=(allowed) selected[shown.is_some_and(|v| v.eq_ignore_ascii_case(allowed))] { (allowed) }
                    }
                }
            } @else if spec.secret {
                input id=(id) name=(input_name(spec)) type="password" autocomplete="off" required[required]
                    placeholder=[(stored && purpose == Purpose::Edit).then_some("unchanged")]
                    aria-describedby=(described) aria-invalid=[flag.map(|_| "true")] autofocus[flag.is_some()];
            } @else {
                input id=(id) name=(input_name(spec)) type="text" value=[shown] required[required]
                    aria-describedby=(described) aria-invalid=[flag.map(|_| "true")] autofocus[flag.is_some()];
            }
            p.help id=(help_id) {
                (spec.description)
                @if let Some(default) = &spec.default_value { @if !spec.secret { " Default: " code { (default) } "." } }
                @if spec.secret && stored && purpose == Purpose::Edit { " A value is stored: leave empty to keep it." }
            }
            @if spec.secret && stored && purpose == Purpose::Edit && !spec.required {
                label.muted { input type="checkbox" name=(clear_name(spec)) value="1"; " Clear the stored value" }
            }
            @if let Some(flag) = flag { p.why id=(why_id) { (flag.message) } }
        }
    }
}

/// The `properties` object of an API body from a posted form: on create,
/// each non-empty value; on edit, also `null` for a cleared value that was
/// set, and no entry for a secret left empty (unchanged).
pub fn properties_body(
    specs: &[PropertySpec],
    purpose: Purpose,
    fields: &Fields,
    stored: &Map<String, Value>,
) -> Value {
    let mut body = Map::new();
    for spec in specs {
        let posted = fields.value(&input_name(spec));
        let was_set = lookup(stored, &spec.name).is_some();
        let value = match (posted, purpose) {
            (Some(v), _) => Value::String(v.to_string()),
            (None, Purpose::Edit) if spec.secret && fields.value(&clear_name(spec)).is_some() => Value::Null,
            (None, Purpose::Edit) if !spec.secret && was_set => Value::Null,
            _ => continue,
        };
        body.insert(spec.name.clone(), value);
    }
    Value::Object(body)
}

/// The values a user posted, to show again after a refusal (secrets
/// excluded: they are never rendered back).
pub fn posted_values(specs: &[PropertySpec], fields: &Fields) -> Map<String, Value> {
    specs
        .iter()
        .filter(|s| !s.secret)
        .filter_map(|s| fields.value(&input_name(s)).map(|v| (s.name.clone(), Value::String(v.to_string()))))
        .collect()
}

/// The secrets a user typed into a form (their names), which a refusal
/// does not show back.
pub fn posted_secrets(specs: &[PropertySpec], fields: &Fields) -> Vec<String> {
    specs.iter().filter(|s| s.secret && fields.value(&input_name(s)).is_some()).map(|s| s.name.clone()).collect()
}

/// The property a refusal's target names (`properties.X` or `X`), if it is
/// one of `specs`.
pub fn property_of<'a>(specs: &'a [PropertySpec], target: &str) -> Option<&'a str> {
    let name = target.strip_prefix("properties.").unwrap_or(target);
    specs.iter().find(|s| s.name.eq_ignore_ascii_case(name)).map(|s| s.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, secret: bool, required: bool) -> PropertySpec {
        PropertySpec {
            name: name.into(),
            display_name: name.into(),
            description: format!("What {name} is."),
            required,
            secret,
            default_value: None,
            allowed_values: Vec::new(),
        }
    }

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    fn specs() -> Vec<PropertySpec> {
        vec![
            spec("User", false, true),
            spec("Password", true, true),
            spec("ApiKey", true, false),
            spec("Region", false, false),
        ]
    }

    #[test]
    fn an_edit_keeps_a_secret_left_empty_and_removes_an_emptied_value() {
        let stored = json!({"User": "me", "Password": "********", "ApiKey": "********", "Region": "eu"});
        let posted = fields(&[("p.User", "you"), ("p.Password", ""), ("p.ApiKey", ""), ("p.Region", "")]);
        let body = properties_body(&specs(), Purpose::Edit, &posted, stored.as_object().expect("an object"));
        assert_eq!(body, json!({"User": "you", "Region": null}));
    }

    #[test]
    fn an_edit_clears_a_secret_only_when_asked_and_sets_a_new_one() {
        let stored = json!({"User": "me", "Password": "********", "ApiKey": "********"});
        let posted = fields(&[("p.User", "me"), ("p.Password", "new"), ("p.ApiKey", ""), ("clear.ApiKey", "1")]);
        let body = properties_body(&specs(), Purpose::Edit, &posted, stored.as_object().expect("an object"));
        assert_eq!(body, json!({"User": "me", "Password": "new", "ApiKey": null}));
    }

    #[test]
    fn a_create_sends_only_what_was_filled_in() {
        let posted = fields(&[("p.User", " me "), ("p.Password", "pw"), ("p.Region", ""), ("p.Unknown", "x")]);
        let body = properties_body(&specs(), Purpose::Create, &posted, &Map::new());
        assert_eq!(body, json!({"User": "me", "Password": "pw"}));
    }

    #[test]
    fn secrets_are_never_rendered_back_and_flags_are_tied_to_their_field() {
        let values = json!({"User": "me", "Password": "hunter2", "ApiKey": "********"});
        let flags = [Flag { property: "password", message: "Wrong password." }];
        let html = property_inputs(
            &specs(),
            Purpose::Edit,
            values.as_object().expect("an object"),
            &["Password".into(), "ApiKey".into()],
            &flags,
        )
        .into_string();
        assert!(!html.contains("hunter2") && !html.contains("********"), "{html}");
        assert!(html.contains(r#"placeholder="unchanged""#), "{html}");
        assert!(html.contains(r#"<div class="field invalid" id="field-Password">"#), "{html}");
        assert!(html.contains(r#"aria-invalid="true""#) && html.contains("Wrong password."), "{html}");
        assert!(html.contains(r#"value="me""#), "{html}");
    }

    #[test]
    fn a_refusal_target_names_a_property_in_any_case() {
        assert_eq!(property_of(&specs(), "properties.user"), Some("User"));
        assert_eq!(property_of(&specs(), "APIKEY"), Some("ApiKey"));
        assert_eq!(property_of(&specs(), "name"), None);
    }
}
