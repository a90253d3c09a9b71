//! The Tracking tab: a connection's sync runs (status, date, operations),
//! a run's page (summary, error and remote answer, per-employee entries
//! with filters), an entry's detail, the entries as CSV, and one
//! employee's history across runs.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use relais_access::MarketplaceRight;
use relais_store::{EntryFilter, StoredEntry, Window};
use relais_sync::{EntryStatus, RunStatus, SyncRun, UseCase};
use serde::Deserialize;

use super::connections::{reason, run_tag};
use super::i18n::Tr;
use super::marketplace::{logo, status_tag};
use super::{BASE, Layout, Nav, PageResult, Person, encode, no_right, render, run};
use crate::Shared;

/// Rows a page of runs or entries shows.
const PAGE: u64 = 25;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/connections/{{id}}/tracking"), get(runs))
        .route(
            &format!("{BASE}/connections/{{id}}/tracking/{{run}}"),
            get(run_page),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/tracking/{{run}}/entries.csv"),
            get(entries_csv),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/tracking/{{run}}/entries/{{entry}}"),
            get(entry_page),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/employees/{{employee}}"),
            get(employee_page),
        )
}

/// The header of a connection's pages (name, status, tabs):
/// `connection_head_partial.html` shows it.
pub(super) struct Head {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub logo: String,
    pub status: (String, String),
    pub reason: Option<String>,
    /// Whether the integration has a Tracking tab.
    pub tracking: bool,
    /// The current tab: `overview` or `tracking`.
    pub tab: &'static str,
}

async fn head(s: &Shared, person: &Person, id: &str) -> Result<Head, Response> {
    let tr = person.tr();
    let (connection, company) = (id.to_owned(), person.actor.company.clone());
    let view = run(s, person, move |app, by| {
        app.connection(by, &company, &connection)
    })
    .await?;
    let (initials, logo) = s
        .app
        .catalog()
        .get(&view.integration)
        .map_or_else(|| ("?".into(), "logo-4".into()), logo);
    Ok(Head {
        id: view.id.clone(),
        name: view.integration_name.clone(),
        initials,
        logo,
        status: status_tag(tr, view.status),
        reason: reason(tr, &view.state),
        tracking: true,
        tab: "tracking",
    })
}

fn operations(tr: Tr, run: &SyncRun) -> Vec<(String, u64, u64)> {
    UseCase::ALL
        .iter()
        .map(|u| {
            let done = run.counts.get(*u, EntryStatus::Success);
            let failed = run.counts.get(*u, EntryStatus::Failed);
            (tr.t(&format!("use-case-{}", u.as_str())), done, failed)
        })
        .collect()
}

pub(super) fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Running => "running",
        RunStatus::Completed => "completed",
        RunStatus::PartiallyCompleted => "partially_completed",
        RunStatus::Failed => "failed",
    }
}

struct RunRow {
    id: String,
    started: String,
    iso: String,
    status: (String, String),
    trigger: String,
    counts: Vec<(String, u64, u64)>,
    skipped: u64,
}

#[derive(Template)]
#[template(path = "console/tracking.html")]
struct RunsPage {
    layout: Layout,
    head: Head,
    rows: Vec<RunRow>,
    count: String,
    filter_status: String,
    filter_from: String,
    filter_to: String,
    statuses: Vec<(String, String)>,
    previous: Option<String>,
    next: Option<String>,
    filtered: bool,
    error: Option<String>,
    operation_labels: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
struct RunsQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

fn parse_day(text: Option<&str>) -> Result<Option<NaiveDate>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| t.to_owned()),
    }
}

fn page_number(text: Option<&str>) -> u64 {
    text.and_then(|p| p.parse::<u64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1)
}

