//! The conformance check, `syncport connector check`: the bundled
//! connectors pass it, each misbehaving fixture fails the check it should,
//! and the command line reports it.

mod bundled;
mod cli;
mod fixtures;
mod secret_names;

use crate::helpers::{component, runtime};
use std::time::Duration;
use syncport::check::{self, CheckName, Report, Status};
use syncport::connector::model::Property;
use syncport::runtime::Limits;

/// Runs the check on the built component `path` with `config`, under `limits`.
fn check(path: &str, config: Option<Vec<Property>>, limits: Limits) -> Report {
    check::run(&runtime(limits), &component(path), config)
}

/// Limits small enough that a looping fixture fails fast, wide enough that
/// healthy calls pass on a loaded machine.
fn tight() -> Limits {
    Limits::default().with_timeout(Duration::from_secs(1)).with_memory(32 << 20)
}

/// The names of the checks with `status`.
fn with_status(report: &Report, status: Status) -> Vec<CheckName> {
    report.checks.iter().filter(|c| c.status == status).map(|c| c.name).collect()
}
