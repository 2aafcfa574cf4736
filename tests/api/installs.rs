//! Installing and removing connector versions over the API, with and
//! without required signatures.

use super::{TestApp, assert_error, create_user, id_of, json, spawn_app, spawn_app_with, token};
use crate::helpers::{component, dist};
use crate::hostile::{importing, renamed, slow_to_compile, with_extra_instances};
use reqwest::Method;
use serde_json::json;
use sha2::Digest;
use std::time::{Duration, Instant};
use syncport::connector::signature::{SigningKey, TrustPolicy};

/// A server whose bundled connectors are only `files` (under plugins/dist).
async fn spawn_app_bundling(files: &[&str]) -> (TestApp, tempfile::TempDir) {
    let bundled = tempfile::tempdir().expect("bundled dir");
    for file in files {
        std::fs::copy(dist().join(file), bundled.path().join(file.rsplit('/').next().expect("name"))).expect("copy");
    }
    let dir = bundled.path().to_path_buf();
    (spawn_app_with(|config| config.bundled_dir = Some(dir)).await, bundled)
}

fn signature_of(key: &SigningKey, bytes: &[u8]) -> String {
    key.sign(&sha2::Sha256::digest(bytes).into()).to_text().trim().to_string()
}

#[tokio::test]
async fn an_installed_version_is_pinned_by_its_connections_until_they_move_off_it() {
    let (app, _bundled) = spawn_app_bundling(&["connectors/salesforce-1.0.0.wasm"]).await;
    let old = component("fixtures/wide.wasm");

    let (status, installed) = json(app.install_connector(old.clone(), None).await).await;
    assert_eq!(status, 201, "{installed}");
    assert_eq!((installed["name"].as_str(), installed["version"].as_str()), (Some("Wide"), Some("0.1.0")));
    assert_eq!(installed["wit_version"], "0.1.0");
    assert_eq!(installed["sha256"].as_str(), Some(hex::encode(sha2::Sha256::digest(&old)).as_str()));
    assert_eq!(installed["signature"], serde_json::Value::Null, "unsigned: no signature");
    assert!(installed.get("signed_by").is_none(), "{installed}");
    assert_eq!(installed["publisher"], "unsigned");
    let (again, _) = json(app.install_connector(old, None).await).await;
    assert_eq!(again, 200, "installing the same bytes again changes nothing");

    let body = json!({"name": "Wide", "connector": "Wide", "properties": {"P01": "1"}});
    let pinned = id_of(&app.create_ok("default", &body).await);
    assert_eq!(app.get_ok(&pinned).await["connector_version"], "0.1.0");
    let (status, _) = json(app.install_connector(component("fixtures/wide-0.2.0.wasm"), None).await).await;
    assert_eq!(status, 201);
    assert_eq!(app.get_ok(&pinned).await["connector_version"], "0.1.0", "the next version does not move it");
    assert_eq!(app.test_ok(&pinned).await["success"], true, "and it still runs 0.1.0");
    let newer = json!({"name": "Newer", "connector": "Wide", "properties": {"P01": "1", "ApiKey": "k"}});
    assert_eq!(app.create_ok("default", &newer).await["connector_version"], "0.2.0");

    let refused =
        assert_error(app.remove_connector_version("wide", "0.1.0").await, 409, "connector_version_in_use").await;
    let message = refused["error"]["message"].as_str().expect("message");
    assert!(message.contains("default/Wide") && message.contains(&pinned), "names the pinned connection: {message}");

    app.update_ok(&pinned, &json!({"connector_version": "0.2.0", "properties": {"ApiKey": "k"}})).await;
    let response = app.remove_connector_version("Wide", "0.1.0").await;
    assert_eq!(response.status(), 204);
    assert_error(app.get_connector_version("Wide", "0.1.0").await, 404, "connector_version_not_found").await;
    let (_, connector) = json(app.get_connector("cdata wide").await).await;
    assert_eq!(connector["versions"].as_array().map(Vec::len), Some(1), "{connector}");
    assert_eq!(connector["newest_version"], "0.2.0");
    let mut body = body.clone();
    body["connector_version"] = json!("0.1.0");
    body["name"] = json!("Pinned to a removed version");
    assert_error(app.create_connection("default", &body).await, 400, "unknown_connector_version").await;
}

