//! API credentials for the public API, and the bearer tokens they are
//! exchanged for at `POST /v1/auth`.
//!
//! A credential has a public client id (`rlc_<16 hex>`) and a secret
//! (`rls_<64 hex>`) shown once at creation or rotation; only the secret's
//! hash is kept. A token (`rlt_<id>_<secret>`) remembers the credential's
//! *generation*: rotating the credential bumps it, so every token issued
//! before stops working at once, as does revoking the credential.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::secret::{PresentedToken, random_id, random_secret};
use crate::{AccessError, ApiAccess, ApiPermission, CompanyId, PublicApi, SecretHash, TokenId};

const CLIENT_ID_PREFIX: &str = "rlc_";
const SECRET_PREFIX: &str = "rls_";
const TOKEN_PREFIX: &str = "rlt_";

/// How long a public-API token lives, as in the modelled HRIS.
pub const TOKEN_LIFETIME: Duration = Duration::hours(24);

/// An API credential's public client id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    /// The id as shown and stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a client id, checking its shape.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] when it is not `rlc_` and 16 hex digits.
    pub fn parse(text: &str) -> Result<Self, AccessError> {
        let text = text.trim();
        match text.strip_prefix(CLIENT_ID_PREFIX).map(TokenId::parse) {
            Some(Ok(_)) => Ok(Self(text.to_owned())),
            _ => Err(AccessError::Invalid {
                field: "client_id",
                reason: "is not a Relais client id (rlc_ and 16 hex digits)".into(),
            }),
        }
    }
}

impl std::fmt::Display for ClientId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The wire name of a scope, as the modelled HRIS spells it
/// (`employees:read`, `reports.custom:read`, …).
#[must_use]
pub fn scope_name(permission: ApiPermission) -> String {
    let api = match permission.api {
        PublicApi::CustomReports => "reports.custom",
        other => other.as_str(),
    };
    format!("{api}:{}", permission.access)
}

/// A credential for the public API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCredential {
    /// Public client id.
    pub client_id: ClientId,
    /// The company whose data it reads.
    pub company_id: CompanyId,
    /// What it is for, e.g. "Greenhouse integration".
    pub name: String,
    /// The catalog integration it is for; `None` means "Other".
    pub integration: Option<String>,
    /// The APIs and access levels it has.
    pub scopes: BTreeSet<ApiPermission>,
    /// The employee attributes the Personnel Data API may return to it.
    /// Not applied to Custom Reports.
    pub readable_attributes: BTreeSet<String>,
    /// Hash of the client secret.
    pub secret_hash: SecretHash,
    /// Bumped by every rotation; tokens of older generations are refused.
    pub generation: u32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change of name, scopes, whitelist or secret.
    pub updated_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When it last got a token at `POST /v1/auth`.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A new or rotated credential's secret, to show once.
pub struct IssuedSecret(pub String);

impl std::fmt::Debug for IssuedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedSecret(<redacted>)")
    }
}

impl ApiCredential {
    /// Creates a credential and its secret.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for a bad name or a scope the API does not
    /// offer (Custom Reports write), [`AccessError::Randomness`].
    pub fn create(
        company_id: CompanyId,
        name: &str,
        integration: Option<String>,
        scopes: BTreeSet<ApiPermission>,
        readable_attributes: BTreeSet<String>,
        now: DateTime<Utc>,
    ) -> Result<(Self, IssuedSecret), AccessError> {
        let name = check_name(name)?;
        check_scopes(&scopes)?;
        let secret = format!("{SECRET_PREFIX}{}", random_secret()?);
        let credential = Self {
            client_id: ClientId(format!("{CLIENT_ID_PREFIX}{}", random_id()?)),
            company_id,
            name,
            integration,
            scopes,
            readable_attributes,
            secret_hash: SecretHash::of(&secret),
            generation: 0,
            created_at: now,
            updated_at: now,
            revoked_at: None,
            last_used_at: None,
        };
        Ok((credential, IssuedSecret(secret)))
    }

