//! Lookups over a `mappings` text and its checkpoints (`TokenTable`), on borrowed bytes:
//! a view's own tables, or a memdb's, verified block by block as they are read.
//!
//! A lookup binary-searches the checkpoints (galloping from a hint, for lookups that
//! move forward: `partition_point_from`) and decodes at most `INTERVAL - 1` segments
//! from the one found, with the fast path as far as it goes and the general decoder
//! from there. Every read is bounds-checked: a corrupt memdb gives errors or wrong
//! tokens, never an out-of-bounds read.

use super::checkpoints::{Checkpoint, CHECKPOINT_SIZE};
use super::decoder::Decoder;
use super::fast;
use super::{Limits, RawToken, INTERVAL, NONE};
use crate::error::{Error, Result};
use crate::integrity::Checked;
use crate::rules::Rules;

/// A searchable token table over borrowed bytes (JSON input, built tables or a memdb).
#[derive(Clone, Copy)]
pub struct TokenTable<'a> {
    mappings: Checked<'a>,
    checkpoints: Checked<'a>,
    count: u32,
    limits: Limits,
}

impl<'a> TokenTable<'a> {
    pub fn new(
        mappings: Checked<'a>,
        checkpoints: Checked<'a>,
        count: u32,
        limits: Limits,
    ) -> TokenTable<'a> {
        TokenTable {
            mappings,
            checkpoints,
            count,
            limits,
        }
    }

    /// Checks that the checkpoints fit the token count (for tables read from a
    /// memdb). O(1) on purpose: opening a cache must not touch every page of it. Every
    /// later read is bounds-checked, so a corrupt table yields errors or wrong tokens,
    /// never an out-of-bounds read.
    pub fn validate(&self) -> Result<()> {
        let expected = self.count.div_ceil(INTERVAL) as usize * CHECKPOINT_SIZE;
        if self.checkpoints.len() != expected {
            return Err(corrupt("checkpoint index does not match the token count"));
        }
        Ok(())
    }

    pub fn len(&self) -> u32 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn checkpoint_count(&self) -> usize {
        self.checkpoints.len() / CHECKPOINT_SIZE
    }

    /// Checkpoint `index`'s bytes, verified.
    fn checkpoint_bytes(&self, index: usize) -> Result<&'a [u8]> {
        let at = index * CHECKPOINT_SIZE;
        self.checkpoints
            .get(at..at + CHECKPOINT_SIZE)?
            .ok_or_else(|| corrupt("checkpoint past the end"))
    }

    /// Just the generated position of checkpoint `index`, for the binary search.
    fn checkpoint_dst(&self, index: usize) -> Result<(u32, u32)> {
        Ok(Checkpoint::dst(self.checkpoint_bytes(index)?))
    }

    fn checkpoint(&self, index: usize) -> Result<Checkpoint> {
        let checkpoint = Checkpoint::read(self.checkpoint_bytes(index)?)
            .ok_or_else(|| corrupt("checkpoint past the end"))?;
        if checkpoint.offset as usize > self.mappings.len() {
            return Err(corrupt("checkpoint points past the end of the mappings"));
        }
        let token = &checkpoint.token;
        if (token.src_id != NONE && token.src_id >= self.limits.sources)
            || (token.name_id != NONE && token.name_id >= self.limits.names)
        {
            return Err(corrupt(
                "checkpoint refers to a source or name that does not exist",
            ));
        }
        Ok(checkpoint)
    }

    /// Decodes forward from checkpoint `index`, calling `visit` with each token until it
    /// returns false or the block ends.
    fn scan(&self, index: usize, mut visit: impl FnMut(&RawToken) -> bool) -> Result<()> {
        let checkpoint = self.checkpoint(index)?;
        if !visit(&checkpoint.token) {
            return Ok(());
        }
        let first = index as u64 * INTERVAL as u64;
        let in_block = (self.count as u64 - first).min(INTERVAL as u64);
        // From a memdb, the block's tokens end where the next checkpoint's token does:
        // only those bytes are verified and given to the decoders. A JSON view's own
        // tables need no such bound (and the hot path no second checkpoint read).
        let end = match self.mappings.is_verified() && index + 1 < self.checkpoint_count() {
            true => (self.checkpoint(index + 1)?.offset as usize).max(checkpoint.offset as usize),
            false => self.mappings.len(),
        };
        if self
            .mappings
            .get(checkpoint.offset as usize..end)?
            .is_none()
        {
            return Err(corrupt("checkpoint points past the end of the mappings"));
        }
        let mappings = &self.mappings.unverified()[..end];
        self.decode_after(mappings, &checkpoint, in_block, visit)
    }

    /// Decodes the `count - 1` tokens after `checkpoint`'s (already visited) in
    /// `mappings`, calling `visit` until it returns false: the fast path as far as it
    /// goes (all the way, on maps it built the checkpoints of), then the general decoder
    /// from there.
    fn decode_after(
        &self,
        mappings: &[u8],
        checkpoint: &Checkpoint,
        count: u64,
        mut visit: impl FnMut(&RawToken) -> bool,
    ) -> Result<()> {
        let mut at = fast::Position::at_checkpoint(checkpoint);
        let mut decoded = 1;
        while decoded < count {
            let Some(token) = fast::next_token(mappings, &mut at, self.limits) else {
                break;
            };
            decoded += 1;
            if !visit(&token) {
                return Ok(());
            }
        }
        let (offset, state) = at.offset_and_state();
        let mut decoder = Decoder::resume(mappings, offset, state, self.limits, Rules::LENIENT);
        for _ in decoded..count {
            let token = decoder
                .next_token()
                .map_err(|e| corrupt(&e.message))?
                .ok_or_else(|| corrupt("mappings end before the token count"))?;
            if !visit(&token) {
                break;
            }
        }
        Ok(())
    }

    /// Every token, in generated order.
    pub fn for_each(&self, mut visit: impl FnMut(&RawToken)) -> Result<()> {
        if !self.mappings.is_verified() {
            return self.stream(visit);
        }
        for block in 0..self.checkpoint_count() {
            self.scan(block, |token| {
                visit(token);
                true
            })?;
        }
        Ok(())
    }

    /// `for_each` over a view's own tables (JSON or built: the text is whole and its
    /// checkpoints were built here): one pass from the first token to the last, without
    /// reading and checking a checkpoint every `INTERVAL` tokens. A memdb's text is
    /// verified block by block, so it keeps to `scan`.
    fn stream(&self, mut visit: impl FnMut(&RawToken)) -> Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        let first = self.checkpoint(0)?;
        visit(&first.token);
        let all = self.mappings.unverified();
        self.decode_after(all, &first, self.count as u64, |token| {
            visit(token);
            true
        })
    }

    /// Tokens `first..` in generated order, `count` at most (fewer at the end), each
    /// decoded once: a block's checkpoint is read once, not once per token as `get`
    /// would.
    pub fn range(&self, first: u32, count: u32, mut visit: impl FnMut(&RawToken)) -> Result<()> {
        let end = first.saturating_add(count).min(self.count);
        let mut index = first;
        while index < end {
            let block = index / INTERVAL;
            let mut at = block * INTERVAL;
            self.scan(block as usize, |token| {
                if at >= end {
                    return false;
                }
                if at >= index {
                    visit(token);
                }
                at += 1;
                true
            })?;
            index = at.max(index + 1);
        }
        Ok(())
    }

    /// The token at position `index` in generated order.
    pub fn get(&self, index: u32) -> Result<Option<RawToken>> {
        if index >= self.count {
            return Ok(None);
        }
        let mut skip = index % INTERVAL;
        let mut found = None;
        self.scan((index / INTERVAL) as usize, |token| {
            if skip == 0 {
                found = Some(*token);
                return false;
            }
            skip -= 1;
            true
        })?;
        Ok(found)
    }

    /// The last token at or before (`line`, `col`) on generated line `line`, with its
    /// index in generated order. Where segments share that token's column, the last
    /// *mapped* one answers: a mapped and an unmapped segment at one column (`AAAA,A`
    /// written at the same place) map it, as trace-mapping, symbolic and 0.8.2 read it.
    /// Among several mapped segments at a column the last wins (0.8.2's rule;
    /// trace-mapping and symbolic take the first).
    pub fn lookup(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        let Some((index, token)) = self.floor(line, col)? else {
            return Ok(None);
        };
        if token.dst_line != line {
            return Ok(None);
        }
        if token.has_source() {
            return Ok(Some((index, token)));
        }
        // Off the hot path: only lookups that land on an unmapped segment get here.
        Ok(Some(
            self.mapped_before(index, token.dst())?
                .unwrap_or((index, token)),
        ))
    }

    /// The last mapped token before `index` at generated position `at`, in the run of
    /// tokens at `at` that ends at `index` (which may begin blocks earlier).
    fn mapped_before(&self, index: u32, at: (u32, u32)) -> Result<Option<(u32, RawToken)>> {
        let mut block = (index / INTERVAL) as usize;
        loop {
            let (mut i, mut found) = (block as u32 * INTERVAL, None);
            self.scan(block, |token| {
                if i >= index {
                    return false;
                }
                if token.dst() == at && token.has_source() {
                    found = Some((i, *token));
                }
                i += 1;
                true
            })?;
            // A block that starts inside the run: the run may have begun before it.
            if found.is_some() || block == 0 || self.checkpoint_dst(block)? != at {
                return Ok(found);
            }
            block -= 1;
        }
    }

    /// The last token at or before (`line`, `col`), on any line, with its index in
    /// generated order; `None` if every token comes after it.
    pub fn floor(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.floor_from(&std::cell::Cell::new(0), line, col)
    }

    /// `floor`, with the block search started from where `hint` says the last one ended
    /// (and left there for the next): lookups that move forward through the table, as a
    /// walk over a source in order makes them, take a few steps each instead of a binary
    /// search's cache misses over all the checkpoints.
    pub fn floor_from(
        &self,
        hint: &std::cell::Cell<usize>,
        line: u32,
        col: u32,
    ) -> Result<Option<(u32, RawToken)>> {
        let target = (line, col);
        let after = partition_point_from(self.checkpoint_count(), hint.get(), |i| {
            Ok::<_, Error>(self.checkpoint_dst(i)? <= target)
        })?;
        hint.set(after);
        if after == 0 {
            return Ok(None);
        }
        let block = after - 1;
        let mut best = None;
        let mut index = block as u32 * INTERVAL;
        self.scan(block, |token| {
            if token.dst() <= target {
                if best.is_some() {
                    index += 1;
                }
                best = Some(*token);
                true
            } else {
                false
            }
        })?;
        Ok(best.map(|token| (index, token)))
    }
}

