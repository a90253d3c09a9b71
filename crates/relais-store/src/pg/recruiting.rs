//! PostgreSQL: see `crate::sqlite::recruiting` (the same queries in PostgreSQL's dialect).

use chrono::{DateTime, Duration, Utc};
use postgres::types::ToSql;
use postgres::{GenericClient, Row};
use relais_access::{Company, CompanyId, SecretHash};
use relais_recruiting::application::CheckedApplication;
use relais_recruiting::demo::RecruitingDemo;
use relais_recruiting::{
    Application, ApplicationSource, Candidate, JobDraft, JobPosition, Phase, StageTransition,
};

use super::{
    PostgresStore, backend, corrupt, get, int, json, parse_timestamp, parse_uuid, sortable,
    timestamp,
};
use crate::{
    After, ApplicationOutcome, CandidateInput, NewUpload, RecruitingFilter, RecruitingSettings,
    RecruitingStore, StoreError, UploadInfo,
};

use super::access::company_row;
use super::people::tenant;
use crate::layout::from_json as document;

/// The document in column 0 of `row`, of `table`.
fn row_document<T: serde::de::DeserializeOwned>(
    table: &'static str,
    row: &Row,
) -> Result<T, StoreError> {
    document(table, &get::<String>(table, row, 0)?)
}

fn settings(
    client: &mut impl GenericClient,
    tenant: i64,
) -> Result<RecruitingSettings, StoreError> {
    const T: &str = "recruiting_setups";
    let Some(row) = client
        .query_opt(
            "SELECT key_hash, key_created_at, enabled, public_api, xml_feed, document
             FROM recruiting_setups WHERE tenant = $1",
            &[&tenant],
        )
        .map_err(backend)?
    else {
        return Ok(RecruitingSettings::default());
    };
    let key: Option<String> = get(T, &row, 0)?;
    let key_created_at: Option<String> = get(T, &row, 1)?;
    Ok(RecruitingSettings {
        key: key
            .map(|k| SecretHash::from_hex(&k).map_err(|e| corrupt(T, e)))
            .transpose()?,
        key_created_at: key_created_at.map(|t| parse_timestamp(T, &t)).transpose()?,
        enabled: get::<i64>(T, &row, 2)? != 0,
        public_api: get::<i64>(T, &row, 3)? != 0,
        xml_feed: get::<i64>(T, &row, 4)? != 0,
        setup: document(T, &get::<String>(T, &row, 5)?)?,
    })
}

fn save_settings(
    client: &mut impl GenericClient,
    tenant: i64,
    settings: &RecruitingSettings,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO recruiting_setups
                 (tenant, key_hash, key_created_at, enabled, public_api, xml_feed, document)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (tenant) DO UPDATE SET key_hash = excluded.key_hash,
                 key_created_at = excluded.key_created_at, enabled = excluded.enabled,
                 public_api = excluded.public_api, xml_feed = excluded.xml_feed,
                 document = excluded.document",
            &[
                &tenant,
                &settings.key.as_ref().map(SecretHash::to_hex),
                &settings.key_created_at.map(timestamp),
                &i64::from(settings.enabled),
                &i64::from(settings.public_api),
                &i64::from(settings.xml_feed),
                &json(&settings.setup)?,
            ],
        )
        .map_err(backend)?;
    Ok(())
}

fn next_id(client: &mut impl GenericClient, table: &str, tenant: i64) -> Result<i64, StoreError> {
    let row = client
        .query_one(
            &format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table} WHERE tenant = $1"),
            &[&tenant],
        )
        .map_err(backend)?;
    get::<i64>("recruiting", &row, 0)
}

fn insert_job_row(
    client: &mut impl GenericClient,
    tenant: i64,
    job: &JobPosition,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO job_positions (tenant, id, published, updated_at, document)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &tenant,
                &job.id,
                &i64::from(job.draft.published),
                &sortable(job.updated_at),
                &json(job)?,
            ],
        )
        .map_err(backend)?;
    Ok(())
}

fn insert_candidate_row(
    client: &mut impl GenericClient,
    tenant: i64,
    candidate: &Candidate,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO candidates (tenant, id, email, updated_at, document)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (tenant, id) DO UPDATE SET email = excluded.email,
                 updated_at = excluded.updated_at, document = excluded.document",
            &[
                &tenant,
                &candidate.id,
                &candidate.email,
                &sortable(candidate.updated_at),
                &json(candidate)?,
            ],
        )
        .map_err(backend)?;
    Ok(())
}

