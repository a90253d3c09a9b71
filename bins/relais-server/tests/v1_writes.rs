//! The public API's remaining attendance and absence writes over a real
//! socket: attendance projects, changing and deleting attendances, one day
//! absence read and deleted, hour absences created and deleted. Each with
//! its scope, its tenancy, its errors in the shapes the modelled HRIS uses.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

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

const WRITE: [&str; 4] = [
    "attendances:read",
    "attendances:write",
    "absences:read",
    "absences:write",
];
const READ: [&str; 3] = ["attendances:read", "absences:read", "employees:read"];

impl World {
    async fn start() -> Self {
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
        for (company, seed) in [(&a, 1), (&b, 2)] {
            let spec = DemoSpec {
                employees: 12,
                months: 2,
                seed,
                until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            };
            app.generate_demo(company, spec, false, &mut |_| {})
                .unwrap();
        }
        let base = common::serve(Arc::clone(&app), ServerConfig::default()).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            a,
            b,
            _dir: dir,
        }
    }

    async fn token(&self, company: &Company, scopes: &[&str]) -> String {
        let input = CredentialInput {
            name: "test".into(),
            scopes: scopes
                .iter()
                .map(|s| s.parse::<ApiPermission>().unwrap())
                .collect(),
            ..CredentialInput::default()
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

    /// A call with a JSON body (or none); the status and the body (`null`
    /// when empty). Never a 5xx.
    async fn call(
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
        assert!(status < 500, "{method} {path}: {status}");
        if status < 400 {
            // Clients of the modelled HRIS read the token back from every answer.
            assert_eq!(
                response.headers()["authorization"],
                format!("Bearer {token}").as_str(),
                "{method} {path}"
            );
        }
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, body)
    }

    /// A call with a raw body of `content_type`.
    async fn raw(
        &self,
        token: &str,
        method: &str,
        path: &str,
        content_type: &str,
        body: &'static str,
    ) -> (u16, Value) {
        let response = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

/// The common envelope's message of an error answer.
fn message(body: &Value) -> &str {
    assert_eq!(body["success"], false, "{body}");
    body["error"]["message"].as_str().unwrap()
}

#[tokio::test]
async fn projects_are_listed_created_changed_and_deleted() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let path = "/v1/company/attendances/projects";

    let (status, listed) = w.call(&token, "GET", path, None).await;
    assert_eq!(status, 200, "{listed}");
    let demo = listed["data"].as_array().unwrap();
    assert_eq!(demo.len(), 5);
    assert_eq!(demo[0]["type"], "Project");
    assert_eq!(demo[0]["id"], 1);
    assert_eq!(demo[4]["attributes"]["active"], false);
    assert!(
        demo[0]["attributes"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with("+0000")
    );

    // Created inactive unless said otherwise, as in the modelled HRIS.
    let (status, created) = w
        .call(
            &token,
            "POST",
            path,
            Some(json!({"name": "  Night shift "})),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["success"], true);
    let id = created["data"]["id"].as_i64().unwrap();
    assert_eq!(id, 6, "after the demo's five");
    assert_eq!(created["data"]["attributes"]["name"], "Night shift");
    assert_eq!(created["data"]["attributes"]["active"], false);

    // Errors by field, in the projects API's own shape.
    for (body, field, expected) in [
        (json!({}), "name", "Project name cannot be empty"),
        (
            json!({"name": "   "}),
            "name",
            "Project name cannot be empty",
        ),
        (json!({"name": 42}), "name", "Project name must be a string"),
        (
            json!({"name": "x".repeat(256)}),
            "name",
            "Project name must be at most 255 characters, got 256",
        ),
        (
            json!({"name": "Ok", "active": "sometimes"}),
            "active",
            "Active field needs to be of type boolean",
        ),
    ] {
        let (status, refused) = w.call(&token, "POST", path, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert_eq!(
            refused,
            json!({"success": false, "error": {field: [expected]}}),
            "{body}"
        );
    }
    let (status, refused) = w
        .raw(&token, "POST", path, "application/json", "not json")
        .await;
    assert_eq!(status, 400);
    assert_eq!(refused["success"], false);
    assert!(refused["error"]["body"][0].is_string(), "{refused}");

    // One name per company, letter case aside.
    let (status, taken) = w
        .call(
            &token,
            "POST",
            path,
            Some(json!({"name": "NIGHT SHIFT", "active": true})),
        )
        .await;
    assert_eq!(status, 409, "{taken}");
    assert!(
        taken["error"]["name"][0]
            .as_str()
            .unwrap()
            .contains("NIGHT SHIFT")
    );

    // Renamed and activated; a field not sent stays.
    let one = format!("{path}/{id}");
    let (status, changed) = w
        .call(&token, "PATCH", &one, Some(json!({"active": true})))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["data"]["attributes"]["name"], "Night shift");
    assert_eq!(changed["data"]["attributes"]["active"], true);
    let (status, changed) = w
        .call(&token, "PATCH", &one, Some(json!({"name": "Late shift"})))
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["data"]["attributes"]["name"], "Late shift");
    assert_eq!(changed["data"]["attributes"]["active"], true);
    let (status, taken) = w
        .call(&token, "PATCH", &one, Some(json!({"name": "mobile APP"})))
        .await;
    assert_eq!(status, 409, "a demo project's name: {taken}");
    let (status, refused) = w
        .call(&token, "PATCH", &one, Some(json!({"active": 3})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"]["active"][0],
        "Active field needs to be of type boolean"
    );

    // Unknown ids, in the projects API's own 404 shape.
    for missing in ["999", "abc", "-1"] {
        let (status, body) = w
            .call(
                &token,
                "PATCH",
                &format!("{path}/{missing}"),
                Some(json!({"active": true})),
            )
            .await;
        assert_eq!(status, 404);
        assert_eq!(
            body,
            json!({"success": false, "message": format!("Project {missing} not found")})
        );
        let (status, _) = w
            .call(&token, "DELETE", &format!("{path}/{missing}"), None)
            .await;
        assert_eq!(status, 404);
    }

    // Booked projects are kept: deactivate them instead.
    let booked = attendance(&w, &token, "09:00", "10:00").await;
    let (status, _) = w
        .call(
            &token,
            "PATCH",
            &format!("/v1/company/attendances/{booked}"),
            Some(json!({"project_id": 1})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, refused) = w.call(&token, "DELETE", &format!("{path}/1"), None).await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["error"]["id"][0]
            .as_str()
            .unwrap()
            .contains("deactivate"),
        "{refused}"
    );

    let (status, body) = w.call(&token, "DELETE", &one, None).await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, _) = w.call(&token, "DELETE", &one, None).await;
    assert_eq!(status, 404);
    let (_, listed) = w.call(&token, "GET", path, None).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);

    // A deleted project's id is never handed out again.
    let (_, next) = w
        .call(
            &token,
            "POST",
            path,
            Some(json!({"name": "Night shift", "active": true})),
        )
        .await;
    assert_eq!(next["data"]["id"], 7, "{next}");
}

