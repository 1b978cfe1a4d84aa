//! The fast path of `mappings::index`: one tight loop over well-formed `mappings` text.
//!
//! `Decoder::next_token` handles every case the rules distinguish (empty segments, 2- and
//! 3-field segments, indexes out of range, values outside 32 bits, lines to re-sort), and
//! its errors name the position; that generality cost ~250 instructions a token, most of
//! a parse. Real maps have none of those cases, so `index` first runs this loop, which
//! keeps the running state in locals, decodes each field with one table load per digit,
//! and gives up (`None`) at the first byte that is not plainly valid: the general decoder
//! then indexes the text from the start, with the same results and errors as ever. On
//! text this loop accepts, strict and lenient rules agree, so it serves both.

use super::{Checkpoint, Limits, State, INTERVAL};

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

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    #[inline(always)]
    fn class(&self) -> u8 {
        self.bytes.get(self.pos).map_or(END, |&b| CLASS[b as usize])
    }

    /// One VLQ value that fits in 32 bits signed; `None` for anything else (a separator
    /// or end where a digit must be, an unfinished value, more than 7 digits, overflow).
    #[inline(always)]
    fn vlq(&mut self) -> Option<i64> {
        let mut digit = self.class();
        if digit >= 64 {
            return None;
        }
        self.pos += 1;
        let mut value = (digit & 0x1f) as u64;
        let mut shift = 5;
        while digit & 0x20 != 0 {
            digit = self.class();
            if digit >= 64 || shift > 30 {
                return None;
            }
            self.pos += 1;
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
}

#[inline(always)]
fn add(field: u32, delta: i64) -> Option<u32> {
    u32::try_from(field as i64 + delta).ok()
}

/// Appends the checkpoint index of `mappings` to `checkpoints` and returns the token
/// count, or `None` if the text has anything but plainly valid, sorted segments of 1, 4
/// or 5 fields (see the module docs; `checkpoints` then holds a partial index).
pub(super) fn index(mappings: &[u8], limits: Limits, checkpoints: &mut Vec<u8>) -> Option<u32> {
    let mut at = Cursor {
        bytes: mappings,
        pos: 0,
    };
    let mut s = State::default();
    let mut count: u32 = 0;
    // Whether the previous byte ended a segment (false at the start of the text and
    // after a separator): a `,` that does not follow one is an empty segment.
    let mut after_segment = false;
    loop {
        match at.class() {
            SEMICOLON => {
                s.dst_line = s.dst_line.checked_add(1)?;
                s.dst_col = 0;
                at.pos += 1;
                after_segment = false;
                continue;
            }
            COMMA => {
                let next = at.bytes.get(at.pos + 1).map_or(END, |&b| CLASS[b as usize]);
                if !after_segment || next >= 64 {
                    return None; // an empty segment
                }
                at.pos += 1;
                after_segment = false;
                continue;
            }
            END => break,
            _ => {}
        }
        let col_delta = at.vlq()?;
        if col_delta < 0 {
            return None; // out of column order (or below 0): the general path re-sorts
        }
        s.dst_col = add(s.dst_col, col_delta)?;
        let mut has_source = false;
        let mut has_name = false;
        if at.class() < 64 {
            s.src_id = add(s.src_id, at.vlq()?)?;
            s.src_line = add(s.src_line, at.vlq()?)?;
            s.src_col = add(s.src_col, at.vlq()?)?;
            if s.src_id >= limits.sources {
                return None;
            }
            has_source = true;
            if at.class() < 64 {
                s.name_id = add(s.name_id, at.vlq()?)?;
                if s.name_id >= limits.names || at.class() < 64 {
                    return None; // a bad name index, or more than 5 fields
                }
                has_name = true;
            }
        }
        if !matches!(at.class(), COMMA | SEMICOLON | END) {
            return None; // a byte that is not base64
        }
        after_segment = true;
        if count.is_multiple_of(INTERVAL) {
            let offset = u32::try_from(at.pos).ok()?;
            Checkpoint::at(offset, s, has_source, has_name).write(checkpoints);
        }
        count = count.checked_add(1)?;
    }
    Some(count)
}
