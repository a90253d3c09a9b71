use std::collections::HashMap;

use chrono::NaiveDate;
use relais_access::CompanyId;
use relais_people::EmployeeId;
use relais_reports::ReportDefinition;
use rusqlite::{OptionalExtension, params};

use super::CachedRow;
use super::people::tenant;
use super::{SqliteStore, backend, conflict_or_backend, corrupt, json, timestamp};
use crate::{ReportStore, StoreError};

fn parse(document: &str) -> Result<ReportDefinition, StoreError> {
    serde_json::from_str(document).map_err(|e| corrupt("reports", e))
}

impl ReportStore for SqliteStore {
    fn insert_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO reports (id, company_id, name, document, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![report.id.to_string(), company.0.to_string(), report.name, json(report)?, timestamp(report.updated_at)],
        )
        .map_err(|e| conflict_or_backend(e, || format!("report {}", report.id)))?;
        Ok(())
    }

    fn update_report(
        &self,
        company: CompanyId,
        report: &ReportDefinition,
    ) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        let changed = conn
            .execute(
                "UPDATE reports SET name = ?3, document = ?4, updated_at = ?5 WHERE company_id = ?2 AND id = ?1",
                params![report.id.to_string(), company.0.to_string(), report.name, json(report)?, timestamp(report.updated_at)],
            )
            .map_err(backend)?;
        Ok(changed == 1)
    }

    fn delete_report(&self, company: CompanyId, id: uuid::Uuid) -> Result<bool, StoreError> {
        let conn = self.conn()?;
        let n = conn
            .execute(
                "DELETE FROM reports WHERE company_id = ?1 AND id = ?2",
                [company.0.to_string(), id.to_string()],
            )
            .map_err(backend)?;
        Ok(n == 1)
    }

    fn reports(&self, company: CompanyId) -> Result<Vec<ReportDefinition>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare("SELECT document FROM reports WHERE company_id = ?1 ORDER BY name, id")
            .map_err(backend)?;
        let rows = statement
            .query_map([company.0.to_string()], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|r| parse(&r.map_err(backend)?)).collect()
    }

    fn report(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportDefinition>, StoreError> {
        let conn = self.conn()?;
        conn.query_row(
            "SELECT document FROM reports WHERE company_id = ?1 AND id = ?2",
            [company.0.to_string(), id.to_string()],
            |r| r.get::<_, String>(0),
        )
        .optional()
        .map_err(backend)?
        .map(|d| parse(&d))
        .transpose()
    }

    fn worked_minutes(
        &self,
        company: CompanyId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<HashMap<EmployeeId, i64>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // Times are 'HH:MM': minutes = hours × 60 + minutes. The covering
        // index attendances_worked answers this without the table.
        let mut statement = conn
            .prepare_cached(
                "SELECT employee_id,
                        SUM(MAX(0, (CAST(substr(end_time, 1, 2) AS INTEGER) * 60 + CAST(substr(end_time, 4, 2) AS INTEGER))
                                 - (CAST(substr(start_time, 1, 2) AS INTEGER) * 60 + CAST(substr(start_time, 4, 2) AS INTEGER))
                                 - break_minutes))
                 FROM attendances
                 WHERE tenant = ?1 AND date >= ?2 AND date <= ?3 AND status != 'rejected'
                 GROUP BY employee_id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(params![tenant, start.to_string(), end.to_string()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)).collect()
    }

    fn people_revision(&self, company: CompanyId) -> Result<u64, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let revision: Option<i64> = conn
            .cached_row(
                "SELECT revision FROM people_revisions WHERE tenant = ?1",
                [tenant],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        Ok(revision.map_or(0, |r| u64::try_from(r).unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccessStore, PeopleStore};
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
    use relais_people::demo;

    #[test]
    fn the_database_sums_worked_minutes_like_the_engine() {
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
        let until = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let records: Vec<_> = demo::employees(demo::DemoSpec {
            employees: 30,
            months: 3,
            seed: 3,
            until,
        })
        .collect();
        assert_eq!(store.people_revision(company.id).unwrap(), 0);
        store.insert_employees(company.id, &records).unwrap();
        assert_eq!(store.people_revision(company.id).unwrap(), 1);

        let (start, end) = (
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
        );
        let sums = store.worked_minutes(company.id, start, end).unwrap();
        for r in &records {
            let in_period: Vec<_> = r
                .attendances
                .iter()
                .filter(|a| a.date >= start && a.date <= end)
                .cloned()
                .collect();
            let expected = relais_reports::worked_minutes(&in_period);
            assert_eq!(
                sums.get(&r.employee.id).copied().unwrap_or(0),
                expected,
                "employee {}",
                r.employee.id
            );
        }
    }
}
