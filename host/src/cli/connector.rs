//! `syncport connector ...`: install, list and remove connector versions in
//! a running server (over its API) or in a data directory (with no server
//! running), and make signing keys and signatures.

use super::client::Client;
use super::trust::TrustArgs;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use syncport::api::connectors::{SIGNATURE_HEADER, connector_list, version_view};
use syncport::connector::signature::{Signature, SigningKey};
use syncport::registry::{InstallOutcome, Registry};
use syncport::runtime::{Limits, Runtime};
use syncport::service::connectors::pinned_message;

/// Connector components: conformance, versions and signatures.
#[derive(Subcommand)]
pub enum ConnectorCommand {
    /// Runs a connector component through the sandbox with no server and reports whether it
    /// behaves (see docs/plugin-guide.md). Exits 0 when every check ran and none failed,
    /// 1 when one failed, 2 when the check could not run, 3 when some checks did not run
    /// (without `--config`; `--describe-only` accepts that).
    Check(super::check::CheckArgs),
    /// Installs a component (`FILE.sig` beside it is sent as its signature).
    Install(InstallArgs),
    /// Lists the installed connector versions.
    List(ListArgs),
    /// Removes a connector version that no connection is pinned to.
    Remove(RemoveArgs),
    /// Makes an Ed25519 signing key and prints its public key.
    Keygen(KeygenArgs),
    /// Writes a detached signature of a component (`FILE.sig`).
    Sign(SignArgs),
}

/// Where the command acts: a running server, or a data directory.
#[derive(Args)]
pub struct Target {
    /// A running server, e.g. `http://127.0.0.1:8181`; without it the command
    /// works on --data-dir directly and no server may be running on it.
    #[arg(long, env = "SYNCPORT_SERVER")]
    server: Option<String>,
    /// An admin's token for --server (prefer the environment variable: a flag shows in `ps`).
    #[arg(long, env = "SYNCPORT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// For an HTTPS --server: trusts the certificates in this PEM file too (a private CA, or a
    /// self-signed server's certificate).
    #[arg(long, env = "SYNCPORT_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Data directory, without --server.
    #[arg(long, env = "SYNCPORT_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL, without --server; default: the SQLite file in the data directory.
    #[arg(long, env = "SYNCPORT_DATABASE_URL")]
    database_url: Option<String>,
}

impl Target {
    /// A client when `--server` is given.
    fn client(&self) -> anyhow::Result<Option<Client>> {
        let Some(server) = &self.server else { return Ok(None) };
        let Some(token) = self.token.clone() else {
            bail!("--server needs an admin token: set SYNCPORT_TOKEN (or --token)");
        };
        Ok(Some(Client::new(server, token, self.ca_cert.as_deref())?))
    }
}

/// `connector install`
#[derive(Args)]
pub struct InstallArgs {
    /// The component (`.wasm`).
    file: PathBuf,
    /// Its signature; default: `FILE.sig` when it exists.
    #[arg(long)]
    signature: Option<PathBuf>,
    #[command(flatten)]
    target: Target,
    #[command(flatten)]
    trust: TrustArgs,
}

/// `connector list`
#[derive(Args)]
pub struct ListArgs {
    /// Print the JSON of `GET /connectors`.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    target: Target,
    /// With --data-dir: the keys a signature is reported `trusted` against, as a server with
    /// this file would (which leaves out what another key signed); with --server, the server's.
    #[arg(long, env = "SYNCPORT_TRUSTED_KEYS_FILE")]
    trusted_keys_file: Option<PathBuf>,
}

/// `connector remove`
#[derive(Args)]
pub struct RemoveArgs {
    /// The connector name.
    name: String,
    /// The version to remove.
    version: semver::Version,
    #[command(flatten)]
    target: Target,
}

/// `connector keygen`
#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the private key (created with mode 0600; never overwritten).
    #[arg(long)]
    out: PathBuf,
}

