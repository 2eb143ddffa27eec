//! Service integrations sent to a real endpoint: `moto_server` (PyPI `moto[server]`, from the
//! client venv `tests/clients/setup_venv.sh` makes) stands in for DynamoDB, SQS and
//! EventBridge on a free loopback port, named by Step Functions Local's variables
//! (`DYNAMODB_ENDPOINT`, `SQS_ENDPOINT`) and the config file (`eventbridge`). A workflow creates
//! a table and a queue through `aws-sdk:*`, puts and gets an item through the optimized
//! DynamoDB integration, has a conditional put refused (`DynamoDB.ConditionalCheckFailedException`)
//! and a missing table reported (`DynamoDb.ResourceNotFoundException`), puts an event, and
//! sends an SQS message with its task token, which the test receives from moto with boto3 and
//! answers with SendTaskSuccess.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TempDir, create, ok, spawn_with_env, wait_closed};
use serde_json::{Value, json};

/// The client venv's bin directory (made on first use; needs PyPI once).
fn venv_bin() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/clients/setup_venv.sh");
    let target = std::env::current_exe()
        .unwrap()
        .ancestors()
        .nth(3)
        .unwrap()
        .to_path_buf();
    let out = Command::new("bash")
        .arg(&script)
        .env("CARGO_TARGET_DIR", &target)
        .stderr(Stdio::inherit())
        .output()
        .expect("run setup_venv.sh");
    assert!(out.status.success(), "setup_venv.sh failed");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// `moto_server` on a free port, killed when dropped.
struct Moto(Child, String);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_moto(bin: &Path) -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin.join("moto_server"))
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start moto_server");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto(child, format!("http://127.0.0.1:{port}"))
}

