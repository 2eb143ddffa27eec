//! `SCHEMA_VALIDATION_FAILED` (error) for Map and Distributed Map fields the parser keeps as
//! written.
//!
//! **Why**: an inline Map runs its items inside the execution, so the fields that only make
//! sense for child executions (`ItemReader`, `ItemBatcher`, `ResultWriter`) are refused there; a Distributed Map needs an `ExecutionType`; the numbers have ranges
//! (`MaxConcurrency` >= 0, `ToleratedFailurePercentage` 0-100, `ToleratedFailureCount` >= 0,
//! and the counts inside `ItemBatcher` and `ItemReader.ReaderConfig` are whole numbers >= 0);
//! and `ItemReader`/`ResultWriter` name an S3 integration.
//!
//! **Example**: an inline Map with an `ItemReader`.
//!
//! **AWS check**: AWS's `CreateStateMachine` and `ValidateStateMachineDefinition` refuse the
//! definition with `SCHEMA_VALIDATION_FAILED`; the documented behaviour behind it is cited by
//! `asl-validate --explain SCHEMA_VALIDATION_FAILED` (`explain.rs`).

use asl_core::StateKind;
use asl_core::model::{Map, NumberField, ProcessorMode};
use serde_json::Value;

use crate::codes::Code;
use crate::ctx::Ctx;
use crate::diagnostic::Diagnostic;

/// AWS accepts the tolerated-failure fields on an inline Map (recorded executions show it), so
/// only the fields that read or write items elsewhere are refused there.
const DISTRIBUTED_ONLY: &[&str] = &["ItemReader", "ItemBatcher", "ResultWriter"];

pub(crate) fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for state in ctx.states() {
        let StateKind::Map(map) = &state.kind else {
            continue;
        };
        let Some(raw) = ctx.raw_at(&state.pointer) else {
            continue;
        };
        let ptr = &state.pointer;
        let mut schema = |at: String, msg: String| {
            out.push(Diagnostic::new(Code::SchemaValidationFailed, at, msg))
        };
        match map.config.mode {
            ProcessorMode::Inline => {
                for f in DISTRIBUTED_ONLY.iter().filter(|f| raw.get(**f).is_some()) {
                    schema(
                        format!("{ptr}/{f}"),
                        format!(
                            "The field '{f}' is only supported by a Map state in DISTRIBUTED mode"
                        ),
                    );
                }
            }
            ProcessorMode::Distributed => {
                let pc = format!("{ptr}/ItemProcessor/ProcessorConfig");
                match map.config.execution_type.as_deref() {
                    None => schema(
                        pc,
                        "A DISTRIBUTED Map needs 'ExecutionType' (STANDARD or EXPRESS)".into(),
                    ),
                    Some("STANDARD" | "EXPRESS") => {}
                    Some(other) => schema(
                        format!("{pc}/ExecutionType"),
                        format!(
                            "The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS], got '{other}'"
                        ),
                    ),
                }
            }
        }
        ranges(map, ptr, &mut schema);
        for (object, fields) in [
            (
                "ItemBatcher",
                &["MaxItemsPerBatch", "MaxInputBytesPerBatch"][..],
            ),
            ("ItemReader/ReaderConfig", &["MaxItems"][..]),
        ] {
            for field in fields {
                let at = format!("/{object}/{field}");
                if let Some(Value::Number(n)) = raw.pointer(&at)
                    && !n.as_f64().is_some_and(|x| x >= 0.0 && x.fract() == 0.0)
                {
                    schema(
                        format!("{ptr}{at}"),
                        format!("The value for the field '{field}' must be a non-negative integer"),
                    );
                }
            }
        }
        integration(
            raw,
            ptr,
            "ItemReader",
            &["s3:getObject", "s3:listObjectsV2"],
            &mut schema,
        );
        integration(raw, ptr, "ResultWriter", &["s3:putObject"], &mut schema);
    }
}

fn ranges(map: &Map, ptr: &str, schema: &mut impl FnMut(String, String)) {
    let checks: [(&str, &Option<NumberField>, f64, f64, bool); 3] = [
        ("MaxConcurrency", &map.max_concurrency, 0.0, f64::MAX, true),
        (
            "ToleratedFailurePercentage",
            &map.tolerated_failure_percentage,
            0.0,
            100.0,
            false,
        ),
        (
            "ToleratedFailureCount",
            &map.tolerated_failure_count,
            0.0,
            f64::MAX,
            true,
        ),
    ];
    for (field, value, min, max, integer) in checks {
        let Some(NumberField::Literal(Value::Number(n))) = value else {
            continue;
        };
        let Some(x) = n.as_f64() else { continue };
        if x < min || x > max || (integer && x.fract() != 0.0) {
            let range = if max == f64::MAX {
                format!(
                    "a non-negative {}",
                    if integer { "integer" } else { "number" }
                )
            } else {
                format!("between {min} and {max}")
            };
            schema(
                format!("{ptr}/{field}"),
                format!("The value for the field '{field}' must be {range}"),
            );
        }
    }
}

fn integration(
    raw: &Value,
    ptr: &str,
    field: &str,
    actions: &[&str],
    schema: &mut impl FnMut(String, String),
) {
    let Some(obj) = raw.get(field) else { return };
    let Some(obj) = obj.as_object() else {
        schema(
            format!("{ptr}/{field}"),
            "Expected value of type: Object".into(),
        );
        return;
    };
    let Some(resource) = obj.get("Resource") else {
        if field == "ItemReader" {
            schema(
                format!("{ptr}/{field}"),
                "These fields are required: [Resource]".into(),
            );
        }
        return;
    };
    let ok = resource.as_str().is_some_and(|r| {
        let r = &*asl_core::resource::integration_form(r);
        (r.contains("${") && !super::invalid_resource::unclosed_placeholder(r))
            || r.strip_prefix("arn:")
                .and_then(|r| r.split_once(":states:::"))
                .is_some_and(|(partition, action)| {
                    partition.starts_with("aws") && actions.contains(&action)
                })
    });
    if !ok {
        schema(
            format!("{ptr}/{field}/Resource"),
            format!(
                "The {field} Resource must be one of arn:aws:states:::[{}]",
                actions.join(", ")
            ),
        );
    }
}
