//! The deployable definitions: valid for asl-validate, and saying what the requirements say.

use asl_validate::{Severity, validate};
use serde_json::Value;
use task_generation::workflow::{BATCH_DEFINITION, BATCH_STATE_MACHINE_ARN, DEFINITION, Workflow};

#[test]
fn both_definitions_validate_without_errors() {
    for (name, text) in [("main", DEFINITION), ("batch", BATCH_DEFINITION)] {
        let diags = validate(text);
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    assert!(Workflow::load().is_ok());
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn the_definitions_carry_the_required_limits() {
    let main = json(DEFINITION);
    let batch = json(BATCH_DEFINITION);
    assert_eq!(main["TimeoutSeconds"], 900);
    assert_eq!(batch["TimeoutSeconds"], 300);
    let batches = &main["States"]["ProcessBatches"];
    assert_eq!(batches["MaxConcurrency"], 3);
    let process = &batches["ItemProcessor"]["States"]["ProcessBatch"];
    assert_eq!(
        process["Resource"],
        "arn:aws:states:::states:startExecution.sync:2"
    );
    assert_eq!(
        process["Arguments"]["StateMachineArn"],
        BATCH_STATE_MACHINE_ARN
    );
    let actions = &batch["States"]["ProcessActions"];
    assert_eq!(actions["MaxConcurrency"], 8);
    let generate = &actions["ItemProcessor"]["States"]["GenerateTasks"];
    assert_eq!(generate["TimeoutSeconds"], 120);
    let retry = &generate["Retry"][0];
    assert_eq!(
        (
            &retry["IntervalSeconds"],
            &retry["MaxAttempts"],
            &retry["BackoffRate"]
        ),
        (&Value::from(2), &Value::from(3), &Value::from(2))
    );
    assert!(
        retry["ErrorEquals"]
            .as_array()
            .unwrap()
            .contains(&Value::from("States.Timeout"))
    );
    let save = &actions["ItemProcessor"]["States"]["SaveTasks"]["Retry"][0];
    assert_eq!(save["MaxAttempts"], 3);
    assert_eq!(
        main["States"]["CreateBatches"]["Output"],
        "{% {'batches': $partition($states.input.actions, 8)} %}"
    );
}
