//! `sfn-local serve`: the Step Functions API on a durable embedded store.

use std::path::PathBuf;
use std::time::Duration;

use asl_interpreter::{Handlers, MockConfig};
use clap::Args;

use crate::config::FileConfig;
use crate::integrations::lambda::{CommandFunction, EndpointFunctions};
use crate::scheduler::Scheduled;
use crate::server::{Server, Storage};
use crate::service::Settings;

/// Options of `sfn-local serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (127.0.0.1 keeps it private to this machine).
    #[arg(long, env = "SFN_LOCAL_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (Step Functions Local's default).
    #[arg(long, env = "SFN_LOCAL_PORT", default_value_t = 8083)]
    pub port: u16,
    /// Directory of the embedded database (created if needed).
    #[arg(long, env = "SFN_LOCAL_DATA_DIR", default_value = ".sfn-local")]
    pub data_dir: PathBuf,
    /// Keep everything in memory: nothing survives the process.
    #[arg(long)]
    pub in_memory: bool,
    /// A MockConfigFile (Step Functions Local's format); select a test case by starting
    /// `stateMachineArn#TestCase`.
    #[arg(long, env = "SFN_MOCK_CONFIG")]
    pub mock_config: Option<PathBuf>,
    /// The configuration file (JSON): Lambda functions as local commands, a Lambda endpoint,
    /// per-environment overrides.
    #[arg(long, env = "SFN_LOCAL_CONFIG")]
    pub config: Option<PathBuf>,
    /// The environment whose overrides apply (a key of `environments` in the config file).
    #[arg(long, env = "SFN_LOCAL_ENV")]
    pub env: Option<String>,
    /// Forward Lambda functions without a local command to this Lambda-compatible endpoint
    /// (e.g. `sam local start-lambda`).
    #[arg(long, env = "LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,
    /// Region of requests that are not SigV4-signed (a signed request is answered in the
    /// region it was signed for); its partition (`aws`, `aws-cn`, ...) follows.
    #[arg(long, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Account in ARNs.
    #[arg(long, env = "AWS_ACCOUNT_ID", default_value = "123456789012")]
    pub account: String,
    /// Multiplies every wait, retry interval and timeout (0.01 makes a 100 s Wait take 1 s).
    #[arg(long, env = "WAIT_TIME_SCALE", default_value_t = 1.0)]
    pub wait_time_scale: f64,
    /// Seconds GetActivityTask waits for a task before answering empty.
    #[arg(long, default_value_t = 60)]
    pub activity_poll_seconds: u64,
    /// Serve requests whose Host is NAME too (repeatable; comma-separated in the env var).
    /// Bound to a loopback address, only loopback names are served otherwise (`localhost`,
    /// `127.0.0.1`, `[::1]`, `*.localhost`), which stops DNS-rebinding pages; a Docker service
    /// name is the usual reason to add one.
    #[arg(
        long = "allowed-host",
        value_name = "NAME",
        env = "SFN_LOCAL_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Days a closed execution is kept (its history, map runs and recorded messages), counted
    /// from its end, as AWS keeps them 90; fractions allowed, 0 keeps everything forever.
    #[arg(long, env = "SFN_LOCAL_RETENTION_DAYS", default_value_t = 90.0, value_parser = retention_days)]
    pub retention_days: f64,
    /// Do not serve the web console on `GET /` (the API on `POST /` stays).
    #[arg(long)]
    pub no_console: bool,
    /// Log format.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub log_format: String,
    /// JSONata limits.
    #[command(flatten)]
    pub jsonata: crate::limits::JsonataArgs,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            host: "127.0.0.1".into(),
            port: 8083,
            data_dir: ".sfn-local".into(),
            in_memory: false,
            mock_config: None,
            config: None,
            env: None,
            lambda_endpoint: None,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            wait_time_scale: 1.0,
            activity_poll_seconds: 60,
            allowed_hosts: Vec::new(),
            retention_days: 90.0,
            no_console: false,
            log_format: "text".into(),
            jsonata: Default::default(),
        }
    }
}

