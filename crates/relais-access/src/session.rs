//! Sign-in for people: passwords (argon2id), console sessions and
//! invitations to set a password.
//!
//! A session is a random 256-bit value in an HttpOnly cookie; only its
//! SHA-256 hash is stored, so a copy of the database opens no session. A
//! session ends after [`SESSION_IDLE`] without a request, after
//! [`SESSION_ABSOLUTE`] whatever happens, on sign-out, and when its user is
//! removed or loses the right. The CSRF token of a session's forms is
//! derived from the session's secret, so it needs no storage and a page of
//! one session is worthless in another.
//!
//! An invitation is a one-time link (same shape: random value, hash kept)
//! that lets a user set their password; it expires after [`INVITE_LIFETIME`].

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, SaltString};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::{AccessError, CompanyId, SecretHash, User, UserId};

/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::hours(1);

/// A session ends this long after sign-in, however busy.
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);

/// An invitation link works this long.
pub const INVITE_LIFETIME: Duration = Duration::days(7);

/// The shortest password accepted (NIST SP 800-63B: at least 8; we ask 12).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest password accepted (hashing cost grows with it).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password's argon2id hash in PHC string form (salt and parameters
/// included).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl PasswordHash {
    /// Hashes a new password with argon2id (a fresh random salt, the
    /// library's recommended parameters), after checking its length.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] for a password too short or too long,
    /// [`AccessError::Randomness`].
    pub fn new(password: &str) -> Result<Self, AccessError> {
        let length = password.chars().count();
        if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
            return Err(AccessError::Invalid {
                field: "password",
                reason: format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
            });
        }
        let mut salt = [0_u8; 16];
        getrandom::fill(&mut salt).map_err(|e| AccessError::Randomness(e.to_string()))?;
        let salt =
            SaltString::encode_b64(&salt).map_err(|e| AccessError::Randomness(e.to_string()))?;
        let hash = argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| AccessError::Randomness(e.to_string()))?;
        Ok(Self(hash.to_string()))
    }

    /// Reads a stored hash back.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] when it is not a PHC string.
    pub fn from_stored(text: &str) -> Result<Self, AccessError> {
        argon2::password_hash::PasswordHash::new(text).map_err(|e| AccessError::Invalid {
            field: "password hash",
            reason: e.to_string(),
        })?;
        Ok(Self(text.to_owned()))
    }

    /// The PHC string, for storage.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `password` is the one hashed (argon2's comparison is constant-time).
    #[must_use]
    pub fn verify(&self, password: &str) -> bool {
        argon2::password_hash::PasswordHash::new(&self.0).is_ok_and(|hash| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
    }

    /// Spends the time of one verification without a real hash, so that a
    /// sign-in for an unknown e-mail takes as long as one with a wrong
    /// password (and does not tell which e-mails exist).
    pub fn verify_nothing(password: &str) {
        static DUMMY: std::sync::OnceLock<Option<PasswordHash>> = std::sync::OnceLock::new();
        if let Some(dummy) = DUMMY.get_or_init(|| Self::new("not a password of anyone").ok()) {
            let _ = dummy.verify(password);
        }
    }
}

/// A session as stored: its hash, whose it is, and its times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session secret (the cookie's value).
    pub id_hash: SecretHash,
    /// Whose.
    pub user_id: UserId,
    /// Their company.
    pub company_id: CompanyId,
    /// Signed in.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
}

/// A session just opened: the record and the cookie value (shown to the
/// browser once; only its hash is kept).
#[derive(Clone)]
pub struct OpenedSession {
    /// What to store.
    pub record: Session,
    /// The cookie's value.
    pub secret: String,
}

