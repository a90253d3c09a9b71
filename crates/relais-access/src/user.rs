use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AccessError, CompanyId};

/// The identifier of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct UserId(pub Uuid);

impl UserId {
    /// A new identifier that sorts by creation time (UUID v7).
    #[must_use]
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for UserId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The level of a user's right "Marketplace integrations & API".
///
/// Levels are ordered: `None < View < Edit`, and a level includes every lower one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarketplaceRight {
    /// No access to the Marketplace or to API settings.
    #[default]
    None,
    /// May browse the Marketplace and see connected integrations, change nothing.
    View,
    /// May use the Marketplace fully: connect and configure integrations, manage API credentials.
    Edit,
}

impl MarketplaceRight {
    /// Every level, lowest first.
    pub const ALL: [Self; 3] = [Self::None, Self::View, Self::Edit];

    /// The level's wire and CLI name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::View => "view",
            Self::Edit => "edit",
        }
    }

    /// Whether this level may look at the company's Marketplace pages.
    #[must_use]
    pub fn can_browse(self) -> bool {
        self >= Self::View
    }

    /// Whether this level may connect, configure and disconnect integrations
    /// and manage API credentials.
    #[must_use]
    pub fn can_configure(self) -> bool {
        self >= Self::Edit
    }
}

impl std::fmt::Display for MarketplaceRight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MarketplaceRight {
    type Err = AccessError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| AccessError::Invalid {
                field: "right",
                reason: format!("'{s}' is not one of none, view, edit"),
            })
    }
}

/// A person of a company who may sign in to the admin side of Relais.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Stable identifier.
    pub id: UserId,
    /// The company the user belongs to.
    pub company_id: CompanyId,
    /// Work e-mail, lower-cased; unique within the company.
    pub email: String,
    /// Display name.
    pub name: String,
    /// The user's level on "Marketplace integrations & API".
    pub marketplace_right: MarketplaceRight,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Makes a new user, checking e-mail and name.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] naming the field that is wrong.
    pub fn new(
        company_id: CompanyId,
        email: &str,
        name: &str,
        marketplace_right: MarketplaceRight,
        now: DateTime<Utc>,
    ) -> Result<Self, AccessError> {
        let email = normalize_email(email)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(AccessError::Invalid {
                field: "name",
                reason: "must not be empty".into(),
            });
        }
        if name.chars().count() > crate::limits::NAME {
            return Err(AccessError::Invalid {
                field: "name",
                reason: "must be at most 200 characters".into(),
            });
        }
        Ok(Self {
            id: UserId::new(),
            company_id,
            email,
            name: name.to_owned(),
            marketplace_right,
            created_at: now,
        })
    }

    /// Succeeds when the user's right is at least `needed`.
    ///
    /// # Errors
    /// [`AccessError::Forbidden`] naming both levels.
    pub fn require(&self, needed: MarketplaceRight) -> Result<(), AccessError> {
        if self.marketplace_right >= needed {
            Ok(())
        } else {
            Err(AccessError::Forbidden {
                needed,
                actual: self.marketplace_right,
            })
        }
    }
}

/// Trims and lower-cases an e-mail address after checking its rough shape.
///
/// Deliberately loose (one `@`, something on both sides, a dot in the domain,
/// no white space): the only reliable check of an address is a mail to it.
///
/// # Errors
/// [`AccessError::Invalid`] for the field `email`.
pub fn normalize_email(email: &str) -> Result<String, AccessError> {
    let email = email.trim();
    let invalid = |reason: &str| AccessError::Invalid {
        field: "email",
        reason: format!("'{email}' {reason}"),
    };
    if email.len() > 254 {
        return Err(invalid("is longer than 254 characters"));
    }
    if email.chars().any(char::is_whitespace) {
        return Err(invalid("contains white space"));
    }
    let Some((local, domain)) = email.split_once('@') else {
        return Err(invalid("has no '@'"));
    };
    if local.is_empty() || domain.contains('@') {
        return Err(invalid("is not of the form name@domain"));
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(invalid("has no valid domain"));
    }
    Ok(email.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_are_ordered_and_inclusive() {
        assert!(!MarketplaceRight::None.can_browse());
        assert!(MarketplaceRight::View.can_browse());
        assert!(!MarketplaceRight::View.can_configure());
        assert!(MarketplaceRight::Edit.can_browse());
        assert!(MarketplaceRight::Edit.can_configure());
    }

    #[test]
    fn view_user_is_refused_an_edit_action_with_both_levels_named() {
        let user = User::new(
            CompanyId::new(),
            "ana@example.com",
            "Ana",
            MarketplaceRight::View,
            Utc::now(),
        )
        .unwrap();
        assert!(user.require(MarketplaceRight::View).is_ok());
        let err = user.require(MarketplaceRight::Edit).unwrap_err();
        assert_eq!(
            err.to_string(),
            "this needs the right \"Marketplace integrations & API\" at level edit, but the user has view"
        );
    }

    #[test]
    fn rights_parse_case_insensitively_and_reject_others() {
        assert_eq!(
            "EDIT".parse::<MarketplaceRight>().unwrap(),
            MarketplaceRight::Edit
        );
        assert!("admin".parse::<MarketplaceRight>().is_err());
    }

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email(" Ana@Example.COM ").unwrap(),
            "ana@example.com"
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a na@example.com",
            "a@b@c.d",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad} should be refused");
        }
    }
}
