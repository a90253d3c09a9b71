//! The rules a catalog must follow beyond its JSON shape.

use std::collections::{HashMap, HashSet};

use relais_access::normalize_email;

use crate::model::{BuiltBy, FieldInput, Integration, Pricing, WizardDefinition};
use crate::{Problem, text};

/// Slugs that would clash with fixed paths under `/api/catalog/`.
const RESERVED_SLUGS: [&str; 2] = ["categories", "search"];

/// Checks every integration and returns every broken rule, in file order.
pub(crate) fn validate(integrations: &[Integration]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut slugs: HashMap<&str, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (at, integration) in integrations.iter().enumerate() {
        let mut check = Checker {
            prefix: format!("integrations[{at}] ({})", integration.slug),
            problems: &mut problems,
        };
        check_integration(&mut check, integration);
        if let Some(first) = slugs.insert(&integration.slug, at) {
            check.fail(
                "slug",
                format!(
                    "'{}' is already used by integrations[{first}]",
                    integration.slug
                ),
            );
        }
        if let Some(first) = names.insert(text::normalize(&integration.name), at) {
            check.fail(
                "name",
                format!(
                    "'{}' is already used by integrations[{first}]",
                    integration.name
                ),
            );
        }
    }
    problems
}

struct Checker<'a> {
    prefix: String,
    problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: format!("{}.{field}", self.prefix),
            message: message.into(),
        });
    }

    fn text(&mut self, field: &str, value: &str, max_chars: usize) {
        if value.trim().is_empty() {
            self.fail(field, "must not be empty");
        } else if value.chars().count() > max_chars {
            self.fail(field, format!("must be at most {max_chars} characters"));
        }
    }

    fn web_url(&mut self, field: &str, value: &str) {
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {}
            Ok(_) => self.fail(field, format!("'{value}' must be an http or https URL")),
            Err(e) => self.fail(field, format!("'{value}' is not a URL: {e}")),
        }
    }

    fn identifier(&mut self, field: &str, value: &str, separator: char) {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.split(separator).all(|part| {
                !part.is_empty()
                    && part
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !ok {
            self.fail(
                field,
                format!(
                    "'{value}' must be 1 to 64 lower-case letters and digits in parts joined by single '{separator}'"
                ),
            );
        }
    }
}

fn check_integration(check: &mut Checker<'_>, integration: &Integration) {
    check.identifier("slug", &integration.slug, '-');
    if RESERVED_SLUGS.contains(&integration.slug.as_str()) {
        check.fail(
            "slug",
            format!("'{}' is reserved by the API's paths", integration.slug),
        );
    }
    check.text("name", &integration.name, 80);
    check.text("short_description", &integration.short_description, 200);
    check.text("long_description", &integration.long_description, 10_000);
    check.text(
        "setup_instructions",
        &integration.setup_instructions,
        10_000,
    );

    if let BuiltBy::Partner {
        partner, support, ..
    } = &integration.built_by
    {
        check.text("built_by.partner", partner, 120);
        check.web_url("built_by.support.url", &support.url);
        if let Err(e) = normalize_email(&support.email) {
            check.fail("built_by.support.email", e.to_string());
        }
    }

    if integration.categories.is_empty() {
        check.fail("categories", "must list at least one category");
    }
    let mut seen = HashSet::new();
    for category in &integration.categories {
        if !seen.insert(category) {
            check.fail("categories", format!("'{}' is listed twice", category.id()));
        }
    }

    let mut seen = HashSet::new();
    for (at, permission) in integration.permissions.iter().enumerate() {
        if !permission.api.offers(permission.access) {
            check.fail(
                &format!("permissions[{at}]"),
                format!(
                    "the {} API offers no {} access",
                    permission.api, permission.access
                ),
            );
        }
        if !seen.insert(permission) {
            check.fail(
                &format!("permissions[{at}]"),
                format!("'{permission}' is listed twice"),
            );
        }
    }

    if let Pricing::Paid {
        amount_minor,
        currency,
        ..
    } = &integration.pricing
    {
        if *amount_minor == 0 {
            check.fail(
                "pricing.amount_minor",
                "a paid price must be above zero (use the model \"free\")",
            );
        }
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
            check.fail(
                "pricing.currency",
                format!("'{currency}' is not a three-letter ISO 4217 code"),
            );
        }
    }

    check.text("developer.name", &integration.developer.name, 120);
    check.web_url("developer.website", &integration.developer.website);
    check.web_url(
        "developer.privacy_policy_url",
        &integration.developer.privacy_policy_url,
    );

    if integration.capabilities.sync_tracking
        && !integration
            .categories
            .iter()
            .any(|c| c.allows_sync_tracking())
    {
        check.fail(
            "capabilities.sync_tracking",
            "sync tracking is only available for identity & access and team communication integrations",
        );
    }

    check_wizard(check, integration);
}

