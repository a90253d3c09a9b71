//! Employee documents over a real socket: uploading through the public
//! API (multipart), listing, downloading and deleting through the admin
//! API; every refusal, scopes and rights, tenancy, size limits, malformed
//! bodies and the upload budget.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

mod common;

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use relais_access::{ApiPermission, Company, MarketplaceRight};
use relais_app::{App, Caller, CredentialInput};
use relais_people::demo::DemoSpec;
use relais_server::ServerConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Company A has more employees than B: A's employee 5 has no namesake in B.
const A_EMPLOYEES: u32 = 6;
const B_EMPLOYEES: u32 = 3;
const BOUNDARY: &str = "relais-test-boundary-7f3a";
const MIB: usize = 1024 * 1024;

struct World {
    base: String,
    app: Arc<App>,
    client: reqwest::Client,
    a: Company,
    b: Company,
    /// Personal access tokens of each company's first admin (*edit*).
    a_admin: String,
    b_admin: String,
    _dir: tempfile::TempDir,
}

impl World {
    async fn start(config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let app = Arc::new(App::open(relais_store::testing::database_in(dir.path())).unwrap());
        let a = app.create_company("Company A", "a@a.example", "A").unwrap();
        let b = app.create_company("Company B", "b@b.example", "B").unwrap();
        for (company, employees) in [(&a.company, A_EMPLOYEES), (&b.company, B_EMPLOYEES)] {
            let spec = DemoSpec {
                employees,
                months: 1,
                seed: 7,
                until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
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
            b: b.company,
            a_admin: a.token,
            b_admin: b.token,
            _dir: dir,
        }
    }

    /// A public-API token of a new credential of `company` with `scopes`.
    async fn token(&self, company: &Company, scopes: &[&str]) -> String {
        let input = CredentialInput {
            name: "documents".into(),
            integration: None,
            scopes: scopes
                .iter()
                .map(|s| s.parse::<ApiPermission>().unwrap())
                .collect(),
            readable_attributes: None,
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

    /// `POST /v1/company/documents` with a raw body of `content_type`.
    async fn post_raw(&self, token: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/v1/company/documents", self.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        if status >= 400 {
            assert_eq!(body["success"], false, "{body}");
            assert_eq!(body["error"]["code"], status, "{body}");
        }
        (status, body)
    }

    /// Uploads `parts` as multipart/form-data.
    async fn upload(&self, token: &str, parts: &[Part<'_>]) -> (u16, Value) {
        self.post_raw(token, &multipart_type(), multipart(parts))
            .await
    }

    /// An admin-API call with a personal access token.
    async fn admin(&self, token: &str, method: &str, path: &str) -> reqwest::Response {
        self.client
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// One part of a multipart body: a field, or a file when it has a name.
#[derive(Clone)]
struct Part<'a> {
    name: &'a str,
    file_name: Option<&'a str>,
    content: Vec<u8>,
}

fn field<'a>(name: &'a str, value: &str) -> Part<'a> {
    Part {
        name,
        file_name: None,
        content: value.as_bytes().to_vec(),
    }
}

fn file<'a>(file_name: &'a str, content: &[u8]) -> Part<'a> {
    Part {
        name: "file",
        file_name: Some(file_name),
        content: content.to_vec(),
    }
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

fn multipart(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match part.file_name {
            Some(file_name) => format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n",
                part.name
            ),
            None => format!("Content-Disposition: form-data; name=\"{}\"\r\n", part.name),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// A small PDF-looking file.
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

/// The fields of a valid upload of `content` for `employee`.
fn valid<'a>(employee: &str, file_name: &'a str, content: &[u8]) -> Vec<Part<'a>> {
    vec![
        field("title", "Employment contract"),
        field("employee_id", employee),
        field("category_id", "1"),
        field("comment", "Signed by both"),
        field("date", "2026-01-05"),
        file(file_name, content),
    ]
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn an_uploaded_document_is_listed_and_downloaded_byte_for_byte() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let (status, body) = w
        .upload(&token, &valid("2", "Vertrag Müller.pdf", PDF))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["success"], true);
    let data = &body["data"];
    assert_eq!(data["type"], "Document");
    let id = data["id"].as_i64().unwrap();
    let attributes = &data["attributes"];
    assert_eq!(attributes["title"], "Employment contract");
    assert_eq!(attributes["date"], "2026-01-05");
    assert_eq!(attributes["comment"], "Signed by both");
    assert_eq!(attributes["category"]["type"], "DocumentCategory");
    assert_eq!(attributes["category"]["id"], 1);
    assert!(attributes["category"]["attributes"]["name"].is_string());
    // The short employee, as time-offs embed it.
    let employee = &attributes["employee"];
    assert_eq!(employee["type"], "Employee");
    assert_eq!(employee["attributes"]["id"]["value"], 2);
    for key in ["first_name", "last_name", "email"] {
        assert!(
            employee["attributes"][key]["value"].is_string(),
            "{employee}"
        );
    }
    assert!(employee["attributes"]["position"].is_null(), "{employee}");

    // A second one, without date or comment: dated today, comment empty.
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    let (status, second) = w
        .upload(
            &token,
            &[
                field("title", "Badge photo"),
                field("employee_id", "2"),
                field("category_id", "5"),
                file("C:\\Users\\hr\\badge.png", png),
            ],
        )
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["data"]["attributes"]["comment"], "");
    assert_eq!(
        second["data"]["attributes"]["date"],
        chrono::Utc::now().date_naive().to_string()
    );

    // Listed newest first, metadata only.
    let response = w
        .admin(&w.a_admin, "GET", "/api/employees/2/documents")
        .await;
    assert_eq!(response.status(), 200);
    let list: Value = response.json().await.unwrap();
    assert_eq!(list["total"], 2, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items[0]["file_name"], "badge.png");
    assert_eq!(items[0]["mime_type"], "image/png");
    assert_eq!(items[1]["id"], id);
    assert_eq!(items[1]["file_name"], "Vertrag Müller.pdf");
    assert_eq!(items[1]["size"], PDF.len());
    assert_eq!(items[1]["sha256"], sha256_hex(PDF));
    assert!(items[1].get("content").is_none());

    // Downloaded as uploaded.
    let response = w
        .admin(&w.a_admin, "GET", &format!("/api/documents/{id}"))
        .await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Vertrag M_ller.pdf\"; filename*=UTF-8''Vertrag%20M%C3%BCller.pdf"
    );
    assert_eq!(
        headers["etag"].to_str().unwrap(),
        format!("\"{}\"", sha256_hex(PDF))
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), PDF);
}

