//! Sales Cloud objects: accounts, contacts, leads, opportunities,
//! campaigns, contracts, quotes and orders.

use super::Objects;
use super::fields::*;

/// Adds the sales objects.
pub(crate) fn add(objects: &mut Objects) {
    account(objects);
    contact(objects);
    lead(objects);
    opportunity(objects);
    opportunity_line_item(objects);
    opportunity_contact_role(objects);
    campaign(objects);
    campaign_member(objects);
    contract(objects);
    quote(objects);
    quote_line_item(objects);
    order(objects);
    order_item(objects);
}

fn account(objects: &mut Objects) {
    let columns = [
        vec![
            id("account"),
            is_deleted(),
            reference("MasterRecordId", "ID of the account this one was merged into."),
            text("Name", 255, "Name of the account.").not_null(),
            picklist("Type", "Type of account, e.g. Customer or Partner."),
            reference("RecordTypeId", "ID of the account's record type."),
            reference("ParentId", "ID of the parent account."),
        ],
        address("Billing", "billing"),
        address("Shipping", "shipping"),
        vec![
            phone("Phone", "Main phone number."),
            phone("Fax", "Fax number."),
            text("AccountNumber", 40, "Account number assigned to the account."),
            url("Website", "Web site of the account."),
            url("PhotoUrl", "Path to the account's social profile image."),
            text("Sic", 20, "Standard Industrial Classification code."),
            picklist("Industry", "Primary industry of the account."),
            currency("AnnualRevenue", "Estimated annual revenue."),
            integer("NumberOfEmployees", "Number of employees."),
            picklist("Ownership", "Ownership type, e.g. Public or Private."),
            text("TickerSymbol", 20, "Stock market symbol."),
            textarea("Description", "Text description of the account."),
            picklist("Rating", "Prospect rating, e.g. Hot, Warm or Cold."),
            text("Site", 80, "Name of the account's location."),
            owner(),
        ],
        audit(),
        vec![date("LastActivityDate", "Due date of the most recent task or event on the account.")],
        recently_viewed(),
        vec![
            text("Jigsaw", 20, "Data.com key of the account."),
            text("JigsawCompanyId", 20, "Data.com company ID."),
            picklist("AccountSource", "Source of the account record, e.g. Web or Trade Show."),
            text("SicDesc", 80, "Description of the SIC code."),
        ],
    ]
    .concat();
    objects.object("Account", "Companies and organizations you do business with.", columns);
}

fn contact(objects: &mut Objects) {
    let columns = [
        vec![
            id("contact"),
            is_deleted(),
            reference("MasterRecordId", "ID of the contact this one was merged into."),
            reference("AccountId", "ID of the contact's account."),
            text("LastName", 80, "Last name.").not_null(),
            text("FirstName", 40, "First name."),
            picklist("Salutation", "Honorific, e.g. Mr. or Dr."),
            text("Name", 121, "Full name, from salutation, first and last name.").not_null(),
        ],
        address("Other", "other"),
        address("Mailing", "mailing"),
        vec![
            phone("Phone", "Business phone number."),
            phone("Fax", "Business fax number."),
            phone("MobilePhone", "Mobile phone number."),
            phone("HomePhone", "Home phone number."),
            phone("OtherPhone", "Other phone number."),
            phone("AssistantPhone", "Assistant's phone number."),
            reference("ReportsToId", "ID of the contact this contact reports to."),
            email("Email", "Email address."),
            text("Title", 128, "Job title."),
            text("Department", 80, "Department."),
            text("AssistantName", 40, "Assistant's name."),
            picklist("LeadSource", "Source of the contact, e.g. Web or Referral."),
            date("Birthdate", "Birth date."),
            textarea("Description", "Text description of the contact."),
            owner(),
            checkbox("HasOptedOutOfEmail", "True if the contact asked not to be emailed."),
            checkbox("HasOptedOutOfFax", "True if the contact asked not to receive faxes."),
            checkbox("DoNotCall", "True if the contact asked not to be called."),
        ],
        audit(),
        vec![
            date("LastActivityDate", "Due date of the most recent task or event on the contact."),
            datetime("LastCURequestDate", "When a Stay-in-Touch request was last sent."),
            datetime("LastCUUpdateDate", "When the contact last answered a Stay-in-Touch request."),
        ],
        recently_viewed(),
        vec![
            text("EmailBouncedReason", 255, "Why the last email to the contact bounced."),
            datetime("EmailBouncedDate", "When the last email to the contact bounced."),
            checkbox("IsEmailBounced", "True if email to the contact bounced."),
            url("PhotoUrl", "Path to the contact's social profile image."),
            text("Jigsaw", 20, "Data.com key of the contact."),
        ],
    ]
    .concat();
    objects.object("Contact", "People associated with accounts.", columns);
}

