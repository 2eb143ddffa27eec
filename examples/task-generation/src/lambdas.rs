//! The workflow's Lambda functions, in Rust, registered by function name for
//! `arn:aws:states:::lambda:invoke`. Each gets the invoke's `Payload` as its event and returns
//! its result (the engine wraps it in the invoke response), or a function error whose name is
//! the `errorType` (what Retry and Catch match) and whose cause is Lambda's error JSON.

use std::collections::HashSet;

use asl_interpreter::{Handlers, TaskFailure, TaskHandler, TaskRequest};
use serde_json::{Value, json};

use crate::ai::MockAi;
use crate::db::{ActionOutcome, ActionResult, Database, DbError, GoalChange, GoalStatus, NewTask};
use crate::workflow::functions;

/// A function error: `errorType` and `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LambdaError {
    error_type: String,
    message: String,
}

impl LambdaError {
    fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        LambdaError {
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", message)
    }

    fn into_failure(self) -> TaskFailure {
        let cause = json!({
            "errorMessage": self.message,
            "errorType": self.error_type,
            "trace": [],
        });
        TaskFailure::new(self.error_type, cause.to_string())
    }
}

impl From<DbError> for LambdaError {
    fn from(e: DbError) -> Self {
        let ty = match &e {
            DbError::Sqlite(_) | DbError::Injected(_) | DbError::Corrupt(_) => "Database.Error",
            DbError::Conflict { .. } => "Database.Conflict",
            DbError::NotRunning(_) => "Workflow.ExecutionNotRunning",
            DbError::NotFound { .. } => "ValidationError",
        };
        LambdaError::new(ty, e.to_string())
    }
}

type LambdaResult = Result<Value, LambdaError>;

/// What the functions share.
#[derive(Clone)]
pub(crate) struct Ctx {
    pub db: Database,
    pub ai: MockAi,
}

/// Registers every function of the workflow.
pub(crate) fn register(handlers: Handlers, ctx: &Ctx) -> Handlers {
    let ai_ctx = ctx.clone();
    handlers
        .function(functions::VALIDATE_INPUT, sync(ctx, validate_input))
        .function(functions::GET_ACTIONS, sync(ctx, get_actions))
        .function(functions::GENERATE_TASKS, move |req: TaskRequest| {
            let ctx = ai_ctx.clone();
            async move {
                let payload = payload(&req);
                respond(generate_tasks(&ctx, &req, &payload).await)
            }
        })
        .function(functions::SAVE_TASKS, sync(ctx, save_tasks))
        .function(functions::UPDATE_PROGRESS, sync(ctx, update_progress))
        .function(functions::RECONCILE_BATCH, sync(ctx, reconcile_batch))
        .function(functions::UPDATE_GOAL_STATUS, sync(ctx, update_goal_status))
        .function(functions::HANDLE_ERROR, sync(ctx, handle_error))
}

fn sync(ctx: &Ctx, f: fn(&Ctx, &TaskRequest, &Value) -> LambdaResult) -> impl TaskHandler {
    let ctx = ctx.clone();
    move |req: TaskRequest| {
        let r = f(&ctx, &req, &payload(&req));
        std::future::ready(respond(r))
    }
}

/// The event: the engine hands a function handler the invoke's `Payload` (and wraps the
/// result in the `lambda:invoke` response).
fn payload(req: &TaskRequest) -> Value {
    req.parameters.clone()
}

fn respond(r: LambdaResult) -> Result<Value, TaskFailure> {
    r.map_err(LambdaError::into_failure)
}

fn str_field<'a>(p: &'a Value, name: &str) -> Result<&'a str, LambdaError> {
    match p.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 256 => Ok(s),
        Some(Value::String(_)) => Err(LambdaError::validation(format!(
            "'{name}' must be a non-empty string of at most 256 characters"
        ))),
        Some(other) => Err(LambdaError::validation(format!(
            "'{name}' must be a string, not {other}"
        ))),
        None => Err(LambdaError::validation(format!("'{name}' is required"))),
    }
}

fn id_list(p: &Value, name: &str) -> Result<Vec<String>, LambdaError> {
    let Some(Value::Array(items)) = p.get(name) else {
        return Err(LambdaError::validation(format!(
            "'{name}' must be an array of ids"
        )));
    };
    if items.is_empty() {
        return Err(LambdaError::validation(format!("'{name}' is empty")));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item.as_str() {
            Some(s) if !s.is_empty() => {
                if !seen.insert(s) {
                    return Err(LambdaError::validation(format!(
                        "'{name}' lists '{s}' twice"
                    )));
                }
                out.push(s.to_string());
            }
            _ => {
                return Err(LambdaError::validation(format!(
                    "'{name}' must hold non-empty strings, not {item}"
                )));
            }
        }
    }
    Ok(out)
}

