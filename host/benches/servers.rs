//! Several servers on one PostgreSQL database, against one server on its
//! SQLite file, in one run:
//!
//! 1. `GET /connections/{id}`, `POST /connections/{id}/test` and cached
//!    tables through one server on SQLite, then through one on PostgreSQL
//!    (32 keep-alive clients each), three rounds back to back, the median
//!    ratio reported (this machine's load varies);
//! 2. the same, and a GET/PUT mix, through one server pinned to CPU 0,
//!    then two servers pinned to CPUs 0 and 1 (`taskset`), the load
//!    generator and PostgreSQL sharing both, with the CPU time PostgreSQL's
//!    processes spent (from `/proc`);
//! 3. during the two servers' mix, the notification delay: a ping sent on
//!    the cache channel from one connection and heard on another.
//!
//! Needs PostgreSQL on this machine: `SYNCPORT_TEST_POSTGRES_URL` (the
//! admin URL; the benchmark makes and drops a database of its own). Run
//! with `cargo xtask plugins && cargo bench -p syncport --bench servers`.

mod support;

use hyper::Method;
use serde_json::json;
use sqlx::Connection;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};
use support::{RUN, Server, connect, create_books, dist, load, once, send, syncport, syncport_on};
use syncport::secrets::SecretKey;

/// Keep-alive clients per case.
const CLIENTS: usize = 32;
/// Of each server's clients in the mix, how many PUT (the rest GET).
const MIX_PUTS: usize = 4;
/// Rounds of SQLite then PostgreSQL, back to back; the median is reported.
const ROUNDS: usize = 3;

fn main() {
    let Ok(admin_url) = std::env::var("SYNCPORT_TEST_POSTGRES_URL") else {
        println!("skipped: set SYNCPORT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    runtime.block_on(run(&admin_url));
}

/// The connection ids a server's cases use: `Books` (read and tested) and
/// one per PUT client of the mix.
struct Ids {
    books: String,
    writers: Vec<String>,
}

/// Creates the connections of the cases through `addr`, warming the
/// metadata cache of `Books`.
async fn prepare(addr: SocketAddr) -> Ids {
    let books = create_books(addr).await;
    once(addr, Method::POST, &format!("/api.rsc/v2/connections/{books}/tables"), None).await;
    let mut writers = Vec::new();
    for i in 0..2 * MIX_PUTS {
        let body = json!({"name": format!("Writer{i}"), "connector": "QuickBooks", "connector_version": "2.0.0",
            "properties": {"CompanyId": "1", "OAuthClientId": "id", "OAuthClientSecret": "secret", "OAuthAccessToken": "t"}});
        let created = once(addr, Method::POST, "/api.rsc/v2/workspaces/default/connections", Some(body)).await;
        writers.push(created["id"].as_str().expect("id").to_string());
    }
    Ids { books, writers }
}

/// One case's throughput, and the CPU time the servers and PostgreSQL
/// spent per request (microseconds).
#[derive(Clone, Copy, Default)]
struct Rate {
    per_second: f64,
    server_us: f64,
    postgres_us: f64,
}

/// Each case through `servers` (processes `pids`), the clients split
/// between them.
async fn cases(servers: &[SocketAddr], pids: &[u32], books: &str) -> [Rate; 3] {
    let get = format!("/api.rsc/v2/connections/{books}");
    let test = format!("/api.rsc/v2/connections/{books}/test");
    let tables = format!("/api.rsc/v2/connections/{books}/tables");
    let mut rates = [Rate::default(); 3];
    for (rate, (method, path)) in
        rates.iter_mut().zip([(Method::GET, get), (Method::POST, test), (Method::POST, tables)])
    {
        let (server, postgres) = (cpu_of(pids), postgres_cpu());
        let runs = servers.iter().map(|addr| load(*addr, method.clone(), &path, CLIENTS / servers.len()));
        let per_second: f64 = futures_util::future::join_all(runs).await.iter().map(|(rate, _)| rate).sum();
        let requests = per_second * RUN.as_secs_f64();
        let per_request = |seconds: f64| seconds * 1e6 / requests;
        *rate = Rate {
            per_second,
            server_us: per_request(cpu_of(pids) - server),
            postgres_us: per_request(postgres_cpu() - postgres),
        };
    }
    rates
}

/// What a GET/PUT mix through `servers` did.
struct Mix {
    gets: f64,
    puts: f64,
    put_p50: Duration,
    put_p99: Duration,
}

/// Each server gets `CLIENTS / servers` clients, [`MIX_PUTS`] of them
/// changing a label of a connection of their own, the rest reading `Books`.
async fn mix(servers: &[SocketAddr], ids: &Ids) -> Mix {
    let deadline = Instant::now() + RUN;
    let mut tasks = Vec::new();
    for (s, addr) in servers.iter().enumerate() {
        for client in 0..CLIENTS / servers.len() {
            let addr = *addr;
            let put = (client < MIX_PUTS).then(|| ids.writers[s * MIX_PUTS + client].clone());
            let books = ids.books.clone();
            tasks.push(tokio::spawn(async move {
                let mut sender = connect(addr).await;
                let (mut gets, mut puts) = (0u64, Vec::new());
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let started = Instant::now();
                    match &put {
                        Some(id) => {
                            n += 1;
                            let body = json!({"labels": [format!("n{n}")]});
                            let path = format!("/api.rsc/v2/connections/{id}");
                            let (status, _) = send(&mut sender, addr, &Method::PUT, &path, Some(&body)).await;
                            assert_eq!(status, 200, "PUT {path}");
                            puts.push(started.elapsed());
                        }
                        None => {
                            let path = format!("/api.rsc/v2/connections/{books}");
                            let (status, _) = send(&mut sender, addr, &Method::GET, &path, None).await;
                            assert_eq!(status, 200, "GET {path}");
                            gets += 1;
                        }
                    }
                }
                (gets, puts)
            }));
        }
    }
    let (mut gets, mut puts) = (0, Vec::new());
    for task in tasks {
        let (g, p) = task.await.expect("client");
        gets += g;
        puts.extend(p);
    }
    puts.sort();
    let seconds = RUN.as_secs_f64();
    Mix {
        gets: gets as f64 / seconds,
        puts: puts.len() as f64 / seconds,
        put_p50: puts[puts.len() / 2],
        put_p99: puts[puts.len() * 99 / 100],
    }
}

/// Median and 99th percentile latency of 500 `PUT`s one after the other
/// through `addr`, each changing a label of connection `id`: with no
/// other load, what a write costs, the wait for other servers' acks
/// included.
async fn put_latency(addr: SocketAddr, id: &str) -> (Duration, Duration) {
    let mut sender = connect(addr).await;
    let path = format!("/api.rsc/v2/connections/{id}");
    let mut latencies = Vec::new();
    for n in 0..500 {
        let body = json!({"labels": [format!("alone{n}")]});
        let started = Instant::now();
        let (status, _) = send(&mut sender, addr, &Method::PUT, &path, Some(&body)).await;
        assert_eq!(status, 200, "PUT {path}");
        latencies.push(started.elapsed());
    }
    latencies.sort();
    (latencies[latencies.len() / 2], latencies[latencies.len() * 99 / 100])
}

/// CPU seconds every `postgres` process on this machine has used so far.
fn postgres_cpu() -> f64 {
    let mut seconds = 0.0;
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let path = entry.path();
        if std::fs::read_to_string(path.join("comm")).is_ok_and(|comm| comm.trim() == "postgres") {
            seconds += cpu_at(&path);
        }
    }
    seconds
}

