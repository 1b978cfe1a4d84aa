//! The general segment decoder: any `mappings` text, every rule checked (`Rules`), an
//! error naming the generated position it was found at.
//!
//! It is the slow path, ~250 instructions a token (see `fast`): checkpoints of a text
//! the fast path refuses are built with it (`scan`), and reading tokens back goes on
//! with it from where a segment is not plain (`table`). `decode_all` and `walk` decode
//! a whole text, `walk` without building checkpoints.

use super::fast;
use super::{Limits, RawToken, State, NONE};
use crate::error::{invalid_map, Error, Result};
use crate::rules::Rules;
use crate::vlq::{self, VlqError};

/// Decodes segments one at a time.
///
/// Lenient (`Rules::LENIENT`): empty segments are skipped; a segment with 2 or 3 fields,
/// or a source index out of range, becomes an unmapped token; a name index out of range is
/// dropped. Both modes reject bad VLQ and any value outside 0..=2^32-1, because past such
/// an error every following position would be wrong.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    pub(super) state: State,
    limits: Limits,
    rules: Rules,
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8], limits: Limits, rules: Rules) -> Decoder<'a> {
        Decoder {
            bytes,
            pos: 0,
            state: State::default(),
            limits,
            rules,
        }
    }

    /// Goes on from byte `offset` with the running `state` there (just after a token).
    pub(super) fn resume(
        bytes: &'a [u8],
        offset: usize,
        state: State,
        limits: Limits,
        rules: Rules,
    ) -> Decoder<'a> {
        Decoder {
            bytes,
            pos: offset,
            state,
            limits,
            rules,
        }
    }

    pub fn offset(&self) -> usize {
        self.pos
    }

    #[cold]
    #[inline(never)]
    fn error(&self, what: &str) -> Error {
        invalid_map(format!(
            "mappings: {what} at generated line {} column {}",
            self.state.dst_line, self.state.dst_col
        ))
    }

    #[cold]
    #[inline(never)]
    fn vlq_error(&self, err: VlqError) -> Error {
        match err {
            VlqError::BadChar(at) => {
                let shown = String::from_utf8_lossy(&self.bytes[at..at + 1]).into_owned();
                self.error(&format!(
                    "invalid base64 VLQ character {shown:?} (byte {at})"
                ))
            }
            VlqError::Unterminated => self.error("VLQ value missing its continuation digit"),
            VlqError::Overflow => self.error("VLQ value out of range"),
        }
    }

    /// Applies a delta to a field, rejecting results outside 0..=2^32-1.
    #[inline(always)]
    fn apply(&self, field: u32, delta: i64, name: &str) -> Result<u32> {
        let value = field as i64 + delta;
        if (0..=u32::MAX as i64).contains(&value) {
            Ok(value as u32)
        } else {
            Err(self.out_of_range(name, value))
        }
    }

    #[cold]
    #[inline(never)]
    fn out_of_range(&self, name: &str, value: i64) -> Error {
        self.error(&format!("{name} {value} out of range"))
    }

    /// The next token, `Ok(None)` at the end.
    pub fn next_token(&mut self) -> Result<Option<RawToken>> {
        // Skip separators; `;` starts a new generated line.
        loop {
            match self.bytes.get(self.pos) {
                None => return Ok(None),
                Some(b';') => {
                    self.state.dst_line = self
                        .state
                        .dst_line
                        .checked_add(1)
                        .ok_or_else(|| self.error("generated line out of range"))?;
                    self.state.dst_col = 0;
                    self.pos += 1;
                }
                Some(b',') => {
                    if self.rules.segments && self.segment_is_empty() {
                        return Err(self.error("empty segment"));
                    }
                    self.pos += 1;
                }
                Some(_) => break,
            }
        }

        let mut fields = [0i64; 5];
        let mut count = 0;
        while let Some(&byte) = self.bytes.get(self.pos) {
            if byte == b',' || byte == b';' {
                break;
            }
            let at = self.pos;
            let value = vlq::decode(self.bytes, &mut self.pos).map_err(|e| self.vlq_error(e))?;
            // ECMA-426 decodes VLQs as 32-bit signed integers: a value outside that range
            // is an error (strict); lenient parsing keeps what the 64-bit decode gives.
            if self.rules.segments && i32::try_from(value).is_err() {
                return Err(self.error(&format!(
                    "VLQ value {value} (byte {at}) is outside the 32-bit signed range"
                )));
            }
            if count < 5 {
                fields[count] = value;
            } else if self.rules.segments {
                return Err(self.error("segment with more than 5 fields"));
            }
            count += 1;
        }

        let dst_col = self.apply(self.state.dst_col, fields[0], "generated column")?;
        self.state.dst_col = dst_col;
        let mut token = RawToken {
            dst_line: self.state.dst_line,
            dst_col,
            src_id: NONE,
            src_line: self.state.src_line,
            src_col: self.state.src_col,
            name_id: NONE,
        };
        if count == 2 || count == 3 {
            if self.rules.indexes {
                return Err(self.error(&format!("segment with {count} fields")));
            }
            return Ok(Some(token));
        }
        if count >= 4 {
            self.state.src_id = self.apply(self.state.src_id, fields[1], "source index")?;
            self.state.src_line = self.apply(self.state.src_line, fields[2], "original line")?;
            self.state.src_col = self.apply(self.state.src_col, fields[3], "original column")?;
            token.src_line = self.state.src_line;
            token.src_col = self.state.src_col;
            if self.state.src_id < self.limits.sources {
                token.src_id = self.state.src_id;
            } else if self.rules.indexes {
                return Err(self.error(&format!(
                    "source index {} out of range ({} sources)",
                    self.state.src_id, self.limits.sources
                )));
            }
        }
        if count >= 5 {
            self.state.name_id = self.apply(self.state.name_id, fields[4], "name index")?;
            if self.state.name_id < self.limits.names {
                if token.has_source() {
                    token.name_id = self.state.name_id;
                }
            } else if self.rules.indexes {
                return Err(self.error(&format!(
                    "name index {} out of range ({} names)",
                    self.state.name_id, self.limits.names
                )));
            }
        }
        Ok(Some(token))
    }

    /// At a `,`: true if no segment precedes it on this line or another `,` follows it.
    fn segment_is_empty(&self) -> bool {
        let prev = self.pos.checked_sub(1).map(|i| self.bytes[i]);
        let next = self.bytes.get(self.pos + 1).copied();
        matches!(prev, None | Some(b',') | Some(b';'))
            || matches!(next, None | Some(b',') | Some(b';'))
    }
}

