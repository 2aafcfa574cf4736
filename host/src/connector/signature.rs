//! Detached Ed25519 signatures of connector components and the operator's
//! trust policy (`docs/security.md`, "Signed connectors").
//!
//! A signature covers the component's sha256, prefixed with [`CONTEXT`] so
//! it cannot be replayed as a signature of anything else. Its text form is
//! one line: `syncport-ed25519 <public key> <signature>`, both base64.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer, VerifyingKey};

/// What is signed before the component's sha256.
pub const CONTEXT: &[u8] = b"syncport-connector-signature-v1:";

/// The first word of a signature's text form.
const TAG: &str = "syncport-ed25519";

/// Why a signature, key or policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The text is not a signature or key of the expected form.
    #[error("{0}")]
    Malformed(String),
    /// The policy requires a signature and there is none.
    #[error("this server requires signed connectors and the component has no signature")]
    Missing,
    /// The signature does not match the component.
    #[error("the signature does not match this component (signed by {key}); was it made for other bytes?")]
    Invalid {
        /// The public key named in the signature.
        key: String,
    },
    /// The signature is valid but its key is not trusted here.
    #[error("the component is signed by {key}, which is not one of this server's trusted keys")]
    Untrusted {
        /// The public key named in the signature.
        key: String,
    },
    /// Signatures are required but no key is trusted.
    #[error("signatures are required but no trusted key is configured")]
    NoTrustedKeys,
}

/// A detached signature: the signer's public key and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    key: VerifyingKey,
    signature: ed25519_dalek::Signature,
}

impl Signature {
    /// Parses the text form (surrounding white space ignored).
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let malformed = || {
            SignatureError::Malformed(format!("a signature is one line `{TAG} <public key base64> <signature base64>`"))
        };
        let mut words = text.split_whitespace();
        let (Some(TAG), Some(key), Some(signature), None) = (words.next(), words.next(), words.next(), words.next())
        else {
            return Err(malformed());
        };
        let key = parse_public_key(key)?;
        let bytes: [u8; 64] = decode(signature).ok().and_then(|b| b.try_into().ok()).ok_or_else(malformed)?;
        Ok(Self { key, signature: ed25519_dalek::Signature::from_bytes(&bytes) })
    }

    /// The text form, with a final newline.
    pub fn to_text(&self) -> String {
        format!("{TAG} {} {}\n", self.signer(), B64.encode(self.signature.to_bytes()))
    }

    /// The signer's public key, base64.
    pub fn signer(&self) -> String {
        B64.encode(self.key.as_bytes())
    }

    /// Whether this signs the component with `sha256`.
    fn verifies(&self, sha256: &[u8; 32]) -> bool {
        self.key.verify_strict(&message(sha256), &self.signature).is_ok()
    }
}

/// A private signing key. Its `Debug` hides the key.
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey(public {})", self.public_key())
    }
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)?;
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// Parses the text form: the 32-byte seed, base64.
    pub fn parse(text: &str) -> Result<Self, SignatureError> {
        let seed: [u8; 32] = decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
            SignatureError::Malformed("a signing key is its 32-byte seed in base64 on one line".into())
        })?;
        Ok(Self(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }

    /// The text form, with a final newline. Secret: store it 0600.
    pub fn to_text(&self) -> String {
        format!("{}\n", B64.encode(self.0.to_bytes()))
    }

    /// The public key to give operators, base64.
    pub fn public_key(&self) -> String {
        B64.encode(self.0.verifying_key().as_bytes())
    }

    /// Signs the component with `sha256`.
    pub fn sign(&self, sha256: &[u8; 32]) -> Signature {
        Signature { key: self.0.verifying_key(), signature: self.0.sign(&message(sha256)) }
    }
}

/// Which signatures the operator accepts.
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    trusted: Vec<VerifyingKey>,
    require: bool,
}

impl TrustPolicy {
    /// Trusts `keys` (base64 public keys); with `require`, refuses unsigned
    /// components. Requiring signatures with no trusted key is an error.
    pub fn new<S: AsRef<str>>(keys: &[S], require: bool) -> Result<Self, SignatureError> {
        let trusted = keys.iter().map(|k| parse_public_key(k.as_ref())).collect::<Result<Vec<_>, _>>()?;
        if require && trusted.is_empty() {
            return Err(SignatureError::NoTrustedKeys);
        }
        Ok(Self { trusted, require })
    }