    /// Renames the credential.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for a bad name.
    pub fn rename(&mut self, name: &str, now: DateTime<Utc>) -> Result<(), AccessError> {
        self.name = check_name(name)?;
        self.updated_at = now;
        Ok(())
    }

    /// Replaces the scopes.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for a scope the API does not offer.
    pub fn set_scopes(
        &mut self,
        scopes: BTreeSet<ApiPermission>,
        now: DateTime<Utc>,
    ) -> Result<(), AccessError> {
        check_scopes(&scopes)?;
        self.scopes = scopes;
        self.updated_at = now;
        Ok(())
    }

    /// Issues a new secret; the old one and every token issued with it stop working.
    ///
    /// # Errors
    /// [`AccessError::Randomness`].
    pub fn rotate(&mut self, now: DateTime<Utc>) -> Result<IssuedSecret, AccessError> {
        let secret = format!("{SECRET_PREFIX}{}", random_secret()?);
        self.secret_hash = SecretHash::of(&secret);
        self.generation += 1;
        self.updated_at = now;
        Ok(IssuedSecret(secret))
    }

    /// Revokes the credential for good; its tokens stop working at once.
    pub fn revoke(&mut self, now: DateTime<Utc>) {
        if self.revoked_at.is_none() {
            self.revoked_at = Some(now);
            self.updated_at = now;
        }
    }

    /// Whether it is revoked.
    #[must_use]
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Whether `secret` is this credential's current secret (constant time)
    /// and the credential is not revoked.
    #[must_use]
    pub fn accepts_secret(&self, secret: &str) -> bool {
        self.secret_hash.matches(secret) && !self.is_revoked()
    }

    /// Whether it has `access` to `api`.
    #[must_use]
    pub fn allows(&self, api: PublicApi, access: ApiAccess) -> bool {
        self.scopes.contains(&ApiPermission { api, access })
    }

    /// The scopes as the token response spells them, space-separated.
    #[must_use]
    pub fn scope_string(&self) -> String {
        self.scopes
            .iter()
            .map(|p| scope_name(*p))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn check_name(name: &str) -> Result<String, AccessError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > crate::limits::NAME {
        return Err(AccessError::Invalid {
            field: "name",
            reason: format!("must be 1 to {} characters", crate::limits::NAME),
        });
    }
    Ok(name.to_owned())
}

fn check_scopes(scopes: &BTreeSet<ApiPermission>) -> Result<(), AccessError> {
    if let Some(bad) = scopes.iter().find(|p| !p.api.offers(p.access)) {
        return Err(AccessError::Invalid {
            field: "scopes",
            reason: format!("the {} API offers no {} access", bad.api, bad.access),
        });
    }
    Ok(())
}

/// A bearer token for the public API, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Public half.
    pub id: TokenId,
    /// The credential it was issued to.
    pub client_id: ClientId,
    /// The credential's company.
    pub company_id: CompanyId,
    /// The credential's generation when it was issued.
    pub generation: u32,
    /// Hash of the secret half.
    pub secret_hash: SecretHash,
    /// Issued.
    pub issued_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

/// A freshly issued public-API token: the record and the text to hand out.
pub struct IssuedApiToken {
    /// What to store.
    pub record: ApiToken,
    /// The token text (`rlt_…`).
    pub plaintext: String,
}

impl std::fmt::Debug for IssuedApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedApiToken")
            .field("record", &self.record)
            .field("plaintext", &"<redacted>")
            .finish()
    }
}

impl ApiToken {
    /// Issues a token to a credential.
    ///
    /// # Errors
    /// [`AccessError::Randomness`].
    pub fn issue(
        credential: &ApiCredential,
        now: DateTime<Utc>,
    ) -> Result<IssuedApiToken, AccessError> {
        let (id, secret) = (random_id()?, random_secret()?);
        Ok(IssuedApiToken {
            plaintext: format!("{TOKEN_PREFIX}{id}_{secret}"),
            record: Self {
                id,
                client_id: credential.client_id.clone(),
                company_id: credential.company_id,
                generation: credential.generation,
                secret_hash: SecretHash::of(&secret),
                issued_at: now,
                expires_at: now + TOKEN_LIFETIME,
            },
        })
    }

