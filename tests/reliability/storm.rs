//! The storm: 32 hostile callers cycling through every attack a connector
//! can make on the sandbox (docs/runtime.md, "What a connector cannot do"),
//! beside 32 healthy callers of QuickBooks and Salesforce, against the real
//! server process. Every healthy call succeeds, no answer comes later than
//! its bound, memory stays bounded, and the server answers normally after.

use super::server::{Server, assert_no_wrong_answers, bundle, create, random_token, seed_compile_cache, send};
use crate::api::quickbooks_body;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The secret every misbehaving connection holds; no answer may contain it.
const SECRET: &str = "storm-secret-1";
/// Hostile callers, and as many healthy ones.
const CALLERS: usize = 32;
/// How long the callers keep calling (the issue bounds the storm at 60 s).
const LOAD: Duration = Duration::from_secs(20);
/// The peak resident memory the server may reach.
const RSS_BOUND: u64 = 1 << 30;
/// Every plugin call's deadline.
const CALL_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a call may wait for a slot of its version.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(1);
/// No answer may come later than a call's whole bound (its wait for a slot
/// and its deadline) plus this.
const GRACE: Duration = Duration::from_secs(1);

/// One attack: a connector, its properties, and the error codes its `test`
/// and tables may answer with (besides `connector_overloaded`: all of an
/// attacker's version's slots may be busy with its own other attacks).
struct Attack {
    name: &'static str,
    connector: &'static str,
    properties: Value,
    test: &'static [&'static str],
    tables: &'static [&'static str],
}

fn attacks() -> Vec<Attack> {
    let misbehave = |mode: &'static str, codes: &'static [&'static str]| Attack {
        name: mode,
        connector: "Misbehave",
        properties: json!({"Mode": mode, "Password": SECRET}),
        test: codes,
        tables: codes,
    };
    vec![
        // A deadline that holds in host calls (a WASI clock poll).
        Attack {
            name: "sleep",
            connector: "Hostile",
            properties: json!({"Mode": "sleep", "Seconds": "3600"}),
            test: &["connector_timeout"],
            tables: &["connector_timeout"],
        },
        // An answer bounded in bytes as lifted, not as stored in the guest.
        Attack {
            name: "alias",
            connector: "Hostile",
            properties: json!({"Mode": "alias"}),
            test: &[],
            tables: &["connector_result_too_large"],
        },
        misbehave("loop", &["connector_timeout"]),
        // Growing 1 MiB at a time to the cap can outlast the deadline on a loaded machine.
        misbehave("memory", &["connector_crashed", "connector_timeout"]),
        misbehave("flood", &["connector_crashed"]),
        misbehave("panic", &["connector_crashed"]),
        // A log budget in lines and framing, not only bytes.
        misbehave("blank-lines", &["connector_crashed"]),
        // Every string masked: the error's property is the password.
        misbehave("secret-target", &["invalid_config", "connector_invalid_config"]),
        // Terminal escapes and line separators in logs and errors.
        misbehave("escapes", &["internal", "connector_error"]),
    ]
}

/// What the callers saw.
#[derive(Debug, Default)]
struct Tally {
    /// Answers by `who what status code`.
    seen: BTreeMap<String, usize>,
    /// Answers that broke the contract.
    wrong: Vec<String>,
    /// Latencies of healthy calls.
    healthy: Vec<Duration>,
    /// The slowest answer of all.
    slowest: Duration,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (k, n) in other.seen {
            *self.seen.entry(k).or_default() += n;
        }
        self.wrong.extend(other.wrong);
        self.healthy.extend(other.healthy);
        self.slowest = self.slowest.max(other.slowest);
    }
}

/// [`send`], timed.
async fn timed(request: reqwest::RequestBuilder) -> (u16, Value, Duration) {
    let start = Instant::now();
    let (status, body) = send(request).await;
    (status, body, start.elapsed())
}

/// A hostile caller: cycles through every attack until `until`.
async fn hostile(server: Arc<Server>, number: usize, attacks: Arc<Vec<(Attack, String)>>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut round = number;
    while Instant::now() < until {
        round += 1;
        let (attack, id) = &attacks[round % attacks.len()];
        let tables = round.is_multiple_of(2) || attack.test.is_empty();
        let (what, path) = if tables { ("tables", "tables") } else { ("test", "test") };
        let (status, body, took) = timed(server.request(Method::POST, &format!("/connections/{id}/{path}"))).await;
        tally.slowest = tally.slowest.max(took);
        let code = body["error"]["code"].as_str().unwrap_or_default();
        *tally.seen.entry(format!("{} {what} {status} {code}", attack.name)).or_default() += 1;
        let expected = if tables { attack.tables } else { attack.test };
        let fits = code == "connector_overloaded" || expected.contains(&code);
        let status_fits = if tables { status != 200 && status != 0 } else { status == 200 && body["success"] == false };
        if !fits || !status_fits || body.to_string().contains(SECRET) {
            tally.wrong.push(format!("{} {what}: {status} {body}", attack.name));
        }
    }
    tally
}

