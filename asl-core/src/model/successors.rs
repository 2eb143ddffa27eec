//! Where a state can go next: the one list of a state's transition targets.
//!
//! The parser checks that each names a state of the same workflow, the validator builds its
//! reachability graph from them, and TestState turns each into a stub state.

use super::{State, StateKind, Transition};

/// Which field of a state names a successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// The state's `Next`.
    Next,
    /// The `Next` of the Choice rule at this index of `Choices`.
    Choice(usize),
    /// The `Default` of a Choice state.
    Default,
    /// The `Next` of the catcher at this index of `Catch`.
    Catch(usize),
}

/// One transition out of a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge<'a> {
    /// Which field names the target.
    pub kind: EdgeKind,
    /// The name of the state it goes to.
    pub target: &'a str,
    /// JSON pointer of the object that holds the field: the state, the Choice rule or the
    /// catcher.
    pub holder: &'a str,
}

impl Edge<'_> {
    /// The field that names the target (`Default` or `Next`).
    pub fn field(&self) -> &'static str {
        match self.kind {
            EdgeKind::Default => "Default",
            _ => "Next",
        }
    }

    /// The JSON pointer of that field (`/States/A/Catch/0/Next`).
    pub fn pointer(&self) -> String {
        format!("{}/{}", self.holder, self.field())
    }
}

impl State {
    /// Every transition out of this state, in definition order: `Next`, each Choice rule's
    /// `Next`, `Default`, each catcher's `Next`. A name appears once per field that names it.
    ///
    /// `End: true`, Succeed and Fail add no `Next` (catchers still count); the states inside a
    /// Parallel's branches or a Map's processor belong to their own workflows, not this state's.
    pub fn successors(&self) -> impl Iterator<Item = Edge<'_>> {
        let next = match &self.transition {
            Transition::Next(n) => Some(Edge {
                kind: EdgeKind::Next,
                target: n.as_str(),
                holder: self.pointer.as_str(),
            }),
            Transition::End | Transition::Terminal => None,
        };
        let (rules, default) = match &self.kind {
            StateKind::Choice(c) => (c.choices.as_slice(), c.default.as_deref()),
            _ => (&[][..], None),
        };
        let rules = rules.iter().enumerate().map(|(i, r)| Edge {
            kind: EdgeKind::Choice(i),
            target: r.next.as_str(),
            holder: r.pointer.as_str(),
        });
        let default = default.map(|d| Edge {
            kind: EdgeKind::Default,
            target: d,
            holder: self.pointer.as_str(),
        });
        let catches = self.catch().iter().enumerate().map(|(i, c)| Edge {
            kind: EdgeKind::Catch(i),
            target: c.next.as_str(),
            holder: c.pointer.as_str(),
        });
        next.into_iter().chain(rules).chain(default).chain(catches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StateMachine;

    /// The successors of state `name`, as `(kind, target, pointer)`.
    fn edges(definition: &str, name: &str) -> Vec<(EdgeKind, String, String)> {
        let m = StateMachine::from_str(definition).unwrap();
        m.state(name)
            .unwrap()
            .successors()
            .map(|e| (e.kind, e.target.to_string(), e.pointer()))
            .collect()
    }

    fn edge(kind: EdgeKind, target: &str, pointer: &str) -> (EdgeKind, String, String) {
        (kind, target.to_string(), pointer.to_string())
    }

    #[test]
    fn next_and_catchers() {
        let def = r#"{"StartAt":"T","States":{
            "T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","Next":"A",
                 "Catch":[{"ErrorEquals":["X"],"Next":"B"},{"ErrorEquals":["States.ALL"],"Next":"A"}]},
            "A":{"Type":"Succeed"},"B":{"Type":"Fail"}}}"#;
        assert_eq!(
            edges(def, "T"),
            [
                edge(EdgeKind::Next, "A", "/States/T/Next"),
                edge(EdgeKind::Catch(0), "B", "/States/T/Catch/0/Next"),
                edge(EdgeKind::Catch(1), "A", "/States/T/Catch/1/Next"),
            ]
        );
    }

    #[test]
    fn choice_rules_then_default() {
        let def = r#"{"StartAt":"C","States":{
            "C":{"Type":"Choice","Default":"D","Choices":[
                {"Variable":"$.a","IsPresent":true,"Next":"A"},
                {"Not":{"Variable":"$.b","IsNull":true},"Next":"B"}]},
            "A":{"Type":"Succeed"},"B":{"Type":"Succeed"},"D":{"Type":"Succeed"}}}"#;
        assert_eq!(
            edges(def, "C"),
            [
                edge(EdgeKind::Choice(0), "A", "/States/C/Choices/0/Next"),
                edge(EdgeKind::Choice(1), "B", "/States/C/Choices/1/Next"),
                edge(EdgeKind::Default, "D", "/States/C/Default"),
            ]
        );
    }

    #[test]
    fn terminal_states_have_none() {
        let def = r#"{"StartAt":"P","States":{
            "P":{"Type":"Pass","End":true},"S":{"Type":"Succeed"},"F":{"Type":"Fail"},
            "C":{"Type":"Choice","Choices":[{"Variable":"$.a","IsPresent":true,"Next":"S"}]}}}"#;
        for name in ["P", "S", "F"] {
            assert_eq!(edges(def, name), [], "{name}");
        }
        assert_eq!(edges(def, "C").len(), 1);
    }

    #[test]
    fn nested_workflows_are_not_the_states_own() {
        let def = r#"{"StartAt":"P","States":{
            "P":{"Type":"Parallel","Next":"M","Branches":[
                {"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y"},"Y":{"Type":"Succeed"}}}]},
            "M":{"Type":"Map","End":true,"Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],
                 "ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","End":true}}}},
            "F":{"Type":"Fail"}}}"#;
        assert_eq!(
            edges(def, "P"),
            [edge(EdgeKind::Next, "M", "/States/P/Next")]
        );
        assert_eq!(
            edges(def, "M"),
            [edge(EdgeKind::Catch(0), "F", "/States/M/Catch/0/Next")]
        );
    }

    #[test]
    fn jsonata_choice_rules() {
        let def = r#"{"QueryLanguage":"JSONata","StartAt":"C","States":{
            "C":{"Type":"Choice","Choices":[{"Condition":"{% $states.input.a %}","Next":"A"}],
                 "Default":"A"},
            "A":{"Type":"Succeed"}}}"#;
        let targets: Vec<String> = edges(def, "C").into_iter().map(|e| e.1).collect();
        assert_eq!(targets, ["A", "A"]);
    }
}
