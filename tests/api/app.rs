//! `spawn_app()`: the real server on a random port with its own data
//! directory, and a `TestApp` with one method per endpoint.

use super::postgres;
use crate::helpers::dist;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use syncport::runtime::{Compiler, Limits};
use syncport::secrets::{KeyConfig, SecretKey};
use syncport::server::{self, ServerConfig};

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT/api.rsc/v2`
    pub base: String,
    /// The server's data directory (deleted on drop).
    pub data: tempfile::TempDir,
    /// The first admin's token; every request of `request` sends it.
    pub token: String,
    client: reqwest::Client,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The test's own PostgreSQL database, dropped with the app.
    _postgres: Option<postgres::TestDatabase>,
    /// The secret key of a server started by [`spawn_shared`].
    shared_key: Option<String>,
    /// The server's connector registry (to wait for its start-up load).
    pub registry: std::sync::Arc<syncport::registry::Registry>,
    /// The certificate an HTTPS server started with (`base` is then
    /// `https://…` and `request` trusts it).
    pub tls: Option<syncport::server::tls::Served>,
    /// Where it serves `GET /metrics` with no token (`metrics_listen`).
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// The server's database.
    pub store: syncport::store::Store,
}

/// Starts a server with the bundled connectors and the test fixtures.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Asserts that the suite runs on SQLite, for a test that checks SQLite
/// itself (its files, or a restart on one data directory). Such a test's
/// name ends in `_on_sqlite`: the PostgreSQL run of `cargo xtask test`
/// filters them out with `--skip _on_sqlite`, so one that runs there anyway
/// fails and says so instead of passing without checking anything.
pub fn sqlite_only() {
    let test = std::thread::current().name().unwrap_or_default().to_string();
    assert!(
        !test.contains("::") || test.ends_with("_on_sqlite"),
        "{test} checks SQLite only: its name must end in `_on_sqlite` for the PostgreSQL run to skip it"
    );
    assert!(
        postgres::backend().is_none(),
        "{test} checks SQLite only and the suite runs on PostgreSQL: skip it with `--skip _on_sqlite` \
         (as `cargo xtask test` does), or run it without SYNCPORT_TEST_BACKEND=postgres"
    );
}

/// Asserts that the suite runs on PostgreSQL, for a test that needs it
/// (several servers sharing a database). Such a test is `#[ignore]`d with
/// a reason, so a plain `cargo test` reports it as ignored; the PostgreSQL
/// run of `cargo xtask test` includes it. Run explicitly without
/// PostgreSQL, it fails and says how to run it.
pub fn postgres_only() {
    assert!(
        postgres::backend().is_some(),
        "this test needs PostgreSQL: run it with SYNCPORT_TEST_BACKEND=postgres and \
         SYNCPORT_TEST_POSTGRES_URL=postgres://USER@HOST:PORT/DB (`cargo xtask test` does when \
         SYNCPORT_TEST_POSTGRES_URL is set)"
    );
}

/// Two servers on one PostgreSQL database (each with its own data
/// directory; one secret key; the first admin's token works on both). Only
/// on PostgreSQL: see [`postgres_only`].
pub async fn spawn_pair() -> (TestApp, TestApp) {
    spawn_pair_with(|_| {}).await
}

/// [`spawn_pair`] with `configure` applied to both servers' configuration.
pub async fn spawn_pair_with(configure: impl Fn(&mut ServerConfig) + Clone) -> (TestApp, TestApp) {
    let a = spawn_shared_with(configure.clone()).await;
    let b = a.spawn_peer_with(configure).await;
    (a, b)
}

/// A server on its own PostgreSQL database with a secret key others can
/// share ([`TestApp::spawn_peer`]). Only on PostgreSQL: see [`postgres_only`].
pub async fn spawn_shared() -> TestApp {
    spawn_shared_with(|_| {}).await
}

/// [`spawn_shared`] after `configure` adjusts the configuration.
pub async fn spawn_shared_with(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    postgres_only();
    let key = SecretKey::generate_base64().expect("random");
    let keys = key_config(&key);
    let mut app = spawn_app_with(move |c| {
        c.secret_keys = keys;
        configure(c);
    })
    .await;
    app.shared_key = Some(key);
    app
}

