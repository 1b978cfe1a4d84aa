//! ProGuard / R8 mapping files: obfuscated Java class and method names back to the
//! original ones, as libsourcemap 0.8.2's `ProguardView` did, plus whole-frame retracing
//! with R8's inline ranges.
//!
//! Line parsing and retracing are Sentry's `proguard` crate. Building its mapper for a
//! whole file costs ~9 bytes of memory per byte of mapping (954 MB and 5 s for a 103 MB
//! file), so a view instead keeps the file's bytes and one sorted entry per class (its
//! obfuscated name and where its section of the file is), and parses only the section
//! of the class a query asks about.

use std::sync::OnceLock;

use proguard::{ProguardMapper, ProguardMapping, ProguardRecord, StackFrame};

use crate::bytes::SharedBytes;
use crate::error::{Error, ErrorKind, Result};

/// A mapping file and the index of its class sections.
pub struct ProguardView {
    /// Sorted by obfuscated name; for a name that appears twice, the first section.
    classes: Vec<ClassSection>,
    /// Indexes into `classes`, sorted by original name (the last section of a name
    /// first among equals, as the crate's table keeps the last): made when a frame
    /// first has code inlined from another class, whose `sourceFile` names its file.
    by_original: OnceLock<Vec<(Box<str>, usize)>>,
    has_line_info: bool,
    bytes: SharedBytes,
}

/// One class's lines: from its `original -> obfuscated:` line to the next class line.
struct ClassSection {
    obfuscated: Box<str>,
    start: usize,
    end: usize,
}

/// One original frame of a retraced obfuscated frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub class: String,
    pub method: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

impl ProguardView {
    /// Indexes a mapping file in one pass over its lines. Lines that do not parse are
    /// skipped (as retrace does; member lines before the first class belong to no
    /// class); a non-empty input with no class followed by a member among its first
    /// lines is not a mapping file at all (`LSM_ERR_INVALID_PROGUARD`).
    pub fn new(bytes: SharedBytes) -> Result<ProguardView> {
        let data = bytes.as_slice();
        if !data.iter().all(u8::is_ascii_whitespace) && !ProguardMapping::new(data).is_valid() {
            return Err(Error::new(
                ErrorKind::InvalidProguardMapping,
                "not a ProGuard/R8 mapping file (no class line followed by a member line)",
            ));
        }
        let mut classes: Vec<ClassSection> = Vec::new();
        let mut has_line_info = false;
        let mut offset = 0;
        for line in lines(data) {
            let text = trim_line_end(line);
            match text.first() {
                // Member lines are indented; `1:5:void run():10:14 -> a` has line info.
                Some(b' ' | b'\t') => has_line_info |= has_line_range(text),
                Some(b'#') | None => {}
                Some(_) => {
                    if let Ok(ProguardRecord::Class { obfuscated, .. }) =
                        ProguardRecord::try_parse(text)
                    {
                        if let Some(last) = classes.last_mut() {
                            last.end = offset;
                        }
                        classes.push(ClassSection {
                            obfuscated: obfuscated.into(),
                            start: offset,
                            end: data.len(),
                        });
                    }
                }
            }
            offset += line.len();
        }
        // Stable: among equal names the first section stays first, and dedup keeps it.
        classes.sort_by(|a, b| a.obfuscated.cmp(&b.obfuscated));
        classes.dedup_by(|later, first| later.obfuscated == first.obfuscated);
        Ok(ProguardView {
            classes,
            by_original: OnceLock::new(),
            has_line_info,
            bytes,
        })
    }

    pub fn has_line_info(&self) -> bool {
        self.has_line_info
    }

    /// The lines of the obfuscated class `class`, if the mapping has it.
    fn section(&self, class: &str) -> Option<&[u8]> {
        let found = self
            .classes
            .binary_search_by(|entry| (*entry.obfuscated).cmp(class))
            .ok()?;
        let entry = &self.classes[found];
        Some(&self.bytes.as_slice()[entry.start..entry.end])
    }

