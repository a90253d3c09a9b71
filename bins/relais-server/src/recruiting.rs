//! The Recruiting API, wire-compatible with the modelled HRIS:
//!
//! - `POST /v1/recruiting/applications` and `…/applications/documents`:
//!   `Authorization: Bearer <recruiting key>` with `X-Company-ID: <number>`;
//!   20 requests a minute per company.
//! - `POST /recruiting/applicant`: the deprecated form, credentials as form
//!   fields; 100 applications a minute per source address.
//! - `GET /jobs/{company}/xml` and `GET /xml` on `{company}.jobs.<host>`:
//!   the public job feed.
//! - `POST /v2/auth/token` and `GET /v2/recruiting/…`: OAuth2 client
//!   credentials and the v2 reads.
//! - `/api/recruiting/…`: the admin side.

use std::num::NonZeroU32;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Multipart, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use relais_app::public_api::V1Query;
use relais_app::recruiting::{
    ApplicationDetail, FormFile, OAuthError, RecruitingFailure, RecruitingKey, RecruitingOverview,
    RecruitingSwitches, UploadFailure,
};
use relais_app::{AppError, ErrorKind};
use relais_recruiting::upload::{MAX_FILE_BYTES, MAX_FORM_BYTES, UploadRule};
use relais_recruiting::{ApplicationSource, JobDraft, JobPosition};
use relais_wire::recruiting as wire;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

/// The recruiting API's budgets.
#[derive(Debug)]
pub(crate) struct RecruitingThrottle {
    /// Applications and uploads, per company.
    api: DefaultKeyedRateLimiter<i64>,
    /// The deprecated form, per source address.
    form: DefaultKeyedRateLimiter<String>,
    /// `POST /v2/auth/token`, per client id and source address.
    token: DefaultKeyedRateLimiter<String>,
    /// Every recruiting API and token call, per source address, before any
    /// credential is looked at: failed ones cost database reads too, and a
    /// client id is the caller's to vary.
    source: DefaultKeyedRateLimiter<String>,
}

impl RecruitingThrottle {
    pub(crate) fn new(api_per_minute: NonZeroU32) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            api: RateLimiter::keyed(Quota::per_minute(api_per_minute)),
            form: RateLimiter::keyed(per_minute(100)),
            token: RateLimiter::keyed(per_minute(150)),
            source: RateLimiter::keyed(per_minute(600)),
        }
    }
}

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/v1/recruiting/applications", post(submit_application))
        .route("/jobs/{company}/xml", get(feed_by_path))
        .route("/xml", get(feed_by_host))
        .route("/v2/auth/token", post(token))
        .route("/v2/recruiting/applications", get(v2_applications))
        .route("/v2/recruiting/applications/{id}", get(v2_application))
        .route(
            "/v2/recruiting/applications/{id}/stage-transitions",
            get(v2_stage_transitions),
        )
        .route("/v2/recruiting/candidates", get(v2_candidates))
        .route("/v2/recruiting/candidates/{id}", get(v2_candidate))
        .route("/v2/recruiting/jobs", get(v2_jobs))
        .route("/v2/recruiting/jobs/{id}", get(v2_job))
        .route("/v2/recruiting/categories", get(v2_categories))
        .route("/v2/recruiting/categories/{id}", get(v2_category))
        .route("/api/recruiting", get(overview).patch(switches))
        .route("/api/recruiting/key", post(issue_key))
        .route("/api/recruiting/jobs", get(jobs).post(create_job))
        .route("/api/recruiting/jobs/{id}", get(job).put(update_job))
        .route("/api/recruiting/applications", get(applications))
        .route("/api/recruiting/applications/{id}", get(application))
        .route(
            "/api/recruiting/applications/{id}/files/{file}",
            get(application_file),
        )
}

/// The routes that take files: outside the server's general body limit,
/// with their own.
pub(crate) fn upload_routes() -> Router<Shared> {
    Router::new()
        .route(
            "/v1/recruiting/applications/documents",
            post(upload_document),
        )
        .route("/recruiting/applicant", post(form_application))
        // Axum adds the `Allow` header to this fallback's answer.
        .method_not_allowed_fallback(crate::problem::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
}

/// Uploads read at once; more wait (within the request time-out).
pub(crate) const UPLOADS_AT_ONCE: usize = 8;

/// The largest request the upload routes read.
pub(crate) const MAX_UPLOAD_REQUEST: usize = MAX_FORM_BYTES;

// ----- The recruiting API --------------------------------------------------

/// A refusal of the recruiting API, in its `error_response` shape.
pub(crate) struct RecruitingError {
    status: StatusCode,
    body: wire::ErrorResponse,
    retry_after: Option<u64>,
}

impl RecruitingError {
    fn generic(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            body: wire::ErrorResponse::generic(
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error"),
                detail,
            ),
            retry_after: None,
        }
    }
}

impl From<AppError> for RecruitingError {
    fn from(error: AppError) -> Self {
        match error.kind() {
            ErrorKind::Unauthenticated => {
                Self::generic(StatusCode::UNAUTHORIZED, error.to_string())
            }
            ErrorKind::Forbidden => Self::generic(StatusCode::FORBIDDEN, error.to_string()),
            ErrorKind::Invalid => Self::generic(StatusCode::BAD_REQUEST, error.to_string()),
            ErrorKind::NotFound => Self::generic(StatusCode::NOT_FOUND, error.to_string()),
            ErrorKind::Conflict => Self::generic(StatusCode::CONFLICT, error.to_string()),
            ErrorKind::NotConfigured | ErrorKind::Internal => {
                tracing::error!(error = %error, "internal error in the recruiting API");
                Self::generic(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Relais failed to answer; the server log has the details",
                )
            }
        }
    }
}

