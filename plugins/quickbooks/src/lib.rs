//! The QuickBooks Online connector: a realistic, deterministic stub.
//!
//! It describes the QuickBooks Online Accounting API the way CData's
//! QuickBooks Online driver exposes it (schema `QuickBooksOnline`: one table
//! per entity, one per kind of transaction line, reports as views), but talks
//! to no network and reads no clock or randomness: the same configuration
//! always gives the same answer.
//!
//! # Releases
//!
//! The default build is release 2.0.0 (WIT 0.2.0): the catalog of 1.1.0, and a
//! source: `read` returns generated rows (see the `syncport-generator` crate),
//! `RowsPerTable` of them per table. Built with `--features release-1-1` it is
//! release 1.1.0, and with `--features release-1-0` release 1.0.0, which lacks
//! the `MinorVersion` property and the tables `Attachables`, `Budgets` and
//! `RecurringTransactions`; both are metadata-only connectors on WIT 0.1.0.
//!
//! # Fake credential rules
//!
//! `test`, `list_tables` and `list_columns` first "authenticate" (see
//! [`auth::authenticate`]), applying these rules in this order; the first
//! that matches decides:
//!
//! | # | Condition | Error | `property` |
//! |---|---|---|---|
//! | 1 | `CompanyId` is not all ASCII digits | invalid-config | `CompanyId` |
//! | 2 | (1.1.0 only) `MinorVersion` is not a whole number from 1 to 75 | invalid-config | `MinorVersion` |
//! | 3 | `OAuthClientSecret` starts with `wrong` | auth-failed | `OAuthClientSecret` |
//! | 4 | `OAuthAccessToken` is not set | auth-failed, asking the user to authorize | `OAuthAccessToken` |
//! | 5 | `OAuthAccessToken` starts with `expired` | auth-failed | `OAuthAccessToken` |
//! | 6 | `CompanyId` is `429` | rate-limited, `retry-after` 60 | none |
//!
//! Prefixes are case-sensitive. Anything else connects: `test` returns
//! `Connected to QuickBooks Online company <CompanyId> (production)`, or
//! `(sandbox)` when `UseSandbox` is `true`. Missing required properties and
//! values outside `UseSandbox`'s allowed values are refused by the SDK before
//! any of this runs. No message and no log line ever holds a secret value.

pub mod auth;
pub mod catalog;

#[cfg(test)]
mod tests;

use auth::{Environment, Session, prop};
use syncport_connector_sdk::{
    self as sdk, ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, Page, ReadRequest, Result, Roles,
    TableFilter, TableInfo,
};

/// Whether this is the release 1.0.0 build (`--features release-1-0`).
pub const RELEASE_1_0: bool = cfg!(feature = "release-1-0");

/// Whether this is a 1.x build (`--features release-1-0` or `release-1-1`):
/// WIT 0.1.0, no `read`, no `RowsPerTable`.
pub const RELEASE_1: bool = RELEASE_1_0 || cfg!(feature = "release-1-1");

/// The connector's version.
pub const VERSION: &str = if RELEASE_1_0 {
    "1.0.0"
} else if RELEASE_1 {
    "1.1.0"
} else {
    "2.0.0"
};

/// The QuickBooks Online connector.
#[derive(Debug, Default)]
pub struct QuickBooks;

