//! docs/plugin-guide.md, followed by a third party: a connector built outside
//! the repository from the template, with only the SDK (and the WIT package
//! it carries), signed, installed into a running server with the CLI, pinned
//! by a connection, and surviving the install of its own next version.

use crate::api::{TestApp, json, spawn_app_with};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use syncport::connector::signature::TrustPolicy;

/// `connectors/Cargo.toml` as the guide writes it: the workspace that makes
/// the build reproducible, with its release profile.
const WORKSPACE: &str = "[workspace]\nresolver = \"3\"\nmembers = [\"acme\"]\n\n[profile.release]\nopt-level = \"s\"\nlto = true\ncodegen-units = 1\nstrip = true\n";

/// The guide's build command, run in `connectors/`.
const BUILD: [&str; 6] = ["build", "-p", "acme-connector", "--release", "--target", "wasm32-wasip2"];

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
        command.env("SYNCPORT_SERVER", server_of(app)).env("SYNCPORT_TOKEN", &app.token);
    }
    command
}

/// The server's address as the guide exports it (without the API's path).
fn server_of(app: &TestApp) -> String {
    app.base.trim_end_matches(syncport::api::BASE).to_string()
}

/// Step 1 of the guide in `connectors`: the SDK and a copy of the template
/// side by side in a workspace, the package and the connector renamed.
fn start_from_the_template(connectors: &Path) -> PathBuf {
    copy_tree(&repo().join("plugins/sdk"), &connectors.join("sdk"));
    let acme = connectors.join("acme");
    copy_tree(&repo().join("plugins/template"), &acme);
    std::fs::write(connectors.join("Cargo.toml"), WORKSPACE).expect("the workspace");
    // Not in the guide: the repository's lock file, so the build can run offline.
    std::fs::copy(repo().join("plugins/Cargo.lock"), connectors.join("Cargo.lock")).expect("lock file");
    let manifest = std::fs::read_to_string(acme.join("Cargo.toml")).expect("Cargo.toml");
    std::fs::write(
        acme.join("Cargo.toml"),
        manifest.replace("name = \"syncport-template\"", "name = \"acme-connector\""),
    )
    .expect("rename the package");
    let lib = std::fs::read_to_string(acme.join("src/lib.rs")).expect("lib.rs");
    std::fs::write(
        acme.join("src/lib.rs"),
        lib.replace("pub const NAME: &str = \"Hello\";", "pub const NAME: &str = \"Acme\";"),
    )
    .expect("rename the connector");
    acme
}

/// Step 2: builds the connector in `connectors` as the guide says and copies
/// the component to `connectors/acme-VERSION.wasm`, its path.
fn build(connectors: &Path, version: &str) -> PathBuf {
    // Not in the guide: --offline, and the plugins' target directory, which
    // already holds the SDK's dependencies (the paths Cargo names the
    // workspace's sources by are relative to it, whatever the target).
    let target = repo().join("plugins/target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.args(BUILD).arg("--offline").current_dir(connectors).env("CARGO_TARGET_DIR", &target).env_remove("RUSTFLAGS");
    let output = run(build);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("Compiling acme-connector"), "compiled here, not reused: {said}");
    let release = connectors.join(format!("acme-{version}.wasm"));
    std::fs::copy(target.join("wasm32-wasip2/release/acme_connector.wasm"), &release).expect("copy the component");
    release
}

fn sha256(path: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("the component")))
}

/// Sets the connector's version in its source, as an author releasing it would.
fn set_version(acme: &Path, from: &str, to: &str) {
    let lib = acme.join("src/lib.rs");
    let source = std::fs::read_to_string(&lib).expect("lib.rs");
    let line = |v: &str| format!("pub const VERSION: &str = \"{v}\";");
    assert!(source.contains(&line(from)), "the template declares its version as a constant");
    std::fs::write(&lib, source.replace(&line(from), &line(to))).expect("write lib.rs");
}