impl From<RecruitingFailure> for RecruitingError {
    fn from(failure: RecruitingFailure) -> Self {
        match failure {
            RecruitingFailure::Fields(errors) => Self {
                status: if errors.iter().any(|e| e.reason.is_feature()) {
                    StatusCode::FORBIDDEN
                } else {
                    StatusCode::BAD_REQUEST
                },
                body: wire::ErrorResponse::fields(&errors),
                retry_after: None,
            },
            RecruitingFailure::App(error) => error.into(),
        }
    }
}

impl IntoResponse for RecruitingError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// 415 in the recruiting API's shape.
pub(crate) fn unsupported_media_type(message: String) -> Response {
    RecruitingError::generic(StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into_response()
}

async fn run<T: Send + 'static, E: Send + 'static>(
    shared: &Shared,
    work: impl FnOnce(&relais_app::App) -> Result<T, E> + Send + 'static,
) -> Result<Result<T, E>, RecruitingError> {
    let app = std::sync::Arc::clone(&shared.app);
    relais_app::spawn_blocking(move || work(&app))
        .await
        .map_err(|e| RecruitingError::from(AppError::new(ErrorKind::Internal, e.to_string())))
}

/// The company behind the recruiting key and `X-Company-ID`, within its budget.
async fn recruiting_company(
    shared: &Shared,
    headers: &HeaderMap,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
) -> Result<relais_access::Company, RecruitingError> {
    let source = crate::source_key(shared, headers, peer);
    if let Some(seconds) =
        crate::v1::seconds_over_budget(&shared.recruiting_throttle.source, &source)
    {
        let mut error = RecruitingError::generic(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many requests from this address; retry in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        return Err(error);
    }
    let company_id = headers
        .get("x-company-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(crate::auth::bearer);
    let company = run(shared, move |app| {
        app.recruiting_company(company_id.as_deref(), key.as_deref())
    })
    .await??;
    let number = company_number(shared, &company).await?;
    if let Some(seconds) = crate::v1::seconds_over_budget(&shared.recruiting_throttle.api, &number)
    {
        let mut error = RecruitingError::generic(
            StatusCode::TOO_MANY_REQUESTS,
            format!("over 20 requests a minute for this company; retry in {seconds} s"),
        );
        error.retry_after = Some(seconds);
        return Err(error);
    }
    Ok(company)
}

async fn company_number(
    shared: &Shared,
    company: &relais_access::Company,
) -> Result<i64, RecruitingError> {
    let id = company.id;
    Ok(run(shared, move |app| app.company_number(id)).await??)
}

/// Submits an application to a published job.
#[utoipa::path(
    post, path = "/v1/recruiting/applications", tag = "Recruiting", operation_id = "submitApplication",
    description = "Submits an application to a published job, as the modelled HRIS's recruiting API does. Integer ids may be sent as numeric strings. Files are uploaded first with `POST /v1/recruiting/applications/documents` and named here by uuid. Every refused field is reported at once, with the reason codes the modelled HRIS uses.",
    request_body(content = wire::SubmitApplication, content_type = "application/json"),
    params(("X-Company-ID" = i64, Header, description = "The company's number, shown with its recruiting API key")),
    responses(
        (status = 201, description = "The application was stored (empty body)"),
        (status = 400, description = "Fields refused, each with its reasons", body = wire::ErrorResponse),
        (status = 401, description = "The company id or the recruiting key is missing or not valid", body = wire::ErrorResponse),
        (status = 403, description = "The company switched recruiting or its API off (`feature.recruiting.disabled`, `feature.public-api.disabled`)", body = wire::ErrorResponse),
        (status = 413, description = "The body is larger than the server's limit (1 MiB by default)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = wire::ErrorResponse),
        (status = 429, description = "Over 20 requests a minute for the company", body = wire::ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("recruiting_key" = [])),
)]
pub(crate) async fn submit_application(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, RecruitingError> {
    let company = recruiting_company(&shared, &headers, peer).await?;
    let body: serde_json::Value = crate::json_object(&body)
        .map_err(|e| RecruitingError::generic(StatusCode::BAD_REQUEST, e))?;
    run(&shared, move |app| {
        app.submit_application(&company, &body, ApplicationSource::Api)
    })
    .await??;
    Ok(StatusCode::CREATED)
}

/// Uploads one file for a later application.
#[utoipa::path(
    post, path = "/v1/recruiting/applications/documents", tag = "Recruiting", operation_id = "uploadApplicationDocument",
    description = "Uploads one file (the multipart part `file`) to name in an application's `files` by the uuid answered. At most 20 MB; pdf, office documents, archives, images and videos (see docs/api.md for the list); the first bytes must match the extension. An upload not attached to an application within a day is deleted.",
    request_body(content = inline(UploadForm), content_type = "multipart/form-data"),
    params(("X-Company-ID" = i64, Header, description = "The company's number, shown with its recruiting API key")),
    responses(
        (status = 200, description = "The file was kept", body = wire::UploadedFile),
        (status = 400, description = "The multipart body is malformed or has no `file` part", body = wire::ErrorResponse),
        (status = 401, description = "The company id or the recruiting key is missing or not valid", body = wire::ErrorResponse),
        (status = 403, description = "The company switched recruiting or its API off", body = wire::ErrorResponse),
        (status = 413, description = "The file is larger than 20 MB", body = wire::ErrorResponse),
        (status = 422, description = "The file is of a type not taken, or not what its name says", body = wire::ErrorResponse),
        (status = 429, description = "Over 20 requests a minute for the company", body = wire::ErrorResponse, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(("recruiting_key" = [])),
)]
pub(crate) async fn upload_document(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Json<wire::UploadedFile>, RecruitingError> {
    let company = recruiting_company(&shared, &headers, peer).await?;
    let mut multipart =
        multipart.map_err(|e| RecruitingError::generic(StatusCode::BAD_REQUEST, e.body_text()))?;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            if file.is_some() {
                return Err(RecruitingError::generic(
                    StatusCode::BAD_REQUEST,
                    "send one part named `file` per request",
                ));
            }
            let name = field.file_name().unwrap_or_default().to_owned();
            // Read up to one byte over the limit, no further.
            let mut field = field;
            let mut content = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                content.extend_from_slice(&chunk);
                if content.len() > MAX_FILE_BYTES {
                    break;
                }
            }
            file = Some((name, content));
        }
    }
    let Some((name, content)) = file else {
        return Err(RecruitingError::generic(
            StatusCode::BAD_REQUEST,
            "the multipart body has no part named `file`",
        ));
    };
    let stored = run(&shared, move |app| {
        app.upload_application_file(&company, &name, content, UploadRule::Api)
    })
    .await?
    .map_err(|e| match e {
        UploadFailure::TooBig => RecruitingError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            body: wire::ErrorResponse::fields(&[relais_recruiting::application::FieldError::new(
                "file",
                relais_recruiting::application::Reason::FileTooBig,
            )]),
            retry_after: None,
        },
        UploadFailure::InvalidType(why) => {
            let mut error = relais_recruiting::application::FieldError::new(
                "file",
                relais_recruiting::application::Reason::InvalidFileType,
            );
            error.context.insert("detail".into(), why.into());
            RecruitingError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                body: wire::ErrorResponse::fields(&[error]),
                retry_after: None,
            }
        }
        UploadFailure::App(e) => e.into(),
    })?;
    Ok(Json(wire::UploadedFile {
        uuid: stored.id,
        size: stored.size,
        mimetype: stored.mimetype,
        original_filename: stored.original_filename,
        extension: stored.extension,
    }))
}

