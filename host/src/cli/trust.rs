//! The signature flags shared by `serve` and `connector install`.

use clap::Args;
use std::path::PathBuf;
use syncport::connector::signature::{TrustPolicy, parse_trusted_keys};

/// Which connector signatures are accepted (docs/security.md, "Signed connectors").
#[derive(Args, Debug, Clone)]
pub struct TrustArgs {
    /// File of trusted Ed25519 public keys (base64, one per line, `#` comments).
    #[arg(long, env = "SYNCPORT_TRUSTED_KEYS_FILE")]
    pub trusted_keys_file: Option<PathBuf>,
    /// Refuse connectors not signed by a trusted key.
    #[arg(long, env = "SYNCPORT_REQUIRE_SIGNATURES")]
    pub require_signatures: bool,
}

impl TrustArgs {
    /// The policy these flags describe.
    pub fn policy(&self) -> Result<TrustPolicy, String> {
        let keys = match &self.trusted_keys_file {
            Some(path) => parse_trusted_keys(
                &std::fs::read_to_string(path).map_err(|e| format!("trusted keys {}: {e}", path.display()))?,
            ),
            None => Vec::new(),
        };
        let what = self.trusted_keys_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        TrustPolicy::new(&keys, self.require_signatures).map_err(|e| format!("trusted keys {what}: {e}"))
    }
}
