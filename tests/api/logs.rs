//! Connection logs: listing, downloading, verbosity, and secrets.

use super::{TestApp, assert_error, id_of, json, quickbooks_body, spawn_app, spawn_app_with, sqlite_only, text};
use crate::helpers::{eventually, eventually_blocking};
use reqwest::Response;
use serde_json::json;

/// The level of each line (the token after the timestamp) and its text.
fn levels(log: &str) -> Vec<(String, String)> {
    log.lines()
        .map(|line| {
            let level = line.split_whitespace().nth(1).unwrap_or_else(|| panic!("no level: {line}"));
            (level.to_string(), line.to_string())
        })
        .collect()
}

#[tokio::test]
async fn logs_are_listed_with_name_size_and_time() {
    let app = spawn_app().await;
    let mut quiet = quickbooks_body("Quiet");
    quiet["settings"] = json!({"logfile_verbosity": "None"});
    let quiet = id_of(&app.create_ok("default", &quiet).await);
    let (status, empty) = json(app.list_logs(&quiet).await).await;
    assert_eq!(status, 200);
    assert_eq!(empty, json!({"value": []}), "verbosity None writes no file");

    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    let (status, list) = json(app.list_logs(&id).await).await;
    assert_eq!(status, 200, "{list}");
    let files = list["value"].as_array().expect("value");
    assert_eq!(files.len(), 1, "{list}");
    let file = files[0].as_object().expect("a file");
    let mut keys: Vec<&String> = file.keys().collect();
    keys.sort();
    assert_eq!(keys, ["modified_at", "name", "size"]);
    let name = file["name"].as_str().expect("name");
    let today = chrono_free_today(&file["modified_at"]);
    assert_eq!(name, format!("{today}.log"));
    let (_, content) = text(app.download_log(&id, name).await).await;
    assert_eq!(file["size"].as_u64(), Some(content.len() as u64));
}

/// The `YYYY-MM-DD` of an RFC 3339 timestamp.
fn chrono_free_today(timestamp: &serde_json::Value) -> String {
    timestamp.as_str().expect("modified_at")[..10].to_string()
}

async fn assert_log_download(response: Response, name: &str) -> String {
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().expect("content type").to_string();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let disposition = response.headers()["content-disposition"].to_str().expect("disposition").to_string();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains(name), "{disposition}");
    response.text().await.expect("text")
}

#[tokio::test]
async fn a_log_downloads_as_a_text_attachment_by_post_and_by_get() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    let (_, list) = json(app.list_logs(&id).await).await;
    let name = list["value"][0]["name"].as_str().expect("name").to_string();

    let posted = assert_log_download(app.download_log(&id, &name).await, &name).await;
    let got = assert_log_download(app.download_log_with_get(&id, &name).await, &name).await;
    assert_eq!(posted, got);
    assert!(posted.contains("[syncport] test succeeded"), "{posted}");
}

#[tokio::test]
async fn log_names_that_are_paths_or_not_this_connections_logs_are_refused() {
    let app = spawn_app().await;
    // Logging nothing, this connection has no log files at all.
    let mut quiet = quickbooks_body("Books");
    quiet["settings"] = json!({"logfile_verbosity": "None"});
    let id = id_of(&app.create_ok("default", &quiet).await);
    let other = id_of(&app.create_quickbooks("Other").await);
    app.test_ok(&other).await;
    let (_, list) = json(app.list_logs(&other).await).await;
    let others_log = list["value"][0]["name"].as_str().expect("name").to_string();

    let by_path = format!("..%2F{other}%2F{others_log}");
    let cases = vec![
        ("a parent path", "..%2F..%2Fetc%2Fpasswd", 400, "invalid_log_name"),
        ("a relative path", "..%2Fx", 400, "invalid_log_name"),
        ("the other connection's log by path", &*by_path, 400, "invalid_log_name"),
        ("a backslash", "a%5Cb", 400, "invalid_log_name"),
        ("an absolute path", "%2Fetc%2Fpasswd", 400, "invalid_log_name"),
        ("an unknown plain name", "nope.log", 404, "log_not_found"),
        ("a plain name that is no log", "passwd", 404, "log_not_found"),
        ("a day without a log", "2001-01-01.log", 404, "log_not_found"),
        ("a log of another connection", &*others_log, 404, "log_not_found"),
    ];
    for (description, name, status, code) in cases {
        for response in [app.download_log(&id, name).await, app.download_log_with_get(&id, name).await] {
            let (actual, body) = json(response).await;
            assert_eq!((actual, body["error"]["code"].as_str()), (status, Some(code)), "{description}: {body}");
            super::assert_error_shape(&body);
        }
    }
    assert_error(
        app.download_log("550e8400-e29b-41d4-a716-446655440000", &others_log).await,
        404,
        "connection_not_found",
    )
    .await;
}

