//! The token table: the VLQ `mappings` text itself plus a sparse checkpoint index.
//!
//! Instead of expanding every segment into a fixed-size record (24 bytes a token in
//! rust-sourcemap, a Python object per token in pure Python), a view keeps the encoded
//! mappings (~5 bytes a token, usually borrowed straight from the JSON input) and every
//! `INTERVAL`-th token's decoded state (32 bytes). A lookup binary-searches the
//! checkpoints and decodes at most `INTERVAL - 1` segments forward. That is 4 bytes of
//! index a token, and the same layout is what a memdb stores, so a mapped cache file is
//! searched in place.

use crate::error::{invalid_map, Error, ErrorKind, Result};
use crate::integrity::Checked;
use crate::rules::Rules;
use crate::tables::le_u32;
use crate::vlq::{self, VlqError};

mod fast;

/// Tokens per checkpoint. Lookups decode at most `INTERVAL - 1` segments after the
/// binary search. Measured on a 14 MB esbuild map: 16 made decoding most of a ~400 ns
/// lookup; 8 halves that while the index stays at 4 bytes a token.
pub const INTERVAL: u32 = 8;
/// Bytes per checkpoint record: eight u32 (see `Checkpoint`).
pub const CHECKPOINT_SIZE: usize = 32;
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

/// Decodes segments one at a time.
///
/// Lenient (`Rules::LENIENT`): empty segments are skipped; a segment with 2 or 3 fields,
/// or a source index out of range, becomes an unmapped token; a name index out of range is
/// dropped. Both modes reject bad VLQ and any value outside 0..=2^32-1, because past such
/// an error every following position would be wrong.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    state: State,
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
    fn resume(
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

/// Decoder state captured right after a token: where to continue and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Checkpoint {
    offset: u32,
    state: State,
    token: RawToken,
}

const FLAG_SOURCE: u32 = 1;
const FLAG_NAME: u32 = 2;

impl Checkpoint {
    fn write(&self, out: &mut Vec<u8>) {
        let (has_source, has_name) = (self.token.has_source(), self.token.name_id != NONE);
        out.extend_from_slice(&Checkpoint::record(
            self.offset,
            &self.state,
            has_source,
            has_name,
        ));
    }

