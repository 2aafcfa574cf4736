//! The plugin runtime: one wasmtime [`Engine`](wasmtime::Engine), a compile
//! cache, and a [`Plugin`] per loaded connector version.
//!
//! Every call gets a fresh store with a wall-clock deadline (epoch
//! interruption) and a memory cap; a trap, timeout or memory blow-up fails
//! that call only. A [`Session`] keeps one instance for several calls under
//! one deadline. Plugins run with an empty WASI context: no files,
//! environment, arguments or sockets. See `docs/runtime.md`.

mod cache;
mod engine;
mod limits;
mod outcome;
mod plugin;
mod pool;
mod redact;
mod session;
mod state;
mod ticker;
mod wit;

pub use engine::Allocator;
pub use limits::{CallLimits, CompileLimits, Limits, Operation, PoolLimits};
pub use outcome::{Call, CallError, Fault, FaultKind, LogBudget};
pub use plugin::{ConnectorId, Plugin, WitVersion, block_on};
pub use pool::{Footprint, PoolFull};
pub use redact::MASK;
pub use session::Session;
pub use state::{LOG_LINE_COST, LogLine, LogSource};

use plugin::Core;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use wasmtime::Engine;
use wasmtime::component::{Component, Linker};

/// Why a component could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes are not a valid WebAssembly component.
    #[error("not a valid WebAssembly component: {0}")]
    NotAComponent(String),
    /// It exports no connector interface of a WIT version the host serves.
    #[error("exports no supported connector interface (supported: {supported}); it exports: {found}")]
    UnsupportedWit {
        /// The interfaces the host serves.
        supported: String,
        /// What the component exports.
        found: String,
    },
    /// It imports something the host does not provide, or its exports have
    /// the wrong types.
    #[error("does not fit the host: {0}")]
    Incompatible(String),
    /// `describe` failed or broke the contract.
    #[error("describe failed: {0}")]
    Describe(Box<CallError>),
    /// The instance pool has no room left for this version's calls.
    #[error("{0}")]
    PoolFull(#[from] PoolFull),
}

/// Tells a core module or something else from a component before
/// compiling, with a message that says what to do.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    const MAGIC: &[u8] = b"\0asm";
    const CORE_MODULE: &[u8] = &[1, 0, 0, 0];
    match (bytes.get(..4), bytes.get(4..8)) {
        (Some(MAGIC), Some(CORE_MODULE)) => Err(LoadError::NotAComponent(
            "this is a core WebAssembly module, not a component: build with `cargo build --target \
             wasm32-wasip2` (or wrap the module with `wasm-tools component new`)"
                .into(),
        )),
        (Some(MAGIC), Some(_)) => Ok(()),
        _ => Err(LoadError::NotAComponent(format!(
            "this is not WebAssembly ({} bytes that do not start with `\\0asm`)",
            bytes.len()
        ))),
    }
}

/// What one instance of `component` takes from the pool: its memories and
/// tables as wasmtime counts them, and its core instances (at most the
/// per-component cap, which wasmtime checked when it compiled it).
fn footprint(component: &Component, limits: &Limits) -> Footprint {
    let caps = &limits.pool;
    let (memories, tables) = match component.resources_required() {
        Some(r) => (r.num_memories, r.num_tables),
        None => (caps.memories_per_component, caps.tables_per_component),
    };
    Footprint { core_instances: caps.core_instances_per_component, memories, tables }
}

/// Why the runtime could not start.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// wasmtime refused the configuration or the host imports.
    #[error("wasmtime: {0}")]
    Wasmtime(String),
    /// The cache directory or the ticker thread could not be set up.
    #[error("runtime set-up: {0}")]
    Io(#[from] std::io::Error),
}

/// Counters of what the runtime has done since it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuntimeStats {
    /// Components compiled with Cranelift.
    pub compiled: u64,
    /// Components loaded precompiled from the cache.
    pub loaded_from_cache: u64,
    /// How instances get memory.
    pub allocator: Allocator,
}

/// The engine, linker and compile cache shared by every plugin. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<state::HostState>,
    cache: cache::CompileCache,
    limits: Arc<Limits>,
    allocator: Allocator,
    pool: pool::Pool,
    /// Room for the answers of calls in flight, in KiB.
    answers: Arc<tokio::sync::Semaphore>,
    _ticker: ticker::EpochTicker,
}

