//! Service integrations sent to real endpoints (Step Functions Local's `DYNAMODB_ENDPOINT`,
//! `SQS_ENDPOINT`, ... and the config file's `endpoints`), so that a workflow writes a real
//! item to a local DynamoDB and reads it back.
//!
//! Served: the services that speak AWS's JSON protocol: DynamoDB, SQS, EventBridge, Step
//! Functions, ECS, Glue and SageMaker; and S3's `getObject`, `putObject` and `listObjectsV2`
//! (REST-XML, `s3.rs`), which a Distributed Map's `ItemReader` reads through too; and SNS
//! (the query protocol, `sns.rs`). For a
//! configured service, its optimized integrations (`arn:aws:states:::dynamodb:putItem`,
//! `sqs:sendMessage`, `events:putEvents`, ...) and every
//! `arn:aws:states:::aws-sdk:SERVICE:ACTION` are sent to the endpoint as the SDK would send
//! them: `POST /` with `X-Amz-Target: PREFIX.Action`, the task's parameters as the body
//! (renamed to camelCase for the services whose API is, Step Functions and ECS, and their
//! answers back to PascalCase, `member_case.rs`), SigV4-signed (`aws-sigv4`) with the
//! configured credentials in the execution's region. `.waitForTaskToken` sends the call and
//! waits for the token as on AWS. A JSON `MessageBody` (SQS) or `Detail` (EventBridge) that is
//! not a string is sent as its text, as Step Functions does.
//!
//! Answers: an optimized integration's result is the service's response plus the
//! `SdkHttpMetadata`/`SdkResponseMetadata` of the v1 Java SDK Step Functions uses; an
//! `aws-sdk` one the response alone. Errors are named as Step Functions names them:
//! `DynamoDB.ConditionalCheckFailedException` (optimized; the v1 SDK's cause) or
//! `DynamoDb.ConditionalCheckFailedException` (`aws-sdk`; the v2 SDK's cause), the
//! `Exception` suffix added when the service's error name lacks it.
//!
//! A mock still answers first; a service without an endpoint is answered as before (the
//! recorded SNS/SQS/EventBridge sinks, the local folder S3, or, with no handler, the service's
//! "not found" error for the resource the call names: `asl_interpreter::service_errors`).
//!
//! Batch speaks REST-JSON: `POST /v1/<operation in lowercase>` (every operation but the tag
//! ones), its error named by the `x-amzn-ErrorType` header.
//!
//! `.sync` ("Run a Job"): `states:startExecution` (and `.sync:2`, the description as the
//! local nested executions give it), `batch:submitJob`, `ecs:runTask`, `glue:startJobRun`, `sagemaker:createTrainingJob`
//! and `createTransformJob` start the job, record `TaskSubmitted` with the answer, then poll
//! the job's describe call (every 0.5 s, doubling to 5 s, in the execution's clock) until it
//! ends ([`SYNC_JOBS`]). Not sent to endpoints: S3's other actions and Lambda (which has its
//! own `LAMBDA_ENDPOINT`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, header};
use serde_json::{Map, Value, json};

use asl_interpreter::service_errors::{self, ServiceNames};
pub(crate) use asl_interpreter::service_errors::{Api, named_failure};

use super::sdk_metadata::with_sdk_metadata;
use super::{member_case, outbound};

mod s3;
mod sns;

/// S3's name and variable (REST-XML: its calls are made by `s3.rs`).
const S3: (&str, &str) = ("s3", "S3_ENDPOINT");
/// SNS's (the query protocol: `sns.rs`).
const SNS: (&str, &str) = ("sns", "SNS_ENDPOINT");

/// The largest answer read (the 256 KiB payload quota, with room for the service's framing).
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// A service that can be sent to an endpoint.
#[derive(Debug)]
pub struct ServiceSpec {
    /// The name in `aws-sdk:NAME:action` and in the config file's `endpoints`.
    pub name: &'static str,
    /// The environment variable that names its endpoint.
    pub env: &'static str,
    /// `X-Amz-Target`'s prefix (AWS JSON protocol), or `""` for a REST-JSON service whose
    /// operations are `POST /v1/<operation in lowercase>` (Batch).
    target: &'static str,
    /// AWS JSON 1.0 or 1.1 (`""`: REST-JSON).
    json_version: &'static str,
    /// The SigV4 signing name.
    signing_name: &'static str,
    /// Optimized integrations: (`SERVICE:action` of the resource, the API operation).
    actions: &'static [(&'static str, &'static str)],
    /// Whether the service's JSON members are camelCase (Step Functions, ECS, Batch): the
    /// task's PascalCase parameters are renamed for the call and the answer's members back.
    camel: bool,
    /// Its map members (botocore's model), whose keys are data and are not renamed.
    maps: &'static [&'static str],
}

