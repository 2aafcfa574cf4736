//! docs/plugin-guide.md, followed by a third party: a connector built outside
//! the repository from the template, with only the SDK (and the WIT package
//! it carries), signed, installed into a running server with the CLI, pinned
//! by a connection, and surviving the install of its own next version.

use crate::api::{TestApp, json, spawn_app_with};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use syncport::connector::signature::TrustPolicy;

/// The release profile the guide adds (the same as the plugins workspace's,
/// so the SDK's dependencies built there are reused).
const RELEASE_PROFILE: &str = "\n[profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\nstrip = true\n";

/// The repository root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Copies `from` into `to`, following symbolic links (the SDK links the WIT
/// package in), without build output.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == "target" {
            continue;
        }
        if std::fs::metadata(&source).expect("metadata").is_dir() {
            copy_tree(&source, &target);
        } else {
            std::fs::copy(&source, &target).expect("copy file");
        }
    }
}

/// Runs a command and returns its output, failing with its stderr.
fn run(mut command: Command) -> Output {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `syncport ARGS`, with the server and token of `app` in the environment.
fn syncport(app: Option<&TestApp>, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syncport"));
    command.args(args).env_remove("SYNCPORT_SERVER").env_remove("SYNCPORT_TOKEN");
    if let Some(app) = app {
        command.env("SYNCPORT_SERVER", &app.base).env("SYNCPORT_TOKEN", &app.token);
    }
    command
}

/// Builds the connector in `dir` for wasm32-wasip2 as the guide says; the
/// path of the component.
fn build(dir: &Path) -> PathBuf {
    // The plugins' target directory already holds the SDK's dependencies
    // built with the same profile, so only the connector and SDK compile.
    let target = repo().join("plugins/target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--release", "--offline", "--target", "wasm32-wasip2"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS");
    run(build);
    target.join("wasm32-wasip2/release/acme_connector.wasm")
}

/// Sets the connector's version in its source, as an author releasing it would.
fn set_version(dir: &Path, from: &str, to: &str) {
    let lib = dir.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).expect("lib.rs");
    let line = |v: &str| format!("pub const VERSION: &str = \"{v}\";");
    assert!(source.contains(&line(from)), "the template declares its version as a constant");
    std::fs::write(&lib, source.replace(&line(from), &line(to))).expect("write lib.rs");
}

// Multi-threaded: the test blocks on the CLI while the server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_built_outside_the_repository_from_the_guide_installs_passes_and_stays_pinned() {
    // From nothing: the SDK and a copy of the template, side by side, as the guide says.
    let work = tempfile::tempdir().expect("work dir");
    copy_tree(&repo().join("plugins/sdk"), &work.path().join("sdk"));
    let acme = work.path().join("acme");
    copy_tree(&repo().join("plugins/template"), &acme);
    std::fs::copy(repo().join("plugins/Cargo.lock"), acme.join("Cargo.lock")).expect("lock file");
    let manifest = std::fs::read_to_string(acme.join("Cargo.toml")).expect("Cargo.toml");
    std::fs::write(
        acme.join("Cargo.toml"),
        manifest.replace("name = \"syncport-template\"", "name = \"acme-connector\"") + RELEASE_PROFILE,
    )
    .expect("rename the package");
    let lib = std::fs::read_to_string(acme.join("src/lib.rs")).expect("lib.rs");
    std::fs::write(
        acme.join("src/lib.rs"),
        lib.replace("pub const NAME: &str = \"Hello\";", "pub const NAME: &str = \"Acme\";"),
    )
    .expect("rename the connector");

    // A signing key, trusted by a server that requires signatures.
    let key = work.path().join("acme.key");
    let keygen = run(syncport(None, &["connector", "keygen", "--out", key.to_str().expect("utf-8")]));
    let public = String::from_utf8_lossy(&keygen.stdout).lines().last().expect("the public key").trim().to_string();
    let policy = TrustPolicy::new(std::slice::from_ref(&public), true).expect("policy");
    let app = spawn_app_with(move |config| {
        config.trust = policy;
        config.bundled_dir = None;
    })
    .await;

    // Build, check, sign and install 1.0.0.
    let component = build(&acme);
    let released = work.path().join("acme-1.0.0.wasm");
    std::fs::copy(&component, &released).expect("copy the component");
    let file = released.to_str().expect("utf-8");
    let config = work.path().join("acme.json");
    std::fs::write(&config, json!({"User": "Ada", "ApiKey": "k-123"}).to_string()).expect("config");
    run(syncport(None, &["connector", "check", file, "--config", config.to_str().expect("utf-8")]));
    let unsigned = syncport(Some(&app), &["connector", "install", file]).output().expect("runs");
    assert!(!unsigned.status.success(), "the server requires a signature");
    assert!(String::from_utf8_lossy(&unsigned.stderr).contains("signature_required"));
    run(syncport(None, &["connector", "sign", file, "--key", key.to_str().expect("utf-8")]));
    let installed = run(syncport(Some(&app), &["connector", "install", file]));
    let said = String::from_utf8_lossy(&installed.stdout);
    assert!(said.contains("Installed Acme 1.0.0") && said.contains(&public), "{said}");

    // A connection pins it.
    let body = json!({"name": "Greeter", "connector": "Acme", "properties": {"User": "Ada", "ApiKey": "k-123"}});
    let id = crate::api::id_of(&app.create_ok("default", &body).await);
    assert_eq!(app.test_ok(&id).await["message"], "Hello, Ada!");

    // The next release installs beside it; the connection stays where it was.
    set_version(&acme, "1.0.0", "1.1.0");
    let next = work.path().join("acme-1.1.0.wasm");
    std::fs::copy(build(&acme), &next).expect("copy the component");
    let next = next.to_str().expect("utf-8");
    run(syncport(None, &["connector", "sign", next, "--key", key.to_str().expect("utf-8")]));
    run(syncport(Some(&app), &["connector", "install", next]));
    assert_eq!(app.get_ok(&id).await["connector_version"], "1.0.0");
    assert_eq!(app.test_ok(&id).await["message"], "Hello, Ada!");
    let (_, acme_versions) = json(app.get_connector("Acme").await).await;
    assert_eq!(acme_versions["newest_version"], "1.1.0");

    // 1.0.0 cannot be removed while pinned; once moved, it can.
    let refused = syncport(Some(&app), &["connector", "remove", "Acme", "1.0.0"]).output().expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Greeter"), "names the pinned connection");
    app.update_ok(&id, &json!({"connector_version": "1.1.0"})).await;
    run(syncport(Some(&app), &["connector", "remove", "Acme", "1.0.0"]));
    let listed = run(syncport(Some(&app), &["connector", "list"]));
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("Acme 1.1.0") && !listed.contains("Acme 1.0.0"), "{listed}");
}

