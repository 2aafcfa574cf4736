//! Salesforce field types as Syncport columns, and the fields most objects
//! share.
//!
//! | Salesforce type | Column |
//! |---|---|
//! | `id`, `reference` | `string(18)` |
//! | `string`, `email`, `phone`, `url`, `textarea` | `string(n)` with the field's length |
//! | long text area | `string(32000)` |
//! | `picklist`, `combobox` | `string(255)` |
//! | `multipicklist` | `string(4099)` |
//! | `currency` | `decimal(18,2)` |
//! | `percent`, `double` | `decimal(p,s)` with the field's precision and scale |
//! | `int` | `integer` |
//! | `boolean` | `boolean`, not null |
//! | `date` | `date` |
//! | `datetime` | `timestamp-tz` |
//! | `base64` | `binary(n)` |
//! | compound `address` | one column per component (`BillingStreet`, `BillingCity`, ...) |

use syncport_connector_sdk::{self as sdk, ColumnBuilder, DataType};

/// Length of Salesforce record IDs (the case-safe 18-character form).
pub(crate) const ID_LENGTH: u32 = 18;
/// Length Salesforce reports for picklists.
pub(crate) const PICKLIST_LENGTH: u32 = 255;
/// Length of multi-select picklists.
pub(crate) const MULTIPICKLIST_LENGTH: u32 = 4099;
/// Default length of long text areas.
pub(crate) const LONG_TEXT_LENGTH: u32 = 32000;

/// The record ID: the primary key of every object.
pub(crate) fn id(object: &str) -> ColumnBuilder {
    sdk::column("Id", DataType::String)
        .key()
        .length(ID_LENGTH)
        .describe(&format!("Unique 18-character ID of the {object} record."))
}

/// A lookup or master-detail field: the ID of another record.
pub(crate) fn reference(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::String).length(ID_LENGTH).describe(description)
}

/// `OwnerId`: the user or queue that owns the record.
pub(crate) fn owner() -> ColumnBuilder {
    reference("OwnerId", "ID of the user or queue that owns the record.").not_null()
}

/// A text field of `length` characters.
pub(crate) fn text(name: &str, length: u32, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::String).length(length).describe(description)
}

/// A single-select picklist (or combobox).
pub(crate) fn picklist(name: &str, description: &str) -> ColumnBuilder {
    text(name, PICKLIST_LENGTH, description)
}

/// A multi-select picklist: values separated by semicolons.
pub(crate) fn multipicklist(name: &str, description: &str) -> ColumnBuilder {
    text(name, MULTIPICKLIST_LENGTH, description)
}

/// A long text area of the default 32,000 characters.
pub(crate) fn textarea(name: &str, description: &str) -> ColumnBuilder {
    text(name, LONG_TEXT_LENGTH, description)
}

/// An email field (80 characters).
pub(crate) fn email(name: &str, description: &str) -> ColumnBuilder {
    text(name, 80, description)
}

/// A phone field (40 characters).
pub(crate) fn phone(name: &str, description: &str) -> ColumnBuilder {
    text(name, 40, description)
}

/// A URL field (255 characters).
pub(crate) fn url(name: &str, description: &str) -> ColumnBuilder {
    text(name, 255, description)
}

/// A currency field: 16 digits before the point, 2 after.
pub(crate) fn currency(name: &str, description: &str) -> ColumnBuilder {
    number(name, 18, 2, description)
}

/// A percent field with the field's precision and scale (50 means 50 %).
pub(crate) fn percent(name: &str, precision: u32, scale: u32, description: &str) -> ColumnBuilder {
    number(name, precision, scale, description)
}

/// A number (`double`) field with the field's precision and scale.
pub(crate) fn number(name: &str, precision: u32, scale: u32, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Decimal).decimal(precision, scale).describe(description)
}

/// An `int` field.
pub(crate) fn integer(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Integer).describe(description)
}

/// A checkbox: Salesforce booleans are never null.
pub(crate) fn checkbox(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Boolean).not_null().describe(description)
}

/// A date field.
pub(crate) fn date(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Date).describe(description)
}

/// A date/time field (always UTC in the API).
pub(crate) fn datetime(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::TimestampTz).describe(description)
}

/// A base64 (file body) field of at most `length` bytes.
pub(crate) fn base64(name: &str, length: u32, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Binary).length(length).describe(description)
}

/// `IsDeleted`: whether the record is in the Recycle Bin.
pub(crate) fn is_deleted() -> ColumnBuilder {
    checkbox("IsDeleted", "True if the record has been moved to the Recycle Bin.")
}

/// `CreatedDate`, `CreatedById`, `LastModifiedDate`, `LastModifiedById`
/// and `SystemModstamp`, in Salesforce's order.
pub(crate) fn audit() -> Vec<ColumnBuilder> {
    let mut fields = vec![
        datetime("CreatedDate", "When the record was created.").not_null(),
        reference("CreatedById", "ID of the user who created the record.").not_null(),
    ];
    fields.extend(modified());
    fields
}

/// `LastModifiedDate`, `LastModifiedById` and `SystemModstamp`: the audit
/// fields of setup objects without a creation stamp.
pub(crate) fn modified() -> Vec<ColumnBuilder> {
    vec![
        datetime("LastModifiedDate", "When a user last changed the record.").not_null(),
        reference("LastModifiedById", "ID of the user who last changed the record.").not_null(),
        datetime("SystemModstamp", "When a user or an automated process last changed the record.").not_null(),
    ]
}

/// `LastViewedDate` and `LastReferencedDate`.
pub(crate) fn recently_viewed() -> Vec<ColumnBuilder> {
    vec![
        datetime("LastViewedDate", "When the current user last viewed the record."),
        datetime("LastReferencedDate", "When the current user last viewed the record or a related one."),
    ]
}

/// The components of a compound address field, named `{prefix}Street`,
/// `{prefix}City`, ... (`Street`, `City`, ... when `prefix` is empty).
/// `label` names the address in descriptions, e.g. "billing".
pub(crate) fn address(prefix: &str, label: &str) -> Vec<ColumnBuilder> {
    let field = |part: &str| format!("{prefix}{part}");
    vec![
        text(&field("Street"), 255, &format!("Street of the {label} address.")),
        text(&field("City"), 40, &format!("City of the {label} address.")),
        text(&field("State"), 80, &format!("State or province of the {label} address.")),
        text(&field("PostalCode"), 20, &format!("Postal code of the {label} address.")),
        text(&field("Country"), 80, &format!("Country of the {label} address.")),
        number(&field("Latitude"), 18, 15, &format!("Latitude of the {label} address.")),
        number(&field("Longitude"), 18, 15, &format!("Longitude of the {label} address.")),
        picklist(&field("GeocodeAccuracy"), &format!("How precisely the {label} address was geocoded.")),
    ]
}

/// The fields every custom object has, before its custom fields: `Id`,
/// `OwnerId` (unless it is the detail side of a master-detail
/// relationship), `IsDeleted`, `Name`, the audit fields and the
/// recently-viewed fields.
pub(crate) fn custom_object(object: &str, owned: bool, name_description: &str) -> Vec<ColumnBuilder> {
    let mut fields = vec![id(object)];
    if owned {
        fields.push(owner());
    }
    fields.push(is_deleted());
    fields.push(text("Name", 80, name_description).not_null());
    fields.extend(audit());
    if owned {
        fields.push(date("LastActivityDate", "Due date of the most recent task or event on the record."));
    }
    fields.extend(recently_viewed());
    fields
}
