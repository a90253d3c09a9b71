//! The connection state machine.
//!
//! ```text
//!              start                complete (no activation needed)
//!   (none) ──────────▶ Pending ───────────────────────────────▶ Connected
//!                      │   ▲ submit step                          │  ▲
//!                      │   └──┘                                   │  │ reactivate
//!                      │ complete (needs partner activation)      │  │
//!                      ▼                                          ▼  │
//!          Pending (awaiting partner) ── partner activates ──▶ Connected
//!                                                  deactivate / credential revoked /
//!                                                  auth failures exceeded ──▶ Inactive
//!   any state but Disconnected ── disconnect ──▶ Disconnected (history kept)
//! ```

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A connection's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConnectionId(pub Uuid);

impl ConnectionId {
    /// A new id that sorts by creation.
    #[must_use]
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for ConnectionId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a connection is Pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PendingReason {
    /// The setup wizard is not finished.
    WizardInProgress,
    /// The wizard is finished; the partner has not activated the connection yet.
    AwaitingPartnerActivation,
}

/// Why a connection is Inactive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InactiveReason {
    /// An admin deactivated it.
    DeactivatedByAdmin {
        /// What they said.
        reason: String,
    },
    /// The API credential it used was revoked.
    CredentialRevoked,
    /// Its syncs failed to authenticate too often in a row.
    AuthFailuresExceeded,
    /// Every run failed for this many days.
    FailingTooLong {
        /// The days.
        days: u32,
    },
}

/// Where a connection stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Started, not complete.
    Pending {
        /// Why.
        reason: PendingReason,
    },
    /// Active: may exchange data.
    Connected,
    /// Was connected, now stopped.
    Inactive {
        /// Why.
        reason: InactiveReason,
    },
    /// Removed by an admin; only its history remains.
    Disconnected,
}

impl ConnectionState {
    /// The status as the "Connected integrations" page names it.
    #[must_use]
    pub fn status(&self) -> &'static str {
        match self {
            Self::Pending { .. } => "pending",
            Self::Connected => "connected",
            Self::Inactive { .. } => "inactive",
            Self::Disconnected => "disconnected",
        }
    }

    /// Why it is in its state, in words; `None` for Connected and Disconnected.
    #[must_use]
    pub fn reason_text(&self) -> Option<String> {
        match self {
            Self::Pending {
                reason: PendingReason::WizardInProgress,
            } => Some("the setup wizard is not finished".into()),
            Self::Pending {
                reason: PendingReason::AwaitingPartnerActivation,
            } => Some("waiting for the partner to activate it".into()),
            Self::Inactive {
                reason: InactiveReason::DeactivatedByAdmin { reason },
            } => Some(format!("deactivated by an admin: {reason}")),
            Self::Inactive {
                reason: InactiveReason::CredentialRevoked,
            } => Some("its API credential was revoked".into()),
            Self::Inactive {
                reason: InactiveReason::AuthFailuresExceeded,
            } => Some("its syncs failed to authenticate too often in a row".into()),
            Self::Inactive {
                reason: InactiveReason::FailingTooLong { days },
            } => Some(format!("every sync run failed for {days} days")),
            Self::Connected | Self::Disconnected => None,
        }
    }

    /// Only a Connected connection may exchange data.
    #[must_use]
    pub fn may_exchange_data(&self) -> bool {
        matches!(self, Self::Connected)
    }
}

/// Something that happens to a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ConnectionEvent {
    /// An admin clicked Connect.
    Start,
    /// A wizard step was answered.
    SubmitStep {
        /// Which step.
        step: String,
    },
    /// The wizard was finished.
    CompleteWizard {
        /// Whether the partner must activate the connection before it is live.
        needs_partner_activation: bool,
    },
    /// The partner activated the connection.
    PartnerActivated,
    /// An admin deactivated it.
    Deactivate {
        /// Why.
        reason: String,
    },
    /// An admin reactivated it.
    Reactivate,
    /// Its API credential was revoked.
    CredentialRevoked,
    /// Its syncs failed to authenticate too often.
    AuthFailuresExceeded,
    /// Every run failed for this many days.
    FailingTooLong {
        /// The days.
        days: u32,
    },
    /// An admin removed it.
    Disconnect,
}

/// "a pending", "an inactive".
fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

