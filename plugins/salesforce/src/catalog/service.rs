//! Service Cloud objects: cases, their comments and emails, solutions and
//! entitlements.

use super::Objects;
use super::fields::*;

/// Adds the service objects.
pub(crate) fn add(objects: &mut Objects) {
    case(objects);
    case_comment(objects);
    email_message(objects);
    solution(objects);
    entitlement(objects);
}

fn case(objects: &mut Objects) {
    let columns = [
        vec![
            id("case"),
            is_deleted(),
            reference("MasterRecordId", "ID of the case this one was merged into."),
            text("CaseNumber", 30, "Auto-number of the case.").not_null(),
            reference("ContactId", "ID of the contact who raised the case."),
            reference("AccountId", "ID of the contact's account."),
            reference("AssetId", "ID of the asset the case is about."),
            reference("ParentId", "ID of the parent case."),
            text("SuppliedName", 80, "Name given in a web-to-case or email-to-case submission."),
            email("SuppliedEmail", "Email address given in the submission."),
            phone("SuppliedPhone", "Phone number given in the submission."),
            text("SuppliedCompany", 80, "Company given in the submission."),
            picklist("Type", "Type of case, e.g. Problem or Question."),
            reference("RecordTypeId", "ID of the case's record type."),
            picklist("Status", "Status, e.g. New, Working or Closed."),
            picklist("Reason", "Reason the case was opened."),
            picklist("Origin", "Channel the case came from, e.g. Email, Phone or Web."),
            text("Subject", 255, "Subject of the case."),
            picklist("Priority", "Priority, e.g. High, Medium or Low."),
            textarea("Description", "Text description of the case."),
            checkbox("IsClosed", "True if the status is a closed status."),
            datetime("ClosedDate", "When the case was closed."),
            checkbox("IsEscalated", "True if the case has been escalated."),
            owner(),
        ],
        audit(),
        vec![
            phone("ContactPhone", "Phone number of the contact."),
            phone("ContactMobile", "Mobile phone number of the contact."),
            email("ContactEmail", "Email address of the contact."),
            phone("ContactFax", "Fax number of the contact."),
            text("Comments", 4000, "Internal comments added when the case was created."),
        ],
        recently_viewed(),
    ]
    .concat();
    objects.object("Case", "Customer issues, questions and feedback.", columns);
}

fn case_comment(objects: &mut Objects) {
    let columns = [
        vec![
            id("case comment"),
            reference("ParentId", "ID of the case.").not_null(),
            checkbox("IsPublished", "True if the comment is visible to the customer."),
            text("CommentBody", 4000, "Text of the comment."),
        ],
        audit(),
        vec![is_deleted()],
    ]
    .concat();
    objects.object("CaseComment", "Comments on cases.", columns);
}

fn email_message(objects: &mut Objects) {
    let columns = [
        vec![
            id("email message"),
            reference("ParentId", "ID of the case the email belongs to."),
            reference("ActivityId", "ID of the task that records the email."),
        ],
        audit(),
        vec![
            is_deleted(),
            textarea("TextBody", "Plain-text body."),
            textarea("HtmlBody", "HTML body."),
            textarea("Headers", "Email headers."),
            text("Subject", 3000, "Subject line."),
            text("FromName", 1000, "Display name of the sender."),
            text("FromAddress", 1000, "Email address of the sender."),
            picklist("ValidatedFromAddress", "Verified sender address used for outgoing email."),
            text("ToAddress", 4000, "Addresses of the To recipients."),
            text("CcAddress", 4000, "Addresses of the Cc recipients."),
            text("BccAddress", 4000, "Addresses of the Bcc recipients."),
            checkbox("Incoming", "True if the email was received, false if sent."),
            checkbox("HasAttachment", "True if the email has attachments."),
            picklist("Status", "Status: New, Read, Replied, Sent, Forwarded or Draft."),
            datetime("MessageDate", "When the email was sent or received."),
            reference("ReplyToEmailMessageId", "ID of the email this one replies to."),
            checkbox("IsExternallyVisible", "True if community users can see the email."),
            text("MessageIdentifier", 1000, "Message-ID header."),
            text("ThreadIdentifier", 1000, "Identifier of the email thread."),
            checkbox("IsClientManaged", "True if the email was logged from an email client."),
            reference("RelatedToId", "ID of the record the email relates to."),
            checkbox("IsTracked", "True if opens of the email are tracked."),
            checkbox("IsOpened", "True if the recipient opened the email."),
            datetime("FirstOpenedDate", "When the email was first opened."),
            datetime("LastOpenedDate", "When the email was last opened."),
            checkbox("IsBounced", "True if the email bounced."),
        ],
    ]
    .concat();
    objects.object("EmailMessage", "Emails sent and received, e.g. through email-to-case.", columns);
}

fn solution(objects: &mut Objects) {
    let columns = [
        vec![
            id("solution"),
            is_deleted(),
            text("SolutionNumber", 30, "Auto-number of the solution.").not_null(),
            text("SolutionName", 255, "Title of the solution.").not_null(),
            checkbox("IsPublished", "True if the solution is visible in the self-service portal."),
            checkbox("IsPublishedInPublicKb", "True if the solution is in the public knowledge base."),
            picklist("Status", "Status, e.g. Draft or Reviewed.").not_null(),
            checkbox("IsReviewed", "True if the status is a reviewed status."),
            textarea("SolutionNote", "Text of the solution."),
            owner(),
        ],
        audit(),
        vec![integer("TimesUsed", "Number of cases the solution is attached to.")],
        recently_viewed(),
        vec![checkbox("IsHtml", "True if the solution note is HTML.")],
    ]
    .concat();
    objects.object("Solution", "Answers to common customer questions, attached to cases.", columns);
}

fn entitlement(objects: &mut Objects) {
    let columns = [
        vec![id("entitlement"), is_deleted(), text("Name", 255, "Name of the entitlement.").not_null()],
        audit(),
        recently_viewed(),
        vec![
            reference("AccountId", "ID of the account entitled to support.").not_null(),
            picklist("Type", "Type of support, e.g. Phone Support or Web Support."),
            reference("ServiceContractId", "ID of the service contract."),
            reference("AssetId", "ID of the asset the entitlement covers."),
            date("StartDate", "When the entitlement starts."),
            date("EndDate", "When the entitlement ends."),
            reference("SlaProcessId", "ID of the entitlement process (SLA)."),
            reference("BusinessHoursId", "ID of the business hours that apply."),
            checkbox("IsPerIncident", "True if the entitlement covers a fixed number of cases."),
            integer("CasesPerEntitlement", "Number of cases covered."),
            integer("RemainingCases", "Number of cases still covered."),
            picklist("Status", "Active, Expired or Inactive."),
        ],
    ]
    .concat();
    objects.object("Entitlement", "Customer support terms: which support an account or asset is entitled to.", columns);
}
