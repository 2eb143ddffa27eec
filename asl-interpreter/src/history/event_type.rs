//! The types of history events: AWS's `HistoryEventType`, with the details member each one
//! carries and the questions asked of them (does it end the execution, is it a failure, ...).

use std::fmt;

use asl_core::StateKind;

use crate::execution::Status;

/// Declares [`EventType`] from one table: each type with its details member.
macro_rules! event_types {
    ($($variant:ident => $details:expr,)*) => {
        /// The type of a history event, as `GetExecutionHistory` names it.
        ///
        /// The variants are AWS's `HistoryEventType` values (plus the engine's own
        /// `<Type>StateAborted` for the state types AWS never aborts; see
        /// [`EventType::state_aborted`]); their names are AWS's, documented there.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $($variant,)*
        }

        impl EventType {
            /// Every event type.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant,)*];

            /// AWS's name (`TaskStateEntered`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$variant => stringify!($variant),)*
                }
            }

            /// `,"type":"<name>","id":`, the middle of the event's JSON as
            /// [`HistoryEvent::write_json`](super::HistoryEvent::write_json) writes it.
            pub(crate) const fn type_and_id_members(self) -> &'static str {
                match self {
                    $(EventType::$variant => concat!(",\"type\":\"", stringify!($variant), "\",\"id\":"),)*
                }
            }

            /// The member holding the event's details (`stateEnteredEventDetails`,
            /// `taskFailedEventDetails`), or `None` for a type that has none.
            pub const fn details_key(self) -> Option<&'static str> {
                match self {
                    $(EventType::$variant => $details,)*
                }
            }
        }
    };
}

const ENTERED: Option<&str> = Some("stateEnteredEventDetails");
const EXITED: Option<&str> = Some("stateExitedEventDetails");

event_types! {
    ActivityFailed => Some("activityFailedEventDetails"),
    ActivityScheduleFailed => Some("activityScheduleFailedEventDetails"),
    ActivityScheduled => Some("activityScheduledEventDetails"),
    ActivityStarted => Some("activityStartedEventDetails"),
    ActivitySucceeded => Some("activitySucceededEventDetails"),
    ActivityTimedOut => Some("activityTimedOutEventDetails"),
    ChoiceStateAborted => None,
    ChoiceStateEntered => ENTERED,
    ChoiceStateExited => EXITED,
    EvaluationFailed => Some("evaluationFailedEventDetails"),
    ExecutionAborted => Some("executionAbortedEventDetails"),
    ExecutionFailed => Some("executionFailedEventDetails"),
    ExecutionRedriven => Some("executionRedrivenEventDetails"),
    ExecutionStarted => Some("executionStartedEventDetails"),
    ExecutionSucceeded => Some("executionSucceededEventDetails"),
    ExecutionTimedOut => Some("executionTimedOutEventDetails"),
    FailStateAborted => None,
    FailStateEntered => ENTERED,
    FailStateExited => EXITED,
    LambdaFunctionFailed => Some("lambdaFunctionFailedEventDetails"),
    LambdaFunctionScheduleFailed => Some("lambdaFunctionScheduleFailedEventDetails"),
    LambdaFunctionScheduled => Some("lambdaFunctionScheduledEventDetails"),
    LambdaFunctionStartFailed => Some("lambdaFunctionStartFailedEventDetails"),
    LambdaFunctionStarted => None,
    LambdaFunctionSucceeded => Some("lambdaFunctionSucceededEventDetails"),
    LambdaFunctionTimedOut => Some("lambdaFunctionTimedOutEventDetails"),
    MapIterationAborted => Some("mapIterationAbortedEventDetails"),
    MapIterationFailed => Some("mapIterationFailedEventDetails"),
    MapIterationStarted => Some("mapIterationStartedEventDetails"),
    MapIterationSucceeded => Some("mapIterationSucceededEventDetails"),
    MapRunAborted => None,
    MapRunFailed => Some("mapRunFailedEventDetails"),
    MapRunRedriven => Some("mapRunRedrivenEventDetails"),
    MapRunStarted => Some("mapRunStartedEventDetails"),
    MapRunSucceeded => None,
    MapStateAborted => None,
    MapStateEntered => ENTERED,
    MapStateExited => EXITED,
    MapStateFailed => None,
    MapStateStarted => Some("mapStateStartedEventDetails"),
    MapStateSucceeded => None,
    ParallelStateAborted => None,
    ParallelStateEntered => ENTERED,
    ParallelStateExited => EXITED,
    ParallelStateFailed => None,
    ParallelStateStarted => None,
    ParallelStateSucceeded => None,
    PassStateAborted => None,
    PassStateEntered => ENTERED,
    PassStateExited => EXITED,
    SucceedStateAborted => None,
    SucceedStateEntered => ENTERED,
    SucceedStateExited => EXITED,
    TaskFailed => Some("taskFailedEventDetails"),
    TaskScheduled => Some("taskScheduledEventDetails"),
    TaskStartFailed => Some("taskStartFailedEventDetails"),
    TaskStarted => Some("taskStartedEventDetails"),
    TaskStateAborted => None,
    TaskStateEntered => ENTERED,
    TaskStateExited => EXITED,
    TaskSubmitFailed => Some("taskSubmitFailedEventDetails"),
    TaskSubmitted => Some("taskSubmittedEventDetails"),
    TaskSucceeded => Some("taskSucceededEventDetails"),
    TaskTimedOut => Some("taskTimedOutEventDetails"),
    WaitStateAborted => None,
    WaitStateEntered => ENTERED,
    WaitStateExited => EXITED,
}

