//! The OpenAPI 3.1 documents, generated from the wire types and the
//! handlers' `#[utoipa::path]` annotations: `/v1/openapi.json` for the
//! public API and `/api/openapi.json` for the admin API, each with a page
//! that renders it for people (`/v1/reference`, `/api/reference`).
//! `relais openapi` writes the same document; `docs/openapi/` holds the
//! committed copy and a test fails when the two differ.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Extension, Router};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::Shared;
use crate::embed::Mount;

/// Which API's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The public API under `/v1`.
    V1,
    /// The admin API under `/api` (and `/healthz`).
    Admin,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Relais public API (v1)",
        description = "The public API of the HR platform, in the wire shapes of the modelled HRIS: a client written for it works against Relais by changing only the base URL.\n\nAuthenticate with `POST /v1/auth` (a credential's client_id and client_secret, from Settings > Integrations > API credentials), then send `Authorization: Bearer <token>`. Every authenticated answer carries the token back in its `Authorization` header. Each operation names the scope it needs; a credential without it gets 403.",
        license(name = "Apache-2.0"),
    ),
    paths(
        crate::v1::auth,
        crate::v1::employees,
        crate::v1::create_employee,
        crate::v1::employee,
        crate::v1::absence_balance,
        crate::v1::update_employee,
        crate::v1::employee_picture,
        crate::v1::employee_picture_at_width,
        crate::v1::employee_attributes,
        crate::v1::time_offs,
        crate::v1::create_time_off,
        crate::v1::time_off,
        crate::v1::delete_time_off,
        crate::v1::time_off_types,
        crate::v1::absence_periods,
        crate::v1::create_absence_period,
        crate::v1::delete_absence_period,
        crate::v1::attendances,
        crate::v1::create_attendances,
        crate::v1::update_attendance,
        crate::v1::delete_attendance,
        crate::v1::projects,
        crate::v1::create_project,
        crate::v1::update_project,
        crate::v1::delete_project,
        crate::v1::document_categories,
        crate::documents::upload,
        crate::v1::activate,
        crate::v1::list_reports,
        crate::v1::report_columns,
        crate::v1::report_data,
        crate::v1::partner_start,
        crate::v1::partner_entries,
        crate::v1::partner_finish,
        crate::recruiting::submit_application,
        crate::recruiting::upload_document,
        crate::recruiting::form_application,
        crate::recruiting::feed_by_path,
        crate::recruiting::token,
        crate::recruiting::v2_applications,
        crate::recruiting::v2_application,
        crate::recruiting::v2_stage_transitions,
        crate::recruiting::v2_candidates,
        crate::recruiting::v2_candidate,
        crate::recruiting::v2_jobs,
        crate::recruiting::v2_job,
        crate::recruiting::v2_categories,
        crate::recruiting::v2_category,
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "Authentication", description = "Tokens for API credentials"),
        (name = "Employees", description = "Personnel Data: employees, with the attributes the credential's whitelist allows"),
        (name = "Absences", description = "Personnel Data: day and hour absences, absence types"),
        (name = "Attendances", description = "Personnel Data: attendances"),
        (name = "Documents", description = "Personnel Data: document categories, and uploading employee documents"),
        (name = "Custom Reports", description = "Reports built in the HR platform, read-only; the whitelist does not apply"),
        (name = "Partners", description = "A partner integration's own connection and sync runs"),
        (name = "Recruiting", description = "The Recruiting API: applications and their files (recruiting key + X-Company-ID), the deprecated form, the public XML job feed, and the v2 reads behind OAuth2 client credentials"),
    ),
)]
struct V1Doc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some(
            "A token from POST /v1/auth, valid 24 hours; scopes are the credential's, e.g. employees:read".into(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let mut recruiting = Http::new(HttpAuthScheme::Bearer);
        recruiting.description = Some(
            "The company's recruiting API key (rec_…, from `relais recruiting key` or POST /api/recruiting/key), sent with the header X-Company-ID: <the company's number>".into(),
        );
        components.add_security_scheme("recruiting_key", SecurityScheme::Http(recruiting));
    }
}

