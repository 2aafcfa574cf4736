//! Compiling a component under a budget (`docs/runtime.md`, "Installing").
//!
//! Compiles run one at a time in the process. In the server they run in a
//! child process, the `syncport` binary itself in its hidden
//! `compile-component` mode, which caps its own address space and is killed
//! when its time is up: a compile that runs long, eats memory or makes
//! Cranelift panic costs that child, never the server. Where the running
//! executable is not `syncport` (tests, benchmarks, `connector check`), the
//! compile runs in-process, with a panic caught and reported.

use super::LoadError;
use super::limits::CompileLimits;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a runtime compiles components.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Compiler {
    /// In this process, one at a time, with a compiler panic caught; no
    /// deadline or memory cap (for tests, benchmarks and tools).
    #[default]
    InProcess,
    /// In a child process running this `syncport` executable's
    /// `compile-component` mode, one at a time, under the runtime's
    /// [`CompileLimits`].
    Subprocess(PathBuf),
}

/// One compile at a time in the whole process.
static TURN: Mutex<()> = Mutex::new(());

/// How a compile child says why it failed, by exit code.
mod exit {
    /// The bytes do not compile (wasmtime's message on stderr).
    pub(super) const INVALID: i32 = 2;
    /// Its engine's settings differ from the server's.
    pub(super) const ENGINE_MISMATCH: i32 = 3;
    /// It could not set itself up (limit, input, output).
    pub(super) const SETUP: i32 = 4;
}

/// The most of a child's stderr kept for the error message.
const STDERR_KEPT: usize = 16 << 10;

/// The engine a compile child compiles with: the code-generation settings
/// of the server's engine (`engine.rs`), without the pooling allocator,
/// which does not change compiled code. The child refuses to compile when
/// its [`engine_key`] differs from the server's, so a setting changed in
/// one place and not the other fails loudly (and a unit test checks they
/// agree).
pub(crate) fn compile_engine() -> wasmtime::Result<Engine> {
    Engine::new(&super::engine::base_config())
}

/// The engine's compatibility hash as text: compiled code is reused only by
/// an engine with the same key.
pub(crate) fn engine_key(engine: &Engine) -> String {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Compiles in this process, one compile at a time; a compiler panic is a
/// [`LoadError::CompileFailed`].
pub(crate) fn in_process(engine: &Engine, bytes: &[u8]) -> Result<Component, LoadError> {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Component::new(engine, bytes))) {
        Ok(Ok(component)) => Ok(component),
        Ok(Err(error)) => Err(LoadError::NotAComponent(format!("{error:#}"))),
        Err(panic) => Err(LoadError::CompileFailed(format!("the compiler panicked: {}", panic_text(&*panic)))),
    }
}

/// Compiles in a child process running `exe compile-component`, one compile
/// at a time, which writes the compiled component to `output`. The child is
/// killed at `limits.timeout`, and cannot map more than
/// `limits.memory_bytes`.
pub(crate) fn in_child(
    exe: &Path,
    bytes: &[u8],
    output: &Path,
    engine_key: &str,
    limits: &CompileLimits,
) -> Result<(), LoadError> {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let failed = |what: &str, e: std::io::Error| LoadError::CompileFailed(format!("{what}: {e}"));
    let mut child = Command::new(exe)
        .arg("compile-component")
        .arg("--output")
        .arg(output)
        .arg("--memory-bytes")
        .arg(limits.memory_bytes.to_string())
        .arg("--engine-key")
        .arg(engine_key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env_clear()
        // mimalloc reserves 1 GiB of address space up front by default,
        // which would count against the cap without being used.
        .env("MIMALLOC_ARENA_RESERVE", "64M")
        .spawn()
        .map_err(|e| failed(&format!("starting the compiler {}", exe.display()), e))?;
    let started = Instant::now();
    let stderr = child.stderr.take().map(|mut pipe| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut pipe).take(STDERR_KEPT as u64).read_to_end(&mut kept);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
            String::from_utf8_lossy(&kept).into_owned()
        })
    });
    // Fed from a thread of its own, so the deadline holds even while the
    // child is not reading; a child that died early closes the pipe, and its
    // exit says why.
    let status = std::thread::scope(|scope| {
        if let Some(mut stdin) = child.stdin.take() {
            scope.spawn(move || {
                let _ = stdin.write_all(bytes);
            });
        }
        wait(&mut child, started + limits.timeout)
    });
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    let status = match status {
        Ok(Some(status)) => status,
        Ok(None) => return Err(LoadError::CompileTimeout { limit: limits.timeout }),
        Err(e) => return Err(failed("waiting for the compiler", e)),
    };
    classify(status, stderr.trim(), limits)
}