/// `--retention-days`: a finite number of days, zero or more.
fn retention_days(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(d) if (0.0..=1e6).contains(&d) => Ok(d),
        _ => Err(format!(
            "'{text}' is not a number of days between 0 and 1000000"
        )),
    }
}

/// The retention `--retention-days` asks for (`None`: keep everything).
fn retention(days: f64) -> Option<Duration> {
    (days > 0.0).then(|| Duration::from_secs_f64(days * 86_400.0))
}

/// The task handlers a configuration asks for.
pub fn handlers_for(file: &FileConfig, lambda_endpoint: Option<&str>) -> Handlers {
    let mut h = Handlers::new();
    for (name, f) in &file.lambda.functions {
        h = h.function(name.clone(), CommandFunction(f.clone()));
    }
    if let Some(endpoint) = lambda_endpoint.or(file.lambda.endpoint.as_deref()) {
        h = h.any_function(EndpointFunctions {
            endpoint: endpoint.to_string(),
        });
    }
    crate::integrations::http_task::HttpTask::new(file.connections.clone()).register(h)
}

fn init_logs(format: &str) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Runs the server until SIGINT/SIGTERM. Returns the process exit code.
pub fn serve(args: ServeArgs) -> i32 {
    init_logs(&args.log_format);
    crate::alloc::return_freed_memory_promptly();
    args.jsonata.apply();
    let mock = match &args.mock_config {
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| MockConfig::from_json(&t).map_err(|e| e.to_string()))
        {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!(
                    "sfn-local: cannot load the mock config {}: {e}",
                    p.display()
                );
                return 2;
            }
        },
        None => None,
    };
    let file = match &args.config {
        Some(p) => match FileConfig::load(p, args.env.as_deref()) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("sfn-local: bad configuration: {e}");
                return 2;
            }
        },
        None => FileConfig::default(),
    };
    let handlers = handlers_for(&file, args.lambda_endpoint.as_deref());
    let endpoints = match crate::integrations::endpoints::Endpoints::from_config(&file.endpoints) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("sfn-local: bad configuration: {e}");
            return 2;
        }
    };
    let settings = Settings {
        region: args.region.clone(),
        account: args.account.clone(),
        wait_time_scale: args.wait_time_scale,
        activity_poll: Duration::from_secs(args.activity_poll_seconds),
        mock,
        ecs: file.ecs.clone(),
        s3_root: file
            .s3
            .as_ref()
            .map(|s| s.root.clone())
            .or_else(|| (!args.in_memory).then(|| args.data_dir.join("s3"))),
        allowed_hosts: args.allowed_hosts.clone(),
        retention: retention(args.retention_days),
        console: !args.no_console,
        schedules: file.schedules.clone(),
        endpoints,
    };
    let schedules = match Scheduled::parse_all(&file.schedules) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sfn-local: bad configuration: {e}");
            return 2;
        }
    };
    let storage = if args.in_memory {
        Storage::InMemory
    } else {
        Storage::Dir(args.data_dir.clone())
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sfn-local: cannot start the runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let addr = format!("{}:{}", args.host, args.port);
        let server = match Server::start(&addr, storage.clone(), settings, handlers).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("sfn-local: {e}");
                return 1;
            }
        };
        let store = match &storage {
            Storage::Dir(d) => d.join("sfn-local.db").display().to_string(),
            Storage::InMemory => "memory (nothing is kept)".into(),
        };
        tracing::info!(endpoint = %server.endpoint(), store = %store, "sfn-local ready");
        if schedules.iter().any(|s| s.config.enabled) {
            tokio::spawn(crate::scheduler::run(server.service.clone(), schedules));
        }
        // One line on stdout once the port is bound, for scripts that start us on port 0.
        println!("sfn-local listening on {}", server.endpoint());
        shutdown_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        0
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
