//! Tables, columns and metadata resets.

use super::{assert_error, id_of, json, names, spawn_app};
use serde_json::{Value, json};

fn types(tables: &[Value]) -> Vec<&str> {
    let mut types: Vec<&str> = tables.iter().map(|t| t["table_type"].as_str().expect("table_type")).collect();
    types.sort();
    types.dedup();
    types
}

async fn salesforce(app: &super::TestApp) -> String {
    let body = json!({
        "name": "Force",
        "connector": "Salesforce",
        "properties": {"User": "admin@example.com", "Password": "pass", "SecurityToken": "token"}
    });
    id_of(&app.create_ok("default", &body).await)
}

#[tokio::test]
async fn tables_answer_post_and_get_alike() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let (status, posted) = json(app.list_tables(&id, "").await).await;
    assert_eq!(status, 200, "{posted}");
    let (status, got) = json(app.list_tables_with_get(&id, "").await).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(posted, got);
    let tables = posted["value"].as_array().expect("value");
    assert_eq!(tables.len(), 50);
    let customers = tables.iter().find(|t| t["name"] == "Customers").expect("Customers");
    assert_eq!(customers["schema"], "QuickBooksOnline");
    assert_eq!(customers["table_type"], "TABLE");
}

#[tokio::test]
async fn tables_filter_by_schema_case_insensitively() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    assert_eq!(app.tables_ok(&id, "schema=QuickBooksOnline").await.len(), 50);
    assert_eq!(app.tables_ok(&id, "Schema=quickbooksonline").await.len(), 50);
    assert!(app.tables_ok(&id, "schema=dbo").await.is_empty());
}

#[tokio::test]
async fn tables_filter_by_a_case_insensitive_comma_list_of_types() {
    let app = spawn_app().await;
    let id = salesforce(&app).await;
    let all = app.tables_ok(&id, "").await;
    assert_eq!(all.len(), 43);
    assert_eq!(types(&all), ["SYNONYM", "TABLE", "VIEW"]);

    let tables = app.tables_ok(&id, "include_table_types=TABLE").await;
    assert_eq!((tables.len(), types(&tables)), (37, vec!["TABLE"]));
    let views = app.tables_ok(&id, "include_table_types=view").await;
    assert_eq!((views.len(), types(&views)), (4, vec!["VIEW"]));
    let synonyms = app.tables_ok(&id, "Include_Table_Types=Synonym").await;
    assert_eq!(names(&json!(synonyms)), ["Pricebook", "Product"]);
    let both = app.tables_ok(&id, "include_table_types=table,View").await;
    assert_eq!((both.len(), types(&both)), (41, vec!["TABLE", "VIEW"]));
    let spaced = app.tables_ok(&id, "include_table_types=VIEW,%20SYNONYM").await;
    assert_eq!(spaced.len(), 6);
    let filtered = app.tables_ok(&id, "schema=salesforce&include_table_types=VIEW").await;
    assert_eq!(filtered.len(), 4);
}

#[tokio::test]
async fn an_unknown_table_type_is_an_invalid_parameter() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    for query in ["include_table_types=TABLES", "include_table_types=TABLE,PROCEDURE", "include_table_types=*"] {
        let body = assert_error(app.list_tables(&id, query).await, 400, "invalid_parameter").await;
        assert_eq!(body["error"]["target"], "include_table_types", "{query}: {body}");
    }
    let body = assert_error(app.list_tables(&id, "reset_metadata=maybe").await, 400, "invalid_parameter").await;
    assert_eq!(body["error"]["target"], "reset_metadata");
}

