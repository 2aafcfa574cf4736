//! The one wasmtime [`Engine`] of the process.

use super::limits::Limits;
use serde::Serialize;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How instances get their memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Allocator {
    /// Pre-reserved slots, reused from call to call (the fast path).
    Pooling,
    /// Fresh memory per instance; used where the pool cannot be reserved.
    OnDemand,
}

/// Linear memory of a freed instance slot kept resident (zeroed, not released).
const KEEP_RESIDENT_MEMORY_BYTES: usize = 4 << 20;
/// Table memory of a freed instance slot kept resident.
const KEEP_RESIDENT_TABLE_BYTES: usize = 64 << 10;

/// Builds the engine: component model, epoch interruption, and the pooling
/// allocator sized for `limits`, falling back to on-demand allocation (with
/// a log line) where the pool's address space cannot be reserved.
pub(crate) fn build(limits: &Limits) -> wasmtime::Result<(Engine, Allocator)> {
    let mut pool = PoolingAllocationConfig::default();
    pool.max_memory_size(limits.max_memory_bytes());
    // A freed slot's first pages are zeroed in place instead of handed back
    // to the kernel: no `madvise` (which flushes the TLB of every CPU running
    // the process) and no page faults when the next instance touches them.
    // A call of the bundled connectors touches 2 to 4 MiB (1 MiB or 2 MiB
    // kept measured slower, 8 MiB no faster: BENCHMARKS.md); past this,
    // memory is still released.
    pool.linear_memory_keep_resident(KEEP_RESIDENT_MEMORY_BYTES);
    pool.table_keep_resident(KEEP_RESIDENT_TABLE_BYTES);
    // Where the kernel has the `PAGEMAP_SCAN` ioctl (Linux 6.7 and later),
    // only the pages the instance actually touched are zeroed, instead of
    // the whole kept-resident prefix: `test` through the API went from 11,000
    // to 15,000 calls/s (BENCHMARKS.md). Elsewhere wasmtime zeroes the prefix.
    pool.pagemap_scan(wasmtime::Enabled::Auto);
    // What one component may declare (refused when it is compiled), and the
    // totals every loaded version reserves its share of (`pool.rs`).
    let caps = &limits.pool;
    pool.max_core_instances_per_component(caps.core_instances_per_component);
    pool.max_memories_per_component(caps.memories_per_component);
    pool.max_tables_per_component(caps.tables_per_component);
    pool.total_core_instances(caps.total_core_instances);
    pool.total_memories(caps.total_memories);
    pool.total_tables(caps.total_tables);
    pool.total_component_instances(caps.total_component_instances);
    // Each call runs on a fiber stack of its own: one per component instance.
    // (Guest code cannot read a stack's old contents: wasm sees only its own
    // linear memory, so stacks are reused without zeroing.)
    pool.total_stacks(caps.total_component_instances);
    let mut config = base_config();
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    match Engine::new(&config) {
        Ok(engine) => Ok((engine, Allocator::Pooling)),
        Err(error) => {
            tracing::warn!(%error, "pooling allocator unavailable; allocating instances on demand");
            Ok((Engine::new(&base_config())?, Allocator::OnDemand))
        }
    }
}

/// What the engine compiles with, less the allocator: the compile child
/// (`compile.rs`) builds its engine from it, so their code is interchangeable.
pub(crate) fn base_config() -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    config
}
