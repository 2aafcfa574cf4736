//! Column shapes shared by many QuickBooks Online entities.
//!
//! Lengths are the maximums the QuickBooks Online API reference documents;
//! strings without a documented maximum (ids, enumerations) have none.

use syncport_connector_sdk::{self as sdk, ColumnBuilder, DataType};

/// Columns under construction.
pub(super) type Cols = Vec<ColumnBuilder>;

/// A string column with a documented maximum length.
pub(super) fn string(name: &str, length: u32, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::String).length(length).describe(description)
}

/// A string column without a documented maximum (ids, enumerations).
pub(super) fn text(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::String).describe(description)
}

/// An amount of money: decimal(18,4).
pub(super) fn money(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Decimal).decimal(18, 4).describe(description)
}

/// A quantity or unit price, which QuickBooks keeps to 7 decimal places: decimal(18,7).
pub(super) fn quantity(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Decimal).decimal(18, 7).describe(description)
}

/// A percentage such as a tax rate: decimal(10,4).
pub(super) fn percent(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Decimal).decimal(10, 4).describe(description)
}

/// A calendar date.
pub(super) fn date(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Date).describe(description)
}

/// A date and time with its UTC offset, as QuickBooks reports them.
pub(super) fn stamp(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::TimestampTz).describe(description)
}

/// A boolean.
pub(super) fn flag(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Boolean).describe(description)
}

/// A 32-bit integer.
pub(super) fn integer(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Integer).describe(description)
}

/// A 64-bit integer.
pub(super) fn bigint(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Bigint).describe(description)
}

/// A compound value (a list of details) kept as JSON.
pub(super) fn json(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::Json).describe(description)
}

/// The string key column `name`.
pub(super) fn key(name: &str, description: &str) -> ColumnBuilder {
    sdk::column(name, DataType::String).key().describe(description)
}

/// `Id`, `SyncToken`, `MetaData_CreateTime` and `MetaData_LastUpdatedTime`,
/// which every entity has.
pub(super) fn entity(what: &str) -> Cols {
    vec![
        key("Id", &format!("The unique Id of the {what}.")),
        text("SyncToken", "The version of the record; an update must quote the latest one.").not_null(),
        stamp("MetaData_CreateTime", "When the record was created."),
        stamp("MetaData_LastUpdatedTime", "When the record was last updated."),
    ]
}

/// The entity columns plus `DocNumber`, `TxnDate` and `PrivateNote`, which
/// every transaction has.
pub(super) fn transaction(what: &str) -> Cols {
    let mut c = entity(what);
    c.extend([
        string("DocNumber", 21, "The reference number of the transaction."),
        date("TxnDate", "The date of the transaction."),
        string("PrivateNote", 4000, "A note for internal use; not shown to the customer or vendor."),
    ]);
    c
}

/// A reference to another entity: `prefix` (its Id) and `prefix_Name`.
pub(super) fn reference(prefix: &str, what: &str) -> Cols {
    vec![
        text(prefix, &format!("The Id of the {what}.")),
        text(&format!("{prefix}_Name"), &format!("The name of the {what}.")),
    ]
}

/// `CurrencyRef`, `CurrencyRef_Name` and `ExchangeRate`.
pub(super) fn currency() -> Cols {
    vec![
        string("CurrencyRef", 3, "The ISO 4217 code of the currency of the amounts."),
        text("CurrencyRef_Name", "The name of the currency."),
        sdk::column("ExchangeRate", DataType::Decimal)
            .decimal(18, 6)
            .describe("Units of the home currency per unit of the transaction currency."),
    ]
}

/// A physical address: `prefix_Id`, `prefix_Line1`..`prefix_Line5`, city,
/// region, postal code, country and coordinates.
pub(super) fn address(prefix: &str, what: &str) -> Cols {
    let col = |field: &str| format!("{prefix}_{field}");
    let mut c = vec![text(&col("Id"), &format!("The Id of the {what} address."))];
    for n in 1..=5 {
        c.push(string(&col(&format!("Line{n}")), 500, &format!("Line {n} of the {what} address.")));
    }
    c.extend([
        string(&col("City"), 255, &format!("The city of the {what} address.")),
        string(&col("CountrySubDivisionCode"), 255, &format!("The state or province of the {what} address.")),
        string(&col("PostalCode"), 30, &format!("The postal code of the {what} address.")),
        string(&col("Country"), 255, &format!("The country of the {what} address.")),
        text(&col("Lat"), &format!("The latitude of the {what} address.")),
        text(&col("Long"), &format!("The longitude of the {what} address.")),
    ]);
    c
}

