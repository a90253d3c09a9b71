//! PostgreSQL: see `crate::sqlite::sessions` (the same queries in PostgreSQL's dialect).
//! Console sign-in: password hashes, sessions and invitations.

use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::Type;
use relais_access::{CompanyId, Invite, PasswordHash, SecretHash, Session, User, UserId};

use super::access::{USER_COLUMNS, user_row};
use super::{PostgresStore, backend, corrupt, get, parse_timestamp, parse_uuid, sortable};
use crate::layout::INVITE_COLUMNS;
use crate::{SessionStore, StoreError};

const SESSION_COLUMNS: &str = "id_hash, company_id, user_id, created_at, last_seen_at";

fn session_row(row: &Row) -> Result<Session, StoreError> {
    const T: &str = "sessions";
    let hash: String = get(T, row, 0)?;
    let company: String = get(T, row, 1)?;
    let user: String = get(T, row, 2)?;
    let created: String = get(T, row, 3)?;
    let seen: String = get(T, row, 4)?;
    Ok(Session {
        id_hash: SecretHash::from_hex(&hash).map_err(|e| corrupt(T, e))?,
        company_id: CompanyId(parse_uuid(T, &company)?),
        user_id: UserId(parse_uuid(T, &user)?),
        created_at: parse_timestamp(T, &created)?,
        last_seen_at: parse_timestamp(T, &seen)?,
    })
}

fn invite_row(row: &Row) -> Result<Invite, StoreError> {
    const T: &str = "invites";
    let hash: String = get(T, row, 0)?;
    let company: String = get(T, row, 1)?;
    let user: String = get(T, row, 2)?;
    let created: String = get(T, row, 4)?;
    let expires: String = get(T, row, 5)?;
    Ok(Invite {
        id_hash: SecretHash::from_hex(&hash).map_err(|e| corrupt(T, e))?,
        company_id: CompanyId(parse_uuid(T, &company)?),
        user_id: UserId(parse_uuid(T, &user)?),
        created_by: get(T, row, 3)?,
        created_at: parse_timestamp(T, &created)?,
        expires_at: parse_timestamp(T, &expires)?,
    })
}