/// A QuickBooks connection at `verbosity`; runs a successful test, lists
/// tables and columns, then fails a test; its log.
async fn exercise(app: &TestApp, name: &str, verbosity: &str) -> (String, String) {
    let mut body = quickbooks_body(name);
    body["settings"] = json!({"logfile_verbosity": verbosity});
    let id = id_of(&app.create_ok("default", &body).await);
    assert_eq!(app.test_ok(&id).await["success"], true);
    app.tables_ok(&id, "").await;
    assert_eq!(app.list_columns(&id, "Customers", "").await.status(), 200);
    app.update_ok(&id, &json!({"properties": {"OAuthAccessToken": "expired-token"}})).await;
    assert_eq!(app.test_ok(&id).await["success"], false);
    let log = app.log_text(&id).await;
    (id, log)
}

#[tokio::test]
async fn verbosity_none_keeps_nothing() {
    let app = spawn_app().await;
    let (id, log) = exercise(&app, "Books", "None").await;
    assert_eq!(log, "");
    let (_, list) = json(app.list_logs(&id).await).await;
    assert_eq!(list, json!({"value": []}));
}

#[tokio::test]
async fn verbosity_error_keeps_only_errors() {
    let app = spawn_app().await;
    let (_, log) = exercise(&app, "Books", "Error").await;
    let lines = levels(&log);
    assert!(lines.iter().any(|(_, l)| l.contains("[syncport] test failed")), "{log}");
    assert!(lines.iter().any(|(_, l)| l.contains("[plugin]")), "the plugin's error line: {log}");
    assert!(lines.iter().all(|(level, _)| level == "ERROR"), "{log}");
}

#[tokio::test]
async fn verbosity_info_keeps_operations_and_plugin_steps() {
    let app = spawn_app().await;
    let (_, log) = exercise(&app, "Books", "info").await;
    let lines = levels(&log);
    for operation in ["test succeeded", "list-tables succeeded", "list-columns succeeded", "test failed"] {
        assert!(lines.iter().any(|(_, l)| l.contains(&format!("[syncport] {operation}"))), "{operation}: {log}");
    }
    assert!(lines.iter().any(|(level, l)| level == "INFO" && l.contains("[plugin]")), "{log}");
    assert!(lines.iter().any(|(level, _)| level == "ERROR"), "{log}");
    assert!(lines.iter().all(|(level, _)| level == "INFO" || level == "ERROR"), "{log}");
}

#[tokio::test]
async fn verbosity_transfer_adds_payload_sizes() {
    let app = spawn_app().await;
    let (_, log) = exercise(&app, "Books", "Transfer").await;
    let lines = levels(&log);
    assert!(lines.iter().any(|(level, l)| level == "TRANSFER" && l.contains("[syncport] list-tables")), "{log}");
    assert!(lines.iter().any(|(level, l)| level == "TRANSFER" && l.contains("[plugin]")), "{log}");
    assert!(lines.iter().all(|(level, _)| level != "VERBOSE"), "{log}");
}

#[tokio::test]
async fn verbosity_verbose_adds_the_plugins_verbose_lines() {
    let app = spawn_app().await;
    let (_, log) = exercise(&app, "Books", "VERBOSE").await;
    let lines = levels(&log);
    assert!(lines.iter().any(|(level, l)| level == "VERBOSE" && l.contains("[plugin]")), "{log}");
    for level in ["ERROR", "INFO", "TRANSFER"] {
        assert!(lines.iter().any(|(l, _)| l == level), "{level}: {log}");
    }
}

#[tokio::test]
async fn a_verbosity_change_applies_to_the_next_operation() {
    let app = spawn_app().await;
    let mut body = quickbooks_body("Books");
    body["settings"] = json!({"logfile_verbosity": "None"});
    let id = id_of(&app.create_ok("default", &body).await);
    app.test_ok(&id).await;
    assert_eq!(app.log_text(&id).await, "");
    app.update_ok(&id, &json!({"settings": {"logfile_verbosity": "Info"}})).await;
    app.test_ok(&id).await;
    assert!(app.log_text(&id).await.contains("[syncport] test succeeded"));
}

