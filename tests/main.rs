//! The Syncport test suite: one binary, black-box.
//!
//! Run it with `cargo xtask test`, which first builds the plugin components
//! into `plugins/dist/`.

mod api;
mod check;
mod console;
mod guide;
mod helpers;
mod hostile;
mod layers;
mod mocks;
mod reliability;
mod runtime;
