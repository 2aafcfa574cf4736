//! The registry: installed versions side by side, looked up by name.

use crate::helpers::{component, dist, runtime};
use semver::Version;
use syncport::connector::registry::{InstallOutcome, Registry, RegistryError, normalize};
use syncport::runtime::Limits;

fn open(dir: &std::path::Path) -> Registry {
    Registry::open(runtime(Limits::default()), dir).expect("registry opens")
}

#[test]
fn the_bundled_connectors_install_side_by_side() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    let installed = registry.install_dir(&dist().join("connectors")).expect("bundled install");
    assert_eq!(installed.len(), 3);
    let versions: Vec<String> = registry.versions("QuickBooks").iter().map(|p| p.id().version.to_string()).collect();
    assert_eq!(versions, ["1.0.0", "1.1.0"]);
    assert_eq!(registry.get("quickbooks", None).expect("newest").id().version, Version::new(1, 1, 0));
    let pinned = registry.get("QuickBooks", Some(&Version::new(1, 0, 0))).expect("pinned");
    assert_eq!(pinned.info().version, Version::new(1, 0, 0));
    assert!(registry.get("QuickBooks", Some(&Version::new(9, 0, 0))).is_none());
    assert_eq!(registry.list().len(), 3);
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
    let (_, first) = registry.install(&bytes).expect("first");
    let (_, second) = registry.install(&bytes).expect("second");
    assert_eq!((first, second), (InstallOutcome::Installed, InstallOutcome::AlreadyInstalled));
    assert_eq!(registry.list().len(), 1);
}

#[test]
fn other_bytes_under_an_installed_name_and_version_are_a_conflict() {
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = open(dir.path());
    registry.install(&component("fixtures/stub.wasm")).expect("install");
    let error = registry.install(&component("fixtures/stub-variant.wasm")).err().expect("conflict");
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
    assert_eq!(names, ["QuickBooks 1.0.0", "QuickBooks 1.1.0", "Salesforce 1.0.0"]);
}
