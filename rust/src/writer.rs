//! Writing a view out as source map JSON (ECMA-426): whatever the view was made from
//! (JSON, an index map flattened, a memdb).
//!
//! Sources are written as the map had them (before `sourceRoot` is applied) with the
//! `sourceRoot`; contents stored as the input's own JSON string literals are copied, not
//! unescaped and escaped again; `mappings` is encoded from the tokens, so a map read
//! leniently comes out valid.

use std::borrow::Cow;

use crate::error::Result;
pub(crate) use crate::json_text::string;
use crate::mappings::{Encoder, RawToken, NONE};
use crate::view::View;

#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions<'a> {
    pub with_source_contents: bool,
    pub with_names: bool,
    pub source_root: SourceRoot<'a>,
    /// Contents for the sources that have none (by source id; `None`: leave it so).
    pub added_contents: &'a [Option<&'a [u8]>],
    /// The ignore list to write instead of the view's.
    pub ignore_list: Option<&'a [u32]>,
    /// Source names to write instead of the view's (one per source; `None`: null).
    pub sources: Option<&'a [Option<&'a [u8]>]>,
    /// Zero bytes to put before the JSON: room its caller fills in (the C ABI's buffer
    /// header, so that the output is handed over without a copy).
    pub room_before: usize,
}

/// What `sourceRoot` to write.
#[derive(Debug, Clone, Copy, Default)]
pub enum SourceRoot<'a> {
    /// The view's own (none if it has none).
    #[default]
    Keep,
    Drop,
    Set(&'a [u8]),
}

/// The view as ECMA-426 JSON: `version`, `file`, `sourceRoot`, `sources`,
/// `sourcesContent`, `names`, `mappings`, `rangeMappings`, `ignoreList`, `debugId`,
/// `scopes` (optional fields only where the view has them).
pub fn to_json(view: &View, options: JsonOptions<'_>) -> Result<Vec<u8>> {
    // Room for the mappings and the contents as stored: growing a buffer of megabytes
    // step by step would copy it and fault in fresh pages at every step.
    let room = view.part(crate::view::Part::Mappings).len()
        + match options.with_source_contents {
            true => view.part(crate::view::Part::ContentsBlob).len(),
            false => 0,
        };
    let mut out = crate::bytes::buffer(options.room_before + room + 1024);
    out.resize(options.room_before, 0);
    out.extend_from_slice(b"{\"version\":3");
    if let Some(file) = view.file()? {
        key(&mut out, "file");
        string(&mut out, file);
    }
    let root = match options.source_root {
        SourceRoot::Keep => view.source_root()?,
        SourceRoot::Drop => None,
        SourceRoot::Set(root) => Some(root),
    };
    if let Some(root) = root {
        key(&mut out, "sourceRoot");
        string(&mut out, root);
    }
    if let Some(names) = options.sources {
        if names.len() != view.source_count() as usize {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::InvalidArgument,
                format!(
                    "{} source names given for {} sources",
                    names.len(),
                    view.source_count()
                ),
            ));
        }
    }
    key(&mut out, "sources");
    list(&mut out, view.source_count(), |out, id| {
        let name = match options.sources {
            Some(names) => names[id as usize],
            None => view.raw_source_name(id)?,
        };
        match name {
            Some(name) => string(out, name),
            None => out.extend_from_slice(b"null"),
        }
        Ok(())
    })?;
    let added = |id: u32| options.added_contents.get(id as usize).copied().flatten();
    let mut any_contents = false;
    for id in 0..view.source_count() {
        if any_contents || !options.with_source_contents {
            break;
        }
        any_contents = added(id).is_some() || view.has_source_contents(id)?;
    }
    if any_contents {
        key(&mut out, "sourcesContent");
        let contents = view.contents()?;
        list(&mut out, view.source_count(), |out, id| {
            match (contents.get(id)?, added(id)) {
                (None, None) => out.extend_from_slice(b"null"),
                (None, Some(text)) => string(out, text),
                (Some(stored), _) => stored_value(out, stored),
            }
            Ok(())
        })?;
    }
    let names = if options.with_names {
        view.name_count()
    } else {
        0
    };
    names_of(&mut out, view, names)?;
    key(&mut out, "mappings");
    out.push(b'"');
    let mut out = match view.plain_mappings()?.filter(|_| options.with_names) {
        // Valid as read: the tokens would encode to the same segments, a copy is cheaper.
        Some(text) => {
            out.extend_from_slice(text);
            out
        }
        None => {
            let mut encoder = Encoder::new(out);
            view.tokens()?.for_each(|token| match options.with_names {
                true => encoder.push(token),
                false => encoder.push(&RawToken {
                    name_id: NONE,
                    ..*token
                }),
            })?;
            encoder.finish()
        }
    };
    out.push(b'"');
    let ranges = range_mappings_field(view)?;
    if !ranges.is_empty() {
        key(&mut out, "rangeMappings");
        string(&mut out, &ranges);
    }
    match options.ignore_list {
        Some(ids) => ignore_list(&mut out, ids)?,
        None => ignore_list(&mut out, &view.ignore_list()?)?,
    }
    if let Some(debug_id) = view.debug_id()? {
        key(&mut out, "debugId");
        string(&mut out, debug_id);
    }
    // The scopes proposal's field, as read; it indexes `names`, so only with them.
    if options.with_names {
        if let Some(scopes) = view.scopes_text()? {
            key(&mut out, "scopes");
            string(&mut out, scopes);
        }
    }
    // React Native's function maps and Hermes' offsets: kept, or a rewritten map would
    // lose its function names.
    if let Some(maps) = view.function_maps()? {
        key(&mut out, "x_facebook_sources");
        list(&mut out, view.source_count(), |out, id| {
            maps.write_source(out, id)
        })?;
    }
    if let Some(offsets) = view.hermes_function_offsets()? {
        key(&mut out, "x_hermes_function_offsets");
        out.extend_from_slice(offsets); // JSON as the map had it (the parser checked it)
    }
    out.push(b'}');
    Ok(out)
}

