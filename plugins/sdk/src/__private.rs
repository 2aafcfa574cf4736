//! Glue between the generated bindings and [`Connector`]; used by
//! [`export_connector!`](crate::export_connector) only. Not a stable API.

use crate::{ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, TableFilter, TableInfo, TableType};

/// The bindings `wit-bindgen` generates from WIT 0.2.0 (`wit/v0.2`).
#[cfg(not(any(feature = "wit-0-1", feature = "wit-0-3")))]
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/v0.2",
        world: "syncport:connector/plugin@0.2.0",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "syncport_connector_sdk::__private::bindings",
    });
}

/// The bindings `wit-bindgen` generates from WIT 0.3.0 (`wit/v0.3`), under
/// the `wit-0-3` feature. The `wasi:*` interfaces the world imports map to
/// the `wasip2` crate's bindings, so that the SDK's HTTP client and these
/// bindings share one import of each.
#[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit/v0.3",
        world: "syncport:connector/plugin@0.3.0",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "syncport_connector_sdk::__private::bindings",
        with: {
            "wasi:http/outgoing-handler@0.2.12": wasip2::http::outgoing_handler,
            "wasi:http/types@0.2.12": wasip2::http::types,
            "wasi:io/error@0.2.12": wasip2::io::error,
            "wasi:io/poll@0.2.12": wasip2::io::poll,
            "wasi:io/streams@0.2.12": wasip2::io::streams,
            "wasi:clocks/monotonic-clock@0.2.12": wasip2::clocks::monotonic_clock,
        },
    });
}

/// The bindings `wit-bindgen` generates from WIT 0.1.0 (`wit/`), under the
/// `wit-0-1` feature.
#[cfg(feature = "wit-0-1")]
#[allow(missing_docs, unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "syncport:connector/plugin@0.1.0",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "syncport_connector_sdk::__private::bindings",
    });
}

#[cfg(not(feature = "wit-0-1"))]
pub use jobs::{finish, prepare, read, write};

pub use bindings::export;
pub use bindings::exports::syncport::connector::connector::Guest;
pub use bindings::syncport::connector::types::Property;

/// `describe`, as the component exports it.
pub fn describe<C: Connector>() -> ConnectorInfo {
    #[allow(unused_mut)]
    let mut info = C::describe();
    #[cfg(not(feature = "wit-0-1"))]
    {
        use bindings::syncport::connector::types::Roles as WitRoles;
        let roles = C::roles();
        let mut wit = WitRoles::empty();
        if roles.source {
            wit = wit | WitRoles::SOURCE;
        }
        if roles.destination {
            wit = wit | WitRoles::DESTINATION;
        }
        info.roles = wit;
    }
    info
}

/// Builds the checked configuration every call but `describe` starts with.
fn config<C: Connector>(properties: Vec<Property>) -> Result<Config, ConnectorError> {
    let config = Config::new(properties.into_iter().map(|p| (p.name, p.value)), C::describe().properties);
    config.validate()?;
    Ok(config)
}

/// `test`, as the component exports it.
pub fn test<C: Connector>(properties: Vec<Property>) -> Result<String, ConnectorError> {
    C::default().test(&config::<C>(properties)?)
}

/// `list-tables`, as the component exports it.
pub fn list_tables<C: Connector>(
    properties: Vec<Property>,
    schema: Option<String>,
    table_types: Vec<TableType>,
) -> Result<Vec<TableInfo>, ConnectorError> {
    let filter = TableFilter::new(schema, table_types);
    C::default().list_tables(&config::<C>(properties)?, &filter)
}

/// `list-columns`, as the component exports it.
pub fn list_columns<C: Connector>(properties: Vec<Property>, table: String) -> Result<Vec<ColumnInfo>, ConnectorError> {
    C::default().list_columns(&config::<C>(properties)?, &table)
}

/// `reset-metadata`, as the component exports it.
pub fn reset_metadata<C: Connector>(properties: Vec<Property>) -> Result<(), ConnectorError> {
    C::default().reset_metadata(&config::<C>(properties)?)
}