    /// Splits a presented public-API token.
    ///
    /// # Errors
    /// [`AccessError::MalformedToken`].
    pub fn parse(text: &str) -> Result<PresentedToken, AccessError> {
        PresentedToken::parse_prefixed(text, TOKEN_PREFIX)
    }

    /// Whether `presented` is this token, unexpired at `now`, and its
    /// credential is neither revoked nor rotated since.
    #[must_use]
    pub fn accepts(
        &self,
        presented: &PresentedToken,
        credential: &ApiCredential,
        now: DateTime<Utc>,
    ) -> bool {
        let secret_matches = self.secret_hash.matches(presented.secret());
        secret_matches
            && self.id == presented.id
            && now < self.expires_at
            && credential.client_id == self.client_id
            && credential.generation == self.generation
            && !credential.is_revoked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[(PublicApi, ApiAccess)]) -> BTreeSet<ApiPermission> {
        list.iter()
            .map(|&(api, access)| ApiPermission { api, access })
            .collect()
    }

    fn credential() -> (ApiCredential, IssuedSecret) {
        ApiCredential::create(
            CompanyId::new(),
            "Warehouse",
            None,
            scopes(&[
                (PublicApi::Employees, ApiAccess::Read),
                (PublicApi::CustomReports, ApiAccess::Read),
            ]),
            BTreeSet::new(),
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn scopes_are_spelt_like_the_hris() {
        let (c, _) = credential();
        assert_eq!(c.scope_string(), "reports.custom:read employees:read");
        assert!(c.allows(PublicApi::Employees, ApiAccess::Read));
        assert!(!c.allows(PublicApi::Employees, ApiAccess::Write));
    }

    #[test]
    fn custom_reports_write_is_refused() {
        let err = ApiCredential::create(
            CompanyId::new(),
            "x",
            None,
            scopes(&[(PublicApi::CustomReports, ApiAccess::Write)]),
            BTreeSet::new(),
            Utc::now(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("offers no write access"), "{err}");
    }

    #[test]
    fn rotation_and_revocation_stop_the_secret_and_the_tokens_at_once() {
        let (mut c, secret) = credential();
        assert!(c.accepts_secret(&secret.0));
        let now = Utc::now();
        let token = ApiToken::issue(&c, now).unwrap();
        let presented = ApiToken::parse(&token.plaintext).unwrap();
        assert!(token.record.accepts(&presented, &c, now));

        let new_secret = c.rotate(now).unwrap();
        assert!(!c.accepts_secret(&secret.0));
        assert!(c.accepts_secret(&new_secret.0));
        assert!(!token.record.accepts(&presented, &c, now), "rotated");

        let token = ApiToken::issue(&c, now).unwrap();
        let presented = ApiToken::parse(&token.plaintext).unwrap();
        c.revoke(now);
        assert!(!token.record.accepts(&presented, &c, now), "revoked");
        assert!(!c.accepts_secret(&new_secret.0));
    }

    #[test]
    fn tokens_expire_after_a_day() {
        let (c, _) = credential();
        let now = Utc::now();
        let token = ApiToken::issue(&c, now).unwrap();
        let presented = ApiToken::parse(&token.plaintext).unwrap();
        assert!(
            token
                .record
                .accepts(&presented, &c, now + Duration::hours(23))
        );
        assert!(
            !token
                .record
                .accepts(&presented, &c, now + Duration::hours(24))
        );
    }

    #[test]
    fn secrets_are_never_in_debug_output() {
        let (c, secret) = credential();
        assert!(!format!("{secret:?}").contains(&secret.0));
        let token = ApiToken::issue(&c, Utc::now()).unwrap();
        assert!(!format!("{token:?}").contains(&token.plaintext));
        assert!(ClientId::parse(c.client_id.as_str()).is_ok());
        assert!(ClientId::parse("papi-123").is_err());
    }
}
