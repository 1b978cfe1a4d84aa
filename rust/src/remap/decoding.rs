//! The segments of the maps below the root, for the many lookups a trace makes.
//!
//! Each such map is decoded once, in full, on a second thread (when they are big; small
//! ones on the calling thread, as first asked for), in the order the trace
//! first needs the maps, and handed over a generated line at a time: tracing starts on
//! a map's first lines while the thread decodes the rest, so a map's decode and the walk
//! over the root overlap instead of adding up (the root's segments trace into the map
//! below roughly in order, as a minifier keeps the order of what it minifies). A trace
//! that needs a line not decoded yet waits for it.

use std::cell::Cell;
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{first_not_before, Node};
use crate::error::{Error, ErrorKind, Result};
use crate::mappings::RawToken;
use crate::threads;
use crate::view::View;

/// What the decoding thread sends for a map: its lines in order (a line number and its
/// segments; lines without segments are skipped), then nothing (the channel closes).
enum Arrival {
    Line(u32, Vec<RawToken>),
    Failed(Error),
}

/// A request to the decoding thread: the map to decode and where its lines go.
type Request = (usize, Sender<Arrival>);

/// Runs `work` with the maps of `nodes`, decoded as `work` asks for them: on a second
/// thread if `threaded`, which, when `work` is done (or failed), finishes the map it is
/// on and stops.
pub(super) fn with_maps<'v, T>(
    nodes: &[Node<'v>],
    threaded: bool,
    work: impl FnOnce(Maps<'v>) -> Result<T>,
) -> Result<T> {
    let maps = Maps::new(nodes)?;
    if !threaded {
        return work(maps);
    }
    std::thread::scope(|s| {
        let (requests, queue) = channel();
        let decoder = threads::builder("libsourcemap-remap", None);
        let decoder = threads::spawn_scoped(decoder, s, move || serve(nodes, queue))?;
        let done = work(Maps {
            requests: Some(requests),
            ..maps
        });
        threads::joined(decoder); // a panic there is raised here
        done
    })
}

/// Decodes the maps asked for on `requests`, one after the other, until the asking side
/// hangs up.
fn serve(nodes: &[Node<'_>], requests: Receiver<Request>) {
    for (node, lines) in requests {
        send_lines(nodes[node].view, nodes[node].loaded_for, &lines);
    }
}

/// Sends the lines of `view` (the map loaded for `loaded_for`) one by one.
fn send_lines(view: &View, loaded_for: Option<&[u8]>, lines: &Sender<Arrival>) {
    let (mut line, mut segments) = (0, Vec::new());
    // Set when nothing more is to be sent: the asking side hung up, or the map is bad.
    let mut stopped = false;
    let walked = view.for_each_token(|token| {
        if token.dst_line != line {
            if token.dst_line < line {
                stopped = true;
                let _ = lines.send(Arrival::Failed(out_of_order()));
                return false;
            }
            stopped = lines
                .send(Arrival::Line(line, in_order(std::mem::take(&mut segments))))
                .is_err();
            line = token.dst_line;
        }
        segments.push(*token);
        !stopped
    });
    if stopped {
        return;
    }
    let _ = lines.send(match walked {
        Ok(()) => Arrival::Line(line, in_order(segments)),
        Err(error) => Arrival::Failed(super::error_in(loaded_for, error)),
    });
}

/// A line's segments by column (a view's are; a damaged memdb's might not be). Stable:
/// segments at one column keep the order the map wrote them in.
fn in_order(mut segments: Vec<RawToken>) -> Vec<RawToken> {
    if !segments.is_sorted_by_key(|t| t.dst_col) {
        segments.sort_by_key(|t| t.dst_col);
    }
    segments
}

fn out_of_order() -> Error {
    crate::error::bad_memdb("corrupt token table: segments out of line order")
}

/// The maps below the root as the trace sees them: each one's lines as they arrive,
/// and its ignore flags.
pub(super) struct Maps<'v> {
    /// The decoding thread's queue; none: maps are decoded here, when first asked for.
    requests: Option<Sender<Request>>,
    views: Vec<&'v View>,
    /// What each map was loaded for (see `Node::loaded_for`).
    loaded_for: Vec<Option<&'v [u8]>>,
    maps: Vec<Option<Lines>>,
    /// Per map, source `i` is in its ignore list (every map's, the root's included).
    ignored: Vec<Vec<bool>>,
}

struct Lines {
    /// `lines[l]`: the segments of line `l` (as far as they have arrived).
    lines: Vec<Vec<RawToken>>,
    /// Where the rest arrive from; `None` once all have.
    arriving: Option<Receiver<Arrival>>,
    /// The line and answer of the last trace (see `trace`).
    last: Cell<(u32, usize)>,
}

impl<'v> Maps<'v> {
    /// The maps of `nodes`, none asked for yet (`with_maps` connects them to a thread).
    fn new(nodes: &[Node<'v>]) -> Result<Maps<'v>> {
        let mut ignored = Vec::with_capacity(nodes.len());
        for node in nodes {
            let mut flags = vec![false; node.view.source_count() as usize];
            for id in node.view.ignore_list()? {
                if let Some(flag) = flags.get_mut(id as usize) {
                    *flag = true;
                }
            }
            ignored.push(flags);
        }
        Ok(Maps {
            requests: None,
            views: nodes.iter().map(|n| n.view).collect(),
            loaded_for: nodes.iter().map(|n| n.loaded_for).collect(),
            maps: (0..nodes.len()).map(|_| None).collect(),
            ignored,
        })
    }

    pub(super) fn is_ignored(&self, node: usize, src_id: u32) -> bool {
        self.ignored[node].get(src_id as usize) == Some(&true)
    }

    /// The segment of map `node` for `col` on `line`: of the segments at `col`, the
    /// first; with none there, the last one before it (trace-mapping's greatest lower
    /// bound). Waits for the line if it has not arrived.
    pub(super) fn trace(&mut self, node: usize, line: u32, col: u32) -> Result<Option<RawToken>> {
        self.receive(node, line)?;
        let lines = self.maps[node].as_ref().expect("requested by receive()");
        let segments = lines
            .lines
            .get(line as usize)
            .map_or(&[][..], Vec::as_slice);
        // Consecutive traces mostly move forward on one line: search on from the last
        // answer, which takes a few steps instead of a whole binary search.
        let (last_line, last_at) = lines.last.get();
        let hint = match last_line == line {
            true => last_at,
            false => 0,
        };
        let at = first_not_before(segments, col, hint);
        lines.last.set((line, at));
        Ok(match segments.get(at) {
            Some(token) if token.dst_col == col => Some(*token),
            _ => at.checked_sub(1).map(|before| segments[before]),
        })
    }

    /// Asks for map `node` if it has not been asked for, and waits until its `line` has
    /// arrived (or all its lines have).
    #[inline(always)]
    fn receive(&mut self, node: usize, line: u32) -> Result<()> {
        match &self.maps[node] {
            Some(lines) if lines.lines.len() > line as usize || lines.arriving.is_none() => Ok(()),
            _ => self.wait_for(node, line),
        }
    }

    /// `receive` when the line is not there yet. Never inlined: the channel's receiving
    /// end reads thread-locals, whose addresses the compiler would otherwise look up
    /// (a call each, in a shared library) on every trace, not just the few that wait.
    #[inline(never)]
    #[cold]
    fn wait_for(&mut self, node: usize, line: u32) -> Result<()> {
        if self.maps[node].is_none() {
            let (sink, arriving) = channel();
            match &self.requests {
                Some(requests) => requests
                    .send((node, sink))
                    .map_err(|_| Error::new(ErrorKind::System, "the decoding thread stopped"))?,
                None => send_lines(self.views[node], self.loaded_for[node], &sink),
            }
            self.maps[node] = Some(Lines {
                lines: Vec::new(),
                arriving: Some(arriving),
                last: Cell::new((0, 0)),
            });
        }
        let lines = self.maps[node].as_mut().expect("set above");
        let wanted = line as usize;
        while lines.lines.len() <= wanted {
            let Some(arriving) = &lines.arriving else {
                break;
            };
            match arriving.recv() {
                Ok(Arrival::Line(number, segments)) => {
                    lines.lines.resize_with(number as usize, Vec::new);
                    lines.lines.push(segments);
                }
                Ok(Arrival::Failed(error)) => return Err(error),
                Err(_) => lines.arriving = None, // every line has arrived
            }
        }
        Ok(())
    }
}
