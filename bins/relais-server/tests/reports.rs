//! The Custom Reports API and the reports admin API over a real socket.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_access::ApiPermission;
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use serde_json::{Value, json};

const OVERTIME: &str = "0196a000-0000-7000-8000-000000000001";
const HISTORY: &str = "0196a000-0000-7000-8000-000000000002";

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
    let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
    let created = app
        .create_company("Acme", "ana@acme.example", "Ana")
        .unwrap();
    let spec = DemoSpec {
        employees: 57,
        months: 3,
        seed: 4,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    };
    app.generate_demo(&created.company, spec, false, &mut |_| {})
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
    async fn token(&self, scopes: &[&str], attributes: Option<&[&str]>) -> String {
        let created = self
            .app
            .create_credential(
                Caller::Operator,
                &self.company,
                CredentialInput {
                    name: "t".into(),
                    scopes: scopes
                        .iter()
                        .map(|s| s.parse::<ApiPermission>().unwrap())
                        .collect(),
                    readable_attributes: attributes
                        .map(|a| a.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>()),
                    ..CredentialInput::default()
                },
            )
            .unwrap();
        common::api_token(
            &self.client,
            &self.base,
            &created.credential.client_id,
            &created.client_secret,
        )
        .await
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }
}

fn assert_reports_error(body: &Value, status: u16) {
    let error = &body[0];
    assert_eq!(error["status"], status, "{body}");
    assert!(
        error["trace_id"].is_string() && error["timestamp"].is_string(),
        "{body}"
    );
    assert!(
        error["errors"][0]["details"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn reports_and_columns_are_listed() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    let (status, list) = w
        .get(
            "/v1/company/custom-reports/reports?status=up_to_date",
            &token,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 5);
    let overtime = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["attributes"]["id"] == OVERTIME)
        .unwrap();
    assert_eq!(overtime["attributes"]["type"], "timeframe");
    assert_eq!(overtime["attributes"]["period_type"], "last_month");
    let (_, one) = w
        .get(
            &format!("/v1/company/custom-reports/reports?report_ids={OVERTIME},{HISTORY}"),
            &token,
        )
        .await;
    assert_eq!(one["data"].as_array().unwrap().len(), 2);

    let (_, columns) = w
        .get("/v1/company/custom-reports/columns?locale=de", &token)
        .await;
    let all = columns["data"]["attributes"].as_array().unwrap();
    let overtime = all
        .iter()
        .find(|c| c["attribute_id"] == "attendance_overtime_hours")
        .unwrap();
    assert_eq!(overtime["human_readable"], "Überstunden");
    assert_eq!(overtime["data_type"], "DURATION");
    let (_, fr) = w
        .get(
            "/v1/company/custom-reports/columns?locale=fr&columns=department,hire_date",
            &token,
        )
        .await;
    let labels: Vec<_> = fr["data"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["human_readable"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, ["Date d'embauche", "Département"]);
    let (_, of_report) = w
        .get(
            &format!("/v1/company/custom-reports/columns?report_id={OVERTIME}"),
            &token,
        )
        .await;
    assert_eq!(of_report["data"]["attributes"].as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn every_attribute_of_a_report_is_returned_whatever_the_whitelist() {
    let w = world().await;
    // Whitelist: first_name only. The report has last_name, department, position …
    let token = w
        .token(
            &["custom_reports:read", "employees:read"],
            Some(&["first_name"]),
        )
        .await;
    let (status, data) = w
        .get(
            &format!("/v1/company/custom-reports/reports/{OVERTIME}?limit=5"),
            &token,
        )
        .await;
    assert_eq!(status, 200, "{data}");
    let item = &data["data"][0]["attributes"]["items"][0];
    let ids: Vec<_> = item["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attribute_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        ids.contains(&"last_name".to_owned()) && ids.contains(&"department".to_owned()),
        "{ids:?}"
    );
    let overtime = item["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attribute_id"] == "attendance_overtime_hours")
        .unwrap();
    assert_eq!(overtime["data_type"], "DURATION");
    assert!(overtime["duration"].is_number());
    // … while the Personnel Data API keeps applying it.
    let (_, employees) = w.get("/v1/company/employees?limit=1", &token).await;
    let keys: BTreeSet<_> = employees["data"][0]["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(keys, ["first_name", "id"].map(String::from).into());
}

#[tokio::test]
async fn historical_reports_carry_effective_dates() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    let (_, data) = w
        .get(
            &format!("/v1/company/custom-reports/reports/{HISTORY}?limit=1000"),
            &token,
        )
        .await;
    let items = data["data"][0]["attributes"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        for attribute in item["historical_attributes"].as_array().unwrap() {
            assert!(
                attribute["effective_date"]
                    .as_str()
                    .unwrap()
                    .parse::<NaiveDate>()
                    .is_ok()
            );
        }
    }
}

#[tokio::test]
async fn paging_report_data_returns_every_row_once() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    let (_, all) = w
        .get(
            &format!("/v1/company/custom-reports/reports/{OVERTIME}?limit=1000"),
            &token,
        )
        .await;
    let everything: Vec<i64> = all["data"][0]["attributes"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["employee_id"].as_i64().unwrap())
        .collect();
    let total = all["metadata"]["total_elements"].as_u64().unwrap();
    assert_eq!(total as usize, everything.len());
    for limit in [1, 7, 10, 56, 57, 100] {
        let mut paged = Vec::new();
        let mut page = 1;
        loop {
            let (status, body) = w
                .get(
                    &format!(
                        "/v1/company/custom-reports/reports/{OVERTIME}?page={page}&limit={limit}"
                    ),
                    &token,
                )
                .await;
            assert_eq!(status, 200);
            assert_eq!(body["metadata"]["total_elements"], total);
            let items = body["data"][0]["attributes"]["items"].as_array().unwrap();
            if items.is_empty() {
                break;
            }
            paged.extend(items.iter().map(|i| i["employee_id"].as_i64().unwrap()));
            page += 1;
        }
        assert_eq!(paged, everything, "limit {limit}");
    }
}

#[tokio::test]
async fn scopes_unknown_reports_and_bad_parameters_are_refused() {
    let w = world().await;
    let no_scope = w.token(&["employees:read"], None).await;
    for path in [
        "/v1/company/custom-reports/reports",
        "/v1/company/custom-reports/columns",
        &format!("/v1/company/custom-reports/reports/{OVERTIME}"),
    ] {
        let (status, body) = w.get(path, &no_scope).await;
        assert_eq!(status, 403, "{path}");
        assert_reports_error(&body, 403);
        assert!(
            body[0]["errors"][0]["details"]
                .as_str()
                .unwrap()
                .contains("reports.custom:read")
        );
    }
    let token = w.token(&["custom_reports:read"], None).await;
    for (path, status) in [
        (
            "/v1/company/custom-reports/reports/0196a000-0000-7000-8000-00000000dead".to_owned(),
            404,
        ),
        (
            "/v1/company/custom-reports/reports/not-a-uuid".to_owned(),
            404,
        ),
        (
            "/v1/company/custom-reports/columns?report_id=0196a000-0000-7000-8000-00000000dead"
                .to_owned(),
            404,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?page=0"),
            400,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?page=abc"),
            400,
        ),
        // With `page` given, `offset` is not used, but a bad one is refused.
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?offset=true&page=2"),
            400,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?limit=0"),
            400,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?limit=-5"),
            400,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?limit=5000"),
            400,
        ),
        (
            format!("/v1/company/custom-reports/reports/{OVERTIME}?locale=klingon"),
            400,
        ),
        (
            "/v1/company/custom-reports/columns?locale=xx".to_owned(),
            400,
        ),
        (
            "/v1/company/custom-reports/reports?status=stale".to_owned(),
            400,
        ),
    ] {
        let (got, body) = w.get(&path, &token).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_reports_error(&body, status);
    }
}

#[tokio::test]
async fn reports_are_managed_over_the_admin_api() {
    let w = world().await;
    let definition = json!({
        "name": "Sales overtime March", "type": "timeframe",
        "period": {"type": "fixed", "start": "2026-09-01", "end": "2026-09-30"},
        "columns": ["first_name", "attendance_overtime_hours"],
        "filters": [{"column": "department", "comparison": "eq", "value": "Sales"}],
    });
    let response = w
        .client
        .post(format!("{}/api/reports", w.base))
        .bearer_auth(&w.admin)
        .json(&definition)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    let bad = json!({"name": "x", "type": "point_in_time", "period": {"type": "relative", "period": "today"}, "columns": ["attendance_overtime_hours", "salary"]});
    let response = w
        .client
        .post(format!("{}/api/reports", w.base))
        .bearer_auth(&w.admin)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let problem: Value = response.json().await.unwrap();
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("needs a timeframe report"),
        "{problem}"
    );

    let mut changed = definition.clone();
    changed["columns"] = json!(["first_name", "last_name", "attendance_overtime_hours"]);
    let response = w
        .client
        .put(format!("{}/api/reports/{id}", w.base))
        .bearer_auth(&w.admin)
        .json(&changed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token = w.token(&["custom_reports:read"], None).await;
    let (_, data) = w
        .get(&format!("/v1/company/custom-reports/reports/{id}"), &token)
        .await;
    let items = data["data"][0]["attributes"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(
        items[0]["attributes"].as_array().unwrap().len(),
        3,
        "the edit shows at once"
    );
    let response = w
        .client
        .delete(format!("{}/api/reports/{id}", w.base))
        .bearer_auth(&w.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        w.get(&format!("/v1/company/custom-reports/reports/{id}"), &token)
            .await
            .0,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_period_is_bounded() {
    let w = world().await;
    for (start, end, expected) in [
        (
            "-9000-01-01",
            "2026-01-01",
            "outside the years 1900 to 2199",
        ),
        (
            "2000-01-01",
            "+12000-01-01",
            "outside the years 1900 to 2199",
        ),
        ("2000-01-01", "2020-12-31", "longer than 3660 days"),
    ] {
        let response = w
            .client
            .post(format!("{}/api/reports", w.base))
            .bearer_auth(&w.admin)
            .json(&json!({"name": "Long", "type": "timeframe", "period": {"type": "fixed", "start": start, "end": end}, "columns": ["first_name", "attendance_overtime_hours"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{start}..{end}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["message"].as_str().unwrap().contains(expected),
            "{body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_reads_of_a_report_compute_it_once() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    let before = w.app.report_stats();
    let reads: Vec<_> = (0..10)
        .map(|_| {
            let (client, base, token) = (w.client.clone(), w.base.clone(), token.clone());
            tokio::spawn(async move {
                client
                    .get(format!(
                        "{base}/v1/company/custom-reports/reports/{OVERTIME}"
                    ))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap(), 200);
    }
    let after = w.app.report_stats();
    assert_eq!(after.computed - before.computed, 1, "{after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_computation_nobody_waits_for_stops() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    // The same Relais behind a server whose requests time out at once.
    let impatient = common::serve(
        Arc::clone(&w.app),
        relais_server::ServerConfig {
            request_timeout: std::time::Duration::from_millis(1),
            ..relais_server::ServerConfig::default()
        },
    )
    .await;
    let response = w
        .client
        .get(format!(
            "{impatient}/v1/company/custom-reports/reports/{HISTORY}"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 408);
    // Whether that request got as far as starting the computation depends
    // on the machine's load (it may time out while its token is checked);
    // either way nothing may be cached for it.
    let mut stats = w.app.report_stats();
    for _ in 0..20 {
        if stats.abandoned > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stats = w.app.report_stats();
    }
    assert_eq!(stats.computed, 0, "nothing was cached: {stats:?}");
    // A computation whose only reader has gone stops at its next check and
    // is counted as abandoned, deterministically.
    let gone = relais_app::Cancel::new();
    gone.cancel();
    let (app, company) = (Arc::clone(&w.app), w.company.id);
    let result = relais_app::spawn_blocking(move || app.compute_report(company, HISTORY, &gone))
        .await
        .unwrap();
    assert!(result.is_err());
    let after = w.app.report_stats();
    assert_eq!(after.abandoned, stats.abandoned + 1, "{after:?}");
    assert_eq!(after.computed, 0, "nothing was cached: {after:?}");
    // A patient reader gets it computed.
    let response = w
        .client
        .get(format!(
            "{}/v1/company/custom-reports/reports/{HISTORY}",
            w.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(w.app.report_stats().computed, 1);
}

#[tokio::test]
async fn report_rows_are_exactly_the_documented_cells() {
    let w = world().await;
    let token = w.token(&["custom_reports:read"], None).await;
    for id in [OVERTIME, HISTORY] {
        let (status, data) = w
            .get(
                &format!("/v1/company/custom-reports/reports/{id}?limit=1000"),
                &token,
            )
            .await;
        assert_eq!(status, 200, "{data}");
        // ReportCell refuses unknown fields: a cell with a field the
        // OpenAPI document does not name fails here.
        let items: Vec<relais_wire::v1::ReportItem> =
            serde_json::from_value(data["data"][0]["attributes"]["items"].clone()).unwrap();
        assert!(!items.is_empty());
        let cells = items
            .iter()
            .flat_map(|i| i.attributes.iter().chain(&i.historical_attributes))
            .flatten();
        let types: BTreeSet<&str> = cells.map(|c| c.data_type.as_str()).collect();
        assert!(types.contains("TEXT"), "{types:?}");
    }
}