/// The multipart body of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    /// The file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> RecruitingError {
    let status = error.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        RecruitingError {
            status,
            body: wire::ErrorResponse::fields(&[relais_recruiting::application::FieldError::new(
                "file",
                relais_recruiting::application::Reason::FileTooBig,
            )]),
            retry_after: None,
        }
    } else {
        RecruitingError::generic(StatusCode::BAD_REQUEST, error.body_text())
    }
}

/// The deprecated form's answer with its status.
fn form_answer(status: StatusCode, answer: wire::FormAnswer) -> Response {
    (status, Json(answer)).into_response()
}

/// The deprecated application form.
#[utoipa::path(
    post, path = "/recruiting/applicant", tag = "Recruiting", operation_id = "submitApplicantForm",
    description = "The deprecated form endpoint career sites post straight from HTML: the credentials are the form fields `company_id` and `access_token`; fields `job_position_id`, `first_name`, `last_name`, `email`, `gender`, `phone`, `location`, `birthday`, `available_from`, `salary_expectations`, `recruiting_channel_id`, `external_posting_id`, `message`, `tags[]` (existing tags only), `custom_attribute_<n>`; files as `documents[]`, `document1`… or `categorised_documents[n][file]` with `categorised_documents[n][category]`. Each file at most 20 MB, the request at most 64 MB. 100 applications a minute per source address.",
    request_body(content = inline(ApplicantForm), content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Applied", body = wire::FormAnswer),
        (status = 400, description = "A field is missing or not valid, the job does not exist, the applicant applied already, or a file was refused", body = wire::FormAnswer),
        (status = 403, description = "The company id and access token do not match", body = wire::FormAnswer),
        (status = 413, description = "The request is larger than 64 MB", body = wire::FormAnswer),
        (status = 422, description = "The job is not published", body = wire::FormAnswer),
        (status = 429, description = "Over 100 applications a minute from this address", body = wire::FormAnswer, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
pub(crate) async fn form_application(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let source = crate::source_key(&shared, &headers, peer);
    if let Some(seconds) = crate::v1::seconds_over_budget(&shared.recruiting_throttle.form, &source)
    {
        let mut response = form_answer(
            StatusCode::TOO_MANY_REQUESTS,
            wire::FormAnswer::failed(format!("Too many applications; retry in {seconds} s")),
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            return form_answer(
                StatusCode::BAD_REQUEST,
                wire::FormAnswer::failed(e.body_text()),
            );
        }
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    let mut checked = false;
    loop {
        // The credentials are checked as soon as both have arrived (career
        // sites put them first), before any more of the body is read.
        if !checked {
            let one = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            if let (Some(company_id), Some(token)) = (one("company_id"), one("access_token")) {
                checked = true;
                let app = std::sync::Arc::clone(&shared.app);
                let verdict = relais_app::spawn_blocking(move || {
                    app.recruiting_company(Some(&company_id), Some(&token))
                        .map(|_| ())
                })
                .await;
                match verdict {
                    Ok(Ok(())) => {}
                    Ok(Err(RecruitingFailure::App(e)))
                        if matches!(e.kind(), ErrorKind::Internal | ErrorKind::NotConfigured) =>
                    {
                        return form_answer(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            wire::FormAnswer::failed(
                                "Something went wrong, please try again later!",
                            ),
                        );
                    }
                    Ok(Err(_)) | Err(_) => {
                        return form_answer(
                            StatusCode::FORBIDDEN,
                            wire::FormAnswer::failed("This action is unauthorized."),
                        );
                    }
                }
            }
        }
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::BAD_REQUEST
                };
                return form_answer(status, wire::FormAnswer::failed(e.body_text()));
            }
        };
        let name = field
            .name()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
        let filename = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => {
                return form_answer(
                    StatusCode::BAD_REQUEST,
                    wire::FormAnswer::failed(e.body_text()),
                );
            }
        };
        match filename {
            // An empty file input of an HTML form: nothing chosen.
            Some(filename) if filename.is_empty() && bytes.is_empty() => {}
            Some(filename) => files.push(FormFile {
                field: name,
                filename,
                content: Vec::from(bytes),
            }),
            None => match String::from_utf8(Vec::from(bytes)) {
                Ok(text) if fields.len() < 200 => fields.push((name, text)),
                _ => {
                    return form_answer(
                        StatusCode::BAD_REQUEST,
                        wire::FormAnswer::failed(format!("The {name} field is invalid.")),
                    );
                }
            },
        }
    }
    let app = std::sync::Arc::clone(&shared.app);
    let outcome =
        relais_app::spawn_blocking(move || app.submit_form_application(&fields, files)).await;
    match outcome {
        Ok(Ok(_)) => form_answer(StatusCode::OK, wire::FormAnswer::applied()),
        Ok(Err(failure)) => form_answer(
            StatusCode::from_u16(failure.status).unwrap_or(StatusCode::BAD_REQUEST),
            wire::FormAnswer::failed(failure.message),
        ),
        Err(_) => form_answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            wire::FormAnswer::failed("Something went wrong, please try again later!"),
        ),
    }
}

