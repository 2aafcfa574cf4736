//! Health and readiness: public, for load balancers and orchestrators.

use super::{assert_error, json, spawn_app};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn health_answers_ok_without_a_token() {
    let app = spawn_app().await;

    let (status, body) = json(app.anonymous(Method::GET, "/health").send().await.expect("sent")).await;

    assert_eq!((status, body), (200, json!({"status": "ok"})));
}

#[tokio::test]
async fn ready_says_ready_once_the_database_answers_and_the_connectors_are_loaded() {
    let app = spawn_app().await;

    let (status, body) = json(app.anonymous(Method::GET, "/ready").send().await.expect("sent")).await;

    assert_eq!((status, body), (200, json!({"status": "ready", "database": true, "connectors": true})));
}

#[tokio::test]
async fn ready_is_503_naming_the_connectors_while_they_load() {
    let app = spawn_app().await;
    // As at a start, while the installed components load in the background.
    app.registry.set_starting(true);

    let response = app.anonymous(Method::GET, "/ready").send().await.expect("sent");

    assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().expect("ascii").to_string()), Some("2".into()));
    let body = assert_error(response, 503, "not_ready").await;
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("connectors are still loading")), "{body}");
    app.registry.set_starting(false);
    let (status, _) = json(app.anonymous(Method::GET, "/ready").send().await.expect("sent")).await;
    assert_eq!(status, 200);
}
