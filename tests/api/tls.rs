//! HTTPS: `--tls-self-signed`, `--tls-cert`/`--tls-key` reloaded without a
//! restart, and the CLI over HTTPS with `--ca-cert` (docs/deploy.md, "TLS").

use super::{TestApp, logged_since, server_log_mark, spawn_app_listening, spawn_app_with};
use crate::helpers::{eventually, eventually_blocking};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use syncport::server::tls::{TlsConfig, fingerprint};

/// A private CA, and certificates for 127.0.0.1 it signs.
struct Ca {
    cert: rcgen::Certificate,
    key: rcgen::KeyPair,
}

impl Ca {
    fn new() -> Self {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, "Syncport test CA");
        let key = rcgen::KeyPair::generate().expect("a key");
        let cert = params.self_signed(&key).expect("the CA");
        Self { cert, key }
    }

    /// A new certificate for 127.0.0.1 and its key: (certificate PEM, key PEM, certificate DER).
    fn issue(&self) -> (String, String, Vec<u8>) {
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("params");
        let key = rcgen::KeyPair::generate().expect("a key");
        let cert = params.signed_by(&key, &self.cert, &self.key).expect("a certificate");
        (cert.pem(), key.serialize_pem(), cert.der().to_vec())
    }

    fn reqwest(&self) -> reqwest::Certificate {
        reqwest::Certificate::from_pem(self.cert.pem().as_bytes()).expect("the CA")
    }
}

/// `GET /workspaces` on a new connection from a client trusting `root`;
/// the certificate the server presented.
async fn presented(app: &TestApp, root: reqwest::Certificate) -> Result<Vec<u8>, String> {
    let client =
        reqwest::Client::builder().add_root_certificate(root).tls_info(true).build().map_err(|e| e.to_string())?;
    let response = client
        .get(format!("{}/workspaces", app.base))
        .header("x-cdata-authtoken", &app.token)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    if response.status() != 200 {
        return Err(format!("status {}", response.status()));
    }
    let info = response.extensions().get::<reqwest::tls::TlsInfo>().ok_or("no TLS info")?;
    info.peer_certificate().map(<[u8]>::to_vec).ok_or_else(|| "no peer certificate".to_string())
}

#[tokio::test]
async fn a_self_signed_server_answers_https_to_a_client_trusting_it_and_refuses_plain_http() {
    let app = spawn_app_listening(|c| c.tls = Some(TlsConfig::self_signed())).await;
    let served = app.tls.clone().expect("served over TLS");
    assert!(app.base.starts_with("https://127.0.0.1:"), "{}", app.base);

    let response = app.list_workspaces().await;
    assert_eq!(response.status(), 200);

    let file = app.data.path().join("data/tls/self-signed.pem");
    let written = std::fs::read_to_string(&file).expect("the certificate is written under the data directory");
    assert_eq!(written, served.certificate_pem);
    let root = reqwest::Certificate::from_pem(written.as_bytes()).expect("PEM");
    let peer = presented(&app, root).await.expect("HTTPS with the written certificate trusted");
    assert_eq!(fingerprint(&peer), served.fingerprint);
    assert_eq!(served.fingerprint.len(), 32 * 3 - 1, "{}", served.fingerprint);

    let untrusting = reqwest::Client::new().get(format!("{}/workspaces", app.base)).send().await;
    assert!(untrusting.is_err(), "a client that does not trust it refuses it: {untrusting:?}");
    let plain = app.base.replacen("https://", "http://", 1);
    let plain = reqwest::Client::new().get(format!("{plain}/workspaces")).send().await;
    assert!(plain.is_err(), "no plain HTTP on the TLS port: {plain:?}");
}

