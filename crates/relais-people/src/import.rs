//! Bringing a company's own people in: an import file (CSV with a header
//! row, or JSON lines) checked row by row against the employees already
//! there, and turned into a plan of creations and updates with their
//! effective-dated history.
//!
//! Pure: the caller reads the file and stores the plan (in one
//! transaction); nothing here touches a disk or a database. The format is
//! documented in docs/employees.md, with an example in
//! `fixtures/employees.csv`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::attributes::{AttributeKind, CustomAttribute, StandardAttribute, format_hours};
use crate::{
    AttributeChange, Employee, EmployeeId, EmployeeRecords, EmployeeStatus, EmploymentType, Gender,
    OrgUnit,
};

/// The most rows one import may hold.
pub const MAX_ROWS: usize = 50_000;

/// The most problems reported for one file (the rest are counted).
pub const MAX_REPORTED: usize = 100;

/// The columns an import file may have (custom attributes come on top, by
/// key `dynamic_<id>` or by label).
pub const COLUMNS: [&str; 17] = [
    "external_id",
    "email",
    "first_name",
    "last_name",
    "preferred_name",
    "gender",
    "status",
    "position",
    "department",
    "office",
    "team",
    "supervisor",
    "hire_date",
    "termination_date",
    "weekly_working_hours",
    "employment_type",
    "effective_date",
];

/// Attributes whose past values are kept as history (as the demo keeps them).
const TRACKED: [StandardAttribute; 8] = [
    StandardAttribute::Department,
    StandardAttribute::Team,
    StandardAttribute::Office,
    StandardAttribute::Position,
    StandardAttribute::WeeklyWorkingHours,
    StandardAttribute::EmploymentType,
    StandardAttribute::Supervisor,
    StandardAttribute::Status,
];

/// The history a new employee starts with: every tracked attribute and
/// custom value, effective from the hire date.
#[must_use]
pub fn creation_history(e: &Employee) -> Vec<AttributeChange> {
    TRACKED
        .iter()
        .map(|a| AttributeChange {
            employee_id: e.id,
            attribute: a.key().to_owned(),
            effective_from: e.hire_date,
            value: a.value(e),
        })
        .chain(e.custom.iter().map(|(key, value)| AttributeChange {
            employee_id: e.id,
            attribute: key.clone(),
            effective_from: e.hire_date,
            value: Value::String(value.clone()),
        }))
        .collect()
}

/// The history entries a change from `old` to `new` adds: one per tracked
/// attribute or custom attribute (of `custom`) whose value changed,
/// effective on `effective_date`.
#[must_use]
pub fn change_history(
    old: &Employee,
    new: &Employee,
    custom: &[CustomAttribute],
    effective_date: NaiveDate,
) -> Vec<AttributeChange> {
    TRACKED
        .iter()
        .filter(|a| a.value(old) != a.value(new))
        .map(|a| AttributeChange {
            employee_id: new.id,
            attribute: a.key().to_owned(),
            effective_from: effective_date,
            value: a.value(new),
        })
        .chain(
            custom
                .iter()
                .map(CustomAttribute::key)
                .filter(|k| old.custom.get(k) != new.custom.get(k))
                .map(|k| AttributeChange {
                    employee_id: new.id,
                    value: new
                        .custom
                        .get(&k)
                        .map_or(Value::Null, |v| Value::String(v.clone())),
                    attribute: k,
                    effective_from: effective_date,
                }),
        )
        .collect()
}

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    /// Comma-separated values with a header row naming the columns.
    Csv,
    /// One JSON object per line, keyed by column.
    Jsonl,
}

impl ImportFormat {
    /// The format of a file by its name: `.csv`, or `.jsonl` / `.ndjson`.
    #[must_use]
    pub fn from_file_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Self::Jsonl)
        } else {
            None
        }
    }
}

/// One problem of an import file: its line (1 is a CSV file's header) and
/// column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The line, from 1.
    pub line: usize,
    /// The column, when the problem is one cell's.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why an import file was refused: every problem found (at most
/// [`MAX_REPORTED`]) and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} in the import file; nothing was imported:\n  {}", count_problems(*.total), .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
pub struct ImportError {
    /// The problems, in line order.
    pub errors: Vec<RowError>,
    /// How many problems there are in all.
    pub total: usize,
}

fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

/// What importing a row does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new employee.
    Create,
    /// An existing employee changes.
    Update,
    /// An existing employee, already as the row says.
    Unchanged,
}

