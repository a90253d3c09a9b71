//! Connecting integrations: start, wizard, complete, partner activation,
//! deactivate, reactivate, disconnect; demo and integration requests; the
//! audit trail.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use relais_access::{
    ApiCredential, ApiPermission, Company, CompanyId, MarketplaceRight, limits, scope_name,
};
use relais_catalog::{Integration, IntegrationKind};
use relais_connections::{
    AuditEvent, Connection, ConnectionEvent, ConnectionId, ConnectionState, DemoRequest,
    IntegrationRequest, StoredAnswer, WizardProgress, normalize_request_name, validate_step,
};
use relais_people::StandardAttribute;
use relais_store::{ConnectionSave, ConnectionWrite, NewIntegrationRequest};
use serde::Serialize;
use serde_json::{Value, json};

use crate::public_api::ApiCaller;
use crate::{App, AppError, Caller, ErrorKind};

impl Caller<'_> {
    /// Who, as the audit trail names them.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Caller::Operator => "operator".to_owned(),
            Caller::User(actor) => actor.user.email.clone(),
        }
    }

    /// Succeeds when the caller may look at `company`'s Marketplace pages.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] for a user below *view*, [`ErrorKind::NotFound`] for another company.
    pub fn may_browse(&self, company: &Company) -> Result<(), AppError> {
        self.may(company, MarketplaceRight::View)
    }
}

/// The last sync run of a connection, as its page and list show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastSync {
    /// The run.
    pub id: uuid::Uuid,
    /// Its status.
    pub status: relais_sync::RunStatus,
    /// When it started.
    pub started_at: chrono::DateTime<chrono::Utc>,
    /// When it finished, if it has.
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A connection as the "Connected integrations" page shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionView {
    /// Id.
    pub id: String,
    /// The integration's slug.
    pub integration: String,
    /// Its name.
    pub integration_name: String,
    /// pending, connected, inactive or disconnected.
    pub status: &'static str,
    /// The full state, with its reason.
    pub state: ConnectionState,
    /// Why it is pending or inactive, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Since when.
    pub since: DateTime<Utc>,
    /// The API credential made for it.
    pub credential: Option<String>,
    /// The last sync run (integrations with sync tracking).
    pub last_sync: Option<LastSync>,
    /// Who runs its syncs, and whether "Sync now" applies.
    pub sync: crate::setup::SyncInfo,
    /// Why it needs the operator's attention, if it does (e.g. its secrets
    /// cannot be opened by this Relais, so its syncs do not run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
    /// When Relais runs the next scheduled cycle (connections it runs,
    /// while Connected, not paused and no run is under way).
    pub next_sync_at: Option<DateTime<Utc>>,
    /// An admin paused its schedule ("Sync now" still runs it).
    pub paused: bool,
    /// Since when every run failed (connections Relais runs); it is turned
    /// off when that lasts the operator's limit (7 days by default).
    pub failing_since: Option<DateTime<Utc>>,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// The wizard: every step, whether answered, and the answers (secrets masked).
    pub wizard: WizardView,
}

/// Where a connection's wizard stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WizardView {
    /// Steps in order.
    pub steps: Vec<StepView>,
    /// The first unanswered step.
    pub next_step: Option<String>,
    /// Whether every step is answered.
    pub complete: bool,
}

/// One wizard step's state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepView {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Answered yet.
    pub answered: bool,
    /// Answers by field key; secrets as `{"secret": true, "set": true}`.
    pub answers: BTreeMap<String, Value>,
}

/// A change that hands out a new API credential's secret (once).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionChange {
    /// The connection after the change.
    pub connection: ConnectionView,
    /// For partner integrations: the new credential to hand to the partner,
    /// secret included, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_credential: Option<PartnerCredential>,
}

/// A credential for a partner, with its secret.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerCredential {
    /// Client id.
    pub client_id: String,
    /// Client secret (shown once).
    pub client_secret: String,
    /// Scopes.
    pub scopes: Vec<String>,
}

