//! Connecting integrations over HTTP, against the real server binary (so
//! that its log lines can be searched for secrets too).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;

use relais_access::MarketplaceRight;
use relais_app::App;
use serde_json::{Value, json};

const KEY: &str = "8f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";
const WIZARD_SECRET: &str = "okta-api-token-Zx81Qp77Lm";

struct Http {
    base: String,
    client: reqwest::Client,
    /// Every body the server sent, to search for secrets.
    seen: std::sync::Mutex<String>,
}

impl Http {
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        self.seen.lock().unwrap().push_str(&text);
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn okta_answers() -> [(&'static str, Value); 3] {
    [
        (
            "tenant",
            json!({"tenant_url": "https://acme.okta.com", "api_token": WIZARD_SECRET}),
        ),
        (
            "provisioning",
            json!({"create_accounts_days_before_start": "3", "deactivate_leavers": true}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ]
}

#[test]
fn a_wizard_with_a_secret_runs_to_connected_and_the_secret_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    let log_path = dir.path().join("server.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .args(["--demo", "--bind", "127.0.0.1:0", "--db"])
        .arg(&db)
        .env("RELAIS_SECRET_KEY", KEY)
        .env("RELAIS_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let startup = common::read_startup(server.stdout.take().unwrap());
    let (admin, base) = (startup.token.unwrap(), startup.base);

    // A view user, added directly to the same database.
    let app = App::open(&db).unwrap();
    let company = app.company(Some("demo-company")).unwrap();
    app.add_user(&company, "vic@demo.example", "Vic", MarketplaceRight::View)
        .unwrap();
    let viewer = app
        .issue_token(&company, "vic@demo.example", "t", None)
        .unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let http = Http {
            base,
            client: reqwest::Client::new(),
            seen: Default::default(),
        };

        let (status, body) = http
            .call(
                "POST",
                "/api/connections",
                &viewer,
                Some(json!({"integration": "okta"})),
            )
            .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(
            http.call("GET", "/api/connections", &viewer, None).await.0,
            200,
            "view may read"
        );

        let (status, started) = http
            .call(
                "POST",
                "/api/connections",
                &admin,
                Some(json!({"integration": "okta"})),
            )
            .await;
        assert_eq!(status, 201, "{started}");
        assert_eq!(started["status"], "pending");
        let id = started["id"].as_str().unwrap().to_owned();

        // Bad input changes nothing.
        let (status, body) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/wizard/provisioning"),
                &admin,
                Some(json!({"create_accounts_days_before_start": "3"})),
            )
            .await;
        assert_eq!(status, 400);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("before step 'tenant'"),
            "{body}"
        );
        let (status, body) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/wizard/tenant"),
                &admin,
                Some(json!({"tenant_url": 42, "api_token": true})),
            )
            .await;
        assert_eq!(status, 400);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("tenant_url: must be text"),
            "{body}"
        );
        let (status, _) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/wizard/complete"),
                &admin,
                None,
            )
            .await;
        assert_eq!(status, 400, "the wizard is not finished");
        let (_, unchanged) = http
            .call("GET", &format!("/api/connections/{id}"), &admin, None)
            .await;
        assert_eq!(unchanged["wizard"]["next_step"], "tenant");
        let (status, _) = http
            .call(
                "POST",
                "/api/connections",
                &admin,
                Some(json!({"integration": "okta"})),
            )
            .await;
        assert_eq!(status, 409, "one live connection per integration");
        let (status, _) = http
            .call(
                "POST",
                "/api/connections",
                &admin,
                Some(json!({"integration": "nope"})),
            )
            .await;
        assert_eq!(status, 400);

