//! Described fields as columns: Salesforce's field types as data types.

use serde::Deserialize;
use syncport_connector_sdk::{self as sdk, ColumnInfo, DataType};

/// One field of a `describe` answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    /// The API name, e.g. `Id`.
    pub name: String,
    /// The Salesforce type, e.g. `string`, `currency`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The label, e.g. `Account ID`.
    #[serde(default)]
    pub label: String,
    /// Whether it may be null.
    #[serde(default = "yes")]
    pub nillable: bool,
    /// The maximum length of text fields.
    #[serde(default)]
    pub length: u32,
    /// The digits of numbers.
    #[serde(default)]
    pub precision: u32,
    /// The digits after the point.
    #[serde(default)]
    pub scale: u32,
}

/// serde's default for `nillable`.
fn yes() -> bool {
    true
}

/// The data type of a Salesforce field type; unknown types are text.
pub fn data_type(kind: &str) -> DataType {
    match kind {
        "boolean" => DataType::Boolean,
        "int" => DataType::Integer,
        "long" => DataType::Bigint,
        "double" => DataType::Double,
        "currency" | "percent" => DataType::Decimal,
        "date" => DataType::Date,
        "datetime" => DataType::TimestampTz,
        "time" => DataType::Time,
        "base64" => DataType::Binary,
        "address" | "location" => DataType::Json,
        // id, reference, string, picklist, multipicklist, textarea, phone,
        // url, email, combobox, encryptedstring, and anything new.
        _ => DataType::String,
    }
}

/// The columns of `fields`, numbered from 1; `Id` is the primary key.
pub fn columns(fields: &[Field]) -> Vec<ColumnInfo> {
    sdk::columns(fields.iter().map(|f| {
        let data_type = data_type(&f.kind);
        let mut column = sdk::column(&f.name, data_type);
        if !f.label.is_empty() {
            column = column.describe(&f.label);
        }
        if data_type == DataType::String && f.length > 0 {
            column = column.length(f.length);
        }
        if data_type == DataType::Decimal && f.precision > 0 {
            column = column.decimal(f.precision, f.scale);
        }
        if f.name == "Id" {
            column = column.key();
        } else if !f.nillable {
            column = column.not_null();
        }
        column
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_map_as_documented() {
        for kind in ["id", "reference", "string", "picklist", "multipicklist", "textarea", "phone", "url", "email"] {
            assert_eq!(data_type(kind), DataType::String, "{kind}");
        }
        for kind in ["combobox", "encryptedstring", "anyType", "complexvalue"] {
            assert_eq!(data_type(kind), DataType::String, "{kind}");
        }
        assert_eq!(data_type("boolean"), DataType::Boolean);
        assert_eq!(data_type("int"), DataType::Integer);
        assert_eq!(data_type("long"), DataType::Bigint);
        assert_eq!(data_type("double"), DataType::Double);
        assert_eq!((data_type("currency"), data_type("percent")), (DataType::Decimal, DataType::Decimal));
        assert_eq!(data_type("date"), DataType::Date);
        assert_eq!(data_type("datetime"), DataType::TimestampTz);
        assert_eq!(data_type("time"), DataType::Time);
        assert_eq!(data_type("base64"), DataType::Binary);
        assert_eq!((data_type("address"), data_type("location")), (DataType::Json, DataType::Json));
    }

    #[test]
    fn columns_carry_length_precision_and_key() {
        let fields: Vec<Field> = serde_json::from_str(
            r#"[{"name":"Id","type":"id","label":"Account ID","nillable":false,"length":18,"precision":0,"scale":0},
                {"name":"Name","type":"string","label":"Account Name","nillable":false,"length":255},
                {"name":"AnnualRevenue","type":"currency","label":"Annual Revenue","nillable":true,"precision":18,"scale":2}]"#,
        )
        .expect("parses");
        let c = columns(&fields);
        assert!(c[0].primary_key && !c[0].nullable && c[0].length == Some(18));
        assert_eq!(c[0].description.as_deref(), Some("Account ID"));
        assert!(!c[1].primary_key && !c[1].nullable && c[1].length == Some(255));
        assert_eq!(
            (c[2].data_type, c[2].precision, c[2].scale, c[2].nullable),
            (DataType::Decimal, Some(18), Some(2), true)
        );
        assert_eq!(c.iter().map(|c| c.ordinal).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
