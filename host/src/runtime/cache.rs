//! Compiled components on disk, keyed by the component's sha256 and the
//! engine's compatibility hash, so a restart does not recompile.

use super::LoadError;
use super::compile::{self, Compiler};
use super::limits::CompileLimits;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::Engine;
use wasmtime::component::Component;

/// The compile cache, or none (always compile).
pub(crate) struct CompileCache {
    dir: Option<PathBuf>,
    engine_key: String,
    compiled: AtomicU64,
    loaded: AtomicU64,
}

impl CompileCache {
    /// A cache in `dir` (created if missing) for components of `engine`.
    pub(crate) fn new(engine: &Engine, dir: Option<&Path>) -> std::io::Result<Self> {
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
        }
        Ok(Self {
            dir: dir.map(Path::to_path_buf),
            engine_key: compile::engine_key(engine),
            compiled: AtomicU64::new(0),
            loaded: AtomicU64::new(0),
        })
    }

    /// The component with content hash `sha256`: from the cache when this
    /// server compiled it before, else compiled now by `compiler` (under
    /// `limits` in a child process) and cached.
    pub(crate) fn component(
        &self,
        engine: &Engine,
        bytes: &[u8],
        sha256: &str,
        compiler: &Compiler,
        limits: &CompileLimits,
    ) -> Result<Component, LoadError> {
        let path = self.dir.as_ref().map(|dir| dir.join(format!("{sha256}-{}.cwasm", self.engine_key)));
        if let Some(path) = path.as_deref().filter(|p| p.exists()) {
            // SAFETY: `Component::deserialize_file` trusts its input to be
            // wasmtime output. Files in this cache are only ever written below,
            // from `Component::serialize` or by this server's own compile
            // child (`Engine::precompile_component`), named by the content
            // hash of their source and the engine's compatibility hash, in a
            // directory the server owns.
            #[allow(unsafe_code)]
            match unsafe { Component::deserialize_file(engine, path) } {
                Ok(component) => {
                    self.loaded.fetch_add(1, Ordering::Relaxed);
                    return Ok(component);
                }
                Err(error) => tracing::warn!(%error, path = %path.display(), "unusable cached component; recompiling"),
            }
        }
        let component = match compiler {
            Compiler::InProcess => {
                let component = compile::in_process(engine, bytes)?;
                if let Some(path) = &path {
                    let stored = component
                        .serialize()
                        .map_err(std::io::Error::other)
                        .and_then(|compiled| crate::fsutil::write_atomically(path, &compiled));
                    if let Err(error) = stored {
                        tracing::warn!(%error, path = %path.display(), "could not cache a compiled component");
                    }
                }
                component
            }
            Compiler::Subprocess(exe) => self.compile_in_child(engine, exe, bytes, path.as_deref(), limits)?,
        };
        self.compiled.fetch_add(1, Ordering::Relaxed);
        Ok(component)
    }

    /// Compiles in a child into a new file of this server's (in the cache
    /// directory, or a temporary one), moved to `path` when caching.
    fn compile_in_child(
        &self,
        engine: &Engine,
        exe: &Path,
        bytes: &[u8],
        path: Option<&Path>,
        limits: &CompileLimits,
    ) -> Result<Component, LoadError> {
        let io = |e: std::io::Error| LoadError::CompileFailed(format!("the compile's output file: {e}"));
        let dir = self.dir.clone().unwrap_or_else(std::env::temp_dir);
        let output = tempfile::Builder::new().prefix(".compiling-").suffix(".cwasm").tempfile_in(&dir).map_err(io)?;
        compile::in_child(exe, bytes, output.path(), &self.engine_key, limits)?;
        let (output, kept) = match path {
            Some(path) => {
                output.persist(path).map_err(|e| io(e.error))?;
                (path.to_path_buf(), None)
            }
            None => (output.path().to_path_buf(), Some(output)),
        };
        // SAFETY: as in `component`: `output` is a file this process made
        // (0600, in its own directory) and its compile child, this server's
        // own executable, filled from `Engine::precompile_component` with an
        // engine of the same compatibility key (it refuses otherwise).
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize_file(engine, &output) }
            .map_err(|e| LoadError::CompileFailed(format!("the compiled component does not load: {e:#}")));
        drop(kept);
        component
    }

    /// (components compiled, components loaded from the cache) since start.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.compiled.load(Ordering::Relaxed), self.loaded.load(Ordering::Relaxed))
    }
}