#[test]
fn integrations_reach_real_services_at_their_endpoints() {
    let bin = venv_bin();
    let moto = start_moto(&bin);
    let dir = TempDir::new("endpoints");
    let config = dir.join("config.json");
    std::fs::write(
        &config,
        json!({"endpoints": {"eventbridge": moto.1}}).to_string(),
    )
    .unwrap();
    let p = spawn_with_env(
        &["--in-memory", "--config", config.to_str().unwrap()],
        &[
            ("DYNAMODB_ENDPOINT", moto.1.as_str()),
            ("SQS_ENDPOINT", moto.1.as_str()),
            ("S3_ENDPOINT", moto.1.as_str()),
            ("SNS_ENDPOINT", moto.1.as_str()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    );
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "orders",
        &json!({"StartAt": "CreateTable", "States": {
            "CreateTable": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:createTable",
                "Parameters": {"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]},
                "ResultPath": null, "Next": "Put"},
            "Put": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}, "total": {"N": "42"}}},
                "ResultPath": "$.put", "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Parameters": {"TableName": "orders", "Key": {"id": {"S.$": "$.id"}}},
                "ResultSelector": {"item.$": "$.Item", "status.$": "$.SdkHttpMetadata.HttpStatusCode"},
                "ResultPath": "$.got", "Next": "PutAgain"},
            "PutAgain": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "orders", "Item": {"id": {"S.$": "$.id"}},
                    "ConditionExpression": "attribute_not_exists(id)"},
                "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                    "ResultPath": "$.conflict", "Next": "Missing"}],
                "Next": "Missing"},
            "Missing": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                "Parameters": {"TableName": "nope", "Key": {"id": {"S": "x"}}},
                "Catch": [{"ErrorEquals": ["DynamoDb.ResourceNotFoundException"],
                    "ResultPath": "$.missing", "Next": "Event"}],
                "Next": "Event"},
            "Event": {"Type": "Task", "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {"Entries": [{"Source": "orders", "DetailType": "created",
                    "Detail": {"id.$": "$.id"}}]},
                "ResultSelector": {"failed.$": "$.FailedEntryCount"},
                "ResultPath": "$.event", "Next": "Queue"},
            "Queue": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sqs:createQueue",
                "Parameters": {"QueueName": "orders"}, "ResultPath": "$.queue", "Next": "Notify"},
            "Notify": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl.$": "$.queue.QueueUrl",
                    "MessageBody": {"token.$": "$$.Task.Token", "id.$": "$.id"}},
                "ResultPath": "$.answer", "End": true}}}),
    );
    let x = common::start(e, &sm, &json!({"id": "o-1"}));

    // The worker: receive the message from moto's SQS, answer with its token.
    let script = format!(
        "import boto3, json, sys, time\n\
         sqs = boto3.client('sqs', endpoint_url='{url}', region_name='us-east-1', \
           aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         deadline = time.time() + 60\n\
         while time.time() < deadline:\n\
         \x20   try:\n\
         \x20       q = sqs.get_queue_url(QueueName='orders')['QueueUrl']\n\
         \x20   except Exception:\n\
         \x20       time.sleep(0.2); continue\n\
         \x20   got = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=1).get('Messages', [])\n\
         \x20   if got:\n\
         \x20       print(got[0]['Body']); sys.exit(0)\n\
         sys.exit(1)\n",
        url = moto.1
    );
    let out = Command::new(bin.join("python"))
        .args(["-c", &script])
        .output()
        .expect("run the worker");
    assert!(
        out.status.success(),
        "no message: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["id"], "o-1");
    ok(
        e,
        "SendTaskSuccess",
        json!({"taskToken": body["token"], "output": "{\"shipped\":true}"}),
    );
    let d = wait_closed(e, &x);
    assert_eq!(d["status"], "SUCCEEDED", "{d}");
    let out: Value = serde_json::from_str(d["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        out["got"]["item"],
        json!({"id": {"S": "o-1"}, "total": {"N": "42"}})
    );
    assert_eq!(out["got"]["status"], 200);
    assert!(
        out["put"]["SdkResponseMetadata"]["RequestId"].is_string(),
        "{out}"
    );
    assert_eq!(
        out["conflict"]["Error"], "DynamoDB.ConditionalCheckFailedException",
        "{out}"
    );
    assert!(
        out["conflict"]["Cause"]
            .as_str()
            .unwrap()
            .contains("Service: AmazonDynamoDBv2; Status Code: 400"),
        "{out}"
    );
    assert_eq!(
        out["missing"]["Error"], "DynamoDb.ResourceNotFoundException",
        "{out}"
    );
    assert_eq!(out["event"]["failed"], 0);
    assert_eq!(out["answer"], json!({"shipped": true}));

    // S3: a bucket made in moto, objects put and got by the workflow (`aws-sdk:s3`), and a
    // Distributed Map over them that lists them through its ItemReader (`s3:listObjectsV2`).
    let made = Command::new(bin.join("python"))
        .args([
            "-c",
            &format!(
                "import boto3; boto3.client('s3', endpoint_url='{}', region_name='us-east-1', \
                 aws_access_key_id='testing', aws_secret_access_key='testing').create_bucket(Bucket='docs')",
                moto.1
            ),
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let sm = create(
        e,
        "documents",
        &json!({"StartAt": "PutA", "States": {
            "PutA": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "docs", "Key": "in/a b.json", "Body": {"n": 1}},
                "ResultPath": "$.put", "Next": "PutB"},
            "PutB": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
                "Parameters": {"Bucket": "docs", "Key": "in/b.json", "Body": "{\"n\":2}"},
                "ResultPath": null, "Next": "Get"},
            "Get": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "docs", "Key": "in/a b.json"},
                "ResultSelector": {"body.$": "$.Body"}, "ResultPath": "$.got", "Next": "Each"},
            "Each": {"Type": "Map",
                "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket": "docs", "Prefix": "in/"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Key", "States": {"Key": {"Type": "Pass", "OutputPath": "$.Key", "End": true}}},
                "ResultPath": "$.keys", "Next": "NoBucket"},
            "NoBucket": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": "nope", "Key": "x"},
                "Catch": [{"ErrorEquals": ["S3.NoSuchBucketException"], "ResultPath": "$.missing", "Next": "Done"}],
                "Next": "Done"},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let out = common::succeeded_output(e, &sm, &json!({}));
    assert!(
        out["put"]["ETag"].as_str().unwrap().starts_with('"'),
        "{out}"
    );
    assert_eq!(out["got"]["body"], "{\"n\":1}");
    assert_eq!(out["keys"], json!(["in/a b.json", "in/b.json"]));
    assert_eq!(out["missing"]["Error"], "S3.NoSuchBucketException", "{out}");

    // SNS: a topic made, a JSON message published to it, a missing topic refused.
    let sm = create(
        e,
        "alerts",
        &json!({"StartAt": "Topic", "States": {
            "Topic": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sns:createTopic",
                "Parameters": {"Name": "alerts"}, "ResultPath": "$.topic", "Next": "Publish"},
            "Publish": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn.$": "$.topic.TopicArn", "Message": {"level": "high"},
                    "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "test"}}},
                "ResultPath": "$.published", "Next": "Nowhere"},
            "Nowhere": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:nope", "Message": "x"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.missing", "Next": "Done"}],
                "Next": "Done"},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let out = common::succeeded_output(e, &sm, &json!({}));
    assert!(
        out["topic"]["TopicArn"]
            .as_str()
            .unwrap()
            .ends_with(":alerts"),
        "{out}"
    );
    assert!(out["published"]["MessageId"].is_string(), "{out}");
    assert_eq!(out["published"]["SdkHttpMetadata"]["HttpStatusCode"], 200);
    assert_eq!(out["missing"]["Error"], "SNS.NotFoundException", "{out}");
}

