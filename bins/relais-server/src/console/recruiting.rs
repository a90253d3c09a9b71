//! Recruiting: the company's job positions, the applications received
//! (newest change first, by cursor), one application with its phases and
//! files, and the files' download.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use relais_access::MarketplaceRight;
use serde::Deserialize;

use super::{BASE, Layout, Nav, PageResult, Person, encode, no_right, render, run};
use crate::Shared;

/// Applications a page shows.
const PAGE: usize = 50;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/recruiting"), get(jobs))
        .route(
            &format!("{BASE}/recruiting/applications"),
            get(applications),
        )
        .route(
            &format!("{BASE}/recruiting/applications/{{id}}"),
            get(application),
        )
        .route(
            &format!("{BASE}/recruiting/applications/{{id}}/files/{{file}}"),
            get(file),
        )
}

struct JobRow {
    id: i64,
    name: String,
    office: String,
    department: String,
    published: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "console/recruiting.html")]
struct JobsPage {
    layout: Layout,
    rows: Vec<JobRow>,
    company_number: i64,
    key_issued: Option<String>,
    feed_path: String,
    switches: String,
}

/// `GET /console/recruiting`: the job positions and the recruiting set-up.
async fn jobs(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let (jobs, overview) = run(&s, &person, move |app, by| {
        Ok((
            app.jobs(by, &company)?,
            app.recruiting_overview(by, &company)?,
        ))
    })
    .await?;
    let on_off = |on: bool| {
        tr.t(if on {
            "recruiting-on"
        } else {
            "recruiting-off"
        })
    };
    let view = JobsPage {
        layout: Layout::of(&person, Nav::Recruiting, tr.t("recruiting-title")),
        rows: jobs
            .iter()
            .map(|j| JobRow {
                id: j.id,
                name: j.draft.name.clone(),
                office: j.draft.office.clone(),
                department: j.draft.department.clone().unwrap_or_default(),
                published: j.draft.published,
                updated: tr.datetime(&j.updated_at),
            })
            .collect(),
        company_number: overview.company_id,
        key_issued: overview.key_issued_at.map(|at| tr.datetime(&at)),
        switches: format!(
            "{}: {} · {}: {} · {}: {}",
            tr.t("recruiting-switch-recruiting"),
            on_off(overview.enabled),
            tr.t("recruiting-switch-api"),
            on_off(overview.public_api),
            tr.t("recruiting-switch-feed"),
            on_off(overview.xml_feed),
        ),
        feed_path: overview.feed_path,
    };
    Ok(render(StatusCode::OK, &view))
}

struct ApplicationRowView {
    id: i64,
    date: String,
    candidate: String,
    email: String,
    job: String,
    phase: String,
    channel: String,
}

#[derive(Template)]
#[template(path = "console/applications.html")]
struct ApplicationsPage {
    layout: Layout,
    rows: Vec<ApplicationRowView>,
    next: Option<String>,
    first: bool,
}

#[derive(Debug, Deserialize, Default)]
struct CursorQuery {
    #[serde(default)]
    cursor: Option<String>,
}

/// `GET /console/recruiting/applications[?cursor=…]`.
async fn applications(
    State(s): State<Shared>,
    person: Person,
    Query(query): Query<CursorQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let cursor = query.cursor.filter(|c| !c.is_empty() && c.len() <= 64);
    let first = cursor.is_none();
    let page = run(&s, &person, move |app, by| {
        app.recruiting_applications(by, &company, PAGE, cursor.as_deref())
    })
    .await?;
    let rows = page
        .items
        .iter()
        .map(|r| ApplicationRowView {
            id: r.application.id,
            date: tr.date(&r.application.application_date),
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
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let view = ApplicationsPage {
        layout: Layout::of(&person, Nav::Recruiting, tr.t("applications-title")),
        rows,
        next: page
            .next
            .map(|c| format!("{BASE}/recruiting/applications?cursor={}", encode(&c))),
        first,
    };
    Ok(render(StatusCode::OK, &view))
}

struct TransitionView {
    when: String,
    phase: String,
}

struct FileView {
    href: String,
    name: String,
    category: String,
}

#[derive(Template)]
#[template(path = "console/application.html")]
struct ApplicationPage {
    layout: Layout,
    candidate: String,
    facts: Vec<(String, String)>,
    message: String,
    transitions: Vec<TransitionView>,
    files: Vec<FileView>,
}

/// `GET /console/recruiting/applications/{id}`.
async fn application(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    // A number that is not one is an application nobody has: the app says so.
    let number = id.parse::<i64>().unwrap_or(0);
    let tr = person.tr();
    let company = person.actor.company.clone();
    let (detail, setup) = run(&s, &person, move |app, by| {
        let detail = app.recruiting_application(by, &company, number)?;
        let setup = app.recruiting_overview(by, &company)?.setup;
        Ok((detail, setup))
    })
    .await?;
    let a = &detail.application;
    let candidate = detail
        .candidate
        .as_ref()
        .map(|c| format!("{} {}", c.first_name, c.last_name))
        .unwrap_or_default();
    let mut facts = vec![
        (tr.t("col-job"), detail.job_name.clone().unwrap_or_default()),
        (tr.t("col-phase"), detail.phase_name.clone()),
        (tr.t("col-date"), tr.date(&a.application_date)),
        (
            tr.t("col-channel"),
            a.channel_id
                .and_then(|c| setup.channel(c))
                .map(|c| c.name.clone())
                .unwrap_or_default(),
        ),
    ];
    if let Some(c) = &detail.candidate {
        facts.push((tr.t("col-email"), c.email.clone()));
        for (key, value) in [
            ("col-phone", c.details.phone.clone()),
            ("col-location", c.details.location.clone()),
            ("col-available-from", c.details.available_from.clone()),
            (
                "col-salary-expectations",
                c.details.salary_expectations.clone(),
            ),
        ] {
            if let Some(value) = value {
                facts.push((tr.t(key), value));
            }
        }
    }
    if !a.tags.is_empty() {
        facts.push((tr.t("col-tags"), a.tags.join(", ")));
    }
    for (name, value) in &a.attributes {
        let label = setup
            .attributes
            .iter()
            .find(|x| &x.api_name() == name)
            .map_or_else(|| name.clone(), |x| x.label.clone());
        facts.push((label, value.clone()));
    }
    let view = ApplicationPage {
        layout: Layout::of(&person, Nav::Recruiting, candidate.clone()),
        candidate,
        facts,
        message: a.message.clone().unwrap_or_default(),
        transitions: detail
            .transitions
            .iter()
            .map(|t| TransitionView {
                when: tr.datetime(&t.entered_at),
                phase: setup.phase_name(t.phase),
            })
            .collect(),
        files: a
            .files
            .iter()
            .map(|f| FileView {
                href: format!("{BASE}/recruiting/applications/{number}/files/{}", f.upload),
                name: f.original_filename.clone(),
                category: f.category.as_str().to_owned(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &view))
}

/// `GET /console/recruiting/applications/{id}/files/{file}`: the download.
async fn file(
    State(s): State<Shared>,
    person: Person,
    Path((id, file)): Path<(String, String)>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let number = id.parse::<i64>().unwrap_or(0);
    let file = uuid::Uuid::parse_str(&file).unwrap_or(uuid::Uuid::nil());
    let company = person.actor.company.clone();
    let (info, content) = run(&s, &person, move |app, by| {
        app.application_file(by, &company, number, file)
    })
    .await?;
    let mut response = content.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(value) = HeaderValue::from_str(&crate::attachment(&info.original_filename)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
