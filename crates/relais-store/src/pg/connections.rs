//! PostgreSQL: see `crate::sqlite::connections` (the same queries in PostgreSQL's dialect).

use std::collections::{BTreeMap, BTreeSet};

use postgres::{GenericClient, Row, Transaction};
use relais_access::{ApiCredential, ApiPermission, ClientId, CompanyId, SecretHash};
use relais_connections::{
    AuditEvent, Connection, ConnectionId, ConnectionState, DemoRequest, IntegrationRequest,
    StoredAnswer, WizardProgress,
};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, int, json, parse_timestamp,
    parse_uuid, timestamp,
};
use crate::{ConnectionSave, ConnectionStore, ConnectionWrite, NewIntegrationRequest, StoreError};

const COLUMNS: &str = "id, company_id, integration, state, state_since, progress, answers, credential, created_at, revision";

fn connection_row(row: &Row) -> Result<Connection, StoreError> {
    const T: &str = "connections";
    let id: String = get(T, row, 0)?;
    let company_id: String = get(T, row, 1)?;
    let integration: String = get(T, row, 2)?;
    let state: String = get(T, row, 3)?;
    let since: String = get(T, row, 4)?;
    let progress: String = get(T, row, 5)?;
    let answers: String = get(T, row, 6)?;
    let credential: Option<String> = get(T, row, 7)?;
    let created: String = get(T, row, 8)?;
    let revision: i64 = get(T, row, 9)?;
    Ok(Connection {
        id: ConnectionId(parse_uuid(T, &id)?),
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        integration,
        state: serde_json::from_str::<ConnectionState>(&state).map_err(|e| corrupt(T, e))?,
        state_since: parse_timestamp(T, &since)?,
        progress: serde_json::from_str::<WizardProgress>(&progress).map_err(|e| corrupt(T, e))?,
        answers: serde_json::from_str::<BTreeMap<String, StoredAnswer>>(&answers)
            .map_err(|e| corrupt(T, e))?,
        credential: credential
            .map(|c| ClientId::parse(&c).map_err(|e| corrupt(T, e)))
            .transpose()?,
        created_at: parse_timestamp(T, &created)?,
        revision: u64::try_from(revision).map_err(|e| corrupt(T, e))?,
    })
}

