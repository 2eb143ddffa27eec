//! Every diagnostic code in one table: AWS's codes first, then our own lints.
//!
//! AWS's codes are spelled as `ValidateStateMachineDefinition` spells them, so a report can be
//! compared with what the service says. Our lints use `ASL` + a number, so they are never
//! mistaken for a verdict of AWS: they are warnings, and AWS accepts the definitions they flag.

use std::fmt;

/// How bad a diagnostic is. `Error` means AWS refuses to create the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something worth a look; the definition is still accepted.
    Warning,
    /// AWS rejects the definition.
    Error,
}

impl Severity {
    /// `ERROR` / `WARNING`, as AWS spells them.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident, $aws:literal, $summary:literal;)*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $summary]
                $variant,
            )*
        }

        impl Code {
            /// Every code, AWS's first.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed (`MISSING_END_STATE`, `ASL001`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            /// The severity every diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// Whether AWS's `ValidateStateMachineDefinition` reports this code.
            pub fn is_aws(self) -> bool {
                match self { $(Code::$variant => $aws),* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }

            /// The code spelled `name`, if any.
            pub fn from_name(name: &str) -> Option<Code> {
                Self::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

codes! {
    InvalidJsonDescription => "INVALID_JSON_DESCRIPTION", Error, true, "The definition is not valid JSON.";
    MissingDescription => "MISSING_DESCRIPTION", Error, true, "The definition is empty or null.";
    SchemaValidationFailed => "SCHEMA_VALIDATION_FAILED", Error, true, "A field is unknown, missing, of the wrong type, or its value is malformed.";
    InvalidResource => "INVALID_RESOURCE", Error, true, "A Task's Resource is not a valid resource ARN.";
    MissingEndState => "MISSING_END_STATE", Error, true, "A workflow (or branch, or Map processor) has no terminal state.";
    DuplicateStateName => "DUPLICATE_STATE_NAME", Error, true, "The same state name appears more than once.";
    InvalidStateName => "INVALID_STATE_NAME", Error, true, "A state name does not follow the naming rules.";
    MissingTransitionTarget => "MISSING_TRANSITION_TARGET", Error, true, "A Next, Default or StartAt names a state that does not exist, or no transition names a state.";
    DuplicateLabelName => "DUPLICATE_LABEL_NAME", Error, true, "Two Map states have the same Label.";
    InvalidLabelName => "INVALID_LABEL_NAME", Error, true, "A Map Label is too long or has forbidden characters.";
    TooDeeplyNested => "TOO_DEEPLY_NESTED", Error, true, "The definition nests JSON deeper than can be processed.";
    NoDollar => "NO_DOLLAR", Warning, true, "A value looks like a JSONPath or intrinsic function, but its key has no `.$`.";
    NoPath => "NO_PATH", Warning, true, "A value looks like a path, but the field name does not end with `Path`.";
    PassResultIsStatic => "PASS_RESULT_IS_STATIC", Warning, true, "A Pass state's Result uses a path, but Result is never evaluated.";
    UnreachableState => "ASL001", Warning, false, "A state can never be entered: only unreachable states lead to it.";
    LoopWithoutExit => "ASL002", Warning, false, "Once entered, these states can never reach a terminal state.";
    ChoiceMayMiss => "ASL003", Warning, false, "A Choice has no Default, so an input no rule matches fails with States.NoChoiceMatched.";
    CatchNeverMatches => "ASL004", Warning, false, "A Catch or Retry entry can never be used: earlier entries handle all of its errors.";
    CatchReplacesInput => "ASL005", Warning, false, "A Catch without ResultPath replaces the whole state input with the error output.";
    IntrinsicArity => "ASL006", Warning, false, "An intrinsic function is called with a number of arguments it does not accept.";
    UnquotedFilterWord => "ASL007", Warning, false, "A JSONPath filter compares with an unquoted word, whose run-time meaning AWS does not document.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
