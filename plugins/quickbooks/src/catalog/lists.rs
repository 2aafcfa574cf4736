//! List entities: customers, vendors, employees, items, the chart of
//! accounts and the small lists (classes, departments, terms, tax codes, ...).

use super::columns::*;
use super::{Catalog, table};

/// Adds the list tables.
pub(super) fn add(catalog: &mut Catalog) {
    table(catalog, "Accounts", "The chart of accounts.", accounts());
    if !crate::RELEASE_1_0 {
        table(catalog, "Attachables", "Files and notes attached to transactions and lists.", attachables());
        table(catalog, "Budgets", "Budgets by account, class, department or customer.", budgets());
    }
    table(catalog, "Classes", "Classes for tracking income and expenses by segment.", classes());
    table(catalog, "CompanyInfo", "Settings and contact details of the company.", company_info());
    table(catalog, "Customers", "Customers and their sub-customers (jobs).", customers());
    table(catalog, "Departments", "Departments (locations) for tracking by location.", departments());
    table(catalog, "Employees", "Employees of the company.", employees());
    table(catalog, "Items", "Products and services the company buys and sells.", items());
    table(catalog, "PaymentMethods", "Ways customers pay, e.g. cash, check, credit card.", payment_methods());
    table(catalog, "TaxCodes", "Sales tax codes applied to lines and transactions.", tax_codes());
    table(catalog, "TaxRates", "Sales tax rates and the agencies they are paid to.", tax_rates());
    table(catalog, "Terms", "Payment terms, e.g. Net 30.", terms());
    table(catalog, "Vendors", "Vendors (suppliers) the company buys from.", vendors());
}

fn accounts() -> Cols {
    let mut c = entity("account");
    c.extend([
        string("Name", 100, "The name of the account; unique among accounts.").not_null(),
        flag("SubAccount", "Whether the account is a sub-account of another."),
    ]);
    c.extend(reference("ParentRef", "parent account"));
    c.extend([
        string("Description", 100, "The description of the account."),
        text("FullyQualifiedName", "The name including all parent accounts, separated by colons."),
        flag("Active", "Whether the account is active."),
        text("Classification", "Asset, Equity, Expense, Liability or Revenue."),
        text("AccountType", "The type of the account, e.g. Bank or Accounts Receivable."),
        text("AccountSubType", "The detail type of the account, e.g. Checking."),
        string("AcctNum", 7, "The user-defined account number."),
        money("CurrentBalance", "The balance of the account, without sub-accounts."),
        money("CurrentBalanceWithSubAccounts", "The balance of the account and its sub-accounts."),
    ]);
    c.extend(reference("CurrencyRef", "currency of the account"));
    c.extend(reference("TaxCodeRef", "default tax code of the account"));
    c
}

fn attachables() -> Cols {
    let mut c = entity("attachable");
    c.extend([
        string("FileName", 1000, "The name of the attached file."),
        string("Note", 2000, "The text of a note attachment."),
        text("Category", "The category, e.g. Document, Image or Receipt."),
        text("ContentType", "The MIME type of the file."),
        bigint("Size", "The size of the file in bytes."),
        text("AttachableRef_EntityRef_Type", "The type of the entity the file is attached to."),
        text("AttachableRef_EntityRef_Value", "The Id of the entity the file is attached to."),
        flag("AttachableRef_IncludeOnSend", "Whether the file is sent with the transaction."),
        text("FileAccessUri", "The URI to download the file with."),
        text("TempDownloadUri", "A temporary, pre-signed download URI."),
        text("ThumbnailFileAccessUri", "The URI of the thumbnail of an image."),
        text("Lat", "The latitude where the file was captured."),
        text("Long", "The longitude where the file was captured."),
        text("PlaceName", "The place where the file was captured."),
        text("Tag", "Tags of the attachment."),
    ]);
    c
}

fn budgets() -> Cols {
    let mut c = entity("budget");
    c.extend([
        text("Name", "The name of the budget.").not_null(),
        date("StartDate", "The first day of the budget period."),
        date("EndDate", "The last day of the budget period."),
        text("BudgetType", "ProfitAndLoss or BalanceSheet."),
        text("BudgetEntryType", "Monthly, Quarterly or Yearly."),
        flag("Active", "Whether the budget is active."),
        json("BudgetDetail", "The budgeted amounts per account and period."),
    ]);
    c
}

fn classes() -> Cols {
    let mut c = entity("class");
    c.extend([
        string("Name", 100, "The name of the class.").not_null(),
        flag("SubClass", "Whether the class is a subclass of another."),
    ]);
    c.extend(reference("ParentRef", "parent class"));
    c.extend([
        text("FullyQualifiedName", "The name including all parent classes, separated by colons."),
        flag("Active", "Whether the class is active."),
    ]);
    c
}

