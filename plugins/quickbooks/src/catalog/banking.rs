//! Banking and accounting transactions: deposits, transfers, journal
//! entries, time activities and (1.1.0) recurring-transaction templates.

use super::columns::*;
use super::{Catalog, table};

/// Adds the banking and accounting tables.
pub(super) fn add(catalog: &mut Catalog) {
    table(catalog, "Deposits", "Deposits of money into bank accounts.", deposits());
    table(catalog, "DepositLineItems", "The lines of deposits: payments and other funds deposited.", deposit_lines());
    table(catalog, "JournalEntries", "Journal entries: manual postings of debits and credits.", journal_entries());
    table(catalog, "JournalEntryLineItems", "The debit and credit lines of journal entries.", journal_entry_lines());
    if !crate::RELEASE_1_0 {
        table(catalog, "RecurringTransactions", "Templates that create transactions on a schedule.", recurring());
    }
    table(catalog, "TimeActivities", "Time worked by employees and vendors, billable or not.", time_activities());
    table(catalog, "Transfers", "Transfers of money between two accounts.", transfers());
}

fn deposits() -> Cols {
    let mut c = transaction("deposit");
    c.extend(reference("DepositToAccountRef", "bank account deposited to"));
    c.extend([money("TotalAmt", "The total amount deposited.")]);
    c.extend(reference("CashBack_AccountRef", "account the cash back is taken from"));
    c.extend([
        money("CashBack_Amount", "The cash kept back from the deposit."),
        string("CashBack_Memo", 4000, "A note on the cash back."),
    ]);
    c.extend(reference("DepartmentRef", "department (location)"));
    c.extend(currency());
    c.extend(tax_detail());
    c
}

fn deposit_lines() -> Cols {
    let d = "Line_DepositLineDetail";
    let mut c = line_keys("DepositId", "deposit");
    c.extend([
        string("DocNumber", 21, "The reference number of the deposit."),
        date("TxnDate", "The date of the deposit."),
    ]);
    c.extend(reference("DepositToAccountRef", "bank account deposited to"));
    c.extend(line_basics());
    c.extend(reference(&format!("{d}_AccountRef"), "account the funds come from"));
    c.extend(reference(&format!("{d}_Entity"), "customer, vendor or employee the funds come from"));
    c.extend(reference(&format!("{d}_ClassRef"), "class of the line"));
    c.extend(reference(&format!("{d}_PaymentMethodRef"), "payment method"));
    c.extend([string(&format!("{d}_CheckNum"), 21, "The check number of the funds.")]);
    c.extend(linked_txn("payment or sales receipt"));
    c
}

fn journal_entries() -> Cols {
    let mut c = transaction("journal entry");
    c.extend([
        flag("Adjustment", "Whether the entry is an adjusting entry."),
        money("TotalAmt", "The total of the debits (equal to the total of the credits)."),
        money("HomeTotalAmt", "The total in the home currency."),
    ]);
    c.extend(currency());
    c.extend(tax_detail());
    c
}

fn journal_entry_lines() -> Cols {
    let d = "Line_JournalEntryLineDetail";
    let mut c = line_keys("JournalEntryId", "journal entry");
    c.extend([
        string("DocNumber", 21, "The reference number of the journal entry."),
        date("TxnDate", "The date of the journal entry."),
    ]);
    c.extend(line_basics());
    c.extend([text(&format!("{d}_PostingType"), "Debit or Credit.")]);
    c.extend(reference(&format!("{d}_AccountRef"), "account posted to"));
    c.extend([text(&format!("{d}_Entity_Type"), "Customer, Vendor or Employee.")]);
    c.extend(reference(&format!("{d}_Entity_EntityRef"), "customer, vendor or employee of the line"));
    c.extend(reference(&format!("{d}_ClassRef"), "class of the line"));
    c.extend(reference(&format!("{d}_DepartmentRef"), "department (location) of the line"));
    c.extend([
        text(&format!("{d}_TaxCodeRef"), "The Id of the tax code of the line."),
        text(&format!("{d}_BillableStatus"), "Billable, NotBillable or HasBeenBilled."),
    ]);
    c
}

fn recurring() -> Cols {
    let s = "RecurringInfo_ScheduleInfo";
    let mut c = entity("recurring transaction");
    c.extend([
        text("TxnType", "The type of transaction the template creates, e.g. Invoice or Bill."),
        string("RecurringInfo_Name", 100, "The name of the template.").not_null(),
        text("RecurringInfo_RecurType", "Automated, Reminded or UnScheduled."),
        flag("RecurringInfo_Active", "Whether the template is active."),
        text(&format!("{s}_IntervalType"), "Daily, Weekly, Monthly or Yearly."),
        integer(&format!("{s}_NumInterval"), "Every how many intervals a transaction is created."),
        integer(&format!("{s}_DayOfMonth"), "The day of the month of monthly schedules."),
        text(&format!("{s}_DayOfWeek"), "The day of the week of weekly schedules."),
        date(&format!("{s}_StartDate"), "The date of the first transaction."),
        date(&format!("{s}_EndDate"), "The date after which no transaction is created."),
        integer(&format!("{s}_MaxOccurrences"), "How many transactions to create at most."),
        integer(&format!("{s}_RemindDays"), "Days before the date to remind the user."),
        integer(&format!("{s}_DaysBefore"), "Days before the date to create the transaction."),
        date(&format!("{s}_NextDate"), "The date of the next transaction."),
        date(&format!("{s}_PreviousDate"), "The date of the last transaction."),
    ]);
    c.extend(reference("EntityRef", "customer or vendor of the transactions"));
    c.extend([money("TotalAmt", "The total amount of each transaction.")]);
    c
}

fn time_activities() -> Cols {
    let mut c = entity("time activity");
    c.extend([date("TxnDate", "The date the time was worked."), text("NameOf", "Employee or Vendor: who worked.")]);
    c.extend(reference("EmployeeRef", "employee who worked"));
    c.extend(reference("VendorRef", "vendor who worked"));
    c.extend(reference("CustomerRef", "customer the time is for"));
    c.extend(reference("ItemRef", "service item billed"));
    c.extend(reference("ClassRef", "class of the time"));
    c.extend(reference("DepartmentRef", "department (location) of the time"));
    c.extend([
        text("BillableStatus", "Billable, NotBillable or HasBeenBilled."),
        flag("Taxable", "Whether the billed time is taxable."),
        money("HourlyRate", "The rate billed per hour."),
        money("CostRate", "The cost per hour."),
        integer("Hours", "The hours worked."),
        integer("Minutes", "The minutes worked beyond the hours."),
        integer("BreakHours", "The hours of break."),
        integer("BreakMinutes", "The minutes of break beyond the break hours."),
        stamp("StartTime", "When the work started."),
        stamp("EndTime", "When the work ended."),
        string("Description", 4000, "A description of the work."),
    ]);
    c
}

fn transfers() -> Cols {
    let mut c = entity("transfer");
    c.extend([date("TxnDate", "The date of the transfer."), string("PrivateNote", 4000, "A note for internal use.")]);
    c.extend(reference("FromAccountRef", "account the money leaves"));
    c.extend(reference("ToAccountRef", "account the money enters"));
    c.extend([money("Amount", "The amount transferred.").not_null()]);
    c.extend(currency());
    c
}
