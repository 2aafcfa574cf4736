//! Connectors that misbehave, through the API: a failed test result or a
//! 502/504, never a failed server; the next healthy request works.

use super::{assert_error, spawn_app, spawn_app_with};
use crate::helpers::eventually;
use serde_json::json;

#[tokio::test]
async fn a_test_that_loops_forever_is_a_failed_result_with_connector_timeout() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Loop", "loop", "pw", "Info").await;
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "connector_timeout", "{result}");
    assert!(result["duration_ms"].is_u64());
    assert_eq!(app.get_ok(&id).await["status"], "failed");

    app.update_ok(&id, &json!({"properties": {"Mode": "healthy"}})).await;
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], true, "{result}");
    assert_eq!(result["message"], "healthy");
}

#[tokio::test]
async fn a_test_that_panics_is_a_failed_result_with_connector_crashed() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Panic", "panic", "pw", "Info").await;
    let result = app.test_ok(&id).await;
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "connector_crashed", "{result}");
    assert_eq!(app.get_ok(&id).await["status"], "failed");

    let healthy = app.create_misbehave("Healthy", "healthy", "pw", "Info").await;
    assert_eq!(app.test_ok(&healthy).await["success"], true);
}

#[tokio::test]
async fn tables_that_loop_forever_are_504_connector_timeout() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Loop", "loop", "pw", "Info").await;
    assert_error(app.list_tables(&id, "").await, 504, "connector_timeout").await;

    app.update_ok(&id, &json!({"properties": {"Mode": "healthy"}})).await;
    let tables = app.tables_ok(&id, "").await;
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0]["name"], "Healthy");
}

#[tokio::test]
async fn tables_that_exhaust_memory_are_502_connector_crashed() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Memory", "memory", "pw", "Info").await;
    assert_error(app.list_tables(&id, "").await, 502, "connector_crashed").await;
    let (status, body) = super::json(app.list_columns(&id, "Healthy", "").await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (502, Some("connector_crashed")), "{body}");

    let healthy = app.create_misbehave("Healthy", "healthy", "pw", "Info").await;
    assert_eq!(app.tables_ok(&healthy, "").await.len(), 1);
    app.update_ok(&id, &json!({"properties": {"Mode": "healthy"}})).await;
    assert_eq!(app.tables_ok(&id, "").await.len(), 1);
}

#[tokio::test]
async fn tables_that_panic_are_502_connector_crashed_and_nothing_is_cached() {
    let app = spawn_app().await;
    let id = app.create_misbehave("Panic", "panic", "pw", "Info").await;
    assert_error(app.list_tables(&id, "").await, 502, "connector_crashed").await;
    assert_error(app.list_tables(&id, "").await, 502, "connector_crashed").await;
    assert_eq!(app.connection_names("default", "").await, ["Panic"]);
}

#[tokio::test]
async fn a_listing_that_finds_no_free_slot_in_time_is_503_connector_overloaded_with_retry_after() {
    let app = spawn_app_with(|c| {
        c.limits.max_concurrent_calls = 1;
        c.limits.queue_timeout = std::time::Duration::from_millis(200);
    })
    .await;
    let looping = app.create_misbehave("Loop", "loop", "pw", "Info").await;
    let healthy = app.create_misbehave("Healthy", "healthy", "pw", "Info").await;
    let holds_the_slot = app.list_tables(&looping, "");
    let waits = async {
        // Once a test of the healthy connection (not cached, unlike a
        // listing) finds no free slot, the looping listing holds it.
        let what = "the looping listing holds the only slot";
        eventually(std::time::Duration::from_secs(30), what, || async {
            let result = app.test_ok(&healthy).await;
            if result["error"]["code"] == "connector_overloaded" { Ok(()) } else { Err(result) }
        })
        .await;
        app.list_tables(&healthy, "").await
    };
    let (held, waited) = tokio::join!(holds_the_slot, waits);

    assert_eq!(waited.headers().get("retry-after").map(|v| v.to_str().expect("ascii")), Some("1"));
    assert_error(waited, 503, "connector_overloaded").await;
    assert_error(held, 504, "connector_timeout").await;
    assert_eq!(app.list_tables(&healthy, "").await.status(), 200, "the slot is free again");
}

/// A Hostile connection attacking in `mode` (plugins/fixtures/hostile); its id.
async fn hostile(app: &super::TestApp, mode: &str) -> String {
    let body = json!({"name": format!("Hostile {mode}"), "connector": "Hostile", "properties": {"Mode": mode}});
    super::id_of(&app.create_ok("default", &body).await)
}

#[tokio::test]
async fn a_test_sleeping_in_a_host_call_answers_at_its_deadline_as_connector_timeout() {
    // spawn_app gives every call 2 s; the connector sleeps an hour in a WASI clock poll.
    let app = spawn_app().await;
    let id = hostile(&app, "sleep").await;
    let start = std::time::Instant::now();
    let result = app.test_ok(&id).await;
    assert!(start.elapsed() < std::time::Duration::from_secs(3), "answered after {:?}", start.elapsed());
    assert_eq!(result["success"], false, "{result}");
    assert_eq!(result["error"]["code"], "connector_timeout", "{result}");
    let start = std::time::Instant::now();
    assert_error(app.list_tables(&id, "").await, 504, "connector_timeout").await;
    assert!(start.elapsed() < std::time::Duration::from_secs(3), "answered after {:?}", start.elapsed());
    let healthy = hostile(&app, "healthy").await;
    assert_eq!(app.test_ok(&healthy).await["success"], true);
}

#[tokio::test]
async fn tables_of_aliased_strings_are_502_connector_result_too_large() {
    let app = spawn_app().await;
    let id = hostile(&app, "alias").await;
    let error = assert_error(app.list_tables(&id, "").await, 502, "connector_result_too_large").await;
    assert!(error["error"]["message"].as_str().expect("message").contains("bytes"), "{error}");
    let healthy = hostile(&app, "healthy").await;
    assert_eq!(app.tables_ok(&healthy, "").await.len(), 1);
}
