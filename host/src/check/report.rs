//! Rendering a [`Report`]: for people ([`fmt::Display`]) or as JSON
//! ([`Report::to_json`]).

use super::{Report, Status};
use std::fmt;

impl Report {
    /// The report as pretty-printed JSON (the shape of [`Report`]'s fields).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::Skipped => "SKIP",
        })
    }
}

/// One line per check, its problems indented below it, then the verdict.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.connector {
            Some(id) => writeln!(
                f,
                "Connector {} {} (WIT {}, sha256 {})",
                id.name,
                id.version,
                id.wit,
                id.sha256.get(..12).unwrap_or(&id.sha256)
            )?,
            None => writeln!(f, "Connector did not load")?,
        }
        for check in &self.checks {
            writeln!(f, "  {:<4}  {:<14}  {}", check.status, check.name, check.summary)?;
            for problem in &check.problems {
                writeln!(f, "        - {problem}")?;
            }
        }
        let count = |status| self.checks.iter().filter(|c| c.status == status).count();
        let (failed, skipped, total) = (count(Status::Failed), count(Status::Skipped), self.checks.len());
        let not_run: Vec<&str> = self.not_run.iter().map(|c| c.as_str()).collect();
        if !self.passed {
            let skipped = if skipped > 0 { format!(", {skipped} skipped") } else { String::new() };
            writeln!(f, "FAILED: {failed} of {total} checks{skipped}.")
        } else if !self.complete {
            // No check failed, but some did not run: not a pass.
            let passed = count(Status::Passed);
            writeln!(
                f,
                "INCOMPLETE: {passed} of {total} checks passed, {} did not run: {}.",
                not_run.len(),
                not_run.join(", ")
            )
        } else {
            let not_applicable = if skipped > 0 { format!(", {skipped} not applicable") } else { String::new() };
            writeln!(f, "Passed: {} of {total} checks{not_applicable}.", count(Status::Passed))
        }
    }
}
