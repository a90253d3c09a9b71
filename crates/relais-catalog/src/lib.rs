//! The Relais Marketplace catalog.
//!
//! This crate owns what an integration *is*: who built it (the platform or a
//! partner with a Select, Elite or Premier badge), its categories, the public
//! API permissions it needs, pricing, support and developer details, its
//! capabilities and its setup-wizard definition. It reads and validates
//! catalog files, and searches and filters a catalog.
//!
//! It deliberately does not store anything, run a wizard or know about
//! companies: connecting an integration is `relais-connections`' job, keeping
//! the catalog is `relais-store`'s.
//!
//! Depends on `relais-access` (the API permissions an integration needs).
//! Pure: no I/O; the shipped catalog is compiled in.
//!
//! # Example
//!
//! ```rust
//! use relais_catalog::{Catalog, CatalogFilter, CatalogQuery, Category};
//!
//! # fn main() -> Result<(), relais_catalog::CatalogError> {
//! let catalog = Catalog::shipped()?;
//! let page = catalog.search(&CatalogQuery {
//!     text: Some("okta".into()),
//!     filter: CatalogFilter {
//!         categories: vec![Category::IdentityAccess],
//!         ..CatalogFilter::default()
//!     },
//!     ..CatalogQuery::default()
//! });
//! assert_eq!(page.items[0].slug, "okta");
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod error;
mod model;
mod query;
mod search;
mod text;
mod validate;

pub use error::{CatalogError, Problem};
pub use model::{
    Badge, BuiltBy, Capabilities, Capability, Category, Developer, FieldInput, Integration,
    IntegrationKind, PartnerSupport, PricePeriod, PriceUnit, Pricing, PricingModel, SelectOption,
    Support, Validation, WizardDefinition, WizardField, WizardStep,
};
pub use query::{Named, PARAMETERS, QueryError, parse_named};
pub use search::{CatalogFilter, CatalogQuery, Page, PageError, SearchPage};
pub use text::normalize;

/// The catalog shipped with Relais, loaded on a fresh install.
///
/// The file lives in this crate (`catalog.json`) so that the crate packages;
/// `fixtures/catalog.json` links to it.
pub const DEFAULT_CATALOG_JSON: &str = include_str!("../catalog.json");

/// The name the shipped catalog is known by in messages.
pub const DEFAULT_CATALOG_SOURCE: &str = "fixtures/catalog.json";

/// A validated set of integrations, kept sorted by slug, ready to search.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    integrations: Vec<Integration>,
    index: Vec<search::SearchDoc>,
}

impl Catalog {
    /// Reads and validates a catalog file's text.
    ///
    /// `source` names the file in error messages.
    ///
    /// # Errors
    /// [`CatalogError::Parse`] when the text is not a catalog document (the
    /// message names the JSON path of the bad field), [`CatalogError::Invalid`]
    /// listing every rule the integrations break.
    pub fn from_json(source: &str, text: &str) -> Result<Self, CatalogError> {
        let file = model::CatalogFile::parse(source, text)?;
        Self::new(source, file.integrations)
    }

    /// The catalog shipped with Relais.
    ///
    /// # Errors
    /// Only if the shipped file is broken, which the tests rule out.
    pub fn shipped() -> Result<Self, CatalogError> {
        Self::from_json(DEFAULT_CATALOG_SOURCE, DEFAULT_CATALOG_JSON)
    }

    /// Validates a list of integrations and builds the search index.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] listing every rule the integrations break.
    pub fn new(source: &str, mut integrations: Vec<Integration>) -> Result<Self, CatalogError> {
        let problems = validate::validate(&integrations);
        if !problems.is_empty() {
            return Err(CatalogError::Invalid {
                source_name: source.to_owned(),
                problems,
            });
        }
        integrations.sort_by(|a, b| a.slug.cmp(&b.slug));
        let index = integrations.iter().map(search::SearchDoc::new).collect();
        Ok(Self {
            integrations,
            index,
        })
    }

    /// Every integration, sorted by slug.
    #[must_use]
    pub fn integrations(&self) -> &[Integration] {
        &self.integrations
    }

    /// The integration with this slug.
    #[must_use]
    pub fn get(&self, slug: &str) -> Option<&Integration> {
        self.integrations
            .binary_search_by(|i| i.slug.as_str().cmp(slug))
            .ok()
            .map(|at| &self.integrations[at])
    }

    /// How many integrations the catalog holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.integrations.len()
    }

    /// Whether the catalog holds no integration.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.integrations.is_empty()
    }

    /// Every category with the number of integrations in it, in display order.
    /// Categories without integrations are listed with a count of zero.
    #[must_use]
    pub fn category_counts(&self) -> Vec<(Category, usize)> {
        Category::ALL
            .iter()
            .map(|&category| {
                let count = self
                    .integrations
                    .iter()
                    .filter(|i| i.categories.contains(&category))
                    .count();
                (category, count)
            })
            .collect()
    }

    /// Searches and filters the catalog and returns one page of results.
    #[must_use]
    pub fn search(&self, query: &CatalogQuery) -> SearchPage<'_> {
        search::run(self, query)
    }

    /// The catalog as a catalog file, for export.
    ///
    /// # Errors
    /// Never in practice: every type here serialises.
    pub fn to_json(&self) -> Result<String, CatalogError> {
        model::CatalogFile::render(&self.integrations)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalog_is_valid_and_large_enough() {
        let catalog = Catalog::shipped().unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.len() >= 60, "only {} integrations", catalog.len());
    }

    #[test]
    fn shipped_catalog_covers_every_category_kind_and_badge() {
        let catalog = Catalog::shipped().unwrap();
        for (category, count) in catalog.category_counts() {
            assert!(count > 0, "no integration in {category:?}");
        }
        let kinds: Vec<_> = catalog
            .integrations()
            .iter()
            .map(Integration::kind)
            .collect();
        assert!(kinds.contains(&IntegrationKind::Platform));
        assert!(kinds.contains(&IntegrationKind::Partner));
        for badge in Badge::ALL {
            assert!(
                catalog
                    .integrations()
                    .iter()
                    .any(|i| i.badge() == Some(badge)),
                "no {badge:?} partner"
            );
        }
        let tracked = catalog
            .integrations()
            .iter()
            .filter(|i| i.capabilities.sync_tracking)
            .count();
        assert!(
            tracked >= 4,
            "only {tracked} integrations with sync tracking"
        );
        assert!(catalog.integrations().iter().any(|i| i.capabilities.demo));
    }

    #[test]
    fn shipped_catalog_round_trips_through_json() {
        let catalog = Catalog::shipped().unwrap();
        let again = Catalog::from_json("export", &catalog.to_json().unwrap()).unwrap();
        assert_eq!(catalog.integrations(), again.integrations());
    }
}
