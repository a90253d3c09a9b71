//! Settings › Webhooks: the company's endpoints, adding one (its signing
//! secret shown once), enabling and disabling, rotating the secret,
//! removing, and each endpoint's delivery log with redelivery.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use relais_access::MarketplaceRight;
use relais_app::ErrorKind;
use relais_app::webhooks::{DeliveryView, WebhookInput, WebhookView, WebhookWithSecret};

use super::{
    BASE, Form, Layout, Nav, PageResult, Person, PlainForm, app_error, no_right, render, run,
    see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    let base = format!("{BASE}/settings/webhooks");
    Router::new()
        .route(&base, get(list).post(create))
        .route(&format!("{base}/new"), get(new_form))
        .route(&format!("{base}/{{id}}"), get(show))
        .route(&format!("{base}/{{id}}/enabled"), post(set_enabled))
        .route(
            &format!("{base}/{{id}}/rotate"),
            get(rotate_page).post(rotate),
        )
        .route(
            &format!("{base}/{{id}}/delete"),
            get(delete_page).post(delete),
        )
        .route(
            &format!("{base}/{{id}}/deliveries/{{delivery}}/redeliver"),
            post(redeliver),
        )
}

fn link(id: &str) -> String {
    format!("{BASE}/settings/webhooks/{id}")
}

/// An endpoint's state in words.
fn status(layout: &Layout, w: &WebhookView) -> (String, &'static str) {
    match (&w.disabled_reason, w.enabled, w.failing_since) {
        (Some(reason), false, _) => (
            layout.tr.t1("webhook-disabled-by-relais", "what", reason),
            "bad",
        ),
        (None, false, _) => (layout.t("webhook-disabled"), "muted"),
        (_, true, Some(since)) => (
            layout
                .tr
                .t1("webhook-failing-since", "when", layout.tr.datetime(&since)),
            "warn",
        ),
        (_, true, None) => (layout.t("webhook-enabled"), "ok"),
    }
}

struct EndpointRow {
    id: String,
    url: String,
    description: String,
    events: String,
    status: String,
    status_kind: &'static str,
}

#[derive(Template)]
#[template(path = "console/webhooks.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<EndpointRow>,
}

async fn list(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let all = run(&s, &person, move |app, by| app.webhooks(by, &company)).await?;
    let layout = Layout::of(&person, Nav::Webhooks, tr.t("webhooks-title"));
    let rows = all
        .iter()
        .map(|w| {
            let (status, status_kind) = status(&layout, w);
            EndpointRow {
                id: w.id.to_string(),
                url: w.url.clone(),
                description: w.description.clone(),
                events: w.events.join(", "),
                status,
                status_kind,
            }
        })
        .collect();
    Ok(render(StatusCode::OK, &ListPage { layout, rows }))
}

#[derive(Template)]
#[template(path = "console/webhook_form.html")]
struct FormPage {
    layout: Layout,
    url: String,
    description: String,
    /// Every event type, and whether it is ticked.
    events: Vec<(&'static str, bool)>,
    error: Option<String>,
}

fn form_page(person: &Person, typed: Option<&PlainForm>, error: Option<String>) -> FormPage {
    let tr = person.tr();
    let ticked: Vec<&str> = typed.map(|f| f.all("event")).unwrap_or_default();
    FormPage {
        layout: Layout::of(person, Nav::Webhooks, tr.t("webhook-new-title")),
        url: typed
            .and_then(|f| f.get("url"))
            .unwrap_or_default()
            .to_owned(),
        description: typed
            .and_then(|f| f.get("description"))
            .unwrap_or_default()
            .to_owned(),
        events: relais_events::EventKind::ALL
            .iter()
            .map(|k| (k.name(), typed.is_none() || ticked.contains(&k.name())))
            .collect(),
        error,
    }
}

async fn new_form(person: Person) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    Ok(render(StatusCode::OK, &form_page(&person, None, None)))
}

#[derive(Template)]
#[template(path = "console/webhook_secret.html")]
struct SecretPage {
    layout: Layout,
    endpoint: WebhookView,
    secret: String,
}

fn secret_page(person: &Person, created: WebhookWithSecret, rotated: bool) -> Response {
    let tr = person.tr();
    let title = if rotated {
        tr.t("webhook-rotated-title")
    } else {
        tr.t("webhook-created-title")
    };
    render(
        StatusCode::OK,
        &SecretPage {
            layout: Layout::of(person, Nav::Webhooks, title),
            endpoint: created.endpoint,
            secret: created.secret,
        },
    )
}