fn validate_input(ctx: &Ctx, _req: &TaskRequest, p: &Value) -> LambdaResult {
    let goal_id = str_field(p, "goalId")?;
    let user_id = str_field(p, "userId")?;
    let arn = str_field(p, "executionArn")?;
    let action_ids = id_list(p, "actionIds")?;
    let goal = ctx
        .db
        .goal(goal_id)?
        .ok_or_else(|| LambdaError::validation(format!("goal '{goal_id}' does not exist")))?;
    if goal.user_id != user_id {
        return Err(LambdaError::validation(format!(
            "goal '{goal_id}' does not belong to user '{user_id}'"
        )));
    }
    if goal.status != GoalStatus::Processing || goal.current_execution_arn.as_deref() != Some(arn) {
        return Err(LambdaError::validation(format!(
            "goal '{goal_id}' is {} and not being processed by this execution",
            goal.status
        )));
    }
    let known: HashSet<String> = ctx.db.actions(goal_id)?.into_iter().map(|a| a.id).collect();
    let unknown: Vec<&str> = action_ids
        .iter()
        .filter(|a| !known.contains(*a))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(LambdaError::validation(format!(
            "actions {unknown:?} do not belong to goal '{goal_id}'"
        )));
    }
    Ok(json!({"goalId": goal_id, "userId": user_id, "actionIds": action_ids}))
}

fn get_actions(ctx: &Ctx, _req: &TaskRequest, p: &Value) -> LambdaResult {
    let goal_id = str_field(p, "goalId")?;
    let ids = id_list(p, "actionIds")?;
    let goal = ctx
        .db
        .goal(goal_id)?
        .ok_or_else(|| LambdaError::validation(format!("goal '{goal_id}' does not exist")))?;
    let actions = ctx.db.actions(goal_id)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in &ids {
        let a = actions
            .iter()
            .find(|a| &a.id == id)
            .ok_or_else(|| LambdaError::validation(format!("action '{id}' does not exist")))?;
        out.push(json!({
            "actionId": a.id,
            "position": a.position,
            "title": a.title,
            "description": a.description,
            "goalTitle": goal.title,
        }));
    }
    Ok(json!({"actions": out}))
}

async fn generate_tasks(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let action = p.get("action").cloned().unwrap_or(Value::Null);
    let action_id = str_field(&action, "actionId")?;
    let title = str_field(&action, "title")?;
    let body = ctx
        .ai
        .generate(req, action_id, title)
        .await
        .map_err(|f| LambdaError::new(f.error, f.message))?;
    let tasks = parse_ai_tasks(&body)
        .map_err(|why| LambdaError::new("AI.InvalidResponse", format!("{action_id}: {why}")))?;
    Ok(json!({"actionId": action_id, "tasks": tasks}))
}

/// Checks the AI's answer: 1 to 20 tasks, each with a title, a description, a known type and
/// 1 to 480 estimated minutes.
pub(crate) fn parse_ai_tasks(body: &Value) -> Result<Vec<NewTask>, String> {
    let Some(items) = body.get("tasks").and_then(Value::as_array) else {
        return Err("the response has no 'tasks' array".into());
    };
    if items.is_empty() || items.len() > 20 {
        return Err(format!("expected 1 to 20 tasks, got {}", items.len()));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let task: NewTask = serde_json::from_value(t.clone())
                .map_err(|e| format!("task {i} is malformed: {e}"))?;
            if task.title.trim().is_empty() {
                return Err(format!("task {i} has an empty title"));
            }
            if !(1..=480).contains(&task.estimated_minutes) {
                return Err(format!(
                    "task {i} estimates {} minutes (1 to 480 expected)",
                    task.estimated_minutes
                ));
            }
            Ok(task)
        })
        .collect()
}

fn save_tasks(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let arn = str_field(p, "executionArn")?;
    let goal_id = str_field(p, "goalId")?;
    let action_id = str_field(p, "actionId")?;
    let tasks: Vec<NewTask> = p
        .get("tasks")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| LambdaError::validation(format!("'tasks' is malformed: {e}")))?
        .unwrap_or_default();
    if tasks.is_empty() {
        return Err(LambdaError::validation("no tasks to save"));
    }
    let saved = ctx
        .db
        .save_tasks(arn, goal_id, action_id, &tasks, req.clock.now())?;
    Ok(json!({"actionId": action_id, "saved": saved}))
}

