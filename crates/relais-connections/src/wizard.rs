//! Running a setup wizard: checking each step's answers against the
//! catalog's definition, and knowing which steps are done.

use std::collections::BTreeMap;

use relais_access::limits;
use relais_catalog::{FieldInput, WizardDefinition, WizardField, WizardStep};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A checked answer to one wizard field.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Free text.
    Text(String),
    /// A secret: to be encrypted before it is stored, never shown again.
    Secret(String),
    /// An http or https URL.
    Url(String),
    /// One option's value.
    Choice(String),
    /// A checkbox.
    Checked(bool),
}

impl Answer {
    /// Whether the answer must be kept secret.
    #[must_use]
    pub fn is_secret(&self) -> bool {
        matches!(self, Self::Secret(_))
    }

    /// The answer as JSON, secrets masked.
    #[must_use]
    pub fn public_value(&self) -> Value {
        match self {
            Self::Text(v) | Self::Url(v) | Self::Choice(v) => Value::String(v.clone()),
            Self::Secret(_) => serde_json::json!({"secret": true, "set": true}),
            Self::Checked(b) => Value::Bool(*b),
        }
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret(<redacted>)"),
            Self::Text(v) => f.debug_tuple("Text").field(v).finish(),
            Self::Url(v) => f.debug_tuple("Url").field(v).finish(),
            Self::Choice(v) => f.debug_tuple("Choice").field(v).finish(),
            Self::Checked(v) => f.debug_tuple("Checked").field(v).finish(),
        }
    }
}

/// What is wrong with one field's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's key.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why a wizard step or the wizard as a whole was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WizardError {
    /// No step has that id.
    #[error("the wizard has no step '{0}'")]
    UnknownStep(String),
    /// An earlier step is not answered yet.
    #[error("step '{step}' cannot be answered before step '{missing}'")]
    OutOfOrder {
        /// The step submitted.
        step: String,
        /// The first earlier step not answered.
        missing: String,
    },
    /// Some answers are wrong.
    #[error("step '{step}': {}", errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Fields {
        /// The step.
        step: String,
        /// Every wrong field.
        errors: Vec<FieldError>,
    },
    /// Completing needs every step answered.
    #[error("the wizard is not finished: answer {} {}", if .0.len() == 1 { "step" } else { "steps" }, .0.join(", "))]
    Incomplete(Vec<String>),
}

/// Which steps of a wizard are answered, in wizard order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardProgress {
    /// Ids of the answered steps.
    pub answered: Vec<String>,
}

impl WizardProgress {
    /// Records that `step_id` was answered. A step may be answered again
    /// (going back); a step cannot be answered while an earlier one is not.
    ///
    /// # Errors
    /// [`WizardError::UnknownStep`], [`WizardError::OutOfOrder`].
    pub fn answer(&mut self, wizard: &WizardDefinition, step_id: &str) -> Result<(), WizardError> {
        let at = wizard
            .steps
            .iter()
            .position(|s| s.id == step_id)
            .ok_or_else(|| WizardError::UnknownStep(step_id.to_owned()))?;
        if let Some(missing) = wizard.steps[..at]
            .iter()
            .find(|s| !self.answered.contains(&s.id))
        {
            return Err(WizardError::OutOfOrder {
                step: step_id.to_owned(),
                missing: missing.id.clone(),
            });
        }
        if !self.answered.iter().any(|s| s == step_id) {
            self.answered.push(step_id.to_owned());
        }
        Ok(())
    }

    /// The first step not answered yet.
    #[must_use]
    pub fn next_step<'a>(&self, wizard: &'a WizardDefinition) -> Option<&'a WizardStep> {
        wizard.steps.iter().find(|s| !self.answered.contains(&s.id))
    }

    /// Succeeds when every step is answered.
    ///
    /// # Errors
    /// [`WizardError::Incomplete`] listing the unanswered steps.
    pub fn check_complete(&self, wizard: &WizardDefinition) -> Result<(), WizardError> {
        let missing: Vec<_> = wizard
            .steps
            .iter()
            .filter(|s| !self.answered.contains(&s.id))
            .map(|s| s.id.clone())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(WizardError::Incomplete(missing))
        }
    }
}

