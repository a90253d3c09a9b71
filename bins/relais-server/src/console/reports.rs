//! Custom reports: the list, a report's data as a paged table, and its
//! CSV / JSON-lines download.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use relais_access::MarketplaceRight;
use relais_app::export::{ExportFormat, cell_text, write_report};
use relais_reports::ReportRow;
use relais_store::Window;
use serde::Deserialize;

use super::{BASE, Layout, Nav, PageResult, Person, no_right, render, run};
use crate::Shared;

/// Rows a page of a report shows.
const PAGE: u64 = 50;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/reports"), get(list))
        .route(&format!("{BASE}/reports/{{id}}"), get(show))
        .route(&format!("{BASE}/reports/{{id}}/download"), get(download))
}

struct ReportRowView {
    id: String,
    name: String,
    description: String,
    kind: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<ReportRowView>,
}

fn kind_name(kind: relais_reports::ReportKind) -> &'static str {
    match kind {
        relais_reports::ReportKind::PointInTime => "point_in_time",
        relais_reports::ReportKind::HistoricalData => "historical_data",
        relais_reports::ReportKind::Timeframe => "timeframe",
    }
}

async fn list(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let reports = run(&s, &person, move |app, by| app.reports(by, &company)).await?;
    let rows = reports
        .iter()
        .map(|r| ReportRowView {
            id: r.id.to_string(),
            name: r.name.clone(),
            description: r.description.clone(),
            kind: tr.t(&format!("report-kind-{}", kind_name(r.kind))),
            updated: tr.datetime(&r.updated_at),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::of(&person, Nav::Reports, tr.t("reports-title")),
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportPage {
    layout: Layout,
    id: String,
    name: String,
    description: String,
    period: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    count: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `GET /console/reports/{id}[?page=…]`: the report's rows, fifty a page.
async fn show(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let window = Window::page(page, PAGE).unwrap_or(Window {
        offset: 0,
        limit: PAGE,
    });
    let (report, company, locale) = (
        id.clone(),
        person.actor.company.clone(),
        tr.locale.reports(),
    );
    let actor = person.actor.clone();
    let (computed, labels) = crate::blocking_cancellable(&s.app, move |app, cancel| {
        let by = relais_app::Caller::User(&actor);
        app.report(by, &company, &report)?;
        let computed = app.compute_report(company.id, &report, cancel)?;
        let labels: std::collections::HashMap<String, String> = app
            .report_columns(by, &company)?
            .into_iter()
            .map(|c| {
                let label = c.label(locale).to_owned();
                (c.attribute_id, label)
            })
            .collect();
        Ok((computed, labels))
    })
    .await
    .map_err(|e| super::app_error(&person, &e))?;
    let label = |id: &str| labels.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let historical = computed
        .rows
        .first()
        .is_some_and(|r| matches!(r, ReportRow::History { .. }));
    let headers: Vec<String> = if historical {
        vec![
            tr.t("col-employee-id"),
            tr.t("col-attribute"),
            tr.t("col-effective-date"),
            tr.t("col-value"),
        ]
    } else {
        std::iter::once(tr.t("col-employee-id"))
            .chain(computed.definition.columns.iter().map(|c| label(c)))
            .collect()
    };
    let skip = usize::try_from(window.offset).unwrap_or(usize::MAX);
    let rows: Vec<Vec<String>> = computed
        .rows
        .iter()
        .skip(skip)
        .take(usize::try_from(PAGE).unwrap_or(50))
        .flat_map(|row| match row {
            ReportRow::Attributes { employee_id, cells } => vec![
                std::iter::once(employee_id.to_string())
                    .chain(cells.iter().map(|c| cell_text(&c.value)))
                    .collect(),
            ],
            ReportRow::History { employee_id, cells } => cells
                .iter()
                .map(|(c, day)| {
                    vec![
                        employee_id.to_string(),
                        label(&c.attribute_id),
                        tr.date(day),
                        cell_text(&c.value),
                    ]
                })
                .collect(),
        })
        .collect();
    let total = computed.rows.len() as u64;
    let base = format!("{BASE}/reports/{id}");
    let view = ReportPage {
        layout: Layout::of(&person, Nav::Reports, computed.definition.name.clone()),
        id: id.clone(),
        name: computed.definition.name.clone(),
        description: computed.definition.description.clone(),
        period: tr.args(
            "report-period",
            &[
                ("name", tr.date(&computed.start)),
                ("value", tr.date(&computed.end)),
            ],
        ),
        headers,
        rows,
        count: tr.count("report-rows", total),
        previous: (page > 1).then(|| format!("{base}?page={}", page - 1)),
        next: (window.offset + window.limit < total).then(|| format!("{base}?page={}", page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Debug, Deserialize, Default)]
struct DownloadQuery {
    #[serde(default)]
    format: Option<String>,
}

/// `GET /console/reports/{id}/download?format=csv|jsonl`: every row.
async fn download(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
    Query(query): Query<DownloadQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let (format, extension, kind) = match query.format.as_deref() {
        Some("jsonl") => (
            ExportFormat::Jsonl,
            "jsonl",
            "application/jsonl; charset=utf-8",
        ),
        _ => (ExportFormat::Csv, "csv", "text/csv; charset=utf-8"),
    };
    let (report, company) = (id.clone(), person.actor.company.clone());
    let actor = person.actor.clone();
    let bytes = crate::blocking_cancellable(&s.app, move |app, cancel| {
        app.report(relais_app::Caller::User(&actor), &company, &report)?;
        let computed = app.compute_report(company.id, &report, cancel)?;
        let catalog = app.report_columns(relais_app::Caller::User(&actor), &company)?;
        let mut out = Vec::new();
        write_report(&computed, &catalog, format, &mut out, &mut || {}).map_err(|e| {
            relais_app::AppError::new(relais_app::ErrorKind::Internal, e.to_string())
        })?;
        Ok(out)
    })
    .await
    .map_err(|e| super::app_error(&person, &e))?;
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{id}.{extension}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
