//! The objects the stub org exposes, all in schema `Salesforce`.
//!
//! Standard objects are grouped as Salesforce's documentation groups them
//! (sales, products, service, activities, administration), followed by the
//! org's custom objects. History objects are read-only views, and two
//! synonyms keep the labels of renamed objects (`Product`, `Pricebook`).
//! [`build`] assembles everything anew on every call.

use syncport_connector_sdk::{self as sdk, Catalog, ColumnBuilder, TableDef, TableType};

mod activities;
mod admin;
mod custom;
mod fields;
mod history;
mod products;
mod sales;
mod service;

/// The schema of every table.
pub(crate) const SCHEMA: &str = "Salesforce";

/// The synonyms: (name, the object it stands for).
const SYNONYMS: [(&str, &str); 2] = [("Product", "Product2"), ("Pricebook", "Pricebook2")];

/// The sObject behind `table` as the catalog spells it: the target of a
/// synonym, else the table itself.
pub(crate) fn api_name(table: &str) -> &str {
    SYNONYMS.iter().find(|(name, _)| *name == table).map_or(table, |(_, target)| target)
}

/// The catalog: base tables, then views, then synonyms, each sorted by name.
pub(crate) fn build() -> Catalog {
    let mut objects = Objects::default();
    sales::add(&mut objects);
    products::add(&mut objects);
    service::add(&mut objects);
    activities::add(&mut objects);
    admin::add(&mut objects);
    custom::add(&mut objects);
    history::add(&mut objects);
    for (name, target) in SYNONYMS {
        objects.synonym(name, target);
    }
    let mut tables = objects.0;
    tables.sort_by_cached_key(|t| (t.info.table_type, t.info.name.to_ascii_lowercase()));
    Catalog::new(tables)
}

/// Tables under construction.
#[derive(Default)]
pub(crate) struct Objects(Vec<TableDef>);

impl Objects {
    /// Adds a base table: a queryable, updatable sObject.
    pub(crate) fn object(&mut self, name: &str, description: &str, columns: Vec<ColumnBuilder>) {
        self.add(TableType::Table, name, description, columns);
    }

    /// Adds a view: a read-only sObject such as a field history.
    pub(crate) fn view(&mut self, name: &str, description: &str, columns: Vec<ColumnBuilder>) {
        self.add(TableType::View, name, description, columns);
    }

    /// Adds `name` as another name of `target`, with its columns. Does
    /// nothing if `target` is unknown (the unit tests make sure it is not).
    fn synonym(&mut self, name: &str, target: &str) {
        let Some(columns) = self.0.iter().find(|t| t.info.name == target).map(|t| t.columns.clone()) else {
            return;
        };
        let description = format!("Synonym of {target}, the API name of the object labelled {name}.");
        let info = sdk::table(SCHEMA, name, TableType::Synonym, &description);
        self.0.push(TableDef { info, columns });
    }

    fn add(&mut self, table_type: TableType, name: &str, description: &str, columns: Vec<ColumnBuilder>) {
        self.0
            .push(TableDef { info: sdk::table(SCHEMA, name, table_type, description), columns: sdk::columns(columns) });
    }
}
