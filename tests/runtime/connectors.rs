//! The bundled connectors, through every export.

use crate::helpers::{plugin, quickbooks_config, salesforce_config, with, without};
use std::collections::HashSet;
use syncport::connector::model::{ErrorKind, LogLevel, Property, TableType};
use syncport::runtime::{CallError, LogSource, Plugin};

/// The bundled connectors with a configuration that works.
fn bundled() -> Vec<(&'static str, Plugin, Vec<Property>)> {
    vec![
        ("quickbooks 1.0.0", plugin("connectors/quickbooks-1.0.0.wasm"), quickbooks_config()),
        ("quickbooks 1.1.0", plugin("connectors/quickbooks-1.1.0.wasm"), quickbooks_config()),
        ("salesforce 1.0.0", plugin("connectors/salesforce-1.0.0.wasm"), salesforce_config()),
    ]
}

fn connector_error(result: Result<impl std::fmt::Debug, CallError>) -> syncport::connector::model::ConnectorError {
    match result {
        Err(CallError::Connector(e)) => e,
        other => panic!("expected a connector error, got {other:?}"),
    }
}

#[test]
fn every_bundled_connector_describes_itself_with_its_credentials_marked_secret() {
    for (label, plugin, _) in bundled() {
        let info = plugin.describe_blocking().result.expect("describe");
        assert_eq!(&info, plugin.info(), "{label}: describe is stable");
        assert!(!info.properties.is_empty(), "{label}");
        for p in &info.properties {
            let lower = p.name.to_ascii_lowercase();
            let looks_secret = ["password", "secret", "token"].iter().any(|w| lower.contains(w));
            assert_eq!(p.secret, looks_secret, "{label}: {} secret marking", p.name);
        }
    }
}

#[test]
fn every_bundled_connector_tests_successfully_with_a_valid_configuration() {
    for (label, plugin, config) in bundled() {
        let call = plugin.test_blocking(&config);
        let message = call.result.unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(message.starts_with("Connected to"), "{label}: {message}");
        assert!(call.logs.iter().any(|l| l.level == LogLevel::Info && l.source == LogSource::Plugin), "{label} logs");
    }
}

#[test]
fn every_bundled_connector_lists_at_least_25_uniquely_named_tables() {
    for (label, plugin, config) in bundled() {
        let tables = plugin.list_tables_blocking(&config, None, &[]).result.expect("list-tables");
        assert!(tables.len() >= 25, "{label}: {} tables", tables.len());
        let names: HashSet<_> = tables.iter().map(|t| (t.schema.to_lowercase(), t.name.to_lowercase())).collect();
        assert_eq!(names.len(), tables.len(), "{label}: table names are unique");
        assert!(tables.iter().any(|t| t.table_type == TableType::View), "{label} has views");
    }
}

#[test]
fn every_table_has_unique_columns_numbered_from_one_and_base_tables_have_keys() {
    for (label, plugin, config) in bundled() {
        let tables = plugin.list_tables_blocking(&config, None, &[]).result.expect("list-tables");
        for table in tables {
            let qualified = format!("{}.{}", table.schema, table.name);
            let columns = plugin.list_columns_blocking(&config, &qualified).result.expect("list-columns");
            assert!(!columns.is_empty(), "{label} {qualified}");
            let ordinals: Vec<u32> = columns.iter().map(|c| c.ordinal).collect();
            assert_eq!(ordinals, (1..=columns.len() as u32).collect::<Vec<_>>(), "{label} {qualified}");
            let names: HashSet<_> = columns.iter().map(|c| c.name.to_lowercase()).collect();
            assert_eq!(names.len(), columns.len(), "{label} {qualified}: unique column names");
            if table.table_type == TableType::Table {
                assert!(columns.iter().any(|c| c.primary_key), "{label} {qualified} has a key");
            }
            for key in columns.iter().filter(|c| c.primary_key) {
                assert!(!key.nullable, "{label} {qualified}.{}: keys are not nullable", key.name);
            }
        }
    }
}

