//! `serve` flags for OAuth through the host (docs/oauth.md).

use clap::Args;

/// Where OAuth providers send browsers back.
#[derive(Args, Debug, Clone)]
pub struct OAuthArgs {
    /// The URL users and OAuth providers reach this server at, e.g.
    /// `https://sync.example.com`; a connection's redirect URI is this plus
    /// `/api.rsc/v2/oauth/callback`. Default: `http://` and the listen address.
    #[arg(long, env = "SYNCPORT_PUBLIC_URL", value_parser = absolute_url)]
    pub public_url: Option<String>,
    /// One redirect URI for every server behind one public address, used by
    /// connections whose `use_cdata_callback_url` is true; it must reach
    /// `/api.rsc/v2/oauth/callback` of one of the servers.
    #[arg(long, env = "SYNCPORT_OAUTH_CALLBACK_URL", value_parser = absolute_url)]
    pub oauth_callback_url: Option<String>,
    /// How long a started authorization may take before its link expires, in seconds.
    #[arg(long, env = "SYNCPORT_OAUTH_STATE_TTL_SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(10..=86_400))]
    pub oauth_state_ttl_secs: u64,
}

/// An absolute `http(s)` URL without user, query or fragment.
fn absolute_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err("must be an http:// or https:// URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err("must hold no user, password, query or fragment".into());
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_plain_absolute_http_urls() {
        assert!(absolute_url("https://sync.example.com").is_ok());
        assert!(absolute_url("http://127.0.0.1:8181/base").is_ok());
        for bad in [
            "sync.example.com",
            "ftp://x.example",
            "https://u:p@x.example",
            "https://x.example/?a=1",
            "https://x.example/#f",
        ] {
            assert!(absolute_url(bad).is_err(), "{bad}");
        }
    }
}
