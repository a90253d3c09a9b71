//! `/api/reports`: custom report definitions (read: *view*; change: *edit*).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use relais_app::Caller;
use relais_reports::ReportDefinition;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Authenticated;
use crate::{JsonBody, Problem, Shared, blocking};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/reports", get(list).post(create))
        .route("/api/reports/columns", get(columns))
        .route("/api/reports/{id}", get(show).put(update).delete(delete))
}

async fn list(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<ReportDefinition>>, Problem> {
    blocking(&s.app, move |app| {
        app.reports(Caller::User(&actor), &actor.company)
    })
    .await
    .map(Json)
}

async fn create(
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

async fn show(
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

async fn update(
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

async fn delete(
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
struct ColumnsQuery {
    locale: Option<String>,
}

async fn columns(
    State(s): State<Shared>,
    Authenticated(actor): Authenticated,
    query: Result<Query<ColumnsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, Problem> {
    let Query(query) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    blocking(&s.app, move |app| {
        let locale = query.locale.as_deref().unwrap_or("en").parse::<relais_reports::Locale>().map_err(|e| relais_app::AppError::new(relais_app::ErrorKind::Invalid, e))?;
        let columns = app.report_columns(Caller::User(&actor), &actor.company)?;
        Ok(json!(columns.iter().map(|c| json!({"attribute_id": c.attribute_id, "label": c.label(locale), "data_type": c.data_type})).collect::<Vec<_>>()))
    })
    .await
    .map(Json)
}
