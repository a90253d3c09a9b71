//! The admin API over a real socket: a server started in-process on
//! 127.0.0.1 with a fresh database, spoken to with a real HTTP client.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use relais_access::MarketplaceRight;
use relais_app::App;
use relais_server::{CatalogAccess, ServerConfig};
use serde_json::Value;

struct Server {
    base: String,
    app: Arc<App>,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let base = common::serve(Arc::clone(&app), config).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body: Value = response.json().await.unwrap();
        if status >= 400 {
            assert_eq!(content_type, "application/problem+json", "{path}");
            assert_problem(&body, status);
        } else {
            assert_eq!(content_type, "application/json", "{path}");
        }
        (status, body)
    }
}

/// Every error has the same shape: status, code, title, message.
fn assert_problem(body: &Value, status: u16) {
    assert_eq!(body["status"], status, "{body}");
    for key in ["code", "title", "message"] {
        assert!(
            body[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key} missing in {body}"
        );
    }
}

fn slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn health_answers_with_the_catalog_size() {
    let server = Server::start(ServerConfig::default()).await;
    let (status, body) = server.get("/healthz", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert!(body["catalog_integrations"].as_u64().unwrap() >= 60);
}

#[tokio::test]
async fn ready_while_the_database_answers() {
    let server = Server::start(ServerConfig::default()).await;
    let (status, body) = server.get("/readyz", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_once_the_database_is_gone_but_still_alive() {
    let Some(postgres) =
        relais_store::testing::postgres_server("not_ready_once_the_database_is_gone")
    else {
        return;
    };
    let db = relais_store::testing::TestDatabase::postgres_on(&postgres).unwrap();
    let app = Arc::new(App::open(db.location()).unwrap());
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let client = reqwest::Client::new();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    // The database goes away under the server (its connections are ended).
    drop(db);
    let response = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "not_ready", "{problem}");
    assert_problem(&problem, 503);
    let alive = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200, "liveness does not ask the database");
}

#[tokio::test]
async fn a_misspelt_search_finds_slack_first() {
    let server = Server::start(ServerConfig::default()).await;
    let (status, page) = server.get("/api/catalog?q=slak", None).await;
    assert_eq!(status, 200);
    assert_eq!(slugs(&page)[0], "slack");
    let (_, page) = server.get("/api/catalog?q=%C3%89QUIPE", None).await;
    assert!(
        slugs(&page).contains(&"equipe-planning".to_owned()),
        "{page}"
    );
}

#[tokio::test]
async fn filters_and_pages_combine_over_http() {
    let server = Server::start(ServerConfig::default()).await;
    let (_, all) = server
        .get(
            "/api/catalog?kind=partner&badge=premier,elite&per_page=100",
            None,
        )
        .await;
    let total = all["total"].as_u64().unwrap();
    assert!(total > 2);
    for item in all["items"].as_array().unwrap() {
        assert_eq!(item["kind"], "partner");
        assert!(["premier", "elite"].contains(&item["badge"].as_str().unwrap()));
    }
    let mut paged = Vec::new();
    for page in 1..=total.div_ceil(2) {
        let (_, body) = server
            .get(
                &format!(
                    "/api/catalog?kind=partner&badge=premier&badge=elite&per_page=2&page={page}"
                ),
                None,
            )
            .await;
        assert_eq!(body["total"], total);
        paged.extend(slugs(&body));
    }
    assert_eq!(paged, slugs(&all));

    let (_, tracked) = server
        .get("/api/catalog?capability=sync_tracking&per_page=100", None)
        .await;
    for item in tracked["items"].as_array().unwrap() {
        assert_eq!(item["capabilities"]["sync_tracking"], true);
    }
}

#[tokio::test]
async fn bad_query_parameters_are_400_with_a_message() {
    let server = Server::start(ServerConfig::default()).await;
    for (query, expected) in [
        ("per_page=0", "per_page must be between 1 and 100"),
        ("page=abc", "'abc' is not a whole number"),
        ("badge=gold", "'gold' is not one of select, elite, premier"),
        ("catgory=payroll", "unknown parameter"),
        ("q=a&q=b", "may be given only once"),
    ] {
        let (status, body) = server.get(&format!("/api/catalog?{query}"), None).await;
        assert_eq!(status, 400, "{query}");
        assert!(
            body["message"].as_str().unwrap().contains(expected),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn an_integration_page_has_support_developer_and_wizard() {
    let server = Server::start(ServerConfig::default()).await;
    let (status, okta) = server.get("/api/catalog/okta", None).await;
    assert_eq!(status, 200);
    assert_eq!(okta["kind"], "partner");
    assert_eq!(okta["built_by"]["badge"], "premier");
    assert_eq!(okta["support"]["channel"], "partner");
    assert!(
        okta["support"]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(okta["developer"]["privacy_policy_url"].is_string());
    assert!(!okta["wizard"]["steps"].as_array().unwrap().is_empty());

    let (_, slack) = server.get("/api/catalog/slack", None).await;
    assert_eq!(slack["kind"], "platform");
    assert_eq!(slack["support"]["channel"], "help_and_feedback");

    let (status, body) = server.get("/api/catalog/no-such-thing", None).await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn categories_are_counted() {
    let server = Server::start(ServerConfig::default()).await;
    let (_, body) = server.get("/api/catalog/categories", None).await;
    let categories = body["categories"].as_array().unwrap();
    assert_eq!(categories.len(), 12);
    let payroll = categories.iter().find(|c| c["id"] == "payroll").unwrap();
    let (_, listed) = server.get("/api/catalog?category=payroll", None).await;
    assert_eq!(payroll["count"], listed["total"]);
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    let server = Server::start(ServerConfig::default()).await;
    let created = server
        .app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();

    let response = server
        .client
        .get(format!("{}/api/me", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");

    let (status, _) = server.get("/api/me", Some("rlp_0000000000000000_00")).await;
    assert_eq!(status, 401);
    let (status, me) = server.get("/api/me", Some(&created.token)).await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["email"], "ana@acme.example");
    assert_eq!(me["company"]["slug"], "acme");
    assert_eq!(me["can_configure_integrations"], true);
    assert!(
        me.to_string().find(&created.token).is_none(),
        "the token is never echoed"
    );
}

#[tokio::test]
async fn an_authenticated_catalog_needs_the_view_right() {
    let config = ServerConfig {
        catalog_access: CatalogAccess::Authenticated,
        ..ServerConfig::default()
    };
    let server = Server::start(config).await;
    let created = server
        .app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let company = created.company;
    server
        .app
        .add_user(&company, "nil@acme.example", "Nil", MarketplaceRight::None)
        .unwrap();
    server
        .app
        .add_user(&company, "vic@acme.example", "Vic", MarketplaceRight::View)
        .unwrap();
    let nil = server
        .app
        .issue_token(&company, "nil@acme.example", "t", None)
        .unwrap();
    let vic = server
        .app
        .issue_token(&company, "vic@acme.example", "t", None)
        .unwrap();

    assert_eq!(server.get("/api/catalog", None).await.0, 401);
    let (status, body) = server.get("/api/catalog/slack", Some(&nil)).await;
    assert_eq!(status, 403);
    assert!(
        body["message"].as_str().unwrap().contains("at level view"),
        "{body}"
    );
    assert_eq!(server.get("/api/catalog?q=slack", Some(&vic)).await.0, 200);
    assert_eq!(
        server
            .get("/api/catalog/categories", Some(&created.token))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn unknown_paths_methods_and_huge_bodies_get_problems() {
    let server = Server::start(ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    })
    .await;
    let (status, _) = server.get("/api/nothing-here", None).await;
    assert_eq!(status, 404);

    let response = server
        .client
        .delete(format!("{}/api/catalog", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_problem(&response.json().await.unwrap(), 405);

    let response = server
        .client
        .post(format!("{}/api/catalog", server.base))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_problem(&response.json().await.unwrap(), 413);
}

#[tokio::test]
async fn credentials_are_managed_over_http_by_edit_users_only() {
    let server = Server::start(ServerConfig::default()).await;
    let created = server
        .app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    server
        .app
        .add_user(
            &created.company,
            "vic@acme.example",
            "Vic",
            MarketplaceRight::View,
        )
        .unwrap();
    let vic = server
        .app
        .issue_token(&created.company, "vic@acme.example", "t", None)
        .unwrap();
    let url = format!("{}/api/credentials", server.base);
    let body = serde_json::json!({"name": "Warehouse", "integration": "fivetran", "scopes": ["custom_reports:read", "employees:read"]});

    let refused = server
        .client
        .post(&url)
        .bearer_auth(&vic)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(server.get("/api/credentials", Some(&vic)).await.0, 403);

    let response = server
        .client
        .post(&url)
        .bearer_auth(&created.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let credential: Value = response.json().await.unwrap();
    let client_id = credential["client_id"].as_str().unwrap().to_owned();
    let secret = credential["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        credential["scopes"],
        serde_json::json!(["custom_reports:read", "employees:read"])
    );

    let (status, listed) = server.get("/api/credentials", Some(&created.token)).await;
    assert_eq!(status, 200);
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once"
    );
    assert!(listed[0].get("client_secret").is_none());

    let patched: Value = server
        .client
        .patch(format!("{url}/{client_id}"))
        .bearer_auth(&created.token)
        .json(&serde_json::json!({"scopes": ["custom_reports:read", "employees:read", "absences:read"], "readable_attributes": ["first_name"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        patched["readable_attributes"],
        serde_json::json!(["first_name"])
    );
    assert_eq!(patched["scopes"].as_array().unwrap().len(), 3);

    let rotated: Value = server
        .client
        .post(format!("{url}/{client_id}/rotate"))
        .bearer_auth(&created.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(rotated["client_secret"], secret);
    let revoked: Value = server
        .client
        .delete(format!("{url}/{client_id}"))
        .bearer_auth(&created.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["status"], "revoked");
    let again = server
        .client
        .post(format!("{url}/{client_id}/rotate"))
        .bearer_auth(&created.token)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    for (bad, expected) in [
        (
            serde_json::json!({"name": "x", "scopes": ["custom_reports:write"]}),
            "offers no write access",
        ),
        (
            serde_json::json!({"name": "x", "integration": "nope"}),
            "not in the catalog",
        ),
        (
            serde_json::json!({"name": "x", "readable_attributes": ["salary"]}),
            "unknown attribute",
        ),
        (
            serde_json::json!({"name": "x", "colour": "red"}),
            "unknown field",
        ),
        (serde_json::json!({"scopes": []}), "missing field `name`"),
    ] {
        let response = server
            .client
            .post(&url)
            .bearer_auth(&created.token)
            .json(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad}");
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["message"].as_str().unwrap().contains(expected),
            "{bad}: {problem}"
        );
    }

    // Another company's admin cannot see or touch it.
    let other = server
        .app
        .create_company("Globex", "hank@globex.example", "Hank")
        .unwrap();
    assert_eq!(
        server
            .get(&format!("/api/credentials/{client_id}"), Some(&other.token))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_admin_api_document_and_its_page_need_no_token() {
    let server = Server::start(ServerConfig {
        catalog_access: CatalogAccess::Authenticated,
        ..ServerConfig::default()
    })
    .await;
    let (status, doc) = server.get("/api/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/connections/{id}/wizard/{step}"]["post"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );

    let page = server
        .client
        .get(format!("{}/api/reference", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("/api/openapi.json"));
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let server = Server::start(ServerConfig::default()).await;
    let created = server
        .app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let url = format!("{}/api/credentials", server.base);
    let made: Value = server
        .client
        .post(&url)
        .bearer_auth(&created.token)
        .json(&serde_json::json!({"name": "Warehouse"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = made["client_id"].as_str().unwrap();
    // Serde would read an array as the fields in order: `[null, null]`
    // changed nothing and answered 200, `["Warehouse"]` made a credential.
    for (request, body) in [
        (server.client.post(&url), serde_json::json!(["Warehouse"])),
        (
            server.client.patch(format!("{url}/{client_id}")),
            serde_json::json!([null, null]),
        ),
        (server.client.post(&url), serde_json::json!("Warehouse")),
    ] {
        let response = request
            .bearer_auth(&created.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let problem: Value = response.json().await.unwrap();
        assert_problem(&problem, 400);
        assert_eq!(problem["message"], "the body must be a JSON object");
    }
    let (_, listed) = server.get("/api/credentials", Some(&created.token)).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
}