#[tokio::test]
async fn each_refused_field_is_named_in_error_data_and_nothing_is_stored() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let without = |name: &str| -> Vec<Part<'static>> {
        valid("1", "contract.pdf", PDF)
            .into_iter()
            .filter(|p| p.name != name)
            .collect()
    };
    let with = |name: &'static str, value: &str| -> Vec<Part<'static>> {
        let mut parts = without(name);
        parts.push(Part {
            name,
            file_name: None,
            content: value.as_bytes().to_vec(),
        });
        parts
    };
    let with_file = |file_name: &'static str, content: &[u8]| -> Vec<Part<'static>> {
        let mut parts = without("file");
        parts.push(file(file_name, content));
        parts
    };
    let long_title = "t".repeat(256);
    let cases: Vec<(&str, Vec<Part<'static>>, &str, &str)> = vec![
        (
            "no title",
            without("title"),
            "title",
            "The title field is required.",
        ),
        (
            "blank title",
            with("title", "   "),
            "title",
            "The title field is required.",
        ),
        (
            "a title of 256 characters",
            with("title", &long_title),
            "title",
            "The title may not be greater than 255 characters.",
        ),
        (
            "no employee",
            without("employee_id"),
            "employee_id",
            "The employee id field is required.",
        ),
        (
            "no category",
            without("category_id"),
            "category_id",
            "The category id field is required.",
        ),
        (
            "no file",
            without("file"),
            "file",
            "The file field is required.",
        ),
        (
            "an employee id that is not a number",
            with("employee_id", "two"),
            "employee_id",
            "The employee id must be an integer.",
        ),
        (
            "an unknown employee",
            with("employee_id", "999999"),
            "employee_id",
            "The selected employee id is invalid.",
        ),
        (
            "an unknown category",
            with("category_id", "999"),
            "category_id",
            "The selected category id is invalid.",
        ),
        (
            "a day that does not exist",
            with("date", "2026-02-30"),
            "date",
            "The date does not match the format Y-m-d (a day from 1900-01-01 to 2999-12-31).",
        ),
        (
            "a comment of 2,001 characters",
            with("comment", &"c".repeat(2001)),
            "comment",
            "The comment may not be greater than 2000 characters.",
        ),
        (
            "a type not accepted",
            with_file("setup.exe", b"MZ\x90\0"),
            "file",
            "The file must be a file of type: pdf, docx, doc, xlsx, xls, pptx, ppt, odt, ods, txt, csv, rtf, jpg, jpeg, png, gif, tif, tiff, bmp, zip.",
        ),
        (
            "an executable named .pdf",
            with_file("cv.pdf", b"MZ\x90\0\x03\0\0\0"),
            "file",
            "The file's content is not a .pdf file.",
        ),
        (
            "an empty file",
            with_file("cv.pdf", b""),
            "file",
            "The file must not be empty.",
        ),
        (
            "two files",
            {
                let mut parts = valid("1", "a.pdf", PDF);
                parts.push(file("b.pdf", PDF));
                parts
            },
            "file",
            "The file field may be sent only once.",
        ),
        (
            "a file sent as a plain field",
            {
                let mut parts = without("file");
                parts.push(field("file", "%PDF-1.7"));
                parts
            },
            "file",
            "The file must be a file.",
        ),
    ];
    for (case, parts, field_name, message) in cases {
        let (status, body) = w.upload(&token, &parts).await;
        assert_eq!(status, 422, "{case}: {body}");
        assert_eq!(
            body["error"]["message"], "The given data failed to pass validation.",
            "{case}"
        );
        let problems = &body["error"]["error_data"][field_name];
        assert_eq!(problems[0], message, "{case}: {body}");
    }
    // Nothing was stored by any of them.
    let list: Value = w
        .admin(&w.a_admin, "GET", "/api/employees/1/documents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0, "{list}");
}

