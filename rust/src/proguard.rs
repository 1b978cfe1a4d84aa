//! ProGuard / R8 mapping files: obfuscated Java class and method names back to the
//! original ones, as libsourcemap 0.8.2's `ProguardView` did, plus whole-frame retracing
//! with R8's inline ranges.
//!
//! Parsing and retracing are Sentry's `proguard` crate; this module owns the input bytes
//! the crate borrows from, and gives the two queries the C ABI needs.

use std::collections::HashMap;

use proguard::{ProguardMapper, ProguardMapping, ProguardRecord, StackFrame};

use crate::bytes::SharedBytes;
use crate::error::{Error, ErrorKind, Result};

/// A parsed mapping. The mapper borrows from `bytes`, which the view keeps alive: the
/// `'static` below is a promise kept by field order (the mapper is dropped first) and by
/// never handing out references that outlive `&self`.
pub struct ProguardView {
    mapper: ProguardMapper<'static>,
    /// Obfuscated class -> obfuscated method -> the original name of the first method in
    /// file order with that obfuscated name: 0.8.2's answer when no line is given.
    first_methods: HashMap<&'static str, HashMap<&'static str, &'static str>>,
    has_line_info: bool,
    _bytes: SharedBytes,
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
    /// Parses a mapping file. Lines that do not parse are skipped (as retrace does); a
    /// non-empty input with no class followed by a member among its first lines is not
    /// a mapping file at all (`LSM_ERR_INVALID_PROGUARD`).
    pub fn new(bytes: SharedBytes) -> Result<ProguardView> {
        // SAFETY: the slice lives as long as `bytes` (owned, mapped, or the caller's
        // buffer kept alive by contract), which this view holds until after the mapper.
        let data: &'static [u8] = unsafe { std::mem::transmute(bytes.as_slice()) };
        let mapping = ProguardMapping::new(from_first_class(data));
        if !data.iter().all(u8::is_ascii_whitespace) && !mapping.is_valid() {
            return Err(Error::new(
                ErrorKind::InvalidProguardMapping,
                "not a ProGuard/R8 mapping file (no class line followed by a member line)",
            ));
        }
        let mut first_methods: HashMap<&str, HashMap<&str, &str>> = HashMap::new();
        let mut has_line_info = false;
        let mut class = None;
        for record in mapping.iter().flatten() {
            match record {
                ProguardRecord::Class { obfuscated, .. } => class = Some(obfuscated),
                ProguardRecord::Method {
                    original,
                    obfuscated,
                    line_mapping,
                    ..
                } => {
                    has_line_info |= line_mapping.is_some();
                    if let Some(class) = class {
                        let methods = first_methods.entry(class).or_default();
                        methods.entry(obfuscated).or_insert(original);
                    }
                }
                _ => {}
            }
        }
        Ok(ProguardView {
            mapper: ProguardMapper::new(mapping),
            first_methods,
            has_line_info,
            _bytes: bytes,
        })
    }

    pub fn has_line_info(&self) -> bool {
        self.has_line_info
    }

    /// The mapper with its lifetime shortened to `&self` (it is covariant), so nothing
    /// borrowed from it can outlive the view.
    fn mapper(&self) -> &ProguardMapper<'_> {
        &self.mapper
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
        let Some(original_class) = self.mapper().remap_class(class) else {
            return path.to_string();
        };
        let Some(method) = method else {
            return original_class.to_string();
        };
        let original_method = if line == 0 {
            self.first_methods
                .get(class)
                .and_then(|methods| methods.get(method))
                .map(|name| name.to_string())
        } else {
            let frames = self.remap(class, method, line);
            frames.into_iter().next().map(|frame| frame.method)
        };
        format!(
            "{}:{}",
            original_class,
            original_method.as_deref().unwrap_or(method)
        )
    }

    /// Every original frame behind an obfuscated one, innermost first: R8 inlining turns
    /// one frame into several. `line` 0 means unknown. Empty when the class or method is
    /// not in the mapping.
    pub fn remap_frame(&self, class: &str, method: &str, line: u32) -> Vec<Frame> {
        self.remap(class, method, line)
    }

    fn remap(&self, class: &str, method: &str, line: u32) -> Vec<Frame> {
        let mapper = self.mapper();
        let frame = StackFrame::new(class, method, line as usize);
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
}

/// `data` from its first class line on. Member lines before any class belong to no class,
/// and the crate's mapper gives up on the whole file when it meets one (it returns an
/// empty mapping), so a damaged first class line would lose every class after it.
fn from_first_class(data: &[u8]) -> &[u8] {
    let mut start = 0;
    for line in data.split_inclusive(|&b| b == b'\n') {
        let text = line.strip_suffix(b"\n").unwrap_or(line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if let Ok(ProguardRecord::Class { .. }) = ProguardRecord::try_parse(text) {
            return &data[start..];
        }
        start += line.len();
    }
    data
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