#[test]
fn connector_commands_work_on_a_data_directory_with_no_server() {
    let data = tempfile::tempdir().expect("data dir");
    let dir = data.path().to_str().expect("utf-8");
    let stub = crate::helpers::dist().join("fixtures/stub.wasm");
    let installed = run(syncport(None, &["connector", "install", stub.to_str().expect("utf-8"), "--data-dir", dir]));
    assert!(String::from_utf8_lossy(&installed.stdout).contains("Installed Stub 1.0.0"));
    let listed = run(syncport(None, &["connector", "list", "--json", "--data-dir", dir]));
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("the JSON of GET /connectors");
    assert_eq!(list["value"][0]["name"], "Stub", "{list}");
    assert_eq!(list["value"][0]["versions"][0]["version"], "1.0.0", "{list}");
    run(syncport(None, &["connector", "remove", "stub", "1.0.0", "--data-dir", dir]));
    let listed = run(syncport(None, &["connector", "list", "--data-dir", dir]));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("No connector is installed."));
    let mistyped = data.path().join("nope");
    let refused =
        syncport(None, &["connector", "list", "--data-dir", mistyped.to_str().expect("utf-8")]).output().expect("runs");
    assert!(
        !refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("not a Syncport data directory")
    );
    assert!(!mistyped.exists(), "a mistyped data directory is not created");
}
