//! Keeps a server's registry in step with the components stored in the
//! database, so every server on one database runs the same connectors
//! (docs/deploy.md). The database is the truth: each component's bytes,
//! what its `describe` said at install (never re-trusted later), and its
//! publisher. Each server keeps a local copy of every component and its
//! compiled code.

use super::{Prepared, Registry, RegistryError};
use crate::connector::model::ConnectorInfo;
use crate::connector::publisher::Publisher;
use crate::connector::signature::Signature;
use crate::runtime::{LoadError, Plugin};
use crate::store::{Store, StoreError, Stored, StoredComponent};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How often a server loads what other servers installed or removed.
pub const REFRESH_PERIOD: Duration = Duration::from_secs(2);

/// How long past `describe`'s own deadline a load may take once its
/// component is compiled before it is given up (its describe may be stuck
/// in a host call, where the deadline does not reach).
pub const LOAD_GRACE: Duration = Duration::from_secs(3);

/// Why the registry and the database could not be brought in step.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A component could not be read or removed locally.
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

/// What the database row of an installed version holds.
pub fn row_of(plugin: &Plugin, signature: Option<&Signature>, publisher: &Publisher) -> StoredComponent {
    let id = plugin.id();
    StoredComponent {
        sha256: id.sha256.clone(),
        name: id.name.clone(),
        version: id.version.to_string(),
        signature: signature.map(Signature::to_text),
        describe: Some(encode_record(plugin.info())),
        publisher: Some(publisher.to_text()),
    }
}

/// The stored form of a recorded `describe` answer: base64 of its JSON, as
/// the component's bytes are stored, so the database file shows no
/// property name in clear (docs/security.md).
pub fn encode_record(info: &ConnectorInfo) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(serde_json::to_vec(info).unwrap_or_default())
}

/// A recorded `describe` answer from its stored form; `None` if it does not
/// read back.
pub fn decode_record(text: &str) -> Option<ConnectorInfo> {
    use base64::Engine as _;
    let json = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    serde_json::from_slice(&json).ok()
}

/// One component to load: its bytes, signature, and what the database
/// recorded of it.
struct Pending {
    file: String,
    bytes: Vec<u8>,
    signature: Option<Signature>,
    /// The database row, when stored.
    row: Option<StoredComponent>,
    /// Its bytes are in the connectors directory.
    bundled: bool,
}

impl Pending {
    fn recorded(&self) -> Option<ConnectorInfo> {
        self.row.as_ref()?.describe.as_deref().and_then(decode_record)
    }
}

/// The start-up load, run in the background while the server already
/// answers: loads every stored component with what the database recorded
/// of it, then the local ones the database lacks (the bundled directory,
/// or installs into the data directory with no server running), storing
/// them with their `describe` answer as the record; drops local components
/// removed through the API or whose name and version the database holds
/// with other bytes. Each load has a deadline, so one component never holds
/// up the others; one that fails is refused and logged, and connections
/// pinned to it fail on their own. Requests for a version still loading
/// answer `connector_loading`.
pub async fn load_at_start(registry: Arc<Registry>, store: Store, bundled_dir: Option<PathBuf>) {
    registry.set_starting(true);
    if let Err(error) = start(&registry, &store, bundled_dir.as_deref()).await {
        tracing::error!(%error, "loading the connector components at start failed");
    }
    registry.set_starting(false);
    tracing::info!(connectors = registry.list().len(), "connector components loaded");
}