    /// The `CHECKPOINT_SIZE` bytes of a checkpoint: the byte offset, the state, flags.
    fn record(offset: u32, s: &State, has_source: bool, has_name: bool) -> [u8; CHECKPOINT_SIZE] {
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
    /// `col`), wrapping: for `fast::index_tail`, whose records hold sums since a split.
    fn add_base(record: &mut [u8], base: &State, col: bool) {
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
    fn read(record: &[u8]) -> Option<Checkpoint> {
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
    fn at(offset: u32, state: State, has_source: bool, has_name: bool) -> Checkpoint {
        Checkpoint {
            offset,
            state,
            token: state.token(has_source, has_name),
        }
    }

    /// Just the generated position, from a checkpoint's bytes.
    fn dst(record: &[u8]) -> (u32, u32) {
        (
            le_u32(record, 4).unwrap_or(u32::MAX),
            le_u32(record, 8).unwrap_or(u32::MAX),
        )
    }
}

/// The result of indexing a `mappings` text.
pub struct Indexed {
    pub checkpoints: Vec<u8>,
    pub token_count: u32,
    /// Set when the text had to be rewritten (segments out of order on a line).
    pub rewritten: Option<Vec<u8>>,
    /// The (final) text is plainly valid: the fast path read all of it, so every rule
    /// holds and a writer may copy it as it is.
    pub plain: bool,
}

/// Validates `mappings` and builds its checkpoint index.
///
/// Generators may emit a line's segments out of column order (ECMA-426 does not forbid
/// it); lookups need them sorted, so such a text is decoded, stably sorted and re-encoded.
pub fn index(mappings: &[u8], limits: Limits, rules: Rules) -> Result<Indexed> {
    index_into(mappings, limits, rules, Vec::new())
}

/// `index`, appending the checkpoints to `out` (a buffer the caller goes on to fill with
/// its other tables: the checkpoints, megabytes on big maps, are then written once
/// instead of built apart and copied). `out` gets room for them here.
pub fn index_into(
    mappings: &[u8],
    limits: Limits,
    rules: Rules,
    mut out: Vec<u8>,
) -> Result<Indexed> {
    let start = out.len();
    out.reserve(checkpoint_bytes_estimate(mappings));
    if let Some(token_count) = fast_index(mappings, limits, &mut out) {
        return Ok(Indexed {
            checkpoints: out,
            token_count,
            rewritten: None,
            plain: true,
        });
    }
    out.truncate(start);
    index_general(mappings, limits, rules, out)
}

/// Mappings from this size are indexed in two parts, on this thread and another: the
/// fast path is most of a big map's parse (8.5 of 11 ms on a 14 MB map).
const SPLIT_FROM: usize = 1 << 20;

/// `fast::index`, of a big text in two parts at once (see `split_index`) when a second
/// core may be free.
fn fast_index(mappings: &[u8], limits: Limits, out: &mut Vec<u8>) -> Option<u32> {
    if mappings.len() >= SPLIT_FROM {
        if let Some(_split) = Splitting::start() {
            // The tail's decoding (relative sums and their ranges) takes ~1.4 times the
            // head's per byte: split where the two take the same time.
            let middle = mappings.len() / 100 * 58;
            if let Some(found) = memchr::memchr2(b',', b';', &mappings[middle..]) {
                return split_index(mappings, middle + found, limits, out);
            }
        }
    }
    fast::index(mappings, limits, out)
}

/// The one split index this process makes at a time. A split costs ~1.2 times the CPU
/// of one pass (the tail's loop is slower, and the head's segments are counted), which
/// only pays when a core is idle: with one core, or while another thread's split runs
/// (many threads parsing at once), indexes are made in one pass, on their own thread.
struct Splitting;

static SPLITTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Splitting {
    fn start() -> Option<Splitting> {
        use std::sync::atomic::Ordering;
        static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        let cores = *CORES.get_or_init(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        if cores < 2 {
            return None;
        }
        let taken = SPLITTING.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed);
        taken.ok().map(|_| Splitting)
    }
}

impl Drop for Splitting {
    fn drop(&mut self) {
        SPLITTING.store(false, std::sync::atomic::Ordering::Release);
    }
}

/// `fast::index`, the text before separator `at` indexed here and the rest on another
/// thread at the same time, without the state at `at` (`fast::index_tail`): when both
/// are done, the rest's checkpoints are made absolute with the state the first part
/// ended in. The same index, or `None` where `fast::index` gives `None` (a property
/// test holds the two to it).
fn split_index(mappings: &[u8], at: usize, limits: Limits, out: &mut Vec<u8>) -> Option<u32> {
    let after_segment = at > 0 && !is_separator(mappings[at - 1]);
    // Which tail tokens get a checkpoint depends on how many come before: in plainly
    // valid text, a segment for every digit before a separator.
    let tail = || {
        let head = segment_ends(&mappings[..=at]);
        let tail = u32::try_from(head)
            .ok()
            .and_then(|head| fast::index_tail(mappings, at, after_segment, head));
        (head, tail)
    };
    let (head, (counted, tail)) = std::thread::scope(|s| {
        let builder = crate::threads::builder("libsourcemap-index", None);
        let other = crate::threads::spawn_scoped(builder, s, tail);
        let head = fast::index_head(mappings, at, limits, out);
        let tail = match other {
            Ok(thread) => crate::threads::joined(thread), // a panic there is raised here
            Err(_) => tail(), // no second thread: one after the other, here
        };
        (head, tail)
    });
    let ((head, end), tail) = (head?, tail?);
    if counted != head as usize {
        return None; // cannot be, in plainly valid text
    }
    let count = tail.resolve(end.state(), limits, out)?;
    head.checked_add(count)
}

fn is_separator(byte: u8) -> bool {
    byte == b',' || byte == b';'
}

/// How many bytes of `text` are a digit followed by a separator. Summed in `u8`s over
/// runs of 255 bytes, which the compiler makes vector code of: 0.1 ms for 2 MB, where
/// counting matches one by one took 3.
fn segment_ends(text: &[u8]) -> usize {
    let Some(last) = text.len().checked_sub(1) else {
        return 0;
    };
    let (bytes, next) = (&text[..last], &text[1..]);
    let runs = bytes.chunks(255).zip(next.chunks(255));
    runs.map(|(bytes, next)| {
        let ends = bytes.iter().zip(next);
        let sum = ends.fold(0u8, |sum, (&a, &b)| {
            sum.wrapping_add((!is_separator(a) & is_separator(b)) as u8)
        });
        sum as usize
    })
    .sum()
}

/// Room for the checkpoints of real minified maps (a segment takes ~5 bytes), so that
/// growing the buffer does not copy megabytes of them over and over.
fn checkpoint_bytes_estimate(mappings: &[u8]) -> usize {
    (mappings.len() / 5 / INTERVAL as usize + 1) * CHECKPOINT_SIZE
}

/// `index` for any text: every rule checked, errors with their position, lines re-sorted.
fn index_general(
    mappings: &[u8],
    limits: Limits,
    rules: Rules,
    mut checkpoints: Vec<u8>,
) -> Result<Indexed> {
    let start = checkpoints.len();
    let mut decoder = Decoder::new(mappings, limits, rules);
    let mut count: u32 = 0;
    let mut prev = (0u32, 0u32);
    while let Some(token) = decoder.next_token()? {
        if count > 0 && token.dst() < prev {
            let mut tokens = decode_all(mappings, limits, rules)?;
            tokens.sort_by_key(RawToken::dst);
            let text = encode(&tokens);
            checkpoints.truncate(start);
            let indexed = index_into(&text, limits, Rules::LENIENT, checkpoints)?;
            return Ok(Indexed {
                rewritten: Some(text),
                ..indexed
            });
        }
        prev = token.dst();
        if count.is_multiple_of(INTERVAL) {
            let offset = u32::try_from(decoder.offset()).map_err(|_| overflow("mappings"))?;
            Checkpoint {
                offset,
                state: decoder.state,
                token,
            }
            .write(&mut checkpoints);
        }
        count = count
            .checked_add(1)
            .ok_or_else(|| overflow("token count"))?;
    }
    Ok(Indexed {
        checkpoints,
        token_count: count,
        rewritten: None,
        plain: false,
    })
}

fn overflow(what: &str) -> Error {
    Error::new(
        ErrorKind::LocationOverflow,
        format!("{what} does not fit in 32 bits"),
    )
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
/// `index` checks them, without building an index (for one pass over a map): the fast
/// path as far as it goes, then the general decoder from where it stopped. Segments
/// out of column order come as written. `visit` returns false to stop.
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
    /// The checkpoint index of the text as it is written (`indexed`), or none.
    index: Option<IndexBuilder>,
}

/// What `Encoder::indexed` gathers besides the text: what `index` would find in it.
struct IndexBuilder {
    /// Where the text starts in `out`.
    start: usize,
    checkpoints: Vec<u8>,
    count: u32,
    /// Every segment is one the fast path reads (sorted, deltas within 32 bits).
    plain: bool,
    /// How many sources and names the segments' ids need.
    sources: u32,
    names: u32,
}

/// A text's checkpoint index built as it was written, and how many sources and names
/// a document must list for the index to hold for it (`View::assemble` checks).
pub struct Prebuilt {
    pub indexed: Indexed,
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
            index: None,
        }
    }

    /// An encoder that also builds the checkpoint index of what it writes (see
    /// `finish_indexed`): a view of the text then needs no decoding pass to be made.
    pub fn indexed(out: Vec<u8>) -> Encoder {
        let index = IndexBuilder {
            start: out.len(),
            checkpoints: Vec::new(),
            count: 0,
            plain: true,
            sources: 0,
            names: 0,
        };
        Encoder {
            index: Some(index),
            ..Encoder::new(out)
        }
    }

    pub fn push(&mut self, token: &RawToken) {
        if let Some(index) = &mut self.index {
            let state = &self.state;
            let in_order = (token.dst_line, token.dst_col) >= (state.dst_line, state.dst_col);
            let within =
                |now: u32, before: u32| (now as i64 - before as i64).abs() <= i32::MAX as i64;
            index.plain &= in_order
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
        if let Some(index) = &mut self.index {
            let has_name = token.has_source() && token.name_id != NONE;
            if token.has_source() {
                index.sources = index.sources.max(token.src_id.saturating_add(1));
            }
            if has_name {
                index.names = index.names.max(token.name_id.saturating_add(1));
            }
            if index.count.is_multiple_of(INTERVAL) {
                match u32::try_from(self.out.len() - index.start) {
                    Ok(offset) => Checkpoint::at(offset, self.state, token.has_source(), has_name)
                        .write(&mut index.checkpoints),
                    Err(_) => index.plain = false,
                }
            }
            index.count = index.count.saturating_add(1);
        }
    }

    /// The text and, for an `indexed` encoder whose text the fast path reads whole, the
    /// index `index` would build of it (else `None`: index the text to read it).
    pub fn finish_indexed(self) -> (Vec<u8>, Option<Prebuilt>) {
        let index = self.index.filter(|i| i.plain && i.count < u32::MAX);
        let prebuilt = index.map(|i| Prebuilt {
            indexed: Indexed {
                checkpoints: i.checkpoints,
                token_count: i.count,
                rewritten: None,
                plain: true,
            },
            sources: i.sources,
            names: i.names,
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

/// A copy of a checkpoint index with every name flag cleared, for a table whose names
/// are dropped (a memdb dumped without names).
pub fn without_names(checkpoints: &[u8]) -> Vec<u8> {
    let mut copy = checkpoints.to_vec();
    for record in copy.chunks_exact_mut(CHECKPOINT_SIZE) {
        record[28] &= !(FLAG_NAME as u8);
    }
    copy
}

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

    /// Checks that the checkpoint index fits the token count (for tables read from a
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
    /// goes (all the way, on maps it indexed), then the general decoder from there.
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

    /// `for_each` over a view's own tables (JSON or built: the text is whole and was
    /// indexed here): one pass from the first token to the last, without reading and
    /// checking a checkpoint every `INTERVAL` tokens. A memdb's text is verified block
    /// by block, so it keeps to `scan`.
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
    /// search's cache misses over the whole index.
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
    use proptest::prelude::*;

    const LIMITS: Limits = Limits {
        sources: 4,
        names: 4,
    };

    fn table_of(text: &[u8]) -> (Vec<u8>, Indexed) {
        let indexed = index(text, LIMITS, Rules::LENIENT).unwrap();
        let text = indexed.rewritten.clone().unwrap_or_else(|| text.to_vec());
        (text, indexed)
    }

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

    #[test]
    fn unsorted_lines_are_rewritten() {
        let (text, indexed) = table_of(b"EAAA,DAAC");
        assert!(indexed.rewritten.is_some());
        let tokens = decode_all(&text, LIMITS, Rules::STRICT).unwrap();
        assert_eq!(
            tokens.iter().map(|t| t.dst_col).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    fn arb_tokens() -> impl Strategy<Value = Vec<RawToken>> {
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
    fn separators(text: &[u8]) -> Vec<usize> {
        let at = text.iter().enumerate();
        at.filter(|(_, b)| matches!(b, b',' | b';'))
            .map(|(i, _)| i)
            .collect()
    }

    /// `fast::index` of `text`: the checkpoints and the count.
    fn whole(text: &[u8]) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        fast::index(text, LIMITS, &mut out).map(|count| (out, count))
    }

    /// `split_index` of `text` at `at`.
    fn split_at(text: &[u8], at: usize) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        split_index(text, at, LIMITS, &mut out).map(|count| (out, count))
    }

    /// A text big enough to be split as `index` splits it: the same index as one pass,
    /// and where bytes before or after the split break it, the same error or the same
    /// re-sorted text from the general decoder.
    #[test]
    fn big_texts_index_in_two_parts_as_in_one() {
        let mut x = 7u32;
        let mut tokens = Vec::new();
        for line in 0..40u32 {
            for i in 0..8000u32 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                tokens.push(RawToken {
                    dst_line: line,
                    dst_col: i * 4,
                    src_id: (x >> 8) % 4,
                    src_line: (x >> 4) % 5000,
                    src_col: (x >> 12) % 300,
                    name_id: if x.is_multiple_of(3) {
                        (x >> 6) % 4
                    } else {
                        NONE
                    },
                });
            }
        }
        let text = encode(&tokens);
        assert!(text.len() >= SPLIT_FROM);
        let indexed = index(&text, LIMITS, Rules::STRICT).unwrap();
        let (checkpoints, count) = whole(&text).unwrap();
        assert_eq!(
            (indexed.checkpoints, indexed.token_count),
            (checkpoints, count)
        );
        let at = text.len() / 100 * 58;
        for (offset, bad) in [
            (at / 2, &b"D,"[..]),
            (at + 1000, &b"!"[..]),
            (at + 5000, b"gggggggggB"),
            (at + 9000, b"D,"),
        ] {
            let comma = offset + text[offset..].iter().position(|&b| b == b',').unwrap();
            let mut broken = text.clone();
            broken.splice(comma + 1..comma + 1, bad.iter().copied());
            for rules in [Rules::LENIENT, Rules::STRICT] {
                let split = index(&broken, LIMITS, rules)
                    .map(|i| (i.checkpoints, i.token_count, i.rewritten));
                let general = index_general(&broken, LIMITS, rules, Vec::new())
                    .map(|i| (i.checkpoints, i.token_count, i.rewritten));
                match (split, general) {
                    (Ok(split), Ok(general)) => assert_eq!(split, general),
                    (Err(split), Err(general)) => assert_eq!(split.message, general.message),
                    (split, general) => panic!("{:?} against {:?}", split.is_ok(), general.is_ok()),
                }
            }
        }
    }

    /// Values at the edges of their ranges, reached before and after a split: the tail's
    /// sums are checked against where the head ended, as the whole text checks them.
    #[test]
    fn a_split_index_checks_ranges_as_the_whole_does() {
        let big = (1i64 << 31) - 1;
        let segment = |values: &[i64]| {
            let mut out = Vec::new();
            for &v in values {
                crate::vlq::encode(v, &mut out);
            }
            out
        };
        let texts = [
            // original line up to 2^32 - 1, then one past it
            [
                vec![0, 0, big, 0],
                vec![1, 0, big, 0],
                vec![1, 0, 1, 0],
                vec![1, 0, 1, 0],
            ],
            // the same, staying at the limit
            [
                vec![0, 0, big, 0],
                vec![1, 0, big, 0],
                vec![1, 0, 1, 0],
                vec![1, 0, 0, 0],
            ],
            // original column back below 0 after the split, and not
            [
                vec![0, 0, 0, 5],
                vec![1, 0, 0, -2],
                vec![1, 0, 0, -3],
                vec![1, 0, 0, -1],
            ],
            [
                vec![0, 0, 0, 5],
                vec![1, 0, 0, -2],
                vec![1, 0, 0, -3],
                vec![1, 0, 0, 0],
            ],
            // sources and names past the map's (4 each), and not
            [
                vec![0, 2, 0, 0, 2],
                vec![1, 1, 0, 0, 1],
                vec![1, 0, 0, 0, 0],
                vec![1, 1, 0, 0, 0],
            ],
            [
                vec![0, 2, 0, 0, 2],
                vec![1, 1, 0, 0, 1],
                vec![1, -3, 0, 0, -3],
                vec![1, 0, 0, 0, 1],
            ],
            // generated column past 2^32 - 1 on the split line, and on the next
            [vec![big], vec![big], vec![1], vec![1]],
            [vec![big], vec![big], vec![0], vec![1]],
        ];
        for segments in texts {
            for separator in [b",", b";"] {
                let mut text = Vec::new();
                for (i, values) in segments.iter().enumerate() {
                    if i > 0 {
                        text.extend_from_slice(if i == 2 { separator } else { b"," });
                    }
                    text.extend_from_slice(&segment(values));
                }
                for at in separators(&text) {
                    assert_eq!(split_at(&text, at), whole(&text), "{text:?} at {at}");
                }
            }
        }
    }

    fn arb_text() -> impl Strategy<Value = Vec<u8>> {
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

        #[test]
        fn fast_index_is_the_general_index(text in arb_text()) {
            let mut out = Vec::new();
            let fast = fast::index(&text, LIMITS, &mut out).map(|count| (out, count));
            for rules in [Rules::LENIENT, Rules::STRICT] {
                let general = index_general(&text, LIMITS, rules, Vec::new());
                if let Some((checkpoints, count)) = &fast {
                    let general = general.expect("the fast path accepts only valid text");
                    prop_assert!(general.rewritten.is_none());
                    prop_assert_eq!(&general.checkpoints, checkpoints);
                    prop_assert_eq!(general.token_count, *count);
                }
            }
        }

        /// Reading tokens back goes fast as far as the text is plain and on with the
        /// general decoder from there: every token is the one a full lenient decode gives.
        #[test]
        fn tokens_read_back_are_the_decoded_tokens(text in arb_text()) {
            let Ok(indexed) = index(&text, LIMITS, Rules::LENIENT) else {
                return Ok(());
            };
            let text = indexed.rewritten.clone().unwrap_or(text);
            let tokens = decode_all(&text, LIMITS, Rules::LENIENT).unwrap();
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&indexed.checkpoints), indexed.token_count, LIMITS);
            prop_assert_eq!(tokens.len(), indexed.token_count as usize);
            for (i, token) in tokens.iter().enumerate() {
                prop_assert_eq!(table.get(i as u32).unwrap(), Some(*token));
            }
        }

        #[test]
        fn a_split_index_is_the_fast_index(text in arb_text(), pick in 0usize..1000) {
            let splits = separators(&text);
            prop_assume!(!splits.is_empty());
            prop_assert_eq!(split_at(&text, splits[pick % splits.len()]), whole(&text));
        }

        #[test]
        fn fast_index_takes_what_encode_writes(tokens in arb_tokens()) {
            let text = encode(&tokens);
            let mut checkpoints = Vec::new();
            let count = fast::index(&text, LIMITS, &mut checkpoints).expect("plain valid text");
            prop_assert_eq!(count as usize, tokens.len());
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&checkpoints), count, LIMITS);
            for (i, token) in tokens.iter().enumerate() {
                prop_assert_eq!(table.get(i as u32).unwrap(), Some(*token));
            }
        }

        #[test]
        fn an_indexing_encoder_builds_the_index_of_its_text(
            tokens in arb_tokens(),
            unsorted in proptest::bool::ANY,
        ) {
            let mut tokens = tokens;
            if unsorted {
                tokens.reverse();
            }
            let mut encoder = Encoder::indexed(b"prefix".to_vec());
            for token in &tokens {
                encoder.push(token);
            }
            let (out, prebuilt) = encoder.finish_indexed();
            let text = &out[6..];
            let indexed = index(text, LIMITS, Rules::STRICT);
            match prebuilt {
                Some(prebuilt) => {
                    let indexed = indexed.unwrap();
                    prop_assert!(indexed.plain);
                    prop_assert_eq!(prebuilt.indexed.checkpoints, indexed.checkpoints);
                    prop_assert_eq!(prebuilt.indexed.token_count, indexed.token_count);
                    let needs = |f: fn(&RawToken) -> u32| {
                        tokens.iter().map(f).filter(|&id| id != NONE).map(|id| id + 1).max().unwrap_or(0)
                    };
                    prop_assert_eq!(prebuilt.sources, needs(|t| t.src_id));
                    prop_assert_eq!(prebuilt.names, needs(|t| if t.has_source() { t.name_id } else { NONE }));
                }
                // Only text out of order (which the index re-sorts) has none.
                None => prop_assert!(!tokens.is_sorted_by_key(RawToken::dst)),
            }
        }

        #[test]
        fn encode_decode_round_trip(tokens in arb_tokens()) {
            let text = encode(&tokens);
            prop_assert_eq!(decode_all(&text, LIMITS, Rules::STRICT).unwrap(), tokens);
        }

        #[test]
        fn lookup_matches_reference_model(tokens in arb_tokens(), line in 0u32..7, col in 0u32..45) {
            let (text, indexed) = table_of(&encode(&tokens));
            let table = TokenTable::new(Checked::trusted(&text), Checked::trusted(&indexed.checkpoints), indexed.token_count, LIMITS);
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
