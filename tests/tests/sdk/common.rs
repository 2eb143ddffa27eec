//! What every SDK test needs: a server, a client pointed at it, definitions, and helpers that
//! wait for an execution to close or pull an error's code out of an SDK error.

use std::time::{Duration, Instant};

use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_sfn::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::types::{ExecutionStatus, StateMachineType};
use sfn_local_tests::Server;

/// The role every state machine is created with (never assumed locally).
pub const ROLE: &str = "arn:aws:iam::123456789012:role/sfn-local-tests";

/// How long a test waits for an execution that should close quickly. Generous: passing or
/// failing must never depend on timing below this.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// One Pass state that adds a field to its input.
pub const PASS: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"done","ResultPath":"$.result","End":true}}}"#;

/// Two Pass states, for a history with more than a handful of events.
pub const TWO_PASSES: &str =
    r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}"#;

/// A Wait long enough that the execution is still running when the test looks at it; the
/// tests stop it rather than wait for it.
pub const LONG_WAIT: &str =
    r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":300,"End":true}}}"#;

/// A short Wait, then success.
pub const SHORT_WAIT: &str = r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Next":"D"},"D":{"Type":"Succeed"}}}"#;

/// A running server and an SDK client for it. Dropping it does not stop the server: call
/// [`Env::stop`] at the end of a test.
pub struct Env {
    pub server: Server,
    pub sfn: Client,
}

impl Env {
    /// Starts an in-memory server and a client for it.
    pub async fn start() -> Env {
        let server = sfn_local_tests::start_server().await;
        let sfn = client(&server.endpoint());
        Env { server, sfn }
    }

    /// Shuts the server down (the client's pooled connections go with it).
    pub async fn stop(self) {
        drop(self.sfn);
        self.server.shutdown().await;
    }

    /// Creates a state machine and returns its ARN.
    pub async fn machine(&self, name: &str, definition: &str) -> String {
        self.machine_of_type(name, definition, StateMachineType::Standard)
            .await
    }

    /// Creates a state machine of `kind` and returns its ARN.
    pub async fn machine_of_type(
        &self,
        name: &str,
        definition: &str,
        kind: StateMachineType,
    ) -> String {
        self.sfn
            .create_state_machine()
            .name(name)
            .definition(definition)
            .role_arn(ROLE)
            .r#type(kind)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateStateMachine {name}: {}", show(&e)))
            .state_machine_arn()
            .to_string()
    }

    /// Starts an execution and returns its ARN.
    pub async fn start_execution(&self, machine: &str, name: &str, input: &str) -> String {
        self.sfn
            .start_execution()
            .state_machine_arn(machine)
            .name(name)
            .input(input)
            .send()
            .await
            .unwrap_or_else(|e| panic!("StartExecution {name}: {}", show(&e)))
            .execution_arn()
            .to_string()
    }

    /// Polls DescribeExecution until the execution is no longer RUNNING.
    pub async fn wait_closed(&self, execution: &str) -> DescribeExecutionOutput {
        let start = Instant::now();
        loop {
            let d = self
                .sfn
                .describe_execution()
                .execution_arn(execution)
                .send()
                .await
                .unwrap_or_else(|e| panic!("DescribeExecution {execution}: {}", show(&e)));
            if d.status() != &ExecutionStatus::Running {
                return d;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{execution} still RUNNING after {DEADLINE:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// An SDK client for `endpoint`, configured by hand (no environment, no profile files):
/// static fake credentials, us-east-1, the latest behavior version, a plain-HTTP connector.
pub fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDSFNLOCALTESTS",
            "sfn-local-tests-secret",
            None,
            None,
            "sfn-local-tests",
        ))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .interceptor(SyncHostPrefix)
        .build();
    Client::from_conf(config)
}

/// StartSyncExecution and TestState carry the model's host prefix `sync-`, so the SDK sends
/// them to `http://sync-127.0.0.1:PORT`, a name that does not resolve. The Rust SDK has no
/// switch to turn the prefix off (boto3 has `inject_host_prefix=False`, the AWS CLI
/// `AWS_DISABLE_HOST_PREFIX_INJECTION=true`), so this interceptor connects to the configured
/// endpoint and keeps `sync-127.0.0.1:PORT` as the Host header — which is also what a request
/// through a resolver that maps `sync-*` to the endpoint would carry, and what sfn-local must
/// accept.
#[derive(Debug)]
struct SyncHostPrefix;

impl Intercept for SyncHostPrefix {
    fn name(&self) -> &'static str {
        "SyncHostPrefix"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let Some(rest) = request.uri().strip_prefix("http://sync-") else {
            return Ok(());
        };
        let authority = rest.split('/').next().unwrap_or(rest).to_string();
        let uri = format!("http://{rest}");
        request
            .headers_mut()
            .insert("host", format!("sync-{authority}"));
        request.set_uri(uri)?;
        Ok(())
    }
}

/// An SDK error as text, with the server's code and message when there are some.
pub fn show<E, R>(e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(s) => format!(
            "service error {}: {}",
            s.code().unwrap_or("<no code>"),
            s.message().unwrap_or("<no message>")
        ),
        None => format!("{}", aws_sdk_sfn::error::DisplayErrorContext(e)),
    }
}

/// The service error of a call that must fail with AWS error `code` (the `__type` without its
/// namespace), and a non-empty message. Returns the message.
pub fn expect_error<T, E, R>(result: Result<T, SdkError<E, R>>, code: &str) -> String
where
    T: std::fmt::Debug,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match result {
        Ok(v) => panic!("expected {code}, the call succeeded: {v:?}"),
        Err(e) => {
            let Some(s) = e.as_service_error() else {
                panic!(
                    "expected {code}, got a non-service error: {}",
                    aws_sdk_sfn::error::DisplayErrorContext(&e)
                );
            };
            assert_eq!(s.code(), Some(code), "expected {code}, got {}", show(&e));
            let message = s.message().unwrap_or_default().to_string();
            assert!(!message.is_empty(), "{code} without a message");
            message
        }
    }
}
