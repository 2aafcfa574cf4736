//! `syncport connector check` on the command line: exit codes, the human
//! report and the JSON shape.

use crate::helpers::dist;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `syncport connector check ARGS` on the component `path`.
fn run(path: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_syncport"))
        .args(["connector", "check"])
        .arg(dist().join(path))
        .args(args)
        .env("SYNCPORT_PLUGIN_TIMEOUT_MS", "2000")
        .output()
        .expect("the binary runs")
}

/// A `--config` file holding `json`.
fn config_file(dir: &Path, json: &str) -> String {
    let path = dir.join("props.json");
    std::fs::write(&path, json).expect("write the config");
    path.display().to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_passing_connector_exits_zero_and_the_report_names_every_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config =
        config_file(dir.path(), r#"{"User": "admin@example.com", "Password": "pass", "SecurityToken": "token"}"#);
    let output = run("connectors/salesforce-1.0.0.wasm", &["--config", &config]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&output.stderr));
    assert!(text.starts_with("Connector Salesforce 1.0.0 (WIT 0.1.0, sha256 "), "{text}");
    for name in syncport::check::CheckName::ALL {
        assert!(text.contains(&format!("PASS  {name}")), "{name} passes: {text}");
    }
    assert!(text.trim_end().ends_with("Passed: 10 of 10 checks."), "{text}");
}

#[test]
fn a_failing_connector_exits_one_and_the_report_says_what_to_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_file(dir.path(), r#"{"Mode": "bad-ordinals"}"#);
    let output = run("fixtures/sloppy.wasm", &["--config", &config]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  list-columns"), "{text}");
    assert!(text.contains("- table `Sloppy.Items`, column `Amount` has ordinal 4, expected 3"), "{text}");
    assert!(text.trim_end().ends_with("FAILED: 1 of 10 checks."), "{text}");
}

#[test]
fn the_json_report_has_the_documented_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_file(dir.path(), r#"{"Mode": "duplicate-tables"}"#);
    let output = run("fixtures/sloppy.wasm", &["--config", &config, "--json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let connector = &report["connector"];
    assert_eq!((connector["name"].as_str(), connector["version"].as_str()), (Some("Sloppy"), Some("0.1.0")));
    assert_eq!(connector["wit"], "0.1.0");
    assert_eq!(connector["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(report["config"], "supplied");
    assert_eq!(report["passed"], false);
    let checks = report["checks"].as_array().expect("checks is an array");
    let names: Vec<&str> = checks.iter().filter_map(|c| c["name"].as_str()).collect();
    let expected: Vec<&str> = syncport::check::CheckName::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(names, expected);
    for check in checks {
        assert!(["passed", "failed", "skipped"].contains(&check["status"].as_str().unwrap_or_default()), "{check}");
        assert!(check["summary"].is_string(), "{check}");
        assert!(check["problems"].is_array(), "{check}");
    }
    let list_tables = &checks[2];
    assert_eq!((list_tables["name"].as_str(), list_tables["status"].as_str()), (Some("list-tables"), Some("failed")));
    assert!(list_tables["problems"][0].as_str().is_some_and(|p| p.contains("`Sloppy.Items` is listed twice")));
}

#[test]
fn a_config_file_that_is_not_a_json_object_exits_two_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_file(dir.path(), r#"["User", "me"]"#);
    let output = run("fixtures/sloppy.wasm", &["--config", &config]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("props.json") && stderr.contains("must be a JSON object"), "{stderr}");
    assert!(output.stdout.is_empty());
}

/// A server on 127.0.0.1 answering `GET /ok` with `fine`, running until the test ends.
fn origin() -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
            let app = axum::Router::new().route("/ok", axum::routing::get(|| async { "fine" }));
            axum::serve(listener, app).await.expect("serves");
        });
    });
    addr
}