/// `GET /console/connections/{id}/tracking[?status&from&to&page]`.
async fn runs(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
    Query(query): Query<RunsQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let _ = query.notice;
    let head = head(&s, &person, &id).await?;
    let mut error = None;
    let status = query
        .status
        .as_deref()
        .filter(|st| !st.is_empty())
        .and_then(|st| {
            let parsed =
                serde_json::from_value::<RunStatus>(serde_json::Value::String(st.to_owned())).ok();
            if parsed.is_none() {
                error = Some(tr.t1("filter-bad-status", "value", st));
            }
            parsed
        });
    let mut day = |text: Option<&str>, time: NaiveTime| match parse_day(text) {
        Ok(d) => d.map(|d| d.and_time(time).and_utc()),
        Err(bad) => {
            error = Some(tr.t1("filter-bad-date", "value", &bad));
            None
        }
    };
    let from: Option<DateTime<Utc>> = day(query.from.as_deref(), NaiveTime::MIN);
    let to: Option<DateTime<Utc>> = day(
        query.to.as_deref(),
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
    );
    let page = page_number(query.page.as_deref());
    let window = Window::page(page, PAGE).unwrap_or(Window {
        offset: 0,
        limit: PAGE,
    });
    let (connection, company) = (id.clone(), person.actor.company.clone());
    let found = run(&s, &person, move |app, by| {
        app.sync_runs(by, &company, &connection, status, from, to, window)
    })
    .await?;
    let link = |p: u64| {
        format!(
            "{BASE}/connections/{id}/tracking?status={}&from={}&to={}&page={p}",
            encode(query.status.as_deref().unwrap_or_default()),
            encode(query.from.as_deref().unwrap_or_default()),
            encode(query.to.as_deref().unwrap_or_default())
        )
    };
    let rows = found
        .rows
        .iter()
        .map(|r| RunRow {
            id: r.id.to_string(),
            started: tr.datetime(&r.started_at),
            iso: tr.iso(&r.started_at),
            status: run_tag(tr, status_name(r.status)),
            trigger: tr.t(&format!(
                "trigger-{}",
                serde_json::to_value(r.trigger)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )),
            counts: operations(tr, r),
            skipped: r.counts.with_status(EntryStatus::Skipped),
        })
        .collect();
    let page_view = RunsPage {
        layout: Layout::of(
            &person,
            Nav::Connections,
            tr.t1("tracking-title", "name", &head.name),
        ),
        head,
        rows,
        count: tr.count("tracking-count", found.total),
        filter_status: query.status.clone().unwrap_or_default(),
        filter_from: query.from.clone().unwrap_or_default(),
        filter_to: query.to.clone().unwrap_or_default(),
        statuses: ["completed", "partially_completed", "failed", "running"]
            .iter()
            .map(|st| ((*st).to_owned(), tr.t(&format!("run-{st}"))))
            .collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (window.offset + window.limit < found.total).then(|| link(page + 1)),
        filtered: status.is_some() || from.is_some() || to.is_some(),
        error,
        operation_labels: UseCase::ALL
            .iter()
            .map(|u| tr.t(&format!("use-case-{}", u.as_str())))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page_view))
}

struct EntryRow {
    id: i64,
    at: String,
    iso: String,
    employee_id: i64,
    employee: String,
    /// The department or team of an entry about a group, as shown.
    group: Option<String>,
    use_case: String,
    status: (String, String),
    message: String,
}

fn entry_tag(tr: Tr, status: EntryStatus) -> (String, String) {
    let class = match status {
        EntryStatus::Success => "ok",
        EntryStatus::Failed => "bad",
        EntryStatus::Skipped => "",
    };
    (
        tr.t(&format!("entry-{}", status.as_str())),
        class.to_owned(),
    )
}

async fn names(
    s: &Shared,
    person: &Person,
    entries: &[StoredEntry],
) -> Result<std::collections::HashMap<i64, String>, Response> {
    let ids: Vec<i64> = entries.iter().map(|e| e.entry.employee_id).collect();
    let company = person.actor.company.clone();
    run(s, person, move |app, by| {
        app.employee_names(by, &company, &ids)
    })
    .await
}

