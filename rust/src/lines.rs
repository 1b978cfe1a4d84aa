//! Lines and columns of a JavaScript text, as source maps and stack traces count them.
//!
//! Source maps (ECMA-426) and JS engines count columns in UTF-16 code units and split lines
//! at ECMAScript line terminators (LF, CR, CRLF, U+2028, U+2029); parsers give UTF-8 byte
//! offsets. This converts between the two. Lines of pure ASCII, nearly all lines of
//! minified code, convert in O(1); others from the nearest of the marks kept every
//! `MARK_EVERY` bytes, so a megabyte-long non-ASCII line costs no more than a short one.

/// Bytes between marks on non-ASCII lines.
const MARK_EVERY: usize = 1024;

/// Calls `found(end, next)` for every line terminator of `text`, in order: the line ends
/// at byte `end`, the next one starts at byte `next`.
///
/// Searched with memchr for the bytes that can begin a terminator (LF, CR, and 0xE2, the
/// first byte of U+2028/U+2029): a scan at memory speed rather than a byte-by-byte loop,
/// since sources run to megabytes and most lines are long.
pub fn for_each_line_end(text: &[u8], mut found: impl FnMut(usize, usize)) {
    let mut skip_to = 0;
    for at in memchr::memchr3_iter(b'\n', b'\r', 0xE2, text) {
        if at < skip_to {
            continue; // the LF of a CRLF
        }
        let next = match text[at] {
            b'\r' if text.get(at + 1) == Some(&b'\n') => at + 2,
            b'\n' | b'\r' => at + 1,
            _ if text.get(at + 1) == Some(&0x80)
                && matches!(text.get(at + 2), Some(0xA8 | 0xA9)) =>
            {
                at + 3
            }
            _ => continue, // another character starting with 0xE2
        };
        found(at, next);
        skip_to = next;
    }
}

/// The byte offset where each line of `text` starts (the first is 0).
pub fn line_starts(text: &[u8]) -> Vec<u32> {
    let mut starts = vec![0u32];
    for_each_line_end(text, |_, next| starts.push(next as u32));
    starts
}

/// Line `line` of `text` without its terminator, given the text's `line_starts`; `None`
/// past the last line.
pub fn line_at(text: &[u8], starts: impl Fn(usize) -> Option<u32>, line: u32) -> Option<&[u8]> {
    let start = starts(line as usize)? as usize;
    let end = starts(line as usize + 1).map_or(text.len(), |next| next as usize);
    let mut line = text.get(start..end)?;
    for terminator in [
        &b"\r\n"[..],
        b"\n",
        b"\r",
        "\u{2028}".as_bytes(),
        "\u{2029}".as_bytes(),
    ] {
        if let Some(stripped) = line.strip_suffix(terminator) {
            line = stripped;
            break;
        }
    }
    Some(line)
}

