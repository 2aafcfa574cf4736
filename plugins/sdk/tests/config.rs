//! `Config`: lookups, defaults, typed reads and the checks the SDK runs
//! before every call.

use syncport_connector_sdk::{self as sdk, Config, ConnectorError, ErrorKind, PropertySpec};

/// The specs of a small connector: every kind of property `Config` treats
/// differently.
fn specs() -> Vec<PropertySpec> {
    sdk::connector_info(
        "Test",
        "1.0.0",
        "Test",
        "Specs for the tests.",
        vec![
            sdk::property("CompanyId", "Company ID", "Required, no default.").required(),
            sdk::property("Port", "Port", "A number with a default.").default("443"),
            sdk::property("Retries", "Retries", "A number without a default."),
            sdk::property("UseSandbox", "Use sandbox", "A flag.").allowed(&["true", "false"]).default("false"),
            sdk::property("Mode", "Mode", "One of a few values.").allowed(&["Fast", "Slow"]),
            sdk::property("Region", "Region", "Required, with a default.").required().default("eu"),
            sdk::property("ApiKey", "API key", "A secret with allowed values.")
                .secret()
                .allowed(&["key-one", "key-two"]),
        ],
    )
    .properties
}

fn config(values: &[(&str, &str)]) -> Config {
    Config::new(values.iter().map(|(n, v)| (n.to_string(), v.to_string())), specs())
}

