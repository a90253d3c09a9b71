//! Console sign-in: password hashes, sessions and invitations.

use chrono::{DateTime, Utc};
use relais_access::{CompanyId, Invite, PasswordHash, SecretHash, Session, User, UserId};
use rusqlite::{OptionalExtension, Row, params};

use super::access::{USER_COLUMNS, user_row};
use super::{SqliteStore, backend, corrupt, parse_timestamp, parse_uuid, sortable};
use crate::layout::INVITE_COLUMNS;
use crate::{SessionStore, StoreError};

fn session_row(row: &Row<'_>) -> rusqlite::Result<Result<Session, StoreError>> {
    const T: &str = "sessions";
    let (hash, company, user, created, seen): (String, String, String, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    Ok((|| {
        Ok(Session {
            id_hash: SecretHash::from_hex(&hash).map_err(|e| corrupt(T, e))?,
            company_id: CompanyId(parse_uuid(T, &company)?),
            user_id: UserId(parse_uuid(T, &user)?),
            created_at: parse_timestamp(T, &created)?,
            last_seen_at: parse_timestamp(T, &seen)?,
        })
    })())
}

fn invite_row(row: &Row<'_>) -> rusqlite::Result<Result<Invite, StoreError>> {
    const T: &str = "invites";
    let (hash, company, user, by, created, expires): (
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
        Ok(Invite {
            id_hash: SecretHash::from_hex(&hash).map_err(|e| corrupt(T, e))?,
            company_id: CompanyId(parse_uuid(T, &company)?),
            user_id: UserId(parse_uuid(T, &user)?),
            created_by: by,
            created_at: parse_timestamp(T, &created)?,
            expires_at: parse_timestamp(T, &expires)?,
        })
    })())
}

impl SessionStore for SqliteStore {
    fn users_by_email(&self, email: &str) -> Result<Vec<(User, Option<PasswordHash>)>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?1 ORDER BY company_id"
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map([email], |row| {
                let user = user_row(row)?;
                let hash: Option<String> = row.get(6)?;
                Ok(user.and_then(|u| {
                    let hash = hash
                        .map(|h| PasswordHash::from_stored(&h).map_err(|e| corrupt("users", e)))
                        .transpose()?;
                    Ok((u, hash))
                }))
            })
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn set_password(
        &self,
        company: CompanyId,
        user: UserId,
        password: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let changed = tx
            .execute(
                "UPDATE users SET password_hash = ?3 WHERE company_id = ?1 AND id = ?2",
                params![company.0.to_string(), user.0.to_string(), password.as_str()],
            )
            .map_err(backend)?;
        tx.execute(
            "DELETE FROM sessions WHERE user_id = ?1",
            [user.0.to_string()],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(changed == 1)
    }

    fn insert_session(&self, s: &Session) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO sessions (id_hash, company_id, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                s.id_hash.to_hex(),
                s.company_id.0.to_string(),
                s.user_id.0.to_string(),
                sortable(s.created_at),
                sortable(s.last_seen_at)
            ],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn session(&self, id_hash: &SecretHash) -> Result<Option<Session>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT id_hash, company_id, user_id, created_at, last_seen_at FROM sessions WHERE id_hash = ?1",
            [id_hash.to_hex()],
            session_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn touch_session(&self, id_hash: &SecretHash, at: DateTime<Utc>) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
            params![id_hash.to_hex(), sortable(at)],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn delete_session(&self, id_hash: &SecretHash) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "DELETE FROM sessions WHERE id_hash = ?1",
            [id_hash.to_hex()],
        )
        .map_err(backend)?;
        Ok(())
    }

    fn insert_invite(&self, invite: &Invite) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        // One live invitation per user: a new link replaces the old one.
        tx.execute(
            "DELETE FROM invites WHERE user_id = ?1",
            [invite.user_id.0.to_string()],
        )
        .map_err(backend)?;
        tx.execute(
            &format!("INSERT INTO invites ({INVITE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![
                invite.id_hash.to_hex(),
                invite.company_id.0.to_string(),
                invite.user_id.0.to_string(),
                invite.created_by,
                sortable(invite.created_at),
                sortable(invite.expires_at)
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn invite(
        &self,
        id_hash: &SecretHash,
        now: DateTime<Utc>,
    ) -> Result<Option<Invite>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            &format!("SELECT {INVITE_COLUMNS} FROM invites WHERE id_hash = ?1 AND expires_at > ?2"),
            params![id_hash.to_hex(), sortable(now)],
            invite_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn accept_invite(
        &self,
        id_hash: &SecretHash,
        password: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        // Deleting is what makes the link work once: of two requests with
        // one link, only the first finds a row to delete.
        let taken = tx
            .query_row(
                &format!(
                    "DELETE FROM invites WHERE id_hash = ?1 AND expires_at > ?2 RETURNING {INVITE_COLUMNS}"
                ),
                params![id_hash.to_hex(), sortable(now)],
                invite_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?;
        let Some(invite) = taken else {
            return Ok(None);
        };
        let (company, user) = (
            invite.company_id.0.to_string(),
            invite.user_id.0.to_string(),
        );
        tx.execute(
            "UPDATE users SET password_hash = ?3 WHERE company_id = ?1 AND id = ?2",
            params![company, user, password.as_str()],
        )
        .map_err(backend)?;
        tx.execute("DELETE FROM invites WHERE user_id = ?1", [&user])
            .map_err(backend)?;
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", [&user])
            .map_err(backend)?;
        let user = tx
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE company_id = ?1 AND id = ?2"),
                params![company, user],
                user_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?;
        tx.commit().map_err(backend)?;
        Ok(user)
    }
}
