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

use super::member_case::{camel, pascal, rename_keys};
use crate::api::{self, ApiError};
use crate::service::Service;

/// The resource prefix this handler serves.
pub const PREFIX: &str = "arn:aws:states:::aws-sdk:sfn:";

/// The API's map members (botocore's model): their keys are data.
pub(crate) const MAPS: &[&str] = &["assignedVariables", "variableReferences"];

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
            let Value::Object(params) = rename_keys(&req.parameters, camel, MAPS) else {
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
                Ok(v) => Ok(rename_keys(&v, pascal, MAPS)),
                Err(e) => Err(sdk_error(&e)),
            }
        })
    }
}

/// An API error as the AWS SDK integration names it: `Sfn.<Name>Exception`, the v2 SDK's
/// cause.
fn sdk_error(e: &ApiError) -> TaskFailure {
    use asl_interpreter::service_errors::{Api, SFN, named_failure};
    let id = uuid::Uuid::new_v4().to_string();
    named_failure(
        Api::Sdk,
        SFN.sdk,
        e.code.as_str(),
        &e.message,
        e.status(),
        Some(&id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let cause = f.cause.unwrap();
            assert!(
                cause.starts_with("m (Service: Sfn, Status Code: 400, Request ID: "),
                "{cause}"
            );
        }
    }
}
