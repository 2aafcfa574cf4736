//! Loading components: what is refused, and the compile cache.

use crate::helpers::{component, load};
use syncport::runtime::{Limits, LoadError, Runtime, WitVersion};

#[test]
fn bytes_that_are_not_a_component_are_refused() {
    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    let error = runtime.load(b"not wasm at all").err().expect("refused");
    assert!(matches!(error, LoadError::NotAComponent(_)), "{error}");
}

#[test]
fn a_component_without_the_connector_interface_is_refused_naming_what_is_supported() {
    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    // The smallest valid component: it exports nothing.
    let error = runtime.load(b"\0asm\x0d\0\x01\0").err().expect("refused");
    assert!(matches!(error, LoadError::UnsupportedWit { .. }), "{error}");
    assert!(error.to_string().contains("syncport:connector/connector@0.1.0"), "{error}");
    assert!(error.to_string().contains("it exports: nothing"), "{error}");
}

#[test]
fn a_loaded_component_is_identified_by_name_version_hash_and_wit_version() {
    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    let plugin = load(&runtime, "connectors/salesforce-1.0.0.wasm");
    let id = plugin.id();
    assert_eq!(
        (id.name.as_str(), id.version.to_string().as_str(), id.wit),
        ("Salesforce", "1.0.0", WitVersion::V0_1_0)
    );
    assert_eq!(id.sha256.len(), 64);
    assert!(id.sha256.chars().all(|c| c.is_ascii_hexdigit()));
}

#[test]
fn a_component_compiled_once_loads_from_the_cache_without_recompiling() {
    let cache = tempfile::tempdir().expect("tempdir");
    let bytes = component("fixtures/stub.wasm");
    let first = Runtime::new(Limits::default(), Some(cache.path())).expect("runtime");
    first.load(&bytes).expect("compiles");
    assert_eq!((first.stats().compiled, first.stats().loaded_from_cache), (1, 0));
    // A restart: a new runtime over the same cache directory.
    let second = Runtime::new(Limits::default(), Some(cache.path())).expect("runtime");
    let plugin = second.load(&bytes).expect("loads");
    assert_eq!((second.stats().compiled, second.stats().loaded_from_cache), (0, 1));
    assert_eq!(plugin.test_blocking(&[]).result.expect("runs"), "ok");
}

#[test]
fn a_corrupt_cache_entry_is_recompiled_not_trusted() {
    let cache = tempfile::tempdir().expect("tempdir");
    let bytes = component("fixtures/stub.wasm");
    Runtime::new(Limits::default(), Some(cache.path())).expect("runtime").load(&bytes).expect("compiles");
    for entry in std::fs::read_dir(cache.path()).expect("cache dir") {
        std::fs::write(entry.expect("entry").path(), b"garbage").expect("corrupt");
    }
    let runtime = Runtime::new(Limits::default(), Some(cache.path())).expect("runtime");
    let plugin = runtime.load(&bytes).expect("recompiles");
    assert_eq!(runtime.stats().compiled, 1);
    assert_eq!(plugin.test_blocking(&[]).result.expect("runs"), "ok");
}

#[test]
fn a_connector_on_wit_0_3_0_loads_with_its_egress_patterns() {
    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    let plugin = load(&runtime, "connectors/quickbooks-3.0.0.wasm");
    assert_eq!(plugin.id().wit, WitVersion::V0_3_0);
    assert_eq!(
        plugin.info().egress,
        ["https://quickbooks.api.intuit.com", "https://sandbox-quickbooks.api.intuit.com", "{BaseURL}"]
    );
}

#[test]
fn a_component_of_a_version_without_network_that_imports_wasi_http_is_refused_naming_the_import() {
    // The egress fixture with every `@0.3.0` renamed `@0.2.0` (same length):
    // a component that says it is on 0.2.0 yet imports outbound HTTP.
    let mut bytes = component("fixtures/egress.wasm");
    let (from, to) = (b"syncport:connector/connector@0.3.0", b"syncport:connector/connector@0.2.0");
    let mut renamed = 0;
    for at in 0..bytes.len().saturating_sub(from.len()) {
        if bytes[at..].starts_with(from) {
            bytes[at..at + to.len()].copy_from_slice(to);
            renamed += 1;
        }
    }
    assert!(renamed > 0, "the fixture names its export");
    let runtime = Runtime::new(Limits::default(), None).expect("runtime");
    let error = runtime.load(&bytes).err().expect("refused");
    let text = error.to_string();
    assert!(matches!(error, LoadError::Incompatible(_)), "{text}");
    assert!(
        text.contains("it imports `wasi:http/")
            && text.contains("syncport:connector@0.2.0 component, which has no network"),
        "{text}"
    );
}