#[tokio::test]
async fn project_writes_need_the_write_scope_and_stay_in_their_company() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let read_only = w.token(&w.a, &READ).await;
    let other = w.token(&w.b, &WRITE).await;
    let path = "/v1/company/attendances/projects";
    let (_, created) = w
        .call(
            &token,
            "POST",
            path,
            Some(json!({"name": "A's own", "active": true})),
        )
        .await;
    let one = format!("{path}/{}", created["data"]["id"]);

    let (status, _) = w.call(&read_only, "GET", path, None).await;
    assert_eq!(status, 200, "reading needs only attendances:read");
    for (method, path, body) in [
        ("POST", path, Some(json!({"name": "X"}))),
        ("PATCH", one.as_str(), Some(json!({"active": false}))),
        ("DELETE", one.as_str(), None),
    ] {
        let (status, refused) = w.call(&read_only, method, path, body).await;
        assert_eq!(status, 403, "{method} {path}");
        assert!(message(&refused).contains("attendances:write"), "{refused}");
    }
    let no_scope = w.token(&w.a, &["employees:read"]).await;
    let (status, _) = w.call(&no_scope, "GET", path, None).await;
    assert_eq!(status, 403);

    // Company B sees its own five, never A's, and cannot touch A's.
    let (_, listed) = w.call(&other, "GET", path, None).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);
    let (status, _) = w
        .call(&other, "PATCH", &one, Some(json!({"name": "Mine now"})))
        .await;
    assert_eq!(status, 404);
    let (status, _) = w.call(&other, "DELETE", &one, None).await;
    assert_eq!(status, 404);
    // And A's name is free in B.
    let (status, _) = w
        .call(&other, "POST", path, Some(json!({"name": "A's own"})))
        .await;
    assert_eq!(status, 200);
    let (_, listed) = w.call(&token, "GET", path, None).await;
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["attributes"]["name"] == "A's own")
    );
}

