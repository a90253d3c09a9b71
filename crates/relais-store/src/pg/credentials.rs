//! PostgreSQL: see `crate::sqlite::credentials` (the same queries in PostgreSQL's dialect).

use std::collections::BTreeSet;

use chrono::Utc;
use postgres::types::Type;
use postgres::{GenericClient, Row};
use relais_access::{
    ApiCredential, ApiPermission, ApiToken, ClientId, CompanyId, SecretHash, TokenId,
};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, json, parse_timestamp, parse_uuid,
    timestamp,
};
pub(super) use crate::layout::CREDENTIAL_COLUMNS as COLUMNS;
use crate::{CredentialStore, StoreError};

const TOKEN_COLUMNS: &str =
    "id, client_id, company_id, generation, secret_hash, issued_at, expires_at";

/// Inserts a credential on `conn` (inside the caller's transaction, if
/// any), issued for `connection` if it is one's.
pub(super) fn insert_credential(
    conn: &mut impl GenericClient,
    c: &ApiCredential,
    connection: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        &format!(
            "INSERT INTO api_credentials ({COLUMNS}, connection_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ),
        &[
            &c.client_id.as_str(),
            &c.company_id.0.to_string(),
            &c.name,
            &c.integration,
            &json(&c.scopes)?,
            &json(&c.readable_attributes)?,
            &c.secret_hash.to_hex(),
            &i64::from(c.generation),
            &timestamp(c.created_at),
            &timestamp(c.updated_at),
            &c.revoked_at.map(timestamp),
            &connection,
        ],
    )
    .map_err(|e| conflict_or_backend(e, || format!("credential {}", c.client_id)))?;
    Ok(())
}

/// Updates a credential of its company on `conn`; returns whether it exists.
pub(super) fn update_credential(
    conn: &mut impl GenericClient,
    c: &ApiCredential,
) -> Result<bool, StoreError> {
    let changed = conn
        .execute(
            "UPDATE api_credentials SET name = $3, integration = $4, scopes = $5, readable_attributes = $6,
                    secret_hash = $7, generation = $8, updated_at = $9, revoked_at = $10
             WHERE client_id = $1 AND company_id = $2",
            &[
                &c.client_id.as_str(),
                &c.company_id.0.to_string(),
                &c.name,
                &c.integration,
                &json(&c.scopes)?,
                &json(&c.readable_attributes)?,
                &c.secret_hash.to_hex(),
                &i64::from(c.generation),
                &timestamp(c.updated_at),
                &c.revoked_at.map(timestamp),
            ],
        )
        .map_err(backend)?;
    Ok(changed == 1)
}

impl CredentialStore for PostgresStore {
    fn insert_credential(&self, c: &ApiCredential) -> Result<(), StoreError> {
        self.write(|tx| insert_credential(tx, c, None))
    }

    fn update_credential(&self, c: &ApiCredential) -> Result<bool, StoreError> {
        self.write(|tx| update_credential(tx, c))
    }

