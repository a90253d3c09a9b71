use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use relais_access::CompanyId;
use relais_people::{
    AbsencePeriod, Attendance, AttendanceStatus, AttributeChange, Employee, EmployeeId,
    EmployeeRecords, Project, TimeOff,
};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::CachedRow;
use super::{SqliteStore, backend, conflict_or_backend, corrupt, json, parse_timestamp, sortable};
use crate::layout::{
    ABSENCE_INSTANT, ATTENDANCE_COLUMNS, PEOPLE_TABLES, PROJECT_COLUMNS, TIME_OFF_COLUMNS,
    from_json, time_off_status,
};
use crate::{
    EmployeeFilter, Paged, PeopleReference, PeopleStore, PeriodFilter, ProjectChange, StoreError,
    Window,
};

/// The company's small integer key in the people tables.
pub(super) fn tenant(conn: &Connection, company: CompanyId) -> Result<i64, StoreError> {
    conn.cached_row(
        "SELECT tenant FROM companies WHERE id = ?1",
        [company.0.to_string()],
        |row| row.get(0),
    )
    .map_err(|e| match e {
        rusqlite::Error::QueryReturnedNoRows => {
            StoreError::Backend(format!("no company {company}"))
        }
        e => backend(e),
    })
}

/// A WHERE clause built from optional parts, with its parameters.
pub(super) struct Where {
    clauses: Vec<String>,
    params: Vec<Sql>,
}

impl Where {
    /// A clause on one column's value.
    pub(super) fn new(clause: &str, value: impl Into<Sql>) -> Self {
        Self {
            clauses: vec![clause.to_owned()],
            params: vec![value.into()],
        }
    }

    pub(super) fn and(&mut self, clause: &str, value: impl Into<Sql>) {
        self.clauses.push(clause.to_owned());
        self.params.push(value.into());
    }

    fn and_in(&mut self, column: &str, values: &[i64]) {
        if values.is_empty() {
            return;
        }
        let marks = vec!["?"; values.len()].join(", ");
        self.clauses.push(format!("{column} IN ({marks})"));
        self.params.extend(values.iter().map(|v| Sql::Integer(*v)));
    }

    fn sql(&self) -> String {
        self.clauses.join(" AND ")
    }

    /// Counts the matching rows of `table`, then reads one window of them.
    pub(super) fn page<T>(
        &self,
        conn: &Connection,
        table: &str,
        columns: &str,
        order: &str,
        window: Window,
        read: impl Fn(&Row<'_>) -> rusqlite::Result<Result<T, StoreError>>,
    ) -> Result<Paged<T>, StoreError> {
        let filter = self.sql();
        let total: i64 = conn
            .cached_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE {filter}"),
                params_from_iter(&self.params),
                |r| r.get(0),
            )
            .map_err(backend)?;
        let mut params = self.params.clone();
        params.push(Sql::Integer(
            i64::try_from(window.limit).unwrap_or(i64::MAX),
        ));
        params.push(Sql::Integer(
            i64::try_from(window.offset).unwrap_or(i64::MAX),
        ));
        // Rowid tables: skip `offset` rows in the index, then fetch only the
        // page's rows; skipping over the rows themselves reads every
        // skipped document.
        let sql = if table == "absence_periods" {
            format!(
                "SELECT {columns} FROM {table} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
            )
        } else {
            format!(
                "SELECT {columns} FROM {table} WHERE rowid IN
                     (SELECT rowid FROM {table} WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?)
                 ORDER BY {order}"
            )
        };
        let mut statement = conn.prepare_cached(&sql).map_err(backend)?;
        let rows = statement
            .query_map(params_from_iter(&params), read)
            .map_err(backend)?;
        let rows = rows
            .map(|r| r.map_err(backend)?)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Paged {
            rows,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

impl PeopleStore for SqliteStore {
    fn clear_people(&self, company: CompanyId) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        clear_people_in(&tx, tenant)?;
        tx.commit().map_err(backend)
    }

    fn replace_people_reference(
        &self,
        company: CompanyId,
        reference: &PeopleReference,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        replace_reference_in(&tx, tenant, reference)?;
        tx.commit().map_err(backend)
    }

    fn people_reference(&self, company: CompanyId) -> Result<PeopleReference, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let documents = |table: &'static str| -> Result<Vec<String>, StoreError> {
            let mut statement = conn
                .prepare(&format!(
                    "SELECT document FROM {table} WHERE tenant = ?1 ORDER BY id"
                ))
                .map_err(backend)?;
            let rows = statement
                .query_map([tenant], |r| r.get::<_, String>(0))
                .map_err(backend)?;
            rows.map(|r| r.map_err(backend)).collect()
        };
        let time_off_types = documents("time_off_types")?
            .iter()
            .map(|d| from_json("time_off_types", d))
            .collect::<Result<_, _>>()?;
        let custom_attributes = documents("custom_attributes")?
            .iter()
            .map(|d| from_json("custom_attributes", d))
            .collect::<Result<_, _>>()?;
        let mut statement = conn
            .prepare("SELECT id, name FROM document_categories WHERE tenant = ?1 ORDER BY id")
            .map_err(backend)?;
        let document_categories = statement
            .query_map([tenant], |r| {
                Ok(relais_people::DocumentCategory {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant = ?1 ORDER BY id"
            ))
            .map_err(backend)?;
        let projects = statement
            .query_map([tenant], project_row)
            .map_err(backend)?
            .map(|r| r.map_err(backend)?)
            .collect::<Result<_, _>>()?;
        Ok(PeopleReference {
            time_off_types,
            document_categories,
            custom_attributes,
            projects,
        })
    }

    fn insert_employees(
        &self,
        company: CompanyId,
        batch: &[EmployeeRecords],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        insert_records_in(&tx, tenant, batch)?;
        tx.commit().map_err(backend)
    }

    fn insert_attendances(
        &self,
        company: CompanyId,
        attendances: &[Attendance],
    ) -> Result<Vec<i64>, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let mut ids = Vec::with_capacity(attendances.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO attendances (tenant, employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(backend)?;
            let mut overlapping = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM attendances WHERE tenant = ?1 AND date = ?2 AND employee_id = ?3
                        AND start_time < ?5 AND ?4 < end_time)",
                )
                .map_err(backend)?;
            let mut refused = Vec::new();
            for (index, a) in attendances.iter().enumerate() {
                if let Some(project) = a.project_id {
                    require_active_project(&tx, tenant, project)?;
                }
                let (start, end) = (
                    a.start_time.format("%H:%M").to_string(),
                    a.end_time.format("%H:%M").to_string(),
                );
                let overlaps: bool = overlapping
                    .query_row(
                        params![tenant, a.date.to_string(), a.employee_id, start, end],
                        |r| r.get(0),
                    )
                    .map_err(backend)?;
                if overlaps {
                    refused.push(index);
                    continue;
                }
                insert
                    .execute(params![
                        tenant,
                        a.employee_id,
                        a.date.to_string(),
                        a.start_time.format("%H:%M").to_string(),
                        a.end_time.format("%H:%M").to_string(),
                        a.break_minutes,
                        a.project_id,
                        a.status.as_str(),
                        a.comment,
                        sortable(a.updated_at),
                    ])
                    .map_err(backend)?;
                ids.push(tx.last_insert_rowid());
            }
            if !refused.is_empty() {
                // Dropping the transaction rolls every insert back.
                return Err(StoreError::Overlaps(refused));
            }
        }
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(ids)
    }

