//! How the service is set up.

use std::time::Duration;

use asl_core::arn::Scope;
use asl_interpreter::MockConfig;

use crate::integrations::ecs::EcsConfig;

/// How the service is set up (from flags, the config file and the environment).
#[derive(Clone)]
pub struct Settings {
    /// Region in ARNs.
    pub region: String,
    /// Account in ARNs.
    pub account: String,
    /// Multiplies every wait (Step Functions Local's `WAIT_TIME_SCALE`).
    pub wait_time_scale: f64,
    /// How long `GetActivityTask` waits for a task (AWS: 60 s).
    pub activity_poll: Duration,
    /// MockConfigFile.
    pub mock: Option<MockConfig>,
    /// ECS task definitions run as local processes (`ecs:runTask` has no handler without).
    pub ecs: Option<EcsConfig>,
    /// The folder of the local S3 (bucket `B`, key `K` is `<s3_root>/B/K`).
    pub s3_root: Option<std::path::PathBuf>,
    /// Host names served besides the loopback ones (`--allowed-host`; see `http.rs`).
    pub allowed_hosts: Vec<String>,
    /// How long a closed execution stays (its history, map runs and the messages recorded
    /// with it), counted from its end; `None` keeps everything. AWS keeps 90 days.
    pub retention: Option<Duration>,
    /// Whether the web console is served on `GET /` (`--no-console` turns it off).
    pub console: bool,
    /// The configured schedules (the console shows them; `serve` runs them).
    pub schedules: Vec<crate::scheduler::ScheduleConfig>,
    /// Services whose integrations go to real endpoints (`DYNAMODB_ENDPOINT`, ...).
    pub endpoints: crate::integrations::endpoints::Endpoints,
}

/// AWS's retention of closed executions: 90 days.
pub const AWS_RETENTION: Duration = Duration::from_secs(90 * 24 * 3600);

impl Settings {
    /// Where the ARNs this service hands out by default live: the configured region, its
    /// partition, and the account.
    pub fn arns(&self) -> Scope {
        self.arns_in(None)
    }

    /// Where the ARNs of a request signed for `region` live (the configured region when
    /// `None`): that region and its partition, and the configured account (AWS's account is
    /// the caller's; here there is one).
    pub fn arns_in(&self, region: Option<&str>) -> Scope {
        Scope::in_region(region.unwrap_or(&self.region), self.account.as_str())
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: "us-east-1".into(),
            account: "123456789012".into(),
            wait_time_scale: 1.0,
            activity_poll: Duration::from_secs(60),
            mock: None,
            ecs: None,
            s3_root: None,
            allowed_hosts: Vec::new(),
            retention: Some(AWS_RETENTION),
            console: true,
            schedules: Vec::new(),
            endpoints: Default::default(),
        }
    }
}