fn company_info() -> Cols {
    let mut c = entity("company");
    c.extend([
        string("CompanyName", 1024, "The name of the company."),
        string("LegalName", 1024, "The legal name of the company."),
    ]);
    c.extend(address("CompanyAddr", "company"));
    c.extend(address("LegalAddr", "legal"));
    c.extend([
        string("PrimaryPhone_FreeFormNumber", 30, "The company's phone number."),
        string("Email_Address", 100, "The company's email address."),
        string("WebAddr_URI", 1000, "The company's website."),
        date("CompanyStartDate", "The date the company started using QuickBooks."),
        text("FiscalYearStartMonth", "The first month of the fiscal year."),
        text("Country", "The country the company is registered in."),
        text("SupportedLanguages", "The languages the company uses."),
        text("DefaultTimeZone", "The company's time zone."),
        text("EmployerId", "The employer identification number."),
    ]);
    c
}

fn customers() -> Cols {
    let mut c = entity("customer");
    c.extend([string(
        "DisplayName",
        500,
        "The name shown for the customer; unique among customers, vendors and employees.",
    )
    .not_null()]);
    c.extend(person_name());
    c.extend([
        string("CompanyName", 100, "The name of the customer's company."),
        text("FullyQualifiedName", "The name including all parent customers, separated by colons."),
        string("PrintOnCheckName", 110, "The name printed on checks."),
        flag("Active", "Whether the customer is active."),
    ]);
    c.extend(contact());
    c.extend(address("BillAddr", "billing"));
    c.extend(address("ShipAddr", "shipping"));
    c.extend([
        string("Notes", 2000, "Free-form notes about the customer."),
        flag("Job", "Whether the customer is a job (a sub-customer)."),
        flag("BillWithParent", "Whether the customer is billed with its parent."),
    ]);
    c.extend(reference("ParentRef", "parent customer"));
    c.extend([integer("Level", "The depth of the customer in the hierarchy; 0 for top-level customers.")]);
    c.extend(reference("SalesTermRef", "default payment terms"));
    c.extend(reference("PaymentMethodRef", "default payment method"));
    c.extend([
        money("Balance", "The open balance of the customer."),
        date("OpenBalanceDate", "The date of the opening balance."),
        money("BalanceWithJobs", "The open balance of the customer and its jobs."),
        flag("Taxable", "Whether the customer is charged sales tax."),
    ]);
    c.extend(reference("DefaultTaxCodeRef", "default tax code"));
    c.extend(reference("CurrencyRef", "currency the customer is billed in"));
    c.extend([
        text("PreferredDeliveryMethod", "Print, Email or None."),
        string("ResaleNum", 16, "The resale number of a tax-exempt customer."),
    ]);
    c
}

fn departments() -> Cols {
    let mut c = entity("department");
    c.extend([
        string("Name", 100, "The name of the department.").not_null(),
        flag("SubDepartment", "Whether the department is a sub-department of another."),
    ]);
    c.extend(reference("ParentRef", "parent department"));
    c.extend([
        text("FullyQualifiedName", "The name including all parent departments, separated by colons."),
        flag("Active", "Whether the department is active."),
    ]);
    c
}

fn employees() -> Cols {
    let mut c = entity("employee");
    c.extend([
        string("EmployeeNumber", 100, "The number the company gives the employee."),
        string("DisplayName", 500, "The name shown for the employee.").not_null(),
    ]);
    c.extend(person_name());
    c.extend([
        string("PrintOnCheckName", 100, "The name printed on pay checks."),
        flag("Active", "Whether the employee is active."),
        string("PrimaryPhone_FreeFormNumber", 30, "The employee's phone number."),
        string("Mobile_FreeFormNumber", 30, "The employee's mobile phone number."),
        string("PrimaryEmailAddr_Address", 100, "The employee's email address."),
    ]);
    c.extend(address("PrimaryAddr", "home"));
    c.extend([
        text("SSN", "The employee's social security number, masked by QuickBooks."),
        flag("BillableTime", "Whether the employee's time is billable."),
        money("BillRate", "The hourly rate billed for the employee's time."),
        date("BirthDate", "The employee's date of birth."),
        text("Gender", "Male or Female."),
        date("HiredDate", "The date the employee was hired."),
        date("ReleasedDate", "The date the employee left."),
    ]);
    c
}