impl std::fmt::Debug for OpenedSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedSession")
            .field("record", &self.record)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl Session {
    /// Opens a session for `user`.
    ///
    /// # Errors
    /// [`AccessError::Randomness`].
    pub fn open(user: &User, now: DateTime<Utc>) -> Result<OpenedSession, AccessError> {
        let secret = crate::secret::random_secret()?;
        Ok(OpenedSession {
            record: Self {
                id_hash: SecretHash::of(&secret),
                user_id: user.id,
                company_id: user.company_id,
                created_at: now,
                last_seen_at: now,
            },
            secret,
        })
    }

    /// Whether the session still works at `now` (neither idle nor too old).
    #[must_use]
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now - self.last_seen_at < SESSION_IDLE && now - self.created_at < SESSION_ABSOLUTE
    }

    /// Whether the cookie value `secret` looks like one Relais hands out
    /// (64 lower-case hex digits): anything else is not looked up.
    #[must_use]
    pub fn is_well_formed(secret: &str) -> bool {
        secret.len() == 64
            && secret
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// The CSRF token of the session whose cookie value is `secret`.
    #[must_use]
    pub fn csrf_token(secret: &str) -> String {
        let digest = Sha256::new()
            .chain_update(b"relais csrf v1:")
            .chain_update(secret.as_bytes())
            .finalize();
        crate::hex::encode(&digest)
    }

    /// Whether `token` is the CSRF token of the session `secret` (constant time).
    #[must_use]
    pub fn csrf_matches(secret: &str, token: &str) -> bool {
        use subtle::ConstantTimeEq as _;
        let expected = Self::csrf_token(secret);
        expected.len() == token.len() && bool::from(expected.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// An invitation to set a password, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// SHA-256 of the link's secret.
    pub id_hash: SecretHash,
    /// Who is invited.
    pub user_id: UserId,
    /// Their company.
    pub company_id: CompanyId,
    /// Who invited them (an e-mail, or "operator").
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Until when the link works.
    pub expires_at: DateTime<Utc>,
}

/// An invitation just made: the record and the link's secret.
#[derive(Clone)]
pub struct IssuedInvite {
    /// What to store.
    pub record: Invite,
    /// The secret that goes into the link.
    pub secret: String,
}

impl std::fmt::Debug for IssuedInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedInvite")
            .field("record", &self.record)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl Invite {
    /// Invites `user`.
    ///
    /// # Errors
    /// [`AccessError::Randomness`].
    pub fn issue(user: &User, by: &str, now: DateTime<Utc>) -> Result<IssuedInvite, AccessError> {
        let secret = crate::secret::random_secret()?;
        Ok(IssuedInvite {
            record: Self {
                id_hash: SecretHash::of(&secret),
                user_id: user.id,
                company_id: user.company_id,
                created_by: by.to_owned(),
                created_at: now,
                expires_at: now + INVITE_LIFETIME,
            },
            secret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Company, MarketplaceRight};

    fn user() -> User {
        let company = Company::new("Acme", Utc::now()).unwrap();
        User::new(
            company.id,
            "ana@acme.example",
            "Ana",
            MarketplaceRight::Edit,
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn a_password_verifies_and_another_does_not() {
        let hash = PasswordHash::new("correct horse battery").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse battery "));
        let stored = PasswordHash::from_stored(hash.as_str()).unwrap();
        assert!(stored.verify("correct horse battery"));
        assert!(PasswordHash::new("short").is_err());
        assert!(PasswordHash::new(&"x".repeat(257)).is_err());
        assert!(PasswordHash::from_stored("plain text").is_err());
    }

    #[test]
    fn a_session_ends_when_idle_or_old() {
        let now = Utc::now();
        let opened = Session::open(&user(), now).unwrap();
        assert!(Session::is_well_formed(&opened.secret));
        assert_eq!(opened.record.id_hash, SecretHash::of(&opened.secret));
        let mut session = opened.record;
        assert!(session.is_live(now + Duration::minutes(59)));
        assert!(!session.is_live(now + Duration::minutes(61)), "idle");
        session.last_seen_at = now + Duration::hours(11);
        assert!(session.is_live(now + Duration::hours(11) + Duration::minutes(30)));
        assert!(!session.is_live(now + Duration::hours(12)), "absolute");
    }

    #[test]
    fn a_csrf_token_belongs_to_its_session() {
        let (a, b) = (
            Session::open(&user(), Utc::now()).unwrap().secret,
            Session::open(&user(), Utc::now()).unwrap().secret,
        );
        let token = Session::csrf_token(&a);
        assert!(Session::csrf_matches(&a, &token));
        assert!(!Session::csrf_matches(&b, &token));
        assert!(!Session::csrf_matches(&a, ""));
        assert!(!Session::csrf_matches(&a, &token[..10]));
    }
}
