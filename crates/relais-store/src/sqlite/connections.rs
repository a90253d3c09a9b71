use std::collections::BTreeMap;

use relais_access::{ApiCredential, ClientId, CompanyId};
use relais_connections::{
    AuditEvent, Connection, ConnectionId, ConnectionState, DemoRequest, IntegrationRequest,
    StoredAnswer, WizardProgress,
};
use rusqlite::{OptionalExtension, Row, params};

use super::CachedRow;
use super::{
    SqliteStore, backend, conflict_or_backend, corrupt, json, parse_timestamp, parse_uuid,
    timestamp,
};
use crate::layout::CONNECTION_COLUMNS as COLUMNS;
use crate::{ConnectionSave, ConnectionStore, ConnectionWrite, NewIntegrationRequest, StoreError};

fn connection_row(row: &Row<'_>) -> rusqlite::Result<Result<Connection, StoreError>> {
    const T: &str = "connections";
    let id: String = row.get(0)?;
    let company_id: String = row.get(1)?;
    let integration: String = row.get(2)?;
    let state: String = row.get(3)?;
    let since: String = row.get(4)?;
    let progress: String = row.get(5)?;
    let answers: String = row.get(6)?;
    let credential: Option<String> = row.get(7)?;
    let created: String = row.get(8)?;
    let revision: i64 = row.get(9)?;
    Ok((|| {
        Ok(Connection {
            id: ConnectionId(parse_uuid(T, &id)?),
            company_id: CompanyId(parse_uuid(T, &company_id)?),
            integration,
            state: serde_json::from_str::<ConnectionState>(&state).map_err(|e| corrupt(T, e))?,
            state_since: parse_timestamp(T, &since)?,
            progress: serde_json::from_str::<WizardProgress>(&progress)
                .map_err(|e| corrupt(T, e))?,
            answers: serde_json::from_str::<BTreeMap<String, StoredAnswer>>(&answers)
                .map_err(|e| corrupt(T, e))?,
            credential: credential
                .map(|c| ClientId::parse(&c).map_err(|e| corrupt(T, e)))
                .transpose()?,
            created_at: parse_timestamp(T, &created)?,
            revision: u64::try_from(revision).map_err(|e| corrupt(T, e))?,
        })
    })())
}

/// Appends `events` to the audit trail, with the events of the outbox
/// they stand for, inside the caller's transaction.
pub(super) fn insert_events(
    conn: &rusqlite::Connection,
    events: &[AuditEvent],
) -> Result<(), StoreError> {
    insert_audit(conn, events)?;
    let outbox: Vec<_> = events.iter().flat_map(relais_events::from_audit).collect();
    super::webhooks::insert_outbox(conn, &outbox)
}

fn insert_audit(conn: &rusqlite::Connection, events: &[AuditEvent]) -> Result<(), StoreError> {
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO audit_events (company_id, at, actor, subject_type, subject_id, action, before, after, reason, details)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .map_err(backend)?;
    for e in events {
        insert
            .execute(params![
                e.company_id.0.to_string(),
                timestamp(e.at),
                e.actor,
                e.subject_type,
                e.subject_id,
                e.action,
                e.before,
                e.after,
                e.reason,
                e.details.to_string(),
            ])
            .map_err(backend)?;
    }
    Ok(())
}

fn event_row(row: &Row<'_>) -> rusqlite::Result<Result<AuditEvent, StoreError>> {
    const T: &str = "audit_events";
    let company_id: String = row.get(0)?;
    let at: String = row.get(1)?;
    let details: String = row.get(9)?;
    let (actor, subject_type, subject_id, action) =
        (row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?);
    let (before, after, reason) = (row.get(6)?, row.get(7)?, row.get(8)?);
    Ok((|| {
        Ok(AuditEvent {
            company_id: CompanyId(parse_uuid(T, &company_id)?),
            at: parse_timestamp(T, &at)?,
            actor,
            subject_type,
            subject_id,
            action,
            before,
            after,
            reason,
            details: serde_json::from_str(&details).map_err(|e| corrupt(T, e))?,
        })
    })())
}

