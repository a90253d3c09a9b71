//! PostgreSQL: see `crate::sqlite::connections` (the same queries in PostgreSQL's dialect).

use std::collections::BTreeMap;

use postgres::{GenericClient, Row, Transaction};
use relais_access::{ApiCredential, ClientId, CompanyId};
use relais_connections::{
    AuditEvent, Connection, ConnectionId, ConnectionState, DemoRequest, IntegrationRequest,
    StoredAnswer, WizardProgress,
};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, int, json, parse_timestamp,
    parse_uuid, prepared, timestamp,
};
use crate::{ConnectionSave, ConnectionStore, ConnectionWrite, NewIntegrationRequest, StoreError};

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
    let outbox: Vec<_> = events.iter().flat_map(relais_events::from_audit).collect();
    super::webhooks::insert_outbox(tx, &outbox)
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

use super::credentials::{
    COLUMNS as CREDENTIAL_COLUMNS, credential_row, insert_credential, update_credential,
};
use crate::layout::CONNECTION_COLUMNS as COLUMNS;

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
            let statement = prepared(
                client,
                &format!(
                    "SELECT {COLUMNS} FROM connections
                     WHERE credential = $1 AND status <> 'disconnected' LIMIT 1"
                ),
            )?;
            client
                .query(&statement, &[&client_id])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::tests::{database, seed_company};
    use crate::{AccessStore, SqliteStore};
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};

    /// The same company in a new SQLite store (its admin and token too).
    fn sqlite_with(dir: &tempfile::TempDir, companies: &[&Company]) -> SqliteStore {
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        for (k, company) in companies.iter().enumerate() {
            let now = Utc::now();
            let admin = User::new(
                company.id,
                &format!("a{k}@example.com"),
                "A",
                MarketplaceRight::Edit,
                now,
            )
            .unwrap();
            let token = PersonalAccessToken::issue(&admin, "t", now, None)
                .unwrap()
                .record;
            store.create_company(company, &admin, &token).unwrap();
        }
        store
    }

    fn pending(company: &Company, integration: &str) -> Connection {
        let now = Utc::now();
        Connection {
            id: ConnectionId::new(),
            company_id: company.id,
            integration: integration.into(),
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
            std::collections::BTreeSet::new(),
            Utc::now(),
        )
        .unwrap()
        .0
    }

    fn event(company: &Company, subject: &str, action: &str) -> AuditEvent {
        AuditEvent {
            company_id: company.id,
            at: "2026-01-02T03:04:05.123456789Z".parse().unwrap(),
            actor: "operator".into(),
            subject_type: "connection".into(),
            subject_id: subject.into(),
            action: action.into(),
            before: None,
            after: Some("pending".into()),
            reason: Some("asked".into()),
            details: serde_json::json!({"n": 1, "more": {"x": [1, 2]}}),
        }
    }

    fn variant(result: Result<(), StoreError>) -> String {
        match result {
            Ok(()) => "ok".into(),
            Err(StoreError::Conflict(m)) => format!("conflict: {m}"),
            Err(StoreError::Changed(m)) => format!("changed: {m}"),
            Err(other) => format!("other: {other}"),
        }
    }

    #[test]
    fn connection_writes_read_and_refuse_as_on_sqlite() {
        let Some(db) = database("pg_connection_writes_as_on_sqlite") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let company = seed_company(&pg, "Acme GmbH");
        let dir = tempfile::tempdir().unwrap();
        let lite = sqlite_with(&dir, &[&company]);
        let stores: [&dyn ConnectionStore; 2] = [&lite, &pg];

        let first = pending(&company, "tableau");
        let twin = pending(&company, "tableau");
        let other = pending(&company, "personio");
        let (issued, loser) = (credential(&company), credential(&company));
        let mut connected = first.clone();
        connected.state = ConnectionState::Connected;
        connected.credential = Some(issued.client_id.clone());
        let mut revoked = issued.clone();
        revoked.revoked_at = Some(Utc::now());
        let mut disconnected = connected.clone();
        disconnected.revision = 1;
        disconnected.state = ConnectionState::Disconnected;

        let mut outcomes: Vec<Vec<String>> = Vec::new();
        for store in stores {
            let mut seen = Vec::new();
            let mut step = |w: ConnectionWrite<'_>| seen.push(variant(store.write_connection(w)));
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Insert(&first)),
                credentials: vec![],
                events: vec![event(&company, "c1", "connection.start")],
            });
            // A second active connection of the integration: refused, nothing written.
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Insert(&twin)),
                credentials: vec![],
                events: vec![event(&company, "c1", "connection.twin")],
            });
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Insert(&other)),
                ..ConnectionWrite::default()
            });
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Update(&connected)),
                credentials: vec![&issued],
                events: vec![event(&company, "c1", "connection.connect")],
            });
            // Read at revision 0 too: the compare-and-set refuses it.
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Update(&connected)),
                credentials: vec![&loser],
                events: vec![event(&company, "c1", "connection.lost")],
            });
            // An existing credential is updated, not inserted.
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Update(&disconnected)),
                credentials: vec![&revoked],
                events: vec![],
            });
            // Disconnected: a new one of the integration may start.
            step(ConnectionWrite {
                connection: Some(ConnectionSave::Insert(&twin)),
                ..ConnectionWrite::default()
            });
            // A credential without a connection.
            step(ConnectionWrite {
                connection: None,
                credentials: vec![&loser],
                events: vec![],
            });
            outcomes.push(seen);
        }
        assert_eq!(outcomes[0], outcomes[1]);
        assert!(outcomes[0][1].starts_with("conflict: an active connection of 'tableau'"));
        assert!(outcomes[0][4].starts_with("changed: "));

        let read = |store: &dyn ConnectionStore| {
            (
                store.connection(company.id, first.id).unwrap(),
                store.connection(company.id, ConnectionId::new()).unwrap(),
                store.connections(company.id, false).unwrap(),
                store.connections(company.id, true).unwrap(),
                store.connection_credentials(company.id, first.id).unwrap(),
                store.connection_credentials(company.id, twin.id).unwrap(),
                store.connection_by_credential(&issued.client_id).unwrap(),
                store.audit_events(company.id, "connection", "c1").unwrap(),
            )
        };
        let (on_sqlite, on_pg) = (read(&lite), read(&pg));
        assert_eq!(on_sqlite, on_pg);
        assert_eq!(on_pg.0.as_ref().unwrap().revision, 2);
        assert_eq!(on_pg.3.len(), 3);
        assert_eq!(on_pg.4.len(), 1);
        assert!(on_pg.4[0].revoked_at.is_some());
        assert!(on_pg.6.is_none(), "disconnected");
        assert_eq!(
            on_pg
                .7
                .iter()
                .map(|e| e.action.as_str())
                .collect::<Vec<_>>(),
            ["connection.start", "connection.connect"]
        );
    }

    #[test]
    fn the_audit_trail_is_append_only_and_requests_merge_as_on_sqlite() {
        let Some(db) = database("pg_audit_and_requests_as_on_sqlite") else {
            return;
        };
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let (acme, globex) = (
            seed_company(&pg, "Acme GmbH"),
            seed_company(&pg, "Globex AG"),
        );
        let dir = tempfile::tempdir().unwrap();
        let lite = sqlite_with(&dir, &[&acme, &globex]);
        let stores: [&dyn ConnectionStore; 2] = [&lite, &pg];
        let t0 = Utc::now();
        let demos: Vec<DemoRequest> = (0..4)
            .map(|k| DemoRequest {
                id: uuid::Uuid::now_v7(),
                company_id: if k % 2 == 0 { acme.id } else { globex.id },
                integration: if k < 3 { "tableau" } else { "personio" }.into(),
                requested_by: format!("user{k}@example.com"),
                message: format!("please {k}"),
                // Two at the same instant: the id decides.
                created_at: t0 + chrono::Duration::seconds(k.min(2)),
            })
            .collect();
        let requests = [
            (&acme, "Work Day", "workday", None, "payroll"),
            (
                &globex,
                "workday",
                "workday",
                Some("https://workday.com"),
                "hr",
            ),
            (&acme, "Zoho", "zoho", Some("https://zoho.com"), "crm"),
            (&acme, " WorkDay ", "workday", Some("https://other"), "time"),
        ];
        let mut merged = Vec::new();
        for store in stores {
            store
                .append_audit(&[
                    event(&acme, "x", "connection.start"),
                    event(&acme, "x", "connection.connect"),
                ])
                .unwrap();
            store.append_audit(&[]).unwrap();
            for d in &demos {
                store
                    .insert_demo_request(d, event(&acme, "d", "demo.request"))
                    .unwrap();
            }
            let mut answers = Vec::new();
            for (k, (company, name, normalized, website, use_case)) in requests.iter().enumerate() {
                let added = store
                    .add_integration_request(
                        &NewIntegrationRequest {
                            company_id: company.id,
                            requested_by: "ana",
                            name,
                            normalized_name: normalized,
                            website: *website,
                            use_case,
                            at: t0 + chrono::Duration::seconds(i64::try_from(k).unwrap()),
                        },
                        event(company, normalized, "integration.request"),
                    )
                    .unwrap();
                answers.push(format!("{added:?}"));
            }
            merged.push((
                answers,
                store.audit_events(acme.id, "connection", "x").unwrap(),
                store
                    .audit_events(acme.id, "connection", "d")
                    .unwrap()
                    .len(),
                store.demo_requests(None, None).unwrap(),
                store.demo_requests(Some(acme.id), None).unwrap(),
                store.demo_requests(None, Some("tableau")).unwrap(),
                store
                    .demo_requests(Some(globex.id), Some("personio"))
                    .unwrap(),
                format!("{:?}", store.integration_requests(None).unwrap()),
                format!("{:?}", store.integration_requests(Some(acme.id)).unwrap()),
            ));
        }
        assert_eq!(merged[0], merged[1]);
        let on_pg = &merged[1];
        assert_eq!(on_pg.1.len(), 2);
        assert_eq!(on_pg.2, 4);
        assert_eq!(on_pg.3.len(), 4);
        assert_eq!(on_pg.3[0].id, demos[3].id, "newest first");
        assert!(on_pg.7.contains("count: 3"), "{}", on_pg.7);

        let refused = pg
            .run(|c| {
                c.batch_execute("UPDATE audit_events SET actor = 'someone else'")
                    .map_err(backend)
            })
            .unwrap_err()
            .to_string();
        assert!(refused.contains("append-only"), "{refused}");
        let refused = pg
            .run(|c| c.batch_execute("DELETE FROM audit_events").map_err(backend))
            .unwrap_err()
            .to_string();
        assert!(refused.contains("append-only"), "{refused}");
        assert_eq!(
            pg.audit_events(acme.id, "connection", "x").unwrap().len(),
            2
        );
    }
}
