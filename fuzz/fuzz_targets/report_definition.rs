//! Custom report definitions (`POST /api/reports`): any JSON is refused or
//! accepted, an accepted one compiles and evaluates over demo employees,
//! and none of it panics (periods, filters, columns).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use relais_people::EmployeeRecords;
use relais_people::demo::{DemoSpec, company, employees};
use relais_reports::{Column, EmployeeData, Plan, ReportDefinition, column_catalog};

struct Fixture {
    columns: Vec<Column>,
    people: Vec<EmployeeRecords>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let demo = company();
        let until = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date");
        Fixture {
            columns: column_catalog(&demo.custom_attributes, &demo.time_off_types),
            people: employees(DemoSpec { employees: 8, months: 2, seed: 1, until }).collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(definition) = serde_json::from_slice::<ReportDefinition>(data) else {
        return;
    };
    let f = fixture();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
    let Ok(plan) = Plan::compile(&definition, &f.columns, today) else {
        return;
    };
    for person in &f.people {
        let _ = plan.evaluate(&EmployeeData {
            employee: &person.employee,
            history: &person.history,
            worked_minutes: 0,
            absences: &person.time_offs,
        });
    }
});
