//! The map of a minified file after a debug ID snippet is injected into it, written as
//! `sentry-cli sourcemaps inject` writes it, byte for byte.
//!
//! sentry-cli inserts `"\n" + snippet + "\n"` at a point of the code (after a hashbang,
//! leading comments and a `"use strict";`, found by the Python side) and appends the
//! `//# debugId=` comment. It then moves the map's segments with an adjustment map of
//! the edit, whose segments sit at the start of every line that has at least one byte
//! (`\n` counts) and at the insertion point, columns counted in **bytes** (its
//! magic-string port counts bytes; map columns are UTF-16, so a non-ASCII character
//! before the insertion point on its line moves segments there by its extra bytes: kept
//! as sentry-cli does it, to be accepted wherever its output is).
//!
//! Each segment of the map covers its position up to the next segment or the end of its
//! line; each adjustment segment likewise. Every overlap of the two writes the map's
//! segment at the later of the two starts, moved as the adjustment segment moves it: a
//! segment that spans the insertion point is split in two, and a segment on a line the
//! adjustment does not cover (an empty last line, lines past the end of the code) is
//! dropped. The output then has rust-sourcemap's field order and encoding.

use crate::error::Result;
use crate::mappings::{Encoder, RawToken};
use crate::view::View;
use crate::writer::{ignore_list, json_value, key, list, names_of, string};

/// How the injected snippet moves code: `"\n" + snippet + "\n"` adds two lines.
const INSERTED_LINES: u32 = 2;

/// A stretch of positions on one line, `start` up to (not including) `end`.
#[derive(Clone, Copy)]
struct Span {
    start: (u32, u32),
    end: (u32, u32),
}

/// One segment of the adjustment: positions in `span` (of the code before injection) move
/// by `lines` and `cols`.
struct Move {
    span: Span,
    lines: u32,
    cols: u32,
}

/// The adjustment's segments for inserting at byte `at` of `code`, in order.
fn moves(code: &[u8], at: usize) -> Vec<Move> {
    let line_of = |offset: usize| code[..offset].iter().filter(|&&b| b == b'\n').count() as u32;
    let (at_line, at_col) = {
        let line_start = code[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        (line_of(at), (at - line_start) as u32)
    };
    let whole_line = |line: u32| Span {
        start: (line, 0),
        end: (line, u32::MAX),
    };
    let mut moves = Vec::new();
    // Before the insertion point: unmoved, every line (each has at least its `\n`), and
    // the insertion line up to the point if it has bytes there.
    for line in 0..at_line {
        moves.push(Move {
            span: whole_line(line),
            lines: 0,
            cols: 0,
        });
    }
    if at_col > 0 {
        moves.push(Move {
            span: Span {
                start: (at_line, 0),
                end: (at_line, at_col),
            },
            lines: 0,
            cols: 0,
        });
    }
    if at == code.len() {
        return moves;
    }
    // From the insertion point: two lines down, the rest of its line to column 0.
    moves.push(Move {
        span: Span {
            start: (at_line, at_col),
            end: (at_line, u32::MAX),
        },
        lines: INSERTED_LINES,
        cols: at_col.wrapping_neg(),
    });
    let mut line = at_line;
    for (offset, &byte) in code.iter().enumerate().skip(at) {
        // A line after the insertion point counts only if it has a byte.
        if byte == b'\n' && offset + 1 < code.len() {
            line += 1;
            moves.push(Move {
                span: whole_line(line),
                lines: INSERTED_LINES,
                cols: 0,
            });
        }
    }
    moves
}

/// The map's segments as spans: each up to the next segment or the end of its line.
fn spans(tokens: &[RawToken]) -> Vec<Span> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let next = tokens
                .get(i + 1)
                .map_or((u32::MAX, u32::MAX), RawToken::dst);
            Span {
                start: t.dst(),
                end: next.min((t.dst_line, u32::MAX)),
            }
        })
        .collect()
}

/// The segments of `tokens` (sorted by generated position) after inserting at byte `at`.
fn adjust(tokens: &[RawToken], code: &[u8], at: usize) -> Vec<RawToken> {
    let spans = spans(tokens);
    let mut out = Vec::with_capacity(tokens.len() + 1);
    let mut next = 0;
    'moves: for edit in moves(code, at) {
        while spans[next..]
            .first()
            .is_some_and(|s| s.end <= edit.span.start)
        {
            next += 1;
        }
        while let Some(span) = spans.get(next) {
            if span.start >= edit.span.end {
                break;
            }
            let (line, col) = span.start.max(edit.span.start);
            out.push(RawToken {
                dst_line: line.wrapping_add(edit.lines),
                dst_col: col.wrapping_add(edit.cols),
                ..tokens[next]
            });
            if span.end >= edit.span.end {
                continue 'moves;
            }
            next += 1;
        }
        if next == spans.len() {
            break;
        }
    }
    out
}

