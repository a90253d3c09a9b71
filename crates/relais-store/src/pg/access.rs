//! PostgreSQL: see `crate::sqlite::access` (the same queries in PostgreSQL's dialect).

use postgres::types::Type;
use postgres::{GenericClient, Row};
use relais_access::{
    Company, CompanyId, MarketplaceRight, PersonalAccessToken, SecretHash, TokenId, User, UserId,
};

use super::{
    PostgresStore, backend, conflict_or_backend, get, parse_timestamp, parse_uuid, timestamp,
};
pub(super) use crate::layout::USER_COLUMNS;
use crate::{AccessStore, StoreError};

const TOKEN_COLUMNS: &str =
    "id, company_id, user_id, name, secret_hash, created_at, expires_at, revoked_at";

impl AccessStore for PostgresStore {
    fn create_company(
        &self,
        company: &Company,
        admin: &User,
        token: &PersonalAccessToken,
    ) -> Result<(), StoreError> {
        let (id, at) = (company.id.0.to_string(), timestamp(company.created_at));
        self.write(|tx| {
            tx.execute(
                "INSERT INTO companies (id, name, slug, created_at, tenant)
                 VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(tenant), 0) + 1 FROM companies))",
                &[&id, &company.name, &company.slug, &at],
            )
            .map_err(|e| {
                conflict_or_backend(e, || {
                    format!("a company with the handle '{}'", company.slug)
                })
            })?;
            insert_user(tx, admin)?;
            insert_token(tx, token)
        })
    }

    fn companies(&self) -> Result<Vec<Company>, StoreError> {
        self.run(|client| {
            client
                .query(
                    "SELECT id, name, slug, created_at FROM companies ORDER BY id",
                    &[],
                )
                .map_err(backend)?
                .iter()
                .map(company_row)
                .collect()
        })
    }

    fn company(&self, id_or_slug: &str) -> Result<Option<Company>, StoreError> {
        let key = id_or_slug.trim().to_lowercase();
        self.run(|client| {
            client
                .query_opt(
                    "SELECT id, name, slug, created_at FROM companies WHERE id = $1 OR slug = $1",
                    &[&key],
                )
                .map_err(backend)?
                .as_ref()
                .map(company_row)
                .transpose()
        })
    }

    fn insert_user(&self, user: &User) -> Result<(), StoreError> {
        self.write(|tx| insert_user(tx, user))
    }

    fn users(&self, company: CompanyId) -> Result<Vec<User>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE company_id = $1 ORDER BY email"
                    ),
                    &[&company],
                )
                .map_err(backend)?
                .iter()
                .map(user_row)
                .collect()
        })
    }

    fn user(&self, company: CompanyId, id: UserId) -> Result<Option<User>, StoreError> {
        let (company, id) = (company.0.to_string(), id.0.to_string());
        self.run(|client| {
            client
                .query_opt(
                    &format!("SELECT {USER_COLUMNS} FROM users WHERE company_id = $1 AND id = $2"),
                    &[&company, &id],
                )
                .map_err(backend)?
                .as_ref()
                .map(user_row)
                .transpose()
        })
    }

    fn user_by_email(&self, company: CompanyId, email: &str) -> Result<Option<User>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query_opt(
                    &format!(
                        "SELECT {USER_COLUMNS} FROM users WHERE company_id = $1 AND email = $2"
                    ),
                    &[&company, &email],
                )
                .map_err(backend)?
                .as_ref()
                .map(user_row)
                .transpose()
        })
    }

    fn set_marketplace_right(
        &self,
        company: CompanyId,
        id: UserId,
        right: MarketplaceRight,
    ) -> Result<bool, StoreError> {
        let (company_id, user_id) = (company.0.to_string(), id.0.to_string());
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET marketplace_right = $3 WHERE company_id = $1 AND id = $2",
                    &[&company_id, &user_id, &right.as_str()],
                )
                .map_err(backend)?;
            if right == MarketplaceRight::None {
                // Without the right, the user's console sessions end.
                tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user_id])
                    .map_err(backend)?;
            }
            keep_an_editor(tx, &company_id)?;
            Ok(changed == 1)
        })
    }

    fn remove_user(&self, company: CompanyId, id: UserId) -> Result<bool, StoreError> {
        let (company_id, user_id) = (company.0.to_string(), id.0.to_string());
        self.write(|tx| {
            tx.execute(
                "DELETE FROM personal_access_tokens WHERE company_id = $1 AND user_id = $2",
                &[&company_id, &user_id],
            )
            .map_err(backend)?;
            let removed = tx
                .execute(
                    "DELETE FROM users WHERE company_id = $1 AND id = $2",
                    &[&company_id, &user_id],
                )
                .map_err(backend)?;
            keep_an_editor(tx, &company_id)?;
            Ok(removed == 1)
        })
    }

    fn user_tokens(
        &self,
        company: CompanyId,
        user: UserId,
    ) -> Result<Vec<PersonalAccessToken>, StoreError> {
        let (company, user) = (company.0.to_string(), user.0.to_string());
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {TOKEN_COLUMNS} FROM personal_access_tokens
                         WHERE company_id = $1 AND user_id = $2
                         ORDER BY created_at DESC, id"
                    ),
                    &[&company, &user],
                )
                .map_err(backend)?
                .iter()
                .map(token_row)
                .collect()
        })
    }

    fn revoke_token(
        &self,
        company: CompanyId,
        id: &TokenId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, StoreError> {
        let (company, at) = (company.0.to_string(), timestamp(at));
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE personal_access_tokens SET revoked_at = $3
                     WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL",
                    &[&company, &id.as_str(), &at],
                )
                .map_err(backend)?;
            Ok(changed == 1)
        })
    }

    fn insert_token(&self, token: &PersonalAccessToken) -> Result<(), StoreError> {
        self.write(|tx| insert_token(tx, token))
    }

    fn token(&self, id: &TokenId) -> Result<Option<PersonalAccessToken>, StoreError> {
        // Every admin-API request reads its token: one round trip, no
        // separate prepare.
        self.run(|client| {
            client
                .query_typed_opt(
                    &format!("SELECT {TOKEN_COLUMNS} FROM personal_access_tokens WHERE id = $1"),
                    &[(&id.as_str(), Type::TEXT)],
                )
                .map_err(backend)?
                .as_ref()
                .map(token_row)
                .transpose()
        })
    }
}

