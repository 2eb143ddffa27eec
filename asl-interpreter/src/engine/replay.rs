//! Resuming an execution from its recorded history.
//!
//! A resumed execution runs its definition again from the start, in *replay*: every event
//! the engine would append is first looked up among the recorded ones by its previous event id,
//! its type and its identity (the state name, or the Map iteration index). A match reuses the
//! recorded id and appends nothing; the first event with no match is where the execution had
//! got to, and from there on events are appended as usual (their ids continue the history).
//!
//! Work that finished is not done again: a task whose result is recorded returns that result
//! without calling its handler, a Wait or retry backoff whose end is recorded does not sleep,
//! and one that was under way sleeps only what remains of it. A task that was in flight is
//! invoked again (at least once, as AWS documents for tasks). Task tokens are derived from the
//! execution and the event they follow, so a resumed callback waits on the token its worker
//! already holds.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::history::{EventDetails, EventType, HistoryEvent, Identity};

/// The recorded events of an execution being resumed.
pub(crate) struct Replay {
    events: Vec<HistoryEvent>,
    /// Not yet matched, by (previous id, type), in id order.
    open: Mutex<HashMap<(u64, EventType), VecDeque<u64>>>,
}

/// What tells two events of the same type after the same event apart: the state's name, a Map
/// iteration's index.
fn identity(details: Option<&EventDetails>) -> Option<Identity<'_>> {
    details?.identity()
}

