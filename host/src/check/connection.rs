//! The `test` check: the configuration connects, and each required
//! property left out is refused as invalid-config naming it.

use super::probe::{Failure, Probe};
use super::{Base, CheckName, Findings, Results};
use crate::connector::model::ErrorKind;

/// Runs the `test` check; whether `test` passed with the base configuration
/// (the metadata checks need it to).
pub(crate) fn check(results: &mut Results, probe: &mut Probe, base: &Base) -> bool {
    let mut findings = Findings::default();
    let source = if base.supplied { "the supplied configuration" } else { "the default configuration" };
    let Some(message) = probe.test(&base.config).value(&mut findings, &format!("`test` with {source}")) else {
        results.put(CheckName::Test, findings);
        return false;
    };
    let required: Vec<_> = probe.plugin().info().properties.iter().filter(|p| p.required).cloned().collect();
    for spec in &required {
        let name = &spec.name;
        let config: Vec<_> = base.config.iter().filter(|p| !p.name.eq_ignore_ascii_case(name)).cloned().collect();
        let left_out = format!("with required property `{name}` left out, `test`");
        let expected = format!("it must fail as invalid-config naming `{name}`");
        match probe.test(&config).result {
            Err(Failure::Connector(e))
                if e.kind == ErrorKind::InvalidConfig
                    && e.property.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(name)) => {}
            Ok(_) => {
                let hint = match &spec.default_value {
                    Some(default) => format!(
                        " (it has the default value `{default}`, so it is never missing: drop `required` or the default)"
                    ),
                    None => String::new(),
                };
                findings.problem(format!("{left_out} succeeded: {expected}{hint}"));
            }
            Err(limit @ Failure::Limit(_)) => findings.skip(limit.to_string()),
            Err(failure) => findings.problem(format!("{left_out} {failure}: {expected}")),
        }
    }
    findings.covered(format!(
        "passed with {source} (\"{message}\"); each of {} required properties left out is refused as invalid-config",
        required.len()
    ));
    // Connected, even if a required property was not refused properly.
    results.put(CheckName::Test, findings);
    true
}
