//! Jobs: definitions, runs from QuickBooks 2.0.0 into the CSV destination
//! checked row by row against the generator, connections held while a run
//! is under way, cancels, roles, and 0.1.0 connectors beside 0.2.0 ones.

use super::{
    TestApp, assert_error, create_user, id_of, jobs_config, json, logged_since, quickbooks_body, server_log_mark,
    spawn_jobs_app, spawn_pair_with, token,
};
use crate::helpers::eventually;
use chrono::{DateTime, Duration as Days, NaiveDate};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const LEASE: Duration = Duration::from_secs(3);

/// A QuickBooks 2.0.0 source with `rows` rows per table and a CSV
/// destination; their ids.
pub(crate) async fn endpoints(app: &TestApp, rows: u64) -> (String, String) {
    let mut body = quickbooks_body("Books");
    body["connector_version"] = json!("2.0.0");
    body["properties"]["RowsPerTable"] = json!(rows.to_string());
    let source = id_of(&app.create_ok("default", &body).await);
    let destination = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    (source, destination)
}

/// Creates a job; its JSON.
pub(super) async fn create_job(app: &TestApp, body: &Value) -> Value {
    let (status, job) = json(app.create_job("default", body).await).await;
    assert_eq!(status, 201, "create job {body}: {job}");
    job
}

/// Starts a run; its JSON.
pub(super) async fn execute(app: &TestApp, job: &str) -> Value {
    let (status, run) = json(app.execute_job(job).await).await;
    assert_eq!(status, 202, "execute: {run}");
    run
}

/// Polls the job's status until its run ends (at most a minute); the run.
pub(super) async fn wait_for_end(app: &TestApp, job: &str) -> Value {
    run_in_state(app, job, Duration::from_secs(60), "the run ends", |run| {
        !matches!(run["status"].as_str(), Some("Starting" | "Testing" | "Running"))
    })
    .await
}

/// Polls the job's status until `reached` holds of its run (at most
/// `limit`, saying `what` was awaited); the run.
async fn run_in_state(
    app: &TestApp,
    job: &str,
    limit: Duration,
    what: &str,
    reached: impl Fn(&Value) -> bool,
) -> Value {
    eventually(limit, what, || async {
        let (status, run) = json(app.job_status(job).await).await;
        assert_eq!(status, 200, "status: {run}");
        if reached(&run) { Ok(run) } else { Err(run) }
    })
    .await
}

/// Polls until the run is copying.
async fn wait_for_running(app: &TestApp, job: &str) {
    run_in_state(app, job, Duration::from_secs(30), "the run copies", |run| {
        run["status"] == "Running" && run["rows"].as_u64().unwrap_or(0) > 0
    })
    .await;
}

/// Creates a job `name` copying 10,000,000 rows per table in pages of 100
/// (long enough to act on it mid-run), starts it and waits until it is
/// copying; the source's, destination's and job's ids.
async fn start_long_run(app: &TestApp, name: &str) -> (String, String, String) {
    let (source, destination) = endpoints(app, 10_000_000).await;
    let body = json!({"name": name, "source": source, "destination": destination, "batch_size": 100});
    let job_id = id_of(&create_job(app, &body).await);
    execute(app, &job_id).await;
    wait_for_running(app, &job_id).await;
    (source, destination, job_id)
}