impl Connector for QuickBooks {
    fn describe() -> ConnectorInfo {
        let mut properties = vec![
            sdk::property(
                prop::COMPANY_ID,
                "Company ID",
                "The realm id of the QuickBooks Online company: digits only, as shown under Settings > \
                 Account and settings > Billing & subscription.",
            )
            .required(),
            sdk::property(
                prop::CLIENT_ID,
                "OAuth Client ID",
                "The client id of the app, from the Keys & credentials page of the Intuit developer portal.",
            )
            .required(),
            sdk::property(
                prop::CLIENT_SECRET,
                "OAuth Client Secret",
                "The client secret of the app, from the Keys & credentials page of the Intuit developer portal.",
            )
            .required()
            .secret(),
            sdk::property(
                prop::ACCESS_TOKEN,
                "OAuth Access Token",
                "The access token obtained when the user authorized the app; valid for one hour.",
            )
            .secret(),
            sdk::property(
                prop::REFRESH_TOKEN,
                "OAuth Refresh Token",
                "The refresh token obtained with the access token; used to get a new access token.",
            )
            .secret(),
            sdk::property(
                prop::USE_SANDBOX,
                "Use Sandbox",
                "Connect to an Intuit developer sandbox company instead of a production company.",
            )
            .allowed(&["true", "false"])
            .default("false"),
        ];
        if !RELEASE_1_0 {
            properties.push(
                sdk::property(
                    prop::MINOR_VERSION,
                    "API Minor Version",
                    "The QuickBooks Online Accounting API minor version sent with every request: a whole \
                     number from 1 to 75.",
                )
                .default("75"),
            );
        }
        if !RELEASE_1 {
            properties.push(syncport_generator::rows_per_table_property());
        }
        sdk::connector_info(
            "QuickBooks",
            VERSION,
            "QuickBooks Online",
            "Connects to a QuickBooks Online company through Intuit's Accounting API with OAuth 2.0. \
             It exposes the company's lists (customers, vendors, employees, items, the chart of \
             accounts, ...), its sales, purchase and banking transactions with their line items, and \
             its standard financial reports (profit and loss, balance sheet, aging, general ledger, \
             trial balance) as tables and views of the QuickBooksOnline schema.",
            properties,
        )
    }

    fn roles() -> Roles {
        if RELEASE_1 { Roles::NONE } else { Roles::SOURCE }
    }

    fn test(&self, config: &Config) -> Result<String> {
        let session = connect("test", config)?;
        if !RELEASE_1 {
            syncport_generator::rows_per_table(config)?;
        }
        let message =
            format!("Connected to QuickBooks Online company {} ({})", session.company_id, session.environment.name());
        sdk::info!("{message}");
        Ok(message)
    }

    fn list_tables(&self, config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        connect("list tables", config)?;
        sdk::verbose!("table filter: {filter:?}");
        let tables = catalog::build().tables(filter);
        sdk::transfer!("listed {} tables", tables.len());
        Ok(tables)
    }

    fn list_columns(&self, config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        connect("list columns", config)?;
        sdk::verbose!("looking up table `{table}`");
        let columns = catalog::build().columns(table).inspect_err(|e| sdk::info!("{}", e.message))?;
        sdk::transfer!("listed {} columns of `{table}`", columns.len());
        Ok(columns)
    }

    fn read(&self, config: &Config, request: &ReadRequest) -> Result<Page> {
        if RELEASE_1 {
            return Err(ConnectorError::unsupported(format!("QuickBooks Online {VERSION} cannot read tables.")));
        }
        connect("read", config)?;
        syncport_generator::read(&catalog::build(), config, request).inspect_err(|e| sdk::info!("{}", e.message))
    }

    fn reset_metadata(&self, config: &Config) -> Result<()> {
        let company = config.get(prop::COMPANY_ID).unwrap_or_default();
        sdk::info!("reset metadata: the catalog is built in, nothing is cached for company {company}");
        Ok(())
    }
}

/// Logs the start of `operation` and authenticates; logs the outcome.
fn connect(operation: &str, config: &Config) -> Result<Session> {
    let company = config.get(prop::COMPANY_ID).unwrap_or_default();
    let environment = Environment::of(config).unwrap_or(Environment::Production);
    sdk::info!("{operation}: QuickBooks Online company {company} ({})", environment.name());
    match auth::authenticate(config) {
        Ok(session) => {
            sdk::verbose!("authenticated; API requests would go to {}", session.query_url());
            Ok(session)
        }
        Err(e) => {
            let property = e.property.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
            sdk::error!("{operation} failed ({}){property}: {}", e.kind, e.message);
            Err(e)
        }
    }
}

// The component's `connector` interface. The SDK emits the export only for
// wasm32, so native builds (the unit tests) need no cfg here.
sdk::export_connector!(QuickBooks);
