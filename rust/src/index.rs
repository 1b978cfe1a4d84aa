//! Index maps (ECMA-426 "index source map"): a list of sections, each a regular map placed
//! at a generated line/column offset. Flattening merges them into one view.

use std::collections::HashMap;

use serde::Deserialize;

use crate::bytes::SharedBytes;
use crate::error::{invalid_map, Error, ErrorKind, Result};
use crate::json::{self, Assembly, Document, MappingsText, Raw, RawList, RawStr};
use crate::mappings::{self, Limits, RawToken, NONE};
use crate::rules::Rules;
use crate::view::View;

#[derive(Deserialize)]
struct RawSection<'a> {
    #[serde(borrow, default)]
    offset: Option<Raw<'a>>,
    #[serde(borrow, default)]
    map: Option<Raw<'a>>,
    #[serde(borrow, default)]
    url: Option<Raw<'a>>,
}

#[derive(Deserialize)]
struct RawOffset {
    line: u32,
    column: u32,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub line: u32,
    pub column: u32,
    /// An external map reference; such a section cannot be flattened here.
    pub url: Option<String>,
    /// Byte range of the embedded `map` object in the input.
    map: Option<(usize, usize)>,
}

pub struct Index {
    input: SharedBytes,
    file: Option<String>,
    debug_id: Option<String>,
    sections: Vec<Section>,
    rules: Rules,
}

impl Index {
    pub(crate) fn from_document(input: SharedBytes, doc: &Document, rules: Rules) -> Result<Index> {
        let strict = rules.fields;
        let base = input.as_slice();
        let raw = doc.sections.expect("caller checked `sections`");
        let raw_sections: Vec<RawSection> = serde_json::from_str(raw.get()).map_err(|err| {
            invalid_map(format!(
                "`sections` must be a list of section objects: {err}"
            ))
        })?;
        let mut sections = Vec::with_capacity(raw_sections.len());
        for (i, raw) in raw_sections.iter().enumerate() {
            let offset = raw
                .offset
                .ok_or_else(|| invalid_map(format!("`sections[{i}].offset` is missing")))?;
            let offset: RawOffset = serde_json::from_str(offset.get()).map_err(|err| {
                invalid_map(format!(
                    "`sections[{i}].offset` needs integer `line` and `column` in 0..=4294967295: {err}"
                ))
            })?;
            // rust-sourcemap sorts the sections instead (`flatten`).
            if let Some(prev) = sections
                .last()
                .map(|s: &Section| (s.line, s.column))
                .filter(|_| !rules.rust_sourcemap)
            {
                if (offset.line, offset.column) < prev
                    || (strict && (offset.line, offset.column) == prev)
                {
                    return Err(invalid_map(format!(
                        "`sections[{i}].offset` ({}, {}) is before the previous section's",
                        offset.line, offset.column
                    )));
                }
            }
            let map = raw.map.filter(|m| m.get() != "null").map(|m| {
                let text = m.get().as_bytes();
                (text.as_ptr() as usize - base.as_ptr() as usize, text.len())
            });
            if rules.rust_sourcemap {
                check_section_types(i, raw)?;
            }
            let url = json::optional_str("url", raw.url, strict)?;
            if map.is_none() && url.is_none() {
                return Err(invalid_map(format!(
                    "`sections[{i}]` has neither `map` nor `url`"
                )));
            }
            if strict && url.is_some() {
                return Err(invalid_map(format!(
                    "`sections[{i}]` has a `url`; ECMA-426 sections embed their `map`"
                )));
            }
            if strict && map.is_some_and(|(start, _)| base[start] != b'{') {
                return Err(invalid_map(format!(
                    "`sections[{i}].map` must be an object"
                )));
            }
            sections.push(Section {
                line: offset.line,
                column: offset.column,
                url,
                map,
            });
        }
        Ok(Index {
            file: json::optional_str("file", doc.file, strict)?,
            debug_id: json::optional_str("debugId", doc.debug_id.or(doc.debug_id_snake), strict)?,
            input,
            sections,
            rules,
        })
    }

    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// True if every section embeds its map (no external `url` references).
    pub fn can_flatten(&self) -> bool {
        self.sections.iter().all(|s| s.map.is_some())
    }

