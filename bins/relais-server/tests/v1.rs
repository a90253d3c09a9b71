//! The public API v1 over a real socket: authentication, scopes, the
//! whitelist, tenancy, pagination, bad input and throttling.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_access::{ApiPermission, Company};
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;
use serde_json::{Value, json};

struct World {
    base: String,
    app: Arc<App>,
    client: reqwest::Client,
    a: Company,
    b: Company,
    _dir: tempfile::TempDir,
}

const A_EMPLOYEES: u32 = 15;
const B_EMPLOYEES: u32 = 40;

fn spec(employees: u32, seed: u64) -> DemoSpec {
    DemoSpec {
        employees,
        months: 2,
        seed,
        until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
    }
}

impl World {
    async fn start(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let a = app
            .create_company("Company A", "a@a.example", "A")
            .unwrap()
            .company;
        let b = app
            .create_company("Company B", "b@b.example", "B")
            .unwrap()
            .company;
        app.generate_demo(&a, spec(A_EMPLOYEES, 1), false, &mut |_| {})
            .unwrap();
        app.generate_demo(&b, spec(B_EMPLOYEES, 2), false, &mut |_| {})
            .unwrap();
        let base = common::serve(Arc::clone(&app), config).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            a,
            b,
            _dir: dir,
        }
    }

    fn credential(
        &self,
        company: &Company,
        scopes: &[&str],
        attributes: Option<&[&str]>,
    ) -> (String, String) {
        let input = CredentialInput {
            name: "test".into(),
            integration: None,
            scopes: scopes
                .iter()
                .map(|s| s.parse::<ApiPermission>().unwrap())
                .collect(),
            readable_attributes: attributes.map(|list| {
                list.iter()
                    .map(|a| (*a).to_owned())
                    .collect::<BTreeSet<_>>()
            }),
        };
        let created = self
            .app
            .create_credential(Caller::Operator, company, input)
            .unwrap();
        (created.credential.client_id, created.client_secret)
    }

    async fn token(&self, (id, secret): &(String, String)) -> String {
        common::api_token(&self.client, &self.base, id, secret).await
    }

    async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        // Clients of the modelled HRIS read the token back from every answer.
        if status != 401 && status != 403 {
            assert_eq!(
                response.headers()["authorization"],
                format!("Bearer {token}").as_str(),
                "{path}"
            );
        }
        let body: Value = response.json().await.unwrap();
        if status >= 400 {
            assert_eq!(body["success"], false, "{body}");
            assert_eq!(body["error"]["code"], status, "{body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        } else {
            assert_eq!(body["success"], true, "{body}");
        }
        (status, body)
    }
}

const ALL_READ: [&str; 4] = [
    "employees:read",
    "absences:read",
    "attendances:read",
    "documents:read",
];