fn key_config(key: &str) -> KeyConfig {
    KeyConfig { key: Some(SecretKey::from_base64(key, "test key").expect("key")), previous: vec![] }
}

/// What a browser sends as `Accept` when it follows a redirect.
pub const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

/// The components jobs need, bundled beside [`spawn_app`]'s: QuickBooks
/// and Salesforce 2.0.0 (WIT 0.2.0 sources) and the CSV destination.
pub const JOB_CONNECTORS: &[&str] =
    &["connectors/quickbooks-2.0.0.wasm", "connectors/salesforce-2.0.0.wasm", "connectors/csv-1.0.0.wasm"];

/// [`spawn_app`] with [`JOB_CONNECTORS`] too, and job leases of `lease`.
pub async fn spawn_jobs_app(lease: Duration) -> TestApp {
    spawn_app_with(|c| jobs_config(c, lease)).await
}

/// Bundles [`JOB_CONNECTORS`] and sets the job lease.
pub fn jobs_config(config: &mut ServerConfig, lease: Duration) {
    bundle(config, JOB_CONNECTORS);
    config.job_lease = lease;
}

/// Copies `files` of `plugins/dist/` into the configuration's bundled directory.
pub fn bundle(config: &ServerConfig, files: &[&str]) {
    let bundled = config.bundled_dir.clone().expect("spawn_app bundles connectors");
    for file in files {
        let name = file.rsplit('/').next().expect("file name");
        std::fs::copy(dist().join(file), bundled.join(name))
            .unwrap_or_else(|e| panic!("{file}: {e}; run the tests with `cargo xtask test`"));
    }
}

/// The connectors that reach out over HTTP (WIT 0.3.0), bundled beside
/// [`spawn_app`]'s: QuickBooks and Salesforce 3.0.0, and the CSV
/// destination for their jobs.
pub const EGRESS_CONNECTORS: &[&str] =
    &["connectors/quickbooks-3.0.0.wasm", "connectors/salesforce-3.0.0.wasm", "connectors/csv-1.0.0.wasm"];

/// [`spawn_app`] with [`EGRESS_CONNECTORS`] too, letting connectors reach
/// the private addresses `allow` (the tests' mocks); see [`egress_config`].
pub async fn spawn_egress_app(allow: &[std::net::SocketAddr]) -> TestApp {
    spawn_egress_app_with(allow, |_| {}).await
}

/// [`spawn_egress_app`] after `configure` adjusts the configuration.
pub async fn spawn_egress_app_with(
    allow: &[std::net::SocketAddr],
    configure: impl FnOnce(&mut ServerConfig),
) -> TestApp {
    spawn_app_with(|c| {
        egress_config(c, allow);
        configure(c);
    })
    .await
}

/// Bundles [`EGRESS_CONNECTORS`], allows `allow` (`--egress-allow-private`),
/// and gives each call 10 s (the suite's usual 2 s leaves little room for
/// a call that waits on a mock in a loaded debug build) and each request
/// 1 s, so a request a test makes hang ends on the request's limit, well
/// before the call's.
pub fn egress_config(config: &mut ServerConfig, allow: &[std::net::SocketAddr]) {
    bundle(config, EGRESS_CONNECTORS);
    config.limits = config.limits.clone().with_timeout(Duration::from_secs(10));
    config.limits.egress.allow_private = allow.to_vec();
    config.limits.egress.request_timeout = Duration::from_secs(1);
}

/// Starts a server after `configure` adjusts its configuration, and waits
/// until its connector components are loaded (they load in the background).
pub async fn spawn_app_with(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    let app = spawn_app_listening(configure).await;
    assert!(app.registry.wait_started(Duration::from_secs(120)).await, "the connectors load");
    app
}

