//! Setup objects: users, profiles, roles, groups, record types and the
//! organization itself.

use super::Objects;
use super::fields::*;

/// Adds the administration objects.
pub(crate) fn add(objects: &mut Objects) {
    user(objects);
    profile(objects);
    user_role(objects);
    group(objects);
    record_type(objects);
    organization(objects);
}

fn user(objects: &mut Objects) {
    let columns = [
        vec![
            id("user"),
            text("Username", 80, "Login name, in the form of an email address.").not_null(),
            text("LastName", 80, "Last name.").not_null(),
            text("FirstName", 40, "First name."),
            text("MiddleName", 40, "Middle name."),
            text("Suffix", 40, "Name suffix."),
            text("Name", 121, "Full name.").not_null(),
            text("CompanyName", 80, "Company the user works for."),
            text("Division", 80, "Division."),
            text("Department", 80, "Department."),
            text("Title", 80, "Job title."),
        ],
        address("", "user's"),
        vec![
            email("Email", "Email address.").length(128).not_null(),
            checkbox("EmailPreferencesAutoBcc", "True if the user gets a Bcc of the emails they send."),
            email("SenderEmail", "Reply-to address of emails the user sends."),
            text("SenderName", 80, "Sender name of emails the user sends."),
            text("Signature", 1333, "Email signature."),
            phone("Phone", "Phone number."),
            phone("Fax", "Fax number."),
            phone("MobilePhone", "Mobile phone number."),
            text("Alias", 8, "Short name shown in lists.").not_null(),
            text("CommunityNickname", 40, "Name shown in communities.").not_null(),
            text("BadgeText", 80, "Badge shown next to the user's name in communities."),
            checkbox("IsActive", "True if the user can log in."),
            picklist("TimeZoneSidKey", "Time zone, e.g. America/Los_Angeles.").not_null(),
            reference("UserRoleId", "ID of the user's role."),
            picklist("LocaleSidKey", "Locale for dates and numbers, e.g. en_US.").not_null(),
            checkbox("ReceivesInfoEmails", "True if the user receives Salesforce information emails."),
            picklist("EmailEncodingKey", "Character set of outgoing email, e.g. UTF-8.").not_null(),
            reference("ProfileId", "ID of the user's profile.").not_null(),
            picklist("UserType", "License category, e.g. Standard or PowerPartner."),
            picklist("LanguageLocaleKey", "Language of the user interface, e.g. en_US.").not_null(),
            text("EmployeeNumber", 20, "Employee number."),
            reference("DelegatedApproverId", "ID of the user or group who approves on this user's behalf."),
            reference("ManagerId", "ID of the user's manager."),
            datetime("LastLoginDate", "When the user last logged in."),
            datetime("LastPasswordChangeDate", "When the user's password last changed."),
        ],
        audit(),
        vec![
            text("FederationIdentifier", 512, "Identifier used for single sign-on."),
            text("AboutMe", 1000, "About the user."),
            url("FullPhotoUrl", "URL of the user's profile photo.").length(1024),
            url("SmallPhotoUrl", "URL of the thumbnail of the user's profile photo.").length(1024),
            reference("ContactId", "ID of the contact of a portal or community user."),
            reference("AccountId", "ID of the account of a portal or community user."),
            reference("CallCenterId", "ID of the user's call center."),
        ],
        recently_viewed(),
    ]
    .concat();
    objects.object("User", "People who log in to the org.", columns);
}

fn profile(objects: &mut Objects) {
    let columns = [
        vec![
            id("profile"),
            text("Name", 255, "Name of the profile.").not_null(),
            checkbox("PermissionsApiEnabled", "Users can access the API."),
            checkbox("PermissionsModifyAllData", "Users can create, edit and delete all data."),
            checkbox("PermissionsViewAllData", "Users can view all data."),
            checkbox("PermissionsViewSetup", "Users can view setup and configuration."),
            checkbox("PermissionsManageUsers", "Users can manage users."),
            checkbox("PermissionsCustomizeApplication", "Users can customize the application."),
            checkbox("PermissionsRunReports", "Users can run reports."),
            checkbox("PermissionsExportReport", "Users can export reports."),
            checkbox("PermissionsEditTask", "Users can edit tasks."),
            checkbox("PermissionsEditEvent", "Users can edit events."),
            checkbox("PermissionsConvertLeads", "Users can convert leads."),
            checkbox("PermissionsTransferAnyEntity", "Users can transfer record ownership."),
            reference("UserLicenseId", "ID of the user license the profile belongs to.").not_null(),
            picklist("UserType", "License category, e.g. Standard."),
        ],
        audit(),
        vec![text("Description", 255, "Description of the profile.")],
        recently_viewed(),
    ]
    .concat();
    objects.object("Profile", "Profiles: what users may see and do.", columns);
}