/// Appends `events` to the audit trail inside the caller's transaction.
pub(super) fn insert_events(
    tx: &mut Transaction<'_>,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let insert = tx
        .prepare(
            "INSERT INTO audit_events (company_id, at, actor, subject_type, subject_id, action, before, after, reason, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .map_err(backend)?;
    for e in events {
        tx.execute(
            &insert,
            &[
                &e.company_id.0.to_string(),
                &timestamp(e.at),
                &e.actor,
                &e.subject_type,
                &e.subject_id,
                &e.action,
                &e.before,
                &e.after,
                &e.reason,
                &e.details.to_string(),
            ],
        )
        .map_err(backend)?;
    }
    Ok(())
}

fn event_row(row: &Row) -> Result<AuditEvent, StoreError> {
    const T: &str = "audit_events";
    let company_id: String = get(T, row, 0)?;
    let at: String = get(T, row, 1)?;
    let details: String = get(T, row, 9)?;
    Ok(AuditEvent {
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        at: parse_timestamp(T, &at)?,
        actor: get(T, row, 2)?,
        subject_type: get(T, row, 3)?,
        subject_id: get(T, row, 4)?,
        action: get(T, row, 5)?,
        before: get(T, row, 6)?,
        after: get(T, row, 7)?,
        reason: get(T, row, 8)?,
        details: serde_json::from_str(&details).map_err(|e| corrupt(T, e))?,
    })
}

// The credential rows a connection write touches: twins of
// `crate::sqlite::credentials::{COLUMNS, insert_credential, update_credential,
// credential_row}` (the same statements as `pg::credentials` uses).

const CREDENTIAL_COLUMNS: &str = "client_id, company_id, name, integration, scopes, readable_attributes, secret_hash, generation, created_at, updated_at, revoked_at";

/// Inserts a credential inside the caller's transaction, issued for
/// `connection` if it is one's.
fn insert_credential(
    tx: &mut Transaction<'_>,
    c: &ApiCredential,
    connection: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO api_credentials ({CREDENTIAL_COLUMNS}, connection_id)
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

/// Updates a credential of its company; returns whether it exists.
fn update_credential(tx: &mut Transaction<'_>, c: &ApiCredential) -> Result<bool, StoreError> {
    let changed = tx
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

fn credential_row(row: &Row) -> Result<ApiCredential, StoreError> {
    const T: &str = "api_credentials";
    let client_id: String = get(T, row, 0)?;
    let company_id: String = get(T, row, 1)?;
    let scopes: String = get(T, row, 4)?;
    let attributes: String = get(T, row, 5)?;
    let hash: String = get(T, row, 6)?;
    let generation: i64 = get(T, row, 7)?;
    let created: String = get(T, row, 8)?;
    let updated: String = get(T, row, 9)?;
    let revoked: Option<String> = get(T, row, 10)?;
    let last_used: Option<String> = get(T, row, 11)?;
    Ok(ApiCredential {
        client_id: ClientId::parse(&client_id).map_err(|e| corrupt(T, e))?,
        company_id: CompanyId(parse_uuid(T, &company_id)?),
        name: get(T, row, 2)?,
        integration: get(T, row, 3)?,
        scopes: serde_json::from_str::<BTreeSet<ApiPermission>>(&scopes)
            .map_err(|e| corrupt(T, e))?,
        readable_attributes: serde_json::from_str(&attributes).map_err(|e| corrupt(T, e))?,
        secret_hash: SecretHash::from_hex(&hash).map_err(|e| corrupt(T, e))?,
        generation: u32::try_from(generation).map_err(|e| corrupt(T, e))?,
        created_at: parse_timestamp(T, &created)?,
        updated_at: parse_timestamp(T, &updated)?,
        revoked_at: revoked.map(|r| parse_timestamp(T, &r)).transpose()?,
        last_used_at: last_used.map(|r| parse_timestamp(T, &r)).transpose()?,
    })
}

fn active_conflict(integration: &str) -> impl FnOnce() -> String + '_ {
    move || format!("an active connection of '{integration}' in this company")
}

impl ConnectionStore for PostgresStore {
    fn write_connection(&self, write: ConnectionWrite<'_>) -> Result<(), StoreError> {
        let ConnectionWrite {
            connection,
            credentials,
            events,
        } = write;
        self.write(|tx| {
            let mut issued_for = None;
            match connection {
                Some(ConnectionSave::Insert(c)) => {
                    tx.execute(
                        &format!(
                            "INSERT INTO connections ({COLUMNS}, status)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)"
                        ),
                        &[
                            &c.id.to_string(),
                            &c.company_id.0.to_string(),
                            &c.integration,
                            &json(&c.state)?,
                            &timestamp(c.state_since),
                            &json(&c.progress)?,
                            &json(&c.answers)?,
                            &c.credential.as_ref().map(ClientId::as_str),
                            &timestamp(c.created_at),
                            &c.state.status(),
                        ],
                    )
                    .map_err(|e| conflict_or_backend(e, active_conflict(&c.integration)))?;
                    issued_for = Some(c.id.to_string());
                }
                Some(ConnectionSave::Update(c)) => {
                    // Compare-and-set: saved only if nobody saved it since it was read.
                    let changed = tx
                        .execute(
                            "UPDATE connections SET state = $4, status = $5, state_since = $6, progress = $7,
                                answers = $8, credential = $9, revision = revision + 1
                             WHERE id = $1 AND company_id = $2 AND revision = $3",
                            &[
                                &c.id.to_string(),
                                &c.company_id.0.to_string(),
                                &int(c.revision),
                                &json(&c.state)?,
                                &c.state.status(),
                                &timestamp(c.state_since),
                                &json(&c.progress)?,
                                &json(&c.answers)?,
                                &c.credential.as_ref().map(ClientId::as_str),
                            ],
                        )
                        .map_err(|e| conflict_or_backend(e, active_conflict(&c.integration)))?;
                    if changed == 0 {
                        return Err(StoreError::Changed(format!(
                            "connection {} was changed by another request meanwhile; reload it and try again",
                            c.id
                        )));
                    }
                    issued_for = Some(c.id.to_string());
                }
                None => {}
            }
            for credential in &credentials {
                if !update_credential(tx, credential)? {
                    insert_credential(tx, credential, issued_for.as_deref())?;
                }
            }
            insert_events(tx, &events)
        })
    }

    fn connection_credentials(
        &self,
        company: CompanyId,
        connection: ConnectionId,
    ) -> Result<Vec<ApiCredential>, StoreError> {
        let (company, connection) = (company.0.to_string(), connection.to_string());
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {CREDENTIAL_COLUMNS}, last_used_at FROM api_credentials
                         WHERE company_id = $1 AND connection_id = $2 ORDER BY created_at, client_id"
                    ),
                    &[&company, &connection],
                )
                .map_err(backend)?
                .iter()
                .map(credential_row)
                .collect()
        })
    }

    fn connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<Connection>, StoreError> {
        let (company, id) = (company.0.to_string(), id.to_string());
        self.run(|client| {
            client
                .query_opt(
                    &format!("SELECT {COLUMNS} FROM connections WHERE company_id = $1 AND id = $2"),
                    &[&company, &id],
                )
                .map_err(backend)?
                .as_ref()
                .map(connection_row)
                .transpose()
        })
    }

    fn connections(
        &self,
        company: CompanyId,
        include_disconnected: bool,
    ) -> Result<Vec<Connection>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM connections
                         WHERE company_id = $1 AND ($2 OR status <> 'disconnected') ORDER BY id"
                    ),
                    &[&company, &include_disconnected],
                )
                .map_err(backend)?
                .iter()
                .map(connection_row)
                .collect()
        })
    }

    fn connection_by_credential(
        &self,
        client_id: &ClientId,
    ) -> Result<Option<Connection>, StoreError> {
        let client_id = client_id.as_str();
        self.run(|client| {
            // SQLite's `query_row` reads the first of several rows; so does this.
            client
                .query(
                    &format!(
                        "SELECT {COLUMNS} FROM connections
                         WHERE credential = $1 AND status <> 'disconnected' LIMIT 1"
                    ),
                    &[&client_id],
                )
                .map_err(backend)?
                .first()
                .map(connection_row)
                .transpose()
        })
    }

    fn append_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        self.write(|tx| insert_events(tx, events))
    }

    fn audit_events(
        &self,
        company: CompanyId,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let company = company.0.to_string();
        self.run(|client| {
            client
                .query(
                    "SELECT company_id, at, actor, subject_type, subject_id, action, before, after, reason, details
                     FROM audit_events WHERE company_id = $1 AND subject_type = $2 AND subject_id = $3 ORDER BY id",
                    &[&company, &subject_type, &subject_id],
                )
                .map_err(backend)?
                .iter()
                .map(event_row)
                .collect()
        })
    }

    fn insert_demo_request(&self, r: &DemoRequest, event: AuditEvent) -> Result<(), StoreError> {
        let (id, company, at) = (
            r.id.to_string(),
            r.company_id.0.to_string(),
            timestamp(r.created_at),
        );
        self.write(|tx| {
            tx.execute(
                "INSERT INTO demo_requests (id, company_id, integration, requested_by, message, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &company, &r.integration, &r.requested_by, &r.message, &at],
            )
            .map_err(backend)?;
            insert_events(tx, std::slice::from_ref(&event))
        })
    }

    fn demo_requests(
        &self,
        company: Option<CompanyId>,
        integration: Option<&str>,
    ) -> Result<Vec<DemoRequest>, StoreError> {
        let company = company.map(|c| c.0.to_string());
        self.run(|client| {
            let rows = client
                .query(
                    "SELECT id, company_id, integration, requested_by, message, created_at FROM demo_requests
                     WHERE ($1::TEXT IS NULL OR company_id = $1) AND ($2::TEXT IS NULL OR integration = $2)
                     ORDER BY created_at DESC, id DESC",
                    &[&company, &integration],
                )
                .map_err(backend)?;
            rows.iter()
                .map(|row| {
                    const T: &str = "demo_requests";
                    let id: String = get(T, row, 0)?;
                    let company_id: String = get(T, row, 1)?;
                    let created: String = get(T, row, 5)?;
                    Ok(DemoRequest {
                        id: parse_uuid(T, &id)?,
                        company_id: CompanyId(parse_uuid(T, &company_id)?),
                        integration: get(T, row, 2)?,
                        requested_by: get(T, row, 3)?,
                        message: get(T, row, 4)?,
                        created_at: parse_timestamp(T, &created)?,
                    })
                })
                .collect()
        })
    }

    fn add_integration_request(
        &self,
        r: &NewIntegrationRequest<'_>,
        event: AuditEvent,
    ) -> Result<IntegrationRequest, StoreError> {
        let (at, company) = (timestamp(r.at), r.company_id.0.to_string());
        let name = r.name.trim();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO integration_requests (normalized_name, name, website, count, first_requested_at, last_requested_at)
                 VALUES ($1, $2, $3, 1, $4, $4)
                 ON CONFLICT (normalized_name) DO UPDATE SET count = integration_requests.count + 1,
                    last_requested_at = excluded.last_requested_at,
                    website = COALESCE(integration_requests.website, excluded.website)",
                &[&r.normalized_name, &name, &r.website, &at],
            )
            .map_err(backend)?;
            tx.execute(
                "INSERT INTO integration_request_entries (normalized_name, company_id, requested_by, use_case, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&r.normalized_name, &company, &r.requested_by, &r.use_case, &at],
            )
            .map_err(backend)?;
            insert_events(tx, std::slice::from_ref(&event))?;
            integration_requests(tx, Some(&company))?
                .into_iter()
                .find(|i| i.normalized_name == r.normalized_name)
                .ok_or_else(|| StoreError::Backend("the request vanished".into()))
        })
    }

    fn integration_requests(
        &self,
        company: Option<CompanyId>,
    ) -> Result<Vec<IntegrationRequest>, StoreError> {
        let company = company.map(|c| c.0.to_string());
        self.run(|client| integration_requests(client, company.as_deref()))
    }
}

