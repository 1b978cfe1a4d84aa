//! Scanning a `mappings` text once: validating it and building its checkpoints
//! (`build_checkpoints`), which every lookup then starts from.
//!
//! Real maps are plainly valid, and `fast` builds their checkpoints in one tight loop;
//! from 1 MB (`SPLIT_FROM`) in two parts at once, the head on this thread and the tail on
//! another (`build_in_two_parts`): the fast path is most of a big map's parse. Where the
//! fast path gives up, the general decoder builds them from the start (`build_general`),
//! checking every rule, and a text with a line out of column order is re-sorted and
//! re-encoded.

use super::checkpoints::{Checkpoint, Checkpoints, CHECKPOINT_SIZE};
use super::decoder::{decode_all, Decoder};
use super::encoder::encode;
use super::fast;
use super::{Limits, RawToken, INTERVAL};
use crate::error::{Error, ErrorKind, Result};
use crate::rules::Rules;

/// Validates `mappings` and builds its checkpoints.
///
/// Generators may emit a line's segments out of column order (ECMA-426 does not forbid
/// it); lookups need them sorted, so such a text is decoded, stably sorted and re-encoded.
pub fn build_checkpoints(mappings: &[u8], limits: Limits, rules: Rules) -> Result<Checkpoints> {
    build_checkpoints_into(mappings, limits, rules, Vec::new())
}

/// `build_checkpoints`, appending the checkpoints to `out` (a buffer the caller goes on
/// to fill with its other tables: the checkpoints, megabytes on big maps, are then
/// written once instead of built apart and copied). `out` gets room for them here.
pub fn build_checkpoints_into(
    mappings: &[u8],
    limits: Limits,
    rules: Rules,
    mut out: Vec<u8>,
) -> Result<Checkpoints> {
    let start = out.len();
    out.reserve(checkpoint_bytes_estimate(mappings));
    if let Some(token_count) = build_fast(mappings, limits, &mut out) {
        return Ok(Checkpoints {
            records: out,
            token_count,
            rewritten: None,
            plain: true,
        });
    }
    out.truncate(start);
    build_general(mappings, limits, rules, out)
}

/// Mappings from this size have their checkpoints built in two parts, on this thread and
/// another: the fast path is most of a big map's parse (8.5 of 11 ms on a 14 MB map).
const SPLIT_FROM: usize = 1 << 20;

/// `fast::build_checkpoints`, of a big text in two parts at once (see
/// `build_in_two_parts`) when a second core may be free.
fn build_fast(mappings: &[u8], limits: Limits, out: &mut Vec<u8>) -> Option<u32> {
    if mappings.len() >= SPLIT_FROM {
        if let Some(_split) = Splitting::start() {
            // The tail's decoding (relative sums and their ranges) takes ~1.4 times the
            // head's per byte: split where the two take the same time.
            let middle = mappings.len() / 100 * 58;
            if let Some(found) = memchr::memchr2(b',', b';', &mappings[middle..]) {
                return build_in_two_parts(mappings, middle + found, limits, out);
            }
        }
    }
    fast::build_checkpoints(mappings, limits, out)
}

/// The one text this process builds checkpoints of in two parts at a time. A split costs
/// ~1.2 times the CPU of one pass (the tail's loop is slower, and the head's segments are
/// counted), which only pays when a core is idle: with one core, or while another
/// thread's split runs (many threads parsing at once), checkpoints are built in one
/// pass, on their own thread.
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

