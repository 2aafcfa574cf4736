//! Glue between the generated bindings and [`Connector`]; used by
//! [`export_connector!`](crate::export_connector) only. Not a stable API.

use crate::{ColumnInfo, Config, Connector, ConnectorError, ConnectorInfo, TableFilter, TableInfo, TableType};

/// The bindings `wit-bindgen` generates from `wit/`.
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

pub use bindings::export;
pub use bindings::exports::syncport::connector::connector::Guest;
pub use bindings::syncport::connector::types::Property;

/// `describe`, as the component exports it.
pub fn describe<C: Connector>() -> ConnectorInfo {
    C::describe()
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
}