/// The services sent to endpoints.
pub const SERVICES: &[ServiceSpec] = &[
    ServiceSpec {
        name: "dynamodb",
        env: "DYNAMODB_ENDPOINT",
        target: "DynamoDB_20120810",
        json_version: "1.0",
        signing_name: "dynamodb",
        actions: &[
            ("dynamodb:getItem", "GetItem"),
            ("dynamodb:putItem", "PutItem"),
            ("dynamodb:deleteItem", "DeleteItem"),
            ("dynamodb:updateItem", "UpdateItem"),
        ],
        camel: false,
        maps: &[],
    },
    ServiceSpec {
        name: "sqs",
        env: "SQS_ENDPOINT",
        target: "AmazonSQS",
        json_version: "1.0",
        signing_name: "sqs",
        actions: &[("sqs:sendMessage", "SendMessage")],
        camel: false,
        maps: &[],
    },
    ServiceSpec {
        name: "eventbridge",
        env: "EVENTBRIDGE_ENDPOINT",
        target: "AWSEvents",
        json_version: "1.1",
        signing_name: "events",
        actions: &[("events:putEvents", "PutEvents")],
        camel: false,
        maps: &[],
    },
    ServiceSpec {
        name: "sfn",
        env: "STEP_FUNCTIONS_ENDPOINT",
        target: "AWSStepFunctions",
        json_version: "1.0",
        signing_name: "states",
        actions: &[("states:startExecution", "StartExecution")],
        camel: true,
        maps: super::sdk_sfn::MAPS,
    },
    ServiceSpec {
        name: "ecs",
        env: "ECS_ENDPOINT",
        target: "AmazonEC2ContainerServiceV20141113",
        json_version: "1.1",
        signing_name: "ecs",
        actions: &[("ecs:runTask", "RunTask")],
        camel: true,
        maps: &["dockerLabels", "driverOpts", "labels", "options"],
    },
    ServiceSpec {
        name: "glue",
        env: "GLUE_ENDPOINT",
        target: "AWSGlue",
        json_version: "1.1",
        signing_name: "glue",
        actions: &[("glue:startJobRun", "StartJobRun")],
        camel: false,
        maps: &[],
    },
    ServiceSpec {
        name: "sagemaker",
        env: "SAGE_MAKER_ENDPOINT",
        target: "SageMaker",
        json_version: "1.1",
        signing_name: "sagemaker",
        actions: &[
            ("sagemaker:createTrainingJob", "CreateTrainingJob"),
            ("sagemaker:createTransformJob", "CreateTransformJob"),
            ("sagemaker:createEndpoint", "CreateEndpoint"),
            ("sagemaker:createModel", "CreateModel"),
        ],
        camel: false,
        maps: &[],
    },
    ServiceSpec {
        name: "batch",
        env: "BATCH_ENDPOINT",
        target: "",
        json_version: "",
        signing_name: "batch",
        actions: &[("batch:submitJob", "SubmitJob")],
        camel: true,
        maps: &[
            "annotations",
            "capacityTags",
            "labels",
            "limits",
            "options",
            "parameters",
            "quotaShares",
            "requests",
            "statusSummary",
            "tags",
        ],
    },
];

impl ServiceSpec {
    /// Its error prefixes (the one table of them: [`asl_interpreter::service_errors::NAMES`]).
    fn names(&self) -> &'static ServiceNames {
        service_errors::NAMES
            .iter()
            .find(|n| n.sdk_name == self.name)
            .expect("every service sent to an endpoint has its error names")
    }
}

/// Where the configured services are, and the credentials calls are signed with.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    /// Service name -> base URL.
    pub urls: HashMap<String, String>,
    /// Access key id and secret.
    pub credentials: (String, String),
}

