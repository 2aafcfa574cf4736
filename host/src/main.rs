//! The `syncport` command.

mod cli;

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use syncport::runtime::{CompileLimits, Compiler, Limits};
use syncport::server::{self, ServerConfig};

/// Syncport: the Connection Management API v2 over sandboxed WebAssembly connectors.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the API.
    Serve(Box<ServeArgs>),
    /// Re-encrypts every stored secret with a new key (run it while no server uses the database).
    ///
    /// With the key file (`<data dir>/secret.key`): makes a new key and replaces the file.
    /// With SYNCPORT_SECRET_KEY set: re-encrypts from the keys in SYNCPORT_SECRET_KEY_PREVIOUS
    /// to SYNCPORT_SECRET_KEY (see docs/security.md).
    RotateKey(RotateKeyArgs),
    /// Connector components: check, install, list, remove, sign (docs/plugin-guide.md).
    #[command(subcommand)]
    Connector(cli::connector::ConnectorCommand),
    /// Replication jobs: run one and follow its progress (docs/jobs.md).
    #[command(subcommand)]
    Job(cli::job::JobCommand),
    /// Connections: authorize one with OAuth (docs/oauth.md).
    #[command(subcommand)]
    Connection(cli::connection::ConnectionCommand),
    /// Compiles one component read from stdin (the server's compile child; not for people).
    #[command(hide = true)]
    CompileComponent(CompileComponentArgs),
}

/// The compile child's arguments (see `syncport::runtime::compile_component_main`).
#[derive(Args)]
struct CompileComponentArgs {
    /// Where to write the compiled component.
    #[arg(long)]
    output: PathBuf,
    /// The address space the child may use, in bytes.
    #[arg(long)]
    memory_bytes: u64,
    /// The server engine's compatibility key; the child refuses to compile for another.
    #[arg(long)]
    engine_key: String,
}

/// Where the secrets to re-encrypt are.
#[derive(Args)]
struct RotateKeyArgs {
    /// Data directory: database and key file.
    #[arg(long, env = "SYNCPORT_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (sqlite://FILE or postgres://...); default: a SQLite file in the data directory.
    #[arg(long, env = "SYNCPORT_DATABASE_URL")]
    database_url: Option<String>,
}