impl ConnectionStore for SqliteStore {
    fn write_connection(&self, write: ConnectionWrite<'_>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let mut issued_for = None;
        match write.connection {
            Some(ConnectionSave::Insert(c)) => {
                tx.execute(
                    &format!("INSERT INTO connections ({COLUMNS}, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)"),
                    params![
                        c.id.to_string(),
                        c.company_id.0.to_string(),
                        c.integration,
                        json(&c.state)?,
                        timestamp(c.state_since),
                        json(&c.progress)?,
                        json(&c.answers)?,
                        c.credential.as_ref().map(ClientId::as_str),
                        timestamp(c.created_at),
                        c.state.status(),
                    ],
                )
                .map_err(|e| conflict_or_backend(e, || format!("an active connection of '{}' in this company", c.integration)))?;
                issued_for = Some(c.id.to_string());
            }
            Some(ConnectionSave::Update(c)) => {
                // Compare-and-set: saved only if nobody saved it since it was read.
                let changed = tx
                    .execute(
                        "UPDATE connections SET state = ?4, status = ?5, state_since = ?6, progress = ?7,
                            answers = ?8, credential = ?9, revision = revision + 1
                         WHERE id = ?1 AND company_id = ?2 AND revision = ?3",
                        params![
                            c.id.to_string(),
                            c.company_id.0.to_string(),
                            i64::try_from(c.revision).unwrap_or(i64::MAX),
                            json(&c.state)?,
                            c.state.status(),
                            timestamp(c.state_since),
                            json(&c.progress)?,
                            json(&c.answers)?,
                            c.credential.as_ref().map(ClientId::as_str),
                        ],
                    )
                    .map_err(|e| conflict_or_backend(e, || format!("an active connection of '{}' in this company", c.integration)))?;
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
        for credential in &write.credentials {
            if !super::credentials::update_credential(&tx, credential)? {
                super::credentials::insert_credential(&tx, credential, issued_for.as_deref())?;
            }
        }
        insert_events(&tx, &write.events)?;
        tx.commit().map_err(backend)
    }

    fn connection_credentials(
        &self,
        company: CompanyId,
        connection: ConnectionId,
    ) -> Result<Vec<ApiCredential>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {}, last_used_at FROM api_credentials WHERE company_id = ?1 AND connection_id = ?2 ORDER BY created_at, client_id",
                super::credentials::COLUMNS
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map(
                [company.0.to_string(), connection.to_string()],
                super::credentials::credential_row,
            )
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn connection(
        &self,
        company: CompanyId,
        id: ConnectionId,
    ) -> Result<Option<Connection>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE company_id = ?1 AND id = ?2"),
            [company.0.to_string(), id.to_string()],
            connection_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn connections(
        &self,
        company: CompanyId,
        include_disconnected: bool,
    ) -> Result<Vec<Connection>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM connections WHERE company_id = ?1 AND (?2 OR status != 'disconnected') ORDER BY id"
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map(
                params![company.0.to_string(), include_disconnected],
                connection_row,
            )
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn connection_by_credential(
        &self,
        client_id: &ClientId,
    ) -> Result<Option<Connection>, StoreError> {
        let conn = self.conn()?;
        conn.cached_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE credential = ?1 AND status != 'disconnected'"),
            [client_id.as_str()],
            connection_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn append_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        // One transaction: the audit events and the events they stand for.
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        insert_events(&tx, events)?;
        tx.commit().map_err(backend)
    }

    fn audit_events(
        &self,
        company: CompanyId,
        subject_type: &str,
        subject_id: &str,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(
                "SELECT company_id, at, actor, subject_type, subject_id, action, before, after, reason, details
                 FROM audit_events WHERE company_id = ?1 AND subject_type = ?2 AND subject_id = ?3 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(
                [
                    company.0.to_string(),
                    subject_type.to_owned(),
                    subject_id.to_owned(),
                ],
                event_row,
            )
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn insert_demo_request(&self, r: &DemoRequest, event: AuditEvent) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        tx.execute(
            "INSERT INTO demo_requests (id, company_id, integration, requested_by, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![r.id.to_string(), r.company_id.0.to_string(), r.integration, r.requested_by, r.message, timestamp(r.created_at)],
        )
        .map_err(backend)?;
        insert_events(&tx, &[event])?;
        tx.commit().map_err(backend)
    }

    fn demo_requests(
        &self,
        company: Option<CompanyId>,
        integration: Option<&str>,
    ) -> Result<Vec<DemoRequest>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(
                "SELECT id, company_id, integration, requested_by, message, created_at FROM demo_requests
                 WHERE (?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR integration = ?2)
                 ORDER BY created_at DESC, id DESC",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(
                params![company.map(|c| c.0.to_string()), integration],
                |row| {
                    const T: &str = "demo_requests";
                    let id: String = row.get(0)?;
                    let company_id: String = row.get(1)?;
                    let created: String = row.get(5)?;
                    let (integration, requested_by, message) =
                        (row.get(2)?, row.get(3)?, row.get(4)?);
                    Ok((|| {
                        Ok(DemoRequest {
                            id: parse_uuid(T, &id)?,
                            company_id: CompanyId(parse_uuid(T, &company_id)?),
                            integration,
                            requested_by,
                            message,
                            created_at: parse_timestamp(T, &created)?,
                        })
                    })())
                },
            )
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn add_integration_request(
        &self,
        r: &NewIntegrationRequest<'_>,
        event: AuditEvent,
    ) -> Result<IntegrationRequest, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn.transaction().map_err(backend)?;
        let at = timestamp(r.at);
        tx.execute(
            "INSERT INTO integration_requests (normalized_name, name, website, count, first_requested_at, last_requested_at)
             VALUES (?1, ?2, ?3, 1, ?4, ?4)
             ON CONFLICT (normalized_name) DO UPDATE SET count = count + 1, last_requested_at = excluded.last_requested_at,
                website = COALESCE(integration_requests.website, excluded.website)",
            params![r.normalized_name, r.name.trim(), r.website, at],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO integration_request_entries (normalized_name, company_id, requested_by, use_case, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![r.normalized_name, r.company_id.0.to_string(), r.requested_by, r.use_case, at],
        )
        .map_err(backend)?;
        insert_events(&tx, &[event])?;
        // Read back on the same connection: a second one taken from the
        // pool while holding this one could deadlock it under load.
        let merged = integration_requests(&tx, Some(r.company_id))?
            .into_iter()
            .find(|i| i.normalized_name == r.normalized_name)
            .ok_or_else(|| StoreError::Backend("the request vanished".into()))?;
        tx.commit().map_err(backend)?;
        Ok(merged)
    }

    fn integration_requests(
        &self,
        company: Option<CompanyId>,
    ) -> Result<Vec<IntegrationRequest>, StoreError> {
        integration_requests(&*self.conn()?, company)
    }
}

/// Requests for missing integrations as `company` made them (its own
/// requests, count and use cases only), or as every company did (`None`).
fn integration_requests(
    conn: &rusqlite::Connection,
    company: Option<CompanyId>,
) -> Result<Vec<IntegrationRequest>, StoreError> {
    let mut statement = conn
        .prepare_cached(
            "SELECT r.normalized_name, r.name, r.website, count(*), min(e.created_at), max(e.created_at),
                    json_group_array(e.use_case ORDER BY e.id)
             FROM integration_requests r JOIN integration_request_entries e ON e.normalized_name = r.normalized_name
             WHERE ?1 IS NULL OR e.company_id = ?1
             GROUP BY r.normalized_name
             ORDER BY count(*) DESC, r.normalized_name",
        )
        .map_err(backend)?;
    let rows = statement
        .query_map([company.map(|c| c.0.to_string())], |row| {
            const T: &str = "integration_requests";
            let first: String = row.get(4)?;
            let last: String = row.get(5)?;
            let cases: String = row.get(6)?;
            let (normalized_name, name, website, count) =
                (row.get(0)?, row.get(1)?, row.get(2)?, row.get::<_, i64>(3)?);
            Ok((|| {
                Ok(IntegrationRequest {
                    name,
                    normalized_name,
                    website,
                    count: u64::try_from(count).unwrap_or(0),
                    use_cases: serde_json::from_str(&cases).map_err(|e| corrupt(T, e))?,
                    first_requested_at: parse_timestamp(T, &first)?,
                    last_requested_at: parse_timestamp(T, &last)?,
                })
            })())
        })
        .map_err(backend)?;
    rows.map(|r| r.map_err(backend)?).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::{AccessStore, CredentialStore};
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};

    fn company(store: &SqliteStore) -> Company {
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
        company
    }

    fn pending(company: &Company) -> Connection {
        let now = Utc::now();
        Connection {
            id: ConnectionId::new(),
            company_id: company.id,
            integration: "tableau".into(),
            state: ConnectionState::transition(None, &relais_connections::ConnectionEvent::Start)
                .unwrap(),
            state_since: now,
            progress: WizardProgress::default(),
            answers: BTreeMap::new(),
            credential: None,
            created_at: now,
            revision: 0,
        }
    }

    fn credential(company: &Company) -> ApiCredential {
        ApiCredential::create(
            company.id,
            "Tableau (connection)",
            Some("tableau".into()),
            std::iter::once("employees:read".parse().unwrap()).collect(),
            BTreeSet::new(),
            Utc::now(),
        )
        .unwrap()
        .0
    }

    #[test]
    fn a_change_made_from_a_stale_revision_is_refused_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let company = company(&store);
        let connection = pending(&company);
        store
            .write_connection(ConnectionWrite {
                connection: Some(ConnectionSave::Insert(&connection)),
                ..ConnectionWrite::default()
            })
            .unwrap();
        // Two requests read revision 0; the first to write wins.
        let (first, second) = (credential(&company), credential(&company));
        store
            .write_connection(ConnectionWrite {
                connection: Some(ConnectionSave::Update(&connection)),
                credentials: vec![&first],
                events: vec![],
            })
            .unwrap();
        let err = store
            .write_connection(ConnectionWrite {
                connection: Some(ConnectionSave::Update(&connection)),
                credentials: vec![&second],
                events: vec![],
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Changed(_)), "{err:?}");
        assert_eq!(
            store
                .connection(company.id, connection.id)
                .unwrap()
                .unwrap()
                .revision,
            1
        );
        let issued = store
            .connection_credentials(company.id, connection.id)
            .unwrap();
        assert_eq!(issued.len(), 1, "the loser's credential was not stored");
        assert_eq!(issued[0].client_id, first.client_id);
        assert!(store.credential(&second.client_id).unwrap().is_none());
    }

    #[test]
    fn credentials_issued_in_a_race_before_this_version_are_found_by_their_audit_event() {
        // The database as version 5 left it: one connection, two live
        // credentials made for it, only one of them bound.
        let (_dir, path, company) = super::super::tests::database_at(5);
        let connection = pending(&company);
        let (bound, extra) = (credential(&company), credential(&company));
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute(
                "INSERT INTO connections (id, company_id, integration, state, state_since, progress, answers, credential, created_at, status)
                 VALUES (?1, ?2, 'tableau', ?3, ?4, '{}', '{}', ?5, ?4, 'connected')",
                params![connection.id.to_string(), company.id.0.to_string(), json(&ConnectionState::Connected).unwrap(), timestamp(Utc::now()), bound.client_id.as_str()],
            )
            .unwrap();
            for c in [&bound, &extra] {
                conn.execute(
                    "INSERT INTO api_credentials (client_id, company_id, name, integration, scopes, readable_attributes, secret_hash, generation, created_at, updated_at, revoked_at)
                     VALUES (?1, ?2, 'x', 'tableau', '[]', '[]', ?3, 0, ?4, ?4, NULL)",
                    params![c.client_id.as_str(), company.id.0.to_string(), c.secret_hash.to_hex(), timestamp(Utc::now())],
                )
                .unwrap();
                // As version 5 wrote it: no outbox then.
                insert_audit(
                    &conn,
                    &[AuditEvent {
                        company_id: company.id,
                        at: Utc::now(),
                        actor: "ana".into(),
                        subject_type: "credential".into(),
                        subject_id: c.client_id.to_string(),
                        action: "credential.create".into(),
                        before: None,
                        after: Some("active".into()),
                        reason: None,
                        details: serde_json::json!({"scopes": [], "more": {"connection": connection.id.to_string()}}),
                    }],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        let issued: BTreeSet<_> = store
            .connection_credentials(company.id, connection.id)
            .unwrap()
            .into_iter()
            .map(|c| c.client_id.to_string())
            .collect();
        assert_eq!(
            issued,
            [bound.client_id.to_string(), extra.client_id.to_string()]
                .into_iter()
                .collect()
        );
    }

    #[test]
    fn the_audit_trail_cannot_be_changed() {
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
        let event = AuditEvent {
            company_id: company.id,
            at: now,
            actor: "operator".into(),
            subject_type: "connection".into(),
            subject_id: "x".into(),
            action: "connection.start".into(),
            before: None,
            after: Some("pending".into()),
            reason: None,
            details: serde_json::json!({}),
        };
        store.append_audit(std::slice::from_ref(&event)).unwrap();
        assert_eq!(
            store.audit_events(company.id, "connection", "x").unwrap(),
            vec![event]
        );
        let conn = store.conn().unwrap();
        let err = conn
            .execute("UPDATE audit_events SET actor = 'someone else'", [])
            .unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert!(conn.execute("DELETE FROM audit_events", []).is_err());
    }
}
