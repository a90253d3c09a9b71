//! PostgreSQL: see `crate::sqlite::people` (the same queries in PostgreSQL's dialect).
//!
//! Large writes (a demo company, an import) go in with binary `COPY`; when
//! one of its rows breaks a constraint the batch is written again row by
//! row, so that the error names the same row as the SQLite backend's.

use std::collections::HashMap;
use std::sync::mpsc::sync_channel;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Row};
use relais_access::CompanyId;
use relais_people::{
    AbsencePeriod, Attendance, AttendanceStatus, AttributeChange, Employee, EmployeeId,
    EmployeeRecords, Project, TimeOff,
};

use super::{
    PostgresStore, backend, conflict_or_backend, corrupt, get, int, is_constraint_violation, json,
    parse_timestamp, parse_uuid, prepared, sortable,
};
use crate::layout::{
    ABSENCE_INSTANT, ATTENDANCE_COLUMNS, PEOPLE_TABLES, PROJECT_COLUMNS, TIME_OFF_COLUMNS,
    from_json, time_off_status,
};
use crate::{
    EmployeeFilter, Paged, PeopleReference, PeopleStore, PeriodFilter, ProjectChange, StoreError,
    Window,
};

/// The company's small integer key in the people tables.
pub(super) fn tenant(
    client: &mut impl GenericClient,
    company: CompanyId,
) -> Result<i64, StoreError> {
    let statement = prepared(client, "SELECT tenant FROM companies WHERE id = $1")?;
    let row = client
        .query_opt(&statement, &[&company.0.to_string()])
        .map_err(backend)?
        .ok_or_else(|| StoreError::Backend(format!("no company {company}")))?;
    let tenant: Option<i64> = get("companies", &row, 0)?;
    tenant.ok_or_else(|| StoreError::Backend(format!("no company {company}")))
}

/// A parameter value of a [`Where`].
type Param = Box<dyn ToSql + Sync + Send>;

/// A WHERE clause built from optional parts, with its parameters. Clauses
/// are written with `?` for their one parameter (as the SQLite twin's); they
/// are numbered `$1, $2, …` in the order given.
pub(super) struct Where {
    clauses: Vec<String>,
    params: Vec<Param>,
}

impl Where {
    /// A clause on one column's value.
    pub(super) fn new(clause: &str, value: impl ToSql + Sync + Send + 'static) -> Self {
        Self {
            clauses: vec![clause.to_owned()],
            params: vec![Box::new(value)],
        }
    }

    pub(super) fn and(&mut self, clause: &str, value: impl ToSql + Sync + Send + 'static) {
        self.clauses.push(clause.to_owned());
        self.params.push(Box::new(value));
    }

    fn and_in(&mut self, column: &str, values: &[i64]) {
        if values.is_empty() {
            return;
        }
        self.and(&format!("{column} = ANY(?)"), values.to_vec());
    }

