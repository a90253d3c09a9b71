//! Free-text search, filters and pagination over a catalog.
//!
//! Matching: every word of the query must match some word of the
//! integration's name, partner, categories or descriptions, after folding
//! case and accents. A query word matches a text word when it is equal to
//! it, a prefix of it, or — for query words of four letters or more — one
//! edit away from it (a letter added, dropped, changed, or two neighbours
//! swapped). Four letters, like Algolia's default, so that `slak` finds Slack.
//!
//! Ranking: integrations matching more query words in their *name* come
//! first; then a score that favours exact over prefix over typo matches and
//! name over partner over categories over descriptions; then the name and the
//! slug, so that the order is total and stable.

use std::cmp::Ordering;

use crate::model::{Badge, Capability, Category, Integration, IntegrationKind, PricingModel};
use crate::{Catalog, text};

/// What to look for: text, filters and the page wanted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogQuery {
    /// Free text; blank means everything.
    pub text: Option<String>,
    /// Filters, all of which must hold.
    pub filter: CatalogFilter,
    /// The page of results wanted.
    pub page: Page,
}

/// Filters over the catalog. Within one list any value may match (kind is
/// platform *or* partner); across lists all must hold (kind *and* category);
/// capabilities are flags, so every listed capability is required.
/// An empty list does not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogFilter {
    /// Built by the platform, by a partner.
    pub kinds: Vec<IntegrationKind>,
    /// Listed under any of these categories.
    pub categories: Vec<Category>,
    /// Partner badge (platform integrations have none, so never match).
    pub badges: Vec<Badge>,
    /// Offers every one of these capabilities.
    pub capabilities: Vec<Capability>,
    /// Priced by any of these models.
    pub pricing: Vec<PricingModel>,
}

impl CatalogFilter {
    /// Whether `integration` passes every filter.
    #[must_use]
    pub fn accepts(&self, integration: &Integration) -> bool {
        (self.kinds.is_empty() || self.kinds.contains(&integration.kind()))
            && (self.categories.is_empty()
                || integration
                    .categories
                    .iter()
                    .any(|c| self.categories.contains(c)))
            && (self.badges.is_empty()
                || integration
                    .badge()
                    .is_some_and(|b| self.badges.contains(&b)))
            && self
                .capabilities
                .iter()
                .all(|c| c.in_(integration.capabilities))
            && (self.pricing.is_empty() || self.pricing.contains(&integration.pricing.model()))
    }
}

/// A page of results: 1-based page number and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    number: u32,
    size: u32,
}

/// Why a page request was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PageError {
    /// Pages count from 1.
    #[error("page must be 1 or more, got {0}")]
    Number(u32),
    /// Page size out of range.
    #[error("per_page must be between 1 and {max}, got {got}", max = Page::MAX_SIZE)]
    Size {
        /// What was asked for.
        got: u32,
    },
}

impl Page {
    /// Page size when none is asked for.
    pub const DEFAULT_SIZE: u32 = 20;
    /// Largest page size.
    pub const MAX_SIZE: u32 = 100;

    /// A page, checked.
    ///
    /// # Errors
    /// [`PageError`] when the number is 0 or the size is outside 1..=100.
    pub fn new(number: u32, size: u32) -> Result<Self, PageError> {
        if number == 0 {
            return Err(PageError::Number(number));
        }
        if size == 0 || size > Self::MAX_SIZE {
            return Err(PageError::Size { got: size });
        }
        Ok(Self { number, size })
    }

    /// 1-based page number.
    #[must_use]
    pub fn number(self) -> u32 {
        self.number
    }

    /// Page size.
    #[must_use]
    pub fn size(self) -> u32 {
        self.size
    }
}

impl Default for Page {
    fn default() -> Self {
        Self {
            number: 1,
            size: Self::DEFAULT_SIZE,
        }
    }
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage<'a> {
    /// The integrations on this page, best first.
    pub items: Vec<&'a Integration>,
    /// How many integrations match in all.
    pub total: usize,
    /// The page returned.
    pub page: Page,
    /// How many pages there are (0 when nothing matches).
    pub total_pages: u32,
}

/// The folded words of one integration's searchable fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchDoc {
    name: Vec<String>,
    /// The folded name with single spaces, to spot whole-name queries.
    name_phrase: String,
    partner: Vec<String>,
    categories: Vec<String>,
    short_description: Vec<String>,
    long_description: Vec<String>,
}

impl SearchDoc {
    pub(crate) fn new(integration: &Integration) -> Self {
        let name = text::words(&integration.name);
        let categories = integration
            .categories
            .iter()
            .flat_map(|c| {
                text::words(c.label())
                    .into_iter()
                    .chain(text::words(c.id()))
            })
            .collect();
        Self {
            name_phrase: name.join(" "),
            name,
            partner: integration.partner().map(text::words).unwrap_or_default(),
            categories,
            short_description: text::words(&integration.short_description),
            long_description: text::words(&integration.long_description),
        }
    }

