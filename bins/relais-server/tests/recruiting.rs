//! The Recruiting API over a real socket: applications and uploads with
//! the recruiting key, every documented reason code, the deprecated form,
//! the XML job feed, OAuth2 client credentials and the v2 reads, tenancy,
//! limits and races.
//!
//! Request bodies are the shapes real open-source clients send
//! (docs/reference: Pipedream's create-application action sends ids as
//! strings; TYPO3's ns_personio sends empty optional attributes; career
//! sites post the form with `categorised_documents[n][file]`).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::NaiveDate;
use relais_access::{ApiPermission, Company};
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

struct World {
    base: String,
    app: Arc<App>,
    client: reqwest::Client,
    a: Company,
    a_admin: String,
    #[allow(dead_code)] // Company B is reached through its administrator.
    b: Company,
    b_admin: String,
    _dir: tempfile::TempDir,
}

struct Key {
    company: String,
    token: String,
}

impl World {
    async fn start(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let a = app.create_company("Company A", "a@a.example", "A").unwrap();
        let b = app.create_company("Company B", "b@b.example", "B").unwrap();
        for (company, seed) in [(&a.company, 1), (&b.company, 2)] {
            let spec = DemoSpec {
                employees: 10,
                months: 1,
                seed,
                until: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            };
            app.generate_demo(company, spec, false, &mut |_| {})
                .unwrap();
        }
        let base = common::serve(Arc::clone(&app), config).await;
        Self {
            base,
            app,
            client: reqwest::Client::new(),
            a: a.company,
            a_admin: a.token,
            b: b.company,
            b_admin: b.token,
            _dir: dir,
        }
    }

    async fn key(&self, admin: &str) -> Key {
        let response = self
            .client
            .post(format!("{}/api/recruiting/key", self.base))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        Key {
            company: body["company_id"].as_i64().unwrap().to_string(),
            token: body["access_token"].as_str().unwrap().to_owned(),
        }
    }

