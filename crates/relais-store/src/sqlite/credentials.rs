use std::collections::BTreeSet;

use chrono::Utc;
use relais_access::{
    ApiCredential, ApiPermission, ApiToken, ClientId, CompanyId, SecretHash, TokenId,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::CachedRow;
use super::{
    SqliteStore, backend, conflict_or_backend, corrupt, json, parse_timestamp, parse_uuid,
    timestamp,
};
pub(super) use crate::layout::CREDENTIAL_COLUMNS as COLUMNS;
use crate::{CredentialStore, StoreError};

/// Inserts a credential on `conn` (inside the caller's transaction, if
/// any), issued for `connection` if it is one's.
pub(super) fn insert_credential(
    conn: &Connection,
    c: &ApiCredential,
    connection: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
            &format!("INSERT INTO api_credentials ({COLUMNS}, connection_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
            params![
                c.client_id.as_str(),
                c.company_id.0.to_string(),
                c.name,
                c.integration,
                json(&c.scopes)?,
                json(&c.readable_attributes)?,
                c.secret_hash.to_hex(),
                c.generation,
                timestamp(c.created_at),
                timestamp(c.updated_at),
                c.revoked_at.map(timestamp),
                connection,
            ],
        )
        .map_err(|e| conflict_or_backend(e, || format!("credential {}", c.client_id)))?;
    Ok(())
}

/// Updates a credential of its company on `conn`; returns whether it exists.
pub(super) fn update_credential(conn: &Connection, c: &ApiCredential) -> Result<bool, StoreError> {
    let changed = conn
            .execute(
                "UPDATE api_credentials SET name = ?3, integration = ?4, scopes = ?5, readable_attributes = ?6,
                        secret_hash = ?7, generation = ?8, updated_at = ?9, revoked_at = ?10
                 WHERE client_id = ?1 AND company_id = ?2",
                params![
                    c.client_id.as_str(),
                    c.company_id.0.to_string(),
                    c.name,
                    c.integration,
                    json(&c.scopes)?,
                    json(&c.readable_attributes)?,
                    c.secret_hash.to_hex(),
                    c.generation,
                    timestamp(c.updated_at),
                    c.revoked_at.map(timestamp),
                ],
            )
            .map_err(backend)?;
    Ok(changed == 1)
}

impl CredentialStore for SqliteStore {
    fn insert_credential(&self, c: &ApiCredential) -> Result<(), StoreError> {
        insert_credential(&*self.conn()?, c, None)
    }

    fn update_credential(&self, c: &ApiCredential) -> Result<bool, StoreError> {
        update_credential(&*self.conn()?, c)
    }

    fn credentials(&self, company: CompanyId) -> Result<Vec<ApiCredential>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!("SELECT {COLUMNS}, last_used_at FROM api_credentials WHERE company_id = ?1 ORDER BY created_at, client_id"))
            .map_err(backend)?;
        let rows = statement
            .query_map([company.0.to_string()], credential_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn credential(&self, client_id: &ClientId) -> Result<Option<ApiCredential>, StoreError> {
        let conn = self.conn()?;
        conn.cached_row(
            &format!("SELECT {COLUMNS}, last_used_at FROM api_credentials WHERE client_id = ?1"),
            [client_id.as_str()],
            credential_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn insert_api_token(&self, t: &ApiToken) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        // Expired tokens are useless; sweeping them here keeps the table small
        // without a background job.
        tx.execute(
            "DELETE FROM api_tokens WHERE expires_at < ?1",
            [timestamp(Utc::now())],
        )
        .map_err(backend)?;
        tx.execute(
            "UPDATE api_credentials SET last_used_at = ?2 WHERE client_id = ?1",
            params![t.client_id.as_str(), timestamp(t.issued_at)],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO api_tokens (id, client_id, company_id, generation, secret_hash, issued_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                t.id.as_str(),
                t.client_id.as_str(),
                t.company_id.0.to_string(),
                t.generation,
                t.secret_hash.to_hex(),
                timestamp(t.issued_at),
                timestamp(t.expires_at),
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn api_token(&self, id: &TokenId) -> Result<Option<ApiToken>, StoreError> {
        let conn = self.conn()?;
        conn.cached_row(
            "SELECT id, client_id, company_id, generation, secret_hash, issued_at, expires_at FROM api_tokens WHERE id = ?1",
            [id.as_str()],
            |row| {
                let (id, client_id, company_id, generation, hash, issued, expires): (String, String, String, u32, String, String, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?);
                const T: &str = "api_tokens";
                let bad = |e: relais_access::AccessError| corrupt(T, e);
                Ok((|| {
                    Ok(ApiToken {
                        id: TokenId::parse(&id).map_err(bad)?,
                        client_id: ClientId::parse(&client_id).map_err(bad)?,
                        company_id: CompanyId(parse_uuid(T, &company_id)?),
                        generation,
                        secret_hash: SecretHash::from_hex(&hash).map_err(bad)?,
                        issued_at: parse_timestamp(T, &issued)?,
                        expires_at: parse_timestamp(T, &expires)?,
                    })
                })())
            },
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }
}

pub(super) fn credential_row(row: &Row<'_>) -> rusqlite::Result<Result<ApiCredential, StoreError>> {
    const T: &str = "api_credentials";
    let client_id: String = row.get(0)?;
    let company_id: String = row.get(1)?;
    let name: String = row.get(2)?;
    let integration: Option<String> = row.get(3)?;
    let scopes: String = row.get(4)?;
    let attributes: String = row.get(5)?;
    let hash: String = row.get(6)?;
    let generation: u32 = row.get(7)?;
    let created: String = row.get(8)?;
    let updated: String = row.get(9)?;
    let revoked: Option<String> = row.get(10)?;
    let last_used: Option<String> = row.get(11)?;
    let bad = |e: &dyn std::fmt::Display| corrupt(T, e);
    Ok((|| {
        Ok(ApiCredential {
            client_id: ClientId::parse(&client_id).map_err(|e| bad(&e))?,
            company_id: CompanyId(parse_uuid(T, &company_id)?),
            name,
            integration,
            scopes: serde_json::from_str::<BTreeSet<ApiPermission>>(&scopes)
                .map_err(|e| bad(&e))?,
            readable_attributes: serde_json::from_str(&attributes).map_err(|e| bad(&e))?,
            secret_hash: SecretHash::from_hex(&hash).map_err(|e| bad(&e))?,
            generation,
            created_at: parse_timestamp(T, &created)?,
            updated_at: parse_timestamp(T, &updated)?,
            revoked_at: revoked.map(|r| parse_timestamp(T, &r)).transpose()?,
            last_used_at: last_used.map(|r| parse_timestamp(T, &r)).transpose()?,
        })
    })())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use relais_access::{
        ApiAccess, Company, MarketplaceRight, PersonalAccessToken, PublicApi, User,
    };

    #[test]
    fn credentials_round_trip_scoped_by_company() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let now = Utc::now();
        let company = Company::new("A", now).unwrap();
        let admin = User::new(
            company.id,
            "a@example.com",
            "A",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        store
            .create_company(
                &company,
                &admin,
                &PersonalAccessToken::issue(&admin, "t", now, None)
                    .unwrap()
                    .record,
            )
            .unwrap();

        let scopes = [ApiPermission {
            api: PublicApi::Employees,
            access: ApiAccess::Read,
        }]
        .into();
        let (mut credential, _) = ApiCredential::create(
            company.id,
            "BI",
            Some("power-bi".into()),
            scopes,
            ["first_name".to_owned()].into(),
            now,
        )
        .unwrap();
        store.insert_credential(&credential).unwrap();
        assert_eq!(
            store.credential(&credential.client_id).unwrap().unwrap(),
            credential
        );
        credential.rotate(now).unwrap();
        credential.revoke(now);
        assert!(store.update_credential(&credential).unwrap());
        assert_eq!(
            store.credentials(company.id).unwrap(),
            vec![credential.clone()]
        );
        let mut other = credential.clone();
        other.company_id = CompanyId::new();
        assert!(
            !store.update_credential(&other).unwrap(),
            "another company cannot change it"
        );

        let token = ApiToken::issue(&credential, now).unwrap();
        store.insert_api_token(&token.record).unwrap();
        assert_eq!(
            store.api_token(&token.record.id).unwrap().unwrap(),
            token.record
        );
    }
}
