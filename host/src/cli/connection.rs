//! `syncport connection ...`: authorize a connection with OAuth on a
//! running server.

use super::client::{Client, ServerArgs, exit_code};
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::Value;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Connections on a running server.
#[derive(Subcommand)]
pub enum ConnectionCommand {
    /// Starts an OAuth authorization, prints the URL to open, and waits until
    /// the connection is authorized (or the link expires).
    Authorize(AuthorizeArgs),
}

/// `connection authorize`
#[derive(Args)]
pub struct AuthorizeArgs {
    /// The connection's name (case-insensitive) or id.
    connection: String,
    /// The connection's workspace.
    #[arg(long, default_value = "default")]
    workspace: String,
    #[command(flatten)]
    server: ServerArgs,
    /// Gives up after this many seconds (at most until the link expires).
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
}

/// Runs a `connection` subcommand: 0 authorized and tested, 1 not, 2 error.
pub async fn run(command: ConnectionCommand) -> ExitCode {
    let ConnectionCommand::Authorize(args) = command;
    exit_code(authorize(&args).await)
}

/// Prints the URL and polls the connection until its tokens are stored and
/// tested; whether the test succeeded.
async fn authorize(args: &AuthorizeArgs) -> anyhow::Result<bool> {
    let client = args.server.client()?;
    let id = client.id_of("connections", &args.workspace, &args.connection).await?;
    let before = get(&client, &id).await?;
    let path = format!("/connections/{id}/oauth/authorize");
    let (_, started) = client.send(client.request(reqwest::Method::POST, &path)).await?;
    let url = started["authorization_url"].as_str().context("the server's answer has no `authorization_url`")?;
    println!("Open this URL in a browser and sign in to authorize `{}`:", args.connection);
    println!();
    println!("    {url}");
    println!();
    println!("The provider sends the browser back to {}.", started["redirect_uri"].as_str().unwrap_or("?"));
    println!("Waiting for the authorization (Ctrl-C to stop)...");
    let expires = started["expires_at"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    let deadline = Instant::now() + Duration::from_secs(args.timeout_secs);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = get(&client, &id).await?;
        // The callback stores the tokens, then tests the connection: both
        // times move past what they were before (the server's clock, not
        // this machine's).
        let moved = |key: &str| {
            let at = |c: &Value| c[key].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
            at(&now).is_some_and(|t| at(&before).is_none_or(|b| t > b))
        };
        let status = now["status"].as_str().unwrap_or_default();
        if moved("last_tested_at") && moved("updated_at") && matches!(status, "ok" | "failed") {
            println!("Authorized; the connection's test {}.", if status == "ok" { "succeeded" } else { "failed" });
            return Ok(status == "ok");
        }
        let link_expired = expires.is_some_and(|at| chrono::Utc::now() > at);
        if Instant::now() > deadline || link_expired {
            bail!("not authorized within the time allowed; run the command again for a new link");
        }
    }
}

async fn get(client: &Client, id: &str) -> anyhow::Result<Value> {
    Ok(client.send(client.request(reqwest::Method::GET, &format!("/connections/{id}"))).await?.1)
}
