//! How Step Functions names a service's errors, and the failure of a call that nothing serves.
//!
//! **Names.** An optimized integration (`arn:aws:states:::dynamodb:putItem`) fails with
//! `PREFIX.<Class>` and the cause the v1 Java SDK writes (`message (Service: AmazonDynamoDBv2;
//! Status Code: 400; Error Code: ...; Request ID: ...; Proxy: null)`); an AWS SDK integration
//! (`arn:aws:states:::aws-sdk:dynamodb:putItem`) with `ServiceName.ErrorName`, both in
//! PascalCase, and the v2 SDK's cause (`message (Service: DynamoDb, Status Code: 400, Request
//! ID: ...)`). AWS documents ("Learning to use AWS service SDK integrations") that the error
//! name always ends in `Exception`, added when the service's own name lacks it
//! (`S3.BucketAlreadyExistsException`). [`NAMES`] is the one table of those prefixes.
//!
//! **Calls nothing serves.** A Task (or an `ItemReader`/`ResultWriter`) whose resource has no
//! mock, no handler and no configured endpoint is answered as AWS answers in an account that
//! holds none of the resources the call names: the service's "not found" error for the resource
//! the parameters name ([`MISSING`]: `S3.NoSuchBucketException` for a `Bucket`,
//! `DynamoDb.ResourceNotFoundException` for a `TableName`, ...). A call that names no resource
//! this table knows fails with `States.TaskFailed` and a cause that says what to configure.

use serde_json::Value;

use crate::handler::{TaskFailure, function_of, function_short_name};

/// Optimized integration or AWS SDK integration: the two name their errors differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `arn:aws:states:::SERVICE:action` (the v1 Java SDK's names and causes).
    Optimized,
    /// `arn:aws:states:::aws-sdk:SERVICE:action` (the v2 SDK's).
    Sdk,
}

impl Api {
    /// The kind of integration a resource is.
    pub fn of(resource: &str) -> Api {
        if resource.contains(":aws-sdk:") {
            Api::Sdk
        } else {
            Api::Optimized
        }
    }
}

/// One service's error prefixes.
#[derive(Debug)]
pub struct ServiceNames {
    /// The name in `aws-sdk:NAME:action`.
    pub sdk_name: &'static str,
    /// The name in an optimized integration's resource (`arn:aws:states:::NAME:action`).
    pub optimized_name: &'static str,
    /// Error prefix and cause service name of its optimized integrations (v1 SDK).
    pub optimized: (&'static str, &'static str),
    /// Error prefix and cause service name of its `aws-sdk` integrations (v2 SDK).
    pub sdk: (&'static str, &'static str),
}

impl ServiceNames {
    /// The prefix and service name for one kind of integration.
    pub fn for_api(&self, api: Api) -> (&'static str, &'static str) {
        match api {
            Api::Optimized => self.optimized,
            Api::Sdk => self.sdk,
        }
    }
}

const fn names(
    sdk_name: &'static str,
    optimized_name: &'static str,
    optimized: (&'static str, &'static str),
    sdk: (&'static str, &'static str),
) -> ServiceNames {
    ServiceNames {
        sdk_name,
        optimized_name,
        optimized,
        sdk,
    }
}

/// DynamoDB's error prefixes.
pub const DYNAMODB: ServiceNames = names(
    "dynamodb",
    "dynamodb",
    ("DynamoDB", "AmazonDynamoDBv2"),
    ("DynamoDb", "DynamoDb"),
);
/// SQS's.
pub const SQS: ServiceNames = names("sqs", "sqs", ("SQS", "AmazonSQS"), ("Sqs", "Sqs"));
/// SNS's.
pub const SNS: ServiceNames = names("sns", "sns", ("SNS", "AmazonSNS"), ("Sns", "Sns"));
/// EventBridge's (`events` in an optimized resource).
pub const EVENTBRIDGE: ServiceNames = names(
    "eventbridge",
    "events",
    ("EventBridge", "AmazonEventBridge"),
    ("EventBridge", "EventBridge"),
);
/// S3's.
pub const S3: ServiceNames = names("s3", "s3", ("S3", "Amazon S3"), ("S3", "S3"));
/// Step Functions' (`states` in an optimized resource).
pub const SFN: ServiceNames = names(
    "sfn",
    "states",
    ("StepFunctions", "AWSStepFunctions"),
    ("Sfn", "Sfn"),
);
/// ECS's.
pub const ECS: ServiceNames = names("ecs", "ecs", ("ECS", "AmazonECS"), ("Ecs", "Ecs"));
/// Lambda's.
pub const LAMBDA: ServiceNames = names(
    "lambda",
    "lambda",
    ("Lambda", "AWSLambda"),
    ("Lambda", "Lambda"),
);

