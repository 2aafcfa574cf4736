//! What a restart trusts: the `describe` answer recorded at install, never
//! a later one; and a start that no component can hold up.

use super::{TestApp, assert_error, id_of, json, server_log, spawn_app_listening, spawn_app_with, sqlite_only};
use crate::helpers::dist;
use crate::helpers::eventually;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOKEN: &str = "restarts-test-admin-token-0123456789";

/// A configuration on the data directory `dir` (kept across restarts),
/// with `extra` files (under plugins/dist) in the bundled directory too.
fn on(dir: &Path, extra: &'static [&'static str]) -> impl FnOnce(&mut syncport::server::ServerConfig) {
    let dir = dir.to_path_buf();
    move |c| {
        c.data_dir = dir;
        c.admin_token = Some(TOKEN.into());
        let bundled = c.bundled_dir.clone().expect("bundled dir");
        for file in extra {
            std::fs::copy(dist().join(file), bundled.join(file.rsplit('/').next().expect("name"))).expect("copy");
        }
    }
}

fn database(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("syncport.db").display())
}

fn salesforce(name: &str) -> Value {
    json!({"name": name, "connector": "Salesforce",
        "properties": {"User": "admin@example.com", "Password": "pass", "SecurityToken": "token"}})
}

/// Waits until `id`'s test answers 200, at most `limit`; every other answer
/// on the way must be 503 `connector_loading` with `Retry-After`.
async fn test_when_loaded(app: &TestApp, id: &str, limit: Duration) -> Value {
    eventually(limit, "the connector loads", || async {
        let response = app.test_connection(id).await;
        let retry_after = response.headers().get("retry-after").is_some();
        let (status, body) = json(response).await;
        if status == 200 {
            return Ok(body);
        }
        assert_eq!((status, body["error"]["code"].as_str()), (503, Some("connector_loading")), "{body}");
        assert!(retry_after, "a 503 says when to retry");
        Err(body)
    })
    .await
}

#[tokio::test]
async fn a_describe_that_differs_from_the_record_is_refused_at_restart_and_the_record_still_masks_on_sqlite() {
    sqlite_only();
    let data = tempfile::tempdir().expect("data dir");
    let app = spawn_app_with(on(data.path(), &[])).await;
    let id = id_of(&app.create_ok("default", &salesforce("Sales")).await);
    assert_eq!(app.test_ok(&id).await["success"], true);
    drop(app);

    // The record says what `describe` said at install. Change it, as a
    // component whose `describe` changed since would differ from it: here
    // the record also marks `User` secret.
    let pool = sqlx::SqlitePool::connect(&database(data.path())).await.expect("sqlite");
    let recorded: String = sqlx::query_scalar(
        "SELECT describe_json FROM connector_components WHERE name_key = 'salesforce' AND version = '1.0.0'",
    )
    .fetch_one(&pool)
    .await
    .expect("the install recorded describe");
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut info: Value = serde_json::from_slice(&b64.decode(&recorded).expect("base64")).expect("JSON");
    for spec in info["properties"].as_array_mut().expect("properties") {
        if spec["name"] == "User" {
            spec["secret"] = json!(true);
        }
    }
    sqlx::query("UPDATE connector_components SET describe_json = ? WHERE name_key = 'salesforce'")
        .bind(b64.encode(info.to_string()))
        .execute(&pool)
        .await
        .expect("tamper");
    pool.close().await;

    let app = spawn_app_with(on(data.path(), &[])).await;
    let read = app.get_ok(&id).await;
    assert_eq!(read["properties"]["Password"], "********", "{read}");
    assert_eq!(read["properties"]["User"], "********", "masked as recorded: {read}");
    let body = assert_error(app.test_connection(&id).await, 502, "connector_refused").await;
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("User")), "says why: {body}");
    assert_error(app.get_connector_version("Salesforce", "1.0.0").await, 404, "connector_version_not_found").await;
    assert!(server_log().contains("a connector component was refused"), "logged");
    // Everything else runs.
    let books = id_of(&app.create_quickbooks("Books").await);
    assert_eq!(app.test_ok(&books).await["success"], true);
}

