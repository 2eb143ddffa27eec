//! `asl-validate --explain CODE`: what each code checks, which AWS check it mirrors, and the
//! documented AWS behaviour that backs it.
//!
//! Every error code mirrors a refusal of AWS's `CreateStateMachine` /
//! `ValidateStateMachineDefinition`; a check AWS does not make is a warning (AWS's own
//! warnings, or our `ASL…` lints). A test keeps this table complete.

use crate::codes::{Code, Severity};

/// One code's explanation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Explanation {
    /// What the rule checks.
    pub checks: &'static str,
    /// Which AWS check it mirrors (for an error) or why it is only a warning.
    pub aws: &'static str,
    /// The AWS documentation that backs it.
    pub docs: &'static str,
}

const DG: &str = "https://docs.aws.amazon.com/step-functions/latest/dg/";
const API: &str = "https://docs.aws.amazon.com/step-functions/latest/apireference/";

/// The explanation of `code`.
pub(crate) fn explain(code: Code) -> Explanation {
    let (checks, aws, docs) = match code {
        Code::InvalidJsonDescription => (
            "The definition (or YAML file) cannot be read as JSON; the position is where reading stopped.",
            "AWS refuses the definition with INVALID_JSON_DESCRIPTION before any other check.",
            "API_ValidateStateMachineDefinition.html (diagnostics codes); concepts-amazon-states-language.html (a definition is a JSON object)",
        ),
        Code::MissingDescription => (
            "The definition is empty, blank or null.",
            "AWS refuses it with MISSING_DESCRIPTION.",
            "API_ValidateStateMachineDefinition.html",
        ),
        Code::SchemaValidationFailed => (
            "A field is unknown (or belongs to the other query language), missing, of the wrong type, out of its range, or malformed: a JSONPath, Reference Path (ResultPath must point into the state input: not $var or $$), intrinsic call or JSONata expression that does not compile, Next together with End, States.ALL not alone or not last, Map fields that need DISTRIBUTED mode, a definition longer than 1,048,576 characters.",
            "AWS refuses the definition with SCHEMA_VALIDATION_FAILED and the location /States/NAME/FIELD.",
            "concepts-amazon-states-language.html, state-*.html (each state type's fields), amazon-states-language-paths.html (paths, Reference Paths), input-output-resultpath.html, concepts-error-handling.html (States.ALL), service-quotas.html (definition size)",
        ),
        Code::InvalidResource => (
            "A Task's Resource is not an activity, a Lambda function, an optimized integration action with a pattern it supports, or an SDK integration (request-response or .waitForTaskToken). Integrations written with a region and account are read as arn:PARTITION:states:::SERVICE:ACTION. Values with ${...} placeholders are skipped; an unclosed ${ is reported.",
            "AWS refuses the definition: the resource is not a valid or recognized ARN.",
            "state-task.html (Resource), integrate-optimized.html, supported-services-awssdk.html, connect-to-resource.html (integration patterns)",
        ),
        Code::MissingEndState => (
            "A workflow (the machine, a Parallel branch or a Map processor) has no terminal state (End, Succeed or Fail).",
            "AWS refuses it with MISSING_END_STATE.",
            "concepts-amazon-states-language.html (terminal states)",
        ),
        Code::DuplicateStateName => (
            "Two states have the same name anywhere in the machine, nested workflows included.",
            "AWS refuses it with DUPLICATE_STATE_NAME.",
            "concepts-amazon-states-language.html (state names are unique)",
        ),
        Code::InvalidStateName => (
            "A state name is empty or longer than 80 characters.",
            "AWS refuses it with INVALID_STATE_NAME.",
            "concepts-amazon-states-language.html; service-quotas.html (name length)",
        ),
        Code::MissingTransitionTarget => (
            "StartAt, Next, Default or a Catch's Next names a state that is not in the same workflow, or no transition names a state.",
            "AWS refuses it with MISSING_TRANSITION_TARGET.",
            "concepts-amazon-states-language.html (transitions)",
        ),
        Code::DuplicateLabelName => (
            "Two Map states have the same Label.",
            "AWS refuses it with DUPLICATE_LABEL_NAME.",
            "state-map-distributed.html (Label)",
        ),
        Code::InvalidLabelName => (
            "A Map Label is longer than 40 characters or has a forbidden character.",
            "AWS refuses it with INVALID_LABEL_NAME.",
            "state-map-distributed.html (Label)",
        ),
        Code::TooDeeplyNested => (
            "Objects and arrays nest deeper than 127 levels, the depth the JSON reader accepts.",
            "AWS refuses definitions nested beyond its own (unpublished) bound with TOO_DEEPLY_NESTED; ours is the reader's bound.",
            "API_ValidateStateMachineDefinition.html (diagnostic codes)",
        ),
        Code::NoDollar => (
            "A payload template value looks like a JSONPath or intrinsic call, but its key lacks `.$`.",
            "AWS's own warning (NO_DOLLAR): the definition is accepted.",
            "input-output-inputpath-params.html",
        ),
        Code::NoPath => (
            "A literal field (Error, Cause, a Choice comparison value) holds a path; its ...Path sibling was probably meant.",
            "AWS's own warning (NO_PATH): the definition is accepted.",
            "state-fail.html, state-choice.html",
        ),
        Code::PassResultIsStatic => (
            "A Pass state's Result has a `key.$` field, which is never evaluated.",
            "AWS's own warning (PASS_RESULT_IS_STATIC): the definition is accepted.",
            "state-pass.html (Result)",
        ),
        Code::UnreachableState => (
            "A state that only unreachable states lead to.",
            "Not an AWS check: a lint, never an error.",
            "-",
        ),
        Code::LoopWithoutExit => (
            "States that, once entered, can never reach a terminal state.",
            "Not an AWS check (AWS only requires a terminal state to exist): a lint.",
            "-",
        ),
        Code::ChoiceMayMiss => (
            "A Choice with no Default: an input that no rule matches fails with States.NoChoiceMatched.",
            "Not an AWS check (Default is optional): a lint.",
            "state-choice.html (Default)",
        ),
        Code::CatchNeverMatches => (
            "A Retry or Catch entry that earlier entries always handle first.",
            "Not an AWS check: a lint.",
            "concepts-error-handling.html",
        ),
        Code::CatchReplacesInput => (
            "A Catch without ResultPath replaces the whole state input with the error output.",
            "Not an AWS check: a lint.",
            "concepts-error-handling.html (ResultPath in Catch)",
        ),
        Code::IntrinsicArity => (
            "An intrinsic function called with a number of arguments it does not accept.",
            "AWS accepts the definition and fails the execution at run time (States.Runtime): a lint.",
            "intrinsic-functions.html",
        ),
        Code::UnquotedFilterWord => (
            "A JSONPath filter compares with an unquoted word (`[?(@.type == es)]`).",
            "AWS accepts the definition; the word's run-time meaning is not documented (sfn-local reads it as a string): a lint.",
            "amazon-states-language-paths.html",
        ),
    };
    Explanation { checks, aws, docs }
}

