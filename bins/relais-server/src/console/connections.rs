//! Connecting an integration through its setup wizard, the "Connected
//! integrations" list, and a connection's page (status, actions, audit
//! trail).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use relais_access::MarketplaceRight;
use relais_app::{ConnectionChange, ConnectionView, ErrorKind, FieldProblem, PartnerCredential};
use relais_catalog::{FieldInput, Integration, WizardStep};
use relais_connections::{ConnectionState, InactiveReason, PendingReason};
use serde::Deserialize;
use serde_json::Value;

use super::i18n::Tr;
use super::marketplace::{logo, status_tag};
use super::{
    BASE, Form, Layout, Nav, PageResult, Person, app_error, no_right, render, run, see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(
            &format!("{BASE}/marketplace/{{slug}}/connect"),
            get(connect_page).post(start),
        )
        .route(&format!("{BASE}/connections"), get(list))
        .route(&format!("{BASE}/connections/{{id}}"), get(show))
        .route(
            &format!("{BASE}/connections/{{id}}/wizard"),
            get(wizard_page),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/wizard/{{step}}"),
            post(submit_step),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/complete"),
            post(complete),
        )
        .route(&format!("{BASE}/connections/{{id}}/sync"), post(sync_now))
        .route(
            &format!("{BASE}/connections/{{id}}/provision"),
            post(provision),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/deactivate"),
            post(deactivate),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/reactivate"),
            post(reactivate),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/schedule"),
            post(set_schedule),
        )
        .route(
            &format!("{BASE}/connections/{{id}}/disconnect"),
            get(disconnect_page).post(disconnect),
        )
}

/// Why a connection is Pending or Inactive, in words.
pub(super) fn reason(tr: Tr, state: &ConnectionState) -> Option<String> {
    match state {
        ConnectionState::Pending {
            reason: PendingReason::WizardInProgress,
        } => Some(tr.t("reason-wizard")),
        ConnectionState::Pending {
            reason: PendingReason::AwaitingPartnerActivation,
        } => Some(tr.t("reason-partner")),
        ConnectionState::Inactive {
            reason: InactiveReason::DeactivatedByAdmin { reason },
        } => Some(tr.t1("reason-deactivated", "what", reason)),
        ConnectionState::Inactive {
            reason: InactiveReason::CredentialRevoked,
        } => Some(tr.t("reason-credential-revoked")),
        ConnectionState::Inactive {
            reason: InactiveReason::AuthFailuresExceeded,
        } => Some(tr.t("reason-auth-failures")),
        ConnectionState::Inactive {
            reason: InactiveReason::FailingTooLong { days },
        } => Some(tr.t1("reason-failing-too-long", "days", days)),
        ConnectionState::Connected | ConnectionState::Disconnected => None,
    }
}

/// Who runs a connection's syncs, in words.
pub(super) fn who_runs_sync(tr: Tr, runner: &relais_app::setup::SyncRunner) -> String {
    use relais_app::setup::SyncRunner;
    match runner {
        SyncRunner::Relais => tr.t("sync-run-by-relais"),
        SyncRunner::Partner => tr.t("sync-run-by-partner"),
        SyncRunner::NotBuilt => tr.t("sync-not-built"),
        SyncRunner::NoTracking => String::new(),
    }
}

/// A run's status as its tag.
pub(super) fn run_tag(tr: Tr, status: &str) -> (String, String) {
    let class = match status {
        "completed" => "ok",
        "partially_completed" => "warn",
        "failed" => "bad",
        _ => "info",
    };
    (tr.t(&format!("run-{status}")), class.to_owned())
}

fn company(person: &Person) -> relais_access::Company {
    person.actor.company.clone()
}

// ----- Connect: the setup wizard ----------------------------------------------

#[derive(Template)]
#[template(path = "console/connect_start.html")]
struct StartPage {
    layout: Layout,
    slug: String,
    name: String,
    initials: String,
    logo: String,
    permissions: Vec<String>,
    steps: Vec<String>,
    partner: bool,
}