/// The view's range mappings as the `rangeMappings` field (empty for none): each mark
/// located by its line and its index among the line's tokens.
fn range_mappings_field(view: &View) -> Result<Vec<u8>> {
    let marks = view.range_mapping_marks()?;
    let mut located = Vec::with_capacity(marks.len() / 4);
    for mark in marks.chunks_exact(4) {
        let index = u32::from_le_bytes([mark[0], mark[1], mark[2], mark[3]]);
        let Some(token) = view.get_token(index)? else {
            continue;
        };
        let first = match token.dst_line.checked_sub(1) {
            Some(above) => view.floor(above, u32::MAX)?.map_or(0, |(i, _)| i + 1),
            None => 0,
        };
        located.push((token.dst_line, index - first));
    }
    Ok(crate::range_mappings::encode(&located))
}

/// A `mappings` string for segments given as six u32 each (generated line and column,
/// source id, original line and column, name id; `NONE` for no source or no name), in any
/// order: they are sorted by generated position (stably: segments added at one position
/// keep their order).
pub fn encode_segments(records: &[u32]) -> Vec<u8> {
    let mut tokens: Vec<RawToken> = records
        .chunks_exact(6)
        .map(|r| RawToken {
            dst_line: r[0],
            dst_col: r[1],
            src_id: r[2],
            src_line: if r[2] == NONE { 0 } else { r[3] },
            src_col: if r[2] == NONE { 0 } else { r[4] },
            name_id: if r[2] == NONE { NONE } else { r[5] },
        })
        .collect();
    tokens.sort_by_key(|t| (t.dst_line, t.dst_col));
    let mut encoder = Encoder::new(Vec::with_capacity(tokens.len() * 6));
    for token in &tokens {
        encoder.push(token);
    }
    encoder.finish()
}

/// One part of a concatenation: its code, and its map if it has one (else the code is
/// its own source, called `name`).
pub struct ConcatPart<'a> {
    pub code: &'a [u8],
    pub map: Option<&'a View>,
    pub name: &'a [u8],
}

