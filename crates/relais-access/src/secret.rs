//! Personal access tokens and the hashing of secrets.
//!
//! A token reads `rlp_<id>_<secret>`: the id (16 hex digits) is public and
//! used to find the stored record; the secret (64 hex digits, 256 random
//! bits) is only ever kept as its SHA-256 hash and compared in constant time.
//! A plain, unsalted hash is enough because the secret is random and long:
//! there is no dictionary to attack, and a slow password hash would only cost
//! time on every request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AccessError, CompanyId, User, UserId};

/// Prefix of personal access tokens (admin API).
pub(crate) const PAT_PREFIX: &str = "rlp_";
const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;

/// The public half of a token, used to look the token up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenId(String);

impl TokenId {
    /// The id as stored and shown.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Rebuilds an id read back from storage.
    ///
    /// # Errors
    /// [`AccessError::MalformedToken`] when it is not 16 lower-case hex digits.
    pub fn parse(id: &str) -> Result<Self, AccessError> {
        if id.len() == ID_BYTES * 2 && is_lower_hex(id) {
            Ok(Self(id.to_owned()))
        } else {
            Err(AccessError::MalformedToken)
        }
    }
}

impl std::fmt::Display for TokenId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SHA-256 hash of a secret: what Relais stores instead of the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretHash([u8; 32]);

impl SecretHash {
    /// Hashes a secret.
    #[must_use]
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether `secret` hashes to this value, compared in constant time.
    #[must_use]
    pub fn matches(&self, secret: &str) -> bool {
        Self::of(secret).0.ct_eq(&self.0).into()
    }

    /// The hash as 64 lower-case hex digits, for storage.
    #[must_use]
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    /// Reads a hash back from its hex form.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] when it is not 64 hex digits.
    pub fn from_hex(hex: &str) -> Result<Self, AccessError> {
        let invalid = || AccessError::Invalid {
            field: "secret hash",
            reason: "is not 64 hex digits".into(),
        };
        crate::hex::decode_32(hex).map(Self).ok_or_else(invalid)
    }
}

impl std::fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHash(..)")
    }
}

/// A personal access token as stored: everything but the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalAccessToken {
    /// The public id, part of the token text.
    pub id: TokenId,
    /// The user the token acts for.
    pub user_id: UserId,
    /// The user's company (kept here so that a lookup is scoped without a join).
    pub company_id: CompanyId,
    /// What the token is for, as its owner named it ("laptop", "ci").
    pub name: String,
    /// Hash of the secret half.
    pub secret_hash: SecretHash,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A freshly issued token: the record to store and the text to show once.
pub struct IssuedToken {
    /// What to store.
    pub record: PersonalAccessToken,
    /// The full token text. Show it to its owner once, then drop it.
    pub plaintext: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("record", &self.record)
            .field("plaintext", &"<redacted>")
            .finish()
    }
}

impl PersonalAccessToken {
    /// Issues a new token for `user`.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for an empty or overlong name,
    /// [`AccessError::Randomness`] when the OS gives no random bytes.
    pub fn issue(
        user: &User,
        name: &str,
        now: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<IssuedToken, AccessError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > crate::limits::NAME {
            return Err(AccessError::Invalid {
                field: "token name",
                reason: format!("must be 1 to {} characters", crate::limits::NAME),
            });
        }
        let (id, secret) = (random_id()?, random_secret()?);
        let plaintext = format!("{PAT_PREFIX}{id}_{secret}");
        Ok(IssuedToken {
            record: Self {
                id,
                user_id: user.id,
                company_id: user.company_id,
                name: name.to_owned(),
                secret_hash: SecretHash::of(&secret),
                created_at: now,
                expires_at,
                revoked_at: None,
            },
            plaintext,
        })
    }

    /// Whether `presented` is this token and the token still works at `now`.
    #[must_use]
    pub fn accepts(&self, presented: &PresentedToken, now: DateTime<Utc>) -> bool {
        let secret_matches = self.secret_hash.matches(&presented.secret);
        secret_matches
            && self.id == presented.id
            && self.revoked_at.is_none()
            && self.expires_at.is_none_or(|expiry| now < expiry)
    }
}

/// A token as a client presented it, split into its halves.
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedToken {
    /// The public half, to look the record up.
    pub id: TokenId,
    secret: String,
}

