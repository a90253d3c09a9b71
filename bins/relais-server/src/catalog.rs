//! `/api/catalog`: browse, search and filter the Marketplace.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use relais_access::MarketplaceRight;
use relais_app::views::{CatalogPage, CategoryCount, category_counts};
use relais_app::{AppError, ErrorKind};
use relais_catalog::CatalogQuery;
use serde::Serialize;

use crate::{CatalogAccess, Problem, Shared, json};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/catalog", get(search))
        .route("/api/catalog/categories", get(categories))
        .route("/api/catalog/{slug}", get(detail))
}

/// In `authenticated` mode, only users with at least *view* may read. In
/// `public` mode the catalog is a shop window: a token is not looked at,
/// so that a client sending its token everywhere is not refused here.
async fn check_access(shared: &Shared, headers: &HeaderMap) -> Result<(), Problem> {
    if shared.config.catalog_access == CatalogAccess::Public {
        return Ok(());
    }
    match crate::auth::actor(shared, headers).await? {
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
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    check_access(&shared, &headers).await?;
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
    headers: HeaderMap,
) -> Result<Json<Categories>, Problem> {
    check_access(&shared, &headers).await?;
    Ok(Json(Categories {
        categories: category_counts(&shared.app.catalog()),
    }))
}

/// `GET /api/catalog/{slug}`
async fn detail(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    check_access(&shared, &headers).await?;
    let integration = shared.app.integration(&slug)?;
    json(&shared.app.integration_detail(&integration))
}
