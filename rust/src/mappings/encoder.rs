//! Tokens back to `mappings` text: `Encoder` writes them one segment at a time
//! (`encode`, all at once).
//!
//! Made `with_checkpoints`, it also builds the checkpoints of what it writes, as
//! `build_checkpoints` would find them (`Prebuilt`): a view of its own output (`remap`,
//! `writer`) then needs no scan of the text.

use super::checkpoints::{Checkpoint, Checkpoints};
use super::{RawToken, State, INTERVAL, NONE};
use crate::vlq;

/// Encodes tokens sorted by generated position back into a `mappings` text.
pub fn encode(tokens: &[RawToken]) -> Vec<u8> {
    let mut encoder = Encoder::new(Vec::with_capacity(tokens.len() * 6));
    for token in tokens {
        encoder.push(token);
    }
    encoder.finish()
}

/// Writes tokens, sorted by generated position, as a `mappings` string, one at a time.
pub struct Encoder {
    out: Vec<u8>,
    state: State,
    first_on_line: bool,
    /// The checkpoints of the text as it is written (`with_checkpoints`), or none.
    checkpoints: Option<CheckpointBuilder>,
}

/// What `Encoder::with_checkpoints` gathers besides the text: what `build_checkpoints`
/// would find in it.
struct CheckpointBuilder {
    /// Where the text starts in `out`.
    start: usize,
    records: Vec<u8>,
    count: u32,
    /// Every segment is one the fast path reads (sorted, deltas within 32 bits).
    plain: bool,
    /// How many sources and names the segments' ids need.
    sources: u32,
    names: u32,
}

/// A text's checkpoints built as it was written, and how many sources and names a
/// document must list for them to hold for it (`View::assemble` checks).
pub struct Prebuilt {
    pub checkpoints: Checkpoints,
    pub sources: u32,
    pub names: u32,
}

impl Encoder {
    /// An encoder appending to `out`.
    pub fn new(out: Vec<u8>) -> Encoder {
        Encoder {
            out,
            state: State::default(),
            first_on_line: true,
            checkpoints: None,
        }
    }

    /// An encoder that also builds the checkpoints of what it writes (see
    /// `finish_with_checkpoints`): a view of the text then needs no decoding pass to be
    /// made.
    pub fn with_checkpoints(out: Vec<u8>) -> Encoder {
        let built = CheckpointBuilder {
            start: out.len(),
            records: Vec::new(),
            count: 0,
            plain: true,
            sources: 0,
            names: 0,
        };
        Encoder {
            checkpoints: Some(built),
            ..Encoder::new(out)
        }
    }

    pub fn push(&mut self, token: &RawToken) {
        if let Some(built) = &mut self.checkpoints {
            let state = &self.state;
            let in_order = (token.dst_line, token.dst_col) >= (state.dst_line, state.dst_col);
            let within =
                |now: u32, before: u32| (now as i64 - before as i64).abs() <= i32::MAX as i64;
            built.plain &= in_order
                && within(
                    token.dst_col,
                    if token.dst_line == state.dst_line {
                        state.dst_col
                    } else {
                        0
                    },
                )
                && (!token.has_source()
                    || (within(token.src_id, state.src_id)
                        && within(token.src_line, state.src_line)
                        && within(token.src_col, state.src_col)
                        && (token.name_id == NONE || within(token.name_id, state.name_id))));
        }
        self.write(token);
        if let Some(built) = &mut self.checkpoints {
            let has_name = token.has_source() && token.name_id != NONE;
            if token.has_source() {
                built.sources = built.sources.max(token.src_id.saturating_add(1));
            }
            if has_name {
                built.names = built.names.max(token.name_id.saturating_add(1));
            }
            if built.count.is_multiple_of(INTERVAL) {
                match u32::try_from(self.out.len() - built.start) {
                    Ok(offset) => Checkpoint::at(offset, self.state, token.has_source(), has_name)
                        .write(&mut built.records),
                    Err(_) => built.plain = false,
                }
            }
            built.count = built.count.saturating_add(1);
        }
    }

