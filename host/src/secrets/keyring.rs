//! Keys and the envelopes they seal: AES-256-GCM with a random 96-bit nonce
//! per encryption, the key named by its id in the envelope so a keyring of
//! several keys (during a rotation) picks the right one.
//!
//! Envelope: `v1:<key id>:<base64(nonce || ciphertext || tag)>`, where the
//! key id is the first 16 hex digits of the SHA-256 of the key. The
//! associated data binds each envelope to where it is stored (e.g. one
//! connection's properties), so a sealed value copied to another row does
//! not open.

use super::KeyError;
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Generate, Key, KeyInit, Nonce, Payload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;
use uuid::Uuid;

/// The envelope format version this host writes.
const VERSION: &str = "v1";
/// Bytes of a key.
const KEY_BYTES: usize = 32;
/// Bytes of a nonce.
const NONCE_BYTES: usize = 12;
/// Hex digits of a key id.
const ID_DIGITS: usize = 16;

/// One AES-256 key. Its `Debug` shows the key id only; the key bytes are
/// never formatted, and the cipher state is wiped on drop.
#[derive(Clone)]
pub struct SecretKey {
    cipher: Aes256Gcm,
    id: String,
}

impl SecretKey {
    /// A key from its text form: the base64 of 32 bytes (surrounding
    /// whitespace ignored). `what` names the source in the error, which
    /// never repeats the text.
    pub fn from_base64(text: &str, what: &str) -> Result<Self, KeyError> {
        let invalid = || KeyError::InvalidKey { what: what.to_string() };
        let bytes = BASE64.decode(text.trim()).map_err(|_| invalid())?;
        if bytes.len() != KEY_BYTES {
            return Err(invalid());
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| invalid())?;
        let id = hex::encode(Sha256::digest(&bytes))[..ID_DIGITS].to_string();
        Ok(Self { cipher, id })
    }

    /// A new random key in its text form (base64 of 32 bytes from the
    /// operating system's generator).
    pub fn generate_base64() -> Result<String, KeyError> {
        let key = Key::<Aes256Gcm>::try_generate().map_err(|_| KeyError::Random)?;
        Ok(BASE64.encode(key))
    }

    /// The key id: the first 16 hex digits of the SHA-256 of the key.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretKey").field(&self.id).finish()
    }
}

/// The keys a server holds: the first encrypts, every one decrypts (the
/// others are earlier keys during a rotation). Cheap to clone.
#[derive(Clone)]
pub struct Keyring {
    keys: Arc<Vec<SecretKey>>,
}

impl Keyring {
    /// A keyring that encrypts with `primary`.
    pub fn new(primary: SecretKey) -> Self {
        Self { keys: Arc::new(vec![primary]) }
    }

    /// Adds a key that only decrypts (ignored if the keyring has it).
    pub fn with_decrypt_only(self, key: SecretKey) -> Self {
        if self.has(key.id()) {
            return self;
        }
        let mut keys = self.keys.as_ref().clone();
        keys.push(key);
        Self { keys: Arc::new(keys) }
    }

    /// The id of the key that encrypts.
    pub fn primary_id(&self) -> &str {
        self.keys[0].id()
    }