#[tokio::test]
async fn a_component_whose_describe_never_returns_does_not_hold_up_the_start() {
    let data = tempfile::tempdir().expect("data dir");
    let started = Instant::now();
    let app = spawn_app_listening(on(data.path(), &["fixtures/stub-hang.wasm"])).await;
    let listening = started.elapsed();
    assert!(listening < Duration::from_secs(5), "listening after {listening:?}");
    assert_eq!(app.list_connectors().await.status(), 200, "answers at once");
    // A healthy connection is served as soon as its connector is loaded.
    let body = super::quickbooks_body("Books");
    let limit = Duration::from_secs(10).saturating_sub(started.elapsed());
    let id = eventually(limit, "QuickBooks loads", || async {
        let (status, created) = json(app.create_connection("default", &body).await).await;
        if status == 201 {
            return Ok(id_of(&created));
        }
        assert_eq!((status, created["error"]["code"].as_str()), (503, Some("connector_loading")), "{created}");
        Err(created)
    })
    .await;
    assert_eq!(test_when_loaded(&app, &id, Duration::from_secs(10)).await["success"], true);
    assert!(app.registry.wait_started(Duration::from_secs(15)).await, "the start-up load gives the hung one up");
    let log = server_log();
    assert!(log.contains("a connector component was refused") && log.contains("timed out after"), "logged");
}

#[tokio::test]
async fn after_a_restart_with_a_hostile_component_installed_healthy_connections_work_on_sqlite() {
    sqlite_only();
    let data = tempfile::tempdir().expect("data dir");
    let app = spawn_app_with(on(data.path(), &[])).await;
    let books = id_of(&app.create_quickbooks("Books").await);
    let sales = id_of(&app.create_ok("default", &salesforce("Sales")).await);
    drop(app);
    // Installed into the data directory while the server was down (as
    // `syncport connector install --data-dir` does): a describe that hangs.
    let hostile: PathBuf = data.path().join("connectors").join("hostile.wasm");
    std::fs::copy(dist().join("fixtures/stub-hang.wasm"), &hostile).expect("copy");

    let started = Instant::now();
    let app = spawn_app_listening(on(data.path(), &[])).await;
    assert!(started.elapsed() < Duration::from_secs(5), "listening after {:?}", started.elapsed());
    assert_eq!(test_when_loaded(&app, &books, Duration::from_secs(10)).await["success"], true);
    assert_eq!(test_when_loaded(&app, &sales, Duration::from_secs(10)).await["success"], true);
    assert!(started.elapsed() < Duration::from_secs(5), "served before the hung load was given up");
}

#[tokio::test]
async fn a_component_stored_before_records_were_kept_gets_its_record_at_its_next_load_on_sqlite() {
    sqlite_only();
    let data = tempfile::tempdir().expect("data dir");
    drop(spawn_app_with(on(data.path(), &[])).await);
    let pool = sqlx::SqlitePool::connect(&database(data.path())).await.expect("sqlite");
    sqlx::query("UPDATE connector_components SET describe_json = NULL, publisher = NULL")
        .execute(&pool)
        .await
        .expect("forget the records");

    let app = spawn_app_with(on(data.path(), &[])).await;
    let id = id_of(&app.create_ok("default", &salesforce("Sales")).await);
    assert_eq!(app.test_ok(&id).await["success"], true);
    let unrecorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM connector_components WHERE describe_json IS NULL OR publisher IS NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(unrecorded, 0, "every component that loaded has its record again");
    let publisher: String =
        sqlx::query_scalar("SELECT publisher FROM connector_components WHERE name_key = 'salesforce'")
            .fetch_one(&pool)
            .await
            .expect("publisher");
    assert_eq!(publisher, "bundled");
    pool.close().await;
}
