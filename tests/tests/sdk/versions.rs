//! Versions and aliases: publish, list, describe, start on a version or an alias, routing,
//! and the conflicts AWS reports.

use aws_sdk_sfn::types::{ExecutionStatus, RoutingConfigurationListItem};

use crate::common::{Env, PASS, ROLE, TWO_PASSES, expect_error, show};

fn route(version: &str, weight: i32) -> RoutingConfigurationListItem {
    RoutingConfigurationListItem::builder()
        .state_machine_version_arn(version)
        .weight(weight)
        .build()
        .expect("a complete route")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let created = sfn
        .create_state_machine()
        .name("versioned")
        .definition(PASS)
        .role_arn(ROLE)
        .publish(true)
        .version_description("first")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine publish=true: {}", show(&e)));
    let sm = created.state_machine_arn().to_string();
    let v1 = created
        .state_machine_version_arn()
        .expect("stateMachineVersionArn")
        .to_string();
    assert_eq!(v1, format!("{sm}:1"));

    let updated = sfn
        .update_state_machine()
        .state_machine_arn(&sm)
        .definition(TWO_PASSES)
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateStateMachine: {}", show(&e)));
    let revision = updated.revision_id().expect("revisionId").to_string();

    // Publishing against a stale revision is a conflict.
    let r = sfn
        .publish_state_machine_version()
        .state_machine_arn(&sm)
        .revision_id("00000000-0000-0000-0000-000000000000")
        .send()
        .await;
    expect_error(r, "ConflictException");

    let published = sfn
        .publish_state_machine_version()
        .state_machine_arn(&sm)
        .revision_id(&revision)
        .description("second")
        .send()
        .await
        .unwrap_or_else(|e| panic!("PublishStateMachineVersion: {}", show(&e)));
    let v2 = published.state_machine_version_arn().to_string();
    assert_eq!(v2, format!("{sm}:2"));

    // Newest first.
    let listed = sfn
        .list_state_machine_versions()
        .state_machine_arn(&sm)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListStateMachineVersions: {}", show(&e)));
    let arns: Vec<_> = listed
        .state_machine_versions()
        .iter()
        .map(|v| v.state_machine_version_arn())
        .collect();
    assert_eq!(arns, [v2.as_str(), v1.as_str()]);

    let d = sfn
        .describe_state_machine()
        .state_machine_arn(&v1)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStateMachine on a version: {}", show(&e)));
    assert_eq!(d.state_machine_arn(), v1);
    assert_eq!(d.definition(), PASS);
    assert_eq!(d.description(), Some("first"));

    let exec = env.start_execution(&v1, "on-v1", "{}").await;
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.state_machine_version_arn(), Some(v1.as_str()));
    // Version 1 is the Pass definition, not the current one.
    assert_eq!(d.output(), Some(r#"{"result":"done"}"#));

    // Executions of one version are listed under the version's ARN.
    let on_v1 = sfn
        .list_executions()
        .state_machine_arn(&v1)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListExecutions on a version: {}", show(&e)));
    assert_eq!(on_v1.executions().len(), 1);

    sfn.delete_state_machine_version()
        .state_machine_version_arn(&v1)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteStateMachineVersion: {}", show(&e)));
    let listed = sfn
        .list_state_machine_versions()
        .state_machine_arn(&sm)
        .send()
        .await
        .expect("ListStateMachineVersions after delete");
    assert_eq!(listed.state_machine_versions().len(), 1);
    env.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases() {
    let env = Env::start().await;
    let sfn = &env.sfn;
    let sm = env.machine("aliased", PASS).await;
    let v1 = sfn
        .publish_state_machine_version()
        .state_machine_arn(&sm)
        .send()
        .await
        .expect("publish v1")
        .state_machine_version_arn()
        .to_string();
    sfn.update_state_machine()
        .state_machine_arn(&sm)
        .definition(TWO_PASSES)
        .send()
        .await
        .expect("update");
    let v2 = sfn
        .publish_state_machine_version()
        .state_machine_arn(&sm)
        .send()
        .await
        .expect("publish v2")
        .state_machine_version_arn()
        .to_string();

    let created = sfn
        .create_state_machine_alias()
        .name("prod")
        .description("canary")
        .routing_configuration(route(&v1, 90))
        .routing_configuration(route(&v2, 10))
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachineAlias: {}", show(&e)));
    let alias = created.state_machine_alias_arn().to_string();
    assert_eq!(alias, format!("{sm}:prod"));

    let d = sfn
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeStateMachineAlias: {}", show(&e)));
    assert_eq!(d.name(), Some("prod"));
    assert_eq!(d.description(), Some("canary"));
    let routes: Vec<_> = d
        .routing_configuration()
        .iter()
        .map(|r| (r.state_machine_version_arn().to_string(), r.weight()))
        .collect();
    assert_eq!(routes, [(v1.clone(), 90), (v2.clone(), 10)]);

    let listed = sfn
        .list_state_machine_aliases()
        .state_machine_arn(&sm)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListStateMachineAliases: {}", show(&e)));
    let arns: Vec<_> = listed
        .state_machine_aliases()
        .iter()
        .map(|a| a.state_machine_alias_arn())
        .collect();
    assert_eq!(arns, [alias.as_str()]);

    // Weights that do not add up to 100.
    let r = sfn
        .update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .routing_configuration(route(&v2, 50))
        .send()
        .await;
    expect_error(r, "ValidationException");

    sfn.update_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .routing_configuration(route(&v2, 100))
        .send()
        .await
        .unwrap_or_else(|e| panic!("UpdateStateMachineAlias: {}", show(&e)));

    let exec = env.start_execution(&alias, "via-alias", "{}").await;
    let d = env.wait_closed(&exec).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded);
    assert_eq!(d.state_machine_alias_arn(), Some(alias.as_str()));
    assert_eq!(d.state_machine_version_arn(), Some(v2.as_str()));

    // v2 is routed to by the alias: it cannot be deleted.
    let r = sfn
        .delete_state_machine_version()
        .state_machine_version_arn(&v2)
        .send()
        .await;
    expect_error(r, "ConflictException");

    sfn.delete_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteStateMachineAlias: {}", show(&e)));
    let r = sfn
        .describe_state_machine_alias()
        .state_machine_alias_arn(&alias)
        .send()
        .await;
    expect_error(r, "ResourceNotFound");
    sfn.delete_state_machine_version()
        .state_machine_version_arn(&v2)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteStateMachineVersion once unreferenced: {}", show(&e)));
    env.stop().await;
}