/// `GET /console/marketplace/{slug}/connect`: what connecting means (the
/// data it reads, the steps), or the wizard where it was left.
async fn connect_page(
    State(s): State<Shared>,
    person: Person,
    Path(slug): Path<String>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    let (wanted, company) = (slug.clone(), company(&person));
    let (integration, existing) = run(&s, &person, move |app, by| {
        let integration = app.integration(&wanted)?;
        let existing = app
            .connections(by, &company, None)?
            .into_iter()
            .find(|c| c.integration == wanted);
        Ok((integration, existing))
    })
    .await?;
    if let Some(existing) = existing {
        let target = if existing.status == "pending" && !existing.wizard.complete {
            format!("{BASE}/connections/{}/wizard", existing.id)
        } else {
            format!("{BASE}/connections/{}", existing.id)
        };
        return Ok(see_other(&target));
    }
    let (initials, logo) = logo(&integration);
    let page = StartPage {
        layout: Layout::of(
            &person,
            Nav::Marketplace,
            tr.t1("connect-title", "name", &integration.name),
        ),
        slug,
        initials,
        logo,
        permissions: integration
            .permissions
            .iter()
            .map(|p| {
                format!(
                    "{}: {}",
                    tr.t(&format!("api-{}", p.api.as_str())),
                    tr.t(&format!("access-{}", p.access))
                )
            })
            .collect(),
        steps: integration
            .wizard
            .steps
            .iter()
            .map(|s| s.title.clone())
            .collect(),
        partner: integration.wizard.needs_partner_activation && integration.partner().is_some(),
        name: integration.name,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /console/marketplace/{slug}/connect`: starts the connection (Pending)
/// and opens its first step.
async fn start(State(s): State<Shared>, Path(slug): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = company(&person);
    let started = run(&s, &person, move |app, by| {
        app.start_connection(by, &company, &slug)
    })
    .await?;
    Ok(see_other(&format!(
        "{BASE}/connections/{}/wizard",
        started.id
    )))
}

/// One input of a wizard step, ready to render.
struct FieldView {
    key: String,
    label: String,
    help: Option<String>,
    kind: &'static str,
    required: bool,
    value: String,
    checked: bool,
    options: Vec<(String, String, bool)>,
    error: Option<String>,
    max_length: usize,
    secret_set: bool,
}

#[derive(Template)]
#[template(path = "console/connect_step.html")]
struct StepPage {
    layout: Layout,
    connection: String,
    slug: String,
    name: String,
    steps: Vec<(String, String, &'static str)>,
    step_id: String,
    step_title: String,
    step_description: Option<String>,
    fields: Vec<FieldView>,
    errors: Vec<FieldProblem>,
    general_error: Option<String>,
    previous: Option<String>,
}

#[derive(Template)]
#[template(path = "console/connect_review.html")]
struct ReviewPage {
    layout: Layout,
    connection: String,
    slug: String,
    name: String,
    steps: Vec<(String, String, &'static str)>,
    answers: Vec<ReviewStep>,
    partner: bool,
    error: Option<String>,
}

struct ReviewStep {
    id: String,
    title: String,
    rows: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct StepQuery {
    #[serde(default)]
    step: Option<String>,
}

/// The steps as the stepper shows them: (id, title, state) with state
/// `done`, `current` or `todo`; the review is the last.
fn stepper(
    tr: Tr,
    integration: &Integration,
    view: &ConnectionView,
    current: &str,
) -> Vec<(String, String, &'static str)> {
    let mut steps: Vec<_> = integration
        .wizard
        .steps
        .iter()
        .map(|s| {
            let answered = view.wizard.steps.iter().any(|v| v.id == s.id && v.answered);
            let state = if s.id == current {
                "current"
            } else if answered {
                "done"
            } else {
                "todo"
            };
            (s.id.clone(), s.title.clone(), state)
        })
        .collect();
    steps.push((
        "review".into(),
        tr.t("wizard-review"),
        if current == "review" {
            "current"
        } else {
            "todo"
        },
    ));
    steps
}

fn field_views(
    step: &WizardStep,
    view: &ConnectionView,
    typed: Option<&super::PlainForm>,
    errors: &[FieldProblem],
) -> Vec<FieldView> {
    let answers: BTreeMap<String, Value> = view
        .wizard
        .steps
        .iter()
        .find(|s| s.id == step.id)
        .map(|s| s.answers.clone())
        .unwrap_or_default();
    step.fields
        .iter()
        .map(|f| {
            let stored = answers.get(&f.key);
            let secret_set = stored.is_some_and(|v| v.get("secret").is_some());
            // Typed values come back after an error; secrets never do.
            let typed_value = typed.and_then(|t| t.get(&f.key)).map(str::to_owned);
            let stored_text = stored.and_then(Value::as_str).map(str::to_owned);
            let value = match f.input {
                FieldInput::Secret => String::new(),
                _ => typed_value.clone().or(stored_text).unwrap_or_default(),
            };
            let checked = match typed {
                Some(t) => t.get(&f.key).is_some(),
                None => stored.and_then(Value::as_bool).unwrap_or(false),
            };
            let kind = match &f.input {
                FieldInput::Text => "text",
                FieldInput::Secret => "password",
                FieldInput::Url => "url",
                FieldInput::Select { .. } => "select",
                FieldInput::Checkbox => "checkbox",
            };
            let options = match &f.input {
                FieldInput::Select { options } => options
                    .iter()
                    .map(|o| (o.value.clone(), o.label.clone(), o.value == value))
                    .collect(),
                _ => Vec::new(),
            };
            FieldView {
                key: f.key.clone(),
                label: f.label.clone(),
                help: f.help.clone(),
                kind,
                required: f.required,
                value,
                checked,
                options,
                error: errors
                    .iter()
                    .find(|e| e.field == f.key)
                    .map(|e| e.message.clone()),
                max_length: f
                    .validation
                    .as_ref()
                    .and_then(|v| v.max_length)
                    .map_or(relais_access::limits::TEXT, |m| m as usize),
                secret_set,
            }
        })
        .collect()
}

async fn load(
    s: &Shared,
    person: &Person,
    id: &str,
) -> Result<(ConnectionView, Integration), Response> {
    let (id, company) = (id.to_owned(), company(person));
    run(s, person, move |app, by| {
        let view = app.connection(by, &company, &id)?;
        let integration = app.integration(&view.integration)?;
        Ok((view, integration))
    })
    .await
}

/// `GET /console/connections/{id}/wizard[?step=…]`: a step (the first
/// unanswered one by default), or the review when all are answered.
async fn wizard_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
    Query(query): Query<StepQuery>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (view, integration) = load(&s, &person, &id).await?;
    if view.status != "pending"
        || view.state
            != (ConnectionState::Pending {
                reason: PendingReason::WizardInProgress,
            })
    {
        return Ok(see_other(&format!("{BASE}/connections/{id}")));
    }
    let wanted = query.step.or_else(|| view.wizard.next_step.clone());
    match wanted
        .as_deref()
        .and_then(|w| integration.wizard.steps.iter().find(|s| s.id == w))
    {
        Some(step) => Ok(render(
            StatusCode::OK,
            &step_page(&person, &view, &integration, step, None, &[], None),
        )),
        None => Ok(render(
            StatusCode::OK,
            &review_page(&person, &view, &integration, None),
        )),
    }
}

fn step_page(
    person: &Person,
    view: &ConnectionView,
    integration: &Integration,
    step: &WizardStep,
    typed: Option<&super::PlainForm>,
    errors: &[FieldProblem],
    general_error: Option<String>,
) -> StepPage {
    let tr = person.tr();
    let at = integration
        .wizard
        .steps
        .iter()
        .position(|s| s.id == step.id)
        .unwrap_or(0);
    StepPage {
        layout: Layout::of(
            person,
            Nav::Marketplace,
            tr.args(
                "wizard-step-title",
                &[
                    ("name", integration.name.clone()),
                    ("step", step.title.clone()),
                ],
            ),
        ),
        connection: view.id.clone(),
        slug: integration.slug.clone(),
        name: integration.name.clone(),
        steps: stepper(tr, integration, view, &step.id),
        step_id: step.id.clone(),
        step_title: step.title.clone(),
        step_description: step.description.clone(),
        fields: field_views(step, view, typed, errors),
        // The summary names fields as their labels read.
        errors: errors
            .iter()
            .map(|e| FieldProblem {
                field: e.field.clone(),
                message: format!(
                    "{}: {}",
                    step.fields
                        .iter()
                        .find(|f| f.key == e.field)
                        .map_or(e.field.as_str(), |f| f.label.as_str()),
                    e.message
                ),
            })
            .collect(),
        general_error,
        previous: at
            .checked_sub(1)
            .and_then(|p| integration.wizard.steps.get(p))
            .map(|p| format!("{BASE}/connections/{}/wizard?step={}", view.id, p.id)),
    }
}

fn review_page(
    person: &Person,
    view: &ConnectionView,
    integration: &Integration,
    error: Option<String>,
) -> ReviewPage {
    let tr = person.tr();
    let answers = integration
        .wizard
        .steps
        .iter()
        .map(|step| {
            let stored = view
                .wizard
                .steps
                .iter()
                .find(|s| s.id == step.id)
                .map(|s| s.answers.clone())
                .unwrap_or_default();
            ReviewStep {
                id: step.id.clone(),
                title: step.title.clone(),
                rows: step
                    .fields
                    .iter()
                    .map(|f| {
                        let shown = match stored.get(&f.key) {
                            None => tr.t("wizard-not-given"),
                            Some(v) if v.get("secret").is_some() => tr.t("wizard-secret-set"),
                            Some(Value::Bool(true)) => tr.t("yes"),
                            Some(Value::Bool(false)) => tr.t("no"),
                            Some(Value::String(text)) => match &f.input {
                                FieldInput::Select { options } => options
                                    .iter()
                                    .find(|o| &o.value == text)
                                    .map_or_else(|| text.clone(), |o| o.label.clone()),
                                _ => text.clone(),
                            },
                            Some(other) => other.to_string(),
                        };
                        (f.label.clone(), shown)
                    })
                    .collect(),
            }
        })
        .collect();
    ReviewPage {
        layout: Layout::of(
            person,
            Nav::Marketplace,
            tr.t1("wizard-review-title", "name", &integration.name),
        ),
        connection: view.id.clone(),
        slug: integration.slug.clone(),
        name: integration.name.clone(),
        steps: stepper(tr, integration, view, "review"),
        answers,
        partner: integration.wizard.needs_partner_activation && integration.partner().is_some(),
        error,
    }
}

/// The answers of a step as the wizard's JSON: text as text, a ticked box as
/// `true`; an empty input is left out (the domain calls it missing).
fn answers_of(step: &WizardStep, form: &super::PlainForm) -> serde_json::Map<String, Value> {
    let mut map = serde_json::Map::new();
    for field in &step.fields {
        match field.input {
            FieldInput::Checkbox => {
                if form.get(&field.key).is_some() {
                    map.insert(field.key.clone(), Value::Bool(true));
                }
            }
            _ => {
                if let Some(value) = form.get(&field.key).filter(|v| !v.is_empty()) {
                    map.insert(field.key.clone(), Value::String(value.to_owned()));
                }
            }
        }
    }
    map
}

/// `POST /console/connections/{id}/wizard/{step}`: answers a step; on to
/// the next step, or the same step again with every problem named.
async fn submit_step(
    State(s): State<Shared>,
    Path((id, step_id)): Path<(String, String)>,
    form: Form,
) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (view, integration) = load(&s, &person, &id).await?;
    let Some(step) = integration
        .wizard
        .steps
        .iter()
        .find(|st| st.id == step_id)
        .cloned()
    else {
        return Err(app_error(
            &person,
            &relais_app::AppError::new(ErrorKind::NotFound, format!("no step {step_id}")),
        ));
    };
    let answers = answers_of(&step, &form.fields);
    let (connection, company, which) = (id.clone(), company(&person), step_id.clone());
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.submit_wizard_step(
            relais_app::Caller::User(&actor),
            &company,
            &connection,
            &which,
            &answers,
        )
    })
    .await;
    match result {
        Ok(updated) => {
            let next = updated
                .wizard
                .steps
                .iter()
                .skip_while(|v| v.id != step_id)
                .skip(1)
                .find(|v| !v.answered)
                .map(|v| v.id.clone())
                .or(updated.wizard.next_step.clone());
            Ok(see_other(&match next {
                Some(next) => format!("{BASE}/connections/{id}/wizard?step={next}"),
                None => format!("{BASE}/connections/{id}/wizard"),
            }))
        }
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let (fields, general) = if e.fields().is_empty() {
                (Vec::new(), Some(e.to_string()))
            } else {
                (e.fields().to_vec(), None)
            };
            Ok(render(
                StatusCode::BAD_REQUEST,
                &step_page(
                    &person,
                    &view,
                    &integration,
                    &step,
                    Some(&form.fields),
                    &fields,
                    general,
                ),
            ))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

#[derive(Template)]
#[template(path = "console/connect_done.html")]
struct DonePage {
    layout: Layout,
    connection: String,
    status: (String, String),
    pending: bool,
    partner: Option<PartnerCredential>,
    tracking: bool,
}

fn done_page(person: &Person, change: &ConnectionChange, tracking: bool) -> Response {
    let tr = person.tr();
    let view = &change.connection;
    render(
        StatusCode::OK,
        &DonePage {
            layout: Layout::of(
                person,
                Nav::Connections,
                tr.t1("done-title", "name", &view.integration_name),
            ),
            connection: view.id.clone(),
            status: status_tag(tr, view.status),
            pending: view.status == "pending",
            partner: change.partner_credential.clone(),
            tracking,
        },
    )
}

/// `POST /console/connections/{id}/complete`: finishes the wizard.
/// Connected, or Pending until the partner activates it; a partner's new
/// credential is shown on this page, once.
async fn complete(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (view, integration) = load(&s, &person, &id).await?;
    let (connection, company) = (id.clone(), company(&person));
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.complete_wizard(relais_app::Caller::User(&actor), &company, &connection)
    })
    .await;
    match result {
        Ok(change) => Ok(done_page(
            &person,
            &change,
            integration.capabilities.sync_tracking,
        )),
        Err(e) if e.kind() == ErrorKind::Invalid => Ok(render(
            StatusCode::BAD_REQUEST,
            &review_page(&person, &view, &integration, Some(e.to_string())),
        )),
        Err(e) => Err(app_error(&person, &e)),
    }
}

// ----- Connected integrations --------------------------------------------------

struct Row {
    id: String,
    name: String,
    initials: String,
    logo: String,
    status: (String, String),
    reason: Option<String>,
    health: Option<(String, String)>,
    last_run: Option<String>,
    last_run_iso: Option<String>,
    next_run: Option<String>,
    since: String,
}

#[derive(Template)]
#[template(path = "console/connections.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    counts: Vec<(String, String, u64, bool)>,
    total: usize,
    filtered: bool,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /console/connections[?status=…]`: every connection of the company
/// with its status, the reason, and the health of its last run.
async fn list(
    State(s): State<Shared>,
    person: Person,
    Query(query): Query<ListQuery>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let _ = query.notice;
    let tr = person.tr();
    let company = company(&person);
    let all = run(&s, &person, move |app, by| {
        app.connections(by, &company, None)
    })
    .await?;
    let status = query
        .status
        .filter(|st| ["connected", "pending", "inactive"].contains(&st.as_str()));
    let catalog = s.app.catalog();
    let mut counts = Vec::new();
    for st in ["connected", "pending", "inactive"] {
        let n = all.iter().filter(|c| c.status == st).count() as u64;
        counts.push((
            st.to_owned(),
            tr.t(&format!("status-{st}")),
            n,
            status.as_deref() == Some(st),
        ));
    }
    let total = all.len();
    let rows = all
        .iter()
        .filter(|c| status.as_deref().is_none_or(|st| c.status == st))
        .map(|c| {
            let (initials, logo) = catalog
                .get(&c.integration)
                .map_or_else(|| ("?".into(), "logo-4".into()), logo);
            let last = c.last_sync.as_ref();
            let last_status = last.map(|l| super::tracking::status_name(l.status));
            let last_at = last.map(|l| l.finished_at.unwrap_or(l.started_at));
            Row {
                id: c.id.clone(),
                name: c.integration_name.clone(),
                initials,
                logo,
                status: status_tag(tr, c.status),
                reason: c.attention.clone().or_else(|| reason(tr, &c.state)),
                health: last_status.map(|st| run_tag(tr, st)),
                last_run: last_at.map(|at| tr.datetime(&at)),
                last_run_iso: last_at.map(|at| tr.iso(&at)),
                next_run: c.next_sync_at.map(|at| {
                    if at <= chrono::Utc::now() {
                        tr.t("next-run-due")
                    } else {
                        tr.datetime(&at)
                    }
                }),
                since: tr.datetime(&c.since),
            }
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::of(&person, Nav::Connections, tr.t("connections-title")),
            rows,
            counts,
            total,
            filtered: status.is_some(),
        },
    ))
}

// ----- A connection ----------------------------------------------------------------

struct EventRow {
    at: String,
    iso: String,
    actor: String,
    action: String,
    change: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "console/connection.html")]