    /// The text and, for an encoder `with_checkpoints` whose text the fast path reads
    /// whole, the checkpoints `build_checkpoints` would build of it (else `None`: build
    /// them from the text to read it).
    pub fn finish_with_checkpoints(self) -> (Vec<u8>, Option<Prebuilt>) {
        let built = self.checkpoints.filter(|b| b.plain && b.count < u32::MAX);
        let prebuilt = built.map(|b| Prebuilt {
            checkpoints: Checkpoints {
                records: b.records,
                token_count: b.count,
                rewritten: None,
                plain: true,
            },
            sources: b.sources,
            names: b.names,
        });
        (self.out, prebuilt)
    }

    fn write(&mut self, token: &RawToken) {
        let state = &mut self.state;
        while state.dst_line < token.dst_line {
            self.out.push(b';');
            state.dst_line += 1;
            state.dst_col = 0;
            self.first_on_line = true;
        }
        // The segment is written into room made at the end of the text for the longest
        // one (a separator and five values) and the text cut back to what it took: one
        // capacity check, not one a byte, and no copy (appending a segment built apart
        // was a `memcpy` call a segment, 3% of a remap).
        let start = self.out.len();
        self.out.resize(start + vlq::DIGITS_ROOM, 0);
        let room = (&mut self.out[start..])
            .try_into()
            .expect("DIGITS_ROOM bytes were just added");
        let mut segment = vlq::Digits::new(room);
        if !self.first_on_line {
            segment.push(b',');
        }
        self.first_on_line = false;
        segment.value(token.dst_col as i64 - state.dst_col as i64);
        state.dst_col = token.dst_col;
        if token.has_source() {
            segment.value(token.src_id as i64 - state.src_id as i64);
            segment.value(token.src_line as i64 - state.src_line as i64);
            segment.value(token.src_col as i64 - state.src_col as i64);
            state.src_id = token.src_id;
            state.src_line = token.src_line;
            state.src_col = token.src_col;
            if token.name_id != NONE {
                segment.value(token.name_id as i64 - state.name_id as i64);
                state.name_id = token.name_id;
            }
        }
        let written = segment.written();
        self.out.truncate(start + written);
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::testing::{arb_tokens, LIMITS};
    use crate::mappings::{build_checkpoints, decode_all};
    use crate::rules::Rules;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn an_encoder_with_checkpoints_builds_those_of_its_text(
            tokens in arb_tokens(),
            unsorted in proptest::bool::ANY,
        ) {
            let mut tokens = tokens;
            if unsorted {
                tokens.reverse();
            }
            let mut encoder = Encoder::with_checkpoints(b"prefix".to_vec());
            for token in &tokens {
                encoder.push(token);
            }
            let (out, prebuilt) = encoder.finish_with_checkpoints();
            let text = &out[6..];
            let built = build_checkpoints(text, LIMITS, Rules::STRICT);
            match prebuilt {
                Some(prebuilt) => {
                    let built = built.unwrap();
                    prop_assert!(built.plain);
                    prop_assert_eq!(prebuilt.checkpoints.records, built.records);
                    prop_assert_eq!(prebuilt.checkpoints.token_count, built.token_count);
                    let needs = |f: fn(&RawToken) -> u32| {
                        tokens.iter().map(f).filter(|&id| id != NONE).map(|id| id + 1).max().unwrap_or(0)
                    };
                    prop_assert_eq!(prebuilt.sources, needs(|t| t.src_id));
                    prop_assert_eq!(prebuilt.names, needs(|t| if t.has_source() { t.name_id } else { NONE }));
                }
                // Only text out of order (which `build_checkpoints` re-sorts) has none.
                None => prop_assert!(!tokens.is_sorted_by_key(RawToken::dst)),
            }
        }

        #[test]
        fn encode_decode_round_trip(tokens in arb_tokens()) {
            let text = encode(&tokens);
            prop_assert_eq!(decode_all(&text, LIMITS, Rules::STRICT).unwrap(), tokens);
        }
    }
}
