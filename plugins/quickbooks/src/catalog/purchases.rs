//! Purchase transactions: bills and their payments, expenses (purchases),
//! purchase orders and vendor credits, each with its line items.

use super::columns::*;
use super::{Catalog, table};

/// Adds the purchase tables.
pub(super) fn add(catalog: &mut Catalog) {
    table(catalog, "Bills", "Bills: amounts owed to vendors.", bills());
    table(catalog, "BillLineItems", "The lines of bills.", lines("BillId", "bill"));
    table(catalog, "BillPayments", "Payments made to vendors against bills.", bill_payments());
    table(
        catalog,
        "BillPaymentLineItems",
        "The bills and vendor credits each bill payment settles.",
        bill_payment_lines(),
    );
    table(catalog, "Purchases", "Expenses paid at once: checks, cash and credit-card purchases.", purchases());
    table(catalog, "PurchaseLineItems", "The lines of purchases.", lines("PurchaseId", "purchase"));
    table(catalog, "PurchaseOrders", "Purchase orders sent to vendors.", purchase_orders());
    table(
        catalog,
        "PurchaseOrderLineItems",
        "The lines of purchase orders.",
        lines("PurchaseOrderId", "purchase order"),
    );
    table(catalog, "VendorCredits", "Credits received from vendors.", vendor_credits());
    table(catalog, "VendorCreditLineItems", "The lines of vendor credits.", lines("VendorCreditId", "vendor credit"));
}

/// The columns of a purchase-form line-item table.
fn lines(parent_id: &str, parent: &str) -> Cols {
    let mut c = line_keys(parent_id, parent);
    c.extend([
        string("DocNumber", 21, &format!("The reference number of the {parent}.")),
        date("TxnDate", &format!("The date of the {parent}.")),
    ]);
    c.extend(line_basics());
    c.extend(expense_line_details());
    c
}

fn bills() -> Cols {
    let mut c = transaction("bill");
    c.extend(reference("VendorRef", "vendor"));
    c.extend(address("VendorAddr", "vendor"));
    c.extend(reference("APAccountRef", "accounts-payable account"));
    c.extend(reference("SalesTermRef", "payment terms"));
    c.extend([
        date("DueDate", "The date payment is due."),
        money("TotalAmt", "The total amount of the bill."),
        money("Balance", "The amount still owed."),
        money("HomeBalance", "The amount still owed, in the home currency."),
    ]);
    c.extend(reference("DepartmentRef", "department (location)"));
    c.extend(currency());
    c.extend(tax_detail());
    c
}

fn bill_payments() -> Cols {
    let mut c = transaction("bill payment");
    c.extend(reference("VendorRef", "vendor paid"));
    c.extend([text("PayType", "Check or CreditCard.")]);
    c.extend(reference("APAccountRef", "accounts-payable account"));
    c.extend(reference("CheckPayment_BankAccountRef", "bank account a check was drawn on"));
    c.extend([text("CheckPayment_PrintStatus", "NotSet, NeedToPrint or PrintComplete.")]);
    c.extend(reference("CreditCardPayment_CCAccountRef", "credit-card account charged"));
    c.extend([money("TotalAmt", "The total amount paid.")]);
    c.extend(reference("DepartmentRef", "department (location)"));
    c.extend(currency());
    c
}

fn bill_payment_lines() -> Cols {
    let mut c = line_keys("BillPaymentId", "bill payment");
    c.extend([date("TxnDate", "The date of the bill payment.")]);
    c.extend(reference("VendorRef", "vendor paid"));
    c.extend([money("Line_Amount", "The amount applied to the linked transaction.")]);
    c.extend(linked_txn("bill or vendor credit"));
    c
}

fn purchases() -> Cols {
    let mut c = transaction("purchase");
    c.extend(reference("AccountRef", "bank or credit-card account paid from"));
    c.extend([
        text("PaymentType", "Cash, Check or CreditCard."),
        flag("Credit", "Whether a credit-card purchase is a refund (credit)."),
    ]);
    c.extend(reference("EntityRef", "payee"));
    c.extend([text("EntityRef_Type", "Vendor, Customer or Employee.")]);
    c.extend(reference("PaymentMethodRef", "payment method"));
    c.extend(address("RemitToAddr", "remit-to"));
    c.extend([
        money("TotalAmt", "The total amount paid."),
        text("PrintStatus", "NotSet, NeedToPrint or PrintComplete (checks only)."),
    ]);
    c.extend(reference("DepartmentRef", "department (location)"));
    c.extend(currency());
    c.extend(tax_detail());
    c
}

fn purchase_orders() -> Cols {
    let mut c = transaction("purchase order");
    c.extend(reference("VendorRef", "vendor"));
    c.extend(address("VendorAddr", "vendor"));
    c.extend(address("ShipAddr", "shipping"));
    c.extend(reference("APAccountRef", "accounts-payable account"));
    c.extend(reference("ClassRef", "class of the order"));
    c.extend(reference("ShipMethodRef", "shipping method"));
    c.extend([
        text("POStatus", "Open or Closed."),
        string("POEmail_Address", 100, "The email address the order is sent to."),
        date("DueDate", "The date the goods are due."),
        money("TotalAmt", "The total amount of the order."),
        string("Memo", 4000, "A message to the vendor, shown on the order."),
        text("EmailStatus", "NotSet, NeedToSend or EmailSent."),
    ]);
    c.extend(currency());
    c.extend(tax_detail());
    c
}

fn vendor_credits() -> Cols {
    let mut c = transaction("vendor credit");
    c.extend(reference("VendorRef", "vendor"));
    c.extend(reference("APAccountRef", "accounts-payable account"));
    c.extend([
        money("TotalAmt", "The total amount of the credit."),
        money("Balance", "The credit not yet applied to bills."),
    ]);
    c.extend(reference("DepartmentRef", "department (location)"));
    c.extend(currency());
    c
}