    /// Merges all sections into one view, offsetting generated positions as ECMA-426 says:
    /// the section's line offset applies to every token, its column offset only to tokens
    /// on the section's first line.
    pub fn flatten(&self) -> Result<View> {
        if !self.can_flatten() {
            return Err(Error::new(
                ErrorKind::CannotFlatten,
                "cannot flatten an index map whose sections reference external maps by `url`",
            ));
        }
        if self.rules.rust_sourcemap {
            return self.flatten_as_rust_sourcemap();
        }
        let base = self.input.as_slice();
        let mut asm = Assembly {
            file: self.file.clone(),
            debug_id: self.debug_id.clone(),
            ..Assembly::default()
        };
        let mut tokens = Vec::new();
        for (i, section) in self.sections.iter().enumerate() {
            let (start, len) = section.map.expect("checked by can_flatten");
            let doc = json::parse_document(&base[start..start + len])?;
            if doc.sections.is_some() {
                return Err(invalid_map(format!(
                    "`sections[{i}].map` is itself an index map"
                )));
            }
            let (source_base, name_base) = (asm.source_count, asm.name_count);
            let text = json::assemble_map(base, &doc, self.rules, &mut asm)?;
            let text = text.bytes(base);
            let limits = Limits {
                sources: asm.source_count - source_base,
                names: asm.name_count - name_base,
            };
            let next = self.sections.get(i + 1).map(|s| (s.line, s.column));
            for mut token in mappings::decode_all(text, limits, self.rules)? {
                let shift =
                    |value: u32, by: u32| value.checked_add(by).ok_or_else(position_overflow);
                if token.dst_line == 0 {
                    token.dst_col = shift(token.dst_col, section.column)?;
                }
                token.dst_line = shift(token.dst_line, section.line)?;
                if token.src_id != NONE {
                    token.src_id += source_base;
                }
                if token.name_id != NONE {
                    token.name_id += name_base;
                }
                if self.rules.fields
                    && next.is_some_and(|next| (token.dst_line, token.dst_col) >= next)
                {
                    return Err(invalid_map(format!(
                        "`sections[{i}]` has a mapping at generated line {} column {}, inside the next section",
                        token.dst_line, token.dst_col
                    )));
                }
                tokens.push(token);
            }
        }
        // Each section's sources were resolved against its own sourceRoot already.
        asm.source_root = None;
        // A section's scopes index its own sources and names and its ranges its own
        // generated code, its range mappings its own segments: they are checked (strict
        // mode) but not carried into the flattened map, which would need them re-based.
        asm.scopes = None;
        asm.range_mappings.clear();
        tokens.sort_by_key(|t| (t.dst_line, t.dst_col));
        check_lines(&tokens)?;
        let text = mappings::encode(&tokens);
        View::assemble(
            self.input.clone(),
            asm,
            MappingsText::Owned(text),
            Rules::LENIENT,
        )
    }
}

// -- as rust-sourcemap flattens (`Rules::rust_sourcemap`) --------------------------------

/// A map flattened as rust-sourcemap holds one: sources (`sourceRoot` applied), their
/// contents where set (references into the input), names, tokens sorted by position.
#[derive(Default)]
struct Flat {
    sources: Vec<String>,
    contents: Vec<Option<RawStr>>,
    names: Vec<String>,
    tokens: Vec<RawToken>,
}

/// rust-sourcemap's `SourceMapBuilder` as its `flatten` uses it: sources and names are
/// added by name (the same name is the same id), contents set by the last section that
/// has them, tokens kept in order of addition.
#[derive(Default)]
struct FlatBuilder {
    flat: Flat,
    source_ids: Ids,
    name_ids: Ids,
}

/// Ids by name, hashed with foldhash seeded per table (as `remap` interns names).
type Ids = HashMap<String, u32, foldhash::fast::RandomState>;

impl FlatBuilder {
    fn add(ids: &mut Ids, list: &mut Vec<String>, value: &str) -> u32 {
        if let Some(&id) = ids.get(value) {
            return id;
        }
        let id = list.len() as u32;
        list.push(value.to_owned());
        ids.insert(value.to_owned(), id);
        id
    }