/// "Department Engineering", "Team Platform".
fn group_label(tr: Tr, group: &relais_sync::SyncGroup) -> String {
    tr.t1(
        &format!("group-{}", group.kind.as_str()),
        "name",
        group.name.as_str(),
    )
}

fn entry_rows(
    tr: Tr,
    entries: &[StoredEntry],
    names: &std::collections::HashMap<i64, String>,
) -> Vec<EntryRow> {
    entries
        .iter()
        .map(|e| EntryRow {
            id: e.id,
            at: tr.datetime(&e.entry.at),
            iso: tr.iso(&e.entry.at),
            employee_id: e.entry.employee_id,
            employee: names.get(&e.entry.employee_id).cloned().unwrap_or_default(),
            group: e.entry.group.as_ref().map(|g| group_label(tr, g)),
            use_case: tr.t(&format!("use-case-{}", e.entry.use_case.as_str())),
            status: entry_tag(tr, e.entry.status),
            message: e.entry.message.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "console/run.html")]
struct RunPage {
    layout: Layout,
    head: Head,
    run_id: String,
    run_status: (String, String),
    running: bool,
    started: String,
    finished: Option<String>,
    duration: Option<String>,
    trigger: String,
    cycle: String,
    counts: Vec<(String, u64, u64)>,
    skipped: u64,
    staged: u64,
    notice: Option<String>,
    error: Option<String>,
    response: Option<(u16, String)>,
    entries: Vec<EntryRow>,
    entry_count: String,
    filter_status: String,
    filter_use_case: String,
    filter_employee: String,
    entry_statuses: Vec<(String, String)>,
    use_cases: Vec<(String, String)>,
    previous: Option<String>,
    next: Option<String>,
    csv_link: String,
    filter_error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct EntriesQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    use_case: Option<String>,
    #[serde(default)]
    employee: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

impl EntriesQuery {
    fn filter(&self, tr: Tr) -> (EntryFilter, Option<String>) {
        let mut error = None;
        let mut filter = EntryFilter::default();
        if let Some(st) = self.status.as_deref().filter(|s| !s.is_empty()) {
            filter.status = serde_json::from_value(serde_json::Value::String(st.to_owned())).ok();
            if filter.status.is_none() {
                error = Some(tr.t1("filter-bad-status", "value", st));
            }
        }
        if let Some(u) = self.use_case.as_deref().filter(|s| !s.is_empty()) {
            filter.use_case = serde_json::from_value(serde_json::Value::String(u.to_owned())).ok();
            if filter.use_case.is_none() {
                error = Some(tr.t1("filter-bad-use-case", "value", u));
            }
        }
        if let Some(e) = self
            .employee
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            filter.employee_id = e.parse::<i64>().ok().filter(|id| *id > 0);
            if filter.employee_id.is_none() {
                error = Some(tr.t1("filter-bad-employee", "value", e));
            }
        }
        (filter, error)
    }

    fn link(&self, base: &str, page: u64) -> String {
        format!(
            "{base}?status={}&use_case={}&employee={}&page={page}",
            encode(self.status.as_deref().unwrap_or_default()),
            encode(self.use_case.as_deref().unwrap_or_default()),
            encode(self.employee.as_deref().unwrap_or_default())
        )
    }
}

fn duration(tr: Tr, run: &SyncRun) -> Option<String> {
    let finished = run.finished_at?;
    let seconds = (finished - run.started_at).num_seconds().max(0);
    Some(if seconds < 60 {
        tr.count("duration-seconds", u64::try_from(seconds).unwrap_or(0))
    } else {
        tr.count("duration-minutes", u64::try_from(seconds / 60).unwrap_or(0))
    })
}

async fn load_run(
    s: &Shared,
    person: &Person,
    id: &str,
    run_id: &str,
) -> Result<SyncRun, Response> {
    let (wanted, company, connection) = (
        run_id.to_owned(),
        person.actor.company.clone(),
        id.to_owned(),
    );
    let found = run(s, person, move |app, by| {
        app.sync_run(by, &company, &wanted)
    })
    .await?;
    if found.connection_id.to_string() != connection {
        return Err(super::app_error(
            person,
            &relais_app::AppError::new(
                relais_app::ErrorKind::NotFound,
                format!("no sync run {run_id}"),
            ),
        ));
    }
    Ok(found)
}

/// `GET /console/connections/{id}/tracking/{run}[?status&use_case&employee&page]`.
async fn run_page(
    State(s): State<Shared>,
    person: Person,
    Path((id, run_id)): Path<(String, String)>,
    Query(query): Query<EntriesQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let head = head(&s, &person, &id).await?;
    let sync_run = load_run(&s, &person, &id, &run_id).await?;
    let (filter, filter_error) = query.filter(tr);
    let page = page_number(query.page.as_deref());
    let window = Window::page(page, PAGE).unwrap_or(Window {
        offset: 0,
        limit: PAGE,
    });
    let (wanted, company, f) = (run_id.clone(), person.actor.company.clone(), filter.clone());
    let entries = run(&s, &person, move |app, by| {
        app.sync_entries(by, &company, &wanted, &f, window)
    })
    .await?;
    let names = names(&s, &person, &entries.rows).await?;
    let base = format!("{BASE}/connections/{id}/tracking/{run_id}");
    let view = RunPage {
        layout: Layout::of(
            &person,
            Nav::Connections,
            tr.t1("run-title", "when", tr.datetime(&sync_run.started_at)),
        ),
        head,
        run_id: run_id.clone(),
        run_status: run_tag(tr, status_name(sync_run.status)),
        running: sync_run.status == RunStatus::Running,
        started: tr.datetime(&sync_run.started_at),
        finished: sync_run.finished_at.map(|f| tr.datetime(&f)),
        duration: duration(tr, &sync_run),
        trigger: tr.t(&format!(
            "trigger-{}",
            serde_json::to_value(sync_run.trigger)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )),
        cycle: tr.t(&format!(
            "cycle-{}",
            serde_json::to_value(sync_run.cycle)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )),
        counts: operations(tr, &sync_run),
        skipped: sync_run.counts.with_status(EntryStatus::Skipped),
        staged: sync_run.staged,
        notice: sync_run.notice.clone(),
        error: sync_run.error.as_ref().map(|e| e.message.clone()),
        response: sync_run
            .error
            .as_ref()
            .and_then(|e| e.response.as_ref())
            .map(|r| (r.status, r.body.clone())),
        entries: entry_rows(tr, &entries.rows, &names),
        entry_count: tr.count("entries-count", entries.total),
        filter_status: query.status.clone().unwrap_or_default(),
        filter_use_case: query.use_case.clone().unwrap_or_default(),
        filter_employee: query.employee.clone().unwrap_or_default(),
        entry_statuses: [
            EntryStatus::Success,
            EntryStatus::Failed,
            EntryStatus::Skipped,
        ]
        .iter()
        .map(|st| {
            (
                st.as_str().to_owned(),
                tr.t(&format!("entry-{}", st.as_str())),
            )
        })
        .collect(),
        use_cases: UseCase::ALL
            .iter()
            .map(|u| {
                (
                    u.as_str().to_owned(),
                    tr.t(&format!("use-case-{}", u.as_str())),
                )
            })
            .collect(),
        previous: (page > 1).then(|| query.link(&base, page - 1)),
        next: (window.offset + window.limit < entries.total).then(|| query.link(&base, page + 1)),
        csv_link: format!(
            "{base}/entries.csv?status={}&use_case={}&employee={}",
            encode(query.status.as_deref().unwrap_or_default()),
            encode(query.use_case.as_deref().unwrap_or_default()),
            encode(query.employee.as_deref().unwrap_or_default())
        ),
        filter_error,
    };
    Ok(render(StatusCode::OK, &view))
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) starts with `'` instead: messages and responses
/// come from remote systems, and this file is opened in spreadsheets.
fn inert(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// `GET …/tracking/{run}/entries.csv`: the run's entries (with the page's
/// filters) as CSV, every one of them. Streamed a thousand entries at a
/// time (keyset paging, so each costs the same): memory stays small
/// whatever the run's size, and a client that goes away stops the work.
async fn entries_csv(
    State(s): State<Shared>,
    person: Person,
    Path((id, run_id)): Path<(String, String)>,
    Query(query): Query<EntriesQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    load_run(&s, &person, &id, &run_id).await?;
    let (filter, _) = query.filter(tr);
    let (wanted, actor, app) = (run_id.clone(), person.actor.clone(), s.app.clone());
    let (sender, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    relais_app::spawn_blocking(move || {
        let by = relais_app::Caller::User(&actor);
        let company = &actor.company;
        let header = [
            "date",
            "employee_id",
            "employee",
            "use_case",
            "status",
            "message",
            "response_status",
            "response_body",
            "group",
            "group_name",
        ];
        let mut chunk = csv::Writer::from_writer(Vec::new());
        let mut after = None;
        let mut written = chunk.write_record(header);
        while written.is_ok() {
            let page = app
                .sync_entries(
                    by,
                    company,
                    &wanted,
                    &EntryFilter {
                        after_id: after,
                        ..filter.clone()
                    },
                    Window {
                        offset: 0,
                        limit: 1000,
                    },
                )
                .and_then(|found| {
                    let ids: Vec<i64> = found.rows.iter().map(|e| e.entry.employee_id).collect();
                    Ok((app.employee_names(by, company, &ids)?, found.rows))
                });
            let Ok((names, rows)) = page else {
                let _ = sender.blocking_send(Err(std::io::Error::other("cannot read the entries")));
                return;
            };
            for e in &rows {
                let response = e.entry.response.as_ref();
                written = written.and_then(|()| {
                    chunk.write_record([
                        e.entry.at.to_rfc3339(),
                        match e.entry.group {
                            Some(_) => String::new(),
                            None => e.entry.employee_id.to_string(),
                        },
                        inert(names.get(&e.entry.employee_id).cloned().unwrap_or_default()),
                        e.entry.use_case.as_str().to_owned(),
                        e.entry.status.as_str().to_owned(),
                        inert(e.entry.message.clone()),
                        response.map(|r| r.status.to_string()).unwrap_or_default(),
                        inert(response.map(|r| r.body.clone()).unwrap_or_default()),
                        e.entry.group.as_ref().map(|g| g.key()).unwrap_or_default(),
                        inert(
                            e.entry
                                .group
                                .as_ref()
                                .map(|g| g.name.clone())
                                .unwrap_or_default(),
                        ),
                    ])
                });
            }
            let bytes = chunk
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()));
            // The client went away: nobody reads the rest.
            if sender.blocking_send(bytes).is_err() || rows.len() < 1000 {
                return;
            }
            after = rows.last().map(|e| e.id);
            chunk = csv::Writer::from_writer(Vec::new());
        }
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"run-{run_id}-entries.csv\""),
            ),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "console/entry.html")]
