use relais_access::{
    Company, CompanyId, MarketplaceRight, PersonalAccessToken, SecretHash, TokenId, User, UserId,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqliteStore, backend, conflict_or_backend, parse_timestamp, parse_uuid, timestamp};
pub(super) use crate::layout::USER_COLUMNS;
use crate::{AccessStore, StoreError};

impl AccessStore for SqliteStore {
    fn create_company(
        &self,
        company: &Company,
        admin: &User,
        token: &PersonalAccessToken,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        tx.execute(
            "INSERT INTO companies (id, name, slug, created_at, tenant)
             VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(tenant), 0) + 1 FROM companies))",
            params![
                company.id.0.to_string(),
                company.name,
                company.slug,
                timestamp(company.created_at)
            ],
        )
        .map_err(|e| {
            conflict_or_backend(e, || {
                format!("a company with the handle '{}'", company.slug)
            })
        })?;
        insert_user(&tx, admin)?;
        insert_token(&tx, token)?;
        tx.commit().map_err(backend)
    }

    fn companies(&self) -> Result<Vec<Company>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT id, name, slug, created_at FROM companies ORDER BY id")
            .map_err(backend)?;
        let rows = statement.query_map([], company_row).map_err(backend)?;
        rows.map(|row| row.map_err(backend)?).collect()
    }

    fn company(&self, id_or_slug: &str) -> Result<Option<Company>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT id, name, slug, created_at FROM companies WHERE id = ?1 OR slug = ?1",
            [id_or_slug.trim().to_lowercase()],
            company_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        insert_user(&*self.conn()?, user)
    }

    fn users(&self, company: CompanyId) -> Result<Vec<User>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE company_id = ?1 ORDER BY email"
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map([company.0.to_string()], user_row)
            .map_err(backend)?;
        rows.map(|row| row.map_err(backend)?).collect()
    }

    fn user(&self, company: CompanyId, id: UserId) -> Result<Option<User>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE company_id = ?1 AND id = ?2"),
            [company.0.to_string(), id.0.to_string()],
            user_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn user_by_email(&self, company: CompanyId, email: &str) -> Result<Option<User>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE company_id = ?1 AND email = ?2"),
            [company.0.to_string(), email.to_owned()],
            user_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn set_marketplace_right(
        &self,
        company: CompanyId,
        id: UserId,
        right: MarketplaceRight,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let changed = tx
            .execute(
                "UPDATE users SET marketplace_right = ?3 WHERE company_id = ?1 AND id = ?2",
                params![company.0.to_string(), id.0.to_string(), right.as_str()],
            )
            .map_err(backend)?;
        if right == MarketplaceRight::None {
            // Without the right, the user's console sessions end.
            tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1",
                [id.0.to_string()],
            )
            .map_err(backend)?;
        }
        keep_an_editor(&tx, company)?;
        tx.commit().map_err(backend)?;
        Ok(changed == 1)
    }

    fn remove_user(&self, company: CompanyId, id: UserId) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let (company_id, user_id) = (company.0.to_string(), id.0.to_string());
        tx.execute(
            "DELETE FROM personal_access_tokens WHERE company_id = ?1 AND user_id = ?2",
            params![company_id, user_id],
        )
        .map_err(backend)?;
        let removed = tx
            .execute(
                "DELETE FROM users WHERE company_id = ?1 AND id = ?2",
                params![company_id, user_id],
            )
            .map_err(backend)?;
        keep_an_editor(&tx, company)?;
        tx.commit().map_err(backend)?;
        Ok(removed == 1)
    }

    fn user_tokens(
        &self,
        company: CompanyId,
        user: UserId,
    ) -> Result<Vec<PersonalAccessToken>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(
                "SELECT id, company_id, user_id, name, secret_hash, created_at, expires_at, revoked_at
                 FROM personal_access_tokens WHERE company_id = ?1 AND user_id = ?2
                 ORDER BY created_at DESC, id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map([company.0.to_string(), user.0.to_string()], token_row)
            .map_err(backend)?;
        rows.map(|row| row.map_err(backend)?).collect()
    }

    fn revoke_token(
        &self,
        company: CompanyId,
        id: &TokenId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        let changed = conn
            .execute(
                "UPDATE personal_access_tokens SET revoked_at = ?3
                 WHERE company_id = ?1 AND id = ?2 AND revoked_at IS NULL",
                params![company.0.to_string(), id.as_str(), timestamp(at)],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_token(&self, token: &PersonalAccessToken) -> Result<(), StoreError> {
        insert_token(&*self.conn()?, token)
    }

    fn token(&self, id: &TokenId) -> Result<Option<PersonalAccessToken>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT id, company_id, user_id, name, secret_hash, created_at, expires_at, revoked_at
             FROM personal_access_tokens WHERE id = ?1",
            [id.as_str()],
            token_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }
}

