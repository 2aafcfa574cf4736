//! What the HTTP benchmarks share: starting servers as processes, and a
//! load generator of keep-alive HTTP/1.1 clients (hyper, no pipelining).

#![allow(dead_code)] // Each benchmark uses part of it.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The admin token the benchmarks' servers are started with (first start).
pub const TOKEN: &str = "spt_benchmark-admin-token-not-secret";
/// How long each case runs.
pub const RUN: Duration = Duration::from_secs(5);

/// A server process and the address it printed.
pub struct Server {
    /// The process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `command` and waits for the line that says where it listens;
/// the rest of its output is drained so it never blocks on a full pipe.
pub fn start(mut command: Command, marker: &str) -> Server {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("spawn server");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = lines.by_ref().map_while(Result::ok).find_map(|line| {
        let rest = line.split_once(marker)?.1;
        rest.trim().trim_start_matches("http://").split('/').next()?.parse().ok()
    });
    let Some(addr) = addr else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server exited before listening");
    };
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, addr }
}

/// `syncport serve` on `data` with the bundled connectors in `dist` and
/// the extra environment `env`.
pub fn syncport(data: &Path, dist: &Path, env: &[(&str, &str)]) -> Server {
    syncport_on(None, data, dist, env)
}

/// [`syncport`], pinned to CPU `cpu` (`taskset -c`) when given.
pub fn syncport_on(cpu: Option<usize>, data: &Path, dist: &Path, env: &[(&str, &str)]) -> Server {
    let binary = env!("CARGO_BIN_EXE_syncport");
    let mut command = match cpu {
        Some(cpu) => {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", &cpu.to_string(), binary]);
            taskset
        }
        None => Command::new(binary),
    };
    command.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"]).arg(data).arg("--connectors-dir").arg(dist);
    command.env("RUST_LOG", "warn").env("SYNCPORT_ADMIN_TOKEN", TOKEN).envs(env.iter().copied());
    start(command, "Syncport listening on ")
}

/// Sends one request on a fresh connection and returns the JSON answer;
/// while the server is still loading its connectors after its start (503
/// `connector_loading`), asks again, for up to a minute.
pub async fn once(addr: SocketAddr, method: Method, path: &str, body: Option<Value>) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let mut sender = connect(addr).await;
        let (status, bytes) = send(&mut sender, addr, &method, path, body.as_ref()).await;
        let loading = status == 503 && String::from_utf8_lossy(&bytes).contains("connector_loading");
        if loading && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        }
        assert!(status < 300, "{method} {path}: {status} {}", String::from_utf8_lossy(&bytes));
        return serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    }
}

/// A client connection.
pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// Creates the QuickBooks connection `Books` the cases use; its id.
pub async fn create_books(addr: SocketAddr) -> String {
    let body = serde_json::json!({"name": "Books", "connector": "QuickBooks", "connector_version": "2.0.0", "properties": {
        "CompanyId": "9130357766", "OAuthClientId": "id", "OAuthClientSecret": "secret", "OAuthAccessToken": "token"}});
    let created = once(addr, Method::POST, "/api.rsc/v2/workspaces/default/connections", Some(body)).await;
    created["id"].as_str().expect("id").to_string()
}

/// One keep-alive HTTP/1.1 connection.
pub async fn connect(addr: SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(conn);
    sender
}

/// Sends one request on `sender`; its status and body.
pub async fn send(
    sender: &mut Sender,
    addr: SocketAddr,
    method: &Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Bytes) {
    let bytes = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .header("x-cdata-authtoken", TOKEN)
        .header("content-type", "application/json")
        .body(Full::new(bytes))
        .expect("request");
    sender.ready().await.expect("ready");
    let response = sender.send_request(request).await.expect("response");
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    (status, bytes)
}

/// Requests per second and median latency of `workers` keep-alive clients
/// sending `method path` for `RUN`.
pub async fn load(addr: SocketAddr, method: Method, path: &str, workers: usize) -> (f64, Duration) {
    let deadline = Instant::now() + RUN;
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (method, path) = (method.clone(), path.to_string());
            tokio::spawn(async move {
                let mut sender = connect(addr).await;
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let (status, _) = send(&mut sender, addr, &method, &path, None).await;
                    assert!(status < 300, "{method} {path}: {status}");
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("worker"));
    }
    latencies.sort();
    (latencies.len() as f64 / RUN.as_secs_f64(), latencies[latencies.len() / 2])
}

/// The bundled connectors, built by `cargo xtask plugins`.
pub fn dist() -> PathBuf {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../plugins/dist/connectors");
    assert!(dist.exists(), "{} is missing: run `cargo xtask bench`, which builds the plugins", dist.display());
    dist
}
