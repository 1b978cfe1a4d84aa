//! [`Scopes`] as `u32` words: the form that crosses the C ABI (one buffer, read in Python
//! with one `memoryview.cast("I")`, libsourcemap/scopes.py) and that a memdb could
//! store. No deltas, no VLQs: every record is absolute and fixed-size.
//!
//! ```text
//! header     FORMAT, S sources, N scopes, R ranges, V variables, B values,
//!            U sub-range bindings, F bindings                                 8 words
//! sources    root scope index, or NONE for a source without a tree          S words
//! scopes     start line, start column, end line, end column, parent|NONE,
//!            name|NONE, kind|NONE, flags (1: stack frame), variables start,
//!            variables count                                           N x 10 words
//! ranges     start line, start column, end line, end column, parent|NONE,
//!            definition|NONE, flags (1: stack frame, 2: hidden, 4: call site),
//!            call site source, line, column (0 without one), values start,
//!            values count, sub-range bindings start, count             R x 14 words
//! variables  name index                                                     V words
//! values     name index, or NONE: unavailable                               B words
//! sub-range  variable, bindings start, bindings count                   U x 3 words
//! bindings   from line, from column, name index|NONE                     F x 3 words
//! ```
//!
//! Scopes and ranges are in pre-order: a node's children are the later nodes naming it
//! as their parent, in order. Names are indexes into the map's `names`.

use super::{
    BindingFrom, GeneratedRange, OriginalPosition, OriginalScope, Position, Scopes, Span,
    SubRangeBinding,
};
use crate::error::{Error, ErrorKind};

/// The layout's version, the first word.
pub const FORMAT: u32 = 1;
/// No index.
pub const NONE: u32 = u32::MAX;

const HEADER: usize = 8;
const SCOPE: usize = 10;
const RANGE: usize = 14;

fn opt(value: Option<u32>) -> u32 {
    value.unwrap_or(NONE)
}

fn from_opt(word: u32) -> Option<u32> {
    (word != NONE).then_some(word)
}

impl Scopes {
    /// The scopes as words (the layout above).
    pub fn to_words(&self) -> Vec<u32> {
        let size = HEADER
            + self.sources.len()
            + self.scopes.len() * SCOPE
            + self.ranges.len() * RANGE
            + self.variables.len()
            + self.values.len()
            + self.sub_range_bindings.len() * 3
            + self.bindings.len() * 3;
        let mut w = Vec::with_capacity(size);
        w.extend([
            FORMAT,
            self.sources.len() as u32,
            self.scopes.len() as u32,
            self.ranges.len() as u32,
            self.variables.len() as u32,
            self.values.len() as u32,
            self.sub_range_bindings.len() as u32,
            self.bindings.len() as u32,
        ]);
        w.extend(self.sources.iter().map(|&s| opt(s)));
        for s in &self.scopes {
            w.extend([
                s.start.line,
                s.start.column,
                s.end.line,
                s.end.column,
                opt(s.parent),
                opt(s.name),
                opt(s.kind),
                u32::from(s.is_stack_frame),
                s.variables.start,
                s.variables.len,
            ]);
        }
        for r in &self.ranges {
            let site = r.call_site.unwrap_or_default();
            let flags = u32::from(r.is_stack_frame)
                | u32::from(r.is_hidden) << 1
                | u32::from(r.call_site.is_some()) << 2;
            w.extend([
                r.start.line,
                r.start.column,
                r.end.line,
                r.end.column,
                opt(r.parent),
                opt(r.definition),
                flags,
                site.source,
                site.line,
                site.column,
                r.values.start,
                r.values.len,
                r.sub_ranges.start,
                r.sub_ranges.len,
            ]);
        }
        w.extend_from_slice(&self.variables);
        w.extend(self.values.iter().map(|&v| opt(v)));
        for sub in &self.sub_range_bindings {
            w.extend([sub.variable, sub.bindings.start, sub.bindings.len]);
        }
        for b in &self.bindings {
            w.extend([b.from.line, b.from.column, opt(b.expression)]);
        }
        debug_assert_eq!(w.len(), size);
        w
    }