fn insert_application_row(
    client: &mut impl GenericClient,
    tenant: i64,
    application: &Application,
    transitions: &[StageTransition],
) -> Result<bool, StoreError> {
    let inserted = client
        .execute(
            "INSERT INTO applications (tenant, id, candidate_id, job_id, updated_at, document)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant, job_id, candidate_id) DO NOTHING",
            &[
                &tenant,
                &application.id,
                &application.candidate_id,
                &application.job_id,
                &sortable(application.updated_at),
                &json(application)?,
            ],
        )
        .map_err(backend)?;
    if inserted == 0 {
        return Ok(false);
    }
    if transitions.is_empty() {
        return Ok(true);
    }
    let statement = client
        .prepare(
            "INSERT INTO application_transitions (tenant, application_id, seq, entered_at, phase)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .map_err(backend)?;
    for (seq, transition) in transitions.iter().enumerate() {
        client
            .execute(
                &statement,
                &[
                    &tenant,
                    &application.id,
                    &int(seq),
                    &sortable(transition.entered_at),
                    &json(&transition.phase)?,
                ],
            )
            .map_err(backend)?;
    }
    Ok(true)
}

type Param = Box<dyn ToSql + Sync + Send>;

/// Inserts `rows` (each of the same width) by `head` (`INSERT INTO t (…)`)
/// and `tail` (`ON CONFLICT …`, `RETURNING …`), as many rows to a statement
/// as PostgreSQL takes; returns the rows `RETURNING` gives.
fn insert_many(
    client: &mut impl GenericClient,
    head: &str,
    tail: &str,
    rows: &[Vec<Param>],
) -> Result<Vec<Row>, StoreError> {
    let Some(width) = rows.first().map(Vec::len) else {
        return Ok(Vec::new());
    };
    let per_statement = (65_535 / width).clamp(1, 1000);
    let mut returned = Vec::new();
    for chunk in rows.chunks(per_statement) {
        let tuples = (0..chunk.len())
            .map(|r| {
                let marks = (1..=width)
                    .map(|c| format!("${}", r * width + c))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({marks})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let params: Vec<&(dyn ToSql + Sync)> = chunk
            .iter()
            .flatten()
            .map(|v| &**v as &(dyn ToSql + Sync))
            .collect();
        returned.extend(
            client
                .query(&format!("{head} VALUES {tuples} {tail}"), &params)
                .map_err(backend)?,
        );
    }
    Ok(returned)
}

/// The `WHERE` of a page, after `tenant = $1`: the filter and the keyset,
/// with their values from `$2` on.
fn page_clause(
    filter: &RecruitingFilter,
    after: Option<After>,
    email_column: &str,
) -> (String, Vec<Param>) {
    let mut clause = String::new();
    let mut values: Vec<Param> = Vec::new();
    let mut bind = |clause: &mut String, sql: &str, value: Param| {
        values.push(value);
        clause.push_str(&sql.replace('?', &format!("${}", values.len() + 1)));
    };
    if let Some(at) = filter.updated_after {
        bind(&mut clause, " AND updated_at > ?", Box::new(sortable(at)));
    }
    if let Some(at) = filter.updated_before {
        bind(&mut clause, " AND updated_at < ?", Box::new(sortable(at)));
    }
    if let Some(email) = &filter.email {
        bind(
            &mut clause,
            &format!(" AND {email_column} = ?"),
            Box::new(email.clone()),
        );
    }
    if let Some(after) = after {
        let at = sortable(after.updated_at);
        bind(&mut clause, " AND (updated_at < ?", Box::new(at.clone()));
        bind(&mut clause, " OR (updated_at = ?", Box::new(at));
        bind(&mut clause, " AND id < ?))", Box::new(after.id));
    }
    (clause, values)
}

/// The documents in column 0 of a page query over `table`: `tenant = $1`,
/// then `clause` with `values` from `$2` on, last changed first.
fn page<T: serde::de::DeserializeOwned>(
    client: &mut postgres::Client,
    table: &'static str,
    company: CompanyId,
    (clause, values): (String, Vec<Param>),
    limit: usize,
) -> Result<Vec<T>, StoreError> {
    let tenant = tenant(client, company)?;
    let sql = format!(
        "SELECT document FROM {table} WHERE tenant = $1{clause}
         ORDER BY updated_at DESC, id DESC LIMIT {limit}"
    );
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant];
    params.extend(values.iter().map(|v| &**v as &(dyn ToSql + Sync)));
    client
        .query(&sql, &params)
        .map_err(backend)?
        .iter()
        .map(|row| row_document(table, row))
        .collect()
}

impl RecruitingStore for PostgresStore {
    fn company_by_number(&self, number: i64) -> Result<Option<Company>, StoreError> {
        self.run(|client| {
            client
                .query_opt(
                    "SELECT id, name, slug, created_at FROM companies WHERE tenant = $1",
                    &[&number],
                )
                .map_err(backend)?
                .map(|row| company_row(&row))
                .transpose()
        })
    }

    fn company_number(&self, company: CompanyId) -> Result<i64, StoreError> {
        self.run(|client| tenant(client, company))
    }

    fn recruiting_settings(&self, company: CompanyId) -> Result<RecruitingSettings, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            settings(client, tenant)
        })
    }

    fn save_recruiting_settings(
        &self,
        company: CompanyId,
        settings: &RecruitingSettings,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            save_settings(tx, tenant, settings)
        })
    }

    fn update_recruiting_settings(
        &self,
        company: CompanyId,
        change: &mut (dyn FnMut(&mut RecruitingSettings) + Send),
    ) -> Result<RecruitingSettings, StoreError> {
        // Read, changed and saved in one transaction under the write lock.
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let mut current = settings(tx, tenant)?;
            change(&mut current);
            save_settings(tx, tenant, &current)?;
            Ok(current)
        })
    }

    fn insert_job(
        &self,
        company: CompanyId,
        draft: &JobDraft,
        now: DateTime<Utc>,
    ) -> Result<JobPosition, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let job = JobPosition {
                id: next_id(tx, "job_positions", tenant)?,
                draft: draft.clone(),
                created_at: now,
                updated_at: now,
            };
            insert_job_row(tx, tenant, &job)?;
            Ok(job)
        })
    }

    fn update_job(
        &self,
        company: CompanyId,
        id: i64,
        draft: &JobDraft,
    ) -> Result<Option<JobPosition>, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let now = Utc::now();
            let Some(row) = tx
                .query_opt(
                    "SELECT document FROM job_positions WHERE tenant = $1 AND id = $2",
                    &[&tenant, &id],
                )
                .map_err(backend)?
            else {
                return Ok(None);
            };
            let mut job: JobPosition = row_document("job_positions", &row)?;
            job.draft = draft.clone();
            job.updated_at = now;
            tx.execute(
                "UPDATE job_positions SET published = $3, updated_at = $4, document = $5
                 WHERE tenant = $1 AND id = $2",
                &[
                    &tenant,
                    &id,
                    &i64::from(job.draft.published),
                    &sortable(now),
                    &json(&job)?,
                ],
            )
            .map_err(backend)?;
            Ok(Some(job))
        })
    }

    fn jobs(&self, company: CompanyId) -> Result<Vec<JobPosition>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "SELECT document FROM job_positions WHERE tenant = $1 ORDER BY id",
                    &[&tenant],
                )
                .map_err(backend)?
                .iter()
                .map(|row| row_document("job_positions", row))
                .collect()
        })
    }

    fn job(&self, company: CompanyId, id: i64) -> Result<Option<JobPosition>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query_opt(
                    "SELECT document FROM job_positions WHERE tenant = $1 AND id = $2",
                    &[&tenant, &id],
                )
                .map_err(backend)?
                .map(|row| row_document("job_positions", &row))
                .transpose()
        })
    }

    fn insert_upload(&self, company: CompanyId, upload: &NewUpload) -> Result<(), StoreError> {
        let (expired, id, created_at, size) = (
            sortable(upload.created_at - Duration::days(1)),
            upload.id.to_string(),
            sortable(upload.created_at),
            int(upload.content.len()),
        );
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            tx.execute(
                "DELETE FROM recruiting_uploads
                 WHERE tenant = $1 AND application_id IS NULL AND created_at < $2",
                &[&tenant, &expired],
            )
            .map_err(backend)?;
            tx.execute(
                "INSERT INTO recruiting_uploads (tenant, id, original_filename, extension, mimetype,
                     size, sha256, content, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &tenant,
                    &id,
                    &upload.facts.original_filename,
                    &upload.facts.extension,
                    &upload.facts.mimetype,
                    &size,
                    &upload.sha256,
                    &upload.content,
                    &created_at,
                ],
            )
            .map_err(backend)?;
            Ok(())
        })
    }

    fn upload(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<(UploadInfo, Vec<u8>)>, StoreError> {
        const T: &str = "recruiting_uploads";
        let id = id.to_string();
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let Some(row) = client
                .query_opt(
                    "SELECT id, original_filename, extension, mimetype, size, application_id,
                            created_at, content
                     FROM recruiting_uploads WHERE tenant = $1 AND id = $2",
                    &[&tenant, &id],
                )
                .map_err(backend)?
            else {
                return Ok(None);
            };
            Ok(Some((
                UploadInfo {
                    id: parse_uuid(T, &get::<String>(T, &row, 0)?)?,
                    original_filename: get(T, &row, 1)?,
                    extension: get(T, &row, 2)?,
                    mimetype: get(T, &row, 3)?,
                    size: u64::try_from(get::<i64>(T, &row, 4)?).unwrap_or(0),
                    application_id: get(T, &row, 5)?,
                    created_at: parse_timestamp(T, &get::<String>(T, &row, 6)?)?,
                },
                get::<Vec<u8>>(T, &row, 7)?,
            )))
        })
    }

    fn insert_application(
        &self,
        company: CompanyId,
        input: &CandidateInput,
        checked: &CheckedApplication,
        source: ApplicationSource,
    ) -> Result<ApplicationOutcome, StoreError> {
        self.write(|outer| {
            let tenant = tenant(outer, company)?;
            // Under the write lock: the numbers drawn below stay ours until
            // the commit, and so does the time: a reader that has seen an
            // application changed at `now` will not see one commit later
            // with an earlier time. A savepoint, so that an application
            // that is refused leaves nothing behind (`write` commits).
            let mut tx = outer.transaction().map_err(backend)?;
            let now = Utc::now();
            let existing = tx
                .query_opt(
                    "SELECT document FROM candidates WHERE tenant = $1 AND email = $2",
                    &[&tenant, &input.email],
                )
                .map_err(backend)?
                .map(|row| row_document::<Candidate>("candidates", &row))
                .transpose()?;
            let candidate = match existing {
                Some(found) => Candidate {
                    details: input.details.updated_with(&found.details),
                    updated_at: now,
                    ..found
                },
                None => Candidate {
                    id: next_id(&mut tx, "candidates", tenant)?,
                    email: input.email.clone(),
                    first_name: input.first_name.clone(),
                    last_name: input.last_name.clone(),
                    details: input.details.clone(),
                    created_at: now,
                    updated_at: now,
                },
            };
            let application = checked.application(
                next_id(&mut tx, "applications", tenant)?,
                candidate.id,
                source,
                now,
            );
            insert_candidate_row(&mut tx, tenant, &candidate)?;
            let first = [StageTransition {
                phase: application.phase,
                entered_at: now,
            }];
            if !insert_application_row(&mut tx, tenant, &application, &first)? {
                return Ok(ApplicationOutcome::AlreadyApplied);
            }
            let mut missing = Vec::new();
            let since = sortable(now - Duration::days(1));
            for (index, file) in application.files.iter().enumerate() {
                let attached = tx
                    .execute(
                        "UPDATE recruiting_uploads SET application_id = $3
                         WHERE tenant = $1 AND id = $2 AND application_id IS NULL
                           AND created_at >= $4",
                        &[&tenant, &file.upload.to_string(), &application.id, &since],
                    )
                    .map_err(backend)?;
                if attached != 1 {
                    missing.push(index);
                }
            }
            if !missing.is_empty() {
                return Ok(ApplicationOutcome::MissingFiles(missing));
            }
            let mut current = settings(&mut tx, tenant)?;
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
                save_settings(&mut tx, tenant, &current)?;
            }
            tx.commit().map_err(backend)?;
            Ok(ApplicationOutcome::Stored(application))
        })
    }

    fn applications(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Application>, StoreError> {
        let clause = page_clause(
            filter,
            after,
            "(SELECT email FROM candidates c WHERE c.tenant = applications.tenant
                AND c.id = applications.candidate_id)",
        );
        self.run(|client| page(client, "applications", company, clause, limit))
    }

    fn application(&self, company: CompanyId, id: i64) -> Result<Option<Application>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query_opt(
                    "SELECT document FROM applications WHERE tenant = $1 AND id = $2",
                    &[&tenant, &id],
                )
                .map_err(backend)?
                .map(|row| row_document("applications", &row))
                .transpose()
        })
    }

    fn applications_of(
        &self,
        company: CompanyId,
        candidates: &[i64],
    ) -> Result<Vec<Application>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "SELECT document FROM applications
                     WHERE tenant = $1 AND candidate_id = ANY($2)
                     ORDER BY id",
                    &[&tenant, &candidates],
                )
                .map_err(backend)?
                .iter()
                .map(|row| row_document("applications", row))
                .collect()
        })
    }

    fn candidates(
        &self,
        company: CompanyId,
        filter: &RecruitingFilter,
        after: Option<After>,
        limit: usize,
    ) -> Result<Vec<Candidate>, StoreError> {
        let clause = page_clause(filter, after, "email");
        self.run(|client| page(client, "candidates", company, clause, limit))
    }

    fn candidates_by_id(
        &self,
        company: CompanyId,
        ids: &[i64],
    ) -> Result<Vec<Candidate>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "SELECT document FROM candidates WHERE tenant = $1 AND id = ANY($2)",
                    &[&tenant, &ids],
                )
                .map_err(backend)?
                .iter()
                .map(|row| row_document("candidates", row))
                .collect()
        })
    }

    fn stage_transitions(
        &self,
        company: CompanyId,
        application: i64,
    ) -> Result<Vec<StageTransition>, StoreError> {
        const T: &str = "application_transitions";
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "SELECT entered_at, phase FROM application_transitions
                     WHERE tenant = $1 AND application_id = $2 ORDER BY seq",
                    &[&tenant, &application],
                )
                .map_err(backend)?
                .iter()
                .map(|row| {
                    Ok(StageTransition {
                        entered_at: parse_timestamp(T, &get::<String>(T, row, 0)?)?,
                        phase: document::<Phase>(T, &get::<String>(T, row, 1)?)?,
                    })
                })
                .collect()
        })
    }

    fn replace_recruiting(
        &self,
        company: CompanyId,
        demo: &RecruitingDemo,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            for table in [
                "application_transitions",
                "recruiting_uploads",
                "applications",
                "candidates",
                "job_positions",
            ] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE tenant = $1"),
                    &[&tenant],
                )
                .map_err(backend)?;
            }
            let mut current = settings(tx, tenant)?;
            current.setup = demo.setup.clone();
            save_settings(tx, tenant, &current)?;
            // Thousands of rows: many to a statement (the same rows, and
            // the same rules on duplicates, as one statement each).
            let jobs = demo
                .jobs
                .iter()
                .map(|job| -> Result<Vec<Param>, StoreError> {
                    Ok(vec![
                        Box::new(tenant),
                        Box::new(job.id),
                        Box::new(i64::from(job.draft.published)),
                        Box::new(sortable(job.updated_at)),
                        Box::new(json(job)?),
                    ])
                })
                .collect::<Result<Vec<_>, _>>()?;
            insert_many(
                tx,
                "INSERT INTO job_positions (tenant, id, published, updated_at, document)",
                "",
                &jobs,
            )?;
            // A later candidate of the same number replaces an earlier one.
            let mut last = std::collections::HashMap::new();
            for (index, candidate) in demo.candidates.iter().enumerate() {
                last.insert(candidate.id, index);
            }
            let candidates = demo
                .candidates
                .iter()
                .enumerate()
                .filter(|(index, c)| last.get(&c.id) == Some(index))
                .map(|(_, candidate)| -> Result<Vec<Param>, StoreError> {
                    Ok(vec![
                        Box::new(tenant),
                        Box::new(candidate.id),
                        Box::new(candidate.email.clone()),
                        Box::new(sortable(candidate.updated_at)),
                        Box::new(json(candidate)?),
                    ])
                })
                .collect::<Result<Vec<_>, _>>()?;
            insert_many(
                tx,
                "INSERT INTO candidates (tenant, id, email, updated_at, document)",
                "",
                &candidates,
            )?;
            let applications = demo
                .applications
                .iter()
                .map(|(application, _)| -> Result<Vec<Param>, StoreError> {
                    Ok(vec![
                        Box::new(tenant),
                        Box::new(application.id),
                        Box::new(application.candidate_id),
                        Box::new(application.job_id),
                        Box::new(sortable(application.updated_at)),
                        Box::new(json(application)?),
                    ])
                })
                .collect::<Result<Vec<_>, _>>()?;
            // One application per candidate and job: a second one is left
            // out, with its phases.
            let stored = insert_many(
                tx,
                "INSERT INTO applications (tenant, id, candidate_id, job_id, updated_at, document)",
                "ON CONFLICT (tenant, job_id, candidate_id) DO NOTHING RETURNING id",
                &applications,
            )?
            .iter()
            .map(|row| get::<i64>("applications", row, 0))
            .collect::<Result<std::collections::HashSet<i64>, _>>()?;
            let mut transitions = Vec::new();
            for (application, phases) in &demo.applications {
                if !stored.contains(&application.id) {
                    continue;
                }
                for (seq, transition) in phases.iter().enumerate() {
                    transitions.push(vec![
                        Box::new(tenant) as Param,
                        Box::new(application.id),
                        Box::new(int(seq)),
                        Box::new(sortable(transition.entered_at)),
                        Box::new(json(&transition.phase)?),
                    ]);
                }
            }
            insert_many(
                tx,
                "INSERT INTO application_transitions (tenant, application_id, seq, entered_at, phase)",
                "",
                &transitions,
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqliteStore;
    use crate::pg::documents::tests::Twins;
    use relais_recruiting::application::{Submission, SubmittedFile};
    use relais_recruiting::upload::FileFacts;
    use relais_recruiting::{CandidateDetails, FileCategory, SystemPhase};

    /// Walks every page of `list` from the start, `size` at a time.
    fn walk<T: Clone>(
        list: impl Fn(Option<After>) -> Vec<T>,
        key: impl Fn(&T) -> After,
        size: usize,
    ) -> Vec<Vec<T>> {
        let mut pages = Vec::new();
        let mut after = None;
        loop {
            let page = list(after);
            if page.is_empty() {
                return pages;
            }
            assert!(page.len() <= size);
            after = page.last().map(&key);
            pages.push(page);
        }
    }

    fn pages(store: &dyn RecruitingStore, company: CompanyId, now: DateTime<Utc>) -> Vec<String> {
        let mut seen = Vec::new();
        let filters = [
            RecruitingFilter::default(),
            RecruitingFilter {
                updated_after: Some(now - Duration::days(20)),
                updated_before: Some(now - Duration::days(2)),
                email: None,
            },
            RecruitingFilter {
                email: store
                    .candidates(company, &RecruitingFilter::default(), None, 1)
                    .unwrap()
                    .first()
                    .map(|c| c.email.clone()),
                ..RecruitingFilter::default()
            },
        ];
        for filter in &filters {
            let candidates = walk(
                |after| store.candidates(company, filter, after, 7).unwrap(),
                |c: &Candidate| After {
                    updated_at: c.updated_at,
                    id: c.id,
                },
                7,
            );
            let applications = walk(
                |after| store.applications(company, filter, after, 5).unwrap(),
                |a: &Application| After {
                    updated_at: a.updated_at,
                    id: a.id,
                },
                5,
            );
            seen.push(format!("{candidates:?}"));
            seen.push(format!("{applications:?}"));
        }
        let all = store
            .candidates(company, &RecruitingFilter::default(), None, 1000)
            .unwrap();
        let ids: Vec<i64> = all.iter().map(|c| c.id).take(6).chain([9999]).collect();
        let mut by_id = store.candidates_by_id(company, &ids).unwrap();
        by_id.sort_by_key(|c| c.id);
        seen.push(format!("{by_id:?}"));
        let of = store.applications_of(company, &ids).unwrap();
        seen.push(format!("{of:?}"));
        seen.push(format!("{:?}", store.applications_of(company, &[])));
        for application in store
            .applications(company, &RecruitingFilter::default(), None, 1000)
            .unwrap()
        {
            seen.push(format!(
                "{:?}",
                store.stage_transitions(company, application.id)
            ));
            seen.push(format!("{:?}", store.application(company, application.id)));
        }
        seen.push(format!("{:?}", store.jobs(company)));
        seen.push(format!("{:?}", store.job(company, 1)));
        seen.push(format!("{:?}", store.job(company, 999)));
        seen.push(format!("{:?}", store.recruiting_settings(company)));
        seen
    }

    #[test]
    fn a_demo_pages_as_in_sqlite_ties_included() {
        let Some(twins) = Twins::new("a_demo_pages_as_in_sqlite", &["Acme", "Globex"]) else {
            return;
        };
        let (a, b) = (twins.companies[0].id, twins.companies[1].id);
        let now = Utc::now();
        // Over a thousand applications: several statements of many rows.
        let mut demo = relais_recruiting::demo::demo(7, now, 1100);
        // A second application of a candidate to a job is left out, with
        // its phases.
        let (mut twice, phases) = demo.applications[0].clone();
        twice.id = demo.applications.iter().map(|(a, _)| a.id).max().unwrap() + 1;
        demo.applications.push((twice, phases));
        // Ties on the time of change: the number decides.
        let tie = now - Duration::days(3);
        for (n, candidate) in demo.candidates.iter_mut().enumerate() {
            if n % 3 == 0 {
                candidate.updated_at = tie;
            }
        }
        for (n, (application, _)) in demo.applications.iter_mut().enumerate() {
            if n % 4 == 0 {
                application.updated_at = tie;
            }
        }
        assert!(demo.applications.len() > 1000 && demo.candidates.len() > 14);
        let stores: [&dyn RecruitingStore; 2] = [&twins.lite, &twins.pg];
        let [lite, pg] = stores.map(|store| {
            store.replace_recruiting(a, &demo).unwrap();
            store
                .replace_recruiting(b, &relais_recruiting::demo::demo(8, now, 10))
                .unwrap();
            let mut seen = pages(store, a, now);
            // Replaced whole, key and switches kept.
            store
                .update_recruiting_settings(a, &mut |s| s.enabled = false)
                .unwrap();
            store
                .replace_recruiting(a, &relais_recruiting::demo::demo(9, now, 15))
                .unwrap();
            seen.extend(pages(store, a, now));
            seen.push(format!("{:?}", store.company_number(b)));
            let number = store.company_number(b).unwrap();
            seen.push(format!("{:?}", store.company_by_number(number)));
            seen.push(format!("{:?}", store.company_by_number(999)));
            seen
        });
        assert_eq!(lite.len(), pg.len());
        for (lite, pg) in lite.iter().zip(&pg) {
            assert_eq!(lite, pg);
        }
    }

    fn submission(email: &str, job_id: i64, files: &[uuid::Uuid], tags: &[&str]) -> Submission {
        Submission {
            job_id,
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            email: email.into(),
            channel_id: None,
            external_posting_id: None,
            message: Some("Hello".into()),
            application_date: None,
            phase: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            files: files
                .iter()
                .map(|id| SubmittedFile {
                    upload: *id,
                    original_filename: "cv.pdf".into(),
                    category: FileCategory::Cv,
                })
                .collect(),
            details: CandidateDetails::default(),
            custom: std::collections::BTreeMap::new(),
        }
    }

    fn apply(
        store: &dyn RecruitingStore,
        company: CompanyId,
        submission: Submission,
        first_name: &str,
    ) -> ApplicationOutcome {
        let input = CandidateInput {
            email: submission.email.clone(),
            first_name: first_name.into(),
            last_name: submission.last_name.clone(),
            details: submission.details.clone(),
        };
        let checked = CheckedApplication {
            phase: Phase::System(SystemPhase::Unassigned),
            channel_id: None,
            application_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            submission,
        };
        store
            .insert_application(company, &input, &checked, ApplicationSource::Api)
            .unwrap()
    }

    /// `value` with every time of day written by the store replaced.
    fn untimed(value: impl std::fmt::Debug) -> String {
        let text = format!("{value:?}");
        let mut out = String::new();
        for (n, part) in text.split("at: ").enumerate() {
            if n == 0 {
                out.push_str(part);
            } else {
                // `created_at: 2026-…Z, ` / `updated_at: …` / `entered_at: …`
                let end = part.find([',', ' ', '}', ')']).unwrap_or(part.len());
                out.push_str("at: T");
                out.push_str(&part[end..]);
            }
        }
        out
    }

    #[test]
    fn jobs_uploads_and_applications_are_stored_as_in_sqlite() {
        let Some(twins) = Twins::new("jobs_uploads_and_applications", &["Acme", "Globex"]) else {
            return;
        };
        let (a, b) = (twins.companies[0].id, twins.companies[1].id);
        let now = Utc::now();
        let drafts = relais_recruiting::demo::demo(7, now, 1).jobs;
        let (fresh, old, other) = (
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
            uuid::Uuid::now_v7(),
        );
        let upload = |id, created_at| NewUpload {
            id,
            facts: FileFacts {
                extension: "pdf".into(),
                mimetype: "application/pdf",
                original_filename: "cv.pdf".into(),
            },
            sha256: "00".into(),
            content: vec![0, 1, 2, 255],
            created_at,
        };
        let stores: [&dyn RecruitingStore; 2] = [&twins.lite, &twins.pg];
        let [lite, pg] = stores.map(|store| {
            let mut seen = Vec::new();
            for draft in drafts.iter().take(3) {
                seen.push(format!("{:?}", store.insert_job(a, &draft.draft, now)));
            }
            seen.push(format!("{:?}", store.insert_job(b, &drafts[0].draft, now)));
            seen.push(untimed(store.update_job(a, 2, &drafts[3].draft)));
            seen.push(untimed(store.update_job(b, 2, &drafts[3].draft)));
            seen.push(untimed(store.jobs(a)));
            store
                .insert_upload(a, &upload(old, now - Duration::days(2)))
                .unwrap();
            store.insert_upload(a, &upload(fresh, now)).unwrap();
            store.insert_upload(b, &upload(other, now)).unwrap();
            // The old unattached one went with the new one.
            seen.push(format!("{:?}", store.upload(a, old)));
            seen.push(format!("{:?}", store.upload(a, fresh)));
            seen.push(format!("{:?}", store.upload(a, other)));
            let job = 1;
            let outcomes = [
                apply(
                    store,
                    a,
                    submission("ada@example.com", job, &[fresh], &["Rust"]),
                    "Ada",
                ),
                apply(
                    store,
                    a,
                    submission("ada@example.com", job, &[], &[]),
                    "Ada",
                ),
                // A known candidate keeps the name first given.
                apply(
                    store,
                    a,
                    submission("ada@example.com", 2, &[], &["rust", "Go"]),
                    "Eve",
                ),
                // Attached already, another company's, unknown: nothing written.
                apply(
                    store,
                    a,
                    submission(
                        "bob@example.com",
                        job,
                        &[fresh, other, uuid::Uuid::nil()],
                        &["X"],
                    ),
                    "Bob",
                ),
            ];
            assert!(
                matches!(
                    &outcomes,
                    [
                        ApplicationOutcome::Stored(_),
                        ApplicationOutcome::AlreadyApplied,
                        ApplicationOutcome::Stored(_),
                        ApplicationOutcome::MissingFiles(missing),
                    ] if missing == &[0, 1, 2]
                ),
                "{outcomes:?}"
            );
            seen.push(untimed(&outcomes));
            seen.push(untimed(store.upload(a, fresh)));
            seen.push(untimed(store.candidates(
                a,
                &RecruitingFilter::default(),
                None,
                100,
            )));
            seen.push(untimed(store.applications(
                a,
                &RecruitingFilter::default(),
                None,
                100,
            )));
            seen.push(untimed(store.stage_transitions(a, 1)));
            seen.push(format!("{:?}", store.recruiting_settings(a)));
            let key_at = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00.5Z")
                .unwrap()
                .with_timezone(&Utc);
            let changed = store
                .update_recruiting_settings(a, &mut |s| {
                    s.key = Some(SecretHash::of("key"));
                    s.key_created_at = Some(key_at);
                    s.public_api = false;
                })
                .unwrap();
            seen.push(format!("{changed:?}"));
            seen.push(format!("{:?}", store.recruiting_settings(a)));
            let mut saved = changed.clone();
            saved.xml_feed = false;
            store.save_recruiting_settings(b, &saved).unwrap();
            seen.push(format!("{:?}", store.recruiting_settings(b)));
            seen
        });
        assert_eq!(lite.len(), pg.len());
        for (lite, pg) in lite.iter().zip(&pg) {
            assert_eq!(lite, pg);
        }
        let _: &SqliteStore = &twins.lite;
    }

    #[test]
    fn settings_changed_at_once_lose_no_change() {
        let Some(twins) = Twins::new("settings_changed_at_once", &["Acme"]) else {
            return;
        };
        let a = twins.companies[0].id;
        std::thread::scope(|scope| {
            for n in 0..8 {
                let pg = &twins.pg;
                scope.spawn(move || {
                    for m in 0..3 {
                        pg.update_recruiting_settings(a, &mut |s| {
                            s.setup.tags.push(format!("t{n}-{m}"));
                        })
                        .unwrap();
                    }
                });
            }
        });
        let tags = twins.pg.recruiting_settings(a).unwrap().setup.tags;
        assert_eq!(tags.len(), 24, "{tags:?}");
    }
}
