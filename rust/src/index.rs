//! Index maps (ECMA-426 "index source map"): a list of sections, each a regular map placed
//! at a generated line/column offset. Flattening merges them into one view.

use serde::Deserialize;

use crate::bytes::SharedBytes;
use crate::error::{invalid_map, Error, ErrorKind, Result};
use crate::json::{self, Assembly, Document, MappingsText, Raw};
use crate::mappings::{self, Limits, NONE};
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
            if let Some(prev) = sections.last().map(|s: &Section| (s.line, s.column)) {
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
            let text: &[u8] = match &text {
                MappingsText::Input { offset, len } => &base[*offset..*offset + *len],
                MappingsText::Owned(text) => text,
            };
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
        tokens.sort_by_key(|t| (t.dst_line, t.dst_col));
        let text = mappings::encode(&tokens);
        View::assemble(
            self.input.clone(),
            asm,
            MappingsText::Owned(text),
            Rules::LENIENT,
        )
    }
}

fn position_overflow() -> Error {
    Error::new(
        ErrorKind::LocationOverflow,
        "a section offset moves a generated position past 2^32-1",
    )
}