/// The job calls of WIT 0.2.0 and the moves between the WIT batch and the
/// SDK's [`Batch`](crate::Batch): vectors change hands, values are not copied.
#[cfg(not(feature = "wit-0-1"))]
mod jobs {
    use super::bindings::syncport::connector::types as wit;
    use super::{Property, config};
    use crate::batch::{Bin, Column, Text, Values};
    use crate::{Batch, ColumnInfo, Connector, ConnectorError, ReadRequest};

    /// `read`, as the component exports it.
    pub fn read<C: Connector>(
        properties: Vec<Property>,
        request: wit::ReadRequest,
    ) -> Result<wit::Page, ConnectorError> {
        let request = ReadRequest {
            table: request.table,
            columns: request.columns,
            cursor: request.cursor,
            batch_size: request.batch_size,
        };
        let page = C::default().read(&config::<C>(properties)?, &request)?;
        page.batch.check()?;
        Ok(wit::Page { batch: to_wit(page.batch), next_cursor: page.next_cursor })
    }

    /// `prepare`, as the component exports it.
    pub fn prepare<C: Connector>(
        properties: Vec<Property>,
        table: String,
        columns: Vec<ColumnInfo>,
    ) -> Result<(), ConnectorError> {
        C::default().prepare(&config::<C>(properties)?, &table, &columns)
    }

    /// `write`, as the component exports it; the batch is checked first.
    pub fn write<C: Connector>(
        properties: Vec<Property>,
        table: String,
        rows: wit::Batch,
    ) -> Result<u64, ConnectorError> {
        let config = config::<C>(properties)?;
        let rows = from_wit(rows);
        rows.check()?;
        C::default().write(&config, &table, &rows)
    }

    /// `finish`, as the component exports it.
    pub fn finish<C: Connector>(properties: Vec<Property>, table: String) -> Result<(), ConnectorError> {
        C::default().finish(&config::<C>(properties)?, &table)
    }

    /// A WIT batch as an SDK batch.
    pub(crate) fn from_wit(batch: wit::Batch) -> Batch {
        let columns = batch
            .columns
            .into_iter()
            .map(|c| {
                let values = match c.values {
                    wit::ColumnValues::Booleans(v) => Values::Booleans(v),
                    wit::ColumnValues::Integers(v) => Values::Integers(v),
                    wit::ColumnValues::Floats(v) => Values::Floats(v),
                    wit::ColumnValues::Decimals(t) => Values::Decimals(Text { data: t.data, ends: t.ends }),
                    wit::ColumnValues::Strings(t) => Values::Strings(Text { data: t.data, ends: t.ends }),
                    wit::ColumnValues::Bytes(b) => Values::Bytes(Bin { data: b.data, ends: b.ends }),
                    wit::ColumnValues::Dates(v) => Values::Dates(v),
                    wit::ColumnValues::Timestamps(v) => Values::Timestamps(v),
                };
                Column { values, nulls: c.nulls }
            })
            .collect();
        Batch { row_count: batch.row_count, columns }
    }

    /// An SDK batch as a WIT batch.
    pub(crate) fn to_wit(batch: Batch) -> wit::Batch {
        let columns = batch
            .columns
            .into_iter()
            .map(|c| {
                let values = match c.values {
                    Values::Booleans(v) => wit::ColumnValues::Booleans(v),
                    Values::Integers(v) => wit::ColumnValues::Integers(v),
                    Values::Floats(v) => wit::ColumnValues::Floats(v),
                    Values::Decimals(t) => wit::ColumnValues::Decimals(wit::TextValues { data: t.data, ends: t.ends }),
                    Values::Strings(t) => wit::ColumnValues::Strings(wit::TextValues { data: t.data, ends: t.ends }),
                    Values::Bytes(b) => wit::ColumnValues::Bytes(wit::BytesValues { data: b.data, ends: b.ends }),
                    Values::Dates(v) => wit::ColumnValues::Dates(v),
                    Values::Timestamps(v) => wit::ColumnValues::Timestamps(v),
                };
                wit::ColumnData { values, nulls: c.nulls }
            })
            .collect();
        wit::Batch { row_count: batch.row_count, columns }
    }
}

#[cfg(test)]
mod tests {
    //! The checks the exported functions run before a connector method.

    use super::*;
    use crate::testing::take_logs;
    use crate::{ErrorKind, LogLevel};

    /// Logs every call it gets, so a test can tell whether it ran.
    #[derive(Default)]
    struct Probe;

