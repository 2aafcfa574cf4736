//! What the plugin runtime costs per call and at startup, with the stub
//! connector (`plugins/fixtures/stub`: ten fixed tables).
//!
//! Run with `cargo xtask bench` (or `cargo bench -p syncport --bench runtime`
//! after `cargo xtask plugins`). Prints a Markdown table: median, p90, p99 and
//! mean of each case after a warm-up. Figures and how to read them:
//! `BENCHMARKS.md`.
//!
//! The native peer is this same binary: with `SYNCPORT_BENCH_PEER` set, `main`
//! reads a JSON request on stdin, writes the stub's tables as JSON on stdout
//! and exits, the way Singer taps and Airbyte connectors run.

use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use syncport::connector::model::{Property, TableInfo, TableType};
use syncport::runtime::{Allocator, Call, Limits, Operation, Runtime, block_on};

/// The stub's tables, word for word the file the wasm stub compiles.
#[path = "../../plugins/fixtures/stub/src/tables.rs"]
mod stub_tables;

/// Set in the environment of a spawned peer.
const PEER_ENV: &str = "SYNCPORT_BENCH_PEER";
/// Timed calls per wasm case.
const CALLS: usize = 10_000;
/// Timed process spawns per peer case.
const SPAWNS: usize = 300;
/// Fresh runtimes that each load every component from the warm cache.
const ROUNDS: usize = 10;

/// What the host sends the peer: the arguments of `list-tables`.
#[derive(Serialize, Deserialize)]
struct Request {
    config: Vec<Property>,
    schema: Option<String>,
    types: Vec<TableType>,
}

fn main() {
    if std::env::var_os(PEER_ENV).is_some() {
        return peer();
    }
    println!("| case | n | median | p90 | p99 | mean |\n|---|---:|---:|---:|---:|---:|");
    let (fresh, live, allocator) = calls();
    // Quick A/B runs (and profiles) of the per-call cases alone.
    if std::env::var("SYNCPORT_BENCH_ONLY").is_ok_and(|only| only == "calls") {
        return;
    }
    let native = peer_calls();
    let load = startup();
    println!();
    println!("allocator: {allocator:?}");
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!("native peer / fresh instance: {:.0}x (medians)", ratio(native, fresh));
    println!("native peer / live instance: {:.0}x (medians)", ratio(native, live));
    target("fresh instance + list-tables", fresh, Duration::from_micros(30));
    target("call on a live instance", live, Duration::from_micros(2));
    target("load from the warm cache, per component", load, Duration::from_millis(1));
    for field in ["VmHWM", "VmRSS"] {
        println!("{field} (this process): {}", proc_status(field));
    }
}

/// The per-call cases; returns the medians of the fresh and live instance,
/// and how instances got memory.
fn calls() -> (Duration, Duration, Allocator) {
    let runtime = Runtime::new(Limits::default(), None).expect("the runtime starts");
    let stub = runtime.load(&std::fs::read(dist().join("fixtures/stub.wasm")).expect("stub.wasm")).expect("loads");
    let ten = |call: Call<Vec<TableInfo>>| assert_eq!(call.result.expect("ok").len(), 10);

    let fresh = measure("fresh instance + list-tables (`list_tables_blocking`)", CALLS, || {
        ten(stub.list_tables_blocking(&[], None, &[]))
    });
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    measure("same, the server's path: slot + the call on the caller's task (`list_tables().await`)", CALLS, || {
        ten(tokio.block_on(stub.list_tables(Vec::new(), None, Vec::new())))
    });
    let mut session = stub.session(Operation::ListTables);
    let live = measure("call on a live instance (`Session::list_tables`)", CALLS, || {
        ten(block_on(session.list_tables(&[], None, &[])))
    });
    measure("same, `test` (one short string back)", CALLS, || {
        assert_eq!(block_on(session.test(&[])).result.expect("ok"), "ok")
    });
    (fresh, live, runtime.stats().allocator)
}