impl SessionStore for PostgresStore {
    fn users_by_email(&self, email: &str) -> Result<Vec<(User, Option<PasswordHash>)>, StoreError> {
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = $1 ORDER BY company_id"
                    ),
                    &[&email],
                )
                .map_err(backend)?
                .iter()
                .map(|row| {
                    let user = user_row(row)?;
                    let hash: Option<String> = get("users", row, 6)?;
                    let hash = hash
                        .map(|h| PasswordHash::from_stored(&h).map_err(|e| corrupt("users", e)))
                        .transpose()?;
                    Ok((user, hash))
                })
                .collect()
        })
    }

    fn set_password(
        &self,
        company: CompanyId,
        user: UserId,
        password: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let (company, user) = (company.0.to_string(), user.0.to_string());
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE users SET password_hash = $3 WHERE company_id = $1 AND id = $2",
                    &[&company, &user, &password.as_str()],
                )
                .map_err(backend)?;
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user])
                .map_err(backend)?;
            Ok(changed == 1)
        })
    }

    fn insert_session(&self, s: &Session) -> Result<(), StoreError> {
        let params = [
            s.id_hash.to_hex(),
            s.company_id.0.to_string(),
            s.user_id.0.to_string(),
            sortable(s.created_at),
            sortable(s.last_seen_at),
        ];
        self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
                &[&params[0], &params[1], &params[2], &params[3], &params[4]],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn session(&self, id_hash: &SecretHash) -> Result<Option<Session>, StoreError> {
        // Every console request reads its session: one round trip.
        let hash = id_hash.to_hex();
        self.run(|client| {
            client
                .query_typed_opt(
                    &format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id_hash = $1"),
                    &[(&hash, Type::TEXT)],
                )
                .map_err(backend)?
                .as_ref()
                .map(session_row)
                .transpose()
        })
    }

    fn touch_session(&self, id_hash: &SecretHash, at: DateTime<Utc>) -> Result<(), StoreError> {
        let (hash, at) = (id_hash.to_hex(), sortable(at));
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
                &[&hash, &at],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn delete_session(&self, id_hash: &SecretHash) -> Result<(), StoreError> {
        let hash = id_hash.to_hex();
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE id_hash = $1", &[&hash])
                .map_err(backend)?;
            Ok(())
        })
    }

    fn insert_invite(&self, invite: &Invite) -> Result<(), StoreError> {
        let params = [
            invite.id_hash.to_hex(),
            invite.company_id.0.to_string(),
            invite.user_id.0.to_string(),
            invite.created_by.clone(),
            sortable(invite.created_at),
            sortable(invite.expires_at),
        ];
        self.write(|tx| {
            // One live invitation per user: a new link replaces the old one.
            tx.execute("DELETE FROM invites WHERE user_id = $1", &[&params[2]])
                .map_err(backend)?;
            tx.execute(
                &format!("INSERT INTO invites ({INVITE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
                &[
                    &params[0], &params[1], &params[2], &params[3], &params[4], &params[5],
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn invite(
        &self,
        id_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<Invite>, StoreError> {
        let (hash, now) = (id_hash.to_hex(), sortable(now));
        self.run(|client| {
            client
                .query_opt(
                    &format!(
                        "SELECT {INVITE_COLUMNS} FROM invites WHERE id_hash = $1 AND expires_at > $2"
                    ),
                    &[&hash, &now],
                )
                .map_err(backend)?
                .as_ref()
                .map(invite_row)
                .transpose()
        })
    }

    fn accept_invite(
        &self,
        id_hash: &SecretHash,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let (hash, now) = (id_hash.to_hex(), sortable(now));
        self.write(|tx| {
            // Deleting is what makes the link work once: of two requests with
            // one link, only the first finds a row to delete.
            let taken = tx
                .query_opt(
                    &format!(
                        "DELETE FROM invites WHERE id_hash = $1 AND expires_at > $2 RETURNING {INVITE_COLUMNS}"
                    ),
                    &[&hash, &now],
                )
                .map_err(backend)?
                .as_ref()
                .map(invite_row)
                .transpose()?;
            let Some(invite) = taken else {
                return Ok(None);
            };
            let (company, user) = (
                invite.company_id.0.to_string(),
                invite.user_id.0.to_string(),
            );
            tx.execute(
                "UPDATE users SET password_hash = $3 WHERE company_id = $1 AND id = $2",
                &[&company, &user, &password.as_str()],
            )
            .map_err(backend)?;
            tx.execute("DELETE FROM invites WHERE user_id = $1", &[&user])
                .map_err(backend)?;
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user])
                .map_err(backend)?;
            tx.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE company_id = $1 AND id = $2"),
                &[&company, &user],
            )
            .map_err(backend)?
            .as_ref()
            .map(user_row)
            .transpose()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use crate::pg::access::tests::{Seed, both, create, note, same, seed};
    use chrono::Duration;

    struct Fixture {
        a: Seed,
        b: Seed,
        password: PasswordHash,
        other_password: PasswordHash,
        first: Session,
        second: Session,
        old_invite: Invite,
        invite: Invite,
        now: DateTime<Utc>,
    }

    fn scenario(s: &(impl AccessStore + SessionStore), f: &Fixture) -> Vec<String> {
        let (a, admin) = (f.a.company.id, f.a.admin.id);
        let later = f.now + Duration::minutes(5);
        let mut log = Vec::new();
        create(s, &f.a);
        create(s, &f.b);
        note!(log, s.users_by_email("admin@example.com"));
        note!(log, s.users_by_email("nobody@example.com"));
        note!(log, s.insert_session(&f.first));
        note!(log, s.insert_session(&f.second));
        note!(log, s.session(&f.first.id_hash));
        note!(log, s.touch_session(&f.first.id_hash, later));
        note!(log, s.session(&f.first.id_hash));
        note!(log, s.delete_session(&f.second.id_hash));
        note!(log, s.session(&f.second.id_hash));
        note!(log, s.set_password(f.b.company.id, admin, &f.password));
        note!(log, s.session(&f.first.id_hash));
        note!(log, s.set_password(a, admin, &f.password));
        note!(log, s.session(&f.first.id_hash));
        note!(log, s.users_by_email("admin@example.com"));
        // A new invitation replaces the user's earlier one.
        note!(log, s.insert_invite(&f.old_invite));
        note!(log, s.insert_invite(&f.invite));
        note!(log, s.invite(&f.old_invite.id_hash, f.now));
        note!(log, s.invite(&f.invite.id_hash, f.now));
        note!(
            log,
            s.invite(
                &f.invite.id_hash,
                f.invite.expires_at + Duration::seconds(1)
            )
        );
        note!(log, s.insert_session(&f.second));
        note!(
            log,
            s.accept_invite(&f.invite.id_hash, &f.other_password, f.invite.expires_at)
        );
        note!(
            log,
            s.accept_invite(&f.invite.id_hash, &f.other_password, f.now)
        );
        note!(
            log,
            s.accept_invite(&f.invite.id_hash, &f.other_password, f.now)
        );
        note!(log, s.session(&f.second.id_hash));
        note!(log, s.invite(&f.invite.id_hash, f.now));
        note!(log, s.users_by_email("admin@example.com"));
        log
    }

    #[test]
    fn sign_in_sessions_and_invitations_behave_as_on_sqlite() {
        let Some(stores) = both("sessions_behave_as_on_sqlite") else {
            return;
        };
        let now = Utc::now();
        let a = seed("Acme GmbH", "admin@example.com");
        let fixture = Fixture {
            b: seed("Beta AG", "admin@example.com"),
            password: PasswordHash::new("correct horse battery").unwrap(),
            other_password: PasswordHash::new("staple staple staple").unwrap(),
            first: Session::open(&a.admin, now).unwrap().record,
            second: Session::open(&a.admin, now).unwrap().record,
            old_invite: Invite::issue(&a.admin, "admin@example.com", now)
                .unwrap()
                .record,
            invite: Invite::issue(&a.admin, "admin@example.com", now + Duration::seconds(1))
                .unwrap()
                .record,
            a,
            now,
        };
        let sqlite = scenario(&stores.sqlite, &fixture);
        let pg = scenario(&stores.pg, &fixture);
        same(&sqlite, &pg);
        assert!(
            sqlite.last().unwrap().contains("Some(PasswordHash"),
            "{sqlite:#?}"
        );
    }
}
