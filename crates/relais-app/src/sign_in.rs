//! Sign-in for people (the web console): e-mail and password, sessions,
//! invitations to set a password. Personal access tokens stay the way in
//! for scripts and the admin API.

use chrono::Utc;
use relais_access::{
    Company, IssuedInvite, OpenedSession, PasswordHash, SecretHash, Session, User, normalize_email,
};

use crate::{Actor, App, AppError, Caller, ErrorKind};

/// How long a session may go without its last-seen time being written
/// again: a page view is not a database write each time.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Why a sign-in was refused, in one message for every case (unknown
/// e-mail, no password yet, wrong password), so as not to tell which.
fn refused() -> AppError {
    AppError::new(
        ErrorKind::Unauthenticated,
        "the e-mail or the password is not right".into(),
    )
}

impl App {
    /// Signs a person in with their e-mail and password. When the e-mail
    /// belongs to users of several companies, `company` (id or handle)
    /// says which.
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`] with one message for every refusal;
    /// [`ErrorKind::Invalid`] when the password fits several companies and
    /// none was chosen; [`ErrorKind::Forbidden`] for the right password of a
    /// user without the "Marketplace integrations & API" right.
    pub fn sign_in(
        &self,
        email: &str,
        password: &str,
        company: Option<&str>,
    ) -> Result<(Actor, OpenedSession), AppError> {
        let Ok(email) = normalize_email(email) else {
            PasswordHash::verify_nothing(password);
            return Err(refused());
        };
        if password.chars().count() > relais_access::MAX_PASSWORD_CHARS {
            return Err(refused());
        }
        let wanted = match company.map(str::trim).filter(|c| !c.is_empty()) {
            Some(key) => match self.store.company(key)? {
                Some(found) => Some(found.id),
                None => {
                    // As long as a wrong password: the answer's time does
                    // not tell which companies exist.
                    PasswordHash::verify_nothing(password);
                    return Err(refused());
                }
            },
            None => None,
        };
        let candidates: Vec<(User, PasswordHash)> = self
            .store
            .users_by_email(&email)?
            .into_iter()
            .filter(|(u, _)| wanted.is_none_or(|c| u.company_id == c))
            .filter_map(|(u, hash)| hash.map(|h| (u, h)))
            .collect();
        if candidates.is_empty() {
            PasswordHash::verify_nothing(password);
            return Err(refused());
        }
        let mut matching: Vec<User> = candidates
            .into_iter()
            .filter(|(_, hash)| hash.verify(password))
            .map(|(u, _)| u)
            .collect();
        let user = match matching.len() {
            0 => return Err(refused()),
            1 => matching.remove(0),
            _ => {
                return Err(AppError::invalid(
                    "company: this e-mail signs in to several companies; say which one".into(),
                ));
            }
        };
        // The console is the Marketplace and API settings: without the
        // right there is nothing to show. The password was right, so the
        // person learns why rather than "wrong password".
        if user.marketplace_right == relais_access::MarketplaceRight::None {
            return Err(AppError::new(
                ErrorKind::Forbidden,
                "this account has no right on Marketplace integrations & API; an admin of the company can give it".into(),
            ));
        }
        let company = self
            .store
            .company(&user.company_id.to_string())?
            .ok_or_else(refused)?;
        let opened = Session::open(&user, Utc::now())?;
        self.store.insert_session(&opened.record)?;
        tracing::info!(company = %company.slug, "signed in to the console");
        Ok((Actor { user, company }, opened))
    }

    /// The person behind a session cookie. A session that is unknown, idle
    /// for an hour, older than twelve hours, or whose user is gone, is
    /// refused (and ended).
    ///
    /// # Errors
    /// [`ErrorKind::Unauthenticated`].
    pub fn session_actor(&self, secret: &str) -> Result<Actor, AppError> {
        let expired = || AppError::unauthenticated("the session has ended; sign in again".into());
        if !Session::is_well_formed(secret) {
            return Err(expired());
        }
        let hash = SecretHash::of(secret);
        let session = self.store.session(&hash)?.ok_or_else(expired)?;
        let now = Utc::now();
        if !session.is_live(now) {
            self.store.delete_session(&hash)?;
            return Err(expired());
        }
        let user = self
            .store
            .user(session.company_id, session.user_id)?
            .ok_or_else(expired)?;
        if user.marketplace_right == relais_access::MarketplaceRight::None {
            // Losing the right deletes sessions; this guards any other way
            // a session could outlive it.
            self.store.delete_session(&hash)?;
            return Err(expired());
        }
        let company = self
            .store
            .company(&session.company_id.to_string())?
            .ok_or_else(expired)?;
        if now - session.last_seen_at > TOUCH_EVERY {
            self.store.touch_session(&hash, now)?;
        }
        Ok(Actor { user, company })
    }

    /// Ends a session (signing out). Unknown sessions are ignored.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub fn sign_out(&self, secret: &str) -> Result<(), AppError> {
        if Session::is_well_formed(secret) {
            self.store.delete_session(&SecretHash::of(secret))?;
        }
        Ok(())
    }

    /// A random password of 20 letters and digits in groups of five
    /// (about 100 bits), easy to type from a terminal.
    ///
    /// # Errors
    /// [`ErrorKind::Internal`] when the system has no randomness.
    pub fn generate_password() -> Result<String, AppError> {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
        let mut bytes = [0_u8; 20];
        getrandom::fill(&mut bytes)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let letters: Vec<char> = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        Ok(letters
            .chunks(5)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-"))
    }

    /// Sets a user's password directly, as the operator (the demo admin's,
    /// say); their sessions end.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Invalid`] for a password too
    /// short or too long.
    pub fn set_password(
        &self,
        company: &Company,
        email: &str,
        password: &str,
    ) -> Result<(), AppError> {
        let user = self.user(company, email)?;
        let hash = PasswordHash::new(password)?;
        if !self.store.set_password(company.id, user.id, &hash)? {
            return Err(AppError::not_found(format!("user {email}")));
        }
        Ok(())
    }

    /// Makes a one-time link for a user of the company to set their
    /// password (valid seven days; a new one replaces the old). The user is
    /// added first when they do not exist and `new_user` says with which
    /// name and right.
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *edit*, [`ErrorKind::NotFound`] for an
    /// unknown user without `new_user`.
    pub fn invite(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: &str,
        new_user: Option<(&str, relais_access::MarketplaceRight)>,
    ) -> Result<(User, IssuedInvite), AppError> {
        by.may_configure(company)?;
        let user = match (self.user(company, email), new_user) {
            (Ok(user), _) => user,
            (Err(e), Some((name, right))) if e.kind() == ErrorKind::NotFound => {
                self.add_company_user(by, company, email, name, right)?
            }
            (Err(e), _) => return Err(e),
        };
        let issued = relais_access::Invite::issue(&user, &by.name(), Utc::now())?;
        self.store.insert_invite(&issued.record)?;
        tracing::info!(company = %company.slug, by = %by.name(), "invitation made");
        Ok((user, issued))
    }

    /// The user a live invitation link is for, with their company.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a link that is unknown, used or expired.
    pub fn invitation(&self, secret: &str) -> Result<(User, Company), AppError> {
        let gone = || {
            AppError::not_found(
                "invitation: the link is unknown, used or expired; ask an admin for a new one"
                    .into(),
            )
        };
        if !Session::is_well_formed(secret) {
            return Err(gone());
        }
        let invite = self
            .store
            .invite(&SecretHash::of(secret), Utc::now())?
            .ok_or_else(gone)?;
        let user = self
            .store
            .user(invite.company_id, invite.user_id)?
            .ok_or_else(gone)?;
        let company = self
            .store
            .company(&invite.company_id.to_string())?
            .ok_or_else(gone)?;
        Ok((user, company))
    }

    /// Uses an invitation: sets the password and signs the person in (no
    /// session for a user whose right is *none*). A link works once.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a password too short or too long,
    /// [`ErrorKind::NotFound`] for a link that is unknown, used or expired.
    pub fn accept_invitation(
        &self,
        secret: &str,
        password: &str,
    ) -> Result<(Actor, Option<OpenedSession>), AppError> {
        let gone = || {
            AppError::not_found(
                "invitation: the link is unknown, used or expired; ask an admin for a new one"
                    .into(),
            )
        };
        if !Session::is_well_formed(secret) {
            return Err(gone());
        }
        let hash = PasswordHash::new(password)?;
        let user = self
            .store
            .accept_invite(&SecretHash::of(secret), &hash, Utc::now())?
            .ok_or_else(gone)?;
        let company = self
            .store
            .company(&user.company_id.to_string())?
            .ok_or_else(gone)?;
        // The password is set either way; a session only for someone who
        // may see the console.
        let opened = if user.marketplace_right == relais_access::MarketplaceRight::None {
            None
        } else {
            let opened = Session::open(&user, Utc::now())?;
            self.store.insert_session(&opened.record)?;
            Some(opened)
        };
        Ok((Actor { user, company }, opened))
    }
}
