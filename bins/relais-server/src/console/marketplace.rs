//! The Marketplace: the catalog with its search bar and filters, an
//! integration's page (setup, permissions, pricing, support and developer),
//! and the demo-request form.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use relais_access::MarketplaceRight;
use relais_catalog::{
    Badge, Capability, CatalogQuery, Category, Integration, IntegrationKind, Named as _, Support,
};

use super::i18n::Tr;
use super::{
    BASE, Form, Layout, Nav, PageResult, Person, encode, no_right, render, run, see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/marketplace"), get(catalog))
        .route(&format!("{BASE}/marketplace/{{slug}}"), get(integration))
        .route(
            &format!("{BASE}/marketplace/{{slug}}/demo"),
            get(demo_form).post(request_demo),
        )
}

/// An integration as a card of the catalog.
pub(super) struct CardView {
    pub slug: String,
    pub name: String,
    pub summary: String,
    pub initials: String,
    pub logo: String,
    pub built_by: String,
    pub badge: Option<(String, String)>,
    pub categories: Vec<String>,
    pub status: Option<(String, String)>,
}

/// Two letters and a colour for an integration without a logo file.
pub(super) fn logo(integration: &Integration) -> (String, String) {
    let initials: String = integration
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let colour = integration.slug.bytes().fold(0_usize, |h, b| {
        h.wrapping_mul(31).wrapping_add(usize::from(b))
    }) % 8;
    (initials, format!("logo-{colour}"))
}

pub(super) fn badge_view(tr: Tr, badge: Badge) -> (String, String) {
    (
        tr.t(&format!("badge-{}", badge.name())),
        format!("badge-{}", badge.name()),
    )
}

pub(super) fn built_by(tr: Tr, integration: &Integration) -> String {
    match integration.partner() {
        Some(partner) => tr.t1("built-by-partner", "name", partner),
        None => tr.t("built-by-platform"),
    }
}

/// A connection status as its tag: the label and its colour.
pub(super) fn status_tag(tr: Tr, status: &str) -> (String, String) {
    let class = match status {
        "connected" => "ok",
        "pending" => "warn",
        "inactive" => "bad",
        _ => "",
    };
    (tr.t(&format!("status-{status}")), class.to_owned())
}

fn card(tr: Tr, integration: &Integration, status: Option<&str>) -> CardView {
    let (initials, logo) = logo(integration);
    CardView {
        slug: integration.slug.clone(),
        name: integration.name.clone(),
        summary: integration.short_description.clone(),
        initials,
        logo,
        built_by: built_by(tr, integration),
        badge: integration.badge().map(|b| badge_view(tr, b)),
        categories: integration
            .categories
            .iter()
            .map(|c| tr.t(&format!("category-{}", c.id())))
            .collect(),
        status: status.map(|s| status_tag(tr, s)),
    }
}