    async fn apply(&self, key: &Key, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/v1/recruiting/applications", self.base))
            .header("X-Company-ID", &key.company)
            .bearer_auth(&key.token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn upload(&self, key: &Key, filename: &str, content: &[u8]) -> (u16, Value) {
        let (content_type, body) = multipart(&[("file", Some(filename), content)]);
        let response = self
            .client
            .post(format!(
                "{}/v1/recruiting/applications/documents",
                self.base
            ))
            .header("x-company-id", &key.company)
            .header("Accept", "application/json")
            .bearer_auth(&key.token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn admin_get(&self, admin: &str, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(admin)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// A multipart body of `parts` (name, filename, bytes) as browsers write it.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----relais-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, filename, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(filename) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn reasons(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| {
            let field = item["field"].as_str().unwrap_or_default().to_owned();
            item["errors"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| (field.clone(), e["reason"].as_str().unwrap().to_owned()))
        })
        .collect()
}

fn has(body: &Value, field: &str, reason: &str) -> bool {
    reasons(body).iter().any(|(f, r)| f == field && r == reason)
}

/// Pipedream's body: ids as strings, a custom phase by number.
fn pipedream(email: &str) -> Value {
    json!({
        "job_position_id": "4711",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": email,
        "recruiting_channel_id": "2",
        "phase": {"type": "custom", "id": "101"},
        "message": "Hello!",
        "application_date": "2026-11-20",
        "tags": ["referral", "speaks-rust"],
    })
}

#[tokio::test]
async fn an_application_with_a_file_is_stored_and_every_reason_is_reported() {
    let w = World::start(ServerConfig::default()).await;
    let key = w.key(&w.a_admin).await;

    // ns_personio's flow: upload the CV, then name it in the application.
    let (status, uploaded) = w.upload(&key, "Ada CV.pdf", PDF).await;
    assert_eq!(status, 200, "{uploaded}");
    assert_eq!(uploaded["size"], PDF.len());
    assert_eq!(uploaded["mimetype"], "application/pdf");
    assert_eq!(uploaded["extension"], "pdf");
    assert_eq!(uploaded["original_filename"], "Ada CV.pdf");
    let uuid = uploaded["uuid"].as_str().unwrap().to_owned();

    let mut body = pipedream("ada@example.org");
    body["files"] = json!([{"uuid": uuid, "original_filename": "Ada CV.pdf", "category": "cv"}]);
    body["attributes"] = json!([
        {"id": "gender", "value": "female"}, {"id": "phone", "value": ""},
        {"id": "available_from", "value": "As soon as possible"},
        {"id": "salary_expectations", "value": "70k"},
        {"id": "custom_attribute_1", "value": "custom_option_2"},
        {"id": "custom_attribute_3", "value": "2027-01-01"},
    ]);
    let (status, answer) = w.apply(&key, &body).await;
    assert_eq!(status, 201, "{answer}");

    // The same e-mail for the same job: refused, atomically in the store.
    let (status, answer) = w.apply(&key, &pipedream("ADA@example.org")).await;
    assert_eq!(status, 400);
    assert!(
        has(&answer, "email", "errors.applicant-already-exists"),
        "{answer}"
    );
    // A used upload cannot be attached twice.
    let mut again = pipedream("grace@example.org");
    again["files"] = json!([{"uuid": uuid, "original_filename": "x.pdf", "category": "cv"}]);
    let (status, answer) = w.apply(&key, &again).await;
    assert_eq!(status, 400);
    assert!(
        has(
            &answer,
            "files[0].uuid",
            "errors.file-validation.file-not-exists"
        ),
        "{answer}"
    );

    // The admin API shows it, with the phase asked for and the file.
    let (status, list) = w
        .admin_get(&w.a_admin, "/api/recruiting/applications?limit=5")
        .await;
    assert_eq!(status, 200);
    let row = &list["items"][0];
    assert_eq!(row["email"], "ada@example.org");
    assert_eq!(row["phase"], "Phone screen");
    assert_eq!(row["channel"], "LinkedIn");
    let id = row["id"].as_i64().unwrap();
    let (status, detail) = w
        .admin_get(&w.a_admin, &format!("/api/recruiting/applications/{id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        detail["application"]["attributes"]["custom_attribute_1"],
        "custom_option_2"
    );
    assert_eq!(detail["candidate"]["salary_expectations"], "70k");
    assert_eq!(
        detail["application"]["tags"],
        json!(["referral", "speaks-rust"])
    );
    let download = w
        .client
        .get(format!(
            "{}/api/recruiting/applications/{id}/files/{uuid}",
            w.base
        ))
        .bearer_auth(&w.a_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    // RFC 8187: a space is %20 (a `+` would be kept as a plus).
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"Ada CV.pdf\"; filename*=UTF-8''Ada%20CV.pdf"
    );
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
    // Tenancy: company B's administrator finds neither.
    let (status, _) = w
        .admin_get(
            &w.b_admin,
            &format!("/api/recruiting/applications/{id}/files/{uuid}"),
        )
        .await;
    assert_eq!(status, 404);

    // Another company's upload is no file of this one.
    let b_key = w.key(&w.b_admin).await;
    let (_, theirs) = w.upload(&b_key, "theirs.pdf", PDF).await;
    let mut stolen = pipedream("thief@example.org");
    stolen["files"] =
        json!([{"uuid": theirs["uuid"], "original_filename": "x.pdf", "category": "cv"}]);
    let (status, answer) = w.apply(&key, &stolen).await;
    assert_eq!(status, 400);
    assert!(
        has(
            &answer,
            "files[0].uuid",
            "errors.file-validation.file-not-exists"
        ),
        "{answer}"
    );

    // Every reason at once, each by field.
    let (status, answer) = w
        .apply(
            &key,
            &json!({
                "job_position_id": 4718, "first_name": " ", "email": "no-at-sign",
                "recruiting_channel_id": 99, "application_date": "2099-01-01",
                "phase": {"type": "system", "id": "hired"},
                "files": [{"uuid": "0b6c0d3e-5f0e-4c55-9a6e-2d6c1c1f0a11", "original_filename": "a.pdf", "category": "diploma"}],
                "attributes": [{"id": "birthday", "value": "31.12.1990"}, {"id": "gender", "value": "robot"},
                               {"id": "shoe_size", "value": "44"}],
            }),
        )
        .await;
    assert_eq!(status, 400);
    for (field, reason) in [
        (
            "first_name",
            "errors.attribute-validation.required-attribute",
        ),
        (
            "last_name",
            "errors.attribute-validation.required-attribute",
        ),
        ("email", "errors.attribute-validation.invalid-email-format"),
        (
            "application_date",
            "errors.date-validation.date-in-the-future",
        ),
        ("phase", "errors.phase-validation.invalid-system-phase"),
        (
            "files[0].category",
            "errors.file-validation.unknown-file-category",
        ),
        (
            "birthday",
            "errors.attribute-validation.invalid-date-format",
        ),
        (
            "gender",
            "errors.attribute-validation.unknown-attribute-option",
        ),
        ("shoe_size", "errors.attribute-validation.unknown"),
    ] {
        assert!(has(&answer, field, reason), "{field} {reason} in {answer}");
    }
    // Checked against the company's set-up once well-formed.
    let mut against = pipedream("linus@example.org");
    against["job_position_id"] = json!(4718); // a draft
    against["recruiting_channel_id"] = json!(99);
    against["external_posting_id"] = json!("nope");
    against["attributes"] = json!([{"id": "custom_attribute_1", "value": "custom_option_9"},
                                   {"id": "custom_attribute_77", "value": "x"}]);
    let (status, answer) = w.apply(&key, &against).await;
    assert_eq!(status, 400);
    for (field, reason) in [
        ("job_position_id", "errors.job-position.not-published"),
        (
            "recruiting_channel_id",
            "errors.posting-validation.channel-not-found",
        ),
        (
            "custom_attribute_1",
            "errors.attribute-validation.unknown-attribute-option",
        ),
        ("custom_attribute_77", "errors.attribute-validation.unknown"),
    ] {
        assert!(has(&answer, field, reason), "{field} {reason} in {answer}");
    }
    let mut posting = pipedream("linus@example.org");
    posting["external_posting_id"] = json!("unknown-posting");
    let (_, answer) = w.apply(&key, &posting).await;
    assert!(has(
        &answer,
        "external_posting_id",
        "errors.posting-validation.posting-not-found"
    ));
    // A job board's posting id names the channel when none is given.
    let mut board = pipedream("linus@example.org");
    board["external_posting_id"] = json!("ss-4711");
    board
        .as_object_mut()
        .unwrap()
        .remove("recruiting_channel_id");
    assert_eq!(w.apply(&key, &board).await.0, 201);

    // Uploads: wrong type, renamed file, too large, malformed, no file part.
    let (status, answer) = w.upload(&key, "tool.exe", b"MZ\x90\0").await;
    assert_eq!(status, 422);
    assert!(has(&answer, "file", "errors.invalid-file-type"), "{answer}");
    assert_eq!(w.upload(&key, "cv.pdf", b"MZ\x90\0").await.0, 422);
    let mut big = PDF.to_vec();
    big.resize(20 * 1024 * 1024 + 1, b' ');
    let (status, answer) = w.upload(&key, "big.pdf", &big).await;
    assert_eq!(status, 413, "{answer}");
    for body in [
        b"not multipart at all".to_vec(),
        b"------x\r\nbroken".to_vec(),
    ] {
        let response = w
            .client
            .post(format!("{}/v1/recruiting/applications/documents", w.base))
            .header("X-Company-ID", &key.company)
            .bearer_auth(&key.token)
            .header("Content-Type", "multipart/form-data; boundary=----x")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
    }
    let (content_type, body) = multipart(&[("cv", Some("cv.pdf"), PDF)]);
    let response = w
        .client
        .post(format!("{}/v1/recruiting/applications/documents", w.base))
        .header("X-Company-ID", &key.company)
        .bearer_auth(&key.token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_recruiting_key_and_company_id_must_match_and_switches_refuse() {
    let w = World::start(ServerConfig::default()).await;
    let a = w.key(&w.a_admin).await;
    let b = w.key(&w.b_admin).await;
    let body = pipedream("mallory@example.org");
    // No headers, a wrong key, A's key with B's number, a personal token.
    for key in [
        Key {
            company: String::new(),
            token: String::new(),
        },
        Key {
            company: a.company.clone(),
            token: "rec_wrong".into(),
        },
        Key {
            company: b.company.clone(),
            token: a.token.clone(),
        },
        Key {
            company: a.company.clone(),
            token: w.a_admin.clone(),
        },
        Key {
            company: "not-a-number".into(),
            token: a.token.clone(),
        },
    ] {
        let (status, answer) = w.apply(&key, &body).await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["errors"][0]["status"], "401");
        assert!(answer["errors"][0]["id"].as_str().is_some());
    }
    // A new key replaces the old one at once.
    let newer = w.key(&w.a_admin).await;
    assert_eq!(w.apply(&a, &body).await.0, 401);
    assert_eq!(w.apply(&newer, &body).await.0, 201);
    // Tenancy: B's key applies to B's job 4711, never A's.
    assert_eq!(w.apply(&b, &body).await.0, 201);

    // Switches (the company's, not the request's): 403 with the feature code.
    let patch = |switches: Value| {
        w.client
            .patch(format!("{}/api/recruiting", w.base))
            .bearer_auth(&w.a_admin)
            .json(&switches)
            .send()
    };
    assert_eq!(
        patch(json!({"public_api": false})).await.unwrap().status(),
        200
    );
    let (status, answer) = w.apply(&newer, &pipedream("x@example.org")).await;
    assert_eq!(status, 403);
    assert!(
        has(&answer, "company", "feature.public-api.disabled"),
        "{answer}"
    );
    assert_eq!(
        patch(json!({"public_api": true, "enabled": false}))
            .await
            .unwrap()
            .status(),
        200
    );
    let (status, answer) = w.apply(&newer, &pipedream("x@example.org")).await;
    assert_eq!(status, 403);
    assert!(has(&answer, "company", "feature.recruiting.disabled"));
    // Recruiting off: the feed goes too.
    let feed = w
        .client
        .get(format!("{}/jobs/{}/xml", w.base, w.a.slug))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 404);
}

#[tokio::test]
async fn the_job_feed_lists_published_jobs_in_the_documented_elements() {
    let w = World::start(ServerConfig::default()).await;
    let feed = |path: String, host: Option<String>| {
        let mut request = w.client.get(format!("{}{path}", w.base));
        if let Some(host) = host {
            request = request.header("Host", host);
        }
        request.send()
    };
    let response = feed(format!("/jobs/{}/xml?language=en", w.a.slug), None)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/xml")
    );
    let xml = response.text().await.unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workzag-jobs>"));
    assert!(
        xml.contains("<name>Your tasks</name>"),
        "English descriptions"
    );
    assert!(
        !xml.contains("<id>4718</id>"),
        "the draft is not in the feed"
    );
    assert_eq!(xml.matches("<position>").count(), 7);
    // The same document on {company}.jobs.<host>/xml; German by default.
    let by_host = feed(
        "/xml".into(),
        Some(format!("{}.jobs.example.com", w.a.slug)),
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(by_host.contains("<name>Deine Aufgaben</name>"));
    assert_eq!(feed("/xml".into(), None).await.unwrap().status(), 404);
    assert_eq!(
        feed("/jobs/no-such-company/xml".into(), None)
            .await
            .unwrap()
            .status(),
        404
    );

    // Every element parses and is one the reference documents.
    let python = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            r#"
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
assert root.tag == "workzag-jobs", root.tag
known = {"id","subcompany","office","additionalOffices","department","recruitingCategory","name",
         "jobDescriptions","employmentType","seniority","schedule","yearsOfExperience","keywords",
         "occupation","occupationCategory","createdAt"}
for p in root.findall("position"):
    tags = [c.tag for c in p]
    assert set(tags) <= known, tags
    for required in ("id","office","name","jobDescriptions","employmentType","seniority","schedule","createdAt"):
        assert p.find(required) is not None, required
    assert p.find("employmentType").text in {"permanent","intern","trainee","freelance"}
    assert p.find("seniority").text in {"entry-level","experienced","executive","student"}
    assert p.find("schedule").text in {"full-time","part-time"}
    for d in p.find("jobDescriptions"):
        assert d.find("name").text and d.find("value").text.startswith("<")
print(len(root.findall("position")))
"#,
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut python) = python else {
        eprintln!("python3 is not installed; skipping the feed's element check");
        return;
    };
    use std::io::Write as _;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = python.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "7");
}

#[tokio::test]
async fn the_deprecated_form_applies_with_categorised_documents() {
    let w = World::start(ServerConfig::default()).await;
    let key = w.key(&w.a_admin).await;
    let post = |fields: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
        let parts: Vec<(&str, Option<&str>, &[u8])> = fields
            .iter()
            .map(|(n, f, c)| (*n, *f, c.as_slice()))
            .collect();
        let (content_type, body) = multipart(&parts);
        w.client
            .post(format!("{}/recruiting/applicant", w.base))
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    let company = key.company.clone().into_bytes();
    let token = key.token.clone().into_bytes();
    let base = |job: &'static str, email: &'static str| {
        vec![
            ("company_id", None, company.clone()),
            ("access_token", None, token.clone()),
            ("job_position_id", None, job.as_bytes().to_vec()),
            ("first_name", None, b"Grace".to_vec()),
            ("last_name", None, b"Hopper".to_vec()),
            ("email", None, email.as_bytes().to_vec()),
            ("phone", None, b"+1 555 0100".to_vec()),
            ("tags[]", None, b"referral".to_vec()),
            (
                "custom_attribute_2",
                None,
                b"https://example.org/grace".to_vec(),
            ),
        ]
    };
    let mut fields = base("4712", "grace@example.org");
    fields.push((
        "categorised_documents[0][file]",
        Some("cv.pdf"),
        PDF.to_vec(),
    ));
    fields.push(("categorised_documents[0][category]", None, b"cv".to_vec()));
    fields.push((
        "documents[]",
        Some("photo.jpeg"),
        b"\xff\xd8\xff\xe0rest".to_vec(),
    ));
    // An HTML form sends its unused file inputs as empty parts.
    fields.push(("document1", Some(""), Vec::new()));
    let response = post(fields).await.unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({"success": true, "data": {"message": "Applicant successfully applied to the job position."}})
    );
    let (_, list) = w
        .admin_get(&w.a_admin, "/api/recruiting/applications?limit=1")
        .await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = w
        .admin_get(&w.a_admin, &format!("/api/recruiting/applications/{id}"))
        .await;
    assert_eq!(detail["application"]["source"], "form");
    let files = detail["application"]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files.iter().any(|f| f["category"] == "cv"));
    assert!(files.iter().any(|f| f["category"] == "other"));

