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

/// `v` with every member name renamed by `f`, at every depth, except inside the members
/// named in `maps` (their API names, camelCase): those are maps whose keys are data (Batch's
/// `parameters` and `tags`, ECS's `dockerLabels`, Step Functions' `variableReferences`, whose
/// keys are state names), kept as given.
pub(crate) fn rename_keys(v: &Value, f: fn(&str) -> String, maps: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let value = if maps.contains(&camel(k).as_str()) {
                        v.clone()
                    } else {
                        rename_keys(v, f, maps)
                    };
                    (f(k), value)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|v| rename_keys(v, f, maps)).collect()),
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
        let c = rename_keys(&p, camel, &[]);
        assert_eq!(
            c,
            json!({"stateMachineArn": "a", "loggingConfiguration": {"level": "ALL", "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "g"}}]}})
        );
        assert_eq!(rename_keys(&c, pascal, &[]), p);
        assert_eq!(pascal("startExecution"), "StartExecution");
        assert_eq!(pascal(""), "");
        assert_eq!(camel(""), "");
    }

    /// A map's keys are data: renamed neither way.
    #[test]
    fn map_members_keep_their_keys() {
        let maps = &["parameters", "tags", "variableReferences"];
        let p = json!({"JobName": "j", "Parameters": {"InputFile": "a", "mode": "b"},
            "Tags": {"Team": "x"}, "ContainerOverrides": {"Environment": [{"Name": "A", "Value": "1"}]}});
        let c = rename_keys(&p, camel, maps);
        assert_eq!(
            c,
            json!({"jobName": "j", "parameters": {"InputFile": "a", "mode": "b"},
                "tags": {"Team": "x"}, "containerOverrides": {"environment": [{"name": "A", "value": "1"}]}})
        );
        assert_eq!(rename_keys(&c, pascal, maps), p);
        let answer = json!({"name": "m", "variableReferences": {"stateA": ["x"]}});
        assert_eq!(
            rename_keys(&answer, pascal, maps),
            json!({"Name": "m", "VariableReferences": {"stateA": ["x"]}})
        );
    }
}
