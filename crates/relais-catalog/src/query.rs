//! Reading a [`CatalogQuery`] from `key=value` pairs, as a URL query string
//! or a command line gives them.

use std::str::FromStr;

use crate::model::{Badge, Capability, Category, IntegrationKind, PricingModel};
use crate::search::{CatalogFilter, CatalogQuery, Page};

/// The parameters a catalog query understands.
pub const PARAMETERS: [&str; 8] = [
    "q",
    "kind",
    "category",
    "badge",
    "capability",
    "pricing",
    "page",
    "per_page",
];

/// Why a catalog query could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct QueryError {
    /// The offending parameter.
    pub parameter: String,
    /// What is wrong with it.
    pub message: String,
}

/// A filter value that can be named in a query: its wire name and all choices.
pub trait Named: Sized + Copy + 'static {
    /// Every value.
    const CHOICES: &'static [Self];
    /// The wire name of a value.
    fn name(self) -> &'static str;
}

macro_rules! named {
    ($type:ty, $($value:path => $name:literal),+ $(,)?) => {
        impl Named for $type {
            const CHOICES: &'static [Self] = &[$($value),+];
            fn name(self) -> &'static str {
                match self { $($value => $name),+ }
            }
        }
        impl FromStr for $type {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                parse_named(text)
            }
        }
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named!(IntegrationKind, IntegrationKind::Platform => "platform", IntegrationKind::Partner => "partner");
named!(Badge, Badge::Select => "select", Badge::Elite => "elite", Badge::Premier => "premier");
named!(Capability, Capability::SyncTracking => "sync_tracking", Capability::Demo => "demo");
named!(PricingModel,
    PricingModel::Free => "free",
    PricingModel::Included => "included",
    PricingModel::Paid => "paid",
    PricingModel::OnRequest => "on_request",
);
named!(Category,
    Category::IdentityAccess => "identity_access",
    Category::TeamCommunication => "team_communication",
    Category::Payroll => "payroll",
    Category::Recruiting => "recruiting",
    Category::Learning => "learning",
    Category::Performance => "performance",
    Category::TimeTracking => "time_tracking",
    Category::BiReporting => "bi_reporting",
    Category::Expenses => "expenses",
    Category::Benefits => "benefits",
    Category::Accounting => "accounting",
    Category::Productivity => "productivity",
);

/// Reads a value by its wire name, case-insensitively; the error lists the choices.
///
/// # Errors
/// A message naming the bad value and every valid one.
pub fn parse_named<T: Named>(text: &str) -> Result<T, String> {
    let wanted = text.trim();
    T::CHOICES
        .iter()
        .copied()
        .find(|value| value.name().eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<_> = T::CHOICES.iter().map(|v| v.name()).collect();
            format!("'{wanted}' is not one of {}", names.join(", "))
        })
}

impl CatalogQuery {
    /// Reads a query from `key=value` pairs. List parameters may repeat and
    /// may hold comma-separated values (`category=payroll,recruiting`).
    ///
    /// # Errors
    /// [`QueryError`] for an unknown parameter, a repeated single-valued one,
    /// or a value that does not parse.
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Result<Self, QueryError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut text: Option<String> = None;
        let mut filter = CatalogFilter::default();
        let (mut page, mut per_page) = (None, None);
        for (key, value) in pairs {
            let (key, value) = (key.as_ref(), value.as_ref());
            let fail = |message: String| QueryError {
                parameter: key.to_owned(),
                message,
            };
            match key {
                "q" => {
                    relais_access::limits::check_length("", value, relais_access::limits::NAME)
                        .map_err(|e| {
                            fail(format!("at most {} characters, got {}", e.max, e.got))
                        })?;
                    set_once(&mut text, value.to_owned()).map_err(fail)?;
                }
                "kind" => push_all(&mut filter.kinds, value).map_err(fail)?,
                "category" => push_all(&mut filter.categories, value).map_err(fail)?,
                "badge" => push_all(&mut filter.badges, value).map_err(fail)?,
                "capability" => push_all(&mut filter.capabilities, value).map_err(fail)?,
                "pricing" => push_all(&mut filter.pricing, value).map_err(fail)?,
                "page" => set_once(&mut page, number(value).map_err(fail)?).map_err(fail)?,
                "per_page" => {
                    set_once(&mut per_page, number(value).map_err(fail)?).map_err(fail)?
                }
                _ => {
                    return Err(fail(format!(
                        "unknown parameter; expected one of {}",
                        PARAMETERS.join(", ")
                    )));
                }
            }
        }
        let page =
            Page::new(page.unwrap_or(1), per_page.unwrap_or(Page::DEFAULT_SIZE)).map_err(|e| {
                QueryError {
                    parameter: if page == Some(0) { "page" } else { "per_page" }.to_owned(),
                    message: e.to_string(),
                }
            })?;
        Ok(Self {
            text: text.filter(|t| !t.trim().is_empty()),
            filter,
            page,
        })
    }

    /// The query as `key=value` pairs, the inverse of [`CatalogQuery::from_pairs`].
    #[must_use]
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        fn list<T: Named>(key: &'static str, values: &[T]) -> Option<(&'static str, String)> {
            (!values.is_empty()).then(|| {
                let names: Vec<_> = values.iter().map(|v| v.name()).collect();
                (key, names.join(","))
            })
        }
        let filter = &self.filter;
        [
            self.text.clone().map(|t| ("q", t)),
            list("kind", &filter.kinds),
            list("category", &filter.categories),
            list("badge", &filter.badges),
            list("capability", &filter.capabilities),
            list("pricing", &filter.pricing),
            Some(("page", self.page.number().to_string())),
            Some(("per_page", self.page.size().to_string())),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err("may be given only once".to_owned());
    }
    *slot = Some(value);
    Ok(())
}