/// One attribute's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    /// The column.
    pub attribute: String,
    /// Its value before (`None`: empty).
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// What one row does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowOutcome {
    /// The row's line.
    pub line: usize,
    /// Create, update or nothing.
    pub action: RowAction,
    /// The employee (new ids are given in file order after the largest one).
    // `EmployeeId` is an alias, which the schema derive cannot see through.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub employee_id: EmployeeId,
    /// Their e-mail after the import.
    pub email: String,
    /// The changes, for updates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    /// The day the changes take effect, for updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<NaiveDate>,
}

/// An existing employee's new record, with the history its changes add.
#[derive(Debug, Clone, PartialEq)]
pub struct EmployeeUpdate {
    /// The employee after the import.
    pub employee: Employee,
    /// Their `last_modified_at` when the plan was made: the store refuses
    /// the update if it changed meanwhile.
    pub expected_last_modified: DateTime<Utc>,
    /// History entries of the changed attributes, effective on the row's date.
    pub history: Vec<AttributeChange>,
}

/// What an import will do, checked in full.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    /// Per row, in file order.
    pub rows: Vec<RowOutcome>,
    /// New employees with their history.
    pub creates: Vec<EmployeeRecords>,
    /// Changed employees.
    pub updates: Vec<EmployeeUpdate>,
}

/// What the plan is made against.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// The company's employees.
    pub existing: &'a [Employee],
    /// The company's custom attributes.
    pub custom_attributes: &'a [CustomAttribute],
    /// Today: the default effective date of changes.
    pub today: NaiveDate,
    /// Now: creation and modification time.
    pub now: DateTime<Utc>,
}

/// One row as read: its line and its cells by column key (`None`: empty,
/// which clears an optional attribute).
#[derive(Debug, Clone)]
struct RawRow {
    line: usize,
    cells: BTreeMap<String, Option<String>>,
}

impl RawRow {
    fn has(&self, column: &str) -> bool {
        self.cells.contains_key(column)
    }

    fn get(&self, column: &str) -> Option<&str> {
        self.cells.get(column).and_then(|v| v.as_deref())
    }
}

/// Collects problems, keeping the first [`MAX_REPORTED`].
#[derive(Debug, Default)]
struct Problems {
    errors: Vec<RowError>,
    total: usize,
}

impl Problems {
    fn add(&mut self, line: usize, column: Option<&str>, message: impl Into<String>) {
        self.total += 1;
        if self.errors.len() < MAX_REPORTED {
            self.errors.push(RowError {
                line,
                column: column.map(str::to_owned),
                message: message.into(),
            });
        }
    }

    fn into_result<T>(mut self, value: T) -> Result<T, ImportError> {
        if self.total == 0 {
            return Ok(value);
        }
        self.errors.sort_by_key(|e| e.line);
        Err(ImportError {
            errors: self.errors,
            total: self.total,
        })
    }
}

/// The column key of a header: a known column, a custom attribute's key or
/// label (any case), or `None`.
fn column_key(header: &str, custom: &[CustomAttribute]) -> Option<String> {
    let wanted = header.trim().to_lowercase();
    if let Some(known) = COLUMNS.iter().find(|c| **c == wanted) {
        return Some((*known).to_owned());
    }
    custom
        .iter()
        .find(|a| a.key() == wanted || a.label.to_lowercase() == wanted)
        .map(CustomAttribute::key)
}

fn unknown_column(header: &str, custom: &[CustomAttribute]) -> String {
    let custom: Vec<String> = custom.iter().map(CustomAttribute::key).collect();
    format!(
        "unknown column '{header}'; the columns are {}{}",
        COLUMNS.join(", "),
        if custom.is_empty() {
            String::new()
        } else {
            format!(", and the custom attributes {}", custom.join(", "))
        }
    )
}

fn read_csv(text: &str, custom: &[CustomAttribute], problems: &mut Problems) -> Vec<RawRow> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(e) => {
            problems.add(1, None, format!("the header row cannot be read: {e}"));
            return Vec::new();
        }
    };
    let mut keys = Vec::new();
    for header in &headers {
        match column_key(header, custom) {
            Some(key) if keys.contains(&Some(key.clone())) => {
                problems.add(1, Some(header), "the column appears twice");
                keys.push(None);
            }
            Some(key) => keys.push(Some(key)),
            None => {
                problems.add(1, None, unknown_column(header, custom));
                keys.push(None);
            }
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                problems.add(line, None, format!("cannot be read as CSV: {e}"));
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        let cells = keys
            .iter()
            .zip(record.iter())
            .filter_map(|(key, value)| {
                let key = key.clone()?;
                Some((key, (!value.is_empty()).then(|| value.to_owned())))
            })
            .collect();
        rows.push(RawRow { line, cells });
    }
    rows
}