/// CPU seconds the processes `pids` (and their threads) have used so far.
fn cpu_of(pids: &[u32]) -> f64 {
    pids.iter().map(|pid| cpu_at(Path::new(&format!("/proc/{pid}")))).sum()
}

/// User and system CPU seconds of the process at `/proc/PID`.
fn cpu_at(proc: &Path) -> f64 {
    let Ok(stat) = std::fs::read_to_string(proc.join("stat")) else { return 0.0 };
    // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// Notification delays measured while `during` runs: a ping every 5 ms,
/// sent from one connection and heard on another.
async fn delays_during<T>(url: &str, during: impl std::future::Future<Output = T>) -> (T, Vec<Duration>) {
    let mut listener = sqlx::postgres::PgListener::connect(url).await.expect("listen");
    listener.listen("syncport_cache").await.expect("LISTEN");
    let mut sender = sqlx::PgConnection::connect(url).await.expect("connect");
    let pinging = async {
        let mut delays = Vec::new();
        let stop = Instant::now() + RUN;
        let mut n = 0u64;
        while Instant::now() < stop {
            n += 1;
            let payload = format!("bench:{n}");
            let sent = Instant::now();
            sqlx::query("SELECT pg_notify('syncport_cache', $1)")
                .bind(&payload)
                .execute(&mut sender)
                .await
                .expect("notify");
            loop {
                let heard = listener.recv().await.expect("a notification");
                if heard.payload() == payload {
                    delays.push(sent.elapsed());
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        delays
    };
    let (result, mut delays) = tokio::join!(during, pinging);
    delays.sort();
    (result, delays)
}

fn server(cpu: Option<usize>, data: &Path, url: &str, key: &str) -> Server {
    syncport_on(cpu, data, &dist(), &[("SYNCPORT_DATABASE_URL", url), ("SYNCPORT_SECRET_KEY", key)])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn run(admin_url: &str) {
    let name = format!("syncport_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let server_url = admin_url.rsplit_once('/').map_or(admin_url, |(s, _)| s);
    let url = format!("{server_url}/{name}");
    let key = SecretKey::generate_base64().expect("random");
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().expect("tempdir")).collect();

    // 1. One server, SQLite against PostgreSQL, unpinned, in rounds.
    let sqlite = syncport(dirs[0].path(), &dist(), &[]);
    let lite_books = prepare(sqlite.addr).await.books;
    let a = server(None, dirs[1].path(), &url, &key);
    let ids = prepare(a.addr).await;
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let lite = cases(&[sqlite.addr], &[sqlite.child.id()], &lite_books).await;
        rounds.push((lite, cases(&[a.addr], &[a.child.id()], &ids.books).await));
    }
    drop((sqlite, a));
    println!("| case ({CLIENTS} clients) | SQLite | PostgreSQL | PostgreSQL / SQLite (all {ROUNDS} rounds) |");
    println!("|---|---:|---:|---:|");
    let mut medians = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let ratio = |(lite, pg): &(Rate, Rate)| pg.per_second / lite.per_second;
        let mut of_case: Vec<(Rate, Rate)> = rounds.iter().map(|(lite, pg)| (lite[i], pg[i])).collect();
        of_case.sort_by(|x, y| ratio(x).total_cmp(&ratio(y)));
        let all: Vec<String> = of_case.iter().map(|r| format!("{:.0}%", 100.0 * ratio(r))).collect();
        let (lite, pg) = of_case[ROUNDS / 2];
        println!("| {case} | {:.0}/s | {:.0}/s | {} |", lite.per_second, pg.per_second, all.join(", "));
        medians.push((lite, pg));
    }
    println!();
    println!("| CPU per request (median round) | SQLite: server | PostgreSQL: server | PostgreSQL: database |");
    println!("|---|---:|---:|---:|");
    for (case, (lite, pg)) in CASES.iter().zip(medians) {
        println!("| {case} | {:.0} µs | {:.0} µs | {:.0} µs |", lite.server_us, pg.server_us, pg.postgres_us);
    }

    // 2. and 3. Pinned: one server on CPU 0, then two on CPUs 0 and 1.
    let a = server(Some(0), dirs[2].path(), &url, &key);
    once(a.addr, Method::GET, &format!("/api.rsc/v2/connections/{}", ids.books), None).await;
    let before = postgres_cpu();
    let one = cases(&[a.addr], &[a.child.id()], &ids.books).await;
    let one_mix = mix(&[a.addr], &ids).await;
    let one_cpu = postgres_cpu() - before;
    let one_put = put_latency(a.addr, &ids.writers[0]).await;
    let b = server(Some(1), dirs[3].path(), &url, &key);
    once(b.addr, Method::GET, &format!("/api.rsc/v2/connections/{}", ids.books), None).await;
    let before = postgres_cpu();
    let two = cases(&[a.addr, b.addr], &[a.child.id(), b.child.id()], &ids.books).await;
    let (two_mix, delays) = delays_during(&url, mix(&[a.addr, b.addr], &ids)).await;
    let two_cpu = postgres_cpu() - before;
    let two_put = put_latency(a.addr, &ids.writers[0]).await;
    println!();
    println!("| case ({CLIENTS} clients) | one server (CPU 0) | two servers (CPUs 0, 1) | ratio |");
    println!("|---|---:|---:|---:|");
    for (case, (one, two)) in CASES.iter().zip(one.iter().zip(two)) {
        let (one, two) = (one.per_second, two.per_second);
        println!("| {case} | {one:.0}/s | {two:.0}/s | {:.2} |", two / one);
    }
    println!(
        "| mix: `GET` / `PUT` ({MIX_PUTS} PUT clients per server) | {:.0}/s / {:.0}/s | {:.0}/s / {:.0}/s | {:.2} / {:.2} |",
        one_mix.gets,
        one_mix.puts,
        two_mix.gets,
        two_mix.puts,
        two_mix.gets / one_mix.gets,
        two_mix.puts / one_mix.puts
    );
    println!(
        "| mix: `PUT` latency p50 / p99 | {} / {} | {} / {} | |",
        ms(one_mix.put_p50),
        ms(one_mix.put_p99),
        ms(two_mix.put_p50),
        ms(two_mix.put_p99)
    );
    println!(
        "| `PUT` alone, one client: latency p50 / p99 | {} / {} | {} / {} | |",
        ms(one_put.0),
        ms(one_put.1),
        ms(two_put.0),
        ms(two_put.1)
    );
    let cases_time = 4.0 * RUN.as_secs_f64();
    println!(
        "| PostgreSQL CPU time, all cases and the mix ({cases_time:.0} s) | {one_cpu:.1} s | {two_cpu:.1} s | {:.2} |",
        two_cpu / one_cpu
    );
    println!();
    println!(
        "Notification delay during the two servers' mix: p50 {}, p99 {}, max {} ({} pings)",
        ms(delays[delays.len() / 2]),
        ms(delays[delays.len() * 99 / 100]),
        ms(delays[delays.len() - 1]),
        delays.len()
    );

    drop((a, b));
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.expect("drop database");
}

/// The names of [`cases`]' cases, in order.
const CASES: [&str; 3] = ["`GET /connections/{id}`", "`POST /connections/{id}/test`", "cached tables"];
