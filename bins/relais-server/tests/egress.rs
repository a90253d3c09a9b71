//! Outgoing requests to addresses a tenant typed (issue 13, items 1 and 3):
//! an edit user cannot aim the SCIM connector at loopback, private,
//! link-local or metadata addresses, cannot read an arbitrary answer back
//! through the Tracking tab, and a target cannot fill the server's memory.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::Target;
use relais_app::{App, Caller};
use relais_egress::EgressPolicy;
use relais_server::ServerConfig;
use serde_json::{Value, json};

const KEY: &str = "6f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";
const BEARER: &str = "the-connection-bearer-token-4417";

fn open(db: &std::path::Path, policy: EgressPolicy) -> Arc<App> {
    Arc::new(
        App::open(db)
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
            .with_egress_policy(policy),
    )
}

async fn call(method: &str, url: &str, token: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Connects the SCIM integration to `base_url` as the operator, with `app`'s policy.
fn connect_scim(app: &App, company: &relais_access::Company, base_url: &str) -> String {
    let by = Caller::Operator;
    let id = app
        .start_connection(by, company, "scim-provisioning")
        .unwrap()
        .id;
    for (step, answers) in [
        (
            "target",
            json!({"base_url": base_url, "bearer_token": BEARER}),
        ),
        (
            "matching",
            json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ] {
        app.submit_wizard_step(by, company, &id, step, answers.as_object().unwrap())
            .unwrap();
    }
    app.complete_wizard(by, company, &id).unwrap();
    id
}

/// Starts a cycle over HTTP and waits for it to finish; returns the run.
async fn sync_now(base: &str, token: &str, connection: &str) -> Value {
    let (status, run) = call(
        "POST",
        &format!("{base}/api/connections/{connection}/sync"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, run) = call("GET", &format!("{base}/api/sync-runs/{id}"), token, None).await;
        if run["status"] != "running" {
            return run;
        }
        assert!(Instant::now() < deadline, "the run never finished: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wizard_refuses_urls_aimed_at_the_servers_own_network() {
    let target = Target::start(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", false).await;
    let dir = tempfile::tempdir().unwrap();
    let app = open(
        &relais_store::testing::database_in(dir.path()),
        EgressPolicy::public_only(),
    );
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let (status, started) = call(
        "POST",
        &format!("{base}/api/connections"),
        &new.token,
        Some(json!({"integration": "scim-provisioning"})),
    )
    .await;
    assert_eq!(status, 201, "{started}");
    let id = started["id"].as_str().unwrap();
    let port = target.port;
    for url in [
        format!("http://127.0.0.1:{port}/v2"),
        format!("http://0x7f000001:{port}/v2"),
        format!("http://2130706433:{port}/v2"),
        format!("http://[::1]:{port}/v2"),
        format!("http://[::ffff:127.0.0.1]:{port}/v2"),
        format!("http://localhost:{port}/v2"),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "http://10.0.0.8/scim".to_owned(),
        "http://192.168.1.20/scim".to_owned(),
        "http://[fd12::1]/scim".to_owned(),
        // A query would swallow the /Users… Relais appends: the tenant would choose the path.
        "https://idp.example.com/scim/v2?x=".to_owned(),
        "https://idp.example.com/scim/v2#x".to_owned(),
    ] {
        let (status, body) = call(
            "POST",
            &format!("{base}/api/connections/{id}/wizard/target"),
            &new.token,
            Some(json!({"base_url": url, "bearer_token": BEARER})),
        )
        .await;
        assert_eq!(status, 400, "{url}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("base_url: "), "{url}: {message}");
        assert!(!message.contains(BEARER), "{message}");
    }
    // A public name is fine at the wizard (it is resolved at every connection).
    let (status, body) = call(
        "POST",
        &format!("{base}/api/connections/{id}/wizard/target"),
        &new.token,
        Some(json!({"base_url": "https://idp.example.com/scim/v2", "bearer_token": BEARER})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(target.connections.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_the_policy_no_longer_allows_is_refused_at_connect_time_without_the_token() {
    let target = Target::start(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}", false).await;
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    // Connected while the operator allowed loopback …
    let allowing = open(&db, EgressPolicy::parse("127.0.0.1").unwrap());
    let new = allowing
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let connection = connect_scim(
        &allowing,
        &new.company,
        &format!("http://127.0.0.1:{}/v2", target.port),
    );
    drop(allowing);
    // … and run by a server that does not allow it.
    let app = open(&db, EgressPolicy::public_only());
    let base = common::serve(app, ServerConfig::default()).await;
    let run = sync_now(&base, &new.token, &connection).await;
    assert_eq!(run["status"], "failed", "{run}");
    let message = run["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("127.0.0.1") && message.contains("loopback"),
        "{message}"
    );
    assert_eq!(
        target.connections.load(Ordering::SeqCst),
        0,
        "no connection, so the bearer token never left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_is_not_a_scim_error_is_never_shown_back() {
    let target = Target::start(
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: 61\r\n\r\n<html>INTERNAL-ONLY: db password is hunter2, admin panel</html>",
        false,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let app = open(
        &relais_store::testing::database_in(dir.path()),
        EgressPolicy::parse("127.0.0.1").unwrap(),
    );
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let connection = connect_scim(
        &app,
        &new.company,
        &format!("http://127.0.0.1:{}/v2", target.port),
    );
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let run = sync_now(&base, &new.token, &connection).await;
    assert_eq!(run["status"], "failed", "{run}");
    let text = run.to_string();
    assert!(!text.contains("INTERNAL-ONLY"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(
        run["error"]["response"]["body"]
            .as_str()
            .unwrap()
            .contains("not a SCIM error document"),
        "{run}"
    );
    // The allowed target got the bearer token, and only it.
    assert!(
        target.requests.lock().unwrap()[0].contains(BEARER),
        "the token goes to the target it belongs to"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_cannot_fill_the_servers_memory_with_an_endless_answer() {
    let target = Target::start(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\n\r\n",
        true,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let app = open(
        &relais_store::testing::database_in(dir.path()),
        EgressPolicy::parse("127.0.0.1").unwrap(),
    );
    let new = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let connection = connect_scim(
        &app,
        &new.company,
        &format!("http://127.0.0.1:{}/v2", target.port),
    );
    let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
    let run = sync_now(&base, &new.token, &connection).await;
    assert_eq!(run["status"], "failed", "{run}");
    let message = run["error"]["message"].as_str().unwrap();
    assert!(message.contains("larger than 4194304 bytes"), "{message}");
    // Relais stopped reading at the limit: what the target managed to push
    // is the limit plus socket buffers, not an unbounded stream.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = target.bytes_sent.load(Ordering::SeqCst);
    assert!(sent < 32 * 1024 * 1024, "{sent} bytes were sent");
    let (status, _) = call("GET", &format!("{base}/healthz"), "", None).await;
    assert_eq!(status, 200);
}