/// The document of `api`.
#[must_use]
pub fn document(api: Api) -> utoipa::openapi::OpenApi {
    match api {
        Api::V1 => {
            let mut doc = V1Doc::openapi();
            doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
            doc
        }
        Api::Admin => {
            let mut doc = crate::openapi_admin::AdminDoc::openapi();
            doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
            doc
        }
    }
}

/// The document of `api` as pretty JSON, as committed under `docs/openapi/`.
///
/// # Panics
/// Never: the document is plain data.
#[must_use]
pub fn json(api: Api) -> String {
    pretty(&document(api))
}

/// `doc` as indented JSON with a final newline.
fn pretty(doc: &utoipa::openapi::OpenApi) -> String {
    let mut text = doc
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/openapi.json", get(v1_document))
        .route("/v1/reference", get(v1_reference))
        .route("/api/openapi.json", get(admin_document))
        .route("/api/reference", get(admin_reference))
}

/// The document of `api` as served: at Relais's own paths, or — when a
/// host nests the API under a prefix of its own ([`crate::Relais::admin_api`],
/// [`crate::Relais::public_api`]) — with the paths under the API's base
/// relative to the prefix, which is the document's `servers` entry.
fn served_document(api: Api, mount: Option<&Mount>) -> utoipa::openapi::OpenApi {
    let mut doc = document(api);
    if let Some(mount) = mount {
        let paths = std::mem::take(&mut doc.paths.paths);
        doc.paths.paths = paths
            .into_iter()
            .filter_map(|(path, item)| {
                let rest = path.strip_prefix(mount.base)?;
                (rest.is_empty() || rest.starts_with('/')).then(|| {
                    let rest = if rest.is_empty() { "/" } else { rest };
                    (rest.to_owned(), item)
                })
            })
            .collect();
        let server = if mount.prefix.is_empty() {
            "/"
        } else {
            mount.prefix.as_str()
        };
        doc.servers = Some(vec![utoipa::openapi::Server::new(server)]);
    }
    doc
}

/// The JSON answer of a served document.
fn document_answer(api: Api, mount: Option<&Mount>) -> impl IntoResponse + use<> {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        pretty(&served_document(api, mount)),
    )
}

/// Where the document of the page at `base` is, seen from the client.
fn document_path(base: &str, mount: Option<&Mount>) -> String {
    match mount {
        Some(mount) => format!("{}/openapi.json", mount.prefix),
        None => format!("{base}/openapi.json"),
    }
}

async fn v1_document(mount: Option<Extension<Mount>>) -> impl IntoResponse {
    document_answer(Api::V1, mount.as_deref())
}

async fn v1_reference(mount: Option<Extension<Mount>>) -> Html<String> {
    let mount = mount.as_deref();
    Html(reference_page(
        &served_document(Api::V1, mount),
        &document_path("/v1", mount),
    ))
}

/// `GET /api/openapi.json`: public, like the page it is rendered on.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = "Server", operation_id = "getOpenApiDocument",
    description = "This document. Needs no token.",
    responses((status = 200, description = "The admin API's OpenAPI 3.1 document", body = Object, content_type = "application/json")),
    security(()),
)]
pub(crate) async fn admin_document(mount: Option<Extension<Mount>>) -> impl IntoResponse {
    document_answer(Api::Admin, mount.as_deref())
}

#[utoipa::path(
    get, path = "/api/reference", tag = "Server", operation_id = "getReference",
    description = "This document as a page for people, rendered on the server (no script). Needs no token.",
    responses((status = 200, description = "The reference page", body = String, content_type = "text/html")),
    security(()),
)]
pub(crate) async fn admin_reference(mount: Option<Extension<Mount>>) -> Html<String> {
    let mount = mount.as_deref();
    Html(reference_page(
        &served_document(Api::Admin, mount),
        &document_path("/api", mount),
    ))
}

