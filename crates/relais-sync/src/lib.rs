//! Sync tracking.
//!
//! A connector's recurring syncs are *runs*; each employee a run touches is
//! an *entry* (update, provision, deprovision or link; success, failed or
//! skipped). The run's status is never set by hand: [`RunStatus::derive`]
//! computes it from the entries and the run-level error, by one rule.
//! A run that stops heartbeating is closed as Failed ([`SyncRun::is_stale`]),
//! so that "stuck in Running" cannot last.
//!
//! Pure, and depends on no other Relais crate: storage and HTTP live
//! elsewhere.
//!
//! # Example
//!
//! ```rust
//! use chrono::Utc;
//! use relais_sync::{Cycle, EntryStatus, RunStatus, SyncRun, Trigger, UseCase};
//! use uuid::Uuid;
//!
//! let now = Utc::now();
//! let mut run = SyncRun::start(Uuid::now_v7(), Trigger::Manual, Cycle::Full, now);
//! assert_eq!(run.status, RunStatus::Running);
//!
//! run.counts.add(UseCase::Provision, EntryStatus::Success);
//! run.counts.add(UseCase::Update, EntryStatus::Failed);
//! run.finish(None, now);
//! assert_eq!(run.status, RunStatus::PartiallyCompleted);
//! ```

#![warn(missing_docs)]

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The scheduler.
    Scheduled,
    /// An admin's "sync now".
    Manual,
    /// A partner integration reporting its own sync.
    PartnerReported,
    /// Provisioning one employee on demand: a cycle for that employee
    /// alone, outside the schedule.
    OnDemand,
}

/// A full cycle compares with the target itself; an incremental one sends
/// only what changed since the last successful cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Everything, read back from the target.
    Full,
    /// Only changes.
    Incremental,
}

/// A run's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still going.
    Running,
    /// No failed entry, nothing staged, no run error.
    Completed,
    /// Some entries failed, or deprovisions were staged.
    PartiallyCompleted,
    /// A run-level error, or every entry failed.
    Failed,
}

/// The operation of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UseCase {
    /// Changed attributes sent.
    Update,
    /// A target account created.
    Provision,
    /// A target account disabled or deleted.
    Deprovision,
    /// An existing target account taken over.
    Link,
}

impl UseCase {
    /// Every use case.
    pub const ALL: [Self; 4] = [Self::Update, Self::Provision, Self::Deprovision, Self::Link];

    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Provision => "provision",
            Self::Deprovision => "deprovision",
            Self::Link => "link",
        }
    }
}

/// The outcome of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Done.
    Success,
    /// Not done; the message says why. Retried on the next cycle.
    Failed,
    /// Nothing to do (or staged); the message says why.
    Skipped,
}

impl EntryStatus {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// One attribute an entry changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// The attribute (`title`, `department`, `active`, …).
    pub attribute: String,
    /// Before (`null` when unknown or new).
    pub old: serde_json::Value,
    /// After.
    pub new: serde_json::Value,
}

/// The remote API's answer to a request, trimmed and with secrets redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// The body's first 2,000 characters, secrets redacted.
    pub body: String,
}

impl ApiResponse {
    /// Redacts every occurrence of the `secrets` in `body`, then keeps its
    /// first 2,000 characters (in that order, so that no secret is cut in
    /// half and half kept).
    #[must_use]
    pub fn new(status: u16, body: &str, secrets: &[&str]) -> Self {
        let mut body = body.to_owned();
        for secret in secrets.iter().filter(|s| s.len() >= 4) {
            body = body.replace(secret, "[redacted]");
        }
        Self {
            status,
            body: body.chars().take(2000).collect(),
        }
    }
}

/// Which kind of org unit a group stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// A department of the company.
    Department,
    /// A team of the company.
    Team,
}

impl GroupKind {
    /// The wire name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Team => "team",
        }
    }
}

