//! Setup-wizard answers (`POST /api/connections/{id}/wizard/{step}`): any
//! JSON object against every step of every shipped integration is accepted
//! or refused with field errors, never a panic; a refusal never repeats a
//! secret field's value.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use relais_catalog::{Catalog, FieldInput};

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::shipped().expect("the shipped catalog is valid"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(answers)) = serde_json::from_slice(data) else {
        return;
    };
    for integration in catalog().integrations() {
        for step in &integration.wizard.steps {
            if let Err(error) = relais_connections::validate_step(step, &answers) {
                let message = error.to_string();
                for field in &step.fields {
                    if matches!(field.input, FieldInput::Secret)
                        && let Some(value) = answers.get(&field.key).and_then(|v| v.as_str())
                        && value.len() >= 8
                    {
                        assert!(!message.contains(value), "a secret was repeated: {message}");
                    }
                }
            }
        }
    }
});
