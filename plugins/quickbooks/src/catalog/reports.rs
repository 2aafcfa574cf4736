//! Reports, as read-only views. QuickBooks Online returns a report as nested
//! rows (sections, data rows, summaries); each view flattens them into one
//! row per report row, numbered by `RowId`, with the report's period and
//! basis repeated on every row.

use super::columns::*;
use super::{Catalog, view};

/// Adds the report views.
pub(super) fn add(catalog: &mut Catalog) {
    view(
        catalog,
        "AgedPayablesReport",
        "What the company owes each vendor, by days overdue (the A/P Aging Summary).",
        aging("Vendor", "vendor"),
    );
    view(
        catalog,
        "AgedReceivablesReport",
        "What each customer owes, by days overdue (the A/R Aging Summary).",
        aging("Customer", "customer"),
    );
    view(
        catalog,
        "BalanceSheetReport",
        "Assets, liabilities and equity at the end of the period.",
        by_account("The balance of the account at the end of the period."),
    );
    view(
        catalog,
        "CashFlowReport",
        "Cash in and out by operating, investing and financing activity.",
        by_account("The net cash flow of the line over the period."),
    );
    view(catalog, "GeneralLedgerReport", "Every posting to every account, with running balances.", general_ledger());
    view(
        catalog,
        "ProfitAndLossReport",
        "Income, cost of goods sold and expenses over the period (the income statement).",
        by_account("The total of the account over the period."),
    );
    view(catalog, "TrialBalanceReport", "The debit or credit balance of every account.", trial_balance());
}

/// `RowId`, `RowType` and `Section`, which start every report row.
fn row() -> Cols {
    vec![
        integer("RowId", "The position of the row in the report, from 1.").not_null(),
        text("RowType", "Section (a header), Data (an account or transaction) or Summary (a total)."),
        text("Section", "The section of the report the row belongs to, e.g. Income or Assets."),
    ]
}

/// `ReportBasis`, `StartPeriod`, `EndPeriod` and `Currency`, which end every report row.
fn header() -> Cols {
    vec![
        text("ReportBasis", "Accrual or Cash."),
        date("StartPeriod", "The first day of the report period."),
        date("EndPeriod", "The last day of the report period."),
        string("Currency", 3, "The ISO 4217 code of the currency of the amounts."),
    ]
}

/// A summary report with one amount per account (balance sheet, profit and loss, cash flow).
fn by_account(total: &str) -> Cols {
    let mut c = row();
    c.extend([
        text("Account", "The account, or the label of a section or total."),
        text("AccountId", "The Id of the account; empty on section and total rows."),
        money("Total", total),
    ]);
    c.extend(header());
    c
}

/// An aging summary with one row per customer or vendor.
fn aging(party: &str, what: &str) -> Cols {
    let mut c = row();
    c.extend([
        text(party, &format!("The {what}, or the label of a total.")),
        text(&format!("{party}Id"), &format!("The Id of the {what}; empty on total rows.")),
        money("Current", "The amount not yet due."),
        money("Days1To30", "The amount 1 to 30 days overdue."),
        money("Days31To60", "The amount 31 to 60 days overdue."),
        money("Days61To90", "The amount 61 to 90 days overdue."),
        money("Over90Days", "The amount more than 90 days overdue."),
        money("Total", &format!("The total balance of the {what}.")),
    ]);
    c.extend(header());
    c
}

fn general_ledger() -> Cols {
    let mut c = row();
    c.extend([
        text("Account", "The account posted to."),
        text("AccountId", "The Id of the account."),
        date("TxnDate", "The date of the transaction."),
        text("TxnType", "The type of the transaction, e.g. Invoice or Bill Payment (Check)."),
        text("TxnId", "The Id of the transaction."),
        string("DocNumber", 21, "The reference number of the transaction."),
        text("Name", "The customer, vendor or employee of the transaction."),
        string("Memo", 4000, "The memo or description of the posting."),
        text("Split", "The other account(s) of the transaction."),
        money("Amount", "The amount posted; debits positive, credits negative."),
        money("Balance", "The running balance of the account."),
    ]);
    c.extend(header());
    c
}

fn trial_balance() -> Cols {
    let mut c = row();
    c.extend([
        text("Account", "The account, or the label of the total."),
        text("AccountId", "The Id of the account; empty on the total row."),
        money("Debit", "The debit balance of the account."),
        money("Credit", "The credit balance of the account."),
    ]);
    c.extend(header());
    c
}
