//! The `report_engine` example, run: its code is included here and its
//! CSV checked against figures computed by hand.

#![allow(clippy::unwrap_used)] // A panic is the failure report.

#[allow(dead_code)] // The example's `main` is for `cargo run --example`.
#[path = "../examples/report_engine.rs"]
mod report_engine;

use chrono::NaiveDate;

#[test]
fn report_engine_computes_last_months_overtime_from_host_rows() {
    // July 2026 has 23 weekdays and no public holiday the engine knows of.
    let today = NaiveDate::from_ymd_opt(2026, 8, 14).unwrap();
    let (first, last) = report_engine::last_month(today);
    assert_eq!(
        (first.to_string(), last.to_string()),
        ("2026-07-01".into(), "2026-07-31".into())
    );
    let (employees, shifts) = report_engine::host_rows(today);
    let days = shifts.iter().filter(|s| s.employee == 1).count();
    let mut out = Vec::new();
    let rows = report_engine::overtime_csv(&employees, &shifts, today, &mut out).unwrap();
    assert_eq!(rows, 3);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "first_name,last_name,department,weekly_working_hours,attendance_worked_hours,attendance_contractual_target_hours,attendance_overtime_hours"
    );
    let hours = |h: f64| format!("{h:.2}");
    let d = days as f64;
    // Ana: 8.5 h a day on an 8-hour day; Ben: exactly his 6; Carla: one short.
    assert!(lines[1].starts_with("Ana,Alves,Sales,"), "{}", lines[1]);
    assert!(
        lines[1].ends_with(&format!(
            "{},{},{}",
            hours(8.5 * d),
            hours(8.0 * d),
            hours(0.5 * d)
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(&format!(
            "{},{},{}",
            hours(6.0 * d),
            hours(6.0 * d),
            hours(0.0)
        )),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].ends_with(&format!(
            "{},{},{}",
            hours(7.0 * d),
            hours(8.0 * d),
            hours(-d)
        )),
        "{}",
        lines[3]
    );
}