impl Endpoints {
    /// The endpoints of the config file's `endpoints`, with the environment's
    /// `*_ENDPOINT` variables over them (as Step Functions Local names them), signed with
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (any value: local services do not check).
    pub fn from_config(file: &HashMap<String, String>) -> Result<Endpoints, String> {
        let mut urls = HashMap::new();
        let known = || SERVICES.iter().map(|s| (s.name, s.env)).chain([S3, SNS]);
        for (name, url) in file {
            if !known().any(|(n, _)| n == name) {
                return Err(format!(
                    "endpoints: '{name}' is not a service sfn-local sends to an endpoint (it can: {})",
                    known().map(|(n, _)| n).collect::<Vec<_>>().join(", ")
                ));
            }
            urls.insert(name.clone(), url.clone());
        }
        for (name, env) in known() {
            if let Ok(url) = std::env::var(env)
                && !url.trim().is_empty()
            {
                urls.insert(name.to_string(), url.trim().to_string());
            }
        }
        for (name, url) in &urls {
            if !url.starts_with("http://") {
                return Err(format!(
                    "endpoints: {name}: '{url}' is not an http:// URL (sfn-local has no TLS client)"
                ));
            }
        }
        let key = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.into());
        Ok(Endpoints {
            urls,
            credentials: (
                key("AWS_ACCESS_KEY_ID", "test"),
                key("AWS_SECRET_ACCESS_KEY", "test"),
            ),
        })
    }

    /// Registers a handler for every integration of every configured service (over the
    /// built-in ones: registered last, they win).
    pub fn register(&self, mut handlers: Handlers) -> Handlers {
        let credentials = Arc::new(self.credentials.clone());
        for spec in SERVICES {
            let Some(url) = self.urls.get(spec.name) else {
                continue;
            };
            let h = |api| ServiceCall {
                spec,
                url: url.trim_end_matches('/').to_string(),
                credentials: credentials.clone(),
                api,
            };
            for (action, _) in spec.actions {
                let patterns: &[&str] = match SYNC_JOBS.iter().find(|j| j.action == *action) {
                    Some(j) if j.sync2 => &["", ".waitForTaskToken", ".sync", ".sync:2"],
                    Some(_) => &["", ".waitForTaskToken", ".sync"],
                    None => &["", ".waitForTaskToken"],
                };
                for pattern in patterns {
                    handlers = handlers.resource(
                        format!("arn:aws:states:::{action}{pattern}"),
                        h(Api::Optimized),
                    );
                }
            }
            let prefix = format!("arn:aws:states:::aws-sdk:{}:", spec.name);
            // The recorded sinks answer some aws-sdk resources exactly: these go here now.
            for r in super::sinks::resources() {
                if r.starts_with(&prefix) {
                    handlers = handlers.resource(r, h(Api::Sdk));
                }
            }
            handlers = handlers.prefix(prefix, h(Api::Sdk));
        }
        if let Some(url) = self.urls.get(SNS.0) {
            let h = |api| XmlCall {
                protocol: Protocol::Sns,
                url: url.trim_end_matches('/').to_string(),
                credentials: credentials.clone(),
                api,
            };
            for pattern in ["", ".waitForTaskToken"] {
                handlers = handlers.resource(
                    format!("arn:aws:states:::sns:publish{pattern}"),
                    h(Api::Optimized),
                );
            }
            for r in super::sinks::resources() {
                if r.starts_with("arn:aws:states:::aws-sdk:sns:") {
                    handlers = handlers.resource(r, h(Api::Sdk));
                }
            }
            handlers = handlers.prefix("arn:aws:states:::aws-sdk:sns:", h(Api::Sdk));
        }
        if let Some(url) = self.urls.get(S3.0) {
            let h = |api| XmlCall {
                protocol: Protocol::S3,
                url: url.trim_end_matches('/').to_string(),
                credentials: credentials.clone(),
                api,
            };
            for r in [
                super::s3::GET_OBJECT,
                super::s3::LIST_OBJECTS,
                super::s3::PUT_OBJECT,
            ] {
                handlers = handlers.resource(r, h(Api::Optimized));
            }
            handlers = handlers.prefix("arn:aws:states:::aws-sdk:s3:", h(Api::Sdk));
        }
        handlers
    }
}