    /// 0.8.2's `convert_dotted_path`: `class` or `class:method` (obfuscated) to the
    /// original `class` or `class:method`. With a line, the innermost original method at
    /// that line (0.8.2 could not read inline ranges and left such methods obfuscated);
    /// with `line` 0 (unknown), the first method of that obfuscated name in file order, as
    /// 0.8.2 did. An unknown class gives the input back; a known class with an unknown
    /// method, the original class with the method as given.
    pub fn convert_dotted_path(&self, path: &str, line: u32) -> String {
        let (class, method) = match path.split_once(':') {
            Some((class, method)) => (class, Some(method)),
            None => (path, None),
        };
        let Some(section) = self.section(class) else {
            return path.to_string();
        };
        let mut records = ProguardMapping::new(section).iter().flatten();
        let Some(ProguardRecord::Class { original, .. }) = records.next() else {
            return path.to_string();
        };
        let Some(method) = method else {
            return original.to_string();
        };
        let original_method = if line == 0 {
            records.find_map(|record| match record {
                ProguardRecord::Method {
                    original,
                    obfuscated,
                    ..
                } if obfuscated == method => Some(original.to_string()),
                _ => None,
            })
        } else {
            let frames = self.remap(section, class, method, Position::Line(line));
            frames.into_iter().next().map(|frame| frame.method)
        };
        format!(
            "{}:{}",
            original,
            original_method.as_deref().unwrap_or(method)
        )
    }

    /// Every original frame behind an obfuscated one, innermost first: R8 inlining turns
    /// one frame into several. `line` 0 means unknown. Empty when the class or method is
    /// not in the mapping.
    pub fn remap_frame(&self, class: &str, method: &str, line: u32) -> Vec<Frame> {
        match self.section(class) {
            Some(section) => self.remap(section, class, method, Position::Line(line)),
            None => Vec::new(),
        }
    }

    /// `remap_frame` for a frame known by its parameter types (a Java signature's
    /// argument list, e.g. `java.lang.String,int`) instead of a line.
    pub fn remap_frame_with_parameters(
        &self,
        class: &str,
        method: &str,
        parameters: &str,
    ) -> Vec<Frame> {
        match self.section(class) {
            Some(section) => self.remap(section, class, method, Position::Parameters(parameters)),
            None => Vec::new(),
        }
    }

    /// The original name of obfuscated class `class`, if the mapping has it.
    pub fn remap_class(&self, class: &str) -> Option<String> {
        let section = self.section(class)?;
        match ProguardMapping::new(section).iter().flatten().next()? {
            ProguardRecord::Class { original, .. } => Some(original.to_string()),
            _ => None,
        }
    }

    /// The original class and method of `class.method`, where every mapping of that
    /// obfuscated method name leads to the same original method (no line to tell them
    /// apart otherwise).
    pub fn remap_method(&self, class: &str, method: &str) -> Option<(String, String)> {
        let lines = method_lines(self.section(class)?, method);
        let mapper = ProguardMapper::new(ProguardMapping::new(&lines));
        let (class, method) = mapper.remap_method(class, method)?;
        Some((class.to_string(), method.to_string()))
    }
}

/// What tells a frame's method from others of its obfuscated name.
enum Position<'p> {
    /// The frame's line, 0 if unknown.
    Line(u32),
    Parameters(&'p str),
}

impl ProguardView {
    /// Retraces a frame from the lines of its method (`method_lines`), headed by the
    /// class line and headers of each other class whose code the method's lines say was
    /// inlined into it: the crate names such a frame's file by that class's `sourceFile`.
    fn remap(&self, section: &[u8], class: &str, method: &str, at: Position) -> Vec<Frame> {
        let own = method_lines(section, method);
        let mut lines = Vec::new();
        let mut added: Vec<&str> = Vec::new();
        for record in ProguardMapping::new(&own).iter().flatten() {
            if let ProguardRecord::Method {
                original_class: Some(other),
                ..
            } = record
            {
                if !added.contains(&other) {
                    added.push(other);
                    if let Some(head) = self.original_section(other).map(class_head) {
                        lines.extend_from_slice(head);
                        if !lines.ends_with(b"\n") {
                            lines.push(b'\n');
                        }
                    }
                }
            }
        }
        let lines = match lines.is_empty() {
            true => own,
            false => [lines, own].concat(),
        };
        let mapping = ProguardMapping::new(&lines);
        let (mapper, frame) = match at {
            Position::Line(line) => (
                ProguardMapper::new(mapping),
                StackFrame::new(class, method, line as usize),
            ),
            Position::Parameters(parameters) => (
                ProguardMapper::new_with_param_mapping(mapping, true),
                StackFrame::with_parameters(class, method, parameters),
            ),
        };
        mapper
            .remap_frame(&frame)
            .map(|found| Frame {
                class: found.class().to_string(),
                method: found.method().to_string(),
                file: found.file().map(str::to_string),
                line: found
                    .line()
                    .filter(|&l| l > 0)
                    .and_then(|l| u32::try_from(l).ok()),
            })
            .collect()
    }