/// A reference page for people, rendered on the server from the document:
/// no script, nothing fetched from elsewhere.
fn reference_page(doc: &utoipa::openapi::OpenApi, document_path: &str) -> String {
    use std::fmt::Write as _;
    let e = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    // Prose: escaped, then `code` spans (the annotations' Markdown) as <code>.
    let prose = |t: &str| {
        let escaped = e(t);
        let mut out = String::with_capacity(escaped.len());
        for (i, part) in escaped.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(out, "<code>{part}</code>");
            } else {
                out.push_str(part);
            }
        }
        out
    };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}code,pre{{font:14px ui-monospace,monospace}}section{{border-top:1px solid #ccc;padding:.5rem 0}}.m{{display:inline-block;min-width:4rem;font-weight:700}}table{{border-collapse:collapse}}td,th{{text-align:left;padding:.2rem .6rem .2rem 0;vertical-align:top}}</style></head><body><h1>{title}</h1><p>{description}</p><p><a href=\"{document_path}\">OpenAPI 3.1 document (JSON)</a>: generate a client from it.</p>",
        title = e(&doc.info.title),
        document_path = e(document_path),
        description = prose(doc.info.description.as_deref().unwrap_or_default()),
    );
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            let Some(op) = operation else { continue };
            let _ = write!(
                html,
                "<section id=\"{id}\"><h2><span class=\"m\">{method}</span> <code>{path}</code></h2><p>{summary}</p>",
                id = e(op.operation_id.as_deref().unwrap_or_default()),
                path = e(path),
                summary = prose(
                    op.description
                        .as_deref()
                        .or(op.summary.as_deref())
                        .unwrap_or_default()
                ),
            );
            let scopes: Vec<String> = op
                .security
                .iter()
                .flatten()
                .filter_map(|s| serde_json::to_value(s).ok())
                .filter_map(|v| v.get("bearer").cloned())
                .filter_map(|v| v.as_array().cloned())
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            if !scopes.is_empty() {
                let _ = write!(html, "<p>Scope: <code>{}</code></p>", e(&scopes.join(" ")));
            }
            if let Some(parameters) = &op.parameters
                && !parameters.is_empty()
            {
                html.push_str("<table><tr><th>Parameter</th><th>In</th><th>Description</th></tr>");
                for p in parameters {
                    let place = serde_json::to_value(&p.parameter_in)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default();
                    let _ = write!(
                        html,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                        e(&p.name),
                        e(&place),
                        prose(p.description.as_deref().unwrap_or_default())
                    );
                }
                html.push_str("</table>");
            }
            html.push_str("<table><tr><th>Status</th><th>Answer</th></tr>");
            for (status, response) in &op.responses.responses {
                let text = match response {
                    utoipa::openapi::RefOr::T(r) => r.description.clone(),
                    utoipa::openapi::RefOr::Ref(r) => r.ref_location.clone(),
                };
                let _ = write!(
                    html,
                    "<tr><td>{}</td><td>{}</td></tr>",
                    e(status),
                    prose(&text)
                );
            }
            html.push_str("</table></section>");
        }
    }
    html.push_str("</body></html>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_document_is_the_generated_one() {
        let committed = include_str!("../../../docs/openapi/v1.json");
        assert!(
            committed == json(Api::V1),
            "docs/openapi/v1.json is out of date: run `cargo run -p relais -- openapi --api v1 > docs/openapi/v1.json`"
        );
    }

    #[test]
    fn every_v1_route_is_in_the_document() {
        let doc = document(Api::V1);
        for path in [
            "/v1/auth",
            "/v1/company/employees",
            "/v1/company/employees/{id}",
            "/v1/company/employees/{id}/absences/balance",
            "/v1/company/employees/attributes",
            "/v1/company/time-offs",
            "/v1/company/time-off-types",
            "/v1/company/absence-periods",
            "/v1/company/attendances",
            "/v1/company/document-categories",
            "/v1/company/documents",
            "/v1/partner/connection/activate",
            "/v1/company/custom-reports/reports",
            "/v1/company/custom-reports/reports/{id}",
            "/v1/company/custom-reports/columns",
            "/v1/sync/runs",
            "/v1/sync/runs/{id}/entries",
            "/v1/sync/runs/{id}/finish",
            "/v1/recruiting/applications",
            "/v1/recruiting/applications/documents",
            "/recruiting/applicant",
            "/jobs/{company}/xml",
            "/v2/auth/token",
            "/v2/recruiting/applications",
            "/v2/recruiting/applications/{id}",
            "/v2/recruiting/applications/{id}/stage-transitions",
            "/v2/recruiting/candidates",
            "/v2/recruiting/candidates/{id}",
            "/v2/recruiting/jobs",
            "/v2/recruiting/jobs/{id}",
            "/v2/recruiting/categories",
            "/v2/recruiting/categories/{id}",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }

    #[test]
    fn the_reference_page_escapes_and_lists_every_operation() {
        let page = reference_page(&document(Api::V1), "/v1/openapi.json");
        assert!(page.contains("<code>/v1/company/employees</code>"));
        assert!(page.contains("employees:read"));
        assert!(!page.contains("<script"));
        // The annotations' `code` spans are shown as code, not as backticks.
        assert!(page.contains("<code>Authorization</code>"), "{page}");
        assert!(!page.contains('`'));
    }

    #[test]
    fn the_committed_admin_document_is_the_generated_one() {
        let committed = include_str!("../../../docs/openapi/admin.json");
        assert!(
            committed == json(Api::Admin),
            "docs/openapi/admin.json is out of date: run `cargo run -p relais -- openapi --api admin > docs/openapi/admin.json`"
        );
    }

    /// Every route of the admin API, as `lib.rs` and the modules route
    /// them: a route added without its annotation fails here.
    const ADMIN_ROUTES: &[(&str, &str)] = &[
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/api/openapi.json"),
        ("GET", "/api/reference"),
        ("GET", "/api/me"),
        ("GET", "/api/catalog"),
        ("GET", "/api/catalog/categories"),
        ("GET", "/api/catalog/{slug}"),
        ("GET", "/api/connections"),
        ("POST", "/api/connections"),
        ("GET", "/api/connections/{id}"),
        ("DELETE", "/api/connections/{id}"),
        ("POST", "/api/connections/{id}/wizard/complete"),
        ("POST", "/api/connections/{id}/wizard/{step}"),
        ("POST", "/api/connections/{id}/deactivate"),
        ("POST", "/api/connections/{id}/reactivate"),
        ("POST", "/api/connections/{id}/pause"),
        ("POST", "/api/connections/{id}/resume"),
        ("GET", "/api/connections/{id}/events"),
        ("GET", "/api/connections/{id}/sync-runs"),
        ("POST", "/api/connections/{id}/sync"),
        (
            "POST",
            "/api/connections/{id}/employees/{employee}/provision",
        ),
        (
            "GET",
            "/api/connections/{id}/employees/{employee}/sync-entries",
        ),
        ("GET", "/api/sync-runs/{id}"),
        ("GET", "/api/sync-runs/{id}/entries"),
        ("GET", "/api/demo-requests"),
        ("POST", "/api/demo-requests"),
        ("GET", "/api/integration-requests"),
        ("POST", "/api/integration-requests"),
        ("GET", "/api/credentials"),
        ("POST", "/api/credentials"),
        ("GET", "/api/credentials/{client_id}"),
        ("PATCH", "/api/credentials/{client_id}"),
        ("DELETE", "/api/credentials/{client_id}"),
        ("POST", "/api/credentials/{client_id}/rotate"),
        ("POST", "/api/credentials/{client_id}/revoke"),
        ("GET", "/api/me/alerts"),
        ("PUT", "/api/me/alerts"),
        ("GET", "/api/webhooks"),
        ("POST", "/api/webhooks"),
        ("GET", "/api/webhooks/event-types"),
        ("GET", "/api/webhooks/{id}"),
        ("PATCH", "/api/webhooks/{id}"),
        ("DELETE", "/api/webhooks/{id}"),
        ("POST", "/api/webhooks/{id}/rotate-secret"),
        ("GET", "/api/webhooks/{id}/deliveries"),
        ("GET", "/api/webhook-deliveries/{id}"),
        ("POST", "/api/webhook-deliveries/{id}/redeliver"),
        ("GET", "/api/employees"),
        ("POST", "/api/employees/import"),
        ("GET", "/api/employees/{id}/documents"),
        ("GET", "/api/documents/{id}"),
        ("DELETE", "/api/documents/{id}"),
        ("PUT", "/api/employees/{id}/profile-picture"),
        ("DELETE", "/api/employees/{id}/profile-picture"),
        ("GET", "/api/reports"),
        ("POST", "/api/reports"),
        ("GET", "/api/reports/columns"),
        ("GET", "/api/reports/{id}"),
        ("PUT", "/api/reports/{id}"),
        ("DELETE", "/api/reports/{id}"),
        ("GET", "/api/users"),
        ("POST", "/api/users"),
        ("PATCH", "/api/users/{email}"),
        ("DELETE", "/api/users/{email}"),
        ("GET", "/api/users/{email}/tokens"),
        ("GET", "/api/tokens"),
        ("POST", "/api/tokens"),
        ("DELETE", "/api/tokens/{id}"),
        ("GET", "/api/recruiting"),
        ("PATCH", "/api/recruiting"),
        ("POST", "/api/recruiting/key"),
        ("GET", "/api/recruiting/jobs"),
        ("POST", "/api/recruiting/jobs"),
        ("GET", "/api/recruiting/jobs/{id}"),
        ("PUT", "/api/recruiting/jobs/{id}"),
        ("GET", "/api/recruiting/applications"),
        ("GET", "/api/recruiting/applications/{id}"),
        ("GET", "/api/recruiting/applications/{id}/files/{file}"),
    ];

    fn operation<'a>(
        doc: &'a utoipa::openapi::OpenApi,
        method: &str,
        path: &str,
    ) -> Option<&'a utoipa::openapi::path::Operation> {
        let item = doc.paths.paths.get(path)?;
        match method {
            "GET" => item.get.as_ref(),
            "POST" => item.post.as_ref(),
            "PUT" => item.put.as_ref(),
            "PATCH" => item.patch.as_ref(),
            "DELETE" => item.delete.as_ref(),
            _ => None,
        }
    }

    #[test]
    fn every_admin_route_is_in_the_document_and_nothing_else() {
        let doc = document(Api::Admin);
        for (method, path) in ADMIN_ROUTES {
            assert!(operation(&doc, method, path).is_some(), "{method} {path}");
        }
        let documented: usize = doc
            .paths
            .paths
            .values()
            .map(|item| {
                [&item.get, &item.post, &item.put, &item.patch, &item.delete]
                    .into_iter()
                    .flatten()
                    .count()
            })
            .sum();
        assert_eq!(
            documented,
            ADMIN_ROUTES.len(),
            "documented operations that are not routed"
        );
    }

    #[test]
    fn every_admin_operation_has_an_id_a_tag_and_problem_errors() {
        let doc = document(Api::Admin);
        let mut ids = std::collections::BTreeSet::new();
        for (method, path) in ADMIN_ROUTES {
            let op = operation(&doc, method, path).expect("documented");
            let id = op.operation_id.clone().expect("an operation id");
            assert!(ids.insert(id.clone()), "{id} is used twice");
            assert!(
                op.tags.as_ref().is_some_and(|t| t.len() == 1),
                "{id}: one tag"
            );
            for (status, response) in &op.responses.responses {
                let utoipa::openapi::RefOr::T(response) = response else {
                    panic!("{id} {status}: an inline response");
                };
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response.content.contains_key("application/problem+json"),
                        "{id} {status}: a problem document"
                    );
                }
            }
        }
    }

    #[test]
    fn the_admin_document_and_page_are_public() {
        let page = reference_page(&document(Api::Admin), "/api/openapi.json");
        assert!(page.contains("<code>/api/connections/{id}/wizard/{step}</code>"));
        assert!(page.contains("PATCH"));
        assert!(page.contains("href=\"/api/openapi.json\""));
    }
}
