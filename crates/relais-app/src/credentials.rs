//! API credentials: generate, list, update, rotate, revoke.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use relais_access::{ApiCredential, ApiPermission, ClientId, Company, MarketplaceRight};
use relais_people::{StandardAttribute, attribute_keys};
use serde::Serialize;

use crate::{Actor, App, AppError, ErrorKind};

/// Who asks for an administrative change.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    /// The operator at the CLI: has the database, may do anything.
    Operator,
    /// A signed-in user: needs the *edit* right, and only in their company.
    User(&'a Actor),
}

impl Caller<'_> {
    /// Succeeds when the caller may configure integrations of `company`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] for a user without the *edit* right;
    /// [`ErrorKind::NotFound`] for a user of another company (so as not to
    /// tell them the other company's records exist).
    pub fn may_configure(&self, company: &Company) -> Result<(), AppError> {
        self.may(company, MarketplaceRight::Edit)
    }

    /// Succeeds when the caller holds at least `right` in `company`.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] for a user below `right`;
    /// [`ErrorKind::NotFound`] for a user of another company.
    pub fn may(&self, company: &Company, right: MarketplaceRight) -> Result<(), AppError> {
        match self {
            Caller::Operator => Ok(()),
            Caller::User(actor) if actor.company.id != company.id => {
                Err(AppError::not_found("such record in your company".into()))
            }
            Caller::User(actor) => actor.require(right),
        }
    }
}

/// What a new credential is made of.
#[derive(Debug, Clone, Default)]
pub struct CredentialInput {
    /// What it is for.
    pub name: String,
    /// The catalog integration it is for; `None` for "Other".
    pub integration: Option<String>,
    /// The APIs and access levels.
    pub scopes: BTreeSet<ApiPermission>,
    /// Readable employee attributes; `None` for the default (every standard
    /// attribute, no custom one).
    pub readable_attributes: Option<BTreeSet<String>>,
}

/// A change to a credential; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CredentialChange {
    /// New name.
    pub name: Option<String>,
    /// New scopes (replacing the old ones).
    pub scopes: Option<BTreeSet<ApiPermission>>,
    /// New readable attributes (replacing the old ones).
    pub readable_attributes: Option<BTreeSet<String>>,
}

/// A credential as the API and the CLI show it: never its secret or hash.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialView {
    /// Public client id.
    pub client_id: String,
    /// Name.
    pub name: String,
    /// Catalog integration, or `null` for "Other".
    pub integration: Option<String>,
    /// Scopes, spelt as they are given (`custom_reports:read`; the public
    /// API's tokens spell it `reports.custom:read`, as the modelled HRIS does).
    pub scopes: Vec<String>,
    /// Readable employee attributes (Personnel Data API only).
    pub readable_attributes: Vec<String>,
    /// `active` or `revoked`.
    pub status: &'static str,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last got a token at `POST /v1/auth`.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&ApiCredential> for CredentialView {
    fn from(c: &ApiCredential) -> Self {
        Self {
            client_id: c.client_id.to_string(),
            name: c.name.clone(),
            integration: c.integration.clone(),
            scopes: c.scopes.iter().map(ToString::to_string).collect(),
            readable_attributes: c.readable_attributes.iter().cloned().collect(),
            status: if c.is_revoked() { "revoked" } else { "active" },
            created_at: c.created_at,
            updated_at: c.updated_at,
            revoked_at: c.revoked_at,
            last_used_at: c.last_used_at,
        }
    }
}

