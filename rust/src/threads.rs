//! Helper threads: each starts with its caller's panic quietness, a failure to start one
//! is an error (not a panic), and waiting for one re-raises its panic on the caller,
//! where the C ABI's landing pad catches it. Every thread the library starts goes
//! through here: the parser threads (`engine::parser_threads`), remap's decoding and
//! encoding threads, and the tail part of a big text's checkpoints (`mappings`).

use std::thread::{Builder, JoinHandle, Scope, ScopedJoinHandle};

use crate::error::{Error, ErrorKind, Result};

/// A thread named `name`, with `stack` bytes of stack if given (else the default).
pub fn builder(name: &str, stack: Option<usize>) -> Builder {
    let builder = Builder::new().name(name.into());
    match stack {
        Some(size) => builder.stack_size(size),
        None => builder,
    }
}

/// Starts `work` on a new thread of scope `s`; wait for it with `joined`.
pub fn spawn_scoped<'scope, T: Send + 'scope>(
    builder: Builder,
    s: &'scope Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Result<ScopedJoinHandle<'scope, T>> {
    builder.spawn_scoped(s, quietly(work)).map_err(cannot_start)
}

/// Starts `work` on a new thread that may outlive the caller's frame; wait for it with
/// `JoinHandle::join`, re-raising its panic as `joined` does.
pub fn spawn<T: Send + 'static>(
    builder: Builder,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<JoinHandle<T>> {
    builder.spawn(quietly(work)).map_err(cannot_start)
}

/// What a scoped helper thread returned; a panic in it is re-raised here.
pub fn joined<T>(thread: ScopedJoinHandle<'_, T>) -> T {
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// `work` as a helper thread runs it: a panic there is re-raised on the calling thread;
/// if that one catches it quietly, this thread must not print it either.
fn quietly<T>(work: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let quiet = crate::quiet_panics::is_quiet();
    move || {
        crate::quiet_panics::inherit(quiet);
        work()
    }
}

fn cannot_start(e: std::io::Error) -> Error {
    Error {
        os_errno: e.raw_os_error().unwrap_or(0),
        ..Error::new(ErrorKind::System, format!("cannot start a thread: {e}"))
    }
}
