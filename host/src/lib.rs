//! Syncport: the Connection Management API v2 over sandboxed WebAssembly
//! connectors.
//!
//! The modules are layers, listed here from the bottom up; each imports
//! only from layers below it (`docs/architecture.md`; the test suite's
//! `layers` module checks it).
//!
//! - [`telemetry`]: the server's Prometheus metrics (a recorder of its
//!   own, the series it keeps, and their text).
//! - [`connector`]: the host's model of connectors: what one is, its
//!   errors, tables, columns, property specs, typed rows, publishers and
//!   signatures.
//! - [`connections`]: connections, their properties, settings and
//!   validation against the specs.
//! - [`auth`]: users' roles, the actions they allow, the caller
//!   ([`auth::Principal`]), token hashing and the caches of the
//!   authentication layer (plain types; the HTTP side is in [`api`]).
//! - [`secrets`]: the key that encrypts secrets at rest, and the cipher.
//! - [`runtime`]: runs connector components in the wasmtime sandbox.
//! - [`store`]: the database (SQLite by default, PostgreSQL by URL), and
//!   re-encrypting it under a new key.
//! - [`logs`]: connection log files.
//! - [`registry`]: the installed connector versions, loaded into the
//!   runtime and kept in step with the database.
//! - [`service`]: the service layer's ground (its context and error, the
//!   plugin of a connection) and the rules of connections.
//! - [`metadata`]: the metadata cache (tables and columns).
//! - [`jobs`]: job runs (copying tables from a source to a destination) and
//!   the rules of jobs.
//! - [`api`]: the HTTP API (axum), one router per resource: handlers parse,
//!   authorize, call a service and map its errors.
//! - [`server`] and [`check`] (and the binary's CLI): the top, wiring it all
//!   together.

pub mod api;
pub mod auth;
pub mod check;
pub mod connections;
pub mod connector;
pub mod console;
pub mod jobs;
pub mod logs;
pub mod metadata;
pub mod registry;
pub mod runtime;
pub mod secrets;
pub mod server;
pub mod service;
pub mod store;
pub mod telemetry;

mod fsutil;