impl ConnectionEvent {
    /// What the event does, as "a … connection cannot …" ends.
    fn refused(&self) -> &'static str {
        match self {
            Self::Start => "be started again",
            Self::SubmitStep { .. } => "take wizard answers",
            Self::CompleteWizard { .. } => "complete its wizard",
            Self::PartnerActivated => "be activated by the partner",
            Self::Deactivate { .. } => "be deactivated",
            Self::Reactivate => "be reactivated",
            Self::CredentialRevoked => "lose its credential",
            Self::AuthFailuresExceeded => "be stopped for failed authentications",
            Self::FailingTooLong { .. } => "be stopped for failing too long",
            Self::Disconnect => "be disconnected",
        }
    }

    /// The event's name, for messages and the audit trail.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::SubmitStep { .. } => "submit_step",
            Self::CompleteWizard { .. } => "complete_wizard",
            Self::PartnerActivated => "partner_activated",
            Self::Deactivate { .. } => "deactivate",
            Self::Reactivate => "reactivate",
            Self::CredentialRevoked => "credential_revoked",
            Self::AuthFailuresExceeded => "auth_failures_exceeded",
            Self::FailingTooLong { .. } => "failing_too_long",
            Self::Disconnect => "disconnect",
        }
    }
}

/// An event that is not allowed in a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} connection cannot {}", with_article(state.as_ref().map_or("new", ConnectionState::status)), event.refused())]
pub struct TransitionError {
    /// The state (`None`: not started).
    pub state: Option<ConnectionState>,
    /// The refused event.
    pub event: ConnectionEvent,
}

impl ConnectionState {
    /// The state after `event`, from `state` (`None` before the start).
    ///
    /// # Errors
    /// [`TransitionError`] naming the state and the event when the event is
    /// not allowed there.
    pub fn transition(
        state: Option<&Self>,
        event: &ConnectionEvent,
    ) -> Result<Self, TransitionError> {
        use ConnectionEvent as E;
        use PendingReason::{AwaitingPartnerActivation, WizardInProgress};
        let next = match (state, event) {
            (None, E::Start) => Some(Self::Pending {
                reason: WizardInProgress,
            }),
            (
                Some(Self::Pending {
                    reason: WizardInProgress,
                }),
                E::SubmitStep { .. },
            ) => Some(Self::Pending {
                reason: WizardInProgress,
            }),
            (
                Some(Self::Pending {
                    reason: WizardInProgress,
                }),
                E::CompleteWizard {
                    needs_partner_activation,
                },
            ) => Some(if *needs_partner_activation {
                Self::Pending {
                    reason: AwaitingPartnerActivation,
                }
            } else {
                Self::Connected
            }),
            (
                Some(Self::Pending {
                    reason: AwaitingPartnerActivation,
                }),
                E::PartnerActivated,
            ) => Some(Self::Connected),
            (Some(Self::Connected), E::Deactivate { reason }) => Some(Self::Inactive {
                reason: InactiveReason::DeactivatedByAdmin {
                    reason: reason.clone(),
                },
            }),
            (
                Some(
                    Self::Connected
                    | Self::Pending {
                        reason: AwaitingPartnerActivation,
                    },
                ),
                E::CredentialRevoked,
            ) => Some(Self::Inactive {
                reason: InactiveReason::CredentialRevoked,
            }),
            (Some(Self::Connected), E::AuthFailuresExceeded) => Some(Self::Inactive {
                reason: InactiveReason::AuthFailuresExceeded,
            }),
            (Some(Self::Connected), E::FailingTooLong { days }) => Some(Self::Inactive {
                reason: InactiveReason::FailingTooLong { days: *days },
            }),
            (Some(Self::Inactive { .. }), E::Reactivate) => Some(Self::Connected),
            (Some(s), E::Disconnect) if *s != Self::Disconnected => Some(Self::Disconnected),
            _ => None,
        };
        next.ok_or_else(|| TransitionError {
            state: state.cloned(),
            event: event.clone(),
        })
    }
}

