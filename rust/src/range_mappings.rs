//! The range mappings proposal (`rangeMappings`; tc39/ecma426 `proposals/range-mappings.md`):
//! a mapping marked as a range maps every position after it, up to the next mapping, by
//! its offset: on its own line column for column, on later lines (a range runs through
//! newlines) line for line, the column as it is. See `View::lookup`.
//!
//! The field has one entry per generated line, `;` between them; an entry is a run of
//! unsigned base64 VLQs, each the 1-based distance from the line's previous range mapping
//! (from before its first mapping, for the first): `B` marks the line's first mapping,
//! `BC` its first and third, `A` (a zero) is invalid. This is the encoding of tc39's
//! source-map-tests since January 2026; the proposal text may still show the older
//! 0-based one, which rust-sourcemap (symbolic) reads.

use crate::vlq::{self, VlqError};

/// The token indexes (in generated order, ascending) of the range mappings `field` marks
/// in `mappings`, or why it cannot be read. A mapping's index counts the non-empty
/// segments before it, as the token table does.
pub fn decode(field: &[u8], mappings: &[u8]) -> Result<Vec<u32>, String> {
    let mut lines = mappings.split(|&b| b == b';');
    let mut marks = Vec::new();
    let mut first: u64 = 0; // the index of the line's first mapping
    for (line, entry) in field.split(|&b| b == b';').enumerate() {
        let count = lines.next().map_or(0, |segments| {
            segments
                .split(|&b| b == b',')
                .filter(|segment| !segment.is_empty())
                .count() as u64
        });
        let mut pos = 0;
        let mut index: u64 = 0; // 1-based: 0 is before the first mapping
        while pos < entry.len() {
            let delta = vlq::decode_unsigned(entry, &mut pos).map_err(|why| match why {
                VlqError::BadChar(at) => format!(
                    "line {line}: {:?} is not a base64 digit",
                    char::from(entry[at])
                ),
                VlqError::Unterminated => format!("line {line}: a VLQ cut short"),
                VlqError::Overflow => format!("line {line}: a VLQ of 2^32 or more"),
            })?;
            if delta == 0 {
                return Err(format!("line {line}: an offset of 0 (offsets are 1-based)"));
            }
            index += u64::from(delta);
            if index > count {
                return Err(format!(
                    "line {line}: mapping {} is marked a range, but the line has {count}",
                    index - 1
                ));
            }
            let global = u32::try_from(first + index - 1)
                .map_err(|_| format!("line {line}: more than 2^32 mappings"))?;
            marks.push(global);
        }
        first += count;
    }
    Ok(marks)
}

/// The field for range mappings given as (generated line, index among the line's
/// mappings), sorted: the inverse of `decode`. Empty for none.
pub fn encode(marks: &[(u32, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut line = 0;
    let mut previous: Option<u32> = None;
    for &(mark_line, index) in marks {
        while line < mark_line {
            out.push(b';');
            line += 1;
            previous = None;
        }
        let delta = match previous {
            Some(previous) => index - previous,
            None => index + 1,
        };
        vlq::encode_unsigned(u64::from(delta), &mut out);
        previous = Some(index);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_tc39s_examples() {
        // tc39 source-map-tests: simple, multiple-mappings, newline-semantics.
        assert_eq!(decode(b";B;", b";CAAA;A"), Ok(vec![0]));
        assert_eq!(decode(b";BC;", b";CAAA,aAAa,EAAG,iBAAoB;A"), Ok(vec![0, 2]));
        assert_eq!(decode(b"B;", b"CAAA;GACG"), Ok(vec![0]));
        assert_eq!(decode(b"", b""), Ok(vec![]));
        assert_eq!(decode(b";B", b";CAAA;A"), Ok(vec![0]));
        // Indexes count the mappings of the lines before, empty segments not.
        assert_eq!(decode(b";;C", b"AAAA,,CAAA;;AAAA,CAAA"), Ok(vec![3]));
    }

    #[test]
    fn refuses_tc39s_invalid_ones() {
        let refused = |field: &[u8], mappings: &[u8]| decode(field, mappings).unwrap_err();
        // tc39's invalid-base64-char-1 and -2 fail on their first values already.
        assert!(refused(b"AB%", b"").contains("offset of 0"));
        assert!(refused(b"ab=", b"").contains("mapping 25 is marked a range"));
        assert!(refused(b"B%", b"A").contains("'%' is not a base64 digit"));
        assert!(refused(b"B=", b"A").contains("'=' is not a base64 digit"));
        assert!(refused(b"A", b"A").contains("offset of 0"));
        assert!(refused(b"C", b"AAA").contains("mapping 1 is marked a range"));
        assert!(refused(b"C;B;B", b"AAA").contains("line 0"));
        assert!(refused(b"B;B", b"AAA").contains("line 1: mapping 0"));
        assert!(refused(b"g", b"A").contains("cut short"));
        assert!(refused(b"///////D", b"A").contains("2^32"));
    }

    proptest! {
        #[test]
        fn encode_inverts_decode(lines in proptest::collection::vec(
            proptest::collection::vec(any::<bool>(), 0..6), 0..6)
        ) {
            // A mappings text with the lines' segment counts; marks where `true`.
            let mappings = lines
                .iter()
                .map(|line| vec!["AAAA"; line.len()].join(","))
                .collect::<Vec<_>>()
                .join(";");
            let marks: Vec<(u32, u32)> = lines
                .iter()
                .enumerate()
                .flat_map(|(l, line)| {
                    line.iter().enumerate().filter(|(_, &m)| m).map(move |(i, _)| (l as u32, i as u32))
                })
                .collect();
            let field = encode(&marks);
            let mut global = Vec::new();
            let mut first = 0u32;
            for line in &lines {
                for (i, &m) in line.iter().enumerate() {
                    if m {
                        global.push(first + i as u32);
                    }
                }
                first += line.len() as u32;
            }
            prop_assert_eq!(decode(&field, mappings.as_bytes()), Ok(global));
        }

        #[test]
        fn never_panics(field in proptest::collection::vec(any::<u8>(), 0..40),
                        mappings in "[A-Za-z;,]{0,40}") {
            let _ = decode(&field, mappings.as_bytes());
        }
    }
}
