//! The API of a running server, for the subcommands that talk to one.

use anyhow::{Context, bail};
use serde_json::Value;

/// The API of a running server.
pub struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Client {
    /// A client of `server` (e.g. `http://127.0.0.1:8181`) presenting `token`.
    pub fn new(server: &str, token: String) -> Self {
        let server = server.trim_end_matches('/');
        let base = if server.ends_with(syncport::api::BASE) {
            server.to_string()
        } else {
            format!("{server}{}", syncport::api::BASE)
        };
        Self { base, token, http: reqwest::Client::new() }
    }

    /// A request to `path` under the API's base, with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).header(syncport::api::auth::TOKEN_HEADER, &self.token)
    }

    /// Sends, and turns an error response into its message.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<(reqwest::StatusCode, Value)> {
        let response = request.send().await.with_context(|| format!("connecting to {}", self.base))?;
        let status = response.status();
        let body = response.bytes().await?;
        let json: Value =
            if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
        if !status.is_success() {
            let error = &json["error"];
            match (error["code"].as_str(), error["message"].as_str()) {
                (Some(code), Some(message)) => bail!("{status} {code}: {message}"),
                _ => bail!("{status}: {}", String::from_utf8_lossy(&body)),
            }
        }
        Ok((status, json))
    }
}