/// The phone, email and web columns of a person or company.
pub(super) fn contact() -> Cols {
    vec![
        string("PrimaryPhone_FreeFormNumber", 30, "The primary phone number."),
        string("AlternatePhone_FreeFormNumber", 30, "An alternate phone number."),
        string("Mobile_FreeFormNumber", 30, "The mobile phone number."),
        string("Fax_FreeFormNumber", 30, "The fax number."),
        string("PrimaryEmailAddr_Address", 100, "The primary email address."),
        string("WebAddr_URI", 1000, "The website address."),
    ]
}

/// The name parts of a person: `Title`, `GivenName`, `MiddleName`, `FamilyName`, `Suffix`.
pub(super) fn person_name() -> Cols {
    vec![
        string("Title", 16, "The title of the person, e.g. Mr. or Dr."),
        string("GivenName", 100, "The given (first) name."),
        string("MiddleName", 100, "The middle name."),
        string("FamilyName", 100, "The family (last) name."),
        string("Suffix", 16, "The suffix of the name, e.g. Jr."),
    ]
}

/// The two keys of a line-item table: `LineId` and `parent_id` (e.g. `InvoiceId`).
pub(super) fn line_keys(parent_id: &str, parent: &str) -> Cols {
    vec![
        key("LineId", &format!("The Id of the line within its {parent}.")),
        key(parent_id, &format!("The Id of the {parent} the line belongs to.")),
    ]
}

/// `Line_LineNum`, `Line_Description`, `Line_Amount` and `Line_DetailType`.
pub(super) fn line_basics() -> Cols {
    vec![
        integer("Line_LineNum", "The position of the line in the transaction."),
        string("Line_Description", 4000, "The description of the line."),
        money("Line_Amount", "The amount of the line."),
        text("Line_DetailType", "The kind of line, e.g. SalesItemLineDetail or DiscountLineDetail."),
    ]
}

/// The sales item and discount details of a sales-form line.
pub(super) fn sales_line_details() -> Cols {
    let d = "Line_SalesItemLineDetail";
    let mut c = reference(&format!("{d}_ItemRef"), "product or service sold");
    c.extend(reference(&format!("{d}_ClassRef"), "class of the line"));
    c.extend([
        quantity(&format!("{d}_UnitPrice"), "The unit price of the item."),
        quantity(&format!("{d}_Qty"), "The quantity of the item."),
        text(&format!("{d}_TaxCodeRef"), "The Id of the sales tax code of the line."),
        date(&format!("{d}_ServiceDate"), "The date the service was performed."),
        flag("Line_DiscountLineDetail_PercentBased", "Whether the discount is a percentage."),
        percent("Line_DiscountLineDetail_DiscountPercent", "The discount percentage."),
        text("Line_DiscountLineDetail_DiscountAccountRef", "The Id of the account the discount is posted to."),
    ]);
    c
}

/// The account-based and item-based expense details of a purchase-form line.
pub(super) fn expense_line_details() -> Cols {
    let a = "Line_AccountBasedExpenseLineDetail";
    let i = "Line_ItemBasedExpenseLineDetail";
    let mut c = reference(&format!("{a}_AccountRef"), "expense account of the line");
    c.extend(reference(&format!("{a}_CustomerRef"), "customer the expense is for"));
    c.extend(reference(&format!("{a}_ClassRef"), "class of the line"));
    c.extend([
        text(&format!("{a}_BillableStatus"), "Billable, NotBillable or HasBeenBilled."),
        text(&format!("{a}_TaxCodeRef"), "The Id of the tax code of the line."),
    ]);
    c.extend(reference(&format!("{i}_ItemRef"), "item purchased"));
    c.extend(reference(&format!("{i}_CustomerRef"), "customer the item is for"));
    c.extend([
        quantity(&format!("{i}_Qty"), "The quantity purchased."),
        quantity(&format!("{i}_UnitPrice"), "The unit cost of the item."),
        text(&format!("{i}_BillableStatus"), "Billable, NotBillable or HasBeenBilled."),
        text(&format!("{i}_TaxCodeRef"), "The Id of the tax code of the line."),
    ]);
    c
}

/// `Line_LinkedTxn_TxnId` and `Line_LinkedTxn_TxnType`: the transaction a payment line settles.
pub(super) fn linked_txn(what: &str) -> Cols {
    vec![
        text("Line_LinkedTxn_TxnId", &format!("The Id of the {what} the line applies to.")),
        text("Line_LinkedTxn_TxnType", &format!("The type of the {what} the line applies to.")),
    ]
}

/// `TxnTaxDetail_TxnTaxCodeRef` and `TxnTaxDetail_TotalTax`.
pub(super) fn tax_detail() -> Cols {
    vec![
        text("TxnTaxDetail_TxnTaxCodeRef", "The Id of the transaction-level tax code."),
        money("TxnTaxDetail_TotalTax", "The total tax of the transaction."),
    ]
}
