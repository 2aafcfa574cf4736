//! Syncport: the Connection Management API v2 over sandboxed WebAssembly
//! connectors.
//!
//! - [`api`]: the HTTP API (axum), one router per resource.
//! - [`auth`]: users' roles, tokens, the caller (the authentication layer is [`api::auth`]).
//! - [`connections`]: connections, their properties and settings.
//! - [`connector`]: the host's model of connectors.
//! - [`jobs`]: job runs: copying tables from a source to a destination.
//! - [`registry`]: the installed connector versions.
//! - [`runtime`]: runs connector components in the wasmtime sandbox.
//! - [`store`]: the database (SQLite by default, PostgreSQL by URL).
//! - [`logs`]: connection log files.
//! - [`secrets`]: the key that encrypts secrets at rest (the store rotates it).
//! - [`server`]: wiring it all together.

pub mod api;
pub mod auth;
pub mod check;
pub mod connections;
pub mod connector;
pub mod jobs;
pub mod logs;
pub mod registry;
pub mod runtime;
pub mod secrets;
pub mod server;
pub mod store;

mod fsutil;
