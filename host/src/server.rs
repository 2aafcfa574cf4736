//! Starting the server: the store, the runtime and registry, the router
//! with its middleware, HTTP or HTTPS ([`tls`]), and graceful shutdown.

pub mod tls;

use crate::api::{self, state::AppState};
use crate::auth::cache::PrincipalCache;
use crate::auth::limiter::FailureLimiter;
use crate::connector::signature::TrustPolicy;
use crate::logs::ConnectionLogs;
use crate::registry::Registry;
use crate::runtime::{Compiler, Limits, Runtime};
use crate::store::Store;
use crate::telemetry::Metrics;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Everything `serve` needs. Its `Debug` leaves out the admin token.
#[derive(Clone)]
pub struct ServerConfig {
    /// The data directory: database, installed components, compile cache, logs.
    pub data_dir: PathBuf,
    /// The database URL; default: `sqlite://<data_dir>/syncport.db`.
    pub database_url: Option<String>,
    /// The most database connections this server opens
    /// (`--database-max-connections`); default: 8 on SQLite, 16 on PostgreSQL.
    pub database_max_connections: Option<u32>,
    /// Components installed at start when not installed yet.
    pub bundled_dir: Option<PathBuf>,
    /// Where compiled components are cached; default: `<data_dir>/cache`.
    pub compile_cache: Option<PathBuf>,
    /// Plugin call limits, and the compile budget.
    pub limits: Limits,
    /// Where components are compiled: in this process by default; `serve`
    /// compiles in a child process of its own executable, under the budget.
    pub compiler: Compiler,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// The size at which a connection log file is continued in a new one.
    pub log_max_file_bytes: u64,
    /// Days connection logs are kept.
    pub log_retention_days: u32,
    /// The first admin's token, used when the database has no user yet;
    /// default: a new random token, printed once.
    pub admin_token: Option<String>,
    /// Failed authentications one address may make per minute.
    pub auth_failure_limit: u32,
    /// The secret key from the environment, if the operator gives one;
    /// default: the key file in the data directory (`docs/security.md`).
    pub secret_keys: crate::secrets::KeyConfig,
    /// Which connector signatures installs accept (default: unsigned allowed).
    pub trust: TrustPolicy,
    /// The largest connector component an install over the API accepts, in bytes.
    pub component_limit: usize,
    /// How long a job run's lease lasts without renewal (docs/jobs.md).
    pub job_lease: Duration,
    /// The URL users and OAuth providers reach this server at
    /// (`--public-url`); default: `http://` (`https://` with TLS) and the
    /// address it listens on.
    pub public_url: Option<String>,
    /// The server-wide OAuth redirect URI (`--oauth-callback-url`), for
    /// connections whose `use_cdata_callback_url` is true (docs/oauth.md).
    pub oauth_callback_url: Option<String>,
    /// How long an OAuth authorization's `state` is accepted.
    pub oauth_state_ttl: Duration,
    /// HTTPS (`--tls-cert`/`--tls-key`, `--tls-self-signed`); default:
    /// plain HTTP.
    pub tls: Option<tls::TlsConfig>,
    /// A second address serving `GET /metrics` with no token
    /// (`--metrics-listen`); default: none (admins read
    /// `/api.rsc/v2/metrics` with their token).
    pub metrics_listen: Option<SocketAddr>,
}

