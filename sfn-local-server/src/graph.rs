//! `sfn-local graph`: a definition as a picture (Mermaid, Graphviz DOT or SVG, drawn by
//! [`asl_graph`]), with an execution laid over it when one is named: from a file (the JSON of
//! `sfn-local run` or of `GetExecutionHistory`) or from a running server by its ARN.
//!
//! Definitions are read as `asl-validate` reads them ([`asl_validate::definitions_in`]): a
//! definition file (JSON or YAML), or a CloudFormation/SAM/CDK template (`--name` picks a
//! state machine when it holds several).

use std::path::{Path, PathBuf};

use asl_core::StateMachine;
use asl_graph::{Format, Graph, Overlay, render};
use clap::Args;
use serde_json::{Value, json};

/// Options of `sfn-local graph`.
#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    /// The definition: a definition file (JSON or YAML) or a CloudFormation/SAM/CDK template.
    /// With `--execution`, the execution's own definition is used when this is left out.
    pub definition: Option<PathBuf>,
    /// The output format (by default from `--out`'s extension, else Mermaid).
    #[arg(long, value_parser = ["mermaid", "dot", "svg"])]
    pub format: Option<String>,
    /// Write the picture to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The state machine of a template that holds several (its logical id).
    #[arg(long)]
    pub name: Option<String>,
    /// Lay this execution over the picture: the JSON of `sfn-local run` or of
    /// `GetExecutionHistory` (an object with `events`).
    #[arg(long, value_name = "FILE", conflicts_with = "execution")]
    pub history: Option<PathBuf>,
    /// Lay this execution of a running server over the picture.
    #[arg(long, value_name = "ARN")]
    pub execution: Option<String>,
    /// The server `--execution` asks.
    #[arg(
        long,
        env = "SFN_LOCAL_ENDPOINT",
        default_value = "http://127.0.0.1:8083"
    )]
    pub endpoint: String,
}

/// Runs the command; returns the process exit code (0 written, 2 bad arguments or input,
/// 1 the server could not answer).
pub fn graph(args: &GraphArgs) -> i32 {
    match draw(args) {
        Ok(()) => 0,
        Err((code, message)) => {
            eprintln!("sfn-local: {message}");
            code
        }
    }
}

type Failure = (i32, String);

fn bad(message: impl Into<String>) -> Failure {
    (2, message.into())
}

fn draw(args: &GraphArgs) -> Result<(), Failure> {
    let format = match (&args.format, &args.out) {
        (Some(f), _) => f.parse::<Format>().map_err(|e| bad(e.to_string()))?,
        (None, Some(out)) => Format::from_path(&out.to_string_lossy()).unwrap_or(Format::Mermaid),
        (None, None) => Format::Mermaid,
    };
    let (definition, history) = match &args.execution {
        Some(arn) => {
            let (definition, history) = fetch(&args.endpoint, arn)?;
            let definition = match &args.definition {
                Some(path) => read_definition(path, args.name.as_deref())?,
                None => definition,
            };
            (definition, Some(history))
        }
        None => {
            let Some(path) = &args.definition else {
                return Err(bad(
                    "name a definition file, or an execution with --execution",
                ));
            };
            let history = match &args.history {
                Some(h) => Some(read_json(h)?),
                None => None,
            };
            (read_definition(path, args.name.as_deref())?, history)
        }
    };
    let picture = picture(&definition, history.as_ref(), format)?;
    match &args.out {
        Some(out) => std::fs::write(out, picture)
            .map_err(|e| bad(format!("cannot write {}: {e}", out.display()))),
        None => {
            print!("{picture}");
            Ok(())
        }
    }
}

/// The picture of `definition` (with the execution of `history`) in `format`.
fn picture(definition: &Value, history: Option<&Value>, format: Format) -> Result<String, Failure> {
    let machine = StateMachine::from_value(definition)
        .map_err(|e| bad(format!("invalid definition: {e}")))?;
    picture_of(&machine, history, format).map_err(bad)
}

/// The picture of `machine` (with the execution of `history`: an object with `events`, as
/// `sfn-local run` and `GetExecutionHistory` write it) in `format`.
pub fn picture_of(
    machine: &StateMachine,
    history: Option<&Value>,
    format: Format,
) -> Result<String, String> {
    let graph = Graph::from_machine(machine);
    let overlay = match history {
        Some(h) => Some(
            Overlay::from_history(&graph, h)
                .map_err(|e| format!("the history does not fit the definition: {e}"))?,
        ),
        None => None,
    };
    Ok(render(&graph, overlay.as_ref(), format))
}

fn read_json(path: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| bad(format!("{} is not JSON: {e}", path.display())))
}

/// The definition in `path`: the file, or the state machine `name` of a template.
fn read_definition(path: &Path, name: Option<&str>) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
    let mut found = asl_validate::definitions_in(Some(path), &text)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let names = || {
        found
            .iter()
            .filter_map(|d| d.name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(n) => match found.iter().position(|d| d.name.as_deref() == Some(n)) {
            Some(i) => Ok(found.swap_remove(i).definition),
            None => Err(bad(format!(
                "{} has no state machine {n} (it has: {})",
                path.display(),
                names()
            ))),
        },
        None if found.len() == 1 => Ok(found.remove(0).definition),
        None if found.is_empty() => Err(bad(format!(
            "{} holds no state machine definition",
            path.display()
        ))),
        None => Err(bad(format!(
            "{} holds several state machines; pick one with --name ({})",
            path.display(),
            names()
        ))),
    }
}

/// The definition an execution ran and its whole history, from the server at `endpoint`.
fn fetch(endpoint: &str, arn: &str) -> Result<(Value, Value), Failure> {
    crate::client::block_on(async {
        let described = call(
            endpoint,
            "DescribeStateMachineForExecution",
            json!({"executionArn": arn}),
        )
        .await?;
        let definition: Value = described["definition"]
            .as_str()
            .and_then(|t| serde_json::from_str(t).ok())
            .ok_or_else(|| format!("the server sent no definition for {arn}"))?;
        let mut events = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"executionArn": arn, "maxResults": 1000});
            if let Some(t) = &token {
                body["nextToken"] = json!(t);
            }
            let page = call(endpoint, "GetExecutionHistory", body).await?;
            if let Some(list) = page["events"].as_array() {
                events.extend(list.iter().cloned());
            }
            match page["nextToken"].as_str() {
                Some(t) => token = Some(t.to_string()),
                None => break,
            }
        }
        Ok((definition, json!({"events": events})))
    })
    .map_err(|e| (1, e))
}

/// One call of the Step Functions API.
async fn call(endpoint: &str, op: &str, body: Value) -> Result<Value, String> {
    crate::client::call(endpoint, &format!("AWSStepFunctions.{op}"), &body).await
}
