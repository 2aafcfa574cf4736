//! # Salesforce connector
//!
//! A deterministic stub of a Salesforce org, built as a Syncport connector
//! component (`wasm32-wasip2`). It talks to no network and reads no clock or
//! random source: the same configuration always gets the same answer.
//!
//! It exposes the schema `Salesforce`: 33 standard objects (Account, Contact,
//! Lead, Opportunity, Case, User, ...) and 4 custom objects (`Invoice__c`,
//! `Invoice_Line__c`, `Project__c`, `Shipment__c`) as tables, 4 history
//! objects (`AccountHistory`, `CaseHistory`, `OpportunityFieldHistory`,
//! `OpportunityHistory`) as views, and 2 synonyms (`Product` for `Product2`,
//! `Pricebook` for `Pricebook2`). Field names and types follow Salesforce's
//! describe results; see `catalog/fields.rs` for the type mapping.
//!
//! ## Fake credential rules
//!
//! `test`, `list-tables` and `list-columns` all log in first, applying these
//! rules in this order; the first that matches decides. Prefixes compare
//! ASCII case-insensitively; values are trimmed of surrounding spaces.
//!
//! 1. `LoginURL` not starting with `https://` → **invalid-config**, property
//!    `LoginURL`.
//! 2. `APIVersion` not of the form `NN.0` (two digits, then `.0`, e.g. `62.0`)
//!    → **invalid-config**, property `APIVersion`.
//! 3. `User` without an `@` (Salesforce user names look like email
//!    addresses) → **invalid-config**, property `User`.
//! 4. Missing credentials:
//!    - `AuthScheme` `Basic` (the default): no `Password` → **invalid-config**,
//!      property `Password`; else no `SecurityToken` → **invalid-config**,
//!      property `SecurityToken`.
//!    - `AuthScheme` `OAuth` or `OAuthJWT`: no `OAuthAccessToken` →
//!      **auth-failed**, property `OAuthAccessToken`, telling the user to
//!      authorize the connection.
//! 5. `User` starting with `ratelimited@` → **rate-limited**, retry after
//!    30 seconds.
//! 6. Refused credentials:
//!    - `Basic`: `Password` starting with `wrong` → **auth-failed**, property
//!      `Password`; else `SecurityToken` starting with `expired` →
//!      **auth-failed**, property `SecurityToken`.
//!    - `OAuth`/`OAuthJWT`: `OAuthAccessToken` starting with `expired` →
//!      **auth-failed**, property `OAuthAccessToken`.
//! 7. Anything else logs in. `test` then answers
//!    `Connected to Salesforce as user@example.com (production, API 62.0)`
//!    (`sandbox` when `UseSandbox` is true). With `UseSandbox` true and the
//!    default `LoginURL`, the login goes to `https://test.salesforce.com`.
//!
//! The SDK checks first that `User` is set and that `AuthScheme` and
//! `UseSandbox` have allowed values (invalid-config otherwise).
//!
//! ## Logging
//!
//! `info` when an operation starts (user and login URL) and when `test`
//! succeeds, `verbose` for detail (auth scheme, API version, filter, REST
//! paths), `transfer` for counts of objects and fields, `error` when a login
//! fails or a table does not exist. `Password`, `SecurityToken` and
//! `OAuthAccessToken` values are never logged nor put in error messages.

use syncport_connector_sdk::{
    self as sdk, ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, Page, ReadRequest, Result, Roles,
    TableFilter, TableInfo,
};

/// Whether this is the release 1.0.0 build (`--features release-1-0`): WIT
/// 0.1.0, metadata only, no `RowsPerTable`.
pub const RELEASE_1_0: bool = cfg!(feature = "release-1-0");

/// The connector's version.
pub const VERSION: &str = if RELEASE_1_0 { "1.0.0" } else { "2.0.0" };

mod auth;
mod catalog;
#[cfg(test)]
mod tests;

use auth::Session;

/// The Salesforce connector: a stateless, deterministic stub of one org.
/// The host makes a fresh one for every call.
#[derive(Debug, Default)]
pub struct Salesforce;

impl Salesforce {
    /// Logs in for `operation`, logging the attempt and its outcome.
    fn login(config: &Config, operation: &str) -> Result<Session> {
        let user = config.get("User").unwrap_or("(no user)");
        let login_url = config.get("LoginURL").unwrap_or(auth::PRODUCTION_LOGIN_URL);
        sdk::info!("{operation}: logging in to Salesforce at {login_url} as {user}.");
        match auth::authenticate(config) {
            Ok(session) => {
                sdk::verbose!(
                    "Logged in as {} at {} with AuthScheme {} ({}, API {}); instance {}.",
                    session.user,
                    session.login_url,
                    session.scheme.name(),
                    session.environment(),
                    session.api_version,
                    session.instance_url
                );
                Ok(session)
            }
            Err(error) => {
                // The messages of `authenticate` never contain secret values.
                sdk::error!("{operation}: login as {user} failed: {}", error.message);
                Err(error)
            }
        }
    }
}