impl Replay {
    pub fn new(events: Vec<HistoryEvent>) -> Replay {
        let mut open: HashMap<(u64, EventType), VecDeque<u64>> = HashMap::new();
        for e in &events {
            open.entry((e.previous_event_id, e.event_type))
                .or_default()
                .push_back(e.id);
        }
        Replay {
            events,
            open: Mutex::new(open),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, EventType), VecDeque<u64>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The recorded event with this id.
    pub fn event(&self, id: u64) -> Option<&HistoryEvent> {
        let e = self.events.get(usize::try_from(id).ok()?.checked_sub(1)?)?;
        (e.id == id).then_some(e)
    }

    /// Matches an event about to be appended; its recorded id if it was recorded.
    pub fn take(&self, prev: u64, ty: EventType, details: Option<&EventDetails>) -> Option<u64> {
        let mut open = self.lock();
        let ids = open.get_mut(&(prev, ty))?;
        let want = identity(details);
        let pos = ids.iter().position(|id| {
            self.event(*id)
                .is_some_and(|e| identity(e.details.as_ref()) == want)
        })?;
        ids.remove(pos)
    }

    /// Matches an event about to be appended that may follow a different event than it did
    /// when recorded: the unmatched recorded event of this type and identity that descends
    /// from `ancestor` (following `previousEventId` leads to it), the earliest if several.
    ///
    /// A Map starts an iteration when a slot frees, chained to the iteration that ended
    /// (`MapIterationStarted` follows its last event). Iterations that were in flight at the
    /// interruption may end in another order when resumed, so the recorded start of the next
    /// iteration is found by its index within the Map's run (`ancestor`: its
    /// `MapStateStarted`), not by the event before it.
    pub fn take_descendant(
        &self,
        ancestor: u64,
        ty: EventType,
        details: Option<&EventDetails>,
    ) -> Option<u64> {
        let mut open = self.lock();
        let want = identity(details);
        let descends = |mut id: u64| {
            while id > ancestor {
                match self.event(id) {
                    Some(e) => id = e.previous_event_id,
                    None => return false,
                }
            }
            id == ancestor
        };
        let (key, pos) = open
            .iter()
            .filter(|((_, t), _)| *t == ty)
            .flat_map(|(key, ids)| {
                ids.iter()
                    .enumerate()
                    .map(move |(pos, id)| (*key, pos, *id))
            })
            .filter(|(_, _, id)| {
                self.event(*id)
                    .is_some_and(|e| identity(e.details.as_ref()) == want)
                    && descends(*id)
            })
            .min_by_key(|(_, _, id)| *id)
            .map(|(key, pos, _)| (key, pos))?;
        open.get_mut(&key)?.remove(pos)
    }

    /// The unmatched recorded event after `prev` whose type satisfies `pred`, if any.
    pub fn next_after(&self, prev: u64, pred: impl Fn(EventType) -> bool) -> Option<&HistoryEvent> {
        let open = self.lock();
        open.iter()
            .filter(|((p, ty), ids)| *p == prev && pred(*ty) && !ids.is_empty())
            .filter_map(|(_, ids)| ids.front())
            .min()
            .and_then(|id| self.event(*id))
    }

    /// When the recorded event `id` happened.
    pub fn timestamp(&self, id: u64) -> Option<DateTime<Utc>> {
        self.event(id).map(|e| e.timestamp)
    }
}

/// The part of a closed execution's history a redrive replays: all of it but the failure that
/// closed it — the terminal event and, back from it, every failure or abort event that nothing
/// but other removed events follow (a failure a Retry answered stays: it is followed by the
/// next attempt).
pub(crate) fn redrivable(history: &[HistoryEvent]) -> Vec<HistoryEvent> {
    use std::collections::HashSet;
    let failure = |t: EventType| t.is_failure() || t == EventType::ExecutionRedriven;
    let mut removed: HashSet<u64> = HashSet::new();
    let mut successors: HashMap<u64, Vec<u64>> = HashMap::new();
    for e in history {
        successors
            .entry(e.previous_event_id)
            .or_default()
            .push(e.id);
    }
    loop {
        let before = removed.len();
        for e in history.iter().rev() {
            if removed.contains(&e.id) || !failure(e.event_type) {
                continue;
            }
            let next = successors.get(&e.id).map(Vec::as_slice).unwrap_or(&[]);
            if next.iter().all(|n| removed.contains(n)) {
                removed.insert(e.id);
            }
        }
        if removed.len() == before {
            break;
        }
    }
    history
        .iter()
        .filter(|e| !removed.contains(&e.id))
        .cloned()
        .collect()
}

/// A task token that is the same every time the execution reaches the same point.
pub(crate) fn stable_token(execution_arn: &str, after_event: u64, salt: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(execution_arn.as_bytes());
    h.update(after_event.to_be_bytes());
    h.update(salt.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    // Shaped as a version-4 UUID so it reads like the tokens AWS tools expect.
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(id: u64, prev: u64, ty: EventType, name: Option<&str>) -> HistoryEvent {
        HistoryEvent {
            id,
            previous_event_id: prev,
            timestamp: Utc::now(),
            event_type: ty,
            details: name
                .map(|n| EventDetails::new("stateEnteredEventDetails", &json!({"name": n}))),
        }
    }

    #[test]
    fn events_match_by_previous_type_and_identity_once() {
        let r = Replay::new(vec![
            ev(1, 0, EventType::ExecutionStarted, None),
            ev(2, 1, EventType::ParallelStateEntered, Some("P")),
            ev(3, 2, EventType::ParallelStateStarted, None),
            ev(4, 3, EventType::PassStateEntered, Some("B")),
            ev(5, 3, EventType::PassStateEntered, Some("A")),
        ]);
        let a = EventDetails::new("stateEnteredEventDetails", &json!({"name": "A"}));
        let b = EventDetails::new("stateEnteredEventDetails", &json!({"name": "B"}));
        assert_eq!(r.take(3, EventType::PassStateEntered, Some(&a)), Some(5));
        assert_eq!(r.take(3, EventType::PassStateEntered, Some(&a)), None);
        assert_eq!(r.take(3, EventType::PassStateEntered, Some(&b)), Some(4));
        assert_eq!(r.take(5, EventType::PassStateExited, Some(&a)), None);
        assert!(
            r.next_after(2, |t| t == EventType::ParallelStateStarted)
                .is_some()
        );
        assert_eq!(r.take(2, EventType::ParallelStateStarted, None), Some(3));
        assert!(
            r.next_after(2, |t| t == EventType::ParallelStateStarted)
                .is_none()
        );
    }

    #[test]
    fn tokens_are_stable_and_distinct() {
        let a = stable_token("arn:x", 7, "task");
        assert_eq!(a, stable_token("arn:x", 7, "task"));
        assert_ne!(a, stable_token("arn:x", 8, "task"));
        assert_ne!(a, stable_token("arn:y", 7, "task"));
        assert!(uuid::Uuid::parse_str(&a).is_ok());
    }
}