/// The first index in `0..len` for which `pred` is false (`pred` must be monotone),
/// searched outwards from `hint`: galloping to a bound takes a few steps when the answer
/// is near the last one, as it is for lookups that move through a table in order. A
/// `hint` of 0 means none: a plain binary search.
pub fn partition_point_from<E>(
    len: usize,
    hint: usize,
    pred: impl Fn(usize) -> Result<bool, E>,
) -> Result<usize, E> {
    let hint = hint.min(len);
    if hint == 0 {
        // No answer to start from (a lookup on its own, or the first of a walk): galloping
        // from 0 would take twice the steps of a binary search (a lookup's 1.1 -> 1.4 µs).
        return search(0, len, pred);
    }
    if !pred(hint - 1)? {
        // The answer is at or before `hint - 1`: gallop back to a bound.
        let (mut high, mut step) = (hint - 1, 1);
        loop {
            match high.checked_sub(step) {
                Some(probe) if !pred(probe)? => (high, step) = (probe, step * 2),
                Some(probe) => return search(probe + 1, high, pred),
                None => return search(0, high, pred),
            }
        }
    }
    // The answer is at or after `hint`: gallop forward to a bound.
    let (mut low, mut step) = (hint, 1);
    loop {
        let probe = low + step - 1;
        if probe >= len || !pred(probe)? {
            return search(low, probe.min(len), pred);
        }
        (low, step) = (probe + 1, step * 2);
    }
}

