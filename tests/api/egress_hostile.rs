//! A hostile connector against the egress policy, through the server: the
//! `Egress` fixture (`plugins/fixtures/egress`) tries every way past it, and
//! each attempt is refused or bounded, logged, and leaves the server and the
//! other connections unaffected.

use super::app::{TestApp, json, spawn_egress_app_with};
use crate::helpers::dist;
use crate::mocks::Mock;
use crate::mocks::origin::{self, Origin};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use syncport::server::ServerConfig;

/// A server that bundles the fixture and allows `allow`, after `configure`.
async fn spawn(allow: &[SocketAddr], configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    spawn_egress_app_with(allow, |config| {
        let bundled = config.bundled_dir.clone().expect("a bundled directory");
        std::fs::copy(dist().join("fixtures/egress.wasm"), bundled.join("egress.wasm")).expect("bundle the fixture");
        configure(config);
    })
    .await
}

/// Creates an `Egress` connection with `properties` (logging at Verbose); its id.
async fn connection(app: &TestApp, name: &str, properties: Value) -> String {
    let body = json!({"name": name, "connector": "Egress", "properties": properties, "settings": {"logfile_verbosity": "Verbose"}});
    let created = app.create_ok("default", &body).await;
    created["id"].as_str().expect("id").to_string()
}

/// `test` of a fixture connection in `mode` against `mock`; the response.
async fn attempt(
    app: &TestApp,
    mock: &Mock<Origin>,
    mode: &str,
    extra: &[(&str, &str)],
) -> (String, reqwest::Response) {
    let mut properties = json!({"BaseURL": mock.url(), "Mode": mode});
    for (name, value) in extra {
        properties[name] = json!(value);
    }
    let id = connection(app, &format!("egress-{mode}-{}", uuid::Uuid::new_v4().simple()), properties).await;
    let response = app.test_connection(&id).await;
    (id, response)
}

/// The message of a `test` that failed as `code` (`test` answers 200 with
/// `success: false` and the connector's error).
async fn failed_as(response: reqwest::Response, code: &str) -> String {
    let (status, body) = json(response).await;
    assert_eq!((status, &body["success"], &body["error"]["code"]), (200, &json!(false), &json!(code)), "{body}");
    body["error"]["message"].as_str().expect("message").to_string()
}

/// The message of a `test` the fixture failed as `unreachable`.
async fn refused(response: reqwest::Response) -> String {
    failed_as(response, "unreachable").await
}

/// A healthy call still works: the server is unaffected.
async fn assert_server_unaffected(app: &TestApp, mock: &Mock<Origin>) {
    let (_, response) = attempt(app, mock, "ok", &[]).await;
    let (status, body) = json(response).await;
    assert_eq!((status, &body["success"]), (200, &json!(true)), "{body}");
    assert_eq!(app.list_connectors().await.status(), 200);
}

/// A mode of the fixture, its extra properties, the error code the
/// connector meets, and what the connection's log says.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);

#[tokio::test]
async fn every_way_past_the_egress_policy_is_refused_and_logged() {
    let mock = origin::start().await;
    let app = spawn(&[mock.addr], |c| {
        c.limits.egress.resolve = vec![("rebind.example.com".into(), "127.0.0.1".parse().expect("ip"))];
    })
    .await;
    let cases: &[Case] = &[
        (
            "undeclared",
            &[],
            "HTTP-request-denied",
            "egress refused: GET https://undeclared.example.org/: https://undeclared.example.org is not an origin this connector declared",
        ),
        ("private", &[], "HTTP-request-denied", "egress refused: GET http://169.254.169.254/latest/meta-data/"),
        (
            "subdomain",
            &[("Subdomain", "rebind")],
            "destination-IP-prohibited",
            "egress refused: GET https://rebind.example.com/: rebind.example.com resolves to 127.0.0.1, which is a private or special address",
        ),
    ];
    for (mode, extra, code, line) in cases {
        let (id, response) = attempt(&app, &mock, mode, extra).await;
        let message = refused(response).await;
        assert!(message.contains(code), "{mode}: {message}");
        let log = app.log_text(&id).await;
        assert!(log.contains(line), "{mode}: {log}");
    }
    assert!(mock.requests().is_empty(), "nothing reached the origin: {:?}", mock.requests());
    assert_server_unaffected(&app, &mock).await;
}

