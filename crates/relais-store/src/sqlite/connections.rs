use std::collections::BTreeMap;

use relais_access::{ClientId, CompanyId};
use relais_connections::{
    AuditEvent, Connection, ConnectionId, ConnectionState, DemoRequest, IntegrationRequest,
    StoredAnswer, WizardProgress,
};
use rusqlite::{OptionalExtension, Row, params};

use super::{
    SqliteStore, backend, conflict_or_backend, corrupt, json, parse_timestamp, parse_uuid,
    timestamp,
};
use crate::{ConnectionStore, ConnectionWrite, NewIntegrationRequest, StoreError};

const COLUMNS: &str =
    "id, company_id, integration, state, state_since, progress, answers, credential, created_at";

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
        })
    })())
}

fn insert_events(conn: &rusqlite::Connection, events: &[AuditEvent]) -> Result<(), StoreError> {
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
        if let Some(c) = write.connection {
            tx.execute(
                &format!(
                    "INSERT INTO connections ({COLUMNS}, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (id) DO UPDATE SET state = excluded.state, status = excluded.status,
                        state_since = excluded.state_since, progress = excluded.progress,
                        answers = excluded.answers, credential = excluded.credential
                     WHERE connections.company_id = excluded.company_id"
                ),
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
        }
        for credential in &write.credentials {
            if !super::credentials::update_credential(&tx, credential)? {
                super::credentials::insert_credential(&tx, credential)?;
            }
        }
        insert_events(&tx, &write.events)?;
        tx.commit().map_err(backend)
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
        conn.query_row(
            &format!("SELECT {COLUMNS} FROM connections WHERE credential = ?1 AND status != 'disconnected'"),
            [client_id.as_str()],
            connection_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn append_audit(&self, events: &[AuditEvent]) -> Result<(), StoreError> {
        insert_events(&*self.conn()?, events)
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
        tx.commit().map_err(backend)?;
        self.integration_requests()?
            .into_iter()
            .find(|i| i.normalized_name == r.normalized_name)
            .ok_or_else(|| StoreError::Backend("the request vanished".into()))
    }

    fn integration_requests(&self) -> Result<Vec<IntegrationRequest>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare(
                "SELECT r.normalized_name, r.name, r.website, r.count, r.first_requested_at, r.last_requested_at,
                        (SELECT json_group_array(use_case) FROM (SELECT use_case FROM integration_request_entries e
                          WHERE e.normalized_name = r.normalized_name ORDER BY e.id))
                 FROM integration_requests r ORDER BY r.count DESC, r.normalized_name",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map([], |row| {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};

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