async fn start(registry: &Arc<Registry>, store: &Store, bundled_dir: Option<&Path>) -> Result<(), SyncError> {
    let rows = store.stored_components().await?;
    let removed: HashSet<String> = store.removed_components().await?.into_iter().collect();
    let stored: HashSet<String> = rows.iter().map(|r| r.sha256.clone()).collect();
    // Local files: the bundled directory first, then the data directory.
    let mut local = Vec::new();
    if let Some(dir) = bundled_dir {
        local.extend(local_files(registry, dir, true)?);
    }
    local.extend(local_files(registry, registry.dir(), false)?);
    let mut seen = HashSet::new();
    local.retain(|(sha, _)| seen.insert(sha.clone()));
    for (sha, pending) in &local {
        if removed.contains(sha) && !stored.contains(sha) {
            tracing::info!(file = %pending.file, "left out a connector removed through the API");
            let _ = std::fs::remove_file(registry.dir().join(format!("{sha}.wasm")));
        }
    }
    // Names: the reserved ones, those the database recorded as bundled,
    // then each name's first publisher in install order.
    for row in &rows {
        let bundled = registry.is_bundled(&row.sha256) || row.publisher.as_deref() == Some("bundled");
        if bundled {
            registry.reserve(&row.name);
            if row.publisher.as_deref() != Some("bundled") {
                store.claim_bundled(&row.sha256, "bundled").await?;
            }
        }
    }
    for row in &rows {
        if let Some(publisher) = row.publisher.as_deref().and_then(Publisher::parse) {
            registry.claim(&row.name, &publisher);
        }
    }
    // Bundled components the database does not know yet: their names are
    // the bundled publisher's, so they load (and claim them) first.
    let (first, later): (Vec<_>, Vec<_>) = local
        .into_iter()
        .filter(|(sha, _)| !stored.contains(sha) && !removed.contains(sha))
        .partition(|(_, p)| p.bundled);
    load_all(registry, store, first.into_iter().map(|(_, p)| p).collect()).await;
    let mut pending = Vec::new();
    for row in rows {
        let bytes = match local_bytes(registry, &row.sha256).await {
            Some(bytes) => bytes,
            None => match store.component_bytes(&row.sha256).await? {
                Some(bytes) => bytes,
                None => continue,
            },
        };
        let signature = row.signature.as_deref().and_then(|t| Signature::parse(t).ok());
        let bundled = registry.is_bundled(&row.sha256) || row.publisher.as_deref() == Some("bundled");
        let file = format!("{} {} ({})", row.name, row.version, &row.sha256[..12]);
        pending.push(Pending { file, bytes, signature, row: Some(row), bundled });
    }
    pending.extend(later.into_iter().map(|(_, p)| p));
    load_all(registry, store, pending).await;
    Ok(())
}

/// The `.wasm` files of `dir` by sha256, with their signatures.
fn local_files(registry: &Registry, dir: &Path, bundled: bool) -> Result<Vec<(String, Pending)>, RegistryError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| RegistryError::Io { path, source }
    };
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(files) };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    paths.sort();
    for path in paths {
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let sig_path =
            if bundled { PathBuf::from(format!("{}.sig", path.display())) } else { path.with_extension("sig") };
        let signature = std::fs::read_to_string(&sig_path).ok().and_then(|t| Signature::parse(&t).ok());
        let bundled = bundled || registry.is_bundled(&sha);
        let file = path.display().to_string();
        files.push((sha, Pending { file, bytes, signature, row: None, bundled }));
    }
    Ok(files)
}

/// The local copy of the component `sha256`, if there is one.
async fn local_bytes(registry: &Registry, sha256: &str) -> Option<Vec<u8>> {
    let path = registry.dir().join(format!("{sha256}.wasm"));
    let bytes = tokio::fs::read(&path).await.ok()?;
    (hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)) == sha256).then_some(bytes)
}

/// Loads `pending` side by side, a few at a time, each under its deadline.
async fn load_all(registry: &Arc<Registry>, store: &Store, pending: Vec<Pending>) {
    const AT_ONCE: usize = 4;
    let slots = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let mut loads = tokio::task::JoinSet::new();
    for component in pending {
        let (registry, store, slots) = (registry.clone(), store.clone(), slots.clone());
        loads.spawn(async move {
            let _slot = slots.acquire_owned().await;
            load_one(&registry, &store, component).await;
        });
    }
    while loads.join_next().await.is_some() {}
}