/// The generator's value of column `column` (its JSON from `list-columns`)
/// in row `r` of table `table`, as the CSV destination writes it
/// (plugins/generator/README.md, plugins/csv/README.md).
fn expected(table: &str, column: &Value, r: u64) -> String {
    let k = column["ordinal"].as_u64().expect("ordinal");
    if column["nullable"] == true && column["primary_key"] != true && (r + k).is_multiple_of(7) {
        return String::new();
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    match column["data_type"].as_str().expect("data_type") {
        "boolean" => (r + k).is_multiple_of(2).to_string(),
        "smallint" | "integer" | "bigint" if column["primary_key"] == true => (r + 1).to_string(),
        "smallint" | "integer" | "bigint" => ((r * k) % 1000).to_string(),
        "real" | "double" => (r as f64 * 0.5 + k as f64).to_string(),
        "decimal" => format!("{}.{:02}", (r * k) % 100_000, r % 100),
        "string" => format!("{table} {k}-{r}"),
        "uuid" => format!("00000000-0000-0000-{k:04x}-{r:012x}"),
        "json" => format!("{{\"row\":{r}}}"),
        "time" => format!("{:02}:{:02}:{:02}", (r / 3600) % 24, (r / 60) % 60, r % 60),
        "binary" => format!("{:02x}{:02x}", r % 256, k % 256),
        "date" => (epoch + Days::days(19_000 + (r % 1000) as i64)).format("%Y-%m-%d").to_string(),
        "timestamp" | "timestamp_tz" => {
            let micros = 1_700_000_000_000_000 + r as i64 * 1_000_000;
            DateTime::from_timestamp_micros(micros).expect("in range").format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
        other => panic!("unknown data type {other}"),
    }
}

/// Checks every row of `file` against the generator for `table`'s columns.
fn check_csv(file: &std::path::Path, table: &str, columns: &[Value], rows: u64) {
    let mut reader = csv::Reader::from_path(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let header: Vec<String> = reader.headers().expect("a header").iter().map(str::to_string).collect();
    let names: Vec<String> = columns.iter().map(|c| c["name"].as_str().expect("name").to_string()).collect();
    assert_eq!(header, names, "{}: header", file.display());
    let mut count = 0;
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|e| panic!("{} row {r}: {e}", file.display()));
        let want: Vec<String> = columns.iter().map(|c| expected(table, c, r as u64)).collect();
        let got: Vec<&str> = record.iter().collect();
        assert_eq!(got, want, "{} row {r}", file.display());
        count += 1;
    }
    assert_eq!(count, rows, "{}: rows", file.display());
}

#[tokio::test]
async fn a_job_copies_every_row_of_every_quickbooks_table_into_csv_files() {
    let app = spawn_jobs_app(LEASE).await;
    let rows = 2_345;
    let (source, destination) = endpoints(&app, rows).await;
    let body = json!({"name": "Nightly", "source_connection_id": source, "destination_connection_id": destination,
        "table_prefix": "qb_", "batch_size": 1000});
    let job = create_job(&app, &body).await;
    assert_eq!(job["tables"], "all");
    let job_id = id_of(&job);
    let run = execute(&app, &job_id).await;
    assert_eq!(run["status"], "Starting");

    let run = wait_for_end(&app, &job_id).await;

    assert_eq!(run["status"], "Successful", "{run}");
    let tables = app.tables_ok(&source, "").await;
    assert_eq!(run["tables"].as_array().expect("tables").len(), tables.len());
    let dir = app.data.path().join("data/connection-files").join(&destination);
    for t in run["tables"].as_array().expect("tables") {
        assert_eq!(t["status"], "Successful", "{t}");
        assert_eq!(t["rows"], rows, "{t}");
        let qualified = t["table"].as_str().expect("table");
        let bare = qualified.rsplit('.').next().expect("name");
        assert_eq!(t["destination_table"], format!("qb_{bare}"));
        let (status, columns) = json(app.list_columns(&source, qualified, "").await).await;
        assert_eq!(status, 200, "{columns}");
        let columns = columns["value"].as_array().expect("columns").clone();
        check_csv(&dir.join(format!("qb_{bare}.csv")), bare, &columns, rows);
    }
    assert_eq!(run["rows"], rows * tables.len() as u64);
    let names: Vec<_> = std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(names.len(), tables.len(), "only the finished files are left: {names:?}");
}

#[tokio::test]
async fn a_connection_in_use_by_a_running_job_cannot_be_changed_or_deleted_until_it_is_cancelled() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination, job_id) = start_long_run(&app, "Big").await;

    for (connection, what) in [(&source, "source"), (&destination, "destination")] {
        let error =
            assert_error(app.update_connection(connection, &json!({"labels": ["x"]})).await, 409, "connection_in_use")
                .await;
        assert!(error["error"]["message"].as_str().expect("message").contains("Big"), "{what}: {error}");
        assert_error(app.delete_connection(connection).await, 409, "connection_in_use").await;
    }
    assert_error(app.delete_job(&job_id).await, 409, "job_running").await;
    assert_error(app.update_job(&job_id, &json!({"batch_size": 10})).await, 409, "job_running").await;
    assert_error(app.execute_job(&job_id).await, 409, "job_running").await;
    let other = json!({"name": "Same files", "source": source, "destination": destination});
    let other = id_of(&create_job(&app, &other).await);
    let busy = assert_error(app.execute_job(&other).await, 409, "destination_in_use").await;
    assert!(busy["error"]["message"].as_str().expect("message").contains("Big"), "{busy}");

    let (status, cancelled) = json(app.cancel_job(&job_id).await).await;
    assert_eq!(status, 202, "{cancelled}");
    assert_eq!(cancelled["cancel_requested"], true);
    let run = wait_for_end(&app, &job_id).await;

    assert_eq!(run["status"], "Cancelled", "{run}");
    assert!(run["rows"].as_u64().expect("rows") > 0);
    assert_eq!(app.update_ok(&source, &json!({"labels": ["x"]})).await["labels"], json!(["x"]));
    assert_error(app.cancel_job(&job_id).await, 409, "job_not_running").await;
    assert_eq!(app.delete_connection(&destination).await.status(), 204);
    assert!(!app.data.path().join("data/connection-files").join(&destination).exists(), "its files go with it");
}

