//! Resource limits (issue 13): connections, request numbers, free text,
//! bodies. Each test attacks the running server over real HTTP.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use relais_app::App;
use relais_server::{ConnectionLimits, ServerConfig};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_cannot_take_the_server_down() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let limits = ConnectionLimits {
        max_connections: 20,
        header_read_timeout: Duration::from_secs(1),
    };
    tokio::spawn(relais_server::serve_with(
        listener,
        relais_server::router(app, ServerConfig::default()),
        std::future::pending(),
        limits,
    ));

    // Three times the limit of clients that start a request and never finish it.
    let mut slow = Vec::new();
    for _ in 0..60 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: relais\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }

    // A real client is still answered, once the slow ones are timed out.
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(format!("http://{address}/healthz"))
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(15));

    // The first slow clients were disconnected by the header time-out.
    for stream in slow.iter_mut().take(5) {
        let mut buffer = [0u8; 1024];
        let read = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {} // a 408 before the close is fine
                }
            }
        })
        .await;
        assert!(read.is_ok(), "a slow connection was left open");
    }
}

const KEY: &str = "3b1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

struct World {
    base: String,
    admin: String,
    api: String,
    _dir: tempfile::TempDir,
}

/// A company with a few employees, its admin token, and a public-API token
/// holding every read scope.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(
        App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap())),
    );
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let spec = relais_people::demo::DemoSpec {
        employees: 5,
        months: 1,
        seed: 9,
        until: chrono::Utc::now().date_naive(),
    };
    app.generate_demo(&new.company, spec, false, &mut |_| {})
        .unwrap();
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let client = reqwest::Client::new();
    let credential: serde_json::Value = client
        .post(format!("{base}/api/credentials"))
        .bearer_auth(&new.token)
        .json(&serde_json::json!({"name": "All", "scopes": ["employees:read", "absences:read", "attendances:read", "attendances:write", "custom_reports:read"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api = common::api_token(
        &client,
        &base,
        credential["client_id"].as_str().unwrap(),
        credential["client_secret"].as_str().unwrap(),
    )
    .await;
    World {
        base,
        admin: new.token,
        api,
        _dir: dir,
    }
}

impl World {
    async fn get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        self.call(token, "GET", path, None).await
    }

    async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    /// Starts and completes a connection through its wizard; returns its
    /// id and the partner credential, if any.
    async fn connect(
        &self,
        slug: &str,
        steps: &[(&str, serde_json::Value)],
    ) -> (String, serde_json::Value) {
        let (_, started) = self
            .call(
                &self.admin,
                "POST",
                "/api/connections",
                Some(json!({"integration": slug})),
            )
            .await;
        let id = started["id"].as_str().unwrap().to_owned();
        for (step, answers) in steps {
            let (status, body) = self
                .call(
                    &self.admin,
                    "POST",
                    &format!("/api/connections/{id}/wizard/{step}"),
                    Some(answers.clone()),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, done) = self
            .call(
                &self.admin,
                "POST",
                &format!("/api/connections/{id}/wizard/complete"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{done}");
        (id, done["partner_credential"].clone())
    }
}

/// The message of a refusal, from the admin API or the public API.
fn message(body: &serde_json::Value) -> String {
    body["message"]
        .as_str()
        .or_else(|| body["error"]["message"].as_str())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_page_beyond_any_list_is_refused_not_wrapped() {
    let w = world().await;
    let huge = u64::MAX;
    let connection = uuid::Uuid::now_v7();
    for (token, path) in [
        (
            &w.admin,
            format!("/api/connections/{connection}/sync-runs?page={huge}&per_page=500"),
        ),
        (
            &w.admin,
            format!("/api/sync-runs/{connection}/entries?page={huge}&per_page=500"),
        ),
        (
            &w.api,
            format!("/v1/company/time-offs?offset={huge}&limit=200"),
        ),
        (
            &w.api,
            format!(
                "/v1/company/custom-reports/reports/0196a000-0000-7000-8000-000000000003?page={}&limit=1000",
                huge >> 1
            ),
        ),
    ] {
        let (status, body) = w.get(token, &path).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
    // A large but possible page is simply empty.
    let (status, body) = w
        .get(&w.api, "/v1/company/time-offs?offset=1000000&limit=200")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_free_text_has_a_limit_and_a_refusal_names_the_field() {
    let w = world().await;
    let long = |n: usize| "x".repeat(n);
    let (tableau, _) = w
        .connect(
            "tableau",
            &[
                (
                    "destination",
                    json!({"destination_url": "https://eu.tableau.example/acme", "refresh": "daily"}),
                ),
                ("confirm", json!({"accept_data_processing": true})),
            ],
        )
        .await;
    let (okta, partner) = w
        .connect(
            "okta",
            &[
                (
                    "tenant",
                    json!({"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789abc"}),
                ),
                ("provisioning", json!({"create_accounts_days_before_start": "3"})),
                ("confirm", json!({"accept_data_processing": true})),
            ],
        )
        .await;
    let partner_token = common::api_token(
        &reqwest::Client::new(),
        &w.base,
        partner["client_id"].as_str().unwrap(),
        partner["client_secret"].as_str().unwrap(),
    )
    .await;
    let (_, events_before) = w
        .get(&w.admin, &format!("/api/connections/{tableau}/events"))
        .await;

    let admin_cases = [
        (
            "POST",
            format!("/api/connections/{tableau}/deactivate"),
            json!({"reason": long(900_000)}),
            "reason: at most 2000 characters",
        ),
        (
            "POST",
            "/api/integration-requests".to_owned(),
            json!({"name": "HiBob", "use_case": long(3_000)}),
            "use_case: at most 2000 characters",
        ),
        (
            "POST",
            "/api/integration-requests".to_owned(),
            json!({"name": long(201), "use_case": "payroll"}),
            "name: 1 to 200 characters",
        ),
        (
            "POST",
            "/api/demo-requests".to_owned(),
            json!({"integration": "okta", "message": long(2_001)}),
            "message: at most 2000 characters",
        ),
        (
            "POST",
            "/api/reports".to_owned(),
            json!({"name": "R", "description": long(5_000), "type": "point_in_time", "period": {"type": "relative", "period": "today"}, "columns": ["first_name"]}),
            "description: at most 2000 characters",
        ),
        (
            "POST",
            "/api/credentials".to_owned(),
            json!({"name": long(201), "scopes": ["employees:read"]}),
            "name",
        ),
    ];
    for (method, path, body, expected) in admin_cases {
        let (status, answer) = w.call(&w.admin, method, &path, Some(body)).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert!(message(&answer).contains(expected), "{path}: {answer}");
    }
    // A wizard answer without a rule of its own is bounded too.
    let (_, started) = w
        .call(
            &w.admin,
            "POST",
            "/api/connections",
            Some(json!({"integration": "power-bi"})),
        )
        .await;
    let id = started["id"].as_str().unwrap();
    let (status, answer) = w
        .call(
            &w.admin,
            "POST",
            &format!("/api/connections/{id}/wizard/destination"),
            Some(json!({"destination_url": format!("https://x.example/{}", long(3_000)), "refresh": "daily"})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).contains("destination_url"), "{answer}");
    // The catalog's search words.
    let response = reqwest::get(format!("{}/api/catalog?q={}", w.base, long(300)))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // The public API: partner runs and attendances.
    let (_, run) = w.call(&partner_token, "POST", "/v1/sync/runs", None).await;
    let run = run["data"]["id"].as_str().unwrap().to_owned();
    let entry = |extra: serde_json::Value| {
        let mut e = json!({"employee_id": 1, "use_case": "update", "status": "failed"});
        e.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "entries": [e] })
    };
    for (body, expected) in [
        (
            entry(json!({"message": long(300_000)})),
            "entries[0].message",
        ),
        (
            entry(json!({"response": {"status": 999, "body": "?"}})),
            "entries[0].response.status",
        ),
        (
            entry(json!({"response": {"status": 500, "body": long(2_001)}})),
            "entries[0].response.body",
        ),
        (
            entry(json!({"changes": [{"attribute": "title", "old": long(3_000), "new": "b"}]})),
            "entries[0].changes[0].old",
        ),
    ] {
        let (status, answer) = w
            .call(
                &partner_token,
                "POST",
                &format!("/v1/sync/runs/{run}/entries"),
                Some(body),
            )
            .await;
        assert_eq!(status, 400, "{answer}");
        assert!(message(&answer).starts_with(expected), "{answer}");
    }
    let (status, answer) = w
        .call(
            &partner_token,
            "POST",
            &format!("/v1/sync/runs/{run}/finish"),
            Some(json!({"error": {"message": long(300_000), "response": null}})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(message(&answer).starts_with("error.message"), "{answer}");
    let (status, answer) = w
        .call(
            &w.api,
            "POST",
            "/v1/company/attendances",
            Some(json!({"attendances": [{"employee": 1, "date": "2031-04-01", "start_time": "09:00", "end_time": "17:00", "break": 30, "comment": long(2_001)}]})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        message(&answer).contains("comment: at most 2000"),
        "{answer}"
    );

    // Nothing of it reached the audit trail.
    let (_, events_after) = w
        .get(&w.admin, &format!("/api/connections/{tableau}/events"))
        .await;
    assert_eq!(events_before, events_after);
    let _ = okta;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secrets_from_elsewhere_do_not_lock_the_integration_out() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let config = ServerConfig {
        auth_per_minute: std::num::NonZeroU32::new(5).unwrap(),
        ..ServerConfig::default()
    };
    let base = common::serve(Arc::clone(&app), config).await;
    let admin = reqwest::Client::new();
    let credential: serde_json::Value = admin
        .post(format!("{base}/api/credentials"))
        .bearer_auth(&new.token)
        .json(&json!({"name": "BI", "scopes": ["employees:read"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = credential["client_id"].as_str().unwrap();
    // The attacker calls from another loopback address.
    let attacker = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let mut statuses = Vec::new();
    for _ in 0..10 {
        let response = attacker
            .post(format!("{base}/v1/auth"))
            .json(&json!({"client_id": client_id, "client_secret": "rls_wrong"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert_eq!(statuses[5..], [429; 5], "the attacker is throttled");
    // The integration, from its own address, still gets its token.
    let token = common::api_token(
        &admin,
        &base,
        client_id,
        credential["client_secret"].as_str().unwrap(),
    )
    .await;
    // Authorization schemes are case-insensitive.
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = admin
            .get(format!("{base}/v1/company/employees?limit=1"))
            .header("Authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
        let response = admin
            .get(format!("{base}/api/me"))
            .header("Authorization", format!("{scheme} {}", new.token))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{scheme}");
    }
}

/// Sends `path` a chunked body of `size` bytes on a raw connection; returns the status.
async fn chunked_post(base: &str, path: &str, token: &str, size: usize) -> u16 {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < size {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        if stream.write_all(&frame).await.is_err() {
            break; // the server stopped reading: fine, its answer tells why
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0u8; 1024];
    let n = stream.read(&mut answer).await.unwrap();
    let line = String::from_utf8_lossy(&answer[..n]).into_owned();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_is_413() {
    let w = world().await;
    for (path, token) in [
        ("/api/reports", &w.admin),
        ("/api/integration-requests", &w.admin),
        ("/v1/company/attendances", &w.api),
    ] {
        assert_eq!(
            chunked_post(&w.base, path, token, 2 * 1024 * 1024).await,
            413,
            "{path}"
        );
    }
}
