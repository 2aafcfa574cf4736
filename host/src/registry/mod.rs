//! The installed connector versions: components stored content-addressed
//! under the data directory (`<sha256>.wasm`, with `<sha256>.sig` when
//! signed), loaded side by side, looked up by name; [`shared`] keeps them
//! in step with the database that every server shares.

pub mod shared;

use crate::connector::model::ConnectorInfo;
pub use crate::connector::normalize;
use crate::connector::publisher::{Publisher, RESERVED};
use crate::connector::signature::{Signature, SignatureError, TrustPolicy};
use crate::runtime::{LoadError, Plugin, Runtime};
use semver::Version;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// The name belongs to another publisher.
    #[error("the connector name `{name}` belongs to {owner}; a component from {publisher} cannot use it")]
    NameOwned {
        /// The name the component gives.
        name: String,
        /// Who owns it.
        owner: Publisher,
        /// Who published the refused component.
        publisher: Publisher,
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
    /// Who published it.
    pub publisher: Publisher,
}

/// A component checked and loaded, not yet installed (see [`Registry::prepare`]).
pub struct Prepared {
    /// The loaded version.
    pub plugin: Plugin,
    /// The public key that signed it, if signed.
    pub signed_by: Option<String>,
    /// Who published it.
    pub publisher: Publisher,
}

/// Whether a connector version can be called now.
#[derive(Clone)]
pub enum Availability {
    /// Loaded and callable.
    Loaded(Plugin),
    /// Still loading (the server started a moment ago).
    Loading,
    /// Refused when it was loaded: why, and what its `describe` said at
    /// install, when that was recorded.
    Refused {
        /// Why, in words.
        reason: String,
        /// The recorded `describe` answer.
        info: Option<Arc<ConnectorInfo>>,
    },
    /// Not installed.
    Missing,
}

/// Why a version was refused at load, and its recorded `describe` answer.
type Refusal = (String, Option<Arc<ConnectorInfo>>);

/// Installed connectors by normalized name, then by version.
pub struct Registry {
    runtime: Runtime,
    dir: PathBuf,
    policy: TrustPolicy,
    plugins: RwLock<BTreeMap<String, BTreeMap<Version, Plugin>>>,
    /// Signer by component sha256.
    signers: RwLock<HashMap<String, String>>,
    /// Publisher by component sha256.
    publishers: RwLock<HashMap<String, Publisher>>,
    /// The owner of each normalized name that has one.
    owners: RwLock<HashMap<String, Publisher>>,
    /// Names that stay the bundled publisher's with no version installed.
    reserved: RwLock<HashSet<String>>,
    /// The sha256 of every component in the connectors directory.
    bundled: HashSet<String>,
    /// Versions refused at load, by normalized name and version.
    refused: RwLock<HashMap<(String, Version), Refusal>>,
    /// Versions whose load is under way, by normalized name and version.
    loading: RwLock<HashSet<(String, Version)>>,
    /// True while the start-up load runs.
    starting: tokio::sync::watch::Sender<bool>,
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
    ///
    /// With no database at hand (the CLI on a data directory), the stored
    /// components are trusted as the directory holds them: a stored version
    /// under a reserved name counts as bundled. A server loads through the
    /// database's records instead (`registry::shared`).
    pub fn open(runtime: Runtime, dir: &Path, policy: TrustPolicy) -> Result<Self, RegistryError> {
        let registry = Self::new(runtime, dir, policy, None)?;
        for path in wasm_files(dir).map_err(io(dir))? {
            if let Err(error) = registry.load_stored(&path) {
                // The error may quote the component (its `describe`, its panic text).
                let error = crate::logs::escape(&error.to_string()).into_owned();
                tracing::error!(%error, "left out a stored connector component");
            }
        }
        Ok(registry)
    }

