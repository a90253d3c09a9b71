use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AccessError;

/// The identifier of a company (a tenant). Every stored row belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CompanyId(pub Uuid);

impl CompanyId {
    /// A new identifier that sorts by creation time (UUID v7).
    #[must_use]
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for CompanyId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for CompanyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A customer of the HR platform: the tenant every other record belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Company {
    /// Stable identifier.
    pub id: CompanyId,
    /// Display name, e.g. "Acme GmbH".
    pub name: String,
    /// Short, URL- and shell-friendly handle derived from the name, e.g. `acme-gmbh`.
    /// Unique across the installation; the CLI's `--company` accepts it.
    pub slug: String,
    /// When the company was created.
    pub created_at: DateTime<Utc>,
}

impl Company {
    /// Makes a new company, checking its name and deriving its slug.
    ///
    /// # Errors
    /// [`AccessError::Invalid`] when the name is empty, too long, or has no
    /// letter or digit to build a slug from.
    pub fn new(name: &str, now: DateTime<Utc>) -> Result<Self, AccessError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if name.chars().count() > crate::limits::NAME {
            return Err(invalid("must be at most 200 characters"));
        }
        let slug = slugify(name);
        if slug.is_empty() {
            return Err(invalid("must contain at least one ASCII letter or digit"));
        }
        Ok(Self {
            id: CompanyId::new(),
            name: name.to_owned(),
            slug,
            created_at: now,
        })
    }
}

fn invalid(reason: &str) -> AccessError {
    AccessError::Invalid {
        field: "company name",
        reason: reason.to_owned(),
    }
}

/// Lower-case ASCII letters and digits, every other run of characters one `-`.
fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_is_derived_from_the_name() {
        let company = Company::new("  Acme GmbH & Co. KG ", Utc::now()).unwrap();
        assert_eq!(company.name, "Acme GmbH & Co. KG");
        assert_eq!(company.slug, "acme-gmbh-co-kg");
    }

    #[test]
    fn empty_or_symbol_only_names_are_refused() {
        assert!(Company::new("   ", Utc::now()).is_err());
        assert!(Company::new("???", Utc::now()).is_err());
    }
}