fn read_jsonl(text: &str, custom: &[CustomAttribute], problems: &mut Problems) -> Vec<RawRow> {
    let mut rows = Vec::new();
    for (index, line_text) in text.lines().enumerate() {
        let line = index + 1;
        if line_text.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(line_text) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                problems.add(line, None, "must be a JSON object keyed by column");
                continue;
            }
            Err(e) => {
                problems.add(line, None, format!("is not JSON: {e}"));
                continue;
            }
        };
        let mut cells = BTreeMap::new();
        for (header, value) in object {
            let Some(key) = column_key(&header, custom) else {
                problems.add(line, None, unknown_column(&header, custom));
                continue;
            };
            let text = match value {
                Value::Null => None,
                Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
                    problems.add(line, Some(&key), "must be a string, a number or null");
                    continue;
                }
            };
            cells.insert(key, text);
        }
        rows.push(RawRow { line, cells });
    }
    rows
}

pub(crate) fn normalized_email(text: &str) -> Result<String, String> {
    let email = text.trim().to_lowercase();
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(email)
    } else {
        Err(format!("'{text}' is not an e-mail address"))
    }
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is not a date (YYYY-MM-DD)"))?;
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    let latest = NaiveDate::from_ymd_opt(2999, 12, 31).unwrap_or(NaiveDate::MAX);
    if (earliest..=latest).contains(&date) {
        Ok(date)
    } else {
        Err(format!("{date} is not between {earliest} and {latest}"))
    }
}

pub(crate) fn one_of<T: Copy>(text: &str, options: &[(&str, T)]) -> Result<T, String> {
    let lower = text.to_lowercase();
    options
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<_> = options.iter().map(|(n, _)| *n).collect();
            format!("'{text}' is not one of {}", names.join(", "))
        })
}

pub(crate) fn text_field(text: &str, max: usize) -> Result<String, String> {
    if text.chars().count() > max {
        Err(format!("longer than {max} characters"))
    } else if text.chars().any(char::is_control) {
        Err("holds control characters".into())
    } else {
        Ok(text.to_owned())
    }
}

pub(crate) fn hours(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .replace(',', ".")
        .parse()
        .map_err(|_| format!("'{text}' is not a number of hours"))?;
    if value > 0.0 && value <= 80.0 {
        Ok(value)
    } else {
        Err(format!("{text} is not between 0 (excluded) and 80 hours"))
    }
}

/// Org units by kind, matched by name (any case); new names get the next id.
#[derive(Debug, Default)]
struct Units {
    by_name: HashMap<(&'static str, String), OrgUnit>,
    next: HashMap<&'static str, i64>,
}

impl Units {
    fn new(existing: &[Employee]) -> Self {
        let mut units = Self::default();
        for e in existing {
            for (kind, unit) in [
                ("department", &e.department),
                ("office", &e.office),
                ("team", &e.team),
            ] {
                if let Some(unit) = unit {
                    units.remember(kind, unit);
                }
            }
        }
        units
    }

    fn remember(&mut self, kind: &'static str, unit: &OrgUnit) {
        self.by_name
            .entry((kind, unit.name.to_lowercase()))
            .or_insert_with(|| unit.clone());
        let next = self.next.entry(kind).or_insert(1);
        *next = (*next).max(unit.id.saturating_add(1));
    }

    fn get(&mut self, kind: &'static str, name: &str) -> OrgUnit {
        if let Some(unit) = self.by_name.get(&(kind, name.to_lowercase())) {
            return unit.clone();
        }
        let id = *self.next.get(kind).unwrap_or(&1);
        let unit = OrgUnit {
            id,
            name: name.to_owned(),
        };
        self.remember(kind, &unit);
        unit
    }
}

/// Where a row goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    Existing(usize),
    New(EmployeeId),
}