#[tokio::test]
async fn one_failing_table_fails_itself_and_the_run_but_not_the_other_tables() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 10).await;
    let first = app.tables_ok(&source, "").await[0].clone();
    let good = format!("{}.{}", first["schema"].as_str().expect("schema"), first["name"].as_str().expect("name"));
    let twin = format!("Elsewhere.{}", first["name"].as_str().expect("name"));
    let body = json!({"name": "Partly", "source_connection_id": source, "destination_connection_id": destination,
        "tables": ["NoSuchTable", good, twin]});
    let job_id = id_of(&create_job(&app, &body).await);
    execute(&app, &job_id).await;

    let run = wait_for_end(&app, &job_id).await;

    assert_eq!(run["status"], "Failed", "{run}");
    assert_eq!(run["error"], "2 of 3 tables failed.");
    assert_eq!(run["tables"][0]["status"], "Failed");
    assert!(run["tables"][0]["error"].as_str().expect("error").contains("NoSuchTable"), "{run}");
    assert_eq!(run["tables"][1]["status"], "Successful");
    assert_eq!(run["tables"][1]["rows"], 10);
    assert_eq!(run["tables"][2]["status"], "Failed", "two tables may not write one destination table");
    assert!(run["tables"][2]["error"].as_str().expect("error").contains("would also be written"), "{run}");
}

#[tokio::test]
async fn history_lists_every_run_newest_first() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 5).await;
    let body = json!({"name": "Twice", "source_connection_id": source, "destination_connection_id": destination});
    let job_id = id_of(&create_job(&app, &body).await);
    assert_error(app.job_status(&job_id).await, 404, "run_not_found").await;
    let first = execute(&app, &job_id).await;
    wait_for_end(&app, &job_id).await;
    let second = execute(&app, &job_id).await;
    wait_for_end(&app, &job_id).await;

    let (status, history) = json(app.job_history(&job_id, "").await).await;

    assert_eq!(status, 200);
    let ids: Vec<_> = history["value"].as_array().expect("runs").iter().map(|r| r["run_id"].clone()).collect();
    assert_eq!(ids, vec![second["run_id"].clone(), first["run_id"].clone()]);
    let (_, page) = json(app.job_history(&job_id, "$top=1&$skip=1").await).await;
    assert_eq!(page["value"][0]["run_id"], first["run_id"]);
}

#[tokio::test]
async fn wit_0_1_0_connectors_keep_working_but_cannot_be_job_endpoints() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 5).await;
    let mut body = quickbooks_body("Old books");
    body["connector_version"] = json!("1.1.0");
    let old = id_of(&app.create_ok("default", &body).await);
    for (version, wit) in [("1.1.0", "0.1.0"), ("2.0.0", "0.2.0")] {
        let (_, connector) = json(app.get_connector_version("QuickBooks", version).await).await;
        assert_eq!(connector["wit_version"], wit, "{connector}");
    }
    assert_eq!(app.test_ok(&old).await["success"], true, "a 0.1.0 component runs beside 0.2.0 ones");
    assert!(!app.tables_ok(&old, "").await.is_empty());

    let cases = [
        (json!({"source": old, "destination": destination}), "connector_cannot_read", "source_connection_id"),
        (json!({"source": destination, "destination": destination}), "connector_cannot_read", "source_connection_id"),
        (json!({"source": source, "destination": old}), "connector_cannot_write", "destination_connection_id"),
        (json!({"source": source, "destination": source}), "connector_cannot_write", "destination_connection_id"),
    ];
    for (mut body, code, target) in cases {
        body["name"] = json!("Invalid");
        let error = assert_error(app.create_job("default", &body).await, 400, code).await;
        assert_eq!(error["error"]["target"], target, "{body}: {error}");
    }
}