fn push_all<T: Named + PartialEq>(list: &mut Vec<T>, value: &str) -> Result<(), String> {
    for part in value.split(',').filter(|p| !p.trim().is_empty()) {
        let parsed = parse_named(part)?;
        if !list.contains(&parsed) {
            list.push(parsed);
        }
    }
    Ok(())
}

fn number(value: &str) -> Result<u32, String> {
    value
        .trim()
        .parse()
        .map_err(|_| format!("'{value}' is not a whole number"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lists_accept_repeats_and_commas() {
        let query = CatalogQuery::from_pairs([
            ("q", "slack"),
            ("category", "payroll,Recruiting"),
            ("category", "payroll"),
            ("badge", "premier"),
            ("page", "2"),
            ("per_page", "5"),
        ])
        .unwrap();
        assert_eq!(query.text.as_deref(), Some("slack"));
        assert_eq!(
            query.filter.categories,
            [Category::Payroll, Category::Recruiting]
        );
        assert_eq!(query.filter.badges, [Badge::Premier]);
        assert_eq!((query.page.number(), query.page.size()), (2, 5));
    }

    #[test]
    fn bad_parameters_are_named_with_the_choices() {
        let err = CatalogQuery::from_pairs([("badge", "gold")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "badge: 'gold' is not one of select, elite, premier"
        );
        let err = CatalogQuery::from_pairs([("catgory", "payroll")]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("catgory: unknown parameter; expected one of q, kind"),
            "{err}"
        );
        let err = CatalogQuery::from_pairs([("page", "-1")]).unwrap_err();
        assert_eq!(err.to_string(), "page: '-1' is not a whole number");
        let err = CatalogQuery::from_pairs([("per_page", "1000")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "per_page: per_page must be between 1 and 100, got 1000"
        );
        let err = CatalogQuery::from_pairs([("page", "0")]).unwrap_err();
        assert_eq!(err.parameter, "page");
        let err = CatalogQuery::from_pairs([("q", "a"), ("q", "b")]).unwrap_err();
        assert_eq!(err.to_string(), "q: may be given only once");
    }

    fn arb_query() -> impl Strategy<Value = CatalogQuery> {
        (
            proptest::option::of("[a-z ]{1,10}"),
            proptest::sample::subsequence(IntegrationKind::CHOICES.to_vec(), 0..=2),
            proptest::sample::subsequence(Category::CHOICES.to_vec(), 0..=4),
            proptest::sample::subsequence(Badge::CHOICES.to_vec(), 0..=3),
            proptest::sample::subsequence(Capability::CHOICES.to_vec(), 0..=2),
            proptest::sample::subsequence(PricingModel::CHOICES.to_vec(), 0..=4),
            1_u32..1000,
            1_u32..=100,
        )
            .prop_map(
                |(text, kinds, categories, badges, capabilities, pricing, number, size)| {
                    CatalogQuery {
                        text: text.filter(|t| !t.trim().is_empty()),
                        filter: CatalogFilter {
                            kinds,
                            categories,
                            badges,
                            capabilities,
                            pricing,
                        },
                        page: Page::new(number, size).unwrap(),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn pairs_round_trip(query in arb_query()) {
            prop_assert_eq!(CatalogQuery::from_pairs(query.to_pairs()).unwrap(), query);
        }

        #[test]
        fn any_pairs_parse_or_fail_without_panicking(pairs in proptest::collection::vec(("[a-z_]{0,10}", ".{0,12}"), 0..6)) {
            let _ = CatalogQuery::from_pairs(pairs);
        }
    }
}