    /// Adds a map placed at `offset`: its sources, contents and names by name, its tokens
    /// moved by the offset (the column on its first line only), wrapping as u32s add.
    fn add_map(&mut self, map: Flat, (line, column): (u32, u32)) {
        let mut source_ids = Vec::with_capacity(map.sources.len());
        for (i, source) in map.sources.iter().enumerate() {
            let id = Self::add(&mut self.source_ids, &mut self.flat.sources, source);
            source_ids.push(id);
            if let Some(Some(found)) = map.contents.get(i) {
                let contents = &mut self.flat.contents;
                if contents.len() < self.flat.sources.len() {
                    contents.resize(self.flat.sources.len(), None);
                }
                contents[id as usize] = Some(*found);
            }
        }
        let name_ids: Vec<u32> = map
            .names
            .iter()
            .map(|name| Self::add(&mut self.name_ids, &mut self.flat.names, name))
            .collect();
        self.flat.tokens.reserve(map.tokens.len());
        for mut token in map.tokens {
            if token.dst_line == 0 {
                token.dst_col = token.dst_col.wrapping_add(column);
            }
            token.dst_line = token.dst_line.wrapping_add(line);
            if token.src_id != NONE {
                token.src_id = source_ids
                    .get(token.src_id as usize)
                    .copied()
                    .unwrap_or(NONE);
            }
            if token.name_id != NONE {
                token.name_id = name_ids
                    .get(token.name_id as usize)
                    .copied()
                    .unwrap_or(NONE);
            }
            self.flat.tokens.push(token);
        }
    }

    fn finish(mut self) -> Flat {
        self.flat.tokens.sort_by_key(RawToken::dst);
        self.flat
    }
}

/// What rust-sourcemap's `RawSection` refuses: a `url` that is not a string, a `map`
/// that is not an object (its types are checked where it is flattened).
fn check_section_types(i: usize, raw: &RawSection<'_>) -> Result<()> {
    if let Some(url) = raw
        .url
        .filter(|u| u.get() != "null" && !u.get().starts_with('"'))
    {
        return Err(json::bad_type(
            &format!("sections[{i}].url"),
            "a string",
            url,
        ));
    }
    if let Some(map) = raw
        .map
        .filter(|m| m.get() != "null" && !m.get().starts_with('{'))
    {
        return Err(json::bad_type(
            &format!("sections[{i}].map"),
            "an object",
            map,
        ));
    }
    Ok(())
}

/// rust-sourcemap's `prefix_source`: `sourceRoot` (one trailing `/` off) and `/` in front
/// of a source, unless it is non-empty and starts with `/`, `http:` or `https:`.
fn prefix_source(root: &str, source: &str) -> String {
    let root = root.strip_suffix('/').unwrap_or(root);
    let kept = !source.is_empty()
        && (source.starts_with('/') || source.starts_with("http:") || source.starts_with("https:"));
    match kept {
        true => source.to_owned(),
        false => format!("{root}/{source}"),
    }
}

impl Index {
    /// `flatten` as rust-sourcemap does it: sections in order of their offsets (stable),
    /// an index map in a section flattened first, no check that sections keep apart.
    fn flatten_as_rust_sourcemap(&self) -> Result<View> {
        let base = self.input.as_slice();
        let mut sections: Vec<(u32, u32, usize, usize)> = Vec::new();
        for section in &self.sections {
            let (start, len) = section.map.expect("checked by can_flatten");
            sections.push((section.line, section.column, start, len));
        }
        let flat = flatten_sections(base, sections, self.rules)?;
        let count = |n: usize, kind, what| {
            u32::try_from(n)
                .ok()
                .filter(|&n| n != u32::MAX)
                .ok_or_else(|| Error::new(kind, format!("too many {what}")))
        };
        let mut asm = Assembly {
            file: self.file.clone(),
            source_count: count(flat.sources.len(), ErrorKind::TooManySources, "sources")?,
            name_count: count(flat.names.len(), ErrorKind::TooManyNames, "names")?,
            ..Assembly::default()
        };
        for (i, source) in flat.sources.iter().enumerate() {
            asm.sources.push(Some(source.as_bytes()))?;
            asm.raw_sources.push(Some(source.as_bytes()))?;
            match flat.contents.get(i).copied().flatten() {
                Some(found) => asm
                    .contents
                    .push_ref(found.offset, found.len, found.escaped)?,
                None => asm.contents.push_absent()?,
            }
        }
        for name in &flat.names {
            asm.names.push(Some(name.as_bytes()))?;
        }
        check_lines(&flat.tokens)?;
        let text = mappings::encode(&flat.tokens);
        View::assemble(
            self.input.clone(),
            asm,
            MappingsText::Owned(text),
            Rules::LENIENT,
        )
    }
}

