//! A server killed in the middle of a job run: after a restart the run ends
//! as Failed and its connections can be changed again.

use super::server::{Server, bundle, random_token, seed_compile_cache};
use crate::api::{json, quickbooks_body};
use crate::helpers::eventually;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

async fn send(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = server.request(method, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    json(request.send().await.expect("sent")).await
}

async fn created(server: &Server, path: &str, body: Value) -> String {
    let (status, made) = send(server, Method::POST, path, Some(body)).await;
    assert_eq!(status, 201, "{made}");
    made["id"].as_str().expect("id").to_string()
}

/// A job copying a big QuickBooks table into CSV, started on `server` and
/// copying; the ids of the job and of its source connection.
async fn copying_job(server: &Server) -> (String, String) {
    let mut books = quickbooks_body("Books");
    books["properties"]["RowsPerTable"] = json!("10000000");
    let source = created(server, "/workspaces/default/connections", books).await;
    let files = json!({"name": "Files", "connector": "CSV"});
    let destination = created(server, "/workspaces/default/connections", files).await;
    let job = json!({"name": "Doomed", "source": source, "destination": destination, "batch_size": 100});
    let job = created(server, "/workspaces/default/jobs", job).await;
    let (status, run) = send(server, Method::POST, &format!("/jobs/{job}/execute"), None).await;
    assert_eq!(status, 202, "{run}");
    eventually(Duration::from_secs(60), "the run copies", || async {
        let (_, run) = send(server, Method::GET, &format!("/jobs/{job}/status"), None).await;
        if run["rows"].as_u64().unwrap_or(0) > 0 { Ok(()) } else { Err(run) }
    })
    .await;
    let (status, _) =
        send(server, Method::PUT, &format!("/connections/{source}"), Some(json!({"labels": ["x"]}))).await;
    assert_eq!(status, 409, "held while the run is under way");
    (job, source)
}

/// Checks that the run of `job` failed for its lost server and that the
/// job and its `source` are free.
async fn assert_abandoned(server: &Server, job: &str, source: &str) {
    let (_, run) = send(server, Method::GET, &format!("/jobs/{job}/status"), None).await;
    assert_eq!(run["status"], "Failed", "{run}");
    assert!(run["error"].as_str().expect("error").contains("stopped before it ended"), "{run}");
    let (status, updated) =
        send(server, Method::PUT, &format!("/connections/{source}"), Some(json!({"labels": ["x"]}))).await;
    assert_eq!(status, 200, "{updated}");
    let (status, again) = send(server, Method::POST, &format!("/jobs/{job}/execute"), None).await;
    assert_eq!(status, 202, "the job can run again: {again}");
}

const CONNECTORS: &[&str] = &["connectors/quickbooks-2.0.0.wasm", "connectors/csv-1.0.0.wasm"];

#[tokio::test]
#[ignore = "starts and SIGKILLs the real binary; run by `cargo xtask test` after the main suite"]
async fn a_run_whose_server_was_killed_ends_as_failed_and_frees_its_connections_at_the_next_start() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let connectors = bundle(&root.path().join("bundled"), CONNECTORS);
    seed_compile_cache(&data);
    let token = random_token();
    let mut server = Server::start(&data, &connectors, &token, &[]).await;
    let (job, source) = copying_job(&server).await;

    server.kill();
    let server = Server::start(&data, &connectors, &token, &[]).await;

    assert_abandoned(&server, &job, &source).await;
}

#[tokio::test]
#[ignore = "starts and SIGKILLs the real binary, and needs PostgreSQL: run by `cargo xtask test` after the main suite \
            when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn another_server_fails_the_run_of_a_killed_server_once_its_lease_expires_on_postgres() {
    let admin_url = std::env::var("SYNCPORT_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "two servers share a PostgreSQL database here: set SYNCPORT_TEST_POSTGRES_URL \
             (e.g. postgres://postgres@127.0.0.1:5432/test), or skip it with `--skip _on_postgres` \
             (as `cargo xtask test` does without it)"
        )
    });
    let database = crate::api::postgres::TestDatabase::create(&admin_url).await;
    let root = tempfile::tempdir().expect("temp dir");
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    let connectors = bundle(&root.path().join("bundled"), CONNECTORS);
    seed_compile_cache(&a);
    seed_compile_cache(&b);
    let token = random_token();
    let flags = ["--database-url", database.url.as_str(), "--job-lease-secs", "2"];
    let mut first = Server::start(&a, &connectors, &token, &flags).await;
    // Both servers decrypt with one key: the first one's key file.
    std::fs::copy(a.join("secret.key"), b.join("secret.key")).expect("share the key");
    let second = Server::start(&b, &connectors, &token, &flags).await;
    let (job, source) = copying_job(&first).await;
    let (status, _) = send(&second, Method::DELETE, &format!("/connections/{source}"), None).await;
    assert_eq!(status, 409, "held on the other server too");

    first.kill();

    eventually(Duration::from_secs(30), "the other server fails the run", || async {
        let (_, run) = send(&second, Method::GET, &format!("/jobs/{job}/status"), None).await;
        if run["status"] == "Failed" { Ok(()) } else { Err(run) }
    })
    .await;
    assert_abandoned(&second, &job, &source).await;
}