/// Starts a server after `configure` adjusts its configuration, and returns
/// as soon as it listens (its connectors may still be loading).
pub async fn spawn_app_listening(configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
    capture_server_log();
    let data = tempfile::tempdir().expect("data dir");
    let bundled = data.path().join("bundled");
    std::fs::create_dir_all(&bundled).expect("bundled dir");
    for file in [
        "connectors/quickbooks-1.0.0.wasm",
        "connectors/quickbooks-1.1.0.wasm",
        "connectors/salesforce-1.0.0.wasm",
        "fixtures/misbehave.wasm",
        "fixtures/hostile.wasm",
        "fixtures/stub.wasm",
        "fixtures/wide.wasm",
    ] {
        let name = file.rsplit('/').next().expect("file name");
        std::fs::copy(dist().join(file), bundled.join(name))
            .unwrap_or_else(|e| panic!("{file}: {e}; run the tests with `cargo xtask test`"));
    }
    let mut config = ServerConfig {
        bundled_dir: Some(bundled),
        compile_cache: Some(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("component-cache")),
        limits: Limits::default().with_timeout(Duration::from_secs(2)),
        // As `syncport serve` does: compiles in a child of the real binary.
        compiler: Compiler::Subprocess(PathBuf::from(env!("CARGO_BIN_EXE_syncport"))),
        ..ServerConfig::new(data.path().join("data"))
    };
    let postgres = match postgres::backend() {
        Some(admin_url) => {
            let database = postgres::TestDatabase::create(&admin_url).await;
            config.database_url = Some(database.url.clone());
            Some(database)
        }
        None => None,
    };
    configure(&mut config);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let running = server::start(&config, "127.0.0.1:0".parse().expect("addr"), async {
        let _ = rx.await;
    })
    .await
    .expect("the server starts");
    let client = match &running.tls {
        Some(tls) => {
            let certificate = reqwest::Certificate::from_pem(tls.certificate_pem.as_bytes()).expect("its certificate");
            reqwest::Client::builder().add_root_certificate(certificate).build().expect("a client")
        }
        None => reqwest::Client::new(),
    };
    TestApp {
        base: format!("{}/api.rsc/v2", running.url()),
        data,
        // A restart on a data directory keeps the admin the configured token made.
        token: running
            .admin_token
            .or_else(|| config.admin_token.clone())
            .expect("a new data directory creates the admin"),
        client,
        shutdown: Some(tx),
        _postgres: postgres,
        shared_key: None,
        registry: running.registry,
        tls: running.tls,
        metrics_addr: running.metrics_addr,
        store: running.store,
    }
}

impl TestApp {
    /// Another server (its own data directory) on this one's database and
    /// key, from [`spawn_shared`]; the admin token works on both.
    pub async fn spawn_peer(&self) -> TestApp {
        self.spawn_peer_with(|_| {}).await
    }

    /// [`TestApp::spawn_peer`] after `configure` adjusts the configuration.
    pub async fn spawn_peer_with(&self, configure: impl FnOnce(&mut ServerConfig)) -> TestApp {
        let key = self.shared_key.clone().expect("a server from spawn_shared");
        let url = self._postgres.as_ref().map(|db| db.url.clone());
        let token = self.token.clone();
        spawn_app_with(move |c| {
            configure(c);
            c.secret_keys = key_config(&key);
            c.database_url = url;
            c.admin_token = Some(token);
        })
        .await
    }