#[test]
fn the_guide_holds_the_commands_and_files_this_test_follows() {
    let guide = std::fs::read_to_string(repo().join("docs/plugin-guide.md")).expect("the guide");
    for text in [
        format!("```toml\n{WORKSPACE}```"),
        format!("cargo {}\n", BUILD.join(" ")),
        "cp target/wasm32-wasip2/release/acme_connector.wasm acme-1.0.0.wasm".into(),
        "syncport connector check acme-1.0.0.wasm --config acme.json".into(),
        "syncport connector sign acme-1.0.0.wasm --key acme.key".into(),
        "SYNCPORT_ADMIN_TOKEN=spt_acme_dev_token syncport serve --data-dir ./data".into(),
        "export SYNCPORT_SERVER=http://127.0.0.1:8181 SYNCPORT_TOKEN=spt_acme_dev_token".into(),
        "syncport connector install acme-1.0.0.wasm".into(),
        "curl -s -X POST \"$SYNCPORT_SERVER/api.rsc/v2/workspaces/default/connections\" \\\n  -H \"x-cdata-authtoken: $SYNCPORT_TOKEN\" -H 'Content-Type: application/json' \\\n  -d '{\"name\": \"Greeter\", \"connector\": \"Acme\", \"properties\": {\"User\": \"Ada\", \"ApiKey\": \"k-123\"}}'".into(),
        "syncport connector remove Acme 1.0.0".into(),
    ] {
        assert!(guide.contains(&text), "docs/plugin-guide.md no longer says:\n{text}");
    }
    assert!(!guide.contains("$B/"), "every URL in the guide is defined");
}