/// `connector sign`
#[derive(Args)]
pub struct SignArgs {
    /// The component to sign.
    file: PathBuf,
    /// The private key from `connector keygen`.
    #[arg(long)]
    key: PathBuf,
    /// Where to write the signature; default: `FILE.sig`.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs a `connector` subcommand.
pub async fn run(command: ConnectorCommand) -> ExitCode {
    let done = match command {
        ConnectorCommand::Check(args) => return super::check::run(args).await,
        ConnectorCommand::Install(args) => install(args).await,
        ConnectorCommand::List(args) => list(args).await,
        ConnectorCommand::Remove(args) => remove(args).await,
        ConnectorCommand::Keygen(args) => keygen(&args),
        ConnectorCommand::Sign(args) => sign(&args),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("syncport connector: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn install(args: InstallArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let signature = read_signature(&args.file, args.signature.as_deref())?;
    let (view, installed) = match args.target.client()? {
        Some(client) => {
            let mut request =
                client.request(reqwest::Method::POST, "/connectors").header("content-type", "application/wasm");
            if let Some(signature) = &signature {
                request = request.header(SIGNATURE_HEADER, signature.to_text().trim());
            }
            let (status, view) = client.send(request.body(bytes)).await?;
            (view, status == reqwest::StatusCode::CREATED)
        }
        None => {
            let policy = args.trust.policy().map_err(anyhow::Error::msg)?;
            let data_dir = args.target.data_dir.clone();
            blocking(move || {
                let registry = open_registry(&data_dir, policy)?;
                let done = registry.install(&bytes, signature.as_ref())?;
                let view = serde_json::to_value(version_view(&registry, &done.plugin))?;
                Ok((view, done.outcome == InstallOutcome::Installed))
            })
            .await?
        }
    };
    let verb = if installed { "Installed" } else { "Already installed:" };
    println!("{verb} {}", describe(&view));
    Ok(())
}

async fn list(args: ListArgs) -> anyhow::Result<()> {
    let list = match args.target.client()? {
        Some(client) => client.send(client.request(reqwest::Method::GET, "/connectors")).await?.1,
        None => {
            let data_dir = existing(&args.target.data_dir)?;
            // Only the keys: signatures are not required of what is listed.
            let trust = TrustArgs { trusted_keys_file: args.trusted_keys_file.clone(), require_signatures: false };
            let policy = trust.policy().map_err(anyhow::Error::msg)?;
            blocking(move || Ok(serde_json::to_value(connector_list(&open_registry(&data_dir, policy)?))?)).await?
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    let connectors = list["value"].as_array().cloned().unwrap_or_default();
    let versions: Vec<Value> =
        connectors.iter().flat_map(|c| c["versions"].as_array().cloned().unwrap_or_default()).collect();
    if versions.is_empty() {
        println!("No connector is installed.");
    }
    for view in &versions {
        println!("{}", describe(view));
    }
    Ok(())
}

async fn remove(args: RemoveArgs) -> anyhow::Result<()> {
    let (name, version) = (&args.name, &args.version);
    match args.target.client()? {
        Some(client) => {
            let path = format!("/connectors/{}/versions/{version}", urlencode(name));
            client.send(client.request(reqwest::Method::DELETE, &path)).await?;
        }
        None => {
            let target = &args.target;
            existing(&target.data_dir)?;
            let keys = syncport::secrets::KeyConfig::from_env()?;
            let url = target.database_url.clone().unwrap_or_else(|| default_database(&target.data_dir));
            let store =
                syncport::store::open_store(&target.data_dir, syncport::store::Database::at(&url), &keys).await?;
            let pinned = store.delete_component(name, &version.to_string()).await?;
            store.close().await;
            if !pinned.is_empty() {
                bail!("{}", pinned_message(name, version, &pinned));
            }
            let (data_dir, name, version) = (target.data_dir.clone(), name.clone(), version.clone());
            blocking(move || Ok(open_registry(&data_dir, Default::default())?.remove(&name, &version).map(drop)?))
                .await?;
        }
    }
    println!("Removed {name} {version}.");
    Ok(())
}

fn keygen(args: &KeygenArgs) -> anyhow::Result<()> {
    let key = SigningKey::generate().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    std::io::Write::write_all(&mut file, key.to_text().as_bytes())?;
    file.sync_all()?;
    println!("Wrote the private key to {} (keep it secret).", args.out.display());
    println!("Public key, for the servers' trusted keys file:");
    println!("{}", key.public_key());
    Ok(())
}

fn sign(args: &SignArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.key).with_context(|| format!("reading {}", args.key.display()))?;
    let key = SigningKey::parse(&text).with_context(|| format!("{}", args.key.display()))?;
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let signature = key.sign(&Sha256::digest(&bytes).into());
    let out = args.out.clone().unwrap_or_else(|| sig_path(&args.file));
    std::fs::write(&out, signature.to_text()).with_context(|| format!("writing {}", out.display()))?;
    println!("Signed {} with {}; signature in {}.", args.file.display(), key.public_key(), out.display());
    Ok(())
}

/// The signature given, or `FILE.sig` when it exists.
fn read_signature(file: &Path, given: Option<&Path>) -> anyhow::Result<Option<Signature>> {
    let path = match given {
        Some(path) => path.to_path_buf(),
        None if sig_path(file).exists() => sig_path(file),
        None => return Ok(None),
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Some(Signature::parse(&text).with_context(|| format!("{}", path.display()))?))
}

fn sig_path(file: &Path) -> PathBuf {
    let mut path = file.as_os_str().to_owned();
    path.push(".sig");
    path.into()
}

/// The registry of a data directory. Blocking: it loads every component.
fn open_registry(data_dir: &Path, policy: syncport::connector::signature::TrustPolicy) -> anyhow::Result<Registry> {
    let runtime = Runtime::new(Limits::default(), Some(&data_dir.join("cache")))?;
    Ok(Registry::open(runtime, &data_dir.join("connectors"), policy)?)
}

/// Runs `f` off the async threads: plugins' WASI output enters tokio itself.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f).await?
}

/// `data_dir` if it holds a Syncport database, so a mistyped path is an
/// error rather than a new, empty data directory.
fn existing(data_dir: &Path) -> anyhow::Result<PathBuf> {
    if !data_dir.join("syncport.db").exists() && !data_dir.join("connectors").is_dir() {
        bail!("{} is not a Syncport data directory (no syncport.db or connectors/ in it)", data_dir.display());
    }
    Ok(data_dir.to_path_buf())
}

fn default_database(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("syncport.db").display())
}

/// One line about an installed version.
fn describe(view: &Value) -> String {
    let text = |key: &str| view[key].as_str().unwrap_or("?").to_string();
    let signature = &view["signature"];
    let signed = match (signature["key"].as_str(), signature["trusted"].as_bool()) {
        (Some(key), Some(true)) => format!(", signed by {key} (trusted)"),
        (Some(key), _) => format!(", signed by {key} (not trusted)"),
        (None, _) => ", unsigned".to_string(),
    };
    let sha = text("sha256");
    let roles: Vec<&str> = view["roles"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let roles = if roles.is_empty() { "metadata only".to_string() } else { roles.join(" and ") };
    format!(
        "{} {} ({roles}; WIT {}, sha256 {}{signed})",
        text("name"),
        text("version"),
        text("wit_version"),
        &sha[..sha.len().min(16)]
    )
}

fn urlencode(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}
