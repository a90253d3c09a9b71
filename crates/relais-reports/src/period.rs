use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A report's period: fixed dates, or relative to the day it is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Period {
    /// From `start` to `end`, both included (point in time: `end` is the day).
    Fixed {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// Relative to today.
    Relative {
        /// Which.
        period: RelativePeriod,
    },
}

/// Periods relative to the day of evaluation, as the modelled HRIS names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RelativePeriod {
    /// Today.
    Today,
    /// Yesterday.
    Yesterday,
    /// Monday to Sunday of this week.
    ThisWeek,
    /// Last week.
    LastWeek,
    /// This month.
    ThisMonth,
    /// Last month.
    LastMonth,
    /// The 30 days up to today.
    LastThirtyDays,
    /// This quarter.
    ThisQuarter,
    /// Last quarter.
    LastQuarter,
    /// This year.
    ThisYear,
    /// From January 1st to today.
    YearToDate,
    /// Last year.
    LastYear,
    /// The last 24 months up to today.
    LastTwentyFourMonths,
}

impl RelativePeriod {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Yesterday => "yesterday",
            Self::ThisWeek => "this_week",
            Self::LastWeek => "last_week",
            Self::ThisMonth => "this_month",
            Self::LastMonth => "last_month",
            Self::LastThirtyDays => "last_thirty_days",
            Self::ThisQuarter => "this_quarter",
            Self::LastQuarter => "last_quarter",
            Self::ThisYear => "this_year",
            Self::YearToDate => "year_to_date",
            Self::LastYear => "last_year",
            Self::LastTwentyFourMonths => "last_twenty_four_months",
        }
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn month_end(d: NaiveDate) -> NaiveDate {
    month_start(d)
        .checked_add_months(Months::new(1))
        .and_then(|n| n.pred_opt())
        .unwrap_or(d)
}

fn quarter_start(d: NaiveDate) -> NaiveDate {
    let month = (d.month() - 1) / 3 * 3 + 1;
    NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d)
}

impl Period {
    /// The first and last day (inclusive) when evaluated on `today`.
    #[must_use]
    pub fn resolve(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        use RelativePeriod as R;
        let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let week_start = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        match self {
            Self::Fixed { start, end } => (start, end),
            Self::Relative { period } => match period {
                R::Today => (today, today),
                R::Yesterday => {
                    let y = today.pred_opt().unwrap_or(today);
                    (y, y)
                }
                R::ThisWeek => (week_start, week_start + Days::new(6)),
                R::LastWeek => (week_start - Days::new(7), week_start - Days::new(1)),
                R::ThisMonth => (month_start(today), month_end(today)),
                R::LastMonth => {
                    let last = month_start(today).pred_opt().unwrap_or(today);
                    (month_start(last), last)
                }
                R::LastThirtyDays => (today - Days::new(29), today),
                R::ThisQuarter => {
                    let start = quarter_start(today);
                    (
                        start,
                        start
                            .checked_add_months(Months::new(3))
                            .and_then(|d| d.pred_opt())
                            .unwrap_or(today),
                    )
                }
                R::LastQuarter => {
                    let end = quarter_start(today).pred_opt().unwrap_or(today);
                    (quarter_start(end), end)
                }
                R::ThisYear => (
                    year_start,
                    NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
                ),
                R::YearToDate => (year_start, today),
                R::LastYear => (
                    NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(today),
                    NaiveDate::from_ymd_opt(today.year() - 1, 12, 31).unwrap_or(today),
                ),
                R::LastTwentyFourMonths => (
                    today.checked_sub_months(Months::new(24)).unwrap_or(today) + Days::new(1),
                    today,
                ),
            },
        }
    }

    /// The period's wire name (`fixed` or the relative name).
    #[must_use]
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Fixed { .. } => "fixed",
            Self::Relative { period } => period.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn relative_periods_resolve_on_the_day() {
        let today = d("2026-03-18"); // a Wednesday
        let r = |period| Period::Relative { period }.resolve(today);
        assert_eq!(
            r(RelativePeriod::LastMonth),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(
            r(RelativePeriod::ThisMonth),
            (d("2026-03-01"), d("2026-03-31"))
        );
        assert_eq!(
            r(RelativePeriod::ThisWeek),
            (d("2026-03-16"), d("2026-03-22"))
        );
        assert_eq!(
            r(RelativePeriod::LastQuarter),
            (d("2025-10-01"), d("2025-12-31"))
        );
        assert_eq!(r(RelativePeriod::YearToDate), (d("2026-01-01"), today));
        assert_eq!(
            r(RelativePeriod::LastTwentyFourMonths),
            (d("2024-03-19"), today)
        );
    }
}