/// Without an endpoint, a call that names a resource fails as AWS answers in an account that
/// does not have it: each service's "not found" error, through both kinds of integration, in a
/// Task and in a Distributed Map's ItemReader, caught by its name.
#[test]
fn unconfigured_services_answer_that_the_resource_does_not_exist() {
    let p = common::spawn(&["--in-memory"]);
    let e = p.endpoint.as_str();
    let table = [
        (
            "arn:aws:states:::aws-sdk:s3:getObject",
            json!({"Bucket": "b", "Key": "k"}),
            "S3.NoSuchBucketException",
        ),
        (
            "arn:aws:states:::aws-sdk:s3:headObject",
            json!({"Bucket": "b", "Key": "k"}),
            "S3.NoSuchBucketException",
        ),
        (
            "arn:aws:states:::dynamodb:putItem",
            json!({"TableName": "t", "Item": {"id": {"S": "1"}}}),
            "DynamoDB.ResourceNotFoundException",
        ),
        (
            "arn:aws:states:::aws-sdk:dynamodb:getItem",
            json!({"TableName": "t", "Key": {"id": {"S": "1"}}}),
            "DynamoDb.ResourceNotFoundException",
        ),
        (
            "arn:aws:states:::aws-sdk:sqs:receiveMessage",
            json!({"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q"}),
            "Sqs.QueueDoesNotExistException",
        ),
        (
            "arn:aws:states:::aws-sdk:sns:getTopicAttributes",
            json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}),
            "Sns.NotFoundException",
        ),
        (
            "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
            json!({"SecretId": "s"}),
            "SecretsManager.ResourceNotFoundException",
        ),
        (
            "arn:aws:states:::ecs:runTask.sync",
            json!({"Cluster": "c", "TaskDefinition": "td"}),
            "ECS.ClusterNotFoundException",
        ),
    ];
    for (i, (resource, parameters, error)) in table.iter().enumerate() {
        let sm = create(
            e,
            &format!("missing-{i}"),
            &json!({"StartAt": "Call", "States": {
                "Call": {"Type": "Task", "Resource": resource, "Parameters": parameters,
                    "Catch": [{"ErrorEquals": [error], "Next": "Caught"}], "End": true},
                "Caught": {"Type": "Pass", "End": true}}}),
        );
        let out = common::succeeded_output(e, &sm, &json!({}));
        assert_eq!(out["Error"], *error, "{resource}: {out}");
        assert!(
            out["Cause"].as_str().unwrap().contains("Status Code: "),
            "{out}"
        );
    }

    // A Distributed Map reading a bucket nobody has: S3's error, as from the local S3.
    let sm = create(
        e,
        "missing-reader",
        &json!({"StartAt": "Map", "States": {"Map": {"Type": "Map",
            "ItemReader": {"Resource": "arn:aws:states:::s3:listObjectsV2",
                "Parameters": {"Bucket": "nope"}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}}),
    );
    let x = common::start(e, &sm, &json!({}));
    let d = wait_closed(e, &x);
    assert_eq!(d["status"], "FAILED", "{d}");
    assert_eq!(d["error"], "S3.NoSuchBucketException", "{d}");

    // A call naming nothing sfn-local can tell is missing still says what to configure.
    let sm = create(
        e,
        "unanswered",
        &json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:listBuckets", "End": true}}}),
    );
    let x = common::start(e, &sm, &json!({}));
    let d = wait_closed(e, &x);
    assert_eq!(d["error"], "States.TaskFailed", "{d}");
    assert!(
        d["cause"].as_str().unwrap().contains("No handler or mock"),
        "{d}"
    );
}

/// What the fake JSON service got: (X-Amz-Target, body).
type Calls = std::sync::Arc<std::sync::Mutex<Vec<(String, Value)>>>;

/// A fake Glue, ECS and SageMaker (AWS JSON protocol) on a free port: jobs run one describe
/// call, then end (the ECS task's container exits with 1).
fn start_fake_jobs() -> (String, Calls) {
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::http::HeaderMap;
    let calls: Calls = Default::default();
    async fn answer(
        State(calls): State<Calls>,
        uri: axum::http::Uri,
        headers: HeaderMap,
        body: Bytes,
    ) -> String {
        // AWS JSON names the operation in a header, REST-JSON (Batch) in the path.
        let target = headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| uri.path().to_string(), str::to_string);
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let mut calls = calls.lock().unwrap();
        let polls = calls.iter().filter(|(t, _)| *t == target).count();
        calls.push((target.clone(), body));
        let running = polls == 0;
        match target.rsplit('.').next().unwrap_or_default() {
            "StartJobRun" => json!({"JobRunId": "jr_1"}),
            "GetJobRun" => json!({"JobRun": {"Id": "jr_1", "JobName": "etl",
                "JobRunState": if running { "RUNNING" } else { "SUCCEEDED" }}}),
            "RunTask" => json!({"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/abc"}], "failures": []}),
            "DescribeTasks" => json!({"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/abc",
                "lastStatus": if running { "RUNNING" } else { "STOPPED" },
                "containers": [{"name": "app", "exitCode": if running { Value::Null } else { json!(1) }}]}]}),
            "/v1/submitjob" => json!({"jobId": "j-1", "jobName": "nightly", "jobArn": "arn:aws:batch:us-east-1:123456789012:job/j-1"}),
            "/v1/describejobs" => json!({"jobs": [{"jobId": "j-1", "jobName": "nightly",
                "status": if running { "RUNNING" } else { "SUCCEEDED" }}]}),
            "CreateTrainingJob" => json!({"TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/t"}),
            "DescribeTrainingJob" => json!({"TrainingJobName": "t",
                "TrainingJobStatus": if running { "InProgress" } else { "Completed" }}),
            _ => json!({}),
        }
        .to_string()
    }
    let app = axum::Router::new()
        .fallback(answer)
        .with_state(calls.clone());
    (common::serve_router(app), calls)
}