/// One service's integrations at its endpoint.
struct ServiceCall {
    spec: &'static ServiceSpec,
    url: String,
    credentials: Arc<(String, String)>,
    api: Api,
}

impl TaskHandler for ServiceCall {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let spec = self.spec;
        let url = self.url.clone();
        let credentials = self.credentials.clone();
        let api = self.api;
        Box::pin(async move { call(spec, &url, &credentials, api, &req).await })
    }
}

/// The services whose protocols answer in XML.
#[derive(Debug, Clone, Copy)]
enum Protocol {
    S3,
    Sns,
}

/// S3's or SNS's integrations at their endpoint.
struct XmlCall {
    protocol: Protocol,
    url: String,
    credentials: Arc<(String, String)>,
    api: Api,
}

impl TaskHandler for XmlCall {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let url = self.url.clone();
        let credentials = self.credentials.clone();
        let api = self.api;
        let protocol = self.protocol;
        Box::pin(async move {
            let action = super::action_of(&req.resource);
            let action = action.as_str();
            let region = super::region_of(&req);
            match protocol {
                Protocol::S3 => s3::call(&url, &credentials, &region, api, action, &req).await,
                Protocol::Sns => sns::call(&url, &credentials, &region, api, action, &req).await,
            }
        })
    }
}

/// The API operation a resource calls: an optimized integration's, or `aws-sdk`'s action in
/// PascalCase.
fn operation(spec: &ServiceSpec, api: Api, resource: &str) -> Option<String> {
    let rest = resource.strip_prefix("arn:aws:states:::")?;
    let rest = rest.split('.').next()?;
    match api {
        Api::Optimized => spec
            .actions
            .iter()
            .find(|(a, _)| *a == rest)
            .map(|(_, op)| op.to_string()),
        Api::Sdk => {
            let action = rest.strip_prefix("aws-sdk:")?.split_once(':')?.1;
            (!action.is_empty()).then(|| member_case::pascal(action))
        }
    }
}

/// Members Step Functions sends as text when the task gives JSON.
const TEXT_MEMBERS: &[&str] = &["MessageBody", "Detail", "Input"];

fn text_members(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if TEXT_MEMBERS.contains(&k.as_str()) && (x.is_object() || x.is_array()) {
                    *x = Value::String(x.to_string());
                } else {
                    text_members(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(text_members),
        _ => {}
    }
}

async fn call(
    spec: &'static ServiceSpec,
    url: &str,
    credentials: &(String, String),
    api: Api,
    req: &TaskRequest,
) -> Result<Value, TaskFailure> {
    let resource = asl_core::resource::routing_form(&req.resource);
    let op = operation(spec, api, &resource).ok_or_else(|| {
        TaskFailure::new(
            "States.Runtime",
            format!(
                "The resource '{}' names no {} API action",
                req.resource, spec.name
            ),
        )
    })?;
    let endpoint = Endpoint {
        spec,
        url,
        credentials,
        api,
        region: super::region_of(req),
    };
    let answer = endpoint.post(&op, req.parameters.clone()).await?;
    let sync = (api == Api::Optimized)
        .then(|| sync_job(&resource))
        .flatten();
    let Some(job) = sync else {
        return Ok(answer.into_result(api));
    };
    let started = answer.body.clone();
    req.report_submitted(answer.into_result(api));
    job.wait(&endpoint, req, &started).await
}

/// One configured service, for one task's calls.
struct Endpoint<'a> {
    spec: &'static ServiceSpec,
    url: &'a str,
    credentials: &'a (String, String),
    api: Api,
    region: String,
}

/// A service's answer to one call.
struct Answered {
    body: Map<String, Value>,
    headers: Vec<(String, String)>,
    status: u16,
    request_id: String,
}

impl Answered {
    /// The task's result: an `aws-sdk` integration's is the response; an optimized one's
    /// carries the v1 SDK's metadata.
    fn into_result(self, api: Api) -> Value {
        match api {
            Api::Sdk => Value::Object(self.body),
            Api::Optimized => {
                with_sdk_metadata(self.body, &self.headers, self.status, &self.request_id)
            }
        }
    }
}