/// The text of an attribute for a change list.
fn shown(employee: &Employee, attribute: &str) -> Option<String> {
    let text = match attribute {
        "external_id" => employee.external_id.clone()?,
        "email" => employee.email.clone(),
        "first_name" => employee.first_name.clone(),
        "last_name" => employee.last_name.clone(),
        "preferred_name" => employee.preferred_name.clone()?,
        "gender" => employee.gender.as_str().to_owned(),
        "status" => employee.status.as_str().to_owned(),
        "position" => employee.position.clone(),
        "department" => employee.department.as_ref()?.name.clone(),
        "office" => employee.office.as_ref()?.name.clone(),
        "team" => employee.team.as_ref()?.name.clone(),
        "supervisor" => employee.supervisor_id?.to_string(),
        "hire_date" => employee.hire_date.to_string(),
        "termination_date" => employee.termination_date?.to_string(),
        "weekly_working_hours" => format_hours(employee.weekly_working_hours),
        "employment_type" => employee.employment_type.as_str().to_owned(),
        custom => employee.custom.get(custom)?.clone(),
    };
    Some(text)
}

/// Reads an import file and plans it against the company's employees.
///
/// # Errors
/// [`ImportError`] with every problem found (line and column), when the
/// file is not valid as a whole: then nothing may be imported.
#[allow(clippy::too_many_lines)] // One pass per concern, in order.
pub fn plan_import(
    format: ImportFormat,
    text: &str,
    context: &ImportContext<'_>,
) -> Result<ImportPlan, ImportError> {
    let mut problems = Problems::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let custom = context.custom_attributes;
    let rows = match format {
        ImportFormat::Csv => read_csv(text, custom, &mut problems),
        ImportFormat::Jsonl => read_jsonl(text, custom, &mut problems),
    };
    if rows.len() > MAX_ROWS {
        problems.add(
            rows[MAX_ROWS].line,
            None,
            format!(
                "the file has {} rows; import at most {MAX_ROWS} at a time",
                rows.len()
            ),
        );
        return problems.into_result(ImportPlan::default());
    }
    if rows.is_empty() && problems.total == 0 {
        problems.add(1, None, "the file holds no employee");
    }

    // Who is who: existing employees by id, e-mail and external id.
    let existing = context.existing;
    let by_email: HashMap<String, usize> = existing
        .iter()
        .enumerate()
        .map(|(i, e)| (e.email.to_lowercase(), i))
        .collect();
    let by_external: HashMap<String, usize> = existing
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.external_id.clone().map(|x| (x, i)))
        .collect();
    let mut next_id = existing
        .iter()
        .map(|e| e.id)
        .max()
        .unwrap_or(0)
        .saturating_add(1);

    // Pass 1: each row's target and its keys; duplicates within the file.
    let mut targets = Vec::with_capacity(rows.len());
    let mut seen_email: HashMap<String, usize> = HashMap::new();
    let mut seen_external: HashMap<String, usize> = HashMap::new();
    // Keys a supervisor cell may name, after the import: e-mail or external id → employee id.
    let mut keys: HashMap<String, EmployeeId> = HashMap::new();
    for row in &rows {
        let email = match row.get("email") {
            Some(text) => match normalized_email(text) {
                Ok(email) => Some(email),
                Err(message) => {
                    problems.add(row.line, Some("email"), message);
                    None
                }
            },
            // Checked below: only a new employee needs one.
            None => None,
        };
        let external = row.get("external_id").map(str::to_owned);
        if let Some(x) = &external
            && x.chars().count() > 100
        {
            problems.add(row.line, Some("external_id"), "longer than 100 characters");
        }
        if let Some(email) = &email
            && let Some(first) = seen_email.insert(email.clone(), row.line)
        {
            problems.add(
                row.line,
                Some("email"),
                format!("{email} is on line {first} too"),
            );
        }
        if let Some(x) = &external
            && let Some(first) = seen_external.insert(x.clone(), row.line)
        {
            problems.add(
                row.line,
                Some("external_id"),
                format!("'{x}' is on line {first} too"),
            );
        }
        let by_x = external.as_ref().and_then(|x| by_external.get(x)).copied();
        let by_e = email.as_ref().and_then(|e| by_email.get(e)).copied();
        let target = match (by_x, by_e) {
            (Some(a), Some(b)) if a != b => {
                problems.add(
                    row.line,
                    Some("email"),
                    format!(
                        "{} belongs to employee {}, but external_id '{}' to employee {}",
                        email.clone().unwrap_or_default(),
                        existing[b].id,
                        external.clone().unwrap_or_default(),
                        existing[a].id
                    ),
                );
                Target::Existing(a)
            }
            (Some(a), _) => Target::Existing(a),
            (None, Some(b)) => {
                if let (Some(x), Some(theirs)) = (&external, &existing[b].external_id)
                    && x != theirs
                {
                    problems.add(
                        row.line,
                        Some("external_id"),
                        format!(
                            "'{x}' differs from employee {}'s external id '{theirs}' (matched by e-mail)",
                            existing[b].id
                        ),
                    );
                }
                Target::Existing(b)
            }
            (None, None) => {
                if email.is_none() && row.get("email").is_none() {
                    let why = match &external {
                        Some(x) => format!(
                            "is required for a new employee (no employee has the external id '{x}')"
                        ),
                        None => {
                            "is required (or an external_id of an existing employee)".to_owned()
                        }
                    };
                    problems.add(row.line, Some("email"), why);
                }
                let id = next_id;
                next_id = next_id.saturating_add(1);
                Target::New(id)
            }
        };
        let id = match target {
            Target::Existing(i) => existing[i].id,
            Target::New(id) => id,
        };
        if let Some(email) = &email {
            keys.insert(email.clone(), id);
        }
        if let Some(x) = &external {
            keys.insert(x.clone(), id);
        }
        targets.push((target, email));
    }
    // Existing employees the file does not touch keep their keys. (A row
    // cannot take an untouched employee's e-mail: it would have matched them.)
    let touched: std::collections::HashSet<usize> = targets
        .iter()
        .filter_map(|(t, _)| match t {
            Target::Existing(i) => Some(*i),
            Target::New(_) => None,
        })
        .collect();
    for (i, e) in existing.iter().enumerate() {
        if !touched.contains(&i) {
            keys.entry(e.email.to_lowercase()).or_insert(e.id);
            if let Some(x) = &e.external_id {
                keys.entry(x.clone()).or_insert(e.id);
            }
        }
    }

    // Pass 2: the employees after the import.
    let mut units = Units::new(existing);
    let mut plan = ImportPlan::default();
    for (row, (target, email)) in rows.iter().zip(&targets) {
        let line = row.line;
        let before = match target {
            Target::Existing(i) => Some(&existing[*i]),
            Target::New(_) => None,
        };
        let is_new = before.is_none();
        let id = match target {
            Target::Existing(i) => existing[*i].id,
            Target::New(id) => *id,
        };
        let mut e = before.cloned().unwrap_or_else(|| Employee {
            id,
            first_name: String::new(),
            last_name: String::new(),
            preferred_name: None,
            email: String::new(),
            gender: Gender::Diverse,
            status: EmployeeStatus::Active,
            position: String::new(),
            department: None,
            office: None,
            team: None,
            supervisor_id: None,
            hire_date: context.today,
            termination_date: None,
            weekly_working_hours: 40.0,
            employment_type: EmploymentType::Internal,
            cost_centers: Vec::new(),
            custom: BTreeMap::new(),
            external_id: None,
            profile_picture: false,
            created_at: context.now,
            last_modified_at: context.now,
        });
        let mut bad = |column: &str, message: String| problems.add(line, Some(column), message);
        if let Some(email) = email {
            e.email.clone_from(email);
        }
        if let Some(x) = row.get("external_id") {
            e.external_id = Some(x.to_owned());
        }
        for (column, field, required) in [
            ("first_name", &mut e.first_name, true),
            ("last_name", &mut e.last_name, true),
            ("position", &mut e.position, true),
        ] {
            match row.get(column) {
                Some(text) => match text_field(text, 200) {
                    Ok(text) => *field = text,
                    Err(message) => bad(column, message),
                },
                None if row.has(column) && !is_new => bad(column, "cannot be emptied".into()),
                None if is_new && required => bad(column, "is required for a new employee".into()),
                None => {}
            }
        }
        if row.has("preferred_name") {
            match row
                .get("preferred_name")
                .map(|t| text_field(t, 200))
                .transpose()
            {
                Ok(value) => e.preferred_name = value,
                Err(message) => bad("preferred_name", message),
            }
        }
        match row.get("gender") {
            Some(text) => match one_of(
                text,
                &[
                    ("male", Gender::Male),
                    ("female", Gender::Female),
                    ("diverse", Gender::Diverse),
                ],
            ) {
                Ok(g) => e.gender = g,
                Err(message) => bad("gender", message),
            },
            None if is_new => bad(
                "gender",
                "is required for a new employee (male, female or diverse)".into(),
            ),
            None if row.has("gender") => bad("gender", "cannot be emptied".into()),
            None => {}
        }
        match row.get("hire_date") {
            Some(text) => match parse_date(text) {
                Ok(d) => e.hire_date = d,
                Err(message) => bad("hire_date", message),
            },
            None if is_new => bad("hire_date", "is required for a new employee".into()),
            None if row.has("hire_date") => bad("hire_date", "cannot be emptied".into()),
            None => {}
        }
        if row.has("termination_date") {
            match row.get("termination_date").map(parse_date).transpose() {
                Ok(d) => e.termination_date = d,
                Err(message) => bad("termination_date", message),
            }
        }
        if let Some(end) = e.termination_date
            && end < e.hire_date
        {
            bad(
                "termination_date",
                format!("{end} is before the hire date {}", e.hire_date),
            );
        }
        if let Some(text) = row.get("weekly_working_hours") {
            match hours(text) {
                Ok(h) => e.weekly_working_hours = h,
                Err(message) => bad("weekly_working_hours", message),
            }
        } else if row.has("weekly_working_hours") && !is_new {
            bad("weekly_working_hours", "cannot be emptied".into());
        }
        if let Some(text) = row.get("employment_type") {
            match one_of(
                text,
                &[
                    ("internal", EmploymentType::Internal),
                    ("external", EmploymentType::External),
                ],
            ) {
                Ok(t) => e.employment_type = t,
                Err(message) => bad("employment_type", message),
            }
        }
        for (column, kind) in [
            ("department", "department"),
            ("office", "office"),
            ("team", "team"),
        ] {
            if row.has(column) {
                let unit = match row.get(column).map(|t| text_field(t, 200)).transpose() {
                    Ok(name) => name.map(|name| units.get(kind, &name)),
                    Err(message) => {
                        bad(column, message);
                        continue;
                    }
                };
                match column {
                    "department" => e.department = unit,
                    "office" => e.office = unit,
                    _ => e.team = unit,
                }
            }
        }
        if row.has("supervisor") {
            e.supervisor_id = match row.get("supervisor") {
                None => None,
                Some(key) => {
                    let key_lower = key.to_lowercase();
                    match keys.get(key).or_else(|| keys.get(&key_lower)) {
                        Some(s) if *s == id => {
                            bad(
                                "supervisor",
                                "an employee cannot supervise themselves".into(),
                            );
                            None
                        }
                        Some(s) => Some(*s),
                        None => {
                            bad(
                                "supervisor",
                                format!(
                                    "'{key}' is neither the e-mail nor the external id of an employee (in the company or the file)"
                                ),
                            );
                            None
                        }
                    }
                }
            };
        }
        match row.get("status") {
            Some(text) => match one_of(
                text,
                &[
                    ("active", EmployeeStatus::Active),
                    ("inactive", EmployeeStatus::Inactive),
                    ("onboarding", EmployeeStatus::Onboarding),
                    ("leave", EmployeeStatus::Leave),
                ],
            ) {
                Ok(s) => e.status = s,
                Err(message) => bad("status", message),
            },
            None if is_new => {
                e.status = if e.hire_date > context.today {
                    EmployeeStatus::Onboarding
                } else if e.termination_date.is_some_and(|t| t < context.today) {
                    EmployeeStatus::Inactive
                } else {
                    EmployeeStatus::Active
                };
            }
            None if row.has("status") => bad("status", "cannot be emptied".into()),
            None => {}
        }
        for attribute in custom {
            let key = attribute.key();
            if !row.has(&key) {
                continue;
            }
            match row.get(&key) {
                None => {
                    e.custom.remove(&key);
                }
                Some(text) => match custom_value(attribute, text) {
                    Ok(value) => {
                        e.custom.insert(key, value);
                    }
                    Err(message) => bad(&key, message),
                },
            }
        }
        // The record is the employee as of today, so a change cannot wait
        // for a later day: future changes are imported on their day.
        let effective_date = match row.get("effective_date").map(parse_date) {
            Some(Ok(d)) if d > context.today => {
                bad(
                    "effective_date",
                    format!(
                        "{d} is after today; import a change on or after the day it takes effect"
                    ),
                );
                context.today
            }
            Some(Ok(d)) => d,
            Some(Err(message)) => {
                bad("effective_date", message);
                context.today
            }
            None => context.today,
        };

        match before {
            None => {
                let history = creation_history(&e);
                plan.rows.push(RowOutcome {
                    line,
                    action: RowAction::Create,
                    employee_id: id,
                    email: e.email.clone(),
                    changes: Vec::new(),
                    effective_date: None,
                });
                plan.creates.push(EmployeeRecords {
                    employee: e,
                    history,
                    attendances: Vec::new(),
                    time_offs: Vec::new(),
                    absence_periods: Vec::new(),
                    picture: None,
                });
            }
            Some(old) => {
                let columns = COLUMNS
                    .iter()
                    .filter(|c| **c != "effective_date")
                    .map(|c| (*c).to_owned())
                    .chain(custom.iter().map(CustomAttribute::key));
                let changes: Vec<FieldChange> = columns
                    .filter_map(|c| {
                        let (was, now) = (shown(old, &c), shown(&e, &c));
                        (was != now).then_some(FieldChange {
                            attribute: c,
                            before: was,
                            after: now,
                        })
                    })
                    .collect();
                let action = if changes.is_empty() {
                    RowAction::Unchanged
                } else {
                    RowAction::Update
                };
                if action == RowAction::Update {
                    let history = change_history(old, &e, custom, effective_date);
                    e.last_modified_at = context.now;
                    plan.updates.push(EmployeeUpdate {
                        expected_last_modified: old.last_modified_at,
                        employee: e.clone(),
                        history,
                    });
                }
                plan.rows.push(RowOutcome {
                    line,
                    action,
                    employee_id: id,
                    email: e.email.clone(),
                    effective_date: (action == RowAction::Update).then_some(effective_date),
                    changes,
                });
            }
        }
    }
    problems.into_result(plan)
}

