//! The registry: installed versions side by side, looked up by name.

use crate::helpers::{component, dist, runtime};
use semver::Version;
use syncport::connector::signature::{Signature, SignatureError, SigningKey, TrustPolicy};
use syncport::registry::{InstallOutcome, Registry, RegistryError, normalize};
use syncport::runtime::Limits;

fn open(dir: &std::path::Path) -> Registry {
    open_with(dir, TrustPolicy::default())
}

fn open_with(dir: &std::path::Path, policy: TrustPolicy) -> Registry {
    Registry::open(runtime(Limits::default()), dir, policy).expect("registry opens")
}

/// The bundled connectors (`plugins/dist/connectors`), by name and version.
const ALL: [&str; 8] = [
    "CSV 1.0.0",
    "QuickBooks 1.0.0",
    "QuickBooks 1.1.0",
    "QuickBooks 2.0.0",
    "QuickBooks 3.0.0",
    "Salesforce 1.0.0",
    "Salesforce 2.0.0",
    "Salesforce 3.0.0",
];

fn sha256(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).into()
}

#[test]
fn the_bundled_connectors_install_side_by_side() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    let installed = registry.install_dir(&dist().join("connectors")).expect("bundled install");
    assert_eq!(installed.len(), ALL.len());
    let versions: Vec<String> = registry.versions("QuickBooks").iter().map(|p| p.id().version.to_string()).collect();
    assert_eq!(versions, ["1.0.0", "1.1.0", "2.0.0", "3.0.0"]);
    assert_eq!(registry.get("quickbooks", None).expect("newest").id().version, Version::new(3, 0, 0));
    let pinned = registry.get("QuickBooks", Some(&Version::new(1, 0, 0))).expect("pinned");
    assert_eq!(pinned.info().version, Version::new(1, 0, 0));
    assert!(registry.get("QuickBooks", Some(&Version::new(9, 0, 0))).is_none());
    assert_eq!(registry.list().len(), ALL.len());
    let wit: Vec<String> = registry.list().iter().map(|p| format!("{} {}", p.id().name, p.id().wit)).collect();
    assert_eq!(
        wit,
        [
            "CSV 0.2.0",
            "QuickBooks 0.1.0",
            "QuickBooks 0.1.0",
            "QuickBooks 0.2.0",
            "QuickBooks 0.3.0",
            "Salesforce 0.1.0",
            "Salesforce 0.2.0",
            "Salesforce 0.3.0"
        ]
    );
}

#[test]
fn connector_names_match_case_insensitively_and_without_the_vendor_prefix() {
    assert_eq!(normalize("CData QuickBooks"), "quickbooks");
    assert_eq!(normalize("  cdata   Salesforce "), "salesforce");
    assert_eq!(normalize("QUICKBOOKS"), "quickbooks");
    assert_eq!(normalize("CDataX"), "cdatax");
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    registry.install_dir(&dist().join("connectors")).expect("bundled install");
    assert!(registry.get("CData QuickBooks", None).is_some());
    assert!(registry.get("cdata salesforce", None).is_some());
    assert!(registry.get("QuickBooks Desktop", None).is_none());
}

#[test]
fn installing_the_same_bytes_twice_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    let bytes = component("fixtures/stub.wasm");
    let first = registry.install(&bytes, None).expect("first").outcome;
    let second = registry.install(&bytes, None).expect("second").outcome;
    assert_eq!((first, second), (InstallOutcome::Installed, InstallOutcome::AlreadyInstalled));
    assert_eq!(registry.list().len(), 1);
}

#[test]
fn other_bytes_under_an_installed_name_and_version_are_a_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    registry.install(&component("fixtures/stub.wasm"), None).expect("install");
    let error = registry.install(&component("fixtures/stub-variant.wasm"), None).err().expect("conflict");
    assert!(matches!(&error, RegistryError::Conflict { name, .. } if name == "Stub"), "{error}");
    let kept = registry.get("Stub", None).expect("still installed");
    assert_eq!(kept.info().description, "Test fixture: ten fixed tables.");
}

