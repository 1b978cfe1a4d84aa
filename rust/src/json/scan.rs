//! The fast path of `json::parse_document`: one pass over the document that validates
//! it as JSON and captures the fields a source map has, as raw slices.
//!
//! Most of a real map's bytes are two kinds of string: `mappings` (megabytes, no escapes)
//! and `sourcesContent` (megabytes, an escape every line or so). serde_json looks at
//! strings eight bytes at a time and starts over after every escape; here a string is
//! scanned 64 bytes at a time, by a mask of the bytes that matter (quote, backslash,
//! control characters), stepping from one set bit to the next, so an escape costs a few
//! instructions instead of a new scan. The same pass notes bytes above 0x7f, and
//! only a string that has one is checked to be UTF-8 (everything outside strings must be
//! ASCII anyway): checking the whole input apart would read it from memory a second time.
//!
//! It gives up (`None`) on anything it does not handle plainly: invalid JSON, invalid
//! UTF-8, a key with escapes, a duplicate field, a list field that is not a list, nesting
//! deeper than `MAX_DEPTH`. serde_json then parses the document, so results and errors
//! are the same as they always were; the tests check both agree.

use super::{Document, Raw, RawList};

/// Deeper than this, serde_json decides (it stops at 128 with its own error).
const MAX_DEPTH: u32 = 100;

pub(super) fn document(input: &[u8]) -> Option<Document<'_>> {
    let mut at = Scanner {
        bytes: input,
        pos: 0,
    };
    let mut doc = Document::default();
    let mut seen = [false; FIELD_COUNT];
    at.whitespace();
    at.expect(b'{')?;
    at.members(b'}', |at| {
        let key = at.key()?;
        at.whitespace();
        at.expect(b':')?;
        at.whitespace();
        match Field::named(key) {
            // A duplicate goes to serde_json, which reports it.
            Some(field) if !std::mem::replace(&mut seen[field as usize], true) => {
                at.field(field, &mut doc)
            }
            Some(_) => None,
            None => at.value(0),
        }
    })?;
    at.whitespace();
    (at.pos == input.len()).then_some(doc)
}

/// The fields of `Document`, by their JSON names.
#[derive(Clone, Copy)]
enum Field {
    Version,
    File,
    SourceRoot,
    Sources,
    SourcesContent,
    Names,
    Mappings,
    Sections,
    IgnoreList,
    XGoogleIgnoreList,
    DebugId,
    DebugIdSnake,
    XFacebookSources,
    XHermesFunctionOffsets,
    Scopes,
    RangeMappings,
    XFacebookOffsets,
    XMetroModulePaths,
}

const FIELD_COUNT: usize = 18;

impl Field {
    fn named(key: &str) -> Option<Field> {
        Some(match key {
            "version" => Field::Version,
            "file" => Field::File,
            "sourceRoot" => Field::SourceRoot,
            "sources" => Field::Sources,
            "sourcesContent" => Field::SourcesContent,
            "names" => Field::Names,
            "mappings" => Field::Mappings,
            "sections" => Field::Sections,
            "ignoreList" => Field::IgnoreList,
            "x_google_ignoreList" => Field::XGoogleIgnoreList,
            "debugId" => Field::DebugId,
            "debug_id" => Field::DebugIdSnake,
            "x_facebook_sources" => Field::XFacebookSources,
            "x_hermes_function_offsets" => Field::XHermesFunctionOffsets,
            "scopes" => Field::Scopes,
            "rangeMappings" => Field::RangeMappings,
            "x_facebook_offsets" => Field::XFacebookOffsets,
            "x_metro_module_paths" => Field::XMetroModulePaths,
            _ => return None,
        })
    }
}