/// Loads one component, held against its record when it has one, and makes
/// it callable; stores a local one the database lacks, and records what
/// `describe` said for a stored one that has no record yet. A failure
/// refuses the version (when its name is known) and is logged.
async fn load_one(registry: &Arc<Registry>, store: &Store, component: Pending) {
    let recorded = component.recorded();
    // The version is known by its record, or else by its database row.
    let named = recorded.as_ref().map(|info| (info.name.clone(), info.version.clone())).or_else(|| {
        let row = component.row.as_ref()?;
        Some((row.name.clone(), semver::Version::parse(&row.version).ok()?))
    });
    if let Some((name, version)) = &named {
        registry.set_loading(name, version, true);
    }
    let Pending { file, bytes, signature, row, bundled } = component;
    let loaded = load_with_deadline(registry, &file, &bytes, signature.as_ref(), recorded.clone(), bundled).await;
    let outcome = match loaded {
        Ok(prepared) => keep(registry, store, prepared, &bytes, signature.as_ref(), row.as_ref()).await,
        Err(error) => Err(error.into()),
    };
    if let Some((name, version)) = &named {
        registry.set_loading(name, version, false);
    }
    if let Err(error) = outcome {
        // The error may quote the component (its `describe`, its panic text).
        let logged = crate::logs::escape(&error.to_string()).into_owned();
        tracing::error!(error = %logged, component = %file, "a connector component was refused");
        if let Some((name, version)) = named {
            registry.refuse(&name, &version, error.to_string(), recorded);
        }
    }
}

/// Stores (or records) and installs a loaded component.
async fn keep(
    registry: &Arc<Registry>,
    store: &Store,
    prepared: Prepared,
    bytes: &[u8],
    signature: Option<&Signature>,
    row: Option<&StoredComponent>,
) -> Result<(), SyncError> {
    let record = row_of(&prepared.plugin, signature, &prepared.publisher);
    match row {
        Some(row) => {
            if row.describe.is_none() || row.publisher.is_none() {
                let describe = record.describe.clone().unwrap_or_default();
                store.record_component(&row.sha256, &describe, &prepared.publisher.to_text()).await?;
            }
        }
        None => match store.store_component(&record, bytes).await? {
            Stored::Inserted | Stored::AlreadyStored => {}
            Stored::Conflict(sha) => {
                let id = prepared.plugin.id();
                tracing::error!(name = %id.name, version = %id.version, local = %id.sha256, shared = %sha,
                    "the database holds other bytes under this connector's name and version; using those");
                let _ = std::fs::remove_file(registry.dir().join(format!("{}.wasm", id.sha256)));
                return Ok(());
            }
            Stored::NameOwned(owner) => {
                let id = prepared.plugin.id();
                let owner = Publisher::parse(&owner).unwrap_or(Publisher::Unsigned);
                let (name, publisher) = (id.name.clone(), prepared.publisher.clone());
                return Err(RegistryError::NameOwned { name, owner, publisher }.into());
            }
        },
    }
    let (bytes, signature) = (bytes.to_vec(), signature.cloned());
    blocking(registry, move |r| r.commit(prepared, &bytes, signature.as_ref()).map(drop)).await?;
    Ok(())
}

/// Checks and loads a component on a thread of its own: its compile is
/// bounded by the compile budget, and its `describe` must be done within
/// its deadline plus [`LOAD_GRACE`] of the compile's end, or the load is
/// given up (the thread is left to finish on its own).
pub async fn load_with_deadline(
    registry: &Arc<Registry>,
    file: &str,
    bytes: &[u8],
    signature: Option<&Signature>,
    recorded: Option<ConnectorInfo>,
    bundled: bool,
) -> Result<Prepared, RegistryError> {
    let (linked_tx, linked_rx) = tokio::sync::oneshot::channel::<()>();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let (task_registry, task_file, task_bytes) = (registry.clone(), file.to_string(), bytes.to_vec());
    let task_signature = signature.cloned();
    let spawned = std::thread::Builder::new().name("connector-load".into()).spawn(move || {
        let prepared = task_registry.prepare_as(
            &task_file,
            &task_bytes,
            task_signature.as_ref(),
            recorded.as_ref(),
            bundled,
            || {
                let _ = linked_tx.send(());
            },
        );
        let _ = done_tx.send(prepared);
    });
    let gone =
        |what: &str| RegistryError::Io { path: file.to_string(), source: std::io::Error::other(what.to_string()) };
    if let Err(e) = spawned {
        return Err(gone(&format!("cannot start a loading thread: {e}")));
    }
    // Compiled (or failed before running any code): then describe's turn.
    let _ = linked_rx.await;
    let limit = registry.runtime().limits().describe.timeout + LOAD_GRACE;
    match tokio::time::timeout(limit, done_rx).await {
        Ok(Ok(prepared)) => prepared,
        Ok(Err(_)) => Err(gone("the loading thread failed")),
        Err(_) => Err(RegistryError::Load { file: file.to_string(), source: LoadError::LoadTimeout { limit } }),
    }
}