impl EventType {
    /// The type named `name` (AWS's spelling), if there is one.
    pub fn parse(name: &str) -> Option<EventType> {
        EventType::ALL.iter().copied().find(|t| t.as_str() == name)
    }

    /// `<Type>StateEntered` for a state of this kind.
    pub fn state_entered(kind: &StateKind) -> EventType {
        use EventType as E;
        match kind {
            StateKind::Pass(_) => E::PassStateEntered,
            StateKind::Task(_) => E::TaskStateEntered,
            StateKind::Choice(_) => E::ChoiceStateEntered,
            StateKind::Wait(_) => E::WaitStateEntered,
            StateKind::Succeed => E::SucceedStateEntered,
            StateKind::Fail(_) => E::FailStateEntered,
            StateKind::Parallel(_) => E::ParallelStateEntered,
            StateKind::Map(_) => E::MapStateEntered,
        }
    }

    /// `<Type>StateExited` for a state of this kind.
    pub fn state_exited(kind: &StateKind) -> EventType {
        use EventType as E;
        match kind {
            StateKind::Pass(_) => E::PassStateExited,
            StateKind::Task(_) => E::TaskStateExited,
            StateKind::Choice(_) => E::ChoiceStateExited,
            StateKind::Wait(_) => E::WaitStateExited,
            StateKind::Succeed => E::SucceedStateExited,
            StateKind::Fail(_) => E::FailStateExited,
            StateKind::Parallel(_) => E::ParallelStateExited,
            StateKind::Map(_) => E::MapStateExited,
        }
    }

    /// `<Type>StateAborted` for a state of this kind: what a state still in flight records
    /// when its execution is stopped or a sibling branch fails.
    pub fn state_aborted(kind: &StateKind) -> EventType {
        use EventType as E;
        match kind {
            StateKind::Pass(_) => E::PassStateAborted,
            StateKind::Task(_) => E::TaskStateAborted,
            StateKind::Choice(_) => E::ChoiceStateAborted,
            StateKind::Wait(_) => E::WaitStateAborted,
            StateKind::Succeed => E::SucceedStateAborted,
            StateKind::Fail(_) => E::FailStateAborted,
            StateKind::Parallel(_) => E::ParallelStateAborted,
            StateKind::Map(_) => E::MapStateAborted,
        }
    }

    /// The execution status an event that ends the execution stands for (`None` for the
    /// others).
    pub fn terminal_status(self) -> Option<Status> {
        match self {
            EventType::ExecutionSucceeded => Some(Status::Succeeded),
            EventType::ExecutionFailed => Some(Status::Failed),
            EventType::ExecutionTimedOut => Some(Status::TimedOut),
            EventType::ExecutionAborted => Some(Status::Aborted),
            _ => None,
        }
    }

    /// Whether the event ends the execution.
    pub fn is_terminal(self) -> bool {
        self.terminal_status().is_some()
    }

    /// Whether the event is about the execution itself (`Execution*`): the events the
    /// history quota always leaves room for.
    pub fn is_execution(self) -> bool {
        self.as_str().starts_with("Execution")
    }

    /// Whether it records a failure, a timeout or an abort (of a task, a state, an iteration,
    /// a map run or the execution).
    pub fn is_failure(self) -> bool {
        let s = self.as_str();
        s.ends_with("Failed") || s.ends_with("TimedOut") || s.ends_with("Aborted")
    }

    /// Whether it records a success (of a task, a state's branches, an iteration, a map run
    /// or the execution).
    pub fn is_success(self) -> bool {
        self.as_str().ends_with("Succeeded")
    }

