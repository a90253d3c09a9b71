//! Resource limits (issue 13): connections, request numbers, free text,
//! bodies. Each test attacks the running server over real HTTP.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use relais_app::App;
use relais_server::{ConnectionLimits, ServerConfig};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_cannot_take_the_server_down() {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(&dir.path().join("relais.db")).unwrap());
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
    let app = Arc::new(App::open(&dir.path().join("relais.db")).unwrap());
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
        .json(&serde_json::json!({"name": "All", "scopes": ["employees:read", "absences:read", "attendances:read", "custom_reports:read"]}))
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
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }
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
