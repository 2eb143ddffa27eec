-- The app's tables, as far as task generation uses them.
CREATE TABLE IF NOT EXISTS goals (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'processing', 'active', 'partial', 'failed')),
    -- Optimistic locking: every update bumps it and requires the value it read.
    version INTEGER NOT NULL DEFAULT 0,
    current_execution_arn TEXT,
    updated_at TEXT
);

CREATE TABLE IF NOT EXISTS actions (
    id TEXT PRIMARY KEY,
    goal_id TEXT NOT NULL REFERENCES goals (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (goal_id, position)
);

CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    action_id TEXT NOT NULL REFERENCES actions (id),
    goal_id TEXT NOT NULL REFERENCES goals (id),
    execution_arn TEXT NOT NULL,
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('execution', 'habit')),
    estimated_minutes INTEGER NOT NULL CHECK (estimated_minutes > 0),
    status TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'in_progress', 'completed')),
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_action ON tasks (action_id);
CREATE INDEX IF NOT EXISTS tasks_by_goal ON tasks (goal_id);
CREATE INDEX IF NOT EXISTS tasks_by_execution ON tasks (execution_arn);

CREATE TABLE IF NOT EXISTS workflow_executions (
    execution_arn TEXT PRIMARY KEY,
    goal_id TEXT NOT NULL REFERENCES goals (id),
    user_id TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED')),
    action_ids TEXT NOT NULL,
    processed INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    result_summary TEXT,
    failed_actions TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    cause TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    retry_of TEXT
);
CREATE INDEX IF NOT EXISTS executions_by_goal ON workflow_executions (goal_id, started_at);

-- One row per action and execution: progress is the number of rows.
CREATE TABLE IF NOT EXISTS action_results (
    execution_arn TEXT NOT NULL REFERENCES workflow_executions (execution_arn),
    action_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    task_count INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    cause TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (execution_arn, action_id)
);

CREATE TABLE IF NOT EXISTS workflow_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_arn TEXT NOT NULL,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    actor TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