/// The org unit an entry about a group (rather than an employee) is about:
/// a department or team provisioned as a group of the target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncGroup {
    /// Department or team.
    pub kind: GroupKind,
    /// The org unit's id in the HRIS.
    pub id: i64,
    /// Its name, when the entry was written.
    pub name: String,
}

impl SyncGroup {
    /// The key a group link is stored under, and the group's `externalId`
    /// in the target: `department:3`, `team:201`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.as_str(), self.id)
    }
}

/// One employee, or one group, touched by a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Which employee (links to their profile); 0 for an entry about a
    /// group (see `group`).
    pub employee_id: i64,
    /// The department or team an entry about a group is about; absent for
    /// an entry about an employee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<SyncGroup>,
    /// What was done.
    pub use_case: UseCase,
    /// How it went.
    pub status: EntryStatus,
    /// What happened, or why not.
    pub message: String,
    /// The remote API's answer, where there is one.
    pub response: Option<ApiResponse>,
    /// Attributes changed, old → new.
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// A run-level error: the whole run failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunError {
    /// What went wrong.
    pub message: String,
    /// The remote API's answer, where there is one.
    pub response: Option<ApiResponse>,
}

/// Entry counts by use case and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts(pub BTreeMap<UseCase, BTreeMap<EntryStatus, u64>>);

impl Counts {
    /// Counts one entry.
    pub fn add(&mut self, use_case: UseCase, status: EntryStatus) {
        *self
            .0
            .entry(use_case)
            .or_default()
            .entry(status)
            .or_default() += 1;
    }

    /// Entries with this status.
    #[must_use]
    pub fn with_status(&self, status: EntryStatus) -> u64 {
        self.0.values().filter_map(|m| m.get(&status)).sum()
    }

    /// Every entry.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.0.values().flat_map(BTreeMap::values).sum()
    }

    /// Entries of a use case with a status.
    #[must_use]
    pub fn get(&self, use_case: UseCase, status: EntryStatus) -> u64 {
        self.0
            .get(&use_case)
            .and_then(|m| m.get(&status))
            .copied()
            .unwrap_or(0)
    }
}

/// A sync run of one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncRun {
    /// Id.
    pub id: Uuid,
    /// The connection.
    pub connection_id: Uuid,
    /// What started it.
    pub trigger: Trigger,
    /// Full or incremental.
    pub cycle: Cycle,
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Last sign of life while running.
    pub heartbeat_at: DateTime<Utc>,
    /// Finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// Status (derived when finished).
    pub status: RunStatus,
    /// Entry counts.
    pub counts: Counts,
    /// Deprovisions held back by the deletion safety threshold.
    pub staged: u64,
    /// Why the whole run failed.
    pub error: Option<RunError>,
    /// What a run that did not fail held back, and why (staged deprovisions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Closed because whoever ran it stopped (a restart, a replica lost):
    /// not the target's failure, so the next cycle comes at once and no
    /// back-off counts it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// A connector's record of which target account is an employee's, and what
/// was last sent to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TargetLink {
    /// The employee.
    pub employee_id: i64,
    /// The target account's id.
    pub target_id: String,
    /// What was last sent (or read) for the account.
    pub snapshot: serde_json::Value,
    /// False once deprovisioned (deactivated).
    pub active: bool,
}

/// A department or team and the group of the target it was provisioned as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupLink {
    /// [`SyncGroup::key`] of the org unit.
    pub key: String,
    /// The target group's id.
    pub target_id: String,
    /// What was last sent (or read) for the group, in a SCIM group's
    /// shape: `displayName` and `members` (`[{"value": target id}]`, sorted).
    pub snapshot: serde_json::Value,
}