    /// The ids of every key, the encrypting one first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(SecretKey::id).collect()
    }

    /// Whether the keyring holds key `id`.
    pub fn has(&self, id: &str) -> bool {
        self.keys.iter().any(|k| k.id() == id)
    }

    /// Encrypts `plaintext` with the primary key, bound to `context`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String, KeyError> {
        let key = &self.keys[0];
        let nonce = Nonce::<Aes256Gcm>::try_generate().map_err(|_| KeyError::Random)?;
        let sealed = key
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .map_err(|_| KeyError::Encrypt)?;
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        Ok(format!("{VERSION}:{}:{}", key.id(), BASE64.encode(bytes)))
    }

    /// Decrypts an envelope sealed for `context` with any key of the keyring.
    pub fn open(&self, envelope: &str, context: &str) -> Result<Vec<u8>, KeyError> {
        let (id, body) = split(envelope).ok_or(KeyError::Malformed)?;
        let key = self
            .keys
            .iter()
            .find(|k| k.id() == id)
            .ok_or_else(|| KeyError::UnknownKey { key_id: id.to_string(), known: self.ids().join(", ") })?;
        let bytes = BASE64.decode(body).map_err(|_| KeyError::Malformed)?;
        if bytes.len() < NONCE_BYTES {
            return Err(KeyError::Malformed);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let nonce = Nonce::<Aes256Gcm>::try_from(nonce).map_err(|_| KeyError::Malformed)?;
        key.cipher
            .decrypt(&nonce, Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| KeyError::Decrypt { key_id: id.to_string() })
    }

    /// Encrypts a connection's properties (their JSON text).
    pub fn seal_properties(&self, connection: Uuid, json: &str) -> Result<String, KeyError> {
        self.seal(json.as_bytes(), &properties_context(connection))
    }

    /// Decrypts a connection's properties to their JSON text.
    pub fn open_properties(&self, connection: Uuid, envelope: &str) -> Result<String, KeyError> {
        let bytes = self.open(envelope, &properties_context(connection))?;
        String::from_utf8(bytes).map_err(|_| KeyError::Malformed)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring").field("keys", &self.ids()).finish()
    }
}

/// The associated data of a connection's properties.
fn properties_context(connection: Uuid) -> String {
    format!("syncport/connections/{connection}/properties")
}

/// The key id and body of an envelope, if `text` is one.
fn split(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(VERSION)?.strip_prefix(':')?;
    let (id, body) = rest.split_once(':')?;
    (id.len() == ID_DIGITS && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some((id, body))
}

/// The id of the key that sealed `text`, if it is an envelope.
pub fn key_id_of(text: &str) -> Option<&str> {
    split(text).map(|(id, _)| id)
}

/// Whether `text` is an envelope (rather than a value stored in clear by an
/// earlier version).
pub fn is_envelope(text: &str) -> bool {
    split(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_base64(&SecretKey::generate_base64().expect("random"), "test key").expect("key")
    }

    #[test]
    fn a_sealed_value_opens_with_its_key_and_context_only() {
        let (a, b) = (key(), key());
        let ring = Keyring::new(a.clone());
        let sealed = ring.seal(b"hunter2", "here").expect("seal");
        assert!(sealed.starts_with(&format!("v1:{}:", a.id())), "{sealed}");
        assert!(!sealed.contains("hunter2"));
        assert_eq!(ring.open(&sealed, "here").expect("open"), b"hunter2");
        assert!(matches!(ring.open(&sealed, "there"), Err(KeyError::Decrypt { .. })));
        let other = Keyring::new(b.clone());
        assert!(matches!(other.open(&sealed, "here"), Err(KeyError::UnknownKey { .. })));
        let both = Keyring::new(b).with_decrypt_only(a);
        assert_eq!(both.open(&sealed, "here").expect("open with the older key"), b"hunter2");
    }

    #[test]
    fn two_seals_of_one_value_differ() {
        let ring = Keyring::new(key());
        assert_ne!(ring.seal(b"x", "c").expect("seal"), ring.seal(b"x", "c").expect("seal"));
    }

    #[test]
    fn errors_and_debug_never_show_key_material() {
        let text = SecretKey::generate_base64().expect("random");
        let key = SecretKey::from_base64(&text, "K").expect("key");
        assert!(!format!("{key:?} {:?}", Keyring::new(key.clone())).contains(&text));
        let short = &text[..20];
        let error = SecretKey::from_base64(short, "K").expect_err("too short").to_string();
        assert!(!error.contains(short), "{error}");
    }

    #[test]
    fn a_tampered_envelope_is_refused() {
        let ring = Keyring::new(key());
        let sealed = ring.seal(b"value", "c").expect("seal");
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(bytes).expect("text");
        assert!(ring.open(&tampered, "c").is_err());
        assert!(matches!(ring.open("{}", "c"), Err(KeyError::Malformed)));
    }
}
