//! Opening the store with the right keys, and rotating the key (the store
//! re-encrypts its rows; [`crate::secrets`] holds the keys and the cipher).
//!
//! At start the store is checked against the keys: every key id the stored
//! properties name must be in the keyring and must decrypt, or the server
//! refuses to start (it never serves garbage or fails request by request).
//! Rows an earlier version stored in clear are then encrypted.
//!
//! A rotation with key files is crash-safe at every step:
//!
//! 1. the new key is written to `secret.key.next` (0600, synced);
//! 2. every connection's properties are re-encrypted with it, reading with
//!    the old key, in one transaction; cached metadata keys under the old
//!    key are dropped; SQLite is vacuumed so no old ciphertext lingers;
//! 3. `secret.key.next` is renamed over `secret.key`.
//!
//! While `secret.key.next` exists a start finishes the rotation first, so a
//! crash between any two steps loses nothing.

use super::{Database, Reseal, Store, StoreError};
use crate::secrets::keyfile;
use crate::secrets::{ENV_KEY, ENV_PREVIOUS, KeyConfig, KeyError, Keyring, SecretKey};
use sqlx::Row;
use std::path::Path;

/// Why the store could not be opened with its keys, or the key not rotated.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// A key could not be read, made or written.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The database failed, or a stored value did not decrypt.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The database holds secrets under keys this server does not have.
    #[error(
        "the database holds secrets encrypted with key {missing}, which this server does not have (its keys: {have}); \
         start it with the key that encrypted them: {ENV_KEY}, or the secret.key file of the data directory that \
         wrote them (see docs/security.md)"
    )]
    WrongKey {
        /// The key ids in the database and not in the keyring.
        missing: String,
        /// The keyring's key ids.
        have: String,
    },
    /// The operation does not apply.
    #[error("{0}")]
    Refused(String),
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The id of the key every secret is now encrypted with.
    pub key_id: String,
    /// The ids of the keys that no longer decrypt anything in the database.
    pub retired: Vec<String>,
    /// How many connections were encrypted again.
    pub connections: u64,
}

/// Opens the store at `url` with the keys of `config`, or of the key files
/// in `data_dir` (the key file is created on first start). Finishes an
/// interrupted rotation; refuses if the stored secrets need a key it lacks.
pub async fn open_store(data_dir: &Path, database: Database<'_>, config: &KeyConfig) -> Result<Store, SecretsError> {
    if let Some(key) = &config.key {
        let store = Store::open(database, keyring(key.clone(), &config.previous)).await?;
        ready(&store).await?;
        tracing::info!(key_id = store.keyring().primary_id(), "secrets are encrypted with the key in {ENV_KEY}");
        return Ok(store);
    }
    if keyfile::read(&keyfile::next_path(data_dir))?.is_some() {
        tracing::warn!("{} exists: finishing an interrupted key rotation", keyfile::next_path(data_dir).display());
        let (store, rotation) = rotate_files(data_dir, database, config).await?;
        tracing::info!(key_id = rotation.key_id, connections = rotation.connections, "key rotation finished");
        return Ok(store);
    }
    let path = keyfile::key_path(data_dir);
    let (key, created) = match keyfile::read(&path)? {
        Some(key) => (key, false),
        None => {
            let created = keyfile::create(&path, &SecretKey::generate_base64()?)?;
            (read_written(&path)?, created)
        }
    };
    let store = Store::open(database, keyring(key, &config.previous)).await?;
    if let Err(error) = ready(&store).await {
        if created {
            // Nothing was encrypted with the key just made: leave no stray key behind.
            store.close().await;
            keyfile::remove(&path)?;
        }
        return Err(error);
    }
    tracing::info!(
        key_id = store.keyring().primary_id(),
        path = %path.display(),
        created,
        "secrets are encrypted with the key in the key file"
    );
    Ok(store)
}

/// Re-encrypts every connection's properties with a new key; see the
/// module documentation. With `SYNCPORT_SECRET_KEY` set there is no key
/// file to replace: the operator sets the new key there and the old one in
/// `SYNCPORT_SECRET_KEY_PREVIOUS`, and this re-encrypts from one to the
/// other. Run it while no server uses the database.
pub async fn rotate_key(data_dir: &Path, url: &str, config: &KeyConfig) -> Result<Rotation, SecretsError> {
    let database = Database::at(url);
    if let Some(key) = &config.key {
        if config.previous.is_empty() {
            return Err(SecretsError::Refused(format!(
                "{ENV_KEY} is set, so the key is yours to change, not rotate-key's. To rotate it: set \
                 {ENV_PREVIOUS} to the current key and {ENV_KEY} to a new one (`openssl rand -base64 32`), run \
                 `syncport rotate-key` with both set, start the server with the new key, then drop {ENV_PREVIOUS}."
            )));
        }
        let store = Store::open(database, keyring(key.clone(), &config.previous)).await?;
        verify(&store).await?;
        let rotation = reseal(&store).await;
        store.close().await;
        return rotation;
    }
    if !data_dir.is_dir() {
        return Err(SecretsError::Refused(format!("the data directory {} does not exist", data_dir.display())));
    }
    let (store, rotation) = rotate_files(data_dir, database, config).await?;
    store.close().await;
    Ok(rotation)
}

