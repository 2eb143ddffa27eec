//! Which executions were running code when the process died.
//!
//! A state that kills the process (a bug, the kernel's OOM killer) would kill it again at every
//! restart, since a restart resumes every running execution. To break that loop without
//! punishing executions that merely waited while the process was killed, each worker thread
//! owns a slot in `<data-dir>/inflight`, where it writes the ARN of the execution it is
//! polling for as long as the poll lasts. The writes reach the kernel's page cache, which
//! outlives the process, so at the next start the slots name the executions that were running
//! at the moment of death. Only those count a failed resumption (see
//! [`crate::service::MAX_RESUMES_WITHOUT_PROGRESS`]).

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use asl_interpreter::PollListener;

/// Bytes per thread slot: an ARN and a newline (longer ARNs are not tracked).
const SLOT_BYTES: usize = 512;
/// Threads tracked (a runtime has one worker per core, plus blocking threads).
const MAX_SLOTS: u32 = 256;

static NEXT_SLOT: AtomicU32 = AtomicU32::new(0);

thread_local! {
    static SLOT: Cell<Option<u32>> = const { Cell::new(None) };
    static LINE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn slot() -> Option<u32> {
    SLOT.with(|s| {
        if s.get().is_none() {
            let n = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
            if n < MAX_SLOTS {
                s.set(Some(n));
            }
        }
        s.get()
    })
}

/// The slots file of one data directory.
pub struct Inflight {
    file: File,
}

impl Inflight {
    /// Opens `<dir>/inflight`: the executions the previous process was running when it ended,
    /// and a cleared file for this one.
    pub fn open(dir: &Path) -> std::io::Result<(Arc<Inflight>, Vec<String>)> {
        let path = dir.join("inflight");
        let mut previous = Vec::new();
        if let Ok(mut f) = File::open(&path) {
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes)?;
            for chunk in bytes.chunks(SLOT_BYTES) {
                let end = chunk
                    .iter()
                    .position(|&b| b == b'\n' || b == 0)
                    .unwrap_or(0);
                if end > 0
                    && let Ok(arn) = std::str::from_utf8(&chunk[..end])
                {
                    previous.push(arn.to_string());
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        Ok((Arc::new(Inflight { file }), previous))
    }

    /// The interpreter's poll listener that keeps the slots.
    pub fn listener(self: &Arc<Self>) -> PollListener {
        let me = self.clone();
        Arc::new(move |arn: Option<&str>| me.mark(arn))
    }

    fn mark(&self, arn: Option<&str>) {
        let Some(slot) = slot() else { return };
        let at = slot as u64 * SLOT_BYTES as u64;
        // Errors are ignored: the slots are a hint for the next start, never a reason to fail.
        let _ = match arn {
            // The line is built in this thread's buffer: a poll allocates nothing.
            Some(a) if a.len() < SLOT_BYTES => LINE.with(|line| {
                let mut line = line.borrow_mut();
                line.clear();
                line.extend_from_slice(a.as_bytes());
                line.push(b'\n');
                self.file.write_all_at(&line, at)
            }),
            _ => self.file.write_all_at(b"\n", at),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_name_what_was_running_at_the_end() {
        let dir = std::env::temp_dir().join(format!("sfn-local-inflight-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (first, previous) = Inflight::open(&dir).unwrap();
        assert!(previous.is_empty());
        let listener = first.listener();
        listener(Some("arn:aws:states:us-east-1:1:execution:sm:done"));
        listener(None);
        let running = std::thread::spawn({
            let listener = listener.clone();
            move || listener(Some("arn:aws:states:us-east-1:1:execution:sm:stuck"))
        });
        running.join().unwrap();
        listener(Some("arn:aws:states:us-east-1:1:execution:sm:x"));
        listener(Some("arn:aws:states:us-east-1:1:execution:sm:busy"));
        drop(listener);
        drop(first);
        let (_, mut previous) = Inflight::open(&dir).unwrap();
        previous.sort();
        assert_eq!(
            previous,
            [
                "arn:aws:states:us-east-1:1:execution:sm:busy",
                "arn:aws:states:us-east-1:1:execution:sm:stuck"
            ]
        );
        let (_, again) = Inflight::open(&dir).unwrap();
        assert!(again.is_empty(), "opening clears the slots");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