    /// An empty registry in `dir` (created if missing) whose bundled
    /// components are the `.wasm` files of `bundled_dir` (hashed now,
    /// loaded later). Blocking: it reads the bundled files.
    pub fn new(
        runtime: Runtime,
        dir: &Path,
        policy: TrustPolicy,
        bundled_dir: Option<&Path>,
    ) -> Result<Self, RegistryError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let mut bundled = HashSet::new();
        if let Some(bundled_dir) = bundled_dir {
            for path in wasm_files(bundled_dir).map_err(io(bundled_dir))? {
                let bytes = std::fs::read(&path).map_err(io(&path))?;
                let sha256: [u8; 32] = Sha256::digest(&bytes).into();
                // The bundled components meet the signature policy, or the
                // server does not start (a mistake of its operator).
                let sig = PathBuf::from(format!("{}.sig", path.display()));
                let signature = match std::fs::read_to_string(&sig) {
                    Ok(text) => Some(
                        Signature::parse(&text)
                            .map_err(|source| RegistryError::Signature { file: sig.display().to_string(), source })?,
                    ),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                    Err(e) => return Err(io(&sig)(e)),
                };
                policy
                    .verify(&sha256, signature.as_ref())
                    .map_err(|source| RegistryError::Signature { file: path.display().to_string(), source })?;
                bundled.insert(hex::encode(sha256));
            }
        }
        let reserved: HashSet<String> = RESERVED.iter().map(|n| n.to_string()).collect();
        let owners = reserved.iter().map(|n| (n.clone(), Publisher::Bundled)).collect();
        Ok(Self {
            runtime,
            dir: dir.to_path_buf(),
            policy,
            plugins: RwLock::default(),
            signers: RwLock::default(),
            publishers: RwLock::default(),
            owners: RwLock::new(owners),
            reserved: RwLock::new(reserved),
            bundled,
            refused: RwLock::default(),
            loading: RwLock::default(),
            starting: tokio::sync::watch::Sender::new(false),
            changes: Mutex::default(),
            pins: Arc::default(),
        })
    }

    /// Loads one stored component and its signature, checked as an install is.
    fn load_stored(&self, path: &Path) -> Result<(), RegistryError> {
        let bytes = std::fs::read(path).map_err(io(path))?;
        let signature = self.local_signature(path, &bytes);
        let file = path.display().to_string();
        let prepared = self.prepare_named(&file, &bytes, signature.as_ref())?;
        let reserved =
            self.reserved.read().unwrap_or_else(|e| e.into_inner()).contains(&normalize(&prepared.plugin.id().name));
        let publisher = if reserved { Publisher::Bundled } else { prepared.publisher.clone() };
        self.insert(Prepared { publisher, ..prepared })
    }

    /// The signature stored beside `path`, if it is one of `bytes`: one that
    /// is unreadable or made for other bytes (left by a crash) counts as none.
    fn local_signature(&self, path: &Path, bytes: &[u8]) -> Option<Signature> {
        let sha256: [u8; 32] = Sha256::digest(bytes).into();
        std::fs::read_to_string(path.with_extension("sig"))
            .ok()
            .and_then(|text| Signature::parse(&text).ok())
            .filter(|s| TrustPolicy::default().verify(&sha256, Some(s)).is_ok())
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
        self.prepare_as(file, bytes, signature, None, false, || {})
    }

    /// Checks the signature, then loads the component: describes it (an
    /// install), or holds its `describe` against `recorded`, the answer
    /// recorded at install, which stays its info. Its publisher is the
    /// bundled one when its bytes are in the connectors directory (or
    /// `bundled` says the database recorded it so), else its signer's key,
    /// else unsigned. `linked` is called once it is compiled, before any of
    /// its code runs. Blocking.
    pub fn prepare_as(
        &self,
        file: &str,
        bytes: &[u8],
        signature: Option<&Signature>,
        recorded: Option<&ConnectorInfo>,
        bundled: bool,
        linked: impl FnOnce(),
    ) -> Result<Prepared, RegistryError> {
        let sha256: [u8; 32] = Sha256::digest(bytes).into();
        let signed_by = self
            .policy
            .verify(&sha256, signature)
            .map_err(|source| RegistryError::Signature { file: file.to_string(), source })?;
        let load = |source| RegistryError::Load { file: file.to_string(), source };
        let component = self.runtime.link(bytes).map_err(load)?;
        linked();
        let plugin = match recorded {
            Some(info) => component.describe_as_recorded(info),
            None => component.describe(),
        }
        .map_err(load)?;
        let publisher = if bundled || self.is_bundled(&plugin.id().sha256) {
            Publisher::Bundled
        } else {
            Publisher::of(signed_by.as_deref())
        };
        Ok(Prepared { plugin, signed_by, publisher })
    }

    /// Whether the component `sha256` is in the connectors directory.
    pub fn is_bundled(&self, sha256: &str) -> bool {
        self.bundled.contains(sha256)
    }

    /// Who owns the connector name `name`, if anyone: the bundled
    /// publisher for reserved names, else the publisher of its versions.
    pub fn owner(&self, name: &str) -> Option<Publisher> {
        self.owners.read().unwrap_or_else(|e| e.into_inner()).get(&normalize(name)).cloned()
    }

    /// Refuses `publisher` a name someone else owns.
    pub fn check_owner(&self, name: &str, publisher: &Publisher) -> Result<(), RegistryError> {
        match self.owner(name) {
            Some(owner) if owner != *publisher => {
                Err(RegistryError::NameOwned { name: name.to_string(), owner, publisher: publisher.clone() })
            }
            _ => Ok(()),
        }
    }

    /// Gives `name` to `publisher` unless someone owns it already (the
    /// start-up load claims names in the order the database installed them).
    pub fn claim(&self, name: &str, publisher: &Publisher) {
        self.owners.write().unwrap_or_else(|e| e.into_inner()).entry(normalize(name)).or_insert(publisher.clone());
    }

    /// Keeps `name` for the bundled publisher even with no version installed.
    pub fn reserve(&self, name: &str) {
        let key = normalize(name);
        self.reserved.write().unwrap_or_else(|e| e.into_inner()).insert(key.clone());
        self.owners.write().unwrap_or_else(|e| e.into_inner()).insert(key, Publisher::Bundled);
    }

    /// The publisher of `plugin`.
    pub fn publisher(&self, plugin: &Plugin) -> Publisher {
        self.publishers
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&plugin.id().sha256)
            .cloned()
            .unwrap_or(Publisher::Unsigned)
    }

    /// Whether `name` at `version` can be called, is loading, was refused
    /// or is not installed.
    pub fn availability(&self, name: &str, version: &Version) -> Availability {
        if let Some(plugin) = self.get(name, Some(version)) {
            return Availability::Loaded(plugin);
        }
        let key = (normalize(name), version.clone());
        if let Some((reason, info)) = self.refused.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Availability::Refused { reason: reason.clone(), info: info.clone() };
        }
        if self.is_starting() || self.loading.read().unwrap_or_else(|e| e.into_inner()).contains(&key) {
            return Availability::Loading;
        }
        Availability::Missing
    }

    /// Marks `name` at `version` as loading (or done loading).
    pub fn set_loading(&self, name: &str, version: &Version, loading: bool) {
        let key = (normalize(name), version.clone());
        let mut set = self.loading.write().unwrap_or_else(|e| e.into_inner());
        if loading {
            set.insert(key);
        } else {
            set.remove(&key);
        }
    }

    /// Records that `name` at `version` was refused at load, and why; its
    /// recorded `describe` answer, when known, still masks its connections'
    /// secrets.
    pub fn refuse(&self, name: &str, version: &Version, reason: String, info: Option<ConnectorInfo>) {
        let key = (normalize(name), version.clone());
        self.refused.write().unwrap_or_else(|e| e.into_inner()).insert(key, (reason, info.map(Arc::new)));
    }

    /// Marks the start-up load as under way (`true`) or done.
    pub fn set_starting(&self, starting: bool) {
        self.starting.send_replace(starting);
    }

    /// Whether the start-up load is still under way.
    pub fn is_starting(&self) -> bool {
        *self.starting.borrow()
    }

    /// Waits until the start-up load is done, at most `limit`; whether it is.
    pub async fn wait_started(&self, limit: std::time::Duration) -> bool {
        let mut starting = self.starting.subscribe();
        tokio::time::timeout(limit, starting.wait_for(|s| !*s)).await.is_ok_and(|r| r.is_ok())
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
        let _changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        let plugin = &prepared.plugin;
        if let Some(installed) = self.get(&plugin.id().name, Some(&plugin.id().version)) {
            return if installed.id().sha256 == plugin.id().sha256 {
                let signed_by = self.signer(&installed);
                let publisher = self.publisher(&installed);
                Ok(Installed { plugin: installed, outcome: InstallOutcome::AlreadyInstalled, signed_by, publisher })
            } else {
                Err(conflict(&installed))
            };
        }
        self.check_owner(&plugin.id().name, &prepared.publisher)?;
        let plugin = plugin.clone();
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
        let (signed_by, publisher) = (prepared.signed_by.clone(), prepared.publisher.clone());
        self.insert(prepared)?;
        Ok(Installed { plugin, outcome: InstallOutcome::Installed, signed_by, publisher })
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
            let prepared = self.prepare_as(&file, &bytes, signature.as_ref(), None, true, || {})?;
            self.reserve(&prepared.plugin.id().name);
            let done = self.commit(prepared, &bytes, signature.as_ref())?;
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
                // A name belongs to the publisher of its installed versions:
                // with none left, it is free again unless reserved.
                if !self.reserved.read().unwrap_or_else(|e| e.into_inner()).contains(&key) {
                    self.owners.write().unwrap_or_else(|e| e.into_inner()).remove(&key);
                }
            }
        }
        self.write_signers().remove(&plugin.id().sha256);
        self.publishers.write().unwrap_or_else(|e| e.into_inner()).remove(&plugin.id().sha256);
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

    /// Whether `key` is one of the trusted keys of this registry's policy
    /// (none is when no trusted key is configured).
    pub fn trusts(&self, key: &str) -> bool {
        self.policy.trusts(key)
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

    /// The directory installed components are stored in.
    pub fn dir(&self) -> &Path {
        &self.dir
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

    /// Makes a prepared version callable, under its publisher's name: a
    /// name another publisher owns, or a name and version other bytes hold,
    /// is refused.
    fn insert(&self, prepared: Prepared) -> Result<(), RegistryError> {
        let Prepared { plugin, signed_by, publisher } = prepared;
        let key = normalize(&plugin.id().name);
        let mut plugins = self.plugins.write().unwrap_or_else(|e| e.into_inner());
        let mut owners = self.owners.write().unwrap_or_else(|e| e.into_inner());
        let owner = owners.entry(key.clone()).or_insert(publisher.clone());
        if *owner != publisher {
            let (name, owner) = (plugin.id().name.clone(), owner.clone());
            return Err(RegistryError::NameOwned { name, owner, publisher });
        }
        let versions = plugins.entry(key).or_default();
        if let Some(installed) = versions.get(&plugin.id().version)
            && installed.id().sha256 != plugin.id().sha256
        {
            return Err(conflict(installed));
        }
        let (sha256, version) = (plugin.id().sha256.clone(), plugin.id().version.clone());
        self.refused
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&(normalize(&plugin.id().name), version.clone()));
        versions.insert(version, plugin);
        if let Some(signer) = signed_by {
            self.write_signers().insert(sha256.clone(), signer);
        }
        self.publishers.write().unwrap_or_else(|e| e.into_inner()).insert(sha256, publisher);
        Ok(())
    }
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