fn action_result(v: &Value) -> Result<ActionResult, LambdaError> {
    let action_id = str_field(v, "actionId")?.to_string();
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    match v.get("status").and_then(Value::as_str) {
        Some("succeeded") => Ok(ActionResult {
            action_id,
            outcome: ActionOutcome::Succeeded,
            task_count: v
                .get("taskCount")
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            error: None,
            cause: None,
        }),
        Some("failed") => Ok(ActionResult {
            action_id,
            outcome: ActionOutcome::Failed,
            task_count: 0,
            error: text("error"),
            cause: text("cause"),
        }),
        _ => Err(LambdaError::validation(
            "'status' must be 'succeeded' or 'failed'",
        )),
    }
}

fn result_json(r: &ActionResult) -> Value {
    match r.outcome {
        ActionOutcome::Succeeded => {
            json!({"actionId": r.action_id, "status": "succeeded", "taskCount": r.task_count})
        }
        ActionOutcome::Failed => {
            json!({"actionId": r.action_id, "status": "failed", "error": r.error, "cause": r.cause})
        }
    }
}

fn update_progress(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let arn = str_field(p, "executionArn")?;
    let result = action_result(p.get("result").unwrap_or(&Value::Null))?;
    let (processed, total) = ctx.db.record_action_result(arn, &result, req.clock.now())?;
    Ok(json!({"processed": processed, "total": total}))
}

/// A batch failed as a whole: the actions it finished keep their result (or their saved tasks),
/// the others are recorded as failed with the batch's error.
fn reconcile_batch(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let arn = str_field(p, "executionArn")?;
    let Some(actions) = p.get("actions").and_then(Value::as_array) else {
        return Err(LambdaError::validation("'actions' must be an array"));
    };
    let batch = p.get("batchIndex").and_then(Value::as_u64).unwrap_or(0);
    let (error, cause) = batch_error(p, batch);
    let recorded = ctx.db.action_results(arn)?;
    let saved = ctx.db.tasks_of_execution(arn)?;
    let mut results = Vec::with_capacity(actions.len());
    for a in actions {
        let action_id = str_field(a, "actionId")?;
        if let Some(r) = recorded.iter().find(|r| r.action_id == action_id) {
            results.push(result_json(r));
            continue;
        }
        let count = saved.iter().filter(|t| t.action_id == action_id).count();
        let r = if count > 0 {
            ActionResult {
                action_id: action_id.to_string(),
                outcome: ActionOutcome::Succeeded,
                task_count: count as u32,
                error: None,
                cause: None,
            }
        } else {
            ActionResult {
                action_id: action_id.to_string(),
                outcome: ActionOutcome::Failed,
                task_count: 0,
                error: Some(error.clone()),
                cause: Some(cause.clone()),
            }
        };
        ctx.db.record_action_result(arn, &r, req.clock.now())?;
        results.push(result_json(&r));
    }
    Ok(json!({"results": results}))
}

