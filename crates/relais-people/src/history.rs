use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::EmployeeId;

/// One effective-dated value of one employee attribute: from
/// `effective_from` on, the attribute is `value` (until a later change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeChange {
    /// Whose attribute.
    pub employee_id: EmployeeId,
    /// The attribute key (`department`, `position`, `dynamic_1001`, …).
    pub attribute: String,
    /// The first day the value holds.
    pub effective_from: NaiveDate,
    /// The value, as the public API renders it (`null` for none).
    pub value: serde_json::Value,
}

/// The value an attribute had on `date`: the last change effective on or
/// before it, or `None` when the history starts later.
///
/// `changes` may be in any order and may hold other attributes' changes.
#[must_use]
pub fn value_at<'a>(
    changes: &'a [AttributeChange],
    attribute: &str,
    date: NaiveDate,
) -> Option<&'a serde_json::Value> {
    changes
        .iter()
        .filter(|c| c.attribute == attribute && c.effective_from <= date)
        .max_by_key(|c| c.effective_from)
        .map(|c| &c.value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn change(attribute: &str, from: &str, value: serde_json::Value) -> AttributeChange {
        AttributeChange {
            employee_id: 1,
            attribute: attribute.to_owned(),
            effective_from: from.parse().unwrap(),
            value,
        }
    }

    #[test]
    fn department_was_sales_until_march_and_marketing_since() {
        let history = [
            change("department", "2026-04-01", json!("Marketing")),
            change("department", "2024-01-15", json!("Sales")),
            change("position", "2024-01-15", json!("Rep")),
        ];
        let on = |d: &str| value_at(&history, "department", d.parse().unwrap()).cloned();
        assert_eq!(on("2024-01-14"), None);
        assert_eq!(on("2026-03-31"), Some(json!("Sales")));
        assert_eq!(on("2026-04-01"), Some(json!("Marketing")));
    }

    proptest! {
        #[test]
        fn the_value_on_a_date_is_the_last_change_on_or_before_it(
            offsets in proptest::collection::btree_set(0_i64..2000, 1..20),
            probe in 0_i64..2100,
        ) {
            let base = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let history: Vec<_> = offsets.iter().rev().map(|&o| change("team", &(base + chrono::Days::new(o as u64)).to_string(), json!(o))).collect();
            let date = base + chrono::Days::new(probe as u64);
            let expected = offsets.iter().copied().filter(|&o| o <= probe).max().map(|o| json!(o));
            prop_assert_eq!(value_at(&history, "team", date).cloned(), expected);
        }
    }
}