/// An audit event about `connection`, whose state is already the new one.
fn event(
    company: &Company,
    by: &str,
    connection: &Connection,
    action: &str,
    before: Option<&ConnectionState>,
    reason: Option<String>,
    details: Value,
) -> AuditEvent {
    AuditEvent {
        company_id: company.id,
        at: Utc::now(),
        actor: by.to_owned(),
        subject_type: "connection".into(),
        subject_id: connection.id.to_string(),
        action: action.to_owned(),
        before: before.map(|s| s.status().to_owned()),
        after: Some(connection.state.status().to_owned()),
        reason,
        // Events and alerts name the integration without a lookup.
        details: match details {
            Value::Object(mut map) => {
                map.insert(
                    "integration".into(),
                    Value::from(connection.integration.clone()),
                );
                Value::Object(map)
            }
            other => other,
        },
    }
}

impl App {
    fn view_connection(&self, c: &Connection) -> ConnectionView {
        let catalog = self.catalog();
        let integration = catalog.get(&c.integration);
        let steps = integration.map_or_else(Vec::new, |i| {
            i.wizard
                .steps
                .iter()
                .map(|s| StepView {
                    id: s.id.clone(),
                    title: s.title.clone(),
                    answered: c.progress.answered.contains(&s.id),
                    answers: s
                        .fields
                        .iter()
                        .filter_map(|f| {
                            c.answers
                                .get(&f.key)
                                .map(|a| (f.key.clone(), a.public_value()))
                        })
                        .collect(),
                })
                .collect()
        });
        let next_step = steps.iter().find(|s| !s.answered).map(|s| s.id.clone());
        let health = self.store.sync_state(c.id.0).unwrap_or_default();
        ConnectionView {
            id: c.id.to_string(),
            integration: c.integration.clone(),
            integration_name: integration.map_or_else(|| c.integration.clone(), |i| i.name.clone()),
            status: c.state.status(),
            state: c.state.clone(),
            status_reason: c.state.reason_text(),
            since: c.state_since,
            credential: c.credential.as_ref().map(ToString::to_string),
            last_sync: self
                .store
                .runs(
                    c.company_id,
                    c.id.0,
                    None,
                    None,
                    None,
                    relais_store::Window {
                        offset: 0,
                        limit: 1,
                    },
                )
                .ok()
                .and_then(|p| p.rows.into_iter().next())
                .map(|r| LastSync {
                    id: r.id,
                    status: r.status,
                    started_at: r.started_at,
                    finished_at: r.finished_at,
                }),
            sync: integration.map_or_else(
                || crate::setup::SyncInfo {
                    run_by: crate::setup::SyncRunner::NoTracking,
                    sync_now: false,
                    note: "the integration is no longer in the catalog".into(),
                },
                crate::setup::sync_info,
            ),
            attention: self.secrets_attention(c),
            next_sync_at: self.next_scim_cycle_at(c).ok().flatten(),
            paused: health.paused,
            failing_since: health.failing_since,
            created_at: c.created_at,
            wizard: WizardView {
                complete: next_step.is_none(),
                next_step,
                steps,
            },
        }
    }

    /// Saves a connection with the one audit event that records the change,
    /// in one transaction, and shows it.
    fn save_with_event(
        &self,
        save: ConnectionSave<'_>,
        audit: AuditEvent,
    ) -> Result<ConnectionView, AppError> {
        self.store.write_connection(ConnectionWrite {
            connection: Some(save),
            credentials: vec![],
            events: vec![audit],
        })?;
        let (ConnectionSave::Insert(connection) | ConnectionSave::Update(connection)) = save;
        Ok(self.view_connection(connection))
    }

    /// Revokes every live credential ever issued for `connection` (the
    /// bound one, and any an older Relais issued in a race), with an audit
    /// event each, for the caller's write.
    fn revoke_issued_credentials(
        &self,
        company: &Company,
        by: &str,
        connection: &Connection,
        reason: &str,
    ) -> Result<(Vec<ApiCredential>, Vec<AuditEvent>), AppError> {
        let mut revoked = Vec::new();
        let mut events = Vec::new();
        for mut credential in self
            .store
            .connection_credentials(company.id, connection.id)?
            .into_iter()
            .filter(|c| !c.is_revoked())
        {
            credential.revoke(Utc::now());
            events.push(credential_event(
                company,
                by,
                &credential,
                "credential.revoke",
                json!({"reason": reason}),
            ));
            revoked.push(credential);
        }
        Ok((revoked, events))
    }

