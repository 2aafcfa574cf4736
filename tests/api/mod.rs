//! The HTTP API, over real HTTP against a server on a random port.

mod actions;
mod app;
mod auth;
mod cache;
mod coherence;
mod connections;
mod connectors;
mod errors;
mod faults;
mod logs;
mod metadata;
mod pinning;
mod request_id;
mod secrets;
mod shutdown;
mod updates;
mod workspaces;

pub use app::{
    ROUTES, TestApp, assert_error, assert_error_shape, id_of, json, names, quickbooks_body, server_log, spawn_app,
    spawn_app_with, text,
};
