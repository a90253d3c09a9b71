//! Employees written through the public API over a real socket: creation
//! (JSON, form fields, personio-py's bracketed JSON keys), changes with
//! their history, validation, tenancy, e-mails unique under concurrency,
//! and profile pictures.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::collections::BTreeSet;
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
    /// Company A's first user's personal access token (the *edit* right).
    a_admin: String,
    dir: tempfile::TempDir,
}

impl World {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let created = app.create_company("Company A", "a@a.example", "A").unwrap();
        let (a, a_admin) = (created.company, created.token);
        let b = app
            .create_company("Company B", "b@b.example", "B")
            .unwrap()
            .company;
        for (company, seed) in [(&a, 1), (&b, 2)] {
            let spec = DemoSpec {
                employees: 15,
                months: 1,
                seed,
                until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            };
            app.generate_demo(company, spec, false, &mut |_| {})
                .unwrap();
        }
        let config = ServerConfig {
            api_per_minute: std::num::NonZeroU32::MAX,
            ..ServerConfig::default()
        };
        let base = common::serve(Arc::clone(&app), config).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            a,
            b,
            a_admin,
            dir,
        }
    }

    async fn token(
        &self,
        company: &Company,
        scopes: &[&str],
        attributes: Option<&[&str]>,
    ) -> String {
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
        common::api_token(
            &self.client,
            &self.base,
            &created.credential.client_id,
            &created.client_secret,
        )
        .await
    }

    async fn send(&self, request: reqwest::RequestBuilder, token: &str) -> (u16, Value) {
        let response = request.bearer_auth(token).send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        if status >= 400 {
            assert_eq!(body["success"], false, "{body}");
            assert_eq!(body["error"]["code"], status, "{body}");
        }
        (status, body)
    }

    async fn post(&self, token: &str, body: &Value) -> (u16, Value) {
        let url = format!("{}/v1/company/employees", self.base);
        self.send(self.client.post(url).json(body), token).await
    }

    async fn patch(&self, token: &str, id: i64, body: &Value) -> (u16, Value) {
        let url = format!("{}/v1/company/employees/{id}", self.base);
        self.send(self.client.patch(url).json(body), token).await
    }

    async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        self.send(self.client.get(url), token).await
    }

    fn store(&self) -> std::sync::Arc<dyn relais_store::Store> {
        relais_store::open(relais_store::testing::database_in(self.dir.path()).as_os_str()).unwrap()
    }
}

const WRITE: [&str; 2] = ["employees:read", "employees:write"];

