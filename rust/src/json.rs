//! Reading source map JSON (ECMA-426) into an `Assembly` of tables, without copying the
//! large parts: `mappings` and `sourcesContent` stay where they are in the input and are
//! referenced by byte range; only sources and names are copied into small string tables.
//!
//! Every top-level field is first captured as a raw JSON slice, then checked on its own,
//! so that an error can name the field, and so that lenient mode can skip a bad field
//! instead of failing the whole document.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

mod scan;

use crate::error::{bad_json, invalid_map, Error, ErrorKind, Result};
use crate::facebook::FunctionMapsBuilder;
use crate::range_mappings;
use crate::rules::Rules;
use crate::scopes;
use crate::tables::StringTableBuilder;

/// The raw JSON text of one value, checked to be valid JSON (by `scan` or serde_json).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    pub fn get(self) -> &'a str {
        self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Raw<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de RawValue>::deserialize(deserializer).map(|raw| Raw(raw.get()))
    }
}

/// The top-level fields libsourcemap reads; unknown fields are ignored.
#[derive(Deserialize, Default, Debug, PartialEq)]
pub struct Document<'a> {
    #[serde(borrow, default)]
    pub version: Option<Raw<'a>>,
    #[serde(borrow, default)]
    pub file: Option<Raw<'a>>,
    #[serde(borrow, default, rename = "sourceRoot")]
    pub source_root: Option<Raw<'a>>,
    #[serde(borrow, default)]
    pub sources: RawList<'a>,
    #[serde(borrow, default, rename = "sourcesContent")]
    pub sources_content: RawList<'a>,
    #[serde(borrow, default)]
    pub names: RawList<'a>,
    #[serde(borrow, default)]
    pub mappings: Option<Raw<'a>>,
    #[serde(borrow, default)]
    pub sections: Option<Raw<'a>>,
    #[serde(borrow, default, rename = "ignoreList")]
    pub ignore_list: RawList<'a>,
    /// The older Chrome DevTools spelling, read when `ignoreList` is absent.
    #[serde(borrow, default, rename = "x_google_ignoreList")]
    pub x_google_ignore_list: RawList<'a>,
    #[serde(borrow, default, rename = "debugId")]
    pub debug_id: Option<Raw<'a>>,
    /// The spelling some tools write, read when `debugId` is absent.
    #[serde(borrow, default, rename = "debug_id")]
    pub debug_id_snake: Option<Raw<'a>>,
    /// React Native's function maps, one per source (see `facebook`).
    #[serde(borrow, default)]
    pub x_facebook_sources: Option<Raw<'a>>,
    /// Hermes: where each bytecode function starts (kept as written).
    #[serde(borrow, default)]
    pub x_hermes_function_offsets: Option<Raw<'a>>,
    /// The scopes proposal's field (`scopes`): kept as text, decoded when asked (and at
    /// once in strict mode, which refuses a bad one).
    #[serde(borrow, default)]
    pub scopes: Option<Raw<'a>>,
    /// The range mappings proposal's field (see `range_mappings`); under
    /// `Rules::rust_sourcemap` only checked, as rust-sourcemap checks it.
    #[serde(borrow, default, rename = "rangeMappings")]
    pub range_mappings: Option<Raw<'a>>,
    /// Metro's fields of a RAM bundle's index map: only their types are checked, for
    /// `Rules::rust_sourcemap`.
    #[serde(borrow, default)]
    pub x_facebook_offsets: Option<Raw<'a>>,
    #[serde(borrow, default)]
    pub x_metro_module_paths: Option<Raw<'a>>,
}

/// Strips a leading XSSI guard line (`)]}'` ...) as ECMA-426 allows.
pub fn strip_xssi_prefix(input: &[u8]) -> &[u8] {
    if input.starts_with(b")]}'") {
        match memchr::memchr(b'\n', input) {
            Some(newline) => &input[newline + 1..],
            None => &[],
        }
    } else {
        input
    }
}

/// Strips a junk prefix as rust-sourcemap does (`Rules::rust_sourcemap`): from a first
/// byte of `)]}'` to the first line feed, whatever comes between; a carriage return not
/// followed by a line feed is an error.
pub fn strip_junk_prefix(input: &[u8]) -> Result<&[u8]> {
    let junk = |byte: u8| matches!(byte, b')' | b']' | b'}' | b'\'');
    if input.first().is_none_or(|&byte| !junk(byte)) {
        return Ok(input);
    }
    let mut need_newline = false;
    for (at, &byte) in input.iter().enumerate() {
        if need_newline && byte != b'\n' {
            return Err(bad_json(
                "expected a line feed after the junk prefix's carriage return",
            ));
        } else if byte == b'\r' {
            need_newline = true;
        } else if byte == b'\n' {
            return Ok(&input[at..]);
        }
    }
    Ok(&[])
}

pub fn parse_document(input: &[u8]) -> Result<Document<'_>> {
    let trimmed = input.trim_ascii_start();
    if !trimmed.starts_with(b"{") {
        if memchr::memmem::find(input, b"sourceMappingURL=").is_some() {
            return Err(bad_json(
                "a source map must be a JSON object; this looks like JavaScript with a \
                 sourceMappingURL comment: load the map it names (libsourcemap.discover), \
                 or an inline data: URL with libsourcemap.from_data_url",
            ));
        }
        return Err(bad_json("a source map must be a JSON object"));
    }
    // The scanner reads real maps several times faster than serde_json (most of their
    // bytes are long strings with an escape every line); anything it does not handle
    // plainly, serde_json parses, so results and errors are the same either way.
    if let Some(doc) = scan::document(input) {
        return Ok(doc);
    }
    serde_json::from_slice(input).map_err(|err| bad_json(format!("invalid source map JSON: {err}")))
}

