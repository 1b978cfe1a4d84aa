//! [`Scopes`] -> `scopes` text.
//!
//! Items in the spec grammar's order: the sources' trees (`A` for a source without one),
//! then the ranges; a scope's start, its variables, its children, its end; a range's
//! start, its bindings (`G`), its call site (`I`), its sub-range bindings (`H`, in the
//! order they were given), its children, its end. A range start has a line only when
//! its line moved (flag 1), and a range end likewise (2 values instead of 1), as Chrome
//! DevTools' encoder writes them; so for any scopes DevTools encodes, this writes the
//! same text but for a call site, which it writes after the sub-range bindings.
//!
//! The encoding is relative and its deltas are unsigned: every start and end must come
//! at or after the item before it (children within their parent, siblings in order,
//! sub-ranges in order within their range), or there is no text for it: an error.

use super::{Position, Scopes};
use crate::error::{Error, ErrorKind};
use crate::vlq;

fn unsigned(out: &mut Vec<u8>, value: u64) {
    vlq::encode_unsigned(value, out);
}

fn signed(out: &mut Vec<u8>, value: i64) {
    let folded = if value < 0 {
        (value.unsigned_abs() << 1) | 1
    } else {
        (value as u64) << 1
    };
    unsigned(out, folded);
}

fn bad(message: String) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// The (line delta, column) of `to` after `from`, the column relative when the line did
/// not move; `None` if `to` comes before `from`.
fn delta(from: Position, to: Position) -> Option<(u64, u64)> {
    if to < from {
        None
    } else if to.line == from.line {
        Some((0, (to.column - from.column) as u64))
    } else {
        Some(((to.line - from.line) as u64, to.column as u64))
    }
}

/// A running delta of indexes (names, kinds, variables, definitions).
#[derive(Default)]
struct Relative(i64);

impl Relative {
    fn next(&mut self, out: &mut Vec<u8>, index: u32) {
        signed(out, index as i64 - self.0);
        self.0 = index as i64;
    }
}

#[derive(Default)]
struct Encoder {
    out: Vec<u8>,
    position: Position,
    name: Relative,
    kind: Relative,
    variable: Relative,
    definition: Relative,
}

impl Encoder {
    fn item(&mut self, tag: u8) {
        if !self.out.is_empty() {
            self.out.push(b',');
        }
        self.out.push(tag);
    }

    fn moved(&mut self, to: Position, what: impl Fn() -> String) -> Result<(u64, u64), Error> {
        let moved = delta(self.position, to).ok_or_else(|| {
            bad(format!(
                "{} at {}:{} comes before the item before it ({}:{})",
                what(),
                to.line,
                to.column,
                self.position.line,
                self.position.column
            ))
        })?;
        self.position = to;
        Ok(moved)
    }
}

