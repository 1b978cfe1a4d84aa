//! The threads JavaScript is parsed on: a large stack each (the parser recurses once per
//! nesting level), started once per job rather than per source, and run side by side
//! for parses that do not depend on each other.

use crate::error::{Error, Result};
use crate::threads::{self, joined};

/// A parse runs on a thread with this much stack, enough for `function_scopes`'
/// nesting bound.
const PARSE_STACK: usize = 256 << 20;

thread_local! {
    static ON_PARSER_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on a thread with `PARSE_STACK` of stack, or right here if this already is
/// such a thread: callers that parse many sources wrap the whole job once, instead of
/// paying for a thread per source.
pub fn on_parser_stack<T: Send>(work: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if ON_PARSER_STACK.with(|on| on.get()) {
        return work();
    }
    std::thread::scope(|s| joined(spawn_parser(s, work)?))
}

/// Starts `work` on a new thread of scope `s` with `PARSE_STACK` of stack (marked as a
/// parser stack, so parses inside run right there); wait for it with `threads::joined`.
pub fn spawn_parser<'scope, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>> {
    threads::spawn_scoped(parser_thread(), s, as_parser(work))
}

/// `spawn_parser` for work that outlives the caller's frame (a parse started now and
/// waited for in a later call): join the handle, re-raising a panic as `threads::joined` does.
pub fn start_parser<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<std::thread::JoinHandle<T>> {
    threads::spawn(parser_thread(), as_parser(work))
}

fn parser_thread() -> std::thread::Builder {
    threads::builder("libsourcemap-parse", Some(PARSE_STACK))
}

/// `work` as a parser thread runs it.
fn as_parser<T>(work: impl FnOnce() -> T) -> impl FnOnce() -> T {
    move || {
        ON_PARSER_STACK.with(|on| on.set(true));
        work()
    }
}

/// Runs `work` on every item on up to `threads` parser-stack threads (at least one), and
/// returns the results in item order. For parses that do not depend on each other (the
/// minified source and the original sources a stack trace needs).
pub fn in_parallel<I: Sync, T: Send>(
    items: &[I],
    threads: usize,
    work: impl Fn(&I) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    if items.is_empty() {
        return Ok(Vec::new()); // no parser thread to start for nothing
    }
    if items.len() == 1 || threads <= 1 {
        return on_parser_stack(|| items.iter().map(&work).collect());
    }
    let next = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<T>>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.min(items.len()))
            .map(|_| {
                spawn_parser(s, || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                })
            })
            .collect::<Result<_>>()?;
        for worker in workers {
            joined(worker);
        }
        Ok::<(), Error>(())
    })?;
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| {
                    unreachable!("every parse job runs before its workers are joined")
                })
        })
        .collect()
}

/// How many parser threads to run at once: the machine's cores, at most four (each
/// parse of a large source holds its AST in memory until it is done). Found once per
/// process: `available_parallelism` reads cgroup files on every call (six system calls,
/// ~20 us), which was most of what resolving one frame cost.
pub fn parser_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
    })
}
