//! `/api/catalog`: browse, search and filter the Marketplace.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use relais_access::MarketplaceRight;
use relais_app::views::{CatalogPage, CategoryCount, IntegrationDetail, category_counts};
use relais_app::{AppError, ErrorKind};
use relais_catalog::CatalogQuery;
use serde::Serialize;

use crate::auth::MaybeAuthenticated;
use crate::{CatalogAccess, Problem, Shared, json};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/catalog", get(search))
        .route("/api/catalog/categories", get(categories))
        .route("/api/catalog/{slug}", get(detail))
}

/// In `authenticated` mode, only users with at least *view* may read.
fn check_access(shared: &Shared, user: &MaybeAuthenticated) -> Result<(), Problem> {
    if shared.config.catalog_access == CatalogAccess::Public {
        return Ok(());
    }
    match &user.0 {
        Some(actor) => actor.require(MarketplaceRight::View).map_err(Problem::from),
        None => Err(Problem::from(AppError::new(
            ErrorKind::Unauthenticated,
            "this server shows the catalog to signed-in users only: 'Authorization: Bearer <token>'"
                .to_owned(),
        ))),
    }
}

/// `GET /api/catalog?q=&kind=&category=&badge=&capability=&pricing=&page=&per_page=`
async fn search(
    State(shared): State<Shared>,
    user: MaybeAuthenticated,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    check_access(&shared, &user)?;
    let raw = raw.unwrap_or_default();
    let query = CatalogQuery::from_pairs(url::form_urlencoded::parse(raw.as_bytes()))
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let catalog = shared.app.catalog();
    json(&CatalogPage::search(&catalog, &query))
}

#[derive(Serialize)]
struct Categories {
    categories: Vec<CategoryCount>,
}

/// `GET /api/catalog/categories`: every category with its number of integrations.
async fn categories(
    State(shared): State<Shared>,
    user: MaybeAuthenticated,
) -> Result<Json<Categories>, Problem> {
    check_access(&shared, &user)?;
    Ok(Json(Categories {
        categories: category_counts(&shared.app.catalog()),
    }))
}

/// `GET /api/catalog/{slug}`
async fn detail(
    State(shared): State<Shared>,
    user: MaybeAuthenticated,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    check_access(&shared, &user)?;
    let integration = shared.app.integration(&slug)?;
    json(&IntegrationDetail::from(&integration))
}
