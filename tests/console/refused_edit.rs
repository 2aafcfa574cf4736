//! A secret typed into an edit the API refuses: it is not saved and not
//! shown back, so its field says to type it again; the stored secret is
//! the one from before.

use super::secrets::stored_property;
use super::visitor::{Page, Visitor, encode};
use crate::api::{TestApp, id_of, quickbooks_body, spawn_app};

/// What the test types into the secret field of the refused form.
const TYPED: &str = "typed-into-a-refused-form-6c2d8e";

/// The opening tag of the element of id `id` in `html`, and what follows
/// it up to the next form field's wrapper (or the end of the fieldset).
fn field_of<'h>(html: &'h str, id: &str) -> Option<(&'h str, &'h str)> {
    let at = html.find(&format!(" id=\"{id}\""))?;
    let start = html[..at].rfind('<')?;
    let end = at + html[at..].find('>')? + 1;
    let rest = &html[end..];
    let stop = [rest.find(" id=\"field-"), rest.find("</fieldset>")].into_iter().flatten().min().unwrap_or(rest.len());
    Some((&html[start..end], &rest[..stop]))
}

/// Whether the opening `tag` has class `class`.
fn has_class(tag: &str, class: &str) -> bool {
    tag.split_once(" class=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .is_some_and(|classes| classes.split(' ').any(|c| c == class))
}

/// Posts the edit form of QuickBooks connection `id` (version `version`)
/// with `name`, the secret typed as [`TYPED`] and `refresh` as the
/// metadata refresh; the answer.
async fn post_edit(visitor: &mut Visitor, id: &str, version: &str, name: &str, refresh: &str) -> Page {
    let csrf = visitor.csrf().await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("connector", "QuickBooks"),
        ("connector_version", version),
        ("name", name),
        ("p.CompanyId", "9130357766"),
        ("p.OAuthClientId", "client-id"),
        ("p.OAuthClientSecret", TYPED),
        ("metadata_refresh_interval", refresh),
        ("logfile_verbosity", "Info"),
    ];
    visitor.post(&format!("/connections/{id}"), &fields).await
}

/// The refusal's box (`role="alert"`) of `html`.
fn alert_of(html: &str) -> Option<&str> {
    let at = html.find("role=\"alert\"")?;
    let rest = &html[at..];
    Some(&rest[..rest.find("</div>")?])
}

/// Asserts `page` is the refused edit form: a 4xx whose refusal names
/// `named` (the API's code or target), no typed secret, the secret's field
/// flagged to be typed again and the secret left empty not flagged.
fn assert_flagged(what: &str, page: &Page, named: &str) {
    assert!((400..500).contains(&page.status), "{what}: refused with a 4xx, not {}: {}", page.status, page.body);
    let alert = alert_of(&page.body).unwrap_or_else(|| panic!("{what}: the refusal is shown: {}", page.body));
    assert!(alert.contains(named), "{what}: the refusal names {named}: {alert}");
    assert!(page.body.contains("id=\"connection-form\""), "{what}: the form again: {}", page.body);
    for form in [TYPED.to_string(), encode(TYPED)] {
        assert!(!page.body.contains(&form), "{what}: the typed secret is shown back");
        for (name, value) in &page.headers {
            assert!(!value.to_str().unwrap_or_default().contains(&form), "{what}: header {name} holds it");
        }
    }
    let (tag, field) = field_of(&page.body, "field-OAuthClientSecret").expect("the secret's field");
    assert!(has_class(tag, "invalid"), "{what}: the typed secret's field is flagged: {tag}");
    assert!(field.contains("type it again"), "{what}: it says to type it again: {field}");
    let (input, _) = field_of(&page.body, "prop-OAuthClientSecret").expect("the secret's input");
    assert!(input.contains("aria-invalid=\"true\""), "{what}: {input}");
    assert!(!input.contains(" value="), "{what}: the secret input is empty: {input}");
    let (untouched, field) = field_of(&page.body, "field-OAuthAccessToken").expect("the other secret's field");
    assert!(!has_class(untouched, "invalid"), "{what}: a secret left empty is not flagged: {untouched}");
    assert!(!field.contains("type it again"), "{what}: {field}");
}

/// Asserts the stored secrets of `id` are the ones it was created with,
/// and still connect.
async fn assert_secret_kept(app: &TestApp, id: &str) {
    assert_eq!(stored_property(app, id, "OAuthClientSecret").await.as_deref(), Some("client-secret"));
    assert_eq!(stored_property(app, id, "OAuthAccessToken").await.as_deref(), Some("access-token"));
    let read = app.get_ok(id).await;
    assert_eq!(read["name"], "Books", "{read}");
    assert_eq!(read["properties"]["OAuthClientSecret"], "********", "{read}");
    assert_eq!(app.test_ok(id).await["success"], true, "the stored secret still connects");
}

#[tokio::test]
async fn a_secret_typed_into_an_edit_refused_for_a_bad_setting_is_flagged_to_be_typed_again() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let version = app.get_ok(&id).await["connector_version"].as_str().expect("a version").to_string();
    let mut visitor = Visitor::signed_in(&app, &app.token).await;

    let page = post_edit(&mut visitor, &id, &version, "Books", "Bogus").await;

    assert_flagged("a bad metadata refresh", &page, "metadata_refresh_interval");
    assert_secret_kept(&app, &id).await;
}

#[tokio::test]
async fn a_secret_typed_into_an_edit_refused_for_a_taken_name_is_flagged_to_be_typed_again() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.create_ok("default", &quickbooks_body("Ledger")).await;
    let version = app.get_ok(&id).await["connector_version"].as_str().expect("a version").to_string();
    let mut visitor = Visitor::signed_in(&app, &app.token).await;

    let page = post_edit(&mut visitor, &id, &version, "Ledger", "Daily").await;

    assert_flagged("a taken name", &page, "name_taken");
    let (name, _) = field_of(&page.body, "field-name").expect("the name's field");
    assert!(has_class(name, "invalid"), "the name's field is flagged too: {name}");
    assert_secret_kept(&app, &id).await;
    assert_eq!(app.connection_names("default", "").await, ["Books", "Ledger"], "nothing was renamed");
}
