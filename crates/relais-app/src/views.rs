//! The JSON shapes of catalog answers, shared by the admin API and the
//! CLI's `--json` output so that scripts see the same documents from both.

use relais_catalog::{
    Badge, Capabilities, Catalog, CatalogQuery, Category, Integration, IntegrationKind,
    PricingModel, Support,
};
use serde::Serialize;

/// An integration as a catalog tile shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationSummary<'a> {
    /// Stable identifier.
    pub slug: &'a str,
    /// Display name.
    pub name: &'a str,
    /// One sentence.
    pub short_description: &'a str,
    /// Platform or partner.
    pub kind: IntegrationKind,
    /// The partner, for partner integrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<&'a str>,
    /// The partner's badge, for partner integrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<Badge>,
    /// Categories.
    pub categories: &'a [Category],
    /// Pricing model and a human summary.
    pub pricing: PricingView,
    /// Optional features.
    pub capabilities: Capabilities,
}

/// Pricing model and a human summary of the price.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PricingView {
    /// Free, included, paid or on request.
    pub model: PricingModel,
    /// E.g. "4.50 EUR per employee / month".
    pub summary: String,
}

impl<'a> From<&'a Integration> for IntegrationSummary<'a> {
    fn from(integration: &'a Integration) -> Self {
        Self {
            slug: &integration.slug,
            name: &integration.name,
            short_description: &integration.short_description,
            kind: integration.kind(),
            partner: integration.partner(),
            badge: integration.badge(),
            categories: &integration.categories,
            pricing: PricingView {
                model: integration.pricing.model(),
                summary: integration.pricing.summary(),
            },
            capabilities: integration.capabilities,
        }
    }
}

/// One page of catalog search results.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogPage<'a> {
    /// The integrations on this page, best first.
    pub items: Vec<IntegrationSummary<'a>>,
    /// How many integrations match in all.
    pub total: usize,
    /// This page's number, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// How many pages there are.
    pub total_pages: u32,
}

impl<'a> CatalogPage<'a> {
    /// Runs `query` on `catalog`.
    #[must_use]
    pub fn search(catalog: &'a Catalog, query: &CatalogQuery) -> Self {
        let found = catalog.search(query);
        Self {
            items: found
                .items
                .iter()
                .map(|i| IntegrationSummary::from(*i))
                .collect(),
            total: found.total,
            page: found.page.number(),
            per_page: found.page.size(),
            total_pages: found.total_pages,
        }
    }
}

/// An integration's page: everything, plus the side panel's support block.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationDetail<'a> {
    /// The whole catalog entry.
    #[serde(flatten)]
    pub integration: &'a Integration,
    /// Platform or partner.
    pub kind: IntegrationKind,
    /// Where to get help: "Help & feedback" or the partner's channels.
    pub support: Support<'a>,
    /// E.g. "Included".
    pub pricing_summary: String,
    /// Who runs its syncs once connected, and whether "Sync now" applies.
    pub sync: crate::setup::SyncInfo,
    /// What this Relais lacks to connect it (see [`crate::App::setup_notice`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_notice: Option<String>,
}

impl<'a> From<&'a Integration> for IntegrationDetail<'a> {
    fn from(integration: &'a Integration) -> Self {
        Self {
            kind: integration.kind(),
            support: integration.support(),
            pricing_summary: integration.pricing.summary(),
            sync: crate::setup::sync_info(integration),
            setup_notice: None,
            integration,
        }
    }
}

impl crate::App {
    /// An integration's page as this Relais shows it: with what it lacks to
    /// connect the integration, if anything.
    #[must_use]
    pub fn integration_detail<'a>(&self, integration: &'a Integration) -> IntegrationDetail<'a> {
        IntegrationDetail {
            setup_notice: self.setup_notice(integration),
            ..IntegrationDetail::from(integration)
        }
    }
}

/// A category with its number of integrations.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    /// Wire name.
    pub id: &'static str,
    /// English label.
    pub label: &'static str,
    /// Integrations listed under it.
    pub count: usize,
}

/// Every category of `catalog` with its count.
#[must_use]
pub fn category_counts(catalog: &Catalog) -> Vec<CategoryCount> {
    catalog
        .category_counts()
        .into_iter()
        .map(|(category, count)| CategoryCount {
            id: category.id(),
            label: category.label(),
            count,
        })
        .collect()
}
