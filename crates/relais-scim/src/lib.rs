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
//! [`run_cycle_for`] runs the same steps for one employee only
//! (provisioning on demand): nothing is done to anyone else.

#![warn(missing_docs)]

mod client;
mod cycle;
#[cfg(test)]
mod fake_target;
mod user;

pub use client::{ScimClient, ScimError};
pub use cycle::{
    CycleBatch, CycleInput, CycleOutput, DeprovisionMode, Link, MatchAttribute, ScimSettings,
    run_cycle, run_cycle_for,
};
pub use user::desired_user;
