//! State machines: create, describe, list (paginated), update, delete; tags; definition
//! validation.

use aws_sdk_sfn::types::{
    LogLevel, LoggingConfiguration, StateMachineStatus, StateMachineType, Tag,
    TracingConfiguration, ValidateStateMachineDefinitionResultCode,
    ValidateStateMachineDefinitionSeverity,
};

use crate::common::{Env, PASS, ROLE, TWO_PASSES, expect_error, show};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_describe_list_update_delete() {
    let env = Env::start().await;
    let sfn = &env.sfn;

    let created = sfn
        .create_state_machine()
        .name("lifecycle")
        .definition(PASS)
        .role_arn(ROLE)
        .r#type(StateMachineType::Standard)
        .logging_configuration(
            LoggingConfiguration::builder()
                .level(LogLevel::Off)
                .include_execution_data(false)
                .build(),
        )
        .tracing_configuration(TracingConfiguration::builder().enabled(false).build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine: {}", show(&e)));
    let arn = created.state_machine_arn().to_string();
    assert_eq!(
        arn,
        "arn:aws:states:us-east-1:123456789012:stateMachine:lifecycle"
    );
    assert!(created.state_machine_version_arn().is_none());

    // Same name and same configuration: idempotent, same ARN.
    let again = env.machine("lifecycle", PASS).await;
    assert_eq!(again, arn);
    // Same name, another definition: the name is taken.
    let r = sfn
        .create_state_machine()
        .name("lifecycle")
        .definition(TWO_PASSES)
        .role_arn(ROLE)
        .send()
        .await;
    expect_error(r, "StateMachineAlreadyExists");

    let d = sfn
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStateMachine: {}", show(&e)));
    assert_eq!(d.state_machine_arn(), arn);
    assert_eq!(d.name(), "lifecycle");
    assert_eq!(d.definition(), PASS);
    assert_eq!(d.role_arn(), ROLE);
    assert_eq!(d.r#type(), &StateMachineType::Standard);
    assert_eq!(d.status(), Some(&StateMachineStatus::Active));
    assert_eq!(
        d.logging_configuration().and_then(|l| l.level()),
        Some(&LogLevel::Off)
    );
    // As on AWS, a state machine has no revisionId until its first update.
    assert_eq!(d.revision_id(), None);

    let listed = sfn
        .list_state_machines()
        .send()
        .await
        .expect("ListStateMachines");
    assert!(
        listed
            .state_machines()
            .iter()
            .any(|m| m.state_machine_arn() == arn && m.name() == "lifecycle")
    );

    let updated = sfn
        .update_state_machine()
        .state_machine_arn(&arn)
        .definition(TWO_PASSES)
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateStateMachine: {}", show(&e)));
    let new_revision = updated.revision_id().expect("revisionId").to_string();
    let d = sfn
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .expect("DescribeStateMachine after update");
    assert_eq!(d.definition(), TWO_PASSES);
    assert_eq!(d.revision_id(), Some(new_revision.as_str()));

    // An update with nothing to change.
    let r = sfn
        .update_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await;
    expect_error(r, "MissingRequiredParameter");

    sfn.delete_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteStateMachine: {}", show(&e)));
    // AWS deletes asynchronously: a describe right after may still show it as DELETING.
    match sfn
        .describe_state_machine()
        .state_machine_arn(&arn)
        .send()
        .await
    {
        Ok(d) => assert_eq!(d.status(), Some(&StateMachineStatus::Deleting)),
        Err(e) => {
            expect_error::<(), _, _>(Err(e), "StateMachineDoesNotExist");
        }
    }
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_state_machines_paginates() {
    let env = Env::start().await;
    for name in ["page-a", "page-b", "page-c"] {
        env.machine(name, PASS).await;
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = env
            .sfn
            .list_state_machines()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListStateMachines: {}", show(&e)));
        pages += 1;
        assert!(page.state_machines().len() <= 2);
        names.extend(page.state_machines().iter().map(|m| m.name().to_string()));
        token = page.next_token().map(str::to_string);
        if token.is_none() || pages > 5 {
            break;
        }
    }
    assert_eq!(pages, 2, "3 machines in pages of 2");
    names.sort();
    assert_eq!(names, ["page-a", "page-b", "page-c"]);

    // The paginator the SDK generates walks the same tokens.
    let all: Vec<_> = env
        .sfn
        .list_state_machines()
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("ListStateMachines paginator");
    assert_eq!(all.len(), 3);

    let r = env
        .sfn
        .list_state_machines()
        .next_token("not-a-token-we-issued")
        .send()
        .await;
    expect_error(r, "InvalidToken");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tags() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let created = sfn
        .create_state_machine()
        .name("tagged")
        .definition(PASS)
        .role_arn(ROLE)
        .tags(Tag::builder().key("team").value("core").build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine with tags: {}", show(&e)));
    let arn = created.state_machine_arn();

    sfn.tag_resource()
        .resource_arn(arn)
        .tags(Tag::builder().key("env").value("test").build())
        .tags(Tag::builder().key("team").value("platform").build())
        .send()
        .await
        .unwrap_or_else(|e| panic!("TagResource: {}", show(&e)));
    let tags = sfn
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListTagsForResource: {}", show(&e)));
    let mut pairs: Vec<(String, String)> = tags
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("env".to_string(), "test".to_string()),
            ("team".to_string(), "platform".to_string())
        ]
    );

    sfn.untag_resource()
        .resource_arn(arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap_or_else(|e| panic!("UntagResource: {}", show(&e)));
    let tags = sfn
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("ListTagsForResource after untag");
    let keys: Vec<_> = tags.tags().iter().filter_map(|t| t.key()).collect();
    assert_eq!(keys, ["env"]);

    let missing = "arn:aws:states:us-east-1:123456789012:stateMachine:nobody";
    let r = sfn
        .list_tags_for_resource()
        .resource_arn(missing)
        .send()
        .await;
    expect_error(r, "ResourceNotFound");
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_definition() {
    let env = Env::start().await;
    let ok = env
        .sfn
        .validate_state_machine_definition()
        .definition(PASS)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ValidateStateMachineDefinition: {}", show(&e)));
    assert_eq!(ok.result(), &ValidateStateMachineDefinitionResultCode::Ok);
    assert!(ok.diagnostics().is_empty(), "{:?}", ok.diagnostics());

    // StartAt names a state that does not exist.
    let bad = r#"{"StartAt":"Missing","States":{"P":{"Type":"Pass","End":true}}}"#;
    let fail = env
        .sfn
        .validate_state_machine_definition()
        .definition(bad)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ValidateStateMachineDefinition: {}", show(&e)));
    assert_eq!(
        fail.result(),
        &ValidateStateMachineDefinitionResultCode::Fail
    );
    let d = fail.diagnostics().first().expect("a diagnostic");
    assert_eq!(d.severity(), &ValidateStateMachineDefinitionSeverity::Error);
    assert!(!d.code().is_empty());
    assert!(!d.message().is_empty());

    // Not JSON at all: still an answer, not an exception.
    let fail = env
        .sfn
        .validate_state_machine_definition()
        .definition("{ not json")
        .send()
        .await
        .unwrap_or_else(|e| panic!("ValidateStateMachineDefinition on bad JSON: {}", show(&e)));
    assert_eq!(
        fail.result(),
        &ValidateStateMachineDefinitionResultCode::Fail
    );
    assert!(!fail.diagnostics().is_empty());
    env.stop().await;
}
