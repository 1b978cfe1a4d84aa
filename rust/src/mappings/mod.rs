//! The token table: the VLQ `mappings` text itself plus sparse checkpoints.
//!
//! Instead of expanding every segment into a fixed-size record (24 bytes a token in
//! rust-sourcemap, a Python object per token in pure Python), a view keeps the encoded
//! mappings (~5 bytes a token, usually borrowed straight from the JSON input) and every
//! `INTERVAL`-th token's decoded state (32 bytes). A lookup binary-searches the
//! checkpoints and decodes at most `INTERVAL - 1` segments forward. That is 4 bytes of
//! checkpoints a token, and the same layout is what a memdb stores, so a mapped cache
//! file is searched in place.
//!
//! By concern, each a module of its own:
//!
//! - `decoder`: the general segment decoder (`Decoder`): every rule checked, errors
//!   with their position; `decode_all` and `walk` (one pass, no checkpoints).
//! - `fast`: the fast path, one tight loop over plainly valid text, which builds
//!   checkpoints and reads tokens back where the general decoder would be slow.
//! - `checkpoints`: the checkpoint record (`Checkpoint`, `CHECKPOINT_SIZE`) and what
//!   building them gives (`Checkpoints`).
//! - `scan`: validating a text and building its checkpoints (`build_checkpoints`):
//!   the fast path (a big text in two parts, on two threads), else the general decoder,
//!   which re-sorts lines written out of column order.
//! - `encoder`: tokens back to text (`Encoder`, `encode`), building the checkpoints of
//!   what it writes on the way if asked (`Prebuilt`).
//! - `table`: lookups over a text and its checkpoints (`TokenTable`), and the galloping
//!   search they use (`partition_point_from`).
//!
//! Their uses go one way (no cycle, as `tests/test_layers.py` checks): `scan` uses
//! `decoder`, `encoder`, `fast` and `checkpoints`; `table` uses `decoder`, `fast` and
//! `checkpoints`; `decoder` uses `fast`; `fast` and `encoder` use `checkpoints`. The
//! types they share (`RawToken`, `Limits`, the decoder's running `State`) are here.
//!
//! Words: the *checkpoints* of a text are this sparse table of decoded states (not an
//! "index": that word is kept for index maps, the `index` module); the two halves a big
//! text is scanned in at once are its head and tail *parts*.

mod checkpoints;
mod decoder;
mod encoder;
mod fast;
mod scan;
mod table;

pub use checkpoints::{without_names, Checkpoints, CHECKPOINT_SIZE};
pub use decoder::{decode_all, walk, Decoder};
pub use encoder::{encode, Encoder, Prebuilt};
pub use scan::{build_checkpoints, build_checkpoints_into};
pub use table::{partition_point_from, TokenTable};

/// Tokens per checkpoint. Lookups decode at most `INTERVAL - 1` segments after the
/// binary search. Measured on a 14 MB esbuild map: 16 made decoding most of a ~400 ns
/// lookup; 8 halves that while the checkpoints stay at 4 bytes a token.
pub const INTERVAL: u32 = 8;
/// `src_id` / `name_id` of a token that has no source / no name.
pub const NONE: u32 = u32::MAX;

/// One decoded mapping segment with absolute values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawToken {
    pub dst_line: u32,
    pub dst_col: u32,
    /// `NONE` for a 1-field segment (an unmapped range) or an unusable source index.
    /// Such a token still carries the decoder's running `src_line`/`src_col`.
    pub src_id: u32,
    pub src_line: u32,
    pub src_col: u32,
    /// `NONE` when the segment has no usable name.
    pub name_id: u32,
}

impl RawToken {
    pub fn has_source(&self) -> bool {
        self.src_id != NONE
    }

    pub fn dst(&self) -> (u32, u32) {
        (self.dst_line, self.dst_col)
    }
}

/// How many sources and names the map has, to tell usable indexes from broken ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub sources: u32,
    pub names: u32,
}

/// Running decoder state: the VLQ fields are deltas against these values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct State {
    dst_line: u32,
    dst_col: u32,
    src_id: u32,
    src_line: u32,
    src_col: u32,
    name_id: u32,
}

impl State {
    /// The token of the segment that left the decoder in this state.
    fn token(&self, has_source: bool, has_name: bool) -> RawToken {
        RawToken {
            dst_line: self.dst_line,
            dst_col: self.dst_col,
            src_id: if has_source { self.src_id } else { NONE },
            src_line: self.src_line,
            src_col: self.src_col,
            name_id: if has_name { self.name_id } else { NONE },
        }
    }
}

/// What the tests of the modules here share: limits, strategies, a table's bytes.
#[cfg(test)]
mod testing {
    use super::*;
    use crate::rules::Rules;
    use proptest::prelude::*;

    pub(super) const LIMITS: Limits = Limits {
        sources: 4,
        names: 4,
    };

    /// `text` as a token table holds it (re-sorted if need be), and its checkpoints.
    pub(super) fn table_of(text: &[u8]) -> (Vec<u8>, Checkpoints) {
        let checkpoints = build_checkpoints(text, LIMITS, Rules::LENIENT).unwrap();
        let text = checkpoints
            .rewritten
            .clone()
            .unwrap_or_else(|| text.to_vec());
        (text, checkpoints)
    }

    /// Tokens sorted by generated position, as a decoder gives them.
    pub(super) fn arb_tokens() -> impl Strategy<Value = Vec<RawToken>> {
        let token = (0u32..6, 0u32..40, 0u32..5, 0u32..50, 0u32..50, 0u32..5).prop_map(
            |(dst_line, dst_col, src, src_line, src_col, name)| RawToken {
                dst_line,
                dst_col,
                src_id: if src == 4 { NONE } else { src },
                src_line: if src == 4 { 0 } else { src_line },
                src_col: if src == 4 { 0 } else { src_col },
                name_id: if src == 4 || name == 4 { NONE } else { name },
            },
        );
        proptest::collection::vec(token, 0..120).prop_map(|mut tokens| {
            tokens.sort_by_key(RawToken::dst);
            // An unmapped token carries the running original position of the decoder.
            let (mut line, mut col) = (0, 0);
            for token in &mut tokens {
                if token.has_source() {
                    (line, col) = (token.src_line, token.src_col);
                } else {
                    (token.src_line, token.src_col) = (line, col);
                }
            }
            tokens
        })
    }

    /// Text near real mappings with a sprinkling of everything the fast path refuses.
    pub(super) fn arb_text() -> impl Strategy<Value = Vec<u8>> {
        let alphabet = b"AACDEFGgh+/,,;;;!= \"AAAACAAC".to_vec();
        (
            arb_tokens(),
            proptest::collection::vec((0usize..400, 0usize..28), 0..4),
        )
            .prop_map(move |(tokens, edits)| {
                let mut text = encode(&tokens);
                for (at, pick) in edits {
                    let at = at.min(text.len());
                    text.insert(at, alphabet[pick]);
                }
                text
            })
    }
}
