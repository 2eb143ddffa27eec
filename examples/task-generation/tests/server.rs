//! The workflow through an sfn-local server: the example's handlers registered with an
//! in-process server (`Server::start`), driven by the AWS SDK for Rust like the deployed
//! workflow — StartExecution, DescribeExecution, GetExecutionHistory, StopExecution.
//!
//! Time is real but scaled (`WAIT_TIME_SCALE`): the 2/4/8 s backoffs take tens of
//! milliseconds. Pass or fail never depends on how fast the machine is: the scale leaves the
//! batch (300 s) and workflow (900 s) timeouts many seconds of wall time, waits are bounded by
//! a generous [`DEADLINE`], and backoffs are only checked from below (a sleep never ends early).

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_sfn::Client;
use aws_sdk_sfn::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sfn_local_server::server::{Server, Storage};
use sfn_local_server::service::Settings;
use task_generation::ExecutionState;
use task_generation::ai::{Behaviour, MockAi};
use task_generation::db::{Database, GoalStatus, NewGoal, action_id};
use task_generation::server::{self, Ended};
use task_generation::workflow::{
    BATCH_DEFINITION, BATCH_STATE_MACHINE_ARN, BATCH_STATE_MACHINE_NAME, DEFINITION,
    STATE_MACHINE_NAME, functions,
};

/// Every wait runs 20 times faster: backoffs of 40/80/160 ms, a 6 s batch timeout, an 18 s
/// workflow timeout.
const SCALE: f64 = 0.05;
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const ROLE: &str = "arn:aws:iam::123456789012:role/task-generation";
/// How long anything may take before the test gives up.
const DEADLINE: Duration = Duration::from_secs(60);

/// A server with the example's handlers, an SDK client for it, and both state machines.
struct Env {
    server: Server,
    sfn: Client,
    db: Database,
    ai: MockAi,
    main_arn: String,
}

impl Env {
    async fn start(goals: &[(&str, &str, usize)]) -> Env {
        let db = Database::open_in_memory().expect("database");
        for (id, user, n) in goals {
            db.create_goal(&NewGoal::with_actions(id, user, *n))
                .expect("goal");
        }
        let ai = MockAi::new();
        let settings = Settings {
            region: REGION.into(),
            account: ACCOUNT.into(),
            wait_time_scale: SCALE,
            ..Settings::default()
        };
        let server = Server::start(
            "127.0.0.1:0",
            Storage::InMemory,
            settings,
            server::handlers(&db, &ai),
        )
        .await
        .expect("server starts");
        let sfn = client(&server.endpoint());
        // The main definition names the batch state machine by ARN.
        let batch = create(&sfn, BATCH_STATE_MACHINE_NAME, BATCH_DEFINITION).await;
        assert_eq!(batch, BATCH_STATE_MACHINE_ARN);
        let main_arn = create(&sfn, STATE_MACHINE_NAME, DEFINITION).await;
        Env {
            server,
            sfn,
            db,
            ai,
            main_arn,
        }
    }

    async fn stop(self) {
        drop(self.sfn);
        self.server.shutdown().await;
    }

    /// What the app does to start: the goal becomes `processing` for the execution's ARN
    /// (known from its name), then StartExecution.
    async fn start_execution(&self, goal: &str, user: &str, name: &str) -> String {
        let arn = server::execution_arn(REGION, ACCOUNT, name);
        let input = server::begin(&self.db, goal, user, &arn, Utc::now()).expect("begin");
        let started = self
            .sfn
            .start_execution()
            .state_machine_arn(&self.main_arn)
            .name(name)
            .input(input.to_string())
            .send()
            .await
            .expect("StartExecution");
        assert_eq!(started.execution_arn(), arn);
        arn
    }

    /// Polls DescribeExecution until the execution is no longer RUNNING.
    async fn wait_closed(&self, arn: &str) -> DescribeExecutionOutput {
        let start = Instant::now();
        loop {
            let d = self
                .sfn
                .describe_execution()
                .execution_arn(arn)
                .send()
                .await
                .expect("DescribeExecution");
            if d.status() != &ExecutionStatus::Running {
                return d;
            }
            assert!(start.elapsed() < DEADLINE, "{arn} still RUNNING");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every event of an execution (GetExecutionHistory, all pages).
    async fn history(&self, arn: &str) -> Vec<HistoryEvent> {
        let mut events = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .sfn
                .get_execution_history()
                .execution_arn(arn)
                .max_results(200)
                .set_next_token(token)
                .send()
                .await
                .expect("GetExecutionHistory");
            events.extend(page.events().iter().cloned());
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                return events;
            }
        }
    }

    /// The batch executions (children), oldest first.
    async fn batches(&self) -> Vec<String> {
        let list = self
            .sfn
            .list_executions()
            .state_machine_arn(BATCH_STATE_MACHINE_ARN)
            .send()
            .await
            .expect("ListExecutions");
        let mut items: Vec<_> = list.executions().to_vec();
        items.sort_by(|a, b| {
            a.start_date()
                .as_secs_f64()
                .total_cmp(&b.start_date().as_secs_f64())
        });
        items
            .iter()
            .map(|e| e.execution_arn().to_string())
            .collect()
    }
}