/// Reads JSON from `bytes`. Every byte it accepts outside a string is ASCII (it is
/// compared with ASCII bytes), and every string it accepts is UTF-8 (`string_end`).
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// The raw text of the value from `start` to the current position, which the scanner
    /// has just accepted.
    fn raw_from(&self, start: usize) -> Option<Raw<'a>> {
        let value = self.bytes.get(start..self.pos)?;
        // SAFETY: the scanner has just accepted `value`.
        Some(Raw(unsafe { accepted_text(value) }))
    }

    /// An object key without escapes (a key with escapes goes to serde_json).
    fn key(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.pos;
        let end = string_end(self.bytes, start)?;
        if self.bytes[start..end].contains(&b'\\') {
            return None;
        }
        self.pos = end + 1;
        // SAFETY: `string_end` has just accepted the string.
        Some(unsafe { accepted_text(&self.bytes[start..end]) })
    }

    /// A field of `Document`: `null` is absent for single values, as serde reads an
    /// `Option`; list fields must be lists here.
    fn field(&mut self, field: Field, doc: &mut Document<'a>) -> Option<()> {
        let list = match field {
            Field::Sources => &mut doc.sources,
            Field::SourcesContent => &mut doc.sources_content,
            Field::Names => &mut doc.names,
            Field::IgnoreList => &mut doc.ignore_list,
            Field::XGoogleIgnoreList => &mut doc.x_google_ignore_list,
            single => {
                let start = self.pos;
                self.value(0)?;
                let raw = self.raw_from(start)?;
                let value = (raw.get() != "null").then_some(raw);
                *match single {
                    Field::Version => &mut doc.version,
                    Field::File => &mut doc.file,
                    Field::SourceRoot => &mut doc.source_root,
                    Field::Mappings => &mut doc.mappings,
                    Field::Sections => &mut doc.sections,
                    Field::DebugId => &mut doc.debug_id,
                    Field::XFacebookSources => &mut doc.x_facebook_sources,
                    Field::XHermesFunctionOffsets => &mut doc.x_hermes_function_offsets,
                    Field::Scopes => &mut doc.scopes,
                    Field::RangeMappings => &mut doc.range_mappings,
                    Field::XFacebookOffsets => &mut doc.x_facebook_offsets,
                    Field::XMetroModulePaths => &mut doc.x_metro_module_paths,
                    _ => &mut doc.debug_id_snake,
                } = value;
                return Some(());
            }
        };
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.members(b']', |at| {
            let start = at.pos;
            at.value(1)?;
            items.push(at.raw_from(start)?);
            Some(())
        })?;
        *list = RawList::Items(items);
        Some(())
    }

    /// The members of an object or the items of a list, after its opening bracket and up
    /// to `close`: `member` reads each, and commas go between them.
    fn members(
        &mut self,
        close: u8,
        mut member: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.whitespace();
        if self.peek() == Some(close) {
            self.pos += 1;
            return Some(());
        }
        loop {
            member(self)?;
            self.whitespace();
            match self.next()? {
                b',' => self.whitespace(),
                byte if byte == close => return Some(()),
                _ => return None,
            }
        }
    }

    /// Skips one JSON value, checking it.
    fn value(&mut self, depth: u32) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match self.next()? {
            b'"' => {
                self.pos = string_end(self.bytes, self.pos)? + 1;
            }
            b'{' => self.members(b'}', |at| {
                at.expect(b'"')?;
                at.pos = string_end(at.bytes, at.pos)? + 1;
                at.whitespace();
                at.expect(b':')?;
                at.whitespace();
                at.value(depth + 1)
            })?,
            b'[' => self.members(b']', |at| at.value(depth + 1))?,
            b't' => self.literal(b"rue")?,
            b'f' => self.literal(b"alse")?,
            b'n' => self.literal(b"ull")?,
            b'-' | b'0'..=b'9' => {
                self.pos -= 1;
                self.number()?;
            }
            _ => return None,
        }
        Some(())
    }

    fn literal(&mut self, rest: &[u8]) -> Option<()> {
        let found = self.bytes.get(self.pos..self.pos + rest.len())?;
        (found == rest).then(|| self.pos += rest.len())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.one_or_more_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.one_or_more_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn one_or_more_digits(&mut self) -> Option<()> {
        let start = self.pos;
        self.digits();
        (self.pos > start).then_some(())
    }
}