    /// Asks the server to shut down, as SIGTERM does: it stops accepting
    /// connections and finishes the requests in flight.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// A request to `path` (relative to the API base).
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request_as(&self.token, method, path)
    }

    /// A request to `path` with another user's token.
    pub fn request_as(&self, token: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.anonymous(method, path).header("x-cdata-authtoken", token)
    }

    /// A request to `path` with no credentials.
    pub fn anonymous(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    /// `GET /workspaces`
    pub async fn list_workspaces(&self) -> Response {
        self.send(Method::GET, "/workspaces", None).await
    }

    /// `POST /workspaces`
    pub async fn create_workspace(&self, body: &Value) -> Response {
        self.send(Method::POST, "/workspaces", Some(body)).await
    }

    /// `GET /workspaces/{id}`
    pub async fn get_workspace(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("/workspaces/{id}"), None).await
    }

    /// `DELETE /workspaces/{id}`
    pub async fn delete_workspace(&self, id: &str) -> Response {
        self.send(Method::DELETE, &format!("/workspaces/{id}"), None).await
    }

    /// `GET /workspaces/{ws}/connections?{query}`
    pub async fn list_connections(&self, workspace: &str, query: &str) -> Response {
        self.send(Method::GET, &format!("/workspaces/{workspace}/connections?{query}"), None).await
    }

    /// `POST /workspaces/{ws}/connections`
    pub async fn create_connection(&self, workspace: &str, body: &Value) -> Response {
        self.send(Method::POST, &format!("/workspaces/{workspace}/connections"), Some(body)).await
    }

    /// `GET /connections/{id}`
    pub async fn get_connection(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("/connections/{id}"), None).await
    }

    /// `PUT /connections/{id}`
    pub async fn update_connection(&self, id: &str, body: &Value) -> Response {
        self.send(Method::PUT, &format!("/connections/{id}"), Some(body)).await
    }

    /// `DELETE /connections/{id}`
    pub async fn delete_connection(&self, id: &str) -> Response {
        self.send(Method::DELETE, &format!("/connections/{id}"), None).await
    }

    /// `POST /connections/{id}/test`
    pub async fn test_connection(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/test"), None).await
    }

    /// `POST /connections/{id}/tables?{query}`
    pub async fn list_tables(&self, id: &str, query: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/tables?{query}"), None).await
    }

    /// `GET /connections/{id}/tables/{table}/columns?{query}`; `table` is sent as given (encode it yourself).
    pub async fn list_columns(&self, id: &str, table: &str, query: &str) -> Response {
        self.send(Method::GET, &format!("/connections/{id}/tables/{table}/columns?{query}"), None).await
    }

    /// `POST /connections/{id}/reset-metadata`
    pub async fn reset_metadata(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/reset-metadata"), None).await
    }

    /// `POST /connections/{id}/reset-credentials`
    pub async fn reset_credentials(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/reset-credentials"), None).await
    }

    /// `POST /connections/{id}/oauth/authorize` (empty body)
    pub async fn authorize(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/oauth/authorize"), None).await
    }

    /// `GET /oauth/callback?{query}`, anonymous, as a browser sends it
    /// (`Accept: text/html,...`); `query` is sent as given.
    pub async fn oauth_callback(&self, query: &str) -> Response {
        self.oauth_callback_accepting(query, BROWSER_ACCEPT).await
    }

    /// `GET /oauth/callback?{query}`, anonymous, with `Accept: {accept}`.
    pub async fn oauth_callback_accepting(&self, query: &str, accept: &str) -> Response {
        let request = self.anonymous(Method::GET, &format!("/oauth/callback?{query}")).header("accept", accept);
        request.send().await.expect("request sent")
    }

    /// Where the server's OAuth callback is by default: its public URL (the
    /// bound address) and `/api.rsc/v2/oauth/callback`.
    pub fn callback_url(&self) -> String {
        format!("{}/oauth/callback", self.base)
    }

    /// `GET /connections/{id}/logs`
    pub async fn list_logs(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("/connections/{id}/logs"), None).await
    }

    /// `GET /connections/{id}/tables?{query}` (the read also answers GET)
    pub async fn list_tables_with_get(&self, id: &str, query: &str) -> Response {
        self.send(Method::GET, &format!("/connections/{id}/tables?{query}"), None).await
    }

    /// `POST /connections/{id}/logs/{name}/download`; `name` is sent as given (encode it yourself).
    pub async fn download_log(&self, id: &str, name: &str) -> Response {
        self.send(Method::POST, &format!("/connections/{id}/logs/{name}/download"), None).await
    }

    /// `GET /connections/{id}/logs/{name}/download` (the read also answers GET)
    pub async fn download_log_with_get(&self, id: &str, name: &str) -> Response {
        self.send(Method::GET, &format!("/connections/{id}/logs/{name}/download"), None).await
    }

    /// `method path` with a raw body and content type (none when `None`).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        let mut request = self.request(method, path).body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        request.send().await.expect("request sent")
    }

    /// `GET /connectors`
    pub async fn list_connectors(&self) -> Response {
        self.send(Method::GET, "/connectors", None).await
    }

    /// `POST /connectors` with a component and, optionally, its signature.
    pub async fn install_connector(&self, bytes: Vec<u8>, signature: Option<&str>) -> Response {
        let mut request = self.request(Method::POST, "/connectors").header("content-type", "application/wasm");
        if let Some(signature) = signature {
            request = request.header("x-syncport-signature", signature);
        }
        request.body(bytes).send().await.expect("request sent")
    }

    /// `GET /connectors/{name}`
    pub async fn get_connector(&self, name: &str) -> Response {
        self.send(Method::GET, &format!("/connectors/{name}"), None).await
    }

    /// `GET /connectors/{name}/versions/{version}`
    pub async fn get_connector_version(&self, name: &str, version: &str) -> Response {
        self.send(Method::GET, &format!("/connectors/{name}/versions/{version}"), None).await
    }

    /// `DELETE /connectors/{name}/versions/{version}`
    pub async fn remove_connector_version(&self, name: &str, version: &str) -> Response {
        self.send(Method::DELETE, &format!("/connectors/{name}/versions/{version}"), None).await
    }

    /// `GET /workspaces/{ws}/jobs`
    pub async fn list_jobs(&self, workspace: &str) -> Response {
        self.send(Method::GET, &format!("/workspaces/{workspace}/jobs"), None).await
    }

    /// `POST /workspaces/{ws}/jobs`
    pub async fn create_job(&self, workspace: &str, body: &Value) -> Response {
        self.send(Method::POST, &format!("/workspaces/{workspace}/jobs"), Some(body)).await
    }

    /// `GET /jobs/{id}`
    pub async fn get_job(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("/jobs/{id}"), None).await
    }

    /// `PUT /jobs/{id}`
    pub async fn update_job(&self, id: &str, body: &Value) -> Response {
        self.send(Method::PUT, &format!("/jobs/{id}"), Some(body)).await
    }

    /// `DELETE /jobs/{id}`
    pub async fn delete_job(&self, id: &str) -> Response {
        self.send(Method::DELETE, &format!("/jobs/{id}"), None).await
    }

    /// `POST /jobs/{id}/execute`
    pub async fn execute_job(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/jobs/{id}/execute"), None).await
    }

    /// `POST /jobs/{id}/cancel`
    pub async fn cancel_job(&self, id: &str) -> Response {
        self.send(Method::POST, &format!("/jobs/{id}/cancel"), None).await
    }

    /// `GET /jobs/{id}/status`
    pub async fn job_status(&self, id: &str) -> Response {
        self.send(Method::GET, &format!("/jobs/{id}/status"), None).await
    }

    /// `GET /jobs/{id}/history?{query}`
    pub async fn job_history(&self, id: &str, query: &str) -> Response {
        self.send(Method::GET, &format!("/jobs/{id}/history?{query}"), None).await
    }

    /// `GET /metrics`
    pub async fn metrics(&self) -> Response {
        self.send(Method::GET, "/metrics", None).await
    }

    /// `GET /openapi.json`
    pub async fn openapi(&self) -> Response {
        self.send(Method::GET, "/openapi.json", None).await
    }

    /// Creates a QuickBooks connection in `default` that tests successfully; its JSON.
    pub async fn create_quickbooks(&self, name: &str) -> Value {
        self.create_ok("default", &quickbooks_body(name)).await
    }

    /// Creates a Misbehave connection in `default` with `Mode` = `mode`,
    /// `Password` = `password` and `logfile_verbosity` = `verbosity`; its id.
    pub async fn create_misbehave(&self, name: &str, mode: &str, password: &str, verbosity: &str) -> String {
        let body = json!({
            "name": name,
            "connector": "Misbehave",
            "properties": {"Mode": mode, "Password": password},
            "settings": {"logfile_verbosity": verbosity}
        });
        id_of(&self.create_ok("default", &body).await)
    }

    /// Updates a connection, asserting 200; its JSON.
    pub async fn update_ok(&self, id: &str, body: &Value) -> Value {
        let (status, json) = json(self.update_connection(id, body).await).await;
        assert_eq!(status, 200, "update {body}: {json}");
        json
    }

    /// Reads a connection, asserting 200; its JSON.
    pub async fn get_ok(&self, id: &str) -> Value {
        let (status, json) = json(self.get_connection(id).await).await;
        assert_eq!(status, 200, "get {id}: {json}");
        json
    }

    /// Tests a connection, asserting 200; the result.
    pub async fn test_ok(&self, id: &str) -> Value {
        let (status, json) = json(self.test_connection(id).await).await;
        assert_eq!(status, 200, "test {id}: {json}");
        json
    }

    /// Lists tables, asserting 200; the tables.
    pub async fn tables_ok(&self, id: &str, query: &str) -> Vec<Value> {
        let (status, json) = json(self.list_tables(id, query).await).await;
        assert_eq!(status, 200, "tables {id}?{query}: {json}");
        json["value"].as_array().expect("value").clone()
    }

    /// The names of the listed connections, in order.
    pub async fn connection_names(&self, workspace: &str, query: &str) -> Vec<String> {
        let (status, json) = json(self.list_connections(workspace, query).await).await;
        assert_eq!(status, 200, "list {workspace}?{query}: {json}");
        names(&json["value"])
    }

    /// Every log file of a connection, downloaded through the API and joined.
    pub async fn log_text(&self, id: &str) -> String {
        let (status, list) = json(self.list_logs(id).await).await;
        assert_eq!(status, 200, "logs {id}: {list}");
        let mut text = String::new();
        for file in list["value"].as_array().expect("value") {
            let response = self.download_log(id, file["name"].as_str().expect("name")).await;
            assert_eq!(response.status(), 200);
            text.push_str(&response.text().await.expect("log text"));
        }
        text
    }

    /// The outcomes of `operation` in the connection's logs, oldest first
    /// (`50 items`, `50 items from the cache`, ...).
    pub async fn log_outcomes(&self, id: &str, operation: &str) -> Vec<String> {
        let marker = format!("[syncport] {operation} ");
        self.log_text(id)
            .await
            .lines()
            .filter_map(|line| line.split_once(&marker).map(|(_, rest)| rest))
            .filter_map(|rest| rest.split_once("): ").map(|(_, outcome)| outcome.to_string()))
            .collect()
    }

    /// Every stored connection log line: the files under the data
    /// directory, or on PostgreSQL the entries in the database.
    pub async fn stored_logs(&self) -> String {
        if let Some(database) = &self._postgres {
            let rows = sqlx::query("SELECT text FROM connection_log_entries ORDER BY written_at")
                .fetch_all(&database.pool().await)
                .await
                .expect("log entries");
            return rows.iter().map(|r| sqlx::Row::get::<String, _>(r, 0)).collect();
        }
        fn walk(dir: &std::path::Path, out: &mut String) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push_str(&String::from_utf8_lossy(&std::fs::read(&path).expect("log file")));
                }
            }
        }
        let mut out = String::new();
        walk(&self.data.path().join("data/logs"), &mut out);
        out
    }

    /// A pool on the app's own PostgreSQL database, to look behind the
    /// server; `None` on SQLite.
    pub async fn postgres_pool(&self) -> Option<sqlx::PgPool> {
        match &self._postgres {
            Some(database) => Some(database.pool().await),
            None => None,
        }
    }

    /// Takes the database's lock on job `job`'s row, behind the server's
    /// back, and holds it until the returned connection is dropped:
    /// PostgreSQL's row lock (`SELECT ... FOR UPDATE`), or on SQLite the
    /// whole file's write lock (`BEGIN IMMEDIATE`). Every write to that row
    /// (a run's lease renewals among them) waits meanwhile.
    pub async fn lock_job_row(&self, job: &str) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = match &self._postgres {
            Some(database) => database.url.clone(),
            None => format!("sqlite://{}", self.data.path().join("data/syncport.db").display()),
        };
        let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.expect("connect");
        let begin = if self._postgres.is_some() { "BEGIN" } else { "BEGIN IMMEDIATE" };
        sqlx::query(begin).execute(&mut connection).await.expect("begin");
        let locked = sqlx::query("SELECT id FROM jobs WHERE id = $1 FOR UPDATE");
        let locked = if self._postgres.is_some() { locked } else { sqlx::query("SELECT id FROM jobs WHERE id = $1") };
        let rows = locked.bind(job).fetch_all(&mut connection).await.expect("lock the job row");
        assert_eq!(rows.len(), 1, "job {job} is stored");
        connection
    }

    /// Whether any log of connection `id` is stored (a folder of files, or
    /// entries in the database).
    pub async fn has_stored_logs(&self, id: &str) -> bool {
        if let Some(database) = &self._postgres {
            let rows = sqlx::query("SELECT 1 FROM connection_log_entries WHERE connection_id = $1")
                .bind(id)
                .fetch_all(&database.pool().await)
                .await
                .expect("log entries");
            return !rows.is_empty();
        }
        self.data.path().join("data/logs").join(id).exists()
    }

    /// Creates a connection, asserting 201; its JSON.
    pub async fn create_ok(&self, workspace: &str, body: &Value) -> Value {
        let response = self.create_connection(workspace, body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("json");
        assert_eq!(status, 201, "create {body}: {json}");
        json
    }
}