impl Endpoint<'_> {
    /// Calls `op` with the task's (PascalCase) parameters; the answer's members in PascalCase.
    async fn post(&self, op: &str, parameters: Value) -> Result<Answered, TaskFailure> {
        let Endpoint {
            spec,
            url,
            credentials,
            api,
            ..
        } = *self;
        let mut params = parameters;
        if !params.is_object() {
            params = Value::Object(Map::new());
        }
        text_members(&mut params);
        if spec.camel {
            params = member_case::rename_keys(&params, member_case::camel, spec.maps);
        }
        let body = params.to_string();
        let builder = if spec.target.is_empty() {
            Request::post(format!("{url}/v1/{}", op.to_ascii_lowercase()))
                .header(header::CONTENT_TYPE, "application/json")
        } else {
            Request::post(format!("{url}/"))
                .header(
                    header::CONTENT_TYPE,
                    format!("application/x-amz-json-{}", spec.json_version),
                )
                .header("x-amz-target", format!("{}.{op}", spec.target))
        };
        let mut request = builder
            .header(header::HOST, url.trim_start_matches("http://"))
            .body(Full::new(Bytes::from(body.clone())))
            .map_err(|e| TaskFailure::new("States.Runtime", format!("bad endpoint {url}: {e}")))?;
        sign_request(
            &mut request,
            body.as_bytes(),
            credentials,
            &self.region,
            spec.signing_name,
        )?;
        let unreachable = |e: String| {
            let (prefix, _) = spec.names().for_api(api);
            TaskFailure::new(
                format!("{prefix}.SdkClientException"),
                format!("Unable to execute HTTP request: {e} ({} {url})", spec.env),
            )
        };
        let answer = outbound::send(request, MAX_RESPONSE_BYTES)
            .await
            .map_err(unreachable)?;
        let request_id = ["x-amzn-requestid", "x-amz-request-id"]
            .iter()
            .find_map(|h| answer.headers.get(*h)?.to_str().ok())
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_string);
        let bytes = answer.body.map_err(|_| {
            unreachable(format!(
                "the answer is larger than {MAX_RESPONSE_BYTES} bytes"
            ))
        })?;
        let parsed: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        if !answer.status.is_success() {
            // REST-JSON names the error in a header (`ClientException:http://...`).
            let kind = answer
                .headers
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(':').next());
            return Err(service_error(
                spec,
                api,
                &parsed,
                kind,
                answer.status.as_u16(),
                &request_id,
            ));
        }
        let parsed = if spec.camel {
            member_case::rename_keys(&parsed, member_case::pascal, spec.maps)
        } else {
            parsed
        };
        let Value::Object(body) = parsed else {
            return Err(unreachable("the answer is not a JSON object".into()));
        };
        Ok(Answered {
            body,
            headers: outbound::header_pairs(&answer.headers),
            status: answer.status.as_u16(),
            request_id,
        })
    }
}

/// A `.sync` job at an endpoint (AWS's "Run a Job" pattern): the start call's answer names
/// the job, whose describe call is polled until the job ends. Its description is the task's
/// result; a job that ends badly fails the task with `States.TaskFailed` and the description
/// as JSON text (the local ECS's rule, `ecs.rs`).
struct SyncJob {
    /// The optimized resource's `SERVICE:action`.
    action: &'static str,
    /// The describe operation.
    describe: &'static str,
    /// The describe request from the task's parameters and the start answer.
    request: fn(&Value, &Map<String, Value>) -> Value,
    /// The job's description in the describe answer.
    job: fn(Map<String, Value>) -> Option<Value>,
    /// The description's status member.
    status: &'static str,
    /// Statuses that end the job well, and badly.
    succeeded: &'static [&'static str],
    failed: &'static [&'static str],
    /// Whether a job that reached a succeeded status still failed (an ECS task stops whether
    /// its containers exited with 0 or not).
    failed_anyway: fn(&Value) -> bool,
    /// The description as the task's result or cause, once the job has ended (`true`: the
    /// resource is the `.sync:2` form).
    described: fn(Value, bool) -> Value,
    /// Whether it has a `.sync:2` form (Step Functions: `Input` and `Output` parsed as JSON).
    sync2: bool,
}

fn never(_: &Value) -> bool {
    false
}

fn as_described(job: Value, _: bool) -> Value {
    job
}

