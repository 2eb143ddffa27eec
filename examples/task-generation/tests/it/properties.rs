//! The seed's correctness properties (tasks 8.x) as proptest properties, in virtual time.

use std::collections::BTreeSet;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;
use task_generation::ai::{Behaviour, Reply, Step, TOO_SLOW};
use task_generation::db::{ExecutionFilter, GoalStatus, SaveFault, action_id};
use task_generation::workflow::functions::{GENERATE_TASKS, UPDATE_PROGRESS};
use task_generation::{ExecutionState, TaskGeneration};

use crate::common::{app, attempts, results_of};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn block_on_threads<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The action ids each batch execution was given, in batch order.
fn batch_inputs(app: &TaskGeneration, arn: &str) -> Vec<Vec<String>> {
    let mut batches: Vec<(u64, Vec<String>)> = app
        .batches(arn)
        .iter()
        .map(|c| {
            let input: Value = serde_json::from_str(&c.outcome.input).unwrap();
            let ids = input["actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["actionId"].as_str().unwrap().to_string())
                .collect();
            (input["batchIndex"].as_u64().unwrap(), ids)
        })
        .collect();
    batches.sort();
    batches.into_iter().map(|(_, ids)| ids).collect()
}

/// A failing behaviour (the flag picks which kind).
fn failing(invalid: bool) -> Behaviour {
    if invalid {
        Behaviour::invalid()
    } else {
        Behaviour::permanent()
    }
}

/// Behaviours with latencies and timeouts, for the time-bound property.
fn any_behaviour() -> impl Strategy<Value = Behaviour> {
    (0usize..6, 0usize..5, 0u64..110).prop_map(|(kind, k, latency)| {
        let b = match kind {
            0 => Behaviour::succeed(1 + k),
            1 => Behaviour::transient(k.min(3), 2),
            2 => Behaviour::too_slow(k, 1),
            3 => Behaviour::permanent(),
            4 => Behaviour::invalid(),
            _ => Behaviour::script(vec![
                Step {
                    latency: TOO_SLOW,
                    reply: Reply::Throttled,
                },
                Step {
                    latency: Duration::ZERO,
                    reply: Reply::Tasks(2),
                },
            ]),
        };
        b.with_latency(Duration::from_secs(latency))
    })
}

proptest! {
    #![proptest_config(config(24))]

    /// 8.2: every action is processed exactly once, in batches of at most 8, order kept.
    #[test]
    fn every_action_is_processed_once_in_ordered_batches(n in 1usize..70) {
        let app = app(&[("g1", "alice", n)]);
        let st = block_on(async {
            let arn = app.start("g1", "alice").await.unwrap();
            app.wait(&arn).await.map(|s| (arn, s))
        });
        let (arn, st) = st.unwrap();
        prop_assert_eq!(st.goal_status, GoalStatus::Active);
        let batches = batch_inputs(&app, &arn);
        prop_assert_eq!(batches.len(), n.div_ceil(8));
        prop_assert!(batches.iter().all(|b| b.len() <= 8));
        prop_assert!(batches[..batches.len() - 1].iter().all(|b| b.len() == 8));
        let flat: Vec<String> = batches.concat();
        let expected: Vec<String> = (0..n).map(|i| action_id("g1", i)).collect();
        prop_assert_eq!(&flat, &expected);
        let mut called: Vec<String> = app.ai().calls().into_iter().map(|c| c.action_id).collect();
        called.sort();
        prop_assert_eq!(called, expected);
        prop_assert_eq!(app.db().action_results(&arn).unwrap().len(), n);
    }

    /// 8.3: the AI call is retried after exactly 2, 4 and 8 seconds (history timestamps).
    #[test]
    fn retry_delays_are_two_four_eight(failures in 0usize..=4, latency in 0u64..70) {
        let app = app(&[("g1", "alice", 2)]);
        let a0 = action_id("g1", 0);
        app.ai().set(&a0, Behaviour::transient(failures, 1).with_latency(Duration::from_secs(latency)));
        let (arn, st) = block_on(async {
            let arn = app.start("g1", "alice").await.unwrap();
            let st = app.wait(&arn).await.unwrap();
            (arn, st)
        });
        let tries = attempts(&app, &arn, GENERATE_TASKS, &a0);
        prop_assert_eq!(tries.len(), failures.min(3) + 1);
        let gaps: Vec<f64> = tries.windows(2).map(|w| w[1].scheduled - w[0].ended).collect();
        prop_assert_eq!(&gaps[..], &[2.0, 4.0, 8.0][..failures.min(3)]);
        prop_assert!(tries.iter().all(|t| t.ended - t.scheduled == latency as f64));
        let expected = if failures > 3 { GoalStatus::Partial } else { GoalStatus::Active };
        prop_assert_eq!(st.goal_status, expected);
    }

    /// 8.5: an action's tasks are saved all or nothing; database errors are retried 3 times.
    #[test]
    fn saves_are_all_or_nothing(faults in prop::collection::vec((0u32..=5, any::<bool>(), 1usize..=6), 1..16)) {
        let app = app(&[("g1", "alice", faults.len())]);
        for (i, (times, before_commit, tasks)) in faults.iter().enumerate() {
            let id = action_id("g1", i);
            app.ai().set(&id, Behaviour::succeed(*tasks));
            let at = if *before_commit { SaveFault::BeforeCommit } else { SaveFault::BeforeWrite };
            app.db().inject_save_failures(&id, *times, at);
        }
        block_on(async {
            let arn = app.start("g1", "alice").await.unwrap();
            app.wait(&arn).await.unwrap();
        });
        for (i, (times, _, tasks)) in faults.iter().enumerate() {
            let saved = app.db().tasks_of_action(&action_id("g1", i)).unwrap();
            let expected = if *times <= 3 { *tasks } else { 0 };
            prop_assert_eq!(saved.len(), expected, "action {} with {} faults", i, times);
            let positions: Vec<i64> = saved.iter().map(|t| t.position).collect();
            prop_assert_eq!(positions, (0..expected as i64).collect::<Vec<_>>());
        }
    }

    /// 8.7: partial failure keeps every success and lists exactly the failures, in order.
    #[test]
    fn partial_failure_keeps_every_success(fails in prop::collection::vec(prop::option::of(any::<bool>()), 1..30)) {
        let app = app(&[("g1", "alice", fails.len())]);
        for (i, f) in fails.iter().enumerate() {
            if let Some(invalid) = f {
                app.ai().set(&action_id("g1", i), failing(*invalid));
            }
        }
        let st = block_on(async {
            let arn = app.start("g1", "alice").await.unwrap();
            app.wait(&arn).await.unwrap()
        });
        let failed: Vec<String> = fails.iter().enumerate()
            .filter(|(_, f)| f.is_some()).map(|(i, _)| action_id("g1", i)).collect();
        prop_assert_eq!(&st.failed_actions, &failed);
        let with_tasks: BTreeSet<String> = app.db().tasks_of_goal("g1").unwrap()
            .into_iter().map(|t| t.action_id).collect();
        let ok: BTreeSet<String> = fails.iter().enumerate()
            .filter(|(_, f)| f.is_none()).map(|(i, _)| action_id("g1", i)).collect();
        prop_assert_eq!(&with_tasks, &ok);
        let (goal, state) = if failed.is_empty() {
            (GoalStatus::Active, ExecutionState::Succeeded)
        } else if ok.is_empty() {
            (GoalStatus::Failed, ExecutionState::Failed)
        } else {
            (GoalStatus::Partial, ExecutionState::Succeeded)
        };
        prop_assert_eq!((st.goal_status, st.state), (goal, state));
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// 8.4: no execution outlives its 15 minutes, nor a batch its 5; a timed-out execution
    /// ends at exactly 900 s and leaves no tasks.
    #[test]
    fn never_outlives_fifteen_minutes(behaviours in prop::collection::vec(any_behaviour(), 1..90)) {
        let app = app(&[("g1", "alice", behaviours.len())]);
        for (i, b) in behaviours.iter().enumerate() {
            app.ai().set(&action_id("g1", i), b.clone());
        }
        let (arn, st) = block_on(async {
            let arn = app.start("g1", "alice").await.unwrap();
            let st = app.wait(&arn).await.unwrap();
            (arn, st)
        });
        let took = (st.finished_at.unwrap() - st.started_at).num_milliseconds();
        prop_assert!(took <= 900_000, "{} ms", took);
        for b in app.batches(&arn) {
            prop_assert!((b.outcome.stop_date - b.outcome.start_date).num_seconds() <= 300);
        }
        if st.state == ExecutionState::TimedOut {
            prop_assert_eq!(took, 900_000);
            prop_assert!(app.db().tasks_of_goal("g1").unwrap().is_empty());
        } else {
            prop_assert!(took < 900_000);
            prop_assert_eq!(st.processed, st.total);
        }
    }

    /// 8.6: progress only goes up, one action at a time, and reaches 100%.
    #[test]
    fn progress_is_monotone_and_reaches_100(n in 1usize..50, fail_every in 2usize..9) {
        let app = app(&[("g1", "alice", n)]);
        for i in (0..n).step_by(fail_every) {
            app.ai().set(&action_id("g1", i), Behaviour::permanent());
        }
        let (arn, seen, st) = block_on_threads(async {
            let arn = app.start("g1", "alice").await.unwrap();
            // Watch from another task while it runs.
            let watcher = {
                let app = app.clone();
                let arn = arn.clone();
                tokio::spawn(async move {
                    let mut seen = Vec::new();
                    loop {
                        let st = app.status(&arn).unwrap();
                        seen.push(st.percent);
                        if st.state != ExecutionState::Running {
                            return seen;
                        }
                        tokio::task::yield_now().await;
                    }
                })
            };
            let st = app.wait(&arn).await.unwrap();
            (arn, watcher.await.unwrap(), st)
        });
        prop_assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{:?}", seen);
        prop_assert_eq!(st.percent, 100);
        prop_assert_eq!(st.processed as usize, n);
        let mut steps: Vec<u64> = results_of(&app, &arn, UPDATE_PROGRESS).iter()
            .map(|p| p["processed"].as_u64().unwrap()).collect();
        steps.sort_unstable();
        prop_assert_eq!(steps, (1..=n as u64).collect::<Vec<_>>());
    }

    /// 8.8: concurrent executions of different users never see each other's state.
    #[test]
    fn concurrent_executions_are_isolated(goals in prop::collection::vec(prop::collection::vec(any::<bool>(), 1..30), 2..5)) {
        let specs: Vec<(String, String, usize)> = goals.iter().enumerate()
            .map(|(g, fails)| (format!("g{g}"), format!("user{g}"), fails.len())).collect();
        let refs: Vec<(&str, &str, usize)> = specs.iter().map(|(g, u, n)| (g.as_str(), u.as_str(), *n)).collect();
        let app = app(&refs);
        for (g, fails) in goals.iter().enumerate() {
            for (i, f) in fails.iter().enumerate() {
                if *f {
                    app.ai().set(&action_id(&format!("g{g}"), i), Behaviour::permanent());
                }
            }
        }
        let done = block_on_threads(async {
            let mut arns = Vec::new();
            for (g, u, _) in &specs {
                arns.push(app.start(g, u).await.unwrap());
            }
            let mut done = Vec::new();
            for arn in arns {
                let st = app.wait(&arn).await.unwrap();
                done.push((arn, st));
            }
            done
        });
        for ((g, fails), (arn, st)) in goals.iter().enumerate().zip(&done) {
            let goal = format!("g{g}");
            let failed: Vec<String> = fails.iter().enumerate().filter(|(_, f)| **f)
                .map(|(i, _)| action_id(&goal, i)).collect();
            prop_assert_eq!(&st.failed_actions, &failed);
            prop_assert_eq!(&st.goal_id, &goal);
            let tasks = app.db().tasks_of_goal(&goal).unwrap();
            prop_assert_eq!(tasks.len(), (fails.len() - failed.len()) * 3);
            prop_assert!(tasks.iter().all(|t| &t.execution_arn == arn));
            let results = app.db().action_results(arn).unwrap();
            let prefix = format!("{goal}-");
            prop_assert!(results.iter().all(|r| r.action_id.starts_with(&prefix)));
            prop_assert_eq!(results.len(), fails.len());
        }
    }

    /// 8.9: the execution history holds every execution with its ARN, times, status and
    /// summary.
    #[test]
    fn history_holds_every_execution(runs in prop::collection::vec((1usize..12, any::<bool>(), any::<bool>()), 1..5)) {
        let specs: Vec<(String, usize)> = runs.iter().enumerate()
            .map(|(i, (n, _, _))| (format!("g{i}"), *n)).collect();
        let refs: Vec<(&str, &str, usize)> = specs.iter().map(|(g, n)| (g.as_str(), "alice", *n)).collect();
        let app = app(&refs);
        let mut expected = Vec::new();
        block_on(async {
            for (i, (_, first_fails, retry)) in runs.iter().enumerate() {
                let goal = format!("g{i}");
                if *first_fails {
                    app.ai().set(&action_id(&goal, 0), Behaviour::permanent());
                }
                let arn = app.start(&goal, "alice").await.unwrap();
                let st = app.wait(&arn).await.unwrap();
                expected.push((arn.clone(), st.state));
                if *retry && !st.failed_actions.is_empty() {
                    app.ai().set(&action_id(&goal, 0), Behaviour::succeed(1));
                    let again = app.retry_failed(&arn).await.unwrap();
                    let st = app.wait(&again).await.unwrap();
                    expected.push((again, st.state));
                }
            }
        });
        let recorded = app.executions(&ExecutionFilter::default()).unwrap();
        prop_assert_eq!(recorded.len(), expected.len());
        for (rec, (arn, state)) in recorded.iter().zip(&expected) {
            prop_assert_eq!(&rec.execution_arn, arn);
            prop_assert_eq!(rec.state, *state);
            prop_assert!(rec.finished_at.is_some_and(|f| f >= rec.started_at));
            prop_assert!(rec.result_summary.is_some() || rec.error.is_some());
        }
    }
}