/// `.sync` at an endpoint: the start call, then its describe call polled until the job ends;
/// the description is the result, a job that ends badly `States.TaskFailed` with it as cause.
/// ECS's camelCase API gets camelCase members and answers in PascalCase.
#[test]
fn sync_jobs_at_endpoints_are_polled_until_they_end() {
    let (url, calls) = start_fake_jobs();
    let p = spawn_with_env(
        &["--in-memory"],
        &[
            ("GLUE_ENDPOINT", url.as_str()),
            ("ECS_ENDPOINT", url.as_str()),
            ("SAGE_MAKER_ENDPOINT", url.as_str()),
            ("BATCH_ENDPOINT", url.as_str()),
        ],
    );
    let e = p.endpoint.as_str();
    let sm = create(
        e,
        "jobs",
        &json!({"StartAt": "Batch", "States": {
            "Batch": {"Type": "Task", "Resource": "arn:aws:states:::batch:submitJob.sync",
                "Parameters": {"JobName": "nightly", "JobQueue": "q", "JobDefinition": "d:1"},
                "ResultPath": "$.batch", "Next": "Glue"},
            "Glue": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "etl"}, "ResultPath": "$.glue", "Next": "Train"},
            "Train": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                "Parameters": {"TrainingJobName": "t"}, "ResultPath": "$.train", "Next": "Ecs"},
            "Ecs": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                "Parameters": {"Cluster": "c", "TaskDefinition": "td:1", "LaunchType": "FARGATE"},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.ecs", "Next": "Done"}],
                "End": true},
            "Done": {"Type": "Pass", "End": true}}}),
    );
    let out = common::succeeded_output(e, &sm, &json!({}));
    assert_eq!(out["batch"]["Status"], "SUCCEEDED", "{out}");
    assert_eq!(out["batch"]["JobId"], "j-1", "{out}");
    assert_eq!(out["glue"]["JobRunState"], "SUCCEEDED", "{out}");
    assert_eq!(out["train"]["TrainingJobStatus"], "Completed", "{out}");
    assert_eq!(out["ecs"]["Error"], "States.TaskFailed", "{out}");
    let cause: Value = serde_json::from_str(out["ecs"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["LastStatus"], "STOPPED");
    assert_eq!(cause["Containers"][0]["ExitCode"], 1);

    let calls = calls.lock().unwrap();
    let targets: Vec<&str> = calls.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/v1/submitjob",
            "/v1/describejobs",
            "/v1/describejobs",
            "AWSGlue.StartJobRun",
            "AWSGlue.GetJobRun",
            "AWSGlue.GetJobRun",
            "SageMaker.CreateTrainingJob",
            "SageMaker.DescribeTrainingJob",
            "SageMaker.DescribeTrainingJob",
            "AmazonEC2ContainerServiceV20141113.RunTask",
            "AmazonEC2ContainerServiceV20141113.DescribeTasks",
            "AmazonEC2ContainerServiceV20141113.DescribeTasks",
        ]
    );
    assert_eq!(
        calls[0].1,
        json!({"jobName": "nightly", "jobQueue": "q", "jobDefinition": "d:1"})
    );
    assert_eq!(calls[1].1, json!({"jobs": ["j-1"]}));
    let calls = &calls[3..];
    assert_eq!(calls[1].1, json!({"JobName": "etl", "RunId": "jr_1"}));
    assert_eq!(
        calls[6].1,
        json!({"cluster": "c", "taskDefinition": "td:1", "launchType": "FARGATE"})
    );
    assert_eq!(
        calls[7].1,
        json!({"tasks": ["arn:aws:ecs:us-east-1:123456789012:task/c/abc"], "cluster": "c"})
    );

    // The history shows each job submitted before it ended.
    let (_, h) = common::call(e, "ListExecutions", json!({"stateMachineArn": sm}));
    let arn = h["executions"][0]["executionArn"].as_str().unwrap();
    let history = ok(e, "GetExecutionHistory", json!({"executionArn": arn}));
    let submitted = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ev| ev["type"] == "TaskSubmitted")
        .count();
    assert_eq!(submitted, 4);
}