/// The key-file rotation: new key in `secret.key.next` (or the one already
/// there, resuming), every row re-encrypted, then the rename.
async fn rotate_files(
    data_dir: &Path,
    database: Database<'_>,
    config: &KeyConfig,
) -> Result<(Store, Rotation), SecretsError> {
    let (key_path, next_path) = (keyfile::key_path(data_dir), keyfile::next_path(data_dir));
    let Some(current) = keyfile::read(&key_path)? else {
        return Err(SecretsError::Refused(format!("there is no key to rotate: {} does not exist", key_path.display())));
    };
    let (next, created) = match keyfile::read(&next_path)? {
        Some(next) => (next, false),
        None => {
            keyfile::replace(&next_path, &SecretKey::generate_base64()?)?;
            (read_written(&next_path)?, true)
        }
    };
    let store = Store::open(database, keyring(next, &config.previous).with_decrypt_only(current)).await?;
    if let Err(error) = verify(&store).await {
        if created {
            // Nothing was encrypted with the new key: the rotation never started.
            store.close().await;
            keyfile::remove(&next_path)?;
        }
        return Err(error);
    }
    let rotation = reseal(&store).await?;
    keyfile::promote(&next_path, &key_path)?;
    Ok((store, rotation))
}

/// Encrypts every row not under the primary key with it, then compacts.
async fn reseal(store: &Store) -> Result<Rotation, SecretsError> {
    let connections = store.seal_connections(Reseal::NotPrimary).await?;
    // Authorizations under way hold verifiers sealed with the old key: they
    // are dropped (a user starts again) rather than kept unreadable.
    store.clear_all_oauth_states().await?;
    let keyring = store.keyring();
    store.replace_key_record(keyring.primary_id(), &keyring.seal(KEY_CHECK_TEXT, KEY_CHECK_CONTEXT)?).await?;
    store.compact().await?;
    let keyring = store.keyring();
    let key_id = keyring.primary_id().to_string();
    let retired = keyring.ids().into_iter().filter(|id| *id != key_id).map(str::to_string).collect();
    Ok(Rotation { key_id, retired, connections })
}

/// Checks the keys, then encrypts rows stored in clear by an earlier version.
async fn ready(store: &Store) -> Result<(), SecretsError> {
    verify(store).await?;
    let sealed = store.seal_connections(Reseal::Cleartext).await?;
    if sealed > 0 {
        store.compact().await?;
        tracing::info!(connections = sealed, "encrypted the properties of connections stored in clear");
    }
    Ok(())
}

/// Every key the stored properties name is in the keyring and decrypts,
/// and so does the database's key record: the first server to start on a
/// database records its key there, so a server started with another key
/// refuses to start even before anything is encrypted (two servers started
/// at once with different keys: one of them wins, the other stops).
async fn verify(store: &Store) -> Result<(), SecretsError> {
    let keyring = store.keyring();
    let (ids, _) = store.properties_keys().await?;
    let missing: Vec<&str> = ids.iter().map(String::as_str).filter(|id| !keyring.has(id)).collect();
    if !missing.is_empty() {
        return Err(SecretsError::WrongKey { missing: missing.join(", "), have: keyring.ids().join(", ") });
    }
    for id in &ids {
        store.check_key(id).await?;
    }
    let sealed = keyring.seal(KEY_CHECK_TEXT, KEY_CHECK_CONTEXT)?;
    store.claim_key_record(keyring.primary_id(), &sealed).await?;
    let (key_id, sealed) = store.key_record().await?;
    let wrong = || SecretsError::WrongKey { missing: key_id.clone(), have: keyring.ids().join(", ") };
    if !keyring.has(&key_id) {
        return Err(wrong());
    }
    match keyring.open(&sealed, KEY_CHECK_CONTEXT) {
        Ok(text) if text == KEY_CHECK_TEXT => Ok(()),
        _ => Err(wrong()),
    }
}

/// What the key record seals: known text, so opening it proves the key.
const KEY_CHECK_TEXT: &[u8] = b"syncport secret key check";
/// The context the key record is sealed under.
const KEY_CHECK_CONTEXT: &str = "secret-key-check";

impl Store {
    /// Records `key_id` (and `sealed`, the check text sealed with it) as the
    /// database's key, unless a key is recorded already.
    async fn claim_key_record(&self, key_id: &str, sealed: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO secret_key_check (id, key_id, sealed) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(key_id)
            .bind(sealed)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records `key_id` as the database's key, after a rotation.
    async fn replace_key_record(&self, key_id: &str, sealed: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE secret_key_check SET key_id = $1, sealed = $2 WHERE id = 1")
            .bind(key_id)
            .bind(sealed)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The recorded key id and its sealed check text.
    async fn key_record(&self) -> Result<(String, String), StoreError> {
        let row =
            sqlx::query("SELECT key_id, sealed FROM secret_key_check WHERE id = 1").fetch_one(self.pool()).await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }
}

/// A keyring that encrypts with `primary` and also decrypts with `previous`.
fn keyring(primary: SecretKey, previous: &[SecretKey]) -> Keyring {
    previous.iter().cloned().fold(Keyring::new(primary), Keyring::with_decrypt_only)
}

/// The key in a file just written.
fn read_written(path: &Path) -> Result<SecretKey, KeyError> {
    keyfile::read(path)?.ok_or_else(|| KeyError::Io {
        path: path.display().to_string(),
        source: std::io::Error::new(std::io::ErrorKind::NotFound, "vanished after it was written"),
    })
}
