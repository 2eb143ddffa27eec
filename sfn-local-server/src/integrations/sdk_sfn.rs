//! `arn:aws:states:::aws-sdk:sfn:ACTION` (and `.waitForTaskToken`): any Step Functions API
//! action, answered by this server's own API as the SDK would be. As for every AWS SDK
//! integration, the parameters are the action's request members in PascalCase
//! (`StateMachineArn`, `Input`), the result its response members in PascalCase
//! (`ExecutionArn`, `StartDate`), and an API error is `Sfn.<Name>Exception` (AWS: "ServiceName.
//! ErrorName ... add the Exception suffix ... even if the suffix is not part of the error name
//! the service provides"), with the API's message as cause. A JSON `Input` or `Output` that is
//! not a string is sent as its JSON text (AWS serialises it implicitly).

use std::sync::Weak;

use asl_interpreter::handler::HandlerFuture;
use asl_interpreter::{TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Map, Value};

use crate::api::{self, ApiError};
use crate::service::Service;

/// The resource prefix this handler serves.
pub const PREFIX: &str = "arn:aws:states:::aws-sdk:sfn:";

/// Members whose JSON value is sent as its text.
const TEXT_MEMBERS: &[&str] = &["input", "output"];

/// Step Functions actions through this server's API.
pub struct SdkSfn(pub Weak<Service>);

impl TaskHandler for SdkSfn {
    fn call(&self, req: TaskRequest) -> HandlerFuture {
        let svc = self.0.clone();
        Box::pin(async move {
            let svc = super::running_service(&svc)?;
            let resource = asl_core::resource::routing_form(&req.resource);
            let action = resource
                .strip_prefix(PREFIX)
                .unwrap_or_default()
                .split('.')
                .next()
                .unwrap_or_default();
            let op = pascal(action);
            if !api::OPERATIONS.contains(&op.as_str()) {
                return Err(TaskFailure::new(
                    "States.Runtime",
                    format!(
                        "The resource '{}' is not a Step Functions API action",
                        req.resource
                    ),
                ));
            }
            let Value::Object(params) = rename_keys(&req.parameters, camel) else {
                return Err(TaskFailure::new(
                    "Sfn.SerializationException",
                    "The parameters of an AWS SDK integration must be a JSON object",
                ));
            };
            let mut body: Map<String, Value> = params;
            for k in TEXT_MEMBERS {
                if let Some(v) = body.get_mut(*k)
                    && !v.is_string()
                    && !v.is_null()
                {
                    *v = Value::String(v.to_string());
                }
            }
            let region = asl_core::arn::Scope::of_arn(&req.execution_arn).map(|s| s.region);
            match api::dispatch_in(&svc, region.as_deref(), &op, &body).await {
                Ok(v) => Ok(rename_keys(&v, pascal_key)),
                Err(e) => Err(sdk_error(&e)),
            }
        })
    }
}

/// An API error as the AWS SDK integration names it: `Sfn.<Name>Exception`.
fn sdk_error(e: &ApiError) -> TaskFailure {
    let name = e.code.as_str();
    let name = name.strip_suffix("Exception").unwrap_or(name);
    TaskFailure::new(format!("Sfn.{name}Exception"), e.message.clone())
}

/// `startExecution` -> `StartExecution`.
fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn pascal_key(s: &str) -> String {
    pascal(s)
}

/// `StateMachineArn` -> `stateMachineArn`.
fn camel(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// `v` with every object key renamed by `f`, at every depth (tag maps and the like are lists
/// of `{key, value}` in this API, so no user key is renamed).
fn rename_keys(v: &Value, f: fn(&str) -> String) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (f(k), rename_keys(v, f))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(|v| rename_keys(v, f)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_change_case_both_ways_at_every_depth() {
        let p = json!({"StateMachineArn": "a", "LoggingConfiguration": {"Level": "ALL", "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": "g"}}]}});
        let c = rename_keys(&p, camel);
        assert_eq!(
            c,
            json!({"stateMachineArn": "a", "loggingConfiguration": {"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "g"}}]}})
        );
        assert_eq!(rename_keys(&c, pascal_key), p);
        assert_eq!(pascal("startExecution"), "StartExecution");
        assert_eq!(pascal(""), "");
    }

    #[test]
    fn api_errors_get_the_sdk_integration_s_names() {
        for (code, name) in [
            (
                api::ErrorCode::ExecutionDoesNotExist,
                "Sfn.ExecutionDoesNotExistException",
            ),
            (
                api::ErrorCode::ValidationException,
                "Sfn.ValidationException",
            ),
            (api::ErrorCode::InvalidArn, "Sfn.InvalidArnException"),
        ] {
            let f = sdk_error(&ApiError::new(code, "m"));
            assert_eq!(f.error.as_deref(), Some(name));
            assert_eq!(f.cause.as_deref(), Some("m"));
        }
    }
}
