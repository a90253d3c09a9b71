//! A deterministic generator of realistic demo companies.
//!
//! The same [`DemoSpec`] always yields the same company, employee by
//! employee, whatever the machine: each employee draws from its own random
//! stream (`ChaCha8` seeded from the spec's seed and the employee id), so the
//! generator streams (it never holds more than one employee's records) and
//! the output does not depend on the order of consumption.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use crate::attributes::{AttributeKind, CustomAttribute, StandardAttribute};
use crate::{
    AbsencePeriod, Attendance, AttendanceStatus, AttributeChange, CostCenterShare,
    DocumentCategory, Employee, EmployeeId, EmployeeRecords, EmployeeStatus, EmploymentType,
    Gender, OrgUnit, Project, TimeOff, TimeOffCategory, TimeOffStatus, TimeOffType, TimeOffUnit,
};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DemoSpec {
    /// How many employees.
    pub employees: u32,
    /// How many months of attendances and absences, ending on `until`.
    pub months: u32,
    /// Seed of every random choice.
    pub seed: u64,
    /// The last day of the generated history ("today" of the demo company).
    pub until: NaiveDate,
}

impl DemoSpec {
    /// The first day of generated attendances and absences.
    #[must_use]
    pub fn window_start(&self) -> NaiveDate {
        self.until
            .checked_sub_months(Months::new(self.months))
            .unwrap_or(self.until)
    }
}

/// The company-wide reference data of a demo company.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCompany {
    /// Departments.
    pub departments: Vec<OrgUnit>,
    /// Offices.
    pub offices: Vec<OrgUnit>,
    /// Teams (each belongs to one department: see [`team_department`]).
    pub teams: Vec<OrgUnit>,
    /// Cost centres, one per department.
    pub cost_centers: Vec<OrgUnit>,
    /// Absence types.
    pub time_off_types: Vec<TimeOffType>,
    /// Document categories.
    pub document_categories: Vec<DocumentCategory>,
    /// Custom attributes.
    pub custom_attributes: Vec<CustomAttribute>,
    /// Attendance projects.
    pub projects: Vec<Project>,
}

const DEPARTMENTS: [&str; 10] = [
    "Management",
    "Engineering",
    "Sales",
    "Marketing",
    "Customer Support",
    "Finance",
    "People & HR",
    "Operations",
    "Product",
    "Legal",
];
const OFFICES: [&str; 6] = ["Munich", "Berlin", "Madrid", "Amsterdam", "Paris", "London"];
const FIRST_NAMES: [(&str, Gender); 40] = [
    ("Anna", Gender::Female),
    ("Lukas", Gender::Male),
    ("Sofia", Gender::Female),
    ("Mateo", Gender::Male),
    ("Emma", Gender::Female),
    ("Noah", Gender::Male),
    ("Léa", Gender::Female),
    ("Hugo", Gender::Male),
    ("Mia", Gender::Female),
    ("Finn", Gender::Male),
    ("Lucía", Gender::Female),
    ("Pablo", Gender::Male),
    ("Chloé", Gender::Female),
    ("Jules", Gender::Male),
    ("Julia", Gender::Female),
    ("Elias", Gender::Male),
    ("Zoë", Gender::Female),
    ("Daan", Gender::Male),
    ("Olivia", Gender::Female),
    ("Leon", Gender::Male),
    ("Amélie", Gender::Female),
    ("Jonas", Gender::Male),
    ("Marta", Gender::Female),
    ("Álvaro", Gender::Male),
    ("Hannah", Gender::Female),
    ("Paul", Gender::Male),
    ("Inès", Gender::Female),
    ("Louis", Gender::Male),
    ("Sara", Gender::Female),
    ("Felix", Gender::Male),
    ("Alex", Gender::Diverse),
    ("Kim", Gender::Diverse),
    ("Ella", Gender::Female),
    ("Oskar", Gender::Male),
    ("Nora", Gender::Female),
    ("Milan", Gender::Male),
    ("Ava", Gender::Female),
    ("Theo", Gender::Male),
    ("Lina", Gender::Female),
    ("Emil", Gender::Male),
];
const LAST_NAMES: [&str; 40] = [
    "Müller",
    "Schmidt",
    "García",
    "Martínez",
    "Dubois",
    "Lefèvre",
    "de Vries",
    "Jansen",
    "Smith",
    "Jones",
    "Weber",
    "Wagner",
    "Fernández",
    "López",
    "Moreau",
    "Laurent",
    "Bakker",
    "Visser",
    "Taylor",
    "Brown",
    "Becker",
    "Hoffmann",
    "Sánchez",
    "Romero",
    "Bernard",
    "Fontaine",
    "Meijer",
    "Mulder",
    "Wilson",
    "Evans",
    "Schäfer",
    "Koch",
    "Navarro",
    "Torres",
    "Girard",
    "Roux",
    "Smit",
    "de Boer",
    "Clarke",
    "Walker",
];
const POSITIONS: [[&str; 3]; 10] = [
    [
        "Chief Executive Officer",
        "Chief of Staff",
        "Executive Assistant",
    ],
    ["Software Engineer", "Backend Engineer", "Frontend Engineer"],
    [
        "Account Executive",
        "Sales Development Representative",
        "Account Manager",
    ],
    [
        "Marketing Manager",
        "Content Marketer",
        "Performance Marketer",
    ],
    [
        "Support Agent",
        "Customer Success Manager",
        "Support Specialist",
    ],
    ["Accountant", "Controller", "Financial Analyst"],
    ["HR Generalist", "Recruiter", "People Partner"],
    [
        "Operations Manager",
        "Office Manager",
        "Facility Coordinator",
    ],
    ["Product Manager", "Product Designer", "UX Researcher"],
    ["Legal Counsel", "Paralegal", "Compliance Officer"],
];
const TEAMS_PER_DEPARTMENT: usize = 3;
const PROJECTS: [i64; 5] = [1, 2, 3, 4, 5];