/// A create body for a working QuickBooks connection.
pub fn quickbooks_body(name: &str) -> Value {
    json!({
        "name": name,
        "connector": "QuickBooks",
        "properties": {
            "CompanyId": "9130357766",
            "OAuthClientId": "client-id",
            "OAuthClientSecret": "client-secret",
            "OAuthAccessToken": "access-token"
        }
    })
}

/// The `id` of a connection's JSON.
pub fn id_of(connection: &Value) -> String {
    connection["id"].as_str().unwrap_or_else(|| panic!("no id in {connection}")).to_string()
}

/// The `name` of each item of a JSON array.
pub fn names(items: &Value) -> Vec<String> {
    items.as_array().expect("an array").iter().map(|c| c["name"].as_str().expect("name").to_string()).collect()
}

/// The plain-text body of a response, with its status.
pub async fn text(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Every route of the API, method and path template (relative to the
/// base), as the served OpenAPI document lists them: the routes and the
/// document are declared together (`routes!`), so the document is the route
/// table (`every_documented_route_is_served` checks that each is served).
pub static ROUTES: std::sync::LazyLock<Vec<(&'static str, &'static str)>> = std::sync::LazyLock::new(|| {
    let doc = serde_json::to_value(syncport::api::document()).expect("the document serializes");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                let path: &'static str = Box::leak(path.clone().into_boxed_str());
                let method: &'static str = Box::leak(method.to_uppercase().into_boxed_str());
                routes.push((method, path));
            }
        }
    }
    routes
});