/// Whether a stopped ECS task's containers did not all exit with 0.
fn a_container_failed(task: &Value) -> bool {
    task.get("Containers")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.get("ExitCode").and_then(Value::as_i64).unwrap_or(0) != 0)
        })
}

/// The `.sync` jobs of the services sent to endpoints.
const SYNC_JOBS: &[SyncJob] = &[
    SyncJob {
        action: "ecs:runTask",
        describe: "DescribeTasks",
        request: |p, started| {
            let arn = started
                .get("Tasks")
                .and_then(|t| t.get(0)?.get("TaskArn"))
                .cloned();
            let mut r = json!({"Tasks": [arn]});
            if let Some(c) = p.get("Cluster") {
                r["Cluster"] = c.clone();
            }
            r
        },
        job: |mut a| a.remove("Tasks")?.as_array_mut()?.drain(..).next(),
        status: "LastStatus",
        // A stopped task succeeded when every container exited with 0.
        succeeded: &["STOPPED"],
        failed: &[],
        failed_anyway: a_container_failed,
        described: as_described,
        sync2: false,
    },
    SyncJob {
        action: "glue:startJobRun",
        describe: "GetJobRun",
        request: |p, started| json!({"JobName": p.get("JobName"), "RunId": started.get("JobRunId")}),
        job: |mut a| a.remove("JobRun"),
        status: "JobRunState",
        succeeded: &["SUCCEEDED"],
        failed: &["FAILED", "STOPPED", "TIMEOUT", "ERROR", "EXPIRED"],
        failed_anyway: never,
        described: as_described,
        sync2: false,
    },
    SyncJob {
        action: "sagemaker:createTrainingJob",
        describe: "DescribeTrainingJob",
        request: |p, _| json!({"TrainingJobName": p.get("TrainingJobName")}),
        job: |a| Some(Value::Object(a)),
        status: "TrainingJobStatus",
        succeeded: &["Completed"],
        failed: &["Failed", "Stopped"],
        failed_anyway: never,
        described: as_described,
        sync2: false,
    },
    SyncJob {
        action: "batch:submitJob",
        describe: "DescribeJobs",
        request: |_, started| json!({"Jobs": [started.get("JobId")]}),
        job: |mut a| a.remove("Jobs")?.as_array_mut()?.drain(..).next(),
        status: "Status",
        succeeded: &["SUCCEEDED"],
        failed: &["FAILED"],
        failed_anyway: never,
        described: as_described,
        sync2: false,
    },
    SyncJob {
        action: "sagemaker:createTransformJob",
        describe: "DescribeTransformJob",
        request: |p, _| json!({"TransformJobName": p.get("TransformJobName")}),
        job: |a| Some(Value::Object(a)),
        status: "TransformJobStatus",
        succeeded: &["Completed"],
        failed: &["Failed", "Stopped"],
        failed_anyway: never,
        described: as_described,
        sync2: false,
    },
    SyncJob {
        action: "states:startExecution",
        describe: "DescribeExecution",
        request: |_, started| json!({"ExecutionArn": started.get("ExecutionArn")}),
        job: |a| Some(Value::Object(a)),
        status: "Status",
        succeeded: &["SUCCEEDED"],
        failed: &["FAILED", "TIMED_OUT", "ABORTED"],
        failed_anyway: never,
        described: nested_description,
        sync2: true,
    },
];

/// The `.sync` job of an optimized resource, if the service has one.
fn sync_job(resource: &str) -> Option<&'static SyncJob> {
    let rest = resource.strip_prefix("arn:aws:states:::")?;
    let action = rest
        .strip_suffix(".sync:2")
        .filter(|_| rest.starts_with("states:"))
        .or_else(|| rest.strip_suffix(".sync"))?;
    SYNC_JOBS.iter().find(|j| j.action == action)
}

/// A nested execution's description as the `.sync` integrations give it (the local one's
/// rule, `nested.rs`): dates in epoch milliseconds, and for `.sync:2` input and output parsed.
fn nested_description(mut job: Value, sync2: bool) -> Value {
    if let Value::Object(m) = &mut job {
        for k in ["StartDate", "StopDate"] {
            if let Some(s) = m.get(k).and_then(Value::as_f64) {
                m.insert(k.into(), json!((s * 1000.0).round() as i64));
            }
        }
        if sync2 {
            for k in ["Input", "Output"] {
                if let Some(parsed) = m
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|t| serde_json::from_str::<Value>(t).ok())
                {
                    m.insert(k.into(), parsed);
                }
            }
        }
    }
    job
}