    /// Fields with their weights, best first.
    fn fields(&self) -> [(&[String], u32); 5] {
        [
            (&self.name, 100),
            (&self.partner, 40),
            (&self.categories, 30),
            (&self.short_description, 20),
            (&self.long_description, 10),
        ]
    }
}

/// How well one query word matches one text word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Closeness {
    Typo = 6,
    Prefix = 8,
    Exact = 10,
}

fn closeness(query: &str, word: &str) -> Option<Closeness> {
    if query == word {
        return Some(Closeness::Exact);
    }
    if word.starts_with(query) {
        return Some(Closeness::Prefix);
    }
    let query_len = query.chars().count();
    if query_len >= 4
        && query_len.abs_diff(word.chars().count()) <= 1
        && strsim::osa_distance(query, word) <= 1
    {
        return Some(Closeness::Typo);
    }
    None
}

/// Rank of a matching integration: higher is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    whole_name: bool,
    name_words: usize,
    score: u32,
}

/// Ranks `doc` against the query words, or `None` when a word matches nowhere.
fn rank(doc: &SearchDoc, query: &[String], phrase: &str) -> Option<Rank> {
    let mut rank = Rank {
        whole_name: doc.name_phrase == phrase,
        name_words: 0,
        score: 0,
    };
    for word in query {
        let mut best: Option<u32> = None;
        for (at, (field, weight)) in doc.fields().into_iter().enumerate() {
            let Some(close) = field.iter().filter_map(|w| closeness(word, w)).max() else {
                continue;
            };
            if at == 0 {
                rank.name_words += 1;
            }
            let score = weight * close as u32;
            best = Some(best.map_or(score, |b| b.max(score)));
        }
        rank.score += best?;
    }
    Some(rank)
}

pub(crate) fn run<'a>(catalog: &'a Catalog, query: &CatalogQuery) -> SearchPage<'a> {
    let words = query.text.as_deref().map(text::words).unwrap_or_default();
    let phrase = words.join(" ");
    let mut hits: Vec<(Rank, &Integration)> = catalog
        .integrations
        .iter()
        .zip(&catalog.index)
        .filter(|(integration, _)| query.filter.accepts(integration))
        .filter_map(|(integration, doc)| {
            let rank = if words.is_empty() {
                Rank {
                    whole_name: false,
                    name_words: 0,
                    score: 0,
                }
            } else {
                rank(doc, &words, &phrase)?
            };
            Some((rank, integration))
        })
        .collect();
    hits.sort_by(|(rank_a, a), (rank_b, b)| rank_b.cmp(rank_a).then_with(|| by_name(a, b)));

    let total = hits.len();
    let size = query.page.size as usize;
    let total_pages = u32::try_from(total.div_ceil(size)).unwrap_or(u32::MAX);
    let skip = (query.page.number as usize - 1).saturating_mul(size);
    let items = hits
        .into_iter()
        .skip(skip)
        .take(size)
        .map(|(_, i)| i)
        .collect();
    SearchPage {
        items,
        total,
        page: query.page,
        total_pages,
    }
}

