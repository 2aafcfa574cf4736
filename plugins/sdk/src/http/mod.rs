//! A small blocking HTTP client for connectors on WIT 0.3.0 (the `wit-0-3`
//! feature), over the host's `wasi:http/outgoing-handler`.
//!
//! ```no_run
//! use syncport_connector_sdk::{Result, http::{Client, Request}};
//!
//! #[derive(serde::Deserialize)]
//! struct Limits {
//!     #[serde(rename = "DailyApiRequests")]
//!     daily: serde_json::Value,
//! }
//!
//! fn limits(client: &Client, token: &str) -> Result<Limits> {
//!     let request = Request::get("https://example.my.salesforce.com/services/data/v62.0/limits")?
//!         .bearer(token)
//!         .credential_property("OAuthAccessToken")
//!         .query("minorversion", "75");
//!     client.send(request)?.error_for_status()?.json()
//! }
//! ```
//!
//! [`Client::send`] retries transient answers (500, 502, 503 without
//! `Retry-After`, 504) with exponential backoff and turns transport failures
//! into [`ConnectorError`](crate::ConnectorError)s: a refusal by the host's
//! egress policy, a host limit, an unreachable origin. It returns every other
//! answer, so a connector can read its service's own error bodies first;
//! [`Response::error_for_status`] then maps what is left (401/403 to
//! `auth-failed` naming the credential property, 429 to `rate-limited`, ...).
//! Messages name the origin, never the query string nor a header.
//!
//! The client sends through a [`Transport`]. In the component built with
//! `wit-0-3` that is the host; elsewhere (native unit tests, other WIT
//! versions) [`Client::default`] has no network and every request fails with
//! `unreachable`. Native tests give the client a transport of their own with
//! [`Client::with_transport`], e.g. the scripted [`FakeHttp`].

mod client;
mod errors;
mod fake;
mod request;
mod response;
mod retry_after;
mod transport;
#[cfg(feature = "wit-0-3")]
mod wasi;

pub use client::{Backoff, Client};
pub use errors::status_error;
pub use fake::FakeHttp;
pub use request::{Method, Request, Scheme, join_url};
pub use response::Response;
pub use retry_after::parse_retry_after;
pub use transport::{NoNetwork, Transport, TransportError, TransportErrorKind};
#[cfg(feature = "wit-0-3")]
pub use wasi::{WasiTransport, error_code_name};