#[tokio::test]
async fn auth_takes_json_form_or_query_string_and_refuses_wrong_secrets() {
    let w = World::start(ServerConfig::default()).await;
    let (id, secret) = w.credential(&w.a, &["employees:read", "custom_reports:read"], None);
    let url = format!("{}/v1/auth", w.base);

    let json_answer: Value = w
        .client
        .post(&url)
        .json(&json!({"client_id": id, "client_secret": secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json_answer["success"], true);
    assert_eq!(json_answer["data"]["expires_in"], 86400);
    assert_eq!(
        json_answer["data"]["scope"],
        "reports.custom:read employees:read"
    );

    let form = w
        .client
        .post(&url)
        .form(&[("client_id", &id), ("client_secret", &secret)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);

    // The modelled HRIS's own examples put them in the query string.
    let query = w
        .client
        .post(format!("{url}?client_id={id}&client_secret={secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(query.status(), 200);
    let body: Value = query.json().await.unwrap();
    let token = body["data"]["token"].as_str().unwrap().to_owned();
    let (status, _) = w.get("/v1/company/employees?limit=1", &token).await;
    assert_eq!(
        status, 200,
        "a token got with query-string credentials works"
    );

    // In both places at once: refused, not one of them silently chosen.
    let both = w
        .client
        .post(format!("{url}?client_id={id}&client_secret={secret}"))
        .json(&json!({"client_id": id, "client_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
    let body: Value = both.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("both in the query string and in the body"),
        "{body}"
    );
    let half = w
        .client
        .post(format!("{url}?client_id={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(half.status(), 400, "a secret is still required");
    let wrong_in_query = w
        .client
        .post(format!("{url}?client_id={id}&client_secret=rls_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_in_query.status(), 401);

    let wrong = w
        .client
        .post(&url)
        .json(&json!({"client_id": id, "client_secret": "rls_nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let missing = w
        .client
        .post(&url)
        .json(&json!({"client_id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn calls_without_or_with_a_bad_token_are_refused() {
    let w = World::start(ServerConfig::default()).await;
    let response = w
        .client
        .get(format!("{}/v1/company/employees", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("authorization").is_none());
    let (status, body) = w
        .get("/v1/company/employees", "rlt_0000000000000000_0000")
        .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Provided authorization is not valid"
    );
}

#[tokio::test]
async fn a_credential_without_a_scope_gets_403_naming_it() {
    let w = World::start(ServerConfig::default()).await;
    let token = w
        .token(&w.credential(&w.a, &["custom_reports:read"], None))
        .await;
    for (path, scope) in [
        ("/v1/company/employees", "employees:read"),
        ("/v1/company/employees/1", "employees:read"),
        ("/v1/company/employees/attributes", "employees:read"),
        ("/v1/company/time-offs", "absences:read"),
        ("/v1/company/time-off-types", "absences:read"),
        ("/v1/company/absence-periods", "absences:read"),
        (
            "/v1/company/attendances?start_date=2026-10-01&end_date=2026-10-31",
            "attendances:read",
        ),
        ("/v1/company/document-categories", "documents:read"),
    ] {
        let (status, body) = w.get(path, &token).await;
        assert_eq!(status, 403, "{path}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(scope),
            "{path}: {body}"
        );
    }
}

fn attribute_keys(employee: &Value) -> BTreeSet<String> {
    employee["attributes"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[tokio::test]
async fn whitelisted_out_attributes_never_appear() {
    let w = World::start(ServerConfig::default()).await;
    let token = w
        .token(&w.credential(&w.a, &ALL_READ, Some(&["first_name", "department"])))
        .await;
    let allowed: BTreeSet<String> = ["id", "first_name", "department"].map(String::from).into();

    let (_, list) = w.get("/v1/company/employees?limit=100", &token).await;
    for employee in list["data"].as_array().unwrap() {
        assert_eq!(attribute_keys(employee), allowed);
    }
    let (_, one) = w.get("/v1/company/employees/3", &token).await;
    assert_eq!(attribute_keys(&one["data"]), allowed);

    let (_, time_offs) = w.get("/v1/company/time-offs?limit=200", &token).await;
    assert!(!time_offs["data"].as_array().unwrap().is_empty());
    for t in time_offs["data"].as_array().unwrap() {
        let keys = attribute_keys(&t["attributes"]["employee"]);
        assert!(
            keys.is_subset(&allowed) && !keys.contains("last_name") && !keys.contains("email"),
            "{keys:?}"
        );
    }
    let (_, periods) = w.get("/v1/company/absence-periods", &token).await;
    for p in periods["data"].as_array().unwrap() {
        assert!(attribute_keys(&p["attributes"]["employee"]).is_subset(&allowed));
    }
    let (_, attributes) = w.get("/v1/company/employees/attributes", &token).await;
    let keys: BTreeSet<String> = attributes["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        keys,
        ["id", "first_name", "department"].map(String::from).into(),
        "the id is always readable"
    );

    // A custom attribute is readable only when whitelisted.
    let (_, list) = w
        .get(
            "/v1/company/employees?limit=1",
            &w.token(&w.credential(&w.a, &ALL_READ, None)).await,
        )
        .await;
    assert!(
        !attribute_keys(&list["data"][0]).contains("dynamic_1002"),
        "IBAN is not on the default whitelist"
    );
    let (_, list) = w
        .get(
            "/v1/company/employees?limit=1",
            &w.token(&w.credential(&w.a, &ALL_READ, Some(&["dynamic_1002"])))
                .await,
        )
        .await;
    assert_eq!(
        list["data"][0]["attributes"]["dynamic_1002"]["label"],
        "IBAN"
    );
}

#[tokio::test]
async fn a_credential_cannot_filter_on_what_it_may_not_read() {
    let w = World::start(ServerConfig::default()).await;
    let narrow = w
        .token(&w.credential(&w.a, &ALL_READ, Some(&["first_name", "department"])))
        .await;
    let (_, first) = w
        .get(
            "/v1/company/employees?limit=1",
            &w.token(&w.credential(&w.a, &ALL_READ, None)).await,
        )
        .await;
    let email = first["data"][0]["attributes"]["email"]["value"]
        .as_str()
        .unwrap()
        .to_owned();
    for (path, parameter) in [
        (format!("/v1/company/employees?email={email}"), "email"),
        (
            "/v1/company/employees?email=nobody@nowhere.example".to_owned(),
            "email",
        ),
        (
            "/v1/company/employees?updated_since=2020-01-01T00:00:00Z".to_owned(),
            "updated_since",
        ),
    ] {
        let (status, body) = w.get(&path, &narrow).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(parameter),
            "{body}"
        );
    }
    // Whitelisted, the filters work.
    let wide = w
        .token(&w.credential(&w.a, &ALL_READ, Some(&["email", "last_modified_at"])))
        .await;
    let (status, found) = w
        .get(&format!("/v1/company/employees?email={email}"), &wide)
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    let (status, _) = w
        .get(
            "/v1/company/employees?updated_since=2020-01-01T00:00:00Z",
            &wide,
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn attributes_can_be_projected() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.credential(&w.a, &ALL_READ, None)).await;
    let (_, list) = w
        .get(
            "/v1/company/employees?attributes[]=first_name&attributes[]=email&limit=3",
            &token,
        )
        .await;
    for employee in list["data"].as_array().unwrap() {
        assert_eq!(
            attribute_keys(employee),
            ["email", "first_name", "id"].map(String::from).into()
        );
    }
}

#[tokio::test]
async fn revoked_or_rotated_credentials_lose_their_tokens_at_once() {
    let w = World::start(ServerConfig::default()).await;
    let credential = w.credential(&w.a, &ALL_READ, None);
    let token = w.token(&credential).await;
    assert_eq!(w.get("/v1/company/employees", &token).await.0, 200);
    w.app
        .rotate_credential(Caller::Operator, &w.a, &credential.0)
        .unwrap();
    assert_eq!(
        w.get("/v1/company/employees", &token).await.0,
        403,
        "rotated"
    );
    let old_secret = w
        .client
        .post(format!("{}/v1/auth", w.base))
        .json(&json!({"client_id": credential.0, "client_secret": credential.1}))
        .send()
        .await
        .unwrap();
    assert_eq!(old_secret.status(), 401);

    let credential = w.credential(&w.a, &ALL_READ, None);
    let token = w.token(&credential).await;
    w.app
        .revoke_credential(Caller::Operator, &w.a, &credential.0)
        .unwrap();
    assert_eq!(
        w.get("/v1/company/employees", &token).await.0,
        403,
        "revoked"
    );
}

#[tokio::test]
async fn company_a_never_sees_company_b() {
    let w = World::start(ServerConfig::default()).await;
    let token = w
        .token(&w.credential(&w.a, &ALL_READ, Some(&["email", "first_name", "last_name"])))
        .await;
    let b_token = w
        .token(&w.credential(&w.b, &ALL_READ, Some(&["email"])))
        .await;
    let (_, b_employees) = w.get("/v1/company/employees?limit=100", &b_token).await;
    let b_emails: BTreeSet<String> = b_employees["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            e["attributes"]["email"]["value"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(b_emails.len(), B_EMPLOYEES as usize);

    // Employees: A's total, none of B's e-mails; B-only ids are 404.
    let (_, employees) = w.get("/v1/company/employees?limit=100", &token).await;
    assert_eq!(employees["metadata"]["total_elements"], A_EMPLOYEES);
    assert!(
        employees
            .to_string()
            .split('"')
            .all(|s| !b_emails.contains(s))
    );
    assert_eq!(
        w.get(
            &format!("/v1/company/employees/{}", A_EMPLOYEES + 5),
            &token
        )
        .await
        .0,
        404
    );
    let (_, by_email) = w
        .get(
            &format!(
                "/v1/company/employees?email={}",
                b_emails.iter().next().unwrap()
            ),
            &token,
        )
        .await;
    assert_eq!(by_email["metadata"]["total_elements"], 0);

    // Absences and attendances: only A's employees.
    let only_a = |body: &Value, pointer: &str| {
        body["data"].as_array().unwrap().iter().all(|item| {
            let id = item.pointer(pointer).and_then(Value::as_i64).unwrap();
            id >= 1 && id <= i64::from(A_EMPLOYEES)
        })
    };
    let (_, time_offs) = w.get("/v1/company/time-offs?limit=200", &token).await;
    assert!(only_a(
        &time_offs,
        "/attributes/employee/attributes/id/value"
    ));
    assert!(
        time_offs
            .to_string()
            .split('"')
            .all(|s| !b_emails.contains(s))
    );
    let (_, periods) = w.get("/v1/company/absence-periods?limit=200", &token).await;
    assert!(only_a(&periods, "/attributes/employee/attributes/id/value"));
    let (_, attendances) = w.get("/v1/company/attendances?start_date=2026-01-01&end_date=2026-12-31&limit=200&includePending=true", &token).await;
    assert!(only_a(&attendances, "/attributes/employee"));
    let (_, b_attendances) = w
        .get(
            "/v1/company/attendances?start_date=2026-01-01&end_date=2026-12-31&includePending=true",
            &b_token,
        )
        .await;
    assert!(
        b_attendances["metadata"]["total_elements"].as_u64()
            > attendances["metadata"]["total_elements"].as_u64()
    );
    // Reference data is per company too (same demo shape, so compare counts only).
    assert_eq!(w.get("/v1/company/time-off-types", &token).await.0, 200);
    assert_eq!(
        w.get("/v1/company/document-categories", &token).await.0,
        200
    );
}

async fn page_all(
    w: &World,
    token: &str,
    path: &str,
    limit: u64,
    page_numbers: bool,
) -> (u64, Vec<Value>) {
    let mut rows = Vec::new();
    let mut offset = u64::from(page_numbers);
    loop {
        let separator = if path.contains('?') { '&' } else { '?' };
        let (status, body) = w
            .get(
                &format!("{path}{separator}limit={limit}&offset={offset}"),
                token,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let data = body["data"].as_array().unwrap().clone();
        let total = body["metadata"]["total_elements"].as_u64().unwrap();
        if data.is_empty() {
            return (total, rows);
        }
        rows.extend(data);
        offset += if page_numbers { 1 } else { limit };
    }
}

#[tokio::test]
async fn paging_returns_every_row_once() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.credential(&w.b, &ALL_READ, None)).await;
    let (total, employees) = page_all(&w, &token, "/v1/company/employees", 7, false).await;
    assert_eq!(total, u64::from(B_EMPLOYEES));
    let ids: BTreeSet<i64> = employees
        .iter()
        .map(|e| e["attributes"]["id"]["value"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), employees.len());
    assert_eq!(ids.len() as u64, total);

    let (total, time_offs) = page_all(&w, &token, "/v1/company/time-offs", 9, true).await;
    let ids: BTreeSet<i64> = time_offs
        .iter()
        .map(|t| t["attributes"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!((ids.len() as u64, time_offs.len() as u64), (total, total));

    let path =
        "/v1/company/attendances?start_date=2026-01-01&end_date=2026-12-31&includePending=true";
    let (total, attendances) = page_all(&w, &token, path, 200, false).await;
    let ids: BTreeSet<i64> = attendances
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!((ids.len() as u64, attendances.len() as u64), (total, total));
}

#[tokio::test]
async fn bad_input_gets_400_or_404_in_the_envelope_never_500() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.credential(&w.a, &ALL_READ, None)).await;
    for (path, status) in [
        ("/v1/company/employees?limit=-1", 400),
        ("/v1/company/employees?limit=0", 400),
        ("/v1/company/employees?limit=101", 400),
        ("/v1/company/employees?offset=abc", 400),
        // A repeated parameter: the last value counts, but a bad one
        // before it is not dropped silently.
        ("/v1/company/employees?offset=abc&offset=", 400),
        // An empty number is not "not given": it is not a number.
        ("/v1/company/employees?offset=", 400),
        (
            "/v1/company/employees?updated_since=x&updated_since=2026-01-01",
            400,
        ),
        ("/v1/company/employees?updated_since=yesterday", 400),
        ("/v1/company/employees/abc", 404),
        ("/v1/company/employees/999999", 404),
        ("/v1/company/attendances", 400),
        (
            "/v1/company/attendances?start_date=2026-13-01&end_date=2026-12-31",
            400,
        ),
        (
            "/v1/company/attendances?start_date=2026-12-01&end_date=2026-01-31",
            400,
        ),
        (
            "/v1/company/attendances?start_date=2026-01-01&end_date=2026-01-31&employees[]=x",
            400,
        ),
        ("/v1/company/time-offs?start_date=31.12.2026", 400),
        ("/v1/company/absence-periods?limit=201", 400),
        ("/v1/company/nothing", 404),
    ] {
        let response = w
            .client
            .get(format!("{}{path}", w.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{path}");
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if path != "/v1/company/nothing" {
            assert_eq!(body["success"], false, "{path}: {body}");
        }
    }
}

#[tokio::test]
async fn over_the_budget_calls_get_429_with_retry_after() {
    let config = ServerConfig {
        api_per_minute: NonZeroU32::new(3).unwrap(),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let token = w.token(&w.credential(&w.a, &ALL_READ, None)).await;
    for _ in 0..3 {
        assert_eq!(
            w.get("/v1/company/document-categories", &token).await.0,
            200
        );
    }
    let response = w
        .client
        .get(format!("{}/v1/company/document-categories", w.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another credential has its own budget.
    let other = w.token(&w.credential(&w.a, &ALL_READ, None)).await;
    assert_eq!(
        w.get("/v1/company/document-categories", &other).await.0,
        200
    );
}

#[tokio::test]
async fn attendances_and_time_offs_can_be_created_all_or_nothing() {
    let w = World::start(ServerConfig::default()).await;
    let read_only = w.token(&w.credential(&w.a, &ALL_READ, None)).await;
    let token = w
        .token(&w.credential(
            &w.a,
            &[
                "attendances:read",
                "attendances:write",
                "absences:read",
                "absences:write",
            ],
            None,
        ))
        .await;
    let post = |path: &'static str, token: String, body: Value| {
        let (client, base) = (w.client.clone(), w.base.clone());
        async move {
            let response = client
                .post(format!("{base}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let one = json!({"attendances": [{"employee": 3, "date": "2026-11-02", "start_time": "09:00", "end_time": "17:30", "break": 30, "comment": "on site"}]});
    let (status, body) = post("/v1/company/attendances", read_only.clone(), one.clone()).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("attendances:write")
    );

    let (status, body) = post("/v1/company/attendances", token.clone(), one.clone()).await;
    assert_eq!(status, 200, "{body}");
    let id = body["data"]["id"][0].as_i64().unwrap();
    let (_, listed) = w
        .get(
            "/v1/company/attendances?start_date=2026-11-02&end_date=2026-11-02&employees[]=3",
            &token,
        )
        .await;
    let created = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .unwrap();
    assert_eq!(created["attributes"]["end_time"], "17:30");
    assert_eq!(created["attributes"]["status"], "confirmed");

    let (status, body) = post("/v1/company/attendances", token.clone(), one).await;
    assert_eq!(status, 400, "an overlap is refused");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("overlapping")
    );
    let bad = json!({"attendances": [
        {"employee": 4, "date": "2026-11-03", "start_time": "09:00", "end_time": "12:00", "break": 0},
        {"employee": 4, "date": "2026-11-03", "start_time": "18:00", "end_time": "08:00", "break": 0},
        {"employee": 999999, "date": "2026-11-03", "start_time": "09:00", "end_time": "10:00", "break": 0},
    ]});
    let (status, body) = post("/v1/company/attendances", token.clone(), bad).await;
    assert_eq!(status, 400);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("attendances[1]: end_time 08:00 is not after")
            && message.contains("attendances[2]: employee"),
        "{message}"
    );
    let (_, none) = w.get("/v1/company/attendances?start_date=2026-11-03&end_date=2026-11-03&employees[]=4&includePending=true", &token).await;
    assert_eq!(
        none["metadata"]["total_elements"], 0,
        "nothing half-written"
    );

    // A time-off, as form fields: Friday afternoon to Monday, half day at the start.
    let response = w
        .client
        .post(format!("{}/v1/company/time-offs", w.base))
        .bearer_auth(&token)
        .form(&[
            ("employee_id", "5"),
            ("time_off_type_id", "1"),
            ("start_date", "2026-12-04"),
            ("end_date", "2026-12-07"),
            ("half_day_start", "1"),
            ("half_day_end", "0"),
            ("comment", "long weekend"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["data"]["attributes"]["days_count"], 1.5);
    assert_eq!(created["data"]["attributes"]["status"], "approved");
    let (status, body) = post("/v1/company/time-offs", token.clone(), json!({"employee_id": 5, "time_off_type_id": 2, "start_date": "2026-12-07", "end_date": "2026-12-08", "half_day_start": false, "half_day_end": false})).await;
    assert_eq!(status, 400, "overlapping absences are refused: {body}");
    let (status, _) = post("/v1/company/time-offs", token.clone(), json!({"employee_id": 5, "time_off_type_id": 6, "start_date": "2026-12-14", "end_date": "2026-12-14"})).await;
    assert_eq!(status, 400, "hour types are not day absences");
    let (status, _) = post("/v1/company/time-offs", token, json!({"employee_id": 5, "time_off_type_id": 1, "start_date": "2026-12-19", "end_date": "2026-12-20"})).await;
    assert_eq!(status, 400, "a weekend holds no working day");
}

#[tokio::test]
async fn an_absence_balance_is_the_entitlement_less_what_is_taken_this_year() {
    let w = World::start(ServerConfig::default()).await;
    let reader = w.token(&w.credential(&w.a, &["absences:read"], None)).await;
    let writer = w
        .token(&w.credential(&w.a, &["absences:read", "absences:write"], None))
        .await;
    let path = "/v1/company/employees/2/absences/balance";
    let (status, before) = w.get(path, &reader).await;
    assert_eq!(status, 200, "{before}");
    let vacation = &before["data"][0];
    assert_eq!(before["data"].as_array().unwrap().len(), 1, "{before}");
    assert_eq!(vacation["name"], "Paid vacation");
    assert_eq!(vacation["category"], "paid_vacation");
    let balance = vacation["balance"].as_f64().unwrap();
    assert!(balance <= 28.0);
    assert!(vacation["available_balance"].as_f64().unwrap() <= balance);

    // Two approved days in December: two days less.
    let created = w
        .client
        .post(format!("{}/v1/company/time-offs", w.base))
        .bearer_auth(&writer)
        .form(&[
            ("employee_id", "2"),
            ("time_off_type_id", "1"),
            ("start_date", "2026-12-14"),
            ("end_date", "2026-12-15"),
            ("half_day_start", "0"),
            ("half_day_end", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 200, "{}", created.text().await.unwrap());
    let (_, after) = w.get(path, &reader).await;
    if chrono::Datelike::year(&chrono::Utc::now()) == 2026 {
        assert_eq!(after["data"][0]["balance"].as_f64().unwrap(), balance - 2.0);
    }

    // Scope, tenancy, unknown ids.
    let employees_only = w
        .token(&w.credential(&w.a, &["employees:read"], None))
        .await;
    assert_eq!(w.get(path, &employees_only).await.0, 403);
    let b_only = format!("/v1/company/employees/{B_EMPLOYEES}/absences/balance");
    assert_eq!(
        w.get(&b_only, &reader).await.0,
        404,
        "B's employee is not A's"
    );
    assert_eq!(
        w.get("/v1/company/employees/x/absences/balance", &reader)
            .await
            .0,
        404
    );
}