/// When the demo company's projects were set up: a fixed day, so that a
/// seed always gives the same company.
fn projects_created() -> DateTime<Utc> {
    midnight(NaiveDate::from_ymd_opt(2020, 1, 6).unwrap_or_default())
}

/// The time-off type ids of the demo company.
const VACATION: i64 = 1;
const SICK: i64 = 2;
const PARENTAL: i64 = 3;
const APPOINTMENT: i64 = 6;

/// The department id of a team id.
#[must_use]
pub fn team_department(team_id: i64) -> i64 {
    (team_id - 201) / TEAMS_PER_DEPARTMENT as i64 + 1
}

/// The reference data every demo company shares.
#[must_use]
pub fn company() -> DemoCompany {
    let unit = |id: i64, name: &str| OrgUnit {
        id,
        name: name.to_owned(),
    };
    let departments: Vec<_> = DEPARTMENTS
        .iter()
        .zip(1..)
        .map(|(n, id)| unit(id, n))
        .collect();
    let teams = departments
        .iter()
        .flat_map(|d| {
            (0..TEAMS_PER_DEPARTMENT).map(move |t| {
                let id = 201 + (d.id - 1) * TEAMS_PER_DEPARTMENT as i64 + t as i64;
                OrgUnit {
                    id,
                    name: format!("{} {}", d.name, ["Alpha", "Beta", "Gamma"][t]),
                }
            })
        })
        .collect();
    let time_off_type = |id, name: &str, category, unit| TimeOffType {
        id,
        name: name.to_owned(),
        category,
        unit,
        approval_required: true,
        // 28 days of paid vacation a year, as is common in Germany.
        annual_entitlement: (id == VACATION).then_some(28),
    };
    DemoCompany {
        offices: OFFICES
            .iter()
            .zip(101..)
            .map(|(n, id)| unit(id, n))
            .collect(),
        cost_centers: departments
            .iter()
            .map(|d| unit(300 + d.id, &format!("CC {} {}", 300 + d.id, d.name)))
            .collect(),
        departments,
        teams,
        time_off_types: vec![
            time_off_type(
                VACATION,
                "Paid vacation",
                TimeOffCategory::PaidVacation,
                TimeOffUnit::Day,
            ),
            time_off_type(
                SICK,
                "Sick leave",
                TimeOffCategory::SickLeave,
                TimeOffUnit::Day,
            ),
            time_off_type(
                PARENTAL,
                "Parental leave",
                TimeOffCategory::MaternityParentalLeave,
                TimeOffUnit::Day,
            ),
            time_off_type(
                4,
                "Unpaid leave",
                TimeOffCategory::UnpaidVacation,
                TimeOffUnit::Day,
            ),
            time_off_type(
                5,
                "Home office",
                TimeOffCategory::OffsiteWork,
                TimeOffUnit::Day,
            ),
            time_off_type(
                APPOINTMENT,
                "Doctor's appointment",
                TimeOffCategory::Other,
                TimeOffUnit::Hour,
            ),
        ],
        document_categories: [
            "Employment contracts",
            "Payslips",
            "Certificates",
            "Performance reviews",
            "Onboarding",
        ]
        .iter()
        .zip(1..)
        .map(|(n, id)| DocumentCategory {
            id,
            name: (*n).to_owned(),
        })
        .collect(),
        projects: [
            "Platform rewrite",
            "Mobile app",
            "Data warehouse",
            "Customer portal",
            "Security audit",
        ]
        .iter()
        .zip(1..)
        .map(|(n, id)| Project {
            id,
            name: (*n).to_owned(),
            active: id != 5,
            created_at: projects_created(),
            updated_at: projects_created(),
        })
        .collect(),
        custom_attributes: vec![
            CustomAttribute {
                id: 1001,
                label: "T-shirt size".into(),
                kind: AttributeKind::List,
                options: ["S", "M", "L", "XL"].map(String::from).to_vec(),
            },
            CustomAttribute {
                id: 1002,
                label: "IBAN".into(),
                kind: AttributeKind::Standard,
                options: vec![],
            },
            CustomAttribute {
                id: 1003,
                label: "Emergency contact".into(),
                kind: AttributeKind::Standard,
                options: vec![],
            },
            CustomAttribute {
                id: 1004,
                label: "Work anniversary".into(),
                kind: AttributeKind::Date,
                options: vec![],
            },
        ],
    }
}