    impl Connector for Probe {
        fn describe() -> ConnectorInfo {
            crate::connector_info(
                "Probe",
                "1.0.0",
                "Probe",
                "Logs its calls.",
                vec![
                    crate::property("User", "User", "Required.").required(),
                    crate::property("Mode", "Mode", "Allowed values.").allowed(&["a", "b"]).default("a"),
                ],
            )
        }
        fn test(&self, config: &Config) -> crate::Result<String> {
            crate::info!("test ran");
            Ok(format!("{} {}", config.required("user")?, config.required("mode")?))
        }
        fn list_tables(&self, _config: &Config, filter: &TableFilter) -> crate::Result<Vec<TableInfo>> {
            crate::info!("list_tables ran");
            Ok([crate::table("S", "T", TableType::Table, ""), crate::table("S", "V", TableType::View, "")]
                .into_iter()
                .filter(|t| filter.matches(t))
                .collect())
        }
        fn list_columns(&self, _config: &Config, table: &str) -> crate::Result<Vec<ColumnInfo>> {
            crate::info!("list_columns ran");
            Err(ConnectorError::not_found(format!("Table `{table}` does not exist.")))
        }
        fn reset_metadata(&self, _config: &Config) -> crate::Result<()> {
            crate::info!("reset_metadata ran");
            Ok(())
        }
    }

    fn props(pairs: &[(&str, &str)]) -> Vec<Property> {
        pairs.iter().map(|(n, v)| Property { name: n.to_string(), value: v.to_string() }).collect()
    }

    #[test]
    fn describe_is_passed_through() {
        assert_eq!(describe::<Probe>().name, "Probe");
    }

    #[test]
    fn a_valid_configuration_reaches_the_connector_with_defaults() {
        take_logs();
        assert_eq!(test::<Probe>(props(&[("USER", "bob")])).expect("runs"), "bob a");
        assert_eq!(take_logs(), [(LogLevel::Info, "test ran".to_string())]);
    }

    #[test]
    fn every_call_but_describe_checks_the_configuration_first() {
        take_logs();
        for bad in [props(&[]), props(&[("User", "")]), props(&[("User", "bob"), ("Mode", "c")])] {
            let errors = [
                test::<Probe>(bad.clone()).map(drop),
                list_tables::<Probe>(bad.clone(), None, vec![]).map(drop),
                list_columns::<Probe>(bad.clone(), "T".into()).map(drop),
                reset_metadata::<Probe>(bad.clone()),
            ];
            for error in errors {
                let error = error.expect_err("refused");
                assert_eq!(error.kind, ErrorKind::InvalidConfig);
                assert!(matches!(error.property.as_deref(), Some("User" | "Mode")), "{error:?}");
            }
        }
        assert!(take_logs().is_empty(), "the connector never ran");
    }

