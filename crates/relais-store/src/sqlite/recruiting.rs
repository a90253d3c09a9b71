//! Recruiting in SQLite: documents with the columns queries need, and the
//! one transaction that stores an application.

use chrono::{DateTime, Duration, Utc};
use relais_access::{Company, CompanyId, SecretHash};
use relais_recruiting::application::CheckedApplication;
use relais_recruiting::demo::RecruitingDemo;
use relais_recruiting::{
    Application, ApplicationSource, Candidate, JobDraft, JobPosition, Phase, StageTransition,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::access::company_row;
use super::people::tenant;
use super::{
    SqliteStore, backend, corrupt, json, parse_timestamp, parse_uuid, sortable, timestamp,
};
use crate::layout::from_json as document;
use crate::{
    After, ApplicationOutcome, CandidateInput, NewUpload, RecruitingFilter, RecruitingSettings,
    RecruitingStore, StoreError, UploadInfo,
};

fn settings(conn: &Connection, tenant: i64) -> Result<RecruitingSettings, StoreError> {
    let row = conn
        .query_row(
            "SELECT key_hash, key_created_at, enabled, public_api, xml_feed, document
             FROM recruiting_setups WHERE tenant = ?1",
            [tenant],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )
        .optional()
        .map_err(backend)?;
    let Some((key, key_created_at, enabled, public_api, xml_feed, setup)) = row else {
        return Ok(RecruitingSettings::default());
    };
    Ok(RecruitingSettings {
        key: key
            .map(|k| SecretHash::from_hex(&k).map_err(|e| corrupt("recruiting_setups", e)))
            .transpose()?,
        key_created_at: key_created_at
            .map(|t| parse_timestamp("recruiting_setups", &t))
            .transpose()?,
        enabled,
        public_api,
        xml_feed,
        setup: document("recruiting_setups", &setup)?,
    })
}

fn save_settings(
    conn: &Connection,
    tenant: i64,
    settings: &RecruitingSettings,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO recruiting_setups
             (tenant, key_hash, key_created_at, enabled, public_api, xml_feed, document)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tenant) DO UPDATE SET key_hash = excluded.key_hash,
             key_created_at = excluded.key_created_at, enabled = excluded.enabled,
             public_api = excluded.public_api, xml_feed = excluded.xml_feed,
             document = excluded.document",
        params![
            tenant,
            settings.key.as_ref().map(SecretHash::to_hex),
            settings.key_created_at.map(timestamp),
            settings.enabled,
            settings.public_api,
            settings.xml_feed,
            json(&settings.setup)?,
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn job_row(row: &Row<'_>) -> rusqlite::Result<Result<JobPosition, StoreError>> {
    let text: String = row.get(0)?;
    Ok(document("job_positions", &text))
}

fn application_row(row: &Row<'_>) -> rusqlite::Result<Result<Application, StoreError>> {
    let text: String = row.get(0)?;
    Ok(document("applications", &text))
}

fn candidate_row(row: &Row<'_>) -> rusqlite::Result<Result<Candidate, StoreError>> {
    let text: String = row.get(0)?;
    Ok(document("candidates", &text))
}

fn next_id(conn: &Connection, table: &str, tenant: i64) -> Result<i64, StoreError> {
    conn.query_row(
        &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table} WHERE tenant = ?1"),
        [tenant],
        |r| r.get(0),
    )
    .map_err(backend)
}

fn insert_job_row(conn: &Connection, tenant: i64, job: &JobPosition) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO job_positions (tenant, id, published, updated_at, document)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            tenant,
            job.id,
            job.draft.published,
            sortable(job.updated_at),
            json(job)?
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn insert_candidate_row(
    conn: &Connection,
    tenant: i64,
    candidate: &Candidate,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO candidates (tenant, id, email, updated_at, document)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (tenant, id) DO UPDATE SET email = excluded.email,
             updated_at = excluded.updated_at, document = excluded.document",
        params![
            tenant,
            candidate.id,
            candidate.email,
            sortable(candidate.updated_at),
            json(candidate)?
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn insert_application_row(
    conn: &Connection,
    tenant: i64,
    application: &Application,
    transitions: &[StageTransition],
) -> Result<bool, StoreError> {
    let inserted = conn
        .execute(
            "INSERT INTO applications (tenant, id, candidate_id, job_id, updated_at, document)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant, job_id, candidate_id) DO NOTHING",
            params![
                tenant,
                application.id,
                application.candidate_id,
                application.job_id,
                sortable(application.updated_at),
                json(application)?
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Ok(false);
    }
    let mut statement = conn
        .prepare_cached(
            "INSERT INTO application_transitions (tenant, application_id, seq, entered_at, phase)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(backend)?;
    for (seq, transition) in transitions.iter().enumerate() {
        statement
            .execute(params![
                tenant,
                application.id,
                seq as i64,
                sortable(transition.entered_at),
                json(&transition.phase)?
            ])
            .map_err(backend)?;
    }
    Ok(true)
}

/// The `WHERE` of a page, after `tenant = ?1`: the filter and the keyset,
/// with their values from `?2` on.
fn page_clause(
    filter: &RecruitingFilter,
    after: Option<After>,
    email_column: &str,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut clause = String::new();
    let mut values = Vec::new();
    let mut bind = |clause: &mut String, sql: &str, value: Value| {
        values.push(value);
        clause.push_str(&sql.replace('?', &format!("?{}", values.len() + 1)));
    };
    if let Some(at) = filter.updated_after {
        bind(
            &mut clause,
            " AND updated_at > ?",
            Value::Text(sortable(at)),
        );
    }
    if let Some(at) = filter.updated_before {
        bind(
            &mut clause,
            " AND updated_at < ?",
            Value::Text(sortable(at)),
        );
    }
    if let Some(email) = &filter.email {
        bind(
            &mut clause,
            &format!(" AND {email_column} = ?"),
            Value::Text(email.clone()),
        );
    }
    if let Some(after) = after {
        let at = sortable(after.updated_at);
        bind(&mut clause, " AND (updated_at < ?", Value::Text(at.clone()));
        bind(&mut clause, " OR (updated_at = ?", Value::Text(at));
        bind(&mut clause, " AND id < ?))", Value::Integer(after.id));
    }
    (clause, values)
}

impl RecruitingStore for SqliteStore {
    fn company_by_number(&self, number: i64) -> Result<Option<Company>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT id, name, slug, created_at FROM companies WHERE tenant = ?1",
            [number],
            company_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn company_number(&self, company: CompanyId) -> Result<i64, StoreError> {
        tenant(&*self.conn()?, company)
    }

    fn recruiting_settings(&self, company: CompanyId) -> Result<RecruitingSettings, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        settings(&conn, tenant)
    }

    fn save_recruiting_settings(
        &self,
        company: CompanyId,
        settings: &RecruitingSettings,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        save_settings(&conn, tenant, settings)
    }

    fn update_recruiting_settings(
        &self,
        company: CompanyId,
        change: &mut (dyn FnMut(&mut RecruitingSettings) + Send),
    ) -> Result<RecruitingSettings, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let mut current = settings(&tx, tenant)?;
        change(&mut current);
        save_settings(&tx, tenant, &current)?;
        tx.commit().map_err(backend)?;
        Ok(current)
    }

    fn insert_job(
        &self,
        company: CompanyId,
        draft: &JobDraft,
        now: DateTime<Utc>,
    ) -> Result<JobPosition, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let job = JobPosition {
            id: next_id(&tx, "job_positions", tenant)?,
            draft: draft.clone(),
            created_at: now,
            updated_at: now,
        };
        insert_job_row(&tx, tenant, &job)?;
        tx.commit().map_err(backend)?;
        Ok(job)
    }

    fn update_job(
        &self,
        company: CompanyId,
        id: i64,
        draft: &JobDraft,
    ) -> Result<Option<JobPosition>, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let now = Utc::now();
        let Some(mut job) = tx
            .query_row(
                "SELECT document FROM job_positions WHERE tenant = ?1 AND id = ?2",
                params![tenant, id],
                job_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?
        else {
            return Ok(None);
        };
        job.draft = draft.clone();
        job.updated_at = now;
        tx.execute(
            "UPDATE job_positions SET published = ?3, updated_at = ?4, document = ?5
             WHERE tenant = ?1 AND id = ?2",
            params![tenant, id, job.draft.published, sortable(now), json(&job)?],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(Some(job))
    }

    fn jobs(&self, company: CompanyId) -> Result<Vec<JobPosition>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached("SELECT document FROM job_positions WHERE tenant = ?1 ORDER BY id")
            .map_err(backend)?;
        let rows = statement.query_map([tenant], job_row).map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn job(&self, company: CompanyId, id: i64) -> Result<Option<JobPosition>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        conn.query_row(
            "SELECT document FROM job_positions WHERE tenant = ?1 AND id = ?2",
            params![tenant, id],
            job_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn insert_upload(&self, company: CompanyId, upload: &NewUpload) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        tx.execute(
            "DELETE FROM recruiting_uploads
             WHERE tenant = ?1 AND application_id IS NULL AND created_at < ?2",
            params![tenant, sortable(upload.created_at - Duration::days(1))],
        )
        .map_err(backend)?;
        tx.execute(
            "INSERT INTO recruiting_uploads (tenant, id, original_filename, extension, mimetype,
                 size, sha256, content, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                tenant,
                upload.id.to_string(),
                upload.facts.original_filename,
                upload.facts.extension,
                upload.facts.mimetype,
                upload.content.len() as i64,
                upload.sha256,
                upload.content,
                sortable(upload.created_at),
            ],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn upload(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(UploadInfo, Vec<u8>)>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        conn.query_row(
            "SELECT id, original_filename, extension, mimetype, size, application_id, created_at,
                    content
             FROM recruiting_uploads WHERE tenant = ?1 AND id = ?2",
            params![tenant, id.to_string()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                ))
            },
        )
        .optional()
        .map_err(backend)?
        .map(
            |(id, name, extension, mimetype, size, application, created, content)| {
                Ok((
                    UploadInfo {
                        id: parse_uuid("recruiting_uploads", &id)?,
                        original_filename: name,
                        extension,
                        mimetype,
                        size: u64::try_from(size).unwrap_or(0),
                        application_id: application,
                        created_at: parse_timestamp("recruiting_uploads", &created)?,
                    },
                    content,
                ))
            },
        )
        .transpose()
    }

    fn insert_application(
        &self,
        company: CompanyId,
        input: &CandidateInput,
        checked: &CheckedApplication,
        source: ApplicationSource,
    ) -> Result<ApplicationOutcome, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // Immediate (see `configure`): the numbers drawn below stay ours
        // until the commit, and so does the time: a reader that has seen an
        // application changed at `now` will not see one commit later with
        // an earlier time.
        let tx = conn.transaction().map_err(backend)?;
        let now = Utc::now();
        let existing = tx
            .query_row(
                "SELECT document FROM candidates WHERE tenant = ?1 AND email = ?2",
                params![tenant, input.email],
                candidate_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?;
        let candidate = match existing {
            Some(found) => Candidate {
                details: input.details.updated_with(&found.details),
                updated_at: now,
                ..found
            },
            None => Candidate {
                id: next_id(&tx, "candidates", tenant)?,
                email: input.email.clone(),
                first_name: input.first_name.clone(),
                last_name: input.last_name.clone(),
                details: input.details.clone(),
                created_at: now,
                updated_at: now,
            },
        };
        let application = checked.application(
            next_id(&tx, "applications", tenant)?,
            candidate.id,
            source,
            now,
        );
        insert_candidate_row(&tx, tenant, &candidate)?;
        let first = [StageTransition {
            phase: application.phase,
            entered_at: now,
        }];
        if !insert_application_row(&tx, tenant, &application, &first)? {
            return Ok(ApplicationOutcome::AlreadyApplied);
        }
        let mut missing = Vec::new();
        for (index, file) in application.files.iter().enumerate() {
            let attached = tx
                .execute(
                    "UPDATE recruiting_uploads SET application_id = ?3
                     WHERE tenant = ?1 AND id = ?2 AND application_id IS NULL
                       AND created_at >= ?4",
                    params![
                        tenant,
                        file.upload.to_string(),
                        application.id,
                        sortable(now - Duration::days(1))
                    ],
                )
                .map_err(backend)?;
            if attached != 1 {
                missing.push(index);
            }
        }
        if !missing.is_empty() {
            return Ok(ApplicationOutcome::MissingFiles(missing));
        }
        let mut current = settings(&tx, tenant)?;
        let mut new_tag = false;
        for tag in &application.tags {
            if !current
                .setup
                .tags
                .iter()
                .any(|t| t.eq_ignore_ascii_case(tag))
            {
                current.setup.tags.push(tag.clone());
                new_tag = true;
            }
        }
        if new_tag {
            save_settings(&tx, tenant, &current)?;
        }
        tx.commit().map_err(backend)?;
        Ok(ApplicationOutcome::Stored(application))
    }

    fn applications(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Application>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let (clause, mut values) = page_clause(
            filter,
            after,
            "(SELECT email FROM candidates c WHERE c.tenant = applications.tenant
                AND c.id = applications.candidate_id)",
        );
        values.insert(0, tenant.into());
        let sql = format!(
            "SELECT document FROM applications WHERE tenant = ?1{clause}
             ORDER BY updated_at DESC, id DESC LIMIT {limit}"
        );
        let mut statement = conn.prepare(&sql).map_err(backend)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), application_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn application(&self, company: CompanyId, id: i64) -> Result<Option<Application>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        conn.query_row(
            "SELECT document FROM applications WHERE tenant = ?1 AND id = ?2",
            params![tenant, id],
            application_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn applications_of(
        &self,
        company: CompanyId,
        candidates: &[i64],
    ) -> Result<Vec<Application>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached(
                "SELECT document FROM applications
                 WHERE tenant = ?1 AND candidate_id IN (SELECT value FROM json_each(?2))
                 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(params![tenant, json(&candidates)?], application_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn candidates(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let (clause, mut values) = page_clause(filter, after, "email");
        values.insert(0, tenant.into());
        let sql = format!(
            "SELECT document FROM candidates WHERE tenant = ?1{clause}
             ORDER BY updated_at DESC, id DESC LIMIT {limit}"
        );
        let mut statement = conn.prepare(&sql).map_err(backend)?;
        let rows = statement
            .query_map(rusqlite::params_from_iter(values), candidate_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn candidates_by_id(
        &self,
        company: CompanyId,
        ids: &[i64],
    ) -> Result<Vec<Candidate>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached(
                "SELECT document FROM candidates
                 WHERE tenant = ?1 AND id IN (SELECT value FROM json_each(?2))",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(params![tenant, json(&ids)?], candidate_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn stage_transitions(
        &self,
        company: CompanyId,
        application: i64,
    ) -> Result<Vec<StageTransition>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached(
                "SELECT entered_at, phase FROM application_transitions
                 WHERE tenant = ?1 AND application_id = ?2 ORDER BY seq",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(params![tenant, application], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(backend)?;
        rows.map(|r| {
            let (at, phase) = r.map_err(backend)?;
            Ok(StageTransition {
                entered_at: parse_timestamp("application_transitions", &at)?,
                phase: document::<Phase>("application_transitions", &phase)?,
            })
        })
        .collect()
    }

    fn replace_recruiting(
        &self,
        company: CompanyId,
        demo: &RecruitingDemo,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        for table in [
            "application_transitions",
            "recruiting_uploads",
            "applications",
            "candidates",
            "job_positions",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE tenant = ?1"), [tenant])
                .map_err(backend)?;
        }
        let mut current = settings(&tx, tenant)?;
        current.setup = demo.setup.clone();
        save_settings(&tx, tenant, &current)?;
        for job in &demo.jobs {
            insert_job_row(&tx, tenant, job)?;
        }
        for candidate in &demo.candidates {
            insert_candidate_row(&tx, tenant, candidate)?;
        }
        for (application, transitions) in &demo.applications {
            insert_application_row(&tx, tenant, application, transitions)?;
        }
        tx.commit().map_err(backend)
    }
}