#[tokio::test]
async fn uploads_over_30_mib_are_refused_413_and_30_mib_pass() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let mut content = PDF.to_vec();
    content.resize(30 * MIB + 1, b' ');
    let (status, body) = w.upload(&token, &valid("1", "big.pdf", &content)).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 30 MiB"),
        "{body}"
    );
    content.truncate(30 * MIB);
    let (status, body) = w.upload(&token, &valid("1", "big.pdf", &content)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_i64().unwrap();
    let response = w
        .admin(&w.a_admin, "GET", &format!("/api/documents/{id}"))
        .await;
    assert_eq!(response.bytes().await.unwrap().len(), 30 * MIB);

    // A body declared larger than the limit is refused before it is read.
    let answer = raw_request(
        &w.base,
        &format!(
            "POST /v1/company/documents HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer {token}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            multipart_type(),
            40 * MIB
        ),
        &[],
        Duration::ZERO,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"success\":false"), "{answer}");

    // Sent in chunks, without a length to refuse up front: cut at 31 MiB.
    let head = format!(
        "POST /v1/company/documents HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer {token}\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        multipart_type()
    );
    let mut body = multipart(&valid("1", "big.pdf", &vec![b' '; 34 * MIB]));
    body.truncate(33 * MIB);
    let mut chunked = Vec::new();
    for chunk in body.chunks(MIB) {
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let answer = raw_request(&w.base, &head, &chunked, Duration::ZERO).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"success\":false"), "{answer}");
}