/// Every response body of the operations on a connection, joined.
async fn bodies(app: &TestApp, id: &str) -> String {
    let mut all = String::new();
    for response in [
        app.get_connection(id).await,
        app.list_connections("default", "").await,
        app.test_connection(id).await,
        app.list_tables(id, "").await,
        app.list_tables(id, "reset_metadata=true").await,
        app.list_columns(id, "Healthy", "").await,
        app.list_columns(id, "Customers", "").await,
        app.reset_metadata(id).await,
        app.list_logs(id).await,
    ] {
        all.push_str(&response.text().await.expect("body"));
    }
    all.push_str(&app.log_text(id).await);
    all
}

#[tokio::test]
async fn a_leaked_secret_never_appears_in_a_response_or_a_log_at_any_verbosity() {
    let app = spawn_app().await;
    let mut seen = String::new();
    for verbosity in ["None", "Error", "Info", "Transfer", "Verbose"] {
        let password = format!("Hunter2-{verbosity}-q7Zx");
        let body = json!({
            "name": format!("Leak {verbosity}"),
            "connector": "Misbehave",
            "properties": {"Mode": "leak", "Password": password},
            "settings": {"logfile_verbosity": verbosity}
        });
        let response = app.create_connection("default", &body).await;
        let (status, created) = text(response).await;
        assert_eq!(status, 201, "{created}");
        let id = id_of(&serde_json::from_str(&created).expect("json"));
        let result = app.test_ok(&id).await;
        assert_eq!(result["success"], false);
        assert_eq!(result["error"]["code"], "auth_failed");
        assert!(result["message"].as_str().expect("message").contains("********"), "masked, not dropped: {result}");
        let updated = app.update_connection(&id, &json!({"properties": {"Password": password}})).await;
        seen.push_str(&created);
        seen.push_str(&updated.text().await.expect("body"));
        seen.push_str(&bodies(&app, &id).await);
        assert!(!seen.contains(&password), "{verbosity}: the password leaked");
        assert!(!app.stored_logs().await.contains(&password), "{verbosity}: the password is in a log file");
    }
    assert!(seen.contains("password ******** refused"), "the leak was exercised: {seen}");
}

#[tokio::test]
async fn quickbooks_secrets_never_appear_in_a_response_or_a_log_at_any_verbosity() {
    let app = spawn_app().await;
    let secrets = ["Client-Secret-4kQ", "Access-Token-9vW", "Refresh-Token-2mP"];
    for verbosity in ["None", "Error", "Info", "Transfer", "Verbose"] {
        let mut body = quickbooks_body(&format!("Books {verbosity}"));
        body["properties"]["OAuthClientSecret"] = json!(secrets[0]);
        body["properties"]["OAuthAccessToken"] = json!(secrets[1]);
        body["properties"]["OAuthRefreshToken"] = json!(secrets[2]);
        body["settings"] = json!({"logfile_verbosity": verbosity});
        let (status, created) = text(app.create_connection("default", &body).await).await;
        assert_eq!(status, 201, "{created}");
        let id = id_of(&serde_json::from_str(&created).expect("json"));
        let mut seen = created + &bodies(&app, &id).await;
        // A failing configuration too: an expired token that is itself secret.
        let expired = "expired-Token-5tY";
        let (_, updated) =
            text(app.update_connection(&id, &json!({"properties": {"OAuthAccessToken": expired}})).await).await;
        seen.push_str(&updated);
        seen.push_str(&bodies(&app, &id).await);
        let (_, reset) = text(app.reset_credentials(&id).await).await;
        seen.push_str(&reset);
        for secret in secrets.iter().chain([&expired]) {
            assert!(!seen.contains(secret), "{verbosity}: {secret} leaked in a response");
            assert!(!app.stored_logs().await.contains(secret), "{verbosity}: {secret} is in a log file");
        }
    }
}

#[tokio::test]
async fn create_and_update_are_logged_naming_changed_properties_but_never_their_values() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.update_ok(&id, &json!({"name": "Books 2", "properties": {"OAuthAccessToken": "fresh-token-4411"}})).await;
    let log = app.log_text(&id).await;
    assert!(log.contains("[syncport] create succeeded"), "{log}");
    assert!(log.contains("changed name `Books` -> `Books 2`; properties OAuthAccessToken"), "{log}");
    assert!(!log.contains("fresh-token-4411"), "{log}");
}

