//! Graceful shutdown: requests in flight finish, new ones are refused.

use super::{json, request_started, server_log_mark, spawn_app};
use reqwest::Method;

#[tokio::test]
async fn a_shutdown_finishes_the_requests_in_flight_and_then_refuses_new_ones() {
    let mut app = spawn_app().await;
    // A test that spins until the plugin deadline (2 s in tests).
    let id = app.create_misbehave("Slow", "loop", "pw", "Info").await;
    let path = format!("/connections/{id}/test");
    let mark = server_log_mark();
    let in_flight = tokio::spawn(app.request(Method::POST, &path).send());
    // Shut down once the server handles the request (the plugin then runs for 2 s).
    request_started(mark, "POST", &path).await;
    app.begin_shutdown();
    let response = in_flight.await.expect("task").expect("the request in flight is answered");
    let (status, body) = json(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["error"]["code"], "connector_timeout", "{body}");
    let refused = reqwest::Client::new().get(format!("{}/connectors", app.base)).send().await;
    assert!(refused.is_err(), "a stopped server accepts no new connection");
}