/// Whether other servers can change the stored components while this one
/// runs: only on a shared database (PostgreSQL); one server owns an SQLite
/// file, so it has nothing to refresh after its start.
pub fn is_shared(store: &Store) -> bool {
    !store.is_sqlite()
}

/// Loads the components other servers stored since the last refresh and
/// drops those they removed, when the database is shared. One query when
/// nothing changed.
pub async fn refresh(registry: &Arc<Registry>, store: &Store) -> Result<(), SyncError> {
    if is_shared(store) && !registry.is_starting() { follow(registry, store).await } else { Ok(()) }
}

/// Makes the registry hold exactly the stored components: a stored one not
/// loaded here is loaded (held against its record), one loaded here that
/// is no longer stored is dropped.
async fn follow(registry: &Arc<Registry>, store: &Store) -> Result<(), SyncError> {
    let stored = store.stored_components().await?;
    let local: HashSet<String> = registry.list().iter().map(|p| p.id().sha256.clone()).collect();
    let mut pending = Vec::new();
    for row in stored.iter().filter(|c| !local.contains(&c.sha256)) {
        let refused = row.describe.as_deref().and_then(decode_record).is_some_and(|info| {
            matches!(registry.availability(&info.name, &info.version), super::Availability::Refused { .. })
        });
        if refused {
            continue;
        }
        let Some(bytes) = store.component_bytes(&row.sha256).await? else { continue };
        let signature = row.signature.as_deref().and_then(|t| Signature::parse(t).ok());
        let bundled = registry.is_bundled(&row.sha256) || row.publisher.as_deref() == Some("bundled");
        if let Some(publisher) = row.publisher.as_deref().and_then(Publisher::parse) {
            registry.claim(&row.name, &publisher);
        }
        let file = format!("{} {} ({})", row.name, row.version, &row.sha256[..12]);
        pending.push(Pending { file, bytes, signature, row: Some(row.clone()), bundled });
    }
    load_all(registry, store, pending).await;
    let shared: HashSet<&str> = stored.iter().map(|c| c.sha256.as_str()).collect();
    for plugin in registry.list().into_iter().filter(|p| !shared.contains(p.id().sha256.as_str())) {
        let id = plugin.id().clone();
        tracing::info!(name = %id.name, version = %id.version, "removed connector (removed through another server)");
        blocking(registry, move |r| r.remove(&id.name, &id.version).map(drop)).await?;
    }
    Ok(())
}

/// Refreshes every `period` until the process ends, logging failures; at
/// once when another server installs or removes a component (the
/// database's notification, see `docs/storage.md`).
pub fn refresh_every(registry: Arc<Registry>, store: Store, period: Duration) -> tokio::task::JoinHandle<()> {
    let changed = Arc::new(tokio::sync::Notify::new());
    store.follow({
        let changed = changed.clone();
        move |change| {
            if change != crate::store::SharedChange::Principals {
                changed.notify_one();
            }
        }
    });
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                () = changed.notified() => ticks.reset(),
            }
            if let Err(error) = refresh(&registry, &store).await {
                tracing::warn!(%error, "refreshing the shared connector components failed");
            }
        }
    })
}

/// Runs `f` on the registry off the async threads (it reads files and
/// compiles).
async fn blocking<T: Send + 'static>(
    registry: &Arc<Registry>,
    f: impl FnOnce(&Registry) -> Result<T, RegistryError> + Send + 'static,
) -> Result<T, RegistryError> {
    let registry = registry.clone();
    tokio::task::spawn_blocking(move || f(&registry)).await.unwrap_or_else(|e| {
        Err(RegistryError::Io { path: "(registry task)".into(), source: std::io::Error::other(e.to_string()) })
    })
}
