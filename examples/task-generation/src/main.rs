//! `task-generation demo`: one goal with 64 actions (some failing) through the whole workflow,
//! with a live progress bar on stderr and a summary on stdout. `task-generation serve`: the
//! same handlers on an sfn-local server, for the AWS CLI (see `serve.rs`).

mod serve;

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use task_generation::ai::{Behaviour, MockAi};
use task_generation::db::{Database, NewGoal, action_id};
use task_generation::{Config, ExecutionState, ExecutionStatus, TaskGeneration, TimeMode};

#[derive(Parser)]
#[command(
    version,
    about = "The goal -> actions -> tasks workflow, run locally on sfn-local"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generates tasks for a demo goal and shows the progress.
    Demo(DemoArgs),
    /// Serves the Step Functions API with the workflow's handlers and a demo goal.
    Serve(serve::ServeArgs),
}

#[derive(clap::Args)]
struct DemoArgs {
    /// Actions in the goal.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1000))]
    actions: u16,
    /// Run in (scaled) wall-clock time instead of virtual time.
    #[arg(long)]
    real_time: bool,
    /// With --real-time: how much slower than virtual every wait runs (0.02: a 60 s wait
    /// takes 1.2 s).
    #[arg(long, default_value_t = 0.02)]
    time_scale: f64,
    /// In virtual time: wall-clock milliseconds every AI call takes, so the progress is
    /// visible.
    #[arg(long, default_value_t = 30)]
    pace_ms: u64,
    /// A SQLite file to keep the results in (default: in memory).
    #[arg(long)]
    db: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let run = match cli.command {
        Command::Demo(args) => rt.block_on(demo(args)),
        Command::Serve(args) => rt.block_on(serve::serve(args)).map(|()| ExitCode::SUCCESS),
    };
    match run {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Which demo actions misbehave, and how.
fn behaviour(i: usize) -> Behaviour {
    let latency = Duration::from_secs(5 + (i as u64 * 7) % 30);
    let b = if i % 13 == 5 {
        Behaviour::permanent()
    } else if i % 17 == 9 {
        Behaviour::invalid()
    } else if i % 7 == 3 {
        Behaviour::transient(2, 3)
    } else if i % 11 == 4 {
        Behaviour::too_slow(1, 2)
    } else {
        Behaviour::succeed(2 + i % 4)
    };
    b.with_latency(latency)
}

async fn demo(args: DemoArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let db = match &args.db {
        Some(p) => Database::open(p)?,
        None => Database::open_in_memory()?,
    };
    let goal_id = format!("demo-{}", &uuid_prefix());
    let n = usize::from(args.actions);
    db.create_goal(&NewGoal::with_actions(&goal_id, "demo-user", n))?;
    let ai = MockAi::new();
    for i in 0..n {
        ai.set(&action_id(&goal_id, i), behaviour(i));
    }
    let time = if args.real_time {
        TimeMode::Real {
            scale: args.time_scale,
        }
    } else {
        ai.set_wall_pace(Duration::from_millis(args.pace_ms));
        TimeMode::Virtual {
            start: chrono::Utc::now(),
        }
    };
    let app = TaskGeneration::new(
        db,
        ai,
        Config {
            time,
            ..Config::default()
        },
    )?;
    let wall = Instant::now();
    let arn = app.start(&goal_id, "demo-user").await?;
    eprintln!("started {arn}");
    let mut last = String::new();
    loop {
        let st = app.status(&arn)?;
        let line = bar(&st);
        if line != last {
            eprint!("\r{line}");
            let _ = std::io::stderr().flush();
            last = line;
        }
        if st.state != ExecutionState::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!();
    let st = app.wait(&arn).await?;
    print_summary(&app, &st, wall.elapsed(), args.real_time)?;
    Ok(if st.state == ExecutionState::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn uuid_prefix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}m{:02}s", s / 60, s % 60)
}

/// `[#########...........]  23/64  35%  2 failed  t+2m10s  ~4m02s left`
fn bar(st: &ExecutionStatus) -> String {
    const WIDTH: usize = 32;
    let filled = usize::from(st.percent) * WIDTH / 100;
    let eta = st
        .estimated_remaining
        .map_or("estimating".to_string(), |d| format!("~{} left", clock(d)));
    format!(
        "[{}{}] {:>3}/{:<3} {:>3}%  {} failed  t+{}  {eta}   ",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        st.processed,
        st.total,
        st.percent,
        st.failed,
        clock(st.elapsed),
    )
}

fn print_summary(
    app: &TaskGeneration,
    st: &ExecutionStatus,
    wall: Duration,
    real_time: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let tasks = app.db().tasks_of_goal(&st.goal_id)?;
    println!("execution   {}", st.execution_arn);
    println!("status      {} (goal {})", st.state, st.goal_status);
    println!(
        "actions     {}: {} succeeded, {} failed",
        st.total, st.succeeded, st.failed
    );
    println!("tasks       {} saved", tasks.len());
    println!(
        "duration    {} {} ({:.2} s wall)",
        clock(st.elapsed),
        if real_time {
            "real (scaled waits)"
        } else {
            "virtual"
        },
        wall.as_secs_f64()
    );
    if let Some(e) = &st.error {
        println!("error       {e}: {}", st.cause.as_deref().unwrap_or(""));
    }
    let failures = st
        .result_summary
        .as_ref()
        .and_then(|s| s["failures"].as_array().cloned())
        .unwrap_or_default();
    if !failures.is_empty() {
        println!("failed actions:");
        for f in failures {
            println!(
                "  {:<20} {}",
                f["actionId"].as_str().unwrap_or("?"),
                f["error"].as_str().unwrap_or("?")
            );
        }
    }
    Ok(())
}
