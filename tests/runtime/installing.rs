//! What a load checks before compiling, and the compile budget.

use crate::helpers::component;
use crate::hostile::{importing, slow_to_compile, with_extra_instances, with_extra_memories};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use syncport::runtime::{Cap, CompileLimits, Compiler, Limits, LoadError, Runtime};

/// A runtime with no compile cache (every load compiles) and `compile` as
/// its budget, compiling in a child process of the real binary.
fn compiling_in_a_child(compile: CompileLimits) -> Runtime {
    let limits = Limits { compile, ..Limits::default() };
    Runtime::new(limits, None)
        .expect("the runtime starts")
        .with_compiler(Compiler::Subprocess(PathBuf::from(env!("CARGO_BIN_EXE_syncport"))))
}

fn in_process() -> Runtime {
    Runtime::new(Limits::default(), None).expect("the runtime starts")
}

#[test]
fn too_many_core_instances_memories_or_tables_are_refused_before_compiling() {
    let stub = component("fixtures/stub.wasm");
    let runtime = in_process();
    let cases = [
        (with_extra_instances(&stub, 300), Cap::CoreInstances, "core_instances_per_component"),
        (with_extra_memories(&stub, 20, 1), Cap::Memories, "memories_per_component"),
    ];
    for (bytes, expected, limit) in cases {
        let started = Instant::now();
        let error = runtime.load(&bytes).err().expect("refused");
        let took = started.elapsed();
        assert!(matches!(error, LoadError::OverLimit { cap, .. } if cap == expected), "{error}");
        assert!(error.to_string().contains(limit), "names the limit: {error}");
        assert!(took < Duration::from_millis(50), "refused before compiling: took {took:?}");
    }
    assert_eq!(runtime.stats().compiled, 0, "nothing was compiled");
    // Within the caps, the same kind of component loads.
    runtime.load(&with_extra_instances(&stub, 10)).expect("10 more instances are within the cap");
}

#[test]
fn an_import_the_host_does_not_serve_is_refused_before_compiling() {
    let stub = component("fixtures/stub.wasm");
    let runtime = in_process();
    for name in ["syncport:connector/secrets@0.1.0", "acme:evil/backdoor@1.0.0", "env"] {
        let error = runtime.load(&importing(&stub, name)).err().expect("refused");
        assert!(matches!(&error, LoadError::Incompatible(m) if m.contains(name)), "{name}: {error}");
    }
    assert_eq!(runtime.stats().compiled, 0, "nothing was compiled");
}

#[test]
fn a_compile_past_its_deadline_is_killed_and_a_clean_error() {
    let slow = slow_to_compile(&component("fixtures/stub.wasm"), 4_000_000);
    let runtime = compiling_in_a_child(CompileLimits { timeout: Duration::from_secs(1), memory_bytes: 2048 << 20 });
    let started = Instant::now();
    let error = runtime.load(&slow).err().expect("too slow");
    let took = started.elapsed();
    assert!(matches!(error, LoadError::CompileTimeout { limit } if limit == Duration::from_secs(1)), "{error}");
    assert!(took < Duration::from_secs(3), "stopped at its deadline: {took:?}");
    // The runtime compiles the next component as usual.
    runtime.load(&component("fixtures/stub.wasm")).expect("the next compile works");
}

#[test]
fn a_compile_past_its_memory_cap_is_a_clean_error() {
    let runtime = compiling_in_a_child(CompileLimits { timeout: Duration::from_secs(60), memory_bytes: 128 << 20 });
    let error = runtime.load(&component("connectors/salesforce-2.0.0.wasm")).err().expect("over the cap");
    assert!(matches!(error, LoadError::CompileMemory { limit_bytes } if limit_bytes == 128 << 20), "{error}");
}

#[test]
fn the_real_connectors_compile_in_a_child_within_the_default_budget() {
    let runtime = compiling_in_a_child(Limits::default().compile);
    for file in ["connectors/quickbooks-2.0.0.wasm", "connectors/salesforce-2.0.0.wasm", "fixtures/misbehave.wasm"] {
        let plugin = runtime.load(&component(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!plugin.info().name.is_empty());
    }
    assert_eq!(runtime.stats().compiled, 3);
}
