//! Stack frames resolved in one go: for each generated position, the original position,
//! the token's name, the original function's name and the context lines around it.
//!
//! A symbolication service resolves a whole trace at once; doing it here costs one call
//! across the FFI boundary per trace instead of several per frame.

use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

use crate::error::Result;
use crate::lines::utf8_lossy;
use crate::view::View;

/// One resolved frame (all numbers 0-based), serialized as a JSON object with `src_id`,
/// `line`, `col`, `name`, `function`, `pre_context`, `context_line`, `post_context`.
#[derive(Debug)]
pub struct ResolvedFrame {
    pub src_id: u32,
    pub line: u32,
    pub col: u32,
    /// The original name of the token at the position (e.g. the called method).
    pub name: Option<String>,
    /// The original name of the function around the position.
    pub function: Option<String>,
    /// The context lines, each ended by '\n', as the source has them: split into
    /// pre-context, the frame's line and post-context only when written (a trace of 50
    /// frames with 5 lines each side would otherwise make 550 small strings).
    context: Vec<u8>,
    /// How many lines `context` has, and which is the frame's (`None`: it has none).
    count: usize,
    at: Option<usize>,
}

impl ResolvedFrame {
    fn lines(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        // Every line ends with '\n'; the piece after the last one is empty.
        self.context
            .split(|&b| b == b'\n')
            .take(self.count)
            .map(utf8_lossy)
    }
}

/// A JSON array of some of a frame's context lines.
struct Lines<'a>(&'a ResolvedFrame, std::ops::Range<usize>);

impl Serialize for Lines<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.1.len()))?;
        for line in self.0.lines().skip(self.1.start).take(self.1.len()) {
            seq.serialize_element(&line)?;
        }
        seq.end()
    }
}

impl Serialize for ResolvedFrame {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let (pre, current, post) = match self.at {
            Some(at) => (0..at, self.lines().nth(at), at + 1..self.count),
            None => (0..0, None, 0..0),
        };
        let mut frame = serializer.serialize_struct("ResolvedFrame", 8)?;
        frame.serialize_field("src_id", &self.src_id)?;
        frame.serialize_field("line", &self.line)?;
        frame.serialize_field("col", &self.col)?;
        frame.serialize_field("name", &self.name)?;
        frame.serialize_field("function", &self.function)?;
        frame.serialize_field("pre_context", &Lines(self, pre))?;
        frame.serialize_field("context_line", &current)?;
        frame.serialize_field("post_context", &Lines(self, post))?;
        frame.end()
    }
}

/// Resolves generated `positions`, with `context` lines each side; `None` for a position
/// that does not map. Parses what the function names need first, in parallel (see
/// `View::prepare_frames`); a minified `source` that does not parse is skipped, as names
/// then come from the original sources.
pub fn resolve(
    view: &View,
    source: Option<&str>,
    positions: &[(u32, u32)],
    context: u32,
) -> Result<Vec<Option<ResolvedFrame>>> {
    match view.prepare_frames(source, positions) {
        Err(e) if e.kind == crate::error::ErrorKind::BadSource => {}
        other => other?,
    }
    positions
        .iter()
        .map(|&(line, col)| resolve_one(view, line, col, context))
        .collect()
}

fn resolve_one(view: &View, line: u32, col: u32, context: u32) -> Result<Option<ResolvedFrame>> {
    let Some((_, token)) = view.lookup(line, col)? else {
        return Ok(None);
    };
    if !token.has_source() {
        return Ok(None);
    }
    let text = |bytes: &[u8]| utf8_lossy(bytes).into_owned();
    let name = view.name(token.name_id)?.map(text);
    let function = view.original_function_name(line, col)?.map(|n| text(&n));
    let first = token.src_line.saturating_sub(context);
    let last = token.src_line.saturating_add(context).saturating_add(1);
    let lines = view
        .source_lines(token.src_id, first, last)?
        .unwrap_or_default();
    let at = (token.src_line - first) as usize;
    let count = lines.iter().filter(|&&b| b == b'\n').count();
    Ok(Some(ResolvedFrame {
        src_id: token.src_id,
        line: token.src_line,
        col: token.src_col,
        name,
        function,
        context: lines,
        count,
        at: (at < count).then_some(at),
    }))
}