    fn insert_time_off(&self, company: CompanyId, t: &TimeOff) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let overlaps: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM time_offs WHERE tenant = ?1 AND employee_id = ?2
                    AND status != 'rejected' AND start_date <= ?4 AND ?3 <= end_date)",
                params![
                    tenant,
                    t.employee_id,
                    t.start_date.to_string(),
                    t.end_date.to_string()
                ],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if overlaps {
            return Err(StoreError::Overlaps(vec![0]));
        }
        tx.execute(
            "INSERT INTO time_offs (tenant, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                tenant,
                t.employee_id,
                t.time_off_type_id,
                t.status.as_str(),
                t.start_date.to_string(),
                t.end_date.to_string(),
                t.half_day_start,
                t.half_day_end,
                t.days_count,
                t.comment,
                sortable(t.created_at),
                sortable(t.updated_at),
            ],
        )
        .map_err(backend)?;
        let id = tx.last_insert_rowid();
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(id)
    }

    fn replace_employee(&self, company: CompanyId, e: &Employee) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let n = tx
            .execute(
                "UPDATE employees SET email = ?3, last_modified_at = ?4, document = ?5 WHERE tenant = ?1 AND id = ?2",
                params![tenant, e.id, e.email, sortable(e.last_modified_at), json(e)?],
            )
            .map_err(backend)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(n == 1)
    }

    fn employees(
        &self,
        company: CompanyId,
        filter: &EmployeeFilter,
        window: Window,
    ) -> Result<Paged<Employee>, StoreError> {
        let conn = self.conn()?;
        let mut filters = Where::new("tenant = ?", tenant(&conn, company)?);
        if let Some(email) = &filter.email {
            filters.and("email = ?", email.clone());
        }
        if let Some(since) = filter.updated_since {
            filters.and("last_modified_at >= ?", sortable(since));
        }
        filters.page(&conn, "employees", "document", "id", window, |row| {
            let document: String = row.get(0)?;
            Ok(from_json("employees", &document))
        })
    }

    fn employee_ids(&self, company: CompanyId) -> Result<Vec<EmployeeId>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached("SELECT id FROM employees WHERE tenant = ?1 ORDER BY id")
            .map_err(backend)?;
        let ids = statement
            .query_map([tenant], |row| row.get(0))
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        Ok(ids)
    }

    fn employees_in_range(
        &self,
        company: CompanyId,
        first: EmployeeId,
        last: EmployeeId,
    ) -> Result<Vec<Employee>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let mut statement = conn
            .prepare_cached(
                "SELECT document FROM employees WHERE tenant = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(rusqlite::params![tenant, first, last], |row| {
                let document: String = row.get(0)?;
                Ok(from_json("employees", &document))
            })
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn employees_by_id(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<Employee>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // One statement for any number of ids: they go in as a JSON array.
        let list = serde_json::to_string(ids).map_err(|e| StoreError::Backend(e.to_string()))?;
        let mut statement = conn
            .prepare_cached(
                "SELECT document FROM employees
                 WHERE tenant = ?1 AND id IN (SELECT value FROM json_each(?2))
                 ORDER BY id",
            )
            .map_err(backend)?;
        let rows = statement
            .query_map(rusqlite::params![tenant, list], |row| {
                let document: String = row.get(0)?;
                Ok(from_json("employees", &document))
            })
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn org_units(&self, company: CompanyId) -> Result<relais_people::edit::OrgUnits, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // Units live in the employee documents; each kind is read from them.
        let units = |kind: &str| -> Result<Vec<relais_people::OrgUnit>, StoreError> {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT DISTINCT json_extract(document, '$.{kind}.id'), json_extract(document, '$.{kind}.name')
                     FROM employees WHERE tenant = ?1 AND json_extract(document, '$.{kind}.id') IS NOT NULL
                     ORDER BY 1"
                ))
                .map_err(backend)?;
            let rows = statement
                .query_map([tenant], |r| {
                    Ok(relais_people::OrgUnit {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                })
                .map_err(backend)?;
            rows.map(|r| r.map_err(backend)).collect()
        };
        Ok(relais_people::edit::OrgUnits {
            departments: units("department")?,
            offices: units("office")?,
            teams: units("team")?,
        })
    }

    fn history(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<AttributeChange>, StoreError> {
        let conn = self.conn()?;
        let mut filters = Where::new("tenant = ?", tenant(&conn, company)?);
        filters.and_in("employee_id", ids);
        let mut statement = conn
            .prepare(&format!(
                "SELECT employee_id, attribute, effective_from, value FROM employee_history WHERE {}
                 ORDER BY employee_id, attribute, effective_from",
                filters.sql()
            ))
            .map_err(backend)?;
        let rows = statement
            .query_map(params_from_iter(&filters.params), history_row)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)?).collect()
    }

    fn each_employee_with_history(
        &self,
        company: CompanyId,
        each: &mut (dyn FnMut(Employee, Vec<AttributeChange>) -> Result<bool, StoreError> + Send),
    ) -> Result<(), StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        // Both statements walk their primary keys in employee order, so the
        // merge holds one employee's history at a time.
        let mut employees = conn
            .prepare_cached("SELECT document FROM employees WHERE tenant = ?1 ORDER BY id")
            .map_err(backend)?;
        let mut history = conn
            .prepare_cached(
                "SELECT employee_id, attribute, effective_from, value FROM employee_history
                 WHERE tenant = ?1 ORDER BY employee_id, attribute, effective_from",
            )
            .map_err(backend)?;
        let employees = employees
            .query_map([tenant], |row| {
                let document: String = row.get(0)?;
                Ok(from_json::<Employee>("employees", &document))
            })
            .map_err(backend)?;
        let mut changes = history
            .query_map([tenant], history_row)
            .map_err(backend)?
            .peekable();
        for employee in employees {
            let employee = employee.map_err(backend)??;
            let mut own = Vec::new();
            while let Some(next) = changes.peek() {
                match next {
                    Ok(Ok(change)) if change.employee_id < employee.id => {
                        changes.next();
                    }
                    Ok(Ok(change)) if change.employee_id == employee.id => {
                        if let Some(Ok(Ok(change))) = changes.next() {
                            own.push(change);
                        }
                    }
                    Ok(Ok(_)) => break,
                    Ok(Err(_)) | Err(_) => {
                        return match changes.next() {
                            Some(Ok(Err(e))) => Err(e),
                            Some(Err(e)) => Err(backend(e)),
                            _ => Ok(()),
                        };
                    }
                }
            }
            if !each(employee, own)? {
                break;
            }
        }
        Ok(())
    }

    fn attendances(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<Attendance>, StoreError> {
        let conn = self.conn()?;
        let mut filters = Where::new("tenant = ?", tenant(&conn, company)?);
        if let Some(start) = filter.start_date {
            filters.and("date >= ?", start.to_string());
        }
        if let Some(end) = filter.end_date {
            filters.and("date <= ?", end.to_string());
        }
        filters.and_in("employee_id", &filter.employees);
        updated_between(&mut filters, filter);
        if !filter.include_pending {
            filters.and("status = ?", "confirmed".to_owned());
        }
        filters.page(
            &conn,
            "attendances",
            "id, employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at",
            "date, employee_id, id",
            window,
            attendance_row,
        )
    }

    fn time_offs(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<TimeOff>, StoreError> {
        let conn = self.conn()?;
        let mut filters = Where::new("tenant = ?", tenant(&conn, company)?);
        if let Some(start) = filter.start_date {
            filters.and("end_date >= ?", start.to_string());
        }
        if let Some(end) = filter.end_date {
            filters.and("start_date <= ?", end.to_string());
        }
        filters.and_in("employee_id", &filter.employees);
        updated_between(&mut filters, filter);
        filters.page(
            &conn,
            "time_offs",
            "id, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at",
            "start_date, id",
            window,
            time_off_row,
        )
    }

    fn absence_periods(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<AbsencePeriod>, StoreError> {
        let conn = self.conn()?;
        let mut filters = Where::new("tenant = ?", tenant(&conn, company)?);
        if let Some(start) = filter.start_date {
            filters.and("end >= ?", format!("{start}T00:00:00"));
        }
        if let Some(end) = filter.end_date {
            filters.and("start <= ?", format!("{end}T23:59:59"));
        }
        filters.and_in("employee_id", &filter.employees);
        updated_between(&mut filters, filter);
        filters.page(
            &conn,
            "absence_periods",
            "id, employee_id, time_off_type_id, start, end, status, comment, created_at, updated_at",
            "start, id",
            window,
            absence_row,
        )
    }

    fn insert_project(
        &self,
        company: CompanyId,
        name: &str,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<Project, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        // The next id: past every id handed out before, and past those the
        // reference data brought (a demo company's projects).
        let id: i64 = tx
            .query_row(
                "INSERT INTO project_ids (tenant, last_id)
                 VALUES (?1, (SELECT COALESCE(MAX(id), 0) + 1 FROM projects WHERE tenant = ?1))
                 ON CONFLICT (tenant) DO UPDATE SET last_id =
                     MAX(last_id, (SELECT COALESCE(MAX(id), 0) FROM projects WHERE tenant = ?1)) + 1
                 RETURNING last_id",
                [tenant],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let project = Project {
            id,
            name: name.to_owned(),
            active,
            created_at: at,
            updated_at: at,
        };
        tx.execute(
            "INSERT INTO projects (tenant, id, name, active, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![tenant, id, project.name, active, sortable(at)],
        )
        .map_err(|e| conflict_or_backend(e, || format!("a project named {name}")))?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(project)
    }

    fn update_project(
        &self,
        company: CompanyId,
        id: i64,
        change: &ProjectChange,
        at: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let changed = tx
            .query_row(
                &format!(
                    "UPDATE projects SET name = COALESCE(?3, name), active = COALESCE(?4, active), updated_at = ?5
                     WHERE tenant = ?1 AND id = ?2 RETURNING {PROJECT_COLUMNS}"
                ),
                params![tenant, id, change.name, change.active, sortable(at)],
                project_row,
            )
            .optional()
            .map_err(|e| {
                conflict_or_backend(e, || {
                    format!("a project named {}", change.name.as_deref().unwrap_or_default())
                })
            })?
            .transpose()?;
        if changed.is_some() {
            bump_revision(&tx, tenant)?;
        }
        tx.commit().map_err(backend)?;
        Ok(changed)
    }

    fn delete_project(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let booked: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM attendances WHERE tenant = ?1 AND project_id = ?2",
                params![tenant, id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM projects WHERE tenant = ?1 AND id = ?2)",
                params![tenant, id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if !exists {
            return Ok(false);
        }
        if booked > 0 {
            return Err(StoreError::Refused(format!(
                "project {id} has {booked} attendances booked on it; deactivate it instead (active: false), or move them to another project first"
            )));
        }
        tx.execute(
            "DELETE FROM projects WHERE tenant = ?1 AND id = ?2",
            params![tenant, id],
        )
        .map_err(backend)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(true)
    }

    fn update_attendance(
        &self,
        company: CompanyId,
        id: i64,
        change: &mut (dyn FnMut(Attendance) -> Result<Attendance, StoreError> + Send),
    ) -> Result<Option<Attendance>, StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let Some(old) = tx
            .query_row(
                &format!(
                    "SELECT {ATTENDANCE_COLUMNS} FROM attendances WHERE tenant = ?1 AND id = ?2"
                ),
                params![tenant, id],
                attendance_row,
            )
            .optional()
            .map_err(backend)?
            .transpose()?
        else {
            return Ok(None);
        };
        let old_project = old.project_id;
        let mut new = change(old)?;
        new.id = id;
        if let Some(project) = new.project_id
            && new.project_id != old_project
        {
            require_active_project(&tx, tenant, project)?;
        }
        let (start, end) = (
            new.start_time.format("%H:%M").to_string(),
            new.end_time.format("%H:%M").to_string(),
        );
        let overlaps: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM attendances WHERE tenant = ?1 AND date = ?2 AND employee_id = ?3
                    AND id != ?6 AND start_time < ?5 AND ?4 < end_time)",
                params![tenant, new.date.to_string(), new.employee_id, start, end, id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if overlaps {
            return Err(StoreError::Overlaps(vec![0]));
        }
        tx.execute(
            "UPDATE attendances SET date = ?3, start_time = ?4, end_time = ?5, break_minutes = ?6,
                 project_id = ?7, status = ?8, comment = ?9, updated_at = ?10
             WHERE tenant = ?1 AND id = ?2",
            params![
                tenant,
                id,
                new.date.to_string(),
                start,
                end,
                new.break_minutes,
                new.project_id,
                new.status.as_str(),
                new.comment,
                sortable(new.updated_at),
            ],
        )
        .map_err(backend)?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)?;
        Ok(Some(new))
    }

    fn delete_attendance(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        delete_one(self, company, "attendances", Sql::Integer(id))
    }

    fn time_off(&self, company: CompanyId, id: i64) -> Result<Option<TimeOff>, StoreError> {
        let conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        conn.query_row(
            &format!("SELECT {TIME_OFF_COLUMNS} FROM time_offs WHERE tenant = ?1 AND id = ?2"),
            params![tenant, id],
            time_off_row,
        )
        .optional()
        .map_err(backend)?
        .transpose()
    }

    fn delete_time_off(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        delete_one(self, company, "time_offs", Sql::Integer(id))
    }

    fn insert_absence_period(
        &self,
        company: CompanyId,
        p: &AbsencePeriod,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tenant = tenant(&conn, company)?;
        let tx = conn.transaction().map_err(backend)?;
        let (start, end) = (
            p.start.format(ABSENCE_INSTANT).to_string(),
            p.end.format(ABSENCE_INSTANT).to_string(),
        );
        let overlaps: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM absence_periods WHERE tenant = ?1 AND employee_id = ?2
                    AND status != 'rejected' AND start < ?4 AND ?3 < end)",
                params![tenant, p.employee_id, start, end],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if overlaps {
            return Err(StoreError::Overlaps(vec![0]));
        }
        // The employee and the type, checked again in the storing
        // transaction: the caller's check ran before it, and a reset of the
        // company's people data in between would leave the row orphaned.
        let known: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = ?1 AND id = ?2)
                    AND EXISTS (SELECT 1 FROM time_off_types WHERE tenant = ?1 AND id = ?3)",
                params![tenant, p.employee_id, p.time_off_type_id],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if !known {
            return Err(StoreError::Refused(format!(
                "employee {} or absence type {} no longer exists",
                p.employee_id, p.time_off_type_id
            )));
        }
        tx.execute(
            "INSERT INTO absence_periods (tenant, id, employee_id, time_off_type_id, start, end, status, comment, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                tenant,
                p.id.to_string(),
                p.employee_id,
                p.time_off_type_id,
                start,
                end,
                p.status.as_str(),
                p.comment,
                sortable(p.created_at),
                sortable(p.updated_at),
            ],
        )
        .map_err(|e| conflict_or_backend(e, || format!("absence period {}", p.id)))?;
        bump_revision(&tx, tenant)?;
        tx.commit().map_err(backend)
    }

    fn delete_absence_period(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<bool, StoreError> {
        delete_one(self, company, "absence_periods", Sql::Text(id.to_string()))
    }
}