    /// `<Type>StateEntered`.
    pub fn is_state_entered(self) -> bool {
        self.details_key() == ENTERED
    }

    /// `<Type>StateExited`.
    pub fn is_state_exited(self) -> bool {
        self.details_key() == EXITED
    }

    /// Whether it ends one invocation of a task's resource (success, failure or timeout).
    pub fn is_task_end(self) -> bool {
        use EventType as E;
        matches!(
            self,
            E::TaskSucceeded
                | E::TaskFailed
                | E::TaskTimedOut
                | E::TaskStartFailed
                | E::TaskSubmitFailed
                | E::LambdaFunctionSucceeded
                | E::LambdaFunctionFailed
                | E::LambdaFunctionTimedOut
                | E::LambdaFunctionStartFailed
                | E::ActivitySucceeded
                | E::ActivityFailed
                | E::ActivityTimedOut
        )
    }
}

/// An event type reads as its name: `e.event_type == "TaskFailed"`,
/// `e.event_type.ends_with("Failed")`.
impl std::ops::Deref for EventType {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for EventType {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Formats as its name, honouring width and alignment (`{:<20}`) as a `&str` does.
impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::parse(s).ok_or_else(|| UnknownEventType(s.to_string()))
    }
}

/// A name that is no event type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown history event type: {0}")]
pub struct UnknownEventType(pub String);

impl PartialEq<str> for EventType {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<EventType> for &str {
    fn eq(&self, other: &EventType) -> bool {
        *self == other.as_str()
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
        }
        assert_eq!(EventType::parse("NoSuchEvent"), None);
    }

    #[test]
    fn formats_like_its_name() {
        let t = EventType::TaskFailed;
        assert_eq!(format!("{t}|"), "TaskFailed|");
        assert_eq!(format!("{t:<12}|"), "TaskFailed  |");
        assert_eq!(format!("{t:>12}|"), "  TaskFailed|");
    }

    #[test]
    fn type_and_id_members_name_the_type() {
        for t in EventType::ALL {
            assert_eq!(
                t.type_and_id_members(),
                format!(",\"type\":\"{}\",\"id\":", t.as_str())
            );
        }
    }

    #[test]
    fn details_keys_follow_the_type() {
        for t in EventType::ALL {
            let Some(key) = t.details_key() else { continue };
            let expected = if t.is_state_entered() {
                "stateEntered".to_string()
            } else if t.is_state_exited() {
                "stateExited".to_string()
            } else {
                let s = t.as_str();
                s[..1].to_lowercase() + &s[1..]
            };
            assert_eq!(key, format!("{expected}EventDetails"), "{t}");
        }
    }

    /// `(type, terminal status, failure, success, task end)`.
    const PREDICATES: &[(EventType, Option<Status>, bool, bool, bool)] = &[
        (
            EventType::ExecutionSucceeded,
            Some(Status::Succeeded),
            false,
            true,
            false,
        ),
        (
            EventType::ExecutionFailed,
            Some(Status::Failed),
            true,
            false,
            false,
        ),
        (
            EventType::ExecutionTimedOut,
            Some(Status::TimedOut),
            true,
            false,
            false,
        ),
        (
            EventType::ExecutionAborted,
            Some(Status::Aborted),
            true,
            false,
            false,
        ),
        (EventType::ExecutionStarted, None, false, false, false),
        (EventType::TaskFailed, None, true, false, true),
        (EventType::TaskSucceeded, None, false, true, true),
        (EventType::LambdaFunctionTimedOut, None, true, false, true),
        (EventType::TaskStateAborted, None, true, false, false),
        (EventType::MapRunSucceeded, None, false, true, false),
        (EventType::PassStateEntered, None, false, false, false),
    ];

    #[test]
    fn predicates() {
        for (t, status, failure, success, task_end) in PREDICATES {
            assert_eq!(t.terminal_status(), *status, "{t}");
            assert_eq!(t.is_terminal(), status.is_some(), "{t}");
            assert_eq!(t.is_failure(), *failure, "{t}");
            assert_eq!(t.is_success(), *success, "{t}");
            assert_eq!(t.is_task_end(), *task_end, "{t}");
        }
    }

    #[test]
    fn reads_as_its_name() {
        let t = EventType::TaskStateEntered;
        assert!(t == "TaskStateEntered" && t.ends_with("StateEntered"));
        assert_eq!(t.to_string(), "TaskStateEntered");
        assert!(t.is_state_entered() && !t.is_state_exited());
    }
}