/// Records one attendance of employee 3 on 2026-11-09 and answers its id.
async fn attendance(w: &World, token: &str, start: &str, end: &str) -> i64 {
    let (status, body) = w
        .call(
            token,
            "POST",
            "/v1/company/attendances",
            Some(json!({"attendances": [{"employee": 3, "date": "2026-11-09", "start_time": start, "end_time": end, "break": 0}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]["id"][0].as_i64().unwrap()
}

/// The attendance `id` as listed for employee 3 around 2026-11-09.
async fn listed_attendance(w: &World, token: &str, id: i64) -> Option<Value> {
    let (status, listed) = w
        .call(
            token,
            "GET",
            "/v1/company/attendances?start_date=2026-11-01&end_date=2026-11-30&employees[]=3&includePending=true",
            None,
        )
        .await;
    assert_eq!(status, 200);
    listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
}

#[tokio::test]
async fn attendances_are_changed_as_they_are_created_and_deleted() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let morning = attendance(&w, &token, "09:00", "12:00").await;
    let afternoon = attendance(&w, &token, "13:00", "17:00").await;
    let path = format!("/v1/company/attendances/{morning}");

    let (status, body) = w
        .call(
            &token,
            "PATCH",
            &path,
            Some(json!({"end_time": "12:30", "break": 15, "comment": "stand-up", "project_id": 2})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"success": true, "data": {"message": "The attendance period was updated."}})
    );
    let changed = listed_attendance(&w, &token, morning).await.unwrap();
    let attributes = &changed["attributes"];
    assert_eq!(
        (
            &attributes["start_time"],
            &attributes["end_time"],
            &attributes["break"],
            &attributes["comment"],
            &attributes["project"]["id"],
            &attributes["status"],
        ),
        (
            &json!("09:00"),
            &json!("12:30"),
            &json!(15),
            &json!("stand-up"),
            &json!(2),
            &json!("confirmed"),
        )
    );

    // Times as clients holding durations write them; pending on request;
    // null takes it off its project; an empty comment clears it.
    let (status, body) = w
        .call(
            &token,
            "PATCH",
            &path,
            Some(json!({"start_time": "8:30:00", "skip_approval": false, "project_id": null, "comment": ""})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let changed = listed_attendance(&w, &token, morning).await.unwrap();
    assert_eq!(changed["attributes"]["start_time"], "08:30");
    assert_eq!(changed["attributes"]["status"], "pending");
    assert_eq!(changed["attributes"]["project"], Value::Null);
    assert_eq!(changed["attributes"]["comment"], "");

    // Each rule POST has, with the stored values filling in.
    for (body, expected) in [
        (json!({"end_time": "13:30"}), "overlapping"),
        (
            json!({"end_time": "08:00"}),
            "is not after start_time 08:30",
        ),
        (json!({"break": 300}), "does not fit"),
        (json!({"break": -1}), "break must be 0 to 1439"),
        (json!({"break": "long"}), "is not a number"),
        (json!({"break": "15"}), "is not a number"),
        (json!({"date": "09.11.2026"}), "date must be a date"),
        (json!({"start_time": "9h"}), "start_time must be a time"),
        (
            json!({"start_time": "09:00:30"}),
            "start_time must be a time",
        ),
        (json!({"project_id": 5}), "not an active project"),
        (json!({"project_id": 77}), "not a project of this company"),
        (json!({"project_id": "2"}), "is not a project id"),
        (json!({"comment": "x".repeat(2001)}), "comment"),
        (json!({"skip_approval": "perhaps"}), "skip_approval"),
        (json!({"skip_approval": 0}), "skip_approval"),
        (json!({"date": 20261109}), "date"),
    ] {
        let (status, refused) = w.call(&token, "PATCH", &path, Some(body.clone())).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert!(message(&refused).contains(expected), "{body}: {refused}");
    }
    let (status, _) = w
        .raw(&token, "PATCH", &path, "application/json", "[1, 2]")
        .await;
    assert_eq!(status, 400);
    let unchanged = listed_attendance(&w, &token, morning).await.unwrap();
    assert_eq!(
        unchanged["attributes"]["end_time"], "12:30",
        "nothing half-written"
    );

    // Moving to another day is checked against that day.
    let (status, _) = w
        .call(
            &token,
            "PATCH",
            &format!("/v1/company/attendances/{afternoon}"),
            Some(json!({"date": "2026-11-10", "start_time": "09:00"})),
        )
        .await;
    assert_eq!(status, 200);

    // Unknown ids, and the other company's, are not found.
    let other = w.token(&w.b, &WRITE).await;
    for (who, path) in [
        (&token, "/v1/company/attendances/99999999".to_owned()),
        (&token, "/v1/company/attendances/abc".to_owned()),
        (&other, path.clone()),
    ] {
        let (status, body) = w.call(who, "PATCH", &path, Some(json!({"break": 0}))).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(message(&body), "The attendance period was not found.");
        let (status, _) = w.call(who, "DELETE", &path, None).await;
        assert_eq!(status, 404, "{path}");
    }

    // Scopes.
    let read_only = w.token(&w.a, &READ).await;
    let (status, _) = w
        .call(&read_only, "PATCH", &path, Some(json!({"break": 0})))
        .await;
    assert_eq!(status, 403);
    let (status, _) = w.call(&read_only, "DELETE", &path, None).await;
    assert_eq!(status, 403);

    // Deleted, with or without skip_approval; a flag that is none is refused.
    let (status, refused) = w
        .call(
            &token,
            "DELETE",
            &format!("{path}?skip_approval=maybe"),
            None,
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    let (status, body) = w
        .call(
            &token,
            "DELETE",
            &format!("{path}?skip_approval=false"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"success": true, "data": {"message": "The attendance period was deleted."}})
    );
    assert_eq!(listed_attendance(&w, &token, morning).await, None);
    let (status, _) = w.call(&token, "DELETE", &path, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_renamed_project_shows_in_attendances_at_once() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let id = attendance(&w, &token, "09:00", "10:00").await;
    let (status, _) = w
        .call(
            &token,
            "PATCH",
            &format!("/v1/company/attendances/{id}"),
            Some(json!({"project_id": 3})),
        )
        .await;
    assert_eq!(status, 200);
    // Read once, so that the company's projects are cached.
    let before = listed_attendance(&w, &token, id).await.unwrap();
    assert_eq!(
        before["attributes"]["project"]["attributes"]["name"],
        "Data warehouse"
    );
    let (status, _) = w
        .call(
            &token,
            "PATCH",
            "/v1/company/attendances/projects/3",
            Some(json!({"name": "Lakehouse", "active": false})),
        )
        .await;
    assert_eq!(status, 200);
    let after = listed_attendance(&w, &token, id).await.unwrap();
    assert_eq!(
        after["attributes"]["project"]["attributes"],
        json!({"name": "Lakehouse", "active": false})
    );
    // An inactive project takes no new time.
    let (status, refused) = w
        .call(
            &token,
            "POST",
            "/v1/company/attendances",
            Some(json!({"attendances": [{"employee": 4, "date": "2026-11-09", "start_time": "09:00", "end_time": "10:00", "break": 0, "project_id": 3}]})),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
}

#[tokio::test]
async fn one_time_off_is_read_in_the_list_shape_and_deleted() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let (_, listed) = w
        .call(&token, "GET", "/v1/company/time-offs?limit=1", None)
        .await;
    let item = &listed["data"][0];
    let id = item["attributes"]["id"].as_i64().unwrap();
    let path = format!("/v1/company/time-offs/{id}");

    let read_only = w.token(&w.a, &READ).await;
    let (status, one) = w.call(&read_only, "GET", &path, None).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one, json!({"success": true, "data": item}));

    let other = w.token(&w.b, &WRITE).await;
    for (who, path) in [
        (&token, "/v1/company/time-offs/99999999".to_owned()),
        (&token, "/v1/company/time-offs/x".to_owned()),
        (&other, path.clone()),
    ] {
        let (status, body) = w.call(who, "GET", &path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(message(&body), "The absence period was not found.");
        let (status, _) = w.call(who, "DELETE", &path, None).await;
        assert_eq!(status, 404, "{path}");
    }
    let no_scope = w.token(&w.a, &["attendances:read"]).await;
    let (status, _) = w.call(&no_scope, "GET", &path, None).await;
    assert_eq!(status, 403);
    let (status, refused) = w.call(&read_only, "DELETE", &path, None).await;
    assert_eq!(status, 403);
    assert!(message(&refused).contains("absences:write"));

    let (status, body) = w.call(&token, "DELETE", &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"success": true, "data": {"message": "The absence period was deleted."}})
    );
    let (status, _) = w.call(&token, "GET", &path, None).await;
    assert_eq!(status, 404);
    let (_, after) = w
        .call(&token, "GET", "/v1/company/time-offs?limit=1", None)
        .await;
    assert_eq!(
        after["metadata"]["total_elements"].as_u64().unwrap() + 1,
        listed["metadata"]["total_elements"].as_u64().unwrap(),
        "the list sees the delete at once"
    );
}

/// The id of the demo company's hour-counted absence type.
async fn hourly_type(w: &World, token: &str) -> (i64, i64) {
    let (_, types) = w
        .call(token, "GET", "/v1/company/time-off-types", None)
        .await;
    let of_unit = |unit: &str| {
        types["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["attributes"]["unit"] == unit)
            .unwrap()["attributes"]["id"]
            .as_i64()
            .unwrap()
    };
    (of_unit("hour"), of_unit("day"))
}

#[tokio::test]
async fn hour_absences_are_created_and_deleted() {
    let w = World::start().await;
    let token = w.token(&w.a, &WRITE).await;
    let (hourly, daily) = hourly_type(&w, &token).await;
    let path = "/v1/company/absence-periods";

    // Part of one day, as form fields (as the modelled HRIS documents it).
    let response = w
        .client
        .post(format!("{}{path}", w.base))
        .bearer_auth(&token)
        .form(&[
            ("employee_id", "3".to_owned()),
            ("time_off_type_id", hourly.to_string()),
            ("start_date", "2026-12-03".into()),
            ("end_date", "2026-12-03".into()),
            ("start_time", "09:00".into()),
            ("end_time", "11:30".into()),
            ("comment", "Dentist".into()),
            ("half_day_start", "0".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let attributes = &created["data"]["attributes"];
    assert_eq!(created["data"]["type"], "AbsencePeriod");
    assert_eq!(attributes["start"], "2026-12-03T09:00:00.0Z");
    assert_eq!(attributes["end"], "2026-12-03T11:30:00.0Z");
    assert_eq!(attributes["effective_duration"], 150);
    assert_eq!(attributes["status"], "approved");
    assert_eq!(attributes["comment"], "Dentist");
    assert_eq!(
        attributes["absence_type"]["attributes"]["time_off_type_id"],
        hourly
    );
    assert_eq!(attributes["employee"]["attributes"]["id"]["value"], 3);
    let id = attributes["id"].as_str().unwrap().to_owned();

    // Several days, as JSON: from the first day's start to the last's end.
    let (status, long) = w
        .call(
            &token,
            "POST",
            path,
            Some(json!({"employee_id": 3, "time_off_type_id": hourly, "start_date": "2026-12-07", "end_date": "2026-12-08", "start_time": "12:00", "skip_approval": false})),
        )
        .await;
    assert_eq!(status, 201, "{long}");
    let attributes = &long["data"]["attributes"];
    assert_eq!(attributes["end"], "2026-12-09T00:00:00.0Z");
    assert_eq!(attributes["status"], "requested");
    assert_eq!(
        attributes["breakdowns"],
        json!([{"date": "2026-12-07", "effective_duration": 720}, {"date": "2026-12-08", "effective_duration": 1440}])
    );

    let (_, listed) = w
        .call(
            &token,
            "GET",
            &format!("{path}?start_date=2026-12-01&end_date=2026-12-31&employees[]=3"),
            None,
        )
        .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");

    // Refusals: 422, the fields and their problems in error_data.
    let base = json!({"employee_id": 3, "time_off_type_id": hourly, "start_date": "2026-12-10", "end_date": "2026-12-10", "start_time": "09:00", "end_time": "10:00"});
    let with = |change: Value| {
        let mut body = base.clone();
        for (k, v) in change.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    for (change, field) in [
        (json!({"employee_id": null}), "employee_id"),
        (json!({"time_off_type_id": "six"}), "time_off_type_id"),
        (json!({"start_date": "10.12.2026"}), "start_date"),
        (json!({"end_date": null}), "end_date"),
        (json!({"end_time": null}), "end_time"),
        (json!({"start_time": "25:00"}), "start_time"),
        (json!({"start_time": "11:00"}), "end_time"),
        (json!({"end_date": "2026-12-09"}), "end_date"),
        (json!({"end_date": "2028-01-01"}), "end_date"),
        (json!({"half_day_end": true}), "half_day_end"),
        (json!({"half_day_start": "maybe"}), "half_day_start"),
        (json!({"comment": "x".repeat(2001)}), "comment"),
        (json!({"skip_approval": 7}), "skip_approval"),
        (json!({"time_off_type_id": daily}), "time_off_type_id"),
        (
            json!({"start_date": "2026-12-03", "end_date": "2026-12-03", "start_time": "11:00", "end_time": "12:00"}),
            "start_date",
        ),
    ] {
        let body = with(change.clone());
        let (status, refused) = w.call(&token, "POST", path, Some(body)).await;
        assert_eq!(status, 422, "{change}: {refused}");
        assert_eq!(refused["success"], false);
        assert_eq!(refused["error"]["code"], 422);
        assert_eq!(
            refused["error"]["message"],
            "The given data failed to pass validation."
        );
        assert!(
            refused["error"]["error_data"][field][0].is_string(),
            "{change}: {refused}"
        );
    }
    for change in [
        json!({"employee_id": 999_999}),
        json!({"time_off_type_id": 999}),
    ] {
        let (status, refused) = w
            .call(&token, "POST", path, Some(with(change.clone())))
            .await;
        assert_eq!(status, 404, "{change}: {refused}");
        message(&refused);
    }
    let (status, _) = w
        .raw(
            &token,
            "POST",
            path,
            "application/json",
            "{\"employee_id\": ",
        )
        .await;
    assert_eq!(status, 400);

    // Scopes and tenancy.
    let read_only = w.token(&w.a, &READ).await;
    let (status, refused) = w.call(&read_only, "POST", path, Some(base.clone())).await;
    assert_eq!(status, 403);
    assert!(message(&refused).contains("absences:write"));
    let one = format!("{path}/{id}");
    let (status, _) = w.call(&read_only, "DELETE", &one, None).await;
    assert_eq!(status, 403);
    let other = w.token(&w.b, &WRITE).await;
    let (status, _) = w
        .call(&other, "POST", path, Some(with(json!({"employee_id": 3}))))
        .await;
    assert_eq!(status, 201, "B has an employee 3 of its own");
    for (who, path) in [
        (&other, one.clone()),
        (&token, format!("{path}/not-a-uuid")),
        (&token, format!("{path}/{}", uuid::Uuid::nil())),
    ] {
        let (status, body) = w.call(who, "DELETE", &path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(message(&body), "The absence period was not found.");
    }

    let (status, body) = w.call(&token, "DELETE", &one, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"success": true, "data": {"message": "The absence period was deleted."}})
    );
    let (status, _) = w.call(&token, "DELETE", &one, None).await;
    assert_eq!(status, 404);
    // Its slot is free again.
    let (status, _) = w
        .call(&token, "POST", path, Some(with(json!({"start_date": "2026-12-03", "end_date": "2026-12-03", "start_time": "10:00", "end_time": "11:00"}))))
        .await;
    assert_eq!(status, 201);
}
