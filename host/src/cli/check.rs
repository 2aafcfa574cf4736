//! `syncport connector check`: a connector through the sandbox with no
//! server, and a report of what it does wrong (docs/plugin-guide.md).

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use syncport::runtime::Limits;

/// What to check, and how.
#[derive(Args)]
pub struct CheckArgs {
    /// The connector component (`.wasm`).
    file: PathBuf,
    /// A JSON object of connection properties, e.g. {"User": "me@example.com", "Password": "..."};
    /// default: the described default values.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Prints the report as JSON.
    #[arg(long)]
    json: bool,
    /// Accepts a run in which checks were skipped (without --config, when a
    /// required property has no default, only `describe` runs): exit 0 when
    /// no check that ran failed. Without it such a run exits 3.
    #[arg(long)]
    describe_only: bool,
    #[command(flatten)]
    limits: super::limits::LimitArgs,
}

/// `syncport connector check`: exit 0 every check ran and passed (with
/// `--describe-only`: what ran passed), 1 a check failed, 2 could not run,
/// 3 nothing failed but some checks did not run.
pub async fn run(args: CheckArgs) -> ExitCode {
    let fail = |what: &str, error: &dyn std::fmt::Display| {
        eprintln!("syncport connector check: {what}: {error}");
        ExitCode::from(2)
    };
    let wasm = match std::fs::read(&args.file) {
        Ok(wasm) => wasm,
        Err(error) => return fail(&args.file.display().to_string(), &error),
    };
    let config = match &args.config {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| syncport::check::parse_config(&t))
        {
            Ok(config) => Some(config),
            Err(error) => return fail(&path.display().to_string(), &error),
        },
    };
    let limits = args.limits.apply(Limits::default());
    let runtime = match syncport::runtime::Runtime::new(limits, None) {
        Ok(runtime) => runtime,
        Err(error) => return fail("the runtime did not start", &error),
    };
    // Off the async thread: WASI's blocking stdout and stderr enter tokio themselves.
    let report = match tokio::task::spawn_blocking(move || syncport::check::run(&runtime, &wasm, config)).await {
        Ok(report) => report,
        Err(error) => return fail("the check failed", &error),
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    if !report.passed {
        return ExitCode::FAILURE;
    }
    if report.complete {
        return ExitCode::SUCCESS;
    }
    let not_run: Vec<&str> = report.not_run.iter().map(|c| c.as_str()).collect();
    let (count, names) = (not_run.len(), not_run.join(", "));
    if args.describe_only {
        eprintln!(
            "syncport connector check: --describe-only: accepted although {count} checks did not run ({names}); \
             this is not a full check"
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "syncport connector check: INCOMPLETE: {count} checks did not run ({names}), so this is not a pass: \
             pass --config FILE with values that connect, or --describe-only to accept a partial check"
        );
        ExitCode::from(3)
    }
}
