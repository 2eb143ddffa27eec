//! The binary's `serve` command: an sfn-local server with the workflow's handlers, for the AWS
//! CLI or any SDK. It seeds a demo goal, prepares one execution of it (the goal is
//! `processing` for that ARN), prints the commands to run, and records the execution's end
//! when it closes (clean-up included), as the app's backend would.

use std::error::Error;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Map, json};
use sfn_local_server::server::{Server, Storage};
use sfn_local_server::service::Settings;
use task_generation::ExecutionState;
use task_generation::ai::MockAi;
use task_generation::db::{Database, NewGoal, action_id};
use task_generation::server::{self, Ended};
use task_generation::workflow::STATE_MACHINE_NAME;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Port to listen on (127.0.0.1).
    #[arg(long, default_value_t = 8083)]
    port: u16,
    /// Actions in the demo goal.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=1000))]
    actions: u16,
    /// WAIT_TIME_SCALE: every wait, backoff and timeout multiplied by this (0.05: the 2 s
    /// backoff takes 100 ms, the 5-minute batch timeout 15 s).
    #[arg(long, default_value_t = 0.05)]
    time_scale: f64,
}

const GOAL: &str = "demo";
const USER: &str = "demo-user";
const EXECUTION: &str = "demo-1";

pub async fn serve(args: ServeArgs) -> Result<(), Box<dyn Error>> {
    let db = Database::open_in_memory()?;
    let n = usize::from(args.actions);
    db.create_goal(&NewGoal::with_actions(GOAL, USER, n))?;
    let ai = MockAi::new();
    for i in 0..n {
        ai.set(&action_id(GOAL, i), crate::behaviour(i));
    }
    let settings = Settings {
        wait_time_scale: args.time_scale,
        ..Settings::default()
    };
    let machine = format!(
        "arn:aws:states:{}:{}:stateMachine:{STATE_MACHINE_NAME}",
        settings.region, settings.account
    );
    let arn = server::execution_arn(&settings.region, &settings.account, EXECUTION);
    let input = server::begin(&db, GOAL, USER, &arn, Utc::now())?;
    let srv = Server::start(
        &format!("127.0.0.1:{}", args.port),
        Storage::InMemory,
        settings,
        server::handlers(&db, &ai),
    )
    .await?;
    let endpoint = srv.endpoint();
    println!("sfn-local with the task-generation handlers on {endpoint}");
    println!("goal '{GOAL}' ({n} actions) is ready for the execution named '{EXECUTION}':");
    println!("  aws stepfunctions start-execution --endpoint-url {endpoint} \\");
    println!("    --state-machine-arn {machine} --name {EXECUTION} --input '{input}'");
    println!("(create the two state machines first: see the README). Ctrl-C stops.");
    {
        let recorded = record_end(&srv, &db, &arn);
        tokio::pin!(recorded);
        tokio::select! {
            r = &mut recorded => {
                r?;
                tokio::signal::ctrl_c().await?;
            }
            r = tokio::signal::ctrl_c() => r?,
        }
    }
    srv.shutdown().await;
    Ok(())
}

/// Waits for the execution to close (DescribeExecution through the server's API), then records
/// its end in the database and prints the goal's state.
async fn record_end(srv: &Server, db: &Database, arn: &str) -> Result<(), Box<dyn Error>> {
    let mut body = Map::new();
    body.insert("executionArn".into(), json!(arn));
    let d = loop {
        // ExecutionDoesNotExist until it is started.
        if let Ok(d) =
            sfn_local_server::api::dispatch(&srv.service, "DescribeExecution", &body).await
            && d["status"] != "RUNNING"
        {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let text = |k: &str| d[k].as_str().map(str::to_string);
    let status = text("status").unwrap_or_default();
    let ended = Ended {
        state: ExecutionState::parse(&status).ok_or(format!("unknown status '{status}'"))?,
        stop_date: d["stopDate"]
            .as_f64()
            .and_then(|s| DateTime::from_timestamp_millis((s * 1000.0) as i64))
            .unwrap_or_else(Utc::now),
        error: text("error"),
        cause: text("cause"),
    };
    server::finish(db, arn, &ended)?;
    let goal = db.goal(GOAL)?.ok_or("the demo goal is gone")?;
    let rec = db.execution(arn)?.ok_or("the execution record is gone")?;
    println!(
        "{EXECUTION} {status}: goal {}, {} tasks saved, failed actions {:?}",
        goal.status,
        db.tasks_of_goal(GOAL)?.len(),
        rec.failed_actions
    );
    println!("Ctrl-C stops the server.");
    Ok(())
}
