//! The fast path of `build_checkpoints`: one tight loop over well-formed `mappings` text.
//!
//! `Decoder::next_token` handles every case the rules distinguish (empty segments, 2- and
//! 3-field segments, indexes out of range, values outside 32 bits, lines to re-sort), and
//! its errors name the position; that generality cost ~250 instructions a token, most of
//! a parse. Real maps have none of those cases, so `build_checkpoints` first runs this
//! loop, which keeps the running state in locals, decodes each field with one table load
//! per digit (from a 64-byte window of the text where there is one, so without bounds
//! checks), and gives up (`None`) at the first byte that is not plainly valid: the
//! general decoder then builds the checkpoints from the start, with the same results and
//! errors as ever. On text this loop accepts, strict and lenient rules agree, so it
//! serves both.
//!
//! Reading tokens back (lookups) takes the same steps from a checkpoint (`next_token`),
//! and hands over to the general decoder where a segment is not plain. A big text's two
//! parts go through the same steps at once (`build_head`, `build_tail`; see `scan`).

use super::checkpoints::{Checkpoint, CHECKPOINT_SIZE};
use super::{Limits, RawToken, State, INTERVAL};

/// Per byte: its base64 digit value (0..=63), `COMMA`, `SEMICOLON`, or `OTHER`.
const CLASS: [u8; 256] = {
    let digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [OTHER; 256];
    let mut i = 0;
    while i < 64 {
        table[digits[i] as usize] = i as u8;
        i += 1;
    }
    table[b',' as usize] = COMMA;
    table[b';' as usize] = SEMICOLON;
    table
};
const COMMA: u8 = 64;
const SEMICOLON: u8 = 65;
const OTHER: u8 = 0xff;
/// `CLASS` of the position past the end of the text.
const END: u8 = 0xfe;

/// Where the decoder reads bytes from: `Checked` anywhere in the text, `Window` in the
/// `WINDOW` bytes from a segment's start, which hold every segment this loop decodes
/// (5 fields of at most 7 digits and the byte after them), with no bounds checks.
trait Read {
    /// The class of the byte at `pos` (`END` past the text).
    fn class(&self, pos: usize) -> u8;
}

const WINDOW: usize = 64;

struct Checked<'a>(&'a [u8]);

impl Read for Checked<'_> {
    #[inline(always)]
    fn class(&self, pos: usize) -> u8 {
        self.0.get(pos).map_or(END, |&b| CLASS[b as usize])
    }
}

struct Window<'a>(&'a [u8; WINDOW]);

impl Read for Window<'_> {
    #[inline(always)]
    fn class(&self, pos: usize) -> u8 {
        // `pos` stays below 36 (see `Read`); the mask only spares the bounds check.
        CLASS[self.0[pos & (WINDOW - 1)] as usize]
    }
}

/// One VLQ value at `*pos` that fits in 32 bits signed; `None` for anything else (a
/// separator or end where a digit must be, an unfinished value, more than 7 digits,
/// overflow).
#[inline(always)]
fn vlq(read: &impl Read, pos: &mut usize) -> Option<i64> {
    let mut digit = read.class(*pos);
    if digit >= 64 {
        return None;
    }
    *pos += 1;
    let mut value = (digit & 0x1f) as u64;
    let mut shift = 5;
    while digit & 0x20 != 0 {
        digit = read.class(*pos);
        if digit >= 64 || shift > 30 {
            return None;
        }
        *pos += 1;
        value |= ((digit & 0x1f) as u64) << shift;
        shift += 5;
    }
    let magnitude = (value >> 1) as i64;
    if magnitude > i32::MAX as i64 {
        return None; // the general decoder decides (an error, or 64-bit when lenient)
    }
    Some(if value & 1 == 1 {
        -magnitude
    } else {
        magnitude
    })
}

/// One segment's fields as decoded (deltas), before they are applied to the state.
struct Segment {
    deltas: [i64; 5],
    /// 1, 4 or 5.
    fields: u8,
    /// Where it ends (relative to where it started).
    end: usize,
}