/// A credential with its secret, right after creation or rotation: the only
/// time the secret is shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialWithSecret {
    /// The credential.
    #[serde(flatten)]
    pub credential: CredentialView,
    /// The client secret. Shown once; only its hash is stored.
    pub client_secret: String,
    /// What the credential cannot do yet, e.g. read anything without a scope.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl App {
    /// Generates a new credential; its secret is returned once.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for an unknown integration or attribute, a bad
    /// name or scope; [`ErrorKind::Forbidden`] for a user without *edit*.
    pub fn create_credential(
        &self,
        by: Caller<'_>,
        company: &Company,
        input: CredentialInput,
    ) -> Result<CredentialWithSecret, AppError> {
        by.may_configure(company)?;
        if let Some(slug) = &input.integration
            && self.catalog().get(slug).is_none()
        {
            return Err(AppError::invalid(format!(
                "integration: '{slug}' is not in the catalog (leave it out for \"Other\")"
            )));
        }
        let attributes = match input.readable_attributes {
            Some(list) => self.check_attributes(company, list)?,
            None => StandardAttribute::ALL
                .iter()
                .map(|a| a.key().to_owned())
                .collect(),
        };
        let (credential, secret) = ApiCredential::create(
            company.id,
            &input.name,
            input.integration,
            input.scopes,
            attributes,
            Utc::now(),
        )?;
        let audit = crate::connections::credential_event(
            company,
            &by.name(),
            &credential,
            "credential.create",
            serde_json::json!({"name": credential.name}),
        );
        self.store.write_connection(relais_store::ConnectionWrite {
            connection: None,
            credentials: vec![&credential],
            events: vec![audit],
        })?;
        tracing::info!(company = %company.slug, client_id = %credential.client_id, "API credential created");
        // Allowed, as scopes may be granted later, but never silently.
        let warnings = if credential.scopes.is_empty() {
            vec![format!(
                "the credential has no scope, so it can read nothing yet; grant one, e.g. `relais credentials update {} --add-scope employees:read` (PATCH /api/credentials/{} with \"scopes\")",
                credential.client_id, credential.client_id
            )]
        } else {
            Vec::new()
        };
        Ok(CredentialWithSecret {
            credential: CredentialView::from(&credential),
            client_secret: secret.0,
            warnings,
        })
    }

    /// The attributes a credential's whitelist can hold: (key, label), the
    /// standard ones and the company's custom ones.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn attribute_choices(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<Vec<(String, String)>, AppError> {
        by.may_browse(company)?;
        let custom = self.store.people_reference(company.id)?.custom_attributes;
        Ok(StandardAttribute::ALL
            .iter()
            .map(|a| (a.key().to_owned(), a.label().to_owned()))
            .chain(custom.iter().map(|c| (c.key(), c.label.clone())))
            .collect())
    }

    /// The company's credentials, oldest first.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] for a user without *edit*.
    pub fn credentials(
        &self,
        by: Caller<'_>,
        company: &Company,
    ) -> Result<Vec<CredentialView>, AppError> {
        by.may_configure(company)?;
        Ok(self
            .store
            .credentials(company.id)?
            .iter()
            .map(CredentialView::from)
            .collect())
    }

    /// One credential of the company.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for an unknown client id or another company's.
    pub fn credential(
        &self,
        by: Caller<'_>,
        company: &Company,
        client_id: &str,
    ) -> Result<CredentialView, AppError> {
        by.may_configure(company)?;
        self.load_credential(company, client_id)
            .map(|c| CredentialView::from(&c))
    }

    fn load_credential(
        &self,
        company: &Company,
        client_id: &str,
    ) -> Result<ApiCredential, AppError> {
        let missing = || AppError::not_found(format!("credential {client_id}"));
        let id = ClientId::parse(client_id).map_err(|_| missing())?;
        self.store
            .credential(&id)?
            .filter(|c| c.company_id == company.id)
            .ok_or_else(missing)
    }

    /// Changes a credential's name, scopes or readable attributes; takes
    /// effect on the credential's next request.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Invalid`], [`ErrorKind::Conflict`] for a revoked credential.
    pub fn update_credential(
        &self,
        by: Caller<'_>,
        company: &Company,
        client_id: &str,
        change: CredentialChange,
    ) -> Result<CredentialView, AppError> {
        by.may_configure(company)?;
        let mut credential = self.load_credential(company, client_id)?;
        refuse_revoked(&credential)?;
        let now = Utc::now();
        if let Some(name) = change.name {
            credential.rename(&name, now)?;
        }
        if let Some(scopes) = change.scopes {
            credential.set_scopes(scopes, now)?;
        }
        if let Some(list) = change.readable_attributes {
            credential.readable_attributes = self.check_attributes(company, list)?;
            credential.updated_at = now;
        }
        self.save_credential(&credential, by, company, "credential.update")?;
        Ok(CredentialView::from(&credential))
    }

    /// Issues a new secret: the old secret and every token made with it stop
    /// working at once.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Conflict`] for a revoked credential.
    pub fn rotate_credential(
        &self,
        by: Caller<'_>,
        company: &Company,
        client_id: &str,
    ) -> Result<CredentialWithSecret, AppError> {
        by.may_configure(company)?;
        let mut credential = self.load_credential(company, client_id)?;
        refuse_revoked(&credential)?;
        let secret = credential.rotate(Utc::now())?;
        self.save_credential(&credential, by, company, "credential.rotate")?;
        tracing::info!(company = %company.slug, client_id = %credential.client_id, "API credential rotated");
        Ok(CredentialWithSecret {
            credential: CredentialView::from(&credential),
            client_secret: secret.0,
            warnings: Vec::new(),
        })
    }

    /// Revokes a credential for good; its tokens stop working at once, and a
    /// connection using it turns Inactive. Revoking twice is not an error.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`].
    pub fn revoke_credential(
        &self,
        by: Caller<'_>,
        company: &Company,
        client_id: &str,
    ) -> Result<CredentialView, AppError> {
        by.may_configure(company)?;
        let mut credential = self.load_credential(company, client_id)?;
        credential.revoke(Utc::now());
        // A connection using the credential turns Inactive in the same write.
        let (connection, mut events) =
            self.connection_after_revocation(company, &credential, &by.name())?;
        events.insert(
            0,
            crate::connections::credential_event(
                company,
                &by.name(),
                &credential,
                "credential.revoke",
                serde_json::json!({}),
            ),
        );
        self.store.write_connection(relais_store::ConnectionWrite {
            connection: connection
                .as_ref()
                .map(relais_store::ConnectionSave::Update),
            credentials: vec![&credential],
            events,
        })?;
        tracing::info!(company = %company.slug, client_id = %credential.client_id, "API credential revoked");
        Ok(CredentialView::from(&credential))
    }

    fn save_credential(
        &self,
        credential: &ApiCredential,
        by: Caller<'_>,
        company: &Company,
        action: &str,
    ) -> Result<(), AppError> {
        let audit = crate::connections::credential_event(
            company,
            &by.name(),
            credential,
            action,
            serde_json::json!({}),
        );
        self.store.write_connection(relais_store::ConnectionWrite {
            connection: None,
            credentials: vec![credential],
            events: vec![audit],
        })?;
        Ok(())
    }

    /// Checks readable attributes against the company's attribute keys.
    fn check_attributes(
        &self,
        company: &Company,
        list: BTreeSet<String>,
    ) -> Result<BTreeSet<String>, AppError> {
        let reference = self.store.people_reference(company.id)?;
        let known = attribute_keys(&reference.custom_attributes);
        let unknown: Vec<_> = list
            .iter()
            .filter(|a| !known.contains(a))
            .cloned()
            .collect();
        if unknown.is_empty() {
            Ok(list)
        } else {
            Err(AppError::invalid(format!(
                "readable_attributes: unknown {} {}; known: {}",
                if unknown.len() == 1 {
                    "attribute"
                } else {
                    "attributes"
                },
                unknown.join(", "),
                known.join(", ")
            )))
        }
    }
}

fn refuse_revoked(credential: &ApiCredential) -> Result<(), AppError> {
    if credential.is_revoked() {
        Err(AppError::new(
            ErrorKind::Conflict,
            format!(
                "credential {} is revoked; generate a new one",
                credential.client_id
            ),
        ))
    } else {
        Ok(())
    }
}
