//! Member names as Step Functions gives them: an integration's parameters and results are in
//! PascalCase whatever the service's own case (AWS: "Parameters in Step Functions are
//! expressed in PascalCase, even if the native service API is in camelCase"). Services whose
//! JSON API is camelCase (Step Functions, ECS) have their members renamed both ways here.

use serde_json::Value;

/// `startExecution` -> `StartExecution`.
pub(crate) fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `StateMachineArn` -> `stateMachineArn`.
pub(crate) fn camel(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// `v` with every object key renamed by `f`, at every depth (these APIs give tags and the
/// like as lists of `{key, value}`, so user keys are rarely renamed).
pub(crate) fn rename_keys(v: &Value, f: fn(&str) -> String) -> Value {
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
        assert_eq!(rename_keys(&c, pascal), p);
        assert_eq!(pascal("startExecution"), "StartExecution");
        assert_eq!(pascal(""), "");
        assert_eq!(camel(""), "");
    }
}
