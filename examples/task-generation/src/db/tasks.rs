//! Generated tasks: saved per action, all or nothing.

use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Database, DbError, SaveFault, corrupt, ts};

/// What kind of task the AI proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskType {
    /// Done once.
    Execution,
    /// Repeated.
    Habit,
}

impl TaskType {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Execution => "execution",
            TaskType::Habit => "habit",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "execution" => Some(TaskType::Execution),
            "habit" => Some(TaskType::Habit),
            _ => None,
        }
    }
}

/// A task to save (as the AI generated it, validated).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewTask {
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub task_type: TaskType,
    /// The estimated time, in minutes.
    pub estimated_minutes: u32,
}

/// A saved task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Task {
    /// Its id (a UUID).
    pub id: String,
    /// The action it belongs to.
    pub action_id: String,
    /// The action's goal.
    pub goal_id: String,
    /// The execution that generated it.
    pub execution_arn: String,
    /// Its place among the action's tasks.
    pub position: i64,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Its kind.
    pub task_type: TaskType,
    /// The estimated time, in minutes.
    pub estimated_minutes: u32,
    /// Always `not_started` when generated.
    pub status: String,
}

const TASK_COLUMNS: &str = "id, action_id, goal_id, execution_arn, position, title, description, type, estimated_minutes, status, created_at";

impl Database {
    /// Saves an action's tasks in one transaction: the action's previous tasks are replaced
    /// by one multi-row insert. Refused when the execution is no longer running or was asked
    /// to stop, so a late save cannot undo a cancellation's clean-up.
    pub fn save_tasks(
        &self,
        execution_arn: &str,
        goal_id: &str,
        action_id: &str,
        tasks: &[NewTask],
        now: DateTime<Utc>,
    ) -> Result<usize, DbError> {
        let fault = self.take_save_fault(action_id);
        if fault == Some(SaveFault::BeforeWrite) {
            return Err(DbError::Injected(action_id.to_string()));
        }
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let running: Option<(String, bool)> = tx
            .query_row(
                "SELECT status, cancel_requested FROM workflow_executions WHERE execution_arn = ?1",
                [execution_arn],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match running {
            Some((status, false)) if status == "RUNNING" => {}
            _ => return Err(DbError::NotRunning(execution_arn.to_string())),
        }
        let owner: Option<String> = tx
            .query_row(
                "SELECT goal_id FROM actions WHERE id = ?1",
                [action_id],
                |r| r.get(0),
            )
            .optional()?;
        if owner.as_deref() != Some(goal_id) {
            return Err(DbError::NotFound {
                kind: "action",
                id: format!("{action_id} (of goal {goal_id})"),
            });
        }
        tx.execute("DELETE FROM tasks WHERE action_id = ?1", [action_id])?;
        if !tasks.is_empty() {
            let row = format!("({})", ["?"; 11].join(", "));
            let sql = format!(
                "INSERT INTO tasks ({TASK_COLUMNS}) VALUES {}",
                vec![row.as_str(); tasks.len()].join(", ")
            );
            let created = ts(now);
            let mut values: Vec<SqlValue> = Vec::with_capacity(tasks.len() * 11);
            for (i, t) in tasks.iter().enumerate() {
                values.extend([
                    SqlValue::Text(uuid::Uuid::new_v4().to_string()),
                    SqlValue::Text(action_id.to_string()),
                    SqlValue::Text(goal_id.to_string()),
                    SqlValue::Text(execution_arn.to_string()),
                    SqlValue::Integer(i as i64),
                    SqlValue::Text(t.title.clone()),
                    SqlValue::Text(t.description.clone()),
                    SqlValue::Text(t.task_type.as_str().to_string()),
                    SqlValue::Integer(i64::from(t.estimated_minutes)),
                    SqlValue::Text("not_started".to_string()),
                    SqlValue::Text(created.clone()),
                ]);
            }
            tx.execute(&sql, rusqlite::params_from_iter(values))?;
        }
        if fault == Some(SaveFault::BeforeCommit) {
            // Dropping the transaction rolls the insert back.
            return Err(DbError::Injected(action_id.to_string()));
        }
        tx.commit()?;
        Ok(tasks.len())
    }

    /// Deletes the tasks an execution generated; returns how many.
    pub fn delete_tasks_of_execution(&self, execution_arn: &str) -> Result<usize, DbError> {
        let conn = self.lock();
        Ok(conn.execute(
            "DELETE FROM tasks WHERE execution_arn = ?1",
            [execution_arn],
        )?)
    }

    /// A goal's tasks, by action position then task position.
    pub fn tasks_of_goal(&self, goal_id: &str) -> Result<Vec<Task>, DbError> {
        self.query_tasks(
            "WHERE t.goal_id = ?1 ORDER BY a.position, t.position",
            params![goal_id],
        )
    }

    /// An action's tasks, in order.
    pub fn tasks_of_action(&self, action_id: &str) -> Result<Vec<Task>, DbError> {
        self.query_tasks(
            "WHERE t.action_id = ?1 ORDER BY t.position",
            params![action_id],
        )
    }

    /// The tasks an execution generated.
    pub fn tasks_of_execution(&self, execution_arn: &str) -> Result<Vec<Task>, DbError> {
        self.query_tasks(
            "WHERE t.execution_arn = ?1 ORDER BY a.position, t.position",
            params![execution_arn],
        )
    }

    fn query_tasks(&self, tail: &str, p: impl rusqlite::Params) -> Result<Vec<Task>, DbError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT t.id, t.action_id, t.goal_id, t.execution_arn, t.position, t.title, t.description,
                    t.type, t.estimated_minutes, t.status
             FROM tasks t JOIN actions a ON a.id = t.action_id {tail}"
        ))?;
        let rows = stmt.query_map(p, |r| {
            Ok((
                Task {
                    id: r.get(0)?,
                    action_id: r.get(1)?,
                    goal_id: r.get(2)?,
                    execution_arn: r.get(3)?,
                    position: r.get(4)?,
                    title: r.get(5)?,
                    description: r.get(6)?,
                    task_type: TaskType::Execution,
                    estimated_minutes: r.get(8)?,
                    status: r.get(9)?,
                },
                r.get::<_, String>(7)?,
            ))
        })?;
        rows.map(|row| {
            let (mut task, ty) = row?;
            task.task_type =
                TaskType::parse(&ty).ok_or_else(|| corrupt(format!("task type '{ty}'")))?;
            Ok(task)
        })
        .collect()
    }
}