/// The services whose errors sfn-local names (their causes' service names are the SDKs').
pub const NAMES: &[&ServiceNames] = &[
    &DYNAMODB,
    &SQS,
    &SNS,
    &EVENTBRIDGE,
    &S3,
    &SFN,
    &ECS,
    &LAMBDA,
    &names("glue", "glue", ("Glue", "AWSGlue"), ("Glue", "Glue")),
    &names(
        "sagemaker",
        "sagemaker",
        ("SageMaker", "AmazonSageMaker"),
        ("SageMaker", "SageMaker"),
    ),
    &names(
        "secretsmanager",
        "secretsmanager",
        ("SecretsManager", "AWSSecretsManager"),
        ("SecretsManager", "SecretsManager"),
    ),
    &names("batch", "batch", ("Batch", "AWSBatch"), ("Batch", "Batch")),
    &names(
        "kinesis",
        "kinesis",
        ("Kinesis", "AmazonKinesis"),
        ("Kinesis", "Kinesis"),
    ),
];

/// The names of the service a resource calls (`arn:aws:states:::aws-sdk:dynamodb:getItem`,
/// `arn:aws:states:::dynamodb:getItem.waitForTaskToken`), if sfn-local knows it.
pub fn service_of(resource: &str) -> Option<(&'static ServiceNames, Api)> {
    let routed = asl_core::resource::routing_form(resource);
    let rest = routed.strip_prefix("arn:aws:states:::")?;
    let api = Api::of(&routed);
    let rest = rest.strip_prefix("aws-sdk:").unwrap_or(rest);
    let service = rest.split(':').next()?;
    NAMES
        .iter()
        .find(|n| match api {
            Api::Sdk => n.sdk_name == service,
            Api::Optimized => n.optimized_name == service,
        })
        .map(|n| (*n, api))
}

/// The error's class: the service's code with `Exception` added when it lacks it.
pub fn exception_class(code: &str) -> String {
    if code.ends_with("Exception") {
        code.to_string()
    } else {
        format!("{code}Exception")
    }
}

/// The cause the SDK Step Functions uses writes for a service error.
pub fn cause(
    api: Api,
    service: &str,
    code: &str,
    message: &str,
    status: u16,
    request_id: Option<&str>,
) -> String {
    match (api, request_id) {
        (Api::Optimized, Some(id)) => format!(
            "{message} (Service: {service}; Status Code: {status}; Error Code: {code}; Request ID: {id}; Proxy: null)"
        ),
        (Api::Optimized, None) => format!(
            "{message} (Service: {service}; Status Code: {status}; Error Code: {code}; Proxy: null)"
        ),
        (Api::Sdk, Some(id)) => {
            format!("{message} (Service: {service}, Status Code: {status}, Request ID: {id})")
        }
        (Api::Sdk, None) => format!("{message} (Service: {service}, Status Code: {status})"),
    }
}

/// A service error as Step Functions reports it: `PREFIX.<code>Exception`, with the cause of
/// the SDK the integration kind uses. `names` is the error prefix and the cause's service name.
pub fn named_failure(
    api: Api,
    (prefix, service): (&str, &str),
    code: &str,
    message: &str,
    status: u16,
    request_id: Option<&str>,
) -> TaskFailure {
    TaskFailure::new(
        format!("{prefix}.{}", exception_class(code)),
        cause(api, service, code, message, status, request_id),
    )
}

/// A service's answer to a call naming a resource the account does not have.
#[derive(Debug)]
pub struct Missing {
    /// The `aws-sdk` service name ([`ServiceNames::sdk_name`]).
    pub service: &'static str,
    /// The parameters that name the resource, in the order looked at.
    pub parameters: &'static [&'static str],
    /// The service's error code.
    pub code: &'static str,
    /// Its message; `{}` stands for the resource's name.
    pub message: &'static str,
    /// Its HTTP status.
    pub status: u16,
}

