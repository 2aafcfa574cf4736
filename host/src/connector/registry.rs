//! The installed connector versions: components stored content-addressed
//! under the data directory (`<sha256>.wasm`, with `<sha256>.sig` when
//! signed), loaded side by side, looked up by name.

use super::signature::{Signature, SignatureError, TrustPolicy};
use crate::runtime::{LoadError, Plugin, Runtime};
use semver::Version;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

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
    /// The signature is missing, invalid or untrusted.
    #[error("{file}: {source}")]
    Signature {
        /// Which component.
        file: String,
        /// Why.
        source: SignatureError,
    },
    /// No such connector version.
    #[error("{name} {version} is not installed")]
    NotInstalled {
        /// The connector name as asked.
        name: String,
        /// The version as asked.
        version: Version,
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

/// What an install did.
#[derive(Clone)]
pub struct Installed {
    /// The installed version.
    pub plugin: Plugin,
    /// Whether it was new.
    pub outcome: InstallOutcome,
    /// The public key that signed it (base64), if signed.
    pub signed_by: Option<String>,
}

/// A component checked and loaded, not yet installed (see [`Registry::prepare`]).
pub struct Prepared {
    /// The loaded version.
    pub plugin: Plugin,
    /// The public key that signed it, if signed.
    pub signed_by: Option<String>,
}

/// Installed connectors by normalized name, then by version.
pub struct Registry {
    runtime: Runtime,
    dir: PathBuf,
    policy: TrustPolicy,
    plugins: RwLock<BTreeMap<String, BTreeMap<Version, Plugin>>>,
    /// Signer by component sha256.
    signers: RwLock<HashMap<String, String>>,
    /// Installs and removals one at a time, so the directory never holds
    /// two components with one name and version.
    changes: Mutex<()>,
    /// Held shared by whatever pins a connection to a version, exclusively
    /// by a removal, so no connection gets pinned to a version being removed.
    pins: Arc<tokio::sync::RwLock<()>>,
}

impl Registry {
    /// Opens the registry in `dir` (created if missing) and loads every
    /// component stored there. Each is checked against `policy` again, as
    /// later installs are. A component that does not load or pass is logged
    /// and left out, so one bad file never stops the server; connections
    /// pinned to it fail on their own. Blocking.
    pub fn open(runtime: Runtime, dir: &Path, policy: TrustPolicy) -> Result<Self, RegistryError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let registry = Self {
            runtime,
            dir: dir.to_path_buf(),
            policy,
            plugins: RwLock::default(),
            signers: RwLock::default(),
            changes: Mutex::default(),
            pins: Arc::default(),
        };
        for path in wasm_files(dir).map_err(io(dir))? {
            if let Err(error) = registry.load_stored(&path) {
                // The error may quote the component (its `describe`, its panic text).
                let error = crate::logs::escape(&error.to_string()).into_owned();
                tracing::error!(%error, "left out a stored connector component");
            }
        }
        Ok(registry)
    }

    /// Loads one stored component and its signature, checked as an install is.
    fn load_stored(&self, path: &Path) -> Result<(), RegistryError> {
        let bytes = std::fs::read(path).map_err(io(path))?;
        let sha256: [u8; 32] = Sha256::digest(&bytes).into();
        // A signature that is unreadable or made for other bytes (left by a
        // crash) counts as none.
        let signature = std::fs::read_to_string(path.with_extension("sig"))
            .ok()
            .and_then(|text| Signature::parse(&text).ok())
            .filter(|s| TrustPolicy::default().verify(&sha256, Some(s)).is_ok());
        let file = path.display().to_string();
        let signed_by = self
            .policy
            .verify(&sha256, signature.as_ref())
            .map_err(|source| RegistryError::Signature { file: file.clone(), source })?;
        let plugin = self.load(path, &bytes)?;
        if let Some(signer) = signed_by {
            self.write_signers().insert(plugin.id().sha256.clone(), signer);
        }
        self.insert(plugin)
    }

    /// Installs a component: checks its signature against the policy before
    /// compiling anything, loads and describes it, refuses a different
    /// component under an installed name and version, stores it. Installing
    /// the same bytes again changes nothing. Blocking.
    pub fn install(&self, bytes: &[u8], signature: Option<&Signature>) -> Result<Installed, RegistryError> {
        self.install_named("component", bytes, signature)
    }

    fn install_named(
        &self,
        file: &str,
        bytes: &[u8],
        signature: Option<&Signature>,
    ) -> Result<Installed, RegistryError> {
        let prepared = self.prepare_named(file, bytes, signature)?;
        self.commit(prepared, bytes, signature)
    }

    /// The first half of [`Registry::install`]: checks the signature, then
    /// loads and describes the component, changing nothing. Blocking.
    pub fn prepare(&self, bytes: &[u8], signature: Option<&Signature>) -> Result<Prepared, RegistryError> {
        self.prepare_named("component", bytes, signature)
    }

    fn prepare_named(
        &self,
        file: &str,
        bytes: &[u8],
        signature: Option<&Signature>,
    ) -> Result<Prepared, RegistryError> {
        let sha256: [u8; 32] = Sha256::digest(bytes).into();
        let signed_by = self
            .policy
            .verify(&sha256, signature)
            .map_err(|source| RegistryError::Signature { file: file.to_string(), source })?;
        let plugin = self.load(Path::new(file), bytes)?;
        Ok(Prepared { plugin, signed_by })
    }

    /// The second half of [`Registry::install`]: refuses other bytes under
    /// an installed name and version, stores the component and its
    /// signature, and makes it callable. Blocking.
    pub fn commit(
        &self,
        prepared: Prepared,
        bytes: &[u8],
        signature: Option<&Signature>,
    ) -> Result<Installed, RegistryError> {
        let Prepared { plugin, signed_by } = prepared;
        let _changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(installed) = self.get(&plugin.id().name, Some(&plugin.id().version)) {
            return if installed.id().sha256 == plugin.id().sha256 {
                let signed_by = self.signer(&installed);
                Ok(Installed { plugin: installed, outcome: InstallOutcome::AlreadyInstalled, signed_by })
            } else {
                Err(conflict(&installed))
            };
        }
        let path = self.component_path(&plugin);
        let sig = path.with_extension("sig");
        // The component first: a crash before its signature is written
        // leaves it unsigned, never a signature without its component.
        crate::fsutil::write_atomically(&path, bytes).map_err(io(&path))?;
        match signature {
            Some(signature) => {
                crate::fsutil::write_atomically(&sig, signature.to_text().as_bytes()).map_err(io(&sig))?
            }
            None => remove_if_exists(&sig)?,
        }
        if let Some(signer) = &signed_by {
            self.write_signers().insert(plugin.id().sha256.clone(), signer.clone());
        }
        self.insert(plugin.clone())?;
        Ok(Installed { plugin, outcome: InstallOutcome::Installed, signed_by })
    }

    /// Installs every `.wasm` file in `dir` that is not installed yet, each
    /// with its signature `<file>.sig` when there is one; the bundled
    /// connectors come in this way at start. Blocking.
    pub fn install_dir(&self, dir: &Path) -> Result<Vec<Plugin>, RegistryError> {
        let mut installed = Vec::new();
        for path in wasm_files(dir).map_err(io(dir))? {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let file = path.display().to_string();
            let signature = match std::fs::read_to_string(format!("{file}.sig")) {
                Ok(text) => Some(
                    Signature::parse(&text)
                        .map_err(|source| RegistryError::Signature { file: format!("{file}.sig"), source })?,
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(io(Path::new(&format!("{file}.sig")))(e)),
            };
            let done = self.install_named(&file, &bytes, signature.as_ref())?;
            if done.outcome == InstallOutcome::Installed {
                tracing::info!(name = %done.plugin.id().name, version = %done.plugin.id().version, "installed connector");
            }
            installed.push(done.plugin);
        }
        Ok(installed)
    }

    /// Removes the version `version` of `name` and its stored component.
    /// The caller checks first that no connection is pinned to it, under
    /// [`Registry::removal_guard`]. Blocking.
    pub fn remove(&self, name: &str, version: &Version) -> Result<Plugin, RegistryError> {
        let _changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        let not_installed = || RegistryError::NotInstalled { name: name.to_string(), version: version.clone() };
        let plugin = self.get(name, Some(version)).ok_or_else(not_installed)?;
        let path = self.component_path(&plugin);
        remove_if_exists(&path.with_extension("sig"))?;
        remove_if_exists(&path)?;
        let mut plugins = self.plugins.write().unwrap_or_else(|e| e.into_inner());
        let key = normalize(name);
        if let Some(versions) = plugins.get_mut(&key) {
            versions.remove(version);
            if versions.is_empty() {
                plugins.remove(&key);
            }
        }
        self.write_signers().remove(&plugin.id().sha256);
        Ok(plugin)
    }

    /// Held while a connection is pinned to a version (create, move), so a
    /// removal cannot slip between the lookup and the write.
    pub async fn pin_guard(&self) -> tokio::sync::RwLockReadGuard<'_, ()> {
        self.pins.read().await
    }

    /// Held by a removal from its check for pinned connections to the end;
    /// owned, so the blocking removal keeps it even if the request is dropped.
    pub async fn removal_guard(&self) -> tokio::sync::OwnedRwLockWriteGuard<()> {
        self.pins.clone().write_owned().await
    }

    /// The stored bytes of `plugin` and its signature, if signed. Blocking.
    pub fn stored(&self, plugin: &Plugin) -> Result<(Vec<u8>, Option<Signature>), RegistryError> {
        let path = self.component_path(plugin);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let signature =
            std::fs::read_to_string(path.with_extension("sig")).ok().and_then(|t| Signature::parse(&t).ok());
        Ok((bytes, signature))
    }

    /// The public key that signed `plugin` (base64), if it was signed.
    pub fn signer(&self, plugin: &Plugin) -> Option<String> {
        self.signers.read().unwrap_or_else(|e| e.into_inner()).get(&plugin.id().sha256).cloned()
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

    fn component_path(&self, plugin: &Plugin) -> PathBuf {
        self.dir.join(format!("{}.wasm", plugin.id().sha256))
    }

    fn write_signers(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, String>> {
        self.signers.write().unwrap_or_else(|e| e.into_inner())
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

/// Removes `path` if it is there.
fn remove_if_exists(path: &Path) -> Result<(), RegistryError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// Maps an I/O error on `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError {
    let path = path.display().to_string();
    move |source| RegistryError::Io { path, source }
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
