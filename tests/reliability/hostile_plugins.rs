//! Hostile plugins under load: misbehaving connectors run alongside healthy
//! ones against the real server process, which keeps serving, stays within a
//! memory bound, and keeps each connector version to its concurrency limit.

use super::server::{Server, assert_no_wrong_answers, bundle, create, random_token, seed_compile_cache, send};
use crate::api::{assert_error_shape, quickbooks_body};
use crate::helpers::most_at_once;
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// Concurrent callers.
const CALLERS: usize = 64;
/// How long the callers keep calling.
const LOAD: Duration = Duration::from_secs(8);
/// The peak resident memory the server may reach under the load.
const RSS_BOUND: u64 = 1 << 30;
/// The misbehaving modes of the Misbehave fixture run under load.
const MODES: [&str; 4] = ["loop", "memory", "panic", "flood"];

/// A Misbehave connection in `mode`; its id.
async fn misbehave(server: &Server, mode: &str) -> String {
    let body = json!({"name": format!("Misbehave {mode}"), "connector": "Misbehave", "properties": {"Mode": mode},
                      "settings": {"logfile_verbosity": "Error"}});
    create(server, &body).await
}

/// What one request is, and whether its answer was the right one.
#[derive(Debug, Default)]
struct Tally {
    /// Answers by `kind status code`.
    seen: BTreeMap<String, usize>,
    /// Answers that broke the contract.
    wrong: Vec<String>,
    /// The slowest healthy request of each kind.
    slowest: BTreeMap<String, Duration>,
    healthy: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (k, n) in other.seen {
            *self.seen.entry(k).or_default() += n;
        }
        self.wrong.extend(other.wrong);
        for (k, d) in other.slowest {
            let slowest = self.slowest.entry(k).or_default();
            *slowest = (*slowest).max(d);
        }
        self.healthy += other.healthy;
    }
}

/// One caller: healthy requests on QuickBooks connections, or one
/// misbehaving mode's `test` and `tables`, until `until`.
async fn caller(
    server: Arc<Server>,
    number: usize,
    healthy: Arc<Vec<String>>,
    own: Arc<Vec<String>>,
    bad: Arc<Vec<(String, String)>>,
    until: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut round = 0usize;
    while Instant::now() < until {
        round += 1;
        // Half the callers are healthy, the others misbehave (spread over the modes).
        if number.is_multiple_of(2) {
            let id = &healthy[(number / 2 + round) % healthy.len()];
            let (method, path, label) = match round % 6 {
                0 => (Method::POST, format!("/connections/{id}/test"), "test"),
                1 => (Method::GET, format!("/connections/{id}/tables?reset_metadata=true"), "tables"),
                2 => {
                    (Method::GET, format!("/connections/{id}/tables/Customers/columns?reset_metadata=true"), "columns")
                }
                3 => (Method::GET, format!("/connections/{id}"), "get"),
                4 => (Method::GET, "/workspaces/default/connections".to_string(), "list"),
                // Each healthy caller updates a connection of its own: a
                // crowd updating one row is `updates.rs`'s and `lost_writes.rs`'s subject.
                _ => (Method::PUT, format!("/connections/{}", own[number / 2]), "update"),
            };
            let mut request = server.request(method, &path);
            if label == "update" {
                request = request.json(&json!({"labels": [format!("caller-{number}"), format!("round-{round}")]}));
            }
            let started = Instant::now();
            let (status, body) = send(request).await;
            let slowest = tally.slowest.entry(label.to_string()).or_default();
            *slowest = (*slowest).max(started.elapsed());
            tally.healthy += 1;
            *tally.seen.entry(format!("healthy {label} {status}")).or_default() += 1;
            let ok = status == 200 && (label != "test" || body["success"] == true);
            if !ok {
                tally.wrong.push(format!("healthy {label} {path}: {status} {body}"));
            }
        } else {
            let (mode, id) = &bad[(number / 2) % bad.len()];
            if round.is_multiple_of(2) {
                let (status, body) = send(server.request(Method::POST, &format!("/connections/{id}/test"))).await;
                let code = body["error"]["code"].as_str().unwrap_or_default().to_string();
                *tally.seen.entry(format!("{mode} test {status} {code}")).or_default() += 1;
                let expected: &[&str] = match mode.as_str() {
                    "loop" => &["connector_timeout", "connector_overloaded"],
                    _ => &["connector_crashed", "connector_overloaded"],
                };
                if status != 200 || body["success"] != false || !expected.contains(&code.as_str()) {
                    tally.wrong.push(format!("{mode} test: {status} {body}"));
                }
            } else {
                let (status, body) = send(server.request(Method::POST, &format!("/connections/{id}/tables"))).await;
                let code = body["error"]["code"].as_str().unwrap_or_default().to_string();
                *tally.seen.entry(format!("{mode} tables {status} {code}")).or_default() += 1;
                let expected = match mode.as_str() {
                    // Its deadline, or no free slot in time.
                    "loop" => [504, 503].as_slice(),
                    // A crash, or no free slot in time.
                    _ => [502, 503].as_slice(),
                };
                let shape = std::panic::catch_unwind(|| assert_error_shape(&body)).is_ok();
                let code_fits = (status == 502 && code == "connector_crashed")
                    || (status == 504 && code == "connector_timeout")
                    || (status == 503 && code == "connector_overloaded");
                if !expected.contains(&status) || !shape || !code_fits {
                    tally.wrong.push(format!("{mode} tables: {status} {body}"));
                }
            }
        }
    }
    tally
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "starts the real binary and loads the machine: `cargo xtask test` runs it alone, after the suite"]
async fn misbehaving_plugins_under_64_concurrent_callers_never_stop_healthy_requests() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let connectors =
        bundle(&root.path().join("bundled"), &["connectors/quickbooks-1.1.0.wasm", "fixtures/misbehave.wasm"]);
    seed_compile_cache(&data);
    let server = Server::start(&data, &connectors, &random_token(), &["--plugin-timeout-ms", "2000"]).await;
    let mut healthy = Vec::new();
    for i in 0..4 {
        healthy.push(create(&server, &quickbooks_body(&format!("Books {i}"))).await);
    }
    let mut own = Vec::new();
    for i in 0..CALLERS / 2 {
        own.push(create(&server, &quickbooks_body(&format!("Caller {i}"))).await);
    }
    let mut bad = Vec::new();
    for mode in MODES {
        bad.push((mode.to_string(), misbehave(&server, mode).await));
    }
    let baseline_rss = server.rss().unwrap_or_default();

    let server = Arc::new(server);
    let (healthy, own, bad) = (Arc::new(healthy), Arc::new(own), Arc::new(bad));
    let until = Instant::now() + LOAD;
    let mut callers = JoinSet::new();
    for number in 0..CALLERS {
        callers.spawn(caller(server.clone(), number, healthy.clone(), own.clone(), bad.clone(), until));
    }
    let mut tally = Tally::default();
    while let Some(result) = callers.join_next().await {
        tally.merge(result.expect("the caller task"));
    }
    let mut server = Arc::into_inner(server).expect("every caller is done");

    assert!(server.is_alive(), "the server process survived");
    let peak = server.peak_rss().unwrap_or_default();
    eprintln!(
        "hostile plugins: {} healthy requests (slowest of each kind: {:?}); peak RSS {} MiB (baseline {} MiB); answers: {:#?}",
        tally.healthy,
        tally.slowest,
        peak >> 20,
        baseline_rss >> 20,
        tally.seen
    );
    assert_no_wrong_answers(&tally.wrong);
    assert!(tally.healthy > CALLERS, "the healthy callers made progress");
    // Every mode really ran (not only waited for a slot).
    for (mode, code) in [
        ("loop", "connector_timeout"),
        ("memory", "connector_crashed"),
        ("panic", "connector_crashed"),
        ("flood", "connector_crashed"),
    ] {
        let key = format!("{mode} test 200 {code}");
        assert!(tally.seen.get(&key).is_some_and(|n| *n > 0), "no `{key}` answer: {:#?}", tally.seen);
    }
    if cfg!(target_os = "linux") {
        assert!(peak > 0 && peak < RSS_BOUND, "peak RSS {} MiB is past the bound", peak >> 20);
    }
    // Still healthy afterwards, misbehaving connections included.
    let (status, body) = send(server.request(Method::POST, &format!("/connections/{}/test", healthy[0]))).await;
    assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
    server.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "starts the real binary and loads the machine: `cargo xtask test` runs it alone, after the suite"]