/// Refuses (by failing the caller's transaction) a change that leaves the
/// company without a user holding the *edit* right: nobody could configure
/// its integrations or give the right back.
fn keep_an_editor(conn: &Connection, company: CompanyId) -> Result<(), StoreError> {
    let editors: i64 = conn
        .query_row(
            "SELECT count(*) FROM users WHERE company_id = ?1 AND marketplace_right = 'edit'",
            [company.0.to_string()],
            |r| r.get(0),
        )
        .map_err(backend)?;
    if editors == 0 {
        return Err(StoreError::Refused(
            "this is the company's last user with the edit right; give another user the edit right first".into(),
        ));
    }
    Ok(())
}

fn insert_user(conn: &Connection, user: &User) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            user.id.0.to_string(),
            user.company_id.0.to_string(),
            user.email,
            user.name,
            user.marketplace_right.as_str(),
            timestamp(user.created_at)
        ],
    )
    .map_err(|e| conflict_or_backend(e, || format!("a user with the e-mail {}", user.email)))?;
    Ok(())
}

fn insert_token(conn: &Connection, token: &PersonalAccessToken) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO personal_access_tokens
             (id, company_id, user_id, name, secret_hash, created_at, expires_at, revoked_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            token.id.as_str(),
            token.company_id.0.to_string(),
            token.user_id.0.to_string(),
            token.name,
            token.secret_hash.to_hex(),
            timestamp(token.created_at),
            token.expires_at.map(timestamp),
            token.revoked_at.map(timestamp),
        ],
    )
    .map_err(|e| conflict_or_backend(e, || format!("token {}", token.id)))?;
    Ok(())
}

// Row readers return `Result<Result<T, StoreError>>`: the outer error is
// SQLite's, the inner one a stored value that no longer parses.

pub(super) fn company_row(row: &Row<'_>) -> rusqlite::Result<Result<Company, StoreError>> {
    let (id, name, slug, created_at): (String, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    Ok((|| {
        Ok(Company {
            id: CompanyId(parse_uuid("companies", &id)?),
            name,
            slug,
            created_at: parse_timestamp("companies", &created_at)?,
        })
    })())
}

pub(super) fn user_row(row: &Row<'_>) -> rusqlite::Result<Result<User, StoreError>> {
    let (id, company_id, email, name, right, created_at): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    );
    Ok((|| {
        Ok(User {
            id: UserId(parse_uuid("users", &id)?),
            company_id: CompanyId(parse_uuid("users", &company_id)?),
            email,
            name,
            marketplace_right: right.parse().map_err(|e: relais_access::AccessError| {
                StoreError::Corrupt {
                    table: "users",
                    reason: e.to_string(),
                }
            })?,
            created_at: parse_timestamp("users", &created_at)?,
        })
    })())
}

