//! Employee documents.
//!
//! - `POST /v1/company/documents` (public API, multipart): uploads one file
//!   for an employee, as the modelled HRIS takes it. Refused fields are
//!   answered 422 with `error.error_data.<field>: [problems]`, the shape the
//!   modelled HRIS gives this endpoint; the rest in the v1 envelope.
//! - `GET /api/employees/{id}/documents`, `GET /api/documents/{id}` (the
//!   file itself) and `DELETE /api/documents/{id}` (admin API).
//!
//! Uploads get their own limits, outside the server's 1 MiB body limit and
//! request time-out (see [`upload_routes`]): a budget of their own per
//! credential (60 a minute by default), a body of at most
//! [`UPLOAD_BODY_BYTES`], and [`crate::ServerConfig::upload_timeout`] to
//! send it. What a request may cost is checked before its body is read:
//! the budget, the scope, the declared type and length.

use std::collections::HashSet;

use axum::extract::{DefaultBodyLimit, FromRequest as _, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use relais_access::{ApiAccess, PublicApi};
use relais_app::documents::{DocumentUpload, UploadedFile};
use relais_app::public_api::ApiCaller;
use relais_app::{AppError, Caller, ErrorKind};
use relais_people::documents::{Document, MAX_DOCUMENT_BYTES};
use relais_store::Window;
use relais_wire::v1 as wire;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::v1::{Throttle, V1Error};
use crate::{PageOf, Problem, Shared, blocking, page_of};

/// The largest upload body: the largest file and a mebibyte for the other
/// fields and the multipart framing.
pub(crate) const UPLOAD_BODY_BYTES: usize = MAX_DOCUMENT_BYTES + 1024 * 1024;

/// The upload endpoint's path.
pub(crate) const UPLOAD_PATH: &str = "/v1/company/documents";

/// The largest text field read; longer ones are refused unread.
const TEXT_FIELD_BYTES: usize = 64 * 1024;

/// The upload route, with its own body limit and time-out (in
/// [`upload`]): the server's 1 MiB and 30 s would refuse every real
/// document.
pub(crate) fn upload_routes(shared: Shared) -> Router<Shared> {
    Router::new()
        .route(UPLOAD_PATH, post(upload))
        .route_layer(axum::middleware::from_fn_with_state(
            shared,
            crate::v1::authenticate,
        ))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_BYTES))
        // A few at once: each holds its file in memory (up to 30 MiB, and a
        // copy while it is stored); more wait within the upload time-out.
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(4))
}

/// The admin API's document routes.
pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/employees/{id}/documents", get(list))
        .route("/api/documents/{id}", get(download).delete(delete))
}

/// An upload's refusal: the v1 envelope, or 422 naming the fields.
#[derive(Debug)]
pub(crate) enum UploadError {
    /// 4xx/5xx in the v1 envelope.
    Plain(V1Error),
    /// 422 with `error_data`.
    Invalid(wire::ValidationErrorEnvelope),
}

impl From<V1Error> for UploadError {
    fn from(error: V1Error) -> Self {
        Self::Plain(error)
    }
}

impl From<AppError> for UploadError {
    fn from(error: AppError) -> Self {
        if error.kind() == ErrorKind::Invalid && !error.fields().is_empty() {
            return Self::Invalid(wire::ValidationErrorEnvelope::new(
                error.to_string(),
                error
                    .fields()
                    .iter()
                    .map(|f| (f.field.as_str(), f.message.as_str())),
            ));
        }
        Self::Plain(V1Error::from(error))
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        match self {
            Self::Plain(error) => error.into_response(),
            Self::Invalid(body) => (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response(),
        }
    }
}

fn too_large() -> V1Error {
    V1Error::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the file is larger than {} MiB ({MAX_DOCUMENT_BYTES} bytes)",
            MAX_DOCUMENT_BYTES / (1024 * 1024)
        ),
    )
}

fn unreadable(error: &axum::extract::multipart::MultipartError) -> V1Error {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return V1Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {UPLOAD_BODY_BYTES} bytes"),
        );
    }
    V1Error::new(
        StatusCode::BAD_REQUEST,
        format!(
            "the multipart/form-data body is malformed: {}",
            error.body_text()
        ),
    )
}

/// The upload's fields as form field names, with how messages name them.
fn field_words(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "employee_id" => ("employee_id", "employee id"),
        "category_id" => ("category_id", "category id"),
        "title" => ("title", "title"),
        "comment" => ("comment", "comment"),
        "date" => ("date", "date"),
        "file" => ("file", "file"),
        _ => return None,
    })
}