/// Bytes the scanner has accepted, as text, without checking them again.
///
/// # Safety
///
/// `bytes` must be a value or a string's contents that the scanner accepted: ASCII
/// outside strings, and strings that `string_end` checked to be UTF-8 wherever they had
/// a byte above 0x7f. Such a range starts and ends on ASCII bytes, and a UTF-8 sequence
/// never contains an ASCII byte, so the range is UTF-8.
unsafe fn accepted_text(bytes: &[u8]) -> &str {
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    // SAFETY: UTF-8, by the caller's guarantee.
    unsafe { std::str::from_utf8_unchecked(bytes) }
}

/// The index of the quote that ends the string whose contents start at `from`, checking
/// its escapes, that it has no control characters, and that it is UTF-8; `None` if it is
/// not a valid string.
///
/// It steps through the special bytes of each 64-byte block by their mask, so an escape
/// costs a few instructions instead of a new scan from the byte after it.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut block = from;
    // Bytes at the start of `block` that an escape in the previous block covered.
    let mut covered = 0;
    // Whether a byte above 0x7f was seen (possibly past the end of the string: then it
    // is checked for nothing).
    let mut non_ascii = false;
    loop {
        let (mut special, high, scanned) = special_bytes(bytes, block);
        non_ascii |= high;
        special &= u64::MAX << covered;
        covered = 0;
        while special != 0 {
            let at = block + special.trailing_zeros() as usize;
            match bytes[at] {
                b'"' if non_ascii => return std::str::from_utf8(&bytes[from..at]).ok().map(|_| at),
                b'"' => return Some(at),
                b'\\' => {
                    let next = at + 1 + escape_len(&bytes[at + 1..])? - block;
                    if next >= BLOCK {
                        covered = next - BLOCK;
                        break;
                    }
                    special &= u64::MAX << next;
                }
                _ => return None, // a control character
            }
        }
        if scanned < BLOCK {
            return None; // the input ended inside the string
        }
        block += BLOCK;
    }
}

/// Bytes `special_bytes` looks at in one step.
const BLOCK: usize = 64;

/// A mask of the quotes, backslashes and control characters among the `BLOCK` bytes
/// from `from` (bit i for byte `from + i`), whether any of them is above 0x7f, and how
/// many bytes were there to look at.
fn special_bytes(bytes: &[u8], from: usize) -> (u64, bool, usize) {
    let rest = bytes.get(from..).unwrap_or_default();
    match rest.first_chunk::<BLOCK>() {
        Some(block) => {
            let (special, high) = special_in_block(block);
            (special, high, BLOCK)
        }
        None => {
            let (special, high) = special_in_bytes(rest);
            (special, high, rest.len())
        }
    }
}

/// `special_in_block` a byte at a time, for up to `BLOCK` bytes: the end of the input,
/// and whole blocks on targets without SSE2.
fn special_in_bytes(bytes: &[u8]) -> (u64, bool) {
    let mut mask = 0;
    for (i, &byte) in bytes.iter().enumerate().take(BLOCK) {
        let special = byte == b'"' || byte == b'\\' || byte < 0x20;
        mask |= (special as u64) << i;
    }
    (mask, !bytes.is_ascii())
}

#[cfg(target_arch = "x86_64")]
fn special_in_block(block: &[u8; BLOCK]) -> (u64, bool) {
    use std::arch::x86_64::*;
    let mut mask = 0;
    let mut high = 0;
    for (i, chunk) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of every x86_64 target; `_mm_loadu_si128` reads 16 bytes
        // from any address, and `chunk` has 16.
        let bits = unsafe {
            let bytes = _mm_loadu_si128(chunk.as_ptr().cast());
            high |= _mm_movemask_epi8(bytes);
            let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\' as i8));
            // Unsigned `byte <= 0x1f`: the maximum of the byte and 0x1f is 0x1f.
            let limit = _mm_set1_epi8(0x1f);
            let control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, limit), limit);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control))
        };
        mask |= (bits as u16 as u64) << (16 * i);
    }
    (mask, high != 0)
}