/// Replays a connection's history from the start.
///
/// # Errors
/// The first [`TransitionError`], should the history be impossible.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a ConnectionEvent>,
) -> Result<Option<ConnectionState>, TransitionError> {
    events.into_iter().try_fold(None, |state, event| {
        ConnectionState::transition(state.as_ref(), event).map(Some)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(events: &[ConnectionEvent]) -> Result<Option<ConnectionState>, TransitionError> {
        replay(events)
    }

    #[test]
    fn a_platform_integration_connects_when_its_wizard_is_complete() {
        let state = run(&[
            ConnectionEvent::Start,
            ConnectionEvent::SubmitStep {
                step: "token".into(),
            },
            ConnectionEvent::CompleteWizard {
                needs_partner_activation: false,
            },
        ])
        .unwrap();
        assert_eq!(state, Some(ConnectionState::Connected));
    }

    #[test]
    fn a_partner_integration_waits_for_the_partner() {
        let state = run(&[
            ConnectionEvent::Start,
            ConnectionEvent::CompleteWizard {
                needs_partner_activation: true,
            },
        ])
        .unwrap();
        assert_eq!(
            state,
            Some(ConnectionState::Pending {
                reason: PendingReason::AwaitingPartnerActivation
            })
        );
        assert!(!state.as_ref().unwrap().may_exchange_data());
        let next = ConnectionState::transition(state.as_ref(), &ConnectionEvent::PartnerActivated)
            .unwrap();
        assert_eq!(next, ConnectionState::Connected);
    }

    #[test]
    fn illegal_transitions_name_the_state_and_the_event() {
        let err =
            ConnectionState::transition(Some(&ConnectionState::Connected), &ConnectionEvent::Start)
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a connected connection cannot be started again"
        );
        let inactive = ConnectionState::Inactive {
            reason: InactiveReason::CredentialRevoked,
        };
        let err = ConnectionState::transition(
            Some(&inactive),
            &ConnectionEvent::Deactivate { reason: "x".into() },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "an inactive connection cannot be deactivated"
        );
        let err = ConnectionState::transition(None, &ConnectionEvent::Reactivate).unwrap_err();
        assert_eq!(err.to_string(), "a new connection cannot be reactivated");
    }

    fn arb_event() -> impl Strategy<Value = ConnectionEvent> {
        prop_oneof![
            Just(ConnectionEvent::Start),
            "[a-z]{1,5}".prop_map(|step| ConnectionEvent::SubmitStep { step }),
            any::<bool>().prop_map(|needs_partner_activation| ConnectionEvent::CompleteWizard {
                needs_partner_activation
            }),
            Just(ConnectionEvent::PartnerActivated),
            "[a-z ]{0,10}".prop_map(|reason| ConnectionEvent::Deactivate { reason }),
            Just(ConnectionEvent::Reactivate),
            Just(ConnectionEvent::CredentialRevoked),
            Just(ConnectionEvent::AuthFailuresExceeded),
            (1u32..30).prop_map(|days| ConnectionEvent::FailingTooLong { days }),
            Just(ConnectionEvent::Disconnect),
        ]
    }

    proptest! {
        /// Random events are applied where allowed and refused where not;
        /// the accepted history always replays to the state reached.
        #[test]
        fn accepted_history_replays_to_the_current_state(events in proptest::collection::vec(arb_event(), 0..40)) {
            let mut state: Option<ConnectionState> = None;
            let mut accepted = Vec::new();
            for event in events {
                match ConnectionState::transition(state.as_ref(), &event) {
                    Ok(next) => {
                        accepted.push(event);
                        state = Some(next);
                    }
                    Err(e) => {
                        prop_assert_eq!(&e.state, &state);
                        prop_assert!(!e.to_string().is_empty());
                    }
                }
                prop_assert_eq!(replay(&accepted).unwrap(), state.clone());
            }
        }

        #[test]
        fn only_connected_exchanges_data_and_disconnected_is_final(events in proptest::collection::vec(arb_event(), 0..40)) {
            let mut state: Option<ConnectionState> = None;
            for event in events {
                if let Ok(next) = ConnectionState::transition(state.as_ref(), &event) {
                    if state == Some(ConnectionState::Disconnected) {
                        prop_assert!(false, "left Disconnected with {:?}", event);
                    }
                    state = Some(next);
                }
                if let Some(s) = &state {
                    prop_assert_eq!(s.may_exchange_data(), *s == ConnectionState::Connected);
                    if matches!(s, ConnectionState::Inactive { .. }) {
                        prop_assert!(!s.may_exchange_data());
                    }
                }
            }
        }
    }
}
