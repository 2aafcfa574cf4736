//! A user granted no workspace yet: signing in leads to a page that says
//! so (and whom to ask), not to a 404 of a workspace they cannot see.

use super::visitor::{SESSION, Visitor};
use crate::api::{create_user, spawn_app, token};

#[tokio::test]
async fn a_user_without_a_workspace_who_signs_in_sees_the_no_workspace_page_not_a_404() {
    let app = spawn_app().await;
    let una = token(&create_user(&app, "una", "standard", &[]).await);
    let mut visitor = Visitor::new(&app);

    let signed_in = visitor.sign_in(Some("una"), &una, "/").await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert!(visitor.cookie(SESSION).is_some(), "a session is opened");
    let next = signed_in.location().expect("where signing in leads").to_string();
    assert_eq!(next, "/");
    let page = visitor.get(&next).await;

    assert_eq!(page.status, 200, "a page of its own, not a 404: {}", page.body);
    assert_eq!(page.location(), None, "not sent to a workspace");
    assert!(page.body.contains("id=\"no-workspace\""), "{}", page.body);
    assert!(page.body.contains("<h1>No workspace</h1>"), "{}", page.body);
    assert!(page.body.contains("ask an admin"), "it says what to do: {}", page.body);
    assert!(page.body.contains("una"), "the header names the user: {}", page.body);
    assert!(!page.body.contains("Not found"), "{}", page.body);
    let default = visitor.get("/workspaces/default/connections").await;
    assert_eq!(default.status, 404, "the workspace is still not theirs");
}