/// Creates a user; its JSON (with its first token).
pub async fn create_user(app: &TestApp, name: &str, role: &str, workspaces: &[&str]) -> Value {
    let response = app
        .request(Method::POST, "/users")
        .json(&json!({"name": name, "role": role, "workspaces": workspaces}))
        .send()
        .await
        .expect("sent");
    let (status, body) = json(response).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// A new user's first token.
pub fn token(user: &Value) -> String {
    user["token"].as_str().expect("a new user's token").to_string()
}

/// The path of a route `template` with its parameters filled in: `connection`
/// and `log` as given, a connector version that is not installed, and ids
/// of nothing for users and tokens.
pub fn fill(template: &str, connection: &str, log: &str) -> String {
    template
        .replace("{workspace_id}", "default")
        .replace("{connection_id}", connection)
        .replace("{table_name}", "Customers")
        .replace("{log_name}", log)
        .replace("{user_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{token_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{job_id}", "00000000-0000-0000-0000-000000000000")
        .replace("{name}", "Stub")
        .replace("{version}", "9.9.9")
}

/// The body of a response as JSON, with its status.
pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
    (status, value)
}

/// Asserts the error shape: status, stable code, a message, and the target if given.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    let (actual, body) = json(response).await;
    assert_eq!(actual, status, "{body}");
    assert_error_shape(&body);
    assert_eq!(body["error"]["code"], code, "{body}");
    body
}