struct ConnectionPage {
    layout: Layout,
    head: super::tracking::Head,
    slug: String,
    since: String,
    created: String,
    credential: Option<String>,
    relais_runs_sync: bool,
    attention: Option<String>,
    who_runs_sync: String,
    last_run: Option<(String, String, String)>,
    next_run: Option<String>,
    can_edit: bool,
    is_connected: bool,
    is_inactive: bool,
    wizard_open: bool,
    /// The schedule is paused by an admin.
    paused: bool,
    /// Since when every run failed, in words.
    failing_since: Option<String>,
    events: Vec<EventRow>,
}

/// `GET /console/connections/{id}`: the connection's status and reason,
/// its actions, and its audit trail.
async fn show(State(s): State<Shared>, person: Person, Path(id): Path<String>) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let (view, integration) = load(&s, &person, &id).await?;
    let (connection, company) = (id.clone(), company(&person));
    let events = run(&s, &person, move |app, by| {
        app.connection_events(by, &company, &connection)
    })
    .await?;
    let (initials, logo) = logo(&integration);
    let last_run = view.last_sync.as_ref().map(|l| {
        let (label, class) = run_tag(tr, super::tracking::status_name(l.status));
        (label, class, tr.datetime(&l.started_at))
    });
    let who_runs_sync = who_runs_sync(tr, &view.sync.run_by);
    let page = ConnectionPage {
        layout: Layout::of(&person, Nav::Connections, view.integration_name.clone()),
        head: super::tracking::Head {
            id: view.id.clone(),
            name: view.integration_name.clone(),
            initials,
            logo,
            status: status_tag(tr, view.status),
            reason: reason(tr, &view.state),
            tracking: integration.capabilities.sync_tracking,
            tab: "overview",
        },
        slug: integration.slug.clone(),
        since: tr.datetime(&view.since),
        created: tr.datetime(&view.created_at),
        credential: view.credential.clone(),
        relais_runs_sync: view.sync.sync_now,
        attention: view.attention.clone(),
        who_runs_sync,
        last_run,
        next_run: view.next_sync_at.map(|at| {
            if at <= chrono::Utc::now() {
                tr.t("next-run-due")
            } else {
                tr.datetime(&at)
            }
        }),
        can_edit: person.can_edit(),
        is_connected: view.status == "connected",
        is_inactive: view.status == "inactive",
        wizard_open: view.status == "pending" && !view.wizard.complete,
        paused: view.paused,
        failing_since: view.failing_since.map(|at| tr.datetime(&at)),
        events: events
            .iter()
            .rev()
            .map(|e| EventRow {
                at: tr.datetime(&e.at),
                iso: tr.iso(&e.at),
                actor: e.actor.clone(),
                action: tr.t(&format!("event-{}", e.action.replace(['.', '_'], "-"))),
                change: match (&e.before, &e.after) {
                    (Some(b), Some(a)) if b != a => format!(
                        "{} → {}",
                        tr.t(&format!("status-{b}")),
                        tr.t(&format!("status-{a}"))
                    ),
                    (None, Some(a)) => tr.t(&format!("status-{a}")),
                    _ => String::new(),
                },
                reason: e.reason.clone().unwrap_or_default(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `POST /console/connections/{id}/sync[?full]`: a cycle now; on to the Tracking tab.
async fn sync_now(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let full = form.fields.get("full").is_some();
    let (connection, company) = (id.clone(), company(&person));
    let job = run(&s, &person, move |app, by| {
        app.prepare_scim_cycle(
            by,
            &company,
            &connection,
            relais_sync::Trigger::Manual,
            full,
        )
    })
    .await?;
    let app = std::sync::Arc::clone(&s.app);
    tokio::spawn(async move {
        if let Err(e) = relais_app::sync::execute_scim_job(app, job).await {
            tracing::error!(error = %e, "manual sync failed to store its outcome");
        }
    });
    Ok(see_other(&format!(
        "{BASE}/connections/{id}/tracking?notice=sync-started"
    )))
}

async fn deactivate(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let reason = form.fields.get("reason").unwrap_or_default().to_owned();
    let (connection, company) = (id.clone(), company(&person));
    run(&s, &person, move |app, by| {
        app.deactivate_connection(by, &company, &connection, &reason)
    })
    .await?;
    Ok(see_other(&format!(
        "{BASE}/connections/{id}?notice=deactivated"
    )))
}

async fn reactivate(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (connection, company) = (id.clone(), company(&person));
    let change = run(&s, &person, move |app, by| {
        app.reactivate_connection(by, &company, &connection)
    })
    .await?;
    if change.partner_credential.is_some() {
        // The partner's new credential is shown now, once.
        let tracking = s
            .app
            .catalog()
            .get(&change.connection.integration)
            .is_some_and(|i| i.capabilities.sync_tracking);
        return Ok(done_page(&person, &change, tracking));
    }
    Ok(see_other(&format!(
        "{BASE}/connections/{id}?notice=reactivated"
    )))
}

/// `POST /console/connections/{id}/schedule` with `paused=true|false`.
async fn set_schedule(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let paused = form.fields.get("paused") == Some("true");
    let (connection, company) = (id.clone(), company(&person));
    run(&s, &person, move |app, by| {
        app.set_schedule_paused(by, &company, &connection, paused)
    })
    .await?;
    let notice = if paused {
        "schedule-paused"
    } else {
        "schedule-resumed"
    };
    Ok(see_other(&format!(
        "{BASE}/connections/{id}?notice={notice}"
    )))
}

#[derive(Template)]
#[template(path = "console/disconnect.html")]
struct DisconnectPage {
    layout: Layout,
    id: String,
    name: String,
}

/// `GET /console/connections/{id}/disconnect`: the confirmation, saying what is lost.
async fn disconnect_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (view, _) = load(&s, &person, &id).await?;
    let tr = person.tr();
    Ok(render(
        StatusCode::OK,
        &DisconnectPage {
            layout: Layout::of(
                &person,
                Nav::Connections,
                tr.t1("disconnect-title", "name", &view.integration_name),
            ),
            id,
            name: view.integration_name,
        },
    ))
}

async fn disconnect(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let (connection, company) = (id, company(&person));
    run(&s, &person, move |app, by| {
        app.disconnect(by, &company, &connection)
    })
    .await?;
    Ok(see_other(&format!(
        "{BASE}/connections?notice=disconnected"
    )))
}

/// `POST /console/connections/{id}/provision` (field `employee`):
/// provisions one employee now and shows its run, whose entries are the
/// steps taken.
async fn provision(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let text = form
        .fields
        .get("employee")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let Some(employee) = text.parse::<i64>().ok().filter(|e| *e > 0) else {
        return Err(app_error(
            &person,
            &relais_app::AppError::new(
                relais_app::ErrorKind::Invalid,
                format!("employee: '{text}' is not an employee id (a number from 1)"),
            ),
        ));
    };
    let done = relais_app::sync::provision_employee(
        std::sync::Arc::clone(&s.app),
        Some(person.actor.clone()),
        company(&person),
        id.clone(),
        employee,
    )
    .await
    .map_err(|e| app_error(&person, &e))?;
    Ok(see_other(&format!(
        "{BASE}/connections/{id}/tracking/{}",
        done.run.id
    )))
}
