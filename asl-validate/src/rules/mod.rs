//! One file per rule. Each file's doc says what the rule checks, why, and shows an example;
//! its fixtures are in `fixtures/validate/<CODE>/` at the repository root.
//!
//! AWS's verdicts (errors and AWS's own warnings) come first, our lints (`ASL…`) after.
//!
//! An error code is reported only where AWS refuses the definition: for each code, the AWS
//! check it mirrors and the AWS documentation behind it are in `explain.rs`, which
//! `asl-validate --explain CODE` prints (and whose test fails if an error code has none). A
//! check AWS does not make is a warning.

use serde_json::Value;

use crate::ctx::{Ctx, RawState};
use crate::diagnostic::Diagnostic;

pub(crate) mod definition_too_long;
pub(crate) mod duplicate_label_name;
pub(crate) mod duplicate_state_name;
pub(crate) mod invalid_json_description;
pub(crate) mod invalid_label_name;
pub(crate) mod invalid_resource;
pub(crate) mod map_fields;
pub(crate) mod missing_description;
pub(crate) mod missing_end_state;
pub(crate) mod no_dollar;
pub(crate) mod no_path;
pub(crate) mod parse_errors;
pub(crate) mod pass_result_is_static;
pub(crate) mod query_language;
pub(crate) mod result_path_root;
pub(crate) mod retry_catch_all;
pub(crate) mod state_not_reachable;
pub(crate) mod too_deeply_nested;

pub(crate) mod asl001_unreachable_state;
pub(crate) mod asl002_loop_without_exit;
pub(crate) mod asl003_choice_may_miss;
pub(crate) mod asl004_catch_never_matches;
pub(crate) mod asl005_catch_replaces_input;
pub(crate) mod asl006_intrinsic_arity;
pub(crate) mod asl007_unquoted_filter_word;

/// A rule over the raw JSON: runs even when the model cannot be built.
pub(crate) type RawRule = fn(&Value, &[RawState<'_>], &mut Vec<Diagnostic>);

/// A rule over the typed model.
pub(crate) type ModelRule = fn(&Ctx<'_>, &mut Vec<Diagnostic>);

pub(crate) const RAW_RULES: &[RawRule] = &[
    duplicate_state_name::check,
    invalid_label_name::check,
    duplicate_label_name::check,
    no_dollar::check,
    no_path::check,
    pass_result_is_static::check,
    query_language::check,
    result_path_root::check,
    asl007_unquoted_filter_word::check,
];

pub(crate) const MODEL_RULES: &[ModelRule] = &[
    missing_end_state::check,
    state_not_reachable::check,
    invalid_resource::check,
    retry_catch_all::check,
    map_fields::check,
    asl001_unreachable_state::check,
    asl002_loop_without_exit::check,
    asl003_choice_may_miss::check,
    asl004_catch_never_matches::check,
    asl005_catch_replaces_input::check,
    asl006_intrinsic_arity::check,
];
