//! The checkpoint record: the decoder's running state right after every `INTERVAL`-th
//! token, in `CHECKPOINT_SIZE` bytes, as a view builds it and a memdb stores it
//! (`Part::Checkpoints`); and `Checkpoints`, what building them for a text gives.
//!
//! The one place that knows the record's layout: `scan`, `fast` and `encoder` write
//! records, `table` reads them.

use super::{RawToken, State, NONE};
use crate::tables::le_u32;

/// Bytes per checkpoint record: eight u32 (see `Checkpoint`).
pub const CHECKPOINT_SIZE: usize = 32;

/// Decoder state captured right after a token: where to continue and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Checkpoint {
    pub(super) offset: u32,
    pub(super) state: State,
    pub(super) token: RawToken,
}

const FLAG_SOURCE: u32 = 1;
const FLAG_NAME: u32 = 2;

impl Checkpoint {
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        let (has_source, has_name) = (self.token.has_source(), self.token.name_id != NONE);
        out.extend_from_slice(&Checkpoint::record(
            self.offset,
            &self.state,
            has_source,
            has_name,
        ));
    }

    /// The `CHECKPOINT_SIZE` bytes of a checkpoint: the byte offset, the state, flags.
    pub(super) fn record(
        offset: u32,
        s: &State,
        has_source: bool,
        has_name: bool,
    ) -> [u8; CHECKPOINT_SIZE] {
        let flags = (has_source as u32 * FLAG_SOURCE) | (has_name as u32 * FLAG_NAME);
        let fields = [
            offset, s.dst_line, s.dst_col, s.src_id, s.src_line, s.src_col, s.name_id, flags,
        ];
        // One 32-byte append instead of eight 4-byte ones (a capacity check each).
        let mut record = [0u8; CHECKPOINT_SIZE];
        for (chunk, v) in record.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        record
    }

    /// Adds `base` to the state of a checkpoint `record` (the generated column only if
    /// `col`), wrapping: for `fast::build_tail`, whose records hold sums since a split.
    pub(super) fn add_base(record: &mut [u8], base: &State, col: bool) {
        let fields = [
            base.dst_line,
            if col { base.dst_col } else { 0 },
            base.src_id,
            base.src_line,
            base.src_col,
            base.name_id,
        ];
        for (chunk, add) in record[4..28].chunks_exact_mut(4).zip(fields) {
            let value = u32::from_le_bytes(chunk.try_into().expect("4 bytes"));
            chunk.copy_from_slice(&value.wrapping_add(add).to_le_bytes());
        }
    }

    /// A checkpoint from its `CHECKPOINT_SIZE` bytes.
    pub(super) fn read(record: &[u8]) -> Option<Checkpoint> {
        let field = |i: usize| le_u32(record, 4 * i);
        let state = State {
            dst_line: field(1)?,
            dst_col: field(2)?,
            src_id: field(3)?,
            src_line: field(4)?,
            src_col: field(5)?,
            name_id: field(6)?,
        };
        let flags = field(7)?;
        let (has_source, has_name) = (flags & FLAG_SOURCE != 0, flags & FLAG_NAME != 0);
        Some(Checkpoint::at(field(0)?, state, has_source, has_name))
    }

    /// The checkpoint after the token the decoder `state` ends with, at byte `offset`.
    pub(super) fn at(offset: u32, state: State, has_source: bool, has_name: bool) -> Checkpoint {
        Checkpoint {
            offset,
            state,
            token: state.token(has_source, has_name),
        }
    }

    /// Just the generated position, from a checkpoint's bytes.
    pub(super) fn dst(record: &[u8]) -> (u32, u32) {
        (
            le_u32(record, 4).unwrap_or(u32::MAX),
            le_u32(record, 8).unwrap_or(u32::MAX),
        )
    }
}

/// The checkpoints of a `mappings` text, as `build_checkpoints` gives them.
pub struct Checkpoints {
    /// The checkpoint records, `CHECKPOINT_SIZE` bytes each.
    pub records: Vec<u8>,
    pub token_count: u32,
    /// Set when the text had to be rewritten (segments out of order on a line).
    pub rewritten: Option<Vec<u8>>,
    /// The (final) text is plainly valid: the fast path read all of it, so every rule
    /// holds and a writer may copy it as it is.
    pub plain: bool,
}

/// A copy of checkpoint records with every name flag cleared, for a table whose names
/// are dropped (a memdb dumped without names).
pub fn without_names(checkpoints: &[u8]) -> Vec<u8> {
    let mut copy = checkpoints.to_vec();
    for record in copy.chunks_exact_mut(CHECKPOINT_SIZE) {
        record[28] &= !(FLAG_NAME as u8);
    }
    copy
}
