//! The entities this connector reads and their columns. The Accounting API
//! has no catalog endpoint, so the connector carries its own, from Intuit's
//! API reference. Conventions: a nested `XxxRef` object becomes the string
//! column `XxxRef` holding its `value` (the id); compound values such as
//! addresses become `json` columns; `MetaData.CreateTime` and
//! `MetaData.LastUpdatedTime` become `CreateTime` and `LastUpdatedTime`.

use syncport_connector_sdk::{
    self as sdk, ColumnInfo, ConnectorError, DataType, Result, TableFilter, TableInfo, TableType,
};

/// The schema every table is in.
pub const SCHEMA: &str = "QuickBooks";

/// One column: its name, type and where its value is in an entity's JSON.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The column name.
    pub name: &'static str,
    /// Its type.
    pub data_type: DataType,
    /// The path of its value in the entity's JSON object.
    pub path: &'static [&'static str],
    /// What it holds.
    pub description: &'static str,
}

/// One entity: a table named like the entity, as the query language names it.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The entity and table name, e.g. `Customer`.
    pub name: &'static str,
    /// What the table holds.
    pub description: &'static str,
    /// Its columns, `Id` (the key) first.
    pub fields: Vec<Field>,
}

impl Entity {
    /// The table's columns, numbered from 1; `Id` is the primary key.
    pub fn columns(&self) -> Vec<ColumnInfo> {
        sdk::columns(self.fields.iter().map(|f| {
            let column = sdk::column(f.name, f.data_type).describe(f.description);
            if f.name == "Id" { column.key() } else { column }
        }))
    }

    /// The fields named by `names` (any case), in that order; every field
    /// when `names` is empty. An unknown name is a `not-found` error.
    pub fn select(&self, names: &[String]) -> Result<Vec<Field>> {
        if names.is_empty() {
            return Ok(self.fields.clone());
        }
        names
            .iter()
            .map(|name| {
                self.fields
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name))
                    .copied()
                    .ok_or_else(|| ConnectorError::not_found(format!("Table `{}` has no column `{name}`.", self.name)))
            })
            .collect()
    }
}

/// The tables that match `filter`.
pub fn tables(filter: &TableFilter) -> Vec<TableInfo> {
    entities()
        .iter()
        .map(|e| sdk::table(SCHEMA, e.name, TableType::Table, e.description))
        .filter(|t| filter.matches(t))
        .collect()
}

/// The entity of `table` (`Customer` or `QuickBooks.Customer`, any case), or
/// a `not-found` error.
pub fn entity(table: &str) -> Result<Entity> {
    let name = match table.split_once('.') {
        Some((schema, name)) if schema.eq_ignore_ascii_case(SCHEMA) => name,
        Some(_) => return Err(unknown(table)),
        None => table,
    };
    entities().into_iter().find(|e| e.name.eq_ignore_ascii_case(name)).ok_or_else(|| unknown(table))
}

/// The error for a table that does not exist.
fn unknown(table: &str) -> ConnectorError {
    ConnectorError::not_found(format!("Table `{table}` does not exist in QuickBooks Online."))
}

/// A column of `data_type` read from `path`.
const fn field(
    name: &'static str,
    data_type: DataType,
    path: &'static [&'static str],
    description: &'static str,
) -> Field {
    Field { name, data_type, path, description }
}

/// The key column.
const ID: Field = field("Id", DataType::String, &["Id"], "The entity's id, unique per company.");
/// When the entity was created.
const CREATE_TIME: Field =
    field("CreateTime", DataType::TimestampTz, &["MetaData", "CreateTime"], "When it was created.");
/// When the entity last changed.
const LAST_UPDATED_TIME: Field =
    field("LastUpdatedTime", DataType::TimestampTz, &["MetaData", "LastUpdatedTime"], "When it last changed.");