struct EntryPage {
    layout: Layout,
    head: Head,
    run_id: String,
    run_started: String,
    entry: EntryRow,
    changes: Vec<(String, String, String)>,
    response: Option<(u16, String)>,
}

/// `GET …/tracking/{run}/entries/{entry}`: an entry's detail.
async fn entry_page(
    State(s): State<Shared>,
    person: Person,
    Path((id, run_id, entry_id)): Path<(String, String, String)>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let head = head(&s, &person, &id).await?;
    let sync_run = load_run(&s, &person, &id, &run_id).await?;
    let missing = || {
        super::app_error(
            &person,
            &relais_app::AppError::new(
                relais_app::ErrorKind::NotFound,
                format!("no entry {entry_id}"),
            ),
        )
    };
    let wanted = entry_id.parse::<i64>().map_err(|_| missing())?;
    let (company, run_key) = (person.actor.company.clone(), run_id.clone());
    let found = run(&s, &person, move |app, by| {
        app.sync_entries(
            by,
            &company,
            &run_key,
            &EntryFilter {
                id: Some(wanted),
                ..EntryFilter::default()
            },
            Window {
                offset: 0,
                limit: 1,
            },
        )
    })
    .await?;
    let Some(stored) = found.rows.into_iter().next() else {
        return Err(missing());
    };
    let names = names(&s, &person, std::slice::from_ref(&stored)).await?;
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "–".to_owned(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let view = EntryPage {
        layout: Layout::of(
            &person,
            Nav::Connections,
            match &stored.entry.group {
                Some(group) => tr.t1("entry-group-title", "name", group.name.as_str()),
                None => tr.t1("entry-title", "id", stored.entry.employee_id),
            },
        ),
        head,
        run_id,
        run_started: tr.datetime(&sync_run.started_at),
        changes: stored
            .entry
            .changes
            .iter()
            .map(|c| (c.attribute.clone(), value(&c.old), value(&c.new)))
            .collect(),
        response: stored
            .entry
            .response
            .as_ref()
            .map(|r| (r.status, r.body.clone())),
        entry: entry_rows(tr, std::slice::from_ref(&stored), &names)
            .into_iter()
            .next()
            .ok_or_else(missing)?,
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "console/employee.html")]
struct EmployeePage {
    layout: Layout,
    head: Head,
    employee: String,
    employee_id: i64,
    /// Whether the person may provision this employee now (edit right, a
    /// Connected connection whose syncs Relais runs).
    can_provision: bool,
    entries: Vec<(EntryRow, String)>,
    count: String,
    previous: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<String>,
}

/// `GET /console/connections/{id}/employees/{employee}`: one employee's
/// entries across the connection's runs, newest first.
async fn employee_page(
    State(s): State<Shared>,
    person: Person,
    Path((id, employee)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let head = head(&s, &person, &id).await?;
    let employee_id = employee
        .parse::<i64>()
        .ok()
        .filter(|e| *e > 0)
        .ok_or_else(|| {
            super::app_error(
                &person,
                &relais_app::AppError::new(
                    relais_app::ErrorKind::NotFound,
                    format!("no employee {employee}"),
                ),
            )
        })?;
    let page = page_number(query.page.as_deref());
    let window = Window::page(page, PAGE).unwrap_or(Window {
        offset: 0,
        limit: PAGE,
    });
    let (connection, company) = (id.clone(), person.actor.company.clone());
    let found = run(&s, &person, move |app, by| {
        app.employee_sync_entries(by, &company, &connection, employee_id, window)
    })
    .await?;
    let names = names(&s, &person, &found.rows).await?;
    let rows = entry_rows(tr, &found.rows, &names)
        .into_iter()
        .zip(found.rows.iter().map(|e| e.run_id.to_string()))
        .collect();
    let base = format!("{BASE}/connections/{id}/employees/{employee_id}");
    let can_provision = person.can_edit() && {
        let (connection, company) = (id.clone(), person.actor.company.clone());
        let view = run(&s, &person, move |app, by| {
            app.connection(by, &company, &connection)
        })
        .await?;
        view.sync.sync_now && view.status == "connected"
    };
    let view = EmployeePage {
        layout: Layout::of(
            &person,
            Nav::Connections,
            tr.t1("employee-history-title", "id", employee_id),
        ),
        head,
        employee: names.get(&employee_id).cloned().unwrap_or_default(),
        employee_id,
        can_provision,
        entries: rows,
        count: tr.count("entries-count", found.total),
        previous: (page > 1).then(|| format!("{base}?page={}", page - 1)),
        next: (window.offset + window.limit < found.total)
            .then(|| format!("{base}?page={}", page + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}
