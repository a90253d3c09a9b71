//! Sync tracking over HTTP: partner-reported runs, the Tracking tab's
//! runs and entries, and runs interrupted by a restart.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use relais_app::{App, Caller};
use serde_json::{Value, json};

const KEY: &str = "6f1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

struct World {
    base: String,
    app: Arc<App>,
    admin: String,
    company: relais_access::Company,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(
        App::open(relais_store::testing::database_in(dir.path()))
            .unwrap()
            .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap())),
    );
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let base = common::serve(Arc::clone(&app), relais_server::ServerConfig::default()).await;
    World {
        base,
        app,
        admin: created.token,
        company: created.company,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

impl World {
    /// Connects a partner integration and returns (connection id, partner API token).
    async fn connect_partner(&self, slug: &str, answers: &[(&str, Value)]) -> (String, String) {
        let by = Caller::Operator;
        let id = self
            .app
            .start_connection(by, &self.company, slug)
            .unwrap()
            .id;
        for (step, a) in answers {
            self.app
                .submit_wizard_step(by, &self.company, &id, step, a.as_object().unwrap())
                .unwrap();
        }
        let done = self.app.complete_wizard(by, &self.company, &id).unwrap();
        let partner = done.partner_credential.unwrap();
        (
            id,
            common::api_token(
                &self.client,
                &self.base,
                &partner.client_id,
                &partner.client_secret,
            )
            .await,
        )
    }

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
        if let Some(b) = body {
            request = request.json(&b);
        }
        let response = request.send().await.unwrap();
        (
            response.status().as_u16(),
            response.json().await.unwrap_or(Value::Null),
        )
    }
}

fn okta_answers() -> Vec<(&'static str, Value)> {
    vec![
        (
            "tenant",
            json!({"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789abc"}),
        ),
        (
            "provisioning",
            json!({"create_accounts_days_before_start": "3"}),
        ),
        ("confirm", json!({"accept_data_processing": true})),
    ]
}