/// The "not found" answer of each service, from its API reference.
pub const MISSING: &[Missing] = &[
    // Amazon S3 API Reference, "Error responses": NoSuchBucket, 404.
    Missing {
        service: "s3",
        parameters: &["Bucket"],
        code: "NoSuchBucket",
        message: "The specified bucket does not exist",
        status: 404,
    },
    // DynamoDB Developer Guide, "Error handling with DynamoDB" (its example message).
    Missing {
        service: "dynamodb",
        parameters: &["TableName"],
        code: "ResourceNotFoundException",
        message: "Requested resource not found: Table: {} not found",
        status: 400,
    },
    // Amazon SQS API Reference: QueueDoesNotExist ("The specified queue does not exist").
    Missing {
        service: "sqs",
        parameters: &["QueueUrl"],
        code: "QueueDoesNotExist",
        message: "The specified queue does not exist.",
        status: 400,
    },
    // Amazon SNS API Reference: NotFound, 404 ("Indicates that the requested resource does
    // not exist").
    Missing {
        service: "sns",
        parameters: &["TopicArn", "TargetArn"],
        code: "NotFound",
        message: "Topic does not exist",
        status: 404,
    },
    // AWS Secrets Manager API Reference: ResourceNotFoundException, 400.
    Missing {
        service: "secretsmanager",
        parameters: &["SecretId"],
        code: "ResourceNotFoundException",
        message: "Secrets Manager can't find the specified secret.",
        status: 400,
    },
    // Amazon ECS API Reference: ClusterNotFoundException, 400.
    Missing {
        service: "ecs",
        parameters: &["Cluster"],
        code: "ClusterNotFoundException",
        message: "Cluster not found.",
        status: 400,
    },
    // Amazon Kinesis API Reference: ResourceNotFoundException, 400.
    Missing {
        service: "kinesis",
        parameters: &["StreamName", "StreamARN"],
        code: "ResourceNotFoundException",
        message: "Stream {} not found.",
        status: 400,
    },
];

/// The failure of a call with no mock, no handler and no endpoint: the service's "not found"
/// error for the resource it names, or `States.TaskFailed` saying what to configure.
pub fn unanswered(resource: &str, parameters: &Value, state: &str) -> TaskFailure {
    if let Some(f) = function_of(resource, parameters) {
        return TaskFailure::new(
            "Lambda.ResourceNotFoundException",
            format!(
                "Function not found: {f} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: {}; Proxy: null). No handler or mock is configured for function '{}' in sfn-local (state '{state}').",
                uuid::Uuid::new_v4(),
                function_short_name(f)
            ),
        );
    }
    if let Some(f) = missing_resource(resource, parameters) {
        return f;
    }
    TaskFailure::new(
        asl_core::error::names::TASK_FAILED,
        format!(
            "No handler or mock is configured in sfn-local for resource '{resource}' (state '{state}')."
        ),
    )
}