impl ServerConfig {
    /// Defaults for a data directory.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            database_max_connections: None,
            bundled_dir: None,
            compile_cache: None,
            limits: Limits::default(),
            compiler: Compiler::InProcess,
            body_limit: 1 << 20,
            log_max_file_bytes: 10 << 20,
            log_retention_days: 30,
            admin_token: None,
            auth_failure_limit: 20,
            secret_keys: crate::secrets::KeyConfig::default(),
            trust: TrustPolicy::default(),
            component_limit: 64 << 20,
            job_lease: crate::jobs::DEFAULT_LEASE,
            public_url: None,
            oauth_callback_url: None,
            oauth_state_ttl: crate::service::oauth::OAuthSettings::default().state_ttl,
            tls: None,
            metrics_listen: None,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("data_dir", &self.data_dir)
            .field("bundled_dir", &self.bundled_dir)
            .field("compile_cache", &self.compile_cache)
            .field("limits", &self.limits)
            .field("compiler", &self.compiler)
            .field("body_limit", &self.body_limit)
            .field("component_limit", &self.component_limit)
            .field("trust", &self.trust)
            .field("public_url", &self.public_url)
            .field("oauth_callback_url", &self.oauth_callback_url)
            .field("tls", &self.tls)
            .field("metrics_listen", &self.metrics_listen)
            .field("admin_token", &self.admin_token.as_ref().map(|_| crate::runtime::MASK))
            .finish_non_exhaustive()
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The secret key could not be loaded, or does not decrypt the database.
    #[error("secrets: {0}")]
    Secrets(#[from] crate::store::SecretsError),
    /// The runtime could not start.
    #[error(transparent)]
    Runtime(#[from] crate::runtime::RuntimeError),
    /// Installed or bundled connectors could not be loaded.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    /// The installed components could not be brought in step with the database.
    #[error("shared connector components: {0}")]
    Sync(#[from] crate::registry::shared::SyncError),
    /// The listen address could not be bound.
    #[error("listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    /// The TLS certificate could not be loaded or made.
    #[error("TLS: {0}")]
    Tls(#[from] tls::TlsError),
}

/// Opens everything the API needs.
pub async fn state(config: &ServerConfig) -> Result<AppState, StartError> {
    let data = &config.data_dir;
    std::fs::create_dir_all(data).map_err(|e| StartError::DataDir(data.display().to_string(), e))?;
    let url = config.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", data.join("syncport.db").display()));
    let database = crate::store::Database { url: &url, max_connections: config.database_max_connections };
    let store = crate::store::open_store(data, database, &config.secret_keys).await?;
    let cache = config.compile_cache.clone().unwrap_or_else(|| data.join("cache"));
    let metrics = Metrics::new();
    let runtime = Runtime::new(config.limits.clone(), Some(&cache))?
        .with_compiler(config.compiler.clone())
        .with_metrics(metrics.clone());
    let (registry_dir, bundled, trust) = (data.join("connectors"), config.bundled_dir.clone(), config.trust.clone());
    let registry =
        tokio::task::spawn_blocking(move || Registry::new(runtime, &registry_dir, trust, bundled.as_deref()))
            .await
            .expect("opening the registry does not panic")?;
    let registry = Arc::new(registry);
    // The components load in the background: the server answers at once,
    // and a connection whose version is still loading gets
    // `connector_loading` (docs/runtime.md, "Starting").
    registry.set_starting(true);
    tokio::spawn(crate::registry::shared::load_at_start(registry.clone(), store.clone(), config.bundled_dir.clone()));
    // One server owns an SQLite database, so its logs are files; servers
    // sharing PostgreSQL keep them in it (docs/deploy.md).
    let (max, days) = (config.log_max_file_bytes, config.log_retention_days);
    let logs = if store.is_sqlite() {
        ConnectionLogs::new(data.join("logs"), max, days)
    } else {
        ConnectionLogs::in_database(store.clone(), max, days)
    };
    let auth_failures = Arc::new(FailureLimiter::new(config.auth_failure_limit, Duration::from_secs(60)));
    let principals = Arc::new(PrincipalCache::new(Duration::from_secs(5)));
    store.follow({
        let principals = principals.clone();
        move |change| {
            if change != crate::store::SharedChange::Components {
                principals.clear();
            }
        }
    });
    let component_limit = config.component_limit;
    let jobs = Arc::new(crate::jobs::Jobs::new(data.join("connection-files"), config.job_lease));
    let oauth = Arc::new(crate::service::oauth::OAuthSettings {
        public_url: config.public_url.clone(),
        callback_url: config.oauth_callback_url.clone(),
        state_ttl: config.oauth_state_ttl,
        ..Default::default()
    });
    Ok(AppState { store, registry, logs, auth_failures, principals, component_limit, jobs, oauth, metrics })
}

/// On the first start (no user yet), creates the `admin` user with
/// `token`, or with a new random one which it returns to be shown once
/// (a token the operator supplied is never echoed back).
pub async fn bootstrap_admin(store: &Store, token: Option<&str>) -> Result<Option<String>, StartError> {
    if store.has_users().await? {
        return Ok(None);
    }
    let Some(admin) = store.bootstrap_admin("admin").await? else {
        return Ok(None);
    };
    let (token, generated) = match token {
        Some(t) => (t.to_string(), false),
        None => (crate::auth::token::generate().0, true),
    };
    store.add_token(admin.id, &crate::auth::token::hash(&token), None).await?;
    if !generated {
        tracing::info!("first start: created the user `admin` with the token from SYNCPORT_ADMIN_TOKEN");
    }
    Ok(generated.then_some(token))
}

/// The router (the console at `/`, the API under [`api::BASE`]) with its
/// middleware: request ids (`x-request-id`, kept from
/// the request or made), tracing, and the body size limit.
pub fn app(state: AppState, body_limit: usize) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    crate::console::router(state.clone(), api::router(state))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// How long a shutdown waits for this server's job runs to stop and record
/// their end.
const JOB_SHUTDOWN_LIMIT: Duration = Duration::from_secs(10);

/// A started server.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Ends when the server has shut down.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The first admin's token, when this start created it.
    pub admin_token: Option<String>,
    /// The installed connectors, loading in the background
    /// ([`Registry::wait_started`] waits for them).
    pub registry: Arc<Registry>,
    /// The certificate it presents, when it serves HTTPS.
    pub tls: Option<tls::Served>,
    /// Where it serves `GET /metrics` with no token, if it does.
    pub metrics_addr: Option<SocketAddr>,
    /// Its database.
    pub store: Store,
}

impl Running {
    /// `https://ADDR` or `http://ADDR`.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

/// Binds `listen` and serves (over TLS when `config.tls` says so) until
/// `shutdown` resolves, then finishes the requests in flight.
pub async fn start(
    config: &ServerConfig,
    listen: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<Running, StartError> {
    // The certificate first: a pair that does not load stops the start
    // before anything else is opened.
    let tls = match &config.tls {
        Some(tls) => Some(tls::prepare(tls, &config.data_dir, listen).await?),
        None => None,
    };
    let mut state = state(config).await?;
    let admin_token = bootstrap_admin(&state.store, config.admin_token.as_deref()).await?;
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| StartError::Bind(listen, e))?;
    let addr = listener.local_addr().map_err(|e| StartError::Bind(listen, e))?;
    if state.oauth.public_url.is_none() {
        if addr.ip().is_unspecified() {
            tracing::warn!(%addr, "no --public-url: OAuth redirect URIs name the listen address, which browsers cannot reach");
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let public_url = Some(format!("{scheme}://{addr}"));
        state.oauth = Arc::new(crate::service::oauth::OAuthSettings { public_url, ..(*state.oauth).clone() });
    }
    // On SQLite this server alone owns the database: a run still marked as
    // under way was this data directory's, stopped with its last process.
    if state.store.is_sqlite() {
        crate::jobs::Jobs::fail_all_at_start(&state.store).await?;
    }
    let (metrics_addr, metrics_server) = match config.metrics_listen {
        Some(listen) => {
            let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| StartError::Bind(listen, e))?;
            let addr = listener.local_addr().map_err(|e| StartError::Bind(listen, e))?;
            let router = api::metrics::listener_router(state.clone());
            (Some(addr), Some(tokio::spawn(async move { axum::serve(listener, router).await })))
        }
        None => (None, None),
    };
    // Started once nothing else can fail, so a failed start leaves no task
    // holding the store.
    let refresher = crate::registry::shared::is_shared(&state.store).then(|| {
        let period = crate::registry::shared::REFRESH_PERIOD;
        crate::registry::shared::refresh_every(state.registry.clone(), state.store.clone(), period)
    });
    let upkeep = state.metrics.upkeep_every();
    let sweeper = state.jobs.sweep_every(state.store.clone());
    let pruner = state.logs.prune_every();
    let jobs = state.jobs.clone();
    let registry = state.registry.clone();
    let store = state.store.clone();
    let closing = store.clone();
    let app = app(state, config.body_limit);
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let served_tls = tls.as_ref().map(|tls| tls.served.clone());
    let task = tokio::spawn(async move {
        let served = match tls {
            Some(tls) => tls::serve(listener, service, tls, shutdown).await,
            None => axum::serve(listener, service).with_graceful_shutdown(shutdown).await,
        };
        if let Some(refresher) = refresher {
            refresher.abort();
        }
        sweeper.abort();
        pruner.abort();
        upkeep.abort();
        if let Some(metrics_server) = metrics_server {
            metrics_server.abort();
        }
        jobs.shutdown(JOB_SHUTDOWN_LIMIT).await;
        closing.close().await;
        served
    });
    Ok(Running { addr, task, admin_token, registry, tls: served_tls, metrics_addr, store })
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