pub(crate) fn custom_value(attribute: &CustomAttribute, text: &str) -> Result<String, String> {
    match attribute.kind {
        AttributeKind::List => attribute
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(text))
            .cloned()
            .ok_or_else(|| format!("'{text}' is not one of {}", attribute.options.join(", "))),
        AttributeKind::Date => parse_date(text).map(|d| d.to_string()),
        AttributeKind::Integer => text
            .parse::<i64>()
            .map(|n| n.to_string())
            .map_err(|_| format!("'{text}' is not a whole number")),
        AttributeKind::Decimal => text
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| n.to_string())
            .ok_or_else(|| format!("'{text}' is not a number")),
        AttributeKind::Standard => text_field(text, 500),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn context<'a>(existing: &'a [Employee], custom: &'a [CustomAttribute]) -> ImportContext<'a> {
        ImportContext {
            existing,
            custom_attributes: custom,
            today: day("2026-06-15"),
            now: "2026-06-15T10:00:00Z".parse().unwrap(),
        }
    }

    const FILE: &str = "\
external_id,email,first_name,last_name,gender,position,department,office,supervisor,hire_date,weekly_working_hours
E-1,ana@acme.example,Ana,Lopez,female,CEO,Management,Berlin,,2020-01-01,40
E-2,ben@acme.example,Ben,Ng,male,Engineer,Engineering,Berlin,E-1,2021-03-01,38.5
";

    #[test]
    fn a_file_creates_employees_with_history_and_supervisors_from_the_file() {
        let plan = plan_import(ImportFormat::Csv, FILE, &context(&[], &[])).unwrap();
        assert_eq!(plan.creates.len(), 2);
        let ben = &plan.creates[1].employee;
        assert_eq!(ben.id, 2);
        assert_eq!(ben.supervisor_id, Some(1));
        assert_eq!(ben.department.as_ref().unwrap().name, "Engineering");
        assert_ne!(
            ben.department.as_ref().unwrap().id,
            plan.creates[0].employee.department.as_ref().unwrap().id
        );
        assert_eq!(
            ben.office, plan.creates[0].employee.office,
            "one office, one id"
        );
        assert_eq!(ben.weekly_working_hours, 38.5);
        assert!(
            plan.creates[1]
                .history
                .iter()
                .any(|c| c.attribute == "department" && c.effective_from == day("2021-03-01"))
        );
        assert_eq!(plan.rows[0].action, RowAction::Create);
    }

    #[test]
    fn a_second_import_updates_by_external_id_with_dated_history() {
        let first = plan_import(ImportFormat::Csv, FILE, &context(&[], &[])).unwrap();
        let existing: Vec<Employee> = first.creates.iter().map(|r| r.employee.clone()).collect();
        let change = "external_id,email,department,effective_date\nE-2,ben.ng@acme.example,Management,2026-06-01\nE-1,ana@acme.example,Management,\n";
        let plan = plan_import(ImportFormat::Csv, change, &context(&existing, &[])).unwrap();
        assert!(plan.creates.is_empty());
        assert_eq!(plan.updates.len(), 1);
        let ben = &plan.updates[0];
        assert_eq!(ben.employee.email, "ben.ng@acme.example");
        assert_eq!(
            ben.employee.department.as_ref().unwrap().id,
            1,
            "the existing unit"
        );
        assert_eq!(ben.history.len(), 1);
        assert_eq!(ben.history[0].effective_from, day("2026-06-01"));
        let future = "email,department,effective_date\nben@acme.example,Sales,2026-07-01\n";
        let err = plan_import(ImportFormat::Csv, future, &context(&existing, &[])).unwrap_err();
        assert_eq!(err.errors[0].column.as_deref(), Some("effective_date"));
        assert_eq!(plan.rows[1].action, RowAction::Unchanged);
        let changed: Vec<_> = plan.rows[0]
            .changes
            .iter()
            .map(|c| c.attribute.as_str())
            .collect();
        assert_eq!(changed, ["email", "department"]);
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column_and_nothing_is_planned() {
        let bad = "email,first_name,last_name,gender,position,hire_date,weekly_working_hours,departmnet\n\
                   not-an-email,A,B,male,X,2020-01-01,40,\n\
                   c@acme.example,C,D,robot,X,2020-13-01,200,\n\
                   c@acme.example,E,F,male,X,2020-01-01,40,\n";
        let err = plan_import(ImportFormat::Csv, bad, &context(&[], &[])).unwrap_err();
        let text = err.to_string();
        for expected in [
            "line 1: unknown column 'departmnet'",
            "line 2, email: 'not-an-email' is not an e-mail address",
            "line 3, gender: 'robot' is not one of male, female, diverse",
            "line 3, hire_date: '2020-13-01' is not a date (YYYY-MM-DD)",
            "line 3, weekly_working_hours: 200 is not between",
            "line 4, email: c@acme.example is on line 3 too",
        ] {
            assert!(text.contains(expected), "{expected}\nin\n{text}");
        }
    }

    #[test]
    fn json_lines_take_the_same_columns_and_null_clears() {
        let first = plan_import(ImportFormat::Csv, FILE, &context(&[], &[])).unwrap();
        let existing: Vec<Employee> = first.creates.iter().map(|r| r.employee.clone()).collect();
        let lines = "{\"email\": \"ben@acme.example\", \"office\": null, \"weekly_working_hours\": 32}\n\n{\"email\": \"cy@acme.example\", \"first_name\": \"Cy\", \"last_name\": \"Z\", \"gender\": \"diverse\", \"position\": \"Intern\", \"hire_date\": \"2026-09-01\"}\n";
        let plan = plan_import(ImportFormat::Jsonl, lines, &context(&existing, &[])).unwrap();
        assert_eq!(plan.updates[0].employee.office, None);
        assert_eq!(plan.updates[0].employee.weekly_working_hours, 32.0);
        assert_eq!(plan.creates[0].employee.id, 3);
        assert_eq!(plan.rows[1].line, 3);
        assert_eq!(
            plan.creates[0].employee.status,
            EmployeeStatus::Onboarding,
            "hired after today"
        );
    }

    #[test]
    fn custom_attributes_go_by_label_or_key_and_are_checked() {
        let custom = [CustomAttribute {
            id: 1001,
            label: "T-shirt size".into(),
            kind: AttributeKind::List,
            options: vec!["S".into(), "M".into()],
        }];
        let ok = "email,first_name,last_name,gender,position,hire_date,T-shirt size\na@x.example,A,B,male,X,2020-01-01,m\n";
        let plan = plan_import(ImportFormat::Csv, ok, &context(&[], &custom)).unwrap();
        assert_eq!(plan.creates[0].employee.custom["dynamic_1001"], "M");
        let bad = "email,first_name,last_name,gender,position,hire_date,dynamic_1001\na@x.example,A,B,male,X,2020-01-01,XXL\n";
        let err = plan_import(ImportFormat::Csv, bad, &context(&[], &custom)).unwrap_err();
        assert_eq!(err.errors[0].column.as_deref(), Some("dynamic_1001"));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_planned_or_refused_never_a_panic(text in "\\PC{0,400}") {
            let _ = plan_import(ImportFormat::Csv, &text, &context(&[], &[]));
            let _ = plan_import(ImportFormat::Jsonl, &text, &context(&[], &[]));
        }
    }
}
