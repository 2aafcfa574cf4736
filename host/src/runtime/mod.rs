//! The plugin runtime: one wasmtime [`Engine`](wasmtime::Engine), a compile
//! cache, and a [`Plugin`] per loaded connector version.
//!
//! Every call is a future on wasmtime's async API with a fresh store: a
//! wall-clock deadline that holds in host calls too, one memory cap for all
//! its memories and tables, its component's share of the instance pool, and
//! a byte bound on its answer; a trap, timeout or blown budget fails that
//! call only. A [`Session`] keeps one instance for several calls under
//! one deadline. Plugins run with an empty WASI context: no files,
//! environment, arguments or sockets. See `docs/runtime.md`.

mod cache;
mod compile;
pub mod egress;
mod engine;
mod inspect;
mod limits;
mod oauth_spec;
mod outcome;
mod plugin;
mod pool;
mod redact;
mod session;
mod state;
mod ticker;
mod wit;

pub use compile::{Compiler, compile_component_main};
pub use egress::EgressLimits;
pub use engine::Allocator;
pub use inspect::Cap;
pub use limits::{CallLimits, CompileLimits, Limits, Operation, PoolLimits};
pub use outcome::{Call, CallError, Fault, FaultKind, LogBudget};
pub use plugin::{ConnectorId, Plugin, WitVersion, block_on};
pub use pool::{Footprint, PoolFull};
pub use redact::MASK;
pub use session::Session;
pub use state::{LOG_LINE_COST, LogLine, LogSource};

use crate::connector::model::ConnectorInfo;
use crate::telemetry::Metrics;
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
    /// It declares more of something than one component may have; refused
    /// before compiling.
    #[error("it would create {count} {} per instance; a component may have at most {limit} (the `{}` limit)", cap.what(), cap.limit_name())]
    OverLimit {
        /// Which cap.
        cap: Cap,
        /// What it would create.
        count: u32,
        /// The cap.
        limit: u32,
    },
    /// Compiling it took longer than the compile budget allows.
    #[error("compiling it took longer than the {} s this server allows (`--compile-timeout-secs`)", limit.as_secs_f64())]
    CompileTimeout {
        /// The compile timeout.
        limit: std::time::Duration,
    },
    /// Compiling it needed more memory than the compile budget allows.
    #[error("compiling it needed more than the {} MiB this server allows (`--compile-memory-mib`)", limit_bytes >> 20)]
    CompileMemory {
        /// The compile memory cap, in bytes.
        limit_bytes: usize,
    },
    /// The compiler failed on it (crashed or panicked).
    #[error("the compiler failed on it: {0}")]
    CompileFailed(String),
    /// Its `describe` no longer says what it said at install (the record is
    /// kept as the truth; the component is refused).
    #[error("its describe differs from the answer recorded at install: {0}")]
    DescribeChanged(String),
    /// Loading it did not finish within its deadline.
    #[error("loading it did not finish within {} s", limit.as_secs_f64())]
    LoadTimeout {
        /// The deadline.
        limit: std::time::Duration,
    },
    /// The instance pool has no room left for this version's calls.
    #[error("{0}")]
    PoolFull(#[from] PoolFull),
}

/// A component compiled and linked whose code has not run yet: the second
/// half of a load runs its `describe` (see [`Runtime::link`]).
pub struct Linked {
    core: Core,
    sha256: String,
    wit: WitVersion,
}

impl Linked {
    /// The sha256 of the component's bytes, hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Runs `describe`; its answer is the connector's info (an install).
    pub fn describe(self) -> Result<Plugin, LoadError> {
        let info = self.run_describe()?;
        Ok(self.into_plugin(info))
    }

    /// `describe` on a thread of its own, so a load works from any thread (a
    /// tokio worker's included); its deadline holds as every call's does.
    fn run_describe(&self) -> Result<ConnectorInfo, LoadError> {
        let call = std::thread::scope(|s| s.spawn(|| block_on(self.core.describe())).join());
        let call = call.map_err(|_| LoadError::Incompatible("the host's describe task failed".into()))?;
        call.result.map_err(|e| LoadError::Describe(Box::new(e)))
    }

    /// Runs `describe` and holds the answer against `recorded`, the answer
    /// it gave at install: the record is the truth (name, version, specs),
    /// and an answer that differs refuses the component.
    pub fn describe_as_recorded(self, recorded: &ConnectorInfo) -> Result<Plugin, LoadError> {
        let info = self.run_describe()?;
        if let Some(difference) = difference(recorded, &info) {
            return Err(LoadError::DescribeChanged(difference));
        }
        Ok(self.into_plugin(recorded.clone()))
    }

    fn into_plugin(self, info: ConnectorInfo) -> Plugin {
        let id =
            ConnectorId { name: info.name.clone(), version: info.version.clone(), sha256: self.sha256, wit: self.wit };
        Plugin::new(self.core, info, id)
    }
}

/// What one instance of `component` takes from the pool: the larger of what
/// inspection counted and what wasmtime counts (each store is capped at it,
/// so an undercount could only fail the component's own calls).
fn footprint(counted: Footprint, component: &Component) -> Footprint {
    let (memories, tables) = component.resources_required().map_or((0, 0), |r| (r.num_memories, r.num_tables));
    Footprint {
        core_instances: counted.core_instances.max(1),
        memories: counted.memories.max(memories),
        tables: counted.tables.max(tables),
    }
}