fn lead(objects: &mut Objects) {
    let columns = [
        vec![
            id("lead"),
            is_deleted(),
            reference("MasterRecordId", "ID of the lead this one was merged into."),
            text("LastName", 80, "Last name.").not_null(),
            text("FirstName", 40, "First name."),
            picklist("Salutation", "Honorific, e.g. Ms. or Dr."),
            text("Name", 121, "Full name, from salutation, first and last name.").not_null(),
            text("Title", 128, "Job title."),
            text("Company", 255, "Company the lead works for.").not_null(),
        ],
        address("", "lead's"),
        vec![
            phone("Phone", "Phone number."),
            phone("MobilePhone", "Mobile phone number."),
            phone("Fax", "Fax number."),
            email("Email", "Email address."),
            url("Website", "Web site of the lead's company."),
            url("PhotoUrl", "Path to the lead's social profile image."),
            textarea("Description", "Text description of the lead."),
            picklist("LeadSource", "Source of the lead, e.g. Web or Partner."),
            picklist("Status", "Status in the lead process, e.g. Open or Qualified.").not_null(),
            picklist("Industry", "Industry of the lead's company."),
            picklist("Rating", "Rating, e.g. Hot, Warm or Cold."),
            currency("AnnualRevenue", "Annual revenue of the lead's company."),
            integer("NumberOfEmployees", "Number of employees at the lead's company."),
            owner(),
            checkbox("HasOptedOutOfEmail", "True if the lead asked not to be emailed."),
            checkbox("IsConverted", "True if the lead has been converted."),
            date("ConvertedDate", "When the lead was converted."),
            reference("ConvertedAccountId", "ID of the account created or used by the conversion."),
            reference("ConvertedContactId", "ID of the contact created by the conversion."),
            reference("ConvertedOpportunityId", "ID of the opportunity created by the conversion."),
            checkbox("IsUnreadByOwner", "True if the lead was assigned to an owner who has not viewed it."),
        ],
        audit(),
        vec![
            checkbox("HasOptedOutOfFax", "True if the lead asked not to receive faxes."),
            checkbox("DoNotCall", "True if the lead asked not to be called."),
            date("LastActivityDate", "Due date of the most recent task or event on the lead."),
        ],
        recently_viewed(),
        vec![
            text("Jigsaw", 20, "Data.com key of the lead."),
            text("EmailBouncedReason", 255, "Why the last email to the lead bounced."),
            datetime("EmailBouncedDate", "When the last email to the lead bounced."),
        ],
    ]
    .concat();
    objects.object("Lead", "Prospects who are interested in your products or services.", columns);
}

fn opportunity(objects: &mut Objects) {
    let columns = [
        vec![
            id("opportunity"),
            is_deleted(),
            reference("AccountId", "ID of the account the opportunity is for."),
            reference("RecordTypeId", "ID of the opportunity's record type."),
            checkbox("IsPrivate", "True if only the owner can see the opportunity."),
            text("Name", 120, "Name of the opportunity.").not_null(),
            textarea("Description", "Text description of the opportunity."),
            picklist("StageName", "Current sales stage, e.g. Prospecting or Closed Won.").not_null(),
            currency("Amount", "Estimated total sale amount."),
            percent("Probability", 3, 0, "Likelihood of closing, in percent."),
            currency("ExpectedRevenue", "Amount multiplied by probability."),
            number("TotalOpportunityQuantity", 18, 2, "Total quantity of the products on the opportunity."),
            date("CloseDate", "When the opportunity is expected to close.").not_null(),
            picklist("Type", "Type of opportunity, e.g. New Business."),
            text("NextStep", 255, "Next step in closing the opportunity."),
            picklist("LeadSource", "Source of the opportunity."),
            checkbox("IsClosed", "True if the stage is a closed stage."),
            checkbox("IsWon", "True if the stage is a won stage."),
            picklist("ForecastCategory", "Forecast category implied by the stage."),
            picklist("ForecastCategoryName", "Forecast category name, e.g. Pipeline or Commit."),
            reference("CampaignId", "ID of the campaign that generated the opportunity."),
            checkbox("HasOpportunityLineItem", "True if the opportunity has products."),
            reference("Pricebook2Id", "ID of the price book of the opportunity's products."),
            owner(),
        ],
        audit(),
        vec![
            date("LastActivityDate", "Due date of the most recent task or event on the opportunity."),
            integer("FiscalQuarter", "Fiscal quarter of the close date (1 to 4)."),
            integer("FiscalYear", "Fiscal year of the close date."),
            text("Fiscal", 6, "Fiscal period of the close date, e.g. 2024 3."),
            reference("ContractId", "ID of the contract the opportunity belongs to."),
        ],
        recently_viewed(),
        vec![
            checkbox("HasOpenActivity", "True if the opportunity has open tasks or events."),
            checkbox("HasOverdueTask", "True if the opportunity has overdue tasks."),
        ],
    ]
    .concat();
    objects.object("Opportunity", "Sales and pending deals.", columns);
}