/// Every flag can also be set by the environment variable shown.
#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SYNCPORT_LISTEN", default_value = "127.0.0.1:8181")]
    listen: SocketAddr,
    /// Data directory: database, installed connectors, compile cache, logs.
    #[arg(long, env = "SYNCPORT_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (sqlite://FILE or postgres://...); default: a SQLite file in the data directory.
    #[arg(long, env = "SYNCPORT_DATABASE_URL")]
    database_url: Option<String>,
    /// The most database connections this server opens (default: 8 on SQLite, 16 on PostgreSQL);
    /// on PostgreSQL, servers × this must stay under the database's max_connections.
    #[arg(long, env = "SYNCPORT_DATABASE_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(2..=1000))]
    database_max_connections: Option<u32>,
    /// Connector components to install at start if not installed yet.
    #[arg(long, env = "SYNCPORT_CONNECTORS_DIR")]
    connectors_dir: Option<PathBuf>,
    #[command(flatten)]
    limits: cli::limits::LimitArgs,
    /// Calls of one connector version that run at once.
    #[arg(long, env = "SYNCPORT_PLUGIN_CONCURRENCY", default_value_t = 8)]
    plugin_concurrency: usize,
    /// How long a plugin call waits for a free slot before it fails as overloaded, in milliseconds.
    #[arg(long, env = "SYNCPORT_PLUGIN_QUEUE_TIMEOUT_MS", default_value_t = 5000)]
    plugin_queue_timeout_ms: u64,
    /// Largest request body, in bytes.
    #[arg(long, env = "SYNCPORT_BODY_LIMIT", default_value_t = 1 << 20)]
    body_limit: usize,
    /// Days connection logs are kept.
    #[arg(long, env = "SYNCPORT_LOG_RETENTION_DAYS", default_value_t = 30)]
    log_retention_days: u32,
    /// Size at which a connection log file continues in a new one, in MiB.
    #[arg(long, env = "SYNCPORT_LOG_MAX_FILE_MIB", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    log_max_file_mib: u64,
    /// Failed authentications one client address may make per minute before it is refused.
    #[arg(long, env = "SYNCPORT_AUTH_FAILURE_LIMIT", default_value_t = 20)]
    auth_failure_limit: u32,
    #[command(flatten)]
    trust: cli::trust::TrustArgs,
    #[command(flatten)]
    oauth: cli::oauth::OAuthArgs,
    /// Longest one component's compile may take at install (or at a start that compiles it), in seconds.
    #[arg(long, env = "SYNCPORT_COMPILE_TIMEOUT_SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
    compile_timeout_secs: u64,
    /// Most memory (address space) one component's compile may use, in MiB.
    #[arg(long, env = "SYNCPORT_COMPILE_MEMORY_MIB", default_value_t = 2048, value_parser = clap::value_parser!(u64).range(64..))]
    compile_memory_mib: u64,
    /// Largest connector component an install over the API accepts, in MiB.
    #[arg(long, env = "SYNCPORT_COMPONENT_LIMIT_MIB", default_value_t = 64)]
    component_limit_mib: usize,
    /// How long a job run holds its connections after its server stops renewing it, in seconds.
    #[arg(long, env = "SYNCPORT_JOB_LEASE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    job_lease_secs: u64,
    /// Server log format.
    #[arg(long, env = "SYNCPORT_LOG_FORMAT", value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
    /// Serves HTTPS with this certificate chain (PEM, the server's certificate first), reloaded
    /// when the file changes or on SIGHUP; needs --tls-key.
    #[arg(long, env = "SYNCPORT_TLS_CERT", requires = "tls_key", conflicts_with = "tls_self_signed")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "SYNCPORT_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serves HTTPS with a certificate made at start for localhost (to try HTTPS on one machine):
    /// prints its SHA-256 fingerprint and writes it to <data dir>/tls/self-signed.pem.
    #[arg(long, env = "SYNCPORT_TLS_SELF_SIGNED")]
    tls_self_signed: bool,
    /// Also serves the Prometheus metrics at http://ADDR/metrics with no token (for a private
    /// interface; on the API's address, `/api.rsc/v2/metrics` needs an admin's token).
    #[arg(long, env = "SYNCPORT_METRICS_LISTEN", value_name = "ADDR")]
    metrics_listen: Option<SocketAddr>,
}

/// The server allocates small objects on many threads per request;
/// mimalloc does that with less contention than the system allocator
/// (BENCHMARKS.md, "HTTP API").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let command = Cli::parse().command;
    // The compile child runs no async runtime: nothing but the compile
    // takes address space under its cap.
    if let Command::CompileComponent(args) = &command {
        let code = syncport::runtime::compile_component_main(&args.output, args.memory_bytes, &args.engine_key);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("syncport: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match command {
            Command::Serve(args) => serve(*args).await,
            Command::RotateKey(args) => rotate_key(args).await,
            Command::Connector(command) => cli::connector::run(command).await,
            Command::Job(command) => cli::job::run(command).await,
            Command::Connection(command) => cli::connection::run(command).await,
            Command::CompileComponent(_) => ExitCode::FAILURE,
        }
    })
}

