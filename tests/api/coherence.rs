//! Reads after writes on one server, through its in-process caches of
//! connection rows and metadata, and test results committed together
//! (group commit): every read sees every write acknowledged before it.

use super::{
    GUEST_BLOCKS, TestApp, assert_error, id_of, json, quickbooks_body, request_logged, server_log_mark, spawn_app,
    spawn_app_with, sqlite_only,
};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinSet;

/// The SQLite database of a `spawn_app` server.
fn database(app: &TestApp) -> String {
    format!("sqlite://{}", app.data.path().join("data/syncport.db").display())
}

/// Runs `sql` with `binds` on the server's database behind its back, as a
/// writer outside the server would.
async fn write_behind(app: &TestApp, sql: &str, binds: &[&str]) {
    let pool = sqlx::SqlitePool::connect(&database(app)).await.expect("sqlite");
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(&pool).await.expect("write behind the server");
    pool.close().await;
}

/// A QuickBooks body whose test fails (wrong client secret).
fn failing_body(name: &str) -> Value {
    let mut body = quickbooks_body(name);
    body["properties"]["OAuthClientSecret"] = json!("wrong-secret");
    body
}

#[tokio::test]
async fn a_read_after_an_update_sees_the_update() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    assert_eq!(app.get_ok(&id).await["name"], "Books");
    app.update_ok(&id, &json!({"name": "Renamed", "properties": {"CompanyId": "42"}, "labels": ["x"]})).await;
    let read = app.get_ok(&id).await;
    assert_eq!(read["name"], "Renamed");
    assert_eq!(read["properties"]["CompanyId"], "42");
    assert_eq!(read["labels"], json!(["x"]));
}

#[tokio::test]
async fn a_read_after_a_delete_finds_nothing() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.get_ok(&id).await;
    app.tables_ok(&id, "").await;
    assert_eq!(app.delete_connection(&id).await.status(), 204);
    assert_error(app.get_connection(&id).await, 404, "connection_not_found").await;
    assert_error(app.list_tables(&id, "").await, 404, "connection_not_found").await;
    assert_error(app.test_connection(&id).await, 404, "connection_not_found").await;
}

#[tokio::test]
async fn a_read_after_reset_credentials_shows_the_secrets_gone() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    assert_eq!(app.get_ok(&id).await["properties"]["OAuthClientSecret"], "********");
    assert_eq!(app.reset_credentials(&id).await.status(), 200);
    let read = app.get_ok(&id).await;
    assert_eq!(read["status"], "needs_credentials");
    assert!(read["properties"].get("OAuthClientSecret").is_none(), "{read}");
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "the test ran without the secrets: {result}");
}

