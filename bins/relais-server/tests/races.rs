//! Check-then-act under concurrency, fired many times in parallel over real
//! HTTP (issue 13): every "only one" rule holds because the store enforces
//! it, not because requests happen to arrive one after another.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::sync::Arc;

use relais_app::App;
use relais_server::ServerConfig;
use serde_json::{Value, json};

/// How many requests each race fires at once.
const RACERS: usize = 30;

const KEY: &str = "7a1c0d4e6a2b3c5d7e9f00112233445566778899aabbccddeeff0011223344ab";

struct Server {
    base: String,
    token: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Self {
        Self::start_with_employees(0).await
    }

    /// A server whose company has `employees` demo employees (0: none).
    async fn start_with_employees(employees: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(
            App::open(relais_store::testing::database_in(dir.path()))
                .unwrap()
                .with_secret_key(Some(relais_access::SecretKey::from_hex(KEY).unwrap()))
                .with_egress_policy(relais_egress::EgressPolicy::parse("127.0.0.1").unwrap()),
        );
        let new = app
            .create_company("Acme", "ana@acme.example", "Ana")
            .unwrap();
        if employees > 0 {
            let spec = relais_people::demo::DemoSpec {
                employees,
                months: 1,
                seed: 5,
                until: chrono::Utc::now().date_naive(),
            };
            app.generate_demo(&new.company, spec, false, &mut |_| {})
                .unwrap();
        }
        let base = common::serve(app, ServerConfig::default()).await;
        Self {
            base,
            token: new.token,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.call_as(&self.token, method, path, body).await
    }

    async fn call_as(
        &self,
        token: &str,
        method: &str,
        path: &str,
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
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Fires `RACERS` copies of one request at once; returns their statuses.
    async fn race(self: &Arc<Self>, method: &'static str, path: String) -> Vec<u16> {
        self.all_at_once(vec![(method, path, None); RACERS]).await
    }

    /// Fires every request at once as the admin; returns their statuses,
    /// in order. None may be a 5xx.
    async fn all_at_once(
        self: &Arc<Self>,
        requests: Vec<(&'static str, String, Option<Value>)>,
    ) -> Vec<u16> {
        let token = self.token.clone();
        self.all_at_once_as(&token, requests).await
    }

    /// Fires every request at once with `token`; returns their statuses, in order.
    async fn all_at_once_as(
        self: &Arc<Self>,
        token: &str,
        requests: Vec<(&'static str, String, Option<Value>)>,
    ) -> Vec<u16> {
        let barrier = Arc::new(tokio::sync::Barrier::new(requests.len()));
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(method, path, body)| {
                let (server, barrier, token) =
                    (Arc::clone(self), Arc::clone(&barrier), token.to_owned());
                tokio::spawn(async move {
                    barrier.wait().await;
                    server.call_as(&token, method, &path, body).await
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert!(status < 500, "{status}: {body}");
            statuses.push(status);
        }
        statuses
    }

    /// A Tableau connection with its wizard answered, not yet completed.
    async fn answered_connection(&self) -> String {
        let (status, started) = self
            .call(
                "POST",
                "/api/connections",
                Some(json!({"integration": "tableau"})),
            )
            .await;
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap().to_owned();
        for (step, answers) in [
            (
                "destination",
                json!({"destination_url": "https://eu.tableau.example/acme", "refresh": "daily"}),
            ),
            ("confirm", json!({"accept_data_processing": true})),
        ] {
            let (status, body) = self
                .call(
                    "POST",
                    &format!("/api/connections/{id}/wizard/{step}"),
                    Some(answers),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
        id
    }

    /// The company's credentials made for Tableau that are not revoked.
    async fn live_tableau_credentials(&self) -> Vec<Value> {
        let (_, list) = self.call("GET", "/api/credentials", None).await;
        list.as_array()
            .unwrap()
            .iter()
            .filter(|c| c["integration"] == "tableau" && c["revoked_at"].is_null())
            .cloned()
            .collect()
    }
}

fn count(statuses: &[u16], status: u16) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_parallel_wizard_completions_exactly_one_wins_and_one_credential_exists() {
    let server = Arc::new(Server::start().await);
    for round in 0..5 {
        let id = server.answered_connection().await;
        let statuses = server
            .race("POST", format!("/api/connections/{id}/wizard/complete"))
            .await;
        assert_eq!(count(&statuses, 200), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 409),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
        let live = server.live_tableau_credentials().await;
        assert_eq!(live.len(), 1, "round {round}: {live:?}");
        let (status, _) = server
            .call("DELETE", &format!("/api/connections/{id}"), None)
            .await;
        assert_eq!(status, 200);
        assert!(server.live_tableau_credentials().await.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_parallel_reactivations_exactly_one_wins_and_the_old_credential_dies() {
    let server = Arc::new(Server::start().await);
    let id = server.answered_connection().await;
    let (status, _) = server
        .call(
            "POST",
            &format!("/api/connections/{id}/wizard/complete"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let first = server.live_tableau_credentials().await;
    for round in 0..5 {
        let (status, body) = server
            .call(
                "POST",
                &format!("/api/connections/{id}/deactivate"),
                Some(json!({"reason": "vendor audit"})),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let statuses = server
            .race("POST", format!("/api/connections/{id}/reactivate"))
            .await;
        assert_eq!(count(&statuses, 200), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 409),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
        let live = server.live_tableau_credentials().await;
        assert_eq!(live.len(), 1, "round {round}: {live:?}");
        assert_ne!(live[0]["client_id"], first[0]["client_id"]);
    }
    // Disconnecting revokes every credential ever issued for the connection.
    server
        .call("DELETE", &format!("/api/connections/{id}"), None)
        .await;
    let (_, list) = server.call("GET", "/api/credentials", None).await;
    let issued: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["integration"] == "tableau")
        .collect();
    assert_eq!(issued.len(), 6, "one per completion and reactivation");
    assert!(
        issued.iter().all(|c| !c["revoked_at"].is_null()),
        "{issued:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_parallel_state_changes_exactly_one_applies() {
    let server = Arc::new(Server::start().await);
    let id = server.answered_connection().await;
    server
        .call(
            "POST",
            &format!("/api/connections/{id}/wizard/complete"),
            None,
        )
        .await;
    let statuses = server
        .race("DELETE", format!("/api/connections/{id}"))
        .await;
    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), RACERS - 1, "{statuses:?}");
    // The audit trail records one disconnection.
    let (_, events) = server
        .call("GET", &format!("/api/connections/{id}/events"), None)
        .await;
    let disconnects = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "connection.disconnect")
        .count();
    assert_eq!(disconnects, 1, "{events}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_writes_of_every_kind_never_fail_the_server() {
    let server = Arc::new(Server::start().await);
    // The same integration request 50 times: merged, every one counted.
    let ask =
        json!({"name": "HiBob", "website": "https://www.hibob.com", "use_case": "HRIS migration"});
    let statuses = server
        .all_at_once(vec![
            (
                "POST",
                "/api/integration-requests".to_owned(),
                Some(ask)
            );
            50
        ])
        .await;
    assert_eq!(count(&statuses, 201), 50, "{statuses:?}");
    let (_, requests) = server.call("GET", "/api/integration-requests", None).await;
    assert_eq!(requests[0]["count"], 50, "{requests}");

    // Fifty writes of five kinds at once.
    const INTEGRATIONS: [&str; 10] = [
        "tableau",
        "power-bi",
        "looker-studio",
        "fivetran",
        "airbyte",
        "urban-sports-club",
        "egym-wellpass",
        "probonio",
        "hansefit",
        "givve",
    ];
    let mut writes = Vec::new();
    for (i, integration) in INTEGRATIONS.into_iter().enumerate() {
        writes.push((
            "POST",
            "/api/integration-requests".to_owned(),
            Some(json!({"name": format!("Tool {i}"), "use_case": "payroll"})),
        ));
        writes.push((
            "POST",
            "/api/demo-requests".to_owned(),
            Some(json!({"integration": "okta", "message": format!("demo {i}")})),
        ));
        writes.push((
            "POST",
            "/api/credentials".to_owned(),
            Some(json!({"name": format!("BI {i}"), "scopes": ["employees:read"]})),
        ));
        writes.push((
            "POST",
            "/api/reports".to_owned(),
            Some(json!({"name": format!("Headcount {i}"), "type": "point_in_time", "period": {"type": "relative", "period": "today"}, "columns": ["first_name"]})),
        ));
        writes.push((
            "POST",
            "/api/connections".to_owned(),
            Some(json!({"integration": integration})),
        ));
    }
    let statuses = server.all_at_once(writes).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
}

impl Server {
    /// Connects an integration through its wizard over HTTP; returns its id
    /// and, for partner integrations, the partner's credential.
    async fn connect(&self, slug: &str, steps: &[(&str, Value)]) -> (String, Value) {
        let (status, started) = self
            .call(
                "POST",
                "/api/connections",
                Some(json!({"integration": slug})),
            )
            .await;
        assert_eq!(status, 201, "{started}");
        let id = started["id"].as_str().unwrap().to_owned();
        for (step, answers) in steps {
            let (status, body) = self
                .call(
                    "POST",
                    &format!("/api/connections/{id}/wizard/{step}"),
                    Some(answers.clone()),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, done) = self
            .call(
                "POST",
                &format!("/api/connections/{id}/wizard/complete"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{done}");
        (id, done["partner_credential"].clone())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_many_parallel_sync_now_calls_exactly_one_runs() {
    // A target that takes a second per answer keeps each run going while the others race.
    let target = common::Target::start_slow(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/scim+json\r\ncontent-length: 2\r\n\r\n{}",
        false,
        std::time::Duration::from_secs(1),
    )
    .await;
    let server = Arc::new(Server::start().await);
    let (id, _) = server
        .connect(
            "scim-provisioning",
            &[
                (
                    "target",
                    json!({"base_url": format!("http://127.0.0.1:{}/v2", target.port), "bearer_token": "scim-token-0123456789"}),
                ),
                (
                    "matching",
                    json!({"match_attribute": "userName", "deprovision_mode": "deactivate", "sync_interval_minutes": "1440"}),
                ),
                ("confirm", json!({"accept_data_processing": true})),
            ],
        )
        .await;
    for round in 0..3 {
        let statuses = server
            .race("POST", format!("/api/connections/{id}/sync"))
            .await;
        assert_eq!(count(&statuses, 202), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 409),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
        // Wait for the run to end before the next round.
        loop {
            let (_, running) = server
                .call(
                    "GET",
                    &format!("/api/connections/{id}/sync-runs?status=running"),
                    None,
                )
                .await;
            if running["total"] == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    let (_, runs) = server
        .call("GET", &format!("/api/connections/{id}/sync-runs"), None)
        .await;
    assert_eq!(runs["total"], 3, "one run per round: {runs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_batches_sent_in_parallel_lose_no_count_and_finishing_is_final() {
    let server = Arc::new(Server::start().await);
    let (_, partner) = server
        .connect(
            "okta",
            &[
                (
                    "tenant",
                    json!({"tenant_url": "https://acme.okta.com", "api_token": "okta-token-0123456789abc"}),
                ),
                (
                    "provisioning",
                    json!({"create_accounts_days_before_start": "3"}),
                ),
                ("confirm", json!({"accept_data_processing": true})),
            ],
        )
        .await;
    let token = common::api_token(
        &server.client,
        &server.base,
        partner["client_id"].as_str().unwrap(),
        partner["client_secret"].as_str().unwrap(),
    )
    .await;
    for round in 0..5 {
        let (status, started) = server.call_as(&token, "POST", "/v1/sync/runs", None).await;
        assert_eq!(status, 200, "{started}");
        let run = started["data"]["id"].as_str().unwrap().to_owned();
        let batch: Vec<Value> = (1..=50)
            .map(|e| json!({"employee_id": e, "use_case": "update", "status": if e % 5 == 0 { "failed" } else { "success" }}))
            .collect();
        let appends = vec![
            (
                "POST",
                format!("/v1/sync/runs/{run}/entries"),
                Some(json!({ "entries": batch })),
            );
            20
        ];
        let statuses = server.all_at_once_as(&token, appends).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let (_, stored) = server
            .call("GET", &format!("/api/sync-runs/{run}"), None)
            .await;
        assert_eq!(
            stored["counts"]["update"]["success"], 800,
            "round {round}: {stored}"
        );
        assert_eq!(stored["counts"]["update"]["failed"], 200, "{stored}");
        let (_, entries) = server
            .call("GET", &format!("/api/sync-runs/{run}/entries"), None)
            .await;
        assert_eq!(entries["total"], 1000);

        let finishes = vec![("POST", format!("/v1/sync/runs/{run}/finish"), None); RACERS];
        let statuses = server.all_at_once_as(&token, finishes).await;
        assert_eq!(count(&statuses, 200), 1, "round {round}: {statuses:?}");
        assert_eq!(count(&statuses, 409), RACERS - 1, "{statuses:?}");
        let (_, stored) = server
            .call("GET", &format!("/api/sync-runs/{run}"), None)
            .await;
        assert_eq!(stored["status"], "partially_completed", "{stored}");
        let (status, _) = server
            .call_as(
                &token,
                "POST",
                &format!("/v1/sync/runs/{run}/entries"),
                Some(json!({"entries": [{"employee_id": 1, "use_case": "update", "status": "success"}]})),
            )
            .await;
        assert_eq!(status, 409, "a finished run takes no more entries");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_report_id_is_given_once_however_many_ask_for_it() {
    let server = Arc::new(Server::start().await);
    for round in 0..3 {
        let id = uuid::Uuid::now_v7().to_string();
        let report = json!({"id": id, "name": format!("Headcount {round}"), "type": "point_in_time", "period": {"type": "relative", "period": "today"}, "columns": ["first_name"]});
        let statuses = server
            .all_at_once(vec![
                ("POST", "/api/reports".to_owned(), Some(report));
                RACERS
            ])
            .await;
        assert_eq!(count(&statuses, 201), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 409),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
    }
    let (_, reports) = server.call("GET", "/api/reports", None).await;
    assert_eq!(reports.as_array().unwrap().len(), 3, "{reports}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_attendances_or_absences_sent_at_once_are_stored_once() {
    let server = Arc::new(Server::start_with_employees(3).await);
    let (status, credential) = server
        .call(
            "POST",
            "/api/credentials",
            Some(json!({"name": "Time clock", "scopes": ["attendances:read", "attendances:write", "absences:read", "absences:write", "employees:read"]})),
        )
        .await;
    assert_eq!(status, 201, "{credential}");
    let token = common::api_token(
        &server.client,
        &server.base,
        credential["client_id"].as_str().unwrap(),
        credential["client_secret"].as_str().unwrap(),
    )
    .await;
    // Days far ahead, free of demo data; one round per day.
    for round in 0..3 {
        let day = format!("2031-03-{:02}", 3 + round);
        let attendance = json!({"attendances": [{"employee": 1, "date": day, "start_time": "09:00", "end_time": "17:00", "break": 30}]});
        let statuses = server
            .all_at_once_as(
                &token,
                vec![
                    (
                        "POST",
                        "/v1/company/attendances".to_owned(),
                        Some(attendance)
                    );
                    RACERS
                ],
            )
            .await;
        assert_eq!(count(&statuses, 200), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 400),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
        let (_, stored) = server
            .call_as(
                &token,
                "GET",
                &format!("/v1/company/attendances?start_date={day}&end_date={day}&employees[]=1&includePending=true"),
                None,
            )
            .await;
        assert_eq!(stored["data"].as_array().unwrap().len(), 1, "{stored}");

        let (_, types) = server
            .call_as(&token, "GET", "/v1/company/time-off-types", None)
            .await;
        let vacation = types["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["attributes"]["unit"] == "day")
            .unwrap()["attributes"]["id"]
            .clone();
        let time_off = json!({"employee_id": 2, "time_off_type_id": vacation, "start_date": day, "end_date": day});
        let statuses = server
            .all_at_once_as(
                &token,
                vec![("POST", "/v1/company/time-offs".to_owned(), Some(time_off)); RACERS],
            )
            .await;
        assert_eq!(count(&statuses, 200), 1, "round {round}: {statuses:?}");
        assert_eq!(
            count(&statuses, 400),
            RACERS - 1,
            "round {round}: {statuses:?}"
        );
    }
}

/// A public-API token of the server's company with every attendance and
/// absence scope.
async fn time_clock_token(server: &Server) -> String {
    let (status, credential) = server
        .call(
            "POST",
            "/api/credentials",
            Some(json!({"name": "Time clock", "scopes": ["attendances:read", "attendances:write", "absences:read", "absences:write", "employees:read"]})),
        )
        .await;
    assert_eq!(status, 201, "{credential}");
    common::api_token(
        &server.client,
        &server.base,
        credential["client_id"].as_str().unwrap(),
        credential["client_secret"].as_str().unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_project_of_a_name_however_many_create_or_rename_at_once() {
    let server = Arc::new(Server::start_with_employees(1).await);
    let token = time_clock_token(&server).await;
    // Letter case differs between the racers; the name is one.
    let creates = (0..RACERS)
        .map(|i| {
            let name = if i % 2 == 0 {
                "Night shift"
            } else {
                "NIGHT SHIFT"
            };
            (
                "POST",
                "/v1/company/attendances/projects".to_owned(),
                Some(json!({"name": name, "active": true})),
            )
        })
        .collect();
    let statuses = server.all_at_once_as(&token, creates).await;
    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 409), RACERS - 1, "{statuses:?}");

    // Every demo project renamed to one name at once: one rename wins.
    let (_, projects) = server
        .call_as(&token, "GET", "/v1/company/attendances/projects", None)
        .await;
    let ids: Vec<i64> = projects["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .filter(|id| *id <= 5)
        .collect();
    assert_eq!(ids.len(), 5, "{projects}");
    let renames = (0..RACERS)
        .map(|i| {
            (
                "PATCH",
                format!("/v1/company/attendances/projects/{}", ids[i % ids.len()]),
                Some(json!({"name": "Day shift"})),
            )
        })
        .collect();
    let statuses = server.all_at_once_as(&token, renames).await;
    // The winner's own later renames to its own name succeed too.
    let (_, projects) = server
        .call_as(&token, "GET", "/v1/company/attendances/projects", None)
        .await;
    let named: Vec<&Value> = projects["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["attributes"]["name"] == "Day shift")
        .collect();
    assert_eq!(named.len(), 1, "{projects}");
    assert_eq!(
        count(&statuses, 200),
        RACERS / ids.len(),
        "only the winner's renames pass: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendances_moved_into_one_slot_at_once_land_once() {
    let server = Arc::new(Server::start_with_employees(1).await);
    let token = time_clock_token(&server).await;
    // RACERS attendances of one employee, one day far ahead, none
    // overlapping: 00:00–00:20, 00:20–00:40, …
    let day = "2031-05-06";
    let attendances: Vec<Value> = (0..RACERS)
        .map(|i| {
            let (start, end) = (i * 20, i * 20 + 20);
            json!({"employee": 1, "date": day, "break": 0,
                   "start_time": format!("{:02}:{:02}", start / 60, start % 60),
                   "end_time": format!("{:02}:{:02}", end / 60, end % 60)})
        })
        .collect();
    let (status, created) = server
        .call_as(
            &token,
            "POST",
            "/v1/company/attendances",
            Some(json!({"attendances": attendances})),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    // Every one of them moved to 18:00–19:00 at once: one lands.
    let moves = created["data"]["id"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            (
                "PATCH",
                format!("/v1/company/attendances/{id}"),
                Some(json!({"start_time": "18:00", "end_time": "19:00"})),
            )
        })
        .collect();
    let statuses = server.all_at_once_as(&token, moves).await;
    assert_eq!(count(&statuses, 200), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 400), RACERS - 1, "{statuses:?}");
    let (_, stored) = server
        .call_as(
            &token,
            "GET",
            &format!("/v1/company/attendances?start_date={day}&end_date={day}&employees[]=1"),
            None,
        )
        .await;
    let evening = stored["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["attributes"]["start_time"] == "18:00")
        .count();
    assert_eq!(evening, 1, "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_hour_absences_sent_at_once_are_stored_once() {
    let server = Arc::new(Server::start_with_employees(1).await);
    let token = time_clock_token(&server).await;
    let (_, types) = server
        .call_as(&token, "GET", "/v1/company/time-off-types", None)
        .await;
    let hourly = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["attributes"]["unit"] == "hour")
        .unwrap()["attributes"]["id"]
        .clone();
    // Overlapping, not identical: each racer's slot starts a minute later.
    let requests = (0..RACERS)
        .map(|i| {
            (
                "POST",
                "/v1/company/absence-periods".to_owned(),
                Some(json!({"employee_id": 1, "time_off_type_id": hourly,
                            "start_date": "2031-05-07", "end_date": "2031-05-07",
                            "start_time": format!("10:{i:02}"), "end_time": "12:00"})),
            )
        })
        .collect();
    let statuses = server.all_at_once_as(&token, requests).await;
    assert_eq!(count(&statuses, 201), 1, "{statuses:?}");
    assert_eq!(count(&statuses, 422), RACERS - 1, "{statuses:?}");
    let (_, stored) = server
        .call_as(
            &token,
            "GET",
            "/v1/company/absence-periods?start_date=2031-05-07&end_date=2031-05-07&employees[]=1",
            None,
        )
        .await;
    assert_eq!(stored["data"].as_array().unwrap().len(), 1, "{stored}");
}