        for (step, answers) in okta_answers() {
            let (status, body) = http
                .call(
                    "POST",
                    &format!("/api/connections/{id}/wizard/{step}"),
                    &admin,
                    Some(answers),
                )
                .await;
            assert_eq!(status, 200, "{step}: {body}");
        }
        let (_, shown) = http
            .call("GET", &format!("/api/connections/{id}"), &admin, None)
            .await;
        assert_eq!(
            shown["wizard"]["steps"][0]["answers"]["api_token"],
            json!({"secret": true, "set": true})
        );
        let (status, done) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/wizard/complete"),
                &admin,
                None,
            )
            .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["connection"]["status"], "connected");
        let credential = done["connection"]["credential"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            done["partner_credential"]["client_secret"]
                .as_str()
                .unwrap()
                .starts_with("rls_"),
            "a partner integration gets its credential once"
        );

        let (_, inactive) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/deactivate"),
                &admin,
                Some(json!({"reason": "vendor audit"})),
            )
            .await;
        assert_eq!(inactive["status"], "inactive");
        assert_eq!(inactive["state"]["reason"]["reason"], "vendor audit");
        let (_, again) = http
            .call(
                "POST",
                &format!("/api/connections/{id}/reactivate"),
                &admin,
                None,
            )
            .await;
        assert_eq!(again["connection"]["status"], "connected");
        let new_credential = again["connection"]["credential"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_ne!(
            new_credential, credential,
            "reactivation issues a new credential"
        );

        let (status, _) = http
            .call(
                "POST",
                &format!("/api/credentials/{new_credential}/revoke"),
                &admin,
                None,
            )
            .await;
        assert_eq!(status, 200);
        let (_, revoked) = http
            .call("GET", &format!("/api/connections/{id}"), &admin, None)
            .await;
        assert_eq!(revoked["status"], "inactive");
        assert_eq!(revoked["state"]["reason"]["kind"], "credential_revoked");

        let (_, events) = http
            .call(
                "GET",
                &format!("/api/connections/{id}/events"),
                &viewer,
                None,
            )
            .await;
        let actions: Vec<_> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            actions,
            [
                "connection.start",
                "connection.wizard_step",
                "connection.wizard_step",
                "connection.wizard_step",
                "connection.complete_wizard",
                "connection.deactivate",
                "connection.reactivate",
                "connection.credential_revoked",
            ]
        );
        assert_eq!(events[5]["reason"], "vendor audit");
        assert_eq!(events[5]["actor"], "admin@demo.example");

        let (_, gone) = http
            .call("DELETE", &format!("/api/connections/{id}"), &admin, None)
            .await;
        assert_eq!(gone["status"], "disconnected");
        let (_, list) = http.call("GET", "/api/connections", &admin, None).await;
        assert!(list.as_array().unwrap().is_empty());
        let (status, _) = http
            .call(
                "POST",
                "/api/connections",
                &admin,
                Some(json!({"integration": "okta"})),
            )
            .await;
        assert_eq!(
            status, 201,
            "a disconnected integration can be connected again"
        );

        assert!(
            !http.seen.lock().unwrap().contains(WIZARD_SECRET),
            "a response held the secret"
        );
    });

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    server.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("relais-server started"),
        "the log was captured"
    );
    assert!(!log.contains(WIZARD_SECRET), "a log line held the secret");
    // SQLite's files, pages not yet checkpointed included.
    for file in ["relais.db", "relais.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(file)) {
            assert!(
                !bytes
                    .windows(WIZARD_SECRET.len())
                    .any(|w| w == WIZARD_SECRET.as_bytes()),
                "{file} holds the secret in clear"
            );
        }
    }
    // Every stored value of every table, on either backend: the sealed
    // form is there, the secret is not.
    use relais_store::copy::Cell;
    let store = relais_store::open(db.as_os_str()).unwrap();
    let mut sealed = 0;
    store
        .export_tables(&mut |chunk| {
            for cell in chunk.rows.iter().flatten() {
                let bytes: &[u8] = match cell {
                    Cell::Text(t) => t.as_bytes(),
                    Cell::Bytes(b) => b,
                    _ => continue,
                };
                assert!(
                    !bytes
                        .windows(WIZARD_SECRET.len())
                        .any(|w| w == WIZARD_SECRET.as_bytes()),
                    "{} holds the secret in clear",
                    chunk.table
                );
                sealed += usize::from(bytes.windows(3).any(|w| w == b"v1:"));
            }
            Ok(())
        })
        .unwrap();
    assert!(sealed > 0, "a sealed secret is stored");
}

async fn in_process(app: App) -> (String, Arc<App>) {
    let app = Arc::new(app);
    let base = common::serve(Arc::clone(&app), relais_server::ServerConfig::default()).await;
    (base, app)
}

