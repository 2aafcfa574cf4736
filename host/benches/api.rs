//! HTTP API benchmark: throughput of the real `syncport` server against a
//! trivial axum JSON handler measured in the same run (three rounds, each
//! measuring the trivial handler first; ratios are medians of the rounds),
//! listing latency with 100,000 connections, and peak memory under 256
//! concurrent tests.
//!
//! Run with `cargo xtask bench -- --bench api` (builds the plugins first).
//! `SYNCPORT_BENCH_ONLY=test` runs only the cases whose name contains
//! `test` (and skips the memory and listing parts), for quick A/B runs.
//! Both servers run as their own processes; the load generator here keeps
//! one HTTP/1.1 keep-alive connection per worker (hyper, no pipelining).

mod support;

use axum::Json;
use axum::routing::get;
use hyper::Method;
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{connect, create_books, dist, load, once, send, start, syncport};

const TRIVIAL: &str = "SYNCPORT_BENCH_TRIVIAL";
const ONLY: &str = "SYNCPORT_BENCH_ONLY";
const WORKERS: usize = 32;
/// Rounds of (trivial handler, every case), back to back.
const ROUNDS: usize = 3;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    if std::env::var_os(TRIVIAL).is_some() {
        runtime.block_on(trivial_server());
        return;
    }
    runtime.block_on(run());
}