#[tokio::test]
async fn a_connector_and_one_version_can_be_read_by_name() {
    let app = spawn_app().await;
    let (status, connector) = json(app.get_connector("QuickBooks").await).await;
    assert_eq!(status, 200, "{connector}");
    let versions: Vec<&str> =
        connector["versions"].as_array().expect("versions").iter().filter_map(|v| v["version"].as_str()).collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"]);
    let (status, version) = json(app.get_connector_version("quickbooks", "1.0.0").await).await;
    assert_eq!(status, 200, "{version}");
    assert!(version["properties"].as_array().is_some_and(|p| !p.is_empty()));
    assert_error(app.get_connector("Oracle").await, 404, "connector_not_found").await;
    assert_error(app.get_connector_version("QuickBooks", "3.0.0").await, 404, "connector_version_not_found").await;
    assert_error(app.get_connector_version("QuickBooks", "latest").await, 404, "connector_version_not_found").await;
}

#[tokio::test]
async fn bad_installs_are_refused_with_a_clear_error_and_install_nothing() {
    let app = spawn_app().await;
    let support = token(&create_user(&app, "sue", "support", &["default"]).await);
    let standard = token(&create_user(&app, "stan", "standard", &["default"]).await);
    let stub = component("fixtures/stub.wasm");
    let before = json(app.list_connectors().await).await.1;
    let post = |token: &str, content_type: &str, body: Vec<u8>| {
        app.request_as(token, Method::POST, "/connectors").header("content-type", content_type).body(body)
    };
    let core_module = b"\0asm\x01\0\0\0".to_vec();
    let cases = [
        ("a support user", post(&support, "application/wasm", stub.clone()), 403, "forbidden", "role"),
        ("a standard user", post(&standard, "application/wasm", stub.clone()), 403, "forbidden", "role"),
        (
            "JSON",
            post(&app.token, "application/json", b"{}".to_vec()),
            415,
            "unsupported_media_type",
            "application/wasm",
        ),
        (
            "no content type",
            app.request(Method::POST, "/connectors").body(stub.clone()),
            415,
            "unsupported_media_type",
            "wasm",
        ),
        ("a core module", post(&app.token, "application/wasm", core_module), 400, "invalid_component", "wasm32-wasip2"),
        ("text", post(&app.token, "application/wasm", b"hello".to_vec()), 400, "invalid_component", "not WebAssembly"),
        ("nothing", post(&app.token, "application/octet-stream", Vec::new()), 400, "invalid_component", "0 bytes"),
        (
            "a truncated component",
            post(&app.token, "application/wasm", stub[..stub.len() / 2].to_vec()),
            400,
            "invalid_component",
            "not a valid WebAssembly component",
        ),
        (
            "a malformed signature",
            post(&app.token, "application/wasm", stub.clone()).header("x-syncport-signature", "sig"),
            400,
            "malformed_signature",
            "syncport-ed25519",
        ),
    ];
    for (what, request, status, code, says) in cases {
        let response = request.send().await.expect("sent");
        let body = assert_error(response, status, code).await;
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(says), "{what}: {message}");
    }
    assert_eq!(json(app.list_connectors().await).await.1, before, "nothing was installed");
}

#[tokio::test]
async fn other_bytes_under_an_installed_name_and_version_are_a_409() {
    let app = spawn_app().await;
    let body = assert_error(
        app.install_connector(component("fixtures/stub-variant.wasm"), None).await,
        409,
        "connector_version_conflict",
    )
    .await;
    assert_eq!(body["error"]["target"], "Stub/1.0.0");
    let (_, stub) = json(app.get_connector_version("Stub", "1.0.0").await).await;
    assert_eq!(stub["description"], "Test fixture: ten fixed tables.", "the installed one is kept");
}