impl std::fmt::Debug for PresentedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresentedToken")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PresentedToken {
    /// Splits a personal access token's text into its halves.
    ///
    /// # Errors
    /// [`AccessError::MalformedToken`] when the text is not shaped like a token.
    pub fn parse(text: &str) -> Result<Self, AccessError> {
        Self::parse_prefixed(text, PAT_PREFIX)
    }

    /// Splits a `<prefix><id>_<secret>` text into its halves.
    ///
    /// # Errors
    /// [`AccessError::MalformedToken`] when the text is not shaped like one.
    pub(crate) fn parse_prefixed(text: &str, prefix: &str) -> Result<Self, AccessError> {
        let rest = text
            .trim()
            .strip_prefix(prefix)
            .ok_or(AccessError::MalformedToken)?;
        let (id, secret) = rest.split_once('_').ok_or(AccessError::MalformedToken)?;
        if secret.len() != SECRET_BYTES * 2 || !is_lower_hex(secret) {
            return Err(AccessError::MalformedToken);
        }
        Ok(Self {
            id: TokenId::parse(id)?,
            secret: secret.to_owned(),
        })
    }
}

/// The secret half, for checking against a stored hash.
impl PresentedToken {
    pub(crate) fn secret(&self) -> &str {
        &self.secret
    }
}

/// A fresh public id: 16 hex digits.
pub(crate) fn random_id() -> Result<TokenId, AccessError> {
    let mut id = [0_u8; ID_BYTES];
    getrandom::fill(&mut id).map_err(|e| AccessError::Randomness(e.to_string()))?;
    Ok(TokenId(crate::hex::encode(&id)))
}

/// A fresh recruiting API key (`rec_` and 64 hex digits): the static
/// per-company key the recruiting API takes with the company's number.
///
/// # Errors
/// [`AccessError::Randomness`] when the system has no randomness to give.
pub fn new_recruiting_key() -> Result<String, AccessError> {
    Ok(format!("rec_{}", random_secret()?))
}

/// A fresh secret: 64 hex digits, 256 random bits.
pub(crate) fn random_secret() -> Result<String, AccessError> {
    let mut secret = [0_u8; SECRET_BYTES];
    getrandom::fill(&mut secret).map_err(|e| AccessError::Randomness(e.to_string()))?;
    Ok(crate::hex::encode(&secret))
}

fn is_lower_hex(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MarketplaceRight;
    use proptest::prelude::*;

    fn user() -> User {
        User::new(
            CompanyId::new(),
            "ana@example.com",
            "Ana",
            MarketplaceRight::Edit,
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn issued_token_is_accepted_and_its_secret_is_not_stored() {
        let issued = PersonalAccessToken::issue(&user(), "laptop", Utc::now(), None).unwrap();
        let presented = PresentedToken::parse(&issued.plaintext).unwrap();
        assert!(issued.record.accepts(&presented, Utc::now()));
        let secret = issued.plaintext.rsplit('_').next().unwrap();
        assert_ne!(issued.record.secret_hash.to_hex(), secret);
        assert!(!format!("{issued:?}").contains(secret));
        assert!(!format!("{presented:?}").contains(secret));
    }

    #[test]
    fn revoked_or_expired_token_is_refused() {
        let now = Utc::now();
        let issued = PersonalAccessToken::issue(&user(), "ci", now, Some(now)).unwrap();
        let presented = PresentedToken::parse(&issued.plaintext).unwrap();
        assert!(!issued.record.accepts(&presented, now), "expired at now");
        let mut record = issued.record.clone();
        record.expires_at = None;
        record.revoked_at = Some(now);
        assert!(!record.accepts(&presented, now));
    }

    #[test]
    fn another_tokens_secret_is_refused() {
        let a = PersonalAccessToken::issue(&user(), "a", Utc::now(), None).unwrap();
        let b = PersonalAccessToken::issue(&user(), "b", Utc::now(), None).unwrap();
        let forged = format!(
            "{PAT_PREFIX}{}_{}",
            a.record.id,
            b.plaintext.rsplit('_').next().unwrap()
        );
        let presented = PresentedToken::parse(&forged).unwrap();
        assert!(!a.record.accepts(&presented, Utc::now()));
    }

    #[test]
    fn hash_round_trips_through_hex() {
        let hash = SecretHash::of("s3cret");
        assert_eq!(SecretHash::from_hex(&hash.to_hex()).unwrap(), hash);
        assert!(SecretHash::from_hex("zz").is_err());
    }

    proptest! {
        #[test]
        fn parsing_never_panics(text in ".{0,120}") {
            let _ = PresentedToken::parse(&text);
        }

        #[test]
        fn only_well_formed_tokens_parse(id in "[0-9a-f]{16}", secret in "[0-9a-f]{64}", junk in "[^0-9a-f\\s]") {
            let good = format!("rlp_{id}_{secret}");
            prop_assert!(PresentedToken::parse(&good).is_ok());
            let bad = format!("rlp_{id}_{secret}{junk}");
            prop_assert!(PresentedToken::parse(&bad).is_err());
        }
    }
}