/// Every standard attribute and the T-shirt size.
const READABLE: [&str; 21] = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "gender",
    "status",
    "position",
    "supervisor",
    "employment_type",
    "weekly_working_hours",
    "hire_date",
    "termination_date",
    "created_at",
    "last_modified_at",
    "office",
    "department",
    "team",
    "cost_centers",
    "profile_picture",
    "dynamic_1001",
];

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn an_employee_is_created_from_json_form_fields_or_bracketed_json_keys() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE, Some(&READABLE)).await;
    let (total_before, _) = {
        let (_, list) = w.get(&token, "/v1/company/employees?limit=1").await;
        (list["metadata"]["total_elements"].as_u64().unwrap(), ())
    };

    let (status, body) = w
        .post(
            &token,
            &json!({"employee": {
                "email": "New.Person@A.example", "first_name": "New", "last_name": "Person",
                "gender": "female", "position": "Engineer", "department": "Engineering",
                "hire_date": "2026-01-05", "weekly_hours": 32, "supervisor_id": 1,
                "custom_attributes": {"dynamic_1001": "m", "dynamic_1004": "2027-01-05"}
            }}),
        )
        .await;
    assert_eq!(
        status, 200,
        "the modelled HRIS answers 200, not 201: {body}"
    );
    assert_eq!(body["data"]["message"], "success");
    let id = body["data"]["id"].as_i64().unwrap();
    assert_eq!(
        id,
        i64::try_from(total_before).unwrap() + 1,
        "the next id of the company"
    );

    let (status, got) = w.get(&token, &format!("/v1/company/employees/{id}")).await;
    assert_eq!(status, 200);
    let a = &got["data"]["attributes"];
    assert_eq!(a["email"]["value"], "new.person@a.example");
    assert_eq!(
        a["department"]["value"]["attributes"]["name"],
        "Engineering"
    );
    assert_eq!(a["weekly_working_hours"]["value"], "32");
    assert_eq!(a["status"]["value"], "active");
    assert_eq!(a["dynamic_1001"]["value"], "M");
    assert_eq!(a["supervisor"]["value"]["attributes"]["id"]["value"], 1);
    assert_eq!(a["profile_picture"]["value"], Value::Null);

    // The cached list and counts see the new employee at once.
    let (_, list) = w.get(&token, "/v1/company/employees?limit=1").await;
    assert_eq!(list["metadata"]["total_elements"], total_before + 1);

    // History as an import keeps it: tracked attributes from the hire date.
    let history = w.store().history(w.a.id, &[id]).unwrap();
    let hire = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    for attribute in [
        "department",
        "position",
        "weekly_working_hours",
        "dynamic_1001",
    ] {
        assert!(
            history
                .iter()
                .any(|h| h.attribute == attribute && h.effective_from == hire),
            "{attribute} in {history:?}"
        );
    }

    // Form fields, as the modelled HRIS documents them.
    let url = format!("{}/v1/company/employees", w.base);
    let (status, body) = w
        .send(
            w.client.post(&url).form(&[
                ("employee[email]", "form@a.example"),
                ("employee[first_name]", "Form"),
                ("employee[last_name]", "Person"),
                ("employee[gender]", "male"),
                ("employee[hire_date]", "2099-01-01"),
                ("employee[custom_attributes][dynamic_1001]", "XL"),
            ]),
            &token,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let form_id = body["data"]["id"].as_i64().unwrap();
    assert_eq!(form_id, id + 1);
    let (_, got) = w
        .get(&token, &format!("/v1/company/employees/{form_id}"))
        .await;
    assert_eq!(
        got["data"]["attributes"]["status"]["value"], "onboarding",
        "hired after today"
    );

    // personio-py sends the form names as the keys of a JSON object.
    let (status, body) = w
        .post(
            &token,
            &json!({"employee[email]": "py@a.example", "employee[first_name]": "Py",
                    "employee[last_name]": "Client", "employee[gender]": "diverse",
                    "employee[position]": "Analyst", "employee[department]": "Sales",
                    "employee[hire_date]": "2026-02-01", "employee[weekly_hours]": 40.0}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn bad_fields_are_each_named_and_nothing_is_created() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE, None).await;
    let (status, body) = w
        .post(
            &token,
            &json!({"employee": {
                "email": "not-an-email", "first_name": "x".repeat(201), "gender": "robot",
                "department": "Nowhere", "office": "Atlantis", "hire_date": "2026-02-30",
                "weekly_hours": 90, "status": "retired", "subcompany": "ACME",
                "custom_attributes": {"dynamic_1001": "XXL", "dynamic_9": "x", "dynamic_1004": "soon"},
                "salary": "1"
            }}),
        )
        .await;
    assert_eq!(status, 400);
    let text = message(&body);
    for expected in [
        "email: 'not-an-email' is not an e-mail address",
        "first_name: longer than 200 characters",
        "last_name: is required",
        "gender: 'robot' is not one of male, female, diverse",
        "department: 'Nowhere' is not a department of this company",
        "office: 'Atlantis' is not an office of this company",
        "hire_date: '2026-02-30' is not a date",
        "weekly_working_hours: 90 is not between",
        "status: 'retired' is not one of",
        "subcompany: Relais does not model subcompanies",
        "dynamic_1001: 'XXL' is not one of S, M, L, XL",
        "dynamic_9: 'dynamic_9' is not a custom attribute of this company",
        "dynamic_1004: 'soon' is not a date",
        "salary: unknown field 'salary'",
    ] {
        assert!(text.contains(expected), "{expected}\nin\n{text}");
    }
    for body in [
        json!({}),
        json!({"employee": "x"}),
        json!({"employee": {"email": 5}}),
    ] {
        let (status, answer) = w.post(&token, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
    }

    // A supervisor of another company is no supervisor here.
    let (status, body) = w
        .post(
            &token,
            &json!({"employee": {"email": "s@a.example", "first_name": "S", "last_name": "T",
                    "gender": "male", "supervisor_id": 999}}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        message(&body).contains("supervisor_id: 999 is not an employee"),
        "{body}"
    );

    let (_, list) = w.get(&token, "/v1/company/employees?limit=1").await;
    assert_eq!(
        list["metadata"]["total_elements"], 15,
        "nothing was created"
    );

    // Without the write scope.
    let reader = w.token(&w.a, &["employees:read"], None).await;
    let (status, body) = w
        .post(
            &reader,
            &json!({"employee": {"email": "r@a.example", "first_name": "R", "last_name": "S", "gender": "male"}}),
        )
        .await;
    assert_eq!(status, 403);
    assert!(message(&body).contains("employees:write"), "{body}");
    // The scope is checked before the body: a bad body is still 403.
    let (status, _) = w.post(&reader, &json!({"employee": "not an object"})).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn of_many_parallel_creates_with_one_email_exactly_one_succeeds() {
    let w = Arc::new(World::start().await);
    let token = w.token(&w.a, &WRITE, None).await;
    let mut tasks = Vec::new();
    for n in 0..30 {
        let (w, token) = (Arc::clone(&w), token.clone());
        tasks.push(tokio::spawn(async move {
            w.post(
                &token,
                &json!({"employee": {"email": "twin@a.example", "first_name": format!("Twin {n}"),
                        "last_name": "Doe", "gender": "male"}}),
            )
            .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status {
            200 => created += 1,
            409 => assert!(message(&body).contains("twin@a.example"), "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    let (_, list) = w
        .get(&token, "/v1/company/employees?email=twin@a.example")
        .await;
    assert_eq!(list["metadata"]["total_elements"], 1);

    // Distinct e-mails at once: each gets its own next id.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (w, token) = (Arc::clone(&w), token.clone());
        tasks.push(tokio::spawn(async move {
            w.post(
                &token,
                &json!({"employee": {"email": format!("p{n}@a.example"), "first_name": "P",
                        "last_name": "Q", "gender": "female"}}),
            )
            .await
        }));
    }
    let mut ids = BTreeSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, 200, "{body}");
        ids.insert(body["data"]["id"].as_i64().unwrap());
    }
    assert_eq!(ids, (17..=36).collect::<BTreeSet<_>>());
}

#[tokio::test]
async fn a_change_is_recorded_in_the_history_today_and_the_email_stays() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE, Some(&READABLE)).await;
    let (_, before) = w.get(&token, "/v1/company/employees/12").await;
    let (status, body) = w
        .patch(
            &token,
            12,
            &json!({"employee": {"position": "Staff engineer", "department": "Engineering",
                    "weekly_hours": "25.5", "preferred_name": null,
                    "custom_attributes": {"dynamic_1001": "S"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"success": true, "data": {"id": 12}, "meta": []})
    );
    let (_, after) = w.get(&token, "/v1/company/employees/12").await;
    let a = &after["data"]["attributes"];
    assert_eq!(a["position"]["value"], "Staff engineer");
    assert_eq!(a["weekly_working_hours"]["value"], "25.5");
    assert_eq!(a["dynamic_1001"]["value"], "S");
    assert_ne!(
        a["last_modified_at"]["value"],
        before["data"]["attributes"]["last_modified_at"]["value"]
    );
    let today = chrono::Utc::now().date_naive();
    let history = w.store().history(w.a.id, &[12]).unwrap();
    for attribute in ["position", "weekly_working_hours", "dynamic_1001"] {
        assert!(
            history
                .iter()
                .any(|h| h.attribute == attribute && h.effective_from == today),
            "{attribute} changed today in {history:?}"
        );
    }
    // `updated_since` finds it.
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let (_, changed) = w
        .get(
            &token,
            &format!(
                "/v1/company/employees?updated_since={}",
                url::form_urlencoded::byte_serialize(since.as_bytes()).collect::<String>()
            ),
        )
        .await;
    assert_eq!(changed["metadata"]["total_elements"], 1, "{changed}");

    // Form fields work too.
    let url = format!("{}/v1/company/employees/12", w.base);
    let (status, _) = w
        .send(
            w.client
                .patch(&url)
                .form(&[("employee[last_name]", "Renamed")]),
            &token,
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = w
        .patch(&token, 12, &json!({"employee": {"email": "new@a.example"}}))
        .await;
    assert_eq!(status, 400);
    assert!(
        message(&body).contains("email: cannot be updated"),
        "{body}"
    );
    for (body, expected) in [
        (
            json!({"employee": {"first_name": null}}),
            "first_name: cannot be emptied",
        ),
        (
            json!({"employee": {"supervisor_id": 12}}),
            "cannot supervise themselves",
        ),
        (json!({"employee": {"office": "Atlantis"}}), "not an office"),
        (json!({"employee": {}}), "nothing to change"),
    ] {
        let (status, answer) = w.patch(&token, 12, &body).await;
        assert_eq!(status, 400, "{body}");
        assert!(message(&answer).contains(expected), "{answer}");
    }

    // Unknown ids, and another company's employees, are not found.
    for id in [999, 0, -1] {
        let (status, _) = w
            .patch(&token, id, &json!({"employee": {"position": "X"}}))
            .await;
        assert_eq!(status, 404);
    }
    let b_token = w.token(&w.b, &WRITE, None).await;
    let created = w
        .post(
            &b_token,
            &json!({"employee": {"email": "only@b.example", "first_name": "B", "last_name": "Only", "gender": "male"}}),
        )
        .await;
    assert_eq!(created.0, 200);
    let b_id = created.1["data"]["id"].as_i64().unwrap();
    assert_eq!(b_id, 16);
    let (status, _) = w
        .patch(&token, b_id, &json!({"employee": {"position": "X"}}))
        .await;
    assert_eq!(status, 404, "company A cannot change B's employee 16");
    let (_, b_employee) = w
        .get(&b_token, &format!("/v1/company/employees/{b_id}"))
        .await;
    assert_eq!(
        b_employee["data"]["attributes"]["email"]["value"],
        "only@b.example"
    );
}

/// A PNG's width and height, from its header.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[tokio::test]
async fn a_profile_picture_is_served_scaled_to_whom_may_read_it() {
    let w = World::start().await;
    w.app
        .set_employee_picture(
            Caller::Operator,
            &w.a,
            3,
            &relais_people::picture::identicon(7).unwrap().png,
        )
        .unwrap();
    let token = w.token(&w.a, &["employees:read"], None).await;
    let fetch = |path: String, token: String| {
        let (client, base) = (w.client.clone(), w.base.clone());
        async move {
            client
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
        }
    };

    let stored = fetch(
        "/v1/company/employees/3/profile-picture".into(),
        token.clone(),
    )
    .await;
    assert_eq!(stored.status(), 200);
    assert_eq!(stored.headers()["content-type"], "image/png");
    assert_eq!(png_size(&stored.bytes().await.unwrap()), (120, 120));

    let small = fetch(
        "/v1/company/employees/3/profile-picture/60".into(),
        token.clone(),
    )
    .await;
    assert_eq!(small.status(), 200);
    assert_eq!(png_size(&small.bytes().await.unwrap()), (60, 60));

    for width in ["0", "2001", "-5", "wide", "99999999999999999999"] {
        let (status, body) = w
            .get(
                &token,
                &format!("/v1/company/employees/3/profile-picture/{width}"),
            )
            .await;
        assert_eq!(status, 400, "{width}: {body}");
        assert!(message(&body).contains("width"), "{body}");
    }

    // The attribute points at it; others have none.
    let (_, three) = w.get(&token, "/v1/company/employees/3").await;
    assert_eq!(
        three["data"]["attributes"]["profile_picture"]["value"],
        "/v1/company/employees/3/profile-picture"
    );
    assert_eq!(
        three["data"]["attributes"]["profile_picture"]["label"],
        "Profile Picture"
    );

    // The demo gives every third employee a picture of their own.
    let (status, _) = w.get(&token, "/v1/company/employees/4").await;
    assert_eq!(status, 200);
    let demo = fetch(
        "/v1/company/employees/4/profile-picture/48".into(),
        token.clone(),
    )
    .await;
    assert_eq!(demo.status(), 200);
    assert_eq!(png_size(&demo.bytes().await.unwrap()), (48, 48));

    // 404: no picture, no such employee, another company's, not whitelisted.
    for path in [
        "/v1/company/employees/2/profile-picture",
        "/v1/company/employees/999/profile-picture/50",
    ] {
        let (status, _) = w.get(&token, path).await;
        assert_eq!(status, 404, "{path}");
    }
    let b_token = w.token(&w.b, &["employees:read"], None).await;
    let (status, _) = w
        .get(&b_token, "/v1/company/employees/3/profile-picture")
        .await;
    assert_eq!(status, 404, "B's employee 3 has no picture; A's is not B's");
    let narrow = w
        .token(
            &w.a,
            &["employees:read"],
            Some(&["first_name", "last_name"]),
        )
        .await;
    let (status, _) = w
        .get(&narrow, "/v1/company/employees/3/profile-picture")
        .await;
    assert_eq!(status, 404, "Profile Picture is not whitelisted");

    // Removed: gone, and the attribute says so.
    w.app
        .remove_employee_picture(Caller::Operator, &w.a, 3)
        .unwrap();
    let (status, _) = w
        .get(&token, "/v1/company/employees/3/profile-picture")
        .await;
    assert_eq!(status, 404);
    let (_, three) = w.get(&token, "/v1/company/employees/3").await;
    assert_eq!(
        three["data"]["attributes"]["profile_picture"]["value"],
        Value::Null
    );
}

#[tokio::test]
async fn an_admin_sets_and_removes_a_picture_of_a_limited_size_and_type() {
    let w = World::start().await;
    let url = |id: &str| format!("{}/api/employees/{id}/profile-picture", w.base);
    let put = |id: &str, kind: &str, body: Vec<u8>| {
        w.client
            .put(url(id))
            .bearer_auth(&w.a_admin)
            .header("content-type", kind)
            .body(body)
            .send()
    };
    let picture = relais_people::picture::identicon(3).unwrap().png;
    let answer = put("5", "image/png", picture.clone()).await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body, json!({"employee_id": 5, "width": 120, "height": 120}));

    let token = w.token(&w.a, &["employees:read"], None).await;
    let served = w
        .client
        .get(format!("{}/v1/company/employees/5/profile-picture", w.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(png_size(&served.bytes().await.unwrap()), (120, 120));

    for (id, kind, body, status) in [
        ("5", "image/png", b"not a picture".to_vec(), 400),
        ("5", "image/gif", b"GIF89a".to_vec(), 415),
        (
            "5",
            "image/png",
            vec![0u8; relais_people::picture::MAX_UPLOAD_BYTES + 1],
            413,
        ),
        ("999", "image/png", picture.clone(), 404),
        ("x", "image/png", picture.clone(), 404),
    ] {
        let answer = put(id, kind, body).await.unwrap();
        assert_eq!(answer.status(), status, "{id} {kind}");
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json"),
            "{id} {kind}"
        );
    }

    let delete = || w.client.delete(url("5")).bearer_auth(&w.a_admin).send();
    assert_eq!(delete().await.unwrap().status(), 204);
    assert_eq!(delete().await.unwrap().status(), 404, "already gone");
    let gone = w
        .client
        .get(format!("{}/v1/company/employees/5/profile-picture", w.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
}
