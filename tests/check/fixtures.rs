//! Each misbehaving fixture fails the check it should, with a message that
//! names what to fix, and no other check.

use super::{check, tight, with_status};
use crate::helpers::props;
use syncport::check::{CheckName, Status};

/// A fixture, the `Mode` it runs in, and each check it must fail with a
/// fragment of that check's problems.
struct Case {
    component: &'static str,
    mode: Option<&'static str>,
    fails: &'static [(CheckName, &'static str)],
}

const fn case(component: &'static str, mode: &'static str, fails: &'static [(CheckName, &'static str)]) -> Case {
    Case { component, mode: Some(mode), fails }
}

const SLOPPY: &str = "fixtures/sloppy.wasm";
const MISBEHAVE: &str = "fixtures/misbehave.wasm";
/// A WIT 0.2.0 source whose `read` breaks the contract one way per `Mode`.
const SLOPPY_SOURCE: &str = "fixtures/sloppy-source.wasm";

const CASES: &[Case] = &[
    case(SLOPPY, "tidy", &[]),
    case(MISBEHAVE, "healthy", &[]),
    Case {
        component: "fixtures/sloppy-unmarked-secret.wasm",
        mode: None,
        fails: &[(CheckName::Describe, "property `ApiKey` looks like a secret but is not marked secret")],
    },
    Case {
        component: "fixtures/sloppy-lax-required.wasm",
        mode: None,
        fails: &[(CheckName::Test, "with required property `Tenant` left out, `test` succeeded")],
    },
    case(SLOPPY, "refuse", &[(CheckName::Test, "failed as auth-failed (property `Password`)")]),
    case(SLOPPY, "duplicate-tables", &[(CheckName::ListTables, "table `Sloppy.Items` is listed twice")]),
    case(SLOPPY, "unfiltered", &[(CheckName::ListTables, "do not match it: `Other.Notes`")]),
    case(SLOPPY, "bad-ordinals", &[(CheckName::ListColumns, "table `Sloppy.Items`, column `Amount` has ordinal 4")]),
    case(
        SLOPPY,
        "duplicate-columns",
        &[(CheckName::ListColumns, "table `Sloppy.Items`, column `Name` is listed twice")],
    ),
    case(SLOPPY, "flaky", &[(CheckName::Determinism, "table `Sloppy.Items` differs at `description`")]),
    case(
        SLOPPY,
        "bad-reset",
        &[(CheckName::ResetMetadata, "a second reset-metadata in the same instance failed as internal")],
    ),
    case(SLOPPY, "disguise", &[(CheckName::SecretCanary, "leaked the value of secret property `Password` (reversed)")]),
    case(MISBEHAVE, "loop", &[(CheckName::Limits, "test timed out")]),
    case(MISBEHAVE, "memory", &[(CheckName::Limits, "test exceeded the memory limit")]),
    case(MISBEHAVE, "flood", &[(CheckName::Limits, "test exceeded the log limit")]),
    case(MISBEHAVE, "huge", &[(CheckName::Limits, "list-tables exceeded the memory limit")]),
    case(MISBEHAVE, "panic", &[(CheckName::Test, "misbehave: deliberate panic")]),
    case(MISBEHAVE, "nosy", &[(CheckName::Test, "failed as unreachable")]),
    case(
        MISBEHAVE,
        "leak",
        &[
            (CheckName::Test, "failed as auth-failed"),
            (CheckName::SecretCanary, "test: the host had to mask a secret value"),
        ],
    ),
    case(MISBEHAVE, "echo", &[(CheckName::SecretCanary, "list-tables: the host had to mask a secret value")]),
    case(SLOPPY_SOURCE, "none", &[]),
    case(SLOPPY_SOURCE, "oversized-page", &[(CheckName::Read, "holds 200 rows for a batch size of 100")]),
    case(SLOPPY_SOURCE, "stuck-cursor", &[(CheckName::Read, "gives back the cursor it was given (`100`)")]),
    case(SLOPPY_SOURCE, "all-columns", &[(CheckName::Read, "must give that column alone")]),
];

#[test]
fn each_misbehaving_fixture_fails_exactly_the_check_it_should_naming_what_to_fix() {
    for case in CASES {
        let label = format!("{} {}", case.component, case.mode.unwrap_or(""));
        let config = case.mode.map(|mode| props(&[("Mode", mode)]));
        let report = check(case.component, config, tight());
        let expected: Vec<CheckName> = case.fails.iter().map(|(name, _)| *name).collect();
        assert_eq!(with_status(&report, Status::Failed), expected, "{label}:\n{report}");
        assert_eq!(report.passed, expected.is_empty(), "{label}");
        for (name, fragment) in case.fails {
            let problems = &report.check(*name).problems;
            assert!(problems.iter().any(|p| p.contains(fragment)), "{label}: {name} names `{fragment}`: {problems:#?}");
        }
    }
}

#[test]
fn a_check_that_cannot_run_because_another_failed_says_so() {
    let report = check(SLOPPY, Some(props(&[("Mode", "refuse")])), tight());
    for name in [CheckName::ListTables, CheckName::ListColumns, CheckName::Determinism, CheckName::ResetMetadata] {
        let result = report.check(name);
        assert_eq!(result.status, Status::Skipped, "{name}");
        assert!(result.summary.contains("needs `test` to pass"), "{name}: {}", result.summary);
    }
}

#[test]
fn a_call_stopped_for_a_limit_skips_its_check_and_fails_limits_alone() {
    let report = check(MISBEHAVE, Some(props(&[("Mode", "loop")])), tight());
    let test = report.check(CheckName::Test);
    assert_eq!(test.status, Status::Skipped);
    assert!(test.summary.contains("timed out") && test.summary.contains("see `limits`"), "{}", test.summary);
}

#[test]
fn bytes_that_are_not_a_component_fail_describe_and_skip_the_rest() {
    let report = syncport::check::run(&crate::helpers::runtime(tight()), b"not wasm", None);
    assert!(report.connector.is_none());
    assert_eq!(with_status(&report, Status::Failed), [CheckName::Describe]);
    assert!(report.check(CheckName::Describe).problems[0].contains("not a valid WebAssembly component"));
    assert_eq!(with_status(&report, Status::Skipped).len(), CheckName::ALL.len() - 1);
}