#[tokio::test]
async fn a_partner_reports_its_sync_and_admins_read_it_in_the_tracking_tab() {
    let w = world().await;
    let (connection, token) = w.connect_partner("okta", &okta_answers()).await;

    let (status, started) = w
        .call(
            "POST",
            "/v1/sync/runs",
            &token,
            Some(json!({"cycle": "full"})),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let run = started["data"]["id"].as_str().unwrap().to_owned();
    let batch = json!({"entries": [
        {"employee_id": 1, "use_case": "provision", "status": "success", "message": "created okta user 00u1"},
        {"employee_id": 2, "use_case": "update", "status": "skipped", "message": "nothing to change"},
        {"employee_id": 3, "use_case": "link", "status": "failed", "message": "duplicate target entries",
         "response": {"status": 409, "body": "{\"errorCode\": \"E0000001\"}"}},
        {"employee_id": 4, "use_case": "deprovision", "status": "success", "message": "deactivated",
         "changes": [{"attribute": "active", "old": true, "new": false}]},
    ]});
    let (status, body) = w
        .call(
            "POST",
            &format!("/v1/sync/runs/{run}/entries"),
            &token,
            Some(batch),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, finished) = w
        .call(
            "POST",
            &format!("/v1/sync/runs/{run}/finish"),
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        finished["data"]["status"], "partially_completed",
        "one failed entry"
    );
    let (status, _) = w
        .call(
            "POST",
            &format!("/v1/sync/runs/{run}/entries"),
            &token,
            Some(
                json!({"entries": [{"employee_id": 5, "use_case": "update", "status": "success"}]}),
            ),
        )
        .await;
    assert_eq!(status, 409, "a finished run takes no more entries");

    // The Tracking tab.
    let (_, runs) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}/sync-runs"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(runs["total"], 1);
    assert_eq!(runs["items"][0]["trigger"], "partner_reported");
    let (_, partial) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}/sync-runs?status=partially_completed"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(partial["total"], 1);
    let (_, none) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}/sync-runs?status=failed"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(none["total"], 0);
    let (_, failed) = w
        .call(
            "GET",
            &format!("/api/sync-runs/{run}/entries?status=failed"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(failed["total"], 1);
    assert_eq!(failed["items"][0]["employee_id"], 3);
    assert_eq!(failed["items"][0]["response"]["status"], 409);
    let (_, provisions) = w
        .call(
            "GET",
            &format!("/api/sync-runs/{run}/entries?use_case=provision"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(provisions["total"], 1);
    let (_, one) = w
        .call(
            "GET",
            &format!("/api/sync-runs/{run}/entries?employee=4"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(one["items"][0]["changes"][0]["attribute"], "active");
    let (_, history) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}/employees/3/sync-entries"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(history["total"], 1);
    let (_, view) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(view["last_sync"]["status"], "partially_completed");

    for (path, status) in [
        (format!("/api/sync-runs/{run}/entries?status=lost"), 400),
        // 0 stands for "a group" in entries, not for an employee.
        (format!("/api/sync-runs/{run}/entries?employee=0"), 400),
        (
            format!("/api/connections/{connection}/employees/0/sync-entries"),
            400,
        ),
        (format!("/api/sync-runs/{run}/entries?per_page=0"), 400),
        (
            format!("/api/connections/{connection}/sync-runs?status=sleeping"),
            400,
        ),
        (
            "/api/sync-runs/0196a000-0000-7000-8000-00000000dead".to_owned(),
            404,
        ),
        ("/api/sync-runs/nope/entries".to_owned(), 404),
    ] {
        assert_eq!(
            w.call("GET", &path, &w.admin, None).await.0,
            status,
            "{path}"
        );
    }
    // Bad batches.
    let (_, started) = w.call("POST", "/v1/sync/runs", &token, None).await;
    let run = started["data"]["id"].as_str().unwrap();
    assert_eq!(
        w.call(
            "POST",
            &format!("/v1/sync/runs/{run}/entries"),
            &token,
            Some(json!({"entries": []}))
        )
        .await
        .0,
        400
    );
    assert_eq!(w.call("POST", &format!("/v1/sync/runs/{run}/entries"), &token, Some(json!({"entries": [{"employee_id": 1, "use_case": "teleport", "status": "success"}]}))).await.0, 400);

    // Entries that would escape retention or name no employee are refused.
    for (entry, field) in [
        (
            json!({"employee_id": 1, "use_case": "update", "status": "success", "at": "9999-01-01T00:00:00Z"}),
            "entries[0].at",
        ),
        (
            json!({"employee_id": 1, "use_case": "update", "status": "success", "at": "2020-01-01T00:00:00Z"}),
            "entries[0].at",
        ),
        (
            json!({"employee_id": -4, "use_case": "update", "status": "success"}),
            "entries[0].employee_id",
        ),
    ] {
        let (status, body) = w
            .call(
                "POST",
                &format!("/v1/sync/runs/{run}/entries"),
                &token,
                Some(json!({ "entries": [entry] })),
            )
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{body}"
        );
    }

    // A restart of Relais does not close a run the partner reports: the
    // partner goes on appending; only its heartbeat rule closes it.
    assert_eq!(w.app.close_interrupted_runs(true).unwrap(), 0);
    let (status, body) = w
        .call(
            "POST",
            &format!("/v1/sync/runs/{run}/entries"),
            &token,
            Some(
                json!({"entries": [{"employee_id": 1, "use_case": "update", "status": "success"}]}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn only_integrations_with_sync_tracking_report_runs() {
    let w = world().await;
    let (_, token) = w
        .connect_partner(
            "greenhouse",
            &[
                (
                    "account",
                    json!({"account_id": "acme", "api_key": "greenhouse-key-0123456789"}),
                ),
                ("publishing", json!({"default_language": "en"})),
                ("confirm", json!({"accept_data_processing": true})),
            ],
        )
        .await;
    let (status, body) = w.call("POST", "/v1/sync/runs", &token, None).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no sync tracking")
    );
}

#[tokio::test]
async fn sync_now_refuses_connections_relais_does_not_run() {
    let w = world().await;
    let (connection, _) = w.connect_partner("okta", &okta_answers()).await;
    let (status, body) = w
        .call(
            "POST",
            &format!("/api/connections/{connection}/sync"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("runs the sync on its side"),
        "{body}"
    );
}

#[tokio::test]
async fn silent_runs_are_closed_and_old_entries_purged() {
    let w = world().await;
    let (connection, token) = w.connect_partner("okta", &okta_answers()).await;
    let (_, started) = w.call("POST", "/v1/sync/runs", &token, None).await;
    let run_id = started["data"]["id"].as_str().unwrap().to_owned();
    w.call(
        "POST",
        &format!("/v1/sync/runs/{run_id}/entries"),
        &token,
        Some(json!({"entries": [{"employee_id": 1, "use_case": "update", "status": "success"}]})),
    )
    .await;

    // Not stale yet.
    assert_eq!(w.app.close_interrupted_runs(false).unwrap(), 0);
    // Six minutes without a heartbeat.
    let store =
        relais_store::open(relais_store::testing::database_in(w._dir.path()).as_os_str()).unwrap();
    store
        .advance_run(
            w.company.id,
            run_id.parse().unwrap(),
            relais_store::RunProgress::default(),
            &mut |r| r.heartbeat_at = chrono::Utc::now() - chrono::Duration::minutes(6),
        )
        .unwrap();
    assert_eq!(w.app.close_interrupted_runs(false).unwrap(), 1);
    let (_, closed) = w
        .call("GET", &format!("/api/sync-runs/{run_id}"), &w.admin, None)
        .await;
    assert_eq!(closed["status"], "failed");
    assert!(
        closed["error"]["message"]
            .as_str()
            .unwrap()
            .contains("heartbeat")
    );

    // Retention: entries older than the retention go (0 days: all), the run summary stays.
    assert_eq!(w.app.purge_sync_entries(30).unwrap(), 0);
    assert_eq!(w.app.purge_sync_entries(0).unwrap(), 1);
    let (_, entries) = w
        .call(
            "GET",
            &format!("/api/sync-runs/{run_id}/entries"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(entries["total"], 0);
    let (_, runs) = w
        .call(
            "GET",
            &format!("/api/connections/{connection}/sync-runs"),
            &w.admin,
            None,
        )
        .await;
    assert_eq!(runs["total"], 1);
    assert_eq!(
        runs["items"][0]["counts"]["update"]["success"], 1,
        "the summary keeps its counts"
    );
}