    fn credentials(&self, company: CompanyId) -> Result<Vec<ApiCredential>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {COLUMNS}, last_used_at FROM api_credentials
                         WHERE company_id = $1 ORDER BY created_at, client_id"
                    ),
                    &[&company],
                )
                .map_err(backend)?
                .iter()
                .map(credential_row)
                .collect()
        })
    }

    fn credential(&self, client_id: &ClientId) -> Result<Option<ApiCredential>, StoreError> {
        // The public API's hot path: one round trip, no separate prepare.
        self.run(|client| {
            client
                .query_typed_opt(
                    &format!(
                        "SELECT {COLUMNS}, last_used_at FROM api_credentials WHERE client_id = $1"
                    ),
                    &[(&client_id.as_str(), Type::TEXT)],
                )
                .map_err(backend)?
                .as_ref()
                .map(credential_row)
                .transpose()
        })
    }

    fn insert_api_token(&self, t: &ApiToken) -> Result<(), StoreError> {
        let now = timestamp(Utc::now());
        let params = [
            t.id.as_str().to_owned(),
            t.client_id.as_str().to_owned(),
            t.company_id.0.to_string(),
            t.secret_hash.to_hex(),
            timestamp(t.issued_at),
            timestamp(t.expires_at),
        ];
        let generation = i64::from(t.generation);
        self.write(|tx| {
            // Expired tokens are useless; sweeping them here keeps the table
            // small without a background job.
            tx.execute("DELETE FROM api_tokens WHERE expires_at < $1", &[&now])
                .map_err(backend)?;
            tx.execute(
                "UPDATE api_credentials SET last_used_at = $2 WHERE client_id = $1",
                &[&params[1], &params[4]],
            )
            .map_err(backend)?;
            tx.execute(
                &format!(
                    "INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                ),
                &[
                    &params[0],
                    &params[1],
                    &params[2],
                    &generation,
                    &params[3],
                    &params[4],
                    &params[5],
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn api_token(&self, id: &TokenId) -> Result<Option<ApiToken>, StoreError> {
        // The public API's hot path: one round trip, no separate prepare.
        self.run(|client| {
            client
                .query_typed_opt(
                    &format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"),
                    &[(&id.as_str(), Type::TEXT)],
                )
                .map_err(backend)?
                .as_ref()
                .map(api_token_row)
                .transpose()
        })
    }
}

/// A stored generation (a `u32` in the model).
fn generation(table: &'static str, row: &Row, index: usize) -> Result<u32, StoreError> {
    let value: i64 = get(table, row, index)?;
    u32::try_from(value).map_err(|_| corrupt(table, format!("bad generation {value}")))
}

fn api_token_row(row: &Row) -> Result<ApiToken, StoreError> {
    const T: &str = "api_tokens";
    let bad = |e: relais_access::AccessError| corrupt(T, e);
    let id: String = get(T, row, 0)?;
    let client_id: String = get(T, row, 1)?;
    let company_id: String = get(T, row, 2)?;
    let hash: String = get(T, row, 4)?;
    let issued: String = get(T, row, 5)?;
    let expires: String = get(T, row, 6)?;
    Ok(ApiToken {
        id: TokenId::parse(&id).map_err(bad)?,
        client_id: ClientId::parse(&client_id).map_err(bad)?,
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        generation: generation(T, row, 3)?,
        secret_hash: SecretHash::from_hex(&hash).map_err(bad)?,
        issued_at: parse_timestamp(T, &issued)?,
        expires_at: parse_timestamp(T, &expires)?,
    })
}

/// A row of [`COLUMNS`] followed by `last_used_at`.
pub(super) fn credential_row(row: &Row) -> Result<ApiCredential, StoreError> {
    const T: &str = "api_credentials";
    let bad = |e: &dyn std::fmt::Display| corrupt(T, e);
    let client_id: String = get(T, row, 0)?;
    let company_id: String = get(T, row, 1)?;
    let scopes: String = get(T, row, 4)?;
    let attributes: String = get(T, row, 5)?;
    let hash: String = get(T, row, 6)?;
    let created: String = get(T, row, 8)?;
    let updated: String = get(T, row, 9)?;
    let revoked: Option<String> = get(T, row, 10)?;
    let last_used: Option<String> = get(T, row, 11)?;
    Ok(ApiCredential {
        client_id: ClientId::parse(&client_id).map_err(|e| bad(&e))?,
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        name: get(T, row, 2)?,
        integration: get(T, row, 3)?,
        scopes: serde_json::from_str::<BTreeSet<ApiPermission>>(&scopes).map_err(|e| bad(&e))?,
        readable_attributes: serde_json::from_str(&attributes).map_err(|e| bad(&e))?,
        secret_hash: SecretHash::from_hex(&hash).map_err(|e| bad(&e))?,
        generation: generation(T, row, 7)?,
        created_at: parse_timestamp(T, &created)?,
        updated_at: parse_timestamp(T, &updated)?,
        revoked_at: revoked.map(|r| parse_timestamp(T, &r)).transpose()?,
        last_used_at: last_used.map(|r| parse_timestamp(T, &r)).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use crate::pg::access::tests::{both, create, note, same, seed};
    use chrono::Duration;
    use relais_access::{ApiAccess, PublicApi};

    fn scenario(
        s: &(impl AccessStore + CredentialStore),
        company: CompanyId,
        bi: &ApiCredential,
        changed: &ApiCredential,
        crm: &ApiCredential,
        token: &ApiToken,
        expired: &ApiToken,
    ) -> Vec<String> {
        let mut log = Vec::new();
        note!(log, s.insert_credential(crm));
        note!(log, s.insert_credential(bi));
        note!(log, s.insert_credential(bi));
        note!(log, s.credential(&bi.client_id));
        note!(log, s.update_credential(changed));
        let mut elsewhere = changed.clone();
        elsewhere.company_id = CompanyId::new();
        elsewhere.name = "Taken".into();
        note!(log, s.update_credential(&elsewhere));
        note!(log, s.credentials(company));
        note!(log, s.credentials(CompanyId::new()));
        note!(log, s.insert_api_token(expired));
        note!(log, s.insert_api_token(token));
        note!(log, s.api_token(&token.id));
        // Storing a token swept the expired one.
        note!(log, s.api_token(&expired.id));
        note!(log, s.credential(&bi.client_id));
        note!(log, s.credential(&token.client_id));
        note!(
            log,
            s.api_token(&TokenId::parse("0123456789abcdef").unwrap())
        );
        log
    }

    #[test]
    fn credentials_and_tokens_behave_as_on_sqlite() {
        let Some(stores) = both("credentials_behave_as_on_sqlite") else {
            return;
        };
        let now = Utc::now();
        let acme = seed("Acme GmbH", "admin@example.com");
        create(&stores.sqlite, &acme);
        create(&stores.pg, &acme);
        let company = acme.company.id;
        let scopes: BTreeSet<_> = [ApiPermission {
            api: PublicApi::Employees,
            access: ApiAccess::Read,
        }]
        .into();
        let (bi, _) = ApiCredential::create(
            company,
            "BI",
            Some("power-bi".into()),
            scopes.clone(),
            ["first_name".to_owned(), "last_name".to_owned()].into(),
            now,
        )
        .unwrap();
        let (crm, _) = ApiCredential::create(
            company,
            "CRM",
            None,
            scopes,
            BTreeSet::new(),
            now - Duration::seconds(1),
        )
        .unwrap();
        let mut changed = bi.clone();
        changed.rotate(now).unwrap();
        changed.revoke(now);
        let token = ApiToken::issue(&crm, now).unwrap().record;
        let mut expired = ApiToken::issue(&crm, now - Duration::days(1))
            .unwrap()
            .record;
        expired.expires_at = now - Duration::hours(1);
        let sqlite = scenario(
            &stores.sqlite,
            company,
            &bi,
            &changed,
            &crm,
            &token,
            &expired,
        );
        let pg = scenario(&stores.pg, company, &bi, &changed, &crm, &token, &expired);
        same(&sqlite, &pg);
        assert!(sqlite.iter().any(|l| l.contains("Conflict")), "{sqlite:#?}");
    }
}