/// A healthy caller: test, tables and columns of QuickBooks and Salesforce
/// connections until `until`; every answer must be a success.
async fn healthy(server: Arc<Server>, number: usize, ids: Arc<Vec<String>>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut round = number;
    while Instant::now() < until {
        round += 1;
        let id = &ids[round % ids.len()];
        let (what, method, path) = match round % 3 {
            0 => ("test", Method::POST, format!("/connections/{id}/test")),
            1 => ("tables", Method::GET, format!("/connections/{id}/tables?reset_metadata=true")),
            _ => ("get", Method::GET, format!("/connections/{id}")),
        };
        let (status, body, took) = timed(server.request(method, &path)).await;
        tally.slowest = tally.slowest.max(took);
        tally.healthy.push(took);
        *tally.seen.entry(format!("healthy {what} {status}")).or_default() += 1;
        if status != 200 || (what == "test" && body["success"] != true) {
            tally.wrong.push(format!("healthy {what} {path}: {status} {body}"));
        }
    }
    tally
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "starts the real binary and loads the machine: `cargo xtask test` runs it alone, after the suite"]
async fn thirty_two_hostile_callers_never_fail_a_healthy_call_or_hold_an_answer_past_its_bound() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("data");
    let connectors = bundle(
        &root.path().join("bundled"),
        &[
            "connectors/quickbooks-1.1.0.wasm",
            "connectors/salesforce-1.0.0.wasm",
            "fixtures/misbehave.wasm",
            "fixtures/hostile.wasm",
        ],
    );
    seed_compile_cache(&data);
    let timeout = CALL_TIMEOUT.as_millis().to_string();
    let queue = QUEUE_TIMEOUT.as_millis().to_string();
    let flags = ["--plugin-timeout-ms", timeout.as_str(), "--plugin-queue-timeout-ms", queue.as_str()];
    let server = Server::start(&data, &connectors, &random_token(), &flags).await;

    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(create(&server, &quickbooks_body(&format!("Books {i}"))).await);
        let salesforce = json!({"name": format!("Sales {i}"), "connector": "Salesforce",
            "properties": {"User": "admin@example.com", "Password": "pass", "SecurityToken": "token"}});
        ids.push(create(&server, &salesforce).await);
    }
    let mut targets = Vec::new();
    for attack in attacks() {
        let body = json!({"name": format!("Attack {}", attack.name), "connector": attack.connector,
                          "properties": attack.properties, "settings": {"logfile_verbosity": "Verbose"}});
        let id = create(&server, &body).await;
        targets.push((attack, id));
    }

    let server = Arc::new(server);
    let (ids, targets) = (Arc::new(ids), Arc::new(targets));
    let until = Instant::now() + LOAD;
    let mut callers = JoinSet::new();
    for number in 0..CALLERS {
        callers.spawn(hostile(server.clone(), number, targets.clone(), until));
        callers.spawn(healthy(server.clone(), number, ids.clone(), until));
    }
    let mut tally = Tally::default();
    while let Some(result) = callers.join_next().await {
        tally.merge(result.expect("the caller task"));
    }
    let mut server = Arc::into_inner(server).expect("every caller is done");
    assert!(server.is_alive(), "the server process survived");
    let peak = server.peak_rss().unwrap_or_default();
    tally.healthy.sort();
    let (p50, p99) = (percentile(&tally.healthy, 0.5), percentile(&tally.healthy, 0.99));
    eprintln!(
        "storm: {} healthy calls, p50 {p50:?}, p99 {p99:?}; slowest answer {:?}; peak RSS {} MiB; answers: {:#?}",
        tally.healthy.len(),
        tally.slowest,
        peak >> 20,
        tally.seen
    );
    assert_no_wrong_answers(&tally.wrong);
    assert!(tally.healthy.len() > CALLERS * 10, "the healthy callers made progress: {}", tally.healthy.len());
    let bound = QUEUE_TIMEOUT + CALL_TIMEOUT + GRACE;
    assert!(tally.slowest <= bound, "an answer took {:?}, past {bound:?}", tally.slowest);
    // Every attack really ran (not only waited for a slot).
    for (attack, _) in targets.iter() {
        let ran = tally.seen.iter().any(|(k, n)| {
            *n > 0 && k.starts_with(&format!("{} ", attack.name)) && !k.ends_with("connector_overloaded")
        });
        assert!(ran, "`{}` never ran: {:#?}", attack.name, tally.seen);
    }
    if cfg!(target_os = "linux") {
        assert!(peak > 0 && peak < RSS_BOUND, "peak RSS {} MiB is past the bound", peak >> 20);
    }
    // Normal afterwards.
    for id in ids.iter() {
        let (status, body) = send(server.request(Method::POST, &format!("/connections/{id}/test"))).await;
        assert_eq!((status, body["success"].clone()), (200, json!(true)), "{body}");
    }
    server.kill();
}
