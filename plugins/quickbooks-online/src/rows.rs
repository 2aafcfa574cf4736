//! Pages: the cursor, and entities' JSON as typed rows.

use crate::api::MAX_RESULTS;
use crate::catalog::Field;
use serde_json::Value;
use syncport_connector_sdk::{Batch, BatchBuilder, ConnectorError, Result};

/// Where a page starts: the cursor is the 1-based start position.
pub fn start(cursor: Option<&str>) -> Result<u64> {
    match cursor {
        None => Ok(1),
        Some(c) => c
            .parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| ConnectorError::internal(format!("The cursor `{c}` is not a start position."))),
    }
}

/// The rows a page asks for: the batch size, at most the API's 1000.
pub fn page_size(batch_size: u32) -> u32 {
    batch_size.clamp(1, MAX_RESULTS)
}

/// The cursor after a page from `start` that asked for `max` rows and got
/// `got`: a full page may have a next one.
pub fn next(start: u64, max: u32, got: usize) -> Option<String> {
    (got == max as usize).then(|| (start + u64::from(max)).to_string())
}

/// `entities` as a batch of `fields`, a missing value being null.
pub fn batch(entity: &str, fields: &[Field], entities: &[Value]) -> Result<Batch> {
    let types: Vec<_> = fields.iter().map(|f| f.data_type).collect();
    let mut rows = BatchBuilder::new(&types);
    for (row, item) in entities.iter().enumerate() {
        for (column, field) in fields.iter().enumerate() {
            let value = field.path.iter().try_fold(item, |v, key| v.get(key)).unwrap_or(&Value::Null);
            rows.push_json(column, value).map_err(|e| {
                ConnectorError::internal(format!("{entity} {} `{}`: {}", row + 1, field.name, e.message))
            })?;
        }
        rows.end_row()?;
    }
    Ok(rows.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::entity;
    use serde_json::json;
    use syncport_connector_sdk::{ErrorKind, Value as V, format_timestamp};

    #[test]
    fn cursors_count_start_positions() {
        assert_eq!(start(None).expect("first"), 1);
        assert_eq!(start(Some("1001")).expect("later"), 1001);
        assert_eq!(start(Some("0")).expect_err("bad").kind, ErrorKind::Internal);
        assert_eq!(start(Some("x")).expect_err("bad").kind, ErrorKind::Internal);
        assert_eq!((page_size(0), page_size(50), page_size(5000)), (1, 50, 1000));
        assert_eq!(next(1, 2, 2).as_deref(), Some("3"));
        assert_eq!(next(3, 2, 1), None);
        assert_eq!(next(3, 2, 0), None);
    }

    #[test]
    fn customers_become_typed_rows() {
        let customer = entity("Customer").expect("known");
        let items = [
            json!({
                "Id": "58", "DisplayName": "Amy's Bird Sanctuary", "GivenName": "Amy",
                "PrimaryEmailAddr": {"Address": "amy@example.com"}, "Balance": 239.0, "Active": true,
                "MetaData": {"CreateTime": "2024-01-15T10:30:00-08:00", "LastUpdatedTime": "2024-02-01T09:00:00-08:00"}
            }),
            json!({"Id": "59"}),
        ];
        let batch = batch("Customer", &customer.fields, &items).expect("converts");
        assert_eq!(batch.row_count(), 2);
        let first: Vec<_> = batch.rows().next().expect("row").values().collect();
        assert_eq!(first[0], V::String("58"));
        assert_eq!(first[2], V::Null, "CompanyName is missing");
        assert_eq!(first[5], V::String("amy@example.com"));
        assert_eq!(first[6], V::Decimal("239"));
        assert_eq!(first[7], V::Bool(true));
        match first[8] {
            V::Timestamp(t) => assert_eq!(format_timestamp(t), "2024-01-15T18:30:00.000000Z"),
            ref other => panic!("{other:?}"),
        }
        assert!(batch.rows().nth(1).expect("row").values().skip(1).all(|v| v.is_null()));
    }

    #[test]
    fn a_value_of_another_type_names_the_column() {
        let customer = entity("Customer").expect("known");
        let e = batch("Customer", &customer.fields, &[json!({"Id": "1", "Active": "yes"})]).expect_err("bad");
        assert_eq!(e.kind, ErrorKind::Internal);
        assert!(e.message.starts_with("Customer 1 `Active`:"), "{}", e.message);
    }

    #[test]
    fn refs_and_addresses_follow_the_conventions() {
        let invoice = entity("Invoice").expect("known");
        let fields = invoice.select(&["CustomerRef".into(), "BillAddr".into(), "TxnDate".into()]).expect("known");
        let item = json!({"CustomerRef": {"value": "7", "name": "Amy"}, "BillAddr": {"City": "Oslo"}, "TxnDate": "2024-01-15"});
        let batch = batch("Invoice", &fields, &[item]).expect("converts");
        let row: Vec<_> = batch.rows().next().expect("row").values().collect();
        assert_eq!(row[0], V::String("7"));
        assert_eq!(row[1], V::String(r#"{"City":"Oslo"}"#));
        assert_eq!(row[2], V::Date(19737));
    }
}
