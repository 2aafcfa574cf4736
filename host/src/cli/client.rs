//! The API of a running server, for the subcommands that talk to one, over
//! HTTP or HTTPS (rustls; the Mozilla roots, and `--ca-cert`).

use anyhow::{Context, bail};
use serde_json::Value;
use std::path::Path;

/// Where a subcommand finds the server, and what it presents.
#[derive(clap::Args)]
pub struct ServerArgs {
    /// The server, e.g. `http://127.0.0.1:8181` or `https://…`.
    #[arg(long, env = "SYNCPORT_SERVER", default_value = "http://127.0.0.1:8181")]
    server: String,
    /// A token of a user allowed to do what the subcommand does (prefer the environment variable).
    #[arg(long, env = "SYNCPORT_TOKEN", hide_env_values = true)]
    token: String,
    /// Trusts the certificates in this PEM file too (a private CA, or a self-signed server's certificate).
    #[arg(long, env = "SYNCPORT_CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,
}

impl ServerArgs {
    /// A client of the server.
    pub fn client(&self) -> anyhow::Result<Client> {
        Client::new(&self.server, self.token.clone(), self.ca_cert.as_deref())
    }
}

/// The exit code of a subcommand that says whether it succeeded: 0 yes,
/// 1 no, 2 an error (printed).
pub fn exit_code(outcome: anyhow::Result<bool>) -> std::process::ExitCode {
    match outcome {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The API of a running server.
pub struct Client {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Client {
    /// A client of `server` (e.g. `https://127.0.0.1:8181`) presenting
    /// `token`; over HTTPS it trusts the Mozilla roots and the certificates
    /// in `ca_cert` (PEM: a private CA, or a self-signed server's certificate).
    pub fn new(server: &str, token: String, ca_cert: Option<&Path>) -> anyhow::Result<Self> {
        let server = server.trim_end_matches('/');
        let base = if server.ends_with(syncport::api::BASE) {
            server.to_string()
        } else {
            format!("{server}{}", syncport::api::BASE)
        };
        let mut http = reqwest::Client::builder();
        if let Some(path) = ca_cert {
            let pem = std::fs::read(path).with_context(|| format!("--ca-cert {}", path.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .with_context(|| format!("--ca-cert {}: not PEM certificates", path.display()))?;
            if certificates.is_empty() {
                bail!("--ca-cert {}: no PEM certificate in it", path.display());
            }
            for certificate in certificates {
                http = http.add_root_certificate(certificate);
            }
        }
        let http = http.build().context("the HTTP client")?;
        Ok(Self { base, token, http })
    }

    /// A request to `path` under the API's base, with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base)).header(syncport::api::auth::TOKEN_HEADER, &self.token)
    }

    /// Sends, and turns an error response into its message.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> anyhow::Result<(reqwest::StatusCode, Value)> {
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => {
                let chain = std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source());
                let untrusted = chain.map(|e| e.to_string()).any(|e| e.contains("certificate"));
                let hint = if untrusted {
                    " (a private CA or a self-signed server? trust it with --ca-cert FILE)"
                } else {
                    ""
                };
                return Err(anyhow::Error::from(error).context(format!("connecting to {}{hint}", self.base)));
            }
        };
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

    /// The id of the `kind` (`connections`, `jobs`) named `name`
    /// (case-insensitively), or with that id, in `workspace`.
    pub async fn id_of(&self, kind: &str, workspace: &str, name: &str) -> anyhow::Result<String> {
        let workspace_path = form_urlencoded::byte_serialize(workspace.as_bytes()).collect::<String>();
        let path = format!("/workspaces/{workspace_path}/{kind}");
        let (_, list) = self.send(self.request(reqwest::Method::GET, &path)).await?;
        let items = list["value"].as_array().with_context(|| format!("the server's {kind} list has no `value`"))?;
        let named = |i: &&Value| {
            i["id"].as_str() == Some(name) || i["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name))
        };
        let what = kind.trim_end_matches('s');
        items
            .iter()
            .find(named)
            .and_then(|i| i["id"].as_str().map(str::to_string))
            .with_context(|| format!("no {what} `{name}` in workspace `{workspace}`"))
    }
}