#[tokio::test]
async fn a_server_that_requires_signatures_installs_only_what_a_trusted_key_signed() {
    let (trusted, stranger) = (SigningKey::generate().expect("key"), SigningKey::generate().expect("key"));
    let policy = TrustPolicy::new(&[trusted.public_key()], true).expect("policy");
    // The bundled connectors are signed beside their files, as an operator would ship them.
    let bundled = tempfile::tempdir().expect("bundled");
    let file = bundled.path().join("salesforce-1.0.0.wasm");
    std::fs::copy(dist().join("connectors/salesforce-1.0.0.wasm"), &file).expect("copy");
    let bytes = std::fs::read(&file).expect("read");
    std::fs::write(bundled.path().join("salesforce-1.0.0.wasm.sig"), signature_of(&trusted, &bytes)).expect("sig");
    let dir = bundled.path().to_path_buf();
    let app = spawn_app_with(move |config| {
        config.bundled_dir = Some(dir);
        config.trust = policy;
    })
    .await;
    let (_, salesforce) = json(app.get_connector_version("Salesforce", "1.0.0").await).await;
    assert_eq!(salesforce["signature"], json!({"key": trusted.public_key(), "trusted": true}));

    let stub = component("fixtures/stub.wasm");
    let other = component("fixtures/wide.wasm");
    let garbage = b"not even WebAssembly".to_vec();
    for (what, signature, code) in [
        ("unsigned garbage", None, "signature_required"),
        ("garbage signed for other bytes", Some(signature_of(&trusted, &stub)), "invalid_signature"),
    ] {
        let response = app.install_connector(garbage.clone(), signature.as_deref()).await;
        assert_error(response, 400, code).await;
        println!("{what}: refused before compiling");
    }
    let cases = [
        ("unsigned", None, "signature_required"),
        ("signed by a stranger", Some(signature_of(&stranger, &stub)), "untrusted_signature"),
        ("signed for other bytes", Some(signature_of(&trusted, &other)), "invalid_signature"),
    ];
    for (what, signature, code) in cases {
        let body = assert_error(app.install_connector(stub.clone(), signature.as_deref()).await, 400, code).await;
        assert_eq!(body["error"]["target"], "x-syncport-signature", "{what}");
    }
    assert_error(app.get_connector("Stub").await, 404, "connector_not_found").await;
    let (status, installed) =
        json(app.install_connector(stub.clone(), Some(&signature_of(&trusted, &stub))).await).await;
    assert_eq!(status, 201, "{installed}");
    assert_eq!(installed["signature"], json!({"key": trusted.public_key(), "trusted": true}));
    let (_, read) = json(app.get_connector_version("Stub", "1.0.0").await).await;
    assert_eq!(read["signature"], json!({"key": trusted.public_key(), "trusted": true}), "{read}");
}

#[tokio::test]
async fn with_no_trusted_key_a_valid_signature_is_shown_as_not_trusted_and_a_bad_one_is_still_refused() {
    // The default policy: no trusted key, signatures not required.
    let app = spawn_app_with(|config| config.bundled_dir = None).await;
    let anyone = SigningKey::generate().expect("a key anyone can make");
    let stub = component("fixtures/stub.wasm");
    // A signature is checked against the bytes even with no key trusted.
    let forged = signature_of(&anyone, &component("fixtures/wide.wasm"));
    assert_error(app.install_connector(stub.clone(), Some(&forged)).await, 400, "invalid_signature").await;
    let (status, installed) =
        json(app.install_connector(stub.clone(), Some(&signature_of(&anyone, &stub))).await).await;
    assert_eq!(status, 201, "{installed}");
    assert_eq!(installed["signature"], json!({"key": anyone.public_key(), "trusted": false}));
    let (_, listed) = json(app.list_connectors().await).await;
    let versions: Vec<&serde_json::Value> = listed["value"]
        .as_array()
        .expect("value")
        .iter()
        .flat_map(|c| c["versions"].as_array().expect("versions"))
        .collect();
    let stub_view = versions.iter().find(|v| v["name"] == "Stub").expect("the stub is listed");
    assert_eq!(stub_view["signature"], json!({"key": anyone.public_key(), "trusted": false}), "{listed}");
    assert!(versions.iter().all(|v| v.get("signed_by").is_none()), "{listed}");
}

#[tokio::test]
async fn a_component_over_the_install_limit_is_413() {
    let app = spawn_app_with(|config| config.component_limit = 1024).await;
    let body = assert_error(app.install_connector(vec![0; 2048], None).await, 413, "payload_too_large").await;
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("larger")), "{body}");
}

/// The stub with a core module that takes Cranelift several seconds.
fn slow_stub() -> Vec<u8> {
    slow_to_compile(&component("fixtures/stub.wasm"), 4_000_000)
}

#[tokio::test]
async fn a_compile_past_the_budget_is_a_400_at_its_deadline_and_the_server_carries_on() {
    let app = spawn_app_with(|config| config.limits.compile.timeout = Duration::from_secs(1)).await;
    let started = Instant::now();
    let body = assert_error(app.install_connector(slow_stub(), None).await, 400, "component_compile_timeout").await;
    let took = started.elapsed();
    // At its 1 s deadline, give or take waiting for its turn: compiles run
    // one at a time, and tests beside this one compile too.
    assert!(took < Duration::from_secs(5), "answered at the deadline: {took:?}");
    let message = body["error"]["message"].as_str().expect("message");
    assert!(message.contains("--compile-timeout-secs"), "{message}");
    // The server answers as before, and runs its connectors.
    assert_eq!(app.list_connectors().await.status(), 200);
    let id = id_of(&app.create_quickbooks("After").await);
    assert_eq!(app.test_ok(&id).await["success"], true);
}

