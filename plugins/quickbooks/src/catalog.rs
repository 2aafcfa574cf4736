//! The QuickBooks Online tables and reports, as CData's QuickBooks Online
//! driver exposes them: one table per API entity (`Customers`, `Invoices`,
//! ...), one table per kind of transaction line (`InvoiceLineItems`, keyed by
//! `LineId` and the parent's id), and reports as read-only views.
//!
//! The catalog is fixed at build time; [`build`] makes it afresh on every call.

use syncport_connector_sdk::{self as sdk, Catalog, ColumnBuilder, TableType};

mod banking;
mod columns;
mod lists;
mod purchases;
mod reports;
mod sales;

/// The schema every table lives in.
pub const SCHEMA: &str = "QuickBooksOnline";

/// Tables that release 1.1.0 added; release 1.0.0 lacks them.
pub const ADDED_IN_1_1: [&str; 3] = ["Attachables", "Budgets", "RecurringTransactions"];

/// Builds the catalog of this release.
pub fn build() -> Catalog {
    let mut catalog = Catalog::default();
    lists::add(&mut catalog);
    sales::add(&mut catalog);
    purchases::add(&mut catalog);
    banking::add(&mut catalog);
    reports::add(&mut catalog);
    catalog
}

/// Adds a base table.
fn table(catalog: &mut Catalog, name: &str, description: &str, columns: Vec<ColumnBuilder>) {
    catalog.push(sdk::table(SCHEMA, name, TableType::Table, description), sdk::columns(columns));
}

/// Adds a read-only view (a report).
fn view(catalog: &mut Catalog, name: &str, description: &str, columns: Vec<ColumnBuilder>) {
    catalog.push(sdk::table(SCHEMA, name, TableType::View, description), sdk::columns(columns));
}