    let failure = |status: u16, message: &str, fields| {
        let message = message.to_owned();
        async move {
            let response = post(fields).await.unwrap();
            assert_eq!(response.status(), status);
            let answer: Value = response.json().await.unwrap();
            assert_eq!(answer["success"], false);
            assert_eq!(answer["error"]["message"], message.as_str(), "{answer}");
        }
    };
    failure(
        400,
        "Applicant already applied to this position.",
        base("4712", "grace@example.org"),
    )
    .await;
    failure(
        422,
        "Job position not published",
        base("4718", "new@example.org"),
    )
    .await;
    failure(
        400,
        "Could not find the job position.",
        base("99999", "new@example.org"),
    )
    .await;
    let mut wrong = base("4712", "new@example.org");
    wrong[1].2 = b"rec_wrong".to_vec();
    failure(403, "This action is unauthorized.", wrong).await;
    let mut tag = base("4712", "new@example.org");
    tag.push(("tags[]", None, b"invented".to_vec()));
    failure(400, "The tag invented does not exist.", tag).await;
    let mut unknown = base("4712", "new@example.org");
    unknown.push(("shoe_size", None, b"44".to_vec()));
    failure(400, "Parameter shoe_size does not exist.", unknown).await;
    let mut missing = base("4712", "new@example.org");
    missing.remove(3);
    failure(400, "The first_name field is required.", missing).await;
    let mut video = base("4712", "new@example.org");
    video.push((
        "document1",
        Some("clip.mp4"),
        b"\0\0\0\x18ftypmp42".to_vec(),
    ));
    failure(
        400,
        "Unsupported extension or file greater than 20Mb.",
        video,
    )
    .await;
}