fn items() -> Cols {
    let mut c = entity("item");
    c.extend([
        string("Name", 100, "The name of the item.").not_null(),
        string("Sku", 100, "The stock-keeping unit of the item."),
        string("Description", 4000, "The description shown on sales forms."),
        flag("Active", "Whether the item is active."),
        flag("SubItem", "Whether the item is a sub-item of another."),
    ]);
    c.extend(reference("ParentRef", "parent item"));
    c.extend([
        integer("Level", "The depth of the item in the hierarchy."),
        text("FullyQualifiedName", "The name including all parent items, separated by colons."),
        text("Type", "Inventory, NonInventory, Service, Group or Category."),
        flag("Taxable", "Whether sales of the item are taxable."),
        flag("SalesTaxIncluded", "Whether the unit price includes tax."),
        quantity("UnitPrice", "The sales price of the item."),
    ]);
    c.extend(reference("IncomeAccountRef", "income account of sales"));
    c.extend([
        string("PurchaseDesc", 1000, "The description shown on purchase forms."),
        flag("PurchaseTaxIncluded", "Whether the purchase cost includes tax."),
        quantity("PurchaseCost", "The purchase cost of the item."),
    ]);
    c.extend(reference("ExpenseAccountRef", "expense account of purchases"));
    c.extend(reference("AssetAccountRef", "inventory asset account"));
    c.extend([
        flag("TrackQtyOnHand", "Whether the quantity on hand is tracked."),
        quantity("QtyOnHand", "The quantity on hand."),
        quantity("ReorderPoint", "The quantity at which to reorder."),
        date("InvStartDate", "The date the quantity on hand was first counted."),
    ]);
    c.extend(reference("SalesTaxCodeRef", "sales tax code"));
    c.extend(reference("PurchaseTaxCodeRef", "purchase tax code"));
    c.extend(reference("PrefVendorRef", "preferred vendor"));
    c
}

fn payment_methods() -> Cols {
    let mut c = entity("payment method");
    c.extend([
        string("Name", 31, "The name of the payment method.").not_null(),
        flag("Active", "Whether the payment method is active."),
        text("Type", "CREDIT_CARD or NON_CREDIT_CARD."),
    ]);
    c
}

fn tax_codes() -> Cols {
    let mut c = entity("tax code");
    c.extend([
        text("Name", "The name of the tax code.").not_null(),
        text("Description", "The description of the tax code."),
        flag("Active", "Whether the tax code is active."),
        flag("Taxable", "Whether the tax code makes a line taxable."),
        flag("TaxGroup", "Whether the tax code groups several tax rates."),
        json("SalesTaxRateList_TaxRateDetail", "The tax rates applied to sales."),
        json("PurchaseTaxRateList_TaxRateDetail", "The tax rates applied to purchases."),
    ]);
    c
}

fn tax_rates() -> Cols {
    let mut c = entity("tax rate");
    c.extend([
        text("Name", "The name of the tax rate.").not_null(),
        text("Description", "The description of the tax rate."),
        flag("Active", "Whether the tax rate is active."),
        percent("RateValue", "The rate as a percentage."),
    ]);
    c.extend(reference("AgencyRef", "tax agency the tax is paid to"));
    c.extend(reference("TaxReturnLineRef", "tax return line the tax is reported on"));
    c.extend([
        text("SpecialTaxType", "NONE, ZERO_RATE, FOREIGN_TAX, REVERSE_CHARGE or ADJUSTMENT_RATE."),
        text("DisplayType", "ReadOnly, HideInTransactionForms, HideInPrintedForms or HideInAll."),
        json("EffectiveTaxRate", "The rates in effect over time."),
    ]);
    c
}

fn terms() -> Cols {
    let mut c = entity("term");
    c.extend([
        string("Name", 31, "The name of the term, e.g. Net 30.").not_null(),
        flag("Active", "Whether the term is active."),
        text("Type", "STANDARD (due after days) or DATE_DRIVEN (due on a day of the month)."),
        percent("DiscountPercent", "The early-payment discount percentage."),
        integer("DueDays", "Days after the transaction date that payment is due."),
        integer("DiscountDays", "Days within which the discount applies."),
        integer("DayOfMonthDue", "The day of the month payment is due."),
        integer(
            "DueNextMonthDays",
            "Payment is due next month if issued fewer than this many days before DayOfMonthDue.",
        ),
        integer("DiscountDayOfMonth", "The day of the month by which the discount applies."),
    ]);
    c
}

fn vendors() -> Cols {
    let mut c = entity("vendor");
    c.extend([string(
        "DisplayName",
        500,
        "The name shown for the vendor; unique among customers, vendors and employees.",
    )
    .not_null()]);
    c.extend(person_name());
    c.extend([
        string("CompanyName", 100, "The name of the vendor's company."),
        string("PrintOnCheckName", 100, "The name printed on checks to the vendor."),
        flag("Active", "Whether the vendor is active."),
    ]);
    c.extend(contact());
    c.extend(address("BillAddr", "billing"));
    c.extend([
        string("TaxIdentifier", 20, "The vendor's tax id, masked by QuickBooks."),
        string("AcctNum", 100, "The company's account number with the vendor."),
        flag("Vendor1099", "Whether the vendor receives a 1099 form."),
    ]);
    c.extend(reference("TermRef", "default payment terms"));
    c.extend([
        money("Balance", "The open balance owed to the vendor."),
        money("BillRate", "The hourly rate of the vendor's time."),
    ]);
    c.extend(reference("CurrencyRef", "currency the vendor bills in"));
    c
}