/// A client configured by hand, as in tests/tests/sdk/common.rs at the workspace root: fake
/// credentials, a plain-HTTP connector, no environment or profile files.
fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "AKIDTASKGENERATION",
            "task-generation-secret",
            None,
            None,
            "task-generation-tests",
        ))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

async fn create(sfn: &Client, name: &str, definition: &str) -> String {
    sfn.create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateStateMachine {name}: {e:?}"))
        .state_machine_arn()
        .to_string()
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: not within {DEADLINE:?}"))
}

fn date(t: &aws_sdk_sfn::primitives::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.to_millis().expect("a date")).expect("a date")
}

fn ended(d: &DescribeExecutionOutput) -> Ended {
    Ended {
        state: ExecutionState::parse(d.status().as_str()).expect("a known status"),
        stop_date: date(d.stop_date().expect("closed")),
        error: d.error().map(str::to_string),
        cause: d.cause().map(str::to_string),
    }
}

/// One `GenerateTasks` call for an action: when it was scheduled, how and when it ended.
#[derive(Debug)]
struct Attempt {
    scheduled: f64,
    end: HistoryEventType,
    error: Option<String>,
    ended: f64,
}

/// The AI calls for `action` in a history, in order. A branch's events chain by
/// `previousEventId`: TaskScheduled <- TaskStarted <- TaskSucceeded/TaskFailed.
fn attempts(h: &[HistoryEvent], action: &str) -> Vec<Attempt> {
    let after = |id: i64| h.iter().find(|e| e.previous_event_id() == id);
    let mut out: Vec<Attempt> = h
        .iter()
        .filter(|e| {
            e.task_scheduled_event_details().is_some_and(|d| {
                let p: Value = serde_json::from_str(d.parameters()).expect("JSON parameters");
                p["FunctionName"] == functions::GENERATE_TASKS
                    && p["Payload"]["action"]["actionId"] == action
            })
        })
        .map(|s| {
            let end = after(s.id())
                .and_then(|started| after(started.id()))
                .unwrap_or_else(|| panic!("attempt {} of {action} did not end", s.id()));
            Attempt {
                scheduled: s.timestamp().as_secs_f64(),
                end: end.r#type().clone(),
                error: end
                    .task_failed_event_details()
                    .and_then(|d| d.error())
                    .map(str::to_string),
                ended: end.timestamp().as_secs_f64(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.scheduled.total_cmp(&b.scheduled));
    out
}

/// A goal of 12 actions (two batches) with retried, permanently failing and malformed AI
/// answers: the goal ends `partial`, the DB holds exactly the successes, and the batches'
/// histories show the retries after 2, 4 and 8 (scaled) seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_goal_with_failing_actions_runs_through_the_server() {
    let env = Env::start(&[("g1", "alice", 12)]).await;
    let a = |i| action_id("g1", i);
    env.ai.set(&a(2), Behaviour::transient(2, 4));
    env.ai.set(&a(5), Behaviour::permanent());
    env.ai.set(&a(9), Behaviour::transient(4, 1));
    env.ai.set(&a(10), Behaviour::invalid());

    let arn = env.start_execution("g1", "alice", "g1-run-1").await;
    let d = env.wait_closed(&arn).await;
    assert_eq!(d.status(), &ExecutionStatus::Succeeded, "{d:?}");
    let output: Value = serde_json::from_str(d.output().expect("output")).expect("JSON output");
    assert_eq!(output["goalStatus"], "partial");
    assert_eq!(
        (&output["succeeded"], &output["failed"]),
        (&9.into(), &3.into())
    );
    assert_eq!(
        output["failedActions"],
        serde_json::json!([a(5), a(9), a(10)])
    );
    server::finish(&env.db, &arn, &ended(&d)).expect("finish");

    // The database: every success's tasks, nothing for the failures, the run recorded.
    let goal = env.db.goal("g1").unwrap().unwrap();
    assert_eq!(goal.status, GoalStatus::Partial);
    assert_eq!(goal.current_execution_arn.as_deref(), Some(arn.as_str()));
    for i in 0..12 {
        let expected = match i {
            2 => 4,
            5 | 9 | 10 => 0,
            _ => 3,
        };
        let tasks = env.db.tasks_of_action(&a(i)).unwrap();
        assert_eq!(tasks.len(), expected, "tasks of {}", a(i));
    }
    let rec = env.db.execution(&arn).unwrap().expect("recorded");
    assert_eq!(rec.state, ExecutionState::Succeeded);
    assert_eq!((rec.processed, rec.total), (12, 12));
    assert_eq!(rec.failed_actions, [a(5), a(9), a(10)]);
    assert!(rec.finished_at.is_some());

    // The main history: one nested execution per batch, run to success.
    let main = env.history(&arn).await;
    assert_eq!(
        main.first().map(|e| e.r#type()),
        Some(&HistoryEventType::ExecutionStarted)
    );
    assert_eq!(
        main.last().map(|e| e.r#type()),
        Some(&HistoryEventType::ExecutionSucceeded)
    );
    // AWS says resourceType `states`, resource `startExecution.sync:2`; the engine splits at
    // the last colon (`states:startExecution.sync`, `2`), hence the prefix.
    let batch_runs = main
        .iter()
        .filter_map(HistoryEvent::task_succeeded_event_details)
        .filter(|d| d.resource_type().starts_with("states"))
        .count();
    assert_eq!(batch_runs, 2);

    // The batches' histories show the retries.
    let batches = env.batches().await;
    assert_eq!(batches.len(), 2);
    let mut histories = Vec::new();
    for b in &batches {
        histories.push(env.history(b).await);
    }
    let calls = |i: usize| {
        let found: Vec<_> = histories
            .iter()
            .map(|h| attempts(h, &a(i)))
            .filter(|x| !x.is_empty())
            .collect();
        assert_eq!(found.len(), 1, "{} is in exactly one batch", a(i));
        found.into_iter().next().unwrap()
    };
    let kinds = |x: &[Attempt]| -> Vec<(HistoryEventType, Option<String>)> {
        x.iter().map(|t| (t.end.clone(), t.error.clone())).collect()
    };
    let failed = |e: &str| (HistoryEventType::TaskFailed, Some(e.to_string()));
    let ok = (HistoryEventType::TaskSucceeded, None);
    let throttled = failed("AI.Throttled");
    assert_eq!(
        kinds(&calls(2)),
        [throttled.clone(), throttled.clone(), ok.clone()]
    );
    assert_eq!(kinds(&calls(5)), [failed("AI.ContentRejected")]);
    assert_eq!(kinds(&calls(9)), vec![throttled; 4]);
    assert_eq!(kinds(&calls(10)), vec![failed("AI.InvalidResponse"); 4]);
    assert_eq!(kinds(&calls(0)), [ok]);
    // Backoffs of at least 2, 4 and 8 s (scaled); event times are in milliseconds.
    for i in [2, 9, 10] {
        let x = calls(i);
        for (k, pair) in x.windows(2).enumerate() {
            let gap = pair[1].scheduled - pair[0].ended;
            let backoff = 2.0 * 2f64.powi(k as i32) * SCALE;
            assert!(gap >= backoff - 0.002, "{}: retry {k} after {gap} s", a(i));
        }
    }
    env.stop().await;
}

/// A run stopped mid-way (one AI call held at a gate): StopExecution ends it ABORTED with an
/// `ExecutionAborted` event; the app's clean-up deletes the tasks already saved and the goal
/// goes back to `draft`; the held call, let go afterwards, cannot save anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_stopped_mid_way_ends_aborted_and_is_cleaned_up() {
    let env = Env::start(&[("g2", "bob", 12)]).await;
    let held = action_id("g2", 10);
    let gate = env.ai.gate(&held);
    let arn = env.start_execution("g2", "bob", "g2-run-1").await;
    within("the held AI call", gate.reached()).await;
    // Every other action finishes; then there is something to clean up.
    within("11 actions processed", async {
        while env.db.execution(&arn).unwrap().unwrap().processed < 11 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert_eq!(env.db.tasks_of_goal("g2").unwrap().len(), 33);
    let running = env
        .sfn
        .describe_execution()
        .execution_arn(&arn)
        .send()
        .await
        .expect("DescribeExecution");
    assert_eq!(running.status(), &ExecutionStatus::Running);

    server::request_cancel(&env.db, &arn, "bob", "wrong goal", Utc::now()).expect("cancel");
    env.sfn
        .stop_execution()
        .execution_arn(&arn)
        .error("TaskGeneration.Cancelled")
        .cause("Cancelled by bob: wrong goal")
        .send()
        .await
        .expect("StopExecution");
    let d = env.wait_closed(&arn).await;
    assert_eq!(d.status(), &ExecutionStatus::Aborted);
    let history = env.history(&arn).await;
    let last = history.last().expect("events");
    assert_eq!(last.r#type(), &HistoryEventType::ExecutionAborted);
    let details = last.execution_aborted_event_details().expect("details");
    assert_eq!(details.error(), Some("TaskGeneration.Cancelled"));
    assert_eq!(details.cause(), Some("Cancelled by bob: wrong goal"));

    server::finish(&env.db, &arn, &ended(&d)).expect("finish");
    assert!(env.db.tasks_of_goal("g2").unwrap().is_empty());
    assert_eq!(
        env.db.goal("g2").unwrap().unwrap().status,
        GoalStatus::Draft
    );
    let rec = env.db.execution(&arn).unwrap().unwrap();
    assert_eq!(rec.state, ExecutionState::Aborted);
    assert_eq!(rec.failed_actions.len(), 12);

    // Whatever became of the held batch, its late answer saves nothing.
    gate.open();
    for b in env.batches().await {
        env.wait_closed(&b).await;
    }
    assert!(env.db.tasks_of_goal("g2").unwrap().is_empty());
    env.stop().await;
}