#[tokio::test]
async fn columns_of_a_plain_or_schema_qualified_table() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    let (status, plain) = json(app.list_columns(&id, "Customers", "").await).await;
    assert_eq!(status, 200, "{plain}");
    let columns = plain["value"].as_array().expect("value");
    assert!(columns.len() > 10, "{plain}");
    assert_eq!(columns[0]["name"], "Id");
    assert_eq!(columns[0]["primary_key"], true);
    let ordinals: Vec<u64> = columns.iter().map(|c| c["ordinal"].as_u64().expect("ordinal")).collect();
    assert_eq!(ordinals, (1..=columns.len() as u64).collect::<Vec<_>>());

    let (status, qualified) = json(app.list_columns(&id, "QuickBooksOnline.Customers", "").await).await;
    assert_eq!(status, 200, "{qualified}");
    assert_eq!(qualified, plain);
    let (status, lower) = json(app.list_columns(&id, "quickbooksonline.customers", "reset_metadata=true").await).await;
    assert_eq!(status, 200, "{lower}");
    assert_eq!(lower, plain);
}

#[tokio::test]
async fn a_table_whose_name_has_spaces_and_non_ascii_characters_is_found_percent_encoded() {
    let app = spawn_app().await;
    let id = id_of(&app.create_ok("default", &json!({"name": "Wide", "connector": "Wide"})).await);
    let (status, tables) = json(app.list_tables(&id, "include_table_types=view").await).await;
    assert_eq!(status, 200, "{tables}");
    assert_eq!(tables["value"][0]["name"], "Profit and Loss Café 客户", "{tables}");

    let encoded = "Profit%20and%20Loss%20Caf%C3%A9%20%E5%AE%A2%E6%88%B7";
    for table in [encoded.to_string(), format!("Wide.{encoded}"), format!("wide.{encoded}")] {
        let (status, columns) = json(app.list_columns(&id, &table, "").await).await;
        assert_eq!(status, 200, "{table}: {columns}");
        let names: Vec<&str> =
            columns["value"].as_array().expect("columns").iter().map(|c| c["name"].as_str().expect("name")).collect();
        assert_eq!(names, ["Période", "Net"], "{table}");
    }
    let body = assert_error(app.list_columns(&id, "Profit%20and%20Loss", "").await, 404, "table_not_found").await;
    assert!(body["error"]["message"].as_str().expect("message").contains("Profit and Loss"), "{body}");
}

#[tokio::test]
async fn unknown_and_percent_encoded_table_names_are_404_table_not_found() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    for table in [
        "Nope",
        "QuickBooksOnline.Nope",
        "Other.Customers",
        "Profit%20and%20Loss",
        "",
        "%E5%AE%A2%E6%88%B7",
        "Caf%C3%A9%20Orders",
        "dbo.Customer",
        "a%2Fb",
        "%2E%2E%2F%2E%2E",
        "%25",
        "%FF",
    ] {
        let body = assert_error(app.list_columns(&id, table, "").await, 404, "table_not_found").await;
        assert!(body["error"]["message"].as_str().expect("message").contains("does not exist"), "{table}: {body}");
    }
}

#[tokio::test]
async fn reset_metadata_answers_success() {
    let app = spawn_app().await;
    let id = id_of(&app.create_quickbooks("Books").await);
    app.tables_ok(&id, "").await;
    let (status, body) = json(app.reset_metadata(&id).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["success"], true);
    assert!(body["message"].is_string());
    assert_eq!(app.tables_ok(&id, "").await.len(), 50);
}

#[tokio::test]
async fn metadata_of_an_unknown_connection_is_404() {
    let app = spawn_app().await;
    let missing = "550e8400-e29b-41d4-a716-446655440000";
    assert_error(app.list_tables(missing, "").await, 404, "connection_not_found").await;
    assert_error(app.list_columns(missing, "Customers", "").await, 404, "connection_not_found").await;
    assert_error(app.reset_metadata(missing).await, 404, "connection_not_found").await;
}

#[tokio::test]
async fn a_connector_error_on_tables_is_a_400_in_the_error_shape_without_secrets() {
    let app = spawn_app().await;
    let mut body = super::quickbooks_body("Books");
    body["properties"]["OAuthAccessToken"] = json!("expired-token-123");
    let id = id_of(&app.create_ok("default", &body).await);
    let error = assert_error(app.list_tables(&id, "").await, 400, "connector_auth_failed").await;
    assert_eq!(error["error"]["target"], "properties.OAuthAccessToken");
    assert!(!error.to_string().contains("expired-token-123"), "{error}");
}
