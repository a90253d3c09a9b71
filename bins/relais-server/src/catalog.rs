//! `/api/catalog`: browse, search and filter the Marketplace.

use axum::extract::{Path, RawQuery, State};
use axum::http::request::Parts;
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
async fn check_access(shared: &Shared, parts: &Parts) -> Result<(), Problem> {
    if shared.config.catalog_access == CatalogAccess::Public {
        return Ok(());
    }
    match crate::auth::actor(shared, parts).await? {
        Some(actor) => actor.require(MarketplaceRight::View).map_err(Problem::from),
        None => Err(Problem::from(AppError::new(
            ErrorKind::Unauthenticated,
            if shared.sign_in.is_some() {
                "this server shows the catalog to signed-in users only".to_owned()
            } else {
                "this server shows the catalog to signed-in users only: 'Authorization: Bearer <token>'"
                    .to_owned()
            },
        ))),
    }
}

/// `GET /api/catalog?q=&kind=&category=&badge=&capability=&pricing=&page=&per_page=`
#[utoipa::path(
    get, path = "/api/catalog", tag = "Catalog", operation_id = "searchCatalog",
    description = "Searches and filters the Marketplace, best match first. The list filters take several values, repeated (`category=payroll&category=recruiting`) or comma-separated (`category=payroll,recruiting`), in any case; values of one filter are alternatives, filters combine.\n\nThe catalog is public unless the server runs with `--catalog-access authenticated`: then it needs a token whose user has at least the *view* right.",
    params(
        ("q" = Option<String>, Query, description = "Words to search for in names, descriptions and partners (forgiving case, accents and one typo per word)", max_length = 200),
        ("kind" = Option<Vec<String>>, Query, description = "Who built it: platform, partner", explode = true),
        ("category" = Option<Vec<String>>, Query, description = "Categories: identity_access, team_communication, payroll, recruiting, learning, performance, time_tracking, bi_reporting, expenses, benefits, accounting, productivity", explode = true),
        ("badge" = Option<Vec<String>>, Query, description = "Partner badges: select, elite, premier", explode = true),
        ("capability" = Option<Vec<String>>, Query, description = "Capabilities it must have: sync_tracking, demo", explode = true),
        ("pricing" = Option<Vec<String>>, Query, description = "Pricing models: free, included, paid, on_request", explode = true),
        ("page" = Option<u64>, Query, description = "Page number, from 1 (default 1)", minimum = 1, maximum = 4_294_967_295_u64),
        ("per_page" = Option<u32>, Query, description = "Page size, 1 to 100 (default 20)", minimum = 1, maximum = 100),
    ),
    responses(
        (status = 200, description = "One page of matching integrations", body = relais_app::views::CatalogPage),
        (status = 400, description = "An unknown parameter, a repeated single-valued one, or a value that does not parse; the message names it", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "With `--catalog-access authenticated`: no token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "With `--catalog-access authenticated`: the token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn search(
    State(shared): State<Shared>,
    parts: Parts,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    check_access(&shared, &parts).await?;
    let raw = raw.unwrap_or_default();
    let query = CatalogQuery::from_pairs(url::form_urlencoded::parse(raw.as_bytes()))
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let catalog = shared.app.catalog();
    json(&CatalogPage::search(&catalog, &query))
}

/// The Marketplace's categories.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Categories {
    /// Every category, in display order, with its number of integrations.
    categories: Vec<CategoryCount>,
}

/// `GET /api/catalog/categories`: every category with its number of integrations.
#[utoipa::path(
    get, path = "/api/catalog/categories", tag = "Catalog", operation_id = "listCatalogCategories",
    responses(
        (status = 200, description = "Every category with its number of integrations", body = Categories),
        (status = 401, description = "With `--catalog-access authenticated`: no token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "With `--catalog-access authenticated`: the token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn categories(
    State(shared): State<Shared>,
    parts: Parts,
) -> Result<Json<Categories>, Problem> {
    check_access(&shared, &parts).await?;
    Ok(Json(Categories {
        categories: category_counts(&shared.app.catalog()),
    }))
}

/// One integration's page: setup, permissions, pricing, support and
/// developer details, who runs its syncs, and what this Relais lacks to
/// connect it, if anything.
#[utoipa::path(
    get, path = "/api/catalog/{slug}", tag = "Catalog", operation_id = "getCatalogIntegration",
    params(("slug" = String, Path, description = "The integration's slug, e.g. `slack`", example = "slack")),
    responses(
        (status = 200, description = "The integration's page: the whole catalog entry, its support channel, who runs its syncs, and what this Relais lacks to connect it", body = relais_app::views::IntegrationDetail),
        (status = 401, description = "With `--catalog-access authenticated`: no token, or one that is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "With `--catalog-access authenticated`: the token's user lacks the *view* right", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No integration with this slug; the message suggests the closest one", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])),
)]
pub(crate) async fn detail(
    State(shared): State<Shared>,
    parts: Parts,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    check_access(&shared, &parts).await?;
    let integration = shared.app.integration(&slug)?;
    json(&shared.app.integration_detail(&integration))
}