    /// The section of the class originally named `original` (of several, the last).
    fn original_section(&self, original: &str) -> Option<&[u8]> {
        let index = self.by_original.get_or_init(|| {
            let data = self.bytes.as_slice();
            let mut index: Vec<(Box<str>, usize)> = (0..self.classes.len())
                .filter_map(|i| {
                    let line = lines(&data[self.classes[i].start..]).next()?;
                    match ProguardRecord::try_parse(trim_line_end(line)) {
                        Ok(ProguardRecord::Class { original, .. }) => Some((original.into(), i)),
                        _ => None,
                    }
                })
                .collect();
            // By name, the last section (in the file) first.
            index.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(self.classes[b.1].start.cmp(&self.classes[a.1].start))
            });
            index
        });
        let at = index.partition_point(|(name, _)| &**name < original);
        let (name, i) = index.get(at)?;
        (&**name == original).then(|| {
            let entry = &self.classes[*i];
            &self.bytes.as_slice()[entry.start..entry.end]
        })
    }
}

/// A class section's class line and the header lines that follow it (`sourceFile`...).
fn class_head(section: &[u8]) -> &[u8] {
    let mut end = 0;
    for (index, line) in lines(section).enumerate() {
        let text = trim_line_end(line).trim_ascii_start();
        if index > 0 && !text.is_empty() && !text.starts_with(b"#") {
            break;
        }
        end += line.len();
    }
    &section[..end]
}

/// The lines of a class section that retracing `method` reads: the class line and its
/// headers, and each member line whose obfuscated name is `method` with the headers that
/// follow it. The crate's mapper only ever looks at members of the frame's obfuscated
/// name, and building it for a 2,000-member class costs ~1 ms; for these lines, µs.
fn method_lines(section: &[u8], method: &str) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut keep_headers = true; // the class line's own headers
    for (index, line) in lines(section).enumerate() {
        let text = trim_line_end(line);
        let keep = match text.trim_ascii_start().first() {
            _ if index == 0 => true,
            Some(b'#') => keep_headers,
            None => false,
            Some(_) => {
                keep_headers = renames_to(text, method.as_bytes());
                keep_headers
            }
        };
        if keep {
            kept.extend_from_slice(text);
            kept.push(b'\n');
        }
    }
    kept
}

/// Whether a member line ends in ` -> <name>`: a constant-time check, where finding the
/// arrow first would scan the line.
fn renames_to(line: &[u8], name: &[u8]) -> bool {
    line.trim_ascii_end()
        .strip_suffix(name)
        .is_some_and(|rest| rest.ends_with(b" -> "))
}

/// The lines of `data`, each with its `\n` (memchr: `split_inclusive` with a closure
/// tests byte by byte, and these scans are most of a query's time).
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= data.len() {
            return None;
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i + 1);
        let line = &data[start..end];
        start = end;
        Some(line)
    })
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether an indented member line starts with a `start:end:` line range.
fn has_line_range(line: &[u8]) -> bool {
    let rest = line.trim_ascii_start();
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest.get(digits) == Some(&b':')
}

