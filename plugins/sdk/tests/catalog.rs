//! `Catalog` and the metadata builders.

use syncport_connector_sdk::{self as sdk, Catalog, ColumnInfo, DataType, ErrorKind, TableDef, TableFilter, TableType};

fn ids(name: &str) -> Vec<ColumnInfo> {
    sdk::columns([sdk::column("Id", DataType::Integer).key(), sdk::column(name, DataType::String)])
}

/// `Sales.Customers`, `Sales.Orders`, `Archive.Orders`, `Sales.Totals` (a view).
fn catalog() -> Catalog {
    let mut catalog = Catalog::new(vec![TableDef {
        info: sdk::table("Sales", "Customers", TableType::Table, "People who buy."),
        columns: ids("CustomerName"),
    }]);
    catalog.push(sdk::table("Sales", "Orders", TableType::Table, ""), ids("OrderNumber"));
    catalog.push(sdk::table("Archive", "Orders", TableType::Table, ""), ids("ArchivedOrderNumber"));
    catalog.push(sdk::table("Sales", "Totals", TableType::View, ""), ids("Total"));
    catalog
}

fn qualified(def: &TableDef) -> String {
    format!("{}.{}", def.info.schema, def.info.name)
}

#[test]
fn find_takes_plain_names_case_insensitively() {
    let catalog = catalog();
    for name in ["Customers", "customers", "CUSTOMERS", "  Customers "] {
        let found = catalog.find(name).expect(name);
        assert_eq!(qualified(found), "Sales.Customers");
    }
    // A plain name shared by two schemas finds the first in catalog order.
    assert_eq!(qualified(catalog.find("orders").expect("Orders")), "Sales.Orders");
}

#[test]
fn find_takes_schema_qualified_names_case_insensitively() {
    let catalog = catalog();
    assert_eq!(qualified(catalog.find("Sales.Customers").expect("qualified")), "Sales.Customers");
    assert_eq!(qualified(catalog.find("sales.CUSTOMERS").expect("any case")), "Sales.Customers");
    assert_eq!(qualified(catalog.find("ARCHIVE.orders").expect("second schema")), "Archive.Orders");
    assert_eq!(qualified(catalog.find("Sales.Orders").expect("first schema")), "Sales.Orders");
}

#[test]
fn find_reports_unknown_tables() {
    let catalog = catalog();
    for name in ["Nope", "Archive.Customers", "Other.Orders", "Sales.", ".Orders", ""] {
        assert!(catalog.find(name).is_none(), "{name:?} should not be found");
    }
    assert!(Catalog::default().find("Customers").is_none());
}

#[test]
fn columns_of_plain_and_qualified_names() {
    let catalog = catalog();
    let plain = catalog.columns("customers").expect("plain");
    let qualified = catalog.columns("SALES.Customers").expect("qualified");
    assert_eq!(format!("{plain:?}"), format!("{qualified:?}"));
    assert_eq!(plain[1].name, "CustomerName");
    assert_eq!(catalog.columns("archive.orders").expect("archive")[1].name, "ArchivedOrderNumber");
}

#[test]
fn columns_of_an_unknown_table_is_not_found() {
    let e = catalog().columns("Sales.Nope").expect_err("unknown");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Table `Sales.Nope` does not exist.");
    assert_eq!(e.property, None);
}

#[test]
fn tables_keep_catalog_order_and_apply_the_filter() {
    let catalog = catalog();
    let names = |filter: &TableFilter| -> Vec<String> {
        catalog.tables(filter).iter().map(|t| format!("{}.{}", t.schema, t.name)).collect()
    };
    assert_eq!(names(&TableFilter::default()), ["Sales.Customers", "Sales.Orders", "Archive.Orders", "Sales.Totals"]);
    assert_eq!(names(&TableFilter::new(Some("archive".into()), vec![])), ["Archive.Orders"]);
    assert_eq!(names(&TableFilter::new(None, vec![TableType::View])), ["Sales.Totals"]);
}

#[test]
fn columns_are_numbered_from_one_in_order() {
    let columns = sdk::columns([
        sdk::column("Id", DataType::Bigint).key(),
        sdk::column("Name", DataType::String).length(100).not_null(),
        sdk::column("Amount", DataType::Decimal).decimal(18, 2),
        sdk::column("Notes", DataType::String).describe("Free text."),
    ]);
    let ordinals: Vec<u32> = columns.iter().map(|c| c.ordinal).collect();
    assert_eq!(ordinals, [1, 2, 3, 4]);
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Id", "Name", "Amount", "Notes"]);

    let [id, name, amount, notes] = &columns[..] else { panic!("four columns") };
    assert!(id.primary_key && !id.nullable, "a key is not nullable");
    assert!(!name.primary_key && !name.nullable && name.length == Some(100));
    assert!(amount.nullable && amount.precision == Some(18) && amount.scale == Some(2));
    assert_eq!(notes.description.as_deref(), Some("Free text."));
    assert_eq!(id.description, None);

    assert!(sdk::columns([]).is_empty());
    let many = sdk::columns((0..50).map(|i| sdk::column(&format!("C{i}"), DataType::Integer)));
    assert!(many.iter().zip(1..).all(|(c, n)| c.ordinal == n && c.name == format!("C{}", n - 1)));
}

#[test]
fn table_descriptions_are_optional() {
    assert_eq!(sdk::table("S", "T", TableType::Table, "").description, None);
    assert_eq!(sdk::table("S", "T", TableType::Table, "Rows.").description.as_deref(), Some("Rows."));
}