/// The sections (offset and the range of their embedded map in `base`) flattened as
/// rust-sourcemap flattens them.
fn flatten_sections(
    base: &[u8],
    mut sections: Vec<(u32, u32, usize, usize)>,
    rules: Rules,
) -> Result<Flat> {
    sections.sort_by_key(|s| (s.0, s.1));
    let mut builder = FlatBuilder::default();
    for (line, column, start, len) in sections {
        let map = flat_map(base, &base[start..start + len], rules)?;
        builder.add_map(map, (line, column));
    }
    Ok(builder.finish())
}

/// One section's map as rust-sourcemap holds it: a regular map's tables, or an index
/// map's, flattened.
fn flat_map(base: &[u8], text: &[u8], rules: Rules) -> Result<Flat> {
    let doc = json::parse_document(text)?;
    json::check_rust_sourcemap(&doc)?;
    if let Some(raw) = doc.sections {
        let raw_sections: Vec<RawSection> = serde_json::from_str(raw.get())
            .map_err(|err| invalid_map(format!("`sections`: {err}")))?;
        let mut sections = Vec::with_capacity(raw_sections.len());
        for (i, raw) in raw_sections.into_iter().enumerate() {
            check_section_types(i, &raw)?;
            let offset: RawOffset = match raw.offset {
                Some(offset) => serde_json::from_str(offset.get())
                    .map_err(|err| invalid_map(format!("`offset`: {err}")))?,
                None => return Err(invalid_map("a section's `offset` is missing")),
            };
            let Some(map) = raw.map.filter(|m| m.get() != "null") else {
                return Err(Error::new(
                    ErrorKind::CannotFlatten,
                    "a section of an index map in a section has no map",
                ));
            };
            let bytes = map.get().as_bytes();
            let start = bytes.as_ptr() as usize - base.as_ptr() as usize;
            sections.push((offset.line, offset.column, start, bytes.len()));
        }
        return flatten_sections(base, sections, rules);
    }
    let root =
        json::optional_str("sourceRoot", doc.source_root, false)?.filter(|root| !root.is_empty());
    fn items<'b, 'a>(list: &'b RawList<'a>) -> &'b [Raw<'a>] {
        match list {
            RawList::Items(items) => items,
            _ => &[],
        }
    }
    let sources: Vec<String> = items(&doc.sources)
        .iter()
        .map(|&item| {
            let source = json::str_value(item).unwrap_or_default();
            match &root {
                Some(root) => prefix_source(root, &source),
                None => source.into_owned(),
            }
        })
        .collect();
    let contents = items(&doc.sources_content)
        .iter()
        .map(|&item| json::locate_str(base, item))
        .collect();
    let names = items(&doc.names)
        .iter()
        .map(|&item| json::rust_sourcemap_name(item).map(|n| n.into_owned()))
        .collect::<Result<Vec<_>>>()?;
    let text: std::borrow::Cow<[u8]> = match doc.mappings {
        None => std::borrow::Cow::Borrowed(&[]),
        Some(raw) => match json::locate_str(base, raw) {
            Some(found) if !found.escaped => {
                std::borrow::Cow::Borrowed(&base[found.offset..found.offset + found.len])
            }
            Some(found) => std::borrow::Cow::Owned(
                json::unescape(&base[found.offset..found.offset + found.len])?.into_bytes(),
            ),
            None => return Err(invalid_map("`mappings` must be a string")),
        },
    };
    let limits = Limits {
        sources: u32::try_from(sources.len()).unwrap_or(u32::MAX),
        names: u32::try_from(names.len()).unwrap_or(u32::MAX),
    };
    let tokens = json::rust_sourcemap_tokens(&text, doc.range_mappings, limits)?;
    Ok(Flat {
        sources,
        contents,
        names,
        tokens,
    })
}