/// Binary search for the first index in `lo..hi` for which `pred` is false.
fn search<E>(
    mut lo: usize,
    mut hi: usize,
    pred: impl Fn(usize) -> Result<bool, E>,
) -> Result<usize, E> {
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid)? {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    Ok(lo)
}

fn corrupt(message: &str) -> Error {
    crate::error::bad_memdb(format!("corrupt token table: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::testing::{arb_text, arb_tokens, table_of, LIMITS};
    use crate::mappings::{build_checkpoints, decode_all, encode};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn galloping_finds_what_a_binary_search_finds(
            mut values in proptest::collection::vec(0u32..40, 0..60),
            below in 0u32..45,
            hint in 0usize..70,
        ) {
            values.sort_unstable();
            let found = partition_point_from(values.len(), hint, |i| {
                Ok::<_, std::convert::Infallible>(values[i] < below)
            });
            prop_assert_eq!(found, Ok(values.partition_point(|&v| v < below)));
        }

        /// Reading tokens back goes fast as far as the text is plain and on with the
        /// general decoder from there: every token is the one a full lenient decode gives.
        #[test]
        fn tokens_read_back_are_the_decoded_tokens(text in arb_text()) {
            let Ok(checkpoints) = build_checkpoints(&text, LIMITS, Rules::LENIENT) else {
                return Ok(());
            };
            let text = checkpoints.rewritten.clone().unwrap_or(text);
            let tokens = decode_all(&text, LIMITS, Rules::LENIENT).unwrap();
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&checkpoints.records), checkpoints.token_count, LIMITS);
            prop_assert_eq!(tokens.len(), checkpoints.token_count as usize);
            for (i, token) in tokens.iter().enumerate() {
                prop_assert_eq!(table.get(i as u32).unwrap(), Some(*token));
            }
        }

        #[test]
        fn lookup_matches_reference_model(tokens in arb_tokens(), line in 0u32..7, col in 0u32..45) {
            let (text, checkpoints) = table_of(&encode(&tokens));
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&checkpoints.records), checkpoints.token_count, LIMITS);
            table.validate().unwrap();
            // The last token at or before the column; where segments share its column, the
            // last mapped one of them (if any).
            let last = tokens
                .iter()
                .rposition(|t| t.dst_line == line && t.dst_col <= col);
            let expected = last.map(|last| {
                let at = (tokens[last].dst_line, tokens[last].dst_col);
                let mapped = (0..=last)
                    .rev()
                    .take_while(|&i| (tokens[i].dst_line, tokens[i].dst_col) == at)
                    .find(|&i| tokens[i].has_source());
                let i = mapped.unwrap_or(last);
                (i as u32, tokens[i])
            });
            prop_assert_eq!(table.lookup(line, col).unwrap(), expected);

            for (i, token) in tokens.iter().enumerate() {
                prop_assert_eq!(table.get(i as u32).unwrap(), Some(*token));
            }
            prop_assert_eq!(table.get(tokens.len() as u32).unwrap(), None);
        }
    }
}
