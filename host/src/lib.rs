//! Syncport: the Connection Management API v2 over sandboxed WebAssembly
//! connectors.
//!
//! - [`runtime`]: runs connector components in the wasmtime sandbox.
//! - [`connector`]: the host's model of connectors and the registry of
//!   installed versions.

pub mod connector;
mod fsutil;
pub mod runtime;
