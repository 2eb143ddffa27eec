//! A sandbox per test: its own SQLite database and task log directory, the example's
//! configuration pointed at them.

use std::path::{Path, PathBuf};

use asl_interpreter::{HistoryEvent, Outcome};
use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;
use serde_json::Value;
use sfn_local_server::config::FileConfig;
use sfn_local_server::integrations::ecs::EcsConfig;

/// Monday 2026-11-16, 00:00 UTC.
pub fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

pub struct Sandbox {
    pub dir: PathBuf,
}

impl Sandbox {
    pub fn new(name: &str) -> Sandbox {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "ecs-batch-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Sandbox { dir }
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join("app.sqlite3")
    }

    /// The example's configuration for `env`, with the database and logs in the sandbox;
    /// `tweak` changes the ECS part further (a broken deployment).
    pub fn config(&self, env: &str, tweak: impl FnOnce(&mut EcsConfig)) -> FileConfig {
        let mut config = ecs_batch::load_config(Some(env)).unwrap();
        let ecs = config.ecs.as_mut().unwrap();
        ecs.log_dir = self.dir.join("logs");
        let url = format!("sqlite:///{}", self.db_path().display());
        for td in ecs.task_definitions.values_mut() {
            td.environment.retain(|(k, _)| k != "DATABASE_URL");
            td.environment.push(("DATABASE_URL".into(), url.clone()));
        }
        tweak(ecs);
        config
    }

    /// The application's `sales` table with rows `(sold_at UTC, amount)`.
    pub fn seed_sales(&self, rows: &[(&str, i64)]) {
        let db = Connection::open(self.db_path()).unwrap();
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS sales (
                 id INTEGER PRIMARY KEY, sold_at TEXT NOT NULL, amount INTEGER NOT NULL)",
        )
        .unwrap();
        for (at, amount) in rows {
            db.execute(
                "INSERT INTO sales (sold_at, amount) VALUES (?1, ?2)",
                (at, amount),
            )
            .unwrap();
        }
    }

    /// `daily_sales_summary` as `(sales_date, order_count, total_amount, execution_name)`,
    /// by date; empty when the batch never created it.
    pub fn summary(&self) -> Vec<(String, i64, i64, Option<String>)> {
        let db = Connection::open(self.db_path()).unwrap();
        let Ok(mut q) = db.prepare(
            "SELECT sales_date, order_count, total_amount, execution_name
             FROM daily_sales_summary ORDER BY sales_date",
        ) else {
            return Vec::new();
        };
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }
}

/// The events of one type.
pub fn events<'a>(o: &'a Outcome, ty: &str) -> Vec<&'a HistoryEvent> {
    o.history.iter().filter(|e| e.event_type == ty).collect()
}

/// An event's detail object.
pub fn details(e: &HistoryEvent) -> Value {
    e.details.as_ref().expect("event details").value()
}

/// The event types in order.
pub fn types(o: &Outcome) -> Vec<&str> {
    o.history.iter().map(|e| e.event_type.as_ref()).collect()
}

/// A JSON text field of an event's details, parsed.
pub fn json_field(e: &HistoryEvent, field: &str) -> Value {
    serde_json::from_str(details(e)[field].as_str().expect("a JSON text field")).unwrap()
}