fn token_row(row: &Row<'_>) -> rusqlite::Result<Result<PersonalAccessToken, StoreError>> {
    let (id, company_id, user_id, name, hash, created_at): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    );
    let (expires_at, revoked_at): (Option<String>, Option<String>) = (row.get(6)?, row.get(7)?);
    const TABLE: &str = "personal_access_tokens";
    let corrupt = |e: relais_access::AccessError| StoreError::Corrupt {
        table: TABLE,
        reason: e.to_string(),
    };
    Ok((|| {
        Ok(PersonalAccessToken {
            id: TokenId::parse(&id).map_err(corrupt)?,
            company_id: CompanyId(parse_uuid(TABLE, &company_id)?),
            user_id: UserId(parse_uuid(TABLE, &user_id)?),
            name,
            secret_hash: SecretHash::from_hex(&hash).map_err(corrupt)?,
            created_at: parse_timestamp(TABLE, &created_at)?,
            expires_at: expires_at
                .map(|at| parse_timestamp(TABLE, &at))
                .transpose()?,
            revoked_at: revoked_at
                .map(|at| parse_timestamp(TABLE, &at))
                .transpose()?,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        (dir, store)
    }

    fn company(store: &SqliteStore, name: &str) -> (Company, User) {
        let now = Utc::now();
        let company = Company::new(name, now).unwrap();
        let admin = User::new(
            company.id,
            "admin@example.com",
            "Admin",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "init", now, None).unwrap();
        store
            .create_company(&company, &admin, &token.record)
            .unwrap();
        (company, admin)
    }

    #[test]
    fn users_are_scoped_by_company() {
        let (_dir, store) = store();
        let (a, admin_a) = company(&store, "Company A");
        let (b, _) = company(&store, "Company B");
        assert_eq!(store.users(a.id).unwrap(), vec![admin_a.clone()]);
        assert_eq!(
            store.user(b.id, admin_a.id).unwrap(),
            None,
            "B must not see A's user"
        );
        assert_eq!(
            store
                .user_by_email(b.id, "admin@example.com")
                .unwrap()
                .unwrap()
                .company_id,
            b.id
        );
        assert!(
            !store
                .set_marketplace_right(b.id, admin_a.id, MarketplaceRight::None)
                .unwrap()
        );
        assert_eq!(
            store
                .user(a.id, admin_a.id)
                .unwrap()
                .unwrap()
                .marketplace_right,
            MarketplaceRight::Edit
        );
    }

    #[test]
    fn duplicate_company_or_email_is_a_conflict_and_writes_nothing() {
        let (_dir, store) = store();
        let (a, admin) = company(&store, "Acme");
        let now = Utc::now();
        let again = Company::new("ACME", now).unwrap();
        let other_admin =
            User::new(again.id, "x@example.com", "X", MarketplaceRight::Edit, now).unwrap();
        let token = PersonalAccessToken::issue(&other_admin, "init", now, None).unwrap();
        let err = store
            .create_company(&again, &other_admin, &token.record)
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.companies().unwrap().len(), 1);
        assert_eq!(
            store.token(&token.record.id).unwrap(),
            None,
            "the transaction rolled back"
        );

        let twin = User::new(
            a.id,
            "ADMIN@example.com",
            "Twin",
            MarketplaceRight::View,
            now,
        )
        .unwrap();
        assert!(matches!(
            store.insert_user(&twin),
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.users(a.id).unwrap(), vec![admin]);
    }

    #[test]
    fn tokens_read_back_with_their_hash_only() {
        let (_dir, store) = store();
        let (_, admin) = company(&store, "Acme");
        let issued = PersonalAccessToken::issue(&admin, "laptop", Utc::now(), None).unwrap();
        store.insert_token(&issued.record).unwrap();
        let stored = store.token(&issued.record.id).unwrap().unwrap();
        assert_eq!(stored.secret_hash, issued.record.secret_hash);
        assert_eq!(stored.user_id, admin.id);
    }

    #[test]
    fn company_is_found_by_slug_or_id() {
        let (_dir, store) = store();
        let (a, _) = company(&store, "Acme GmbH");
        assert_eq!(store.company("acme-gmbh").unwrap().unwrap(), a);
        assert_eq!(store.company(&a.id.to_string()).unwrap().unwrap(), a);
        assert_eq!(store.company("nope").unwrap(), None);
    }
}