#[cfg(not(target_arch = "x86_64"))]
fn special_in_block(block: &[u8; BLOCK]) -> (u64, bool) {
    special_in_bytes(block)
}

/// The length of the escape that `after` (the bytes after a backslash) starts with, as
/// serde_json checks escapes in values it skips: `\uXXXX` needs four hex digits, and
/// whether they make a valid character is left to whoever decodes the string.
fn escape_len(after: &[u8]) -> Option<usize> {
    match *after.first()? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(1),
        b'u' => after
            .get(1..5)?
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then_some(5),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Wherever the scanner reads a document, it reads what serde_json reads.
    fn agrees(input: &str) {
        let agree = super::super::scanner_agrees_with_serde_json(input.as_bytes());
        assert!(agree, "{input}");
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let docs = [
            r#"{}"#,
            r#" { "version" : 3 , "sources" : [ "a.js" , null ] , "names" : [ ] } "#,
            r#"{"version":3,"file":null,"sourceRoot":"r/","mappings":"AAAA;AACA","names":["x"]}"#,
            r#"{"sourcesContent":["line\n\t\"q\" \\ \/ \b\f\r \u00e9 \ud800","x"],"sources":["a"]}"#,
            r#"{"x_unknown":{"a":[1,-2.5e+3,true,false,null,{"b":[]}],"c":{}},"version":3}"#,
            r#"{"ignoreList":[0,1],"x_google_ignoreList":[2],"debugId":"abc","debug_id":"d"}"#,
            r#"{"sections":[{"offset":{"line":0,"column":0},"map":{"version":3}}],"version":3}"#,
            r#"{"version":3.0,"file":"caf\u00e9","names":["é","😀"]}"#,
            r#"{"version":-0,"names":[0,1e5,1E-5,-0.5]}"#,
            "{\"sourcesContent\":[\"a very long line that crosses several sixteen-byte chunks \\n with escapes \\\" in it and more text after them to scan\"]}",
        ];
        for doc in docs {
            assert!(document(doc.as_bytes()).is_some(), "{doc}");
            agrees(doc);
        }
    }

    #[test]
    fn leaves_to_serde_json_what_it_does_not_read() {
        let docs = [
            r#"{"version":3,"version":3}"#,
            r#"{"ver\u0073ion":3}"#,
            r#"{"sources":null}"#,
            r#"{"names":"x"}"#,
            "{\"file\":\"a\u{1}b\"}",
            r#"{"file":"a\xb"}"#,
            r#"{"file":"\u12"}"#,
            r#"{"version":03}"#,
            r#"{"version":1.}"#,
            r#"{"version":1e}"#,
            r#"{"version":-}"#,
            r#"{"version":tru}"#,
            r#"{"version":3,}"#,
            r#"{"version":3} x"#,
            r#"{"names":[1,]}"#,
            r#"{"x":{"a":1,}}"#,
            r#"{"x":[1 2]}"#,
            r#"{"file":"unterminated}"#,
            r#"{"file":"unterminated\"#,
            r#"["not an object"]"#,
            "",
        ];
        for doc in docs {
            assert!(document(doc.as_bytes()).is_none(), "{doc}");
        }
        let deep = format!("{{\"x\":{}{}}}", "[".repeat(150), "]".repeat(150));
        assert!(document(deep.as_bytes()).is_none());
        assert!(document(b"{\"file\":\"\xff\"}").is_none());
        assert!(document(b"{\"x\":1\xc3\xa9}").is_none());
        assert!(document("{\"é\":1}".as_bytes()).is_some());
        for at in [0, 15, 16, 63, 64, 65, 200] {
            let long = |middle: &[u8]| {
                let mut doc = br#"{"sourcesContent":[""#.to_vec();
                doc.extend(std::iter::repeat_n(b'a', at));
                doc.extend_from_slice(middle);
                doc.extend_from_slice(br#"x\n"]}"#);
                doc
            };
            assert!(document(&long(b"\xe2\x82")).is_none(), "{at}");
            assert!(document(&long(b"\xff")).is_none(), "{at}");
            let valid = long("€😀".as_bytes());
            assert!(document(&valid).is_some(), "{at}");
            agrees(std::str::from_utf8(&valid).unwrap());
        }
    }

    #[test]
    fn escapes_across_block_boundaries() {
        for escape in [
            r#"\n"#,
            r#"\\"#,
            r#"\""#,
            r#"\u00e9"#,
            r#"\ud83d\ude00"#,
            "\u{1}",
            r#"\x"#,
        ] {
            for at in 0..2 * BLOCK + 8 {
                let doc = format!(
                    r#"{{"sourcesContent":["{}{escape}{}"],"names":["{escape}"]}}"#,
                    "a".repeat(at),
                    "b".repeat(at % 7)
                );
                agrees(&doc);
                let valid = !matches!(escape, "\u{1}" | r#"\x"#);
                assert_eq!(document(doc.as_bytes()).is_some(), valid, "{doc}");
            }
        }
    }

    #[test]
    fn agrees_with_serde_json_on_every_cut_and_byte_change() {
        let doc = r#"{"version":3,"sources":["a.js","b\"c"],"sourcesContent":["x\ny",null],"names":["n"],"mappings":"AAAA,CAAC;AACA","x":{"y":[1,2.5e-1,true,null]}}"#;
        for end in 0..=doc.len() {
            if let Some(cut) = doc.get(..end) {
                agrees(cut);
            }
        }
        for at in 0..doc.len() {
            for byte in [b'"', b'\\', b',', b'}', b']', b'0', b'\n', 1u8, b'u'] {
                let mut changed = doc.as_bytes().to_vec();
                changed[at] = byte;
                if let Ok(changed) = String::from_utf8(changed) {
                    agrees(&changed);
                }
            }
        }
    }

    proptest! {
        /// The SIMD masks are the byte-at-a-time ones (which other targets use).
        #[test]
        fn block_masks_are_the_portable_masks(block in proptest::array::uniform32(any::<u8>()), other in proptest::array::uniform32(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x7fu8..=0x81, any::<u8>()])) {
            let mut bytes = [0u8; BLOCK];
            bytes[..32].copy_from_slice(&block);
            bytes[32..].copy_from_slice(&other);
            prop_assert_eq!(special_in_block(&bytes), special_in_bytes(&bytes));
        }

        /// Documents made of JSON's own pieces, in any order: most are invalid, some are
        /// maps; the scanner must never read one differently from serde_json.
        #[test]
        fn agrees_with_serde_json_on_pieces(picks in proptest::collection::vec(0usize..PIECES.len(), 0..40)) {
            let doc: String = picks.iter().map(|&i| PIECES[i]).collect();
            agrees(&doc);
            agrees(&format!("{{{doc}}}"));
            agrees(&format!(r#"{{"sources":["a"],"names":[{doc}]}}"#));
        }
    }

    const PIECES: [&str; 28] = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        " ",
        "\n",
        "\"",
        "\\",
        "\\n",
        "\\u00e9",
        "\\ud800",
        "\"version\"",
        "\"sources\"",
        "\"names\"",
        "\"mappings\"",
        "\"x\"",
        "3",
        "-0.5e+1",
        "01",
        "true",
        "null",
        "nul",
        "\u{1}",
        "é",
        "\"AAAA;CAAC\"",
        "\"a\\\"b\"",
    ];
}
