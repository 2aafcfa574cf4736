//! The HTTP API, over real HTTP against a server on a random port.

mod actions;
mod app;
mod auth;
mod bodies;
mod cache;
mod clarity;
mod coherence;
mod connections;
mod connectors;
mod egress;
mod egress_hostile;
mod errors;
mod faults;
mod health;
mod installs;
mod jobs;
mod logs;
mod metadata;
mod metrics;
mod oauth;
mod openapi;
mod outage;
mod pinning;
pub(crate) mod postgres;
mod request_id;
mod restarts;
mod secrets;
mod server_output;
mod servers;
mod shared_caches;
mod shutdown;
mod tls;
mod updates;
mod workspaces;

pub use app::{
    BROWSER_ACCEPT, GUEST_BLOCKS, ROUTES, TestApp, assert_error, assert_error_shape, capture_server_log, create_user,
    egress_config, fill, id_of, jobs_config, json, logged_since, names, quickbooks_body, request_logged,
    request_started, server_log, server_log_mark, server_log_since, spawn_app, spawn_app_listening, spawn_app_with,
    spawn_egress_app, spawn_egress_app_with, spawn_jobs_app, spawn_pair, spawn_pair_with, spawn_shared, sqlite_only,
    text, token,
};
pub(crate) use jobs::endpoints as job_endpoints;
pub(crate) use oauth::{books_body as oauth_books_body, force_body as oauth_force_body};