/// `fast::build_checkpoints` in two parts at once: the head, the text before separator
/// `at`, here (`fast::build_head`), and the tail, the rest, on another thread, without
/// the state at `at` (`fast::build_tail`): when both are done, the tail's checkpoints are
/// made absolute with the state the head ended in. The same checkpoints, or `None` where
/// `fast::build_checkpoints` gives `None` (a property test holds the two to it).
fn build_in_two_parts(
    mappings: &[u8],
    at: usize,
    limits: Limits,
    out: &mut Vec<u8>,
) -> Option<u32> {
    let after_segment = at > 0 && !is_separator(mappings[at - 1]);
    // Which tail tokens get a checkpoint depends on how many come before: in plainly
    // valid text, a segment for every digit before a separator.
    let tail = || {
        let head = segment_ends(&mappings[..=at]);
        let tail = u32::try_from(head)
            .ok()
            .and_then(|head| fast::build_tail(mappings, at, after_segment, head));
        (head, tail)
    };
    let (head, (counted, tail)) = std::thread::scope(|s| {
        let builder = crate::threads::builder("libsourcemap-index", None);
        let other = crate::threads::spawn_scoped(builder, s, tail);
        let head = fast::build_head(mappings, at, limits, out);
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

/// `build_checkpoints` for any text: every rule checked, errors with their position,
/// lines re-sorted.
fn build_general(
    mappings: &[u8],
    limits: Limits,
    rules: Rules,
    mut records: Vec<u8>,
) -> Result<Checkpoints> {
    let start = records.len();
    let mut decoder = Decoder::new(mappings, limits, rules);
    let mut count: u32 = 0;
    let mut prev = (0u32, 0u32);
    while let Some(token) = decoder.next_token()? {
        if count > 0 && token.dst() < prev {
            let mut tokens = decode_all(mappings, limits, rules)?;
            tokens.sort_by_key(RawToken::dst);
            let text = encode(&tokens);
            records.truncate(start);
            let built = build_checkpoints_into(&text, limits, Rules::LENIENT, records)?;
            return Ok(Checkpoints {
                rewritten: Some(text),
                ..built
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
            .write(&mut records);
        }
        count = count
            .checked_add(1)
            .ok_or_else(|| overflow("token count"))?;
    }
    Ok(Checkpoints {
        records,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::testing::{arb_text, table_of, LIMITS};
    use crate::mappings::NONE;
    use proptest::prelude::*;

    #[test]
    fn unsorted_lines_are_rewritten() {
        let (text, checkpoints) = table_of(b"EAAA,DAAC");
        assert!(checkpoints.rewritten.is_some());
        let tokens = decode_all(&text, LIMITS, Rules::STRICT).unwrap();
        assert_eq!(
            tokens.iter().map(|t| t.dst_col).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }

    /// Where `text` may be split: its separators.
    fn separators(text: &[u8]) -> Vec<usize> {
        let at = text.iter().enumerate();
        at.filter(|(_, b)| matches!(b, b',' | b';'))
            .map(|(i, _)| i)
            .collect()
    }

    /// `fast::build_checkpoints` of `text`: the checkpoints and the count.
    fn whole(text: &[u8]) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        fast::build_checkpoints(text, LIMITS, &mut out).map(|count| (out, count))
    }

    /// `build_in_two_parts` of `text` at `at`.
    fn split_at(text: &[u8], at: usize) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        build_in_two_parts(text, at, LIMITS, &mut out).map(|count| (out, count))
    }

    /// A text big enough to be split as `build_checkpoints` splits it: the same
    /// checkpoints as one pass, and where bytes before or after the split break it, the
    /// same error or the same re-sorted text from the general decoder.
    #[test]
    fn big_texts_build_in_two_parts_as_in_one() {
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
        let built = build_checkpoints(&text, LIMITS, Rules::STRICT).unwrap();
        let (records, count) = whole(&text).unwrap();
        assert_eq!((built.records, built.token_count), (records, count));
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
                let split = build_checkpoints(&broken, LIMITS, rules)
                    .map(|c| (c.records, c.token_count, c.rewritten));
                let general = build_general(&broken, LIMITS, rules, Vec::new())
                    .map(|c| (c.records, c.token_count, c.rewritten));
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
    fn two_parts_check_ranges_as_the_whole_does() {
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

    proptest! {
        #[test]
        fn the_fast_path_builds_what_the_general_one_builds(text in arb_text()) {
            let mut out = Vec::new();
            let fast = fast::build_checkpoints(&text, LIMITS, &mut out).map(|count| (out, count));
            for rules in [Rules::LENIENT, Rules::STRICT] {
                let general = build_general(&text, LIMITS, rules, Vec::new());
                if let Some((records, count)) = &fast {
                    let general = general.expect("the fast path accepts only valid text");
                    prop_assert!(general.rewritten.is_none());
                    prop_assert_eq!(&general.records, records);
                    prop_assert_eq!(general.token_count, *count);
                }
            }
        }

        #[test]
        fn two_parts_build_what_one_pass_builds(text in arb_text(), pick in 0usize..1000) {
            let splits = separators(&text);
            prop_assume!(!splits.is_empty());
            prop_assert_eq!(split_at(&text, splits[pick % splits.len()]), whole(&text));
        }
    }
}
