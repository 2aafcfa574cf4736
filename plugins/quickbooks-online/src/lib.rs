//! The QuickBooks connector 3.0.0: reads a QuickBooks Online company over
//! Intuit's Accounting API (WIT 0.3.0, role `source`).
//!
//! Every request is `GET {BaseURL}/v3/company/{CompanyId}/...` with
//! `Authorization: Bearer {OAuthAccessToken}`, `Accept: application/json`
//! and `minorversion={MinorVersion}`, sent through the SDK's HTTP client
//! (the host lets it reach only the origins of `describe`'s egress):
//!
//! - `test` reads `companyinfo/{CompanyId}` and names the company;
//! - `list-tables` and `list-columns` answer from the connector's own
//!   catalog (the API has none): schema `QuickBooks`, tables `Account`,
//!   `Customer`, `Invoice`, `Item` and `Vendor`;
//! - `read` pages through `query?query=SELECT * FROM {table} STARTPOSITION
//!   {n} MAXRESULTS {m}`; the cursor is the next start position.
//!
//! The host authorizes the connection with OAuth 2.0 (`describe`'s `oauth`:
//! authorization code with PKCE and refresh token at Intuit's endpoints) and
//! passes the connector only the access token; without one, every call is
//! an `auth-failed` error naming `OAuthAccessToken`.
//!
//! Faults map to typed errors (see [`fault`]); messages never hold the token
//! or a query string.

pub mod api;
pub mod catalog;
pub mod fault;
pub mod rows;
pub mod settings;

#[cfg(test)]
mod tests;

use settings::{AUTHORIZATION_URL, PRODUCTION_URL, SANDBOX_URL, Settings, TOKEN_URL, prop};
use syncport_connector_sdk::{
    self as sdk, ColumnInfo, Config, Connector, ConnectorInfo, OAuthClientAuth, OAuthGrants, Page, ReadRequest, Result,
    Roles, TableFilter, TableInfo, http::Client,
};

/// The connector's version.
pub const VERSION: &str = "3.0.0";

/// The QuickBooks Online connector.
#[derive(Debug, Default)]
pub struct QuickBooks {
    client: Client,
}

impl QuickBooks {
    /// A connector sending through `client` (native tests give it a fake transport).
    pub fn with_client(client: Client) -> Self {
        Self { client }
    }
}

impl Connector for QuickBooks {
    fn describe() -> ConnectorInfo {
        sdk::connector_info(
            "QuickBooks",
            VERSION,
            "QuickBooks Online",
            "Reads a QuickBooks Online company (customers, invoices, items, accounts, vendors) through \
             Intuit's Accounting API with an OAuth 2.0 access token.",
            vec![
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
                    "The client id of your Intuit app (Keys & credentials in the Intuit developer portal); the \
                     host uses it to authorize the connection and to renew its tokens.",
                ),
                sdk::property(
                    prop::CLIENT_SECRET,
                    "OAuth Client Secret",
                    "The client secret of your Intuit app. Only the host uses it: the connector never receives it.",
                )
                .secret(),
                sdk::property(
                    prop::ACCESS_TOKEN,
                    "OAuth Access Token",
                    "The access token of the company, valid for one hour; set by the host when the user \
                     authorizes the connection, and renewed by it before it expires.",
                )
                .secret(),
                sdk::property(
                    prop::REFRESH_TOKEN,
                    "OAuth Refresh Token",
                    "The refresh token of the company; set by the host when the user authorizes the connection. \
                     Only the host uses it: the connector never receives it.",
                )
                .secret(),
                sdk::property(
                    prop::EXPIRES_AT,
                    "OAuth Access Token Expiry",
                    "When the access token expires, RFC 3339; set by the host.",
                ),
                sdk::property(
                    prop::AUTHORIZATION_URL,
                    "OAuth Authorization URL",
                    "Intuit's authorization endpoint, where the user's browser is sent to authorize the \
                     connection.",
                )
                .default(AUTHORIZATION_URL),
                sdk::property(
                    prop::TOKEN_URL,
                    "OAuth Token URL",
                    "Intuit's token endpoint, where the host gets and renews the tokens.",
                )
                .default(TOKEN_URL),
                sdk::property(
                    prop::BASE_URL,
                    "Base URL",
                    "Where the Accounting API lives: https://quickbooks.api.intuit.com for production \
                     companies, https://sandbox-quickbooks.api.intuit.com for developer sandboxes.",
                )
                .default(PRODUCTION_URL),
                sdk::property(
                    prop::MINOR_VERSION,
                    "API Minor Version",
                    "The Accounting API minor version sent with every request: a whole number from 1 to 75.",
                )
                .default("75"),
            ],
        )
        .egress(&[PRODUCTION_URL, SANDBOX_URL, "{BaseURL}"])
        // The host runs the flows and calls the token endpoint; the
        // connector only reads the access token.
        .oauth(
            sdk::oauth("{OAuthAuthorizationURL}", "{OAuthTokenURL}")
                .scopes(&["com.intuit.quickbooks.accounting"])
                .grants(OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN)
                .client_auth(OAuthClientAuth::Basic)
                .properties(
                    prop::CLIENT_ID,
                    prop::CLIENT_SECRET,
                    prop::ACCESS_TOKEN,
                    prop::REFRESH_TOKEN,
                    prop::EXPIRES_AT,
                ),
        )
    }

    fn roles() -> Roles {
        Roles::SOURCE
    }

    fn test(&self, config: &Config) -> Result<String> {
        let settings = Settings::of(config)?;
        sdk::info!("test: reading company {} at {}", settings.company_id, settings.base_url);
        let company = api::company_info(&self.client, &settings).inspect_err(log)?;
        let message = format!("Connected to QuickBooks Online company {} ({}).", company.name, company.id);
        sdk::info!("{message}");
        Ok(message)
    }

    fn list_tables(&self, config: &Config, filter: &TableFilter) -> Result<Vec<TableInfo>> {
        Settings::of(config)?;
        let tables = catalog::tables(filter);
        sdk::transfer!("listed {} tables", tables.len());
        Ok(tables)
    }

    fn list_columns(&self, config: &Config, table: &str) -> Result<Vec<ColumnInfo>> {
        Settings::of(config)?;
        let columns = catalog::entity(table)?.columns();
        sdk::transfer!("listed {} columns of `{table}`", columns.len());
        Ok(columns)
    }

    fn read(&self, config: &Config, request: &ReadRequest) -> Result<Page> {
        let settings = Settings::of(config)?;
        let entity = catalog::entity(&request.table)?;
        let fields = entity.select(&request.columns)?;
        let start = rows::start(request.cursor.as_deref())?;
        let max = rows::page_size(request.batch_size);
        let items = api::query(&self.client, &settings, entity.name, start, max).inspect_err(log)?;
        sdk::transfer!("read {} {} rows from position {start}", items.len(), entity.name);
        let batch = rows::batch(entity.name, &fields, &items)?;
        Ok(Page { batch, next_cursor: rows::next(start, max, items.len()) })
    }
}

/// Logs a failed request.
fn log(error: &sdk::ConnectorError) {
    sdk::error!("request failed ({}): {}", error.kind, error.message);
}

// The component's `connector` interface; native builds export nothing.
sdk::export_connector!(QuickBooks);