#[tokio::test]
async fn replaced_certificate_files_are_served_on_new_connections_without_a_restart_and_a_bad_pair_is_not() {
    let ca = Ca::new();
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (first_pem, first_key, first_der) = ca.issue();
    std::fs::write(&cert, &first_pem).expect("cert");
    std::fs::write(&key, &first_key).expect("key");
    let tls = TlsConfig { reload_period: Duration::from_millis(100), ..TlsConfig::files(&cert, &key) };
    let app = spawn_app_listening(|c| c.tls = Some(tls)).await;
    assert_eq!(presented(&app, ca.reqwest()).await.expect("HTTPS"), first_der);

    // A new certificate with the old key: refused, the old pair served on.
    let mark = server_log_mark();
    let (second_pem, second_key, second_der) = ca.issue();
    std::fs::write(&cert, &second_pem).expect("cert");
    let cert_name = cert.display().to_string();
    logged_since(mark, &["TLS certificate not reloaded", &cert_name]).await;
    assert_eq!(presented(&app, ca.reqwest()).await.expect("HTTPS"), first_der, "the old pair still serves");

    // Its key too: the new pair serves new connections.
    std::fs::write(&key, &second_key).expect("key");
    eventually(Duration::from_secs(20), "the new certificate is served", || async {
        match presented(&app, ca.reqwest()).await {
            Ok(der) if der == second_der => Ok(()),
            Ok(der) => Err(format!("still {}", fingerprint(&der))),
            Err(error) => Err(error),
        }
    })
    .await;
}

/// `syncport ARGS` with `SYNCPORT_TOKEN`: (success, stdout, stderr).
async fn syncport(args: Vec<String>, token: &str) -> (bool, String, String) {
    let token = token.to_string();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_syncport")).args(args).env("SYNCPORT_TOKEN", token).output()
    })
    .await
    .expect("the command")
    .expect("syncport runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

#[tokio::test]
async fn syncport_connector_list_talks_https_trusting_the_certificate_given_with_ca_cert() {
    let app = spawn_app_with(|c| c.tls = Some(TlsConfig::self_signed())).await;
    let file = app.data.path().join("data/tls/self-signed.pem");
    let list = |extra: &[&str]| {
        let mut args: Vec<String> = ["connector", "list", "--server", &app.base].map(String::from).to_vec();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };

    let (ok, stdout, stderr) = syncport(list(&["--ca-cert", &file.display().to_string()]), &app.token).await;
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("1.0.0"), "the installed versions: {stdout}");

    let (ok, stdout, stderr) = syncport(list(&[]), &app.token).await;
    assert!(!ok, "without --ca-cert it does not trust the server: {stdout}");
    assert!(stderr.contains("--ca-cert"), "it says what to do: {stderr}");
}

/// A `syncport serve` child; killed on drop.
struct Served {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    printed: String,
}

impl Served {
    fn start(args: &[&str], data: &Path, token: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_syncport"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(args)
            .env("SYNCPORT_ADMIN_TOKEN", token)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Self { child, lines, printed: String::new() }
    }

