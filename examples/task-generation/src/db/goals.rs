//! Goals (with their optimistic-lock version) and their actions.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::{Database, DbError, corrupt, ts};

/// How many times [`Database::update_goal`] re-reads and retries after a conflict.
pub const GOAL_UPDATE_ATTEMPTS: u32 = 5;

/// A goal's lifecycle as task generation moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    /// Not started, or cancelled.
    Draft,
    /// A task-generation execution is running.
    Processing,
    /// Every action has its tasks.
    Active,
    /// Some actions have tasks, some failed.
    Partial,
    /// No action has tasks.
    Failed,
}

impl GoalStatus {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalStatus::Draft => "draft",
            GoalStatus::Processing => "processing",
            GoalStatus::Active => "active",
            GoalStatus::Partial => "partial",
            GoalStatus::Failed => "failed",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => GoalStatus::Draft,
            "processing" => GoalStatus::Processing,
            "active" => GoalStatus::Active,
            "partial" => GoalStatus::Partial,
            "failed" => GoalStatus::Failed,
            _ => return None,
        })
    }

    /// The status that `with_tasks` of `total` actions having tasks means.
    pub fn from_coverage(with_tasks: usize, total: usize) -> Self {
        if total > 0 && with_tasks >= total {
            GoalStatus::Active
        } else if with_tasks > 0 {
            GoalStatus::Partial
        } else {
            GoalStatus::Failed
        }
    }
}

impl std::fmt::Display for GoalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A goal row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Goal {
    /// Its id.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: GoalStatus,
    /// The optimistic-lock version.
    pub version: i64,
    /// The execution that last moved it to `processing`.
    pub current_execution_arn: Option<String>,
}

/// An action row (one cell of the mandala chart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Its id.
    pub id: String,
    /// Its goal.
    pub goal_id: String,
    /// Its place in the goal (0-based).
    pub position: i64,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
}

/// An action to create with a goal.
#[derive(Debug, Clone)]
pub struct NewAction {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
}

/// A goal to create, in `draft`.
#[derive(Debug, Clone)]
pub struct NewGoal {
    /// Its id.
    pub id: String,
    /// The owner.
    pub user_id: String,
    /// Its title.
    pub title: String,
    /// Its actions, in order.
    pub actions: Vec<NewAction>,
}

impl NewGoal {
    /// A goal with `n` actions named `{id}-a00`, `{id}-a01`, ...
    pub fn with_actions(id: &str, user_id: &str, n: usize) -> Self {
        NewGoal {
            id: id.to_string(),
            user_id: user_id.to_string(),
            title: format!("Goal {id}"),
            actions: (0..n)
                .map(|i| NewAction {
                    id: action_id(id, i),
                    title: format!("Action {} of {id}", i + 1),
                    description: format!("What to do for action {} of {id}", i + 1),
                })
                .collect(),
        }
    }
}

/// The id [`NewGoal::with_actions`] gives the `i`-th action of `goal`.
pub fn action_id(goal: &str, i: usize) -> String {
    format!("{goal}-a{i:02}")
}

/// The change a goal update makes.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalChange {
    /// The new status.
    pub status: GoalStatus,
    /// The new current execution.
    pub current_execution_arn: Option<String>,
}

fn goal_from_row(r: &Row<'_>) -> rusqlite::Result<(Goal, String)> {
    let status: String = r.get(3)?;
    Ok((
        Goal {
            id: r.get(0)?,
            user_id: r.get(1)?,
            title: r.get(2)?,
            status: GoalStatus::Draft,
            version: r.get(4)?,
            current_execution_arn: r.get(5)?,
        },
        status,
    ))
}