/// Reads the multipart body into an upload: each field once, text fields
/// up to [`TEXT_FIELD_BYTES`], the file up to [`MAX_DOCUMENT_BYTES`]. Past
/// a limit the rest of the body is still read (it is bounded by
/// [`UPLOAD_BODY_BYTES`]) so that the client, still sending, gets the
/// answer instead of a reset connection.
async fn read_upload(mut multipart: Multipart) -> Result<DocumentUpload, UploadError> {
    let mut upload = DocumentUpload::default();
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let mut seen = HashSet::new();
    let mut file_too_large = false;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| unreadable(&e))? {
        let Some((name, words)) = field.name().and_then(field_words) else {
            // Unknown fields are skipped, as form handlers do.
            continue;
        };
        if !seen.insert(name) {
            problems.push((name, format!("The {words} field may be sent only once.")));
            continue;
        }
        let limit = if name == "file" {
            MAX_DOCUMENT_BYTES
        } else {
            TEXT_FIELD_BYTES
        };
        let file_name = field.file_name().map(str::to_owned);
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
            if bytes.len() + chunk.len() > limit {
                over = true;
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        if name == "file" {
            match file_name {
                _ if over => file_too_large = true,
                None => problems.push(("file", "The file must be a file.".to_owned())),
                Some(file_name) => {
                    upload.file = Some(UploadedFile {
                        name: file_name,
                        content: bytes,
                    });
                }
            }
            continue;
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) if !over => text,
            Ok(_) => {
                problems.push((name, format!("The {words} is too long.")));
                continue;
            }
            Err(_) => {
                problems.push((name, format!("The {words} must be UTF-8 text.")));
                continue;
            }
        };
        let slot = match name {
            "employee_id" => &mut upload.employee_id,
            "category_id" => &mut upload.category_id,
            "title" => &mut upload.title,
            "comment" => &mut upload.comment,
            _ => &mut upload.date,
        };
        *slot = Some(text);
    }
    if file_too_large {
        return Err(too_large().into());
    }
    if !problems.is_empty() {
        return Err(UploadError::Invalid(wire::ValidationErrorEnvelope::new(
            relais_app::documents::VALIDATION_FAILED.to_owned(),
            problems.iter().map(|(f, m)| (*f, m.as_str())),
        )));
    }
    Ok(upload)
}

/// `POST /v1/company/documents`: multipart form fields `title`,
/// `employee_id`, `category_id`, `file`, `comment`, `date`.
#[utoipa::path(
    post, path = "/v1/company/documents", tag = "Documents", operation_id = "uploadDocument",
    description = "Uploads one file for an employee (multipart/form-data). The file (at most 30 MiB) must be one of pdf, docx, doc, xlsx, xls, pptx, ppt, odt, ods, txt, csv, rtf, jpg, jpeg, png, gif, tif, tiff, bmp, zip, by its name's extension and its content together. The employee and the category must be the company's; another company's ids are invalid ones. A budget of its own: 60 uploads a minute per credential by default. The file is stored in the database; the admin API lists, downloads and deletes it.",
    request_body(content = wire::DocumentUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored document", body = wire::Success<wire::Document>, headers(("Authorization" = String, description = "The bearer token, handed back"))),
        (status = 400, description = "The multipart body is malformed (no boundary, cut short)", body = wire::ErrorEnvelope),
        (status = 401, description = "No `Authorization` header", body = wire::ErrorEnvelope),
        (status = 403, description = "The token is not valid, or the credential lacks documents:write", body = wire::ErrorEnvelope),
        (status = 408, description = "The body took longer to arrive than the server's upload time-out (5 minutes by default); nothing was stored", body = wire::ErrorEnvelope),
        (status = 413, description = "The file is larger than 30 MiB, or the body larger than 31 MiB", body = wire::ErrorEnvelope),
        (status = 415, description = "The body is not declared as `multipart/form-data`", body = wire::ErrorEnvelope),
        (status = 422, description = "Fields are missing or not valid (an unknown employee or category, a title over 255 characters, a file of another type, a field sent twice); each is named in `error_data`", body = wire::ValidationErrorEnvelope),
        (status = 429, description = "Over the credential's per-minute budget for uploads or for API calls", body = wire::ErrorEnvelope, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("bearer" = ["documents:write"])),
)]
pub(crate) async fn upload(
    State(s): State<Shared>,
    Extension(caller): Extension<ApiCaller>,
    request: Request,
) -> Result<Response, UploadError> {
    Throttle::check(&s.throttle.documents, caller.credential.client_id.as_str())?;
    // Checked again by the use case; here so that a credential without the
    // scope does not get to send 30 MiB first.
    caller
        .require(PublicApi::Documents, ApiAccess::Write)
        .map_err(V1Error::from)?;
    let declared = crate::content::essence(request.headers());
    if declared.as_deref() != Some("multipart/form-data") {
        let message = match declared {
            Some(t) => format!(
                "the body is declared as '{t}'; send it as Content-Type: multipart/form-data"
            ),
            None => {
                "the body has no Content-Type; send it as Content-Type: multipart/form-data".into()
            }
        };
        return Err(V1Error::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into());
    }
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared_length.is_some_and(|n| n > UPLOAD_BODY_BYTES as u64) {
        return Err(V1Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {UPLOAD_BODY_BYTES} bytes"),
        )
        .into());
    }
    let multipart = Multipart::from_request(request, &s).await.map_err(|e| {
        V1Error::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the multipart/form-data body is malformed: {}",
                e.body_text()
            ),
        )
    })?;
    // The time-out covers receiving the body, which is the client's to
    // hurry; not storing it, so that a 408 always means nothing was stored.
    let timeout = s.config.upload_timeout;
    let upload = tokio::time::timeout(timeout, read_upload(multipart))
        .await
        .map_err(|_| {
            V1Error::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the upload took longer than {} s; nothing was stored",
                    timeout.as_secs()
                ),
            )
        })??;
    let app = std::sync::Arc::clone(&s.app);
    let uploaded = relais_app::spawn_blocking(move || app.v1_upload_document(&caller, upload))
        .await
        .map_err(|e| V1Error::from(AppError::new(ErrorKind::Internal, e.to_string())))??;
    let body = wire::Success::new(wire::uploaded_document(&uploaded));
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

