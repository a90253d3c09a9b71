//! `/api/employees`: the company's employees, importing them from a file
//! (CSV or JSON lines) as `relais employees import` does, and their
//! profile pictures.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use relais_app::{Caller, ImportFormat, ImportOutcome};
use relais_people::Employee;
use relais_store::Window;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::{PageOf, Problem, Shared, blocking, page_of};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/employees", get(list))
        .route("/api/employees/import", post(import))
}

/// The profile-picture routes, with their own body limit: a picture may
/// be larger than the server's limit for other bodies.
pub(crate) fn picture_routes(shared: Shared) -> Router {
    Router::new()
        .route(
            "/api/employees/{id}/profile-picture",
            put(set_picture).delete(remove_picture),
        )
        // Axum adds the `Allow` header to this fallback's answer.
        .method_not_allowed_fallback(crate::problem::method_not_allowed)
        // Exactly the picture limit: one byte more is 413 here, as documented.
        .layer(DefaultBodyLimit::max(
            relais_people::picture::MAX_UPLOAD_BYTES,
        ))
        .with_state(shared)
}

/// A picture's size, as stored.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct PictureSet {
    /// The employee.
    employee_id: i64,
    /// Width in pixels, as stored (at most 1000).
    width: u32,
    /// Height in pixels, as stored (at most 1000).
    height: u32,
}

fn employee_id(text: &str) -> Result<i64, Problem> {
    text.parse().map_err(|_| {
        Problem::from(relais_app::AppError::new(
            relais_app::ErrorKind::NotFound,
            format!("no employee {}", text.chars().take(40).collect::<String>()),
        ))
    })
}

/// `PUT /api/employees/{id}/profile-picture` with a PNG or JPEG body.
#[utoipa::path(
    put, path = "/api/employees/{id}/profile-picture", tag = "Employees", operation_id = "setEmployeePicture",
    description = "Sets an employee's profile picture from a PNG or JPEG of at most 5 MB and 8000 pixels a side. It is decoded and encoded anew, so only a clean PNG (at most 1000 pixels a side) is stored; the public API serves it at `/v1/company/employees/{id}/profile-picture`. Needs the *edit* right.",
    params(("id" = i64, Path, description = "The employee's id")),
    request_body(description = "The picture", content(
        (relais_wire::v1::PictureFile = "image/png"),
        (relais_wire::v1::PictureFile = "image/jpeg"),
    )),
    responses(
        (status = 200, description = "The picture, as stored", body = PictureSet),
        (status = 400, description = "Not a readable PNG or JPEG, or larger than 8000 pixels a side", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee in the company", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than 5 MB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not declared as image/png or image/jpeg", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn set_picture(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PictureSet>, Problem> {
    let declared = crate::content::essence(&headers);
    if !matches!(declared.as_deref(), Some("image/png" | "image/jpeg")) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the picture as Content-Type: image/png or image/jpeg".into(),
        ));
    }
    let id = employee_id(&id)?;
    let (width, height) = blocking(&s.app, move |app| {
        app.set_employee_picture(Caller::User(&actor), &actor.company, id, &body)
    })
    .await?;
    Ok(Json(PictureSet {
        employee_id: id,
        width,
        height,
    }))
}

/// `DELETE /api/employees/{id}/profile-picture`.
#[utoipa::path(
    delete, path = "/api/employees/{id}/profile-picture", tag = "Employees", operation_id = "removeEmployeePicture",
    description = "Removes an employee's profile picture. Needs the *edit* right.",
    params(("id" = i64, Path, description = "The employee's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee in the company, or it has no picture", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn remove_picture(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = employee_id(&id)?;
    blocking(&s.app, move |app| {
        app.remove_employee_picture(Caller::User(&actor), &actor.company, id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

#[utoipa::path(
    get, path = "/api/employees", tag = "Employees", operation_id = "listEmployees",
    description = "The company's employees as of today, by id.",
    params(
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "One page of employees", body = PageOf<Employee>),
        (status = 400, description = "An unknown parameter, a page of 0, a page size outside 1 to 500, or a page beyond any list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PageOf<Employee>>, Problem> {
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
    Ok(Json(page_of(paged, window)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
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
#[utoipa::path(
    post, path = "/api/employees/import", tag = "Employees", operation_id = "importEmployees",
    description = "Imports employees from a file, as `relais employees import` does (docs/employees.md has the columns): creates and updates by external id or e-mail, with effective-dated history, all or nothing. Needs the *edit* right.",
    params(("dry_run" = Option<bool>, Query, description = "Only say what the import would do; write nothing")),
    request_body(description = "The file: CSV with a header row, or JSON lines (one object per line)", content(
        (String = "text/csv", example = json!("email,first_name,last_name,gender,position,hire_date\nalex.doe@demo.example,Alex,Doe,diverse,Engineer,2026-01-05\n")),
        (String = "application/x-ndjson"),
        (String = "application/jsonl"),
        (String = "application/jsonlines"),
    )),
    responses(
        (status = 200, description = "What the import did, or would do with `dry_run`, row by row", body = ImportOutcome),
        (status = 400, description = "An unknown parameter, a file that is not UTF-8, or bad rows (every bad row and column is listed; nothing is imported)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The employees changed while the import ran; nothing is imported", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as CSV or JSON lines", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn import(
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
