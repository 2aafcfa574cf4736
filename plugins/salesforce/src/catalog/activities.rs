//! Activities and files: tasks, events, notes, attachments and Salesforce
//! Files (content versions).

use super::Objects;
use super::fields::*;

/// Adds the activity objects.
pub(crate) fn add(objects: &mut Objects) {
    task(objects);
    event(objects);
    note(objects);
    attachment(objects);
    content_version(objects);
}

fn task(objects: &mut Objects) {
    let columns = [
        vec![
            id("task"),
            reference("WhoId", "ID of the lead or contact the task is about."),
            reference("WhatId", "ID of the account, opportunity, case or other record the task relates to."),
            text("Subject", 255, "Subject of the task, e.g. Call or Send Quote."),
            date("ActivityDate", "Due date of the task."),
            picklist("Status", "Status, e.g. Not Started or Completed.").not_null(),
            picklist("Priority", "Priority, e.g. High or Normal.").not_null(),
            checkbox("IsHighPriority", "True if the priority is a high priority."),
            owner(),
            textarea("Description", "Comments on the task."),
            is_deleted(),
            reference("AccountId", "ID of the account of the related record."),
            checkbox("IsClosed", "True if the status is a closed status."),
        ],
        audit(),
        vec![
            checkbox("IsArchived", "True if the task is archived."),
            integer("CallDurationInSeconds", "Duration of the logged call, in seconds."),
            picklist("CallType", "Type of call: Internal, Inbound or Outbound."),
            text("CallDisposition", 255, "Result of the call."),
            text("CallObject", 255, "Identifier of the call in the telephony system."),
            datetime("ReminderDateTime", "When the reminder fires."),
            checkbox("IsReminderSet", "True if a reminder is set."),
            reference("RecurrenceActivityId", "ID of the main task of a recurring series."),
            checkbox("IsRecurrence", "True if the task recurs."),
            datetime("CompletedDateTime", "When the task was completed."),
            picklist("TaskSubtype", "Kind of task: Task, Email, Call or LinkedIn."),
        ],
    ]
    .concat();
    objects.object("Task", "To-do items, logged calls and emails.", columns);
}

fn event(objects: &mut Objects) {
    let columns = [
        vec![
            id("event"),
            reference("WhoId", "ID of the lead or contact the event is with."),
            reference("WhatId", "ID of the account, opportunity or other record the event relates to."),
            text("Subject", 255, "Subject of the event."),
            text("Location", 255, "Where the event takes place."),
            checkbox("IsAllDayEvent", "True if the event lasts all day."),
            datetime("ActivityDateTime", "Start of the event (for events that are not all-day)."),
            date("ActivityDate", "Date of the event."),
            integer("DurationInMinutes", "Length of the event, in minutes."),
            datetime("StartDateTime", "Start of the event."),
            datetime("EndDateTime", "End of the event."),
            date("EndDate", "Date the event ends."),
            textarea("Description", "Description of the event."),
            reference("AccountId", "ID of the account of the related record."),
            owner(),
            checkbox("IsPrivate", "True if only the owner can see the event."),
            picklist("ShowAs", "How the time shows in calendars: Busy, Free or OutOfOffice."),
            is_deleted(),
            checkbox("IsChild", "True if the event is a copy for an invitee."),
            checkbox("IsGroupEvent", "True if the event has invitees."),
            picklist("GroupEventType", "0 (not a group event), 1 (group event) or 2 (proposed)."),
        ],
        audit(),
        vec![
            checkbox("IsArchived", "True if the event is archived."),
            datetime("ReminderDateTime", "When the reminder fires."),
            checkbox("IsReminderSet", "True if a reminder is set."),
            picklist("EventSubtype", "Kind of event: Event."),
        ],
    ]
    .concat();
    objects.object("Event", "Calendar events: meetings and appointments.", columns);
}

fn note(objects: &mut Objects) {
    let columns = [
        vec![
            id("note"),
            is_deleted(),
            reference("ParentId", "ID of the record the note is attached to.").not_null(),
            text("Title", 255, "Title of the note.").not_null(),
            checkbox("IsPrivate", "True if only the owner can see the note."),
            textarea("Body", "Text of the note."),
            owner(),
        ],
        audit(),
    ]
    .concat();
    objects.object("Note", "Classic text notes attached to records.", columns);
}

fn attachment(objects: &mut Objects) {
    let columns = [
        vec![
            id("attachment"),
            is_deleted(),
            reference("ParentId", "ID of the record the file is attached to.").not_null(),
            text("Name", 255, "File name.").not_null(),
            checkbox("IsPrivate", "True if only the owner can see the attachment."),
            text("ContentType", 120, "MIME type of the file."),
            integer("BodyLength", "Size of the file, in bytes."),
            base64("Body", 26_214_400, "Content of the file (at most 25 MB)."),
            owner(),
        ],
        audit(),
        vec![text("Description", 500, "Description of the attachment.")],
    ]
    .concat();
    objects.object("Attachment", "Classic files attached to records.", columns);
}

fn content_version(objects: &mut Objects) {
    let columns = [
        vec![
            id("content version"),
            reference("ContentDocumentId", "ID of the document this is a version of."),
            checkbox("IsLatest", "True if this is the latest version."),
            text("ContentUrl", 1300, "URL of a link-type document."),
            reference("ContentBodyId", "ID of the stored body."),
            text("VersionNumber", 20, "Version number, counting from 1."),
            text("Title", 255, "Title of the document.").not_null(),
            text("Description", 1000, "Description of the document."),
            text("ReasonForChange", 1000, "Why this version was uploaded."),
            picklist("SharingOption", "Whether others may re-share the file: A (allowed) or R (restricted)."),
            picklist("SharingPrivacy", "N (none) or P (private on records)."),
            text("PathOnClient", 500, "Original path and file name of the upload."),
            integer("RatingCount", "Number of ratings."),
            is_deleted(),
            datetime("ContentModifiedDate", "When the content last changed."),
            reference("ContentModifiedById", "ID of the user who last changed the content."),
            integer("PositiveRatingCount", "Number of positive ratings."),
            integer("NegativeRatingCount", "Number of negative ratings."),
            owner(),
        ],
        audit(),
        vec![
            text("TagCsv", 2000, "Tags, separated by commas."),
            text("FileType", 20, "Type of file, e.g. PDF or EXCEL_X."),
            picklist("PublishStatus", "P (public), R (personal library) or U (upload interrupted)."),
            base64("VersionData", 2_147_483_647, "Content of the file (at most 2 GB)."),
            integer("ContentSize", "Size of the file, in bytes."),
            text("FileExtension", 40, "File extension, e.g. pdf."),
            reference("FirstPublishLocationId", "ID of the record or library the file was first shared to."),
            picklist("Origin", "C (content) or H (Chatter file)."),
            picklist("ContentLocation", "S (Salesforce), E (external) or L (social)."),
            text("TextPreview", 255, "Beginning of the text of a note."),
            text("Checksum", 50, "MD5 checksum of the file."),
        ],
    ]
    .concat();
    objects.object("ContentVersion", "Versions of Salesforce Files and Salesforce CRM Content documents.", columns);
}