fn by_name(a: &Integration, b: &Integration) -> Ordering {
    text::normalize(&a.name)
        .cmp(&text::normalize(&b.name))
        .then_with(|| a.slug.cmp(&b.slug))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn catalog() -> Catalog {
        Catalog::shipped().unwrap()
    }

    fn find(catalog: &Catalog, text: &str) -> Vec<String> {
        let query = CatalogQuery {
            text: Some(text.into()),
            page: Page::new(1, 100).unwrap(),
            ..Default::default()
        };
        catalog
            .search(&query)
            .items
            .iter()
            .map(|i| i.slug.clone())
            .collect()
    }

    #[test]
    fn a_typo_in_a_four_letter_word_still_finds_slack() {
        let found = find(&catalog(), "slak");
        assert_eq!(
            found.first().map(String::as_str),
            Some("slack"),
            "{found:?}"
        );
    }

    #[test]
    fn one_typo_is_tolerated_in_long_words_but_not_two() {
        let catalog = catalog();
        assert!(find(&catalog, "recuriting").iter().any(|s| {
            catalog
                .get(s)
                .unwrap()
                .categories
                .contains(&Category::Recruiting)
        }));
        assert!(
            find(&catalog, "rcuritng").is_empty(),
            "two edits must not match"
        );
    }

    #[test]
    fn accents_and_case_do_not_matter() {
        let catalog = catalog();
        assert_eq!(find(&catalog, "EQUIPE"), find(&catalog, "équipe"));
        assert!(
            !find(&catalog, "equipe").is_empty(),
            "the shipped catalog mentions 'équipe'"
        );
    }

    #[test]
    fn name_matches_rank_before_description_matches() {
        let catalog = catalog();
        let found = find(&catalog, "teams");
        let first = catalog.get(&found[0]).unwrap();
        assert!(
            text::words(&first.name).contains(&"teams".to_owned()),
            "{found:?}"
        );
        let name_hits = found
            .iter()
            .take_while(|s| {
                text::words(&catalog.get(s).unwrap().name)
                    .iter()
                    .any(|w| w.starts_with("team"))
            })
            .count();
        let later_name_hit = found[name_hits..].iter().any(|s| {
            text::words(&catalog.get(s).unwrap().name)
                .iter()
                .any(|w| w.starts_with("team"))
        });
        assert!(
            !later_name_hit,
            "a name match ranked after a non-name match: {found:?}"
        );
    }

    #[test]
    fn every_word_of_the_query_must_match() {
        let catalog = catalog();
        assert!(find(&catalog, "slack zzzzqqq").is_empty());
    }

    #[test]
    fn filters_combine() {
        let catalog = catalog();
        let query = CatalogQuery {
            filter: CatalogFilter {
                kinds: vec![IntegrationKind::Partner],
                badges: vec![Badge::Premier],
                ..Default::default()
            },
            page: Page::new(1, 100).unwrap(),
            ..Default::default()
        };
        let page = catalog.search(&query);
        assert!(page.total > 0);
        assert!(page.items.iter().all(|i| i.badge() == Some(Badge::Premier)));
        let tracked = CatalogQuery {
            filter: CatalogFilter {
                capabilities: vec![Capability::SyncTracking],
                ..Default::default()
            },
            page: Page::new(1, 100).unwrap(),
            ..Default::default()
        };
        assert!(
            catalog
                .search(&tracked)
                .items
                .iter()
                .all(|i| i.capabilities.sync_tracking)
        );
    }

    #[test]
    fn pages_are_checked() {
        assert_eq!(Page::new(0, 10), Err(PageError::Number(0)));
        assert_eq!(Page::new(1, 0), Err(PageError::Size { got: 0 }));
        assert_eq!(Page::new(1, 101), Err(PageError::Size { got: 101 }));
    }

    fn arb_filter() -> impl Strategy<Value = CatalogFilter> {
        (
            proptest::sample::subsequence(IntegrationKind::ALL.to_vec(), 0..=2),
            proptest::sample::subsequence(Category::ALL.to_vec(), 0..=3),
            proptest::sample::subsequence(Badge::ALL.to_vec(), 0..=3),
            proptest::sample::subsequence(Capability::ALL.to_vec(), 0..=2),
            proptest::sample::subsequence(PricingModel::ALL.to_vec(), 0..=4),
        )
            .prop_map(
                |(kinds, categories, badges, capabilities, pricing)| CatalogFilter {
                    kinds,
                    categories,
                    badges,
                    capabilities,
                    pricing,
                },
            )
    }

    fn arb_text() -> impl Strategy<Value = Option<String>> {
        prop_oneof![
            Just(None),
            proptest::sample::select(vec![
                "slack", "sso", "payroll", "team", "okta", "recrut", "équipe", "data", "a", "zz"
            ])
            .prop_map(|s| Some(s.to_owned())),
            "[a-zé ]{0,12}".prop_map(Some),
        ]
    }

    fn all(catalog: &Catalog, text: Option<String>, filter: CatalogFilter) -> Vec<String> {
        let query = CatalogQuery {
            text,
            filter,
            page: Page::new(1, 100).unwrap(),
        };
        catalog
            .search(&query)
            .items
            .iter()
            .map(|i| i.slug.clone())
            .collect()
    }

    proptest! {
        #[test]
        fn every_filtered_result_is_in_the_unfiltered_result(text in arb_text(), filter in arb_filter()) {
            let catalog = catalog();
            let unfiltered: HashSet<_> = all(&catalog, text.clone(), CatalogFilter::default()).into_iter().collect();
            for slug in all(&catalog, text, filter.clone()) {
                prop_assert!(unfiltered.contains(&slug));
                prop_assert!(filter.accepts(catalog.get(&slug).unwrap()));
            }
        }

        #[test]
        fn paging_never_loses_or_repeats_an_item(text in arb_text(), filter in arb_filter(), size in 1_u32..=25) {
            let catalog = catalog();
            let everything = all(&catalog, text.clone(), filter.clone());
            let mut paged = Vec::new();
            let mut number = 1;
            loop {
                let query = CatalogQuery { text: text.clone(), filter: filter.clone(), page: Page::new(number, size).unwrap() };
                let page = catalog.search(&query);
                prop_assert_eq!(page.total, everything.len());
                if page.items.is_empty() {
                    prop_assert!(number > page.total_pages);
                    break;
                }
                paged.extend(page.items.iter().map(|i| i.slug.clone()));
                number += 1;
            }
            prop_assert_eq!(paged, everything);
        }
    }
}
