//! PostgreSQL: see `crate::sqlite::reports` (the same queries in PostgreSQL's dialect).

use std::collections::HashMap;

use chrono::NaiveDate;
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_reports::ReportDefinition;

use super::people::tenant;
use super::{PostgresStore, backend, conflict_or_backend, corrupt, get, json, prepared, timestamp};
use crate::{ReportStore, StoreError};

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
            let statement = prepared(
                client,
                "SELECT revision FROM people_revisions WHERE tenant = $1",
            )?;
            let revision = client
                .query_opt(&statement, &[&tenant])
                .map_err(backend)?
                .map(|row| get::<i64>("people_revisions", &row, 0))
                .transpose()?;
            Ok(revision.map_or(0, |r| u64::try_from(r).unwrap_or(0)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PeopleStore as _;
    use crate::pg::documents::tests::Twins;
    use relais_people::demo;

    fn definition(name: &str) -> ReportDefinition {
        serde_json::from_value(serde_json::json!({
            "name": name,
            "type": "point_in_time",
            "period": {"type": "relative", "period": "today"},
            "columns": ["first_name", "last_name", "department"],
            "filters": [{"column": "status", "comparison": "eq", "value": "active"}]
        }))
        .unwrap()
    }

    #[test]
    fn reports_are_kept_as_in_sqlite() {
        let Some(twins) = Twins::new("reports_are_kept_as_in_sqlite", &["Acme", "Globex"]) else {
            return;
        };
        let (a, b) = (twins.companies[0].id, twins.companies[1].id);
        let (first, mut second, third) = (definition("b"), definition("a"), definition("b"));
        let stores: [&dyn ReportStore; 2] = [&twins.lite, &twins.pg];
        let [lite, pg] = stores.map(|store| {
            let mut seen = Vec::new();
            for report in [&first, &second, &third] {
                seen.push(format!("{:?}", store.insert_report(a, report)));
            }
            let duplicate = store.insert_report(a, &first);
            assert!(
                matches!(duplicate, Err(StoreError::Conflict(_))),
                "{duplicate:?}"
            );
            seen.push(format!("{:?}", store.reports(a)));
            second.name = "c".into();
            seen.push(format!("{:?}", store.update_report(a, &second)));
            seen.push(format!("{:?}", store.update_report(b, &second)));
            seen.push(format!("{:?}", store.reports(a)));
            seen.push(format!("{:?}", store.report(a, second.id)));
            seen.push(format!("{:?}", store.report(b, second.id)));
            seen.push(format!("{:?}", store.delete_report(b, first.id)));
            seen.push(format!("{:?}", store.delete_report(a, first.id)));
            seen.push(format!("{:?}", store.delete_report(a, first.id)));
            seen.push(format!("{:?}", store.reports(a)));
            seen.push(format!("{:?}", store.reports(b)));
            second.name = "a".into();
            seen
        });
        assert_eq!(lite, pg);
    }

    #[test]
    fn the_database_sums_worked_minutes_as_sqlite_does() {
        let Some(twins) = Twins::new("the_database_sums_worked_minutes", &["Acme"]) else {
            return;
        };
        let company = twins.companies[0].id;
        let until = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let records: Vec<_> = demo::employees(demo::DemoSpec {
            employees: 30,
            months: 3,
            seed: 3,
            until,
        })
        .collect();
        assert_eq!(twins.pg.people_revision(company).unwrap(), 0);
        twins.lite.insert_employees(company, &records).unwrap();
        twins.copy(
            "attendances",
            "id, tenant, employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at",
        );
        twins.copy("people_revisions", "tenant, revision");
        assert_eq!(
            twins.pg.people_revision(company).unwrap(),
            twins.lite.people_revision(company).unwrap()
        );
        for (start, end) in [
            ((2026, 9, 1), (2026, 9, 30)),
            ((2026, 8, 15), (2026, 10, 31)),
        ] {
            let start = NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap();
            let end = NaiveDate::from_ymd_opt(end.0, end.1, end.2).unwrap();
            let sums = twins.pg.worked_minutes(company, start, end).unwrap();
            assert!(!sums.is_empty());
            assert_eq!(
                sums,
                twins.lite.worked_minutes(company, start, end).unwrap()
            );
        }
    }
}
