//! The plugin runtime and registry, driven directly (no HTTP).

mod connectors;
mod hostile;
mod installing;
mod loading;
mod masking;
mod registry;
mod sandbox;
mod session;
