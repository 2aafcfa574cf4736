//! The stub org's custom objects: invoicing, projects and shipping. Their
//! API names, and those of their custom fields, end in `__c`.

use super::Objects;
use super::fields::*;

/// Adds the custom objects.
pub(crate) fn add(objects: &mut Objects) {
    invoice(objects);
    invoice_line(objects);
    project(objects);
    shipment(objects);
}

fn invoice(objects: &mut Objects) {
    let columns = [
        custom_object("invoice", true, "Invoice number (auto-number INV-{0000})."),
        vec![
            reference("Account__c", "ID of the account billed (lookup to Account).").not_null(),
            reference("Opportunity__c", "ID of the opportunity invoiced (lookup to Opportunity)."),
            date("Invoice_Date__c", "Date of the invoice.").not_null(),
            date("Due_Date__c", "When payment is due."),
            picklist("Status__c", "Draft, Sent, Paid, Overdue or Void."),
            currency("Amount__c", "Total of the lines before tax (roll-up summary)."),
            percent("Tax_Rate__c", 5, 2, "Tax rate, in percent."),
            currency("Tax_Amount__c", "Amount multiplied by tax rate (formula)."),
            currency("Total__c", "Amount plus tax (formula)."),
            currency("Balance_Due__c", "Part of the total not yet paid."),
            checkbox("Paid__c", "True once the invoice is paid in full."),
            email("Billing_Email__c", "Where the invoice is sent."),
            text("PO_Number__c", 40, "Customer's purchase order number."),
            textarea("Notes__c", "Notes printed on the invoice."),
        ],
    ]
    .concat();
    objects.object("Invoice__c", "Custom object: invoices sent to accounts.", columns);
}

fn invoice_line(objects: &mut Objects) {
    let columns = [
        custom_object("invoice line", false, "Line number (auto-number IL-{00000})."),
        vec![
            reference("Invoice__c", "ID of the invoice (master-detail to Invoice__c).").not_null(),
            reference("Product__c", "ID of the product invoiced (lookup to Product2)."),
            text("Description__c", 255, "Line description."),
            number("Quantity__c", 18, 2, "Number of units."),
            currency("Unit_Price__c", "Price per unit."),
            percent("Discount__c", 5, 2, "Discount on the line, in percent."),
            currency("Line_Total__c", "Quantity multiplied by unit price, less discount (formula)."),
        ],
    ]
    .concat();
    objects.object("Invoice_Line__c", "Custom object: lines of invoices (detail of Invoice__c).", columns);
}

fn project(objects: &mut Objects) {
    let columns = [
        custom_object("project", true, "Name of the project."),
        vec![
            reference("Account__c", "ID of the customer account (lookup to Account)."),
            reference("Opportunity__c", "ID of the opportunity that sold the project (lookup to Opportunity)."),
            reference("Project_Manager__c", "ID of the project manager (lookup to User)."),
            picklist("Status__c", "Planned, In Progress, On Hold, Completed or Cancelled."),
            picklist("Health__c", "Green, Amber or Red."),
            multipicklist("Services__c", "Services delivered, separated by semicolons, e.g. Implementation;Training."),
            date("Start_Date__c", "When the project starts."),
            date("End_Date__c", "When the project is due to end."),
            currency("Budget__c", "Approved budget."),
            currency("Actual_Cost__c", "Cost so far."),
            number("Estimated_Hours__c", 8, 2, "Estimated effort, in hours."),
            percent("Percent_Complete__c", 5, 2, "Progress, in percent."),
            checkbox("Billable__c", "True if time on the project is billed to the customer."),
            textarea("Description__c", "Scope of the project."),
        ],
    ]
    .concat();
    objects.object("Project__c", "Custom object: delivery projects for customers.", columns);
}

fn shipment(objects: &mut Objects) {
    let columns = [
        custom_object("shipment", true, "Shipment number (auto-number SHP-{0000})."),
        vec![
            reference("Account__c", "ID of the receiving account (lookup to Account).").not_null(),
            reference("Order__c", "ID of the order shipped (lookup to Order)."),
            reference("Invoice__c", "ID of the invoice of the shipment (lookup to Invoice__c)."),
            picklist("Carrier__c", "Carrier, e.g. UPS, FedEx or DHL."),
            text("Tracking_Number__c", 50, "Carrier's tracking number."),
            url("Tracking_URL__c", "Carrier's tracking page."),
            picklist("Status__c", "Pending, Shipped, In Transit, Delivered or Returned."),
            date("Ship_Date__c", "When the shipment left."),
            date("Delivery_Date__c", "When the shipment is expected or was delivered."),
            datetime("Delivered_At__c", "When the carrier confirmed delivery."),
            number("Weight_kg__c", 10, 3, "Gross weight, in kilograms."),
            currency("Shipping_Cost__c", "What the carrier charged."),
            checkbox("Signature_Required__c", "True if delivery needs a signature."),
            text("Ship_To_Street__c", 255, "Street of the delivery address."),
            text("Ship_To_City__c", 40, "City of the delivery address."),
            text("Ship_To_Postal_Code__c", 20, "Postal code of the delivery address."),
            text("Ship_To_Country__c", 80, "Country of the delivery address."),
        ],
    ]
    .concat();
    objects.object("Shipment__c", "Custom object: shipments of orders to accounts.", columns);
}
