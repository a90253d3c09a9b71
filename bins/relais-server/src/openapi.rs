//! The OpenAPI 3.1 documents, generated from the wire types and the
//! handlers' `#[utoipa::path]` annotations: `/v1/openapi.json` for the
//! public API, and a page that renders it for people at `/v1/reference`.
//! `relais openapi` writes the same document; `docs/openapi/` holds the
//! committed copy and a test fails when the two differ.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::Shared;

/// Which API's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The public API under `/v1`.
    V1,
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
        crate::v1::employee,
        crate::v1::employee_attributes,
        crate::v1::time_offs,
        crate::v1::create_time_off,
        crate::v1::time_off_types,
        crate::v1::absence_periods,
        crate::v1::attendances,
        crate::v1::create_attendances,
        crate::v1::document_categories,
        crate::v1::activate,
        crate::v1::list_reports,
        crate::v1::report_columns,
        crate::v1::report_data,
        crate::v1::partner_start,
        crate::v1::partner_entries,
        crate::v1::partner_finish,
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "Authentication", description = "Tokens for API credentials"),
        (name = "Employees", description = "Personnel Data: employees, with the attributes the credential's whitelist allows"),
        (name = "Absences", description = "Personnel Data: day and hour absences, absence types"),
        (name = "Attendances", description = "Personnel Data: attendances"),
        (name = "Documents", description = "Personnel Data: document categories"),
        (name = "Custom Reports", description = "Reports built in the HR platform, read-only; the whitelist does not apply"),
        (name = "Partners", description = "A partner integration's own connection and sync runs"),
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
    }
}

/// The document of `api` as pretty JSON, as committed under `docs/openapi/`.
///
/// # Panics
/// Never: the document is plain data.
#[must_use]
pub fn json(api: Api) -> String {
    let mut text = document(api)
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/openapi.json", get(v1_document))
        .route("/v1/reference", get(v1_reference))
}

async fn v1_document() -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json(Api::V1),
    )
}

async fn v1_reference() -> Html<String> {
    Html(reference_page(&document(Api::V1)))
}

/// A reference page for people, rendered on the server from the document:
/// no script, nothing fetched from elsewhere.
fn reference_page(doc: &utoipa::openapi::OpenApi) -> String {
    use std::fmt::Write as _;
    let e = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}code,pre{{font:14px ui-monospace,monospace}}section{{border-top:1px solid #ccc;padding:.5rem 0}}.m{{display:inline-block;min-width:4rem;font-weight:700}}table{{border-collapse:collapse}}td,th{{text-align:left;padding:.2rem .6rem .2rem 0;vertical-align:top}}</style></head><body><h1>{title}</h1><p>{description}</p><p><a href=\"/v1/openapi.json\">OpenAPI 3.1 document (JSON)</a>: generate a client from it.</p>",
        title = e(&doc.info.title),
        description = e(doc.info.description.as_deref().unwrap_or_default()),
    );
    for (path, item) in &doc.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
        ];
        for (method, operation) in operations {
            let Some(op) = operation else { continue };
            let _ = write!(
                html,
                "<section id=\"{id}\"><h2><span class=\"m\">{method}</span> <code>{path}</code></h2><p>{summary}</p>",
                id = e(op.operation_id.as_deref().unwrap_or_default()),
                path = e(path),
                summary = e(op
                    .description
                    .as_deref()
                    .or(op.summary.as_deref())
                    .unwrap_or_default()),
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
                        e(p.description.as_deref().unwrap_or_default())
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
                let _ = write!(html, "<tr><td>{}</td><td>{}</td></tr>", e(status), e(&text));
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
            "/v1/company/employees/attributes",
            "/v1/company/time-offs",
            "/v1/company/time-off-types",
            "/v1/company/absence-periods",
            "/v1/company/attendances",
            "/v1/company/document-categories",
            "/v1/partner/connection/activate",
            "/v1/company/custom-reports/reports",
            "/v1/company/custom-reports/reports/{id}",
            "/v1/company/custom-reports/columns",
            "/v1/sync/runs",
            "/v1/sync/runs/{id}/entries",
            "/v1/sync/runs/{id}/finish",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
    }

    #[test]
    fn the_reference_page_escapes_and_lists_every_operation() {
        let page = reference_page(&document(Api::V1));
        assert!(page.contains("<code>/v1/company/employees</code>"));
        assert!(page.contains("employees:read"));
        assert!(!page.contains("<script"));
    }
}