/// Refuses (by failing the caller's transaction) a change that leaves the
/// company without a user holding the *edit* right: nobody could configure
/// its integrations or give the right back.
fn keep_an_editor(conn: &mut impl GenericClient, company: &str) -> Result<(), StoreError> {
    let row = conn
        .query_one(
            "SELECT count(*) FROM users WHERE company_id = $1 AND marketplace_right = 'edit'",
            &[&company],
        )
        .map_err(backend)?;
    let editors: i64 = get("users", &row, 0)?;
    if editors == 0 {
        return Err(StoreError::Refused(
            "this is the company's last user with the edit right; give another user the edit right first".into(),
        ));
    }
    Ok(())
}

/// Inserts a user on `conn` (inside the caller's transaction, if any).
pub(super) fn insert_user(conn: &mut impl GenericClient, user: &User) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
        &[
            &user.id.0.to_string(),
            &user.company_id.0.to_string(),
            &user.email,
            &user.name,
            &user.marketplace_right.as_str(),
            &timestamp(user.created_at),
        ],
    )
    .map_err(|e| conflict_or_backend(e, || format!("a user with the e-mail {}", user.email)))?;
    Ok(())
}

/// Inserts a personal access token on `conn` (inside the caller's
/// transaction, if any).
pub(super) fn insert_token(
    conn: &mut impl GenericClient,
    token: &PersonalAccessToken,
) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO personal_access_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"),
        &[
            &token.id.as_str(),
            &token.company_id.0.to_string(),
            &token.user_id.0.to_string(),
            &token.name,
            &token.secret_hash.to_hex(),
            &timestamp(token.created_at),
            &token.expires_at.map(timestamp),
            &token.revoked_at.map(timestamp),
        ],
    )
    .map_err(|e| conflict_or_backend(e, || format!("token {}", token.id)))?;
    Ok(())
}

/// A row of `id, name, slug, created_at` from `companies`.
pub(super) fn company_row(row: &Row) -> Result<Company, StoreError> {
    const T: &str = "companies";
    let id: String = get(T, row, 0)?;
    let created_at: String = get(T, row, 3)?;
    Ok(Company {
        id: CompanyId(parse_uuid(T, &id)?),
        name: get(T, row, 1)?,
        slug: get(T, row, 2)?,
        created_at: parse_timestamp(T, &created_at)?,
    })
}

/// A row of [`USER_COLUMNS`] (further columns are ignored).
pub(super) fn user_row(row: &Row) -> Result<User, StoreError> {
    const T: &str = "users";
    let id: String = get(T, row, 0)?;
    let company_id: String = get(T, row, 1)?;
    let right: String = get(T, row, 4)?;
    let created_at: String = get(T, row, 5)?;
    Ok(User {
        id: UserId(parse_uuid(T, &id)?),
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        email: get(T, row, 2)?,
        name: get(T, row, 3)?,
        marketplace_right: right.parse().map_err(|e: relais_access::AccessError| {
            StoreError::Corrupt {
                table: T,
                reason: e.to_string(),
            }
        })?,
        created_at: parse_timestamp(T, &created_at)?,
    })
}

