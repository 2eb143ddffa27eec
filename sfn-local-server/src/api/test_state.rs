//! TestState: one state, run in isolation.

use std::sync::Arc;

use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::input::Req;
use crate::service::Service;

pub(crate) async fn test_state(_svc: &Arc<Service>, req: &Req<'_>) -> ApiResult {
    let _ = req.str("definition")?;
    Err(ApiError::new(
        "ValidationException",
        json!("TestState is not implemented yet").to_string(),
    ))
}
