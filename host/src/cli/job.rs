//! `syncport job ...`: run a job on a running server and follow its progress.

use super::client::{ServerArgs, exit_code};
use anyhow::bail;
use clap::{Args, Subcommand};
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

/// Replication jobs on a running server.
#[derive(Subcommand)]
pub enum JobCommand {
    /// Starts a run of a job; with --follow, shows its progress until it ends.
    Run(RunArgs),
}

/// `job run`
#[derive(Args)]
pub struct RunArgs {
    /// The job's name (case-insensitive) or id.
    job: String,
    /// The job's workspace.
    #[arg(long, default_value = "default")]
    workspace: String,
    /// Shows rows per table until the run ends; exits 1 unless it succeeds.
    #[arg(long)]
    follow: bool,
    #[command(flatten)]
    server: ServerArgs,
}

/// Runs a `job` subcommand; the exit code says how it went.
pub async fn run(command: JobCommand) -> ExitCode {
    let JobCommand::Run(args) = command;
    exit_code(run_job(&args).await)
}

/// Starts the run and, with `--follow`, prints progress until it ends;
/// whether it succeeded (or, without `--follow`, started).
async fn run_job(args: &RunArgs) -> anyhow::Result<bool> {
    let client = args.server.client()?;
    let id = client.id_of("jobs", &args.workspace, &args.job).await?;
    let (_, run) = client.send(client.request(reqwest::Method::POST, &format!("/jobs/{id}/execute"))).await?;
    let run_id = run["run_id"].as_str().unwrap_or_default().to_string();
    println!("started run {run_id} of job `{}`", args.job);
    if !args.follow {
        return Ok(true);
    }
    let mut shown = String::new();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (_, status) = client.send(client.request(reqwest::Method::GET, &format!("/jobs/{id}/status"))).await?;
        if status["run_id"].as_str() != Some(&run_id) {
            bail!("another run of the job started; stopped following");
        }
        let text = progress(&status);
        if text != shown {
            println!("{text}");
            shown = text;
        }
        let state = status["status"].as_str().unwrap_or_default();
        if !matches!(state, "Starting" | "Testing" | "Running") {
            if let Some(error) = status["error"].as_str() {
                println!("error: {error}");
            }
            println!("{state}: {} rows in {} ms", status["rows"], status["duration_ms"]);
            return Ok(state == "Successful");
        }
    }
}

/// One block of lines: the run's status and each table's rows.
fn progress(status: &Value) -> String {
    let mut out = status["status"].as_str().unwrap_or("?").to_string();
    for table in status["tables"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "\n  {} -> {}: {} {} rows{}",
            table["table"].as_str().unwrap_or("?"),
            table["destination_table"].as_str().unwrap_or("?"),
            table["status"].as_str().unwrap_or("?"),
            table["rows"],
            table["error"].as_str().map(|e| format!(" ({e})")).unwrap_or_default(),
        ));
    }
    out
}
