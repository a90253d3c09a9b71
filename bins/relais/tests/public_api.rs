//! End to end, as an operator and an API client would do it: the real
//! server on a socket, a credential made with the CLI, then every page of
//! employees, time-offs and attendances read over HTTP and checked against
//! what was generated into the store.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::sync::Arc;

use assert_cmd::Command;
use relais_app::App;
use serde_json::{Value, json};

fn relais(db: &std::path::Path, args: &[&str]) -> Value {
    let output = Command::cargo_bin("relais")
        .unwrap()
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&output).unwrap()
}

async fn pages(
    client: &reqwest::Client,
    token: &str,
    url: &str,
    limit: u64,
    page_numbers: bool,
) -> (u64, u64) {
    let (mut seen, mut offset) = (0, u64::from(page_numbers));
    loop {
        let separator = if url.contains('?') { '&' } else { '?' };
        let response = client
            .get(format!("{url}{separator}limit={limit}&offset={offset}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let total = body["metadata"]["total_elements"].as_u64().unwrap();
        let n = body["data"].as_array().unwrap().len() as u64;
        if n == 0 {
            return (seen, total);
        }
        seen += n;
        offset += if page_numbers { 1 } else { limit };
    }
}

#[test]
fn an_api_client_reads_every_employee_absence_and_attendance_the_store_holds() {
    let dir = tempfile::tempdir().unwrap();
    let db = relais_store::testing::database_in(dir.path());
    relais(
        &db,
        &[
            "init",
            "--company",
            "Acme",
            "--admin-email",
            "ana@acme.example",
        ],
    );
    let generated = relais(
        &db,
        &[
            "demo",
            "generate",
            "--employees",
            "60",
            "--months",
            "3",
            "--until",
            "2026-10-31",
        ],
    );
    let credential = relais(
        &db,
        &[
            "credentials",
            "create",
            "--name",
            "Warehouse",
            "--scope",
            "employees:read,absences:read,attendances:read",
        ],
    );
    let client_id = credential["client_id"].as_str().unwrap().to_owned();
    let client_secret = credential["client_secret"].as_str().unwrap().to_owned();

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let app = Arc::new(App::open(&db).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(relais_server::serve(listener, relais_server::router(app, relais_server::ServerConfig::default()), std::future::pending()));

        let client = reqwest::Client::new();
        let auth: Value = client
            .post(format!("{base}/v1/auth"))
            .json(&json!({"client_id": client_id, "client_secret": client_secret}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = auth["data"]["token"].as_str().unwrap().to_owned();

        let (seen, total) = pages(&client, &token, &format!("{base}/v1/company/employees"), 11, false).await;
        assert_eq!((seen, total), (60, generated["employees"].as_u64().unwrap()));

        let (seen, total) = pages(&client, &token, &format!("{base}/v1/company/time-offs"), 25, true).await;
        assert_eq!(seen, total);
        assert_eq!(total, generated["time_offs"].as_u64().unwrap());

        let url = format!("{base}/v1/company/attendances?start_date=2000-01-01&end_date=2030-12-31&includePending=true");
        let (seen, total) = pages(&client, &token, &url, 200, false).await;
        assert_eq!(seen, total);
        assert_eq!(total, generated["attendances"].as_u64().unwrap());

        let (seen, total) = pages(&client, &token, &format!("{base}/v1/company/absence-periods"), 50, false).await;
        assert_eq!((seen, total), (generated["absence_periods"].as_u64().unwrap(), generated["absence_periods"].as_u64().unwrap()));
    });

    // Revoked with the CLI: the next call is refused.
    relais(&db, &["credentials", "revoke", &client_id]);
    assert_eq!(
        relais(&db, &["credentials", "show", &client_id])["status"],
        "revoked"
    );
}