/// `POST /console/settings/webhooks`: adds the endpoint and shows its
/// signing secret, this once.
async fn create(State(s): State<Shared>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let input = WebhookInput {
        url: form.fields.get("url").map(str::to_owned),
        description: form.fields.get("description").map(str::to_owned),
        events: Some(
            form.fields
                .all("event")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        enabled: Some(true),
    };
    let company = person.actor.company.clone();
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.create_webhook(relais_app::Caller::User(&actor), &company, input)
    })
    .await;
    match result {
        Ok(created) => Ok(secret_page(&person, created, false)),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => {
            let page = form_page(&person, Some(&form.fields), Some(e.to_string()));
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

struct DeliveryRow {
    id: String,
    kind: String,
    message_id: String,
    state: String,
    attempts: u32,
    created: String,
    last: String,
}

fn delivery_row(layout: &Layout, d: &DeliveryView) -> DeliveryRow {
    let last = d.last_attempt.as_ref().map_or_else(
        || "—".to_owned(),
        |a| match (a.status_code, &a.error) {
            (Some(code), _) => format!("HTTP {code} · {} ms", a.duration_ms),
            (None, Some(error)) => error.chars().take(120).collect(),
            (None, None) => "—".to_owned(),
        },
    );
    DeliveryRow {
        id: d.id.to_string(),
        kind: d.kind.clone(),
        message_id: d.message_id.clone(),
        state: layout.t(&format!("delivery-state-{}", d.state)),
        attempts: d.attempts,
        created: layout.tr.datetime(&d.created_at),
        last,
    }
}

#[derive(Template)]
#[template(path = "console/webhook.html")]
struct EndpointPage {
    layout: Layout,
    endpoint: WebhookView,
    status: String,
    status_kind: &'static str,
    deliveries: Vec<DeliveryRow>,
    total: u64,
}

async fn show(State(s): State<Shared>, person: Person, Path(id): Path<String>) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    let (endpoint, page) = run(&s, &person, move |app, by| {
        let endpoint = app.webhook(by, &company, &id)?;
        let page = app.webhook_deliveries(by, &company, &id, 1, 50)?;
        Ok((endpoint, page))
    })
    .await?;
    let layout = Layout::of(&person, Nav::Webhooks, endpoint.url.clone());
    let (status, status_kind) = status(&layout, &endpoint);
    let deliveries = page
        .deliveries
        .iter()
        .map(|d| delivery_row(&layout, d))
        .collect();
    Ok(render(
        StatusCode::OK,
        &EndpointPage {
            layout,
            endpoint,
            status,
            status_kind,
            deliveries,
            total: page.total,
        },
    ))
}

/// `POST …/{id}/enabled` with `enabled=true|false`.
async fn set_enabled(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let enabled = form.fields.get("enabled") == Some("true");
    let company = person.actor.company.clone();
    let endpoint = id.clone();
    run(&s, &person, move |app, by| {
        app.update_webhook(
            by,
            &company,
            &endpoint,
            WebhookInput {
                enabled: Some(enabled),
                ..WebhookInput::default()
            },
        )
    })
    .await?;
    Ok(see_other(&format!("{}?notice=webhook-updated", link(&id))))
}

#[derive(Template)]
#[template(path = "console/webhook_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    id: String,
    url: String,
    action: &'static str,
    lead: String,
    button: String,
}

async fn confirm(s: &Shared, person: &Person, id: String, action: &'static str) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let endpoint = id.clone();
    let view = run(s, person, move |app, by| {
        app.webhook(by, &company, &endpoint)
    })
    .await?;
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            layout: Layout::of(
                person,
                Nav::Webhooks,
                tr.t(&format!("webhook-{action}-title")),
            ),
            id,
            lead: tr.t(&format!("webhook-{action}-lead")),
            button: tr.t(&format!("webhook-{action}-confirm")),
            url: view.url,
            action,
        },
    ))
}

async fn rotate_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    confirm(&s, &person, id, "rotate").await
}

async fn delete_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    confirm(&s, &person, id, "delete").await
}

async fn rotate(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    let rotated = run(&s, &person, move |app, by| {
        app.rotate_webhook_secret(by, &company, &id)
    })
    .await?;
    Ok(secret_page(&person, rotated, true))
}

async fn delete(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    run(&s, &person, move |app, by| {
        app.delete_webhook(by, &company, &id)
    })
    .await?;
    Ok(see_other(&format!(
        "{BASE}/settings/webhooks?notice=webhook-deleted"
    )))
}

async fn redeliver(
    State(s): State<Shared>,
    Path((id, delivery)): Path<(String, String)>,
    form: Form,
) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    run(&s, &person, move |app, by| {
        app.redeliver_webhook(by, &company, &delivery)
    })
    .await?;
    Ok(see_other(&format!(
        "{}?notice=webhook-redelivered",
        link(&id)
    )))
}
