//! The bundled connectors pass every check.

use super::{check, with_status};
use crate::helpers::{quickbooks_config, salesforce_config};
use syncport::check::{CheckName, ConfigSource, Status};
use syncport::runtime::Limits;

#[test]
fn each_bundled_connector_passes_every_check_with_a_configuration_its_docs_accept() {
    // WIT 0.1.0 and 0.2.0 components, sources and a destination.
    for (path, config) in [
        ("connectors/quickbooks-1.0.0.wasm", quickbooks_config()),
        ("connectors/quickbooks-1.1.0.wasm", quickbooks_config()),
        ("connectors/salesforce-1.0.0.wasm", salesforce_config()),
        ("connectors/quickbooks-2.0.0.wasm", quickbooks_config()),
        ("connectors/salesforce-2.0.0.wasm", salesforce_config()),
        ("connectors/csv-1.0.0.wasm", Vec::new()),
    ] {
        let report = check(path, Some(config), Limits::default());
        let names: Vec<CheckName> = report.checks.iter().map(|c| c.name).collect();
        assert_eq!(names, CheckName::ALL, "{path}: every check is reported, in order");
        for c in &report.checks {
            // The CSV destination has no secret to plant a canary in.
            let no_secret = c.name == CheckName::SecretCanary && c.summary.contains("no secret property");
            let expected = if no_secret && path.contains("csv") { Status::Skipped } else { Status::Passed };
            assert_eq!(c.status, expected, "{path}: {}: {} {:?}", c.name, c.summary, c.problems);
            assert!(c.problems.is_empty(), "{path}: {c:?}");
        }
        assert!(report.passed, "{path}");
        assert_eq!(report.config, ConfigSource::Supplied);
    }
}

#[test]
fn a_connector_checked_without_a_configuration_skips_what_needs_one_and_names_the_required_properties() {
    let report = check("connectors/quickbooks-1.1.0.wasm", None, Limits::default());
    assert_eq!(with_status(&report, Status::Passed), [CheckName::Describe]);
    let test = report.check(CheckName::Test);
    assert_eq!(test.status, Status::Skipped);
    for name in ["`CompanyId`", "`OAuthClientId`", "`OAuthClientSecret`", "--config"] {
        assert!(test.summary.contains(name), "{}", test.summary);
    }
    assert!(report.passed, "skipped checks do not fail the report");
    assert_eq!(report.config, ConfigSource::Defaults);
}

#[test]
fn a_connector_whose_properties_all_have_defaults_is_checked_with_those_defaults() {
    let report = check("fixtures/misbehave.wasm", None, super::tight());
    assert!(report.failed().next().is_none(), "{report}");
    assert_eq!(with_status(&report, Status::Skipped), [] as [CheckName; 0], "{report}");
    assert_eq!(report.config, ConfigSource::Defaults);
}
