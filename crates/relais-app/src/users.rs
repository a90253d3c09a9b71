//! People and their personal access tokens, as the admin API manages them:
//! who holds the "Marketplace integrations & API" right, tokens that expire
//! (90 days unless said otherwise), can be listed and revoked, and users
//! that can be removed (their tokens go with them).

use chrono::{DateTime, Duration, Utc};
use relais_access::{Company, MarketplaceRight, PersonalAccessToken, TokenId, User};
use serde::Serialize;

use crate::{App, AppError, Caller, ErrorKind};

/// How long a personal access token lives when its owner says nothing.
pub const DEFAULT_TOKEN_DAYS: u32 = 90;

/// The longest a personal access token may live.
pub const MAX_TOKEN_DAYS: u32 = 365;

/// A personal access token as its owner and their admins see it: never
/// its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenView {
    /// The public id (the part after `rlp_` and before the second `_`).
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Whose.
    pub user_email: String,
    /// Issued.
    pub created_at: DateTime<Utc>,
    /// Stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it still works.
    pub active: bool,
}

impl TokenView {
    fn of(token: &PersonalAccessToken, user: &User, now: DateTime<Utc>) -> Self {
        Self {
            id: token.id.to_string(),
            name: token.name.clone(),
            user_email: user.email.clone(),
            created_at: token.created_at,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
            active: token.revoked_at.is_none() && token.expires_at.is_none_or(|e| now < e),
        }
    }
}

/// A token just issued: its text, shown this once, and its view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedTokenView {
    /// The full token (`rlp_…`); only its hash is kept.
    pub token: String,
    /// The token's facts.
    #[serde(flatten)]
    pub view: TokenView,
}

/// When a token issued now for `valid_days` (default 90, 1 to 365) expires.
fn expiry(now: DateTime<Utc>, valid_days: Option<u32>) -> Result<DateTime<Utc>, AppError> {
    let days = valid_days.unwrap_or(DEFAULT_TOKEN_DAYS);
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(AppError::invalid(format!(
            "days: a token is valid for 1 to {MAX_TOKEN_DAYS} days, got {days}"
        )));
    }
    Ok(now + Duration::days(i64::from(days)))
}

impl App {
    /// Issues a personal access token for `user`, valid for `valid_days`
    /// (default 90, at most 365). The returned text is the only copy.
    pub(crate) fn issue_token_for(
        &self,
        user: &User,
        name: &str,
        valid_days: Option<u32>,
    ) -> Result<IssuedTokenView, AppError> {
        let now = Utc::now();
        let issued = PersonalAccessToken::issue(user, name, now, Some(expiry(now, valid_days)?))?;
        self.store.insert_token(&issued.record)?;
        Ok(IssuedTokenView {
            token: issued.plaintext,
            view: TokenView::of(&issued.record, user, now),
        })
    }

    /// The company's users (*view* right).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *view*.
    pub fn company_users(&self, by: Caller<'_>, company: &Company) -> Result<Vec<User>, AppError> {
        by.may_browse(company)?;
        Ok(self.store.users(company.id)?)
    }

    /// Adds a user (*edit* right).
    ///
    /// # Errors
    /// [`ErrorKind::Forbidden`] below *edit*, [`ErrorKind::Invalid`] for a
    /// bad e-mail or name, [`ErrorKind::Conflict`] for a taken e-mail.
    pub fn add_company_user(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: &str,
        name: &str,
        right: MarketplaceRight,
    ) -> Result<User, AppError> {
        by.may_configure(company)?;
        let user = User::new(company.id, email, name, right, Utc::now())?;
        self.store.insert_user(&user)?;
        tracing::info!(company = %company.slug, by = %by.name(), "user added");
        Ok(user)
    }

