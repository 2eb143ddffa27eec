//! The engine's enums as the API and the store spell them: an execution's status
//! ([`Status`]) and a state machine's or execution's type ([`ExecutionType`]).

use asl_interpreter::{ExecutionType, Status};

/// An enum with one API spelling per value.
pub trait ApiEnum: Sized + Copy + 'static {
    /// Every value.
    const ALL: &'static [Self];

    /// The API's spelling (`RUNNING`, `EXPRESS`).
    fn api_name(self) -> &'static str;

    /// The value spelled `s`.
    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.api_name() == s)
    }
}

impl ApiEnum for Status {
    const ALL: &'static [Status] = &[
        Status::Running,
        Status::Succeeded,
        Status::Failed,
        Status::TimedOut,
        Status::Aborted,
    ];

    fn api_name(self) -> &'static str {
        self.as_str()
    }
}

impl ApiEnum for ExecutionType {
    const ALL: &'static [ExecutionType] = &[ExecutionType::Standard, ExecutionType::Express];

    fn api_name(self) -> &'static str {
        match self {
            ExecutionType::Standard => "STANDARD",
            ExecutionType::Express => "EXPRESS",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_spelling() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.api_name()), Some(*s));
        }
        for t in ExecutionType::ALL {
            assert_eq!(ExecutionType::parse(t.api_name()), Some(*t));
        }
        assert_eq!(Status::parse("PENDING_REDRIVE"), None);
        assert_eq!(ExecutionType::parse("standard"), None);
    }
}