    /// The text after `prefix` on the first line printed that starts with it.
    fn printed_after(&mut self, prefix: &str) -> String {
        loop {
            if let Some(line) = self.printed.lines().find(|l| l.starts_with(prefix)) {
                return line[prefix.len()..].trim().to_string();
            }
            let line = self.lines.recv_timeout(Duration::from_secs(60));
            let line = line.unwrap_or_else(|_| panic!("`{prefix}` is printed; printed: {}", self.printed));
            self.printed.push_str(&line);
            self.printed.push('\n');
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET {base}{path}` with `token` from a client trusting `root`: the
/// status and the certificate presented.
fn get_blocking(base: &str, path: &str, token: &str, root: &[u8]) -> Result<(u16, Vec<u8>), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let root = reqwest::Certificate::from_pem(root).map_err(|e| e.to_string())?;
        let client = reqwest::Client::builder().add_root_certificate(root).tls_info(true).build();
        let response = client
            .map_err(|e| e.to_string())?
            .get(format!("{base}{path}"))
            .header("x-cdata-authtoken", token)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        let info = response.extensions().get::<reqwest::tls::TlsInfo>().ok_or("no TLS info")?;
        let peer = info.peer_certificate().ok_or("no peer certificate")?.to_vec();
        Ok((response.status().as_u16(), peer))
    })
}

#[test]
fn syncport_serve_tls_self_signed_prints_the_fingerprint_and_answers_the_readme_requests_over_https() {
    let data = tempfile::tempdir().expect("data dir");
    let token = "spt_tls-self-signed-serve-test";
    let mut server = Served::start(&["--tls-self-signed"], &data.path().join("data"), token);
    let base = server.printed_after("Syncport listening on ");
    assert!(base.starts_with("https://127.0.0.1:") && base.ends_with("/api.rsc/v2"), "{base}");
    let printed = server.printed_after("TLS certificate SHA-256 fingerprint:");
    let file = data.path().join("data/tls/self-signed.pem");
    assert!(server.printed_after("Self-signed; written to ").starts_with(&file.display().to_string()));
    let root = std::fs::read(&file).expect("the certificate file");

    for path in ["/workspaces", "/connectors", "/workspaces/default/connections"] {
        let (status, peer) =
            eventually_blocking(Duration::from_secs(20), path, || get_blocking(&base, path, token, &root));
        assert_eq!(status, 200, "{path}");
        assert_eq!(fingerprint(&peer), printed, "the printed fingerprint is the certificate's");
    }
}

#[cfg(unix)]
#[test]
fn syncport_serve_reloads_its_certificate_files_on_sighup() {
    let ca = Ca::new();
    let root = ca.cert.pem().into_bytes();
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let (first_pem, first_key, first_der) = ca.issue();
    std::fs::write(&cert, &first_pem).expect("cert");
    std::fs::write(&key, &first_key).expect("key");
    let token = "spt_tls-sighup-serve-test";
    let (cert_arg, key_arg) = (cert.display().to_string(), key.display().to_string());
    let mut server = Served::start(&["--tls-cert", &cert_arg, "--tls-key", &key_arg], &dir.path().join("data"), token);
    let base = server.printed_after("Syncport listening on ");
    assert!(base.starts_with("https://"), "{base}");
    let (_, peer) = get_blocking(&base, "/workspaces", token, &root).expect("HTTPS");
    assert_eq!(peer, first_der);

    // New files with the old modification times: only SIGHUP reloads them.
    let (second_pem, second_key, second_der) = ca.issue();
    for (path, text) in [(&cert, &second_pem), (&key, &second_key)] {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).expect("mtime");
        std::fs::write(path, text).expect("write");
        std::fs::File::options().write(true).open(path).and_then(|f| f.set_modified(modified)).expect("mtime");
    }
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-HUP", &pid]).status().expect("kill runs").success());
    eventually_blocking(Duration::from_secs(20), "the new certificate is served", || {
        let (_, peer) = get_blocking(&base, "/workspaces", token, &root)?;
        if peer == second_der { Ok(()) } else { Err(format!("still {}", fingerprint(&peer))) }
    });
    assert!(server.child.try_wait().expect("wait").is_none(), "SIGHUP does not stop the server");
}

#[tokio::test]
async fn with_tls_and_no_public_url_oauth_redirects_to_the_https_listen_address() {
    use crate::mocks::oauth::{self, ClientAuth};
    use crate::mocks::quickbooks;
    let provider = oauth::start(ClientAuth::Basic).await;
    let api = quickbooks::start_with(Some(provider.api().validator())).await;
    let app = super::spawn_egress_app_with(&[api.addr, provider.addr], |c| {
        c.tls = Some(TlsConfig::self_signed());
    })
    .await;
    let body = super::oauth::books_body(&api, &provider);
    let id = super::id_of(&app.create_ok("default", &body).await);

    let (status, started) = super::json(app.authorize(&id).await).await;

    assert_eq!(status, 200, "{started}");
    let expected = app.callback_url();
    assert!(expected.starts_with("https://127.0.0.1:"), "{expected}");
    assert_eq!(started["redirect_uri"], serde_json::json!(expected), "the listen address, over https: {started}");
}

#[tokio::test]
async fn a_certificate_that_does_not_load_stops_the_start_before_the_data_directory_is_made() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, "not a certificate").expect("cert");
    let data = dir.path().join("data");
    let config = syncport::server::ServerConfig {
        tls: Some(TlsConfig::files(&cert, &key)),
        ..syncport::server::ServerConfig::new(&data)
    };

    let started = syncport::server::start(&config, "127.0.0.1:0".parse().expect("addr"), std::future::pending()).await;

    let error = started.err().expect("no start").to_string();
    assert!(error.starts_with("TLS: ") && error.contains("cert.pem"), "{error}");
    assert!(!data.exists(), "nothing was created");
}
