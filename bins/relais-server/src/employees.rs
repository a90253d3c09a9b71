//! `/api/employees`: the company's employees, and importing them from a
//! file (CSV or JSON lines) as `relais employees import` does.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use relais_app::{Caller, ImportFormat, ImportOutcome};
use relais_store::Window;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Authenticated;
use crate::{Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/employees", get(list))
        .route("/api/employees/import", post(import))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(50);
    let window = Window::page(page, per_page)
        .filter(|_| per_page <= 500)
        .ok_or_else(|| {
            Problem::bad_request(format!(
                "page must be 1 or more (got {page}) and per_page 1 to 500 (got {per_page})"
            ))
        })?;
    let paged = blocking(&s.app, move |app| {
        app.employees(Caller::User(&actor), &actor.company, window)
    })
    .await?;
    Ok(Json(
        json!({"items": paged.rows, "total": paged.total, "page": page, "per_page": per_page}),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    #[serde(default)]
    dry_run: bool,
}

/// The file format of a body by its media type.
fn format(headers: &HeaderMap) -> Result<ImportFormat, Problem> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" => Ok(ImportFormat::Csv),
        "application/x-ndjson" | "application/jsonl" | "application/jsonlines" => {
            Ok(ImportFormat::Jsonl)
        }
        _ => Err(Problem::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "send the file as Content-Type: text/csv or application/x-ndjson (JSON lines), not '{media}'"
            ),
        )),
    }
}

/// `POST /api/employees/import[?dry_run=true]` with a CSV or JSON-lines body.
async fn import(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportOutcome>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let format = format(&headers)?;
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| Problem::bad_request("the file must be UTF-8 text".into()))?;
    blocking(&s.app, move |app| {
        app.import_employees(
            Caller::User(&actor),
            &actor.company,
            format,
            &text,
            query.dry_run,
        )
    })
    .await
    .map(Json)
}