#[tokio::test]
async fn too_many_core_instances_or_an_unserved_import_are_refused_before_any_compile() {
    let app = spawn_app_with(|config| config.limits.compile.timeout = Duration::from_secs(30)).await;
    let slow = slow_stub();
    let cases = [
        (with_extra_instances(&slow, 300), "component_too_many_instances", "core_instances_per_component"),
        (importing(&slow, "acme:evil/backdoor@1.0.0"), "incompatible_component", "acme:evil/backdoor@1.0.0"),
    ];
    for (bytes, code, says) in cases {
        let started = Instant::now();
        let body = assert_error(app.install_connector(bytes, None).await, 400, code).await;
        let took = started.elapsed();
        // Compiling the slow module alone takes seconds.
        assert!(took < Duration::from_millis(800), "{code}: refused before compiling, in {took:?}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains(says), "{code}: {message}");
    }
}

#[tokio::test]
async fn a_bundled_connector_name_cannot_be_taken_by_an_install_and_creates_stay_on_the_bundled_version() {
    let app = spawn_app().await;
    // Components that call themselves QuickBooks 9.9.9 and `CData
    // QuickBooks` 9.9.10: newer than the bundled versions.
    let (_, listed) = json(app.get_connector("QuickBooks").await).await;
    assert_eq!(listed["versions"][0]["publisher"], "bundled", "{listed}");
    for (name, version) in [("QuickBooks", "9.9.9"), ("CData QuickBooks", "9.9.10"), ("quickbooks", "1.2.0")] {
        let impostor = impostor(name, version);
        let body = assert_error(app.install_connector(impostor, None).await, 403, "connector_name_reserved").await;
        let message = body["error"]["message"].as_str().expect("message");
        assert!(message.contains("bundled"), "names the owner: {message}");
    }
    let (_, after) = json(app.get_connector("QuickBooks").await).await;
    let versions: Vec<&str> =
        after["versions"].as_array().expect("versions").iter().filter_map(|v| v["version"].as_str()).collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"], "nothing was installed");
    assert_eq!(
        app.create_quickbooks("Books").await["connector_version"],
        "1.1.0",
        "a create lands on the bundled version"
    );
}

#[tokio::test]
async fn a_signed_third_party_name_cannot_be_taken_over_by_another_key_or_an_unsigned_install() {
    let app = spawn_app().await;
    let (acme, mallory) = (SigningKey::generate().expect("key"), SigningKey::generate().expect("key"));
    let first = impostor("Acme", "1.0.0");
    let (status, installed) =
        json(app.install_connector(first.clone(), Some(&signature_of(&acme, &first))).await).await;
    assert_eq!(status, 201, "{installed}");
    assert_eq!(installed["publisher"], format!("key:{}", acme.public_key()));
    let next = impostor("Acme", "2.0.0");
    let other_key = Some(signature_of(&mallory, &next));
    let body =
        assert_error(app.install_connector(next.clone(), other_key.as_deref()).await, 409, "connector_name_owned")
            .await;
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains(&acme.public_key())), "{body}");
    assert_error(app.install_connector(impostor("CDATA acme", "2.0.1"), None).await, 409, "connector_name_owned").await;
    let (status, _) = json(app.install_connector(next.clone(), Some(&signature_of(&acme, &next))).await).await;
    assert_eq!(status, 201, "the owner's own next version installs");
    let body = json!({"name": "A", "connector": "acme", "properties": {}});
    assert_eq!(app.create_ok("default", &body).await["connector_version"], "2.0.0");
}

/// A component that describes itself as `name` at `version`.
fn impostor(name: &str, version: &str) -> Vec<u8> {
    renamed(&component("fixtures/stub-renamable.wasm"), name, version)
}

#[tokio::test]
async fn an_install_whose_describe_never_returns_is_a_400_at_its_deadline() {
    let app = spawn_app().await;
    let started = Instant::now();
    let hang = component("fixtures/stub-hang.wasm");
    // Its `describe` sleeps in a WASI clock poll: the call's own 2 s
    // deadline (spawn_app's limits) ends it there.
    let body = assert_error(app.install_connector(hang, None).await, 400, "invalid_describe").await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "answered at the deadline: {took:?}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| m.contains("timed out after 2s")), "{body}");
    let id = id_of(&app.create_quickbooks("After").await);
    assert_eq!(app.test_ok(&id).await["success"], true, "the server carries on");
}