#[tokio::test]
async fn v2_reads_page_by_cursor_behind_client_credentials() {
    let w = World::start(ServerConfig::default()).await;
    let credential = |company: &Company, scopes: &[&str]| {
        let created = w
            .app
            .create_credential(
                Caller::Operator,
                company,
                CredentialInput {
                    name: "ATS sync".into(),
                    integration: None,
                    scopes: scopes
                        .iter()
                        .map(|s| s.parse::<ApiPermission>().unwrap())
                        .collect(),
                    readable_attributes: None,
                },
            )
            .unwrap();
        (created.credential.client_id, created.client_secret)
    };
    let token = |id: String, secret: String, extra: &'static str| {
        w.client
            .post(format!("{}/v2/auth/token", w.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Beta", "true")
            .body(format!(
                "grant_type=client_credentials&client_id={id}&client_secret={secret}{extra}"
            ))
            .send()
    };
    let (id, secret) = credential(&w.a, &["recruiting:read"]);
    let response = token(
        id.clone(),
        secret.clone(),
        "&scope=personio:recruiting:read",
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let issued: Value = response.json().await.unwrap();
    assert_eq!(issued["token_type"], "Bearer");
    assert_eq!(issued["scope"], "personio:recruiting:read");
    let bearer = issued["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        token(id.clone(), "wrong".into(), "")
            .await
            .unwrap()
            .status(),
        401
    );
    let refused: Value = token(id.clone(), secret.clone(), "&scope=personio:employees:read")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(refused["error"], "invalid_scope");
    let bad_grant = w
        .client
        .post(format!("{}/v2/auth/token", w.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_grant.status(), 400);

    let get = |url: String, bearer: String| {
        let client = w.client.clone();
        async move {
            let response = client
                .get(url)
                .bearer_auth(bearer)
                .header("X-Personio-Partner-ID", "ACME")
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    // Follow `_meta.links.next.href` to the end, as the WordPress importer does.
    let mut url = format!("{}/v2/recruiting/applications?limit=37", w.base);
    let mut seen = Vec::new();
    let mut last_update = String::from("9999");
    loop {
        let (status, page) = get(url.clone(), bearer.clone()).await;
        assert_eq!(status, 200, "{page}");
        for item in page["_data"].as_array().unwrap() {
            let updated = item["updated_at"]["date-time"].as_str().unwrap().to_owned();
            assert!(updated <= last_update, "newest first");
            last_update = updated;
            seen.push(item["id"].as_str().unwrap().to_owned());
            assert!(item["candidate"]["email"].as_str().unwrap().contains('@'));
            assert!(item["job"]["name"].as_str().is_some());
        }
        match page["_meta"]["links"]["next"]["href"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let total = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), total, "no application twice");
    assert_eq!(total, 200, "every demo application once");

    let (status, one) = get(
        format!("{}/v2/recruiting/applications/{}", w.base, seen[0]),
        bearer.clone(),
    )
    .await;
    assert_eq!(status, 200);
    let email = one["candidate"]["email"].as_str().unwrap().to_owned();
    let (_, transitions) = get(
        format!(
            "{}/v2/recruiting/applications/{}/stage-transitions",
            w.base, seen[0]
        ),
        bearer.clone(),
    )
    .await;
    assert_eq!(transitions["_data"][0]["stage"]["id"], "unassigned");
    let (_, candidates) = get(
        format!(
            "{}/v2/recruiting/candidates?email={}",
            w.base,
            email.to_uppercase()
        ),
        bearer.clone(),
    )
    .await;
    assert_eq!(candidates["_data"].as_array().unwrap().len(), 1);
    assert!(
        !candidates["_data"][0]["applications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, jobs) = get(
        format!("{}/v2/recruiting/jobs?limit=200", w.base),
        bearer.clone(),
    )
    .await;
    assert_eq!(jobs["_data"].as_array().unwrap().len(), 8);
    assert!(
        jobs["_data"][0]["created_at"]["date-time"]
            .as_str()
            .is_some()
    );
    let (_, job) = get(
        format!("{}/v2/recruiting/jobs/4711", w.base),
        bearer.clone(),
    )
    .await;
    assert_eq!(job["name"], "Backend Engineer (m/w/d)");
    let (_, categories) = get(
        format!("{}/v2/recruiting/categories", w.base),
        bearer.clone(),
    )
    .await;
    assert_eq!(categories["_data"][0]["stages"][0]["name"], "Phone screen");

    // Bad parameters, strangers' ids, missing scope, no token.
    for query in [
        "limit=0",
        "limit=201",
        "cursor=bogus",
        "updated_at.gt=2026-01-01&updated_at.lt=2026-02-01",
    ] {
        let (status, body) = get(
            format!("{}/v2/recruiting/candidates?{query}", w.base),
            bearer.clone(),
        )
        .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body["errors"][0]["title"].as_str().is_some());
    }
    let b_key = w.key(&w.b_admin).await;
    let (status, _) = w.apply(&b_key, &pipedream("only-in-b@example.org")).await;
    assert_eq!(status, 201);
    let (status, _) = get(
        format!("{}/v2/recruiting/applications/201", w.base),
        bearer.clone(),
    )
    .await;
    assert_eq!(status, 404, "B's application 201 is not A's");
    let (status, body) = get(
        format!("{}/v2/recruiting/candidates/999999", w.base),
        bearer.clone(),
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body["errors"][0]["type"]
            .as_str()
            .unwrap()
            .contains("requested_resource_not_found")
    );
    let (id, secret) = credential(&w.a, &["employees:read"]);
    let other: Value = token(id, secret, "").await.unwrap().json().await.unwrap();
    let (status, _) = get(
        format!("{}/v2/recruiting/jobs", w.base),
        other["access_token"].as_str().unwrap().to_owned(),
    )
    .await;
    assert_eq!(status, 403);
    let anonymous = w
        .client
        .get(format!("{}/v2/recruiting/jobs", w.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn thirty_racing_applications_of_one_person_store_exactly_one() {
    let config = ServerConfig {
        recruiting_per_minute: NonZeroU32::new(1_000).unwrap(),
        ..ServerConfig::default()
    };
    let w = Arc::new(World::start(config).await);
    let key = Arc::new(w.key(&w.a_admin).await);
    let mut racers = Vec::new();
    for _ in 0..30 {
        let (w, key) = (Arc::clone(&w), Arc::clone(&key));
        racers.push(tokio::spawn(async move {
            w.apply(&key, &pipedream("racer@example.org")).await
        }));
    }
    let mut created = 0;
    for racer in racers {
        let (status, body) = racer.await.unwrap();
        match status {
            201 => created += 1,
            400 => assert!(
                has(&body, "email", "errors.applicant-already-exists"),
                "{body}"
            ),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    let (_, list) = w
        .admin_get(&w.a_admin, "/api/recruiting/applications?limit=200")
        .await;
    let racer_rows = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["email"] == "racer@example.org")
        .count();
    assert_eq!(racer_rows, 1);
}

#[tokio::test]
async fn applications_are_limited_per_company_per_minute() {
    let config = ServerConfig {
        recruiting_per_minute: NonZeroU32::new(3).unwrap(),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let a = w.key(&w.a_admin).await;
    let b = w.key(&w.b_admin).await;
    for n in 0..3 {
        let (status, _) = w.apply(&a, &pipedream(&format!("n{n}@example.org"))).await;
        assert_eq!(status, 201);
    }
    let response = w
        .client
        .post(format!("{}/v1/recruiting/applications", w.base))
        .header("X-Company-ID", &a.company)
        .bearer_auth(&a.token)
        .json(&pipedream("n4@example.org"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    // Another company's budget is its own.
    assert_eq!(w.apply(&b, &pipedream("n4@example.org")).await.0, 201);
}

#[tokio::test]
async fn v2_budgets_answer_429_with_retry_after_and_partner_headers_are_ignored() {
    let config = ServerConfig {
        api_per_minute: NonZeroU32::new(2).unwrap(),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let created = w
        .app
        .create_credential(
            Caller::Operator,
            &w.a,
            CredentialInput {
                name: "reader".into(),
                integration: None,
                scopes: ["recruiting:read".parse::<ApiPermission>().unwrap()].into(),
                readable_attributes: None,
            },
        )
        .unwrap();
    let token: Value = w
        .client
        .post(format!("{}/v2/auth/token", w.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            created.credential.client_id, created.client_secret
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = w
            .client
            .get(format!("{}/v2/recruiting/categories", w.base))
            .bearer_auth(&bearer)
            .header("Personio-Partner-ID", "ACME")
            .header("Personio-App-ID", "SYNC")
            .header("Beta", "true")
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["errors"][0]["title"], "Too many requests");
        }
    }
    assert_eq!(statuses, [200, 200, 429]);
}
