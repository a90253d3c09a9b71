//! Sign-in, sign-out, and the invitation link that sets a password.

use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use relais_access::Session;
use serde::Deserialize;

use super::{
    BASE, Layout, PRESESSION_COOKIE, PlainForm, Prefs, SESSION_COOKIE, clear_cookie, cookies,
    error_page, local_path, render, request_id, see_other, set_cookie,
};
use crate::Shared;

pub(super) fn routes() -> Router<Shared> {
    Router::new()
        .route(&format!("{BASE}/sign-in"), get(sign_in_page).post(sign_in))
        .route(&format!("{BASE}/sign-out"), post(sign_out))
        .route(
            &format!("{BASE}/invite/{{secret}}"),
            get(invite_page).post(accept_invite),
        )
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    layout: Layout,
    next: String,
    email: String,
    csrf: String,
    error: Option<String>,
    ask_company: bool,
    company: String,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    #[serde(default)]
    next: Option<String>,
}

/// A fresh pre-session CSRF value (double submit: a cookie and the same
/// value in the form), for the forms used before a session exists.
fn presession(headers: &HeaderMap) -> String {
    cookies(headers)
        .remove(PRESESSION_COOKIE)
        .filter(|v| Session::is_well_formed(v))
        .unwrap_or_else(|| relais_access::Session::csrf_token(&uuid::Uuid::new_v4().to_string()))
}

fn presession_ok(headers: &HeaderMap, form: &PlainForm) -> bool {
    let cookie = cookies(headers)
        .remove(PRESESSION_COOKIE)
        .unwrap_or_default();
    let sent = form.get("_csrf").unwrap_or_default();
    !cookie.is_empty() && super::constant_time_eq(&cookie, sent)
}

fn sign_in_form(s: &Shared, status: StatusCode, page: &SignInPage) -> Response {
    let mut response = render(status, page);
    set_cookie(
        &mut response,
        PRESESSION_COOKIE,
        &page.csrf,
        None,
        s.console.secure_cookies,
    );
    response
}

