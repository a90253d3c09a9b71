//! The console's languages: English, German and French, as Fluent files
//! compiled into the binary (`i18n/*.ftl`). A person's language is their
//! choice (a cookie set by the switcher), else the browser's
//! `Accept-Language`, else English. A test fails when a message is missing
//! in one language or does not format.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
}

impl Locale {
    /// Every language, in the switcher's order.
    pub(crate) const ALL: [Self; 3] = [Self::En, Self::De, Self::Fr];

    /// The BCP 47 tag (`<html lang>`, the cookie's value).
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
        }
    }

    /// The language's own name, for the switcher.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
            Self::Fr => "Français",
        }
    }

    /// A language by its tag's primary subtag (`de-CH` is German).
    pub(crate) fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.tag() == primary)
    }

    fn source(self) -> &'static str {
        match self {
            Self::En => include_str!("../../i18n/en.ftl"),
            Self::De => include_str!("../../i18n/de.ftl"),
            Self::Fr => include_str!("../../i18n/fr.ftl"),
        }
    }

    fn index(self) -> usize {
        match self {
            Self::En => 0,
            Self::De => 1,
            Self::Fr => 2,
        }
    }

    /// The locale for the report engine's column labels.
    pub(crate) fn reports(self) -> relais_reports::Locale {
        match self {
            Self::En => relais_reports::Locale::En,
            Self::De => relais_reports::Locale::De,
            Self::Fr => relais_reports::Locale::Fr,
        }
    }
}

/// The language of a request: the cookie's choice, else the best of
/// `Accept-Language` (by quality, then order), else English.
pub(crate) fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Locale {
    if let Some(locale) = cookie.and_then(Locale::from_tag) {
        return locale;
    }
    let mut best: Option<(f32, Locale)> = None;
    for part in accept_language.unwrap_or_default().split(',').take(20) {
        let mut pieces = part.split(';');
        let tag = pieces.next().unwrap_or_default();
        let quality = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if let Some(locale) = Locale::from_tag(tag)
            && quality > 0.0
            && best.is_none_or(|(q, _)| quality > q)
        {
            best = Some((quality, locale));
        }
    }
    best.map_or(Locale::En, |(_, l)| l)
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [Bundle; 3] {
    static BUNDLES: OnceLock<[Bundle; 3]> = OnceLock::new();
    BUNDLES.get_or_init(|| Locale::ALL.map(bundle))
}

fn bundle(locale: Locale) -> Bundle {
    let resource =
        FluentResource::try_new(locale.source().to_owned()).unwrap_or_else(|(resource, errors)| {
            tracing::error!(
                language = locale.tag(),
                ?errors,
                "a console translation file has errors"
            );
            resource
        });
    let lang: unic_langid::LanguageIdentifier = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Unicode isolation marks around arguments would end up in the HTML.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            language = locale.tag(),
            ?errors,
            "a console translation file has duplicate messages"
        );
    }
    bundle
}

/// Translates the console's words into one language; cheap to copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tr {
    pub(crate) locale: Locale,
}

impl Tr {
    pub(crate) fn new(locale: Locale) -> Self {
        Self { locale }
    }