/// Requests for missing integrations as `company` made them (its own
/// requests, count and use cases only), or as every company did (`None`).
fn integration_requests(
    client: &mut impl GenericClient,
    company: Option<&str>,
) -> Result<Vec<IntegrationRequest>, StoreError> {
    let rows = client
        .query(
            "SELECT r.normalized_name, r.name, r.website, count(*), min(e.created_at), max(e.created_at),
                    COALESCE(json_agg(e.use_case ORDER BY e.id), '[]')::TEXT
             FROM integration_requests r JOIN integration_request_entries e ON e.normalized_name = r.normalized_name
             WHERE $1::TEXT IS NULL OR e.company_id = $1
             GROUP BY r.normalized_name
             ORDER BY count(*) DESC, r.normalized_name",
            &[&company],
        )
        .map_err(backend)?;
    rows.iter()
        .map(|row| {
            const T: &str = "integration_requests";
            let first: String = get(T, row, 4)?;
            let last: String = get(T, row, 5)?;
            let cases: String = get(T, row, 6)?;
            let count: i64 = get(T, row, 3)?;
            Ok(IntegrationRequest {
                normalized_name: get(T, row, 0)?,
                name: get(T, row, 1)?,
                website: get(T, row, 2)?,
                count: u64::try_from(count).unwrap_or(0),
                use_cases: serde_json::from_str(&cases).map_err(|e| corrupt(T, e))?,
                first_requested_at: parse_timestamp(T, &first)?,
                last_requested_at: parse_timestamp(T, &last)?,
            })
        })
        .collect()
}