    /// Changes a user's right (*edit* right). The company's last user with
    /// the *edit* right keeps it. The change takes effect at the user's
    /// next request.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Forbidden`] below *edit*,
    /// [`ErrorKind::Conflict`] for the last user with the *edit* right.
    pub fn change_right(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: &str,
        right: MarketplaceRight,
    ) -> Result<User, AppError> {
        by.may_configure(company)?;
        let mut user = self.user(company, email)?;
        if !self
            .store
            .set_marketplace_right(company.id, user.id, right)?
        {
            return Err(AppError::not_found(format!("user {email}")));
        }
        user.marketplace_right = right;
        tracing::info!(company = %company.slug, by = %by.name(), right = right.as_str(), "user's right changed");
        Ok(user)
    }

    /// Removes a user and their tokens (*edit* right); they can no longer
    /// sign in or call the API. The company's last user with the *edit*
    /// right is not removed.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Forbidden`] below *edit*,
    /// [`ErrorKind::Conflict`] for the last user with the *edit* right.
    pub fn remove_user(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: &str,
    ) -> Result<User, AppError> {
        by.may_configure(company)?;
        let user = self.user(company, email)?;
        if !self.store.remove_user(company.id, user.id)? {
            return Err(AppError::not_found(format!("user {email}")));
        }
        tracing::info!(company = %company.slug, by = %by.name(), "user removed");
        Ok(user)
    }

    /// Personal access tokens: the caller's own (`email` `None`), or —
    /// with the *edit* right, or as the operator — another user's.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`], [`ErrorKind::Forbidden`].
    pub fn tokens(
        &self,
        by: Caller<'_>,
        company: &Company,
        email: Option<&str>,
    ) -> Result<Vec<TokenView>, AppError> {
        let user = match (by, email) {
            (Caller::User(actor), None) => actor.user.clone(),
            (Caller::User(actor), Some(email))
                if relais_access::normalize_email(email)? == actor.user.email =>
            {
                actor.user.clone()
            }
            (_, Some(email)) => {
                by.may_configure(company)?;
                self.user(company, email)?
            }
            (Caller::Operator, None) => {
                return Err(AppError::invalid("say whose tokens to list".into()));
            }
        };
        let now = Utc::now();
        Ok(self
            .store
            .user_tokens(company.id, user.id)?
            .iter()
            .map(|t| TokenView::of(t, &user, now))
            .collect())
    }

    /// Issues a token for the signed-in user themselves.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a bad name or lifetime.
    pub fn issue_own_token(
        &self,
        actor: &crate::Actor,
        name: &str,
        valid_days: Option<u32>,
    ) -> Result<IssuedTokenView, AppError> {
        self.issue_token_for(&actor.user, name, valid_days)
    }

    /// Revokes a personal access token: one's own, or — with the *edit*
    /// right, or as the operator — any of the company's. It stops working
    /// at once.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (also for another company's token),
    /// [`ErrorKind::Forbidden`], [`ErrorKind::Conflict`] when revoked already.
    pub fn revoke_token(
        &self,
        by: Caller<'_>,
        company: &Company,
        id: &str,
    ) -> Result<TokenView, AppError> {
        let missing = || AppError::not_found(format!("token {id}"));
        let token_id = TokenId::parse(id.trim()).map_err(|_| missing())?;
        let token = self
            .store
            .token(&token_id)?
            .filter(|t| t.company_id == company.id)
            .ok_or_else(missing)?;
        let own = matches!(by, Caller::User(actor) if actor.user.id == token.user_id);
        if !own {
            by.may_configure(company)?;
        }
        let now = Utc::now();
        if !self.store.revoke_token(company.id, &token_id, now)? {
            return Err(AppError::new(
                ErrorKind::Conflict,
                format!("token {id} is revoked already"),
            ));
        }
        let user = self
            .store
            .user(company.id, token.user_id)?
            .ok_or_else(missing)?;
        let revoked = PersonalAccessToken {
            revoked_at: Some(now),
            ..token
        };
        tracing::info!(company = %company.slug, by = %by.name(), "token revoked");
        Ok(TokenView::of(&revoked, &user, now))
    }
}