async fn a_connector_version_runs_no_more_calls_at_once_than_its_limit() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let connectors =
        bundle(&root.path().join("bundled"), &["connectors/quickbooks-1.1.0.wasm", "fixtures/misbehave.wasm"]);
    seed_compile_cache(&data);
    // Two slots per connector version; a loop holds its slot for 4 s, and a
    // call waits at most 0.5 s for a slot. Of six loops sent at once no more
    // than two run at a time (and time out); the others cannot get a slot in time.
    let flags = ["--plugin-concurrency", "2", "--plugin-timeout-ms", "4000", "--plugin-queue-timeout-ms", "500"];
    let server = Arc::new(Server::start(&data, &connectors, &random_token(), &flags).await);
    let looping = misbehave(&server, "loop").await;
    let books = create(&server, &quickbooks_body("Books")).await;

    let mut calls = JoinSet::new();
    for _ in 0..6 {
        let (server, id) = (server.clone(), looping.clone());
        calls.spawn(async move {
            let answer = send(server.request(Method::POST, &format!("/connections/{id}/test"))).await;
            (Instant::now(), answer)
        });
    }
    // Another connector version has slots of its own: it is not held up.
    let (status, body) = send(server.request(Method::POST, &format!("/connections/{books}/test"))).await;
    assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
    let mut codes = BTreeMap::<String, usize>::new();
    let mut ran = Vec::new();
    while let Some(call) = calls.join_next().await {
        let (end, (status, body)) = call.expect("the call task");
        assert_eq!((status, body["success"].clone()), (200, json!(false)), "{body}");
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert!(["connector_overloaded", "connector_timeout"].contains(&code), "{body}");
        *codes.entry(code.to_string()).or_default() += 1;
        if code == "connector_timeout" {
            // When it ran: its duration less its wait for a slot (at most 0.5 s).
            let took = Duration::from_millis(body["duration_ms"].as_u64().expect("duration_ms"));
            ran.push((end - took + Duration::from_millis(500), end));
        }
    }
    // The limit is a bound: at most two at once, at least two run (no call
    // is turned away while a slot is free), and the six, sent at once, are
    // more than the slots take.
    assert!(most_at_once(&ran) <= 2, "more than two calls ran at once: {codes:?} {ran:?}");
    assert!(ran.len() >= 2, "a call was turned away while a slot was free: {codes:?}");
    assert!(codes.get("connector_overloaded").is_some_and(|n| *n > 0), "no call found the slots taken: {codes:?}");
    // The slots are free again.
    let healthy = json!({"properties": {"Mode": "healthy"}});
    let (status, body) = send(server.request(Method::PUT, &format!("/connections/{looping}")).json(&healthy)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(server.request(Method::POST, &format!("/connections/{looping}/test"))).await;
    assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
}