/// The most generated lines a flattened map may have: its text holds a `;` for each
/// (a section offset of 4 billion lines would make 4 GB of them from a few bytes).
const MAX_FLATTENED_LINES: u32 = 1 << 26;

/// Refuses tokens (sorted) on a generated line the flattened text cannot hold.
fn check_lines(tokens: &[RawToken]) -> Result<()> {
    match tokens.last() {
        Some(last) if last.dst_line >= MAX_FLATTENED_LINES => Err(Error::new(
            ErrorKind::LocationOverflow,
            format!(
                "a flattened index map holds up to {MAX_FLATTENED_LINES} generated lines; a \
                 section puts a mapping on line {}",
                last.dst_line
            ),
        )),
        _ => Ok(()),
    }
}

fn position_overflow() -> Error {
    Error::new(
        ErrorKind::LocationOverflow,
        "a section offset moves a generated position past 2^32-1",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::Bytes;
    use crate::load::{from_json, ViewOrIndex};
    use std::sync::Arc;

    fn flattened(json: &str, rules: Rules) -> Result<View> {
        match from_json(Arc::new(Bytes::Owned(json.as_bytes().to_vec())), rules)? {
            ViewOrIndex::Index(index) => index.flatten(),
            ViewOrIndex::View(_) => panic!("not an index map"),
        }
    }

    fn section(line: u32, column: u32, map: &str) -> String {
        format!(r#"{{"offset":{{"line":{line},"column":{column}}},"map":{map}}}"#)
    }

    #[test]
    fn a_section_far_down_is_refused_not_written_out() {
        let map = r#"{"version":3,"sources":["a"],"names":[],"mappings":"AAAA"}"#;
        let json = format!(
            r#"{{"version":3,"sections":[{}]}}"#,
            section(4_000_000_000, 0, map)
        );
        for rules in [
            Rules::LENIENT,
            Rules::from_flags(crate::rules::RUST_SOURCEMAP),
        ] {
            let Err(err) = flattened(&json, rules) else {
                panic!("a section that far down must be refused");
            };
            assert_eq!(err.kind, ErrorKind::LocationOverflow);
        }
    }

    #[test]
    fn flattens_as_rust_sourcemap() {
        let a = r#"{"version":3,"sourceRoot":"r/","sources":["a.js"],"names":["x"],"mappings":"AAAAA"}"#;
        let b =
            r#"{"version":3,"sources":["r/a.js","b.js"],"names":[1,"x"],"mappings":"AAAAA,CCAAC"}"#;
        let nested = format!(r#"{{"version":3,"sections":[{}]}}"#, section(1, 0, b));
        let json = format!(
            r#"{{"version":3,"sections":[{},{}]}}"#,
            section(3, 0, &nested),
            section(0, 2, a)
        );
        let rules = Rules::from_flags(crate::rules::RUST_SOURCEMAP);
        let view = flattened(&json, rules).unwrap();
        let text = |t: Option<&[u8]>| String::from_utf8(t.unwrap().to_vec()).unwrap();
        // Sections sorted, sources and names merged by name, the nested map's offsets added.
        assert_eq!(view.source_count(), 2);
        assert_eq!(text(view.source_name(0).unwrap()), "r/a.js");
        assert_eq!(text(view.name(1).unwrap()), "1");
        let tokens: Vec<_> = (0..view.tokens().unwrap().len())
            .map(|i| view.get_token(i).unwrap().unwrap())
            .map(|t| (t.dst_line, t.dst_col, t.src_id, t.name_id))
            .collect();
        assert_eq!(tokens, [(0, 2, 0, 0), (4, 0, 0, 1), (4, 1, 1, 0)]);
        // Read leniently, the sections out of order are an error.
        assert!(flattened(&json, Rules::LENIENT).is_err());
    }
}