/// Waits for `child` until `deadline`; kills it then (`Ok(None)`).
fn wait(child: &mut std::process::Child, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            let _ = child.kill();
            child.wait()?;
            return Ok(None);
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(5)));
    }
}

/// What a finished compile child's exit means.
fn classify(status: ExitStatus, stderr: &str, limits: &CompileLimits) -> Result<(), LoadError> {
    if status.success() {
        return Ok(());
    }
    // An allocation, mapping or thread stack refused under the address-space cap.
    let out_of_memory = [
        "memory allocation of",
        "out of memory",
        "Cannot allocate memory",
        "os error 12",
        "Resource temporarily unavailable",
    ]
    .iter()
    .any(|sign| stderr.contains(sign));
    match status.code() {
        Some(exit::INVALID) => Err(LoadError::NotAComponent(stderr.to_string())),
        _ if out_of_memory => Err(LoadError::CompileMemory { limit_bytes: limits.memory_bytes }),
        Some(exit::ENGINE_MISMATCH) => Err(LoadError::CompileFailed(stderr.to_string())),
        _ => {
            let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message");
            Err(LoadError::CompileFailed(format!("the compiler failed ({status}): {last}")))
        }
    }
}

/// The `compile-component` mode of the `syncport` binary: caps its own
/// address space at `memory_bytes`, reads a component from stdin, compiles
/// it with [`compile_engine`] (refusing when its key is not `expected_key`)
/// and writes the compiled form to `output`. Returns the exit code.
pub fn compile_component_main(output: &Path, memory_bytes: u64, expected_key: &str) -> i32 {
    let fail = |code: i32, message: String| {
        eprintln!("{message}");
        code
    };
    if let Err(e) = rlimit::setrlimit(rlimit::Resource::AS, memory_bytes, memory_bytes) {
        return fail(exit::SETUP, format!("cannot cap the compiler's address space at {memory_bytes} bytes: {e}"));
    }
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
        return fail(exit::SETUP, format!("reading the component: {e}"));
    }
    let engine = match compile_engine() {
        Ok(engine) => engine,
        Err(e) => return fail(exit::SETUP, format!("the compiler's engine: {e:#}")),
    };
    let key = engine_key(&engine);
    if key != expected_key {
        return fail(
            exit::ENGINE_MISMATCH,
            format!("the compiler's engine settings ({key}) differ from the server's ({expected_key})"),
        );
    }
    let compiled = match engine.precompile_component(&bytes) {
        Ok(compiled) => compiled,
        Err(e) => return fail(exit::INVALID, format!("{e:#}")),
    };
    drop(bytes);
    match std::fs::write(output, compiled) {
        Ok(()) => 0,
        Err(e) => fail(exit::SETUP, format!("writing {}: {e}", output.display())),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    const LIMITS: CompileLimits = CompileLimits { timeout: Duration::from_secs(1), memory_bytes: 64 << 20 };

    #[test]
    fn a_child_that_panics_aborts_or_refuses_the_bytes_is_a_clean_error() {
        let exited = |code: i32| ExitStatus::from_raw(code << 8);
        let signalled = |signal: i32| ExitStatus::from_raw(signal);
        let panic = "thread 'main' panicked at cranelift-codegen/src/lib.rs:1:1:\nindex out of bounds";
        assert!(
            matches!(classify(exited(101), panic, &LIMITS), Err(LoadError::CompileFailed(m)) if m.contains("index out of bounds"))
        );
        let oom = "memory allocation of 107840 bytes failed";
        assert!(
            matches!(classify(signalled(6), oom, &LIMITS), Err(LoadError::CompileMemory { limit_bytes }) if limit_bytes == 64 << 20)
        );
        let threads =
            "ThreadPoolBuildError { kind: IOError(Os { code: 11, message: \"Resource temporarily unavailable\" }) }";
        assert!(matches!(classify(exited(101), threads, &LIMITS), Err(LoadError::CompileMemory { .. })));
        assert!(
            matches!(classify(exited(exit::INVALID), "type mismatch", &LIMITS), Err(LoadError::NotAComponent(m)) if m == "type mismatch")
        );
        assert!(matches!(classify(signalled(9), "", &LIMITS), Err(LoadError::CompileFailed(_))));
        assert!(classify(exited(0), "", &LIMITS).is_ok());
    }

    #[test]
    fn the_compile_engine_makes_code_the_server_engine_can_load() {
        let (engine, _) = super::super::engine::build(&super::super::Limits::default()).expect("engine");
        let compiler = compile_engine().expect("compile engine");
        assert_eq!(engine_key(&compiler), engine_key(&engine), "keep compile_engine in step with engine.rs");
    }
}
