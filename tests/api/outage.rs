//! A database that stops answering: requests that need it fail with 503
//! `database_unavailable` (and `Retry-After`), readiness says so, nothing
//! is lost, and the server recovers on its own once the database answers
//! again. PostgreSQL only (the database is reached through a TCP gate the
//! test closes and opens); `#[ignore]`d without it, as every `_on_postgres`
//! test.

use super::app::postgres_only;
use super::{assert_error, id_of, json, spawn_app_with};
use crate::helpers::eventually;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP forwarder to the database that can be closed (every connection
/// through it cut, new ones dropped at once) and opened again.
struct Gate {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
    _accept: AbortOnDrop,
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Gate {
    /// A gate, open, forwarding to `target` (`host:port`).
    async fn to(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let open = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (is_open, all) = (open.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !is_open.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is closed at once
                }
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                all.lock().expect("links").push(link);
            }
        });
        Self { addr, open, links, _accept: AbortOnDrop(accept) }
    }

    /// Cuts every connection through the gate and refuses new ones.
    fn close(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.links.lock().expect("links").drain(..).for_each(|link| link.abort());
    }

    /// Lets connections through again.
    fn reopen(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

/// `host:port` of a `postgres://user@host:port/db?...` URL.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").expect("a URL").1;
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().expect("host:port")
}

#[tokio::test]
#[ignore = "needs PostgreSQL (the database behind a gate): `cargo xtask test` runs it when SYNCPORT_TEST_POSTGRES_URL is set"]
async fn a_database_that_stops_answering_gives_503_and_the_server_recovers_on_its_own_on_postgres() {
    postgres_only();
    let admin = super::postgres::backend().expect("PostgreSQL");
    let gate = Gate::to(host_port(&admin).to_string()).await;
    let through = gate.addr.to_string();
    let app = spawn_app_with(|config| {
        let url = config.database_url.clone().expect("a PostgreSQL database");
        config.database_url = Some(url.replacen(host_port(&url), &through, 1));
    })
    .await;
    let id = id_of(&app.create_quickbooks("Books").await);

    gate.close();

    // The principal cache may answer for the token a few seconds more; the
    // connection itself needs the database.
    let (status, body) = json(app.get_connection(&id).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("database_unavailable")), "{body}");
    let response = app.update_connection(&id, &json!({"name": "Ledger"})).await;
    assert_eq!(response.headers().get("retry-after").map(|v| v.to_str().expect("ascii")), Some("2"));
    assert_error(response, 503, "database_unavailable").await;
    assert_error(app.anonymous(reqwest::Method::GET, "/ready").send().await.expect("sent"), 503, "not_ready").await;

    gate.reopen();

    eventually(Duration::from_secs(30), "the server answers again", || async {
        let (status, body) = json(app.get_connection(&id).await).await;
        if status == 200 { Ok(body) } else { Err(format!("{status} {body}")) }
    })
    .await;
    assert_eq!(app.get_ok(&id).await["name"], "Books", "the refused update wrote nothing");
    app.update_ok(&id, &json!({"name": "Ledger"})).await;
    assert_eq!(app.get_ok(&id).await["name"], "Ledger");
}