    /// The clauses joined, their `?` numbered from `$1`.
    fn sql(&self) -> String {
        let joined = self.clauses.join(" AND ");
        let mut sql = String::with_capacity(joined.len() + 8);
        let mut n = 0;
        for c in joined.chars() {
            if c == '?' {
                n += 1;
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push(c);
            }
        }
        sql
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| &**p as &(dyn ToSql + Sync))
            .collect()
    }

    /// Counts the matching rows of `table`, then reads one window of them.
    pub(super) fn page<T>(
        &self,
        client: &mut impl GenericClient,
        table: &str,
        columns: &str,
        order: &str,
        window: Window,
        read: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Paged<T>, StoreError> {
        let filter = self.sql();
        let mut params = self.params();
        let total: i64 = {
            let row = client
                .query_one(
                    &format!("SELECT COUNT(*) FROM {table} WHERE {filter}"),
                    &params,
                )
                .map_err(backend)?;
            get("count", &row, 0)?
        };
        let (limit, offset) = (int(window.limit), int(window.offset));
        params.push(&limit);
        params.push(&offset);
        let n = params.len();
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE {filter} ORDER BY {order} LIMIT ${} OFFSET ${n}",
            n - 1
        );
        let rows = client
            .query(&sql, &params)
            .map_err(backend)?
            .iter()
            .map(&read)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Paged {
            rows,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

impl PeopleStore for PostgresStore {
    fn clear_people(&self, company: CompanyId) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            clear_people_in(tx, tenant)
        })
    }

    fn replace_people_reference(
        &self,
        company: CompanyId,
        reference: &PeopleReference,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            replace_reference_in(tx, tenant, reference)
        })
    }

    fn people_reference(&self, company: CompanyId) -> Result<PeopleReference, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let mut documents = |table: &'static str| -> Result<Vec<String>, StoreError> {
                client
                    .query(
                        &format!("SELECT document FROM {table} WHERE tenant = $1 ORDER BY id"),
                        &[&tenant],
                    )
                    .map_err(backend)?
                    .iter()
                    .map(|r| get(table, r, 0))
                    .collect()
            };
            let time_off_types = documents("time_off_types")?
                .iter()
                .map(|d| from_json("time_off_types", d))
                .collect::<Result<_, _>>()?;
            let custom_attributes = documents("custom_attributes")?
                .iter()
                .map(|d| from_json("custom_attributes", d))
                .collect::<Result<_, _>>()?;
            const C: &str = "document_categories";
            let document_categories = client
                .query(
                    "SELECT id, name FROM document_categories WHERE tenant = $1 ORDER BY id",
                    &[&tenant],
                )
                .map_err(backend)?
                .iter()
                .map(|r| {
                    Ok(relais_people::DocumentCategory {
                        id: get(C, r, 0)?,
                        name: get(C, r, 1)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?;
            let projects = client
                .query(
                    &format!(
                        "SELECT {PROJECT_COLUMNS} FROM projects WHERE tenant = $1 ORDER BY id"
                    ),
                    &[&tenant],
                )
                .map_err(backend)?
                .iter()
                .map(project_row)
                .collect::<Result<_, _>>()?;
            Ok(PeopleReference {
                time_off_types,
                document_categories,
                custom_attributes,
                projects,
            })
        })
    }

    fn insert_employees(
        &self,
        company: CompanyId,
        batch: &[EmployeeRecords],
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            insert_records_in(tx, tenant, batch)
        })
    }

    fn insert_attendances(
        &self,
        company: CompanyId,
        attendances: &[Attendance],
    ) -> Result<Vec<i64>, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            // The projects named, checked in the order given (the first
            // refused one is the answer, as one at a time would find it).
            let projects: Vec<i64> = attendances.iter().filter_map(|a| a.project_id).collect();
            if !projects.is_empty() {
                let mut known = HashMap::new();
                for row in tx
                    .query(
                        "SELECT id, active FROM projects WHERE tenant = $1 AND id = ANY($2)",
                        &[&tenant, &projects],
                    )
                    .map_err(backend)?
                {
                    let id: i64 = get("projects", &row, 0)?;
                    let active: i64 = get("projects", &row, 1)?;
                    known.insert(id, active != 0);
                }
                for project in projects {
                    project_usable(known.get(&project).copied(), project)?;
                }
            }
            // What is stored on the days and employees concerned, read
            // once; each new attendance is checked against it and against
            // the new ones before it that were not refused.
            let texts: Vec<(String, String, String)> = attendances
                .iter()
                .map(|a| {
                    (
                        a.date.to_string(),
                        a.start_time.format("%H:%M").to_string(),
                        a.end_time.format("%H:%M").to_string(),
                    )
                })
                .collect();
            let employees: Vec<i64> = attendances.iter().map(|a| a.employee_id).collect();
            let dates: Vec<&str> = texts.iter().map(|t| t.0.as_str()).collect();
            let mut booked: HashMap<(i64, String), Vec<(String, String)>> = HashMap::new();
            if !attendances.is_empty() {
                for row in tx
                    .query(
                        "SELECT employee_id, date, start_time, end_time FROM attendances
                         WHERE tenant = $1 AND (employee_id, date) IN
                             (SELECT * FROM unnest($2::BIGINT[], $3::TEXT[]))",
                        &[&tenant, &employees, &dates],
                    )
                    .map_err(backend)?
                {
                    const T: &str = "attendances";
                    booked
                        .entry((get(T, &row, 0)?, get(T, &row, 1)?))
                        .or_default()
                        .push((get(T, &row, 2)?, get(T, &row, 3)?));
                }
            }
            let mut refused = Vec::new();
            for (index, (a, (date, start, end))) in attendances.iter().zip(&texts).enumerate() {
                let day = booked.entry((a.employee_id, date.clone())).or_default();
                if day.iter().any(|(s, e)| s < end && start < e) {
                    refused.push(index);
                    continue;
                }
                day.push((start.clone(), end.clone()));
            }
            if !refused.is_empty() {
                return Err(StoreError::Overlaps(refused));
            }
            // Ids taken first, in ascending order, so that the rows get
            // them in the order given (as one insert at a time would).
            let mut ids: Vec<i64> = tx
                .query(
                    "SELECT nextval(pg_get_serial_sequence('attendances', 'id'))
                     FROM generate_series(1, $1::BIGINT)",
                    &[&int(attendances.len())],
                )
                .map_err(backend)?
                .iter()
                .map(|r| get("attendances", r, 0))
                .collect::<Result<_, _>>()?;
            ids.sort_unstable();
            copy_attendances(
                tx,
                tenant,
                attendances.iter().zip(ids.iter().map(|id| Some(*id))),
            )
            .map_err(backend)?;
            bump_revision(tx, tenant)?;
            Ok(ids)
        })
    }

    fn insert_time_off(&self, company: CompanyId, t: &TimeOff) -> Result<i64, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let (start, end) = (t.start_date.to_string(), t.end_date.to_string());
            let row = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM time_offs WHERE tenant = $1 AND employee_id = $2
                        AND status != 'rejected' AND start_date <= $4 AND $3 <= end_date)",
                    &[&tenant, &t.employee_id, &start, &end],
                )
                .map_err(backend)?;
            if get::<bool>("time_offs", &row, 0)? {
                return Err(StoreError::Overlaps(vec![0]));
            }
            let row = tx
                .query_one(
                    "INSERT INTO time_offs (tenant, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                    &[
                        &tenant,
                        &t.employee_id,
                        &t.time_off_type_id,
                        &t.status.as_str(),
                        &start,
                        &end,
                        &i64::from(t.half_day_start),
                        &i64::from(t.half_day_end),
                        &t.days_count,
                        &t.comment,
                        &sortable(t.created_at),
                        &sortable(t.updated_at),
                    ],
                )
                .map_err(backend)?;
            let id: i64 = get("time_offs", &row, 0)?;
            bump_revision(tx, tenant)?;
            Ok(id)
        })
    }

    fn replace_employee(&self, company: CompanyId, e: &Employee) -> Result<bool, StoreError> {
        let document = json(e)?;
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let n = tx
                .execute(
                    "UPDATE employees SET email = $3, last_modified_at = $4, document = $5 WHERE tenant = $1 AND id = $2",
                    &[&tenant, &e.id, &e.email, &sortable(e.last_modified_at), &document],
                )
                .map_err(backend)?;
            bump_revision(tx, tenant)?;
            Ok(n == 1)
        })
    }

    fn employees(
        &self,
        company: CompanyId,
        filter: &EmployeeFilter,
        window: Window,
    ) -> Result<Paged<Employee>, StoreError> {
        self.run(|client| {
            let mut filters = Where::new("tenant = ?", tenant(client, company)?);
            if let Some(email) = &filter.email {
                filters.and("email = ?", email.clone());
            }
            if let Some(since) = filter.updated_since {
                filters.and("last_modified_at >= ?", sortable(since));
            }
            filters.page(client, "employees", "document", "id", window, |row| {
                let document: String = get("employees", row, 0)?;
                from_json("employees", &document)
            })
        })
    }

    fn employee_ids(&self, company: CompanyId) -> Result<Vec<EmployeeId>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "SELECT id FROM employees WHERE tenant = $1 ORDER BY id",
                    &[&tenant],
                )
                .map_err(backend)?
                .iter()
                .map(|r| get("employees", r, 0))
                .collect()
        })
    }

    fn employees_in_range(
        &self,
        company: CompanyId,
        first: EmployeeId,
        last: EmployeeId,
    ) -> Result<Vec<Employee>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let statement = prepared(
                client,
                "SELECT document FROM employees WHERE tenant = $1 AND id BETWEEN $2 AND $3 ORDER BY id",
            )?;
            client
                .query(&statement, &[&tenant, &first, &last])
                .map_err(backend)?
                .iter()
                .map(employee_document)
                .collect()
        })
    }

    fn employees_by_id(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<Employee>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        self.run(|client| {
            let tenant = tenant(client, company)?;
            let statement = prepared(
                client,
                "SELECT document FROM employees WHERE tenant = $1 AND id = ANY($2) ORDER BY id",
            )?;
            client
                .query(&statement, &[&tenant, &ids])
                .map_err(backend)?
                .iter()
                .map(employee_document)
                .collect()
        })
    }

    fn org_units(&self, company: CompanyId) -> Result<relais_people::edit::OrgUnits, StoreError> {
        // Units live in the employee documents: each document is parsed
        // once for the three kinds.
        let rows = self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query(
                    "WITH d AS MATERIALIZED (SELECT document::jsonb AS doc FROM employees WHERE tenant = $1)
                     SELECT DISTINCT k.kind, (d.doc #>> ARRAY[k.kind, 'id'])::BIGINT AS id,
                            (d.doc #>> ARRAY[k.kind, 'name']) COLLATE \"C\" AS name
                     FROM d CROSS JOIN unnest(ARRAY['department', 'office', 'team']::TEXT[]) AS k(kind)
                     WHERE d.doc #>> ARRAY[k.kind, 'id'] IS NOT NULL
                     ORDER BY 1, 2, 3",
                    &[&tenant],
                )
                .map_err(backend)
        })?;
        let mut units = relais_people::edit::OrgUnits {
            departments: Vec::new(),
            offices: Vec::new(),
            teams: Vec::new(),
        };
        for row in &rows {
            let kind: String = get("employees", row, 0)?;
            let unit = relais_people::OrgUnit {
                id: get("employees", row, 1)?,
                name: get("employees", row, 2)?,
            };
            match kind.as_str() {
                "department" => units.departments.push(unit),
                "office" => units.offices.push(unit),
                _ => units.teams.push(unit),
            }
        }
        Ok(units)
    }

    fn history(
        &self,
        company: CompanyId,
        ids: &[EmployeeId],
    ) -> Result<Vec<AttributeChange>, StoreError> {
        self.run(|client| {
            let mut filters = Where::new("tenant = ?", tenant(client, company)?);
            filters.and_in("employee_id", ids);
            client
                .query(
                    &format!(
                        "SELECT employee_id, attribute, effective_from, value FROM employee_history WHERE {}
                         ORDER BY employee_id, attribute, effective_from",
                        filters.sql()
                    ),
                    &filters.params(),
                )
                .map_err(backend)?
                .iter()
                .map(history_row)
                .collect()
        })
    }

    fn each_employee_with_history(
        &self,
        company: CompanyId,
        each: &mut (dyn FnMut(Employee, Vec<AttributeChange>) -> Result<bool, StoreError> + Send),
    ) -> Result<(), StoreError> {
        // A reader thread walks both tables in one snapshot, a chunk at a
        // time through two portals, and hands over one employee at a time;
        // `each` runs on this thread. Dropping the receiver stops it.
        const CHUNK: i32 = 256;
        std::thread::scope(|scope| {
            let (sender, receiver) =
                sync_channel::<(Employee, Vec<AttributeChange>)>(CHUNK as usize);
            let reader = scope.spawn(move || {
                self.snapshot(|tx| {
                    let tenant = tenant(tx, company)?;
                    let employees = tx
                        .bind(
                            "SELECT document FROM employees WHERE tenant = $1 ORDER BY id",
                            &[&tenant],
                        )
                        .map_err(backend)?;
                    let history = tx
                        .bind(
                            "SELECT employee_id, attribute, effective_from, value FROM employee_history
                             WHERE tenant = $1 ORDER BY employee_id, attribute, effective_from",
                            &[&tenant],
                        )
                        .map_err(backend)?;
                    let mut changes: std::collections::VecDeque<AttributeChange> =
                        std::collections::VecDeque::new();
                    let mut changes_done = false;
                    loop {
                        let rows = tx.query_portal(&employees, CHUNK).map_err(backend)?;
                        if rows.is_empty() {
                            return Ok(());
                        }
                        for row in &rows {
                            let employee = employee_document(row)?;
                            let mut own = Vec::new();
                            loop {
                                if changes.is_empty() && !changes_done {
                                    let more = tx.query_portal(&history, CHUNK).map_err(backend)?;
                                    changes_done = more.is_empty();
                                    for r in &more {
                                        changes.push_back(history_row(r)?);
                                    }
                                }
                                match changes.front() {
                                    Some(c) if c.employee_id < employee.id => {
                                        changes.pop_front();
                                    }
                                    Some(c) if c.employee_id == employee.id => {
                                        own.extend(changes.pop_front());
                                    }
                                    _ => break,
                                }
                            }
                            if sender.send((employee, own)).is_err() {
                                return Ok(());
                            }
                        }
                    }
                })
            });
            let mut stopped = Ok(());
            for (employee, changes) in &receiver {
                match each(employee, changes) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        stopped = Err(e);
                        break;
                    }
                }
            }
            drop(receiver);
            let read = match reader.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            stopped?;
            read
        })
    }

    fn attendances(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<Attendance>, StoreError> {
        self.run(|client| {
            let mut filters = Where::new("tenant = ?", tenant(client, company)?);
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
                client,
                "attendances",
                ATTENDANCE_COLUMNS,
                "date, employee_id, id",
                window,
                attendance_row,
            )
        })
    }

    fn time_offs(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<TimeOff>, StoreError> {
        self.run(|client| {
            let mut filters = Where::new("tenant = ?", tenant(client, company)?);
            if let Some(start) = filter.start_date {
                filters.and("end_date >= ?", start.to_string());
            }
            if let Some(end) = filter.end_date {
                filters.and("start_date <= ?", end.to_string());
            }
            filters.and_in("employee_id", &filter.employees);
            updated_between(&mut filters, filter);
            filters.page(
                client,
                "time_offs",
                TIME_OFF_COLUMNS,
                "start_date, id",
                window,
                time_off_row,
            )
        })
    }

    fn absence_periods(
        &self,
        company: CompanyId,
        filter: &PeriodFilter,
        window: Window,
    ) -> Result<Paged<AbsencePeriod>, StoreError> {
        self.run(|client| {
            let mut filters = Where::new("tenant = ?", tenant(client, company)?);
            if let Some(start) = filter.start_date {
                filters.and("\"end\" >= ?", format!("{start}T00:00:00"));
            }
            if let Some(end) = filter.end_date {
                filters.and("\"start\" <= ?", format!("{end}T23:59:59"));
            }
            filters.and_in("employee_id", &filter.employees);
            updated_between(&mut filters, filter);
            filters.page(
                client,
                "absence_periods",
                ABSENCE_COLUMNS,
                "\"start\", id",
                window,
                absence_row,
            )
        })
    }

    fn insert_project(
        &self,
        company: CompanyId,
        name: &str,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<Project, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            // The next id: past every id handed out before, and past those the
            // reference data brought (a demo company's projects).
            let row = tx
                .query_one(
                    "INSERT INTO project_ids (tenant, last_id)
                     VALUES ($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM projects WHERE tenant = $1))
                     ON CONFLICT (tenant) DO UPDATE SET last_id =
                         GREATEST(project_ids.last_id, (SELECT COALESCE(MAX(id), 0) FROM projects WHERE tenant = $1)) + 1
                     RETURNING last_id",
                    &[&tenant],
                )
                .map_err(backend)?;
            let id: i64 = get("project_ids", &row, 0)?;
            let project = Project {
                id,
                name: name.to_owned(),
                active,
                created_at: at,
                updated_at: at,
            };
            tx.execute(
                "INSERT INTO projects (tenant, id, name, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
                &[&tenant, &id, &project.name, &i64::from(active), &sortable(at)],
            )
            .map_err(|e| conflict_or_backend(e, || format!("a project named {name}")))?;
            bump_revision(tx, tenant)?;
            Ok(project)
        })
    }

    fn update_project(
        &self,
        company: CompanyId,
        id: i64,
        change: &ProjectChange,
        at: DateTime<Utc>,
    ) -> Result<Option<Project>, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let changed = tx
                .query_opt(
                    &format!(
                        "UPDATE projects SET name = COALESCE($3, name), active = COALESCE($4, active), updated_at = $5
                         WHERE tenant = $1 AND id = $2 RETURNING {PROJECT_COLUMNS}"
                    ),
                    &[
                        &tenant,
                        &id,
                        &change.name,
                        &change.active.map(i64::from),
                        &sortable(at),
                    ],
                )
                .map_err(|e| {
                    conflict_or_backend(e, || {
                        format!("a project named {}", change.name.as_deref().unwrap_or_default())
                    })
                })?
                .as_ref()
                .map(project_row)
                .transpose()?;
            if changed.is_some() {
                bump_revision(tx, tenant)?;
            }
            Ok(changed)
        })
    }

    fn delete_project(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let row = tx
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM attendances WHERE tenant = $1 AND project_id = $2),
                            EXISTS (SELECT 1 FROM projects WHERE tenant = $1 AND id = $2)",
                    &[&tenant, &id],
                )
                .map_err(backend)?;
            let booked: i64 = get("attendances", &row, 0)?;
            let exists: bool = get("projects", &row, 1)?;
            if !exists {
                return Ok(false);
            }
            if booked > 0 {
                return Err(StoreError::Refused(format!(
                    "project {id} has {booked} attendances booked on it; deactivate it instead (active: false), or move them to another project first"
                )));
            }
            tx.execute(
                "DELETE FROM projects WHERE tenant = $1 AND id = $2",
                &[&tenant, &id],
            )
            .map_err(backend)?;
            bump_revision(tx, tenant)?;
            Ok(true)
        })
    }

    fn update_attendance(
        &self,
        company: CompanyId,
        id: i64,
        change: &mut (dyn FnMut(Attendance) -> Result<Attendance, StoreError> + Send),
    ) -> Result<Option<Attendance>, StoreError> {
        // `change` runs between the read and the write, under the write lock.
        self.write(move |tx| {
            let tenant = tenant(tx, company)?;
            let Some(old) = tx
                .query_opt(
                    &format!(
                        "SELECT {ATTENDANCE_COLUMNS} FROM attendances WHERE tenant = $1 AND id = $2"
                    ),
                    &[&tenant, &id],
                )
                .map_err(backend)?
                .as_ref()
                .map(attendance_row)
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
                require_active_project(tx, tenant, project)?;
            }
            let (date, start, end) = (
                new.date.to_string(),
                new.start_time.format("%H:%M").to_string(),
                new.end_time.format("%H:%M").to_string(),
            );
            let row = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM attendances WHERE tenant = $1 AND date = $2 AND employee_id = $3
                        AND id != $6 AND start_time < $5 AND $4 < end_time)",
                    &[&tenant, &date, &new.employee_id, &start, &end, &id],
                )
                .map_err(backend)?;
            if get::<bool>("attendances", &row, 0)? {
                return Err(StoreError::Overlaps(vec![0]));
            }
            tx.execute(
                "UPDATE attendances SET date = $3, start_time = $4, end_time = $5, break_minutes = $6,
                     project_id = $7, status = $8, comment = $9, updated_at = $10
                 WHERE tenant = $1 AND id = $2",
                &[
                    &tenant,
                    &id,
                    &date,
                    &start,
                    &end,
                    &i64::from(new.break_minutes),
                    &new.project_id,
                    &new.status.as_str(),
                    &new.comment,
                    &sortable(new.updated_at),
                ],
            )
            .map_err(backend)?;
            bump_revision(tx, tenant)?;
            Ok(Some(new))
        })
    }

    fn delete_attendance(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        delete_one(self, company, "attendances", &id)
    }

    fn time_off(&self, company: CompanyId, id: i64) -> Result<Option<TimeOff>, StoreError> {
        self.run(|client| {
            let tenant = tenant(client, company)?;
            client
                .query_opt(
                    &format!(
                        "SELECT {TIME_OFF_COLUMNS} FROM time_offs WHERE tenant = $1 AND id = $2"
                    ),
                    &[&tenant, &id],
                )
                .map_err(backend)?
                .as_ref()
                .map(time_off_row)
                .transpose()
        })
    }

    fn delete_time_off(&self, company: CompanyId, id: i64) -> Result<bool, StoreError> {
        delete_one(self, company, "time_offs", &id)
    }

    fn insert_absence_period(
        &self,
        company: CompanyId,
        p: &AbsencePeriod,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let tenant = tenant(tx, company)?;
            let (start, end) = (
                p.start.format(ABSENCE_INSTANT).to_string(),
                p.end.format(ABSENCE_INSTANT).to_string(),
            );
            let row = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM absence_periods WHERE tenant = $1 AND employee_id = $2
                        AND status != 'rejected' AND \"start\" < $4 AND $3 < \"end\")",
                    &[&tenant, &p.employee_id, &start, &end],
                )
                .map_err(backend)?;
            if get::<bool>("absence_periods", &row, 0)? {
                return Err(StoreError::Overlaps(vec![0]));
            }
            // The employee and the type, checked again in the storing
            // transaction: the caller's check ran before it, and a reset of the
            // company's people data in between would leave the row orphaned.
            let row = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM employees WHERE tenant = $1 AND id = $2)
                        AND EXISTS (SELECT 1 FROM time_off_types WHERE tenant = $1 AND id = $3)",
                    &[&tenant, &p.employee_id, &p.time_off_type_id],
                )
                .map_err(backend)?;
            if !get::<bool>("absence_periods", &row, 0)? {
                return Err(StoreError::Refused(format!(
                    "employee {} or absence type {} no longer exists",
                    p.employee_id, p.time_off_type_id
                )));
            }
            tx.execute(
                "INSERT INTO absence_periods (tenant, id, employee_id, time_off_type_id, \"start\", \"end\", status, comment, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &tenant,
                    &p.id.to_string(),
                    &p.employee_id,
                    &p.time_off_type_id,
                    &start,
                    &end,
                    &p.status.as_str(),
                    &p.comment,
                    &sortable(p.created_at),
                    &sortable(p.updated_at),
                ],
            )
            .map_err(|e| conflict_or_backend(e, || format!("absence period {}", p.id)))?;
            bump_revision(tx, tenant)
        })
    }

    fn delete_absence_period(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
    ) -> Result<bool, StoreError> {
        delete_one(self, company, "absence_periods", &id.to_string())
    }
}