/// The deprecated form's fields.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ApplicantForm {
    /// The company's number.
    company_id: i64,
    /// The recruiting key.
    access_token: String,
    /// The job's number.
    job_position_id: i64,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// E-mail.
    email: String,
    /// Files.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    #[allow(clippy::struct_field_names)]
    documents: Option<Vec<Vec<u8>>>,
}

// ----- The job feed --------------------------------------------------------

/// The `language` of a feed request.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeedQuery {
    /// `de` (the default), `en`, `fr`, `es`, `nl`, `it` or `pt`; the
    /// description falls back to German, then to any language the job has.
    language: Option<String>,
}

async fn feed(shared: &Shared, slug: String, language: Option<String>) -> Response {
    let app = std::sync::Arc::clone(&shared.app);
    let answer = relais_app::spawn_blocking(move || app.job_feed(&slug, language.as_deref())).await;
    match answer {
        Ok(Ok(xml)) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/xml; charset=utf-8"),
            )],
            xml,
        )
            .into_response(),
        Ok(Err(e)) => Problem::from(e).into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// The public XML job feed of a company, addressed by its slug.
#[utoipa::path(
    get, path = "/jobs/{company}/xml", tag = "Recruiting", operation_id = "jobFeed",
    description = "Every published job of the company, in the modelled HRIS's XML (`<workzag-jobs>` of `<position>`s, descriptions as HTML in CDATA). Needs no credentials. The same document is served at `/xml` on the host `{company}.jobs.<your host>`. 404 when the company does not exist or switched its feed off.",
    params(("company" = String, Path, description = "The company's slug"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content_type = "text/xml", body = String),
        (status = 404, description = "No such company, or its feed is off", body = Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
pub(crate) async fn feed_by_path(
    State(shared): State<Shared>,
    Path(company): Path<String>,
    Query(query): Query<FeedQuery>,
) -> Response {
    feed(&shared, company, query.language).await
}

/// The feed at `/xml` on `{company}.jobs.<host>`.
pub(crate) async fn feed_by_host(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Without the port: `acme.jobs.example.com:8080`.
    let host = host.rsplit_once(':').map_or(host.as_str(), |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host.as_str()
        }
    });
    let mut labels = host.split('.');
    match (labels.next(), labels.next()) {
        (Some(slug), Some("jobs")) if !slug.is_empty() => {
            feed(&shared, slug.to_owned(), query.language).await
        }
        _ => Problem::new(
            StatusCode::NOT_FOUND,
            ErrorKind::NotFound.code(),
            "the job feed is at /jobs/{company}/xml, or at /xml on the host {company}.jobs.<this host>".to_owned(),
        )
        .into_response(),
    }
}

// ----- v2: OAuth2 and reads -------------------------------------------------

/// The form of `POST /v2/auth/token`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct TokenRequest {
    /// `client_credentials`.
    grant_type: Option<String>,
    /// A credential's client id.
    client_id: Option<String>,
    /// Its secret.
    client_secret: Option<String>,
    /// Space-separated scopes wanted; all the credential has when absent.
    scope: Option<String>,
}

fn oauth_error(status: StatusCode, error: OAuthError) -> Response {
    (
        status,
        Json(wire::OAuthError {
            error: error.error,
            error_description: error.description,
        }),
    )
        .into_response()
}

