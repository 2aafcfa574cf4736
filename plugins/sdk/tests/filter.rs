//! `TableFilter::matches`.

use syncport_connector_sdk::{self as sdk, TableFilter, TableType};

#[test]
fn the_default_filter_matches_everything() {
    let filter = TableFilter::default();
    assert_eq!(filter.schema(), None);
    for table_type in [TableType::Table, TableType::View, TableType::Synonym] {
        assert!(filter.matches(&sdk::table("Any", "T", table_type, "")));
    }
    let empty = TableFilter::new(None, vec![]);
    assert!(empty.matches(&sdk::table("", "T", TableType::View, "")));
}

#[test]
fn schema_compares_case_insensitively() {
    let filter = TableFilter::new(Some("SALES".into()), vec![]);
    assert_eq!(filter.schema(), Some("SALES"));
    assert!(filter.matches(&sdk::table("Sales", "Orders", TableType::Table, "")));
    assert!(filter.matches(&sdk::table("sales", "Totals", TableType::View, "")));
    assert!(!filter.matches(&sdk::table("Archive", "Orders", TableType::Table, "")));
    assert!(!filter.matches(&sdk::table("Sales2", "Orders", TableType::Table, "")));
}

#[test]
fn types_keep_only_the_listed_kinds() {
    let filter = TableFilter::new(None, vec![TableType::View, TableType::Synonym]);
    assert!(!filter.matches(&sdk::table("S", "T", TableType::Table, "")));
    assert!(filter.matches(&sdk::table("S", "V", TableType::View, "")));
    assert!(filter.matches(&sdk::table("S", "Y", TableType::Synonym, "")));
}

#[test]
fn schema_and_types_must_both_match() {
    let filter = TableFilter::new(Some("Sales".into()), vec![TableType::View]);
    assert!(filter.matches(&sdk::table("sales", "V", TableType::View, "")));
    assert!(!filter.matches(&sdk::table("sales", "T", TableType::Table, "")));
    assert!(!filter.matches(&sdk::table("Other", "V", TableType::View, "")));
}
