//! The web console at `/`: its session rules and pages over plain HTTP
//! ([`visitor`]), and its pages in a real browser ([`browser`]: headless
//! Chromium, when `SYNCPORT_TEST_CHROMEDRIVER` names a chromedriver, as
//! `cargo xtask test` arranges). Every page a browser test visits is
//! saved as a PNG under `target/console-screenshots/`.

mod authorize;
mod browser;
mod connections;
mod connectors;
mod following;
mod jobs;
mod layout;
mod no_workspace;
mod refusals;
mod refused_edit;
mod secrets;
mod session;
mod tables_reset;
mod visitor;
