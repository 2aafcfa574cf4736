//! The installed connector versions: components stored content-addressed
//! under the data directory, loaded side by side, looked up by name.

use crate::runtime::{LoadError, Plugin, Runtime};
use semver::Version;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

/// Why an install or lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The component could not be loaded.
    #[error("{file}: {source}")]
    Load {
        /// Which component.
        file: String,
        /// Why.
        source: LoadError,
    },
    /// The same name and version is installed with other bytes.
    #[error("{name} {version} is already installed with different content (sha256 {installed})")]
    Conflict {
        /// The connector name.
        name: String,
        /// The version.
        version: Version,
        /// The sha256 of the installed component.
        installed: String,
    },
    /// Reading or writing the components directory failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Whether an install added a component or found it already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallOutcome {
    /// Newly installed.
    Installed,
    /// The same bytes were already installed.
    AlreadyInstalled,
}

/// Installed connectors by normalized name, then by version.
pub struct Registry {
    runtime: Runtime,
    dir: PathBuf,
    plugins: RwLock<BTreeMap<String, BTreeMap<Version, Plugin>>>,
}

impl Registry {
    /// Opens the registry in `dir` (created if missing) and loads every
    /// component stored there. Blocking.
    pub fn open(runtime: Runtime, dir: &Path) -> Result<Self, RegistryError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| RegistryError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let registry = Self { runtime, dir: dir.to_path_buf(), plugins: RwLock::default() };
        for path in wasm_files(dir).map_err(io(dir))? {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let plugin = registry.load(&path, &bytes)?;
            registry.insert(plugin)?;
        }
        Ok(registry)
    }

    /// Installs a component: loads and describes it, refuses a different
    /// component under an installed name and version, stores it. Installing
    /// the same bytes again changes nothing. Blocking.
    pub fn install(&self, bytes: &[u8]) -> Result<(Plugin, InstallOutcome), RegistryError> {
        let plugin = self.load(Path::new("component"), bytes)?;
        let path = self.dir.join(format!("{}.wasm", plugin.id().sha256));
        if let Some(installed) = self.get(&plugin.id().name, Some(&plugin.id().version)) {
            return if installed.id().sha256 == plugin.id().sha256 {
                Ok((installed, InstallOutcome::AlreadyInstalled))
            } else {
                Err(conflict(&installed))
            };
        }
        crate::fsutil::write_atomically(&path, bytes)
            .map_err(|source| RegistryError::Io { path: path.display().to_string(), source })?;
        self.insert(plugin.clone())?;
        Ok((plugin, InstallOutcome::Installed))
    }

    /// Installs every `.wasm` file in `dir` that is not installed yet; the
    /// bundled connectors come in this way at start. Blocking.
    pub fn install_dir(&self, dir: &Path) -> Result<Vec<Plugin>, RegistryError> {
        let files = wasm_files(dir).map_err(|source| RegistryError::Io { path: dir.display().to_string(), source })?;
        let mut installed = Vec::new();
        for path in files {
            let bytes = std::fs::read(&path)
                .map_err(|source| RegistryError::Io { path: path.display().to_string(), source })?;
            let (plugin, outcome) = self.install(&bytes).map_err(|e| match e {
                RegistryError::Load { source, .. } => RegistryError::Load { file: path.display().to_string(), source },
                other => other,
            })?;
            if outcome == InstallOutcome::Installed {
                tracing::info!(name = %plugin.id().name, version = %plugin.id().version, "installed connector");
            }
            installed.push(plugin);
        }
        Ok(installed)
    }

    /// The connector `name` (see [`normalize`]) at `version`, or its newest
    /// version when `version` is `None`.
    pub fn get(&self, name: &str, version: Option<&Version>) -> Option<Plugin> {
        let plugins = self.plugins.read().unwrap_or_else(|e| e.into_inner());
        let versions = plugins.get(&normalize(name))?;
        match version {
            Some(v) => versions.get(v).cloned(),
            None => versions.values().next_back().cloned(),
        }
    }

    /// Every installed version of `name`, oldest first.
    pub fn versions(&self, name: &str) -> Vec<Plugin> {
        let plugins = self.plugins.read().unwrap_or_else(|e| e.into_inner());
        plugins.get(&normalize(name)).map(|v| v.values().cloned().collect()).unwrap_or_default()
    }

    /// Every installed connector version, by name then version.
    pub fn list(&self) -> Vec<Plugin> {
        let plugins = self.plugins.read().unwrap_or_else(|e| e.into_inner());
        plugins.values().flat_map(|v| v.values().cloned()).collect()
    }

    /// The runtime the registry loads into.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    fn load(&self, path: &Path, bytes: &[u8]) -> Result<Plugin, RegistryError> {
        self.runtime.load(bytes).map_err(|source| RegistryError::Load { file: path.display().to_string(), source })
    }

    fn insert(&self, plugin: Plugin) -> Result<(), RegistryError> {
        let mut plugins = self.plugins.write().unwrap_or_else(|e| e.into_inner());
        let versions = plugins.entry(normalize(&plugin.id().name)).or_default();
        if let Some(installed) = versions.get(&plugin.id().version)
            && installed.id().sha256 != plugin.id().sha256
        {
            return Err(conflict(installed));
        }
        versions.insert(plugin.id().version.clone(), plugin);
        Ok(())
    }
}

/// The registry key of a connector name: trimmed, without the vendor
/// prefix the API's examples use (`CData QuickBooks`), lower case.
pub fn normalize(name: &str) -> String {
    let name = name.trim();
    let name = match name.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("cdata ") => name[6..].trim_start(),
        _ => name,
    };
    name.to_ascii_lowercase()
}

fn conflict(installed: &Plugin) -> RegistryError {
    RegistryError::Conflict {
        name: installed.id().name.clone(),
        version: installed.id().version.clone(),
        installed: installed.id().sha256.clone(),
    }
}

/// The `.wasm` files directly in `dir`, sorted by name.
fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    Ok(files)
}