async fn sign_in_page(
    State(s): State<Shared>,
    prefs: Prefs,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Response {
    let next = local_path(query.next.as_deref().unwrap_or(&format!("{BASE}/")));
    let page = SignInPage {
        layout: Layout::anonymous(
            prefs,
            prefs.tr.t("sign-in-title"),
            &format!("{BASE}/sign-in"),
        ),
        next,
        email: String::new(),
        csrf: presession(&headers),
        error: None,
        ask_company: false,
        company: String::new(),
    };
    sign_in_form(&s, StatusCode::OK, &page)
}

async fn sign_in(
    State(s): State<Shared>,
    prefs: Prefs,
    peer: Option<Extension<ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    form: PlainForm,
) -> Response {
    let tr = prefs.tr;
    let next = local_path(form.get("next").unwrap_or(&format!("{BASE}/")));
    let email = form.get("email").unwrap_or_default().trim().to_owned();
    let company = form.get("company").unwrap_or_default().trim().to_owned();
    let again = |error: String, ask_company: bool, status: StatusCode| {
        let page = SignInPage {
            layout: Layout::anonymous(prefs, tr.t("sign-in-title"), &format!("{BASE}/sign-in")),
            next: next.clone(),
            email: email.chars().take(254).collect(),
            csrf: presession(&headers),
            error: Some(error),
            ask_company,
            company: company.chars().take(200).collect(),
        };
        sign_in_form(&s, status, &page)
    };
    if !presession_ok(&headers, &form) {
        return again(tr.t("sign-in-expired-form"), false, StatusCode::FORBIDDEN);
    }
    // Throttled per source address and per e-mail, before any work.
    let source = crate::client_address(
        &headers,
        peer.map(|Extension(ConnectInfo(a))| a),
        s.config.trust_proxy,
    )
    .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    // No address is an e-mail beyond 254 characters: refused before it
    // becomes a key of the throttle (whose table would grow with it).
    if email.len() > 254 {
        return again(tr.t("sign-in-refused"), false, StatusCode::UNAUTHORIZED);
    }
    if !s.console.may_try_sign_in(source, &email) {
        return again(
            tr.t("sign-in-throttled"),
            false,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let password = form.get("password").unwrap_or_default().to_owned();
    let (who, company_key) = (email.clone(), company.clone());
    // Closed only when the server stops; then there is nothing to check.
    let Ok(_hashing) = s.console.password_checks.acquire().await else {
        return again(
            tr.t("sign-in-throttled"),
            false,
            StatusCode::SERVICE_UNAVAILABLE,
        );
    };
    let signed_in = crate::blocking(&s.app, move |app| {
        app.sign_in(
            &who,
            &password,
            Some(company_key.as_str()).filter(|c| !c.is_empty()),
        )
    })
    .await;
    match signed_in {
        Ok((_, opened)) => {
            let mut response = see_other(&next);
            set_cookie(
                &mut response,
                SESSION_COOKIE,
                &opened.secret,
                None,
                s.console.secure_cookies,
            );
            clear_cookie(&mut response, PRESESSION_COOKIE, s.console.secure_cookies);
            response
        }
        Err(problem) if problem.status == 400 => again(
            tr.t("sign-in-choose-company"),
            true,
            StatusCode::BAD_REQUEST,
        ),
        Err(problem) if problem.status == 403 => {
            again(tr.t("sign-in-no-right"), false, StatusCode::FORBIDDEN)
        }
        Err(problem) if problem.status == 401 => again(
            tr.t("sign-in-refused"),
            !company.is_empty(),
            StatusCode::UNAUTHORIZED,
        ),
        Err(problem) => error_page(
            prefs,
            request_id(&headers),
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &problem.message,
        ),
    }
}

/// `POST /console/sign-out`: ends the session (with the session's CSRF token).
async fn sign_out(State(s): State<Shared>, form: super::Form) -> Response {
    let secret = form.person.session.clone();
    let _ = crate::blocking(&s.app, move |app| app.sign_out(&secret)).await;
    let mut response = see_other(&format!("{BASE}/sign-in"));
    clear_cookie(&mut response, SESSION_COOKIE, s.console.secure_cookies);
    response
}

#[derive(Template)]
#[template(path = "console/invite.html")]
struct InvitePage {
    layout: Layout,
    lead: String,
    email: String,
    secret: String,
    csrf: String,
    error: Option<String>,
}

async fn invite_page(
    State(s): State<Shared>,
    prefs: Prefs,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Response {
    let lookup = secret.clone();
    match crate::blocking(&s.app, move |app| app.invitation(&lookup)).await {
        Ok((user, company)) => {
            let page = InvitePage {
                layout: Layout::anonymous(
                    prefs,
                    prefs.tr.t("invite-title"),
                    &format!("{BASE}/sign-in"),
                ),
                lead: prefs.tr.args(
                    "invite-lead",
                    &[
                        ("email", user.email.clone()),
                        ("name", company.name.clone()),
                    ],
                ),
                email: user.email,
                secret,
                csrf: presession(&headers),
                error: None,
            };
            let csrf = page.csrf.clone();
            let mut response = render(StatusCode::OK, &page);
            set_cookie(
                &mut response,
                PRESESSION_COOKIE,
                &csrf,
                None,
                s.console.secure_cookies,
            );
            response
        }
        Err(_) => error_page(
            prefs,
            request_id(&headers),
            StatusCode::NOT_FOUND,
            &prefs.tr.t("invite-gone"),
        ),
    }
}

async fn accept_invite(
    State(s): State<Shared>,
    prefs: Prefs,
    headers: HeaderMap,
    Path(secret): Path<String>,
    form: PlainForm,
) -> Response {
    let tr = prefs.tr;
    let password = form.get("password").unwrap_or_default().to_owned();
    let repeated = form.get("password_again").unwrap_or_default();
    let lookup = secret.clone();
    let Ok((user, company)) = crate::blocking(&s.app, move |app| app.invitation(&lookup)).await
    else {
        return error_page(
            prefs,
            request_id(&headers),
            StatusCode::NOT_FOUND,
            &tr.t("invite-gone"),
        );
    };
    let again = |error: String, status: StatusCode| {
        let page = InvitePage {
            layout: Layout::anonymous(prefs, tr.t("invite-title"), &format!("{BASE}/sign-in")),
            lead: tr.args(
                "invite-lead",
                &[
                    ("email", user.email.clone()),
                    ("name", company.name.clone()),
                ],
            ),
            email: user.email.clone(),
            secret: secret.clone(),
            csrf: presession(&headers),
            error: Some(error),
        };
        let csrf = page.csrf.clone();
        let mut response = render(status, &page);
        set_cookie(
            &mut response,
            PRESESSION_COOKIE,
            &csrf,
            None,
            s.console.secure_cookies,
        );
        response
    };
    if !presession_ok(&headers, &form) {
        return again(tr.t("sign-in-expired-form"), StatusCode::FORBIDDEN);
    }
    if password != repeated {
        return again(tr.t("invite-mismatch"), StatusCode::BAD_REQUEST);
    }
    if password.chars().count() < relais_access::MIN_PASSWORD_CHARS
        || password.chars().count() > relais_access::MAX_PASSWORD_CHARS
    {
        return again(
            tr.t1(
                "invite-too-short",
                "count",
                relais_access::MIN_PASSWORD_CHARS,
            ),
            StatusCode::BAD_REQUEST,
        );
    }
    let link = secret.clone();
    let Ok(_hashing) = s.console.password_checks.acquire().await else {
        return again(tr.t("sign-in-throttled"), StatusCode::SERVICE_UNAVAILABLE);
    };
    match crate::blocking(&s.app, move |app| app.accept_invitation(&link, &password)).await {
        Ok((_, None)) => {
            // The password is set, but the right is missing: say so on the
            // sign-in page rather than open a session that shows nothing.
            let page = SignInPage {
                layout: Layout::anonymous(prefs, tr.t("sign-in-title"), &format!("{BASE}/sign-in")),
                next: format!("{BASE}/"),
                email: String::new(),
                csrf: presession(&headers),
                error: Some(tr.t("sign-in-no-right")),
                ask_company: false,
                company: String::new(),
            };
            sign_in_form(&s, StatusCode::FORBIDDEN, &page)
        }
        Ok((_, Some(opened))) => {
            let mut response = see_other(&format!("{BASE}/marketplace?notice=password-set"));
            set_cookie(
                &mut response,
                SESSION_COOKIE,
                &opened.secret,
                None,
                s.console.secure_cookies,
            );
            clear_cookie(&mut response, PRESESSION_COOKIE, s.console.secure_cookies);
            response
        }
        Err(_) => error_page(
            prefs,
            request_id(&headers),
            StatusCode::NOT_FOUND,
            &tr.t("invite-gone"),
        ),
    }
    .into_response()
}
