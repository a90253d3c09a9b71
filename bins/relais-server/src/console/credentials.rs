//! Settings › Integrations › API credentials: the list, "Generate new
//! credential" (a side panel with htmx, a page without), the secret shown
//! once, editing scopes and readable attributes, rotating and revoking.

use std::collections::BTreeSet;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use relais_access::{ApiAccess, ApiPermission, MarketplaceRight, PublicApi};
use relais_app::{
    CredentialChange, CredentialInput, CredentialView, CredentialWithSecret, ErrorKind,
};

use super::i18n::Tr;
use super::{
    BASE, Form, Layout, Nav, PageResult, Person, PlainForm, app_error, no_right, render, run,
    see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    let base = format!("{BASE}/settings/api-credentials");
    Router::new()
        .route(&base, get(list).post(create))
        .route(&format!("{base}/new"), get(new_form))
        .route(&format!("{base}/{{id}}"), get(edit_form).post(update))
        .route(
            &format!("{base}/{{id}}/rotate"),
            get(rotate_page).post(rotate),
        )
        .route(
            &format!("{base}/{{id}}/revoke"),
            get(revoke_page).post(revoke),
        )
}

fn link(id: &str) -> String {
    format!("{BASE}/settings/api-credentials/{id}")
}

/// One API's row of checkboxes.
struct ApiRow {
    api: String,
    label: String,
    read: bool,
    write: Option<bool>,
}

struct CredentialRow {
    id: String,
    name: String,
    integration: String,
    scopes: String,
    attributes: usize,
    created: String,
    last_used: String,
    revoked: bool,
}

fn integration_name(s: &Shared, tr: Tr, slug: Option<&str>) -> String {
    match slug {
        None => tr.t("credential-other"),
        Some(slug) => s
            .app
            .catalog()
            .get(slug)
            .map_or_else(|| slug.to_owned(), |i| i.name.clone()),
    }
}

/// "Employees: read · Absences: read, write".
fn scopes_summary(tr: Tr, scopes: &[String]) -> String {
    let parsed: Vec<ApiPermission> = scopes.iter().filter_map(|s| s.parse().ok()).collect();
    let parts: Vec<String> = PublicApi::ALL
        .iter()
        .filter_map(|api| {
            let accesses: Vec<String> = [ApiAccess::Read, ApiAccess::Write]
                .iter()
                .filter(|a| parsed.iter().any(|p| p.api == *api && p.access == **a))
                .map(|a| tr.t(&format!("access-{a}")))
                .collect();
            (!accesses.is_empty()).then(|| {
                format!(
                    "{}: {}",
                    tr.t(&format!("api-{}", api.as_str())),
                    accesses.join(", ")
                )
            })
        })
        .collect();
    if parts.is_empty() {
        tr.t("credential-no-scope")
    } else {
        parts.join(" · ")
    }
}

#[derive(Template)]
#[template(path = "console/credentials.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<CredentialRow>,
}

async fn list(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let all = run(&s, &person, move |app, by| app.credentials(by, &company)).await?;
    let rows = all
        .iter()
        .map(|c| CredentialRow {
            id: c.client_id.clone(),
            name: c.name.clone(),
            integration: integration_name(&s, tr, c.integration.as_deref()),
            scopes: scopes_summary(tr, &c.scopes),
            attributes: c.readable_attributes.len(),
            created: tr.datetime(&c.created_at),
            last_used: c
                .last_used_at
                .map_or_else(|| tr.t("never"), |at| tr.datetime(&at)),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::of(&person, Nav::Credentials, tr.t("credentials-title")),
            rows,
        },
    ))
}

#[derive(Template)]
#[template(path = "console/credential_form.html")]
struct FormPage {
    layout: Layout,
    /// `None` when generating a new one.
    id: Option<String>,
    name: String,
    integrations: Vec<(String, String, bool)>,
    apis: Vec<ApiRow>,
    attributes: Vec<(String, String, bool)>,
    error: Option<String>,
    revoked: bool,
}