#[test]
fn a_connector_that_calls_an_origin_it_did_not_declare_fails_the_egress_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = origin();
    let config = config_file(dir.path(), &format!(r#"{{"BaseURL": "http://{addr}", "Mode": "undeclared"}}"#));
    let output = run("fixtures/egress.wasm", &["--config", &config, "--egress-allow-private", &addr.to_string()]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  egress"), "{text}");
    assert!(
        text.contains("- test: GET https://undeclared.example.org/: https://undeclared.example.org is not an origin this connector declared"),
        "{text}"
    );
    assert!(text.contains("declare every origin the connector calls in `describe`'s egress patterns"), "{text}");
}

#[test]
fn the_check_reaches_a_local_mock_only_when_allowed_to() {
    let dir = tempfile::tempdir().expect("tempdir");
    let addr = origin();
    let config = config_file(dir.path(), &format!(r#"{{"BaseURL": "http://{addr}", "Mode": "ok"}}"#));

    let allowed = run("fixtures/egress.wasm", &["--config", &config, "--egress-allow-private", &addr.to_string()]);
    let text = stdout(&allowed);
    assert!(
        text.contains("PASS  test            passed with the supplied configuration (\"ok: HTTP 200: fine\")"),
        "{text}"
    );
    assert!(text.contains("PASS  egress          1 requests logged by the egress policy"), "{text}");

    let refused = run("fixtures/egress.wasm", &["--config", &config]);
    let text = stdout(&refused);
    assert_eq!(refused.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  egress"), "{text}");
    assert!(
        text.contains(&format!("resolves to {}", addr.ip())) || text.contains("plain http from a URL property"),
        "{text}"
    );
}

/// The checks a report lists with status `status`, by name.
fn named(report: &serde_json::Value, status: &str) -> Vec<String> {
    let checks = report["checks"].as_array().expect("checks");
    checks.iter().filter(|c| c["status"] == status).filter_map(|c| c["name"].as_str().map(str::to_string)).collect()
}

#[test]
fn without_a_config_that_connects_the_skipped_checks_make_it_exit_three_not_zero() {
    // QuickBooks 1.1.0 has required properties without defaults: with no
    // --config only `describe` can run.
    let output = run("connectors/quickbooks-1.1.0.wasm", &[]);
    let text = stdout(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{text}{stderr}");
    assert!(text.contains("PASS  describe"), "{text}");
    assert!(text.contains("SKIP  test"), "{text}");
    assert!(
        text.trim_end().ends_with(
            "INCOMPLETE: 1 of 10 checks passed, 9 did not run: test, list-tables, list-columns, determinism, \
             reset-metadata, read, secret-canary, egress, limits."
        ),
        "{text}"
    );
    assert!(stderr.contains("--config") && stderr.contains("--describe-only"), "says what to do: {stderr}");

    let json = run("connectors/quickbooks-1.1.0.wasm", &["--json"]);
    assert_eq!(json.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is JSON");
    assert_eq!(report["passed"], true, "no check failed");
    assert_eq!(report["complete"], false, "but not every check ran");
    assert_eq!(report["not_run"].as_array().map(Vec::len), Some(9), "{report}");
    assert_eq!(report["not_run"][0], "test");
}

#[test]
fn describe_only_accepts_the_skipped_checks_and_names_them() {
    let output = run("connectors/quickbooks-1.1.0.wasm", &["--describe-only"]);
    let text = stdout(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{text}{stderr}");
    assert!(text.contains("9 did not run: test, list-tables"), "{text}");
    assert!(stderr.contains("--describe-only") && stderr.contains("9 checks did not run"), "{stderr}");

    let json = run("connectors/quickbooks-1.1.0.wasm", &["--describe-only", "--json"]);
    assert_eq!(json.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("stdout is JSON");
    assert_eq!(named(&report, "passed"), ["describe"]);
    assert_eq!(named(&report, "skipped").len(), 9);

    // What ran must still pass: a failing check fails with --describe-only too.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_file(dir.path(), r#"{"Mode": "bad-ordinals"}"#);
    let failing = run("fixtures/sloppy.wasm", &["--config", &config, "--describe-only"]);
    assert_eq!(failing.status.code(), Some(1), "{}", stdout(&failing));
}

#[test]
fn a_check_that_does_not_apply_is_not_a_check_that_did_not_run() {
    // The CSV destination has no secret property: `secret-canary` has
    // nothing to plant, every other check runs.
    let output = run("connectors/csv-1.0.0.wasm", &["--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(named(&report, "skipped"), ["secret-canary"]);
    assert_eq!((report["complete"].as_bool(), report["not_run"].as_array().map(Vec::len)), (Some(true), Some(0)));
    let text = stdout(&run("connectors/csv-1.0.0.wasm", &[]));
    assert!(text.trim_end().ends_with("Passed: 9 of 10 checks, 1 not applicable."), "{text}");
}
