//! Panics caught without a word on stderr. A panic hook (installed once, chaining to the
//! one before it) records the message and location of a panic raised under `catch`, on
//! the catching thread or a parser thread it started, and prints nothing; any other
//! panic is reported as before.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether a panic on this thread will be caught by `catch` (here or on the
    /// thread that started this one: see `inherit`).
    static QUIET: Cell<bool> = const { Cell::new(false) };
    /// The last quiet panic's message and location.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                return previous(info);
            }
            let message = match info.location() {
                Some(at) => format!(
                    "{} at {}:{}",
                    payload_text(info.payload()),
                    at.file(),
                    at.line()
                ),
                None => payload_text(info.payload()).to_owned(),
            };
            LAST.with(|last| *last.borrow_mut() = Some(message));
        }));
    });
}

/// Runs `body`; a panic becomes `Err` with its message (and location, when the hook
/// saw it on this thread).
pub fn catch<T>(body: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(body));
    QUIET.with(|q| q.set(was_quiet));
    result.map_err(|payload| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_text(&*payload).to_owned())
    })
}

/// Whether panics on this thread are caught quietly; a thread started here passes it
/// to `inherit`, so that its panic (re-raised on this thread) is quiet too.
pub fn is_quiet() -> bool {
    QUIET.with(Cell::get)
}

pub fn inherit(quiet: bool) {
    QUIET.with(|q| q.set(quiet));
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic payload"
    }
}