/// The error to record for a failed batch: `States.Timeout` when the child timed out.
fn batch_error(p: &Value, batch: u64) -> (String, String) {
    let error = p
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("States.TaskFailed")
        .to_string();
    let cause = p
        .get("cause")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let child: Option<Value> = serde_json::from_str(&cause).ok();
    let status = child
        .as_ref()
        .and_then(|c| c.get("Status"))
        .and_then(Value::as_str);
    match status {
        Some("TIMED_OUT") => (
            "States.Timeout".to_string(),
            format!("Batch {batch} did not finish within its 300 seconds"),
        ),
        Some(s) => (
            error,
            format!(
                "Batch {batch} ended {s}: {}",
                child
                    .as_ref()
                    .and_then(|c| c.get("Error"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
        ),
        None => (error, cause),
    }
}

fn update_goal_status(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let goal_id = str_field(p, "goalId")?;
    let arn = str_field(p, "executionArn")?;
    let summary = p.get("summary").cloned().unwrap_or(Value::Null);
    let failed: Vec<String> = summary
        .get("failedActions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    ctx.db.set_result_summary(arn, &summary, &failed)?;
    let (with_tasks, total) = ctx.db.goal_coverage(goal_id)?;
    let status = GoalStatus::from_coverage(with_tasks, total);
    let (goal, _) = ctx.db.update_goal(goal_id, req.clock.now(), |g| {
        if g.status != GoalStatus::Processing || g.current_execution_arn.as_deref() != Some(arn) {
            return Err(DbError::NotRunning(arn.to_string()));
        }
        Ok(Some(GoalChange {
            status,
            current_execution_arn: g.current_execution_arn.clone(),
        }))
    })?;
    Ok(json!({"goalId": goal_id, "goalStatus": goal.status.as_str()}))
}

fn handle_error(ctx: &Ctx, req: &TaskRequest, p: &Value) -> LambdaResult {
    let arn = str_field(p, "executionArn")?;
    let error = p
        .get("error")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("TaskGeneration.UnknownError")
        .to_string();
    let cause = p
        .get("cause")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let out = json!({"error": error, "cause": cause});
    let Some(record) = ctx.db.execution(arn)? else {
        // Started outside the app: nothing to record.
        return Ok(out);
    };
    let failed: Vec<String> = match p
        .get("summary")
        .and_then(|s| s.get("failedActions"))
        .and_then(Value::as_array)
    {
        Some(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        None => {
            let ok: HashSet<String> = ctx
                .db
                .action_results(arn)?
                .into_iter()
                .filter(|r| r.outcome == ActionOutcome::Succeeded)
                .map(|r| r.action_id)
                .collect();
            record
                .action_ids
                .iter()
                .filter(|a| !ok.contains(*a))
                .cloned()
                .collect()
        }
    };
    if let Some(summary) = p.get("summary") {
        ctx.db.set_result_summary(arn, summary, &failed)?;
    }
    ctx.db.set_execution_error(arn, &error, &cause, &failed)?;
    // Only the goal this execution is processing, for the user who started it.
    let user = p.get("userId").and_then(Value::as_str);
    let (with_tasks, _) = ctx.db.goal_coverage(&record.goal_id)?;
    ctx.db.update_goal(&record.goal_id, req.clock.now(), |g| {
        let ours = g.status == GoalStatus::Processing
            && g.current_execution_arn.as_deref() == Some(arn)
            && user == Some(g.user_id.as_str());
        Ok(ours.then(|| GoalChange {
            status: if with_tasks > 0 {
                GoalStatus::Partial
            } else {
                GoalStatus::Failed
            },
            current_execution_arn: g.current_execution_arn.clone(),
        }))
    })?;
    ctx.db.log(
        arn,
        req.clock.now(),
        "error",
        None,
        &format!("{error}: {cause}"),
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ai_answers_are_checked() {
        let ok = json!({"tasks": [{"title": "t", "description": "d", "type": "habit", "estimatedMinutes": 30}]});
        assert_eq!(parse_ai_tasks(&ok).unwrap().len(), 1);
        let bad = [
            (json!({}), "no 'tasks' array"),
            (json!({"tasks": []}), "expected 1 to 20 tasks, got 0"),
            (json!({"tasks": [{"name": "x"}]}), "task 0 is malformed"),
            (
                json!({"tasks": [{"title": " ", "description": "", "type": "habit", "estimatedMinutes": 5}]}),
                "task 0 has an empty title",
            ),
            (
                json!({"tasks": [{"title": "t", "description": "", "type": "chore", "estimatedMinutes": 5}]}),
                "task 0 is malformed",
            ),
            (
                json!({"tasks": [{"title": "t", "description": "", "type": "habit", "estimatedMinutes": 0}]}),
                "estimates 0 minutes",
            ),
        ];
        for (body, why) in bad {
            let err = parse_ai_tasks(&body).unwrap_err();
            assert!(err.contains(why), "{body}: {err}");
        }
    }

    #[test]
    fn database_errors_map_to_retryable_names() {
        let name = |e: DbError| LambdaError::from(e).error_type;
        assert_eq!(name(DbError::Injected("a".into())), "Database.Error");
        assert_eq!(
            name(DbError::Conflict {
                goal: "g".into(),
                attempts: 5
            }),
            "Database.Conflict"
        );
        assert_eq!(
            name(DbError::NotRunning("x".into())),
            "Workflow.ExecutionNotRunning"
        );
    }

    #[test]
    fn a_timed_out_batch_is_reported_as_a_timeout() {
        let p = json!({"error": "States.TaskFailed", "cause": "{\"Status\":\"TIMED_OUT\"}"});
        assert_eq!(batch_error(&p, 2).0, "States.Timeout");
        let p = json!({"error": "States.TaskFailed", "cause": "not json"});
        assert_eq!(
            batch_error(&p, 2),
            ("States.TaskFailed".into(), "not json".into())
        );
    }
}