#[tokio::test]
async fn invalid_job_bodies_are_refused_with_the_field_at_fault() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 5).await;
    let valid = json!({"name": "Valid", "source_connection_id": source, "destination_connection_id": destination});
    create_job(&app, &valid).await;
    let with = |key: &str, value: Value| {
        let mut body = valid.clone();
        body[key] = value;
        body
    };
    let without = |key: &str| {
        let mut body = valid.clone();
        body.as_object_mut().expect("object").remove(key);
        body
    };
    let cases = [
        (without("name"), 400, "missing_field", "name"),
        (without("source_connection_id"), 400, "missing_field", "source_connection_id"),
        (without("destination_connection_id"), 400, "missing_field", "destination_connection_id"),
        (with("name", json!("")), 400, "invalid_field", "name"),
        (with("name", json!(7)), 400, "invalid_field", "name"),
        (with("source_connection_id", json!("not-a-uuid")), 400, "invalid_field", "source_connection_id"),
        (
            with("source_connection_id", json!(uuid::Uuid::new_v4().to_string())),
            400,
            "unknown_connection",
            "source_connection_id",
        ),
        (with("tables", json!([])), 400, "invalid_field", "tables"),
        (with("tables", json!("some")), 400, "invalid_field", "tables"),
        (with("tables", json!(["A", "A"])), 400, "invalid_field", "tables"),
        (with("batch_size", json!(0)), 400, "invalid_field", "batch_size"),
        (with("batch_size", json!(100_001)), 400, "invalid_field", "batch_size"),
        (with("table_prefix", json!("../")), 400, "invalid_field", "table_prefix"),
        (with("schedule", json!("daily")), 400, "unknown_field", "schedule"),
        (with("name", json!("VALID")), 409, "job_name_taken", ""),
    ];
    for (body, status, code, target) in cases {
        let error = assert_error(app.create_job("default", &body).await, status, code).await;
        if !target.is_empty() {
            assert_eq!(error["error"]["target"], target, "{body}: {error}");
        }
    }
    assert_error(app.get_job("not-a-job").await, 404, "job_not_found").await;
    assert_error(app.execute_job(&uuid::Uuid::new_v4().to_string()).await, 404, "job_not_found").await;
    assert_error(app.list_jobs("nowhere").await, 404, "workspace_not_found").await;
}

#[tokio::test]
async fn a_job_can_be_read_listed_updated_and_deleted() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 5).await;
    let body = json!({"Name": "Weekly", "SOURCE_CONNECTION_ID": source, "destination_connection_id": destination,
        "tables": ["QuickBooks.Customers"]});
    let job = create_job(&app, &body).await;
    let id = id_of(&job);
    assert_eq!(job["name"], "Weekly", "keys are case-insensitive");
    assert_eq!(job["batch_size"], 1000);

    let (_, read) = json(app.get_job(&id).await).await;
    assert_eq!(read, job);
    let (status, updated) = json(app.update_job(&id, &json!({"tables": "all", "table_prefix": "w_"})).await).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["tables"].clone(), updated["table_prefix"].clone(), updated["name"].clone()),
        (json!("all"), json!("w_"), json!("Weekly"))
    );
    let (_, list) = json(app.list_jobs("default").await).await;
    assert_eq!(list["value"][0]["id"], id.as_str());

    assert_eq!(app.delete_job(&id).await.status(), 204);
    assert_error(app.get_job(&id).await, 404, "job_not_found").await;
}

