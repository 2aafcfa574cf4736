//! The `syncport` command.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use syncport::runtime::Limits;
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
    Serve(ServeArgs),
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
    /// Connector components to install at start if not installed yet.
    #[arg(long, env = "SYNCPORT_CONNECTORS_DIR")]
    connectors_dir: Option<PathBuf>,
    /// Deadline of every plugin call, in milliseconds (default: per operation, see docs/runtime.md).
    #[arg(long, env = "SYNCPORT_PLUGIN_TIMEOUT_MS")]
    plugin_timeout_ms: Option<u64>,
    /// Memory cap of every plugin call, in MiB (default: per operation, see docs/runtime.md).
    #[arg(long, env = "SYNCPORT_PLUGIN_MEMORY_MIB")]
    plugin_memory_mib: Option<usize>,
    /// Calls of one connector version that run at once.
    #[arg(long, env = "SYNCPORT_PLUGIN_CONCURRENCY", default_value_t = 8)]
    plugin_concurrency: usize,
    /// Largest request body, in bytes.
    #[arg(long, env = "SYNCPORT_BODY_LIMIT", default_value_t = 1 << 20)]
    body_limit: usize,
    /// Days connection logs are kept.
    #[arg(long, env = "SYNCPORT_LOG_RETENTION_DAYS", default_value_t = 30)]
    log_retention_days: u32,
    /// Size at which a connection log file continues in a new one, in MiB.
    #[arg(long, env = "SYNCPORT_LOG_MAX_FILE_MIB", default_value_t = 10)]
    log_max_file_mib: u64,
    /// Server log format.
    #[arg(long, env = "SYNCPORT_LOG_FORMAT", value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
    }
}

async fn serve(args: ServeArgs) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter);
    if args.log_format == "json" {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    let mut limits = Limits { max_concurrent_calls: args.plugin_concurrency, ..Limits::default() };
    if let Some(ms) = args.plugin_timeout_ms {
        limits = limits.with_timeout(Duration::from_millis(ms));
    }
    if let Some(mib) = args.plugin_memory_mib {
        limits = limits.with_memory(mib << 20);
    }
    let config = ServerConfig {
        database_url: args.database_url,
        bundled_dir: args.connectors_dir,
        limits,
        body_limit: args.body_limit,
        log_max_file_bytes: args.log_max_file_mib << 20,
        log_retention_days: args.log_retention_days,
        ..ServerConfig::new(args.data_dir)
    };
    let running = match server::start(&config, args.listen, server::shutdown_signal()).await {
        Ok(running) => running,
        Err(error) => {
            tracing::error!(%error, "syncport could not start");
            return ExitCode::FAILURE;
        }
    };
    println!("Syncport listening on http://{}/api.rsc/v2", running.addr);
    println!("Open mode: authentication is not enforced yet; any client that reaches this address has full access.");
    println!("Try: curl http://{}/api.rsc/v2/connectors", running.addr);
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