/// What differs between the `describe` answer recorded at install and a
/// later one, in words; `None` when they are the same.
fn difference(recorded: &ConnectorInfo, now: &ConnectorInfo) -> Option<String> {
    if recorded == now {
        return None;
    }
    let mut found = Vec::new();
    if recorded.name != now.name || recorded.version != now.version {
        found.push(format!(
            "it now calls itself {} {} (recorded: {} {})",
            now.name, now.version, recorded.name, recorded.version
        ));
    }
    for spec in &recorded.properties {
        match now.property(&spec.name) {
            None => found.push(format!("property `{}` is gone", spec.name)),
            Some(now) if now.secret != spec.secret => found.push(format!(
                "property `{}` is {} secret (recorded: {})",
                spec.name,
                if now.secret { "now" } else { "no longer" },
                if spec.secret { "secret" } else { "not secret" }
            )),
            Some(now) if now != spec => found.push(format!("property `{}` is described differently", spec.name)),
            Some(_) => {}
        }
    }
    for spec in now.properties.iter().filter(|p| recorded.property(&p.name).is_none()) {
        found.push(format!("property `{}` is new", spec.name));
    }
    if found.is_empty() {
        found.push("its answer differs from the recorded one".into());
    }
    Some(found.join("; "))
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
    /// Where components are compiled (in this process unless set).
    compiler: std::sync::RwLock<Compiler>,
    /// What every call's outbound requests share (settings, TLS).
    network: Arc<egress::Network>,
    /// Where calls are counted and timed.
    metrics: std::sync::RwLock<Metrics>,
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
        let compiler = std::sync::RwLock::default();
        let pool = pool::Pool::new(&limits.pool);
        let answers = Arc::new(tokio::sync::Semaphore::new(limits.max_answer_bytes_total.div_ceil(1024)));
        let network = Arc::new(egress::Network::new(limits.egress.clone()));
        let limits = Arc::new(limits);
        let metrics = std::sync::RwLock::default();
        let inner = Inner {
            engine,
            linker,
            cache,
            limits,
            allocator,
            pool,
            answers,
            compiler,
            network,
            metrics,
            _ticker: ticker,
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Compiles with `compiler` from now on (by default in this process; the
    /// server compiles in a child process under [`Limits::compile`]).
    pub fn with_compiler(self, compiler: Compiler) -> Self {
        *self.inner.compiler.write().unwrap_or_else(|e| e.into_inner()) = compiler;
        self
    }

    /// Counts and times the calls of versions loaded from now on in
    /// `metrics` (by default in a registry of the runtime's own).
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        *self.inner.metrics.write().unwrap_or_else(|e| e.into_inner()) = metrics;
        self
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

    /// Inspects, compiles (or loads from the cache), links and describes a
    /// component; what `describe` says is its info. Blocking: compiling
    /// takes tens of milliseconds, or up to the compile budget. What
    /// inspection refuses is never compiled.
    pub fn load(&self, bytes: &[u8]) -> Result<Plugin, LoadError> {
        self.link(bytes)?.describe()
    }

    /// The first half of [`Runtime::load`]: inspects, compiles (or loads from
    /// the cache) and links, running no guest code. Blocking.
    pub fn link(&self, bytes: &[u8]) -> Result<Linked, LoadError> {
        let counted = inspect::inspect(bytes, &self.inner.limits.pool)?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let inner = &self.inner;
        let compiler = inner.compiler.read().unwrap_or_else(|e| e.into_inner()).clone();
        let component = inner.cache.component(&inner.engine, bytes, &sha256, &compiler, &inner.limits.compile)?;
        let wit = self.wit_version(&component)?;
        self.check_imports(&component, wit)?;
        let instance_pre =
            inner.linker.instantiate_pre(&component).map_err(|e| LoadError::Incompatible(format!("{e:#}")))?;
        let pre = wit::Pre::new(wit, instance_pre).map_err(|e| LoadError::Incompatible(format!("{e:#}")))?;
        let footprint = footprint(counted, &component);
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
            network: inner.network.clone(),
            connections: Arc::default(),
            series: inner.metrics.read().unwrap_or_else(|e| e.into_inner()).connector("(loading)", &sha256[..12]),
            _reservation: Some(reservation),
        };
        Ok(Linked { core, sha256, wit })
    }

    /// Refuses imports of a `syncport:` interface the host does not serve,
    /// and outbound HTTP in a component of a version before 0.3.0, naming
    /// them; other missing imports are named by the linker.
    fn check_imports(&self, component: &Component, wit: WitVersion) -> Result<(), LoadError> {
        let ty = component.component_type();
        for (name, _) in ty.imports(&self.inner.engine) {
            if name.starts_with(wit::NETWORK_IMPORTS) && wit < WitVersion::V0_3_0 {
                return Err(LoadError::Incompatible(format!(
                    "it imports `{name}`, but it is a syncport:connector@{wit} component, which has no network: \
                     outbound HTTP needs syncport:connector@0.3.0 and egress patterns in `describe`"
                )));
            }
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