impl Connector for Salesforce {
    fn describe() -> ConnectorInfo {
        let mut properties = vec![
            sdk::property(
                "AuthScheme",
                "Authentication scheme",
                "How to log in: Basic (user name, password and security token), \
                     OAuth (web-server flow) or OAuthJWT (JWT bearer flow).",
            )
            .allowed(&["Basic", "OAuth", "OAuthJWT"])
            .default("Basic"),
            sdk::property("User", "User", "Salesforce user name, in the form of an email address (user@example.com).")
                .required(),
            sdk::property("Password", "Password", "Password of the user; required with AuthScheme Basic.").secret(),
            sdk::property(
                "SecurityToken",
                "Security token",
                "Security token of the user (Settings > Reset My Security Token); \
                     required with AuthScheme Basic.",
            )
            .secret(),
            sdk::property(
                "LoginURL",
                "Login URL",
                "URL to log in at: https://login.salesforce.com, \
                     https://test.salesforce.com or a My Domain URL.",
            )
            .default(auth::PRODUCTION_LOGIN_URL),
            sdk::property(
                "OAuthAccessToken",
                "OAuth access token",
                "Access token obtained by authorizing the connection; \
                     required with AuthScheme OAuth or OAuthJWT.",
            )
            .secret(),
            sdk::property(
                "UseSandbox",
                "Use sandbox",
                "Whether the org is a sandbox (logs in at https://test.salesforce.com \
                     unless LoginURL is changed).",
            )
            .allowed(&["true", "false"])
            .default("false"),
            sdk::property("APIVersion", "API version", "Salesforce REST API version, e.g. 62.0.").default("62.0"),
        ];
        if !RELEASE_1_0 {
            properties.push(syncport_generator::rows_per_table_property());
        }
        sdk::connector_info(
            "Salesforce",
            VERSION,
            "Salesforce",
            "Connects to a Salesforce org (Sales Cloud, Service Cloud and custom objects) \
             through the Salesforce REST API, exposing standard and custom objects as tables \
             of the schema `Salesforce` and field history objects as views, and logging in \
             with a user name, password and security token or with an OAuth access token. \
             This build is a deterministic stub that talks to no network: it answers from \
             a fixed catalog and fake credential rules.",
            properties,
        )
    }

    fn roles() -> Roles {
        if RELEASE_1_0 { Roles::NONE } else { Roles::SOURCE }
    }

    fn test(&self, config: &Config) -> Result<String> {
        let session = Self::login(config, "Test connection")?;
        if !RELEASE_1_0 {
            syncport_generator::rows_per_table(config)?;
        }
        let message = format!(
            "Connected to Salesforce as {} ({}, API {})",
            session.user,
            session.environment(),
            session.api_version
        );
        sdk::info!("{message}.");
        Ok(message)
    }

    fn list_tables(&self, config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        let session = Self::login(config, "List tables")?;
        sdk::verbose!(
            "describeGlobal: GET /services/data/v{}/sobjects (schema filter: {}).",
            session.api_version,
            filter.schema().unwrap_or("any")
        );
        let catalog = catalog::build();
        let total = catalog.tables(&TableFilter::default()).len();
        let tables = catalog.tables(filter);
        sdk::transfer!("describeGlobal returned {total} objects; {} match the filter.", tables.len());
        Ok(tables)
    }

    fn list_columns(&self, config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        let session = Self::login(config, &format!("List columns of {table}"))?;
        let catalog = catalog::build();
        let Some(found) = catalog.find(table) else {
            sdk::error!("Table `{table}` does not exist in schema {}.", catalog::SCHEMA);
            return Err(ConnectorError::not_found(format!("Table `{table}` does not exist.")));
        };
        sdk::verbose!("describe: GET {}.", session.describe_path(catalog::api_name(&found.info.name)));
        sdk::transfer!(
            "describe returned {} fields of {}.{}.",
            found.columns.len(),
            found.info.schema,
            found.info.name
        );
        Ok(found.columns.clone())
    }

    fn read(&self, config: &Config, request: &ReadRequest) -> Result<Page> {
        if RELEASE_1_0 {
            return Err(ConnectorError::unsupported(format!("Salesforce {VERSION} cannot read tables.")));
        }
        Self::login(config, &format!("Read {}", request.table))?;
        syncport_generator::read(&catalog::build(), config, request).inspect_err(|e| sdk::error!("{}", e.message))
    }

    fn reset_metadata(&self, _config: &Config) -> Result<()> {
        sdk::verbose!("The Salesforce stub caches no metadata: nothing to reset.");
        Ok(())
    }
}

// The component's `connector` interface. The SDK emits the export only for
// wasm32, so native builds (the unit tests) need no cfg here.
sdk::export_connector!(Salesforce);
