//! Every response carries an `x-request-id`: the client's, or a new one.

use super::{id_of, quickbooks_body, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_response_success_or_error_has_a_request_id() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let mut responses = vec![
        ("list", app.list_workspaces().await),
        ("read", app.get_connection(&id).await),
        ("create", app.create_connection("default", &quickbooks_body("Other")).await),
        ("tables", app.list_tables(&id, "").await),
        ("test", app.test_connection(&id).await),
        ("unknown connection", app.get_connection("nope").await),
        ("unknown route", app.request(Method::GET, "/nope").send().await.expect("sent")),
        ("wrong method", app.request(Method::PATCH, "/workspaces").send().await.expect("sent")),
        ("not json", app.send_raw(Method::POST, "/workspaces", Some("text/plain"), "x").await),
        ("malformed", app.send_raw(Method::POST, "/workspaces", Some("application/json"), "{").await),
        ("invalid", app.create_connection("default", &json!({"name": 5})).await),
        ("conflict", app.create_connection("default", &quickbooks_body("Books")).await),
    ];
    let small = spawn_app_with(|config| config.body_limit = 16).await;
    responses.push(("too large", small.create_workspace(&json!({"id": "a-long-workspace-id"})).await));
    assert_eq!(responses.last().map(|(_, r)| r.status().as_u16()), Some(413));
    let mut seen = Vec::new();
    for (description, response) in responses {
        let id = response
            .headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{description}: no x-request-id"))
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(!id.is_empty() && !seen.contains(&id), "{description}: {id} is not new");
        seen.push(id);
    }
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_echoed() {
    let app = spawn_app().await;
    for (method, path) in [(Method::GET, "/workspaces"), (Method::GET, "/connections/nope"), (Method::GET, "/nope")] {
        let response =
            app.request(method, path).header("x-request-id", "client-chosen-id-123").send().await.expect("sent");
        assert_eq!(response.headers()["x-request-id"], "client-chosen-id-123", "{path}");
    }
}