fn token_row(row: &Row) -> Result<PersonalAccessToken, StoreError> {
    const T: &str = "personal_access_tokens";
    let corrupt = |e: relais_access::AccessError| StoreError::Corrupt {
        table: T,
        reason: e.to_string(),
    };
    let id: String = get(T, row, 0)?;
    let company_id: String = get(T, row, 1)?;
    let user_id: String = get(T, row, 2)?;
    let hash: String = get(T, row, 4)?;
    let created_at: String = get(T, row, 5)?;
    let expires_at: Option<String> = get(T, row, 6)?;
    let revoked_at: Option<String> = get(T, row, 7)?;
    Ok(PersonalAccessToken {
        id: TokenId::parse(&id).map_err(corrupt)?,
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        user_id: UserId(parse_uuid(T, &user_id)?),
        name: get(T, row, 3)?,
        secret_hash: SecretHash::from_hex(&hash).map_err(corrupt)?,
        created_at: parse_timestamp(T, &created_at)?,
        expires_at: expires_at.map(|at| parse_timestamp(T, &at)).transpose()?,
        revoked_at: revoked_at.map(|at| parse_timestamp(T, &at)).transpose()?,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::SqliteStore;
    use crate::pg::tests::database;
    use crate::testing::TestDatabase;
    use chrono::{Duration, Utc};

    /// The same empty database on both backends (`None`: no PostgreSQL
    /// server, the test is skipped).
    pub(in crate::pg) struct Both {
        pub(in crate::pg) sqlite: SqliteStore,
        pub(in crate::pg) pg: PostgresStore,
        /// The SQLite file's directory (for raw statements in tests).
        pub(in crate::pg) dir: tempfile::TempDir,
        _db: TestDatabase,
    }

    pub(in crate::pg) fn both(test: &str) -> Option<Both> {
        let db = database(test)?;
        let dir = tempfile::tempdir().unwrap();
        Some(Both {
            sqlite: SqliteStore::open(&dir.path().join("relais.db")).unwrap(),
            pg: PostgresStore::open(db.as_str()).unwrap(),
            dir,
            _db: db,
        })
    }

    /// Pushes `expression => its Debug` onto a transcript, so that one
    /// scenario run on both backends can be compared line by line.
    macro_rules! note {
        ($log:ident, $e:expr) => {
            $log.push(format!("{} => {:?}", stringify!($e), $e))
        };
    }
    pub(in crate::pg) use note;

    /// Asserts two transcripts agree, line by line (for a readable failure).
    pub(in crate::pg) fn same(sqlite: &[String], pg: &[String]) {
        for (s, p) in sqlite.iter().zip(pg) {
            assert_eq!(s, p, "SQLite (left) and PostgreSQL (right) differ");
        }
        assert_eq!(sqlite.len(), pg.len());
    }

    /// A company with its first user (edit right) and that user's token.
    pub(in crate::pg) struct Seed {
        pub(in crate::pg) company: Company,
        pub(in crate::pg) admin: User,
        pub(in crate::pg) token: PersonalAccessToken,
    }

    pub(in crate::pg) fn seed(name: &str, email: &str) -> Seed {
        let now = Utc::now();
        let company = Company::new(name, now).unwrap();
        let admin = User::new(company.id, email, "Admin", MarketplaceRight::Edit, now).unwrap();
        let token = PersonalAccessToken::issue(&admin, "init", now, None)
            .unwrap()
            .record;
        Seed {
            company,
            admin,
            token,
        }
    }

    pub(in crate::pg) fn create(store: &impl AccessStore, seed: &Seed) {
        store
            .create_company(&seed.company, &seed.admin, &seed.token)
            .unwrap();
    }

    struct Fixture {
        a: Seed,
        b: Seed,
        a_again: Seed,
        viewer: User,
        twin: User,
        laptop: PersonalAccessToken,
        phone: PersonalAccessToken,
        at: chrono::DateTime<Utc>,
    }

    fn scenario(s: &impl AccessStore, f: &Fixture) -> Vec<String> {
        let (a, b) = (f.a.company.id, f.b.company.id);
        let (admin, viewer) = (f.a.admin.id, f.viewer.id);
        let mut log = Vec::new();
        note!(log, s.companies());
        note!(log, s.create_company(&f.a.company, &f.a.admin, &f.a.token));
        note!(log, s.create_company(&f.b.company, &f.b.admin, &f.b.token));
        // The same handle: refused, and nothing of it written.
        note!(
            log,
            s.create_company(&f.a_again.company, &f.a_again.admin, &f.a_again.token)
        );
        note!(log, s.token(&f.a_again.token.id));
        note!(log, s.user_by_email(f.a_again.company.id, "x@example.com"));
        note!(log, s.companies());
        note!(log, s.company("acme-gmbh"));
        note!(log, s.company(" ACME-GMBH "));
        note!(log, s.company(&f.b.company.id.to_string()));
        note!(log, s.company("nope"));
        note!(log, s.insert_user(&f.viewer));
        note!(log, s.insert_user(&f.twin));
        note!(log, s.users(a));
        note!(log, s.user(a, viewer));
        note!(log, s.user(b, admin));
        note!(log, s.user_by_email(b, "admin@example.com"));
        note!(log, s.user_by_email(a, "viewer@example.com"));
        note!(
            log,
            s.set_marketplace_right(b, admin, MarketplaceRight::None)
        );
        note!(
            log,
            s.set_marketplace_right(a, admin, MarketplaceRight::View)
        );
        note!(
            log,
            s.set_marketplace_right(a, viewer, MarketplaceRight::Edit)
        );
        note!(
            log,
            s.set_marketplace_right(a, admin, MarketplaceRight::None)
        );
        note!(log, s.users(a));
        note!(log, s.insert_token(&f.laptop));
        note!(log, s.insert_token(&f.phone));
        note!(log, s.insert_token(&f.laptop));
        note!(log, s.user_tokens(a, viewer));
        note!(log, s.user_tokens(b, viewer));
        note!(log, s.revoke_token(b, &f.laptop.id, f.at));
        note!(log, s.revoke_token(a, &f.laptop.id, f.at));
        note!(log, s.revoke_token(a, &f.laptop.id, f.at));
        note!(log, s.token(&f.laptop.id));
        note!(log, s.token(&f.a.token.id));
        // The last editor stays; another user goes with their tokens.
        note!(log, s.remove_user(a, viewer));
        note!(log, s.remove_user(b, admin));
        note!(log, s.remove_user(a, admin));
        note!(log, s.remove_user(a, admin));
        note!(log, s.token(&f.a.token.id));
        note!(log, s.users(a));
        log
    }

    #[test]
    fn companies_users_and_tokens_behave_as_on_sqlite() {
        let Some(stores) = both("access_behaves_as_on_sqlite") else {
            return;
        };
        let now = Utc::now();
        let a = seed("Acme GmbH", "admin@example.com");
        let viewer = User::new(
            a.company.id,
            "viewer@example.com",
            "Viewer",
            MarketplaceRight::View,
            now,
        )
        .unwrap();
        let fixture = Fixture {
            b: seed("Beta AG", "admin@example.com"),
            a_again: seed("ACME GmbH", "x@example.com"),
            twin: User::new(
                a.company.id,
                "ADMIN@example.com",
                "Twin",
                MarketplaceRight::View,
                now,
            )
            .unwrap(),
            laptop: PersonalAccessToken::issue(&viewer, "laptop", now, None)
                .unwrap()
                .record,
            phone: PersonalAccessToken::issue(
                &viewer,
                "phone",
                now + Duration::seconds(1),
                Some(now + Duration::days(30)),
            )
            .unwrap()
            .record,
            viewer,
            a,
            at: now + Duration::minutes(1),
        };
        let sqlite = scenario(&stores.sqlite, &fixture);
        let pg = scenario(&stores.pg, &fixture);
        same(&sqlite, &pg);
        assert!(
            sqlite.iter().any(|l| l.contains("Conflict"))
                && sqlite.iter().any(|l| l.contains("Refused")),
            "{sqlite:#?}"
        );
    }

    #[test]
    fn tenants_are_numbered_one_by_one() {
        let Some(stores) = both("tenants_are_numbered_one_by_one") else {
            return;
        };
        // Companies created side by side still get one number each.
        let seeds: Vec<Seed> = ["One", "Two", "Three", "Four"]
            .into_iter()
            .map(|name| seed(name, "a@example.com"))
            .collect();
        let store = &stores.pg;
        std::thread::scope(|scope| {
            for s in &seeds {
                scope.spawn(move || create(store, s));
            }
        });
        let tenants: Vec<i64> = stores
            .pg
            .run(|c| {
                c.query("SELECT tenant FROM companies ORDER BY tenant", &[])
                    .map_err(backend)?
                    .iter()
                    .map(|r| get("companies", r, 0))
                    .collect()
            })
            .unwrap();
        assert_eq!(tenants, [1, 2, 3, 4]);
    }
}