// Multi-threaded: the test blocks on the CLI while the server answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_built_outside_the_repository_from_the_guide_installs_passes_and_stays_pinned() {
    // From nothing: the SDK and a copy of the template, side by side, as the guide says.
    let work = tempfile::tempdir().expect("work dir");
    let connectors = work.path().join("connectors");
    let acme = start_from_the_template(&connectors);

    // A signing key, trusted by a server that requires signatures (the
    // guide's `syncport serve --trusted-keys-file ... --require-signatures`,
    // in this process).
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
    let released = build(&connectors, "1.0.0");
    let file = released.to_str().expect("utf-8");
    let config = connectors.join("acme.json");
    std::fs::write(&config, json!({"User": "Ada", "ApiKey": "k-123"}).to_string()).expect("config");
    run(syncport(None, &["connector", "check", file, "--config", config.to_str().expect("utf-8")]));
    let unconfigured = syncport(None, &["connector", "check", file]).output().expect("runs");
    assert_eq!(unconfigured.status.code(), Some(3), "without --config the check is incomplete, not a pass");
    let unsigned = syncport(Some(&app), &["connector", "install", file]).output().expect("runs");
    assert!(!unsigned.status.success(), "the server requires a signature");
    assert!(String::from_utf8_lossy(&unsigned.stderr).contains("signature_required"));
    run(syncport(None, &["connector", "sign", file, "--key", key.to_str().expect("utf-8")]));
    let installed = run(syncport(Some(&app), &["connector", "install", file]));
    let said = String::from_utf8_lossy(&installed.stdout);
    assert!(said.contains("Installed Acme 1.0.0") && said.contains(&format!("signed by {public} (trusted)")), "{said}");

    // The same sources built in another folder give the same bytes, so a
    // rebuild of the release is the release, not a 409.
    let elsewhere = work.path().join("elsewhere/connectors");
    start_from_the_template(&elsewhere);
    let rebuilt = build(&elsewhere, "1.0.0");
    assert_eq!(sha256(&rebuilt), sha256(&released), "a build does not depend on the folder it runs in");
    let leaked = std::fs::read(&rebuilt).expect("the component");
    for dir in [work.path().to_path_buf(), repo().canonicalize().expect("the repository")] {
        let dir = dir.to_str().expect("utf-8").as_bytes();
        assert!(!leaked.windows(dir.len()).any(|w| w == dir), "the component names no folder of the build");
    }
    let rebuilt = rebuilt.to_str().expect("utf-8");
    run(syncport(None, &["connector", "sign", rebuilt, "--key", key.to_str().expect("utf-8")]));
    let again = run(syncport(Some(&app), &["connector", "install", rebuilt]));
    assert!(String::from_utf8_lossy(&again.stdout).contains("Already installed: Acme 1.0.0"));

    // A connection pins it: the guide's `curl`, with its URL and header.
    let body = json!({"name": "Greeter", "connector": "Acme", "properties": {"User": "Ada", "ApiKey": "k-123"}});
    let response = reqwest::Client::new()
        .post(format!("{}/api.rsc/v2/workspaces/default/connections", server_of(&app)))
        .header("x-cdata-authtoken", &app.token)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let id = crate::api::id_of(&response.json::<serde_json::Value>().await.expect("JSON"));
    assert_eq!(app.test_ok(&id).await["message"], "Hello, Ada!");

    // The next release installs beside it; the connection stays where it was.
    set_version(&acme, "1.0.0", "1.1.0");
    let next = build(&connectors, "1.1.0");
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
    // A copy of the stub, signed with a key of our own.
    let work = tempfile::tempdir().expect("work dir");
    let stub = work.path().join("stub.wasm");
    std::fs::copy(crate::helpers::dist().join("fixtures/stub.wasm"), &stub).expect("copy the stub");
    let key = work.path().join("own.key");
    let keygen = run(syncport(None, &["connector", "keygen", "--out", key.to_str().expect("utf-8")]));
    let public = String::from_utf8_lossy(&keygen.stdout).lines().last().expect("the public key").trim().to_string();
    let stub = stub.to_str().expect("utf-8");
    run(syncport(None, &["connector", "sign", stub, "--key", key.to_str().expect("utf-8")]));
    let installed = run(syncport(None, &["connector", "install", stub, "--data-dir", dir]));
    let said = String::from_utf8_lossy(&installed.stdout);
    // No key is trusted here: anyone can make a key, so the signature vouches for nothing.
    assert!(
        said.contains("Installed Stub 1.0.0") && said.contains(&format!("signed by {public} (not trusted)")),
        "{said}"
    );
    let listed = run(syncport(None, &["connector", "list", "--json", "--data-dir", dir]));
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("the JSON of GET /connectors");
    assert_eq!(list["value"][0]["name"], "Stub", "{list}");
    assert_eq!(list["value"][0]["versions"][0]["version"], "1.0.0", "{list}");
    assert_eq!(list["value"][0]["versions"][0]["signature"], json!({"key": public, "trusted": false}), "{list}");
    let trusted = work.path().join("trusted-keys");
    std::fs::write(&trusted, format!("{public}   # our own\n")).expect("trusted keys");
    let trusted = trusted.to_str().expect("utf-8");
    let listed = run(syncport(None, &["connector", "list", "--data-dir", dir, "--trusted-keys-file", trusted]));
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(said.contains("Stub 1.0.0") && said.contains(&format!("signed by {public} (trusted)")), "{said}");
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

#[test]
fn the_bundled_components_name_no_folder_of_the_machine_that_built_them() {
    // `cargo xtask plugins` builds in the plugins workspace (its members'
    // sources named by their paths in it) and remaps Cargo's home, where the
    // crates.io dependencies are compiled from, to `/cargo`: the same
    // sources give the same bytes on any machine, and name none of its folders.
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cargo"));
    let repo = repo().canonicalize().expect("the repository");
    let folders = [home.to_str().expect("utf-8").to_string(), repo.to_str().expect("utf-8").to_string()];
    let mut checked = 0;
    for dir in ["connectors", "fixtures"] {
        for entry in std::fs::read_dir(crate::helpers::dist().join(dir)).expect("plugins/dist") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "wasm") {
                continue;
            }
            let bytes = std::fs::read(&path).expect("a component");
            for folder in &folders {
                let found = bytes.windows(folder.len()).any(|w| w == folder.as_bytes());
                assert!(!found, "{} names {folder}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "the bundled components were built ({checked})");
}