#[test]
fn list_tables_honours_the_schema_and_table_type_filters() {
    for (label, plugin, config) in bundled() {
        let all = plugin.list_tables_blocking(&config, None, &[]).result.expect("all");
        let schema = all[0].schema.to_uppercase();
        let same_schema = plugin.list_tables_blocking(&config, Some(&schema), &[]).result.expect("schema");
        assert_eq!(same_schema.len(), all.len(), "{label}: schema compares case-insensitively");
        let none = plugin.list_tables_blocking(&config, Some("NoSuchSchema"), &[]).result.expect("none");
        assert!(none.is_empty(), "{label}");
        let views = plugin.list_tables_blocking(&config, None, &[TableType::View]).result.expect("views");
        assert!(!views.is_empty() && views.iter().all(|t| t.table_type == TableType::View), "{label}");
        let both =
            plugin.list_tables_blocking(&config, None, &[TableType::Table, TableType::View]).result.expect("both");
        let expected = all.iter().filter(|t| t.table_type != TableType::Synonym).count();
        assert_eq!(both.len(), expected, "{label}");
    }
}

#[test]
fn metadata_is_deterministic_from_call_to_call() {
    for (label, plugin, config) in bundled() {
        let first = plugin.list_tables_blocking(&config, None, &[]).result.expect("first");
        let second = plugin.list_tables_blocking(&config, None, &[]).result.expect("second");
        assert_eq!(first, second, "{label}");
        let table = &first[0].name;
        let a = plugin.list_columns_blocking(&config, table).result.expect("a");
        let b = plugin.list_columns_blocking(&config, table).result.expect("b");
        assert_eq!(a, b, "{label}");
    }
}

#[test]
fn columns_of_an_unknown_table_are_not_found() {
    for (label, plugin, config) in bundled() {
        let error = connector_error(plugin.list_columns_blocking(&config, "NoSuchTable").result);
        assert_eq!(error.kind, ErrorKind::NotFound, "{label}");
        assert!(error.message.contains("NoSuchTable"), "{label}: {}", error.message);
    }
}

#[test]
fn table_names_resolve_case_insensitively_with_or_without_their_schema() {
    let qb = plugin("connectors/quickbooks-1.1.0.wasm");
    let config = quickbooks_config();
    let plain = qb.list_columns_blocking(&config, "Customers").result.expect("plain");
    let qualified = qb.list_columns_blocking(&config, "quickbooksonline.CUSTOMERS").result.expect("qualified");
    assert_eq!(plain, qualified);
    let sf = plugin("connectors/salesforce-1.0.0.wasm");
    let custom = sf.list_columns_blocking(&salesforce_config(), "Invoice__c").result.expect("custom object");
    assert!(custom.iter().any(|c| c.name.ends_with("__c")), "custom fields end in __c");
}

#[test]
fn reset_metadata_succeeds_and_later_calls_still_work() {
    for (label, plugin, config) in bundled() {
        plugin.reset_metadata_blocking(&config).result.unwrap_or_else(|e| panic!("{label}: {e}"));
        plugin.reset_metadata_blocking(&config).result.unwrap_or_else(|e| panic!("{label}: {e}"));
        plugin.list_tables_blocking(&config, None, &[]).result.unwrap_or_else(|e| panic!("{label}: {e}"));
    }
}

#[test]
fn a_missing_required_property_is_invalid_config_naming_it() {
    let cases = [
        ("connectors/quickbooks-1.1.0.wasm", without(&quickbooks_config(), "CompanyId"), "CompanyId"),
        ("connectors/quickbooks-1.1.0.wasm", without(&quickbooks_config(), "OAuthClientSecret"), "OAuthClientSecret"),
        ("connectors/salesforce-1.0.0.wasm", without(&salesforce_config(), "User"), "User"),
        ("connectors/salesforce-1.0.0.wasm", without(&salesforce_config(), "Password"), "Password"),
    ];
    for (path, config, property) in cases {
        let error = connector_error(plugin(path).test_blocking(&config).result);
        assert_eq!(error.kind, ErrorKind::InvalidConfig, "{path} without {property}");
        assert_eq!(error.property.as_deref(), Some(property), "{path}");
        assert!(error.message.contains(property), "{path}: {}", error.message);
    }
}