/// The stub's logic in a native process spawned per call, JSON over stdio;
/// returns its median.
fn peer_calls() -> Duration {
    let exe = std::env::current_exe().expect("the bench binary");
    measure("spawn only (`true`, no I/O): the floor", SPAWNS, || {
        assert!(Command::new("true").status().expect("`true` runs").success())
    });
    measure("native peer: spawn + JSON over stdin/stdout", SPAWNS, || {
        let request = Request { config: Vec::new(), schema: None, types: Vec::new() };
        let mut child = Command::new(&exe)
            .env(PEER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the peer starts");
        let stdin = child.stdin.take().expect("piped");
        serde_json::to_writer(stdin, &request).expect("request sent");
        let mut out = String::new();
        child.stdout.take().expect("piped").read_to_string(&mut out).expect("response read");
        assert!(child.wait().expect("the peer ends").success());
        let tables: Vec<TableInfo> = serde_json::from_str(&out).expect("a JSON table list");
        assert_eq!(tables.len(), 10);
    })
}

/// The peer: one `list-tables` request on stdin, the tables on stdout.
fn peer() {
    let request: Request = serde_json::from_reader(std::io::stdin().lock()).expect("a JSON request");
    let tables: Vec<TableInfo> = stub_tables::TABLES
        .iter()
        .map(|&(schema, name, view)| TableInfo {
            schema: schema.into(),
            name: name.into(),
            table_type: if view { TableType::View } else { TableType::Table },
            description: None,
        })
        .filter(|t| request.schema.as_deref().is_none_or(|s| s.eq_ignore_ascii_case(&t.schema)))
        .filter(|t| request.types.is_empty() || request.types.contains(&t.table_type))
        .collect();
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &tables).expect("response written");
    stdout.flush().expect("response flushed");
}

/// Startup: loading every component in `plugins/dist/` into fresh runtimes
/// from a warm compile cache, and compiling them cold; returns the median
/// warm load.
fn startup() -> Duration {
    let components: Vec<(String, Vec<u8>)> = ["connectors", "fixtures"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dist().join(dir)).expect("plugins/dist/ holds the components"))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "wasm"))
        .map(|path| (path.display().to_string(), std::fs::read(&path).expect("a component")))
        .collect();
    let cache = tempfile::tempdir().expect("a cache directory");
    let (mut starts, mut cold, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    // The first round compiles and fills the cache; the others load from it.
    for round in 0..=ROUNDS {
        let start = Instant::now();
        let runtime = Runtime::new(Limits::default(), Some(cache.path())).expect("the runtime starts");
        starts.push(start.elapsed());
        for (path, bytes) in &components {
            let start = Instant::now();
            runtime.load(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
            (if round == 0 { &mut cold } else { &mut warm }).push(start.elapsed());
        }
        let stats = runtime.stats();
        assert_eq!(if round == 0 { stats.compiled } else { stats.loaded_from_cache }, components.len() as u64);
    }
    report(&format!("runtime start (engine, pool, linker, ticker), {} starts", starts.len()), &mut starts);
    report(&format!("cold load: compile + describe ({} components)", components.len()), &mut cold);
    report(&format!("warm load: cached + describe ({} components x {ROUNDS})", components.len()), &mut warm)
}

/// Runs `f` a tenth of `iterations` times to warm up, then `iterations`
/// times timed; prints the row and returns the median.
fn measure(name: &str, iterations: usize, mut f: impl FnMut()) -> Duration {
    (0..iterations / 10).for_each(|_| f());
    let mut samples: Vec<Duration> = (0..iterations)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    report(name, &mut samples)
}

/// Prints one table row of `samples`; returns their median.
fn report(name: &str, samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    let (median, p90, p99) = (at(0.5), at(0.9), at(0.99));
    println!("| {name} | {} | {} | {} | {} | {} |", samples.len(), show(median), show(p90), show(p99), show(mean));
    median
}

/// A duration in µs below 10 ms, else in ms.
fn show(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn target(what: &str, median: Duration, target: Duration) {
    let verdict = if median <= target { "met" } else { "MISSED" };
    println!("{what}: median {} vs target {}: {verdict}", show(median), show(target));
}

/// `plugins/dist/`, where `cargo xtask plugins` puts the components.
fn dist() -> PathBuf {
    std::env::var_os("SYNCPORT_PLUGINS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins/dist"))
}

/// A field of `/proc/self/status`, e.g. the peak resident set `VmHWM`.
fn proc_status(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find_map(|l| l.strip_prefix(field)?.strip_prefix(':').map(str::trim));
    line.unwrap_or("unknown").to_string()
}
