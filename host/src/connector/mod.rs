//! Connectors as the host knows them: the model their answers convert into,
//! the typed rows jobs move, who publishes them and their component
//! signatures. Plain types: the registry of installed versions, which loads
//! them into the runtime, is [`crate::registry`].

pub mod batch;
pub mod model;
pub mod publisher;
pub mod signature;

/// The registry key of a connector name: trimmed, without the vendor
/// prefix the API's examples use (`CData QuickBooks`), lower case.
pub fn normalize(name: &str) -> String {
    let name = name.trim();
    let name = match name.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("cdata ") => name[6..].trim_start(),
        _ => name,
    };
    name.to_ascii_lowercase()
}