fn check_wizard(check: &mut Checker<'_>, integration: &Integration) {
    let WizardDefinition {
        needs_partner_activation,
        steps,
    } = &integration.wizard;
    if *needs_partner_activation && matches!(integration.built_by, BuiltBy::Platform) {
        check.fail(
            "wizard.needs_partner_activation",
            "only partner integrations can wait for a partner's activation",
        );
    }
    if steps.is_empty() {
        check.fail("wizard.steps", "a wizard needs at least one step");
    }
    let mut step_ids = HashSet::new();
    let mut field_keys = HashSet::new();
    for (s, step) in steps.iter().enumerate() {
        let here = format!("wizard.steps[{s}]");
        check.identifier(&format!("{here}.id"), &step.id, '_');
        if !step_ids.insert(step.id.as_str()) {
            check.fail(
                &format!("{here}.id"),
                format!("'{}' is used by another step", step.id),
            );
        }
        check.text(&format!("{here}.title"), &step.title, 120);
        for (f, field) in step.fields.iter().enumerate() {
            let here = format!("{here}.fields[{f}]");
            check.identifier(&format!("{here}.key"), &field.key, '_');
            if !field_keys.insert(field.key.as_str()) {
                check.fail(
                    &format!("{here}.key"),
                    format!("'{}' is used by another field of the wizard", field.key),
                );
            }
            check.text(&format!("{here}.label"), &field.label, 120);
            if let FieldInput::Select { options } = &field.input {
                if options.is_empty() {
                    check.fail(
                        &format!("{here}.input.options"),
                        "a select needs at least one option",
                    );
                }
                let mut values = HashSet::new();
                for (o, option) in options.iter().enumerate() {
                    if option.value.is_empty() || !values.insert(option.value.as_str()) {
                        check.fail(
                            &format!("{here}.input.options[{o}].value"),
                            format!("'{}' is empty or used by another option", option.value),
                        );
                    }
                    check.text(
                        &format!("{here}.input.options[{o}].label"),
                        &option.label,
                        120,
                    );
                }
            }
            if let Some(validation) = &field.validation {
                if !matches!(field.input, FieldInput::Text | FieldInput::Secret) {
                    check.fail(
                        &format!("{here}.validation"),
                        "only text and secret fields take validation rules",
                    );
                }
                if let (Some(min), Some(max)) = (validation.min_length, validation.max_length)
                    && min > max
                {
                    check.fail(
                        &format!("{here}.validation"),
                        format!("min_length {min} is above max_length {max}"),
                    );
                }
                if let Some(pattern) = &validation.pattern
                    && let Err(e) = regex_lite::Regex::new(pattern)
                {
                    check.fail(
                        &format!("{here}.validation.pattern"),
                        format!("not a valid regular expression: {e}"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Catalog, CatalogError};

    fn one(integration: &str) -> String {
        format!(r#"{{"version":1,"integrations":[{integration}]}}"#)
    }

    const GOOD: &str = r#"{
        "slug": "chatly", "name": "Chatly", "short_description": "Chat.",
        "long_description": "Chat with your team.",
        "built_by": {"type": "partner", "partner": "Chatly Ltd", "badge": "elite",
                     "support": {"url": "https://chatly.example/help", "email": "help@chatly.example"}},
        "categories": ["team_communication"],
        "setup_instructions": "Connect it.",
        "permissions": [{"api": "employees", "access": "read"}],
        "pricing": {"model": "free"},
        "developer": {"name": "Chatly Ltd", "website": "https://chatly.example",
                      "privacy_policy_url": "https://chatly.example/privacy"},
        "capabilities": {"sync_tracking": true},
        "wizard": {"steps": [{"id": "token", "title": "Token", "fields": [
            {"key": "api_token", "label": "API token", "input": {"type": "secret"}, "required": true,
             "validation": {"min_length": 10, "pattern": "^[a-z0-9]+$"}}]}]}
    }"#;

    fn problems(text: &str) -> Vec<String> {
        match Catalog::from_json("test.json", text) {
            Err(CatalogError::Invalid { problems, .. }) => {
                problems.iter().map(ToString::to_string).collect()
            }
            other => panic!("expected rule problems, got {other:?}"),
        }
    }

    #[test]
    fn a_good_integration_passes() {
        let catalog = Catalog::from_json("test.json", &one(GOOD)).unwrap();
        assert_eq!(catalog.len(), 1);
    }

    #[test]
    fn a_wrong_type_names_the_file_and_the_field() {
        let text = one(&GOOD.replace(r#""badge": "elite""#, r#""badge": "gold""#));
        let err = Catalog::from_json("partners.json", &text).unwrap_err();
        let CatalogError::Parse {
            source_name,
            path,
            message,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(source_name, "partners.json");
        assert_eq!(path, "integrations[0].built_by");
        assert!(message.contains("gold"), "{message}");
    }

    #[test]
    fn an_unknown_field_is_refused_by_name() {
        let text = one(&GOOD.replace(r#""slug":"#, r#""colour": "red", "slug":"#));
        let err = Catalog::from_json("x.json", &text).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(err.starts_with("x.json: integrations[0]"), "{err}");
    }

    #[test]
    fn bad_json_is_reported_not_panicked() {
        let err = Catalog::from_json("x.json", "{ not json").unwrap_err();
        assert!(matches!(err, CatalogError::Parse { .. }), "{err:?}");
        let err = Catalog::from_json("x.json", r#"{"version":2,"integrations":[]}"#).unwrap_err();
        assert!(err.to_string().contains("version 2"), "{err}");
    }

    #[test]
    fn every_broken_rule_is_listed_with_its_path() {
        let bad = GOOD
            .replace(r#""slug": "chatly""#, r#""slug": "Chat ly""#)
            .replace("https://chatly.example/help", "ftp://chatly.example")
            .replace(
                r#""categories": ["team_communication"]"#,
                r#""categories": ["payroll", "payroll"]"#,
            )
            .replace(r#""api": "employees""#, r#""api": "custom_reports""#)
            .replace(r#""access": "read""#, r#""access": "write""#)
            .replace(r#""^[a-z0-9]+$""#, r#""([a-z""#);
        let found = problems(&one(&bad));
        let expect = [
            "integrations[0] (Chat ly).slug: 'Chat ly' must be",
            "integrations[0] (Chat ly).built_by.support.url: 'ftp://chatly.example' must be an http or https URL",
            "integrations[0] (Chat ly).categories: 'payroll' is listed twice",
            "integrations[0] (Chat ly).permissions[0]: the custom_reports API offers no write access",
            "integrations[0] (Chat ly).capabilities.sync_tracking: sync tracking is only available",
            "integrations[0] (Chat ly).wizard.steps[0].fields[0].validation.pattern: not a valid regular expression",
        ];
        for expected in expect {
            assert!(
                found.iter().any(|p| p.starts_with(expected)),
                "missing {expected:?} in {found:#?}"
            );
        }
    }

    #[test]
    fn duplicate_slugs_and_names_are_refused() {
        let text = format!(r#"{{"version":1,"integrations":[{GOOD},{GOOD}]}}"#);
        let found = problems(&text);
        assert!(
            found
                .iter()
                .any(|p| p.contains("slug: 'chatly' is already used by integrations[0]"))
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("name: 'Chatly' is already used by integrations[0]"))
        );
    }

    #[test]
    fn wizard_rules_are_enforced() {
        let bad = GOOD.replace(
            r#""input": {"type": "secret"}"#,
            r#""input": {"type": "select", "options": []}"#,
        );
        let found = problems(&one(&bad));
        assert!(
            found
                .iter()
                .any(|p| p.contains("input.options: a select needs at least one option")),
            "{found:#?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("only text and secret fields take validation rules")),
            "{found:#?}"
        );
    }
}