fn user_role(objects: &mut Objects) {
    let columns = [
        vec![
            id("role"),
            text("Name", 80, "Name of the role.").not_null(),
            reference("ParentRoleId", "ID of the role above this one."),
            text("RollupDescription", 80, "Description used in forecast rollups."),
            picklist(
                "OpportunityAccessForAccountOwner",
                "Access the account owner gets to the account's opportunities.",
            )
            .not_null(),
            picklist("CaseAccessForAccountOwner", "Access the account owner gets to the account's cases."),
            picklist("ContactAccessForAccountOwner", "Access the account owner gets to the account's contacts."),
            reference("ForecastUserId", "ID of the forecast manager of the role."),
            checkbox("MayForecastManagerShare", "True if the forecast manager may share the forecast."),
        ],
        modified(),
        vec![
            text("DeveloperName", 80, "Unique API name of the role."),
            reference("PortalAccountId", "ID of the account of a portal role."),
            picklist("PortalType", "Kind of portal: None, CustomerPortal or Partner."),
            reference("PortalAccountOwnerId", "ID of the owner of the portal account."),
        ],
    ]
    .concat();
    objects.object("UserRole", "Roles in the org's role hierarchy.", columns);
}

fn group(objects: &mut Objects) {
    let columns = [
        vec![
            id("group"),
            text("Name", 40, "Name of the group or queue."),
            text("DeveloperName", 80, "Unique API name of the group."),
            reference("RelatedId", "ID of the role or user the group stands for, if any."),
            picklist("Type", "Kind of group, e.g. Regular, Queue or Role.").not_null(),
            email("Email", "Email address of a queue.").length(255),
            owner(),
            checkbox("DoesSendEmailToMembers", "True if queue members get email when records are assigned."),
            checkbox("DoesIncludeBosses", "True if managers get access to the members' records."),
        ],
        audit(),
    ]
    .concat();
    objects.object("Group", "Public groups, queues and system groups of users.", columns);
}

fn record_type(objects: &mut Objects) {
    let columns = [
        vec![
            id("record type"),
            text("Name", 80, "Label of the record type.").not_null(),
            text("DeveloperName", 80, "Unique API name of the record type.").not_null(),
            text("NamespacePrefix", 15, "Namespace of the package the record type comes from."),
            text("Description", 255, "Description of the record type."),
            reference("BusinessProcessId", "ID of the sales, support or lead process it uses."),
            picklist("SobjectType", "Object the record type belongs to, e.g. Account.").not_null(),
            checkbox("IsActive", "True if the record type can be used."),
        ],
        audit(),
    ]
    .concat();
    objects.object("RecordType", "Record types: different processes and layouts for one object.", columns);
}

fn organization(objects: &mut Objects) {
    let columns = [
        vec![
            id("organization"),
            text("Name", 80, "Name of the company.").not_null(),
            text("Division", 80, "Division."),
        ],
        address("", "company's"),
        vec![
            phone("Phone", "Main phone number."),
            phone("Fax", "Fax number."),
            text("PrimaryContact", 80, "Name of the primary contact."),
            picklist("DefaultLocaleSidKey", "Default locale, e.g. en_US."),
            picklist("TimeZoneSidKey", "Default time zone."),
            picklist("LanguageLocaleKey", "Default language."),
            checkbox("ReceivesInfoEmails", "True if the org receives Salesforce information emails."),
            integer("FiscalYearStartMonth", "Month the fiscal year starts (1 to 12)."),
            checkbox("UsesStartDateAsFiscalYearName", "True if fiscal years are named by their start year."),
            picklist("DefaultAccountAccess", "Organization-wide default access to accounts."),
            picklist("OrganizationType", "Edition, e.g. Enterprise Edition."),
            text("NamespacePrefix", 15, "Namespace prefix of a developer org."),
            text("InstanceName", 5, "Instance the org runs on, e.g. NA44."),
            checkbox("IsSandbox", "True if the org is a sandbox."),
            datetime("TrialExpirationDate", "When a trial org expires."),
        ],
        audit(),
    ]
    .concat();
    objects.object("Organization", "The org itself: company information and settings (one record).", columns);
}