#[tokio::test]
async fn a_read_after_a_test_sees_its_status() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    assert_eq!(app.get_ok(&id).await["status"], "untested");
    app.test_ok(&id).await;
    let read = app.get_ok(&id).await;
    assert_eq!(read["status"], "ok");
    assert!(read["last_tested_at"].is_string(), "{read}");
    // The next write starts from the revision the test left.
    app.update_ok(&id, &json!({"name": "Renamed"})).await;
    assert_eq!(app.get_ok(&id).await["status"], "ok", "a rename keeps the status");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tests_of_many_connections_each_record_their_own_result() {
    let app = Arc::new(spawn_app().await);
    let mut expected = Vec::new();
    for i in 0..24 {
        let fails = i % 3 == 0;
        let body = if fails { failing_body(&format!("C{i}")) } else { quickbooks_body(&format!("C{i}")) };
        expected.push((id_of(&app.create_ok("default", &body).await), !fails));
    }
    let ids: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    let results = test_all(&app, &ids).await;
    for ((id, works), result) in expected.iter().zip(results) {
        assert_eq!(result["success"], *works, "{id}: {result}");
        let read = app.get_ok(id).await;
        assert_eq!(read["status"], if *works { "ok" } else { "failed" }, "{id}: {read}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_tests_of_one_connection_all_answer_and_leave_it_consistent() {
    let app = Arc::new(spawn_app().await);
    let id = id_of(&app.create_quickbooks("Books").await);
    let results = test_all(&app, &vec![id.clone(); 32]).await;
    assert!(results.iter().all(|r| r["success"] == true), "{results:?}");
    assert_eq!(app.get_ok(&id).await["status"], "ok");
    // Whatever revision the tests left, an update applies at once.
    app.update_ok(&id, &json!({"properties": {"CompanyId": "42"}})).await;
    let read = app.get_ok(&id).await;
    assert_eq!((read["properties"]["CompanyId"].as_str(), read["status"].as_str()), (Some("42"), Some("untested")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_test_results_survive_a_restart_on_sqlite() {
    sqlite_only();
    let data = tempfile::tempdir().expect("data dir");
    let token = "coherence-test-admin-token-0123456789";
    let on = |dir: &Path| {
        let dir = dir.to_path_buf();
        move |c: &mut syncport::server::ServerConfig| {
            c.data_dir = dir;
            c.admin_token = Some(token.into());
        }
    };
    let app = Arc::new(spawn_app_with(on(data.path())).await);
    let good = id_of(&app.create_quickbooks("Good").await);
    let bad = id_of(&app.create_ok("default", &failing_body("Bad")).await);
    test_all(&app, &[good.clone(), bad.clone(), good.clone()]).await;
    drop(app);

    let app = spawn_app_with(on(data.path())).await;
    assert_eq!(app.get_ok(&good).await["status"], "ok");
    assert_eq!(app.get_ok(&bad).await["status"], "failed");
}

#[tokio::test]
async fn a_write_behind_the_servers_back_does_not_block_the_next_update_on_sqlite() {
    sqlite_only();
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.get_ok(&id).await;
    // Another writer bumps the revision; this server's copy is now behind.
    write_behind(&app, "UPDATE connections SET revision = revision + 5 WHERE id = ?", &[&id]).await;
    app.update_ok(&id, &json!({"name": "Renamed"})).await;
    assert_eq!(app.get_ok(&id).await["name"], "Renamed");
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "{result}");
}

#[tokio::test]
async fn cached_tables_follow_a_property_change_made_after_they_were_read() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let before = app.tables_ok(&id, "").await;
    app.tables_ok(&id, "").await;
    app.update_ok(&id, &json!({"properties": {"OAuthAccessToken": "expired"}})).await;
    let (status, body) = json(app.list_tables(&id, "").await).await;
    assert_ne!(status, 200, "the new token is used, not the cached answer: {body}");
    app.update_ok(&id, &json!({"properties": {"OAuthAccessToken": "access-token"}})).await;
    assert_eq!(app.tables_ok(&id, "").await, before);
}

#[tokio::test]
async fn a_deleted_connections_logs_are_gone_and_its_successor_logs_afresh() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&id).await;
    assert!(app.has_stored_logs(&id).await);
    assert_eq!(app.delete_connection(&id).await.status(), 204);
    assert!(!app.has_stored_logs(&id).await, "the log folder is deleted");

    let again = id_of(&app.create_quickbooks("Books").await);
    app.test_ok(&again).await;
    app.test_ok(&again).await;
    let log = app.log_text(&again).await;
    assert_eq!(log.matches("[syncport] test succeeded").count(), 2, "{log}");
}

/// Tests every connection of `ids` at once; the results, in order.
async fn test_all(app: &Arc<TestApp>, ids: &[String]) -> Vec<Value> {
    let mut tests = JoinSet::new();
    for (i, id) in ids.iter().enumerate() {
        let (app, id) = (app.clone(), id.clone());
        tests.spawn(async move { (i, app.test_ok(&id).await) });
    }
    let mut results = vec![Value::Null; ids.len()];
    while let Some(test) = tests.join_next().await {
        let (i, result) = test.expect("the test task");
        results[i] = result;
    }
    results
}

/// A Hostile connection whose test sleeps an hour in a WASI clock poll (it
/// runs into the 2 s timeout); its id.
async fn sleeper(app: &TestApp) -> String {
    let body = json!({"name": "Slow", "connector": "Hostile", "properties": {"Mode": "sleep", "Seconds": "3600"}});
    id_of(&app.create_ok("default", &body).await)
}

/// Starts a test of [`sleeper`] connection `id`, applies `change` once the
/// test has read the connection and its plugin call sleeps, and returns
/// the test's result and then the connection.
async fn change_during_a_test(app: &TestApp, id: &str, change: Value) -> (Value, Value) {
    let mark = server_log_mark();
    let test = app.test_connection(id);
    let change = async {
        request_logged(mark, "POST", &format!("/connections/{id}/test"), GUEST_BLOCKS).await;
        app.update_ok(id, &change).await
    };
    let (result, _) = tokio::join!(test, change);
    let (status, result) = json(result).await;
    assert_eq!(status, 200, "{result}");
    (result, app.get_ok(id).await)
}

#[tokio::test]
async fn a_test_result_is_recorded_when_only_the_name_or_labels_changed_during_the_test() {
    let app = spawn_app().await;
    let id = sleeper(&app).await;
    let (result, after) = change_during_a_test(&app, &id, json!({"name": "Renamed", "labels": ["x"]})).await;
    assert_eq!(result["error"]["code"], "connector_timeout", "{result}");
    assert_eq!((&after["name"], &after["status"]), (&json!("Renamed"), &json!("failed")), "{after}");
    assert!(after["last_tested_at"].is_string(), "{after}");
}

#[tokio::test]
async fn a_test_result_is_not_recorded_when_the_properties_changed_during_the_test() {
    let app = spawn_app().await;
    let id = sleeper(&app).await;
    let (result, after) = change_during_a_test(&app, &id, json!({"properties": {"Mode": "healthy"}})).await;
    assert_eq!(result["error"]["code"], "connector_timeout", "{result}");
    assert_eq!(after["status"], "untested", "a result for the old properties says nothing of the new: {after}");
    assert!(after["last_tested_at"].is_null(), "{after}");
}