/// The first wait between two describe calls, and the longest.
const FIRST_POLL: std::time::Duration = std::time::Duration::from_millis(500);
const LONGEST_POLL: std::time::Duration = std::time::Duration::from_secs(5);

impl SyncJob {
    async fn wait(
        &self,
        endpoint: &Endpoint<'_>,
        req: &TaskRequest,
        started: &Map<String, Value>,
    ) -> Result<Value, TaskFailure> {
        let request = (self.request)(&req.parameters, started);
        let mut pause = FIRST_POLL;
        loop {
            let answer = endpoint.post(self.describe, request.clone()).await?;
            let job = (self.job)(answer.body).ok_or_else(|| {
                TaskFailure::new(
                    "States.TaskFailed",
                    format!("{} did not describe the job", self.describe),
                )
            })?;
            let status = job
                .get(self.status)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let succeeded = self.succeeded.contains(&status);
            if succeeded || self.failed.contains(&status) {
                let failed = !succeeded || (self.failed_anyway)(&job);
                let job = (self.described)(job, req.resource.ends_with(":2"));
                return if failed {
                    Err(TaskFailure::new(
                        "States.TaskFailed",
                        asl_core::dataflow::to_json_text(&job),
                    ))
                } else {
                    Ok(job)
                };
            }
            req.sleep(pause).await;
            pause = (pause * 2).min(LONGEST_POLL);
        }
    }
}

/// Signs `request` for `service` in `region` (SigV4, the AWS SDK's signer).
fn sign_request(
    request: &mut Request<Full<Bytes>>,
    body: &[u8],
    credentials: &(String, String),
    region: &str,
    service: &str,
) -> Result<(), TaskFailure> {
    let failed =
        |e: String| TaskFailure::new("States.Runtime", format!("cannot sign the request: {e}"));
    let identity = Credentials::new(&credentials.0, &credentials.1, None, None, "sfn-local").into();
    let mut settings = SigningSettings::default();
    if service == "s3" {
        // S3 signs its payload's hash in a header, and its paths as they are.
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| failed(e.to_string()))?
        .into();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        &uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| failed(e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| failed(e.to_string()))?
        .into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}