/// `parse_document` for `Rules::rust_sourcemap`: a document the scanner leaves to
/// serde_json must be UTF-8 throughout, as rust-sourcemap reads every string of it (the
/// scanner checks every string it reads; serde_json skips the unknown fields' ones).
pub fn parse_document_as_rust_sourcemap(input: &[u8]) -> Result<Document<'_>> {
    if input.trim_ascii_start().starts_with(b"{") {
        if let Some(doc) = scan::document(input) {
            return Ok(doc);
        }
    }
    if let Err(err) = std::str::from_utf8(input) {
        return Err(bad_json(format!("invalid source map JSON: {err}")));
    }
    parse_document(input)
}

/// Whether the scanner reads `input` as serde_json does: `true` if it leaves the input to
/// serde_json or reads the same document. For the fuzz target and tests.
#[doc(hidden)]
pub fn scanner_agrees_with_serde_json(input: &[u8]) -> bool {
    match scan::document(input) {
        None => true,
        Some(doc) => serde_json::from_slice::<Document>(input).ok() == Some(doc),
    }
}

/// Where a string lives in the input: the range of its raw JSON text.
#[derive(Debug, Clone, Copy)]
pub struct RawStr {
    pub offset: usize,
    pub len: usize,
    /// True if the range still holds a quoted, escaped JSON string literal.
    pub escaped: bool,
}

/// Locates a raw JSON string literal inside `base`. Literals without a backslash are
/// referenced without their quotes, ready to use; others keep their quotes to be
/// unescaped on demand.
pub fn locate_str(base: &[u8], raw: Raw) -> Option<RawStr> {
    let text = raw.get().as_bytes();
    if text.first() != Some(&b'"') {
        return None;
    }
    let offset = text.as_ptr() as usize - base.as_ptr() as usize;
    if memchr::memchr(b'\\', text).is_some() {
        Some(RawStr {
            offset,
            len: text.len(),
            escaped: true,
        })
    } else {
        Some(RawStr {
            offset: offset + 1,
            len: text.len() - 2,
            escaped: false,
        })
    }
}

/// Unescapes a JSON string literal (quotes included).
///
/// `sourcesContent` entries run to megabytes with an escape on every line, and unescaping
/// one is on the path of a stack trace's first function name: the text between escapes
/// is copied in bulk (found with memchr). `literal` comes from a document already checked
/// (no raw control characters, no unescaped quote inside). A lone surrogate escape, which
/// JSON allows and UTF-8 cannot hold, becomes U+FFFD (as JavaScript's TextEncoder
/// writes it), so a string the document parsed with can always be read. Anything else
/// unusual (a malformed escape) goes to serde_json, for its error.
pub fn unescape(literal: &[u8]) -> Result<String> {
    match fast_unescape(literal) {
        Some(text) => Ok(text),
        None => {
            serde_json::from_slice(literal).map_err(|err| bad_json(format!("bad string: {err}")))
        }
    }
}

fn fast_unescape(literal: &[u8]) -> Option<String> {
    unescape_body(literal.strip_prefix(b"\"")?.strip_suffix(b"\"")?)
}

/// Unescapes a piece of a string literal's text (no quotes) that begins and ends between
/// escapes, such as its lines (`lf_line_starts`).
pub fn unescape_fragment(fragment: &[u8]) -> Result<String> {
    match unescape_body(fragment) {
        Some(text) => Ok(text),
        None => unescape(&[b"\"", fragment, b"\""].concat()),
    }
}

/// Where each line of a stored string starts when its text is split at line feeds only
/// (symbolic's cache splits sources so), as offsets into `stored`: for a string literal
/// (`escaped`) its quotes included and its escaped line feeds counted (`\n`, `\u000a`),
/// so lines can be read without unescaping the whole string (a bundle's source runs to
/// megabytes); else the raw text's LF bytes. The text ends at `lf_text_end`.
pub fn lf_line_starts(stored: &[u8], escaped: bool) -> Vec<u32> {
    if !escaped {
        let breaks = memchr::memchr_iter(b'\n', stored).map(|at| at as u32 + 1);
        return std::iter::once(0).chain(breaks).collect();
    }
    let mut starts = vec![1];
    let mut pos = 1;
    while let Some(at) = memchr::memchr(b'\\', &stored[pos.min(stored.len())..]) {
        let at = pos + at;
        match stored.get(at + 1) {
            Some(b'n') => starts.push(at as u32 + 2),
            Some(b'u')
                if stored
                    .get(at + 2..at + 6)
                    .is_some_and(|hex| hex.eq_ignore_ascii_case(b"000a")) =>
            {
                starts.push(at as u32 + 6)
            }
            _ => {}
        }
        // Past the escape's first character: `\\` must not start another escape, and a
        // `\uXXXX`'s digits hold no backslash.
        pos = at + 2;
    }
    starts
}