#[tokio::test]
async fn verbose_logs_keep_the_payload_returned_and_info_logs_do_not() {
    let app = spawn_app().await;
    for (verbosity, keeps_payload) in [("Verbose", true), ("Transfer", false), ("Info", false)] {
        let mut body = quickbooks_body(&format!("Books {verbosity}"));
        body["settings"] = json!({"logfile_verbosity": verbosity});
        let id = id_of(&app.create_ok("default", &body).await);
        let (status, _) = json(app.list_columns(&id, "Customers", "").await).await;
        assert_eq!(status, 200);
        let log = app.log_text(&id).await;
        assert_eq!(log.contains("\"name\":\"DisplayName\""), keeps_payload, "{verbosity}: {log}");
        assert_eq!(log.contains(" bytes"), verbosity != "Info", "{verbosity}: transfer sizes: {log}");
    }
}

#[tokio::test]
async fn a_log_continues_in_a_new_part_when_the_next_lines_would_pass_the_size_cap() {
    const CAP: u64 = 800;
    let app = spawn_app_with(|c| c.log_max_file_bytes = CAP).await;
    let id = id_of(&app.create_quickbooks("Books").await);
    for _ in 0..6 {
        app.test_ok(&id).await;
    }

    let (status, list) = json(app.list_logs(&id).await).await;
    assert_eq!(status, 200, "{list}");
    let files = list["value"].as_array().expect("files");
    let today = chrono::Utc::now().date_naive();
    let expected: Vec<String> = (0..files.len())
        .rev()
        .map(|n| if n == 0 { format!("{today}.log") } else { format!("{today}.{n}.log") })
        .collect();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().expect("name")).collect();
    assert!(names.len() >= 2, "seven operations do not fit in {CAP} bytes: {list}");
    assert_eq!(names, expected, "parts newest first");
    let sizes: Vec<u64> = files.iter().map(|f| f["size"].as_u64().expect("size")).collect();
    assert!(sizes.iter().all(|s| *s <= CAP), "no part passes the cap: {list}");
    for pair in sizes.windows(2) {
        assert!(pair[0] + pair[1] > CAP, "a new part starts only when the next lines do not fit: {list}");
    }
    let mut all = String::new();
    for name in names.iter().rev() {
        let (status, part) = text(app.download_log(&id, name).await).await;
        assert_eq!(status, 200, "{name}");
        all.push_str(&part);
    }
    let operations: Vec<&str> = all.lines().filter_map(|l| l.split("[syncport] ").nth(1)).collect();
    assert_eq!(operations.len(), 7, "every line once, in order: {all}");
    assert!(operations[0].starts_with("create succeeded"), "{all}");
    assert!(operations[1..].iter().all(|op| op.starts_with("test succeeded")), "{all}");
}

#[tokio::test]
async fn expired_log_days_are_deleted_at_start_even_for_connections_that_no_longer_write_on_sqlite() {
    sqlite_only();
    let today = chrono::Utc::now().date_naive();
    let day = |back: u64| today - chrono::Days::new(back);
    let quiet = std::sync::Mutex::new(None);
    let app = spawn_app_with(|c| {
        c.log_retention_days = 2;
        let dir = c.data_dir.join("logs").join(uuid::Uuid::new_v4().to_string());
        std::fs::create_dir_all(&dir).expect("log folder");
        for name in [format!("{}.log", day(3)), format!("{}.1.log", day(3)), format!("{}.log", day(2))] {
            std::fs::write(dir.join(name), "an old line\n").expect("log file");
        }
        *quiet.lock().expect("lock") = Some(dir);
    })
    .await;
    let dir = quiet.lock().expect("lock").clone().expect("the folder");

    let expired = [format!("{}.log", day(3)), format!("{}.1.log", day(3))];
    eventually(std::time::Duration::from_secs(10), "the expired day is deleted", || async {
        let left: Vec<&String> = expired.iter().filter(|name| dir.join(name).exists()).collect();
        if left.is_empty() { Ok(()) } else { Err(format!("{left:?}")) }
    })
    .await;
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    left.sort();
    assert_eq!(left, [format!("{}.log", day(2))], "today and the 2 days before it are kept");
    drop(app);
}

#[test]
fn serve_refuses_a_log_size_cap_of_zero_before_touching_the_data_directory() {
    use std::process::{Command, Stdio};
    let data = tempfile::tempdir().expect("data dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_syncport"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-max-file-mib", "0", "--data-dir"])
        .arg(data.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let exited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        eventually_blocking(std::time::Duration::from_secs(20), "the server refuses to start", || {
            child.try_wait().expect("wait").ok_or("still running")
        })
    }));
    let Ok(status) = exited else {
        let _ = child.kill();
        panic!("the server started with a log size cap of 0");
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(2), "a usage error: {stderr}");
    assert!(stderr.contains("--log-max-file-mib") && stderr.contains("0"), "{stderr}");
    assert!(!data.path().join("data").exists(), "nothing was created");
}