fn project_row(row: &Row<'_>) -> rusqlite::Result<Result<Project, StoreError>> {
    let (id, name, active, created, updated): (i64, String, bool, String, String) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    Ok((|| {
        Ok(Project {
            id,
            name,
            active,
            created_at: parse_timestamp("projects", &created)?,
            updated_at: parse_timestamp("projects", &updated)?,
        })
    })())
}

/// Refuses, inside the caller's transaction, a project that is not an
/// active project of `tenant`.
fn require_active_project(conn: &Connection, tenant: i64, project: i64) -> Result<(), StoreError> {
    let active: Option<bool> = conn
        .query_row(
            "SELECT active FROM projects WHERE tenant = ?1 AND id = ?2",
            params![tenant, project],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    match active {
        Some(true) => Ok(()),
        Some(false) => Err(StoreError::Refused(format!(
            "project_id: {project} is not an active project"
        ))),
        None => Err(StoreError::Refused(format!(
            "project_id: {project} is not a project of this company"
        ))),
    }
}

/// Deletes the row of `table` with `id` in the company, and marks the
/// company's people data as changed when there was one.
fn delete_one(
    store: &SqliteStore,
    company: CompanyId,
    table: &'static str,
    id: Sql,
) -> Result<bool, StoreError> {
    let mut conn = store.conn()?;
    let tenant = tenant(&conn, company)?;
    let tx = conn.transaction().map_err(backend)?;
    let deleted = tx
        .execute(
            &format!("DELETE FROM {table} WHERE tenant = ?1 AND id = ?2"),
            params![tenant, id],
        )
        .map_err(backend)?;
    if deleted > 0 {
        bump_revision(&tx, tenant)?;
    }
    tx.commit().map_err(backend)?;
    Ok(deleted > 0)
}

fn updated_between(filters: &mut Where, filter: &PeriodFilter) {
    if let Some(from) = filter.updated_from {
        filters.and("updated_at >= ?", sortable(from));
    }
    if let Some(to) = filter.updated_to {
        filters.and("updated_at <= ?", sortable(to));
    }
}

fn attendance_row(row: &Row<'_>) -> rusqlite::Result<Result<Attendance, StoreError>> {
    const T: &str = "attendances";
    let id: i64 = row.get(0)?;
    let employee_id: i64 = row.get(1)?;
    let date: String = row.get(2)?;
    let start: String = row.get(3)?;
    let end: String = row.get(4)?;
    let break_minutes: u32 = row.get(5)?;
    let project_id: Option<i64> = row.get(6)?;
    let status: String = row.get(7)?;
    let comment: Option<String> = row.get(8)?;
    let updated_at: String = row.get(9)?;
    let time = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").map_err(|e| corrupt(T, e));
    Ok((|| {
        Ok(Attendance {
            id,
            employee_id,
            date: date.parse().map_err(|e| corrupt(T, e))?,
            start_time: time(&start)?,
            end_time: time(&end)?,
            break_minutes,
            project_id,
            status: match status.as_str() {
                "confirmed" => AttendanceStatus::Confirmed,
                "pending" => AttendanceStatus::Pending,
                "rejected" => AttendanceStatus::Rejected,
                other => return Err(corrupt(T, format!("status {other}"))),
            },
            comment,
            updated_at: parse_timestamp(T, &updated_at)?,
        })
    })())
}

fn time_off_row(row: &Row<'_>) -> rusqlite::Result<Result<TimeOff, StoreError>> {
    const T: &str = "time_offs";
    let id: i64 = row.get(0)?;
    let employee_id: i64 = row.get(1)?;
    let type_id: i64 = row.get(2)?;
    let status: String = row.get(3)?;
    let start: String = row.get(4)?;
    let end: String = row.get(5)?;
    let half_start: bool = row.get(6)?;
    let half_end: bool = row.get(7)?;
    let days: f64 = row.get(8)?;
    let comment: Option<String> = row.get(9)?;
    let created: String = row.get(10)?;
    let updated: String = row.get(11)?;
    Ok((|| {
        Ok(TimeOff {
            id,
            employee_id,
            time_off_type_id: type_id,
            status: time_off_status(T, &status)?,
            start_date: start.parse().map_err(|e| corrupt(T, e))?,
            end_date: end.parse().map_err(|e| corrupt(T, e))?,
            half_day_start: half_start,
            half_day_end: half_end,
            days_count: days,
            comment,
            created_at: parse_timestamp(T, &created)?,
            updated_at: parse_timestamp(T, &updated)?,
        })
    })())
}

fn absence_row(row: &Row<'_>) -> rusqlite::Result<Result<AbsencePeriod, StoreError>> {
    const T: &str = "absence_periods";
    let id: String = row.get(0)?;
    let employee_id: i64 = row.get(1)?;
    let type_id: i64 = row.get(2)?;
    let start: String = row.get(3)?;
    let end: String = row.get(4)?;
    let status: String = row.get(5)?;
    let comment: Option<String> = row.get(6)?;
    let created: String = row.get(7)?;
    let updated: String = row.get(8)?;
    let at = |text: &str| {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").map_err(|e| corrupt(T, e))
    };
    Ok((|| {
        Ok(AbsencePeriod {
            id: super::parse_uuid(T, &id)?,
            employee_id,
            time_off_type_id: type_id,
            start: at(&start)?,
            end: at(&end)?,
            status: time_off_status(T, &status)?,
            comment,
            created_at: parse_timestamp(T, &created)?,
            updated_at: parse_timestamp(T, &updated)?,
        })
    })())
}

/// One row of `employee_history`.
fn history_row(row: &Row<'_>) -> rusqlite::Result<Result<AttributeChange, StoreError>> {
    let (employee_id, attribute, from, value): (i64, String, String, String) =
        (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
    Ok((|| {
        Ok(AttributeChange {
            employee_id,
            attribute,
            effective_from: from
                .parse::<NaiveDate>()
                .map_err(|e| corrupt("employee_history", e))?,
            value: from_json("employee_history", &value)?,
        })
    })())
}

/// Marks the company's people data as changed (see `people_revisions`).
/// Deletes every people row of `tenant`, inside the caller's transaction.
pub(super) fn clear_people_in(conn: &Connection, tenant: i64) -> Result<(), StoreError> {
    for table in PEOPLE_TABLES {
        conn.execute(&format!("DELETE FROM {table} WHERE tenant = ?1"), [tenant])
            .map_err(backend)?;
    }
    bump_revision(conn, tenant)
}

/// Replaces the reference data of `tenant`, inside the caller's transaction.
pub(super) fn replace_reference_in(
    conn: &Connection,
    tenant: i64,
    reference: &PeopleReference,
) -> Result<(), StoreError> {
    for table in [
        "time_off_types",
        "document_categories",
        "custom_attributes",
        "projects",
    ] {
        conn.execute(&format!("DELETE FROM {table} WHERE tenant = ?1"), [tenant])
            .map_err(backend)?;
    }
    for t in &reference.time_off_types {
        conn.execute(
            "INSERT INTO time_off_types (tenant, id, document) VALUES (?1, ?2, ?3)",
            params![tenant, t.id, json(t)?],
        )
        .map_err(backend)?;
    }
    for c in &reference.document_categories {
        conn.execute(
            "INSERT INTO document_categories (tenant, id, name) VALUES (?1, ?2, ?3)",
            params![tenant, c.id, c.name],
        )
        .map_err(backend)?;
    }
    for a in &reference.custom_attributes {
        conn.execute(
            "INSERT INTO custom_attributes (tenant, id, document) VALUES (?1, ?2, ?3)",
            params![tenant, a.id, json(a)?],
        )
        .map_err(backend)?;
    }
    for p in &reference.projects {
        conn.execute(
            "INSERT INTO projects (tenant, id, name, active, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![tenant, p.id, p.name, p.active, sortable(p.created_at), sortable(p.updated_at)],
        )
        .map_err(|e| conflict_or_backend(e, || format!("a project named {}", p.name)))?;
    }
    bump_revision(conn, tenant)
}

/// Writes employees with all their records, inside the caller's transaction.
pub(super) fn insert_records_in(
    conn: &Connection,
    tenant: i64,
    batch: &[EmployeeRecords],
) -> Result<(), StoreError> {
    {
        let mut employee = conn
                .prepare_cached("INSERT INTO employees (tenant, id, email, last_modified_at, document) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(backend)?;
        let mut history = conn
                .prepare_cached("INSERT INTO employee_history (tenant, employee_id, attribute, effective_from, value) VALUES (?1, ?2, ?3, ?4, ?5)")
                .map_err(backend)?;
        let mut attendance = conn
                .prepare_cached(
                    "INSERT INTO attendances (tenant, employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(backend)?;
        let mut time_off = conn
                .prepare_cached(
                    "INSERT INTO time_offs (tenant, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(backend)?;
        let mut picture = conn
                .prepare_cached(
                    "INSERT INTO employee_pictures (tenant, employee_id, width, height, png, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(backend)?;
        let mut absence = conn
                .prepare_cached(
                    "INSERT INTO absence_periods (tenant, id, employee_id, time_off_type_id, start, end, status, comment, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(backend)?;
        for records in batch {
            let e = &records.employee;
            employee
                .execute(params![
                    tenant,
                    e.id,
                    e.email,
                    sortable(e.last_modified_at),
                    json(e)?
                ])
                .map_err(|err| conflict_or_backend(err, || format!("employee {}", e.id)))?;
            for c in &records.history {
                history
                    .execute(params![
                        tenant,
                        c.employee_id,
                        c.attribute,
                        c.effective_from.to_string(),
                        c.value.to_string()
                    ])
                    .map_err(|err| {
                        conflict_or_backend(err, || {
                            format!("a change of {} on {}", c.attribute, c.effective_from)
                        })
                    })?;
            }
            for a in &records.attendances {
                attendance
                    .execute(params![
                        tenant,
                        a.employee_id,
                        a.date.to_string(),
                        a.start_time.format("%H:%M").to_string(),
                        a.end_time.format("%H:%M").to_string(),
                        a.break_minutes,
                        a.project_id,
                        a.status.as_str(),
                        a.comment,
                        sortable(a.updated_at),
                    ])
                    .map_err(backend)?;
            }
            for t in &records.time_offs {
                time_off
                    .execute(params![
                        tenant,
                        t.employee_id,
                        t.time_off_type_id,
                        t.status.as_str(),
                        t.start_date.to_string(),
                        t.end_date.to_string(),
                        t.half_day_start,
                        t.half_day_end,
                        t.days_count,
                        t.comment,
                        sortable(t.created_at),
                        sortable(t.updated_at),
                    ])
                    .map_err(backend)?;
            }
            if let Some(p) = &records.picture {
                picture
                    .execute(params![
                        tenant,
                        e.id,
                        p.width,
                        p.height,
                        p.png,
                        sortable(e.last_modified_at),
                    ])
                    .map_err(backend)?;
            }
            for p in &records.absence_periods {
                absence
                    .execute(params![
                        tenant,
                        p.id.to_string(),
                        p.employee_id,
                        p.time_off_type_id,
                        p.start.format("%Y-%m-%dT%H:%M:%S").to_string(),
                        p.end.format("%Y-%m-%dT%H:%M:%S").to_string(),
                        p.status.as_str(),
                        p.comment,
                        sortable(p.created_at),
                        sortable(p.updated_at),
                    ])
                    .map_err(backend)?;
            }
        }
    }
    bump_revision(conn, tenant)
}

pub(super) fn bump_revision(conn: &Connection, tenant: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO people_revisions (tenant, revision) VALUES (?1, 1)
         ON CONFLICT (tenant) DO UPDATE SET revision = revision + 1",
        [tenant],
    )
    .map_err(backend)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AccessStore;
    use chrono::Utc;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
    use relais_people::demo;

    fn company(store: &SqliteStore, name: &str) -> Company {
        let now = Utc::now();
        let company = Company::new(name, now).unwrap();
        let admin = User::new(
            company.id,
            "a@example.com",
            "A",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "t", now, None).unwrap();
        store
            .create_company(&company, &admin, &token.record)
            .unwrap();
        company
    }

    fn spec(employees: u32) -> demo::DemoSpec {
        demo::DemoSpec {
            employees,
            months: 3,
            seed: 1,
            until: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        }
    }

    #[test]
    fn the_employee_stream_is_every_employee_with_exactly_its_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let a = company(&store, "A");
        let b = company(&store, "B");
        let records: Vec<_> = demo::employees(spec(25)).collect();
        store.insert_employees(a.id, &records).unwrap();
        store.insert_employees(b.id, &records[..5]).unwrap();
        let history = store.history(a.id, &[]).unwrap();
        let mut seen = Vec::new();
        store
            .each_employee_with_history(a.id, &mut |employee, changes| {
                assert!(changes.iter().all(|c| c.employee_id == employee.id));
                let expected: Vec<_> = history
                    .iter()
                    .filter(|c| c.employee_id == employee.id)
                    .cloned()
                    .collect();
                assert_eq!(changes, expected, "employee {}", employee.id);
                seen.push(employee);
                Ok(true)
            })
            .unwrap();
        let everyone: Vec<_> = records.iter().map(|r| r.employee.clone()).collect();
        assert_eq!(seen, everyone);
        // Answering false stops the stream.
        let mut calls = 0;
        store
            .each_employee_with_history(a.id, &mut |_, _| {
                calls += 1;
                Ok(calls < 3)
            })
            .unwrap();
        assert_eq!(calls, 3);
    }

    #[test]
    fn people_round_trip_and_stay_in_their_company() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let a = company(&store, "A");
        let b = company(&store, "B");
        let records: Vec<_> = demo::employees(spec(20)).collect();
        store.insert_employees(a.id, &records).unwrap();

        let all = Window {
            offset: 0,
            limit: 1000,
        };
        let employees = store
            .employees(a.id, &EmployeeFilter::default(), all)
            .unwrap();
        assert_eq!(employees.total, 20);
        assert_eq!(employees.rows[3], records[3].employee);
        assert_eq!(
            store
                .employees(b.id, &EmployeeFilter::default(), all)
                .unwrap()
                .total,
            0
        );

        let expected: usize = records
            .iter()
            .map(|r| {
                r.attendances
                    .iter()
                    .filter(|a| a.status == AttendanceStatus::Confirmed)
                    .count()
            })
            .sum();
        let filter = PeriodFilter::default();
        let attendances = store
            .attendances(
                a.id,
                &filter,
                Window {
                    offset: 0,
                    limit: 1_000_000,
                },
            )
            .unwrap();
        assert_eq!(attendances.total as usize, expected);
        assert_eq!(store.attendances(b.id, &filter, all).unwrap().total, 0);
        let with_pending = PeriodFilter {
            include_pending: true,
            ..PeriodFilter::default()
        };
        let total: usize = records.iter().map(|r| r.attendances.len()).sum();
        assert_eq!(
            store.attendances(a.id, &with_pending, all).unwrap().total as usize,
            total
        );

        let history = store.history(a.id, &[1, 2]).unwrap();
        assert_eq!(
            history.len(),
            records[0].history.len() + records[1].history.len()
        );
        let one = store
            .employees(
                a.id,
                &EmployeeFilter {
                    email: Some(records[4].employee.email.clone()),
                    updated_since: None,
                },
                all,
            )
            .unwrap();
        assert_eq!(one.rows.len(), 1);
        assert!(matches!(
            store.insert_employees(a.id, &records[..1]),
            Err(StoreError::Conflict(_))
        ));

        store.clear_people(a.id).unwrap();
        assert_eq!(
            store
                .employees(a.id, &EmployeeFilter::default(), all)
                .unwrap()
                .total,
            0
        );
    }
}
