//! AWS Step Functions Local's MockConfigFile format.
//!
//! ```json
//! {"StateMachines": {"SM": {"TestCases": {"Case": {"State": "Response"}}}},
//!  "MockedResponses": {"Response": {"0": {"Return": {}}, "1-2": {"Throw": {"Error": "E", "Cause": "C"}}}}}
//! ```
//! Keys count the state's invocations within the execution from 0, retries included.

use std::collections::HashMap;

use serde_json::Value;

use crate::handler::TaskFailure;

/// One mocked answer.
#[derive(Debug, Clone, PartialEq)]
pub enum MockResponse {
    /// `Return`: the task result.
    Return(Value),
    /// `Throw`: the task fails.
    Throw(TaskFailure),
}

/// A parsed mock configuration.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// state machine -> test case -> state -> response name.
    cases: HashMap<String, HashMap<String, HashMap<String, String>>>,
    /// response name -> ranges.
    responses: HashMap<String, Vec<(u64, u64, MockResponse)>>,
}

/// A malformed mock configuration.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid mock config: {0}")]
pub struct MockConfigError(pub String);

impl MockConfig {
    /// Parses the JSON text of a MockConfigFile.
    pub fn from_json(text: &str) -> Result<MockConfig, MockConfigError> {
        let v: Value = serde_json::from_str(text).map_err(|e| MockConfigError(e.to_string()))?;
        Self::from_value(&v)
    }

    /// Parses a MockConfigFile already decoded.
    pub fn from_value(v: &Value) -> Result<MockConfig, MockConfigError> {
        let err = |m: &str| MockConfigError(m.to_string());
        let mut cfg = MockConfig::default();
        if let Some(sms) = v.get("StateMachines") {
            for (sm, def) in sms
                .as_object()
                .ok_or_else(|| err("StateMachines must be an object"))?
            {
                let mut cases = HashMap::new();
                if let Some(tcs) = def.get("TestCases") {
                    for (tc, states) in tcs
                        .as_object()
                        .ok_or_else(|| err("TestCases must be an object"))?
                    {
                        let mut map = HashMap::new();
                        for (state, resp) in states
                            .as_object()
                            .ok_or_else(|| err("a test case must be an object"))?
                        {
                            let r = resp
                                .as_str()
                                .ok_or_else(|| err("a test case maps states to response names"))?;
                            map.insert(state.clone(), r.to_string());
                        }
                        cases.insert(tc.clone(), map);
                    }
                }
                cfg.cases.insert(sm.clone(), cases);
            }
        }
        if let Some(resps) = v.get("MockedResponses") {
            for (name, ranges) in resps
                .as_object()
                .ok_or_else(|| err("MockedResponses must be an object"))?
            {
                let mut out = Vec::new();
                for (key, r) in ranges
                    .as_object()
                    .ok_or_else(|| err("a mocked response must be an object"))?
                {
                    let (lo, hi) = match key.split_once('-') {
                        Some((a, b)) => (a.trim().parse(), b.trim().parse()),
                        None => (key.trim().parse(), key.trim().parse()),
                    };
                    let (Ok(lo), Ok(hi)) = (lo, hi) else {
                        return Err(MockConfigError(format!(
                            "invalid invocation range '{key}' in {name}"
                        )));
                    };
                    let resp = if let Some(ret) = r.get("Return") {
                        MockResponse::Return(ret.clone())
                    } else if let Some(t) = r.get("Throw") {
                        MockResponse::Throw(TaskFailure {
                            error: t.get("Error").and_then(Value::as_str).map(str::to_string),
                            cause: t.get("Cause").and_then(Value::as_str).map(str::to_string),
                        })
                    } else {
                        return Err(MockConfigError(format!(
                            "response {name}/{key} needs Return or Throw"
                        )));
                    };
                    out.push((lo, hi, resp));
                }
                out.sort_by_key(|(lo, _, _)| *lo);
                cfg.responses.insert(name.clone(), out);
            }
        }
        Ok(cfg)
    }

    /// The test case `case` of `state_machine` exists.
    pub fn has_test_case(&self, state_machine: &str, case: &str) -> bool {
        self.cases
            .get(state_machine)
            .is_some_and(|c| c.contains_key(case))
    }

    /// Whether the test case mocks `state`.
    pub fn mocks_state(&self, state_machine: &str, case: &str, state: &str) -> bool {
        self.response_name(state_machine, case, state).is_some()
    }

    fn response_name(&self, sm: &str, case: &str, state: &str) -> Option<&String> {
        self.cases.get(sm)?.get(case)?.get(state)
    }

    /// The answer for invocation `n` of `state`: `None` when the state is not mocked,
    /// `Some(Err(cause))` when it is but has no answer for `n`.
    pub fn response(
        &self,
        sm: &str,
        case: &str,
        state: &str,
        n: u64,
    ) -> Option<Result<MockResponse, String>> {
        let name = self.response_name(sm, case, state)?;
        let Some(ranges) = self.responses.get(name) else {
            return Some(Err(format!(
                "The mocked response '{name}' for state '{state}' does not exist in MockedResponses."
            )));
        };
        Some(
            ranges
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&n))
                .map(|(_, _, r)| r.clone())
                .ok_or_else(|| {
                    format!(
                        "The mocked response '{name}' for state '{state}' has no entry for invocation {n}: the state was invoked more times than the mock lists."
                    )
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_counts() {
        let cfg = MockConfig::from_json(
            r#"{"StateMachines":{"SM":{"TestCases":{"T":{"A":"R"}}}},
                "MockedResponses":{"R":{"0-1":{"Throw":{"Error":"E","Cause":"C"}},"2":{"Return":{"ok":true}}}}}"#,
        )
        .unwrap();
        assert!(matches!(
            cfg.response("SM", "T", "A", 0),
            Some(Ok(MockResponse::Throw(_)))
        ));
        assert!(matches!(
            cfg.response("SM", "T", "A", 1),
            Some(Ok(MockResponse::Throw(_)))
        ));
        assert_eq!(
            cfg.response("SM", "T", "A", 2),
            Some(Ok(MockResponse::Return(serde_json::json!({"ok": true}))))
        );
        assert!(matches!(cfg.response("SM", "T", "A", 3), Some(Err(_))));
        assert_eq!(cfg.response("SM", "T", "B", 0), None);
    }

    #[test]
    fn bad_configs_are_errors() {
        assert!(MockConfig::from_json("[").is_err());
        assert!(MockConfig::from_json(r#"{"MockedResponses":{"R":{"x":{"Return":1}}}}"#).is_err());
        assert!(MockConfig::from_json(r#"{"MockedResponses":{"R":{"0":{}}}}"#).is_err());
    }
}