#[utoipa::path(
    get, path = "/api/employees/{id}/documents", tag = "Documents", operation_id = "listEmployeeDocuments",
    description = "An employee's documents, newest first, without their bytes (download each with GET /api/documents/{id}).",
    params(
        ("id" = i64, Path, description = "The employee's id"),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1),
        ("per_page" = Option<u64>, Query, description = "Page size, 1 to 500 (default 50)", minimum = 1, maximum = 500),
    ),
    responses(
        (status = 200, description = "One page of the employee's documents", body = PageOf<Document>),
        (status = 400, description = "An unknown parameter, a page of 0, a page size outside 1 to 500, or a page beyond any list", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such employee in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PageOf<Document>>, Problem> {
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
        app.employee_documents(Caller::User(&actor), &actor.company, &id, window)
    })
    .await?;
    Ok(Json(page_of(paged, window)))
}

/// A file's bytes.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only its schema is used: the bytes are sent as they are.
#[schema(value_type = String, format = Binary)]
pub(crate) struct FileContent(Vec<u8>);

#[utoipa::path(
    get, path = "/api/documents/{id}", tag = "Documents", operation_id = "downloadDocument",
    description = "The document's file, as uploaded: its stored media type, `Content-Disposition: attachment` with its file name, and its SHA-256 as the `ETag`.",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The file", body = FileContent, content_type = "application/octet-stream", headers(
            ("Content-Type" = String, description = "The media type found at upload, e.g. application/pdf"),
            ("Content-Disposition" = String, description = "attachment, with the file name (filename*=UTF-8''…)"),
            ("ETag" = String, description = "The file's SHA-256, hex, quoted"),
        )),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn download(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (document, content) = blocking(&s.app, move |app| {
        app.document_content(Caller::User(&actor), &actor.company, &id)
    })
    .await?;
    let header = |value: &str| {
        HeaderValue::from_str(value).map_err(|e| Problem::internal(&format!("a header: {e}")))
    };
    Ok((
        [
            (header::CONTENT_TYPE, header(&document.mime_type)?),
            (
                header::CONTENT_DISPOSITION,
                header(&crate::attachment(&document.file_name))?,
            ),
            (header::ETAG, header(&format!("\"{}\"", document.sha256))?),
            // The file is shown for what its type says, never sniffed into
            // something a browser would run, and not kept by caches.
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        content,
    )
        .into_response())
}

#[utoipa::path(
    delete, path = "/api/documents/{id}", tag = "Documents", operation_id = "deleteDocument",
    description = "Deletes a document and its file. Recorded in the audit trail. Needs the *edit* right.",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn delete(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    blocking(&s.app, move |app| {
        app.delete_document(Caller::User(&actor), &actor.company, &id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_name_is_offered_back_safely_encoded() {
        assert_eq!(
            crate::attachment("Arbeitsvertrag Müller \"final\".pdf"),
            "attachment; filename=\"Arbeitsvertrag M_ller _final_.pdf\"; filename*=UTF-8''Arbeitsvertrag%20M%C3%BCller%20%22final%22.pdf"
        );
        assert_eq!(
            crate::attachment("a;b\r\n.pdf"),
            "attachment; filename=\"a;b__.pdf\"; filename*=UTF-8''a%3Bb%0D%0A.pdf"
        );
    }
}
