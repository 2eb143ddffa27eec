//! Golden histories: the main execution and its batch, as outlines (id, previous id, offset
//! in seconds, type, state name).

use task_generation::ai::Behaviour;
use task_generation::db::action_id;

use crate::common::{app, outline};

#[tokio::test]
async fn small_execution_history() {
    let app = app(&[("g1", "alice", 3)]);
    app.ai()
        .set(&action_id("g1", 1), Behaviour::transient(1, 1));
    app.ai().set(&action_id("g1", 2), Behaviour::permanent());
    let arn = app.start("g1", "alice").await.unwrap();
    app.wait(&arn).await.unwrap();
    insta::assert_snapshot!("main", outline(&app.history(&arn).unwrap()));
    let batches = app.batches(&arn);
    assert_eq!(batches.len(), 1);
    insta::assert_snapshot!("batch", outline(&batches[0].outcome.history));
}