    /// Whether unsigned components are refused.
    pub fn requires_signatures(&self) -> bool {
        self.require
    }

    /// Whether `key` (base64) is one of the trusted keys. With none
    /// configured, no key is: a valid signature then only says which key
    /// signed, and anyone can make a key.
    pub fn trusts(&self, key: &str) -> bool {
        parse_public_key(key).is_ok_and(|key| self.trusted.contains(&key))
    }

    /// Checks the component with `sha256` and its signature, if any, and
    /// returns the signer. A signature that is given is always verified;
    /// its key must be trusted when any key is configured.
    pub fn verify(&self, sha256: &[u8; 32], signature: Option<&Signature>) -> Result<Option<String>, SignatureError> {
        let Some(signature) = signature else {
            return if self.require { Err(SignatureError::Missing) } else { Ok(None) };
        };
        let key = signature.signer();
        if !signature.verifies(sha256) {
            return Err(SignatureError::Invalid { key });
        }
        if !self.trusted.is_empty() && !self.trusted.contains(&signature.key) {
            return Err(SignatureError::Untrusted { key });
        }
        Ok(Some(key))
    }
}

/// A public key from base64.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, SignatureError> {
    let malformed = || SignatureError::Malformed(format!("`{text}` is not an Ed25519 public key (32 bytes, base64)"));
    let bytes: [u8; 32] = decode(text.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(malformed)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| malformed())
}

/// The public keys in a trusted-keys file: one base64 key per line; blank
/// lines and `#` comments are ignored.
pub fn parse_trusted_keys(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// What a signature covers.
fn message(sha256: &[u8; 32]) -> Vec<u8> {
    [CONTEXT, sha256.as_slice()].concat()
}

fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    B64.decode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: [u8; 32] = [7; 32];

    #[test]
    fn a_signature_survives_its_text_form_and_verifies() {
        let key = SigningKey::generate().expect("random");
        let signature = Signature::parse(&key.sign(&SHA).to_text()).expect("parses");
        let policy = TrustPolicy::new(&[key.public_key()], true).expect("policy");
        assert_eq!(policy.verify(&SHA, Some(&signature)), Ok(Some(key.public_key())));
        assert!(policy.trusts(&key.public_key()));
    }

    #[test]
    fn with_no_trusted_key_a_valid_signature_is_accepted_but_its_key_is_not_trusted() {
        let key = SigningKey::generate().expect("random");
        let policy = TrustPolicy::default();
        assert_eq!(policy.verify(&SHA, Some(&key.sign(&SHA))), Ok(Some(key.public_key())));
        assert!(!policy.trusts(&key.public_key()));
        assert!(matches!(policy.verify(&[8; 32], Some(&key.sign(&SHA))), Err(SignatureError::Invalid { .. })));
        assert!(!policy.trusts("not a key"));
    }

    #[test]
    fn other_bytes_an_untrusted_key_or_no_signature_are_refused() {
        let (key, other) = (SigningKey::generate().expect("random"), SigningKey::generate().expect("random"));
        let policy = TrustPolicy::new(&[key.public_key()], true).expect("policy");
        let signature = key.sign(&SHA);
        assert!(matches!(policy.verify(&[8; 32], Some(&signature)), Err(SignatureError::Invalid { .. })));
        assert!(matches!(policy.verify(&SHA, Some(&other.sign(&SHA))), Err(SignatureError::Untrusted { .. })));
        assert_eq!(policy.verify(&SHA, None), Err(SignatureError::Missing));
        assert_eq!(TrustPolicy::default().verify(&SHA, None), Ok(None));
        assert_eq!(TrustPolicy::new::<&str>(&[], true).err(), Some(SignatureError::NoTrustedKeys));
    }

    #[test]
    fn malformed_text_is_refused_with_the_expected_form() {
        for text in ["", "syncport-ed25519 a b", "other AAAA BBBB", "syncport-ed25519 a b c"] {
            assert!(matches!(Signature::parse(text), Err(SignatureError::Malformed(_))), "{text}");
        }
        assert!(SigningKey::parse("c2hvcnQ=").is_err());
        assert_eq!(parse_trusted_keys("# keys\n\nabc # ours\n def\n"), ["abc", "def"]);
    }
}