/// The segment at position 0 of `read`; `None` if it is not plainly valid.
#[inline(always)]
fn segment(read: &impl Read) -> Option<Segment> {
    let mut pos = 0;
    let mut deltas = [vlq(read, &mut pos)?, 0, 0, 0, 0];
    let mut fields = 1;
    if read.class(pos) < 64 {
        for delta in &mut deltas[1..4] {
            *delta = vlq(read, &mut pos)?;
        }
        fields = 4;
        if read.class(pos) < 64 {
            deltas[4] = vlq(read, &mut pos)?;
            fields = 5;
        }
    }
    if !matches!(read.class(pos), COMMA | SEMICOLON | END) {
        return None; // a sixth field, or a byte that is not base64
    }
    Some(Segment {
        deltas,
        fields,
        end: pos,
    })
}

#[inline(always)]
fn add(field: u32, delta: i64) -> Option<u32> {
    u32::try_from(field as i64 + delta).ok()
}

/// Where the loop is in the text: the byte position, the running state, and whether
/// the byte before ended a segment (a `,` that does not follow one is an empty segment).
#[derive(Clone, Copy)]
pub(super) struct Position {
    pos: usize,
    state: State,
    after_segment: bool,
}

impl Position {
    pub(super) const START: Position = Position {
        pos: 0,
        state: State {
            dst_line: 0,
            dst_col: 0,
            src_id: 0,
            src_line: 0,
            src_col: 0,
            name_id: 0,
        },
        after_segment: false,
    };

    /// Just after the token of a checkpoint (which is where each checkpoint is taken).
    pub(super) fn at_checkpoint(checkpoint: &Checkpoint) -> Position {
        Position {
            pos: checkpoint.offset as usize,
            state: checkpoint.state,
            after_segment: true,
        }
    }

    /// The same place, for the general decoder to go on from.
    pub(super) fn offset_and_state(&self) -> (usize, State) {
        (self.pos, self.state)
    }
}

/// The segment at `*pos` after the separators before it (`new_line` applied to
/// `lines` for each `;`), moving `*pos` past it; `Some(None)` at the end of the text,
/// `None` at anything not plainly valid. `after_segment`: a segment ends right before
/// `*pos` (a `,` that does not follow one is an empty segment).
#[inline(always)]
fn next_segment<L>(
    mappings: &[u8],
    pos: &mut usize,
    mut after_segment: bool,
    lines: &mut L,
    new_line: impl Fn(&mut L) -> Option<()>,
) -> Option<Option<Segment>> {
    let text = Checked(mappings);
    loop {
        match text.class(*pos) {
            SEMICOLON => {
                new_line(lines)?;
                *pos += 1;
                after_segment = false;
            }
            COMMA => {
                if !after_segment || text.class(*pos + 1) >= 64 {
                    return None; // an empty segment
                }
                *pos += 1;
                after_segment = false;
            }
            END => return Some(None),
            _ => break,
        }
    }
    let rest = &mappings[*pos..];
    let segment = match rest.first_chunk::<WINDOW>() {
        Some(window) => segment(&Window(window))?,
        None => segment(&Checked(rest))?,
    };
    *pos += segment.end;
    Some(Some(segment))
}

/// The token after `at`: the position after it, and whether it has a source and a
/// name. `Some(None)` at the end of the text, `None` at anything not plainly valid.
#[inline(always)]
fn step(mappings: &[u8], at: Position, limits: Limits) -> Option<Option<(Position, bool, bool)>> {
    let Position {
        mut pos,
        state: mut s,
        after_segment,
    } = at;
    let new_line = |s: &mut State| {
        s.dst_line = s.dst_line.checked_add(1)?;
        s.dst_col = 0;
        Some(())
    };
    let Some(segment) = next_segment(mappings, &mut pos, after_segment, &mut s, new_line)? else {
        return Some(None);
    };
    let [col, src, line, src_col, name] = segment.deltas;
    if col < 0 {
        return None; // out of column order (or below 0): the general path re-sorts
    }
    s.dst_col = add(s.dst_col, col)?;
    let has_source = segment.fields >= 4;
    let has_name = segment.fields == 5;
    if has_source {
        s.src_id = add(s.src_id, src)?;
        s.src_line = add(s.src_line, line)?;
        s.src_col = add(s.src_col, src_col)?;
        if s.src_id >= limits.sources {
            return None;
        }
        if has_name {
            s.name_id = add(s.name_id, name)?;
            if s.name_id >= limits.names {
                return None;
            }
        }
    }
    let next = Position {
        pos,
        state: s,
        after_segment: true,
    };
    Some(Some((next, has_source, has_name)))
}

