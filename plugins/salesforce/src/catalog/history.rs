//! History objects: read-only records of field changes, exposed as views.

use super::Objects;
use super::fields::*;

/// Adds the history views.
pub(crate) fn add(objects: &mut Objects) {
    field_history(objects, "AccountHistory", "AccountId", "account");
    field_history(objects, "CaseHistory", "CaseId", "case");
    field_history(objects, "OpportunityFieldHistory", "OpportunityId", "opportunity");
    opportunity_history(objects);
}

/// A field history object: one row per tracked field change of `object`.
fn field_history(objects: &mut Objects, name: &str, parent: &str, object: &str) {
    let columns = vec![
        id(&format!("{object} history")),
        is_deleted(),
        reference(parent, &format!("ID of the {object} that changed.")).not_null(),
        reference("CreatedById", "ID of the user who made the change.").not_null(),
        datetime("CreatedDate", "When the change was made.").not_null(),
        picklist("Field", "API name of the changed field, or `created`.").not_null(),
        picklist("DataType", "Data type of the changed field."),
        text("OldValue", 255, "Value before the change."),
        text("NewValue", 255, "Value after the change."),
    ];
    let description = format!("Read-only history of changes to tracked {object} fields.");
    objects.view(name, &description, columns);
}

fn opportunity_history(objects: &mut Objects) {
    let columns = vec![
        id("opportunity history"),
        reference("OpportunityId", "ID of the opportunity.").not_null(),
        reference("CreatedById", "ID of the user who made the change.").not_null(),
        datetime("CreatedDate", "When the change was made.").not_null(),
        picklist("StageName", "Stage after the change.").not_null(),
        currency("Amount", "Amount after the change."),
        currency("ExpectedRevenue", "Expected revenue after the change."),
        date("CloseDate", "Close date after the change."),
        percent("Probability", 3, 0, "Probability after the change, in percent."),
        picklist("ForecastCategory", "Forecast category after the change."),
        datetime("SystemModstamp", "When a user or an automated process last changed the record.").not_null(),
        is_deleted(),
        currency("PrevAmount", "Amount before the change."),
        date("PrevCloseDate", "Close date before the change."),
    ];
    objects.view("OpportunityHistory", "Read-only history of opportunity stage, amount and close date.", columns);
}