impl Database {
    /// Creates a goal in `draft` with its actions.
    pub fn create_goal(&self, goal: &NewGoal) -> Result<Goal, DbError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO goals (id, user_id, title, status) VALUES (?1, ?2, ?3, 'draft')",
            params![goal.id, goal.user_id, goal.title],
        )?;
        for (i, a) in goal.actions.iter().enumerate() {
            tx.execute(
                "INSERT INTO actions (id, goal_id, position, title, description) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![a.id, goal.id, i as i64, a.title, a.description],
            )?;
        }
        tx.commit()?;
        drop(conn);
        self.goal(&goal.id)?.ok_or_else(|| DbError::NotFound {
            kind: "goal",
            id: goal.id.clone(),
        })
    }

    /// A goal by id.
    pub fn goal(&self, id: &str) -> Result<Option<Goal>, DbError> {
        let conn = self.lock();
        let row = conn
            .query_row(
                "SELECT id, user_id, title, status, version, current_execution_arn FROM goals WHERE id = ?1",
                [id],
                goal_from_row,
            )
            .optional()?;
        row.map(|(mut g, status)| {
            g.status = GoalStatus::parse(&status)
                .ok_or_else(|| corrupt(format!("goal status '{status}'")))?;
            Ok(g)
        })
        .transpose()
    }

    /// A goal's actions, in order.
    pub fn actions(&self, goal_id: &str) -> Result<Vec<Action>, DbError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, goal_id, position, title, description FROM actions WHERE goal_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([goal_id], |r| {
            Ok(Action {
                id: r.get(0)?,
                goal_id: r.get(1)?,
                position: r.get(2)?,
                title: r.get(3)?,
                description: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Updates a goal under optimistic locking. `decide` sees the goal as it is now and returns
    /// the change to make (or `None` to leave it); when another writer got in between, the goal
    /// is read again and `decide` runs on the fresh data, up to [`GOAL_UPDATE_ATTEMPTS`] times.
    /// Returns the goal as written (or as found, when `decide` made no change).
    pub fn update_goal<F>(
        &self,
        goal_id: &str,
        now: DateTime<Utc>,
        mut decide: F,
    ) -> Result<(Goal, bool), DbError>
    where
        F: FnMut(&Goal) -> Result<Option<GoalChange>, DbError>,
    {
        for _ in 0..GOAL_UPDATE_ATTEMPTS {
            let goal = self.goal(goal_id)?.ok_or_else(|| DbError::NotFound {
                kind: "goal",
                id: goal_id.to_string(),
            })?;
            let Some(change) = decide(&goal)? else {
                return Ok((goal, false));
            };
            let conn = self.lock();
            if self.take_goal_conflict(goal_id) {
                // Another writer commits between our read and our write.
                conn.execute(
                    "UPDATE goals SET version = version + 1 WHERE id = ?1",
                    [goal_id],
                )?;
            }
            let n = conn.execute(
                "UPDATE goals SET status = ?1, current_execution_arn = ?2, version = version + 1, updated_at = ?3
                 WHERE id = ?4 AND version = ?5",
                params![
                    change.status.as_str(),
                    change.current_execution_arn,
                    ts(now),
                    goal_id,
                    goal.version
                ],
            )?;
            if n == 1 {
                return Ok((
                    Goal {
                        status: change.status,
                        current_execution_arn: change.current_execution_arn,
                        version: goal.version + 1,
                        ..goal
                    },
                    true,
                ));
            }
        }
        Err(DbError::Conflict {
            goal: goal_id.to_string(),
            attempts: GOAL_UPDATE_ATTEMPTS,
        })
    }

    /// How many of the goal's actions have tasks, and how many actions it has.
    pub fn goal_coverage(&self, goal_id: &str) -> Result<(usize, usize), DbError> {
        let conn = self.lock();
        let (with, total): (i64, i64) = conn.query_row(
            "SELECT (SELECT COUNT(DISTINCT t.action_id) FROM tasks t WHERE t.goal_id = ?1),
                    (SELECT COUNT(*) FROM actions a WHERE a.goal_id = ?1)",
            [goal_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((with as usize, total as usize))
    }
}