/// Appends the checkpoints of `mappings` to `checkpoints` and returns the token
/// count, or `None` if the text has anything but plainly valid, sorted segments of 1, 4
/// or 5 fields (see the module docs; `checkpoints` then holds some of them).
pub(super) fn build_checkpoints(
    mappings: &[u8],
    limits: Limits,
    checkpoints: &mut Vec<u8>,
) -> Option<u32> {
    let (count, _) = build_head(mappings, mappings.len(), limits, checkpoints)?;
    Some(count)
}

/// The token after `at`, moving `at` past it; `None` (with `at` unchanged) at the end or
/// at anything not plainly valid, where the general decoder takes over from `at`.
pub(super) fn next_token(mappings: &[u8], at: &mut Position, limits: Limits) -> Option<RawToken> {
    let (next, has_source, has_name) = step(mappings, *at, limits)??;
    *at = next;
    Some(next.state.token(has_source, has_name))
}

/// `build_checkpoints` of the head part, the text up to `end`, only: the token count and
/// where the loop ended (its running state there), for `build_tail` to go on from.
pub(super) fn build_head(
    mappings: &[u8],
    end: usize,
    limits: Limits,
    checkpoints: &mut Vec<u8>,
) -> Option<(u32, Position)> {
    let head = &mappings[..end];
    let mut at = Position::START;
    let mut count: u32 = 0;
    while let Some((next, has_source, has_name)) = step(head, at, limits)? {
        at = next;
        if count.is_multiple_of(INTERVAL) {
            let offset = u32::try_from(at.pos).ok()?;
            Checkpoint::at(offset, at.state, has_source, has_name).write(checkpoints);
        }
        count = count.checked_add(1)?;
    }
    // `step` stops at the end without taking the `;` after the last token: the lines
    // they end are the tail's to start from.
    let lines = u32::try_from(head[at.pos..].len()).ok()?;
    if lines > 0 {
        at.state.dst_line = at.state.dst_line.checked_add(lines)?;
        at.state.dst_col = 0;
    }
    Some((count, at))
}

/// The running state after a token of the tail, relative to the state where the tail
/// starts (unknown while it is decoded): each field the sum of its deltas so far.
#[derive(Clone, Copy, Default)]
struct Sums {
    /// `;` so far.
    lines: u32,
    /// The generated column: relative to the starting column until the tail's first
    /// `;`, absolute after it.
    col: i64,
    src_id: i64,
    src_line: i64,
    src_col: i64,
    name_id: i64,
}

/// The lowest and highest sum a field took where it was applied.
#[derive(Clone, Copy)]
struct Range {
    low: i64,
    high: i64,
}

impl Range {
    const EMPTY: Range = Range {
        low: i64::MAX,
        high: i64::MIN,
    };

    fn add(&mut self, value: i64) {
        self.low = self.low.min(value);
        self.high = self.high.max(value);
    }

    /// Whether `base + v` is in `0..limit` for every value `v` seen.
    fn fits(&self, base: u32, limit: u64) -> bool {
        self.low > self.high
            || (base as i64 + self.low >= 0 && ((base as i64 + self.high) as u64) < limit)
    }
}

/// The tail part: the text from a split point to its end, its checkpoints built without
/// the state at the split (see `build_tail`); `resolve` turns them into those
/// `build_checkpoints` would have built.
pub(super) struct Tail {
    /// The checkpoint records, with the sums (wrapped to 32 bits) for the state.
    checkpoints: Vec<u8>,
    /// How many of them come before the tail's first `;` (their column is relative).
    relative_cols: usize,
    count: u32,
    /// The sums at the end of the tail.
    end: Sums,
    /// Ranges of the sums where they were applied: the generated column before the
    /// first `;`, sources, original lines and columns at tokens with a source, names at
    /// tokens with a name.
    col: Range,
    src_id: Range,
    src_line: Range,
    src_col: Range,
    name_id: Range,
}

