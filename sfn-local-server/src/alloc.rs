//! The global allocator of `sfn-local`: mimalloc, reporting every allocation to the JSONata
//! memory meter ([`asl_core::jsonata::budget`]) so that an expression that builds a huge value
//! fails its state instead of taking the process down.
//!
//! This is the one place in the workspace with `unsafe` code: `GlobalAlloc` is an unsafe
//! trait. Every method forwards to mimalloc with the caller's own arguments.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};

use asl_core::jsonata::budget::{note_alloc, note_dealloc};

/// An allocator that meters JSONata evaluations and forwards to `A`.
pub struct Metering<A>(pub A);

// SAFETY: each method forwards to `A` with the caller's pointer and layout, unchanged; the
// meter only reads and writes thread-local counters, which never allocate.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Metering<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_dealloc(layout.size());
        // SAFETY: `ptr` was allocated by `self.0` with `layout` (the caller's contract).
        unsafe { self.0.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            note_alloc(new_size - layout.size());
        } else {
            note_dealloc(layout.size() - new_size);
        }
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { self.0.realloc(ptr, layout, new_size) }
    }
}

/// `mi_option_purge_delay` in mimalloc v2's `mi_option_e` (the binding names no constant for
/// it): how long freed memory waits before it goes back to the OS.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the OS at once instead of after mimalloc's default 10 ms, which it
/// only counts on a thread that allocates again: an idle server's worker threads never did,
/// so a burst's memory stayed resident until the next burst (idle RSS 20 MB, 197 MB after a
/// burst of big JSONata values, 25 MB with this). For the long-lived server, not for `run`.
pub fn return_freed_memory_promptly() {
    // SAFETY: setting an option is a plain store into mimalloc's option table; the option
    // exists (v2 is the version linked) and 0 is a valid delay.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

/// mimalloc with the JSONata meter: the allocator of the `sfn-local` binary and of the tests
/// that check the memory limit.
pub type Allocator = Metering<mimalloc::MiMalloc>;

/// The allocator value for `#[global_allocator]`.
pub const ALLOCATOR: Allocator = Metering(mimalloc::MiMalloc);