#[tokio::test]
async fn a_property_crafted_to_widen_a_pattern_allows_nothing() {
    let mock = origin::start().await;
    let app = spawn(&[mock.addr], |_| {}).await;
    for value in ["evil.com#", "evil.com/x", "x@evil.com", "evil.com:443", "evil.com?", "127.0.0.1:1"] {
        let (id, response) = attempt(&app, &mock, "subdomain", &[("Subdomain", value)]).await;
        refused(response).await;
        let log = app.log_text(&id).await;
        assert!(!log.contains("egress: GET"), "`{value}` reached somewhere: {log}");
    }
    assert_server_unaffected(&app, &mock).await;
}

#[tokio::test]
async fn a_redirect_to_an_undeclared_origin_is_refused_at_its_hop() {
    let mock = origin::start().await;
    let other = origin::start().await;
    let app = spawn(&[mock.addr, other.addr], |_| {}).await;
    mock.knobs().redirect(Some(&other.url()));
    let (id, response) = attempt(&app, &mock, "redirect", &[]).await;
    let message = refused(response).await;
    assert!(message.contains("HTTP-request-denied"), "{message}");
    assert_eq!(mock.requests().len(), 1, "the first hop was sent");
    assert!(other.requests().is_empty(), "the second was not");
    let log = app.log_text(&id).await;
    assert!(log.contains(&format!("egress: GET {}/redirect -> 302", mock.url())), "{log}");
    assert!(log.contains(&format!("egress refused: GET {}/redirect", other.url())), "{log}");
}

#[tokio::test]
async fn a_dripping_or_oversized_response_is_cut_at_its_bound() {
    let mock = origin::start().await;
    let app = spawn(&[mock.addr], |c| c.limits.egress.max_response_bytes = 8 << 20).await;
    // The guest reads the body as a stream, whose error is a text, not an
    // error code; the host's log line says which bound cut it.
    let cases = [
        ("drip", "the body did not end within the request's time"),
        ("big", "the call's responses passed 8388608 bytes"),
    ];
    for (mode, line) in cases {
        let (id, response) = attempt(&app, &mock, mode, &[]).await;
        let message = refused(response).await;
        assert!(message.starts_with(&format!("{mode}: ")), "{mode}: {message}");
        // The stream's error text is the host's error: it must not carry a
        // backtrace of the server (paths, versions) into the guest.
        assert!(!message.contains("backtrace") && message.len() < 512, "{mode}: {message}");
        let log = app.log_text(&id).await;
        assert!(log.contains(line), "{mode}: {log}");
    }
    assert_server_unaffected(&app, &mock).await;
}

#[tokio::test]
async fn a_flood_of_requests_stops_at_the_call_s_limit_with_one_log_line() {
    let mock = origin::start().await;
    let app = spawn(&[mock.addr], |c| c.limits.egress.max_requests = 20).await;
    let (id, response) = attempt(&app, &mock, "flood", &[]).await;
    let message = refused(response).await;
    assert!(message.contains("20 succeeded, then") && message.contains("connection-limit-reached"), "{message}");
    assert_eq!(mock.requests().len(), 20);
    let log = app.log_text(&id).await;
    assert_eq!(log.matches("egress refused").count(), 1, "{log}");
    assert_eq!(log.matches("egress: GET").count(), 20, "{log}");
    assert_server_unaffected(&app, &mock).await;
}

#[tokio::test]
async fn concurrent_requests_past_the_limit_wait_their_turn() {
    let mock = origin::start().await;
    let app = spawn(&[mock.addr], |c| c.limits.egress.max_concurrent = 4).await;
    let (_, response) = attempt(&app, &mock, "concurrent", &[]).await;
    let (status, body) = json(response).await;
    assert_eq!((status, &body["success"]), (200, &json!(true)), "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("64 of 64 succeeded")), "{body}");
    assert_eq!(mock.requests().len(), 64);
}

#[tokio::test]
async fn a_request_never_outlives_its_call() {
    let mock = origin::start().await;
    // The request may take 30 s, the call only 2 s: the call's deadline wins.
    let app = spawn(&[mock.addr], |c| {
        c.limits = c.limits.clone().with_timeout(Duration::from_secs(2));
        c.limits.egress.request_timeout = Duration::from_secs(30);
    })
    .await;
    let (_, response) = attempt(&app, &mock, "drip", &[]).await;
    let message = failed_as(response, "connector_timeout").await;
    assert!(message.contains("test: timed out after 2s"), "{message}");
    assert_server_unaffected(&app, &mock).await;
}