    pub(crate) fn load_connection(
        &self,
        company: CompanyId,
        id: &str,
    ) -> Result<Connection, AppError> {
        let missing = || AppError::not_found(format!("connection {id}"));
        let id = id.parse::<uuid::Uuid>().map_err(|_| missing())?;
        self.store
            .connection(company, ConnectionId(id))?
            .ok_or_else(missing)
    }

    fn integration_of(&self, connection: &Connection) -> Result<Integration, AppError> {
        self.integration(&connection.integration).map_err(|_| {
            AppError::new(
                ErrorKind::Conflict,
                format!(
                    "the integration '{}' is no longer in the catalog",
                    connection.integration
                ),
            )
        })
    }

    /// Applies a state machine event; the error names state and event.
    fn apply(
        connection: &mut Connection,
        event: &ConnectionEvent,
    ) -> Result<ConnectionState, AppError> {
        let before = connection.state.clone();
        let next = ConnectionState::transition(Some(&connection.state), event)
            .map_err(|e| AppError::new(ErrorKind::Conflict, e.to_string()))?;
        if next != connection.state {
            connection.state_since = Utc::now();
        }
        connection.state = next;
        Ok(before)
    }

    /// The company's connections ("Connected integrations"), optionally of one status.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*; [`ErrorKind::Invalid`] for an unknown status.
    pub fn connections(
        &self,
        by: Caller<'_>,
        company: &Company,
        status: Option<&str>,
    ) -> Result<Vec<ConnectionView>, AppError> {
        by.may_browse(company)?;
        if let Some(s) = status
            && !["pending", "connected", "inactive", "disconnected"].contains(&s)
        {
            return Err(AppError::invalid(format!(
                "status '{s}' is not one of pending, connected, inactive, disconnected"
            )));
        }
        let all = self
            .store
            .connections(company.id, status == Some("disconnected"))?;
        Ok(all
            .iter()
            .filter(|c| status.is_none_or(|s| c.state.status() == s))
            .map(|c| self.view_connection(c))
            .collect())
    }

