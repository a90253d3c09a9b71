//! Settings › Users: who holds the "Marketplace integrations & API" right,
//! inviting people (a one-time link to set their password), changing a
//! right, removing a user.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use relais_access::MarketplaceRight;
use relais_app::ErrorKind;

use super::{
    BASE, Form, Layout, Nav, PageResult, Person, app_error, no_right, render, run, see_other,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/settings/users"), get(list).post(invite))
        .route(
            &format!("{BASE}/settings/users/{{email}}/right"),
            post(change_right),
        )
        .route(
            &format!("{BASE}/settings/users/{{email}}/remove"),
            get(remove_page).post(remove),
        )
        .route(
            &format!("{BASE}/settings/users/{{email}}/invite"),
            post(reinvite),
        )
}

struct UserRow {
    email: String,
    /// The e-mail as a path segment (an e-mail may hold `/`, `?` or `#`).
    email_path: String,
    name: String,
    right: String,
    right_value: &'static str,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    layout: Layout,
    rows: Vec<UserRow>,
    can_edit: bool,
    invite_link: Option<String>,
    invite_for: String,
    error: Option<String>,
    email: String,
    name: String,
}

fn right_value(right: MarketplaceRight) -> &'static str {
    match right {
        MarketplaceRight::None => "none",
        MarketplaceRight::View => "view",
        MarketplaceRight::Edit => "edit",
    }
}

async fn page(
    s: &Shared,
    person: &Person,
    invite: Option<(String, String)>,
    error: Option<String>,
    typed: (&str, &str),
) -> Result<UsersPage, axum::response::Response> {
    let tr = person.tr();
    let company = person.actor.company.clone();
    let users = run(s, person, move |app, by| app.company_users(by, &company)).await?;
    let rows = users
        .iter()
        .map(|u| UserRow {
            email: u.email.clone(),
            email_path: super::encode(&u.email),
            name: u.name.clone(),
            right: tr.t(&format!("right-{}", right_value(u.marketplace_right))),
            right_value: right_value(u.marketplace_right),
            is_me: u.id == person.actor.user.id,
        })
        .collect();
    let (invite_for, invite_link) = match invite {
        Some((email, link)) => (email, Some(link)),
        None => (String::new(), None),
    };
    Ok(UsersPage {
        layout: Layout::of(person, Nav::People, tr.t("users-title")),
        rows,
        can_edit: person.can_edit(),
        invite_link,
        invite_for,
        error,
        email: typed.0.chars().take(254).collect(),
        name: typed.1.chars().take(200).collect(),
    })
}

async fn list(State(s): State<Shared>, person: Person) -> PageResult {
    if !person.can_view() {
        return Ok(no_right(&person, MarketplaceRight::View));
    }
    let view = page(&s, &person, None, None, ("", "")).await?;
    Ok(render(StatusCode::OK, &view))
}

/// The address the console is reached at, for links people receive.
fn origin(headers: &HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8080");
    format!("{}://{host}", if secure { "https" } else { "http" })
}

/// `POST /console/settings/users`: adds a person (or finds them) and makes
/// their one-time link to set a password, shown to the admin to pass on.
async fn invite(State(s): State<Shared>, headers: HeaderMap, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let email = form
        .fields
        .get("email")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let name = form
        .fields
        .get("name")
        .unwrap_or_default()
        .trim()
        .to_owned();
    let right = match form.fields.get("right") {
        Some("edit") => MarketplaceRight::Edit,
        Some("none") => MarketplaceRight::None,
        _ => MarketplaceRight::View,
    };
    let (who, display, company) = (
        email.clone(),
        if name.is_empty() {
            email.clone()
        } else {
            name.clone()
        },
        person.actor.company.clone(),
    );
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.invite(
            relais_app::Caller::User(&actor),
            &company,
            &who,
            Some((&display, right)),
        )
    })
    .await;
    match result {
        Ok((user, issued)) => {
            let link = format!(
                "{}{BASE}/invite/{}",
                origin(&headers, s.console.secure_cookies),
                issued.secret
            );
            let view = page(&s, &person, Some((user.email, link)), None, ("", "")).await?;
            Ok(render(StatusCode::OK, &view))
        }
        Err(e) if matches!(e.kind(), ErrorKind::Invalid | ErrorKind::Conflict) => {
            let view = page(&s, &person, None, Some(e.to_string()), (&email, &name)).await?;
            Ok(render(StatusCode::BAD_REQUEST, &view))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

/// `POST /console/settings/users/{email}/invite`: a new link for someone
/// who lost theirs (the old one stops working).
async fn reinvite(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(email): Path<String>,
    form: Form,
) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    let (user, issued) = run(&s, &person, move |app, by| {
        app.invite(by, &company, &email, None)
    })
    .await?;
    let link = format!(
        "{}{BASE}/invite/{}",
        origin(&headers, s.console.secure_cookies),
        issued.secret
    );
    let view = page(&s, &person, Some((user.email, link)), None, ("", "")).await?;
    Ok(render(StatusCode::OK, &view))
}

async fn change_right(
    State(s): State<Shared>,
    Path(email): Path<String>,
    form: Form,
) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let right = match form.fields.get("right") {
        Some("edit") => MarketplaceRight::Edit,
        Some("view") => MarketplaceRight::View,
        _ => MarketplaceRight::None,
    };
    let company = person.actor.company.clone();
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.change_right(relais_app::Caller::User(&actor), &company, &email, right)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "{BASE}/settings/users?notice=right-changed"
        ))),
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let view = page(&s, &person, None, Some(e.to_string()), ("", "")).await?;
            Ok(render(StatusCode::CONFLICT, &view))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}

#[derive(Template)]
#[template(path = "console/user_remove.html")]
struct RemovePage {
    layout: Layout,
    email: String,
    email_path: String,
}

async fn remove_page(
    State(_s): State<Shared>,
    person: Person,
    Path(email): Path<String>,
) -> PageResult {
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let tr = person.tr();
    Ok(render(
        StatusCode::OK,
        &RemovePage {
            layout: Layout::of(
                &person,
                Nav::People,
                tr.t1("user-remove-title", "email", &email),
            ),
            email_path: super::encode(&email),
            email,
        },
    ))
}

async fn remove(State(s): State<Shared>, Path(email): Path<String>, form: Form) -> PageResult {
    let person = form.person;
    if !person.can_edit() {
        return Ok(no_right(&person, MarketplaceRight::Edit));
    }
    let company = person.actor.company.clone();
    let actor = person.actor.clone();
    let result = crate::blocking_cancellable(&s.app, move |app, _| {
        app.remove_user(relais_app::Caller::User(&actor), &company, &email)
    })
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!(
            "{BASE}/settings/users?notice=user-removed"
        ))),
        Err(e) if e.kind() == ErrorKind::Conflict => {
            let view = page(&s, &person, None, Some(e.to_string()), ("", "")).await?;
            Ok(render(StatusCode::CONFLICT, &view))
        }
        Err(e) => Err(app_error(&person, &e)),
    }
}