#[tokio::test]
async fn malformed_or_undeclared_bodies_are_refused_with_a_clear_message() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    // No boundary.
    let (status, body) = w
        .post_raw(
            &token,
            "multipart/form-data",
            multipart(&valid("1", "a.pdf", PDF)),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("multipart/form-data body is malformed"),
        "{body}"
    );
    // Cut short in the middle of a part.
    let mut cut = multipart(&valid("1", "a.pdf", PDF));
    cut.truncate(cut.len() / 2);
    let (status, body) = w.post_raw(&token, &multipart_type(), cut).await;
    assert_eq!(status, 400, "{body}");
    // Headers of a part that make no sense.
    let garbage = format!("--{BOUNDARY}\r\nthis is not a header\r\n\r\nx\r\n--{BOUNDARY}--\r\n");
    let (status, body) = w
        .post_raw(&token, &multipart_type(), garbage.into_bytes())
        .await;
    assert_eq!(status, 400, "{body}");
    // JSON, or nothing declared.
    let (status, body) = w
        .post_raw(&token, "application/json", b"{\"title\": \"x\"}".to_vec())
        .await;
    assert_eq!(status, 415, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("multipart/form-data"),
        "{body}"
    );
    // Another method on the path: the v1 envelope too.
    let response = w
        .client
        .get(format!("{}/v1/company/documents", w.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn uploads_need_the_documents_write_scope_and_a_token() {
    let w = World::start(ServerConfig::default()).await;
    let read_only = w.token(&w.a, &["documents:read", "employees:read"]).await;
    let (status, body) = w.upload(&read_only, &valid("1", "a.pdf", PDF)).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("documents:write"),
        "{body}"
    );
    let response = w
        .client
        .post(format!("{}/v1/company/documents", w.base))
        .header("content-type", multipart_type())
        .body(multipart(&valid("1", "a.pdf", PDF)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // A personal access token is not a public-API token.
    let (status, _) = w.upload(&w.a_admin, &valid("1", "a.pdf", PDF)).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn another_companys_employees_and_documents_are_never_found() {
    let w = World::start(ServerConfig::default()).await;
    let a_token = w.token(&w.a, &["documents:write"]).await;
    let b_token = w.token(&w.b, &["documents:write"]).await;
    // Employee 5 is A's; B has none by that id.
    let (status, body) = w.upload(&b_token, &valid("5", "a.pdf", PDF)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["error_data"]["employee_id"][0],
        "The selected employee id is invalid."
    );
    let (status, body) = w.upload(&a_token, &valid("5", "a.pdf", PDF)).await;
    assert_eq!(status, 201, "{body}");
    let id = body["data"]["id"].as_i64().unwrap();
    // B's admin finds neither A's employee nor A's document.
    for (method, path) in [
        ("GET", "/api/employees/5/documents".to_owned()),
        ("GET", format!("/api/documents/{id}")),
        ("DELETE", format!("/api/documents/{id}")),
    ] {
        let response = w.admin(&w.b_admin, method, &path).await;
        assert_eq!(response.status(), 404, "{method} {path}");
    }
    // B's employee 1 has its own (empty) list; A's document is still there.
    let list: Value = w
        .admin(&w.b_admin, "GET", "/api/employees/1/documents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    let response = w
        .admin(&w.a_admin, "GET", &format!("/api/documents/{id}"))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn viewers_read_documents_and_only_editors_delete_them_once() {
    let w = World::start(ServerConfig::default()).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let (_, body) = w.upload(&token, &valid("1", "a.pdf", PDF)).await;
    let id = body["data"]["id"].as_i64().unwrap();
    w.app
        .add_user(&w.a, "vic@a.example", "Vic", MarketplaceRight::View)
        .unwrap();
    let viewer = w
        .app
        .issue_token(&w.a, "vic@a.example", "laptop", None)
        .unwrap();
    let path = format!("/api/documents/{id}");
    assert_eq!(w.admin(&viewer, "GET", &path).await.status(), 200);
    assert_eq!(
        w.admin(&viewer, "GET", "/api/employees/1/documents")
            .await
            .status(),
        200
    );
    assert_eq!(w.admin(&viewer, "DELETE", &path).await.status(), 403);
    for bad in ["/api/documents/abc", "/api/documents/99999999999999999999"] {
        assert_eq!(w.admin(&w.a_admin, "GET", bad).await.status(), 404, "{bad}");
    }
    assert_eq!(
        w.admin(&w.a_admin, "GET", "/api/employees/999/documents")
            .await
            .status(),
        404
    );
    assert_eq!(
        w.admin(&w.a_admin, "GET", "/api/employees/1/documents?per_page=0")
            .await
            .status(),
        400
    );

    // Two deletes at once: one deletes, the other finds nothing.
    let (first, second) = tokio::join!(
        w.admin(&w.a_admin, "DELETE", &path),
        w.admin(&w.a_admin, "DELETE", &path)
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [204, 404]);
    assert_eq!(w.admin(&w.a_admin, "GET", &path).await.status(), 404);
}

#[tokio::test]
async fn uploads_over_the_per_minute_budget_get_429_with_retry_after() {
    assert_eq!(ServerConfig::default().documents_per_minute.get(), 60);
    let config = ServerConfig {
        documents_per_minute: NonZeroU32::new(3).unwrap(),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    for _ in 0..3 {
        let (status, body) = w.upload(&token, &valid("1", "a.pdf", PDF)).await;
        assert_eq!(status, 201, "{body}");
    }
    let response = w
        .client
        .post(format!("{}/v1/company/documents", w.base))
        .bearer_auth(&token)
        .header("content-type", multipart_type())
        .body(multipart(&valid("1", "a.pdf", PDF)))
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
    // Another credential has its own budget; other endpoints are not counted.
    let other = w.token(&w.a, &["documents:write"]).await;
    assert_eq!(w.upload(&other, &valid("1", "a.pdf", PDF)).await.0, 201);
}

#[tokio::test]
async fn a_slow_upload_is_not_cut_by_the_request_timeout() {
    let config = ServerConfig {
        request_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let body = multipart(&valid("1", "slow.pdf", PDF));
    let head = format!(
        "POST /v1/company/documents HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer {token}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        multipart_type(),
        body.len()
    );
    // The body takes about 2.5 s, longer than the 1 s request time-out.
    let answer = raw_request(&w.base, &head, &body, Duration::from_millis(500)).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

#[tokio::test]
async fn an_upload_slower_than_the_upload_timeout_is_408_and_stores_nothing() {
    let config = ServerConfig {
        upload_timeout: Duration::from_secs(1),
        ..ServerConfig::default()
    };
    let w = World::start(config).await;
    let token = w.token(&w.a, &["documents:write"]).await;
    let body = multipart(&valid("1", "slow.pdf", PDF));
    let head = format!(
        "POST /v1/company/documents HTTP/1.1\r\nHost: relais\r\nAuthorization: Bearer {token}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        multipart_type(),
        body.len()
    );
    let answer = raw_request(&w.base, &head, &body, Duration::from_millis(500)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("nothing was stored"), "{answer}");
    let list: Value = w
        .admin(&w.a_admin, "GET", "/api/employees/1/documents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0, "{list}");
}

/// Sends `head`, then `body` in five pieces `pause` apart, and reads the
/// answer until the server closes the connection.
async fn raw_request(base: &str, head: &str, body: &[u8], pause: Duration) -> String {
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    if !body.is_empty() {
        for piece in body.chunks(body.len().div_ceil(5)) {
            tokio::time::sleep(pause).await;
            // The server may have answered and closed already (a time-out).
            if stream.write_all(piece).await.is_err() {
                break;
            }
        }
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}