/// One checkbox of a filter.
pub(super) struct FilterOption {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A group of checkboxes sharing a query parameter.
pub(super) struct FilterGroup {
    pub legend: String,
    pub param: &'static str,
    pub options: Vec<FilterOption>,
}

#[derive(Template)]
#[template(path = "console/marketplace.html")]
struct CatalogPage {
    layout: Layout,
    q: String,
    groups: Vec<FilterGroup>,
    cards: Vec<CardView>,
    count: String,
    error: Option<String>,
    request_link: String,
    previous: Option<String>,
    next: Option<String>,
}

/// One filter's checkboxes: a checkbox per value, named `param`, labelled
/// by the message `{param}-{value}` (`kind-partner`, `badge-elite`, …).
fn group<T: Copy + PartialEq>(
    tr: Tr,
    legend: &str,
    param: &'static str,
    all: &[T],
    value: fn(T) -> &'static str,
    chosen: &[T],
) -> FilterGroup {
    FilterGroup {
        legend: tr.t(legend),
        param,
        options: all
            .iter()
            .map(|v| FilterOption {
                value: value(*v).to_owned(),
                label: tr.t(&format!("{param}-{}", value(*v))),
                checked: chosen.contains(v),
            })
            .collect(),
    }
}

fn groups(tr: Tr, query: &CatalogQuery) -> Vec<FilterGroup> {
    let f = &query.filter;
    vec![
        group(
            tr,
            "filter-built-by",
            "kind",
            &IntegrationKind::ALL,
            IntegrationKind::name,
            &f.kinds,
        ),
        group(
            tr,
            "filter-badge",
            "badge",
            &Badge::ALL,
            Badge::name,
            &f.badges,
        ),
        group(
            tr,
            "filter-capability",
            "capability",
            &Capability::ALL,
            Capability::name,
            &f.capabilities,
        ),
        group(
            tr,
            "filter-category",
            "category",
            &Category::ALL,
            Category::id,
            &f.categories,
        ),
    ]
}

/// The connection status of each integration the company has connected.
async fn statuses(s: &Shared, person: &Person) -> Result<HashMap<String, String>, Response> {
    let list = run(s, person, |app, by| {
        let company = match by {
            relais_app::Caller::User(actor) => actor.company.clone(),
            relais_app::Caller::Operator => return Ok(Vec::new()),
        };
        app.connections(by, &company, None)
    })
    .await?;
    Ok(list
        .into_iter()
        .map(|c| (c.integration, c.status.to_owned()))
        .collect())
}

/// `GET /console/marketplace?q=…&kind=…&category=…&badge=…&capability=…&page=…`:
/// the filters live in the URL, so a filtered view can be bookmarked.
async fn catalog(State(s): State<Shared>, person: Person, RawQuery(raw): RawQuery) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .filter(|(k, v)| !(k == "q" && v.trim().is_empty()) && k != "notice")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let (query, error) = match CatalogQuery::from_pairs(pairs) {
        Ok(query) => (query, None),
        Err(e) => (CatalogQuery::default(), Some(e.to_string())),
    };
    let statuses = statuses(&s, &person).await?;
    let catalog = s.app.catalog();
    let page = catalog.search(&query);
    let cards = page
        .items
        .iter()
        .map(|i| card(tr, i, statuses.get(&i.slug).map(String::as_str)))
        .collect();
    let q = query.text.clone().unwrap_or_default();
    let link_to = |number: u32| {
        let mut copy = query.clone();
        copy.page = relais_catalog::Page::new(number, query.page.size()).unwrap_or(query.page);
        let pairs: Vec<String> = copy
            .to_pairs()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect();
        format!("{BASE}/marketplace?{}", pairs.join("&"))
    };
    let number = query.page.number();
    let total_pages = page.total.div_ceil(query.page.size() as usize).max(1);
    let view = CatalogPage {
        layout: Layout::of(&person, Nav::Marketplace, tr.t("marketplace-title")),
        groups: groups(tr, &query),
        cards,
        count: tr.count("marketplace-count", page.total as u64),
        error,
        request_link: format!("{BASE}/requests/new?name={}", encode(&q)),
        q,
        previous: (number > 1).then(|| link_to(number - 1)),
        next: ((number as usize) < total_pages).then(|| link_to(number + 1)),
    };
    Ok(render(StatusCode::OK, &view))
}

/// Markdown of the catalog (descriptions, setup steps) as HTML. Raw HTML in
/// it is shown as text, never interpreted: the catalog is operator content,
/// and a `<script>` in it must stay inert.
pub(super) fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let events = Parser::new(text).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// A permission the integration asks for, as a line.
pub(super) struct PermissionView {
    pub api: String,
    pub access: String,
}

#[derive(Template)]
#[template(path = "console/integration.html")]
struct IntegrationPage {
    layout: Layout,
    slug: String,
    name: String,
    initials: String,
    logo: String,
    built_by: String,
    badge: Option<(String, String)>,
    categories: Vec<String>,
    summary: String,
    overview_html: String,
    setup_html: String,
    permissions: Vec<PermissionView>,
    pricing: String,
    sync_tracking: bool,
    who_runs_sync: String,
    /// What this Relais lacks to connect it (no key for its secrets).
    setup_notice: Option<String>,
    demo: bool,
    /// The main action: (label, link, explanation), absent for viewers.
    action: Option<(String, String)>,
    status: Option<(String, String)>,
    status_reason: Option<String>,
    connection_link: Option<String>,
    read_only_reason: Option<String>,
    support_platform: bool,
    support_url: String,
    support_email: String,
    developer: String,
    developer_website: String,
    privacy_url: String,
}