#[tokio::test]
async fn support_users_start_and_cancel_runs_but_only_standard_users_define_jobs() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 10_000_000).await;
    let support = token(&create_user(&app, "sam", "support", &["default"]).await);
    let standard = token(&create_user(&app, "stan", "standard", &["default"]).await);
    let body = json!({"name": "Roles", "source": source, "destination": destination, "batch_size": 100});
    let send = |token: &str, method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = app.request_as(token, method, &path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let refused = send(&support, reqwest::Method::POST, "/workspaces/default/jobs".into(), Some(body.clone())).await;
    assert_error(refused.expect("sent"), 403, "forbidden").await;
    let created = send(&standard, reqwest::Method::POST, "/workspaces/default/jobs".into(), Some(body)).await;
    let (status, job) = json(created.expect("sent")).await;
    assert_eq!(status, 201, "{job}");
    let id = id_of(&job);

    let started = send(&support, reqwest::Method::POST, format!("/jobs/{id}/execute"), None).await.expect("sent");
    assert_eq!(started.status(), 202);
    wait_for_running(&app, &id).await;
    let cancelled = send(&support, reqwest::Method::POST, format!("/jobs/{id}/cancel"), None).await.expect("sent");
    assert_eq!(cancelled.status(), 202);
    assert_eq!(wait_for_end(&app, &id).await["status"], "Cancelled");
    let deleted = send(&support, reqwest::Method::DELETE, format!("/jobs/{id}"), None).await.expect("sent");
    assert_error(deleted, 403, "forbidden").await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (several servers on one database): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_run_on_one_server_holds_its_connections_on_another_which_can_cancel_it_on_postgres() {
    let (a, b) = spawn_pair_with(|c| jobs_config(c, LEASE)).await;
    let (source, destination, job_id) = start_long_run(&a, "Shared").await;
    wait_for_running(&b, &job_id).await;

    assert_error(b.update_connection(&source, &json!({"labels": ["x"]})).await, 409, "connection_in_use").await;
    assert_error(b.delete_connection(&destination).await, 409, "connection_in_use").await;
    assert_error(b.execute_job(&job_id).await, 409, "job_running").await;
    let (status, _) = json(b.cancel_job(&job_id).await).await;
    assert_eq!(status, 202);

    let run = wait_for_end(&b, &job_id).await;
    assert_eq!(run["status"], "Cancelled", "{run}");
    assert_eq!(b.update_ok(&source, &json!({"labels": ["x"]})).await["labels"], json!(["x"]));
}

#[tokio::test]
async fn a_run_refreshes_the_metadata_of_a_source_set_to_start_of_job_and_uses_the_cache_otherwise() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 3).await;
    let mut cases = Vec::new();
    for (interval, expected) in [("Start_of_Job", "items"), ("Never", "items from the cache")] {
        app.update_ok(&source, &json!({"settings": {"metadata_refresh_interval": interval}})).await;
        let count = app.tables_ok(&source, "").await.len();
        let body = json!({"name": interval, "source": source, "destination": destination});
        let job_id = id_of(&create_job(&app, &body).await);
        execute(&app, &job_id).await;
        assert_eq!(wait_for_end(&app, &job_id).await["status"], "Successful");
        let last = app.log_outcomes(&source, "list-tables").await.pop().expect("a listing");
        cases.push((interval, last, format!("{count} {expected}")));
    }
    for (interval, last, expected) in cases {
        assert_eq!(last, expected, "{interval}: the run's listing of the source's tables");
    }
}

#[tokio::test]
async fn syncport_job_run_follow_shows_rows_per_table_until_the_run_ends() {
    let app = spawn_jobs_app(LEASE).await;
    let (source, destination) = endpoints(&app, 1_500).await;
    let body = json!({"name": "Follow me", "source": source, "destination": destination,
        "tables": ["QuickBooksOnline.Customers"]});
    create_job(&app, &body).await;
    let server = app.base.clone();
    let token = app.token.clone();

    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_syncport"))
            .args(["job", "run", "follow ME", "--follow", "--server", &server])
            .env("SYNCPORT_TOKEN", token)
            .output()
            .expect("syncport runs")
    })
    .await
    .expect("the command");

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("QuickBooksOnline.Customers -> Customers: Successful 1500 rows"), "{stdout}");
    assert!(stdout.contains("\nSuccessful: 1500 rows in "), "{stdout}");
}

#[tokio::test]
async fn a_graceful_shutdown_stops_its_runs_and_records_them_as_failed_on_sqlite() {
    super::sqlite_only();
    let mut app = spawn_jobs_app(LEASE).await;
    let (_, _, job_id) = start_long_run(&app, "Interrupted").await;

    app.begin_shutdown();

    let db = app.data.path().join("data/syncport.db");
    let database = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("db");
    let (status, error): (String, Option<String>) =
        eventually(Duration::from_secs(20), "the shutdown ends the run", || async {
            let row: (String, Option<String>) = sqlx::query_as("SELECT status, error FROM job_runs WHERE job_id = $1")
                .bind(&job_id)
                .fetch_one(&database)
                .await
                .expect("the run");
            if row.0 != "Running" { Ok(row) } else { Err(format!("{row:?}")) }
        })
        .await;
    assert_eq!((status.as_str(), error.as_deref()), ("Failed", Some("The server shut down during the run.")));
    let leases: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM connection_leases").fetch_one(&database).await.expect("count");
    assert_eq!(leases, 0, "its connections are free");
}