    /// The words as little-endian bytes: the buffer a C caller gets (Python reads it
    /// with `ScopeInfo.from_bytes`).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.to_words()
            .into_iter()
            .flat_map(u32::to_le_bytes)
            .collect()
    }

    /// Reads words written by [`Scopes::to_words`], checking that they make a tree (a
    /// parent before its children, sources naming the roots in order, runs within their
    /// pools, definitions naming scopes).
    pub fn from_words(words: &[u32]) -> Result<Scopes, Error> {
        let bad =
            |what: &str| Error::new(ErrorKind::InvalidArgument, format!("scope words: {what}"));
        let header = words.get(..HEADER).ok_or_else(|| bad("no header"))?;
        if header[0] != FORMAT {
            return Err(bad("an unknown format"));
        }
        let count = |i: usize| header[i] as usize;
        let (s, n, r, v, b, u, f) = (
            count(1),
            count(2),
            count(3),
            count(4),
            count(5),
            count(6),
            count(7),
        );
        let size = [s, n * SCOPE, r * RANGE, v, b, u * 3, f * 3]
            .iter()
            .try_fold(HEADER, |acc, &x| acc.checked_add(x))
            .ok_or_else(|| bad("sizes out of range"))?;
        if words.len() != size {
            return Err(bad("a length that is not the header's"));
        }
        let mut at = HEADER;
        let mut take = |len: usize| {
            let part = &words[at..at + len];
            at += len;
            part
        };
        let sources_w = take(s);
        let scopes_w = take(n * SCOPE);
        let ranges_w = take(r * RANGE);
        let variables = take(v).to_vec();
        let values: Vec<Option<u32>> = take(b).iter().map(|&x| from_opt(x)).collect();
        let subs_w = take(u * 3);
        let bindings_w = take(f * 3);

        let span = |start: u32, len: u32, pool: usize| -> Result<Span, Error> {
            if start as usize + len as usize > pool {
                return Err(bad("a run beyond its pool"));
            }
            Ok(Span { start, len })
        };
        let mut scopes = Vec::with_capacity(n);
        for x in scopes_w.chunks_exact(SCOPE) {
            scopes.push(OriginalScope {
                start: Position::new(x[0], x[1]),
                end: Position::new(x[2], x[3]),
                parent: from_opt(x[4]),
                name: from_opt(x[5]),
                kind: from_opt(x[6]),
                is_stack_frame: x[7] & 1 != 0,
                subtree_end: 0,
                variables: span(x[8], x[9], v)?,
            });
        }
        let mut ranges = Vec::with_capacity(r);
        for x in ranges_w.chunks_exact(RANGE) {
            let definition = from_opt(x[5]);
            if definition.is_some_and(|d| d as usize >= n) {
                return Err(bad("a definition that is not a scope"));
            }
            ranges.push(GeneratedRange {
                start: Position::new(x[0], x[1]),
                end: Position::new(x[2], x[3]),
                parent: from_opt(x[4]),
                definition,
                is_stack_frame: x[6] & 1 != 0,
                is_hidden: x[6] & 2 != 0,
                call_site: (x[6] & 4 != 0).then_some(OriginalPosition {
                    source: x[7],
                    line: x[8],
                    column: x[9],
                }),
                subtree_end: 0,
                values: span(x[10], x[11], b)?,
                sub_ranges: span(x[12], x[13], u)?,
            });
        }
        let mut sub_range_bindings = Vec::with_capacity(u);
        for x in subs_w.chunks_exact(3) {
            sub_range_bindings.push(SubRangeBinding {
                variable: x[0],
                bindings: span(x[1], x[2], f)?,
            });
        }
        let bindings = bindings_w
            .chunks_exact(3)
            .map(|x| BindingFrom {
                from: Position::new(x[0], x[1]),
                expression: from_opt(x[2]),
            })
            .collect();

        let parents: Vec<Option<u32>> = scopes.iter().map(|s: &OriginalScope| s.parent).collect();
        let ends = subtree_ends(&parents).ok_or_else(|| bad("scopes that are no tree"))?;
        for (scope, end) in scopes.iter_mut().zip(ends) {
            scope.subtree_end = end;
        }
        let parents: Vec<Option<u32>> = ranges.iter().map(|r: &GeneratedRange| r.parent).collect();
        let ends = subtree_ends(&parents).ok_or_else(|| bad("ranges that are no tree"))?;
        for (range, end) in ranges.iter_mut().zip(ends) {
            range.subtree_end = end;
        }
        let sources: Vec<Option<u32>> = sources_w.iter().map(|&x| from_opt(x)).collect();
        let roots = (0..n as u32).filter(|&i| scopes[i as usize].parent.is_none());
        if !sources.iter().flatten().copied().eq(roots) {
            return Err(bad("sources that do not name the root scopes in order"));
        }
        Ok(Scopes {
            sources,
            scopes,
            ranges,
            variables,
            values,
            sub_range_bindings,
            bindings,
        })
    }
}

/// Each node's subtree end from the parents of a pre-order list, or `None` if a parent
/// is not an open ancestor.
fn subtree_ends(parents: &[Option<u32>]) -> Option<Vec<u32>> {
    let mut ends = vec![0u32; parents.len()];
    let mut open: Vec<u32> = Vec::new();
    for (index, &parent) in parents.iter().enumerate() {
        let index = index as u32;
        while open.last().copied() != parent {
            let done = open.pop()?;
            ends[done as usize] = index;
        }
        open.push(index);
    }
    for done in open {
        ends[done as usize] = parents.len() as u32;
    }
    Some(ends)
}
