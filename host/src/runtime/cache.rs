//! Compiled components on disk, keyed by the component's sha256 and the
//! engine's compatibility hash, so a restart does not recompile.

use std::hash::{DefaultHasher, Hash, Hasher};
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
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(Self {
            dir: dir.map(Path::to_path_buf),
            engine_key: format!("{:016x}", hasher.finish()),
            compiled: AtomicU64::new(0),
            loaded: AtomicU64::new(0),
        })
    }

    /// The component with content hash `sha256`: from the cache when this
    /// server compiled it before, else compiled now and cached.
    pub(crate) fn component(&self, engine: &Engine, bytes: &[u8], sha256: &str) -> wasmtime::Result<Component> {
        let Some(dir) = &self.dir else {
            return self.compile(engine, bytes);
        };
        let path = dir.join(format!("{sha256}-{}.cwasm", self.engine_key));
        if path.exists() {
            // SAFETY: `Component::deserialize_file` trusts its input to be
            // wasmtime output. Files in this cache are only ever written by
            // `store` below from `Component::serialize`, named by the content
            // hash of their source and the engine's compatibility hash, in a
            // directory the server owns.
            #[allow(unsafe_code)]
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => {
                    self.loaded.fetch_add(1, Ordering::Relaxed);
                    return Ok(component);
                }
                Err(error) => tracing::warn!(%error, path = %path.display(), "unusable cached component; recompiling"),
            }
        }
        let component = self.compile(engine, bytes)?;
        if let Err(error) = crate::fsutil::write_atomically(&path, &component.serialize()?) {
            tracing::warn!(%error, path = %path.display(), "could not cache a compiled component");
        }
        Ok(component)
    }

    fn compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let component = Component::new(engine, bytes)?;
        self.compiled.fetch_add(1, Ordering::Relaxed);
        Ok(component)
    }

    /// (components compiled, components loaded from the cache) since start.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.compiled.load(Ordering::Relaxed), self.loaded.load(Ordering::Relaxed))
    }
}