async fn rotate_key(args: RotateKeyArgs) -> ExitCode {
    let keys = match syncport::secrets::KeyConfig::from_env() {
        Ok(keys) => keys,
        Err(error) => {
            eprintln!("syncport rotate-key: {error}");
            return ExitCode::FAILURE;
        }
    };
    let url = args.database_url.unwrap_or_else(|| format!("sqlite://{}", args.data_dir.join("syncport.db").display()));
    match syncport::store::rotate_key(&args.data_dir, &url, &keys).await {
        Ok(rotation) => {
            let plural = if rotation.connections == 1 { "" } else { "s" };
            println!(
                "Re-encrypted the secrets of {} connection{plural} with key {}.",
                rotation.connections, rotation.key_id
            );
            if !rotation.retired.is_empty() {
                println!("Key {} no longer decrypts anything in the database.", rotation.retired.join(", "));
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("syncport rotate-key: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Colours only for a person at a terminal: never escapes in a file or a pipe.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi);
    if args.log_format == "json" {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    let limits = args.limits.apply(Limits {
        max_concurrent_calls: args.plugin_concurrency,
        queue_timeout: Duration::from_millis(args.plugin_queue_timeout_ms),
        compile: CompileLimits {
            timeout: Duration::from_secs(args.compile_timeout_secs),
            memory_bytes: usize::try_from(args.compile_memory_mib << 20).unwrap_or(usize::MAX),
        },
        ..Limits::default()
    });
    // Compiles run in a child process of this executable, under the budget.
    let compiler = match std::env::current_exe() {
        Ok(exe) => Compiler::Subprocess(exe),
        Err(error) => {
            tracing::error!(%error, "syncport could not start: its own executable cannot be found to compile in");
            return ExitCode::FAILURE;
        }
    };
    let secret_keys = match syncport::secrets::KeyConfig::from_env() {
        Ok(keys) => keys,
        Err(error) => {
            tracing::error!(%error, "syncport could not start");
            return ExitCode::FAILURE;
        }
    };
    let trust = match args.trust.policy() {
        Ok(trust) => trust,
        Err(error) => {
            tracing::error!(%error, "syncport could not start");
            return ExitCode::FAILURE;
        }
    };
    let tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(server::tls::TlsConfig::files(cert, key)),
        _ if args.tls_self_signed => Some(server::tls::TlsConfig::self_signed()),
        _ => None,
    };
    let config = ServerConfig {
        tls,
        metrics_listen: args.metrics_listen,
        secret_keys,
        trust,
        component_limit: args.component_limit_mib << 20,
        job_lease: std::time::Duration::from_secs(args.job_lease_secs),
        database_url: args.database_url,
        database_max_connections: args.database_max_connections,
        bundled_dir: args.connectors_dir,
        limits,
        compiler,
        body_limit: args.body_limit,
        log_max_file_bytes: args.log_max_file_mib << 20,
        log_retention_days: args.log_retention_days,
        // From the environment only: a flag would show in `ps`.
        auth_failure_limit: args.auth_failure_limit,
        admin_token: std::env::var("SYNCPORT_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty()),
        public_url: args.oauth.public_url,
        oauth_callback_url: args.oauth.oauth_callback_url,
        oauth_state_ttl: Duration::from_secs(args.oauth.oauth_state_ttl_secs),
        ..ServerConfig::new(args.data_dir)
    };
    let running = match server::start(&config, args.listen, server::shutdown_signal()).await {
        Ok(running) => running,
        Err(error) => {
            tracing::error!(%error, "syncport could not start");
            return ExitCode::FAILURE;
        }
    };
    let url = running.url();
    println!("Syncport listening on {url}/api.rsc/v2");
    if let Some(addr) = running.metrics_addr {
        println!("Prometheus metrics (no token) at http://{addr}/metrics");
    }
    let mut curl = "curl".to_string();
    if let Some(tls) = &running.tls {
        println!("TLS certificate SHA-256 fingerprint: {}", tls.fingerprint);
        match &tls.self_signed_file {
            Some(file) => {
                let file = file.display();
                println!("Self-signed; written to {file}: trust it with `curl --cacert {file}` or `--ca-cert {file}`.");
                curl = format!("curl --cacert {file}");
            }
            None => println!("Certificate and key files are reloaded when they change, or on SIGHUP."),
        }
    }
    match &running.admin_token {
        Some(token) => {
            println!("First start: created the user `admin`. Its token, shown only now:");
            println!();
            println!("    {token}");
            println!();
            println!("Try: {curl} -H 'x-cdata-authtoken: {token}' {url}/api.rsc/v2/connectors");
        }
        None => println!(
            "Authenticate with header `x-cdata-authtoken: <token>` (or HTTP Basic, token as password). \
             Try: {curl} -H \"x-cdata-authtoken: $TOKEN\" {url}/api.rsc/v2/connectors"
        ),
    }
    match running.task.await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
        Err(error) => {
            tracing::error!(%error, "server task failed");
            ExitCode::FAILURE
        }
    }
}
