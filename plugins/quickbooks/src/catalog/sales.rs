//! Sales transactions: invoices, estimates, sales receipts, credit memos,
//! refund receipts and customer payments, each with its line items.

use super::columns::*;
use super::{Catalog, table};

/// Adds the sales tables.
pub(super) fn add(catalog: &mut Catalog) {
    table(catalog, "CreditMemos", "Credit memos: credits given to customers.", credit_memos());
    table(catalog, "CreditMemoLineItems", "The lines of credit memos.", lines("CreditMemoId", "credit memo"));
    table(catalog, "Estimates", "Estimates (quotes) offered to customers.", estimates());
    table(catalog, "EstimateLineItems", "The lines of estimates.", lines("EstimateId", "estimate"));
    table(catalog, "Invoices", "Invoices: sales on credit, paid later.", invoices());
    table(catalog, "InvoiceLineItems", "The lines of invoices.", lines("InvoiceId", "invoice"));
    table(catalog, "Payments", "Payments received from customers.", payments());
    table(catalog, "PaymentLineItems", "The invoices and credits each customer payment settles.", payment_lines());
    table(catalog, "RefundReceipts", "Refunds paid back to customers.", refund_receipts());
    table(
        catalog,
        "RefundReceiptLineItems",
        "The lines of refund receipts.",
        lines("RefundReceiptId", "refund receipt"),
    );
    table(catalog, "SalesReceipts", "Sales paid in full at the time of sale.", sales_receipts());
    table(catalog, "SalesReceiptLineItems", "The lines of sales receipts.", lines("SalesReceiptId", "sales receipt"));
}

/// The columns every sales form (invoice, estimate, receipt, memo) has.
fn sales_form(what: &str) -> Cols {
    let mut c = transaction(what);
    c.extend(reference("CustomerRef", "customer"));
    c.extend([string("CustomerMemo", 1000, "A message to the customer, shown on the form.")]);
    c.extend(address("BillAddr", "billing"));
    c.extend(address("ShipAddr", "shipping"));
    c.extend(reference("ClassRef", "class of the transaction"));
    c.extend(reference("DepartmentRef", "department (location) of the transaction"));
    c.extend(currency());
    c.extend(tax_detail());
    c.extend([
        money("TotalAmt", "The total amount, including tax."),
        money("HomeTotalAmt", "The total amount in the home currency."),
        flag("ApplyTaxAfterDiscount", "Whether tax is computed after the discount."),
        text("PrintStatus", "NotSet, NeedToPrint or PrintComplete."),
        text("EmailStatus", "NotSet, NeedToSend or EmailSent."),
        string("BillEmail_Address", 100, "The email address the form is sent to."),
    ]);
    c
}

/// The columns of a sales-form line-item table.
fn lines(parent_id: &str, parent: &str) -> Cols {
    let mut c = line_keys(parent_id, parent);
    c.extend([
        string("DocNumber", 21, &format!("The reference number of the {parent}.")),
        date("TxnDate", &format!("The date of the {parent}.")),
    ]);
    c.extend(reference("CustomerRef", "customer"));
    c.extend(line_basics());
    c.extend(sales_line_details());
    c
}

fn credit_memos() -> Cols {
    let mut c = sales_form("credit memo");
    c.extend([
        money("RemainingCredit", "The credit not yet applied to invoices or refunded."),
        money("Balance", "The unapplied balance of the credit memo."),
    ]);
    c
}

fn estimates() -> Cols {
    let mut c = sales_form("estimate");
    c.extend([
        text("TxnStatus", "Pending, Accepted, Closed or Rejected."),
        date("ExpirationDate", "The date the estimate expires."),
        string("AcceptedBy", 100, "Who accepted the estimate."),
        date("AcceptedDate", "The date the estimate was accepted."),
        date("DueDate", "The date payment is due once invoiced."),
    ]);
    c.extend(reference("SalesTermRef", "payment terms"));
    c
}

fn invoices() -> Cols {
    let mut c = sales_form("invoice");
    c.extend([date("DueDate", "The date payment is due.")]);
    c.extend(reference("SalesTermRef", "payment terms"));
    c.extend([
        date("ShipDate", "The date the goods were shipped."),
        string("TrackingNum", 31, "The shipping tracking number."),
        money("Balance", "The amount still owed."),
        money("HomeBalance", "The amount still owed, in the home currency."),
        money("Deposit", "The deposit made towards the invoice."),
    ]);
    c.extend(reference("DepositToAccountRef", "account the deposit went to"));
    c.extend(reference("ARAccountRef", "accounts-receivable account"));
    c.extend([
        flag("AllowOnlineCreditCardPayment", "Whether the customer may pay online by credit card."),
        flag("AllowOnlineACHPayment", "Whether the customer may pay online by bank transfer."),
        json("LinkedTxn", "The estimates, payments and time charges linked to the invoice."),
    ]);
    c
}

fn payments() -> Cols {
    let mut c = entity("payment");
    c.extend([date("TxnDate", "The date of the payment."), string("PrivateNote", 4000, "A note for internal use.")]);
    c.extend(reference("CustomerRef", "paying customer"));
    c.extend([
        money("TotalAmt", "The amount received."),
        money("UnappliedAmt", "The amount not yet applied to invoices."),
        flag("ProcessPayment", "Whether the payment was processed by QuickBooks Payments."),
        string("PaymentRefNum", 21, "The reference number of the payment, e.g. a check number."),
    ]);
    c.extend(reference("PaymentMethodRef", "payment method"));
    c.extend(reference("DepositToAccountRef", "account the payment was deposited to"));
    c.extend(reference("ARAccountRef", "accounts-receivable account"));
    c.extend(currency());
    c
}

fn payment_lines() -> Cols {
    let mut c = line_keys("PaymentId", "payment");
    c.extend([date("TxnDate", "The date of the payment.")]);
    c.extend(reference("CustomerRef", "paying customer"));
    c.extend([money("Line_Amount", "The amount applied to the linked transaction.")]);
    c.extend(linked_txn("invoice or credit memo"));
    c
}

fn refund_receipts() -> Cols {
    let mut c = sales_form("refund receipt");
    c.extend([
        money("Balance", "The balance of the refund; always zero once paid."),
        string("PaymentRefNum", 21, "The reference number of the refund, e.g. a check number."),
    ]);
    c.extend(reference("PaymentMethodRef", "payment method of the refund"));
    c.extend(reference("DepositToAccountRef", "account the refund is paid from"));
    c
}

fn sales_receipts() -> Cols {
    let mut c = sales_form("sales receipt");
    c.extend([
        money("Balance", "The balance of the receipt; always zero."),
        string("PaymentRefNum", 21, "The reference number of the payment, e.g. a check number."),
    ]);
    c.extend(reference("PaymentMethodRef", "payment method"));
    c.extend(reference("DepositToAccountRef", "account the money was deposited to"));
    c.extend([
        date("ShipDate", "The date the goods were shipped."),
        string("TrackingNum", 31, "The shipping tracking number."),
    ]);
    c
}