/// The text `--explain CODE` prints.
pub(crate) fn render(code: Code) -> String {
    let e = explain(code);
    let kind = match (code.severity(), code.is_aws()) {
        (Severity::Error, _) => "error: AWS refuses the definition",
        (Severity::Warning, true) => "warning: AWS's own warning; the definition is accepted",
        (Severity::Warning, false) => "warning: our lint; AWS accepts the definition",
    };
    let docs = e
        .docs
        .split("; ")
        .map(|d| {
            if d == "-" || d.starts_with("http") {
                d.to_string()
            } else if d.starts_with("API_") {
                format!("{API}{d}")
            } else {
                format!("{DG}{d}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n  ");
    format!(
        "{code} ({kind})\n{summary}\n\nWhat it checks:\n  {checks}\n\nAWS:\n  {aws}\n\nDocumented in:\n  {docs}\n",
        summary = code.summary(),
        checks = e.checks,
        aws = e.aws,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained_and_errors_are_aws_checks() {
        for &code in Code::ALL {
            let e = explain(code);
            assert!(!e.checks.is_empty() && !e.aws.is_empty(), "{code}");
            if code.severity() == Severity::Error {
                assert!(code.is_aws(), "{code}: an error must be an AWS check");
                assert!(e.aws.starts_with("AWS refuses"), "{code}");
                assert_ne!(e.docs, "-", "{code}: an error needs documented backing");
            }
            assert!(render(code).starts_with(code.as_str()));
        }
    }
}
