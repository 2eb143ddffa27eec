//! Integration tests, one binary (every scenario in virtual time).

mod common;
mod definition;
mod history;
mod properties;
mod scenarios;