/// Where the text of a stored string ends (before a literal's closing quote).
pub fn lf_text_end(stored: &[u8], escaped: bool) -> usize {
    match escaped {
        true => stored.len().saturating_sub(1),
        false => stored.len(),
    }
}

fn unescape_body(mut rest: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(rest.len());
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        let after = &rest[at + 1..];
        // The common escapes are one byte: no char decoding for them.
        let byte = match after.first() {
            Some(b'n') => b'\n',
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b't') => b'\t',
            Some(b'r') => b'\r',
            Some(b'/') => b'/',
            _ => 0,
        };
        if byte != 0 {
            out.push(byte);
            rest = &after[1..];
            continue;
        }
        let (decoded, used) = escape_at(after)?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(decoded.encode_utf8(&mut buf).as_bytes());
        rest = &after[used..];
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).ok()
}

/// The character an escape stands for (`after` starts just after the backslash) and how
/// many bytes of `after` it used (U+FFFD for a lone surrogate); `None` for anything but
/// a well-formed escape.
fn escape_at(after: &[u8]) -> Option<(char, usize)> {
    let simple = match *after.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(after.get(1..5)?)?;
            if !(0xD800..0xE000).contains(&unit) {
                return Some((char::from_u32(unit)?, 5));
            }
            // A surrogate pair: a high surrogate followed by `\\u` and a low one.
            let low = match after.get(5..7) {
                Some(b"\\u") => after.get(7..11).and_then(hex4),
                _ => None,
            };
            if let Some(low) = low.filter(|low| (0xDC00..0xE000).contains(low)) {
                if (0xD800..0xDC00).contains(&unit) {
                    let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    return Some((char::from_u32(code)?, 11));
                }
            }
            // A lone surrogate: valid JSON (a JavaScript string may hold one) that UTF-8
            // cannot hold. U+FFFD in its place, as JavaScript's TextEncoder writes it.
            return Some(('\u{FFFD}', 5));
        }
        _ => return None,
    };
    Some((simple, 1))
}

fn hex4(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// A string field's value, borrowed when it has no escapes.
pub(crate) fn str_value(raw: Raw<'_>) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if !text.starts_with('"') {
        return None;
    }
    if text.contains('\\') {
        unescape(text.as_bytes()).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(&text[1..text.len() - 1]))
    }
}

/// A field that should be a list, captured in the same pass as the whole document: its
/// items as raw JSON (capturing the field as one `&RawValue` and splitting it afterwards
/// would scan megabytes of `sourcesContent` twice).
#[derive(Default, Debug, PartialEq)]
pub enum RawList<'a> {
    /// The field is absent (`null` is `Other("null")`).
    #[default]
    Missing,
    Items(Vec<Raw<'a>>),
    /// Not a list: what it was instead, for error messages.
    Other(String),
}

impl<'de: 'a, 'a> Deserialize<'de> for RawList<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawListVisitor(std::marker::PhantomData))
    }
}