/// A service's error answer as Step Functions names it.
fn service_error(
    spec: &ServiceSpec,
    api: Api,
    body: &Value,
    error_type: Option<&str>,
    status: u16,
    request_id: &str,
) -> TaskFailure {
    // `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` or the bare name.
    let raw = error_type
        .or_else(|| {
            body.get("__type")
                .or_else(|| body.get("code"))
                .and_then(Value::as_str)
        })
        .unwrap_or("UnknownError");
    let code = raw.rsplit('#').next().unwrap_or(raw);
    let message = body
        .get("message")
        .or_else(|| body.get("Message"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    named_failure(
        api,
        spec.names().for_api(api),
        code,
        message,
        status,
        Some(request_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str) -> &'static ServiceSpec {
        SERVICES.iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn operations_come_from_the_resource() {
        let d = spec("dynamodb");
        for (api, resource, op) in [
            (
                Api::Optimized,
                "arn:aws:states:::dynamodb:putItem",
                Some("PutItem"),
            ),
            (Api::Optimized, "arn:aws:states:::dynamodb:scan", None),
            (
                Api::Sdk,
                "arn:aws:states:::aws-sdk:dynamodb:transactWriteItems",
                Some("TransactWriteItems"),
            ),
            (
                Api::Sdk,
                "arn:aws:states:::aws-sdk:dynamodb:getItem.waitForTaskToken",
                Some("GetItem"),
            ),
        ] {
            assert_eq!(operation(d, api, resource).as_deref(), op, "{resource}");
        }
        let s = spec("sqs");
        assert_eq!(
            operation(
                s,
                Api::Optimized,
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
            )
            .as_deref(),
            Some("SendMessage")
        );
    }

    #[test]
    fn every_service_has_error_names() {
        for spec in SERVICES {
            assert_eq!(spec.names().sdk_name, spec.name);
        }
    }

    /// Each service's error names, both ways, with and without the `Exception` suffix.
    #[test]
    fn errors_are_named_as_step_functions_names_them() {
        for (service, api, body, want) in [
            (
                "dynamodb",
                Api::Optimized,
                json!({"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "The conditional request failed"}),
                "DynamoDB.ConditionalCheckFailedException",
            ),
            (
                "dynamodb",
                Api::Sdk,
                json!({"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "Requested resource not found"}),
                "DynamoDb.ResourceNotFoundException",
            ),
            (
                "sqs",
                Api::Optimized,
                json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "The specified queue does not exist."}),
                "SQS.QueueDoesNotExistException",
            ),
            (
                "sqs",
                Api::Sdk,
                json!({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "x"}),
                "Sqs.QueueDoesNotExistException",
            ),
            (
                "eventbridge",
                Api::Sdk,
                json!({"__type": "ResourceNotFoundException", "message": "x"}),
                "EventBridge.ResourceNotFoundException",
            ),
            (
                "ecs",
                Api::Optimized,
                json!({"__type": "ClusterNotFoundException", "message": "x"}),
                "ECS.ClusterNotFoundException",
            ),
            (
                "sfn",
                Api::Sdk,
                json!({"__type": "com.amazonaws.swf.base.model#ExecutionDoesNotExist", "message": "x"}),
                "Sfn.ExecutionDoesNotExistException",
            ),
        ] {
            let f = service_error(spec(service), api, &body, None, 400, "rid");
            assert_eq!(f.error.as_deref(), Some(want));
            let cause = f.cause.unwrap();
            assert!(cause.contains("rid") && cause.contains("400"), "{cause}");
        }
    }

    /// REST-JSON (Batch) names its error in `x-amzn-ErrorType`.
    #[test]
    fn rest_json_errors_are_named_from_their_header() {
        let f = service_error(
            spec("batch"),
            Api::Optimized,
            &json!({"message": "JobQueue q not found"}),
            Some("ClientException"),
            400,
            "rid",
        );
        assert_eq!(f.error.as_deref(), Some("Batch.ClientException"));
        assert!(f.cause.unwrap().starts_with(
            "JobQueue q not found (Service: AWSBatch; Status Code: 400; Error Code: ClientException;"
        ));
    }

    #[test]
    fn json_message_bodies_are_sent_as_text() {
        let mut p = json!({"QueueUrl": "q", "MessageBody": {"a": 1}, "Entries": [{"Detail": {"b": 2}, "Source": "s"}]});
        text_members(&mut p);
        assert_eq!(p["MessageBody"], "{\"a\":1}");
        assert_eq!(p["Entries"][0]["Detail"], "{\"b\":2}");
    }

    #[test]
    fn only_known_services_and_http_urls_are_taken() {
        let ok = Endpoints::from_config(&HashMap::from([(
            "dynamodb".to_string(),
            "http://127.0.0.1:1".to_string(),
        )]))
        .unwrap();
        assert_eq!(ok.urls["dynamodb"], "http://127.0.0.1:1");
        assert!(
            Endpoints::from_config(&HashMap::from([(
                "dynamo".to_string(),
                "http://x".to_string()
            )]))
            .is_err()
        );
        assert!(
            Endpoints::from_config(&HashMap::from([(
                "sqs".to_string(),
                "https://x".to_string()
            )]))
            .is_err()
        );
    }
}

#[cfg(test)]
mod routing_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_configured_service_s_resources_find_their_handler() {
        let e = Endpoints {
            urls: HashMap::from([
                ("s3".to_string(), "http://127.0.0.1:1".to_string()),
                ("dynamodb".to_string(), "http://127.0.0.1:1".to_string()),
            ]),
            credentials: ("a".into(), "b".into()),
        };
        let h = e.register(Handlers::new());
        for r in [
            "arn:aws:states:::aws-sdk:s3:putObject",
            "arn:aws:states:::s3:listObjectsV2",
            "arn:aws:states:::dynamodb:putItem",
            "arn:aws:states:::aws-sdk:dynamodb:scan",
        ] {
            assert!(h.find(r, &json!({})).is_some(), "{r}");
        }
        assert!(
            h.find("arn:aws:states:::aws-sdk:sqs:sendMessage", &json!({}))
                .is_none()
        );
    }
}
