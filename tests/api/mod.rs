//! The HTTP API, over real HTTP against a server on a random port.

mod app;
mod connections;

pub use app::{TestApp, assert_error, json, quickbooks_body, spawn_app, spawn_app_with};