/// The baseline: one route answering a small JSON object.
async fn trivial_server() {
    let app = axum::Router::new().route("/ping", get(|| async { Json(json!({"ok": true, "name": "trivial"})) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    println!("LISTENING {}", listener.local_addr().expect("addr"));
    axum::serve(listener, app).await.expect("serve");
}

/// The round whose `key` is the median (the upper one of an even count).
fn median_by<T: Copy>(rounds: &[T], key: impl Fn(&T) -> f64) -> T {
    let mut sorted = rounds.to_vec();
    sorted.sort_by(|a, b| key(a).total_cmp(&key(b)));
    sorted[sorted.len() / 2]
}

/// Peak resident memory of a process, from `/proc/PID/status`.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM");
    kib / 1024.0
}

async fn run() {
    let data = tempfile::tempdir().expect("tempdir");
    let mut trivial_cmd = Command::new(std::env::current_exe().expect("exe"));
    trivial_cmd.env(TRIVIAL, "1");
    let trivial = start(trivial_cmd, "LISTENING ");
    let server = syncport(data.path(), &dist(), &[]);
    let id = create_books(server.addr).await;
    once(server.addr, Method::POST, &format!("/api.rsc/v2/connections/{id}/tables"), None).await;

    // Other work on the machine moves throughput by tens of percent within
    // a minute, so the trivial handler is measured again in every round,
    // right before the cases it is compared with; each case's ratio is the
    // median of its rounds' ratios.
    let cases = [
        ("GET /connections/{id}", Method::GET, format!("/api.rsc/v2/connections/{id}"), 40.0),
        ("POST /connections/{id}/tables (cached)", Method::POST, format!("/api.rsc/v2/connections/{id}/tables"), 30.0),
        (
            "POST /connections/{id}/test (fresh sandbox)",
            Method::POST,
            format!("/api.rsc/v2/connections/{id}/test"),
            15.0,
        ),
    ];
    let only = std::env::var(ONLY).ok();
    let cases: Vec<_> = cases.into_iter().filter(|c| only.as_deref().is_none_or(|o| c.0.contains(o))).collect();
    let mut trivial_rounds = Vec::new();
    let mut case_rounds: Vec<Vec<(f64, Duration, f64)>> = cases.iter().map(|_| Vec::new()).collect();
    for round in 1..=ROUNDS {
        let (base, base_latency) = load(trivial.addr, Method::GET, "/ping", WORKERS).await;
        print!("round {round}: trivial {base:.0}/s");
        trivial_rounds.push((base, base_latency));
        for ((name, method, path, _), rounds) in cases.iter().zip(&mut case_rounds) {
            let (rate, latency) = load(server.addr, method.clone(), path, WORKERS).await;
            let ratio = 100.0 * rate / base;
            print!("; {} {rate:.0}/s ({ratio:.0}%)", name.split(' ').next().unwrap_or(name));
            rounds.push((rate, latency, ratio));
        }
        println!();
    }
    println!();
    println!("| case | requests/s | median latency | ratio to trivial | target |");
    println!("|---|---|---|---|---|");
    let (base, base_latency) = median_by(&trivial_rounds, |r| r.0);
    println!("| trivial axum JSON handler | {base:.0} | {base_latency:?} | 100% | |");
    for ((name, _, _, target), rounds) in cases.iter().zip(&case_rounds) {
        let (rate, latency, ratio) = median_by(rounds, |r| r.2);
        let verdict = if ratio >= *target { "met" } else { "missed" };
        let all: Vec<String> = rounds.iter().map(|r| format!("{:.1}%", r.2)).collect();
        println!(
            "| {name} | {rate:.0} | {latency:?} | {ratio:.1}% (rounds: {}) | ≥ {target:.0}% ({verdict}) |",
            all.join(", ")
        );
    }

    if only.is_some() {
        return;
    }
    let before = peak_rss_mib(server.child.id());
    let (rate, latency) = load(server.addr, Method::POST, &format!("/api.rsc/v2/connections/{id}/test"), 256).await;
    let peak = peak_rss_mib(server.child.id());
    println!();
    println!(
        "256 concurrent `test` callers: {rate:.0} tests/s, median {latency:?}; server peak RSS {peak:.0} MiB \
         (before: {before:.0} MiB; target < 256 MiB: {})",
        if peak < 256.0 { "met" } else { "missed" }
    );
    drop(server);

    listing(data.path()).await;
}

/// Median latency of listing 100 connections of 100,000 in one workspace.
async fn listing(data: &Path) {
    const ROWS: usize = 100_000;
    // Bulk-load rows straight into the SQLite file (one transaction); going
    // through the API would fsync 100,000 commits. Properties are stored
    // encrypted, with the key the server made in the data directory (or the
    // one in SYNCPORT_SECRET_KEY, which the server was given too).
    use syncport::secrets::{KeyConfig, Keyring, keyfile};
    let key = match KeyConfig::from_env().expect("SYNCPORT_SECRET_KEY").key {
        Some(key) => key,
        None => keyfile::read(&keyfile::key_path(data)).expect("key file").expect("the server made its key"),
    };
    let keyring = Keyring::new(key);
    let url = format!("sqlite://{}", data.join("syncport.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("sqlite");
    let mut tx = pool.begin().await.expect("begin");
    let settings = r#"{"metadata_refresh_interval":"Daily","logfile_verbosity":"Info","use_cdata_callback_url":false}"#;
    for i in 0..ROWS {
        let name = format!("Connection {i:06}");
        let id = uuid::Uuid::new_v4();
        sqlx::query(
            "INSERT INTO connections (id, workspace_id, name, name_key, connector, connector_key, connector_version, \
             properties, settings, labels, status, last_tested_at, created_at, updated_at, revision) \
             VALUES (?, 'default', ?, ?, 'QuickBooks', 'quickbooks', '1.1.0', ?, ?, '[]', 'untested', NULL, \
             '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1)",
        )
        .bind(id.to_string())
        .bind(&name)
        .bind(name.to_lowercase())
        .bind(keyring.seal_properties(id, "{}").expect("encrypt"))
        .bind(settings)
        .execute(&mut *tx)
        .await
        .expect("insert");
    }
    tx.commit().await.expect("commit");
    pool.close().await;

    let server = syncport(data, &dist(), &[]);
    let mut sender = connect(server.addr).await;
    for (label, path) in [
        ("first page", "/api.rsc/v2/workspaces/default/connections?$top=100".to_string()),
        ("page at $skip=50000", "/api.rsc/v2/workspaces/default/connections?$top=100&$skip=50000".to_string()),
    ] {
        let mut latencies = Vec::new();
        for _ in 0..200 {
            let started = Instant::now();
            let (status, body) = send(&mut sender, server.addr, &Method::GET, &path, None).await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            latencies.push(started.elapsed());
        }
        latencies.sort();
        let median = latencies[latencies.len() / 2];
        println!(
            "list 100 of {ROWS} connections, {label}: median {median:?}, p99 {:?} (target median < 5 ms: {})",
            latencies[latencies.len() * 99 / 100],
            if median < Duration::from_millis(5) { "met" } else { "missed" }
        );
    }
}
