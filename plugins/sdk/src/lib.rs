//! Build a Syncport connector plugin: a WebAssembly component
//! (`wasm32-wasip2`) that the Syncport host runs in a sandbox, implementing the
//! WIT contract `syncport:connector@0.2.0` (`wit/v0.2/connector.wit`),
//! `syncport:connector@0.3.0` (`wit/v0.3/connector.wit`, outgoing HTTP and
//! OAuth 2.0) with
//! the feature `wit-0-3`, or `syncport:connector@0.1.0` (`wit/connector.wit`)
//! with the feature `wit-0-1`.
//! The crate's `README.md` is the full guide for plugin authors.
//!
//! Implement [`Connector`] for a type with a [`Default`], then call
//! [`export_connector!`] once at the crate root of a `cdylib`:
//!
//! ```
//! use syncport_connector_sdk::{self as sdk, Config, Connector, ConnectorInfo, Result};
//!
//! #[derive(Default)]
//! struct Hello;
//!
//! impl Connector for Hello {
//!     fn describe() -> ConnectorInfo {
//!         sdk::connector_info(
//!             "Hello",
//!             "1.0.0",
//!             "Hello World",
//!             "Greets the configured user.",
//!             vec![sdk::property("User", "User", "Who to greet.").required()],
//!         )
//!     }
//!
//!     fn test(&self, config: &Config) -> Result<String> {
//!         let user = config.required("User")?;
//!         sdk::info!("test: greeting {user}");
//!         Ok(format!("Hello, {user}!"))
//!     }
//! }
//!
//! sdk::export_connector!(Hello);
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` (after
//! `rustup target add wasm32-wasip2`).
//!
//! # What the SDK does for you
//!
//! - **Checks before each call.** For every call but `describe`, the SDK
//!   builds a [`Config`] from the host's properties and runs
//!   [`Config::validate`] against the properties `describe` declares: every
//!   required property has a value (or a default), every value is among its
//!   allowed values (case-insensitively). Otherwise it returns an
//!   `invalid-config` error naming the property, with a secret value masked,
//!   and your method never runs. [`Config`] lookups are case-insensitive,
//!   fill in defaults, and treat an empty value as not set.
//! - **Metadata.** [`connector_info`], [`property`], [`table`], [`column()`] and
//!   [`columns`] (which numbers columns 1..n) build what the host expects; a
//!   [`Catalog`] answers `list-tables` and `list-columns` for tables known at
//!   build time, with `Table` or `Schema.Table` names in any case.
//! - **Errors.** [`ConnectorError`]'s constructors
//!   ([`invalid_config`](ConnectorError::invalid_config),
//!   [`auth_failed`](ConnectorError::auth_failed),
//!   [`unreachable`](ConnectorError::unreachable),
//!   [`not_found`](ConnectorError::not_found),
//!   [`rate_limited`](ConnectorError::rate_limited),
//!   [`unsupported`](ConnectorError::unsupported),
//!   [`internal`](ConnectorError::internal)) make the typed failures the host
//!   passes on to users. Return them rather than panicking: a panic is a
//!   crashed call to the host, not a typed error.
//! - **Logging.** [`error!`], [`info!`], [`transfer!`] and [`verbose!`] write
//!   one line to the connection's log. Never log a secret value, nor anything
//!   derived from one; log property names instead.
//! - **HTTP** (`wit-0-3`). [`ConnectorInfo::egress`] declares the origins the
//!   connector may reach; [`http::Client`] sends requests through the host's
//!   `wasi:http`, retries transient failures and maps statuses and the
//!   host's refusals to [`ConnectorError`]s; [`BatchBuilder::push_json`],
//!   [`parse_date`] and [`parse_timestamp`] turn JSON answers into rows.
//! - **OAuth 2.0** (`wit-0-3`). [`ConnectorInfo::oauth`] with an [`oauth()`]
//!   spec tells the host how to authorize a connection; the host runs the
//!   flows and refreshes, and the connector only reads the access token.
//!
//! # Native unit tests
//!
//! A connector crate also builds natively, with no `cfg` of its own: off
//! `wasm32`, [`export_connector!`] exports nothing and the log macros keep
//! their lines in a per-thread buffer that [`testing::take_logs`] drains. Run
//! `cargo test --target x86_64-unknown-linux-gnu`.
//!
//! # Versions
//!
//! | SDK | feature | WIT package |
//! |---|---|---|
//! | 0.3.x | (default) | `syncport:connector@0.2.0` |
//! | 0.3.x | `wit-0-3` | `syncport:connector@0.3.0` (HTTP, OAuth 2.0) |
//! | 0.3.x | `wit-0-1` | `syncport:connector@0.1.0` |
//! | 0.2.x | (default) | `syncport:connector@0.2.0` |
//! | 0.2.x | `wit-0-1` | `syncport:connector@0.1.0` |
//! | 0.1.x | | `syncport:connector@0.1.0` |
//!
//! Under `wit-0-3` the component imports `wasi:http/outgoing-handler` and
//! `describe` reports the egress patterns and the OAuth spec; other builds
//! drop both and [`http::Client`] has no network there.
//!
//! Under `wit-0-1` everything compiles the same, but the component is a
//! 0.1.0 one: [`Connector::roles`] is not reported and the job methods
//! ([`read`](Connector::read), [`prepare`](Connector::prepare),
//! [`write`](Connector::write), [`finish`](Connector::finish)) are not
//! exported. Cargo unifies features: when several crates are built in one
//! cargo invocation and one of them enables `wit-0-1`, all of them get it
//! (and `wit-0-1` wins over `wit-0-3`), so build each component with its own
//! `cargo build -p`. [`WIT_VERSION`] says which contract a build implements.

mod batch;
mod builders;
mod catalog;
mod config;
mod connector;
mod error;
mod filter;
pub mod http;
mod job;
mod json;
#[doc(hidden)]
pub mod log;
mod oauth;
mod parse;
pub mod testing;
mod value;

#[doc(hidden)]
pub mod __private;

/// Compiles the README's complete connector as a doctest, so the guide keeps
/// building (its fragments are marked `ignore`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use batch::{Batch, BatchBuilder, ColumnRef, Row};
pub use builders::{ColumnBuilder, PropertyBuilder, column, columns, connector_info, property, table};
pub use catalog::{Catalog, TableDef};
pub use config::Config;
pub use connector::Connector;
pub use error::Result;
pub use filter::TableFilter;
pub use job::{Page, ReadRequest, Roles};
pub use oauth::{OAuthBuilder, OAuthClientAuth, OAuthGrants, oauth};
pub use parse::{parse_date, parse_timestamp};
pub use value::{Value, civil_from_days, format_date, format_timestamp, write_date, write_timestamp};

/// The WIT package version this build implements: `0.2.0`, `0.3.0` with the
/// feature `wit-0-3`, or `0.1.0` with the feature `wit-0-1` (which wins when
/// both are enabled).
pub const WIT_VERSION: &str = if cfg!(feature = "wit-0-1") {
    "0.1.0"
} else if cfg!(feature = "wit-0-3") {
    "0.3.0"
} else {
    "0.2.0"
};

/// The WIT types the SDK exposes, under their WIT names.
pub use __private::bindings::syncport::connector::types::{
    ColumnInfo, ConnectorError, ConnectorInfo, DataType, ErrorKind, LogLevel, PropertySpec, TableInfo, TableType,
};

/// Exports a [`Connector`] implementation as the component's `connector`
/// interface. Call it once, at the crate root of a `cdylib`.
///
/// The export exists only when building for `wasm32` (the component). A
/// native build, such as `cargo test --target x86_64-unknown-linux-gnu`, gets
/// no export symbols (a native linker cannot spell the component's export
/// names) but still checks that the type implements [`Connector`], so the
/// same crate builds both ways with no `cfg` of its own.
#[macro_export]
macro_rules! export_connector {
    ($connector:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            #[doc(hidden)]
            struct __SyncportConnectorExport;

            impl $crate::__private::Guest for __SyncportConnectorExport {
                fn describe() -> $crate::ConnectorInfo {
                    $crate::__private::describe::<$connector>()
                }
                fn test(
                    config: ::std::vec::Vec<$crate::__private::Property>,
                ) -> ::std::result::Result<::std::string::String, $crate::ConnectorError> {
                    $crate::__private::test::<$connector>(config)
                }
                fn list_tables(
                    config: ::std::vec::Vec<$crate::__private::Property>,
                    schema: ::std::option::Option<::std::string::String>,
                    table_types: ::std::vec::Vec<$crate::TableType>,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::TableInfo>, $crate::ConnectorError> {
                    $crate::__private::list_tables::<$connector>(config, schema, table_types)
                }
                fn list_columns(
                    config: ::std::vec::Vec<$crate::__private::Property>,
                    table: ::std::string::String,
                ) -> ::std::result::Result<::std::vec::Vec<$crate::ColumnInfo>, $crate::ConnectorError> {
                    $crate::__private::list_columns::<$connector>(config, table)
                }
                fn reset_metadata(
                    config: ::std::vec::Vec<$crate::__private::Property>,
                ) -> ::std::result::Result<(), $crate::ConnectorError> {
                    $crate::__private::reset_metadata::<$connector>(config)
                }
                $crate::__export_jobs!($connector);
            }

            $crate::__private::export! { __SyncportConnectorExport with_types_in $crate::__private::bindings }
        };

        // Off wasm32: no export, but the same check that the type is a
        // `Connector`, so a native build reports what the component would.
        #[cfg(not(target_arch = "wasm32"))]
        const _: fn() -> $crate::ConnectorInfo = $crate::__private::describe::<$connector>;
    };
}

/// The job methods of the `connector` export (WIT 0.2.0); used by
/// [`export_connector!`] only.
#[cfg(not(feature = "wit-0-1"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_jobs {
    ($connector:ty) => {
        fn read(
            config: ::std::vec::Vec<$crate::__private::Property>,
            request: $crate::__private::bindings::syncport::connector::types::ReadRequest,
        ) -> ::std::result::Result<$crate::__private::bindings::syncport::connector::types::Page, $crate::ConnectorError>
        {
            $crate::__private::read::<$connector>(config, request)
        }
        fn prepare(
            config: ::std::vec::Vec<$crate::__private::Property>,
            table: ::std::string::String,
            columns: ::std::vec::Vec<$crate::ColumnInfo>,
        ) -> ::std::result::Result<(), $crate::ConnectorError> {
            $crate::__private::prepare::<$connector>(config, table, columns)
        }
        fn write(
            config: ::std::vec::Vec<$crate::__private::Property>,
            table: ::std::string::String,
            rows: $crate::__private::bindings::syncport::connector::types::Batch,
        ) -> ::std::result::Result<u64, $crate::ConnectorError> {
            $crate::__private::write::<$connector>(config, table, rows)
        }
        fn finish(
            config: ::std::vec::Vec<$crate::__private::Property>,
            table: ::std::string::String,
        ) -> ::std::result::Result<(), $crate::ConnectorError> {
            $crate::__private::finish::<$connector>(config, table)
        }
    };
}

/// WIT 0.1.0 has no job methods: nothing to export.
#[cfg(feature = "wit-0-1")]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_jobs {
    ($connector:ty) => {};
}
