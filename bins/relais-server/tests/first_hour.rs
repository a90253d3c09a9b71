//! What a new user meets in their first hour with the server, over a real
//! socket: bodies that must say what they are, tokens of the wrong API,
//! who runs a sync, importing employees, and secrets a server cannot open.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use relais_access::SecretKey;
use relais_app::{App, Caller, CredentialInput};
use relais_server::ServerConfig;
use serde_json::{Value, json};

const KEY: &str = "7a1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

struct World {
    base: String,
    app: Arc<App>,
    client: reqwest::Client,
    admin: String,
    _dir: tempfile::TempDir,
}

impl World {
    async fn start(key: Option<&str>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(key.map(|k| SecretKey::from_hex(k).unwrap()));
        let admin = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap()
            .token;
        let app = Arc::new(app);
        let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            admin,
            _dir: dir,
        }
    }

    /// A request with a raw body and content type; the status, the
    /// content type and the JSON body.
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: &str,
    ) -> (u16, String, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if !body.is_empty() {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let media = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        (
            status,
            media,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    fn credential(&self, scopes: &[&str]) -> (String, String) {
        let company = self.app.company(None).unwrap();
        let created = self
            .app
            .create_credential(
                Caller::Operator,
                &company,
                CredentialInput {
                    name: "test".into(),
                    scopes: scopes.iter().map(|s| s.parse().unwrap()).collect(),
                    ..CredentialInput::default()
                },
            )
            .unwrap();
        (created.credential.client_id, created.client_secret)
    }
}

#[tokio::test]
async fn bodies_must_be_declared_json_with_any_charset_on_both_apis() {
    let w = World::start(None).await;
    let body = r#"{"name": "BI", "scopes": ["employees:read"]}"#;
    for accepted in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ] {
        let (status, _, created) = w
            .send(
                "POST",
                "/api/credentials",
                Some(&w.admin),
                Some(accepted),
                body,
            )
            .await;
        assert_eq!(status, 201, "{accepted}: {created}");
    }
    for refused in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (status, media, problem) = w
            .send("POST", "/api/credentials", Some(&w.admin), refused, body)
            .await;
        assert_eq!(status, 415, "{refused:?}: {problem}");
        assert_eq!(media, "application/problem+json");
        assert_eq!(problem["code"], "unsupported_media_type");
        assert!(
            problem["message"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{problem}"
        );
    }

    // /v1: the same rule, answered in its own envelope; forms where the
    // modelled HRIS documents them.
    let (id, secret) = w.credential(&["employees:read"]);
    let auth = format!(r#"{{"client_id": "{id}", "client_secret": "{secret}"}}"#);
    let (status, _, answer) = w
        .send(
            "POST",
            "/v1/auth",
            None,
            Some("application/json; charset=utf-8"),
            &auth,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let form = format!("client_id={id}&client_secret={secret}");
    let (status, _, _) = w
        .send(
            "POST",
            "/v1/auth",
            None,
            Some("application/x-www-form-urlencoded"),
            &form,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _, refused) = w
        .send("POST", "/v1/auth", None, Some("text/plain"), &auth)
        .await;
    assert_eq!(status, 415, "{refused}");
    assert_eq!(refused["success"], false);
    assert_eq!(refused["error"]["code"], 415);
    // An empty body needs no type (partner runs start with one).
    let token = answer["data"]["token"].as_str().unwrap().to_owned();
    let (status, _, _) = w
        .send("POST", "/v1/company/attendances", Some(&token), None, "")
        .await;
    assert_ne!(status, 415);
}

#[tokio::test]
async fn unknown_public_api_paths_answer_in_its_envelope() {
    let w = World::start(None).await;
    for (method, path, status) in [
        ("GET", "/v1/company/employeez", 404),
        ("GET", "/v1", 404),
        ("DELETE", "/v1/company/employees", 405),
    ] {
        let (got, media, body) = w.send(method, path, None, None, "").await;
        assert_eq!(got, status, "{method} {path}: {body}");
        assert_eq!(media, "application/json", "{path}");
        assert_eq!(body["success"], false, "{body}");
        assert_eq!(body["error"]["code"], status, "{body}");
    }
    let (status, media, _) = w.send("GET", "/api/nope", None, None, "").await;
    assert_eq!((status, media.as_str()), (404, "application/problem+json"));
}

#[tokio::test]
async fn a_token_of_the_wrong_api_is_told_which_one_it_belongs_to() {
    let w = World::start(None).await;
    let (id, secret) = w.credential(&["employees:read"]);
    let token = common::api_token(&w.client, &w.base, &id, &secret).await;
    let (status, _, problem) = w.send("GET", "/api/me", Some(&token), None, "").await;
    assert_eq!(status, 401);
    let message = problem["message"].as_str().unwrap();
    assert!(
        message.contains("public-API token") && message.contains("rlp_"),
        "{message}"
    );

    let (status, _, refused) = w
        .send("GET", "/v1/company/employees", Some(&w.admin), None, "")
        .await;
    assert!(status == 401 || status == 403, "{status}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("personal access token") && message.contains("POST /v1/auth"),
        "{message}"
    );

    // The public catalog does not look at tokens at all.
    for token in [token.as_str(), "rlp_not-a-token", "garbage"] {
        let (status, _, page) = w
            .send("GET", "/api/catalog?q=slack", Some(token), None, "")
            .await;
        assert_eq!(status, 200, "{token}: {page}");
        let (status, _, _) = w
            .send("GET", "/api/catalog/okta", Some(token), None, "")
            .await;
        assert_eq!(status, 200, "{token}");
    }
}

#[tokio::test]
async fn pages_and_connections_say_who_runs_the_sync() {
    let w = World::start(Some(KEY)).await;
    for (slug, run_by, sync_now) in [
        ("scim-provisioning", "relais", true),
        ("okta", "partner", false),
        ("slack", "not_built", false),
        ("power-bi", "no_tracking", false),
    ] {
        let (_, _, page) = w
            .send("GET", &format!("/api/catalog/{slug}"), None, None, "")
            .await;
        assert_eq!(page["sync"]["run_by"], run_by, "{slug}");
        assert_eq!(page["sync"]["sync_now"], sync_now, "{slug}");
        assert!(page["sync"]["note"].as_str().unwrap().len() > 20);
    }
    let (status, _, started) = w
        .send(
            "POST",
            "/api/connections",
            Some(&w.admin),
            Some("application/json"),
            r#"{"integration": "slack"}"#,
        )
        .await;
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["sync"]["run_by"], "not_built");
    assert_eq!(started["status_reason"], "the setup wizard is not finished");
}

#[tokio::test]
async fn a_credential_without_a_scope_comes_with_a_warning() {
    let w = World::start(None).await;
    let (status, _, created) = w
        .send(
            "POST",
            "/api/credentials",
            Some(&w.admin),
            Some("application/json"),
            r#"{"name": "later"}"#,
        )
        .await;
    assert_eq!(status, 201);
    assert!(
        created["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no scope"),
        "{created}"
    );
    let (_, _, with_scope) = w
        .send(
            "POST",
            "/api/credentials",
            Some(&w.admin),
            Some("application/json"),
            r#"{"name": "bi", "scopes": ["custom_reports:read"]}"#,
        )
        .await;
    assert!(with_scope.get("warnings").is_none(), "{with_scope}");
    assert_eq!(with_scope["scopes"], json!(["custom_reports:read"]));
}

#[tokio::test]
async fn employees_are_imported_over_the_admin_api() {
    let w = World::start(None).await;
    let file = include_str!("../../../fixtures/employees.csv");
    let (status, _, planned) = w
        .send(
            "POST",
            "/api/employees/import?dry_run=true",
            Some(&w.admin),
            Some("text/csv; charset=utf-8"),
            file,
        )
        .await;
    assert_eq!(status, 200, "{planned}");
    assert_eq!(
        (planned["dry_run"].clone(), planned["created"].clone()),
        (json!(true), json!(7))
    );
    let (_, _, listed) = w
        .send("GET", "/api/employees", Some(&w.admin), None, "")
        .await;
    assert_eq!(listed["total"], 0);

    let (status, _, imported) = w
        .send(
            "POST",
            "/api/employees/import",
            Some(&w.admin),
            Some("text/csv"),
            file,
        )
        .await;
    assert_eq!(status, 200, "{imported}");
    let (_, _, listed) = w
        .send("GET", "/api/employees", Some(&w.admin), None, "")
        .await;
    assert_eq!(listed["total"], 7);

    let lines =
        "{\"external_id\": \"HR-004\", \"weekly_working_hours\": \"20\"}\n{\"email\": \"bad\"}\n";
    let (status, _, problem) = w
        .send(
            "POST",
            "/api/employees/import",
            Some(&w.admin),
            Some("application/x-ndjson"),
            lines,
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("line 2, email"),
        "{problem}"
    );
    let (status, _, _) = w
        .send(
            "POST",
            "/api/employees/import",
            Some(&w.admin),
            Some("application/json"),
            "{}",
        )
        .await;
    assert_eq!(status, 415);
}

#[tokio::test]
async fn a_connection_whose_secrets_this_server_cannot_open_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    // Connected by a process with the key...
    let with_key = App::open(&db)
        .unwrap()
        .with_secret_key(Some(SecretKey::from_hex(KEY).unwrap()));
    let created = with_key
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let id = with_key
        .start_connection(Caller::Operator, &created.company, "scim-provisioning")
        .unwrap()
        .id;
    with_key
        .submit_wizard_step(
            Caller::Operator,
            &created.company,
            &id,
            "target",
            json!({"base_url": "https://idp.example/scim/v2", "bearer_token": "a-token-of-sixteen-chars"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
    for (step, answers) in [
        (
            "matching",
            json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "30"}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ] {
        with_key
            .submit_wizard_step(
                Caller::Operator,
                &created.company,
                &id,
                step,
                answers.as_object().unwrap(),
            )
            .unwrap();
    }
    with_key
        .complete_wizard(Caller::Operator, &created.company, &id)
        .unwrap();
    drop(with_key);
    // ...served by one without it.
    let app = Arc::new(App::open(&db).unwrap());
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let client = reqwest::Client::new();
    let view: Value = client
        .get(format!("{base}/api/connections/{id}"))
        .bearer_auth(&created.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        view["attention"]
            .as_str()
            .unwrap()
            .contains("without RELAIS_SECRET_KEY"),
        "{view}"
    );
    // Not scheduled (nothing to log every tick), and Sync now says why.
    assert!(app.due_scim_connections().unwrap().is_empty());
    let response = client
        .post(format!("{base}/api/connections/{id}/sync"))
        .bearer_auth(&created.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["code"], "not_configured", "{problem}");
    assert!(matches!(
        app.key_state().unwrap(),
        relais_app::KeyState::Missing {
            fingerprint: Some(_)
        }
    ));
    // Another key is refused outright.
    let other = App::open(&db)
        .unwrap()
        .with_secret_key(Some(SecretKey::from_hex(&KEY.replace('7', "8")).unwrap()));
    let err = other.key_state().unwrap_err();
    assert_eq!(err.kind(), relais_app::ErrorKind::NotConfigured);
}