#[tokio::test]
async fn a_flood_of_empty_log_lines_fails_the_test_and_stores_nothing_at_verbosity_none() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Blank", "blank-lines", "pw", "None").await;
    let started = std::time::Instant::now();
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "connector_crashed", "{result}");
    assert!(result["message"].as_str().expect("message").contains("log limit of 10000 lines"), "{result}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "failed fast: {:?}", started.elapsed());
    assert_eq!(app.log_text(&id).await, "");
    assert!(!app.has_stored_logs(&id).await, "nothing of the flood is stored");
}

#[tokio::test]
async fn a_secret_in_a_connector_errors_property_never_appears_in_a_response_target_or_log() {
    let app = spawn_app().await;
    let password = "Tgt-Secret-8hR2";
    let id = app.create_misbehave("Target", "secret-target", password, "Verbose").await;
    let result = app.test_ok(&id).await;
    assert_eq!(result["error"]["property"], "********", "{result}");
    let (status, body) = json(app.list_tables(&id, "").await).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["target"], "properties.********", "{body}");
    let mut seen = result.to_string() + &body.to_string();
    seen.push_str(&bodies(&app, &id).await);
    assert!(seen.contains("******** is not accepted"), "the error was exercised: {seen}");
    assert!(!seen.contains(password), "the password leaked: {seen}");
    assert!(!app.stored_logs().await.contains(password), "the password is in a log file");
}

#[tokio::test]
async fn terminal_escapes_and_line_breaks_from_a_connector_are_stored_escaped() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Escapes", "escapes", "pw", "Verbose").await;
    assert_eq!(app.test_ok(&id).await["success"], false);
    let log = app.log_text(&id).await;
    let raw: Vec<char> =
        log.chars().filter(|c| *c != '\n' && (c.is_control() || "\u{2028}\u{2029}".contains(*c))).collect();
    assert!(raw.is_empty(), "raw control characters {raw:?} in {log:?}");
    for source in ["[syncport] test failed", "[plugin] log: ", "[stdout] stdout: ", "[stderr] stderr: "] {
        let line = log.lines().find(|l| l.contains(source)).unwrap_or_else(|| panic!("{source}: {log}"));
        for escaped in [
            "\\u{1b}[31mred",
            "\\u{1b}]8;;https://evil.example\\u{7}link",
            "\\u{2028}",
            "\\u{85}",
            "\\u{b}",
            "\\u{c}",
            "\\u{0}",
        ] {
            assert!(line.contains(escaped), "{escaped} in {line}");
        }
    }
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(log.lines().all(|l| l.starts_with(&today[..4])), "every line is a whole log line: {log}");
}

#[tokio::test]
async fn an_operation_whose_lines_pass_the_file_cap_is_cut_to_it_with_a_line_saying_so() {
    const CAP: u64 = 4_000;
    let app = spawn_app_with(|c| c.log_max_file_bytes = CAP).await;
    let id = app.create_misbehave("Flood", "flood", "pw", "Info").await;
    assert_eq!(app.test_ok(&id).await["success"], false);
    let (_, list) = json(app.list_logs(&id).await).await;
    let sizes: Vec<u64> =
        list["value"].as_array().expect("files").iter().map(|f| f["size"].as_u64().expect("size")).collect();
    assert!(sizes.iter().all(|s| *s <= CAP), "no part passes the cap: {list}");
    let log = app.log_text(&id).await;
    assert!(log.contains("[plugin] flood 0 "), "the first lines are kept: {log}");
    assert!(
        log.ends_with(&format!("the rest of this operation's lines were cut at the log file cap of {CAP} bytes\n")),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_one_of_many_tests_at_once_is_logged_once_and_acknowledged_only_once_stored() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);

    // On PostgreSQL the log entries are committed in batches with the test
    // results (group commit); each 200 waits for its batch.
    let tests: Vec<_> = (0..48).map(|_| app.test_connection(&id)).collect();
    for response in futures_util::future::join_all(tests).await {
        assert_eq!(response.status(), 200);
    }

    let outcomes = app.log_outcomes(&id, "test").await;
    assert_eq!(outcomes.len(), 48, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| o.starts_with("Connected to QuickBooks Online")), "{outcomes:?}");
}
