//! The real `syncport` binary as a child process, so a test can SIGKILL it,
//! restart it on the same data directory and read its peak memory.

use crate::helpers::{dist, eventually};
use reqwest::Method;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The header that carries the API token (the agreed authentication contract).
pub const TOKEN_HEADER: &str = "x-cdata-authtoken";

/// How long a start may take: the first start in a fresh data directory
/// compiles the components it installs.
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// A running `syncport serve` child process.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/api.rsc/v2`
    pub base: String,
    /// A client that sends the token on every request and gives up after 30 s.
    pub client: reqwest::Client,
}

/// A fresh random admin token.
pub fn random_token() -> String {
    format!("reliability-{}", uuid::Uuid::new_v4().simple())
}

/// Copies `files` (paths under `plugins/dist/`) into `dir`, for `--connectors-dir`.
pub fn bundle(dir: &Path, files: &[&str]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("bundle dir");
    for file in files {
        let name = file.rsplit('/').next().expect("file name");
        std::fs::copy(dist().join(file), dir.join(name))
            .unwrap_or_else(|e| panic!("{file}: {e}; run the tests with `cargo xtask test`"));
    }
    dir.to_path_buf()
}

/// Seeds `data_dir/cache` with the compiled components the rest of the test
/// run already cached (same code, same engine), so a first start does not
/// spend its time in Cranelift. Entries that do not fit are recompiled.
pub fn seed_compile_cache(data_dir: &Path) {
    let shared = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache");
    let cache = data_dir.join("cache");
    std::fs::create_dir_all(&cache).expect("cache dir");
    let Ok(entries) = std::fs::read_dir(&shared) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "cwasm") {
            let _ = std::fs::copy(&path, cache.join(entry.file_name()));
        }
    }
}

impl Server {
    /// Starts `syncport serve` on a free loopback port with `data_dir`,
    /// installing the components in `connectors`, with `SYNCPORT_ADMIN_TOKEN`
    /// = `token` and `extra` flags; returns once it listens.
    pub async fn start(data_dir: &Path, connectors: &Path, token: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syncport"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--connectors-dir")
            .arg(connectors)
            .args(extra)
            .env("SYNCPORT_ADMIN_TOKEN", token)
            .env("RUST_LOG", "warn")
            .env_remove("SYNCPORT_LISTEN")
            .env_remove("SYNCPORT_DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("syncport starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel::<String>();
        // Reads the banner, then keeps draining stdout so the server never
        // blocks on a full pipe; ends when the process does.
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !sent && let Some(rest) = line.strip_prefix("Syncport listening on ") {
                    sent = tx.send(rest.trim().to_string()).is_ok();
                }
            }
        });
        let base = tokio::task::spawn_blocking(move || rx.recv_timeout(START_TIMEOUT))
            .await
            .expect("banner reader")
            .unwrap_or_else(|e| {
                let _ = child.kill();
                let status = child.wait();
                panic!("syncport did not print its listen address ({e}); exit: {status:?}")
            });
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(TOKEN_HEADER, token.parse().expect("a header value"));
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let server = Server { child, base, client };
        server.wait_for_connectors(connectors).await;
        server
    }

    /// Waits until the server lists at least as many connector versions as
    /// `connectors` holds components: it listens at once and loads them in
    /// the background (docs/runtime.md, "Starting").
    async fn wait_for_connectors(&self, connectors: &Path) {
        let bundled = std::fs::read_dir(connectors)
            .map(|entries| entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "wasm")).count())
            .unwrap_or(0);
        eventually(START_TIMEOUT, "the connectors load", || async {
            let listed = match self.request(Method::GET, "/connectors").send().await {
                Ok(response) => response.json::<serde_json::Value>().await.ok(),
                Err(_) => None,
            };
            let versions = listed
                .as_ref()
                .and_then(|l| l["value"].as_array())
                .map(|c| c.iter().map(|c| c["versions"].as_array().map_or(0, Vec::len)).sum::<usize>())
                .unwrap_or(0);
            if versions >= bundled { Ok(()) } else { Err(format!("{versions} of {bundled} loaded: {listed:?}")) }
        })
        .await;
    }

    /// A request to `path` (relative to the API base), with the token.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process is still running.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGKILL and reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The peak resident set size so far (`VmHWM`), in bytes (Linux only).
    pub fn peak_rss(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmHWM:").map(|kib| kib * 1024)
    }

    /// The current resident set size (`VmRSS`), in bytes (Linux only).
    pub fn rss(&self) -> Option<u64> {
        proc_status_kib(self.pid(), "VmRSS:").map(|kib| kib * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `kB` field of `/proc/PID/status`.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// Sends, and reads the answer as JSON (`null` when it is not JSON); no
/// answer at all is status 0.
pub async fn send(request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
        }
        Err(e) => (0, serde_json::Value::String(e.to_string())),
    }
}

/// Creates a connection on `server`; its id.
pub async fn create(server: &Server, body: &serde_json::Value) -> String {
    let (status, json) = send(server.request(Method::POST, "/workspaces/default/connections").json(body)).await;
    assert_eq!(status, 201, "create {body}: {json}");
    crate::api::id_of(&json)
}

/// Fails listing the first ten of `wrong`, the answers a load test found
/// wrong (each described), if there is any.
pub fn assert_no_wrong_answers(wrong: &[String]) {
    assert!(wrong.is_empty(), "{} wrong answers, e.g. {:#?}", wrong.len(), &wrong[..wrong.len().min(10)]);
}