/// The company's employees, one by one, ids 1 to `spec.employees`.
pub fn employees(spec: DemoSpec) -> impl Iterator<Item = EmployeeRecords> {
    let company = company();
    (1..=i64::from(spec.employees)).map(move |id| employee(&spec, &company, id))
}

fn midnight(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Heads: employee 1 runs the company, 2..=10 run departments 1..=9 … and
/// department 10 is run by 10 as well. Everyone else reports to their head.
fn head_of(department_id: i64) -> EmployeeId {
    department_id.clamp(1, 10)
}

#[allow(clippy::too_many_lines)] // One employee's life, told in order.
fn employee(spec: &DemoSpec, company: &DemoCompany, id: EmployeeId) -> EmployeeRecords {
    let mut rng =
        ChaCha8Rng::seed_from_u64(spec.seed ^ (id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let start = spec.window_start();
    let until = spec.until;

    // Who.
    let (first_name, gender) = *FIRST_NAMES.choose(&mut rng).unwrap_or(&FIRST_NAMES[0]);
    let last_name = *LAST_NAMES.choose(&mut rng).unwrap_or(&LAST_NAMES[0]);
    let email = format!(
        "{}.{}.{id}@demo.example",
        ascii_slug(first_name),
        ascii_slug(last_name)
    );

    // Where.
    let department_id = if id <= 10 {
        id
    } else {
        rng.random_range(2..=10)
    };
    let first_department = department_id;
    let department = |d: i64| company.departments[(d - 1) as usize].clone();
    let team_of = |d: i64, rng: &mut ChaCha8Rng| {
        let t = rng.random_range(0..TEAMS_PER_DEPARTMENT as i64);
        company.teams[((d - 1) * TEAMS_PER_DEPARTMENT as i64 + t) as usize].clone()
    };
    let team = team_of(department_id, &mut rng);
    let office = company
        .offices
        .choose(&mut rng)
        .cloned()
        .unwrap_or_else(|| company.offices[0].clone());
    let level = rng.random_range(0..3);
    let position = |d: i64, senior: bool| {
        let title = POSITIONS[(d - 1) as usize][level];
        if senior {
            format!("Senior {title}")
        } else {
            title.to_owned()
        }
    };
    let supervisor = if id == 1 {
        None
    } else if id <= 10 {
        Some(1)
    } else {
        Some(head_of(department_id))
    };

    // When.
    let joiner = id > 10 && rng.random_bool(0.15);
    let hire_date = if joiner {
        start + Days::new(rng.random_range(0..=(until - start).num_days().max(0) as u64))
    } else {
        start - Days::new(rng.random_range(30..6 * 365))
    };
    let leaver = id > 10 && rng.random_bool(0.08);
    let termination_date = leaver
        .then(|| {
            let earliest = hire_date.max(start) + Days::new(30);
            (earliest < until).then(|| {
                earliest + Days::new(rng.random_range(0..=(until - earliest).num_days() as u64))
            })
        })
        .flatten();
    let mut weekly_hours = *[40.0, 40.0, 40.0, 40.0, 38.5, 32.0, 30.0, 20.0]
        .choose(&mut rng)
        .unwrap_or(&40.0);
    let employment_type = if rng.random_bool(0.05) {
        EmploymentType::External
    } else {
        EmploymentType::Internal
    };
    let on_parental_leave = termination_date.is_none() && rng.random_bool(0.02);

    // History: initial values from the hire date, then a few changes in the window.
    let mut history = Vec::new();
    let mut record = |attribute: StandardAttribute, from: NaiveDate, value: Value| {
        history.push(AttributeChange {
            employee_id: id,
            attribute: attribute.key().to_owned(),
            effective_from: from,
            value,
        });
    };
    let org = |type_name: &str, u: &OrgUnit| json!({"type": type_name, "attributes": {"id": u.id, "name": u.name}});
    let cost_center = |d: i64| company.cost_centers[(d - 1) as usize].clone();
    let cc_value = |u: &OrgUnit| json!([{"type": "CostCenter", "attributes": {"id": u.id, "name": u.name, "percentage": 100}}]);
    record(
        StandardAttribute::Department,
        hire_date,
        org("Department", &department(department_id)),
    );
    record(StandardAttribute::Team, hire_date, org("Team", &team));
    record(StandardAttribute::Office, hire_date, org("Office", &office));
    record(
        StandardAttribute::Position,
        hire_date,
        json!(position(department_id, false)),
    );
    record(
        StandardAttribute::WeeklyWorkingHours,
        hire_date,
        json!(crate::attributes::format_hours(weekly_hours)),
    );
    record(
        StandardAttribute::EmploymentType,
        hire_date,
        json!(employment_type.as_str()),
    );
    record(
        StandardAttribute::CostCenters,
        hire_date,
        cc_value(&cost_center(department_id)),
    );
    record(
        StandardAttribute::Supervisor,
        hire_date,
        supervisor.map_or(Value::Null, crate::attributes::supervisor_value),
    );
    record(StandardAttribute::Status, hire_date, json!("active"));

    // Changes come in order (a move, then a promotion, then new hours), so
    // that a later change never hides behind an earlier one.
    let mut not_before = hire_date.max(start) + Days::new(1);
    let mut change_day = |rng: &mut ChaCha8Rng| {
        let from = not_before;
        let to = termination_date.unwrap_or(until);
        let day = (from < to)
            .then(|| from + Days::new(rng.random_range(0..(to - from).num_days() as u64)));
        if let Some(day) = day {
            not_before = day + Days::new(1);
        }
        day
    };
    let mut department_id = department_id;
    let mut team = team;
    let mut senior = false;
    let mut hours_changes: Vec<(NaiveDate, f64)> = vec![(hire_date, weekly_hours)];
    if id > 10
        && rng.random_bool(0.25)
        && let Some(day) = change_day(&mut rng)
    {
        let moved_to = (department_id - 2 + rng.random_range(1..9)) % 9 + 2;
        department_id = moved_to;
        team = team_of(moved_to, &mut rng);
        record(
            StandardAttribute::Department,
            day,
            org("Department", &department(moved_to)),
        );
        record(StandardAttribute::Team, day, org("Team", &team));
        record(
            StandardAttribute::Position,
            day,
            json!(position(moved_to, false)),
        );
        record(
            StandardAttribute::CostCenters,
            day,
            cc_value(&cost_center(moved_to)),
        );
        record(
            StandardAttribute::Supervisor,
            day,
            crate::attributes::supervisor_value(head_of(moved_to)),
        );
    }
    if rng.random_bool(0.2)
        && let Some(day) = change_day(&mut rng)
    {
        senior = true;
        record(
            StandardAttribute::Position,
            day,
            json!(position(department_id, true)),
        );
    }
    if rng.random_bool(0.1)
        && let Some(day) = change_day(&mut rng)
    {
        weekly_hours = if weekly_hours >= 40.0 { 32.0 } else { 40.0 };
        hours_changes.push((day, weekly_hours));
        record(
            StandardAttribute::WeeklyWorkingHours,
            day,
            json!(crate::attributes::format_hours(weekly_hours)),
        );
    }
    let parental = on_parental_leave.then(|| {
        let from = until - Days::new(rng.random_range(10..120));
        (from.max(hire_date + Days::new(1)), until + Days::new(180))
    });
    if let Some((from, _)) = parental {
        record(StandardAttribute::Status, from, json!("leave"));
    }
    if let Some(last) = termination_date {
        record(
            StandardAttribute::Status,
            last + Days::new(1),
            json!("inactive"),
        );
    }
    history.sort_by(|a, b| (a.effective_from, &a.attribute).cmp(&(b.effective_from, &b.attribute)));

    let status = if termination_date.is_some_and(|t| t < until) {
        EmployeeStatus::Inactive
    } else if hire_date > until {
        EmployeeStatus::Onboarding
    } else if parental.is_some() {
        EmployeeStatus::Leave
    } else {
        EmployeeStatus::Active
    };

    // Absences.
    let last_day = termination_date.unwrap_or(until).min(until);
    let first_day = hire_date.max(start);
    let mut absent: BTreeMap<NaiveDate, f64> = BTreeMap::new(); // day → fraction absent
    let mut time_offs = Vec::new();
    let mut add_time_off = |rng: &mut ChaCha8Rng,
                            type_id: i64,
                            from: NaiveDate,
                            to: NaiveDate,
                            half_start: bool,
                            half_end: bool,
                            absent: &mut BTreeMap<NaiveDate, f64>| {
        // Working days only: weekends and public holidays cost no leave.
        let days: Vec<_> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| crate::is_working_day(*d))
            .collect();
        if days.is_empty() || days.iter().any(|d| absent.contains_key(d)) {
            return;
        }
        let mut count = days.len() as f64;
        for (n, day) in days.iter().enumerate() {
            let half = (n == 0 && half_start) || (n == days.len() - 1 && half_end);
            absent.insert(*day, if half { 0.5 } else { 1.0 });
            if half {
                count -= 0.5;
            }
        }
        let status = if from > until - Days::new(14) && rng.random_bool(0.3) {
            TimeOffStatus::Requested
        } else {
            TimeOffStatus::Approved
        };
        let created = midnight(from - Days::new(rng.random_range(1..40)));
        time_offs.push(TimeOff {
            id: 0,
            employee_id: id,
            time_off_type_id: type_id,
            status,
            start_date: from,
            end_date: to,
            half_day_start: half_start,
            half_day_end: half_end,
            days_count: count,
            comment: None,
            created_at: created,
            updated_at: created,
        });
    };
    if let Some((from, to)) = parental {
        add_time_off(&mut rng, PARENTAL, from, to, false, false, &mut absent);
    }
    if first_day <= last_day {
        let span = (last_day - first_day).num_days() as u64 + 1;
        let years = span as f64 / 365.0;
        let vacation_blocks = (years * 5.0).round() as u32;
        for _ in 0..vacation_blocks {
            let from = first_day + Days::new(rng.random_range(0..span));
            let to = from + Days::new(rng.random_range(0..8));
            let half_start = rng.random_bool(0.05);
            add_time_off(
                &mut rng,
                VACATION,
                from,
                to.min(last_day),
                half_start,
                false,
                &mut absent,
            );
        }
        let sick_episodes = (years * rng.random_range(0.0..3.0)).round() as u32;
        for _ in 0..sick_episodes {
            let from = first_day + Days::new(rng.random_range(0..span));
            let to = from + Days::new(rng.random_range(0..5));
            add_time_off(
                &mut rng,
                SICK,
                from,
                to.min(last_day),
                false,
                false,
                &mut absent,
            );
        }
    }
    let mut absence_periods = Vec::new();
    if first_day <= last_day && rng.random_bool(0.3) {
        let span = (last_day - first_day).num_days() as u64 + 1;
        for _ in 0..rng.random_range(1..=4) {
            let day = first_day + Days::new(rng.random_range(0..span));
            if !is_weekday(day) || absent.contains_key(&day) {
                continue;
            }
            let begin = day
                .and_hms_opt(rng.random_range(8..14), 0, 0)
                .unwrap_or_default();
            let end = begin + chrono::Duration::hours(rng.random_range(1..=3));
            let created = midnight(day - Days::new(rng.random_range(1..10)));
            absence_periods.push(AbsencePeriod {
                id: uuid::Uuid::from_u128(rng.random()),
                employee_id: id,
                time_off_type_id: APPOINTMENT,
                start: begin,
                end,
                status: TimeOffStatus::Approved,
                comment: None,
                created_at: created,
                updated_at: created,
            });
        }
    }

    // Attendances: every weekday at work, around the contractual hours.
    let mut attendances = Vec::new();
    let project = (matches!(first_department, 2 | 9) && rng.random_bool(0.6))
        .then(|| *PROJECTS.choose(&mut rng).unwrap_or(&1));
    let mut day = first_day;
    while day <= last_day {
        let fraction = absent.get(&day).copied().unwrap_or(0.0);
        if crate::is_working_day(day) && fraction < 1.0 {
            let hours = hours_changes
                .iter()
                .rev()
                .find(|(from, _)| *from <= day)
                .map_or(weekly_hours, |(_, h)| *h);
            let contract = (hours * 60.0 / 5.0 * (1.0 - fraction)) as i64;
            let deviation: i64 = if rng.random_bool(0.07) {
                rng.random_range(90..180)
            } else {
                rng.random_range(-40..60)
            };
            let worked = (contract + deviation).clamp(60, 11 * 60);
            let break_minutes: u32 = if worked > 9 * 60 {
                45
            } else if worked > 6 * 60 {
                30
            } else {
                0
            };
            let begin_minute = rng.random_range(7 * 12..10 * 12) * 5; // 07:00–09:55, on 5 minutes
            let end_minute = (begin_minute + worked + i64::from(break_minutes)).min(23 * 60 + 55);
            let time = |m: i64| {
                NaiveTime::from_hms_opt((m / 60) as u32, (m % 60) as u32, 0)
                    .unwrap_or(NaiveTime::MIN)
            };
            let recent = day > until - Days::new(14);
            attendances.push(Attendance {
                id: 0,
                employee_id: id,
                date: day,
                start_time: time(begin_minute),
                end_time: time(end_minute),
                break_minutes,
                project_id: project,
                status: if recent && rng.random_bool(0.2) {
                    AttendanceStatus::Pending
                } else {
                    AttendanceStatus::Confirmed
                },
                comment: None,
                updated_at: midnight(day) + chrono::Duration::hours(18),
            });
        }
        day = day + Days::new(1);
    }

    let mut custom = BTreeMap::new();
    custom.insert(
        "dynamic_1001".to_owned(),
        (*["S", "M", "L", "XL"].choose(&mut rng).unwrap_or(&"M")).to_owned(),
    );
    custom.insert(
        "dynamic_1002".to_owned(),
        format!(
            "DE{:02} 1001 0000 {:04} {:04} {:02}",
            rng.random_range(10..99),
            rng.random_range(0..9999),
            id % 10_000,
            rng.random_range(0..99)
        ),
    );
    custom.insert(
        "dynamic_1003".to_owned(),
        format!(
            "{} {} +49 151 {:07}",
            FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())].0,
            last_name,
            rng.random_range(0..9_999_999)
        ),
    );
    custom.insert(
        "dynamic_1004".to_owned(),
        hire_date
            .with_year(until.year())
            .unwrap_or(hire_date)
            .to_string(),
    );

    let created_at = midnight(hire_date.min(until) - Days::new(21));
    let last_modified_at = history
        .iter()
        .map(|c| c.effective_from)
        .filter(|d| *d <= until)
        .max()
        .map_or(created_at, midnight);
    let picture = demo_picture(spec, id);
    let employee = Employee {
        id,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        preferred_name: None,
        email,
        gender,
        status,
        position: position(department_id, senior),
        department: Some(department(department_id)),
        office: Some(office),
        team: Some(team),
        supervisor_id: if id <= 10 {
            supervisor
        } else {
            Some(head_of(department_id))
        },
        hire_date,
        termination_date,
        weekly_working_hours: weekly_hours,
        employment_type,
        cost_centers: vec![CostCenterShare {
            id: cost_center(department_id).id,
            name: cost_center(department_id).name,
            percentage: 100,
        }],
        custom,
        external_id: None,
        profile_picture: picture.is_some(),
        created_at,
        last_modified_at,
    };
    // The demo generator never emits a value for a day twice.
    debug_assert!(
        history
            .iter()
            .map(|c| (&c.attribute, c.effective_from))
            .collect::<BTreeSet<_>>()
            .len()
            == history.len()
    );
    EmployeeRecords {
        employee,
        history,
        attendances,
        time_offs,
        absence_periods,
        picture,
    }
}