/// The columns [`absence_row`] reads, in its order.
const ABSENCE_COLUMNS: &str = "id, employee_id, time_off_type_id, \"start\", \"end\", status, comment, created_at, updated_at";

fn employee_document(row: &Row) -> Result<Employee, StoreError> {
    let document: String = get("employees", row, 0)?;
    from_json("employees", &document)
}

fn project_row(row: &Row) -> Result<Project, StoreError> {
    const T: &str = "projects";
    let created: String = get(T, row, 3)?;
    let updated: String = get(T, row, 4)?;
    Ok(Project {
        id: get(T, row, 0)?,
        name: get(T, row, 1)?,
        active: get::<i64>(T, row, 2)? != 0,
        created_at: parse_timestamp(T, &created)?,
        updated_at: parse_timestamp(T, &updated)?,
    })
}

/// Whether a project found as `active` (`None`: not found) may be booked on.
fn project_usable(active: Option<bool>, project: i64) -> Result<(), StoreError> {
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

/// Refuses, inside the caller's transaction, a project that is not an
/// active project of `tenant`.
fn require_active_project(
    client: &mut impl GenericClient,
    tenant: i64,
    project: i64,
) -> Result<(), StoreError> {
    let active = client
        .query_opt(
            "SELECT active FROM projects WHERE tenant = $1 AND id = $2",
            &[&tenant, &project],
        )
        .map_err(backend)?
        .map(|row| get::<i64>("projects", &row, 0).map(|a| a != 0))
        .transpose()?;
    project_usable(active, project)
}

/// Deletes the row of `table` with `id` in the company, and marks the
/// company's people data as changed when there was one.
fn delete_one(
    store: &PostgresStore,
    company: CompanyId,
    table: &'static str,
    id: &(dyn ToSql + Sync),
) -> Result<bool, StoreError> {
    store.write(|tx| {
        let tenant = tenant(tx, company)?;
        let deleted = tx
            .execute(
                &format!("DELETE FROM {table} WHERE tenant = $1 AND id = $2"),
                &[&tenant, id],
            )
            .map_err(backend)?;
        if deleted > 0 {
            bump_revision(tx, tenant)?;
        }
        Ok(deleted > 0)
    })
}

fn updated_between(filters: &mut Where, filter: &PeriodFilter) {
    if let Some(from) = filter.updated_from {
        filters.and("updated_at >= ?", sortable(from));
    }
    if let Some(to) = filter.updated_to {
        filters.and("updated_at <= ?", sortable(to));
    }
}

fn attendance_row(row: &Row) -> Result<Attendance, StoreError> {
    const T: &str = "attendances";
    let date: String = get(T, row, 2)?;
    let start: String = get(T, row, 3)?;
    let end: String = get(T, row, 4)?;
    let break_minutes: i64 = get(T, row, 5)?;
    let status: String = get(T, row, 7)?;
    let updated_at: String = get(T, row, 9)?;
    let time = |text: &str| NaiveTime::parse_from_str(text, "%H:%M").map_err(|e| corrupt(T, e));
    Ok(Attendance {
        id: get(T, row, 0)?,
        employee_id: get(T, row, 1)?,
        date: date.parse().map_err(|e| corrupt(T, e))?,
        start_time: time(&start)?,
        end_time: time(&end)?,
        break_minutes: u32::try_from(break_minutes).map_err(|e| corrupt(T, e))?,
        project_id: get(T, row, 6)?,
        status: match status.as_str() {
            "confirmed" => AttendanceStatus::Confirmed,
            "pending" => AttendanceStatus::Pending,
            "rejected" => AttendanceStatus::Rejected,
            other => return Err(corrupt(T, format!("status {other}"))),
        },
        comment: get(T, row, 8)?,
        updated_at: parse_timestamp(T, &updated_at)?,
    })
}

fn time_off_row(row: &Row) -> Result<TimeOff, StoreError> {
    const T: &str = "time_offs";
    let status: String = get(T, row, 3)?;
    let start: String = get(T, row, 4)?;
    let end: String = get(T, row, 5)?;
    let created: String = get(T, row, 10)?;
    let updated: String = get(T, row, 11)?;
    Ok(TimeOff {
        id: get(T, row, 0)?,
        employee_id: get(T, row, 1)?,
        time_off_type_id: get(T, row, 2)?,
        status: time_off_status(T, &status)?,
        start_date: start.parse().map_err(|e| corrupt(T, e))?,
        end_date: end.parse().map_err(|e| corrupt(T, e))?,
        half_day_start: get::<i64>(T, row, 6)? != 0,
        half_day_end: get::<i64>(T, row, 7)? != 0,
        days_count: get(T, row, 8)?,
        comment: get(T, row, 9)?,
        created_at: parse_timestamp(T, &created)?,
        updated_at: parse_timestamp(T, &updated)?,
    })
}

fn absence_row(row: &Row) -> Result<AbsencePeriod, StoreError> {
    const T: &str = "absence_periods";
    let id: String = get(T, row, 0)?;
    let start: String = get(T, row, 3)?;
    let end: String = get(T, row, 4)?;
    let status: String = get(T, row, 5)?;
    let created: String = get(T, row, 7)?;
    let updated: String = get(T, row, 8)?;
    let at = |text: &str| {
        NaiveDateTime::parse_from_str(text, ABSENCE_INSTANT).map_err(|e| corrupt(T, e))
    };
    Ok(AbsencePeriod {
        id: parse_uuid(T, &id)?,
        employee_id: get(T, row, 1)?,
        time_off_type_id: get(T, row, 2)?,
        start: at(&start)?,
        end: at(&end)?,
        status: time_off_status(T, &status)?,
        comment: get(T, row, 6)?,
        created_at: parse_timestamp(T, &created)?,
        updated_at: parse_timestamp(T, &updated)?,
    })
}

/// One row of `employee_history`.
fn history_row(row: &Row) -> Result<AttributeChange, StoreError> {
    const T: &str = "employee_history";
    let from: String = get(T, row, 2)?;
    let value: String = get(T, row, 3)?;
    Ok(AttributeChange {
        employee_id: get(T, row, 0)?,
        attribute: get(T, row, 1)?,
        effective_from: from.parse::<NaiveDate>().map_err(|e| corrupt(T, e))?,
        value: from_json(T, &value)?,
    })
}

/// Deletes every people row of `tenant`, inside the caller's transaction.
pub(super) fn clear_people_in(
    client: &mut impl GenericClient,
    tenant: i64,
) -> Result<(), StoreError> {
    for table in PEOPLE_TABLES {
        client
            .execute(
                &format!("DELETE FROM {table} WHERE tenant = $1"),
                &[&tenant],
            )
            .map_err(backend)?;
    }
    bump_revision(client, tenant)
}

/// Replaces the reference data of `tenant`, inside the caller's transaction.
pub(super) fn replace_reference_in(
    client: &mut impl GenericClient,
    tenant: i64,
    reference: &PeopleReference,
) -> Result<(), StoreError> {
    for table in [
        "time_off_types",
        "document_categories",
        "custom_attributes",
        "projects",
    ] {
        client
            .execute(
                &format!("DELETE FROM {table} WHERE tenant = $1"),
                &[&tenant],
            )
            .map_err(backend)?;
    }
    if !reference.time_off_types.is_empty() {
        let insert = client
            .prepare("INSERT INTO time_off_types (tenant, id, document) VALUES ($1, $2, $3)")
            .map_err(backend)?;
        for t in &reference.time_off_types {
            client
                .execute(&insert, &[&tenant, &t.id, &json(t)?])
                .map_err(backend)?;
        }
    }
    if !reference.document_categories.is_empty() {
        let insert = client
            .prepare("INSERT INTO document_categories (tenant, id, name) VALUES ($1, $2, $3)")
            .map_err(backend)?;
        for c in &reference.document_categories {
            client
                .execute(&insert, &[&tenant, &c.id, &c.name])
                .map_err(backend)?;
        }
    }
    if !reference.custom_attributes.is_empty() {
        let insert = client
            .prepare("INSERT INTO custom_attributes (tenant, id, document) VALUES ($1, $2, $3)")
            .map_err(backend)?;
        for a in &reference.custom_attributes {
            client
                .execute(&insert, &[&tenant, &a.id, &json(a)?])
                .map_err(backend)?;
        }
    }
    if !reference.projects.is_empty() {
        let insert = client
            .prepare(
                "INSERT INTO projects (tenant, id, name, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .map_err(backend)?;
        for p in &reference.projects {
            client
                .execute(
                    &insert,
                    &[
                        &tenant,
                        &p.id,
                        &p.name,
                        &i64::from(p.active),
                        &sortable(p.created_at),
                        &sortable(p.updated_at),
                    ],
                )
                .map_err(|e| conflict_or_backend(e, || format!("a project named {}", p.name)))?;
        }
    }
    bump_revision(client, tenant)
}

/// Writes employees with all their records, inside the caller's
/// transaction: with one binary `COPY` per table; when a row breaks a
/// constraint, again row by row (in a savepoint rolled back first), so that
/// the error names the first offending row, as the SQLite backend's does.
pub(super) fn insert_records_in(
    client: &mut impl GenericClient,
    tenant: i64,
    batch: &[EmployeeRecords],
) -> Result<(), StoreError> {
    if !batch.is_empty() {
        let mut savepoint = client.transaction().map_err(backend)?;
        match copy_records(&mut savepoint, tenant, batch) {
            Ok(()) => savepoint.commit().map_err(backend)?,
            Err(CopyError::Store(e)) => return Err(e),
            Err(CopyError::Postgres(e)) if is_constraint_violation(&e) => {
                savepoint.rollback().map_err(backend)?;
                insert_records_one_by_one(client, tenant, batch)?;
            }
            Err(CopyError::Postgres(e)) => return Err(backend(e)),
        }
    }
    bump_revision(client, tenant)
}

enum CopyError {
    Postgres(postgres::Error),
    Store(StoreError),
}

impl From<postgres::Error> for CopyError {
    fn from(e: postgres::Error) -> Self {
        Self::Postgres(e)
    }
}

impl From<StoreError> for CopyError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn copy_records(
    client: &mut impl GenericClient,
    tenant: i64,
    batch: &[EmployeeRecords],
) -> Result<(), CopyError> {
    use Type as T;
    {
        let sink = client.copy_in(
            "COPY employees (tenant, id, email, last_modified_at, document) FROM STDIN (FORMAT binary)",
        )?;
        let mut rows =
            BinaryCopyInWriter::new(sink, &[T::INT8, T::INT8, T::TEXT, T::TEXT, T::TEXT]);
        for r in batch {
            let e = &r.employee;
            rows.write(&[
                &tenant,
                &e.id,
                &e.email,
                &sortable(e.last_modified_at),
                &json(e)?,
            ])?;
        }
        rows.finish()?;
    }
    if batch.iter().any(|r| !r.history.is_empty()) {
        let sink = client.copy_in(
            "COPY employee_history (tenant, employee_id, attribute, effective_from, value) FROM STDIN (FORMAT binary)",
        )?;
        let mut rows =
            BinaryCopyInWriter::new(sink, &[T::INT8, T::INT8, T::TEXT, T::TEXT, T::TEXT]);
        for c in batch.iter().flat_map(|r| &r.history) {
            rows.write(&[
                &tenant,
                &c.employee_id,
                &c.attribute,
                &c.effective_from.to_string(),
                &c.value.to_string(),
            ])?;
        }
        rows.finish()?;
    }
    copy_rest(client, tenant, batch)?;
    Ok(())
}

/// The attendance, day absence, picture and hour absence rows of `batch`
/// (not its employees or their history).
fn copy_rest(
    client: &mut impl GenericClient,
    tenant: i64,
    batch: &[EmployeeRecords],
) -> Result<(), postgres::Error> {
    use Type as T;
    if batch.iter().any(|r| !r.attendances.is_empty()) {
        copy_attendances(
            client,
            tenant,
            batch.iter().flat_map(|r| &r.attendances).map(|a| (a, None)),
        )?;
    }
    if batch.iter().any(|r| !r.time_offs.is_empty()) {
        let sink = client.copy_in(
            "COPY time_offs (tenant, employee_id, time_off_type_id, status, start_date, end_date, half_day_start, half_day_end, days_count, comment, created_at, updated_at) FROM STDIN (FORMAT binary)",
        )?;
        let mut rows = BinaryCopyInWriter::new(
            sink,
            &[
                T::INT8,
                T::INT8,
                T::INT8,
                T::TEXT,
                T::TEXT,
                T::TEXT,
                T::INT8,
                T::INT8,
                T::FLOAT8,
                T::TEXT,
                T::TEXT,
                T::TEXT,
            ],
        );
        for t in batch.iter().flat_map(|r| &r.time_offs) {
            rows.write(&[
                &tenant,
                &t.employee_id,
                &t.time_off_type_id,
                &t.status.as_str(),
                &t.start_date.to_string(),
                &t.end_date.to_string(),
                &i64::from(t.half_day_start),
                &i64::from(t.half_day_end),
                &t.days_count,
                &t.comment,
                &sortable(t.created_at),
                &sortable(t.updated_at),
            ])?;
        }
        rows.finish()?;
    }
    if batch.iter().any(|r| r.picture.is_some()) {
        let sink = client.copy_in(
            "COPY employee_pictures (tenant, employee_id, width, height, png, updated_at) FROM STDIN (FORMAT binary)",
        )?;
        let mut rows = BinaryCopyInWriter::new(
            sink,
            &[T::INT8, T::INT8, T::INT8, T::INT8, T::BYTEA, T::TEXT],
        );
        for r in batch {
            if let Some(p) = &r.picture {
                rows.write(&[
                    &tenant,
                    &r.employee.id,
                    &i64::from(p.width),
                    &i64::from(p.height),
                    &p.png,
                    &sortable(r.employee.last_modified_at),
                ])?;
            }
        }
        rows.finish()?;
    }
    if batch.iter().any(|r| !r.absence_periods.is_empty()) {
        let sink = client.copy_in(
            "COPY absence_periods (tenant, id, employee_id, time_off_type_id, \"start\", \"end\", status, comment, created_at, updated_at) FROM STDIN (FORMAT binary)",
        )?;
        let mut rows = BinaryCopyInWriter::new(
            sink,
            &[
                T::INT8,
                T::TEXT,
                T::INT8,
                T::INT8,
                T::TEXT,
                T::TEXT,
                T::TEXT,
                T::TEXT,
                T::TEXT,
                T::TEXT,
            ],
        );
        for p in batch.iter().flat_map(|r| &r.absence_periods) {
            rows.write(&[
                &tenant,
                &p.id.to_string(),
                &p.employee_id,
                &p.time_off_type_id,
                &p.start.format(ABSENCE_INSTANT).to_string(),
                &p.end.format(ABSENCE_INSTANT).to_string(),
                &p.status.as_str(),
                &p.comment,
                &sortable(p.created_at),
                &sortable(p.updated_at),
            ])?;
        }
        rows.finish()?;
    }
    Ok(())
}

/// Copies attendances in, in the order given: with the ids given, or new
/// ones from the table's sequence (in that order) for `None`.
fn copy_attendances<'a>(
    client: &mut impl GenericClient,
    tenant: i64,
    attendances: impl Iterator<Item = (&'a Attendance, Option<i64>)>,
) -> Result<(), postgres::Error> {
    use Type as T;
    let mut attendances = attendances.peekable();
    let Some((_, first_id)) = attendances.peek() else {
        return Ok(());
    };
    let with_ids = first_id.is_some();
    let columns = "employee_id, date, start_time, end_time, break_minutes, project_id, status, comment, updated_at";
    let (sql, mut types) = if with_ids {
        (
            format!("COPY attendances (tenant, id, {columns}) FROM STDIN (FORMAT binary)"),
            vec![T::INT8, T::INT8],
        )
    } else {
        (
            format!("COPY attendances (tenant, {columns}) FROM STDIN (FORMAT binary)"),
            vec![T::INT8],
        )
    };
    types.extend([
        T::INT8,
        T::TEXT,
        T::TEXT,
        T::TEXT,
        T::INT8,
        T::INT8,
        T::TEXT,
        T::TEXT,
        T::TEXT,
    ]);
    let sink = client.copy_in(&sql)?;
    let mut rows = BinaryCopyInWriter::new(sink, &types);
    for (a, id) in attendances {
        let (date, start, end, minutes, updated) = (
            a.date.to_string(),
            a.start_time.format("%H:%M").to_string(),
            a.end_time.format("%H:%M").to_string(),
            i64::from(a.break_minutes),
            sortable(a.updated_at),
        );
        let status = a.status.as_str();
        let mut values: Vec<&(dyn ToSql + Sync)> = vec![&tenant];
        if let Some(id) = &id {
            values.push(id);
        }
        values.extend([
            &a.employee_id as &(dyn ToSql + Sync),
            &date,
            &start,
            &end,
            &minutes,
            &a.project_id,
            &status,
            &a.comment,
            &updated,
        ]);
        rows.write(&values)?;
    }
    rows.finish()?;
    Ok(())
}

/// [`insert_records_in`] one row at a time, as the SQLite backend writes
/// them: the first row refused gives the error.
fn insert_records_one_by_one(
    client: &mut impl GenericClient,
    tenant: i64,
    batch: &[EmployeeRecords],
) -> Result<(), StoreError> {
    let employee = client
        .prepare("INSERT INTO employees (tenant, id, email, last_modified_at, document) VALUES ($1, $2, $3, $4, $5)")
        .map_err(backend)?;
    let history = client
        .prepare("INSERT INTO employee_history (tenant, employee_id, attribute, effective_from, value) VALUES ($1, $2, $3, $4, $5)")
        .map_err(backend)?;
    for records in batch {
        let e = &records.employee;
        client
            .execute(
                &employee,
                &[
                    &tenant,
                    &e.id,
                    &e.email,
                    &sortable(e.last_modified_at),
                    &json(e)?,
                ],
            )
            .map_err(|err| conflict_or_backend(err, || format!("employee {}", e.id)))?;
        for c in &records.history {
            client
                .execute(
                    &history,
                    &[
                        &tenant,
                        &c.employee_id,
                        &c.attribute,
                        &c.effective_from.to_string(),
                        &c.value.to_string(),
                    ],
                )
                .map_err(|err| {
                    conflict_or_backend(err, || {
                        format!("a change of {} on {}", c.attribute, c.effective_from)
                    })
                })?;
        }
        // The other rows of this employee, before the next employee's
        // (the order in which SQLite meets a failure).
        copy_rest(client, tenant, std::slice::from_ref(records)).map_err(backend)?;
    }
    Ok(())
}

pub(super) fn bump_revision(
    client: &mut impl GenericClient,
    tenant: i64,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO people_revisions (tenant, revision) VALUES ($1, 1)
             ON CONFLICT (tenant) DO UPDATE SET revision = people_revisions.revision + 1",
            &[&tenant],
        )
        .map_err(backend)?;
    Ok(())
}

#[cfg(test)]
#[allow(unused_must_use)] // `both!` compares the answers, which some tests need no more
pub(super) mod tests {
    use super::*;
    use crate::AccessStore;
    use crate::SqliteStore;
    use crate::pg::tests::{database, seed_company};
    use crate::testing::TestDatabase;
    use chrono::TimeZone;
    use relais_access::{Company, MarketplaceRight, PersonalAccessToken, User};
    use relais_people::TimeOffStatus;
    use relais_people::demo;

    /// One company on each backend, with the same data written to both.
    pub(in crate::pg) struct Pair {
        pub(in crate::pg) sqlite: SqliteStore,
        pub(in crate::pg) sqlite_company: CompanyId,
        pub(in crate::pg) pg: PostgresStore,
        pub(in crate::pg) pg_company: CompanyId,
        _dir: tempfile::TempDir,
        _db: TestDatabase,
    }

    pub(in crate::pg) fn pair(test: &str) -> Option<Pair> {
        let db = database(test)?;
        let pg = PostgresStore::open(db.as_str()).unwrap();
        let pg_company = seed_company(&pg, "Acme GmbH").id;
        let dir = tempfile::tempdir().unwrap();
        let sqlite = SqliteStore::open(&dir.path().join("relais.db")).unwrap();
        let now = Utc::now();
        let company = Company::new("Acme GmbH", now).unwrap();
        let admin = User::new(
            company.id,
            "a@example.com",
            "A",
            MarketplaceRight::Edit,
            now,
        )
        .unwrap();
        let token = PersonalAccessToken::issue(&admin, "t", now, None).unwrap();
        sqlite
            .create_company(&company, &admin, &token.record)
            .unwrap();
        Some(Pair {
            sqlite,
            sqlite_company: company.id,
            pg,
            pg_company,
            _dir: dir,
            _db: db,
        })
    }

    /// Runs `$body` on both backends (`$s` the store, `$c` the company)
    /// and asserts the same answer (compared as `Debug` text, errors too);
    /// evaluates to PostgreSQL's.
    macro_rules! both {
        ($pair:expr, |$s:ident, $c:ident| $body:expr) => {{
            let sqlite = {
                let $s = &$pair.sqlite;
                let $c = $pair.sqlite_company;
                $body
            };
            let pg = {
                let $s = &$pair.pg;
                let $c = $pair.pg_company;
                $body
            };
            assert_eq!(
                format!("{sqlite:?}"),
                format!("{pg:?}"),
                "{}",
                stringify!($body)
            );
            pg
        }};
    }
    pub(in crate::pg) use both;

    /// The text of every row `sql` selects on each backend (every column
    /// cast to text), to compare what is stored byte for byte.
    pub(in crate::pg) fn same_rows(p: &Pair, sql: &str) {
        let sqlite: Vec<Vec<Option<String>>> = {
            let conn = rusqlite::Connection::open(p._dir.path().join("relais.db")).unwrap();
            let mut statement = conn.prepare(sql).unwrap();
            let columns = statement.column_count();
            statement
                .query_map([], |r| (0..columns).map(|i| r.get(i)).collect())
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let pg: Vec<Vec<Option<String>>> =
            p.pg.run(|client| {
                Ok(client
                    .query(sql, &[])
                    .map_err(backend)?
                    .iter()
                    .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
                    .collect())
            })
            .unwrap();
        assert!(!sqlite.is_empty(), "{sql}");
        assert_eq!(sqlite.len(), pg.len(), "{sql}");
        for (row, (a, b)) in sqlite.iter().zip(&pg).enumerate() {
            assert_eq!(a, b, "{sql}: row {row}");
        }
    }

    pub(in crate::pg) fn reference() -> PeopleReference {
        let company = demo::company();
        PeopleReference {
            time_off_types: company.time_off_types,
            document_categories: company.document_categories,
            custom_attributes: company.custom_attributes,
            projects: company.projects,
        }
    }

    pub(in crate::pg) fn spec(employees: u32) -> demo::DemoSpec {
        demo::DemoSpec {
            employees,
            months: 3,
            seed: 7,
            until: NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
        }
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, day, hour, 0, 0).unwrap()
    }

    fn window(offset: u64, limit: u64) -> Window {
        Window { offset, limit }
    }

    #[test]
    fn people_data_reads_back_the_same_on_both_backends() {
        let Some(p) = pair("people_data_reads_back_the_same") else {
            return;
        };
        let records: Vec<_> = demo::employees(spec(40)).collect();
        both!(p, |s, c| s.replace_people_reference(c, &reference()));
        both!(p, |s, c| s.insert_employees(c, &records[..25]));
        both!(p, |s, c| s.insert_employees(c, &records[25..]));
        both!(p, |s, c| s.people_reference(c).unwrap());

        let all = window(0, 1000);
        let employees = both!(p, |s, c| s
            .employees(c, &EmployeeFilter::default(), all)
            .unwrap());
        assert_eq!(employees.total, 40);
        assert_eq!(employees.rows[3], records[3].employee);
        both!(p, |s, c| s.employees(
            c,
            &EmployeeFilter::default(),
            window(10, 7)
        ));
        both!(p, |s, c| s.employees(
            c,
            &EmployeeFilter::default(),
            window(100, 7)
        ));
        let by_email = EmployeeFilter {
            email: Some(records[4].employee.email.clone()),
            updated_since: None,
        };
        assert_eq!(
            both!(p, |s, c| s.employees(c, &by_email, all).unwrap()).total,
            1
        );
        let since = EmployeeFilter {
            email: None,
            updated_since: Some(records[7].employee.last_modified_at),
        };
        both!(p, |s, c| s.employees(c, &since, all));
        both!(p, |s, c| s.employee_ids(c));
        both!(p, |s, c| s.employees_in_range(c, 5, 12));
        both!(p, |s, c| s.employees_by_id(c, &[9, 3, 1000, 3]));
        both!(p, |s, c| s.employees_by_id(c, &[]));
        let units = both!(p, |s, c| s.org_units(c).unwrap());
        assert!(!units.departments.is_empty() && !units.teams.is_empty());
        let history = both!(p, |s, c| s.history(c, &[]).unwrap());
        assert!(!history.is_empty());
        both!(p, |s, c| s.history(c, &[2, 5, 77]));

        let streamed = both!(p, |s, c| {
            let mut seen = Vec::new();
            s.each_employee_with_history(c, &mut |e, changes| {
                seen.push((e, changes));
                Ok(true)
            })
            .unwrap();
            seen
        });
        assert_eq!(streamed.len(), 40);
        let changes: usize = streamed.iter().map(|(_, h)| h.len()).sum();
        assert_eq!(changes, history.len());
        // Stopping early, and an error of the callee, end the stream.
        both!(p, |s, c| {
            let mut calls = 0;
            s.each_employee_with_history(c, &mut |_, _| {
                calls += 1;
                Ok(calls < 3)
            })
            .unwrap();
            calls
        });
        both!(p, |s, c| {
            let mut calls = 0;
            let result = s.each_employee_with_history(c, &mut |_, _| {
                calls += 1;
                if calls == 5 {
                    Err(StoreError::Refused("enough".into()))
                } else {
                    Ok(true)
                }
            });
            (calls, result)
        });

        let filters = [
            PeriodFilter::default(),
            PeriodFilter {
                include_pending: true,
                ..PeriodFilter::default()
            },
            PeriodFilter {
                start_date: NaiveDate::from_ymd_opt(2026, 5, 1),
                end_date: NaiveDate::from_ymd_opt(2026, 5, 31),
                employees: vec![3, 4, 30],
                include_pending: true,
                ..PeriodFilter::default()
            },
            PeriodFilter {
                updated_from: Some(at(1, 0) - chrono::Duration::days(40)),
                updated_to: Some(at(1, 0) - chrono::Duration::days(10)),
                ..PeriodFilter::default()
            },
        ];
        for filter in &filters {
            let page = both!(p, |s, c| s
                .attendances(c, filter, window(0, 100_000))
                .unwrap());
            assert!(page.total > 0 || !filter.employees.is_empty());
            both!(p, |s, c| s.attendances(c, filter, window(37, 50)));
            both!(p, |s, c| s.time_offs(c, filter, window(0, 100_000)));
            both!(p, |s, c| s.time_offs(c, filter, window(3, 5)));
            both!(p, |s, c| s.absence_periods(c, filter, window(0, 100_000)));
            both!(p, |s, c| s.absence_periods(c, filter, window(1, 2)));
        }
        assert!(
            both!(p, |s, c| s
                .absence_periods(c, &filters[0], window(0, 10))
                .unwrap())
            .total
                > 0
        );

        // A batch with an employee stored already is refused as a whole,
        // naming the same employee; so is one with a history entry twice.
        both!(p, |s, c| s.insert_employees(c, &records[10..12]));
        let mut fresh: Vec<_> = demo::employees(spec(43)).skip(40).collect();
        let again = fresh[1].history[0].clone();
        fresh[1].history.push(again);
        both!(p, |s, c| s.insert_employees(c, &fresh));
        let mut same_mail = fresh.clone();
        same_mail[1].history.pop();
        same_mail[2].employee.email = records[0].employee.email.clone();
        both!(p, |s, c| s.insert_employees(c, &same_mail));
        both!(p, |s, c| s.employee_ids(c));
        same_mail[2].employee.email = "new@example.com".into();
        both!(p, |s, c| s.insert_employees(c, &same_mail));
        both!(p, |s, c| s.employees(c, &EmployeeFilter::default(), all));

        let mut changed = records[6].employee.clone();
        changed.position = "Chief Tester".into();
        assert!(both!(p, |s, c| s.replace_employee(c, &changed).unwrap()));
        changed.id = 999;
        both!(p, |s, c| s.replace_employee(c, &changed));
        both!(p, |s, c| s.employees_by_id(c, &[7]));

        // What is stored is the same text on both (but the ids of
        // attendances and day absences: a PostgreSQL sequence does not give
        // back the numbers of rolled-back rows, such as the refused batches'
        // above, where SQLite hands them out again).
        for sql in [
            "SELECT CAST(id AS TEXT), email, last_modified_at, document FROM employees ORDER BY employees.id",
            "SELECT CAST(employee_id AS TEXT), attribute, effective_from, value FROM employee_history ORDER BY 1, 2, 3",
            "SELECT CAST(employee_id AS TEXT), date, start_time, end_time, CAST(break_minutes AS TEXT), CAST(project_id AS TEXT), status, comment, updated_at FROM attendances ORDER BY attendances.id",
            "SELECT CAST(employee_id AS TEXT), CAST(time_off_type_id AS TEXT), status, start_date, end_date, CAST(half_day_start AS TEXT), CAST(half_day_end AS TEXT), comment, created_at, updated_at FROM time_offs ORDER BY time_offs.id",
            "SELECT id, CAST(employee_id AS TEXT), \"start\", \"end\", status, comment, created_at, updated_at FROM absence_periods ORDER BY id",
            "SELECT CAST(employee_id AS TEXT), CAST(width AS TEXT), CAST(height AS TEXT), CAST(length(png) AS TEXT), updated_at FROM employee_pictures ORDER BY 1",
            "SELECT CAST(id AS TEXT), document FROM time_off_types ORDER BY time_off_types.id",
            "SELECT CAST(id AS TEXT), name, CAST(active AS TEXT), created_at, updated_at FROM projects ORDER BY projects.id",
            "SELECT CAST(revision AS TEXT) FROM people_revisions",
        ] {
            same_rows(&p, sql);
        }

        both!(p, |s, c| s.clear_people(c));
        both!(p, |s, c| s.employees(c, &EmployeeFilter::default(), all));
        both!(p, |s, c| s.attendances(c, &filters[1], all));
        both!(p, |s, c| s.people_reference(c));
    }

    fn attendance(employee: i64, day: u32, from: u32, to: u32, project: Option<i64>) -> Attendance {
        Attendance {
            id: 0,
            employee_id: employee,
            date: NaiveDate::from_ymd_opt(2026, 7, day).unwrap(),
            start_time: NaiveTime::from_hms_opt(from, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(to, 0, 0).unwrap(),
            break_minutes: 30,
            project_id: project,
            status: AttendanceStatus::Confirmed,
            comment: Some("büro".into()),
            updated_at: at(day, 20),
        }
    }

    #[test]
    fn writes_are_refused_and_stored_the_same_on_both_backends() {
        let Some(p) = pair("writes_are_refused_and_stored_the_same") else {
            return;
        };
        let records: Vec<_> = demo::employees(spec(6)).collect();
        both!(p, |s, c| s.replace_people_reference(c, &reference()));
        both!(p, |s, c| s.insert_employees(c, &records));
        let projects = reference().projects;
        let project = projects.iter().find(|p| p.active).unwrap().id;

        // Projects: ids past the reference data's, names unique whatever the case.
        let made = both!(p, |s, c| s
            .insert_project(c, "Moonshot", true, at(1, 9))
            .unwrap());
        both!(p, |s, c| s.insert_project(c, "MOONSHOT", true, at(1, 9)));
        let idle = both!(p, |s, c| s
            .insert_project(c, "Idle", false, at(1, 9))
            .unwrap());
        let rename = ProjectChange {
            name: Some("moonshot".into()),
            active: None,
        };
        both!(p, |s, c| s.update_project(c, idle.id, &rename, at(2, 9)));
        let deactivate = ProjectChange {
            name: None,
            active: Some(false),
        };
        both!(p, |s, c| s.update_project(c, 9999, &deactivate, at(2, 9)));
        both!(p, |s, c| s.update_project(
            c,
            made.id,
            &ProjectChange {
                name: Some("Apollo".into()),
                active: Some(true)
            },
            at(2, 9)
        ));

        // Attendances: overlaps with stored ones and within the batch.
        let ids = both!(p, |s, c| s
            .insert_attendances(
                c,
                &[
                    attendance(1, 6, 8, 12, Some(project)),
                    attendance(1, 6, 13, 17, None)
                ]
            )
            .unwrap());
        assert_eq!(ids.len(), 2);
        both!(p, |s, c| s.insert_attendances(
            c,
            &[
                attendance(1, 6, 11, 14, None),
                attendance(2, 6, 8, 12, None),
                attendance(2, 6, 9, 10, None),
                attendance(1, 7, 8, 12, None),
            ]
        ));
        both!(p, |s, c| s.insert_attendances(
            c,
            &[
                attendance(2, 6, 8, 12, None),
                attendance(2, 6, 9, 10, Some(idle.id))
            ]
        ));
        both!(p, |s, c| s
            .insert_attendances(c, &[attendance(2, 6, 8, 12, Some(4242))]));
        both!(p, |s, c| s.insert_attendances(c, &[]));
        both!(p, |s, c| s.insert_attendances(
            c,
            &[
                attendance(2, 6, 8, 12, Some(made.id)),
                attendance(3, 6, 8, 12, None),
                attendance(2, 6, 12, 13, None)
            ]
        ));
        let stored = PeriodFilter {
            start_date: NaiveDate::from_ymd_opt(2026, 7, 1),
            include_pending: true,
            ..PeriodFilter::default()
        };
        both!(p, |s, c| s.attendances(c, &stored, window(0, 100)));

        // Changing one attendance.
        both!(p, |s, c| s.update_attendance(c, 999_999, &mut |a| Ok(a)));
        both!(p, |s, c| s.update_attendance(c, ids[0], &mut |_| Err(
            StoreError::Refused("no".into())
        )));
        both!(p, |s, c| s.update_attendance(c, ids[0], &mut |mut a| {
            a.end_time = NaiveTime::from_hms_opt(14, 0, 0).unwrap();
            Ok(a)
        }));
        both!(p, |s, c| s.update_attendance(c, ids[0], &mut |mut a| {
            a.project_id = Some(idle.id);
            Ok(a)
        }));
        both!(p, |s, c| s.update_attendance(c, ids[0], &mut |mut a| {
            a.break_minutes = 45;
            a.comment = None;
            a.status = AttendanceStatus::Pending;
            a.updated_at = at(8, 8);
            Ok(a)
        }));
        both!(p, |s, c| s.attendances(c, &stored, window(0, 100)));

        // Projects with attendances are kept.
        both!(p, |s, c| s.delete_project(c, project));
        both!(p, |s, c| s.delete_project(c, idle.id));
        both!(p, |s, c| s.delete_project(c, idle.id));
        both!(p, |s, c| s.people_reference(c).unwrap().projects);

        both!(p, |s, c| s.delete_attendance(c, ids[1]));
        both!(p, |s, c| s.delete_attendance(c, ids[1]));

        // Day absences.
        let type_id = reference().time_off_types[0].id;
        let time_off = TimeOff {
            id: 0,
            employee_id: 4,
            time_off_type_id: type_id,
            status: TimeOffStatus::Requested,
            start_date: NaiveDate::from_ymd_opt(2026, 8, 3).unwrap(),
            end_date: NaiveDate::from_ymd_opt(2026, 8, 7).unwrap(),
            half_day_start: true,
            half_day_end: false,
            days_count: 4.5,
            comment: None,
            created_at: at(1, 1),
            updated_at: at(1, 2),
        };
        let id = both!(p, |s, c| s.insert_time_off(c, &time_off).unwrap());
        both!(p, |s, c| s.insert_time_off(c, &time_off));
        both!(p, |s, c| s.time_off(c, id));
        both!(p, |s, c| s.time_off(c, id + 1000));
        both!(p, |s, c| s.delete_time_off(c, id));
        both!(p, |s, c| s.delete_time_off(c, id));

        // Hour absences.
        let period = AbsencePeriod {
            id: uuid::Uuid::from_u128(0x1234),
            employee_id: 5,
            time_off_type_id: type_id,
            start: NaiveDate::from_ymd_opt(2026, 8, 3)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 8, 3)
                .unwrap()
                .and_hms_opt(11, 30, 0)
                .unwrap(),
            status: TimeOffStatus::Approved,
            comment: Some("dentist".into()),
            created_at: at(1, 1),
            updated_at: at(1, 1),
        };
        both!(p, |s, c| s.insert_absence_period(c, &period));
        both!(p, |s, c| s.insert_absence_period(c, &period));
        let later = AbsencePeriod {
            start: period.end,
            end: period.end + chrono::Duration::hours(1),
            ..period.clone()
        };
        both!(p, |s, c| s.insert_absence_period(c, &later));
        let stranger = AbsencePeriod {
            id: uuid::Uuid::from_u128(0x99),
            employee_id: 777,
            ..period.clone()
        };
        both!(p, |s, c| s.insert_absence_period(c, &stranger));
        let august = PeriodFilter {
            start_date: NaiveDate::from_ymd_opt(2026, 8, 3),
            end_date: NaiveDate::from_ymd_opt(2026, 8, 3),
            ..PeriodFilter::default()
        };
        both!(p, |s, c| s.absence_periods(c, &august, window(0, 10)));
        both!(p, |s, c| s.delete_absence_period(c, period.id));
        both!(p, |s, c| s.delete_absence_period(c, period.id));

        // A reference with two projects of one name is refused.
        let mut twice = reference();
        let mut copy = twice.projects[0].clone();
        copy.id = 500;
        copy.name = copy.name.to_uppercase();
        twice.projects.push(copy);
        both!(p, |s, c| s.replace_people_reference(c, &twice));
    }

    #[test]
    fn callbacks_run_on_the_callers_thread_from_async_code() {
        let Some(p) = pair("callbacks_run_on_the_callers_thread") else {
            return;
        };
        let records: Vec<_> = demo::employees(spec(3)).collect();
        p.pg.insert_employees(p.pg_company, &records).unwrap();
        let ids =
            p.pg.insert_attendances(p.pg_company, &[attendance(1, 6, 8, 12, None)])
                .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            // Called from a thread that drives a runtime.
            let counted = std::sync::atomic::AtomicI32::new(0);
            p.pg.each_employee_with_history(p.pg_company, &mut |_, _| {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(true)
            })
            .unwrap();
            assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 3);
            let changed =
                p.pg.update_attendance(p.pg_company, ids[0], &mut |mut a| {
                    counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    a.break_minutes = 0;
                    Ok(a)
                })
                .unwrap()
                .unwrap();
            assert_eq!(changed.break_minutes, 0);
            assert_eq!(counted.load(std::sync::atomic::Ordering::Relaxed), 4);
        });
    }
}
