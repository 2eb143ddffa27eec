//! Service integrations the server answers locally: Lambda functions (local commands or a
//! Lambda endpoint), nested executions.

pub mod lambda;
pub mod nested;
