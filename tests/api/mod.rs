//! The HTTP API, over real HTTP against a server on a random port.

mod actions;
mod app;
mod auth;
mod bodies;
mod cache;
mod coherence;
mod connections;
mod connectors;
mod errors;
mod faults;
mod installs;
mod jobs;
mod logs;
mod metadata;
mod openapi;
mod pinning;
pub(crate) mod postgres;
mod request_id;
mod restarts;
mod secrets;
mod servers;
mod shutdown;
mod updates;
mod workspaces;

pub use app::{
    ROUTES, TestApp, assert_error, assert_error_shape, create_user, fill, id_of, jobs_config, json, names,
    quickbooks_body, server_log, spawn_app, spawn_app_listening, spawn_app_with, spawn_jobs_app, spawn_pair,
    spawn_pair_with, spawn_shared, sqlite_only, text, token,
};