#[test]
fn the_documented_fake_credential_rules_classify_each_failure() {
    let qb = quickbooks_config();
    let sf = salesforce_config();
    // (connector, configuration, expected kind, expected property)
    let cases: Vec<(&str, Vec<Property>, ErrorKind, Option<&str>)> = vec![
        ("quickbooks-1.1.0", with(&qb, "CompanyId", "abc"), ErrorKind::InvalidConfig, Some("CompanyId")),
        (
            "quickbooks-1.1.0",
            with(&qb, "OAuthAccessToken", "expired-1"),
            ErrorKind::AuthFailed,
            Some("OAuthAccessToken"),
        ),
        ("quickbooks-1.1.0", without(&qb, "OAuthAccessToken"), ErrorKind::AuthFailed, Some("OAuthAccessToken")),
        (
            "quickbooks-1.1.0",
            with(&qb, "OAuthClientSecret", "wrong-secret"),
            ErrorKind::AuthFailed,
            Some("OAuthClientSecret"),
        ),
        ("quickbooks-1.1.0", with(&qb, "CompanyId", "429"), ErrorKind::RateLimited, None),
        ("quickbooks-1.1.0", with(&qb, "MinorVersion", "99"), ErrorKind::InvalidConfig, Some("MinorVersion")),
        ("quickbooks-1.1.0", with(&qb, "UseSandbox", "maybe"), ErrorKind::InvalidConfig, Some("UseSandbox")),
        ("salesforce-1.0.0", with(&sf, "Password", "wrong-pass"), ErrorKind::AuthFailed, Some("Password")),
        ("salesforce-1.0.0", with(&sf, "SecurityToken", "expired-token"), ErrorKind::AuthFailed, Some("SecurityToken")),
        (
            "salesforce-1.0.0",
            with(&sf, "LoginURL", "http://login.salesforce.com"),
            ErrorKind::InvalidConfig,
            Some("LoginURL"),
        ),
        ("salesforce-1.0.0", with(&sf, "User", "admin"), ErrorKind::InvalidConfig, Some("User")),
        ("salesforce-1.0.0", with(&sf, "User", "ratelimited@example.com"), ErrorKind::RateLimited, None),
        ("salesforce-1.0.0", with(&sf, "AuthScheme", "Kerberos"), ErrorKind::InvalidConfig, Some("AuthScheme")),
        ("salesforce-1.0.0", with(&sf, "AuthScheme", "OAuth"), ErrorKind::AuthFailed, Some("OAuthAccessToken")),
    ];
    for (name, config, kind, property) in cases {
        let plugin = plugin(&format!("connectors/{name}.wasm"));
        let error = connector_error(plugin.test_blocking(&config).result);
        assert_eq!((error.kind, error.property.as_deref()), (kind, property), "{name}: {config:?}: {}", error.message);
        if kind == ErrorKind::RateLimited {
            assert!(error.retry_after.is_some_and(|s| s > 0), "{name}: retry-after");
        }
        // Listing authenticates the same way.
        let listed = connector_error(plugin.list_tables_blocking(&config, None, &[]).result);
        assert_eq!(listed.kind, kind, "{name}: list-tables applies the same rules");
    }
}

#[test]
fn credential_failures_never_echo_a_secret_value() {
    let qb = plugin("connectors/quickbooks-1.1.0.wasm");
    let config = with(&quickbooks_config(), "OAuthClientSecret", "wrong-canary-7f3a9");
    let call = qb.test_blocking(&config);
    let error = connector_error(call.result);
    assert!(!error.message.contains("canary-7f3a9"), "{}", error.message);
    assert!(call.logs.iter().all(|l| !l.message.contains("canary-7f3a9")), "{:?}", call.logs);
    assert!(call.logs.iter().any(|l| l.level == LogLevel::Error), "the failure is logged at Error");
}

#[test]
fn quickbooks_1_1_adds_tables_and_a_property_to_1_0() {
    let old = plugin("connectors/quickbooks-1.0.0.wasm");
    let new = plugin("connectors/quickbooks-1.1.0.wasm");
    assert_eq!((old.info().version.to_string(), new.info().version.to_string()), ("1.0.0".into(), "1.1.0".into()));
    assert!(old.info().property("MinorVersion").is_none() && new.info().property("MinorVersion").is_some());
    let config = quickbooks_config();
    let names = |p: &Plugin| -> HashSet<String> {
        p.list_tables_blocking(&config, None, &[]).result.expect("tables").into_iter().map(|t| t.name).collect()
    };
    let (old_tables, new_tables) = (names(&old), names(&new));
    assert!(old_tables.is_subset(&new_tables));
    assert!(new_tables.len() > old_tables.len());
    assert!(new_tables.contains("Budgets") && !old_tables.contains("Budgets"));
}