fn opportunity_line_item(objects: &mut Objects) {
    let columns = [
        vec![
            id("opportunity product"),
            reference("OpportunityId", "ID of the opportunity.").not_null(),
            integer("SortOrder", "Position of the product on the opportunity."),
            reference("PricebookEntryId", "ID of the price book entry of the product."),
            reference("Product2Id", "ID of the product."),
            text("ProductCode", 255, "Product code of the product."),
            text("Name", 376, "Opportunity name and product name."),
            number("Quantity", 18, 2, "Number of units.").not_null(),
            currency("TotalPrice", "Quantity multiplied by sales price."),
            currency("UnitPrice", "Sales price per unit."),
            currency("ListPrice", "List price from the price book entry."),
            date("ServiceDate", "When the product is delivered or the service starts."),
            text("Description", 255, "Line description."),
        ],
        audit(),
        vec![is_deleted()],
        recently_viewed(),
    ]
    .concat();
    objects.object("OpportunityLineItem", "Products on opportunities (opportunity products).", columns);
}

fn opportunity_contact_role(objects: &mut Objects) {
    let columns = [
        vec![
            id("opportunity contact role"),
            reference("OpportunityId", "ID of the opportunity.").not_null(),
            reference("ContactId", "ID of the contact.").not_null(),
            picklist("Role", "Role of the contact, e.g. Decision Maker."),
            checkbox("IsPrimary", "True if the contact is the primary contact of the opportunity."),
        ],
        audit(),
        vec![is_deleted()],
    ]
    .concat();
    objects.object("OpportunityContactRole", "The part contacts play in opportunities.", columns);
}

fn campaign(objects: &mut Objects) {
    let columns = [
        vec![
            id("campaign"),
            is_deleted(),
            text("Name", 80, "Name of the campaign.").not_null(),
            reference("ParentId", "ID of the parent campaign."),
            picklist("Type", "Type of campaign, e.g. Webinar or Email."),
            picklist("Status", "Status, e.g. Planned or In Progress."),
            date("StartDate", "When the campaign starts."),
            date("EndDate", "When the campaign ends."),
            currency("ExpectedRevenue", "Revenue the campaign is expected to generate."),
            currency("BudgetedCost", "Budgeted cost."),
            currency("ActualCost", "Actual cost."),
            percent("ExpectedResponse", 10, 2, "Expected response rate, in percent."),
            number("NumberSent", 18, 0, "Number of people targeted."),
            checkbox("IsActive", "True if the campaign is active."),
            textarea("Description", "Text description of the campaign."),
            integer("NumberOfLeads", "Number of leads associated with the campaign."),
            integer("NumberOfConvertedLeads", "Number of those leads that were converted."),
            integer("NumberOfContacts", "Number of contacts associated with the campaign."),
            integer("NumberOfResponses", "Number of members who responded."),
            integer("NumberOfOpportunities", "Number of opportunities associated with the campaign."),
            integer("NumberOfWonOpportunities", "Number of those opportunities that were won."),
            currency("AmountAllOpportunities", "Total amount of the campaign's opportunities."),
            currency("AmountWonOpportunities", "Total amount of the campaign's won opportunities."),
            owner(),
        ],
        audit(),
        vec![date("LastActivityDate", "Due date of the most recent task or event on the campaign.")],
        recently_viewed(),
        vec![reference("CampaignMemberRecordTypeId", "Record type of the campaign's members.")],
    ]
    .concat();
    objects.object("Campaign", "Marketing initiatives such as advertisements, mailings and events.", columns);
}

