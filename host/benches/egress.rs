//! Egress benchmark: what a connector's outbound request costs through
//! Syncport, against the same request made natively in the same run.
//!
//! Two mock QuickBooks APIs run as their own processes (this binary again):
//! each answers `GET /v3/company/{realm}/companyinfo/{id}` with a small JSON
//! object, one at once and one after 50 ms. `syncport serve` runs with
//! QuickBooks 3.0.0 and 2.0.0 (the offline stub, the baseline) bundled,
//! `--egress-allow-private` for both mocks and `--plugin-concurrency 256`,
//! and one connection to each mock.
//!
//! (a) Sequential latency, [`ROUNDS`] calls each, one keep-alive client:
//!     `POST /connections/{id}/test` (the whole call: API, auth, store, a
//!     fresh sandbox, the connector, its request through the egress guard
//!     on the version's kept-alive connection, the log) against the
//!     connector's request made directly with reqwest: on a kept-alive
//!     connection (what the egress guard does after the first request) and
//!     on a new one each time. Reported as p50/p99, the ratio of p50s, and
//!     Syncport's added cost (p50 difference); for both mocks, since
//!     against a 0 ms API the ratio is all overhead and against a 50 ms one
//!     it is what a user sees. The same call on the 2.0.0 stub, which makes
//!     no request, is the baseline: the call's cost without the request.
//! (b) Throughput: [`CALLERS`] concurrent callers make [`CALLS`] `test`
//!     calls in all against the 50 ms mock; tests/s, failures, and the
//!     server's thread count (`Threads:` of /proc/PID/status) sampled
//!     during the run.
//!
//! Run with `cargo bench -p syncport --bench egress` once `cargo xtask
//! plugins` has built `quickbooks-3.0.0.wasm`. Only 127.0.0.1 traffic.

mod support;

use axum::routing::get;
use hyper::Method;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{Server, connect, once, send, start, syncport};

/// Set in a child process: serve the mock, answering after this many ms.
const MOCK: &str = "SYNCPORT_BENCH_EGRESS_MOCK_DELAY_MS";
const COMPANY: &str = "9130357766";
const TOKEN: &str = "bench-access-token";
/// Sequential calls per side in (a).
const ROUNDS: usize = 300;
/// Concurrent callers in (b).
const CALLERS: usize = 256;
/// Calls in (b), all callers together.
const CALLS: usize = 256 * 40;
/// The upstream latency of the slow mock.
const SLOW_MS: u64 = 50;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    if let Ok(delay) = std::env::var(MOCK) {
        runtime.block_on(mock(Duration::from_millis(delay.parse().expect("a delay in ms"))));
        return;
    }
    runtime.block_on(run());
}

