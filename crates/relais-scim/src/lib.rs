//! The SCIM 2.0 provisioning connector (RFC 7643/7644).
//!
//! One cycle keeps a SCIM service provider's users in step with the
//! company's employees, following how the leading provisioning services
//! behave (see `shared/reference/provisioning.md`):
//!
//! 1. **Probe** `GET /Users?count=1`: an authentication refusal or an
//!    unreachable target fails the whole run.
//! 2. **Scope**: employees who are active, onboarding or on leave belong in
//!    the target; inactive ones (leavers) do not.
//! 3. **Match** an unlinked employee on the configured attribute (`userName`
//!    = work e-mail by default), then on the other one: one match is
//!    **linked**, several are a failed entry ("duplicate target entries"),
//!    none is **provisioned** (`POST /Users`). Where the target's `userName`
//!    filter minds case (against RFC 7643), or a create is refused with
//!    409, the user is looked up without regard to case in one listing of
//!    the target per cycle.
//! 4. **Update** linked users: only the attributes that differ are sent
//!    (`PATCH`, one operation naming its path per attribute; `emails`
//!    replaced whole under `"path": "emails"`); nothing to change is a
//!    skipped entry. Incremental cycles compare with what was last sent,
//!    full cycles read the target back; the primary e-mail is compared,
//!    wherever it sits. An update succeeds only when the target's answer,
//!    or a read-back, holds the values sent.
//! 5. **Deprovision** linked leavers: `PATCH active=false`, or `DELETE` when
//!    the connection enables it — unless there are more than the deletion
//!    safety threshold in one cycle, when they are staged (skipped).
//!
//! Supervisors are handled before the people they manage, so that the
//! enterprise extension's `manager` can point at their target id; a
//! supervisor who left is no one's `manager` (the attribute is removed).
//! 429 and 5xx answers are retried with back-off; failed entries are
//! retried on the next cycle because their employee still differs.
//!
//! 6. **Groups**, where the connection provisions them: departments and
//!    teams as SCIM Groups with their members (see [`plan_groups`]), matched
//!    on `externalId` (a group of the same name Relais did not create is
//!    never taken over), created, renamed and their membership patched
//!    (`add` / `remove members[value eq …]`); never deleted, and only
//!    members Relais manages are ever removed.
//!
//! [`run_cycle_for`] runs the same steps for one employee only
//! (provisioning on demand): nothing is done to anyone else; they join or
//! leave their groups that exist (only their own membership is sent).
//!
//! Depends on `relais-people` (employees), `relais-sync` (entries and links)
//! and `relais-egress` (every request goes through its guarded client); its
//! I/O is HTTP to the SCIM service provider.
//!
//! # Example
//!
//! The user an employee should be in the target:
//!
//! ```rust
//! use chrono::NaiveDate;
//! use relais_people::demo::{self, DemoSpec};
//! use relais_scim::desired_user;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let until = NaiveDate::from_ymd_opt(2026, 3, 31).ok_or("no such day")?;
//! let spec = DemoSpec { employees: 1, months: 0, seed: 1, until };
//! let employee = demo::employees(spec).next().ok_or("no employee")?.employee;
//! let user = desired_user(&employee, None);
//! assert_eq!(user["userName"], employee.email.as_str());
//! assert_eq!(user["active"], true);
//! # Ok(())
//! # }
//! ```
//!
//! A cycle against a real service provider (needs one, so not run here):
//!
//! ```rust,no_run
//! use std::time::Duration;
//!
//! use relais_egress::EgressPolicy;
//! use relais_scim::{
//!     CycleInput, DeprovisionMode, GroupProvisioning, MatchAttribute, ScimClient, ScimSettings,
//!     run_cycle,
//! };
//! use relais_sync::Cycle;
//!
//! # async fn example(employees: Vec<relais_people::Employee>) -> Result<(), relais_scim::ScimError> {
//! let policy = EgressPolicy::public_only();
//! let client = ScimClient::new("https://idp.example.com/scim/v2", "bearer token", Duration::from_secs(30), &policy)?;
//! let settings = ScimSettings {
//!     match_attribute: MatchAttribute::UserName,
//!     deprovision: DeprovisionMode::Deactivate,
//!     deletion_threshold: 10,
//!     concurrency: 4,
//!     groups: GroupProvisioning::from_answer(Some("departments_and_teams")),
//! };
//! let input = CycleInput {
//!     employees,
//!     links: Default::default(),
//!     group_links: Default::default(),
//!     cycle: Cycle::Full,
//! };
//! let output = run_cycle(&client, &settings, input, None).await;
//! // Keep `output.upserted_links` and `output.upserted_group_links` for the
//! // next cycle; record `output.entries`.
//! # let _ = output;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod client;
mod cycle;
#[cfg(test)]
mod fake_target;
mod groups;
mod user;

pub use client::{ScimClient, ScimError};
pub use cycle::{
    CycleBatch, CycleInput, CycleOutput, DeprovisionMode, Link, MatchAttribute, ScimSettings,
    run_cycle, run_cycle_for,
};
pub use groups::{GroupPlan, GroupProvisioning, plan_groups, plans_for_one};
pub use user::desired_user;