#[tokio::test]
async fn a_partner_connection_waits_for_the_partner_and_exchanges_no_data_until_then() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(relais_store::testing::database_in(dir.path()))
        .unwrap()
        .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()));
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let (base, app) = in_process(app).await;
    let http = Http {
        base: base.clone(),
        client: reqwest::Client::new(),
        seen: Default::default(),
    };
    let admin = created.token;

    let (_, started) = http
        .call(
            "POST",
            "/api/connections",
            &admin,
            Some(json!({"integration": "ping-identity"})),
        )
        .await;
    let id = started["id"].as_str().unwrap().to_owned();
    for (step, answers) in [
        (
            "tenant",
            json!({"tenant_url": "https://acme.pingone.eu", "api_token": "ping-token-1234567890"}),
        ),
        (
            "provisioning",
            json!({"create_accounts_days_before_start": "0"}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ] {
        assert_eq!(
            http.call(
                "POST",
                &format!("/api/connections/{id}/wizard/{step}"),
                &admin,
                Some(answers)
            )
            .await
            .0,
            200
        );
    }
    let (_, done) = http
        .call(
            "POST",
            &format!("/api/connections/{id}/wizard/complete"),
            &admin,
            None,
        )
        .await;
    assert_eq!(done["connection"]["status"], "pending");
    assert_eq!(
        done["connection"]["state"]["reason"],
        "awaiting_partner_activation"
    );
    let partner = &done["partner_credential"];
    assert_eq!(
        partner["scopes"],
        json!(["employees:read"]),
        "exactly the catalog's permissions"
    );

    let auth: Value = http
        .client
        .post(format!("{base}/v1/auth"))
        .json(
            &json!({"client_id": partner["client_id"], "client_secret": partner["client_secret"]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["data"]["token"].as_str().unwrap().to_owned();
    let (status, body) = http
        .call("GET", "/v1/company/employees", &token, None)
        .await;
    assert_eq!(status, 403, "pending connections exchange no data");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pending"),
        "{body}"
    );

    let (status, activated) = http
        .call("POST", "/v1/partner/connection/activate", &token, None)
        .await;
    assert_eq!(status, 200, "{activated}");
    assert_eq!(activated["data"]["status"], "connected");
    assert_eq!(
        http.call("GET", "/v1/company/employees", &token, None)
            .await
            .0,
        200
    );
    let (status, _) = http
        .call("POST", "/v1/partner/connection/activate", &token, None)
        .await;
    assert_eq!(status, 409, "activating twice is refused");
    let events = app
        .connection_events(relais_app::Caller::Operator, &created.company, &id)
        .unwrap();
    assert!(events.iter().any(|e| e.actor.starts_with("partner:rlc_")));
}

#[tokio::test]
async fn without_an_operator_key_a_wizard_with_secrets_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let (base, _app) = in_process(app).await;
    let http = Http {
        base,
        client: reqwest::Client::new(),
        seen: Default::default(),
    };
    // The integration's page says so before anyone clicks Connect.
    let (status, page) = http
        .call("GET", "/api/catalog/okta", &created.token, None)
        .await;
    assert_eq!(status, 200);
    let notice = page["setup_notice"].as_str().unwrap();
    assert!(
        notice.contains("RELAIS_SECRET_KEY") && notice.contains("api_token"),
        "{page}"
    );
    let (_, power_bi) = http
        .call("GET", "/api/catalog/power-bi", &created.token, None)
        .await;
    assert!(
        power_bi.get("setup_notice").is_none(),
        "a wizard without secrets needs no key: {power_bi}"
    );

    // Connect is refused as a server-configuration problem, not as the
    // client's mistake, and leaves no Pending connection behind.
    let (status, body) = http
        .call(
            "POST",
            "/api/connections",
            &created.token,
            Some(json!({"integration": "okta"})),
        )
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "not_configured", "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("RELAIS_SECRET_KEY"),
        "{body}"
    );
    assert!(
        !body["message"].as_str().unwrap().contains("restart"),
        "{body}"
    );
    let (_, list) = http
        .call("GET", "/api/connections", &created.token, None)
        .await;
    assert_eq!(list, json!([]), "nothing half-made");
}

#[tokio::test]
async fn demo_and_integration_requests() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(relais_store::testing::database_in(dir.path())).unwrap();
    let a = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let b = app
        .create_company("Globex", "hank@globex.example", "Hank")
        .unwrap();
    let (base, operator) = in_process(app).await;
    let http = Http {
        base,
        client: reqwest::Client::new(),
        seen: Default::default(),
    };

    let (status, demo) = http
        .call(
            "POST",
            "/api/demo-requests",
            &a.token,
            Some(json!({"integration": "okta", "message": "Before Q3"})),
        )
        .await;
    assert_eq!(status, 201, "{demo}");
    assert_eq!(demo["requested_by"], "ana@acme.example");
    assert_eq!(
        http.call(
            "POST",
            "/api/demo-requests",
            &a.token,
            Some(json!({"integration": "indeed"}))
        )
        .await
        .0,
        400,
        "no demo offered"
    );
    let (_, mine) = http.call("GET", "/api/demo-requests", &a.token, None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, theirs) = http.call("GET", "/api/demo-requests", &b.token, None).await;
    assert!(
        theirs.as_array().unwrap().is_empty(),
        "each company sees its own"
    );

    let ask = |name: &str| json!({"name": name, "website": "https://www.hibob.com", "use_case": "HRIS migration"});
    assert_eq!(
        http.call(
            "POST",
            "/api/integration-requests",
            &a.token,
            Some(ask("HiBob"))
        )
        .await
        .0,
        201
    );
    let (_, merged) = http
        .call(
            "POST",
            "/api/integration-requests",
            &b.token,
            Some(ask("hi bob!")),
        )
        .await;
    assert_eq!(merged["name"], "HiBob", "merged with Acme's request");
    assert_eq!(merged["count"], 1, "Globex sees its own requests only");
    assert_eq!(merged["use_cases"], json!(["HRIS migration"]));
    // Neither company reads the other's requests or use cases; the operator reads all.
    let (_, mine) = http
        .call("GET", "/api/integration-requests", &b.token, None)
        .await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["count"], 1);
    assert_eq!(
        operator
            .integration_requests(relais_app::Caller::Operator, None)
            .unwrap()[0]
            .count,
        2
    );
    let (status, body) = http
        .call(
            "POST",
            "/api/integration-requests",
            &a.token,
            Some(ask("SLACK")),
        )
        .await;
    assert_eq!(status, 409);
    assert!(body["message"].as_str().unwrap().contains("in the catalog"));
    assert_eq!(
        http.call(
            "POST",
            "/api/integration-requests",
            &a.token,
            Some(json!({"name": "X", "use_case": ""}))
        )
        .await
        .0,
        400
    );
}