/// OAuth2 client credentials: an access token for the v2 API.
#[utoipa::path(
    post, path = "/v2/auth/token", tag = "Recruiting", operation_id = "oauthToken",
    description = "OAuth2 client-credentials grant (RFC 6749 §4.4) with an API credential's client id and secret as form fields. The token is valid 24 hours and carries the credential's scopes in v2 form (`personio:recruiting:read` for Recruiting read). 150 requests a minute per client id and address.",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A bearer token", body = wire::OAuthToken),
        (status = 400, description = "A field is missing, the grant type is not client_credentials, or a scope asked for is not the credential's", body = wire::OAuthError),
        (status = 401, description = "The client id or secret is not valid", body = wire::OAuthError),
        (status = 429, description = "Over 150 requests a minute", body = wire::OAuthError, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
    security(()),
)]
pub(crate) async fn token(
    State(shared): State<Shared>,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut form = TokenRequest {
        grant_type: None,
        client_id: None,
        client_secret: None,
        scope: None,
    };
    for (key, value) in url::form_urlencoded::parse(&body) {
        let slot = match &*key {
            "grant_type" => &mut form.grant_type,
            "client_id" => &mut form.client_id,
            "client_secret" => &mut form.client_secret,
            "scope" => &mut form.scope,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    let source = crate::source_key(&shared, &headers, peer);
    let key = format!(
        "{} {source}",
        form.client_id
            .as_deref()
            .unwrap_or_default()
            .chars()
            .take(64)
            .collect::<String>()
    );
    let over = crate::v1::seconds_over_budget(&shared.recruiting_throttle.source, &source)
        .or_else(|| crate::v1::seconds_over_budget(&shared.recruiting_throttle.token, &key));
    if let Some(seconds) = over {
        let mut response = oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            OAuthError {
                error: "slow_down",
                description: format!("too many token requests; retry in {seconds} s"),
            },
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let app = std::sync::Arc::clone(&shared.app);
    let issued = relais_app::spawn_blocking(move || {
        app.v2_token(
            form.grant_type.as_deref(),
            form.client_id.as_deref(),
            form.client_secret.as_deref(),
            form.scope.as_deref(),
        )
    })
    .await;
    match issued {
        // RFC 6749 §5.1: a token answer is never cached.
        Ok(Ok(token)) => (
            [
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (header::PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            Json(wire::OAuthToken {
                access_token: token.access_token,
                token_type: "Bearer",
                expires_in: token.expires_in,
                scope: token.scope,
            }),
        )
            .into_response(),
        Ok(Err(e)) if e.error == "invalid_client" => oauth_error(StatusCode::UNAUTHORIZED, e),
        Ok(Err(e)) if e.error == "server_error" => {
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, e)
        }
        Ok(Err(e)) => oauth_error(StatusCode::BAD_REQUEST, e),
        Err(_) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            OAuthError {
                error: "server_error",
                description: "the token could not be issued".into(),
            },
        ),
    }
}

/// A v2 refusal.
pub(crate) struct V2Failure(StatusCode, String, Option<u64>);

impl From<AppError> for V2Failure {
    fn from(error: AppError) -> Self {
        let status = match error.kind() {
            ErrorKind::Invalid => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::NotConfigured | ErrorKind::Internal => {
                tracing::error!(error = %error, "internal error in the v2 API");
                return Self(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Relais failed to answer; the server log has the details".into(),
                    None,
                );
            }
        };
        Self(status, error.to_string(), None)
    }
}

impl IntoResponse for V2Failure {
    fn into_response(self) -> Response {
        let (title, kind) = match self.0 {
            StatusCode::NOT_FOUND => ("Not found", "common.requested_resource_not_found"),
            StatusCode::FORBIDDEN => ("Insufficient access scope", "common.insufficient_scope"),
            StatusCode::UNAUTHORIZED => ("Unauthorized", "common.unauthorized"),
            StatusCode::BAD_REQUEST => ("Bad request", "common.bad_request"),
            StatusCode::TOO_MANY_REQUESTS => ("Too many requests", "common.too_many_requests"),
            _ => ("Internal error", "common.internal_error"),
        };
        let body = wire::V2Error {
            personio_trace_id: uuid::Uuid::new_v4().to_string(),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            errors: vec![wire::V2ErrorItem {
                title: title.into(),
                detail: self.1,
                kind: format!("https://developer.personio.de/reference/errors#{kind}"),
                meta: std::collections::BTreeMap::new(),
            }],
        };
        let mut response = (self.0, Json(body)).into_response();
        if let Some(seconds) = self.2
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// The v2 caller behind a bearer token.
async fn v2_caller(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<relais_app::public_api::ApiCaller, V2Failure> {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(crate::auth::bearer)
    else {
        return Err(V2Failure(
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <token from POST /v2/auth/token> is required".into(),
            None,
        ));
    };
    let app = std::sync::Arc::clone(&shared.app);
    let caller = relais_app::spawn_blocking(move || app.authenticate_api(&token))
        .await
        .map_err(|e| V2Failure::from(AppError::new(ErrorKind::Internal, e.to_string())))?
        .map_err(|e| match e.kind() {
            // Any refusal of the token is 401 here; a failure of ours is not.
            ErrorKind::Unauthenticated | ErrorKind::Forbidden => {
                V2Failure(StatusCode::UNAUTHORIZED, e.to_string(), None)
            }
            _ => V2Failure::from(e),
        })?;
    if let Some(seconds) = over_budget_v1(shared, &caller) {
        return Err(V2Failure(
            StatusCode::TOO_MANY_REQUESTS,
            format!("over the credential's per-minute budget; retry in {seconds} s"),
            Some(seconds),
        ));
    }
    Ok(caller)
}

fn over_budget_v1(shared: &Shared, caller: &relais_app::public_api::ApiCaller) -> Option<u64> {
    crate::v1::Throttle::over_budget(&shared.throttle, caller.credential.client_id.as_str())
}

async fn v2<T: Send + 'static>(
    shared: &Shared,
    headers: &HeaderMap,
    work: impl FnOnce(&relais_app::App, &relais_app::public_api::ApiCaller, i64) -> Result<T, AppError>
    + Send
    + 'static,
) -> Result<T, V2Failure> {
    let caller = v2_caller(shared, headers).await?;
    let app = std::sync::Arc::clone(&shared.app);
    relais_app::spawn_blocking(move || {
        let number = app.company_number(caller.credential.company_id)?;
        work(&app, &caller, number)
    })
    .await
    .map_err(|e| V2Failure::from(AppError::new(ErrorKind::Internal, e.to_string())))?
    .map_err(V2Failure::from)
}

fn query(raw: Option<String>) -> V1Query {
    V1Query::from_pairs(url::form_urlencoded::parse(
        raw.unwrap_or_default().as_bytes(),
    ))
}

/// The absolute URL of the next page: this request's URL with `cursor`
/// replaced.
fn next_href(
    trust_proxy: bool,
    headers: &HeaderMap,
    path: &str,
    raw: Option<&str>,
    cursor: Option<String>,
) -> Option<String> {
    let cursor = cursor?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    // The scheme a proxy says it was reached by, only when proxies are trusted.
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| trust_proxy && *p == "https")
        .unwrap_or("http");
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k != "cursor" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair("cursor", &cursor);
    Some(format!("{scheme}://{host}{path}?{}", query.finish()))
}

/// Lists applications, last changed first.
#[utoipa::path(
    get, path = "/v2/recruiting/applications", tag = "Recruiting", operation_id = "listRecruitingApplications",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 100)", minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query, description = "Where the page starts: from `_meta.links.next.href`"),
        ("updated_at.gt" = Option<String>, Query, description = "Changed after (ISO 8601); not with updated_at.lt"),
        ("updated_at.lt" = Option<String>, Query, description = "Changed before (ISO 8601); not with updated_at.gt"),
        ("candidate.email" = Option<String>, Query, description = "Only the candidate with this e-mail"),
    ),
    responses(
        (status = 200, description = "A page of applications", body = wire::V2List<wire::V2Application>),
        (status = 400, description = "A parameter is not valid", body = wire::V2Error),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_applications(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<wire::V2List<wire::V2Application>>, V2Failure> {
    let q = query(raw.clone());
    let page = v2(&shared, &headers, move |app, caller, _| {
        app.v2_applications(caller, &q)
    })
    .await?;
    let data = page
        .items
        .iter()
        .map(|r| wire::V2Application::new(r, &page.setup))
        .collect();
    let next = next_href(
        shared.config.trust_proxy,
        &headers,
        "/v2/recruiting/applications",
        raw.as_deref(),
        page.next,
    );
    Ok(Json(wire::V2List::new(data, next)))
}

/// One application.
#[utoipa::path(
    get, path = "/v2/recruiting/applications/{id}", tag = "Recruiting", operation_id = "getRecruitingApplication",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The application", body = wire::V2Application),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 404, description = "No such application in the company", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_application(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::V2Application>, V2Failure> {
    let (record, setup) = v2(&shared, &headers, move |app, caller, _| {
        app.v2_application(caller, &id)
    })
    .await?;
    Ok(Json(wire::V2Application::new(&record, &setup)))
}

/// The phases an application went through.
#[utoipa::path(
    get, path = "/v2/recruiting/applications/{id}/stage-transitions", tag = "Recruiting", operation_id = "listStageTransitions",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, description = "The transitions, oldest first", body = wire::V2List<wire::V2StageTransition>),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 404, description = "No such application in the company", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_stage_transitions(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::V2List<wire::V2StageTransition>>, V2Failure> {
    let (transitions, setup) = v2(&shared, &headers, move |app, caller, _| {
        app.v2_stage_transitions(caller, &id)
    })
    .await?;
    let data = transitions
        .iter()
        .map(|t| wire::V2StageTransition::new(t, &setup))
        .collect();
    Ok(Json(wire::V2List::new(data, None)))
}

/// Lists candidates, last changed first.
#[utoipa::path(
    get, path = "/v2/recruiting/candidates", tag = "Recruiting", operation_id = "listCandidates",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 100)", minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query, description = "Where the page starts: from `_meta.links.next.href`"),
        ("updated_at.gt" = Option<String>, Query, description = "Changed after (ISO 8601); not with updated_at.lt"),
        ("updated_at.lt" = Option<String>, Query, description = "Changed before (ISO 8601); not with updated_at.gt"),
        ("email" = Option<String>, Query, description = "Only the candidate with this e-mail"),
    ),
    responses(
        (status = 200, description = "A page of candidates", body = wire::V2List<wire::V2Candidate>),
        (status = 400, description = "A parameter is not valid", body = wire::V2Error),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_candidates(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<wire::V2List<wire::V2Candidate>>, V2Failure> {
    let q = query(raw.clone());
    let page = v2(&shared, &headers, move |app, caller, _| {
        app.v2_candidates(caller, &q)
    })
    .await?;
    let data = page.items.iter().map(wire::V2Candidate::from).collect();
    let next = next_href(
        shared.config.trust_proxy,
        &headers,
        "/v2/recruiting/candidates",
        raw.as_deref(),
        page.next,
    );
    Ok(Json(wire::V2List::new(data, next)))
}

/// One candidate.
#[utoipa::path(
    get, path = "/v2/recruiting/candidates/{id}", tag = "Recruiting", operation_id = "getCandidate",
    params(("id" = String, Path, description = "The candidate's id")),
    responses(
        (status = 200, description = "The candidate", body = wire::V2Candidate),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 404, description = "No such candidate in the company", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_candidate(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::V2Candidate>, V2Failure> {
    let record = v2(&shared, &headers, move |app, caller, _| {
        app.v2_candidate(caller, &id)
    })
    .await?;
    Ok(Json(wire::V2Candidate::from(&record)))
}

/// Lists jobs, last changed first (drafts too).
#[utoipa::path(
    get, path = "/v2/recruiting/jobs", tag = "Recruiting", operation_id = "listRecruitingJobs",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 100)", minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query, description = "Where the page starts: from `_meta.links.next.href`"),
    ),
    responses(
        (status = 200, description = "A page of jobs", body = wire::V2List<wire::V2Job>),
        (status = 400, description = "A parameter is not valid", body = wire::V2Error),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_jobs(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<wire::V2List<wire::V2Job>>, V2Failure> {
    let q = query(raw.clone());
    let (page, number) = v2(&shared, &headers, move |app, caller, number| {
        Ok((app.v2_jobs(caller, &q)?, number))
    })
    .await?;
    let data = page
        .items
        .iter()
        .map(|j| wire::V2Job::new(j, &page.setup, number))
        .collect();
    let next = next_href(
        shared.config.trust_proxy,
        &headers,
        "/v2/recruiting/jobs",
        raw.as_deref(),
        page.next,
    );
    Ok(Json(wire::V2List::new(data, next)))
}

/// One job.
#[utoipa::path(
    get, path = "/v2/recruiting/jobs/{id}", tag = "Recruiting", operation_id = "getRecruitingJob",
    params(("id" = String, Path, description = "The job's id")),
    responses(
        (status = 200, description = "The job", body = wire::V2Job),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 404, description = "No such job in the company", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_job(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::V2Job>, V2Failure> {
    let ((job, setup), number) = v2(&shared, &headers, move |app, caller, number| {
        Ok((app.v2_job(caller, &id)?, number))
    })
    .await?;
    Ok(Json(wire::V2Job::new(&job, &setup, number)))
}

/// Lists recruiting categories with their phases.
#[utoipa::path(
    get, path = "/v2/recruiting/categories", tag = "Recruiting", operation_id = "listRecruitingCategories",
    params(
        ("limit" = Option<u64>, Query, description = "Page size, 1 to 200 (default 100)", minimum = 1, maximum = 200),
        ("cursor" = Option<String>, Query, description = "Where the page starts: from `_meta.links.next.href`"),
    ),
    responses(
        (status = 200, description = "A page of categories", body = wire::V2List<wire::V2Category>),
        (status = 400, description = "A parameter is not valid", body = wire::V2Error),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_categories(
    State(shared): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Json<wire::V2List<wire::V2Category>>, V2Failure> {
    let q = query(raw.clone());
    let page = v2(&shared, &headers, move |app, caller, _| {
        app.v2_categories(caller, &q)
    })
    .await?;
    let data = page
        .items
        .iter()
        .map(|c| wire::V2Category::new(c, &page.setup))
        .collect();
    let next = next_href(
        shared.config.trust_proxy,
        &headers,
        "/v2/recruiting/categories",
        raw.as_deref(),
        page.next,
    );
    Ok(Json(wire::V2List::new(data, next)))
}

/// One recruiting category.
#[utoipa::path(
    get, path = "/v2/recruiting/categories/{id}", tag = "Recruiting", operation_id = "getRecruitingCategory",
    params(("id" = String, Path, description = "The category's id")),
    responses(
        (status = 200, description = "The category", body = wire::V2Category),
        (status = 401, description = "No token, or one that is not valid", body = wire::V2Error),
        (status = 403, description = "The credential lacks personio:recruiting:read", body = wire::V2Error),
        (status = 404, description = "No such category in the company", body = wire::V2Error),
        (status = 429, description = "Over the credential's per-minute budget", body = wire::V2Error),
    ),
    security(("bearer" = ["personio:recruiting:read"])),
)]
pub(crate) async fn v2_category(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<wire::V2Category>, V2Failure> {
    let category = v2(&shared, &headers, move |app, caller, _| {
        app.v2_category(caller, &id)
    })
    .await?;
    Ok(Json(wire::V2Category::new(
        &category,
        &relais_recruiting::RecruitingSetup {
            categories: vec![category.clone()],
            ..relais_recruiting::RecruitingSetup::default()
        },
    )))
}

// ----- Admin ----------------------------------------------------------------

/// The company's recruiting set-up.
#[utoipa::path(
    get, path = "/api/recruiting", tag = "Recruiting", operation_id = "getRecruiting",
    responses(
        (status = 200, description = "The company's number, key date, switches and set-up", body = RecruitingOverview),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn overview(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<RecruitingOverview>, Problem> {
    blocking(&s.app, move |app| {
        app.recruiting_overview(relais_app::Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

/// Turns recruiting, its API or its feed on or off.
#[utoipa::path(
    patch, path = "/api/recruiting", tag = "Recruiting", operation_id = "setRecruitingSwitches",
    request_body = RecruitingSwitches,
    responses(
        (status = 200, description = "The set-up after the change", body = RecruitingOverview),
        (status = 400, description = "The body is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn switches(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<RecruitingSwitches>,
) -> Result<Json<RecruitingOverview>, Problem> {
    blocking(&s.app, move |app| {
        app.set_recruiting_switches(relais_app::Caller::User(&actor), &actor.company, body)
    })
    .await
    .map(Json)
}

/// Issues a new recruiting API key; the previous one stops working.
#[utoipa::path(
    post, path = "/api/recruiting/key", tag = "Recruiting", operation_id = "issueRecruitingKey",
    description = "Issues the company's recruiting API key, shown this once (only its hash is kept); the previous key stops working at once. Needs the *edit* right.",
    responses(
        (status = 201, description = "The company's number and the new key", body = RecruitingKey),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn issue_key(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<(StatusCode, Json<RecruitingKey>), Problem> {
    let key = blocking(&s.app, move |app| {
        app.issue_recruiting_key(relais_app::Caller::User(&actor), &actor.company)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(key)))
}

/// The company's job positions.
#[utoipa::path(
    get, path = "/api/recruiting/jobs", tag = "Recruiting", operation_id = "listJobs",
    responses(
        (status = 200, description = "Every job position, by number", body = Vec<JobPosition>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn jobs(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<JobPosition>>, Problem> {
    blocking(&s.app, move |app| {
        app.jobs(relais_app::Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

/// Opens a job position.
#[utoipa::path(
    post, path = "/api/recruiting/jobs", tag = "Recruiting", operation_id = "createJob",
    request_body = JobDraft,
    responses(
        (status = 201, description = "The job as stored, with its number", body = JobPosition, links(
            ("get" = (operation_id = "getJob", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "The draft is not valid; the message names the field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn create_job(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(draft): JsonBody<JobDraft>,
) -> Result<(StatusCode, Json<JobPosition>), Problem> {
    let job = blocking(&s.app, move |app| {
        app.create_job(relais_app::Caller::User(&actor), &actor.company, draft)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(job)))
}

/// One job position.
#[utoipa::path(
    get, path = "/api/recruiting/jobs/{id}", tag = "Recruiting", operation_id = "getJob",
    params(("id" = i64, Path, description = "The job's number", minimum = 1)),
    responses(
        (status = 200, description = "The job", body = JobPosition),
        (status = 400, description = "The id is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job in the company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn job(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<JobPosition>, Problem> {
    let id = number(&id)?;
    blocking(&s.app, move |app| {
        app.job(relais_app::Caller::User(&actor), &actor.company, id)
    })
    .await
    .map(Json)
}

/// Changes a job position (send the whole draft).
#[utoipa::path(
    put, path = "/api/recruiting/jobs/{id}", tag = "Recruiting", operation_id = "updateJob",
    params(("id" = i64, Path, description = "The job's number", minimum = 1)),
    request_body = JobDraft,
    responses(
        (status = 200, description = "The job as stored", body = JobPosition),
        (status = 400, description = "The id is not a number, or the draft is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job in the company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn update_job(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(draft): JsonBody<JobDraft>,
) -> Result<Json<JobPosition>, Problem> {
    let id = number(&id)?;
    blocking(&s.app, move |app| {
        app.update_job(relais_app::Caller::User(&actor), &actor.company, id, draft)
    })
    .await
    .map(Json)
}

fn number(text: &str) -> Result<i64, Problem> {
    text.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        Problem::bad_request(format!(
            "'{}' is not a positive number",
            text.chars().take(40).collect::<String>()
        ))
    })
}

/// A page of the admin's application list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationList {
    /// The applications, last changed first.
    items: Vec<ApplicationRow>,
    /// The cursor of the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

/// One application in the admin's list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ApplicationRow {
    /// Its number.
    id: i64,
    /// The day of application.
    application_date: chrono::NaiveDate,
    /// The candidate's name.
    candidate: String,
    /// The candidate's e-mail.
    email: String,
    /// The job's number.
    job_id: i64,
    /// The job's name.
    job: String,
    /// The phase's name.
    phase: String,
    /// The channel's name.
    channel: Option<String>,
    /// When it last changed.
    updated_at: chrono::DateTime<chrono::Utc>,
}

/// Paging of the admin's application list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListQuery {
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
    /// From `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The company's applications, last changed first.
#[utoipa::path(
    get, path = "/api/recruiting/applications", tag = "Recruiting", operation_id = "listApplications",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationList),
        (status = 400, description = "A parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn applications(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ApplicationList>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    let page = blocking(&s.app, move |app| {
        app.recruiting_applications(
            relais_app::Caller::User(&actor),
            &actor.company,
            query.limit.unwrap_or(50),
            query.cursor.as_deref(),
        )
    })
    .await?;
    let items = page
        .items
        .iter()
        .map(|r| ApplicationRow {
            id: r.application.id,
            application_date: r.application.application_date,
            candidate: r
                .candidate
                .as_ref()
                .map(|c| format!("{} {}", c.first_name, c.last_name))
                .unwrap_or_default(),
            email: r
                .candidate
                .as_ref()
                .map(|c| c.email.clone())
                .unwrap_or_default(),
            job_id: r.application.job_id,
            job: r
                .job
                .as_ref()
                .map(|j| j.draft.name.clone())
                .unwrap_or_default(),
            phase: page.setup.phase_name(r.application.phase),
            channel: r
                .application
                .channel_id
                .and_then(|c| page.setup.channel(c))
                .map(|c| c.name.clone()),
            updated_at: r.application.updated_at,
        })
        .collect();
    Ok(Json(ApplicationList {
        items,
        next_cursor: page.next,
    }))
}

/// One application in full.
#[utoipa::path(
    get, path = "/api/recruiting/applications/{id}", tag = "Recruiting", operation_id = "getApplication",
    params(("id" = i64, Path, description = "The application's number", minimum = 1)),
    responses(
        (status = 200, description = "The application with its candidate, phases and files", body = ApplicationDetail),
        (status = 400, description = "The id is not a number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application in the company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn application(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ApplicationDetail>, Problem> {
    let id = number(&id)?;
    blocking(&s.app, move |app| {
        app.recruiting_application(relais_app::Caller::User(&actor), &actor.company, id)
    })
    .await
    .map(Json)
}

/// Downloads a file of an application.
#[utoipa::path(
    get, path = "/api/recruiting/applications/{id}/files/{file}", tag = "Recruiting", operation_id = "downloadApplicationFile",
    params(
        ("id" = i64, Path, description = "The application's number", minimum = 1),
        ("file" = String, Path, description = "The file's uuid", format = Uuid),
    ),
    responses(
        (status = 200, description = "The file, as an attachment", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, description = "The id or uuid is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The application has no such file", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn application_file(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let id = number(&id)?;
    let file = uuid::Uuid::parse_str(&file)
        .map_err(|_| Problem::bad_request("the file is named by its uuid".to_owned()))?;
    let (info, content) = blocking(&s.app, move |app| {
        app.application_file(relais_app::Caller::User(&actor), &actor.company, id, file)
    })
    .await?;
    let disposition = crate::attachment(&info.original_filename);
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}