struct RawListVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for RawListVisitor<'a> {
    type Value = RawList<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element::<Raw<'de>>()? {
            items.push(item);
        }
        Ok(RawList::Items(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::IgnoredAny;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(RawList::Other("an object".into()))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(RawList::Other(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(RawList::Other(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(RawList::Other(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(RawList::Other(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        let shown: String = v.chars().take(37).collect();
        Ok(RawList::Other(format!("{shown:?}")))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(RawList::Other("null".into()))
    }
}

/// A list field's items. Missing is an empty list, except for a `required` field in
/// strict mode. A value that is not a list is an error in strict mode or for a
/// `required` field (the tokens need it), and is ignored otherwise.
fn list_field<'b, 'a>(
    field: &str,
    raw: &'b RawList<'a>,
    strict: bool,
    required: bool,
) -> Result<&'b [Raw<'a>]> {
    match raw {
        RawList::Missing if strict && required => Err(invalid_map(format!("`{field}` is missing"))),
        RawList::Missing => Ok(&[]),
        RawList::Items(items) => Ok(items),
        RawList::Other(what) if strict || required => {
            Err(invalid_map(format!("`{field}` must be a list, got {what}")))
        }
        RawList::Other(_) => Ok(&[]),
    }
}

/// `ignoreList`: source ids (integers in range). Lenient mode drops bad entries.
fn ignore_list(field: &str, raw: &RawList, sources: usize, strict: bool) -> Result<Vec<u32>> {
    let mut ids = Vec::new();
    for (i, &item) in list_field(field, raw, strict, false)?.iter().enumerate() {
        match item.get().parse::<u32>() {
            Ok(id) if (id as usize) < sources => ids.push(id),
            _ if strict => {
                return Err(invalid_map(format!(
                    "`{field}[{i}]` must be a source index in 0..{sources}, got {}",
                    describe(item)
                )))
            }
            _ => {}
        }
    }
    Ok(ids)
}

fn describe(raw: Raw) -> String {
    let text = raw.get();
    if text.len() > 40 {
        format!(
            "{}...",
            &text[..text.char_indices().nth(37).map_or(text.len(), |(i, _)| i)]
        )
    } else {
        text.to_string()
    }
}

/// An optional string field (`file`, `sourceRoot`): lenient mode ignores a wrong type.
pub fn optional_str(field: &str, raw: Option<Raw>, strict: bool) -> Result<Option<String>> {
    let Some(raw) = raw else { return Ok(None) };
    match str_value(raw) {
        Some(value) => Ok(Some(value.into_owned())),
        None if strict => Err(invalid_map(format!(
            "`{field}` must be a string, got {}",
            describe(raw)
        ))),
        None => Ok(None),
    }
}

/// Joins `sourceRoot` and a source the way ECMA-426 resolves them: absolute URLs are left
/// alone, otherwise the root is prefixed, with a `/` between unless one is there already.
pub fn resolve_source(root: Option<&str>, source: &str) -> String {
    match root {
        Some(root) if !root.is_empty() && !is_absolute_url(source) => {
            let sep = if root.ends_with('/') { "" } else { "/" };
            format!("{root}{sep}{source}")
        }
        _ => source.to_string(),
    }
}

/// `scheme:` per the URL standard: a letter, then letters, digits, `+`, `-`, `.`.
fn is_absolute_url(source: &str) -> bool {
    let Some(colon) = source.find(':') else {
        return false;
    };
    let scheme = &source.as_bytes()[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
}

/// The tables of one map (or of all sections of an index map), ready to become a view.
#[derive(Default)]
pub struct Assembly {
    pub file: Option<String>,
    pub source_root: Option<String>,
    pub sources: StringTableBuilder,
    /// The same sources as written, before `sourceRoot` is applied.
    pub raw_sources: StringTableBuilder,
    /// References into the input, one entry per source.
    pub contents: StringTableBuilder,
    pub names: StringTableBuilder,
    /// Source ids listed by `ignoreList` (offset per section in index maps).
    pub ignore_list: Vec<u32>,
    pub debug_id: Option<String>,
    pub source_count: u32,
    pub name_count: u32,
    /// Every source's function map (`x_facebook_sources`).
    pub function_maps: FunctionMapsBuilder,
    /// `x_hermes_function_offsets` as written (JSON), if the map has it.
    pub hermes_offsets: Option<String>,
    /// The `scopes` text (unescaped), if the map has it as a string.
    pub scopes: Option<String>,
    /// The token indexes of the range mappings (`rangeMappings`), ascending.
    pub range_mappings: Vec<u32>,
}

/// Where the `mappings` text is.
pub enum MappingsText {
    /// A range of the input (the usual case: mappings never need escapes).
    Input {
        offset: usize,
        len: usize,
    },
    Owned(Vec<u8>),
}

impl MappingsText {
    /// The text, from `input` (the JSON it was read from) or owned.
    pub fn bytes<'a>(&'a self, input: &'a [u8]) -> &'a [u8] {
        match self {
            MappingsText::Input { offset, len } => &input[*offset..*offset + *len],
            MappingsText::Owned(text) => text,
        }
    }
}

/// Adds one regular map's sources, contents and names to `asm` and returns its mappings.
pub fn assemble_map(
    base: &[u8],
    doc: &Document,
    rules: Rules,
    asm: &mut Assembly,
) -> Result<MappingsText> {
    let strict = rules.fields;
    if strict {
        match doc.version {
            Some(raw) if raw.get() == "3" => {}
            Some(raw) => {
                return Err(invalid_map(format!(
                    "`version` must be 3, got {}",
                    describe(raw)
                )))
            }
            None => return Err(invalid_map("`version` is missing")),
        }
    }
    let root = optional_str("sourceRoot", doc.source_root, strict)?;

    let sources = match &doc.sources {
        // rust-sourcemap reads `sources: null` as none.
        RawList::Other(what) if rules.rust_sourcemap && what == "null" => &[],
        raw => list_field("sources", raw, strict, true)?,
    };
    for (i, &item) in sources.iter().enumerate() {
        let source = str_value(item);
        if source.is_none() && item.get() != "null" && strict {
            return Err(invalid_map(format!(
                "`sources[{i}]` must be a string or null, got {}",
                describe(item)
            )));
        }
        asm.raw_sources.push(source.as_deref().map(str::as_bytes))?;
        let resolved = source.map(|s| resolve_source(root.as_deref(), &s));
        asm.sources.push(resolved.as_deref().map(str::as_bytes))?;
    }

    let contents = match &doc.sources_content {
        RawList::Other(what) if what == "null" => &[], // `null`: no contents, as if absent
        raw => list_field("sourcesContent", raw, strict, false)?,
    };
    for i in 0..sources.len() {
        match contents.get(i).and_then(|&item| locate_str(base, item)) {
            Some(found) => asm
                .contents
                .push_ref(found.offset, found.len, found.escaped)?,
            None => {
                if strict {
                    if let Some(&item) = contents.get(i).filter(|item| item.get() != "null") {
                        return Err(invalid_map(format!(
                            "`sourcesContent[{i}]` must be a string or null, got {}",
                            describe(item)
                        )));
                    }
                }
                asm.contents.push_absent()?
            }
        }
    }

    if rules.required_keys {
        for (key, missing) in [
            ("sources", matches!(doc.sources, RawList::Missing)),
            ("names", matches!(doc.names, RawList::Missing)),
            ("mappings", doc.mappings.is_none()),
        ] {
            if missing {
                return Err(invalid_map(format!("`{key}` is missing")));
            }
        }
    }
    let names = list_field("names", &doc.names, strict, false)?;
    for (i, &item) in names.iter().enumerate() {
        if rules.rust_sourcemap {
            asm.names
                .push(Some(rust_sourcemap_name(item)?.as_bytes()))?;
            continue;
        }
        let name = str_value(item);
        if name.is_none() && strict {
            return Err(invalid_map(format!(
                "`names[{i}]` must be a string, got {}",
                describe(item)
            )));
        }
        asm.names.push(name.as_deref().map(str::as_bytes))?;
    }

    let ignored = match doc.ignore_list {
        RawList::Missing => ignore_list(
            "x_google_ignoreList",
            &doc.x_google_ignore_list,
            sources.len(),
            strict,
        )?,
        _ => ignore_list("ignoreList", &doc.ignore_list, sources.len(), strict)?,
    };
    asm.ignore_list
        .extend(ignored.into_iter().map(|id| id + asm.source_count));
    asm.function_maps.push_map(
        doc.x_facebook_sources.map(Raw::get),
        sources.len(),
        strict,
        rules.rust_sourcemap,
    )?;
    if asm.hermes_offsets.is_none() {
        asm.hermes_offsets = doc
            .x_hermes_function_offsets
            .map(|raw| raw.get().to_owned());
    }
    if let Some(text) = optional_str("scopes", doc.scopes, strict)? {
        if strict {
            let counts = scopes::MapCounts {
                names: names.len(),
                sources: sources.len(),
            };
            scopes::decode(text.as_bytes(), counts, scopes::Mode::Strict)?;
        }
        asm.scopes = Some(text);
    }
    if asm.debug_id.is_none() {
        asm.debug_id = match doc.debug_id {
            Some(raw) => optional_str("debugId", Some(raw), strict)?,
            None => optional_str("debug_id", doc.debug_id_snake, strict)?,
        };
    }
    asm.source_count = count(
        asm.source_count,
        sources.len(),
        ErrorKind::TooManySources,
        "sources",
    )?;
    asm.name_count = count(
        asm.name_count,
        names.len(),
        ErrorKind::TooManyNames,
        "names",
    )?;
    if asm.file.is_none() {
        asm.file = optional_str("file", doc.file, strict)?;
    }
    if asm.source_root.is_none() {
        asm.source_root = root;
    }

    let text = match doc.mappings {
        None if strict => return Err(invalid_map("`mappings` is missing")),
        None => MappingsText::Owned(Vec::new()),
        Some(raw) => match locate_str(base, raw) {
            Some(RawStr {
                offset,
                len,
                escaped: false,
            }) => MappingsText::Input { offset, len },
            Some(found) => MappingsText::Owned(
                unescape(&base[found.offset..found.offset + found.len])?.into_bytes(),
            ),
            None => {
                return Err(invalid_map(format!(
                    "`mappings` must be a string, got {}",
                    describe(raw)
                )))
            }
        },
    };
    // rust-sourcemap (symbolic) reads the field's older 0-based form, and only checks it.
    if !rules.rust_sourcemap {
        asm.range_mappings = range_marks(doc.range_mappings, text.bytes(base), strict)?;
    }
    Ok(text)
}

/// `rangeMappings` as token indexes (see `range_mappings`). Strict mode refuses a field
/// that cannot be read; lenient mode ignores it (each mapping then maps its own column,
/// as without the field).
fn range_marks(raw: Option<Raw>, mappings: &[u8], strict: bool) -> Result<Vec<u32>> {
    let Some(field) = optional_str("rangeMappings", raw, strict)? else {
        return Ok(Vec::new());
    };
    match range_mappings::decode(field.as_bytes(), mappings) {
        Ok(marks) => Ok(marks),
        Err(why) if strict => Err(invalid_map(format!("`rangeMappings`: {why}"))),
        Err(_) => Ok(Vec::new()),
    }
}

// -- rust-sourcemap's reading (`Rules::rust_sourcemap`) ---------------------------------

/// A `names` entry as rust-sourcemap reads it: a string, a number as serde_json prints
/// it (`1`, `2.5`, `1e+21`; one out of range is an error, as its parse fails), anything
/// else empty.
pub(crate) fn rust_sourcemap_name(item: Raw<'_>) -> Result<Cow<'_, str>> {
    let text = item.get();
    if let Some(name) = str_value(item) {
        return Ok(name);
    }
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        let number: serde_json::Number = serde_json::from_str(text)
            .map_err(|err| bad_json(format!("invalid source map JSON: {err}")))?;
        return Ok(Cow::Owned(number.to_string()));
    }
    Ok(Cow::Borrowed(""))
}

/// Whether a document holds a surrogate escape (`\ud800`) that is not one half of a
/// pair, which rust-sourcemap refuses (serde_json cannot make a string of it) wherever
/// it is. `input` parsed as JSON already, so every backslash is inside a string; only
/// `\u` escapes are looked at (found with memchr's substring search: real maps have few).
pub fn has_lone_surrogate(input: &[u8]) -> bool {
    let mut past = 0; // where the last pair ended: its low half is no escape of its own
    for at in memchr::memmem::find_iter(input, b"\\u") {
        if at < past {
            continue;
        }
        // An escape only if the backslash is not itself escaped (an even run before it).
        let run = input[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if run % 2 == 1 {
            continue;
        }
        let Some(unit) = input.get(at + 2..at + 6).and_then(hex4) else {
            continue; // not an escape the document could hold: it parsed
        };
        match unit {
            0xD800..=0xDBFF => {
                let low = match input.get(at + 6..at + 8) {
                    Some(b"\\u") => input.get(at + 8..at + 12).and_then(hex4),
                    _ => None,
                };
                if !low.is_some_and(|low| (0xDC00..0xE000).contains(&low)) {
                    return true;
                }
                past = at + 12;
            }
            0xDC00..=0xDFFF => return true,
            _ => {}
        }
    }
    false
}

/// What rust-sourcemap's `RawSourceMap` refuses of a document's types: it is read with
/// serde into fields of fixed types (`version` a u32, `sources` strings or null,
/// `debugId` a debug id...), where libsourcemap reads leniently what it can. An index
/// map's sections are checked where they are read (`index`).
pub fn check_rust_sourcemap(doc: &Document<'_>) -> Result<()> {
    typed::<Option<u32>>("version", doc.version)?;
    for (field, raw) in [
        ("sourceRoot", doc.source_root),
        ("rangeMappings", doc.range_mappings),
    ] {
        typed::<Option<Str>>(field, raw)?;
    }
    // A string the scan accepted (megabytes: not read again), or absent.
    if let Some(raw) = doc.mappings.filter(|raw| !raw.get().starts_with('"')) {
        return Err(bad_json(format!(
            "invalid source map JSON: `mappings` must be a string, got {}",
            describe(raw)
        )));
    }
    for (field, list) in [
        ("sources", &doc.sources),
        ("sourcesContent", &doc.sources_content),
    ] {
        for &item in rust_sourcemap_list(field, list)? {
            // A string the scan accepted, or null (not unescaped: contents are large).
            if !item.get().starts_with('"') && item.get() != "null" {
                return Err(bad_json(format!(
                    "`{field}` must hold strings or null, got {}",
                    describe(item)
                )));
            }
        }
    }
    rust_sourcemap_list("names", &doc.names)?;
    for &item in rust_sourcemap_list("ignoreList", &doc.ignore_list)? {
        typed::<u32>("ignoreList", Some(item))?;
    }
    typed::<Option<Vec<Option<u32>>>>("x_facebook_offsets", doc.x_facebook_offsets)?;
    typed::<Option<Vec<Str>>>("x_metro_module_paths", doc.x_metro_module_paths)?;
    typed::<Option<Vec<Option<Vec<FunctionMapTypes>>>>>(
        "x_facebook_sources",
        doc.x_facebook_sources,
    )?;
    for (field, raw) in [("debugId", doc.debug_id), ("debug_id", doc.debug_id_snake)] {
        if let Some(id) = typed::<Option<Cow<str>>>(field, raw)? {
            if !is_debug_id(&id) {
                return Err(bad_json(format!("`{field}` is not a debug id: {id:?}")));
            }
        }
    }
    Ok(())
}

/// The error for a field of the wrong type, as rust-sourcemap's serde reading fails.
pub(crate) fn bad_type(field: &str, expected: &str, raw: Raw<'_>) -> Error {
    bad_json(format!(
        "invalid source map JSON: `{field}` must be {expected}, got {}",
        describe(raw)
    ))
}

/// A field read as `T` (absent: as `null`).
fn typed<'a, T: Deserialize<'a>>(field: &str, raw: Option<Raw<'a>>) -> Result<T> {
    serde_json::from_str(raw.map_or("null", Raw::get))
        .map_err(|err| bad_json(format!("invalid source map JSON: `{field}`: {err}")))
}

/// A list field's items, which rust-sourcemap reads as an optional list.
fn rust_sourcemap_list<'b, 'a>(field: &str, raw: &'b RawList<'a>) -> Result<&'b [Raw<'a>]> {
    match raw {
        RawList::Items(items) => Ok(items),
        RawList::Missing => Ok(&[]),
        RawList::Other(what) if what == "null" => Ok(&[]),
        RawList::Other(what) => Err(bad_json(format!(
            "invalid source map JSON: `{field}` must be a list, got {what}"
        ))),
    }
}

/// A string, not kept (its escapes are checked by serde_json).
struct Str;

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Str;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, _: &str) -> Result<Str, E> {
                Ok(Str)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// rust-sourcemap's `FacebookScopeMapping`.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FunctionMapTypes {
    names: Vec<Str>,
    mappings: Str,
}

/// Whether `id` parses as a `DebugId` (the debugid crate's rules): a PDB 2.0 id
/// (8 hex digits, an optional `-`, 1 to 8 hex digits of appendix), or a UUID (32 hex
/// digits, or 36 hyphenated) with an optional appendix of hex digits after it (after a
/// `-` if and only if the UUID is hyphenated), of which the first 8 count.
pub(crate) fn is_debug_id(id: &str) -> bool {
    let hyphenated = id.get(8..9) == Some("-");
    if !id.is_ascii() {
        return false;
    }
    let hex = |text: &str| u32::from_str_radix(text, 16).is_ok();
    let (min, max) = if hyphenated { (10, 17) } else { (9, 16) };
    if (min..=max).contains(&id.len()) {
        let appendix = &id[if hyphenated { 9 } else { 8 }..];
        return hex(&id[..8]) && hex(appendix);
    }
    let uuid_len = if hyphenated { 36 } else { 32 };
    let Some(uuid) = id.get(..uuid_len) else {
        return false;
    };
    let uuid_ok = uuid
        .bytes()
        .enumerate()
        .all(|(i, b)| match (hyphenated, i) {
            (true, 8 | 13 | 18 | 23) => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    if !uuid_ok {
        return false;
    }
    let mut appendix = &id[uuid_len..];
    if appendix.is_empty() {
        return true;
    }
    if hyphenated != appendix.starts_with('-') {
        return false;
    }
    if hyphenated {
        appendix = &appendix[1..];
    }
    hex(&appendix[..appendix.len().min(8)])
}

/// The tokens of a `mappings` text as rust-sourcemap decodes them (`Rules::rust_sourcemap`),
/// sorted by generated position as it sorts them: segments of 1, 4 or 5 values (others
/// are errors; empty ones skipped) read by `rules::read_vlq_segment`, every running value
/// wrapping modulo 2^32, a source or name index out of range an error. `range_mappings`,
/// if the map has them, must be base64 on every line that has segments.
pub fn rust_sourcemap_tokens(
    text: &[u8],
    range_mappings: Option<Raw<'_>>,
    limits: crate::mappings::Limits,
) -> Result<Vec<crate::mappings::RawToken>> {
    use crate::mappings::{RawToken, NONE};
    let range = range_mappings.and_then(str_value).unwrap_or_default();
    let mut ranges = range.split(';');
    let (mut src_id, mut src_line, mut src_col, mut name_id) = (0u32, 0u32, 0u32, 0u32);
    let mut tokens = Vec::with_capacity(text.len() / 4);
    let mut values = Vec::with_capacity(6);
    for (dst_line, line) in text.split(|&b| b == b';').enumerate() {
        let bits = ranges.next().unwrap_or("");
        if line.is_empty() {
            continue;
        }
        if let Some(bad) = bits
            .bytes()
            .find(|b| !(b.is_ascii_alphanumeric() || b"+/".contains(b)))
        {
            return Err(invalid_map(format!(
                "rangeMappings: invalid base64 character {:?}",
                bad as char
            )));
        }
        let dst_line = u32::try_from(dst_line)
            .map_err(|_| invalid_map("mappings: generated line out of range"))?;
        let mut dst_col = 0u32;
        for segment in line.split(|&b| b == b',').filter(|s| !s.is_empty()) {
            values.clear();
            crate::rules::read_vlq_segment(segment, &mut values)
                .map_err(|why| invalid_map(format!("mappings: {why}")))?;
            let add = |value: u32, delta: i64| value.wrapping_add(delta as u32);
            dst_col = add(dst_col, values[0]);
            let mut token = RawToken {
                dst_line,
                dst_col,
                src_id: NONE,
                src_line: NONE,
                src_col: NONE,
                name_id: NONE,
            };
            match values.len() {
                1 => {}
                4 | 5 => {
                    src_id = add(src_id, values[1]);
                    if src_id >= limits.sources {
                        return Err(invalid_map(format!(
                            "mappings: bad reference to source #{src_id}"
                        )));
                    }
                    src_line = add(src_line, values[2]);
                    src_col = add(src_col, values[3]);
                    (token.src_id, token.src_line, token.src_col) = (src_id, src_line, src_col);
                    if values.len() == 5 {
                        name_id = add(name_id, values[4]);
                        if name_id >= limits.names {
                            return Err(invalid_map(format!(
                                "mappings: bad reference to name #{name_id}"
                            )));
                        }
                        token.name_id = name_id;
                    }
                }
                count => {
                    return Err(invalid_map(format!(
                        "mappings: got {count} segments, expected 4 or 5"
                    )))
                }
            }
            tokens.push(token);
        }
    }
    tokens.sort_by_key(RawToken::dst);
    Ok(tokens)
}

/// Adds `added` entries to a running count; `u32::MAX` is reserved for "none".
fn count(before: u32, added: usize, too_many: ErrorKind, what: &str) -> Result<u32> {
    u32::try_from(added)
        .ok()
        .and_then(|added| before.checked_add(added))
        .filter(|total| *total != u32::MAX)
        .ok_or_else(|| Error::new(too_many, format!("too many {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_unescape_agrees_with_serde_json() {
        let cases = [
            r#""""#,
            r#""plain""#,
            r#""a\nb\r\n\t\"q\" \\ \/ \b\f""#,
            r#""\u00e9 \u2028 \ud83d\ude00 end""#,
            r#""\u12""#,
            r#""bad \x escape""#,
            "\"caf\u{e9} \u{1f600}\"",
            r#""trailing \""#,
        ];
        for case in cases {
            let ours = unescape(case.as_bytes()).map_err(|e| e.message);
            let serde: std::result::Result<String, String> =
                serde_json::from_str(case).map_err(|e| format!("bad string: {e}"));
            assert_eq!(ours, serde, "{case}");
        }
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let cases = [
            (r#""\ud83d alone""#, "\u{FFFD} alone"),
            (r#""\udc00 low first""#, "\u{FFFD} low first"),
            (r#""\ud800\ud800\udc00""#, "\u{FFFD}\u{10000}"),
            (r#""\ud800\u0041""#, "\u{FFFD}A"),
            (r#""end \udbff""#, "end \u{FFFD}"),
            (r#""/[\ud800-\udfff]/""#, "/[\u{FFFD}-\u{FFFD}]/"),
        ];
        for (literal, text) in cases {
            assert_eq!(unescape(literal.as_bytes()).ok().as_deref(), Some(text));
        }
    }

    #[test]
    fn strips_junk_as_rust_sourcemap() {
        assert_eq!(strip_junk_prefix(b")]}garbage\r\n{}").unwrap(), b"\n{}");
        assert_eq!(strip_junk_prefix(b"{}").unwrap(), b"{}");
        assert_eq!(strip_junk_prefix(b")]}'").unwrap(), b"");
        assert!(strip_junk_prefix(b")]}'\rx\n{}").is_err());
    }

    #[test]
    fn finds_lone_surrogates() {
        for lone in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            r#""\ud800\ud800\udc00""#,
        ] {
            assert!(has_lone_surrogate(lone.as_bytes()), "{lone}");
        }
        for fine in [
            r#""\ud83d\ude00""#,
            r#""\\ud800""#,
            r#""\u00e9\n""#,
            r#""\\\ud83d\ude00""#,
        ] {
            assert!(!has_lone_surrogate(fine.as_bytes()), "{fine}");
        }
    }

    #[test]
    fn debug_ids_as_the_debugid_crate_reads_them() {
        for id in [
            "0123456789abcdef0123456789abcdef",
            "01234567-89ab-cdef-0123-456789abcdef",
            "01234567-89ab-cdef-0123-456789abcdef-a",
            "0123456789abcdef0123456789abcdefa",
            "0123456789abcdef0123456789abcdef0123456789",
            "deadbeef-1",
            "deadbeef1",
        ] {
            assert!(is_debug_id(id), "{id}");
        }
        for id in [
            "nope",
            "",
            "0123456789abcdef0123456789abcdeg",
            "01234567-89ab-cdef-0123-456789abcdefa",
        ] {
            assert!(!is_debug_id(id), "{id}");
        }
    }

    #[test]
    fn reads_names_and_mappings_as_rust_sourcemap() {
        let name = |text: &str| rust_sourcemap_name(Raw(text)).map(Cow::into_owned);
        assert_eq!(name(r#""a\nb""#).unwrap(), "a\nb");
        assert_eq!(name("1").unwrap(), "1");
        assert_eq!(name("1e3").unwrap(), "1000.0");
        assert_eq!(name("true").unwrap(), "");
        assert!(name("1e400").is_err());
        let limits = crate::mappings::Limits {
            sources: 1,
            names: 0,
        };
        // An original line below 0 wraps; a negative column too.
        let tokens = rust_sourcemap_tokens(b"AAAA,CAFA;D", None, limits).unwrap();
        let got: Vec<_> = tokens
            .iter()
            .map(|t| (t.dst_line, t.dst_col, t.src_line))
            .collect();
        assert_eq!(
            got,
            [(0, 0, 0), (0, 1, u32::MAX - 1), (1, u32::MAX, NONE_LINE)]
        );
        assert!(rust_sourcemap_tokens(b"AAAAAA", None, limits).is_err());
        assert!(rust_sourcemap_tokens(b"AAAA", Some(Raw(r#""!""#)), limits).is_err());
    }

    const NONE_LINE: u32 = crate::mappings::NONE;

    #[test]
    fn resolves_sources() {
        assert_eq!(
            resolve_source(Some("webpack:///"), "src/a.js"),
            "webpack:///src/a.js"
        );
        assert_eq!(resolve_source(Some("/root"), "a.js"), "/root/a.js");
        assert_eq!(
            resolve_source(Some("/root"), "https://x/a.js"),
            "https://x/a.js"
        );
        assert_eq!(resolve_source(Some(""), "a.js"), "a.js");
        assert_eq!(resolve_source(None, "a.js"), "a.js");
    }

    #[test]
    fn strips_xssi() {
        assert_eq!(strip_xssi_prefix(b")]}'\n{}"), b"{}");
        assert_eq!(strip_xssi_prefix(b"{}"), b"{}");
    }

    proptest::proptest! {
        #[test]
        fn lf_lines_of_a_literal_are_its_text_split_after_line_feeds(
            text in "[a\\\\n\"\\n\\r\u{e9}\u{2028}\u{d7ff}]{0,40}",
            long_escapes in proptest::bool::ANY,
        ) {
            // A line feed escaped either way; everything else as serde_json writes it.
            let literal: String = std::iter::once("\"".to_string())
                .chain(text.chars().map(|c| match (c, long_escapes) {
                    ('\n', true) => "\\u000A".to_string(),
                    _ => {
                        let quoted = serde_json::to_string(&c.to_string()).unwrap();
                        quoted[1..quoted.len() - 1].to_string()
                    }
                }))
                .chain(std::iter::once("\"".to_string()))
                .collect();
            let (bytes, expected) = (literal.as_bytes(), text.split_inclusive('\n'));
            let mut starts = lf_line_starts(bytes, true);
            starts.push(lf_text_end(bytes, true) as u32);
            let lines: Vec<String> = starts
                .windows(2)
                .map(|w| unescape_fragment(&bytes[w[0] as usize..w[1] as usize]).unwrap())
                .collect();
            let mut expected: Vec<&str> = expected.collect();
            if text.is_empty() || text.ends_with('\n') {
                expected.push(""); // the empty line after a final line feed
            }
            proptest::prop_assert_eq!(lines, expected);
            let raw = lf_line_starts(text.as_bytes(), false);
            proptest::prop_assert_eq!(raw.len(), starts.len() - 1);
        }
    }
}