/// A demo employee's profile picture: every third one (1, 4, 7, …) has an
/// identicon of their own.
fn demo_picture(spec: &DemoSpec, id: EmployeeId) -> Option<crate::picture::Picture> {
    if id % 3 != 1 {
        return None;
    }
    crate::picture::identicon(spec.seed ^ (id as u64).wrapping_mul(0x2545_F491_4F6C_DD1D)).ok()
}

fn ascii_slug(name: &str) -> String {
    use std::fmt::Write as _;
    name.chars().fold(String::new(), |mut out, c| {
        match c {
            'á' | 'à' | 'Á' => out.push('a'),
            'é' | 'è' | 'É' => out.push('e'),
            'í' => out.push('i'),
            'ó' => out.push('o'),
            'ú' | 'ü' => out.push('u'),
            'ö' => out.push('o'),
            'ä' => out.push('a'),
            'ë' => out.push('e'),
            'ç' => out.push('c'),
            ' ' => {}
            c if c.is_ascii_alphanumeric() => {
                let _ = write!(out, "{}", c.to_ascii_lowercase());
            }
            _ => {}
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value_at;

    fn spec(employees: u32) -> DemoSpec {
        DemoSpec {
            employees,
            months: 12,
            seed: 7,
            until: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        }
    }

    #[test]
    fn the_same_spec_gives_the_same_company() {
        let a: Vec<_> = employees(spec(30)).collect();
        let b: Vec<_> = employees(spec(30)).collect();
        assert_eq!(a, b);
        let c: Vec<_> = employees(DemoSpec {
            seed: 8,
            ..spec(30)
        })
        .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn every_employee_is_consistent() {
        let spec = spec(300);
        for records in employees(spec) {
            let e = &records.employee;
            assert!(
                e.email.is_ascii() && e.email.ends_with("@demo.example"),
                "{}",
                e.email
            );
            if let Some(t) = e.termination_date {
                assert!(t >= e.hire_date);
                assert!(records.attendances.iter().all(|a| a.date <= t));
            }
            assert!(
                records
                    .attendances
                    .iter()
                    .all(|a| a.date >= e.hire_date && a.date <= spec.until)
            );
            assert!(
                records
                    .attendances
                    .iter()
                    .all(|a| a.end_time > a.start_time)
            );
            let days: BTreeSet<_> = records.attendances.iter().map(|a| a.date).collect();
            assert_eq!(
                days.len(),
                records.attendances.len(),
                "one attendance a day"
            );
            // The snapshot is the history's value as of `until`.
            let department = value_at(&records.history, "department", spec.until).unwrap();
            assert_eq!(
                department["attributes"]["id"],
                e.department.as_ref().unwrap().id
            );
            let position = value_at(&records.history, "position", spec.until).unwrap();
            assert_eq!(position, e.position.as_str());
            assert!(e.supervisor_id.is_none_or(|s| s != e.id));
            for t in &records.time_offs {
                assert!(t.start_date <= t.end_date && t.days_count > 0.0);
            }
        }
    }

    #[test]
    fn a_company_has_joiners_leavers_movers_overtime_and_absences() {
        let all: Vec<_> = employees(spec(400)).collect();
        let start = spec(400).window_start();
        assert!(all.iter().any(|r| r.employee.hire_date > start), "joiners");
        assert!(
            all.iter()
                .any(|r| r.employee.status == EmployeeStatus::Inactive),
            "leavers"
        );
        assert!(
            all.iter().any(|r| r
                .history
                .iter()
                .filter(|c| c.attribute == "department")
                .count()
                > 1),
            "movers"
        );
        assert!(
            all.iter()
                .flat_map(|r| &r.attendances)
                .any(|a| a.worked_minutes() > 9 * 60),
            "overtime"
        );
        assert!(
            all.iter()
                .flat_map(|r| &r.time_offs)
                .any(|t| t.time_off_type_id == SICK)
        );
        assert!(all.iter().any(|r| !r.absence_periods.is_empty()));
        let attendances: usize = all.iter().map(|r| r.attendances.len()).sum();
        // Roughly 200 worked days a year per employee.
        assert!(
            attendances > 400 * 150 && attendances < 400 * 260,
            "{attendances}"
        );
    }
}
