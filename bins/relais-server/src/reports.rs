//! `/api/reports`: custom report definitions (read: *view*; change: *edit*).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use relais_app::Caller;
use relais_reports::{DataType, ReportDefinition};
use serde::{Deserialize, Serialize};

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/reports", get(list).post(create))
        .route("/api/reports/columns", get(columns))
        .route("/api/reports/{id}", get(show).put(update).delete(delete))
}

#[utoipa::path(
    get, path = "/api/reports", tag = "Reports", operation_id = "listReports",
    responses(
        (status = 200, description = "The company's custom report definitions", body = Vec<ReportDefinition>),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ReportDefinition>>, Problem> {
    blocking(&s.app, move |app| {
        app.reports(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    post, path = "/api/reports", tag = "Reports", operation_id = "createReport",
    description = "Creates a custom report. A new id is given unless the definition has one; the creation and change times are the server's. Needs the *edit* right.",
    request_body = ReportDefinition,
    responses(
        (status = 201, description = "The report as stored", body = ReportDefinition, links(
            ("get" = (operation_id = "getReport", parameters(("id" = "$response.body#/id")))),
            ("update" = (operation_id = "updateReport", parameters(("id" = "$response.body#/id")))),
            ("delete" = (operation_id = "deleteReport", parameters(("id" = "$response.body#/id")))),
        )),
        (status = 400, description = "The body is not valid, or the definition breaks rules (every problem is listed)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A report with the id given exists", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn create(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    JsonBody(body): JsonBody<ReportDefinition>,
) -> Result<(StatusCode, Json<ReportDefinition>), Problem> {
    let created = blocking(&s.app, move |app| {
        app.create_report(Caller::User(&actor), &actor.company, body)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    get, path = "/api/reports/{id}", tag = "Reports", operation_id = "getReport",
    params(("id" = String, Path, description = "The report's id", format = Uuid)),
    responses(
        (status = 200, description = "The report's definition", body = ReportDefinition),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn show(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ReportDefinition>, Problem> {
    blocking(&s.app, move |app| {
        app.report(Caller::User(&actor), &actor.company, &id)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    put, path = "/api/reports/{id}", tag = "Reports", operation_id = "updateReport",
    description = "Replaces a report's definition; its id and creation time stay (an id in the body is ignored). Needs the *edit* right.",
    params(("id" = String, Path, description = "The report's id", format = Uuid)),
    request_body = ReportDefinition,
    responses(
        (status = 200, description = "The report as stored", body = ReportDefinition),
        (status = 400, description = "The body is not valid, or the definition breaks rules (every problem is listed)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn update(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<ReportDefinition>,
) -> Result<Json<ReportDefinition>, Problem> {
    blocking(&s.app, move |app| {
        app.update_report(Caller::User(&actor), &actor.company, &id, body)
    })
    .await
    .map(Json)
}

#[utoipa::path(
    delete, path = "/api/reports/{id}", tag = "Reports", operation_id = "deleteReport",
    description = "Deletes a report. Needs the *edit* right.",
    params(("id" = String, Path, description = "The report's id", format = Uuid)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *edit* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report in the caller's company", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn delete(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    blocking(&s.app, move |app| {
        app.delete_report(Caller::User(&actor), &actor.company, &id)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ColumnsQuery {
    locale: Option<String>,
}

/// A column a report can hold, labelled in one language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ReportColumn {
    /// Stable id, for a definition's `columns` and `filters`, e.g. `first_name`, `absence_1`.
    attribute_id: String,
    /// The label in the locale asked for.
    label: String,
    /// How its values are shaped.
    data_type: DataType,
}

#[utoipa::path(
    get, path = "/api/reports/columns", tag = "Reports", operation_id = "listReportColumns",
    description = "The column catalogue: every column a report of this company can hold (standard and custom attributes, hours, absence days per type).",
    params(("locale" = Option<String>, Query, description = "The labels' language: en (default), fr or de; a longer tag such as `de-CH` reads as its language", pattern = r"^\s*([eE][nN]|[fF][rR]|[dD][eE])")),
    responses(
        (status = 200, description = "The columns", body = Vec<ReportColumn>),
        (status = 400, description = "An unknown parameter or locale", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No personal access token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
)]
pub(crate) async fn columns(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ColumnsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ReportColumn>>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    blocking(&s.app, move |app| {
        let locale = query
            .locale
            .as_deref()
            .unwrap_or("en")
            .parse::<relais_reports::Locale>()
            .map_err(|e| relais_app::AppError::new(relais_app::ErrorKind::Invalid, e))?;
        let columns = app.report_columns(Caller::User(&actor), &actor.company)?;
        Ok(columns
            .iter()
            .map(|c| ReportColumn {
                attribute_id: c.attribute_id.clone(),
                label: c.label(locale).to_owned(),
                data_type: c.data_type,
            })
            .collect())
    })
    .await
    .map(Json)
}
