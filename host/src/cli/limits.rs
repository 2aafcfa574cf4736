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
    /// Bytes an answer (describe, test, list-tables, list-columns) may take once lifted, in MiB.
    #[arg(long, env = "SYNCPORT_PLUGIN_RESULT_MIB", default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub plugin_result_mib: u64,
    /// Bytes a job's `read` page may take once lifted, in MiB.
    #[arg(long, env = "SYNCPORT_PLUGIN_PAGE_MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..))]
    pub plugin_page_mib: u64,
    /// Bytes the answers of all plugin calls in flight may hold at once, in MiB.
    #[arg(long, env = "SYNCPORT_PLUGIN_ANSWERS_MIB", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..))]
    pub plugin_answers_mib: u64,
    /// Job sessions (one instance for a table's pages) of one connector version open at once.
    #[arg(long, env = "SYNCPORT_PLUGIN_SESSIONS", default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..))]
    pub plugin_sessions: u64,
    /// Core instances one component may create; more is refused at install.
    #[arg(long, env = "SYNCPORT_COMPONENT_MAX_INSTANCES", default_value_t = 200)]
    pub component_max_instances: u32,
    /// Linear memories one component may define; more is refused at install.
    #[arg(long, env = "SYNCPORT_COMPONENT_MAX_MEMORIES", default_value_t = 16)]
    pub component_max_memories: u32,
    /// Tables one component may define; more is refused at install.
    #[arg(long, env = "SYNCPORT_COMPONENT_MAX_TABLES", default_value_t = 32)]
    pub component_max_tables: u32,
    /// Linear memories of all plugin calls at once (the instance pool every version reserves its share of).
    #[arg(long, env = "SYNCPORT_POOL_MEMORIES", default_value_t = 1000)]
    pub pool_memories: u32,
    /// What WIT 0.3.0 connectors may reach.
    #[command(flatten)]
    pub egress: super::egress::EgressArgs,
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
        let mib = |n: u64| usize::try_from(n).unwrap_or(usize::MAX).saturating_mul(1 << 20);
        limits.max_result_bytes = mib(self.plugin_result_mib);
        limits.max_page_bytes = mib(self.plugin_page_mib);
        limits.max_answer_bytes_total = mib(self.plugin_answers_mib);
        limits.max_concurrent_sessions = usize::try_from(self.plugin_sessions).unwrap_or(usize::MAX);
        limits.pool.core_instances_per_component = self.component_max_instances;
        limits.pool.memories_per_component = self.component_max_memories;
        limits.pool.tables_per_component = self.component_max_tables;
        limits.pool.total_memories = self.pool_memories;
        limits.egress = self.egress.limits();
        limits
    }
}