async fn integration(
    State(s): State<Shared>,
    person: Person,
    Path(slug): Path<String>,
) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let tr = person.tr();
    let wanted = slug.clone();
    let integration = run(&s, &person, move |app, _| app.integration(&wanted)).await?;
    let company = person.actor.company.clone();
    let connection = run(&s, &person, move |app, by| {
        Ok(app
            .connections(by, &company, None)?
            .into_iter()
            .find(|c| c.integration == slug))
    })
    .await?;
    let (initials, logo) = logo(&integration);
    let action = person.can_edit().then(|| match &connection {
        None => (
            tr.t("action-connect"),
            format!("{BASE}/marketplace/{}/connect", integration.slug),
        ),
        Some(c) if c.status == "pending" && !c.wizard.complete => (
            tr.t("action-continue-setup"),
            format!("{BASE}/marketplace/{}/connect", integration.slug),
        ),
        Some(c) if c.status == "inactive" => (
            tr.t("action-reconnect"),
            format!("{BASE}/connections/{}", c.id),
        ),
        Some(c) => (
            tr.t("action-manage"),
            format!("{BASE}/connections/{}", c.id),
        ),
    });
    let (support_url, support_email) = match integration.support() {
        Support::HelpAndFeedback => (String::new(), String::new()),
        Support::Partner(p) => (p.url.clone(), p.email.clone()),
    };
    let who_runs_sync =
        super::connections::who_runs_sync(tr, &relais_app::setup::sync_info(&integration).run_by);
    let setup_notice = s.app.setup_notice(&integration);
    let page = IntegrationPage {
        layout: Layout::of(&person, Nav::Marketplace, integration.name.clone()),
        slug: integration.slug.clone(),
        name: integration.name.clone(),
        initials,
        logo,
        built_by: built_by(tr, &integration),
        badge: integration.badge().map(|b| badge_view(tr, b)),
        categories: integration
            .categories
            .iter()
            .map(|c| tr.t(&format!("category-{}", c.id())))
            .collect(),
        summary: integration.short_description.clone(),
        overview_html: markdown(&integration.long_description),
        setup_html: markdown(&integration.setup_instructions),
        permissions: integration
            .permissions
            .iter()
            .map(|p| PermissionView {
                api: tr.t(&format!("api-{}", p.api.as_str())),
                access: tr.t(&format!("access-{}", p.access)),
            })
            .collect(),
        pricing: integration.pricing.summary(),
        sync_tracking: integration.capabilities.sync_tracking,
        who_runs_sync,
        setup_notice,
        demo: integration.capabilities.demo && person.can_edit(),
        action,
        status: connection.as_ref().map(|c| status_tag(tr, c.status)),
        status_reason: connection
            .as_ref()
            .and_then(|c| super::connections::reason(tr, &c.state)),
        connection_link: connection
            .as_ref()
            .map(|c| format!("{BASE}/connections/{}", c.id)),
        read_only_reason: (!person.can_edit()).then(|| tr.t("read-only-reason")),
        support_platform: matches!(integration.support(), Support::HelpAndFeedback),
        support_url,
        support_email,
        developer: integration.developer.name.clone(),
        developer_website: integration.developer.website.clone(),
        privacy_url: integration.developer.privacy_policy_url.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "console/demo.html")]
struct DemoPage {
    layout: Layout,
    slug: String,
    name: String,
    message: String,
    error: Option<String>,
}

async fn demo_form(
    State(s): State<Shared>,
    person: Person,
    Path(slug): Path<String>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let wanted = slug.clone();
    let integration = run(&s, &person, move |app, _| app.integration(&wanted)).await?;
    let tr = person.tr();
    Ok(render(
        StatusCode::OK,
        &DemoPage {
            layout: Layout::of(
                &person,
                Nav::Marketplace,
                tr.t1("demo-title", "name", &integration.name),
            ),
            slug,
            name: integration.name,
            message: String::new(),
            error: None,
        },
    ))
}

async fn request_demo(State(s): State<Shared>, Path(slug): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let message = form.fields.get("message").unwrap_or_default().to_owned();
    let (wanted, text) = (slug.clone(), message.clone());
    let company = person.actor.company.clone();
    let result = {
        let actor = person.actor.clone();
        crate::blocking_cancellable(&s.app, move |app, _| {
            app.request_demo(relais_app::Caller::User(&actor), &company, &wanted, &text)
        })
        .await
    };
    match result {
        Ok(_) => Ok(see_other(&format!(
            "{BASE}/marketplace/{slug}?notice=demo-requested"
        ))),
        Err(e) if e.kind() == relais_app::ErrorKind::Invalid => {
            let tr = person.tr();
            let name = s
                .app
                .catalog()
                .get(&slug)
                .map(|i| i.name.clone())
                .unwrap_or_default();
            Ok(render(
                StatusCode::BAD_REQUEST,
                &DemoPage {
                    layout: Layout::of(
                        &person,
                        Nav::Marketplace,
                        tr.t1("demo-title", "name", &name),
                    ),
                    slug,
                    name,
                    message: message.chars().take(relais_access::limits::TEXT).collect(),
                    error: Some(e.to_string()),
                },
            ))
        }
        Err(e) => Err(super::app_error(&person, &e)),
    }
}
