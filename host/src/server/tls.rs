//! HTTPS: the certificate the server presents, from PEM files (reloaded
//! when they change, or on SIGHUP, without a restart) or made at start
//! (`--tls-self-signed`), and the TLS accept loop (docs/deploy.md, "TLS").

use axum::Router;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How often the certificate and key files are checked for a change.
pub const RELOAD_PERIOD: Duration = Duration::from_secs(5);

/// The self-signed certificate's file, under the data directory.
pub const SELF_SIGNED_FILE: &str = "tls/self-signed.pem";

/// Where the server's certificate comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsSource {
    /// PEM files: the certificate chain (the server's certificate first)
    /// and its private key (PKCS#8, PKCS#1 or SEC1).
    Files {
        /// The certificate chain.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
    /// A certificate made at start for `localhost`, `127.0.0.1`, `::1` and
    /// the listen address, written to [`SELF_SIGNED_FILE`] in the data
    /// directory (its key stays in memory).
    SelfSigned,
}

/// HTTPS settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// The certificate.
    pub source: TlsSource,
    /// How often certificate files are checked for a change.
    pub reload_period: Duration,
}

impl TlsConfig {
    /// The certificate chain and key in PEM files `cert` and `key`.
    pub fn files(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        Self { source: TlsSource::Files { cert: cert.into(), key: key.into() }, reload_period: RELOAD_PERIOD }
    }

    /// A self-signed certificate made at start.
    pub fn self_signed() -> Self {
        Self { source: TlsSource::SelfSigned, reload_period: RELOAD_PERIOD }
    }
}

/// The certificate a started server presents (the one it started with).
#[derive(Clone, Debug)]
pub struct Served {
    /// The server's certificate, PEM.
    pub certificate_pem: String,
    /// The SHA-256 fingerprint of the certificate (DER), `AB:CD:…`, as
    /// `openssl x509 -fingerprint -sha256` shows it.
    pub fingerprint: String,
    /// Where the self-signed certificate was written, for `curl --cacert`
    /// and `--ca-cert`; `None` with certificate files.
    pub self_signed_file: Option<PathBuf>,
}

/// Why the certificate could not be loaded or made.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{0}: {1}")]
    File(String, std::io::Error),
    /// A file holds no PEM certificate or private key, or a bad one.
    #[error("{0}: {1}")]
    Pem(String, String),
    /// rustls refused the certificate and key (e.g. they do not match).
    #[error("certificate and key: {0}")]
    Rustls(#[from] rustls::Error),
    /// The self-signed certificate could not be made.
    #[error("self-signed certificate: {0}")]
    Generate(#[from] rcgen::Error),
}

/// A TLS configuration ready to serve.
pub struct Prepared {
    /// What the acceptor presents; reloads swap it.
    config: RustlsConfig,
    /// What it started with.
    pub served: Served,
    /// The files to watch, and how often.
    watch: Option<Watch>,
}

/// Certificate files to reload.
struct Watch {
    cert: PathBuf,
    key: PathBuf,
    period: Duration,
    /// SIGHUP, listened for from the start (its default action ends the process).
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

/// Loads the certificate files, or makes the self-signed certificate
/// (writing it under `data_dir`) for `listen`.
pub async fn prepare(tls: &TlsConfig, data_dir: &Path, listen: SocketAddr) -> Result<Prepared, TlsError> {
    let (tls, data_dir) = (tls.clone(), data_dir.to_path_buf());
    let mut prepared = tokio::task::spawn_blocking(move || prepare_blocking(&tls, &data_dir, listen))
        .await
        .expect("loading a certificate does not panic")?;
    #[cfg(unix)]
    if let Some(watch) = &mut prepared.watch {
        watch.hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .inspect_err(
                |error| tracing::warn!(%error, "SIGHUP cannot be listened for: TLS files reload on change only"),
            )
            .ok();
    }
    Ok(prepared)
}

fn prepare_blocking(tls: &TlsConfig, data_dir: &Path, listen: SocketAddr) -> Result<Prepared, TlsError> {
    match &tls.source {
        TlsSource::Files { cert, key } => {
            let (config, leaf) = load_files(cert, key)?;
            let served =
                Served { certificate_pem: pem(&leaf), fingerprint: fingerprint(&leaf), self_signed_file: None };
            let watch = Some(Watch {
                cert: cert.clone(),
                key: key.clone(),
                period: tls.reload_period,
                #[cfg(unix)]
                hangup: None,
            });
            Ok(Prepared { config: RustlsConfig::from_config(config), served, watch })
        }
        TlsSource::SelfSigned => {
            let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
            let ip = listen.ip();
            if !ip.is_unspecified() && !ip.is_loopback() {
                names.push(ip.to_string());
            }
            let mut params = rcgen::CertificateParams::new(names)?;
            params.distinguished_name.push(rcgen::DnType::CommonName, "Syncport (self-signed)");
            // A year from yesterday (a clock a little behind still takes it);
            // a new one is made at every start.
            let today = chrono::Utc::now().date_naive();
            let day = |d: chrono::NaiveDate| {
                use chrono::Datelike;
                rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
            };
            params.not_before = day(today - chrono::Days::new(1));
            params.not_after = day(today + chrono::Days::new(365));
            let key = rcgen::KeyPair::generate()?;
            let cert = params.self_signed(&key)?;
            let leaf = cert.der().clone();
            let file = data_dir.join(SELF_SIGNED_FILE);
            let dir = file.parent().unwrap_or(data_dir);
            std::fs::create_dir_all(dir).map_err(|e| TlsError::File(dir.display().to_string(), e))?;
            crate::fsutil::write_atomically(&file, cert.pem().as_bytes())
                .map_err(|e| TlsError::File(file.display().to_string(), e))?;
            let private = PrivateKeyDer::Pkcs8(key.serialize_der().into());
            let config = server_config(vec![leaf.clone()], private)?;
            let served =
                Served { certificate_pem: cert.pem(), fingerprint: fingerprint(&leaf), self_signed_file: Some(file) };
            Ok(Prepared { config: RustlsConfig::from_config(config), served, watch: None })
        }
    }
}

/// A rustls server configuration, HTTP/1.1 only (as the plain HTTP server).
/// Its provider is the process default: ring, the only one rustls is built
/// with here (as for the egress client).
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let mut config = rustls::ServerConfig::builder().with_no_client_auth().with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The configuration for the PEM files `cert` and `key`, and the server's
/// certificate (the chain's first).
fn load_files(cert: &Path, key: &Path) -> Result<(Arc<rustls::ServerConfig>, CertificateDer<'static>), TlsError> {
    let name = |path: &Path| path.display().to_string();
    let cert_pem = std::fs::read(cert).map_err(|e| TlsError::File(name(cert), e))?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem(name(cert), e.to_string()))?;
    let leaf = chain.first().cloned().ok_or_else(|| TlsError::Pem(name(cert), "no PEM certificate".into()))?;
    let key_pem = std::fs::read(key).map_err(|e| TlsError::File(name(key), e))?;
    let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::Pem(name(key), e.to_string()))?;
    Ok((server_config(chain, private)?, leaf))
}