    #[test]
    fn list_tables_gets_the_filter() {
        take_logs();
        let user = props(&[("User", "bob")]);
        let views = list_tables::<Probe>(user.clone(), Some("s".into()), vec![TableType::View]).expect("runs");
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "V");
        assert!(list_tables::<Probe>(user.clone(), Some("other".into()), vec![]).expect("runs").is_empty());
        let e = list_columns::<Probe>(user.clone(), "Nope".into()).expect_err("unknown table");
        assert_eq!(e.kind, ErrorKind::NotFound);
        reset_metadata::<Probe>(user).expect("runs");
        assert_eq!(take_logs().len(), 4);
    }

    #[cfg(not(feature = "wit-0-1"))]
    #[test]
    fn describe_reports_the_roles_and_job_methods_default_to_unsupported() {
        use bindings::syncport::connector::types::{self as wit, Roles as WitRoles};
        assert_eq!(describe::<Probe>().roles, WitRoles::empty());
        let user = props(&[("User", "bob")]);
        let request = wit::ReadRequest { table: "T".into(), columns: vec![], cursor: None, batch_size: 10 };
        let e = read::<Probe>(user.clone(), request).expect_err("not a source");
        assert_eq!(e.kind, ErrorKind::Unsupported);
        assert!(e.message.contains("Probe 1.0.0 cannot read"), "{}", e.message);
        assert_eq!(prepare::<Probe>(user.clone(), "T".into(), vec![]).expect_err("no").kind, ErrorKind::Unsupported);
        assert_eq!(finish::<Probe>(user.clone(), "T".into()).expect_err("no").kind, ErrorKind::Unsupported);
        // A malformed batch is refused before the connector's `write` runs.
        let bad = wit::Batch {
            row_count: 2,
            columns: vec![wit::ColumnData { values: wit::ColumnValues::Booleans(vec![true]), nulls: vec![] }],
        };
        assert_eq!(write::<Probe>(user, "T".into(), bad).expect_err("malformed").kind, ErrorKind::Internal);
    }

    #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
    #[test]
    fn describe_reports_the_egress_patterns() {
        assert!(describe::<Probe>().egress.is_empty(), "none declared: no network");
        let info = crate::connector_info("Web", "1.0.0", "Web", "Calls a service.", vec![])
            .egress(&["https://{Subdomain}.zendesk.com", "{BaseURL}"]);
        assert_eq!(info.egress, ["https://{Subdomain}.zendesk.com", "{BaseURL}"]);
        assert_eq!(crate::WIT_VERSION, "0.3.0");
    }

    #[cfg(all(feature = "wit-0-3", not(feature = "wit-0-1")))]
    #[test]
    fn describe_reports_the_oauth_spec() {
        use crate::{OAuthClientAuth, OAuthGrants};
        assert!(describe::<Probe>().oauth.is_none(), "none declared: no OAuth");
        let info = crate::connector_info("Web", "1.0.0", "Web", "Calls a service.", vec![]).oauth(
            crate::oauth("https://{Domain}/oauth2/authorize", "{OAuthTokenURL}")
                .scopes(&["api", "refresh_token"])
                .grants(OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::CLIENT_CREDENTIALS)
                .client_auth(OAuthClientAuth::Body)
                .properties("Id", "Secret", "Access", "Refresh", "Expires"),
        );
        let spec = info.oauth.expect("declared");
        assert_eq!(
            (spec.authorization_url.as_str(), spec.token_url.as_str()),
            ("https://{Domain}/oauth2/authorize", "{OAuthTokenURL}")
        );
        assert_eq!(spec.scopes, ["api", "refresh_token"]);
        assert_eq!(
            OAuthGrants::from(spec.grants),
            OAuthGrants { authorization_code: true, refresh_token: false, client_credentials: true }
        );
        assert_eq!(OAuthClientAuth::from(spec.client_auth), OAuthClientAuth::Body);
        let properties = [
            spec.client_id_property,
            spec.client_secret_property,
            spec.access_token_property,
            spec.refresh_token_property,
            spec.expires_at_property,
        ];
        assert_eq!(properties, ["Id", "Secret", "Access", "Refresh", "Expires"]);

        // The defaults: authorization code and refresh token, HTTP Basic,
        // the conventional property names.
        let info = crate::connector_info("Web", "1.0.0", "Web", "", vec![]).oauth(crate::oauth("{A}", "{T}"));
        let spec = info.oauth.expect("declared");
        assert!(spec.scopes.is_empty());
        assert_eq!(OAuthGrants::from(spec.grants), OAuthGrants::AUTHORIZATION_CODE | OAuthGrants::REFRESH_TOKEN);
        assert_eq!(OAuthClientAuth::from(spec.client_auth), OAuthClientAuth::Basic);
        assert_eq!(
            [spec.client_id_property, spec.client_secret_property, spec.access_token_property],
            ["OAuthClientId", "OAuthClientSecret", "OAuthAccessToken"]
        );
        assert_eq!([spec.refresh_token_property, spec.expires_at_property], ["OAuthRefreshToken", "OAuthExpiresAt"]);
    }

    #[cfg(not(feature = "wit-0-1"))]
    #[test]
    fn batches_move_to_and_from_the_wit_form_unchanged() {
        let mut b =
            crate::BatchBuilder::new(&[crate::DataType::String, crate::DataType::Binary, crate::DataType::Date]);
        b.push_row(&[crate::Value::String("a"), crate::Value::Null, crate::Value::Date(3)]).expect("fits");
        b.push_row(&[crate::Value::String("bc"), crate::Value::Bytes(b"z"), crate::Value::Date(4)]).expect("fits");
        let batch = b.finish();
        assert_eq!(jobs::from_wit(jobs::to_wit(batch.clone())), batch);
    }
}