/// Bytes under a connection's files directory (a destination's CSV files,
/// finished or not).
fn bytes_written(app: &TestApp, connection: &str) -> u64 {
    let dir = app.data.path().join("data/connection-files").join(connection);
    let entries = std::fs::read_dir(&dir).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default();
    entries.iter().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()
}

#[tokio::test]
async fn a_run_whose_lease_renewals_wait_on_the_database_for_a_whole_lease_stops_writing_and_ends_as_failed() {
    let app = spawn_jobs_app(LEASE).await;
    let (_, destination, job_id) = start_long_run(&app, "Stalled").await;
    let before = bytes_written(&app, &destination);
    eventually(Duration::from_secs(30), "the run writes", || async {
        let now = bytes_written(&app, &destination);
        if now > before { Ok(()) } else { Err(format!("{now} bytes")) }
    })
    .await;

    // Renewals now wait on the lock; once the lease has run out with none
    // of them through, nothing more may be written. These sleeps are the
    // thing under test, not synchronisation: the lease's length, then a
    // window in which the stopped run must write nothing.
    let lock = app.lock_job_row(&job_id).await;
    tokio::time::sleep(LEASE + Duration::from_millis(500)).await;
    let stopped = bytes_written(&app, &destination);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(bytes_written(&app, &destination), stopped, "the run kept writing after its lease ran out");
    drop(lock);

    let run = wait_for_end(&app, &job_id).await;
    assert_eq!(run["status"], "Failed", "{run}");
    assert!(run["error"].as_str().expect("error").contains("lease expired"), "{run}");
    assert_eq!(app.update_ok(&destination, &json!({"labels": ["free"]})).await["labels"], json!(["free"]));
}

#[tokio::test]
async fn a_cancel_ends_a_run_whose_source_sleeps_in_a_host_call_and_frees_its_connections() {
    let app = spawn_jobs_app(LEASE).await;
    // A length of sleep no other test uses, so that wasmtime-wasi's trace of
    // the clock poll (`subscribe-duration` `when=` nanoseconds) is this test's.
    let seconds = "3593";
    let asleep = format!("when={seconds}000000000");
    let body = json!({"name": "Sleepy", "connector": "Hostile", "properties": {"Mode": "sleep", "Seconds": seconds}});
    let source = id_of(&app.create_ok("default", &body).await);
    let destination = id_of(&app.create_ok("default", &json!({"name": "Files", "connector": "CSV"})).await);
    let body = json!({"name": "Stuck", "source": source, "destination": destination, "tables": ["Healthy"]});
    let job_id = id_of(&create_job(&app, &body).await);
    // The run's first call, the source's test, sleeps an hour in a WASI clock poll.
    let mark = server_log_mark();
    execute(&app, &job_id).await;
    logged_since(mark, &[&asleep]).await;
    let start = Instant::now();
    let (status, cancelled) = json(app.cancel_job(&job_id).await).await;
    assert_eq!(status, 202, "{cancelled}");
    let run = wait_for_end(&app, &job_id).await;
    assert!(start.elapsed() < Duration::from_secs(1), "the run ended {:?} after its cancel", start.elapsed());
    assert_eq!(run["status"], "Cancelled", "{run}");
    // Again with a source that tests well and then sleeps in its first `read`.
    app.update_ok(&source, &json!({"properties": {"Mode": "sleep-read"}})).await;
    let mark = server_log_mark();
    execute(&app, &job_id).await;
    logged_since(mark, &[&asleep]).await;
    run_in_state(&app, &job_id, Duration::from_secs(10), "the run copies", |run| run["status"] == "Running").await;
    let start = Instant::now();
    assert_eq!(app.cancel_job(&job_id).await.status(), 202);
    let run = wait_for_end(&app, &job_id).await;
    assert!(start.elapsed() < Duration::from_secs(1), "the copy ended {:?} after its cancel", start.elapsed());
    assert_eq!(run["status"], "Cancelled", "{run}");
    assert_eq!(run["tables"][0]["status"], "Cancelled", "{run}");
    assert_eq!(app.update_ok(&source, &json!({"labels": ["free"]})).await["labels"], json!(["free"]));
    assert_eq!(app.delete_connection(&destination).await.status(), 204);
}