fn campaign_member(objects: &mut Objects) {
    let columns = [
        vec![
            id("campaign member"),
            is_deleted(),
            reference("CampaignId", "ID of the campaign.").not_null(),
            reference("LeadId", "ID of the lead, if the member is a lead."),
            reference("ContactId", "ID of the contact, if the member is a contact."),
            picklist("Status", "Member status, e.g. Sent or Responded."),
            checkbox("HasResponded", "True if the status counts as a response."),
        ],
        audit(),
        vec![
            date("FirstRespondedDate", "When the member first responded."),
            picklist("Salutation", "Honorific of the lead or contact."),
            text("Name", 121, "Full name of the lead or contact."),
            text("FirstName", 40, "First name of the lead or contact."),
            text("LastName", 80, "Last name of the lead or contact."),
            text("Title", 128, "Job title of the lead or contact."),
            email("Email", "Email address of the lead or contact."),
            phone("Phone", "Phone number of the lead or contact."),
            phone("MobilePhone", "Mobile phone number of the lead or contact."),
            text("CompanyOrAccount", 255, "Company of the lead or account of the contact."),
            picklist("Type", "Lead or Contact."),
            reference("LeadOrContactId", "ID of the lead or contact."),
            reference("LeadOrContactOwnerId", "ID of the owner of the lead or contact."),
            picklist("LeadSource", "Source of the lead or contact."),
            checkbox("DoNotCall", "True if the lead or contact asked not to be called."),
            checkbox("HasOptedOutOfEmail", "True if the lead or contact asked not to be emailed."),
        ],
    ]
    .concat();
    objects.object("CampaignMember", "Leads and contacts that take part in campaigns.", columns);
}

fn contract(objects: &mut Objects) {
    let columns = [
        vec![
            id("contract"),
            reference("AccountId", "ID of the account the contract is with.").not_null(),
            reference("Pricebook2Id", "ID of the price book of the contract."),
            picklist("OwnerExpirationNotice", "Days before expiry the owner is notified."),
            date("StartDate", "When the contract starts."),
            date("EndDate", "When the contract ends."),
        ],
        address("Billing", "billing"),
        vec![
            integer("ContractTerm", "Length of the contract, in months."),
            owner(),
            picklist("Status", "Status, e.g. Draft or Activated.").not_null(),
            reference("CompanySignedId", "ID of the user who signed for your company."),
            date("CompanySignedDate", "When your company signed."),
            reference("CustomerSignedId", "ID of the contact who signed for the customer."),
            text("CustomerSignedTitle", 40, "Title of the customer's signer."),
            date("CustomerSignedDate", "When the customer signed."),
            text("SpecialTerms", 4000, "Special terms of the contract."),
            reference("ActivatedById", "ID of the user who activated the contract."),
            datetime("ActivatedDate", "When the contract was activated."),
            picklist("StatusCode", "System status: Draft, InApproval or Activated."),
            textarea("Description", "Text description of the contract."),
            is_deleted(),
            text("ContractNumber", 30, "Auto-number of the contract.").not_null(),
            datetime("LastApprovedDate", "When the contract was last approved."),
        ],
        audit(),
        vec![date("LastActivityDate", "Due date of the most recent task or event on the contract.")],
        recently_viewed(),
    ]
    .concat();
    objects.object("Contract", "Agreements with accounts.", columns);
}

fn quote(objects: &mut Objects) {
    let columns = [
        vec![id("quote"), owner(), is_deleted(), text("Name", 255, "Name of the quote.").not_null()],
        audit(),
        recently_viewed(),
        vec![
            reference("OpportunityId", "ID of the opportunity the quote is for."),
            reference("Pricebook2Id", "ID of the quote's price book."),
            reference("ContactId", "ID of the contact the quote is addressed to."),
            text("QuoteNumber", 30, "Auto-number of the quote."),
            checkbox("IsSyncing", "True if the quote syncs its line items with the opportunity."),
            currency("ShippingHandling", "Shipping and handling charges."),
            currency("Tax", "Total tax."),
            picklist("Status", "Status, e.g. Draft or Accepted."),
            date("ExpirationDate", "When the quote expires."),
            textarea("Description", "Text description of the quote."),
            currency("Subtotal", "Total of the line items before discounts."),
            currency("TotalPrice", "Total of the line items after discounts."),
            integer("LineItemCount", "Number of line items."),
            text("BillingName", 255, "Name on the billing address."),
            text("ShippingName", 255, "Name on the shipping address."),
        ],
        address("Billing", "billing"),
        address("Shipping", "shipping"),
        vec![
            email("Email", "Email address of the contact."),
            phone("Phone", "Phone number of the contact."),
            phone("Fax", "Fax number of the contact."),
            percent("Discount", 18, 2, "Average discount of the line items, in percent."),
            currency("GrandTotal", "Total price plus shipping, handling and tax."),
            reference("AccountId", "ID of the account of the opportunity."),
        ],
    ]
    .concat();
    objects.object("Quote", "Proposed prices of products and services for opportunities.", columns);
}

