//! The rules of connectors: installing a component (once the start-up load
//! is done; inspected, compiled and described under the budget; its
//! signature checked against the trust policy; its name against its owner;
//! stored in the database, which decides for every server; then made
//! callable here) and removing a version (never while a connection is
//! pinned to it).

use super::{ServiceError, ServiceResult, Services};
use crate::connector::publisher::Publisher;
use crate::connector::signature::Signature;
use crate::registry::{Installed, Registry, RegistryError, shared};
use crate::runtime::Plugin;
use crate::store::{PinnedConnection, Stored};
use std::time::Duration;

/// How long an install waits for the start-up load before it answers
/// [`ServiceError::Loading`].
const STARTUP_WAIT: Duration = Duration::from_secs(30);

/// A component to install: its bytes and, when signed, its detached
/// signature.
pub struct Component {
    /// The component.
    pub bytes: Vec<u8>,
    /// Its signature.
    pub signature: Option<Signature>,
}

/// An installed version, and whether this install added it (not: the same
/// bytes were installed already).
pub struct Install {
    /// The installed version.
    pub plugin: Plugin,
    /// Whether it is new.
    pub created: bool,
}

/// Installs `component`.
pub async fn install(services: &Services, component: Component) -> ServiceResult<Install> {
    let Component { bytes, signature } = component;
    let (registry, store) = (&services.registry, &services.store);
    // Which names belong to whom is known once the start-up load is done.
    if !registry.wait_started(STARTUP_WAIT).await {
        return Err(ServiceError::Loading("the installed connectors are still loading after a restart".into()));
    }
    // Inspected, compiled under the budget and described, off the request
    // threads; then its name checked against its owner; then stored in the
    // database, which decides a name and version (and the name's owner) for
    // every server; then kept and made callable here.
    // Its `describe` has a deadline even when it blocks in a host call.
    let prepared = shared::load_with_deadline(registry, "component", &bytes, signature.as_ref(), None, false)
        .await
        .map_err(ServiceError::Registry)?;
    let id = prepared.plugin.id().clone();
    match registry.get(&id.name, Some(&id.version)) {
        Some(installed) if installed.id().sha256 != id.sha256 => {
            let (name, version, installed) = (id.name.clone(), id.version.clone(), installed.id().sha256.clone());
            return Err(ServiceError::Registry(RegistryError::Conflict { name, version, installed }));
        }
        // The same bytes: installed already, whoever installs them again.
        Some(_) => {}
        None => registry.check_owner(&id.name, &prepared.publisher).map_err(ServiceError::Registry)?,
    }
    let row = shared::row_of(&prepared.plugin, signature.as_ref(), &prepared.publisher);
    let stored = match store.store_component(&row, &bytes).await? {
        Stored::Conflict(installed) => {
            let (name, version) = (id.name.clone(), id.version.clone());
            return Err(ServiceError::Registry(RegistryError::Conflict { name, version, installed }));
        }
        Stored::NameOwned(owner) => {
            let owner = Publisher::parse(&owner).unwrap_or(Publisher::Unsigned);
            let (name, publisher) = (id.name.clone(), prepared.publisher.clone());
            return Err(ServiceError::Registry(RegistryError::NameOwned { name, owner, publisher }));
        }
        stored => stored,
    };
    let registry = registry.clone();
    let Installed { plugin, .. } =
        tokio::task::spawn_blocking(move || registry.commit(prepared, &bytes, signature.as_ref()))
            .await
            .map_err(|e| ServiceError::Internal(format!("install task: {e}")))?
            .map_err(ServiceError::Registry)?;
    let created = stored == Stored::Inserted;
    if created {
        let id = plugin.id();
        tracing::info!(name = %id.name, version = %id.version, sha256 = %id.sha256, "installed connector");
    }
    Ok(Install { plugin, created })
}

/// The installed `version` of `name` (both as the caller gave them), or
/// [`ServiceError::NotInstalled`].
pub fn version(registry: &Registry, name: &str, version: &str) -> ServiceResult<Plugin> {
    let not_installed = || ServiceError::NotInstalled { name: name.to_string(), version: version.to_string() };
    let parsed = semver::Version::parse(version).map_err(|_| not_installed())?;
    registry.get(name, Some(&parsed)).ok_or_else(not_installed)
}

/// Removes the installed `version` of `name` (both as the caller gave
/// them), for every server; not while connections are pinned to it
/// ([`ServiceError::VersionInUse`]).
pub async fn remove(services: &Services, name: &str, version: &str) -> ServiceResult<()> {
    let plugin = self::version(&services.registry, name, version)?;
    let id = plugin.id().clone();
    let no_new_pins = services.registry.removal_guard().await;
    // One statement checks the pins and deletes, for every server at once.
    let pinned = services.store.delete_component(&id.name, &id.version.to_string()).await?;
    if !pinned.is_empty() {
        return Err(ServiceError::VersionInUse { name: id.name, version: id.version, pinned });
    }
    let registry = services.registry.clone();
    let removed = tokio::task::spawn_blocking(move || {
        let _no_new_pins = no_new_pins;
        registry.remove(&id.name, &id.version)
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("remove task: {e}")))?;
    match removed {
        // A refresh may have dropped it already.
        Ok(_) | Err(RegistryError::NotInstalled { .. }) => {}
        Err(error) => return Err(ServiceError::Registry(error)),
    }
    tracing::info!(name = %plugin.id().name, version = %plugin.id().version, "removed connector");
    Ok(())
}

/// `name version is pinned by N connection(s): workspace/name (id), ...`,
/// at most 20 named.
pub fn pinned_message(name: &str, version: &semver::Version, pinned: &[PinnedConnection]) -> String {
    const SHOWN: usize = 20;
    let mut names: Vec<String> =
        pinned.iter().take(SHOWN).map(|c| format!("{}/{} ({})", c.workspace_id, c.name, c.id)).collect();
    if pinned.len() > SHOWN {
        names.push(format!("and {} more", pinned.len() - SHOWN));
    }
    format!("{name} {version} is pinned by {} connection(s): {}", pinned.len(), names.join(", "))
}