    /// One connection.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn connection(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<ConnectionView, AppError> {
        by.may_browse(company)?;
        Ok(self.view_connection(&self.load_connection(company.id, id)?))
    }

    /// Starts connecting an integration (Pending, wizard in progress).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for an unknown integration, [`ErrorKind::Conflict`]
    /// when the company has a live connection of it already.
    pub fn start_connection(
        &self,
        by: Caller<'_>,
        company: &Company,
        integration: &str,
    ) -> Result<ConnectionView, AppError> {
        by.may_configure(company)?;
        let integration = self
            .integration(integration)
            .map_err(|e| AppError::invalid(format!("integration: {e}")))?;
        self.check_setup(&integration)?;
        if let Some(existing) = self
            .store
            .connections(company.id, false)?
            .iter()
            .find(|c| c.integration == integration.slug)
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!(
                    "{} is already {} in this company (connection {})",
                    integration.name,
                    existing.state.status(),
                    existing.id
                ),
            ));
        }
        let now = Utc::now();
        let state = ConnectionState::transition(None, &ConnectionEvent::Start)
            .map_err(|e| AppError::new(ErrorKind::Conflict, e.to_string()))?;
        let connection = Connection {
            id: ConnectionId::new(),
            company_id: company.id,
            integration: integration.slug.clone(),
            state,
            state_since: now,
            progress: WizardProgress::default(),
            answers: BTreeMap::new(),
            credential: None,
            created_at: now,
            revision: 0,
        };
        let audit = event(
            company,
            &by.name(),
            &connection,
            "connection.start",
            None,
            None,
            json!({"integration": integration.slug}),
        );
        self.save_with_event(ConnectionSave::Insert(&connection), audit)
    }

    /// Answers one wizard step. Secret answers are sealed with the
    /// operator's key before they are stored.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] naming every wrong field, an unknown step or a
    /// skipped earlier step, or a secret without `RELAIS_SECRET_KEY`;
    /// [`ErrorKind::Conflict`] when the wizard is not open.
    pub fn submit_wizard_step(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        step_id: &str,
        input: &serde_json::Map<String, Value>,
    ) -> Result<ConnectionView, AppError> {
        by.may_configure(company)?;
        let mut connection = self.load_connection(company.id, id)?;
        let integration = self.integration_of(&connection)?;
        let before = Self::apply(
            &mut connection,
            &ConnectionEvent::SubmitStep {
                step: step_id.to_owned(),
            },
        )?;
        let step = integration
            .wizard
            .steps
            .iter()
            .find(|s| s.id == step_id)
            .ok_or_else(|| {
                AppError::invalid(format!(
                    "the wizard of {} has no step '{step_id}'",
                    integration.name
                ))
            })?;
        connection
            .progress
            .answer(&integration.wizard, step_id)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let answers = validate_step(step, input).map_err(|e| {
            let fields = match &e {
                relais_connections::WizardError::Fields { errors, .. } => errors
                    .iter()
                    .map(|f| crate::FieldProblem {
                        field: f.field.clone(),
                        message: f.message.clone(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            AppError::invalid(e.to_string()).with_fields(fields)
        })?;
        self.check_target_urls(&integration, &answers)?;
        // Answering a step again replaces all of its answers.
        for field in &step.fields {
            connection.answers.remove(&field.key);
        }
        let mut fields = Vec::new();
        for (key, answer) in answers {
            let stored = if answer.is_secret() {
                let key_ = self.sealing_key()?;
                let relais_connections::Answer::Secret(text) = &answer else {
                    unreachable!("checked is_secret")
                };
                StoredAnswer::Sealed(key_.seal(text)?)
            } else {
                StoredAnswer::Plain(answer)
            };
            fields.push(key.clone());
            connection.answers.insert(key, stored);
        }
        let audit = event(
            company,
            &by.name(),
            &connection,
            "connection.wizard_step",
            Some(&before),
            None,
            json!({"step": step_id, "fields": fields}),
        );
        self.save_with_event(ConnectionSave::Update(&connection), audit)
    }

    /// Refuses, at the wizard already, a base URL that Relais itself will
    /// call and that points at an address it does not call (loopback,
    /// private, link-local, `localhost`) or lets the tenant choose the path.
    /// Host names are checked again at every connection (see relais-egress).
    fn check_target_urls(
        &self,
        integration: &Integration,
        answers: &BTreeMap<String, relais_connections::Answer>,
    ) -> Result<(), AppError> {
        if integration.slug != crate::sync::SCIM_INTEGRATION {
            return Ok(());
        }
        if let Some(relais_connections::Answer::Url(url)) = answers.get("base_url") {
            self.egress.check_url(url).map_err(|e| {
                AppError::invalid(format!("base_url: {e}")).with_fields(vec![crate::FieldProblem {
                    field: "base_url".into(),
                    message: e.to_string(),
                }])
            })?;
        }
        Ok(())
    }

    fn bound_credential(
        integration: &Integration,
        company: &Company,
    ) -> Result<Option<(ApiCredential, String)>, AppError> {
        if integration.permissions.is_empty() {
            return Ok(None);
        }
        let scopes = integration.permissions.iter().copied().collect();
        let attributes = StandardAttribute::ALL
            .iter()
            .map(|a| a.key().to_owned())
            .collect();
        let (credential, secret) = ApiCredential::create(
            company.id,
            &format!("{} (connection)", integration.name),
            Some(integration.slug.clone()),
            scopes,
            attributes,
            Utc::now(),
        )?;
        Ok(Some((credential, secret.0)))
    }

    fn partner_credential(
        integration: &Integration,
        credential: &ApiCredential,
        secret: String,
    ) -> Option<PartnerCredential> {
        (integration.kind() == IntegrationKind::Partner).then(|| PartnerCredential {
            client_id: credential.client_id.to_string(),
            client_secret: secret,
            scopes: credential.scopes.iter().map(ToString::to_string).collect(),
        })
    }

    /// Finishes the wizard: Connected, or Pending until the partner
    /// activates it. An integration that needs API access gets an API
    /// credential with exactly the scopes its catalog entry lists.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] while a step is unanswered, [`ErrorKind::Conflict`] when not in the wizard.
    pub fn complete_wizard(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<ConnectionChange, AppError> {
        by.may_configure(company)?;
        let mut connection = self.load_connection(company.id, id)?;
        let integration = self.integration_of(&connection)?;
        if connection.state
            == (ConnectionState::Pending {
                reason: relais_connections::PendingReason::WizardInProgress,
            })
        {
            connection
                .progress
                .check_complete(&integration.wizard)
                .map_err(|e| AppError::invalid(e.to_string()))?;
        }
        let needs_partner_activation = integration.wizard.needs_partner_activation
            && integration.kind() == IntegrationKind::Partner;
        let before = Self::apply(
            &mut connection,
            &ConnectionEvent::CompleteWizard {
                needs_partner_activation,
            },
        )?;
        let bound = Self::bound_credential(&integration, company)?;
        connection.credential = bound.as_ref().map(|(c, _)| c.client_id.clone());
        let mut events = vec![event(
            company,
            &by.name(),
            &connection,
            "connection.complete_wizard",
            Some(&before),
            None,
            json!({"credential": connection.credential}),
        )];
        if let Some((credential, _)) = &bound {
            events.push(credential_event(
                company,
                &by.name(),
                credential,
                "credential.create",
                json!({"connection": connection.id.to_string()}),
            ));
        }
        self.store.write_connection(ConnectionWrite {
            connection: Some(ConnectionSave::Update(&connection)),
            credentials: bound.iter().map(|(c, _)| c).collect(),
            events,
        })?;
        Ok(ConnectionChange {
            connection: self.view_connection(&connection),
            partner_credential: bound
                .and_then(|(c, s)| Self::partner_credential(&integration, &c, s)),
        })
    }

    /// The partner activates its Pending connection, authenticated with the
    /// credential made for it.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the credential belongs to no connection,
    /// [`ErrorKind::Conflict`] when the connection is not awaiting activation.
    pub fn activate_by_partner(&self, caller: &ApiCaller) -> Result<ConnectionView, AppError> {
        let mut connection = self
            .store
            .connection_by_credential(&caller.credential.client_id)?
            .ok_or_else(|| AppError::not_found("connection for this credential".into()))?;
        let company = self.company(Some(&connection.company_id.to_string()))?;
        let before = Self::apply(&mut connection, &ConnectionEvent::PartnerActivated)?;
        let actor = format!("partner:{}", caller.credential.client_id);
        let audit = event(
            &company,
            &actor,
            &connection,
            "connection.partner_activated",
            Some(&before),
            None,
            json!({}),
        );
        self.save_with_event(ConnectionSave::Update(&connection), audit)
    }

    /// Deactivates a connection (Inactive, with the reason given).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] without a reason, [`ErrorKind::Conflict`] when not Connected.
    pub fn deactivate_connection(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        reason: &str,
    ) -> Result<ConnectionView, AppError> {
        by.may_configure(company)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason: say why the connection is deactivated".into(),
            ));
        }
        limits::check_length("reason", reason, limits::TEXT)?;
        let mut connection = self.load_connection(company.id, id)?;
        let before = Self::apply(
            &mut connection,
            &ConnectionEvent::Deactivate {
                reason: reason.to_owned(),
            },
        )?;
        let audit = event(
            company,
            &by.name(),
            &connection,
            "connection.deactivate",
            Some(&before),
            Some(reason.to_owned()),
            json!({}),
        );
        self.save_with_event(ConnectionSave::Update(&connection), audit)
    }

    /// Reactivates an Inactive connection. Its old credential is revoked
    /// and a new one issued (handed out once for partner integrations).
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when not Inactive.
    pub fn reactivate_connection(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<ConnectionChange, AppError> {
        by.may_configure(company)?;
        let mut connection = self.load_connection(company.id, id)?;
        let integration = self.integration_of(&connection)?;
        let before = Self::apply(&mut connection, &ConnectionEvent::Reactivate)?;
        let (mut credentials, mut events) = self.revoke_issued_credentials(
            company,
            &by.name(),
            &connection,
            "connection reactivated with a new credential",
        )?;
        let bound = Self::bound_credential(&integration, company)?;
        if let Some((credential, _)) = &bound {
            events.push(credential_event(
                company,
                &by.name(),
                credential,
                "credential.create",
                json!({"connection": connection.id.to_string()}),
            ));
            credentials.push(credential.clone());
        }
        connection.credential = bound.as_ref().map(|(c, _)| c.client_id.clone());
        events.insert(
            0,
            event(
                company,
                &by.name(),
                &connection,
                "connection.reactivate",
                Some(&before),
                None,
                json!({"credential": connection.credential}),
            ),
        );
        self.store.write_connection(ConnectionWrite {
            connection: Some(ConnectionSave::Update(&connection)),
            credentials: credentials.iter().collect(),
            events,
        })?;
        // A reactivated connection starts with a clean record: the failing
        // streak that turned it off does not turn it off again at once.
        self.store
            .update_sync_state(connection.id.0, &mut |health| {
                health.failing_since = None;
                health.warned_at = None;
                health.consecutive_auth_failures = 0;
            })?;
        Ok(ConnectionChange {
            connection: self.view_connection(&connection),
            partner_credential: bound
                .and_then(|(c, s)| Self::partner_credential(&integration, &c, s)),
        })
    }

    /// Disconnects (removes) a connection; its credential is revoked, its history kept.
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when already disconnected.
    pub fn disconnect(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<ConnectionView, AppError> {
        by.may_configure(company)?;
        let mut connection = self.load_connection(company.id, id)?;
        let before = Self::apply(&mut connection, &ConnectionEvent::Disconnect)?;
        let mut events = vec![event(
            company,
            &by.name(),
            &connection,
            "connection.disconnect",
            Some(&before),
            None,
            json!({}),
        )];
        let (credentials, revocations) = self.revoke_issued_credentials(
            company,
            &by.name(),
            &connection,
            "connection disconnected",
        )?;
        events.extend(revocations);
        self.store.write_connection(ConnectionWrite {
            connection: Some(ConnectionSave::Update(&connection)),
            credentials: credentials.iter().collect(),
            events,
        })?;
        Ok(self.view_connection(&connection))
    }

    /// Turns a connection Inactive after its syncs failed to authenticate
    /// too often (called by connectors).
    ///
    /// # Errors
    /// [`ErrorKind::Conflict`] when not Connected.
    pub fn deactivate_after_auth_failures(
        &self,
        company: &Company,
        id: &str,
        failures: u32,
    ) -> Result<ConnectionView, AppError> {
        let mut connection = self.load_connection(company.id, id)?;
        let before = Self::apply(&mut connection, &ConnectionEvent::AuthFailuresExceeded)?;
        let audit = event(
            company,
            "system",
            &connection,
            "connection.auth_failures_exceeded",
            Some(&before),
            Some(format!("{failures} authentication failures in a row")),
            json!({"failures": failures}),
        );
        self.save_with_event(ConnectionSave::Update(&connection), audit)
    }

    /// Turns a connection off whose every run failed for `days` days.
    pub(crate) fn deactivate_failing_too_long(
        &self,
        company: &Company,
        id: &str,
        days: u32,
        since: DateTime<Utc>,
    ) -> Result<ConnectionView, AppError> {
        let mut connection = self.load_connection(company.id, id)?;
        let before = Self::apply(&mut connection, &ConnectionEvent::FailingTooLong { days })?;
        let audit = event(
            company,
            "system",
            &connection,
            "connection.failing_too_long",
            Some(&before),
            Some(format!(
                "every sync run failed since {}",
                since.format("%Y-%m-%d %H:%M UTC")
            )),
            json!({"days": days, "failing_since": since}),
        );
        self.save_with_event(ConnectionSave::Update(&connection), audit)
    }

    /// Warns a connection's admins (an event and an alert) that it is
    /// turned off at `off_at` unless a run succeeds before.
    pub(crate) fn warn_failing(
        &self,
        company: &Company,
        id: &str,
        since: DateTime<Utc>,
        off_at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let connection = self.load_connection(company.id, id)?;
        let audit = event(
            company,
            "system",
            &connection,
            "connection.disable_warning",
            Some(&connection.state),
            Some(format!(
                "every sync run failed since {}; Relais turns the connection off at {} unless a run succeeds before",
                since.format("%Y-%m-%d %H:%M UTC"),
                off_at.format("%Y-%m-%d %H:%M UTC")
            )),
            json!({"failing_since": since, "off_at": off_at}),
        );
        self.store.append_audit(&[audit])?;
        Ok(())
    }

    /// Pauses (`paused`) or resumes the schedule of a connection Relais
    /// runs; "Sync now" still runs a paused one. Recorded in the audit trail.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown connection;
    /// [`ErrorKind::Invalid`] for one Relais does not run on a schedule or
    /// a disconnected one.
    pub fn set_schedule_paused(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
        paused: bool,
    ) -> Result<ConnectionView, AppError> {
        by.may_configure(company)?;
        let connection = self.load_connection(company.id, id)?;
        if connection.integration != crate::sync::SCIM_INTEGRATION
            || connection.state == ConnectionState::Disconnected
        {
            return Err(AppError::invalid(
                "only a connection Relais runs on a schedule (SCIM provisioning), not disconnected, can be paused or resumed".into(),
            ));
        }
        let was = self.store.set_sync_paused(connection.id.0, paused)?;
        if was != paused {
            let audit = event(
                company,
                &by.name(),
                &connection,
                if paused {
                    "connection.pause"
                } else {
                    "connection.resume"
                },
                Some(&connection.state),
                None,
                json!({}),
            );
            self.store.append_audit(&[audit])?;
        }
        Ok(self.view_connection(&connection))
    }

    /// Makes the connection using a just-revoked credential Inactive (part of
    /// the revocation's write).
    pub(crate) fn connection_after_revocation(
        &self,
        company: &Company,
        credential: &ApiCredential,
        by: &str,
    ) -> Result<(Option<Connection>, Vec<AuditEvent>), AppError> {
        let Some(mut connection) = self.store.connection_by_credential(&credential.client_id)?
        else {
            return Ok((None, vec![]));
        };
        match Self::apply(&mut connection, &ConnectionEvent::CredentialRevoked) {
            Ok(before) => {
                let audit = event(
                    company,
                    by,
                    &connection,
                    "connection.credential_revoked",
                    Some(&before),
                    Some(format!("credential {} revoked", credential.client_id)),
                    json!({}),
                );
                Ok((Some(connection), vec![audit]))
            }
            // Inactive already: nothing changes.
            Err(_) => Ok((None, vec![])),
        }
    }

    /// The audit trail of one connection.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn connection_events(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<Vec<AuditEvent>, AppError> {
        by.may_browse(company)?;
        let connection = self.load_connection(company.id, id)?;
        Ok(self
            .store
            .audit_events(company.id, "connection", &connection.id.to_string())?)
    }

    /// Requests a demo of an integration that offers one.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for an unknown integration, one without demos, or an empty message.
    pub fn request_demo(
        &self,
        by: Caller<'_>,
        company: &Company,
        integration: &str,
        message: &str,
    ) -> Result<DemoRequest, AppError> {
        by.may_configure(company)?;
        let integration = self.integration(integration).map_err(|_| {
            AppError::invalid(format!(
                "integration: '{integration}' is not in the catalog"
            ))
        })?;
        if !integration.capabilities.demo {
            return Err(AppError::invalid(format!(
                "{} offers no demo",
                integration.name
            )));
        }
        let message = message.trim();
        limits::check_length("message", message, limits::TEXT)?;
        let request = DemoRequest {
            id: uuid::Uuid::now_v7(),
            company_id: company.id,
            integration: integration.slug.clone(),
            requested_by: by.name(),
            message: message.to_owned(),
            created_at: Utc::now(),
        };
        let audit = AuditEvent {
            company_id: company.id,
            at: request.created_at,
            actor: by.name(),
            subject_type: "demo_request".into(),
            subject_id: request.id.to_string(),
            action: "demo_request.create".into(),
            before: None,
            after: None,
            reason: None,
            details: json!({"integration": integration.slug}),
        };
        self.store.insert_demo_request(&request, audit)?;
        Ok(request)
    }

    /// Demo requests: a user sees their company's; the operator every
    /// company's (`company` `None`), optionally of one integration.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn demo_requests(
        &self,
        by: Caller<'_>,
        company: Option<&Company>,
        integration: Option<&str>,
    ) -> Result<Vec<DemoRequest>, AppError> {
        let scope = match (by, company) {
            (Caller::Operator, company) => company.map(|c| c.id),
            (Caller::User(actor), _) => {
                by.may_browse(&actor.company)?;
                Some(actor.company.id)
            }
        };
        Ok(self.store.demo_requests(scope, integration)?)
    }

    /// Requests an integration missing from the catalog; requests of the
    /// same name are merged and counted.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for an empty name or use case or a bad website;
    /// [`ErrorKind::Conflict`] when the catalog has it.
    pub fn request_integration(
        &self,
        by: Caller<'_>,
        company: &Company,
        name: &str,
        website: Option<&str>,
        use_case: &str,
    ) -> Result<IntegrationRequest, AppError> {
        by.may_configure(company)?;
        let normalized = normalize_request_name(name);
        if normalized.is_empty() || name.chars().count() > limits::NAME {
            return Err(AppError::invalid(format!(
                "name: 1 to {} characters, with letters or digits",
                limits::NAME
            )));
        }
        if use_case.trim().is_empty() {
            return Err(AppError::invalid(
                "use_case: say what the integration is for".into(),
            ));
        }
        limits::check_length("use_case", use_case.trim(), limits::TEXT)?;
        if let Some(w) = website {
            limits::check_length("website", w, limits::URL)?;
        }
        if let Some(w) = website
            && !url::Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(AppError::invalid(format!(
                "website: '{w}' is not an http or https URL"
            )));
        }
        if let Some(existing) = self
            .catalog()
            .integrations()
            .iter()
            .find(|i| normalize_request_name(&i.name) == normalized)
        {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!(
                    "{} is in the catalog already (slug '{}')",
                    existing.name, existing.slug
                ),
            ));
        }
        let at = Utc::now();
        let request = NewIntegrationRequest {
            company_id: company.id,
            requested_by: &by.name(),
            name,
            normalized_name: &normalized,
            website,
            use_case: use_case.trim(),
            at,
        };
        let audit = AuditEvent {
            company_id: company.id,
            at,
            actor: by.name(),
            subject_type: "integration_request".into(),
            subject_id: normalized.clone(),
            action: "integration_request.create".into(),
            before: None,
            after: None,
            reason: None,
            details: json!({"name": name.trim(), "website": website}),
        };
        Ok(self.store.add_integration_request(&request, audit)?)
    }

    /// Integration requests, most requested first: a user sees their
    /// company's own requests (count and use cases of that company only);
    /// the operator every company's, or one company's.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn integration_requests(
        &self,
        by: Caller<'_>,
        company: Option<&Company>,
    ) -> Result<Vec<IntegrationRequest>, AppError> {
        let scope = match (by, company) {
            (Caller::Operator, company) => company.map(|c| c.id),
            (Caller::User(actor), _) => {
                by.may_browse(&actor.company)?;
                Some(actor.company.id)
            }
        };
        Ok(self.store.integration_requests(scope)?)
    }
}

/// An audit event about a credential.
pub(crate) fn credential_event(
    company: &Company,
    by: &str,
    credential: &ApiCredential,
    action: &str,
    details: Value,
) -> AuditEvent {
    AuditEvent {
        company_id: company.id,
        at: Utc::now(),
        actor: by.to_owned(),
        subject_type: "credential".into(),
        subject_id: credential.client_id.to_string(),
        action: action.to_owned(),
        before: None,
        after: Some(
            if credential.is_revoked() {
                "revoked"
            } else {
                "active"
            }
            .into(),
        ),
        reason: None,
        details: json!({"scopes": credential.scopes.iter().map(|p: &ApiPermission| scope_name(*p)).collect::<Vec<_>>(), "more": details}),
    }
}