/// `STEP_FUNCTIONS_ENDPOINT`: a nested execution started on another Step Functions (a second
/// sfn-local), `.sync:2` polled to its end with its output parsed, `.sync` with it as text, a
/// failed child as `States.TaskFailed`, and `aws-sdk:sfn` there too.
#[test]
fn nested_executions_go_to_the_step_functions_endpoint() {
    let remote = common::spawn(&["--in-memory"]);
    let r = remote.endpoint.as_str();
    let child = create(
        r,
        "child",
        &json!({"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "F"}],
                "Default": "Done"},
            "F": {"Type": "Fail", "Error": "Child.Broke", "Cause": "on purpose"},
            "Done": {"Type": "Pass", "Result": {"made": "remotely"}, "End": true}}}),
    );
    let p = spawn_with_env(&["--in-memory"], &[("STEP_FUNCTIONS_ENDPOINT", r)]);
    let e = p.endpoint.as_str();
    let parent = create(
        e,
        "parent",
        &json!({"StartAt": "Two", "States": {
            "Two": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"fail": false}},
                "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"},
                "ResultPath": "$.two", "Next": "One"},
            "One": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                "Parameters": {"StateMachineArn": child, "Input": {"fail": false}},
                "ResultSelector": {"out.$": "$.Output"},
                "ResultPath": "$.one", "Next": "Described"},
            "Described": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:describeStateMachine",
                "Parameters": {"StateMachineArn": child},
                "ResultSelector": {"name.$": "$.Name"}, "ResultPath": "$.described", "Next": "Broken"},
            "Broken": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"fail": true}},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.broken", "Next": "End"}],
                "End": true},
            "End": {"Type": "Pass", "End": true}}}),
    );
    let out = common::succeeded_output(e, &parent, &json!({}));
    assert_eq!(
        out["two"],
        json!({"out": {"made": "remotely"}, "status": "SUCCEEDED"}),
        "{out}"
    );
    assert_eq!(out["one"]["out"], r#"{"made":"remotely"}"#, "{out}");
    assert_eq!(out["described"]["name"], "child", "{out}");
    assert_eq!(out["broken"]["Error"], "States.TaskFailed", "{out}");
    let cause: Value = serde_json::from_str(out["broken"]["Cause"].as_str().unwrap()).unwrap();
    assert_eq!(cause["Status"], "FAILED");
    assert_eq!(cause["Error"], "Child.Broke");
    assert!(cause["StartDate"].is_i64(), "{cause}");

    // The children ran on the remote server, none here.
    let (_, listed) = common::call(r, "ListExecutions", json!({"stateMachineArn": child}));
    assert_eq!(listed["executions"].as_array().unwrap().len(), 3);
}