/// Every entity, in name order.
pub fn entities() -> Vec<Entity> {
    use DataType::{Boolean, Date, Decimal, Json, String};
    vec![
        Entity {
            name: "Account",
            description: "The chart of accounts: what the company's money is recorded against.",
            fields: vec![
                ID,
                field("Name", String, &["Name"], "The account's name."),
                field("FullyQualifiedName", String, &["FullyQualifiedName"], "The name with its parents'."),
                field("AccountType", String, &["AccountType"], "The account type, e.g. Bank or Income."),
                field("AccountSubType", String, &["AccountSubType"], "The detail type."),
                field("Classification", String, &["Classification"], "Asset, Equity, Expense, Liability or Revenue."),
                field("CurrentBalance", Decimal, &["CurrentBalance"], "The balance, sub-accounts excluded."),
                field("Active", Boolean, &["Active"], "Whether it is in use."),
                field("SubAccount", Boolean, &["SubAccount"], "Whether it is a sub-account."),
                field("ParentRef", String, &["ParentRef", "value"], "The id of the parent account."),
                field("CurrencyRef", String, &["CurrencyRef", "value"], "The account's currency code."),
                CREATE_TIME,
                LAST_UPDATED_TIME,
            ],
        },
        Entity {
            name: "Customer",
            description: "The people and businesses that buy from the company.",
            fields: vec![
                ID,
                field("DisplayName", String, &["DisplayName"], "The name shown in lists, unique."),
                field("CompanyName", String, &["CompanyName"], "The customer's company."),
                field("GivenName", String, &["GivenName"], "The first name."),
                field("FamilyName", String, &["FamilyName"], "The last name."),
                field("PrimaryEmailAddr", String, &["PrimaryEmailAddr", "Address"], "The main email address."),
                field("Balance", Decimal, &["Balance"], "The open balance."),
                field("Active", Boolean, &["Active"], "Whether the customer is in use."),
                CREATE_TIME,
                LAST_UPDATED_TIME,
            ],
        },
        Entity {
            name: "Invoice",
            description: "Sales on credit: what customers owe.",
            fields: vec![
                ID,
                field("DocNumber", String, &["DocNumber"], "The invoice number."),
                field("TxnDate", Date, &["TxnDate"], "The invoice date."),
                field("DueDate", Date, &["DueDate"], "When payment is due."),
                field("CustomerRef", String, &["CustomerRef", "value"], "The id of the customer."),
                field("TotalAmt", Decimal, &["TotalAmt"], "The total amount."),
                field("Balance", Decimal, &["Balance"], "The amount still owed."),
                field("CurrencyRef", String, &["CurrencyRef", "value"], "The currency code."),
                field("EmailStatus", String, &["EmailStatus"], "NotSet, NeedToSend or EmailSent."),
                field("BillEmail", String, &["BillEmail", "Address"], "Where the invoice is emailed."),
                field("BillAddr", Json, &["BillAddr"], "The billing address."),
                field("ShipAddr", Json, &["ShipAddr"], "The shipping address."),
                field("Line", Json, &["Line"], "The invoice lines."),
                field("PrivateNote", String, &["PrivateNote"], "A note not shown to the customer."),
                CREATE_TIME,
                LAST_UPDATED_TIME,
            ],
        },
        Entity {
            name: "Item",
            description: "What the company sells or buys: products and services.",
            fields: vec![
                ID,
                field("Name", String, &["Name"], "The item's name."),
                field("FullyQualifiedName", String, &["FullyQualifiedName"], "The name with its parents'."),
                field("Type", String, &["Type"], "Inventory, NonInventory, Service, Group or Category."),
                field("Description", String, &["Description"], "The sales description."),
                field("Active", Boolean, &["Active"], "Whether it is in use."),
                field("Taxable", Boolean, &["Taxable"], "Whether sales of it are taxable."),
                field("UnitPrice", Decimal, &["UnitPrice"], "The sales price."),
                field("PurchaseCost", Decimal, &["PurchaseCost"], "The purchase cost."),
                field("QtyOnHand", Decimal, &["QtyOnHand"], "The quantity in stock (inventory items)."),
                field("IncomeAccountRef", String, &["IncomeAccountRef", "value"], "The id of the income account."),
                field("ExpenseAccountRef", String, &["ExpenseAccountRef", "value"], "The id of the expense account."),
                field(
                    "AssetAccountRef",
                    String,
                    &["AssetAccountRef", "value"],
                    "The id of the inventory asset account.",
                ),
                CREATE_TIME,
                LAST_UPDATED_TIME,
            ],
        },
        Entity {
            name: "Vendor",
            description: "The people and businesses the company buys from.",
            fields: vec![
                ID,
                field("DisplayName", String, &["DisplayName"], "The name shown in lists, unique."),
                field("CompanyName", String, &["CompanyName"], "The vendor's company."),
                field("GivenName", String, &["GivenName"], "The first name."),
                field("FamilyName", String, &["FamilyName"], "The last name."),
                field("PrimaryEmailAddr", String, &["PrimaryEmailAddr", "Address"], "The main email address."),
                field("PrimaryPhone", String, &["PrimaryPhone", "FreeFormNumber"], "The main phone number."),
                field("Balance", Decimal, &["Balance"], "What the company owes the vendor."),
                field("Vendor1099", Boolean, &["Vendor1099"], "Whether the vendor gets a 1099."),
                field("Active", Boolean, &["Active"], "Whether the vendor is in use."),
                field("BillAddr", Json, &["BillAddr"], "The billing address."),
                field("CurrencyRef", String, &["CurrencyRef", "value"], "The currency code."),
                CREATE_TIME,
                LAST_UPDATED_TIME,
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncport_connector_sdk::ErrorKind;

    #[test]
    fn customer_columns_are_exactly_these() {
        let columns = entity("Customer").expect("known").columns();
        let shape: Vec<_> = columns.iter().map(|c| (c.name.as_str(), c.data_type, c.ordinal)).collect();
        use DataType::*;
        assert_eq!(
            shape,
            [
                ("Id", String, 1),
                ("DisplayName", String, 2),
                ("CompanyName", String, 3),
                ("GivenName", String, 4),
                ("FamilyName", String, 5),
                ("PrimaryEmailAddr", String, 6),
                ("Balance", Decimal, 7),
                ("Active", Boolean, 8),
                ("CreateTime", TimestampTz, 9),
                ("LastUpdatedTime", TimestampTz, 10),
            ]
        );
        assert!(columns[0].primary_key && !columns[0].nullable);
        assert!(columns[1..].iter().all(|c| c.nullable && !c.primary_key));
    }

    #[test]
    fn tables_are_found_with_or_without_the_schema() {
        assert_eq!(entity("quickbooks.CUSTOMER").expect("known").name, "Customer");
        assert_eq!(entity("Vendor").expect("known").name, "Vendor");
        assert_eq!(entity("Other.Customer").expect_err("wrong schema").kind, ErrorKind::NotFound);
        assert_eq!(entity("Customers").expect_err("unknown").kind, ErrorKind::NotFound);
        let names: Vec<_> = tables(&TableFilter::new(None, vec![])).into_iter().map(|t| t.name).collect();
        assert_eq!(names, ["Account", "Customer", "Invoice", "Item", "Vendor"]);
        assert!(tables(&TableFilter::new(None, vec![TableType::View])).is_empty());
    }

    #[test]
    fn every_entity_starts_with_its_key_and_names_are_unique() {
        for e in entities() {
            assert_eq!(e.fields[0].name, "Id", "{}", e.name);
            let mut names: Vec<_> = e.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), e.fields.len(), "{}", e.name);
        }
    }

    #[test]
    fn selecting_columns_keeps_the_order_asked_for() {
        let customer = entity("Customer").expect("known");
        let picked = customer.select(&["balance".into(), "Id".into()]).expect("known columns");
        assert_eq!(picked.iter().map(|f| f.name).collect::<Vec<_>>(), ["Balance", "Id"]);
        assert_eq!(customer.select(&["Nope".into()]).expect_err("unknown").kind, ErrorKind::NotFound);
        assert_eq!(customer.select(&[]).expect("all").len(), 10);
    }
}
