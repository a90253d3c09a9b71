//! PostgreSQL: see `crate::sqlite::reports` (the same queries in PostgreSQL's dialect).

use std::collections::HashMap;

use chrono::NaiveDate;
use postgres::GenericClient;
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_reports::ReportDefinition;

use super::{PostgresStore, backend, conflict_or_backend, corrupt, get, json, timestamp};
use crate::{ReportStore, StoreError};

// MERGE: use super::people::tenant (a private copy until that module lands).
fn tenant(client: &mut impl GenericClient, company: CompanyId) -> Result<i64, StoreError> {
    let row = client
        .query_opt(
            "SELECT tenant FROM companies WHERE id = $1",
            &[&company.0.to_string()],
        )
        .map_err(backend)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))?;
    get::<Option<i64>>("companies", &row, 0)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))
}

fn parse(document: &str) -> Result<ReportDefinition, StoreError> {
    serde_json::from_str(document).map_err(|e| corrupt("reports", e))
}

impl ReportStore for PostgresStore {
    fn insert_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<(), StoreError> {
        let (id, company_id, document, at) = (
            report.id.to_string(),
            company.0.to_string(),
            json(report)?,
            timestamp(report.updated_at),
        );
        let name = report.name.as_str();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO reports (id, company_id, name, document, updated_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&id, &company_id, &name, &document, &at],
            )
            .map_err(|e| conflict_or_backend(e, || format!("report {}", report.id)))?;
            Ok(())
        })
    }

    fn update_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<bool, StoreError> {
        let (id, company_id, document, at) = (
            report.id.to_string(),
            company.0.to_string(),
            json(report)?,
            timestamp(report.updated_at),
        );
        let name = report.name.as_str();
        self.write(|tx| {
            let changed = tx
                .execute(
                    "UPDATE reports SET name = $3, document = $4, updated_at = $5
                     WHERE company_id = $2 AND id = $1",
                    &[&id, &company_id, &name, &document, &at],
                )
                .map_err(backend)?;
            Ok(changed == 1)
        })
    }

    fn delete_report(&self, company: CompanyId, id: uuid::Uuid) -> Result<bool, StoreError> {
        let (company_id, id) = (company.0.to_string(), id.to_string());
        self.write(|tx| {
            let n = tx
                .execute(
                    "DELETE FROM reports WHERE company_id = $1 AND id = $2",
                    &[&company_id, &id],
                )
                .map_err(backend)?;
            Ok(n == 1)
        })
    }

    fn reports(&self, company: CompanyId) -> Result<Vec<ReportDefinition>, StoreError> {
        let company_id = company.0.to_string();
        self.run(|client| {
            client
                .query(
                    "SELECT document FROM reports WHERE company_id = $1 ORDER BY name, id",
                    &[&company_id],
                )
                .map_err(backend)?
                .iter()
                .map(|row| parse(&get::<String>("reports", row, 0)?))
                .collect()
        })
    }

    fn report(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportDefinition>, StoreError> {
        let (company_id, id) = (company.0.to_string(), id.to_string());
        self.run(|client| {
            client
                .query_opt(
                    "SELECT document FROM reports WHERE company_id = $1 AND id = $2",
                    &[&company_id, &id],
                )
                .map_err(backend)?
                .map(|row| parse(&get::<String>("reports", &row, 0)?))
                .transpose()
        })
    }

    fn worked_minutes(
        &self,
        company: CompanyId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<HashMap<EmployeeId, i64>, StoreError> {
        let (start, end) = (start.to_string(), end.to_string());
        self.run(|client| {
            let tenant = tenant(client, company)?;
            // Times are 'HH:MM': minutes = hours × 60 + minutes. The covering
            // index attendances_worked answers this without the table.
            client
                .query(
                    "SELECT employee_id,
                            SUM(GREATEST(0, (substr(end_time, 1, 2)::BIGINT * 60 + substr(end_time, 4, 2)::BIGINT)
                                          - (substr(start_time, 1, 2)::BIGINT * 60 + substr(start_time, 4, 2)::BIGINT)
                                          - break_minutes))::BIGINT
                     FROM attendances
                     WHERE tenant = $1 AND date >= $2 AND date <= $3 AND status != 'rejected'
                     GROUP BY employee_id",
                    &[&tenant, &start, &end],
                )
                .map_err(backend)?
                .iter()
                .map(|row| {
                    Ok((
                        get::<i64>("attendances", row, 0)?,
                        get::<i64>("attendances", row, 1)?,
                    ))
                })
                .collect()
        })
    }

    fn people_revision(&self, company: CompanyId) -> Result<u64, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let revision = client
                .query_opt(
                    "SELECT revision FROM people_revisions WHERE tenant = $1",
                    &[&tenant],
                )
                .map_err(backend)?
                .map(|row| get::<i64>("people_revisions", &row, 0))
                .transpose()?;
            Ok(revision.map_or(0, |r| u64::try_from(r).unwrap_or(0)))
        })
    }
}