fn quote_line_item(objects: &mut Objects) {
    let columns = [
        vec![id("quote line item"), is_deleted(), text("LineNumber", 255, "Auto-number of the line.")],
        audit(),
        recently_viewed(),
        vec![
            reference("QuoteId", "ID of the quote.").not_null(),
            reference("PricebookEntryId", "ID of the price book entry of the product."),
            reference("OpportunityLineItemId", "ID of the opportunity product the line syncs with."),
            number("Quantity", 18, 2, "Number of units.").not_null(),
            currency("UnitPrice", "Sales price per unit."),
            percent("Discount", 18, 2, "Discount on the line, in percent."),
            text("Description", 255, "Line description."),
            date("ServiceDate", "When the product is delivered or the service starts."),
            reference("Product2Id", "ID of the product."),
            integer("SortOrder", "Position of the line on the quote."),
            currency("ListPrice", "List price from the price book entry."),
            currency("Subtotal", "Quantity multiplied by sales price."),
            currency("TotalPrice", "Subtotal after discount."),
        ],
    ]
    .concat();
    objects.object("QuoteLineItem", "Products and services on quotes.", columns);
}

fn order(objects: &mut Objects) {
    let columns = [
        vec![
            id("order"),
            owner(),
            reference("ContractId", "ID of the contract the order belongs to."),
            reference("AccountId", "ID of the account that placed the order.").not_null(),
            reference("Pricebook2Id", "ID of the order's price book."),
            reference("OriginalOrderId", "ID of the order a reduction order reduces."),
            date("EffectiveDate", "When the order takes effect.").not_null(),
            date("EndDate", "When the order ends."),
            checkbox("IsReductionOrder", "True if the order reduces another order."),
            picklist("Status", "Status, e.g. Draft or Activated.").not_null(),
            textarea("Description", "Text description of the order."),
            reference("CustomerAuthorizedById", "ID of the contact who authorized the order."),
            date("CustomerAuthorizedDate", "When the customer authorized the order."),
            reference("CompanyAuthorizedById", "ID of the user who authorized the order."),
            date("CompanyAuthorizedDate", "When your company authorized the order."),
            picklist("Type", "Type of order."),
        ],
        address("Billing", "billing"),
        address("Shipping", "shipping"),
        vec![
            text("Name", 80, "Name of the order."),
            date("PoDate", "Date of the purchase order."),
            text("PoNumber", 80, "Purchase order number."),
            text("OrderReferenceNumber", 80, "Order reference number of an external system."),
            reference("BillToContactId", "ID of the contact the order is billed to."),
            reference("ShipToContactId", "ID of the contact the order is shipped to."),
            datetime("ActivatedDate", "When the order was activated."),
            reference("ActivatedById", "ID of the user who activated the order."),
            picklist("StatusCode", "System status: Draft or Activated."),
            text("OrderNumber", 30, "Auto-number of the order.").not_null(),
            currency("TotalAmount", "Total of the order's products."),
        ],
        audit(),
        vec![is_deleted()],
        recently_viewed(),
    ]
    .concat();
    objects.object("Order", "Orders of products and services placed by accounts.", columns);
}

fn order_item(objects: &mut Objects) {
    let columns = [
        vec![
            id("order product"),
            reference("Product2Id", "ID of the product."),
            is_deleted(),
            reference("OrderId", "ID of the order.").not_null(),
            reference("PricebookEntryId", "ID of the price book entry of the product.").not_null(),
            reference("OriginalOrderItemId", "ID of the order product a reduction reduces."),
            number("AvailableQuantity", 18, 2, "Quantity left after reductions."),
            number("Quantity", 18, 2, "Number of units.").not_null(),
            currency("UnitPrice", "Sales price per unit."),
            currency("ListPrice", "List price from the price book entry."),
            currency("TotalPrice", "Quantity multiplied by unit price."),
            date("ServiceDate", "When the product is delivered or the service starts."),
            date("EndDate", "When the service ends."),
            text("Description", 255, "Line description."),
        ],
        audit(),
        vec![text("OrderItemNumber", 30, "Auto-number of the order product.").not_null()],
    ]
    .concat();
    objects.object("OrderItem", "Products on orders (order products).", columns);
}