/// The mock API: companyinfo, after `delay`.
async fn mock(delay: Duration) {
    let body = json!({"CompanyInfo": {"CompanyName": "Bench Company", "Id": COMPANY, "Country": "US"},
        "time": "2024-06-01T12:00:00.000-07:00"})
    .to_string();
    let app = axum::Router::new().route(
        "/v3/company/{realm}/companyinfo/{id}",
        get(move || {
            let body = body.clone();
            async move {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                ([("content-type", "application/json")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("LISTENING {}", listener.local_addr().expect("addr"));
    axum::serve(listener, app).await.expect("serve");
}

/// A mock process answering after `delay_ms`.
fn start_mock(delay_ms: u64) -> Server {
    let mut command = Command::new(std::env::current_exe().expect("exe"));
    command.env(MOCK, delay_ms.to_string());
    start(command, "LISTENING ")
}

/// Percentile `p` (0 to 100) of sorted `latencies`.
fn percentile(latencies: &[Duration], p: usize) -> Duration {
    latencies[(latencies.len() * p / 100).min(latencies.len() - 1)]
}

/// p50 and p99 of `latencies`.
fn p50_p99(mut latencies: Vec<Duration>) -> (Duration, Duration) {
    latencies.sort();
    (percentile(&latencies, 50), percentile(&latencies, 99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The server's thread count, from `/proc/PID/status`.
fn threads(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status.lines().find_map(|l| l.strip_prefix("Threads:")).and_then(|v| v.trim().parse().ok()).expect("Threads")
}

/// Creates a QuickBooks 3.0.0 connection `name` to the mock at `mock`; its id.
async fn create(server: SocketAddr, name: &str, mock: SocketAddr) -> String {
    let body = json!({"name": name, "connector": "QuickBooks", "connector_version": "3.0.0",
        "properties": {"CompanyId": COMPANY, "OAuthAccessToken": TOKEN, "BaseURL": format!("http://{mock}")},
        "settings": {"logfile_verbosity": "Info"}});
    let created = once(server, Method::POST, "/api.rsc/v2/workspaces/default/connections", Some(body)).await;
    created["id"].as_str().expect("id").to_string()
}

/// A QuickBooks 2.0.0 connection (the offline stub, which makes no
/// request); its id.
async fn create_stub(server: SocketAddr) -> String {
    let body = json!({"name": "Stub", "connector": "QuickBooks", "connector_version": "2.0.0",
        "properties": {"CompanyId": COMPANY, "OAuthClientId": "id", "OAuthClientSecret": "secret",
            "OAuthAccessToken": TOKEN},
        "settings": {"logfile_verbosity": "Info"}});
    let created = once(server, Method::POST, "/api.rsc/v2/workspaces/default/connections", Some(body)).await;
    created["id"].as_str().expect("id").to_string()
}

/// Latencies of `ROUNDS` sequential `test` calls of connection `id` on one
/// keep-alive connection; each must succeed.
async fn syncport_latencies(server: SocketAddr, id: &str) -> Vec<Duration> {
    let path = format!("/api.rsc/v2/connections/{id}/test");
    let mut sender = connect(server).await;
    let mut latencies = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let (status, body) = send(&mut sender, server, &Method::POST, &path, None).await;
        latencies.push(started.elapsed());
        let result: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        assert!(status == 200 && result["success"] == true, "test: {status} {result}");
    }
    latencies
}

/// Latencies of `ROUNDS` sequential companyinfo GETs made with `client`.
async fn native_latencies(client: &reqwest::Client, mock: SocketAddr) -> Vec<Duration> {
    let url = format!("http://{mock}/v3/company/{COMPANY}/companyinfo/{COMPANY}?minorversion=75");
    let mut latencies = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let response = client
            .get(&url)
            .bearer_auth(TOKEN)
            .header("accept", "application/json")
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        latencies.push(started.elapsed());
        assert_eq!(body["CompanyInfo"]["Id"], COMPANY);
    }
    latencies
}

async fn run() {
    let fast = start_mock(0);
    let slow = start_mock(SLOW_MS);
    // QuickBooks 3.0.0, and 2.0.0 (the offline stub: the same call without
    // a request, for the baseline). 256 call slots for each version take a
    // larger instance pool than the default.
    let bundled = tempfile::tempdir().expect("tempdir");
    for file in ["quickbooks-3.0.0.wasm", "quickbooks-2.0.0.wasm"] {
        let component = support::dist().join(file);
        std::fs::copy(&component, bundled.path().join(file))
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask plugins` first", component.display()));
    }
    let data = tempfile::tempdir().expect("tempdir");
    let allow = format!("{},{}", fast.addr, slow.addr);
    let concurrency = CALLERS.to_string();
    let server = syncport(
        data.path(),
        bundled.path(),
        &[
            ("SYNCPORT_EGRESS_ALLOW_PRIVATE", &allow),
            ("SYNCPORT_PLUGIN_CONCURRENCY", &concurrency),
            ("SYNCPORT_POOL_MEMORIES", "4000"),
        ],
    );
    println!(
        "syncport serve --egress-allow-private {allow} --plugin-concurrency {concurrency} (pid {}); \
         mocks: {} (0 ms), {} ({SLOW_MS} ms)",
        server.child.id(),
        fast.addr,
        slow.addr
    );
    let fast_id = create(server.addr, "Fast", fast.addr).await;
    let slow_id = create(server.addr, "Slow", slow.addr).await;
    let stub_id = create_stub(server.addr).await;

    // Warm up every side (compile cache, instance pool, connections).
    for id in [&fast_id, &slow_id, &stub_id] {
        for _ in 0..20 {
            once(server.addr, Method::POST, &format!("/api.rsc/v2/connections/{id}/test"), None).await;
        }
    }
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let kept = reqwest::Client::new();

    println!();
    println!("(a) sequential latency, {ROUNDS} calls each");
    println!();
    println!(
        "| upstream | Syncport `test` p50 / p99 | native GET, new connection p50 / p99 | \
         native GET, keep-alive p50 / p99 | ratio p50 (Syncport / native keep-alive) | added cost p50 | target ≤ 1.5× |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (label, mock, id) in [("0 ms mock", fast.addr, &fast_id), ("50 ms mock", slow.addr, &slow_id)] {
        let native_fresh = p50_p99(native_latencies(&fresh, mock).await);
        let native_kept = p50_p99(native_latencies(&kept, mock).await);
        let ours = p50_p99(syncport_latencies(server.addr, id).await);
        let ratio = ours.0.as_secs_f64() / native_kept.0.as_secs_f64();
        let added = ms(ours.0) - ms(native_kept.0);
        println!(
            "| {label} | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {:.2} / {:.2} ms | {ratio:.2}× | {added:.2} ms | {} |",
            ms(ours.0),
            ms(ours.1),
            ms(native_fresh.0),
            ms(native_fresh.1),
            ms(native_kept.0),
            ms(native_kept.1),
            if ratio <= 1.5 { "met" } else { "missed" }
        );
    }

    let stub = p50_p99(syncport_latencies(server.addr, &stub_id).await);
    println!();
    println!(
        "baseline: the same `test` call on QuickBooks 2.0.0 (no request): p50 / p99 {:.2} / {:.2} ms",
        ms(stub.0),
        ms(stub.1)
    );

    println!();
    println!("(b) {CALLERS} concurrent callers, {CALLS} `test` calls against the {SLOW_MS} ms mock");
    let pid = server.child.id();
    let idle = threads(pid);
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut most = 0;
            while sampling.load(Ordering::Relaxed) {
                most = most.max(threads(pid));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            most
        })
    };
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let path = format!("/api.rsc/v2/connections/{slow_id}/test");
    let addr = server.addr;
    let started = Instant::now();
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (next, failures, path) = (next.clone(), failures.clone(), path.clone());
            tokio::spawn(async move {
                let mut sender = connect(addr).await;
                let mut latencies = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < CALLS {
                    let at = Instant::now();
                    let (status, body) = send(&mut sender, addr, &Method::POST, &path, None).await;
                    latencies.push(at.elapsed());
                    let result: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    if (status != 200 || result["success"] != true) && failures.fetch_add(1, Ordering::Relaxed) == 0 {
                        eprintln!("first failure: {status} {result}");
                    }
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for caller in callers {
        latencies.extend(caller.await.expect("caller"));
    }
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let most = sampler.await.expect("sampler");
    let (p50, p99) = p50_p99(latencies);
    let rate = CALLS as f64 / elapsed.as_secs_f64();
    let failed = failures.load(Ordering::Relaxed);
    println!();
    println!(
        "| calls | failed | elapsed | tests/s | p50 / p99 | server threads (idle → most during the run) | \
         target ≥ 4,000 tests/s |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {CALLS} | {failed} | {:.2} s | {rate:.0} | {:.1} / {:.1} ms | {idle} → {most} | {} |",
        elapsed.as_secs_f64(),
        ms(p50),
        ms(p99),
        if rate >= 4000.0 && failed == 0 { "met" } else { "missed" }
    );
    println!(
        "(ceiling at {CALLERS} callers × {SLOW_MS} ms upstream: {:.0} tests/s)",
        CALLERS as f64 * 1000.0 / SLOW_MS as f64
    );
}