#[test]
fn installed_connectors_are_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    open(dir.path()).install_dir(&dist().join("connectors")).expect("install");
    let reopened = open(dir.path());
    let names: Vec<String> = reopened.list().iter().map(|p| format!("{} {}", p.id().name, p.id().version)).collect();
    assert_eq!(names, ALL);
}

#[test]
fn a_removed_version_is_gone_and_stays_gone_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    registry.install_dir(&dist().join("connectors")).expect("install");
    registry.remove("quickbooks", &Version::new(1, 0, 0)).expect("removed");
    assert!(registry.get("QuickBooks", Some(&Version::new(1, 0, 0))).is_none());
    let error = registry.remove("QuickBooks", &Version::new(1, 0, 0)).err().expect("not installed");
    assert!(matches!(error, RegistryError::NotInstalled { .. }), "{error}");
    let names: Vec<String> =
        open(dir.path()).list().iter().map(|p| format!("{} {}", p.id().name, p.id().version)).collect();
    assert_eq!(names, ALL[..1].iter().chain(&ALL[2..]).copied().collect::<Vec<_>>());
}

#[test]
fn a_registry_that_requires_signatures_installs_only_components_signed_by_a_trusted_key() {
    let (trusted, stranger) = (SigningKey::generate().expect("key"), SigningKey::generate().expect("key"));
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = TrustPolicy::new(&[trusted.public_key()], true).expect("policy");
    let registry = open_with(dir.path(), policy.clone());
    let bytes = component("fixtures/stub.wasm");
    let other = component("fixtures/stub-variant.wasm");
    let refused = |signature: Option<&Signature>| match registry.install(&bytes, signature).err() {
        Some(RegistryError::Signature { source, .. }) => source,
        other => panic!("expected a signature error, got {:?}", other.map(|e| e.to_string())),
    };
    assert_eq!(refused(None), SignatureError::Missing);
    assert!(matches!(refused(Some(&stranger.sign(&sha256(&bytes)))), SignatureError::Untrusted { .. }));
    assert!(matches!(refused(Some(&trusted.sign(&sha256(&other)))), SignatureError::Invalid { .. }));
    assert!(registry.list().is_empty(), "nothing was installed");
    let installed = registry.install(&bytes, Some(&trusted.sign(&sha256(&bytes)))).expect("signed install");
    assert_eq!(installed.signed_by, Some(trusted.public_key()));
    let reopened = open_with(dir.path(), policy);
    let plugin = reopened.get("Stub", None).expect("installed");
    assert_eq!(reopened.signer(&plugin), Some(trusted.public_key()), "the signer is kept across restarts");
}

#[test]
fn a_core_module_or_random_bytes_are_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    let core_module = b"\0asm\x01\0\0\0";
    for (bytes, expected) in [
        (&core_module[..], "core WebAssembly module, not a component"),
        (&b"{\"json\": true}"[..], "not WebAssembly"),
        (&b""[..], "not WebAssembly"),
    ] {
        let error = registry.install(bytes, None).err().expect("refused").to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn a_stored_component_that_does_not_load_is_left_out_and_the_rest_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    open(dir.path()).install_dir(&dist().join("connectors")).expect("install");
    std::fs::write(dir.path().join("0000-broken.wasm"), b"\0asm\x0d\0\x01\0garbage").expect("corrupt file");
    let reopened = open(dir.path());
    assert_eq!(reopened.list().len(), ALL.len(), "the good components still load");
}

#[test]
fn a_start_that_requires_signatures_leaves_out_components_stored_unsigned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = SigningKey::generate().expect("key");
    let bytes = component("fixtures/stub.wasm");
    let registry = open(dir.path());
    registry.install(&bytes, None).expect("unsigned install");
    registry.install(&component("fixtures/wide.wasm"), None).expect("unsigned install");
    let policy = TrustPolicy::new(&[key.public_key()], true).expect("policy");
    let strict = open_with(dir.path(), policy.clone());
    assert!(strict.list().is_empty(), "nothing unsigned runs where signatures are required");
    strict.install(&bytes, Some(&key.sign(&sha256(&bytes)))).expect("signed install of the same bytes");
    let names: Vec<String> = open_with(dir.path(), policy).list().iter().map(|p| p.id().name.clone()).collect();
    assert_eq!(names, ["Stub"]);
}