/// The map of the parts' code joined with `\n`, as JSON. A part with a map keeps its
/// segments, moved down by the lines before it, with its sources (`sourceRoot` applied),
/// contents, names and ignore list; segments past the part's own last line (its map
/// covers more code than it has) are dropped. A part without one becomes a source named
/// `name` with its code as contents, each of its lines mapped at column 0.
pub fn concat(parts: &[ConcatPart<'_>]) -> Result<Vec<u8>> {
    let mut out = MapOut::new();
    let mut line_offset = 0u32;
    let too_big = || {
        crate::error::Error::new(
            crate::error::ErrorKind::LocationOverflow,
            "the concatenation has more than 2^32 - 2 lines, sources or names",
        )
    };
    for part in parts {
        let lines = crate::lines::line_starts(part.code).len() as u32;
        let (source_base, name_base) = (out.sources.len() as u32, out.names.len() as u32);
        match part.map {
            Some(view) => {
                for id in 0..view.source_count() {
                    out.sources.push(json_value(view.source_name(id)?));
                    let contents = contents_value(view, id)?;
                    out.contents
                        .push(contents.unwrap_or(Cow::Borrowed(b"null")));
                }
                for id in 0..view.name_count() {
                    out.names
                        .push(json_value(Some(view.name(id)?.unwrap_or_default())));
                }
                out.ignored
                    .extend(view.ignore_list()?.iter().map(|id| source_base + id));
                let mut overflow = false;
                view.tokens()?.for_each(|t| {
                    if t.dst_line >= lines {
                        return;
                    }
                    let Some(dst_line) = t.dst_line.checked_add(line_offset) else {
                        overflow = true;
                        return;
                    };
                    let shifted = RawToken {
                        dst_line,
                        src_id: if t.has_source() {
                            t.src_id + source_base
                        } else {
                            NONE
                        },
                        name_id: if t.name_id == NONE {
                            NONE
                        } else {
                            t.name_id + name_base
                        },
                        ..*t
                    };
                    out.mappings.push(&shifted);
                })?;
                if overflow {
                    return Err(too_big());
                }
            }
            None => {
                out.sources.push(json_value(Some(part.name)));
                out.contents.push(Cow::Owned(json_value(Some(part.code))));
                for line in 0..lines {
                    out.mappings.push(&RawToken {
                        dst_line: line_offset.checked_add(line).ok_or_else(too_big)?,
                        dst_col: 0,
                        src_id: source_base,
                        src_line: line,
                        src_col: 0,
                        name_id: NONE,
                    });
                }
            }
        }
        line_offset = line_offset.checked_add(lines).ok_or_else(too_big)?;
        if out.sources.len() >= NONE as usize || out.names.len() >= NONE as usize {
            return Err(too_big());
        }
    }
    out.finish(None)
}

/// A map being written from tables gathered as JSON values and segments pushed in
/// generated order: what `concat` and `remap` fill and finish.
pub(crate) struct MapOut<'a> {
    /// Source names, each a JSON value (a string or `null`).
    pub sources: Vec<Vec<u8>>,
    /// One JSON value per source: its contents or `null` (a view's stored literal is
    /// borrowed: contents run to megabytes).
    pub contents: Vec<Cow<'a, [u8]>>,
    pub names: Vec<Vec<u8>>,
    pub ignored: Vec<u32>,
    pub mappings: Encoder,
}