/// Checks the per-method retracing against the crate's mapper for the whole file (class,
/// method, line and file of every frame): every (class, method) of `text` with no line,
/// and at the first, middle and last line of each range and the lines just outside it.
/// Returns
/// how many frames were compared, or the first that differs. For tests and
/// `examples/proguard_check.rs` (real mappings too big to commit).
pub fn check_against_whole_file(text: &str) -> std::result::Result<usize, String> {
    let view = ProguardView::new(std::sync::Arc::new(crate::bytes::Bytes::Owned(
        text.as_bytes().to_vec(),
    )))
    .map_err(|e| e.message)?;
    let whole = ProguardMapper::new(ProguardMapping::new(text.as_bytes()));
    let mut checked = 0;
    let mut class = "";
    for record in ProguardMapping::new(text.as_bytes()).iter().flatten() {
        match record {
            ProguardRecord::Class { obfuscated, .. } => class = obfuscated,
            ProguardRecord::Method {
                obfuscated,
                line_mapping,
                ..
            } => {
                let (start, end) = line_mapping
                    .and_then(|m| Some((m.startline?, m.endline?)))
                    .unwrap_or((0, 0));
                let middle = start + (end.saturating_sub(start)) / 2;
                for line in [0, start.saturating_sub(1), start, middle, end, end + 1] {
                    let frame = StackFrame::new(class, obfuscated, line);
                    let expected: Vec<_> = whole
                        .remap_frame(&frame)
                        .map(|f| {
                            let line = f.line().filter(|&l| l > 0).map(|l| l as u32);
                            let file = f.file().map(str::to_string);
                            (f.class().to_string(), f.method().to_string(), line, file)
                        })
                        .collect();
                    let got: Vec<_> = view
                        .remap_frame(class, obfuscated, line as u32)
                        .into_iter()
                        .map(|f| (f.class, f.method, f.line, f.file))
                        .collect();
                    if got != expected {
                        return Err(format!(
                            "{class}.{obfuscated}:{line}: {got:?} != {expected:?}"
                        ));
                    }
                    checked += 1;
                }
            }
            _ => {}
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::Bytes;
    use std::sync::Arc;

    const MAPPING: &str = "\
com.example.Main -> a.a:
# {\"fileName\":\"Main.java\",\"id\":\"sourceFile\"}
    java.lang.String name -> a
    9:19:void main(java.lang.String[]) -> main
    1022:1027:long importBatch(java.lang.String):22:27 -> main
    1022:1027:void main(java.lang.String[]):14 -> main
    void helper() -> b
";

    fn view(text: &str) -> Result<ProguardView> {
        ProguardView::new(Arc::new(Bytes::Owned(text.as_bytes().to_vec())))
    }

    #[test]
    fn dotted_paths() {
        let view = view(MAPPING).unwrap();
        assert!(view.has_line_info());
        assert_eq!(view.convert_dotted_path("a.a", 0), "com.example.Main");
        assert_eq!(
            view.convert_dotted_path("a.a:b", 0),
            "com.example.Main:helper"
        );
        assert_eq!(
            view.convert_dotted_path("a.a:main", 1025),
            "com.example.Main:importBatch"
        );
        assert_eq!(
            view.convert_dotted_path("a.a:main", 12),
            "com.example.Main:main"
        );
        assert_eq!(view.convert_dotted_path("a.a:zz", 3), "com.example.Main:zz");
        assert_eq!(view.convert_dotted_path("x.y:main", 3), "x.y:main");
    }

    #[test]
    fn inlined_frames_expand() {
        let view = view(MAPPING).unwrap();
        let frames = view.remap_frame("a.a", "main", 1025);
        let summary: Vec<_> = frames
            .iter()
            .map(|f| (f.method.as_str(), f.line, f.file.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                ("importBatch", Some(25), Some("Main.java")),
                ("main", Some(14), Some("Main.java"))
            ]
        );
        assert!(view.remap_frame("q", "main", 1).is_empty());
    }

    /// Code inlined from another class is in that class's file, as its `sourceFile`
    /// (elsewhere in the mapping) says: `Util.kt`, not a `Util.java` made up of its name.
    #[test]
    fn inlined_code_of_another_class_is_in_its_file() {
        let text = "\
com.example.Main -> a.a:
# {\"fileName\":\"Main.java\",\"id\":\"sourceFile\"}
    3:3:void com.example.Util.twice():7:7 -> b
    3:3:void run():12 -> b
com.example.Util -> a.c:
# {\"fileName\":\"Util.kt\",\"id\":\"sourceFile\"}
    1:1:void twice():7:7 -> a
";
        let frames = view(text).unwrap().remap_frame("a.a", "b", 3);
        let files: Vec<_> = frames.iter().map(|f| f.file.as_deref()).collect();
        assert_eq!(files, [Some("Util.kt"), Some("Main.java")]);
        assert!(check_against_whole_file(text).unwrap() > 0);
    }

    /// Retracing from the lines of one method gives what the crate gives for the whole
    /// file, for every member of the real ProGuard fixture.
    #[test]
    fn method_lines_retrace_like_the_whole_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/proguard/mapping.txt"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let checked = check_against_whole_file(&text).unwrap();
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            view("\u{0}\u{1}binary").err().map(|e| e.kind),
            Some(ErrorKind::InvalidProguardMapping)
        );
        assert!(view("").is_ok() && view("\n  \n").is_ok());
        // A damaged first class line loses that class only.
        let damaged = MAPPING.replacen("->", "?>", 1) + "x.Y -> b.b:\n    void run() -> a\n";
        let view_damaged = view(&damaged).unwrap();
        assert_eq!(view_damaged.convert_dotted_path("b.b:a", 0), "x.Y:run");
        // Broken lines after a valid start are skipped, not fatal.
        let truncated = format!("{MAPPING}com.example.Other -> a.b:\n    1:2:void brok");
        let view = view(&truncated).unwrap();
        assert_eq!(view.convert_dotted_path("a.b", 0), "com.example.Other");
    }
}