/// Checks the answers to one step: every field's type and rules, required
/// fields present, no unknown field.
///
/// # Errors
/// [`WizardError::Fields`] listing every wrong field.
pub fn validate_step(
    step: &WizardStep,
    input: &serde_json::Map<String, Value>,
) -> Result<BTreeMap<String, Answer>, WizardError> {
    let mut errors = Vec::new();
    let mut answers = BTreeMap::new();
    for key in input.keys() {
        if !step.fields.iter().any(|f| &f.key == key) {
            errors.push(FieldError {
                field: key.clone(),
                message: "is not a field of this step".into(),
            });
        }
    }
    for field in &step.fields {
        match check_field(field, input.get(&field.key)) {
            Ok(Some(answer)) => {
                answers.insert(field.key.clone(), answer);
            }
            Ok(None) => {}
            Err(message) => errors.push(FieldError {
                field: field.key.clone(),
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(WizardError::Fields {
            step: step.id.clone(),
            errors,
        })
    }
}

fn check_field(field: &WizardField, value: Option<&Value>) -> Result<Option<Answer>, String> {
    let value = value.filter(|v| !v.is_null() && v.as_str() != Some(""));
    let Some(value) = value else {
        return if field.required && !matches!(field.input, FieldInput::Checkbox) {
            Err("is required".into())
        } else if field.required {
            Err("must be ticked".into())
        } else {
            Ok(None)
        };
    };
    let is_secret = matches!(field.input, FieldInput::Secret);
    let text = |max: usize| {
        let text = value.as_str().map(str::to_owned).ok_or_else(|| {
            if is_secret {
                // A secret's value is never repeated in a message.
                "must be text".to_owned()
            } else {
                format!("must be text, got {value}")
            }
        })?;
        // Every answer is bounded, also where the catalog sets no rule.
        let length = text.chars().take(max + 1).count();
        if length > max {
            return Err(format!("must be at most {max} characters"));
        }
        Ok(text)
    };
    let answer = match &field.input {
        FieldInput::Text => Answer::Text(check_rules(field, text(limits::TEXT)?)?),
        FieldInput::Secret => Answer::Secret(check_rules(field, text(limits::TEXT)?)?),
        FieldInput::Url => {
            let url = text(limits::URL)?;
            match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                    Answer::Url(url)
                }
                _ => return Err(format!("'{url}' is not an http or https URL")),
            }
        }
        FieldInput::Select { options } => {
            let choice = text(limits::NAME)?;
            if !options.iter().any(|o| o.value == choice) {
                let values: Vec<_> = options.iter().map(|o| o.value.as_str()).collect();
                return Err(format!("'{choice}' is not one of {}", values.join(", ")));
            }
            Answer::Choice(choice)
        }
        FieldInput::Checkbox => {
            let checked = value
                .as_bool()
                .ok_or_else(|| format!("must be true or false, got {value}"))?;
            if field.required && !checked {
                return Err("must be ticked".into());
            }
            Answer::Checked(checked)
        }
    };
    Ok(Some(answer))
}

fn check_rules(field: &WizardField, text: String) -> Result<String, String> {
    let Some(rules) = &field.validation else {
        return Ok(text);
    };
    let length = text.chars().count();
    if let Some(min) = rules.min_length
        && length < min as usize
    {
        return Err(format!("must be at least {min} characters"));
    }
    if let Some(max) = rules.max_length
        && length > max as usize
    {
        return Err(format!("must be at most {max} characters"));
    }
    if let Some(pattern) = &rules.pattern {
        // The catalog checked the pattern compiles; a broken one refuses the value.
        let matches = regex_lite::Regex::new(pattern).is_ok_and(|re| re.is_match(&text));
        if !matches {
            // A secret's value is not repeated in the message.
            return Err(format!("does not match the pattern {pattern}"));
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_catalog::Catalog;
    use serde_json::json;

    fn okta() -> WizardDefinition {
        Catalog::shipped()
            .unwrap()
            .get("okta")
            .unwrap()
            .wizard
            .clone()
    }

    fn map(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn good_answers_are_typed_and_secrets_marked() {
        let wizard = okta();
        let answers = validate_step(
            &wizard.steps[0],
            &map(
                json!({"tenant_url": "https://acme.okta.com", "api_token": "0123456789abcdefXYZ"}),
            ),
        )
        .unwrap();
        assert!(answers["api_token"].is_secret());
        assert_eq!(
            answers["tenant_url"],
            Answer::Url("https://acme.okta.com".into())
        );
        assert!(!format!("{answers:?}").contains("0123456789abcdef"));
        assert_eq!(
            answers["api_token"].public_value(),
            json!({"secret": true, "set": true})
        );
    }

    #[test]
    fn every_wrong_field_is_named() {
        let wizard = okta();
        let err = validate_step(
            &wizard.steps[0],
            &map(json!({"tenant_url": "ftp://x", "api_token": 42, "colour": "red"})),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("colour: is not a field of this step"),
            "{text}"
        );
        assert!(
            text.contains("tenant_url: 'ftp://x' is not an http or https URL"),
            "{text}"
        );
        assert!(text.contains("api_token: must be text"), "{text}");
        assert!(
            !text.contains("42"),
            "a secret field's value is never repeated: {text}"
        );

        let err = validate_step(
            &wizard.steps[1],
            &map(json!({"create_accounts_days_before_start": "5"})),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("'5' is not one of 0, 3, 7"),
            "{err}"
        );
        let err = validate_step(
            &wizard.steps[2],
            &map(json!({"accept_data_processing": false})),
        )
        .unwrap_err();
        assert!(err.to_string().contains("must be ticked"), "{err}");
        let err = validate_step(
            &wizard.steps[0],
            &map(json!({"tenant_url": "https://a.b", "api_token": "short"})),
        )
        .unwrap_err();
        assert!(err.to_string().contains("at least 16 characters"), "{err}");
        assert!(
            !err.to_string().contains("short"),
            "the secret is not echoed"
        );
    }

    #[test]
    fn steps_go_in_order_and_can_be_answered_again() {
        let wizard = okta();
        let mut progress = WizardProgress::default();
        let err = progress.answer(&wizard, "provisioning").unwrap_err();
        assert_eq!(
            err.to_string(),
            "step 'provisioning' cannot be answered before step 'tenant'"
        );
        progress.answer(&wizard, "tenant").unwrap();
        progress.answer(&wizard, "provisioning").unwrap();
        progress.answer(&wizard, "tenant").unwrap();
        assert_eq!(progress.next_step(&wizard).unwrap().id, "confirm");
        assert!(
            matches!(progress.check_complete(&wizard), Err(WizardError::Incomplete(ref m)) if m == &["confirm"])
        );
        assert_eq!(
            progress.check_complete(&wizard).unwrap_err().to_string(),
            "the wizard is not finished: answer step confirm"
        );
        assert_eq!(
            WizardError::Incomplete(vec!["a".into(), "b".into()]).to_string(),
            "the wizard is not finished: answer steps a, b"
        );
        progress.answer(&wizard, "confirm").unwrap();
        progress.check_complete(&wizard).unwrap();
        assert!(matches!(
            progress.answer(&wizard, "nope"),
            Err(WizardError::UnknownStep(_))
        ));
    }
}