fn expect_err<T: std::fmt::Debug>(result: sdk::Result<T>) -> ConnectorError {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn assert_invalid(error: &ConnectorError, property: &str) {
    assert_eq!(error.kind, ErrorKind::InvalidConfig, "{}", error.message);
    assert_eq!(error.property.as_deref(), Some(property), "{}", error.message);
    assert_eq!(error.retry_after, None);
}

// ---- get ------------------------------------------------------------------

#[test]
fn get_is_case_insensitive() {
    let config = config(&[("companyid", "123"), ("MODE", "Fast")]);
    assert_eq!(config.get("CompanyId"), Some("123"));
    assert_eq!(config.get("COMPANYID"), Some("123"));
    assert_eq!(config.get("companyId"), Some("123"));
    assert_eq!(config.get("mode"), Some("Fast"));
}

#[test]
fn get_falls_back_to_the_described_default() {
    let config = config(&[]);
    assert_eq!(config.get("Port"), Some("443"));
    assert_eq!(config.get("port"), Some("443"));
    assert_eq!(config.get("UseSandbox"), Some("false"));
    assert_eq!(config.get("Retries"), None, "no value and no default");
    assert_eq!(config.get("CompanyId"), None);
    assert_eq!(config.get("NotDescribed"), None);

    let set = self::config(&[("PORT", "8443")]);
    assert_eq!(set.get("Port"), Some("8443"), "a set value wins over the default");
}

#[test]
fn an_empty_value_counts_as_unset() {
    let config = config(&[("Port", ""), ("Retries", ""), ("CompanyId", "")]);
    assert_eq!(config.get("Port"), Some("443"), "the default applies");
    assert_eq!(config.get("Retries"), None);
    assert_eq!(config.get("CompanyId"), None);
    assert_invalid(&expect_err(config.required("CompanyId")), "CompanyId");
}

#[test]
fn properties_not_described_are_still_readable() {
    let config = config(&[("Extra", "x")]);
    assert_eq!(config.get("extra"), Some("x"));
    assert_eq!(config.required("EXTRA").expect("set"), "x");
}

#[test]
fn iter_gives_the_values_as_set_without_defaults() {
    let config = config(&[("companyid", "123"), ("Port", "")]);
    let pairs: Vec<_> = config.iter().collect();
    assert_eq!(pairs, [("companyid", "123"), ("Port", "")]);
}

// ---- required -------------------------------------------------------------

#[test]
fn required_returns_the_value_or_the_default() {
    let config = config(&[("CompanyId", "123")]);
    assert_eq!(config.required("companyid").expect("set"), "123");
    assert_eq!(config.required("Region").expect("default"), "eu");
}

#[test]
fn required_error_names_the_property_as_described() {
    let config = config(&[]);
    for asked in ["CompanyId", "companyid", "COMPANYID"] {
        let e = expect_err(config.required(asked));
        assert_invalid(&e, "CompanyId");
        assert_eq!(e.message, "Property `CompanyId` is required.");
    }
    // Not described: named as asked.
    let e = expect_err(config.required("Unknown"));
    assert_invalid(&e, "Unknown");
    assert_eq!(e.message, "Property `Unknown` is required.");
}

// ---- parse ----------------------------------------------------------------

#[test]
fn parse_reads_trimmed_values_and_defaults() {
    let port = |values: &[(&str, &str)]| config(values).parse::<u16>("Port", "a port number").expect("parses");
    assert_eq!(port(&[("port", " 8080 ")]), Some(8080), "trimmed, any case");
    assert_eq!(port(&[]), Some(443), "the default");
    let retries = |values: &[(&str, &str)]| config(values).parse::<u32>("Retries", "a whole number").expect("parses");
    assert_eq!(retries(&[]), None);
    assert_eq!(retries(&[("Retries", "")]), None, "empty is unset");
}

#[test]
fn parse_error_names_the_property_and_the_expected_form() {
    let e = expect_err(config(&[("retries", "many")]).parse::<u32>("RETRIES", "a whole number"));
    assert_invalid(&e, "Retries");
    assert_eq!(e.message, "Property `Retries` must be a whole number; got `many`.");

    let e = expect_err(config(&[("Port", "70000")]).parse::<u16>("Port", "a port number"));
    assert_invalid(&e, "Port");
    assert!(e.message.contains("a port number") && e.message.contains("`70000`"), "{}", e.message);
}

// ---- flag -----------------------------------------------------------------

#[test]
fn flag_reads_true_and_false_in_any_case() {
    for (value, expected) in [("true", true), ("TRUE", true), ("True", true), ("false", false), ("FALSE", false)] {
        assert_eq!(config(&[("UseSandbox", value)]).flag("usesandbox").expect(value), expected, "{value}");
    }
    assert!(!config(&[]).flag("UseSandbox").expect("the default"));
    assert!(!config(&[]).flag("NotDescribed").expect("unset is false"));
    assert!(!config(&[("UseSandbox", "")]).flag("UseSandbox").expect("empty is unset"));
}

#[test]
fn flag_error_names_the_property() {
    for value in ["yes", "1", "on", " true"] {
        let e = expect_err(config(&[("usesandbox", value)]).flag("USESANDBOX"));
        assert_invalid(&e, "UseSandbox");
        assert_eq!(e.message, "Property `UseSandbox` must be true or false.");
    }
}

// ---- validate -------------------------------------------------------------

#[test]
fn validate_accepts_a_complete_configuration() {
    config(&[("CompanyId", "123")]).validate().expect("valid");
    config(&[("companyid", "123"), ("mode", "slow"), ("UseSandbox", "TRUE"), ("ApiKey", "KEY-TWO")])
        .validate()
        .expect("allowed values compare case-insensitively");
    config(&[("CompanyId", "123"), ("Extra", "anything")])
        .validate()
        .expect("properties not described are not checked");
}

#[test]
fn validate_requires_required_properties() {
    for values in [&[][..], &[("CompanyId", "")][..], &[("Port", "1")][..]] {
        let e = expect_err(config(values).validate());
        assert_invalid(&e, "CompanyId");
        assert_eq!(e.message, "Property `CompanyId` is required.");
    }
    // `Region` is required too, but its default satisfies it.
    config(&[("CompanyId", "1")]).validate().expect("the default fills in Region");
}

#[test]
fn validate_checks_allowed_values() {
    let e = expect_err(config(&[("CompanyId", "1"), ("mode", "Medium")]).validate());
    assert_invalid(&e, "Mode");
    assert_eq!(e.message, "Property `Mode` must be one of Fast, Slow; got `Medium`.");

    let e = expect_err(config(&[("CompanyId", "1"), ("UseSandbox", "yes")]).validate());
    assert_invalid(&e, "UseSandbox");
    assert!(e.message.contains("got `yes`"), "{}", e.message);
}

#[test]
fn validate_masks_a_secret_value() {
    let e = expect_err(config(&[("CompanyId", "1"), ("ApiKey", "hunter2-secret")]).validate());
    assert_invalid(&e, "ApiKey");
    assert!(!e.message.contains("hunter2"), "secret leaked: {}", e.message);
    assert_eq!(e.message, "Property `ApiKey` must be one of key-one, key-two; got `********`.");
}