/// The service's "not found" failure when the call names one of [`MISSING`]'s resources.
pub fn missing_resource(resource: &str, parameters: &Value) -> Option<TaskFailure> {
    let (names, api) = service_of(resource)?;
    let missing = MISSING.iter().find(|m| m.service == names.sdk_name)?;
    let named = missing
        .parameters
        .iter()
        .find_map(|p| parameters.get(*p).and_then(Value::as_str))?;
    // A queue's or stream's name is the last part of its URL or ARN.
    let short = named.rsplit(['/', ':']).next().unwrap_or(named);
    let message = missing.message.replace("{}", short);
    let request_id = uuid::Uuid::new_v4().to_string();
    Some(named_failure(
        api,
        names.for_api(api),
        missing.code,
        &message,
        missing.status,
        Some(&request_id),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every service of [`MISSING`], through both kinds of integration where the service has
    /// an optimized one: the error name, and the cause's start and service.
    #[test]
    fn a_missing_resource_fails_as_its_service_answers() {
        let table: &[(&str, Value, &str, &str)] = &[
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"Bucket": "b", "Key": "k"}),
                "S3.NoSuchBucketException",
                "The specified bucket does not exist (Service: S3, Status Code: 404, Request ID: ",
            ),
            (
                "arn:aws:states:::s3:getObject",
                json!({"Bucket": "b", "Key": "k"}),
                "S3.NoSuchBucketException",
                "The specified bucket does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket; Request ID: ",
            ),
            (
                "arn:aws:states:::aws-sdk:s3:headObject",
                json!({"Bucket": "b", "Key": "k"}),
                "S3.NoSuchBucketException",
                "The specified bucket does not exist (Service: S3, ",
            ),
            (
                "arn:aws:states:::dynamodb:getItem",
                json!({"TableName": "T", "Key": {}}),
                "DynamoDB.ResourceNotFoundException",
                "Requested resource not found: Table: T not found (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: ",
            ),
            (
                "arn:aws:states:::aws-sdk:dynamodb:query",
                json!({"TableName": "T"}),
                "DynamoDb.ResourceNotFoundException",
                "Requested resource not found: Table: T not found (Service: DynamoDb, Status Code: 400, Request ID: ",
            ),
            (
                "arn:aws:states:::dynamodb:putItem.waitForTaskToken",
                json!({"TableName": "T", "Item": {}}),
                "DynamoDB.ResourceNotFoundException",
                "Requested resource not found: Table: T not found",
            ),
            (
                "arn:aws:states:::aws-sdk:sqs:receiveMessage",
                json!({"QueueUrl": "http://sqs.us-east-1.amazonaws.com/123456789012/q"}),
                "Sqs.QueueDoesNotExistException",
                "The specified queue does not exist. (Service: Sqs, Status Code: 400, ",
            ),
            (
                "arn:aws:states:::aws-sdk:sns:getTopicAttributes",
                json!({"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}),
                "Sns.NotFoundException",
                "Topic does not exist (Service: Sns, Status Code: 404, ",
            ),
            (
                "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
                json!({"SecretId": "s"}),
                "SecretsManager.ResourceNotFoundException",
                "Secrets Manager can't find the specified secret. (Service: SecretsManager, Status Code: 400, ",
            ),
            (
                "arn:aws:states:::ecs:runTask.sync",
                json!({"Cluster": "c", "TaskDefinition": "t"}),
                "ECS.ClusterNotFoundException",
                "Cluster not found. (Service: AmazonECS; Status Code: 400; Error Code: ClusterNotFoundException; ",
            ),
            (
                "arn:aws:states:::aws-sdk:ecs:describeTasks",
                json!({"Cluster": "c", "Tasks": []}),
                "Ecs.ClusterNotFoundException",
                "Cluster not found. (Service: Ecs, ",
            ),
            (
                "arn:aws:states:::aws-sdk:kinesis:putRecord",
                json!({"StreamName": "s", "Data": "x", "PartitionKey": "p"}),
                "Kinesis.ResourceNotFoundException",
                "Stream s not found. (Service: Kinesis, ",
            ),
            (
                "arn:aws:states:::aws-sdk:kinesis:putRecord",
                json!({"StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s"}),
                "Kinesis.ResourceNotFoundException",
                "Stream s not found.",
            ),
        ];
        for (resource, parameters, error, cause) in table {
            let f = unanswered(resource, parameters, "S");
            assert_eq!(f.error.as_deref(), Some(*error), "{resource}");
            let got = f.cause.unwrap_or_default();
            assert!(got.starts_with(cause), "{resource}: {got}");
        }
    }

    /// A call that names no resource the table knows, or a service it does not know, says
    /// what to configure.
    #[test]
    fn a_call_naming_no_known_resource_says_what_to_configure() {
        for (resource, parameters) in [
            ("arn:aws:states:::aws-sdk:s3:listBuckets", json!({})),
            ("arn:aws:states:::aws-sdk:dynamodb:listTables", json!({})),
            (
                "arn:aws:states:::aws-sdk:s3:getObject",
                json!({"Bucket": 5}),
            ),
            (
                "arn:aws:states:::aws-sdk:athena:startQueryExecution",
                json!({"QueryString": "x"}),
            ),
            (
                "arn:aws:states:::batch:submitJob.sync",
                json!({"JobQueue": "q"}),
            ),
        ] {
            let f = unanswered(resource, &parameters, "S");
            assert_eq!(f.error.as_deref(), Some("States.TaskFailed"), "{resource}");
            assert!(
                f.cause.unwrap().contains("No handler or mock"),
                "{resource}"
            );
        }
    }

    #[test]
    fn a_function_nobody_serves_is_lambda_s_not_found() {
        let f = unanswered(
            "arn:aws:states:::lambda:invoke",
            &json!({"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f"}),
            "S",
        );
        assert_eq!(f.error.as_deref(), Some("Lambda.ResourceNotFoundException"));
    }

    #[test]
    fn error_names_end_in_exception_once() {
        assert_eq!(exception_class("NoSuchBucket"), "NoSuchBucketException");
        assert_eq!(
            exception_class("ResourceNotFoundException"),
            "ResourceNotFoundException"
        );
    }

    #[test]
    fn every_missing_service_has_names() {
        for m in MISSING {
            assert!(
                NAMES.iter().any(|n| n.sdk_name == m.service),
                "{}",
                m.service
            );
        }
    }
}
