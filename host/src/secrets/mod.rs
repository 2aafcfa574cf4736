//! Secrets at rest: the key, where it comes from, and the cipher (the
//! store re-encrypts its rows under a new key: [`crate::store::keys`]).
//!
//! The store encrypts each connection's whole `properties` object (names and
//! values) with AES-256-GCM under the keyring's first key; see
//! [`keyring`] for the envelope and `docs/security.md` for the operator's
//! side. The key comes from, in order:
//!
//! 1. `SYNCPORT_SECRET_KEY` (base64 of 32 bytes), read by the binary into
//!    [`KeyConfig`]; never a flag, which `ps` would show;
//! 2. the file `<data dir>/secret.key`, created once with a random key and
//!    mode 0600, and refused if others may read it.
//!
//! `SYNCPORT_SECRET_KEY_PREVIOUS` adds keys that only decrypt, and
//! `<data dir>/secret.key.next` exists while a rotation is under way (see
//! [`crate::store::rotate_key`]).

pub mod keyfile;
pub mod keyring;

pub use keyring::{Keyring, SecretKey, is_envelope, key_id_of};

/// The environment variable holding the key.
pub const ENV_KEY: &str = "SYNCPORT_SECRET_KEY";
/// The environment variable holding earlier keys (decrypt only), separated
/// by commas.
pub const ENV_PREVIOUS: &str = "SYNCPORT_SECRET_KEY_PREVIOUS";
/// The key file in the data directory.
pub const KEY_FILE: &str = "secret.key";
/// The new key during a rotation, in the data directory.
pub const NEXT_KEY_FILE: &str = "secret.key.next";

/// What can go wrong with a key or an envelope. No message ever holds key
/// material, ciphertext or what it decrypts to.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text is not the base64 of 32 bytes.
    #[error(
        "{what} is not a valid key: it must be the base64 of 32 random bytes (make one with `openssl rand -base64 32`)"
    )]
    InvalidKey {
        /// Where the key came from.
        what: String,
    },
    /// The key file may be read or written by others.
    #[error(
        "the secret key file {path} has mode {mode:04o}, which lets others read or change it; \
         it must be readable by its owner only: run `chmod 600 {path}`"
    )]
    Permissions {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// A key file could not be read or written.
    #[error("the secret key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The value was encrypted with a key the keyring does not hold.
    #[error("encrypted with key {key_id}, which this server does not have (its keys: {known})")]
    UnknownKey {
        /// The key id the value names.
        key_id: String,
        /// The keyring's key ids.
        known: String,
    },
    /// The key the value names did not open it.
    #[error("does not decrypt with key {key_id}: the value was altered or belongs elsewhere")]
    Decrypt {
        /// The key id.
        key_id: String,
    },
    /// Not an envelope.
    #[error("not an encrypted value")]
    Malformed,
    /// Encryption failed.
    #[error("encryption failed")]
    Encrypt,
    /// The operating system's random number generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

/// The keys the operator gives in the environment. `Debug` shows key ids only.
#[derive(Debug, Clone, Default)]
pub struct KeyConfig {
    /// `SYNCPORT_SECRET_KEY`: encrypts and decrypts; when set, no key file
    /// is read or written.
    pub key: Option<SecretKey>,
    /// `SYNCPORT_SECRET_KEY_PREVIOUS`: decrypt only, for a rotation.
    pub previous: Vec<SecretKey>,
}

impl KeyConfig {
    /// The keys in `SYNCPORT_SECRET_KEY` and `SYNCPORT_SECRET_KEY_PREVIOUS`
    /// (empty variables count as unset).
    pub fn from_env() -> Result<Self, KeyError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let key = var(ENV_KEY).map(|text| SecretKey::from_base64(&text, ENV_KEY)).transpose()?;
        let previous = var(ENV_PREVIOUS)
            .map(|text| {
                text.split(',')
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| SecretKey::from_base64(t, ENV_PREVIOUS))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok(Self { key, previous })
    }

    /// A configuration with `key` as `SYNCPORT_SECRET_KEY`.
    pub fn with_key(key: SecretKey) -> Self {
        Self { key: Some(key), previous: Vec::new() }
    }
}
