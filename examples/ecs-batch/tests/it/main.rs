//! Integration tests, one binary: the definition and configuration, scheduled runs and
//! failures in virtual time through the interpreter, and the same workflow on the server.

mod common;
mod definition;
mod failures;
mod scheduled;
mod server;

/// One line per event: id, previous id, type, seconds since the execution started.
fn outline(o: &asl_interpreter::Outcome) -> String {
    o.history
        .iter()
        .map(|e| {
            format!(
                "{:>2} <- {:>2}  {:<20} +{}s",
                e.id,
                e.previous_event_id,
                e.event_type,
                (e.timestamp - o.start_date).num_seconds()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