/// The certificate, PEM.
fn pem(der: &CertificateDer<'_>) -> String {
    use base64::Engine;
    let text = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = text.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

/// The SHA-256 fingerprint of a certificate (DER), `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// When each file was last modified (`None` when it cannot be read).
fn stamps(cert: &Path, key: &Path) -> [Option<SystemTime>; 2] {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    [modified(cert), modified(key)]
}

/// Serves `service` over TLS on `listener` until `shutdown` resolves, then
/// finishes the requests in flight; with certificate files, reloads them
/// when they change or on SIGHUP.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    tls: Prepared,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::<SocketAddr>::new();
    let stopper = tokio::spawn({
        let handle = handle.clone();
        async move {
            shutdown.await;
            handle.graceful_shutdown(None);
        }
    });
    let reloader = tls.watch.map(|watch| tokio::spawn(reload(tls.config.clone(), watch)));
    let served = axum_server::Server::<SocketAddr>::from_listener(listener)
        .acceptor(RustlsAcceptor::new(tls.config))
        .http1_only()
        .handle(handle)
        .serve(service)
        .await;
    stopper.abort();
    if let Some(reloader) = reloader {
        reloader.abort();
    }
    served
}

/// Reloads the certificate and key files into `config` when either file's
/// modification time changes (looked at every period) and on SIGHUP; a pair that does
/// not load leaves the one served before, and is logged.
async fn reload(config: RustlsConfig, mut watch: Watch) {
    #[cfg(unix)]
    let mut hangup = watch.hangup.take();
    let (cert, key) = (&watch.cert, &watch.key);
    let mut seen = stamps(cert, key);
    let mut tick = tokio::time::interval(watch.period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        #[cfg(unix)]
        let signalled = tokio::select! {
            _ = tick.tick() => false,
            () = hangup_signal(&mut hangup) => true,
        };
        #[cfg(not(unix))]
        let signalled = {
            tick.tick().await;
            false
        };
        // Taken before the read: a file written after it is read again.
        let now = stamps(cert, key);
        if !signalled && now == seen {
            continue;
        }
        seen = now;
        let (c, k) = (cert.clone(), key.clone());
        match tokio::task::spawn_blocking(move || load_files(&c, &k)).await {
            Ok(Ok((loaded, leaf))) => {
                config.reload_from_config(loaded);
                let why = if signalled { "SIGHUP" } else { "the files changed" };
                let cert = cert.display();
                tracing::info!(fingerprint = %fingerprint(&leaf), %cert, "TLS certificate reloaded ({why})");
            }
            Ok(Err(error)) => {
                let cert = cert.display();
                tracing::error!(%error, %cert, "TLS certificate not reloaded: still serving the previous one");
            }
            Err(error) => tracing::error!(%error, "TLS certificate reload failed"),
        }
    }
}

/// Resolves on the next SIGHUP (never when it cannot be listened for).
#[cfg(unix)]
async fn hangup_signal(signal: &mut Option<tokio::signal::unix::Signal>) {
    if let Some(signal) = signal
        && signal.recv().await.is_some()
    {
        return;
    }
    std::future::pending().await
}