/// `bytes` as text: borrowed when valid UTF-8 (checked at SIMD speed), else with invalid
/// sequences replaced.
pub fn utf8_lossy(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Whether each line (with its terminator: one ended by U+2028/U+2029 is not ASCII) is
/// pure ASCII. Found from the text's non-ASCII bytes, looked for a block at a time (at
/// SIMD speed; most sources have few or none), not by checking every line: a source of
/// 200,000 short lines took 7 ms line by line.
fn ascii_lines(bytes: &[u8], starts: &[u32]) -> Vec<bool> {
    const BLOCK: usize = 256;
    let mut ascii = vec![true; starts.len()];
    let mut line = 0;
    for (block_index, block) in bytes.chunks(BLOCK).enumerate() {
        if block.is_ascii() {
            continue;
        }
        for (i, &byte) in block.iter().enumerate() {
            if byte < 0x80 {
                continue;
            }
            let at = (block_index * BLOCK + i) as u32;
            while starts.get(line + 1).is_some_and(|&next| next <= at) {
                line += 1;
            }
            ascii[line] = false;
        }
    }
    ascii
}

/// The line starts of one text; the methods take that text again (so the starts can be
/// kept next to the text they describe).
pub struct LineStarts {
    /// Byte offset where each line starts.
    starts: Vec<u32>,
    /// Whether each line is pure ASCII (column == byte offset within the line).
    ascii: Vec<bool>,
    /// (byte offset, UTF-16 column) at the start of each non-ASCII line and then about
    /// every `MARK_EVERY` bytes, at character boundaries.
    marks: Vec<(u32, u32)>,
    /// Index of each line's first mark in `marks` (one entry per line, plus the end).
    line_marks: Vec<u32>,
}

impl LineStarts {
    /// The line starts of `text`; callers keep texts under 4 GiB (offsets are u32, as in
    /// the parser).
    pub fn new(text: &str) -> LineStarts {
        let bytes = text.as_bytes();
        let starts = line_starts(bytes);
        let ascii = ascii_lines(bytes, &starts);
        let mut lines = LineStarts {
            starts,
            ascii,
            marks: Vec::new(),
            line_marks: Vec::new(),
        };
        lines.mark(text);
        lines
    }

    fn mark(&mut self, text: &str) {
        self.line_marks.reserve(self.starts.len() + 1);
        for line in 0..self.starts.len() {
            self.line_marks.push(self.marks.len() as u32);
            if self.ascii[line] {
                continue;
            }
            let start = self.starts[line] as usize;
            let line_text = self.line(text, line as u32).unwrap_or("");
            let (mut col, mut last) = (0u32, 0usize);
            self.marks.push((start as u32, 0));
            for (i, c) in line_text.char_indices() {
                if i - last >= MARK_EVERY {
                    self.marks.push(((start + i) as u32, col));
                    last = i;
                }
                col += c.len_utf16() as u32;
            }
        }
        self.line_marks.push(self.marks.len() as u32);
    }

    /// The marks of a non-ASCII line (the first is at the line's start).
    fn marks_of(&self, line: usize) -> &[(u32, u32)] {
        &self.marks[self.line_marks[line] as usize..self.line_marks[line + 1] as usize]
    }

    /// The byte offset where line `line` starts; `None` past the last line.
    pub fn start(&self, line: usize) -> Option<u32> {
        self.starts.get(line).copied()
    }

    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }

    /// The text of line `line` without its terminator.
    pub fn line<'t>(&self, text: &'t str, line: u32) -> Option<&'t str> {
        let start = *self.starts.get(line as usize)? as usize;
        let end = self
            .starts
            .get(line as usize + 1)
            .map_or(text.len(), |&next| next as usize);
        let text = text.get(start..end)?;
        Some(text.trim_end_matches(['\n', '\r', '\u{2028}', '\u{2029}']))
    }

    /// (line, UTF-16 column) of a byte offset; an offset inside a character counts as
    /// that character's start.
    pub fn position(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line] as usize;
        let offset = (offset as usize).min(text.len());
        if self.ascii[line] || offset <= start {
            return (line as u32, offset.saturating_sub(start) as u32);
        }
        let marks = self.marks_of(line);
        let (from, col) = marks[marks.partition_point(|&(b, _)| b as usize <= offset) - 1];
        let rest: u32 = text[from as usize..]
            .char_indices()
            .take_while(|&(i, _)| from as usize + i < offset)
            .map(|(_, c)| c.len_utf16() as u32)
            .sum();
        (line as u32, col + rest)
    }

    /// The byte offset of (line, UTF-16 column), clamped to the end of the line; `None`
    /// for a line past the end.
    pub fn offset(&self, text: &str, line: u32, col: u32) -> Option<u32> {
        let text = self.line(text, line)?;
        let start = self.starts[line as usize];
        if self.ascii[line as usize] {
            return Some(start + col.min(text.len() as u32));
        }
        let marks = self.marks_of(line as usize);
        let (from, mut units) = marks[marks.partition_point(|&(_, c)| c <= col) - 1];
        let skip = (from - start) as usize;
        for (i, c) in text[skip..].char_indices() {
            if units >= col {
                return Some(from + i as u32);
            }
            units += c.len_utf16() as u32;
        }
        Some(start + text.len() as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_and_lines_agree_with_line_starts_kept() {
        for text in [
            "",
            "a",
            "a\n",
            "a\r\n\r\nb",
            "\u{2028}\u{2029}x\r",
            "\u{e2}\u{2027}\n",
        ] {
            let lines = LineStarts::new(text);
            let starts = line_starts(text.as_bytes());
            assert_eq!(starts, lines.starts, "{text:?}");
            for line in 0..=lines.line_count() {
                let at = |i: usize| starts.get(i).copied();
                let expected = lines.line(text, line).map(str::as_bytes);
                assert_eq!(
                    line_at(text.as_bytes(), at, line),
                    expected,
                    "{text:?} {line}"
                );
            }
        }
    }

    #[test]
    fn ascii_lines_are_the_lines_without_a_non_ascii_byte() {
        for text in [
            "",
            "ab\ncd",
            "a\u{e9}\nb\n\u{2028}c\u{2029}\r\n\u{1F600}",
            "\u{e2}\u{2027}\n",
            &"x".repeat(300)
                .replace('x', "x\n")
                .replace("x\nx\nx", "\u{e9}"),
        ] {
            let starts = line_starts(text.as_bytes());
            let expected: Vec<bool> = (0..starts.len())
                .map(|line| {
                    let end = starts.get(line + 1).map_or(text.len(), |&e| e as usize);
                    text.as_bytes()[starts[line] as usize..end].is_ascii()
                })
                .collect();
            assert_eq!(ascii_lines(text.as_bytes(), &starts), expected, "{text:?}");
        }
    }

    #[test]
    fn every_line_terminator_starts_a_line() {
        let lines = LineStarts::new("a\nb\r\nc\rd\u{2028}e\u{2029}f");
        assert_eq!(lines.line_count(), 6);
        let text = "a\nb\r\nc\rd\u{2028}e\u{2029}f";
        let found: Vec<_> = (0..6).map(|l| lines.line(text, l).unwrap()).collect();
        assert_eq!(found, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(lines.line(text, 6), None);
    }

    #[test]
    fn long_non_ascii_lines_convert_through_marks() {
        // Every conversion on a 90 kB line agrees with counting from the line's start.
        let text: String = (0..40_000)
            .map(|i| ["ab", "\u{e9}", "\u{1f600}", "x\n"][i % 4])
            .collect::<String>()
            .replace('\n', "");
        let text = format!("first\n{text}\nlast \u{2028}");
        let lines = LineStarts::new(&text);
        let line = lines.line(&text, 1).unwrap();
        let start = text.find(line).unwrap();
        let mut col = 0u32;
        for (i, _) in line.char_indices().step_by(97) {
            col = line[..i].encode_utf16().count() as u32;
            assert_eq!(lines.position(&text, (start + i) as u32), (1, col));
            assert_eq!(lines.offset(&text, 1, col), Some((start + i) as u32));
        }
        assert!(col > 50_000);
        assert!(lines.marks.len() > 80);
    }

    #[test]
    fn columns_count_utf16_units() {
        let text = "x = '\u{e9}\u{1f600}'; y\nz";
        let lines = LineStarts::new(text);
        let y = text.find('y').unwrap() as u32;
        // é is one UTF-16 unit, the emoji two.
        assert_eq!(lines.position(text, y), (0, 11));
        assert_eq!(lines.offset(text, 0, 11), Some(y));
        assert_eq!(lines.position(text, text.len() as u32 - 1), (1, 0));
        assert_eq!(lines.offset(text, 1, 5), Some(text.len() as u32));
    }
}
