//! Query records as typed rows.

use crate::types::{Field, data_type};
use serde_json::{Map, Value};
use syncport_connector_sdk::{Batch, BatchBuilder, ConnectorError, DataType, Result};

/// `records` as a batch of `fields`, converted per described type: a
/// missing value is null; a `time` loses Salesforce's `Z`; a `base64` field
/// (whose query value is the path of the blob, not its content) is null.
pub fn batch(object: &str, fields: &[Field], records: &[Map<String, Value>]) -> Result<Batch> {
    let types: Vec<_> = fields.iter().map(|f| data_type(&f.kind)).collect();
    let mut rows = BatchBuilder::new(&types);
    for (row, record) in records.iter().enumerate() {
        for (column, field) in fields.iter().enumerate() {
            let value = record.get(&field.name).unwrap_or(&Value::Null);
            let value = match (types[column], value) {
                (DataType::Time, Value::String(t)) => Value::String(t.trim_end_matches('Z').to_string()),
                (DataType::Binary, Value::String(path)) if path.starts_with('/') => Value::Null,
                _ => value.clone(),
            };
            rows.push_json(column, &value).map_err(|e| {
                ConnectorError::internal(format!("{object} record {} `{}`: {}", row + 1, field.name, e.message))
            })?;
        }
        rows.end_row()?;
    }
    Ok(rows.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use syncport_connector_sdk::{Value as V, format_timestamp};

    fn field(name: &str, kind: &str) -> Field {
        serde_json::from_value(json!({"name": name, "type": kind})).expect("a field")
    }

    #[test]
    fn records_convert_per_described_type() {
        let fields = [
            field("Id", "id"),
            field("CreatedDate", "datetime"),
            field("CloseDate", "date"),
            field("Amount", "currency"),
            field("IsDeleted", "boolean"),
            field("BillingAddress", "address"),
            field("NumberOfEmployees", "int"),
            field("Start__c", "time"),
            field("Body", "base64"),
        ];
        let record = json!({
            "attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001"},
            "Id": "001000000000001AAA", "CreatedDate": "2024-01-15T10:30:00.000+0000", "CloseDate": "2024-01-15",
            "Amount": 1500.25, "IsDeleted": false, "BillingAddress": {"city": "Paris"}, "NumberOfEmployees": 12,
            "Start__c": "08:15:00.000Z", "Body": "/services/data/v62.0/sobjects/Attachment/00P/Body"
        });
        let batch = batch("Account", &fields, &[record.as_object().expect("object").clone()]).expect("converts");
        let row: Vec<_> = batch.rows().next().expect("row").values().collect();
        assert_eq!(row[0], V::String("001000000000001AAA"));
        match row[1] {
            V::Timestamp(t) => assert_eq!(format_timestamp(t), "2024-01-15T10:30:00.000000Z"),
            ref other => panic!("{other:?}"),
        }
        assert_eq!(row[2], V::Date(19737));
        assert_eq!(row[3], V::Decimal("1500.25"));
        assert_eq!(row[4], V::Bool(false));
        assert_eq!(row[5], V::String(r#"{"city":"Paris"}"#));
        assert_eq!(row[6], V::Integer(12));
        assert_eq!(row[7], V::String("08:15:00.000"));
        assert_eq!(row[8], V::Null);
    }

    #[test]
    fn missing_fields_are_null_and_bad_values_name_the_field() {
        let fields = [field("Id", "id"), field("Amount", "currency")];
        let batch = batch("Opportunity", &fields, &[Map::new()]).expect("converts");
        assert!(batch.rows().next().expect("row").values().all(|v| v.is_null()));
        let bad = json!({"Amount": [1]}).as_object().expect("object").clone();
        let e = super::batch("Opportunity", &fields, &[bad]).expect_err("bad");
        assert!(e.message.starts_with("Opportunity record 1 `Amount`:"), "{}", e.message);
    }
}