/// Asserts `body` is `{"error": {"code", "message", "target"?, "details"?}}`.
pub fn assert_error_shape(body: &Value) {
    let outer = body.as_object().unwrap_or_else(|| panic!("not an object: {body}"));
    assert_eq!(outer.keys().collect::<Vec<_>>(), ["error"], "{body}");
    let error = body["error"].as_object().unwrap_or_else(|| panic!("error is not an object: {body}"));
    for key in error.keys() {
        assert!(["code", "message", "target", "details"].contains(&key.as_str()), "unexpected `{key}`: {body}");
    }
    let code = error["code"].as_str().unwrap_or_else(|| panic!("no code: {body}"));
    assert!(!code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "code: {body}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    if let Some(target) = error.get("target") {
        assert!(target.is_string(), "target: {body}");
    }
    if let Some(details) = error.get("details") {
        for detail in details.as_array().unwrap_or_else(|| panic!("details: {body}")) {
            assert!(detail["code"].is_string() && detail["message"].is_string(), "detail: {body}");
        }
    }
}

/// Everything the servers of this test binary have logged, at every level
/// (see [`capture_server_log`]).
pub fn server_log() -> String {
    let buffer = SERVER_LOG.lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Where the server log ends now, for [`logged_since`].
pub fn server_log_mark() -> usize {
    SERVER_LOG.lock().unwrap_or_else(|e| e.into_inner()).len()
}

/// What the servers logged after `mark`.
pub fn server_log_since(mark: usize) -> String {
    let buffer = SERVER_LOG.lock().unwrap_or_else(|e| e.into_inner());
    String::from_utf8_lossy(&buffer[mark.min(buffer.len())..]).into_owned()
}

/// Waits (at most 30 s) until a line the servers logged after `mark`
/// contains each of `needles`; that line. The log is shared by every test
/// of the binary: make one needle unique to the test (an id, a URI).
pub async fn logged_since(mark: usize, needles: &[&str]) -> String {
    let what = format!("a server log line with {needles:?}");
    crate::helpers::eventually(Duration::from_secs(30), &what, || async {
        let since = server_log_since(mark);
        let line = since.lines().find(|line| needles.iter().all(|n| line.contains(n)));
        line.map(str::to_string).ok_or("no such line")
    })
    .await
}

/// Waits until the server, handling a request `method path` (`path` under
/// the API base) sent after `mark`, logs a line with `needle`; that line.
pub async fn request_logged(mark: usize, method: &str, path: &str, needle: &str) -> String {
    let request = format!("request{{method={method} uri=/api.rsc/v2{path} ");
    logged_since(mark, &[&request, needle]).await
}

/// Waits until the server has begun to handle a request `method path` sent
/// after `mark`: tower-http's `started processing request`, logged once the
/// request's head is read and before its handler runs. From then on the
/// request is in flight: a graceful shutdown finishes it.
pub async fn request_started(mark: usize, method: &str, path: &str) {
    request_logged(mark, method, path, "started processing request").await;
}

/// What wasmtime-wasi logs (at TRACE) when a guest blocks in a WASI poll,
/// e.g. the `Hostile` fixture's `sleep`: logged in the span of the request
/// whose call it is, it says that call is under way and asleep.
pub const GUEST_BLOCKS: &str = "function=\"[method]pollable.block\"";

static SERVER_LOG: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

/// Installs, once per test binary, a global `tracing` subscriber that keeps
/// every event and span at TRACE level in memory, so a test can assert on
/// what the server logged: Syncport's own lines and those of axum, tower-http,
/// hyper, sqlx and wasmtime-wasi (which traces every WASI call of a plugin).
/// Compiler and engine internals are kept at INFO and DEBUG, and records of
/// the `log` crate (wasmtime's engine, Cranelift: no call data) are not
/// bridged: at TRACE they format megabytes per component load and would
/// slow every plugin call of the test binary past tight deadlines.
pub fn capture_server_log() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new(
            "trace,cranelift_codegen=info,cranelift_frontend=info,cranelift_entity=info,regalloc2=info,\
             wasmtime_cranelift=info,wasmtime_environ=info,wasmtime_internal_cranelift=info,\
             wasmtime_internal_environ=info,wasmparser=info,wasmtime::runtime=debug",
        );
        let subscriber =
            tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(|| MemoryLog).finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// A writer appending to [`SERVER_LOG`].
struct MemoryLog;

impl std::io::Write for MemoryLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        SERVER_LOG.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