/// The map after injecting at byte `at` of `code` (the code before injection), with
/// `debug_id`, as sentry-cli writes it: `version`, `file`, `sources` (null as ""),
/// `sourceRoot`, `sourcesContent` (if any source has contents), `names`, `mappings`,
/// `ignoreList` (if `with_ignore_list` and not empty), `debugId`.
pub fn injected_map(
    view: &View,
    code: &[u8],
    at: usize,
    debug_id: &[u8],
    with_ignore_list: bool,
) -> Result<Vec<u8>> {
    let table = view.tokens()?;
    let mut tokens = Vec::with_capacity(table.len() as usize);
    table.for_each(|t| tokens.push(*t))?;
    tokens.sort_by_key(RawToken::dst);
    let tokens = adjust(&tokens, code, at.min(code.len()));

    let mut out = b"{\"version\":3".to_vec();
    if let Some(file) = view.file()? {
        key(&mut out, "file");
        string(&mut out, file);
    }
    key(&mut out, "sources");
    list(&mut out, view.source_count(), |out, id| {
        string(out, view.raw_source_name(id)?.unwrap_or_default());
        Ok(())
    })?;
    if let Some(root) = view.source_root()? {
        key(&mut out, "sourceRoot");
        string(&mut out, root);
    }
    let mut any_contents = false;
    for id in 0..view.source_count() {
        any_contents = any_contents || view.has_source_contents(id)?;
    }
    if any_contents {
        key(&mut out, "sourcesContent");
        list(&mut out, view.source_count(), |out, id| {
            // Unescaped and escaped again, as a JSON serialiser writes it.
            out.extend_from_slice(&json_value(view.source_contents(id)?.as_deref()));
            Ok(())
        })?;
    }
    names_of(&mut out, view, view.name_count())?;
    key(&mut out, "mappings");
    out.push(b'"');
    let mut encoder = Encoder::new(out);
    let mut previous: Option<&RawToken> = None;
    for token in &tokens {
        // A segment the same as the one before it is written once.
        if previous != Some(token) {
            encoder.push(token);
        }
        previous = Some(token);
    }
    let mut out = encoder.finish();
    out.push(b'"');
    let mut ignored = if with_ignore_list {
        view.ignore_list()?
    } else {
        Vec::new()
    };
    // rust-sourcemap keeps the list as a set.
    ignored.sort_unstable();
    ignored.dedup();
    ignore_list(&mut out, &ignored)?;
    key(&mut out, "debugId");
    string(&mut out, debug_id);
    out.push(b'}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(dst_line: u32, dst_col: u32, src_col: u32) -> RawToken {
        RawToken {
            dst_line,
            dst_col,
            src_id: 0,
            src_line: 0,
            src_col,
            name_id: crate::mappings::NONE,
        }
    }

    #[test]
    fn segments_move_two_lines_and_split_at_the_point() {
        let code = b"/*c*/var a;\nvar b;\n";
        let tokens = [
            token(0, 1, 0),
            token(0, 5, 1),
            token(0, 9, 2),
            token(1, 0, 3),
        ];
        let moved: Vec<_> = adjust(&tokens, code, 5)
            .iter()
            .map(|t| (t.dst_line, t.dst_col, t.src_col))
            .collect();
        // (0, 1) stays; (0, 5) is at the point: to (2, 0); (1, 0) to (3, 0).
        assert_eq!(moved, [(0, 1, 0), (2, 0, 1), (2, 4, 2), (3, 0, 3)]);
        // A segment across the point is split: kept before it, repeated after it.
        let tokens = [token(0, 2, 7)];
        let moved: Vec<_> = adjust(&tokens, code, 5)
            .iter()
            .map(|t| (t.dst_line, t.dst_col, t.src_col))
            .collect();
        assert_eq!(moved, [(0, 2, 7), (2, 0, 7)]);
    }

    #[test]
    fn lines_without_bytes_lose_their_segments() {
        let code = b"a\n";
        let tokens = [token(0, 0, 0), token(1, 0, 1), token(5, 0, 2)];
        let moved: Vec<_> = adjust(&tokens, code, 0)
            .iter()
            .map(|t| t.dst_line)
            .collect();
        assert_eq!(moved, [2]);
    }
}
