//! Task tokens: a `.waitForTaskToken` task or an activity waits on its token for the callback
//! (`SendTaskSuccess`, `SendTaskFailure`, `SendTaskHeartbeat`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::handler::TaskFailure;

/// What a callback delivers to a waiting `.waitForTaskToken` task.
#[derive(Debug)]
pub(crate) enum Callback {
    Success(Value),
    Failure(TaskFailure),
    Heartbeat,
}

/// Open task tokens, shared by all executions of an interpreter.
#[derive(Clone, Default)]
pub(crate) struct Tokens {
    inner: Arc<Mutex<HashMap<String, tokio::sync::mpsc::UnboundedSender<Callback>>>>,
}

impl Tokens {
    pub fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, tokio::sync::mpsc::UnboundedSender<Callback>>>
    {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Keeps a token open while alive; dropping it closes the token.
pub(crate) struct TokenGuard<'a>(&'a Tokens, String);

impl<'a> TokenGuard<'a> {
    /// Opens `token`: callbacks for it go to `tx` until the guard is dropped.
    pub fn open(
        tokens: &'a Tokens,
        token: String,
        tx: tokio::sync::mpsc::UnboundedSender<Callback>,
    ) -> Self {
        tokens.lock().insert(token.clone(), tx);
        TokenGuard(tokens, token)
    }
}

impl Drop for TokenGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().remove(&self.1);
    }
}
