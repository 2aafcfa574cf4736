//! The plugin limit flags shared by `serve` and `connector check`.

use clap::Args;
use std::time::Duration;
use syncport::runtime::Limits;

/// Per-call plugin limits (docs/runtime.md).
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Deadline of every plugin call, in milliseconds (default: per operation, see docs/runtime.md).
    #[arg(long, env = "SYNCPORT_PLUGIN_TIMEOUT_MS")]
    pub plugin_timeout_ms: Option<u64>,
    /// Memory cap of every plugin call, in MiB (default: per operation, see docs/runtime.md).
    #[arg(long, env = "SYNCPORT_PLUGIN_MEMORY_MIB")]
    pub plugin_memory_mib: Option<usize>,
}

impl LimitArgs {
    /// `limits` with the deadline and memory cap given, if any.
    pub fn apply(&self, mut limits: Limits) -> Limits {
        if let Some(ms) = self.plugin_timeout_ms {
            limits = limits.with_timeout(Duration::from_millis(ms));
        }
        if let Some(mib) = self.plugin_memory_mib {
            limits = limits.with_memory(mib << 20);
        }
        limits
    }
}