/// The checkpoints of `mappings[from..]` as `build_checkpoints` would go on from `from`,
/// without the state there: `head` tokens come before it (which tokens get a checkpoint
/// depends on it), and `after_segment` says whether a segment ends right before it.
/// `None` where the text is not plainly valid whatever that state.
pub(super) fn build_tail(
    mappings: &[u8],
    from: usize,
    after_segment: bool,
    head: u32,
) -> Option<Tail> {
    let (mut pos, mut after_segment) = (from, after_segment);
    let mut sums = Sums::default();
    let mut tail = Tail {
        checkpoints: Vec::new(),
        relative_cols: 0,
        count: 0,
        end: sums,
        col: Range::EMPTY,
        src_id: Range::EMPTY,
        src_line: Range::EMPTY,
        src_col: Range::EMPTY,
        name_id: Range::EMPTY,
    };
    let new_line = |sums: &mut Sums| {
        sums.lines = sums.lines.checked_add(1)?;
        sums.col = 0;
        Some(())
    };
    while let Some(segment) = next_segment(mappings, &mut pos, after_segment, &mut sums, new_line)?
    {
        let [col, src, line, src_col, name] = segment.deltas;
        if col < 0 {
            return None;
        }
        sums.col += col;
        if sums.lines == 0 {
            tail.col.add(sums.col);
        } else {
            u32::try_from(sums.col).ok()?; // absolute: checked as `step` checks it
        }
        let has_source = segment.fields >= 4;
        let has_name = segment.fields == 5;
        if has_source {
            sums.src_id += src;
            sums.src_line += line;
            sums.src_col += src_col;
            tail.src_id.add(sums.src_id);
            tail.src_line.add(sums.src_line);
            tail.src_col.add(sums.src_col);
            if has_name {
                sums.name_id += name;
                tail.name_id.add(sums.name_id);
            }
        }
        after_segment = true;
        let index = (head as u64) + tail.count as u64;
        if index.is_multiple_of(INTERVAL as u64) {
            let offset = u32::try_from(pos).ok()?;
            // Wrapped to 32 bits: adding the base wraps back to the value (in range).
            let state = State {
                dst_line: sums.lines,
                dst_col: sums.col as u32,
                src_id: sums.src_id as u32,
                src_line: sums.src_line as u32,
                src_col: sums.src_col as u32,
                name_id: sums.name_id as u32,
            };
            let record = Checkpoint::record(offset, &state, has_source, has_name);
            tail.checkpoints.extend_from_slice(&record);
            if sums.lines == 0 {
                tail.relative_cols += 1;
            }
        }
        tail.count = tail.count.checked_add(1)?;
    }
    tail.end = sums;
    Some(tail)
}

impl Tail {
    /// Appends the tail's checkpoints, made absolute with `base` (the state where the
    /// tail starts), to `out` and returns the tail's token count; `None` if a value then
    /// leaves its range (as `step` would have found).
    pub(super) fn resolve(&self, base: State, limits: Limits, out: &mut Vec<u8>) -> Option<u32> {
        let fits = self.col.fits(base.dst_col, 1 << 32)
            && self.src_id.fits(base.src_id, limits.sources as u64)
            && self.src_line.fits(base.src_line, 1 << 32)
            && self.src_col.fits(base.src_col, 1 << 32)
            && self.name_id.fits(base.name_id, limits.names as u64)
            && base.dst_line.checked_add(self.end.lines).is_some();
        if !fits {
            return None;
        }
        let start = out.len();
        out.extend_from_slice(&self.checkpoints);
        for (i, record) in out[start..].chunks_exact_mut(CHECKPOINT_SIZE).enumerate() {
            Checkpoint::add_base(record, &base, i < self.relative_cols);
        }
        Some(self.count)
    }
}

impl Position {
    /// The running state here.
    pub(super) fn state(&self) -> State {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::Checked;
    use crate::mappings::testing::{arb_tokens, LIMITS};
    use crate::mappings::{encode, TokenTable};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_fast_path_takes_what_encode_writes(tokens in arb_tokens()) {
            let text = encode(&tokens);
            let mut checkpoints = Vec::new();
            let count = build_checkpoints(&text, LIMITS, &mut checkpoints).expect("plain valid text");
            prop_assert_eq!(count as usize, tokens.len());
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&checkpoints), count, LIMITS);
            for (i, token) in tokens.iter().enumerate() {
                prop_assert_eq!(table.get(i as u32).unwrap(), Some(*token));
            }
        }
    }
}