/// Encodes `scopes` as the text of a `scopes` field.
pub fn encode(scopes: &Scopes) -> Result<String, Error> {
    let mut e = Encoder::default();
    let mut stack: Vec<u32> = Vec::new();
    let mut next_root = 0u32;
    for &source in &scopes.sources {
        let Some(root) = source else {
            e.item(b'A');
            continue;
        };
        let root_scope = scopes
            .scopes
            .get(root as usize)
            .ok_or_else(|| bad(format!("source tree root {root} is not a scope")))?;
        if root != next_root || root_scope.parent.is_some() {
            return Err(bad(format!(
                "source tree root {root} is not the next root scope ({next_root})"
            )));
        }
        next_root = root_scope.subtree_end;
        if next_root as usize > scopes.scopes.len() {
            return Err(bad(format!(
                "scope {root}'s subtree ends past the last scope"
            )));
        }
        e.position = Position::default();
        let mut index = root;
        while index < next_root {
            let scope = &scopes.scopes[index as usize];
            close_scopes(&mut e, scopes, &mut stack, index)?;
            if scope.parent != stack.last().copied() || scope.subtree_end <= index {
                return Err(bad(format!("scope {index} is not where its parent says")));
            }
            let (line, column) = e.moved(scope.start, || format!("scope {index}'s start"))?;
            let flags = u64::from(scope.name.is_some())
                | u64::from(scope.kind.is_some()) << 1
                | u64::from(scope.is_stack_frame) << 2;
            e.item(b'B');
            unsigned(&mut e.out, flags);
            unsigned(&mut e.out, line);
            unsigned(&mut e.out, column);
            if let Some(name) = scope.name {
                e.name.next(&mut e.out, name);
            }
            if let Some(kind) = scope.kind {
                e.kind.next(&mut e.out, kind);
            }
            let variables = scopes.variables(scope);
            if !variables.is_empty() {
                e.item(b'D');
                for &variable in variables {
                    e.variable.next(&mut e.out, variable);
                }
            }
            stack.push(index);
            index += 1;
        }
        close_scopes(&mut e, scopes, &mut stack, u32::MAX)?;
    }
    if next_root as usize != scopes.scopes.len() {
        return Err(bad(format!(
            "scopes from {next_root} on are in no source's tree"
        )));
    }

    e.position = Position::default();
    let count = scopes.ranges.len() as u32;
    for index in 0..count {
        let range = &scopes.ranges[index as usize];
        close_ranges(&mut e, scopes, &mut stack, index)?;
        if range.parent != stack.last().copied() || range.subtree_end <= index {
            return Err(bad(format!("range {index} is not where its parent says")));
        }
        let start = range.start;
        let (line, column) = e.moved(start, || format!("range {index}'s start"))?;
        let flags = u64::from(line > 0)
            | u64::from(range.definition.is_some()) << 1
            | u64::from(range.is_stack_frame) << 2
            | u64::from(range.is_hidden) << 3;
        e.item(b'E');
        unsigned(&mut e.out, flags);
        if line > 0 {
            unsigned(&mut e.out, line);
        }
        unsigned(&mut e.out, column);
        if let Some(definition) = range.definition {
            if definition as usize >= scopes.scopes.len() {
                return Err(bad(format!(
                    "range {index}'s definition {definition} is not a scope"
                )));
            }
            e.definition.next(&mut e.out, definition);
        }
        let values = scopes.values(range);
        if !values.is_empty() {
            e.item(b'G');
            for &value in values {
                unsigned(&mut e.out, value.map_or(0, |v| v as u64 + 1));
            }
        }
        if let Some(site) = range.call_site {
            e.item(b'I');
            unsigned(&mut e.out, site.source as u64);
            unsigned(&mut e.out, site.line as u64);
            unsigned(&mut e.out, site.column as u64);
        }
        for sub in scopes.sub_range_bindings(range) {
            e.item(b'H');
            unsigned(&mut e.out, sub.variable as u64);
            let mut at = start;
            for binding in scopes.bindings(sub) {
                let (line, column) = delta(at, binding.from).ok_or_else(|| {
                    bad(format!(
                        "a sub-range binding of variable {} in range {index} comes before \
                         the one before it",
                        sub.variable
                    ))
                })?;
                at = binding.from;
                unsigned(&mut e.out, line);
                unsigned(&mut e.out, column);
                unsigned(&mut e.out, binding.expression.map_or(0, |v| v as u64 + 1));
            }
        }
        stack.push(index);
    }
    close_ranges(&mut e, scopes, &mut stack, u32::MAX)?;
    // Only ASCII was written.
    Ok(String::from_utf8(e.out).unwrap_or_default())
}

/// Ends the open scopes whose subtree is over at `index`.
fn close_scopes(
    e: &mut Encoder,
    scopes: &Scopes,
    stack: &mut Vec<u32>,
    index: u32,
) -> Result<(), Error> {
    while let Some(&open) = stack.last() {
        let scope = &scopes.scopes[open as usize];
        if scope.subtree_end > index {
            break;
        }
        let (line, column) = e.moved(scope.end, || format!("scope {open}'s end"))?;
        e.item(b'C');
        unsigned(&mut e.out, line);
        unsigned(&mut e.out, column);
        stack.pop();
    }
    Ok(())
}

/// Ends the open ranges whose subtree is over at `index`.
fn close_ranges(
    e: &mut Encoder,
    scopes: &Scopes,
    stack: &mut Vec<u32>,
    index: u32,
) -> Result<(), Error> {
    while let Some(&open) = stack.last() {
        let range = &scopes.ranges[open as usize];
        if range.subtree_end > index {
            break;
        }
        let (line, column) = e.moved(range.end, || format!("range {open}'s end"))?;
        e.item(b'F');
        if line > 0 {
            unsigned(&mut e.out, line);
        }
        unsigned(&mut e.out, column);
        stack.pop();
    }
    Ok(())
}
