//! Several servers on one PostgreSQL database: throughput of
//! `GET /connections/{id}` and `POST /connections/{id}/test` through one
//! server, then through two servers on the same database at once.
//!
//! Needs PostgreSQL: `SYNCPORT_TEST_POSTGRES_URL` (the admin URL; the
//! benchmark makes and drops a database of its own). Run with
//! `cargo xtask plugins && cargo bench -p syncport --bench servers`.

mod support;

use hyper::Method;
use sqlx::Connection;
use std::path::Path;
use support::{Server, create_books, dist, load, once, syncport};
use syncport::secrets::SecretKey;

fn main() {
    let Ok(admin_url) = std::env::var("SYNCPORT_TEST_POSTGRES_URL") else {
        println!("skipped: set SYNCPORT_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    runtime.block_on(run(&admin_url));
}

/// A server on `url` with the shared `key`.
fn server(data: &Path, url: &str, key: &str) -> Server {
    syncport(data, &dist(), &[("SYNCPORT_DATABASE_URL", url), ("SYNCPORT_SECRET_KEY", key)])
}

async fn run(admin_url: &str) {
    let name = format!("syncport_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
    let server_url = admin_url.rsplit_once('/').map_or(admin_url, |(s, _)| s);
    let url = format!("{server_url}/{name}");
    let key = SecretKey::generate_base64().expect("random");
    let (data_a, data_b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));

    let a = server(data_a.path(), &url, &key);
    let id = create_books(a.addr).await;
    let get = format!("/api.rsc/v2/connections/{id}");
    let test = format!("/api.rsc/v2/connections/{id}/test");

    println!("| case | one server, 32 clients | two servers, 16 clients each | ratio |");
    println!("|---|---:|---:|---:|");
    let one_get = load(a.addr, Method::GET, &get, 32).await.0;
    let one_test = load(a.addr, Method::POST, &test, 32).await.0;
    let b = server(data_b.path(), &url, &key);
    once(b.addr, Method::GET, &get, None).await;
    let two = |method: Method, path: String| {
        let (a, b) = (a.addr, b.addr);
        async move {
            let (x, y) = tokio::join!(load(a, method.clone(), &path, 16), load(b, method, &path, 16));
            x.0 + y.0
        }
    };
    let two_get = two(Method::GET, get.clone()).await;
    let two_test = two(Method::POST, test.clone()).await;
    for (case, one, two) in
        [("`GET /connections/{id}`", one_get, two_get), ("`POST /connections/{id}/test`", one_test, two_test)]
    {
        println!("| {case} | {one:.0}/s | {two:.0}/s | {:.2} |", two / one);
    }

    drop((a, b));
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.expect("drop database");
}
