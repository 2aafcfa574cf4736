//! The formula of the README, row by row, and paging.

use super::*;
use syncport_connector_sdk::{column, columns, format_timestamp};

fn table() -> Vec<ColumnInfo> {
    columns([
        column("Id", DataType::Bigint).key(),        // k = 1
        column("Active", DataType::Boolean),         // 2
        column("Count", DataType::Integer),          // 3
        column("Ratio", DataType::Double),           // 4
        column("Amount", DataType::Decimal),         // 5
        column("Name", DataType::String).not_null(), // 6
        column("Key", DataType::Uuid),               // 7
        column("Doc", DataType::Json),               // 8
        column("At", DataType::Time),                // 9
        column("Blob", DataType::Binary),            // 10
        column("Day", DataType::Date),               // 11
        column("Stamp", DataType::TimestampTz),      // 12
    ])
}

fn row(r: u64) -> Vec<String> {
    let mut scratch = Scratch::default();
    table().iter().map(|c| format!("{:?}", value("Things", c, r, &mut scratch))).collect()
}

#[test]
fn the_values_follow_the_formula() {
    assert_eq!(
        row(0),
        [
            "Integer(1)",
            "Bool(true)",
            "Integer(0)",
            "Float(4.0)",
            "Decimal(\"0.00\")",
            "String(\"Things 6-0\")",
            "Null", // (0 + 7) % 7 == 0
            "String(\"{\\\"row\\\":0}\")",
            "String(\"00:00:00\")",
            "Bytes([0, 10])",
            "Date(19000)",
            "Timestamp(1700000000000000)",
        ]
    );
    assert_eq!(
        row(3661),
        [
            "Integer(3662)",
            "Bool(false)",           // 3663 odd
            "Integer(983)",          // 10983 % 1000
            "Float(1834.5)",         // 1830.5 + 4
            "Decimal(\"18305.61\")", // 18305 % 100000, 3661 % 100
            "String(\"Things 6-3661\")",
            "Null", // (3661 + 7) % 7 == 0
            "String(\"{\\\"row\\\":3661}\")",
            "String(\"01:01:01\")",
            "Bytes([77, 10])", // 3661 % 256
            "Date(19661)",
            "Timestamp(1700003661000000)",
        ]
    );
    assert_eq!(row(255)[6], "String(\"00000000-0000-0000-0007-0000000000ff\")");
    // Nulls: nullable, not key, (r + k) % 7 == 0; never in `Name` (not null) nor `Id` (key).
    let r = 5; // k = 2 and k = 9 give 7 and 14
    let nulls: Vec<usize> = row(r).iter().enumerate().filter(|(_, v)| *v == "Null").map(|(i, _)| i + 1).collect();
    assert_eq!(nulls, [2, 9]);
    assert!((0..50).all(|r| row(r)[0] != "Null" && row(r)[5] != "Null"));
    assert_eq!(format_timestamp(1_700_000_000_000_000 + 3661 * 1_000_000), "2023-11-14T23:14:21.000000Z");
}

#[test]
fn pages_follow_the_cursor() {
    let columns = table();
    let mut cursor = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = page("Things", &columns, &ReadRequest::new("Things", &[], cursor.as_deref(), 4), 10).expect("reads");
        pages += 1;
        assert_eq!(page.batch.column_count(), 12);
        page.batch.check_columns(&columns).expect("well formed");
        ids.extend(page.batch.column(0).expect("Id").iter().map(|v| format!("{v:?}")));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids, (1..=10).map(|i| format!("Integer({i})")).collect::<Vec<_>>());
    let second = page("Things", &columns, &ReadRequest::new("Things", &[], Some("4"), 4), 10).expect("reads");
    assert_eq!(second.next_cursor.as_deref(), Some("8"));
    let empty = page("Things", &columns, &ReadRequest::new("Things", &[], None, 4), 0).expect("reads");
    assert_eq!((empty.batch.row_count(), empty.next_cursor), (0, None));
}

#[test]
fn a_column_subset_comes_in_the_requested_order() {
    let page =
        page("Things", &table(), &ReadRequest::new("Things", &["name", "ID"], Some("2"), 100), 3).expect("reads");
    assert_eq!(page.batch.row_count(), 1);
    let row: Vec<Value<'_>> = page.batch.rows().next().expect("row").values().collect();
    assert_eq!(row, [Value::String("Things 6-2"), Value::Integer(3)]);
    assert_eq!(page.next_cursor, None);
}

#[test]
fn bad_requests_are_errors() {
    let e = page("Things", &table(), &ReadRequest::new("Things", &["Id", "Nope"], None, 10), 3)
        .expect_err("unknown column");
    assert_eq!(e.kind, ErrorKind::InvalidConfig);
    assert!(e.message.contains("`Nope`"), "{}", e.message);
    for cursor in ["x", "-1", "4"] {
        let e =
            page("Things", &table(), &ReadRequest::new("Things", &[], Some(cursor), 10), 3).expect_err("bad cursor");
        assert_eq!(e.kind, ErrorKind::Internal);
    }
    assert_eq!(
        page("Things", &table(), &ReadRequest::new("Things", &[], None, 0), 3).expect_err("size 0").kind,
        ErrorKind::Internal
    );
}

#[test]
fn rows_per_table_is_checked() {
    let config = |value: &str| {
        Config::new(
            [(ROWS_PER_TABLE.to_string(), value.to_string())],
            sdk::connector_info("G", "1.0.0", "G", "G", vec![rows_per_table_property()]).properties,
        )
    };
    assert_eq!(rows_per_table(&config("")).expect("default"), 1000);
    assert_eq!(rows_per_table(&config(" 25 ")).expect("set"), 25);
    assert_eq!(rows_per_table(&config("10000000")).expect("max"), 10_000_000);
    for bad in ["10000001", "-1", "1.5", "many"] {
        let e = rows_per_table(&config(bad)).expect_err(bad);
        assert_eq!(e.kind, ErrorKind::InvalidConfig);
        assert_eq!(e.property.as_deref(), Some(ROWS_PER_TABLE));
    }
}