fn api_rows(tr: Tr, scopes: &BTreeSet<String>) -> Vec<ApiRow> {
    PublicApi::ALL
        .iter()
        .map(|api| {
            let has = |access: ApiAccess| scopes.contains(&format!("{}:{access}", api.as_str()));
            ApiRow {
                api: api.as_str().to_owned(),
                label: tr.t(&format!("api-{}", api.as_str())),
                read: has(ApiAccess::Read),
                write: api.offers(ApiAccess::Write).then(|| has(ApiAccess::Write)),
            }
        })
        .collect()
}

/// Scopes as the form names them (`custom_reports:read`), whatever the
/// credential's spelling.
fn form_scopes(view: &CredentialView) -> BTreeSet<String> {
    view.scopes
        .iter()
        .filter_map(|s| s.parse::<ApiPermission>().ok())
        .map(|p| format!("{}:{}", p.api.as_str(), p.access))
        .collect()
}

async fn form_page(
    s: &Shared,
    person: &Person,
    existing: Option<&CredentialView>,
    typed: Option<&PlainForm>,
    error: Option<String>,
) -> Result<FormPage, Response> {
    let tr = person.tr();
    let company = person.actor.company.clone();
    let choices = run(s, person, move |app, by| {
        app.attribute_choices(by, &company)
    })
    .await?;
    let (name, integration, scopes, attributes): (
        String,
        Option<String>,
        BTreeSet<String>,
        BTreeSet<String>,
    ) = match (typed, existing) {
        (Some(form), _) => (
            form.get("name").unwrap_or_default().to_owned(),
            form.get("integration")
                .filter(|i| !i.is_empty())
                .map(str::to_owned),
            form.all("scope").into_iter().map(str::to_owned).collect(),
            form.all("attribute")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
        (None, Some(view)) => (
            view.name.clone(),
            view.integration.clone(),
            form_scopes(view),
            view.readable_attributes.iter().cloned().collect(),
        ),
        (None, None) => (
            String::new(),
            None,
            BTreeSet::new(),
            relais_people::StandardAttribute::ALL
                .iter()
                .map(|a| a.key().to_owned())
                .collect(),
        ),
    };
    let catalog = s.app.catalog();
    let mut integrations: Vec<(String, String, bool)> = catalog
        .integrations()
        .iter()
        .map(|i| {
            (
                i.slug.clone(),
                i.name.clone(),
                integration.as_deref() == Some(i.slug.as_str()),
            )
        })
        .collect();
    integrations.sort_by_key(|i| i.1.to_lowercase());
    let title = match existing {
        Some(view) => view.name.clone(),
        None => tr.t("credential-new-title"),
    };
    Ok(FormPage {
        layout: Layout::of(person, Nav::Credentials, title),
        id: existing.map(|v| v.client_id.clone()),
        name,
        integrations,
        apis: api_rows(tr, &scopes),
        attributes: choices
            .into_iter()
            .map(|(key, label)| {
                let checked = attributes.contains(&key);
                (key, label, checked)
            })
            .collect(),
        error,
        revoked: existing.is_some_and(|v| v.revoked_at.is_some()),
    })
}

async fn new_form(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let page = form_page(&s, &person, None, None, None).await?;
    Ok(render(StatusCode::OK, &page))
}

fn scopes_of(form: &PlainForm) -> Result<BTreeSet<ApiPermission>, String> {
    form.all("scope")
        .into_iter()
        .map(|s| s.parse::<ApiPermission>().map_err(|e| e.to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "console/credential_secret.html")]
struct SecretPage {
    layout: Layout,
    credential: CredentialView,
    secret: String,
}

fn secret_page(person: &Person, created: CredentialWithSecret, rotated: bool) -> Response {
    let tr = person.tr();
    render(
        StatusCode::OK,
        &SecretPage {
            layout: Layout::of(
                person,
                Nav::Credentials,
                if rotated {
                    tr.t("credential-rotated-title")
                } else {
                    tr.t("credential-created-title")
                },
            ),
            credential: created.credential,
            secret: created.client_secret,
        },
    )
}

/// `POST /console/settings/api-credentials`: generates the credential and
/// shows its secret, this once.
async fn create(State(s): State<Shared>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let scopes = match scopes_of(&form.fields) {
        Ok(scopes) => scopes,
        Err(e) => {
            let page = form_page(&s, &person, None, Some(&form.fields), Some(e)).await?;
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let input = CredentialInput {
        name: form.fields.get("name").unwrap_or_default().to_owned(),
        integration: form
            .fields
            .get("integration")
            .filter(|i| !i.is_empty())
            .map(str::to_owned),
        scopes,
        readable_attributes: Some(
            form.fields
                .all("attribute")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
    };
    let company = person.actor.company.clone();
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.create_credential(relais_app::Caller::User(&actor), &company, input)
    })
    .await;
    match result {
        Ok(created) => Ok(secret_page(&person, created, false)),
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let page =
                form_page(&s, &person, None, Some(&form.fields), Some(e.to_string())).await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

async fn load(s: &Shared, person: &Person, id: &str) -> Result<CredentialView, Response> {
    let (id, company) = (id.to_owned(), person.actor.company.clone());
    run(s, person, move |app, by| app.credential(by, &company, &id)).await
}

async fn edit_form(State(s): State<Shared>, person: Person, Path(id): Path<String>) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let view = load(&s, &person, &id).await?;
    let page = form_page(&s, &person, Some(&view), None, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /console/settings/api-credentials/{id}`: new name, scopes (ticking
/// Custom Reports on an existing credential, say) and readable attributes.
async fn update(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let view = load(&s, &person, &id).await?;
    let scopes = match scopes_of(&form.fields) {
        Ok(scopes) => scopes,
        Err(e) => {
            let page = form_page(&s, &person, Some(&view), Some(&form.fields), Some(e)).await?;
            return Ok(render(StatusCode::BAD_REQUEST, &page));
        }
    };
    let change = CredentialChange {
        name: form.fields.get("name").map(str::to_owned),
        scopes: Some(scopes),
        readable_attributes: Some(
            form.fields
                .all("attribute")
                .into_iter()
                .map(str::to_owned)
                .collect(),
        ),
    };
    let (client_id, company) = (id.clone(), person.actor.company.clone());
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.update_credential(
            relais_app::Caller::User(&actor),
            &company,
            &client_id,
            change,
        )
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "{}?notice=credential-updated",
            link(&id)
        ))),
        Err(e) if e.kind() == ErrorKind::Invalid => {
            let page = form_page(
                &s,
                &person,
                Some(&view),
                Some(&form.fields),
                Some(e.to_string()),
            )
            .await?;
            Ok(render(StatusCode::BAD_REQUEST, &page))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

#[derive(Template)]
#[template(path = "console/credential_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    id: String,
    name: String,
    action: &'static str,
    lead: String,
    button: String,
}

async fn confirm(s: &Shared, person: &Person, id: &str, action: &'static str) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    let view = load(s, person, id).await?;
    Ok(render(
        StatusCode::OK,
        &ConfirmPage {
            layout: Layout::of(
                person,
                Nav::Credentials,
                tr.t1(&format!("credential-{action}-title"), "name", &view.name),
            ),
            id: id.to_owned(),
            lead: tr.t(&format!("credential-{action}-lead")),
            button: tr.t1(&format!("credential-{action}-confirm"), "name", &view.name),
            name: view.name,
            action,
        },
    ))
}

async fn rotate_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    confirm(&s, &person, &id, "rotate").await
}

async fn revoke_page(
    State(s): State<Shared>,
    person: Person,
    Path(id): Path<String>,
) -> PageResult {
    confirm(&s, &person, &id, "revoke").await
}

async fn rotate(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    let rotated = run(&s, &person, move |app, by| {
        app.rotate_credential(by, &company, &id)
    })
    .await?;
    Ok(secret_page(&person, rotated, true))
}

async fn revoke(State(s): State<Shared>, Path(id): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    run(&s, &person, move |app, by| {
        app.revoke_credential(by, &company, &id)
    })
    .await?;
    Ok(see_other(&format!(
        "{BASE}/settings/api-credentials?notice=credential-revoked"
    )))
}