    /// The message `id`.
    pub(crate) fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` with one argument.
    pub(crate) fn t1(&self, id: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(value.to_string()));
        self.format(id, Some(&args))
    }

    /// The message `id` with a count (`$count`), for plural forms.
    pub(crate) fn count<N: std::borrow::Borrow<u64>>(&self, id: &str, count: N) -> String {
        let mut args = FluentArgs::new();
        args.set("count", FluentValue::from(*count.borrow()));
        self.format(id, Some(&args))
    }

    /// The message `id` with several arguments.
    pub(crate) fn args(&self, id: &str, pairs: &[(&str, String)]) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in pairs {
            args.set(*name, FluentValue::from(value.clone()));
        }
        self.format(id, Some(&args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = &bundles()[self.locale.index()];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, language = self.locale.tag(), "missing console message");
            return id.to_owned();
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "a console message did not format");
        }
        text.into_owned()
    }

    /// A moment, in the language's usual form, in UTC.
    pub(crate) fn datetime(&self, at: &DateTime<Utc>) -> String {
        let pattern = match self.locale {
            Locale::En => "%-d %b %Y, %H:%M",
            Locale::De => "%d.%m.%Y, %H:%M",
            Locale::Fr => "%d/%m/%Y %H:%M",
        };
        format!("{} UTC", at.format(pattern))
    }

    /// A moment as an ISO 8601 value for `<time datetime>`.
    pub(crate) fn iso(&self, at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// A day, in the language's usual form.
    pub(crate) fn date(&self, day: &NaiveDate) -> String {
        let pattern = match self.locale {
            Locale::En => "%-d %b %Y",
            Locale::De => "%d.%m.%Y",
            Locale::Fr => "%d/%m/%Y",
        };
        day.format(pattern).to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use super::*;

    fn ids(locale: Locale) -> BTreeSet<String> {
        let resource = FluentResource::try_new(locale.source().to_owned())
            .map_err(|(_, e)| format!("{}: {e:?}", locale.tag()))
            .unwrap();
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_message_exists_in_every_language() {
        let english = ids(Locale::En);
        assert!(english.len() > 100, "{}", english.len());
        for locale in [Locale::De, Locale::Fr] {
            let other = ids(locale);
            let missing: Vec<_> = english.difference(&other).collect();
            let extra: Vec<_> = other.difference(&english).collect();
            assert!(
                missing.is_empty(),
                "missing in {}: {missing:?}",
                locale.tag()
            );
            assert!(extra.is_empty(), "only in {}: {extra:?}", locale.tag());
        }
    }

    #[test]
    fn every_message_formats_in_every_language() {
        for locale in Locale::ALL {
            let bundle = &bundles()[locale.index()];
            for id in ids(locale) {
                let message = bundle.get_message(&id).unwrap();
                let pattern = message.value().unwrap();
                let mut args = FluentArgs::new();
                for name in [
                    "count",
                    "name",
                    "value",
                    "what",
                    "when",
                    "status",
                    "email",
                    "step",
                    "total",
                    "right",
                    "integration",
                    "days",
                    "id",
                ] {
                    args.set(
                        name,
                        if name == "count" || name == "days" || name == "total" {
                            FluentValue::from(2)
                        } else {
                            FluentValue::from("x")
                        },
                    );
                }
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{} {id}: {errors:?}", locale.tag());
                assert!(!text.trim().is_empty(), "{} {id} is empty", locale.tag());
            }
        }
    }

    /// Every message id the console's code and templates name literally,
    /// and every member of the families they build with `format!`.
    fn used_ids() -> BTreeSet<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        let pattern = regex_lite::Regex::new(r#"\b(?:t|t1|count|args)\("([a-z0-9_-]+)""#).unwrap();
        for dir in ["src/console", "templates/console"] {
            for file in std::fs::read_dir(root.join(dir)).unwrap() {
                let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
                used.extend(pattern.captures_iter(&text).map(|c| c[1].to_owned()));
            }
        }
        let family = |prefix: &str, names: &[&str]| {
            names
                .iter()
                .map(move |n| format!("{prefix}-{n}"))
                .collect::<Vec<_>>()
        };
        used.extend(family(
            "status",
            &["pending", "connected", "inactive", "disconnected"],
        ));
        used.extend(family(
            "run",
            &["running", "completed", "partially_completed", "failed"],
        ));
        used.extend(family("entry", &["success", "failed", "skipped"]));
        used.extend(family(
            "use-case",
            &["update", "provision", "deprovision", "link"],
        ));
        used.extend(family(
            "trigger",
            &["scheduled", "manual", "partner_reported", "on_demand"],
        ));
        used.extend(family("cycle", &["full", "incremental"]));
        used.extend(family("right", &["edit", "view", "none"]));
        used.extend(family("access", &["read", "write"]));
        used.extend(family(
            "report-kind",
            &["point_in_time", "historical_data", "timeframe"],
        ));
        used.extend(family("kind", &["platform", "partner"]));
        used.extend(family("badge", &["select", "elite", "premier"]));
        used.extend(family("capability", &["sync_tracking", "demo"]));
        used.extend(family(
            "credential",
            &[
                "rotate-title",
                "rotate-lead",
                "rotate-confirm",
                "revoke-title",
                "revoke-lead",
                "revoke-confirm",
            ],
        ));
        used.extend(
            relais_access::PublicApi::ALL
                .iter()
                .map(|a| format!("api-{}", a.as_str())),
        );
        used.extend(
            relais_catalog::Category::ALL
                .iter()
                .map(|c| format!("category-{}", c.id())),
        );
        used.extend(super::super::NOTICES.iter().map(|n| format!("notice-{n}")));
        used.extend(
            [
                "connection.start",
                "connection.wizard_step",
                "connection.complete_wizard",
                "connection.partner_activated",
                "connection.deactivate",
                "connection.reactivate",
                "connection.disconnect",
                "connection.auth_failures_exceeded",
                "connection.credential_revoked",
                "connection.failing_too_long",
                "connection.disable_warning",
                "connection.pause",
                "connection.resume",
            ]
            .iter()
            .map(|a| format!("event-{}", a.replace(['.', '_'], "-"))),
        );
        used
    }

    #[test]
    fn every_message_the_console_uses_exists() {
        let english = ids(Locale::En);
        let missing: Vec<_> = used_ids()
            .into_iter()
            .filter(|id| !english.contains(id))
            .collect();
        assert!(missing.is_empty(), "used but not in en.ftl: {missing:?}");
    }

    #[test]
    fn the_language_is_the_choice_then_the_browsers_then_english() {
        assert_eq!(negotiate(Some("fr"), Some("de")), Locale::Fr);
        assert_eq!(negotiate(Some("xx"), Some("de-CH, en;q=0.5")), Locale::De);
        assert_eq!(negotiate(None, Some("it, fr;q=0.4, en;q=0.7")), Locale::En);
        assert_eq!(negotiate(None, Some("it")), Locale::En);
        assert_eq!(negotiate(None, None), Locale::En);
        assert_eq!(negotiate(None, Some("de;q=0")), Locale::En);
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let (en, de, fr) = (
            Tr::new(Locale::En),
            Tr::new(Locale::De),
            Tr::new(Locale::Fr),
        );
        let day = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
        assert_eq!(en.date(&day), "4 Mar 2026");
        assert_eq!(de.date(&day), "04.03.2026");
        assert_eq!(fr.date(&day), "04/03/2026");
    }
}
