//! Requests for missing integrations ("Request an integration"), with how
//! often the company asked, and the company's demo requests.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use relais_access::MarketplaceRight;
use relais_app::ErrorKind;
use serde::Deserialize;

use super::{
    BASE, Form, Layout, Nav, PageResult, Person, app_error, no_right, render, run, see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/requests"), get(list).post(create))
        .route(&format!("{BASE}/requests/new"), get(new_form))
}

struct RequestRow {
    name: String,
    website: String,
    count: u64,
    last: String,
    use_cases: Vec<String>,
}

struct DemoRow {
    integration: String,
    slug: String,
    by: String,
    at: String,
    message: String,
}

#[derive(Template)]
#[template(path = "console/requests.html")]
struct ListPage {
    layout: Layout,
    requests: Vec<RequestRow>,
    demos: Vec<DemoRow>,
    can_edit: bool,
}

async fn list(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let company = person.actor.company.clone();
    let (requests, demos) = run(&s, &person, move |app, by| {
        Ok((
            app.integration_requests(by, None)?,
            app.demo_requests(by, Some(&company), None)?,
        ))
    })
    .await?;
    let catalog = s.app.catalog();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            layout: Layout::of(&person, Nav::Requests, tr.t("requests-title")),
            requests: requests
                .iter()
                .map(|r| RequestRow {
                    name: r.name.clone(),
                    website: r.website.clone().unwrap_or_default(),
                    count: r.count,
                    last: tr.datetime(&r.last_requested_at),
                    use_cases: r.use_cases.clone(),
                })
                .collect(),
            demos: demos
                .iter()
                .map(|d| DemoRow {
                    integration: catalog
                        .get(&d.integration)
                        .map_or_else(|| d.integration.clone(), |i| i.name.clone()),
                    slug: d.integration.clone(),
                    by: d.requested_by.clone(),
                    at: tr.datetime(&d.created_at),
                    message: d.message.clone(),
                })
                .collect(),
            can_edit: person.can_edit(),
        },
    ))
}

#[derive(Template)]
#[template(path = "console/request_form.html")]
struct FormPage {
    layout: Layout,
    name: String,
    website: String,
    use_case: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    name: Option<String>,
}

async fn new_form(
    State(_s): State<Shared>,
    person: Person,
    Query(query): Query<NewQuery>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    Ok(render(
        StatusCode::OK,
        &FormPage {
            layout: Layout::of(&person, Nav::Requests, tr.t("request-integration")),
            name: query.name.unwrap_or_default().chars().take(200).collect(),
            website: String::new(),
            use_case: String::new(),
            error: None,
        },
    ))
}

async fn create(State(s): State<Shared>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let name = form.fields.get("name").unwrap_or_default().to_owned();
    let website = form
        .fields
        .get("website")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned);
    let use_case = form.fields.get("use_case").unwrap_or_default().to_owned();
    let (n, w, u, company) = (
        name.clone(),
        website.clone(),
        use_case.clone(),
        person.actor.company.clone(),
    );
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.request_integration(
            relais_app::Caller::User(&actor),
            &company,
            &n,
            w.as_deref(),
            &u,
        )
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "{BASE}/requests?notice=integration-requested"
        ))),
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => {
            let tr = person.tr();
            Ok(render(
                StatusCode::BAD_REQUEST,
                &FormPage {
                    layout: Layout::of(&person, Nav::Requests, tr.t("request-integration")),
                    name: name.chars().take(200).collect(),
                    website: website.unwrap_or_default().chars().take(2048).collect(),
                    use_case: use_case.chars().take(2000).collect(),
                    error: Some(e.to_string()),
                },
            ))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}