/// Decodes every segment (used for re-sorting and for flattening index maps).
pub fn decode_all(mappings: &[u8], limits: Limits, rules: Rules) -> Result<Vec<RawToken>> {
    let mut decoder = Decoder::new(mappings, limits, rules);
    let mut tokens = Vec::new();
    while let Some(token) = decoder.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

/// Every segment of `mappings` in text order, decoded and checked under `rules` as
/// `build_checkpoints` checks them, without building checkpoints (for one pass over a
/// map): the fast path as far as it goes, then the general decoder from where it
/// stopped. Segments out of column order come as written. `visit` returns false to stop.
pub fn walk(
    mappings: &[u8],
    limits: Limits,
    rules: Rules,
    mut visit: impl FnMut(&RawToken) -> bool,
) -> Result<()> {
    let mut at = fast::Position::START;
    while let Some(token) = fast::next_token(mappings, &mut at, limits) {
        if !visit(&token) {
            return Ok(());
        }
    }
    let (offset, state) = at.offset_and_state();
    let mut decoder = Decoder::resume(mappings, offset, state, limits, rules);
    while let Some(token) = decoder.next_token()? {
        if !visit(&token) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::testing::LIMITS;

    #[test]
    fn decodes_simple_mappings() {
        let tokens = decode_all(b"AAAA,CAAC;AACAC", LIMITS, Rules::STRICT).unwrap();
        assert_eq!(tokens.len(), 3);
        assert_eq!(tokens[1].dst(), (0, 1));
        assert_eq!(tokens[2].dst_line, 1);
        assert_eq!(tokens[2].src_line, 1);
        assert_eq!(tokens[2].name_id, 1);
    }

    #[test]
    fn strict_rejects_what_lenient_skips() {
        assert!(decode_all(b"AA", LIMITS, Rules::STRICT).is_err());
        assert_eq!(
            decode_all(b"AA", LIMITS, Rules::LENIENT).unwrap()[0].src_id,
            NONE
        );
        assert!(decode_all(b"AAAA,,CAAC", LIMITS, Rules::STRICT).is_err());
        assert_eq!(
            decode_all(b"AAAA,,CAAC", LIMITS, Rules::LENIENT)
                .unwrap()
                .len(),
            2
        );
        assert!(decode_all(b"AIAA", LIMITS, Rules::STRICT).is_err());
        assert!(decode_all(b"D", LIMITS, Rules::LENIENT).is_err());
    }
}
