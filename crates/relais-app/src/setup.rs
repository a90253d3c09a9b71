//! What connecting an integration needs and what happens after: who runs
//! its syncs, and what this Relais lacks to set it up.

use relais_catalog::{FieldInput, Integration, IntegrationKind};
use serde::Serialize;

use crate::sync::SCIM_INTEGRATION;
use crate::{App, AppError};

/// Who runs an integration's syncs once it is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncRunner {
    /// Relais's own connector runs them, on a schedule and on "Sync now".
    Relais,
    /// The partner runs them and reports each run through the public API.
    Partner,
    /// The integration has sync tracking, but Relais has no connector for
    /// it yet and nobody reports its runs: the Tracking tab stays empty.
    NotBuilt,
    /// The integration has no sync tracking.
    NoTracking,
}

/// Who runs an integration's syncs, in words for its page and its connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncInfo {
    /// Who runs them.
    pub run_by: SyncRunner,
    /// Whether "Sync now" (`POST /api/connections/{id}/sync`, `relais sync now`) applies.
    pub sync_now: bool,
    /// One sentence for people.
    pub note: String,
}

/// Who runs `integration`'s syncs.
#[must_use]
pub fn sync_info(integration: &Integration) -> SyncInfo {
    let name = &integration.name;
    let (run_by, note) = if !integration.capabilities.sync_tracking {
        (
            SyncRunner::NoTracking,
            format!("{name} has no sync tracking."),
        )
    } else if integration.slug == SCIM_INTEGRATION {
        (
            SyncRunner::Relais,
            "Relais's SCIM connector runs the sync on a schedule (every sync_interval_minutes, 30 by default) and on Sync now; follow it in the Tracking tab.".to_owned(),
        )
    } else if integration.kind() == IntegrationKind::Partner {
        (
            SyncRunner::Partner,
            format!(
                "{} runs the sync on its side and reports every run to Relais through the public API (POST /v1/sync/runs) with the connection's credential; Relais does not run it, so there is no Sync now.",
                integration.partner().unwrap_or(name)
            ),
        )
    } else {
        (
            SyncRunner::NotBuilt,
            format!(
                "Relais has no {name} connector yet: the connection keeps its setup and credential, but no sync runs and the Tracking tab stays empty. If {name} offers a SCIM 2.0 endpoint, connect scim-provisioning to it instead."
            ),
        )
    };
    SyncInfo {
        sync_now: run_by == SyncRunner::Relais,
        run_by,
        note,
    }
}

/// The keys of the wizard's secret fields.
fn secret_fields(integration: &Integration) -> Vec<&str> {
    integration
        .wizard
        .steps
        .iter()
        .flat_map(|s| &s.fields)
        .filter(|f| matches!(f.input, FieldInput::Secret))
        .map(|f| f.key.as_str())
        .collect()
}

impl App {
    /// What this Relais lacks to connect `integration`, if anything: a
    /// wizard with secret fields needs `RELAIS_SECRET_KEY`.
    #[must_use]
    pub fn setup_notice(&self, integration: &Integration) -> Option<String> {
        let secrets = secret_fields(integration);
        (self.secret_key.is_none() && !secrets.is_empty()).then(|| {
            format!(
                "this Relais runs without RELAIS_SECRET_KEY, so it cannot store the secrets the setup wizard of {} asks for ({}); the operator sets the key (64 hex digits, the same for the server and the CLI) before anyone can connect it",
                integration.name,
                secrets.join(", ")
            )
        })
    }

    /// Refuses to start a wizard this Relais could not finish.
    pub(crate) fn check_setup(&self, integration: &Integration) -> Result<(), AppError> {
        match self.setup_notice(integration) {
            Some(notice) => Err(AppError::not_configured(notice)),
            None => Ok(()),
        }
    }
}
