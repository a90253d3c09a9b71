//! Absence balances: what an employee has left of each allowance this year.
//!
//! A day-counted absence type may carry an annual entitlement (days a year
//! for someone employed the whole year). An employee's entitlement is that,
//! pro rata for the days of the year they are employed (hired or leaving
//! during it), rounded to half days. The balance is the entitlement less
//! the approved time-offs of the type starting in the year; the available
//! balance also takes the requested ones off. A time-off crossing New Year
//! counts in the year it starts. Part-time entitlements and carry-over from
//! the year before are not modelled.

use chrono::{Datelike, NaiveDate};

use crate::model::{Employee, TimeOff, TimeOffStatus, TimeOffType, TimeOffUnit};

/// One allowance of an employee.
#[derive(Debug, Clone, PartialEq)]
pub struct AbsenceBalance {
    /// The absence type.
    pub time_off_type: TimeOffType,
    /// Days left: the entitlement less the approved days taken.
    pub balance: f64,
    /// Days left once the requested ones are approved too.
    pub available_balance: f64,
}

fn round_to_half(days: f64) -> f64 {
    (days * 2.0).round() / 2.0
}

/// The days of `year` the employee is employed, out of the days it has.
fn employed_share(employee: &Employee, year: i32) -> f64 {
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return 0.0;
    };
    let start = employee.hire_date.max(first);
    let end = employee.termination_date.map_or(last, |t| t.min(last));
    if end < start {
        return 0.0;
    }
    let employed = (end - start).num_days() + 1;
    let days = (last - first).num_days() + 1;
    employed as f64 / days as f64
}

/// The employee's balances in `year` of every day type with an entitlement,
/// from their time-offs (of any year; only those starting in `year` count).
#[must_use]
pub fn absence_balances(
    types: &[TimeOffType],
    employee: &Employee,
    time_offs: &[TimeOff],
    year: i32,
) -> Vec<AbsenceBalance> {
    let share = employed_share(employee, year);
    types
        .iter()
        .filter(|t| t.unit == TimeOffUnit::Day)
        .filter_map(|t| t.annual_entitlement.map(|days| (t, days)))
        .map(|(t, days)| {
            let entitlement = round_to_half(f64::from(days) * share);
            let mine = time_offs.iter().filter(|o| {
                o.employee_id == employee.id
                    && o.time_off_type_id == t.id
                    && o.start_date.year() == year
            });
            let (mut taken, mut requested) = (0.0, 0.0);
            for off in mine {
                match off.status {
                    TimeOffStatus::Approved => taken += off.days_count,
                    TimeOffStatus::Requested => requested += off.days_count,
                    _ => {}
                }
            }
            AbsenceBalance {
                time_off_type: t.clone(),
                balance: entitlement - taken,
                available_balance: entitlement - taken - requested,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{self, DemoSpec};
    use chrono::Utc;

    fn someone() -> (Employee, Vec<TimeOffType>) {
        let spec = DemoSpec {
            employees: 1,
            months: 1,
            seed: 1,
            until: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        };
        let records = demo::employees(spec).next().unwrap();
        (records.employee, demo::company().time_off_types)
    }

    fn off(
        employee: &Employee,
        start: (i32, u32, u32),
        days: f64,
        status: TimeOffStatus,
    ) -> TimeOff {
        let start = NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap();
        TimeOff {
            id: 1,
            employee_id: employee.id,
            time_off_type_id: 1,
            status,
            start_date: start,
            end_date: start,
            half_day_start: false,
            half_day_end: false,
            days_count: days,
            comment: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_whole_year_has_the_whole_entitlement_less_what_was_taken() {
        let (mut employee, types) = someone();
        employee.hire_date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        employee.termination_date = None;
        let offs = [
            off(&employee, (2026, 3, 2), 5.0, TimeOffStatus::Approved),
            off(&employee, (2026, 12, 21), 2.5, TimeOffStatus::Requested),
            off(&employee, (2025, 12, 29), 3.0, TimeOffStatus::Approved),
            off(&employee, (2026, 6, 1), 1.0, TimeOffStatus::Rejected),
        ];
        let balances = absence_balances(&types, &employee, &offs, 2026);
        assert_eq!(balances.len(), 1, "only paid vacation has an entitlement");
        assert_eq!(balances[0].time_off_type.name, "Paid vacation");
        assert_eq!(balances[0].balance, 23.0);
        assert_eq!(balances[0].available_balance, 20.5);
    }

    #[test]
    fn joiners_and_leavers_have_their_share_in_half_days() {
        let (mut employee, types) = someone();
        employee.hire_date = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        employee.termination_date = None;
        // 184 of 365 days: 14.1 days, rounded to 14.
        assert_eq!(
            absence_balances(&types, &employee, &[], 2026)[0].balance,
            14.0
        );
        employee.hire_date = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        employee.termination_date = NaiveDate::from_ymd_opt(2025, 6, 30);
        assert_eq!(
            absence_balances(&types, &employee, &[], 2026)[0].balance,
            0.0
        );
    }

    proptest::proptest! {
        #[test]
        fn available_never_exceeds_balance_nor_balance_the_entitlement(
            taken in proptest::collection::vec((0_u32..2, 0.5_f64..10.0, 1_u32..365), 0..20),
            hire in 0_i64..800,
        ) {
            let (mut employee, types) = someone();
            employee.hire_date = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(hire);
            let offs: Vec<TimeOff> = taken
                .iter()
                .map(|&(status, days, day)| {
                    let date = NaiveDate::from_yo_opt(2026, day).unwrap();
                    let status = if status == 0 { TimeOffStatus::Approved } else { TimeOffStatus::Requested };
                    off(&employee, (date.year(), date.month(), date.day()), days, status)
                })
                .collect();
            for b in absence_balances(&types, &employee, &offs, 2026) {
                proptest::prop_assert!(b.available_balance <= b.balance);
                proptest::prop_assert!(b.balance <= 28.0);
            }
        }
    }
}