/// Minutes until the next scheduled cycle: the connection's interval,
/// doubled for every failed run in a row, at most once a day (as the leading
/// provisioning services slow down towards a quarantined target).
#[must_use]
pub fn next_cycle_in_minutes(interval_minutes: i64, failed_in_a_row: u32) -> i64 {
    let interval = interval_minutes.max(1);
    let factor = 1_i64 << failed_in_a_row.min(12);
    (interval.saturating_mul(factor))
        .min(24 * 60)
        .max(interval.min(24 * 60))
}

/// How long a running run may go without a heartbeat.
pub const HEARTBEAT_TIMEOUT: Duration = Duration::minutes(5);

impl RunStatus {
    /// The one rule: a run error, or entries that all failed → Failed; some
    /// failed entries or staged deprovisions → Partially completed;
    /// otherwise Completed.
    #[must_use]
    pub fn derive(counts: &Counts, staged: u64, error: Option<&RunError>) -> Self {
        let failed = counts.with_status(EntryStatus::Failed);
        if error.is_some() || (failed > 0 && failed == counts.total()) {
            Self::Failed
        } else if failed > 0 || staged > 0 {
            Self::PartiallyCompleted
        } else {
            Self::Completed
        }
    }
}

impl SyncRun {
    /// A new running run.
    #[must_use]
    pub fn start(connection_id: Uuid, trigger: Trigger, cycle: Cycle, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::now_v7(),
            connection_id,
            trigger,
            cycle,
            started_at: now,
            heartbeat_at: now,
            finished_at: None,
            status: RunStatus::Running,
            counts: Counts::default(),
            staged: 0,
            error: None,
            notice: None,
            interrupted: false,
        }
    }

    /// Counts an entry into the run.
    pub fn record(&mut self, entry: &SyncEntry) {
        self.counts.add(entry.use_case, entry.status);
    }

    /// Finishes the run, deriving its status.
    pub fn finish(&mut self, error: Option<RunError>, now: DateTime<Utc>) {
        self.error = error;
        self.finished_at = Some(now);
        self.heartbeat_at = now;
        self.status = RunStatus::derive(&self.counts, self.staged, self.error.as_ref());
    }

    /// Whether a Running run stopped heartbeating.
    #[must_use]
    pub fn is_stale(&self, now: DateTime<Utc>) -> bool {
        self.is_stale_after(now, HEARTBEAT_TIMEOUT)
    }

    /// Whether the run is Running without a heartbeat for longer than `lease`.
    #[must_use]
    pub fn is_stale_after(&self, now: DateTime<Utc>, lease: Duration) -> bool {
        self.status == RunStatus::Running && now - self.heartbeat_at > lease
    }

    /// Closes a stale or interrupted run as Failed.
    pub fn close_interrupted(&mut self, why: &str, now: DateTime<Utc>) {
        self.interrupted = true;
        self.finish(
            Some(RunError {
                message: why.to_owned(),
                response: None,
            }),
            now,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_status() -> impl Strategy<Value = EntryStatus> {
        prop_oneof![
            Just(EntryStatus::Success),
            Just(EntryStatus::Failed),
            Just(EntryStatus::Skipped)
        ]
    }

    fn arb_use_case() -> impl Strategy<Value = UseCase> {
        proptest::sample::select(UseCase::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn the_status_rule_holds(entries in proptest::collection::vec((arb_use_case(), arb_status()), 0..50), staged in 0_u64..3, errored: bool) {
            let mut counts = Counts::default();
            for (u, s) in &entries {
                counts.add(*u, *s);
            }
            let error = errored.then(|| RunError { message: "target down".into(), response: None });
            let status = RunStatus::derive(&counts, staged, error.as_ref());
            let failed = entries.iter().filter(|(_, s)| *s == EntryStatus::Failed).count();
            let expected = if errored || (failed > 0 && failed == entries.len()) {
                RunStatus::Failed
            } else if failed > 0 || staged > 0 {
                RunStatus::PartiallyCompleted
            } else {
                RunStatus::Completed
            };
            prop_assert_eq!(status, expected);
            prop_assert_eq!(counts.total() as usize, entries.len());
        }
    }

    #[test]
    fn failing_targets_are_tried_less_often_down_to_once_a_day() {
        assert_eq!(next_cycle_in_minutes(30, 0), 30);
        assert_eq!(next_cycle_in_minutes(30, 1), 60);
        assert_eq!(next_cycle_in_minutes(30, 3), 240);
        assert_eq!(next_cycle_in_minutes(30, 20), 1440);
        assert_eq!(
            next_cycle_in_minutes(2880, 0),
            1440,
            "never less than daily"
        );
    }

    #[test]
    fn a_silent_run_is_stale_and_closes_failed() {
        let now = Utc::now();
        let mut run = SyncRun::start(Uuid::now_v7(), Trigger::Scheduled, Cycle::Full, now);
        assert!(!run.is_stale(now + Duration::minutes(4)));
        assert!(run.is_stale(now + Duration::minutes(6)));
        run.close_interrupted("no heartbeat for 5 minutes", now + Duration::minutes(6));
        assert_eq!(run.status, RunStatus::Failed);
        assert!(!run.is_stale(now + Duration::hours(1)));
    }

    #[test]
    fn responses_are_trimmed_and_redacted() {
        let r = ApiResponse::new(
            401,
            &format!("bad token s3cr3tT0k {}", "x".repeat(3000)),
            &["s3cr3tT0k"],
        );
        assert!(r.body.starts_with("bad token [redacted]"));
        assert!(r.body.chars().count() <= 2000);
    }
}

/// What a connection's failing streak calls for after a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthAction {
    /// Nothing: it did not fail, or not for long.
    Nothing,
    /// Warn its admins: it will be turned off in a day if it keeps failing.
    Warn,
    /// Turn it off: every run failed for `disable_after`.
    Disable,
}

/// The rule for a connection failing every run: its admins are warned once
/// when every run failed for `disable_after` less a day (at once when
/// `disable_after` is a day or less), and it is turned off once every run
/// failed for `disable_after` and the warning is a day old — never without
/// a day's warning (a run schedule that skipped the warning window, or a
/// paused connection resumed late, gets the warning first).
#[must_use]
pub fn health(
    failing_since: Option<DateTime<Utc>>,
    warned_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    disable_after: Duration,
) -> HealthAction {
    let Some(since) = failing_since else {
        return HealthAction::Nothing;
    };
    let failing = now - since;
    match warned_at {
        None if failing >= disable_after - Duration::days(1) => HealthAction::Warn,
        Some(warned) if failing >= disable_after && now - warned >= Duration::days(1) => {
            HealthAction::Disable
        }
        _ => HealthAction::Nothing,
    }
}

#[cfg(test)]
mod health_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_connection_is_turned_off_after_the_period_and_a_days_warning_never_before(
            failing_minutes in 0i64..20_000, limit_days in 1i64..30, warned_minutes_ago in proptest::option::of(0i64..20_000),
        ) {
            let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
            let since = now - Duration::minutes(failing_minutes);
            let limit = Duration::days(limit_days);
            let warned_at = warned_minutes_ago.map(|m| now - Duration::minutes(m));
            let action = health(Some(since), warned_at, now, limit);
            let failing = Duration::minutes(failing_minutes);
            match action {
                HealthAction::Disable => {
                    prop_assert!(failing >= limit);
                    prop_assert!(warned_at.is_some_and(|w| now - w >= Duration::days(1)));
                }
                HealthAction::Warn => {
                    prop_assert!(warned_at.is_none());
                    prop_assert!(failing >= limit - Duration::days(1));
                }
                HealthAction::Nothing => prop_assert!(
                    failing < limit - Duration::days(1)
                        || warned_at.is_some_and(|w| failing < limit || now - w < Duration::days(1))
                ),
            }
            prop_assert_eq!(health(None, None, now, limit), HealthAction::Nothing);
        }
    }
}