impl Runtime {
    /// Starts a runtime with `limits`, caching compiled components in
    /// `cache_dir` (or compiling every load when `None`).
    pub fn new(limits: Limits, cache_dir: Option<&Path>) -> Result<Self, RuntimeError> {
        let wasmtime = |e: wasmtime::Error| RuntimeError::Wasmtime(format!("{e:#}"));
        let (engine, allocator) = engine::build(&limits).map_err(wasmtime)?;
        let mut linker = Linker::new(&engine);
        // Rust guests import WASI even when they use none of it (their panic
        // handler reads the environment); link it with an empty context.
        // Async: a guest waiting in WASI (a sleep, a poll) is a pending
        // future the call's timeout can drop, not a blocked thread.
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(wasmtime)?;
        wit::add_to_linker(&mut linker).map_err(wasmtime)?;
        let cache = cache::CompileCache::new(&engine, cache_dir)?;
        let ticker = ticker::EpochTicker::start(engine.clone(), limits.epoch_tick)?;
        let pool = pool::Pool::new(&limits.pool);
        let answers = Arc::new(tokio::sync::Semaphore::new(limits.max_answer_bytes_total.div_ceil(1024)));
        let inner =
            Inner { engine, linker, cache, limits: Arc::new(limits), allocator, pool, answers, _ticker: ticker };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// What the runtime has done so far.
    pub fn stats(&self) -> RuntimeStats {
        let (compiled, loaded_from_cache) = self.inner.cache.counts();
        RuntimeStats { compiled, loaded_from_cache, allocator: self.inner.allocator }
    }

    /// Compiles (or loads from the cache), links and describes a component.
    /// Blocking: compiling takes tens of milliseconds.
    pub fn load(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        check_header(bytes)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let inner = &self.inner;
        let component = inner
            .cache
            .component(&inner.engine, bytes, &sha256)
            .map_err(|e| LoadError::NotAComponent(format!("{e:#}")))?;
        let wit = self.wit_version(&component)?;
        self.check_imports(&component)?;
        let instance_pre =
            inner.linker.instantiate_pre(&component).map_err(|e| LoadError::Incompatible(format!("{e:#}")))?;
        let pre = wit::Pre::new(wit, instance_pre).map_err(|e| LoadError::Incompatible(format!("{e:#}")))?;
        let footprint = footprint(&component, &inner.limits);
        let l = &inner.limits;
        // Every call and session the version may run at once, and its
        // load-time `describe`.
        let calls = u32::try_from(l.max_concurrent_calls + l.max_concurrent_sessions + 1).unwrap_or(u32::MAX);
        let reservation = inner.pool.reserve(footprint, calls)?;
        let core = Core {
            engine: inner.engine.clone(),
            pre,
            limits: inner.limits.clone(),
            label: ("(loading)".into(), sha256[..12].to_string()),
            footprint,
            answers: inner.answers.clone(),
            _reservation: Some(reservation),
        };
        // On a thread of its own, so `load` works from any thread, a tokio
        // worker's included.
        let describe = std::thread::scope(|s| s.spawn(|| block_on(core.describe())).join());
        let describe = describe.map_err(|_| LoadError::Incompatible("the host's describe task failed".into()))?;
        let info = describe.result.map_err(|e| LoadError::Describe(Box::new(e)))?;
        let id = ConnectorId { name: info.name.clone(), version: info.version.clone(), sha256, wit };
        Ok(Plugin::new(core, info, id))
    }

    /// Refuses imports of a `syncport:` interface the host does not serve,
    /// naming it; other missing imports are named by the linker.
    fn check_imports(&self, component: &Component) -> Result<(), LoadError> {
        let ty = component.component_type();
        for (name, _) in ty.imports(&self.inner.engine) {
            if name.starts_with("syncport:") && !wit::IMPORTS.contains(&name) {
                return Err(LoadError::Incompatible(format!(
                    "it imports `{name}`, which this host does not serve (it serves {})",
                    wit::IMPORTS.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn wit_version(&self, component: &Component) -> Result<WitVersion, LoadError> {
        let ty = component.component_type();
        let exports: Vec<&str> = ty.exports(&self.inner.engine).map(|(name, _)| name).collect();
        if let Some(version) = wit::detect(&exports) {
            return Ok(version);
        }
        Err(LoadError::UnsupportedWit {
            supported: wit::EXPORTS.iter().map(|(_, name)| *name).collect::<Vec<_>>().join(", "),
            found: if exports.is_empty() { "nothing".into() } else { exports.join(", ") },
        })
    }
}
