//! # ecs-batch: the nightly ECS batch workflow, run offline
//!
//! In AWS an EventBridge rule (`cron(0 17 * * ? *)`, 02:00 JST) starts the state machine in
//! `workflow/ecs-batch.asl.json`, which runs the API's ECS task definition with its command
//! overridden to `batch/sample_batch.py` (`ecs:runTask.sync`), retries launch failures and
//! publishes to SNS when the batch fails. Here the same definition runs on sfn-local:
//!
//! - the schedule is the `schedules` entry of `config/sfn-local.json` (per environment);
//! - the ECS task is a local process: the task definition maps to the `batch/` folder and a
//!   base environment (`DATABASE_URL`), the state's `ContainerOverrides` give the command;
//! - SNS publish is recorded (see [`sfn_local_server::integrations::sinks::Recorder`]).
//!
//! [`Local`] runs scheduled fires through the interpreter in virtual time: every fire starts
//! at its scheduled instant, retry backoffs take no real time, the batch script really runs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), String> {
//! use chrono::{TimeZone, Utc};
//! let config = ecs_batch::load_config(Some("prod"))?;
//! let local = ecs_batch::Local::new(&config)?;
//! let monday = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
//! for run in local.simulate(monday, monday + chrono::Duration::days(7)).await {
//!     println!("{} {}", run.outcome.name, run.outcome.status.as_str());
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use asl_core::StateMachine;
use asl_interpreter::{ExecutionConfig, Handlers, Interpreter, Outcome, VirtualClock};
use chrono::{DateTime, Utc};
use sfn_local_server::config::FileConfig;
use sfn_local_server::integrations::ecs::{EcsConfig, EcsHandler};
use sfn_local_server::integrations::sinks::Recorder;
use sfn_local_server::scheduler::{Scheduled, fires_between};

/// The example's folder: relative paths in the configuration are relative to it, as they are
/// for `sfn-local serve` started from it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `workflow/ecs-batch.asl.json`.
pub fn definition_path() -> PathBuf {
    root().join("workflow/ecs-batch.asl.json")
}

/// `config/sfn-local.json`.
pub fn config_path() -> PathBuf {
    root().join("config/sfn-local.json")
}

/// The parsed state machine.
pub fn definition() -> Result<StateMachine, String> {
    let path = definition_path();
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    StateMachine::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The configuration with the overrides of `env` (`dev`, `prod`), its ECS paths made absolute
/// against [`root`].
pub fn load_config(env: Option<&str>) -> Result<FileConfig, String> {
    let mut config = FileConfig::load(&config_path(), env)?;
    if let Some(ecs) = &mut config.ecs {
        resolve_paths(ecs, root());
    }
    Ok(config)
}

/// Makes the log directory and the task definitions' working directories absolute.
pub fn resolve_paths(ecs: &mut EcsConfig, base: &Path) {
    ecs.log_dir = base.join(&ecs.log_dir);
    for td in ecs.task_definitions.values_mut() {
        td.working_dir = base.join(&td.working_dir);
    }
}

/// One scheduled fire and how its execution ended.
pub struct Run {
    /// The schedule's name.
    pub schedule: String,
    /// The fire time (the execution's start time).
    pub at: DateTime<Utc>,
    /// The execution.
    pub outcome: Outcome,
}

/// The workflow with its local integrations: ECS tasks as processes, SNS recorded.
pub struct Local {
    machine: Arc<StateMachine>,
    schedules: Vec<Scheduled>,
    region: String,
    account: String,
    /// The ECS integration (task descriptions and logs).
    pub ecs: EcsHandler,
    /// The recorded SNS messages.
    pub recorder: Recorder,
}

impl Local {
    /// The workflow over a loaded configuration (its `ecs` section is required).
    pub fn new(config: &FileConfig) -> Result<Local, String> {
        let ecs = config
            .ecs
            .clone()
            .ok_or("the configuration has no `ecs` section")?;
        let schedules = Scheduled::parse_all(&config.schedules)?;
        Ok(Local {
            machine: Arc::new(definition()?),
            schedules,
            region: ecs.region.clone(),
            account: ecs.account.clone(),
            ecs: EcsHandler::new(Arc::new(ecs)),
            recorder: Recorder::new(),
        })
    }

    /// The schedules of the configuration (disabled ones included).
    pub fn schedules(&self) -> &[Scheduled] {
        &self.schedules
    }

    /// Runs the execution one fire of `schedule` starts at `at`, in virtual time from `at`;
    /// named as sfn-local's scheduler names it (`<schedule>-<yyyymmddThhmmssZ>`).
    pub async fn run_fire(&self, schedule: &Scheduled, at: DateTime<Utc>) -> Outcome {
        let input = schedule
            .config
            .input
            .clone()
            .unwrap_or_else(|| serde_json::json!({}));
        self.run_at(
            &schedule.config.state_machine,
            &schedule.execution_name(at),
            &input.to_string(),
            at,
        )
        .await
    }

    /// Runs one execution of the workflow in virtual time starting at `at`.
    pub async fn run_at(
        &self,
        state_machine: &str,
        name: &str,
        input: &str,
        at: DateTime<Utc>,
    ) -> Outcome {
        let handlers = self.recorder.register(self.ecs.register(Handlers::new()));
        let interpreter = Interpreter::builder()
            .handlers(handlers)
            .clock(Arc::new(VirtualClock::new(at)))
            .build();
        let config = ExecutionConfig {
            name: name.to_string(),
            state_machine_name: state_machine.to_string(),
            input_text: input.to_string(),
            region: self.region.clone(),
            account: self.account.clone(),
            ..ExecutionConfig::default()
        };
        interpreter.run(self.machine.clone(), config).await
    }

    /// Runs every fire of the enabled schedules in `(from, to]`, one after the other.
    pub async fn simulate(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Run> {
        let mut runs = Vec::new();
        for (i, at) in fires_between(&self.schedules, from, to) {
            let s = &self.schedules[i];
            runs.push(Run {
                schedule: s.config.name.clone(),
                at,
                outcome: self.run_fire(s, at).await,
            });
        }
        runs
    }
}