impl<'a> MapOut<'a> {
    pub fn new() -> MapOut<'a> {
        MapOut {
            sources: Vec::new(),
            contents: Vec::new(),
            names: Vec::new(),
            ignored: Vec::new(),
            mappings: Encoder::new(Vec::new()),
        }
    }

    /// The map as JSON, with `file` if given and `sourcesContent` only if some source
    /// has contents.
    pub fn finish(self, file: Option<&[u8]>) -> Result<Vec<u8>> {
        Ok(self.json(file)?.0)
    }

    /// The map as a view: its JSON, parsed with the checkpoints its mappings' encoder
    /// built (if `Encoder::with_checkpoints`) rather than decoded again.
    pub fn into_view(self, file: Option<&[u8]>) -> Result<View> {
        let (json, prebuilt) = self.json(file)?;
        crate::load::from_written_json(json, prebuilt)
    }

    fn json(self, file: Option<&[u8]>) -> Result<(Vec<u8>, Option<crate::mappings::Prebuilt>)> {
        let (mappings, prebuilt) = self.mappings.finish_with_checkpoints();
        // Room for all of it at once: grown piecemeal, megabytes would be copied over
        // and over (a value takes its length and a comma; the keys and the rest, 200).
        let room = list_room(&self.sources)
            + list_room(&self.contents)
            + list_room(&self.names)
            + mappings.len()
            + file.map_or(0, |f| 2 * f.len())
            + 12 * self.ignored.len()
            + 200;
        let mut out = crate::bytes::buffer(room);
        out.extend_from_slice(b"{\"version\":3");
        if let Some(file) = file {
            key(&mut out, "file");
            string(&mut out, file);
        }
        key(&mut out, "sources");
        values(&mut out, &self.sources)?;
        if self.contents.iter().any(|c| c.as_ref() != b"null") {
            key(&mut out, "sourcesContent");
            values(&mut out, &self.contents)?;
        }
        key(&mut out, "names");
        values(&mut out, &self.names)?;
        key(&mut out, "mappings");
        out.push(b'"');
        out.extend_from_slice(&mappings);
        out.push(b'"');
        ignore_list(&mut out, &self.ignored)?;
        out.push(b'}');
        Ok((out, prebuilt))
    }
}

/// A stored string as a JSON value: the input's own string literal when it was stored
/// escaped (quotes included: valid JSON as it is, and not unescaped and escaped again),
/// else escaped here.
fn stored_value(out: &mut Vec<u8>, stored: crate::tables::StoredStr<'_>) {
    match stored.escaped {
        true => out.extend_from_slice(stored.bytes),
        false => string(out, stored.bytes),
    }
}

/// Source `id`'s contents as a JSON value, `None` if it has none.
pub(crate) fn contents_value(view: &View, id: u32) -> Result<Option<Cow<'_, [u8]>>> {
    Ok(view
        .contents()?
        .get(id)?
        .map(|stored| match stored.escaped {
            true => Cow::Borrowed(stored.bytes),
            false => {
                let mut out = Vec::with_capacity(stored.bytes.len() + 2);
                stored_value(&mut out, stored);
                Cow::Owned(out)
            }
        }))
}

/// A string (or `null`) as a JSON value.
pub(crate) fn json_value(text: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    match text {
        Some(text) => string(&mut out, text),
        None => out.extend_from_slice(b"null"),
    }
    out
}

/// A list of JSON values written already.
/// The bytes `values` writes for these values (each with its comma).
fn list_room(values: &[impl AsRef<[u8]>]) -> usize {
    values.iter().map(|v| v.as_ref().len() + 1).sum()
}

fn values(out: &mut Vec<u8>, values: &[impl AsRef<[u8]>]) -> Result<()> {
    list(out, values.len() as u32, |out, i| {
        out.extend_from_slice(values[i as usize].as_ref());
        Ok(())
    })
}

/// `"names":[...]`: the first `count` names of `view`.
pub(crate) fn names_of(out: &mut Vec<u8>, view: &View, count: u32) -> Result<()> {
    key(out, "names");
    list(out, count, |out, id| {
        string(out, view.name(id)?.unwrap_or_default());
        Ok(())
    })
}

/// `"ignoreList":[...]`, unless there are no ids.
pub(crate) fn ignore_list(out: &mut Vec<u8>, ids: &[u32]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    key(out, "ignoreList");
    list(out, ids.len() as u32, |out, i| {
        out.extend_from_slice(ids[i as usize].to_string().as_bytes());
        Ok(())
    })
}

pub(crate) fn key(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// `[item(0), item(1), ...]` for `count` items.
pub(crate) fn list(
    out: &mut Vec<u8>,
    count: u32,
    mut item: impl FnMut(&mut Vec<u8>, u32) -> Result<()>,
) -> Result<()> {
    out.push(b'[');
    for i in 0..count {
        if i > 0 {
            out.push(b',');
        }
        item(out, i)?;
    }
    out.push(b']');
    Ok(())
}
