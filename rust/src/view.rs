//! A source map view: the tables of one map, over JSON input or a memdb, with lookups and
//! metadata. Making a view is `load` (JSON, index maps) and `memdb` (caches); naming
//! functions and reading context lines is the engine's (`engine::Resolver`).

use std::borrow::Cow;

use crate::bytes::SharedBytes;
use crate::error::{bad_memdb, Error, ErrorKind, Result};
use crate::facebook::FunctionMaps;
use crate::function_table::FunctionTable;
use crate::integrity::{Blocks, Checked};
use crate::json::{self, Assembly, MappingsText};
use crate::mappings::{self, Limits, RawToken, TokenTable};
use crate::rules::Rules;
use crate::scopes::{MapCounts, Mode, Scopes, ScopesError};
use crate::tables::{le_u32, StringTable, StringTableBuilder};

pub use crate::part::{Part, PART_COUNT};

/// Entries of the meta table.
pub const META_FILE: u32 = 0;
pub const META_SOURCE_ROOT: u32 = 1;
pub const META_DEBUG_ID: u32 = 2;
/// The ignore list: source ids as little-endian u32s.
pub const META_IGNORE_LIST: u32 = 3;
/// Hermes' `x_hermes_function_offsets`, as the map wrote it (JSON).
pub const META_HERMES_OFFSETS: u32 = 4;
/// The `scopes` field's text (ECMA-426's scopes proposal), unescaped. A memdb written
/// before it has no such entry: it reads as absent, so the format needs no new version.
pub const META_SCOPES: u32 = 5;
/// The token indexes of the range mappings (`rangeMappings`) as little-endian u32s,
/// ascending; absent without any (and in a memdb written before them).
pub const META_RANGE_MAPPINGS: u32 = 6;

/// Which buffer a table lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    Input,
    Built,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub region: Region,
    pub start: usize,
    pub len: usize,
}

pub struct View {
    input: SharedBytes,
    built: Vec<u8>,
    spans: [Span; PART_COUNT],
    token_count: u32,
    limits: Limits,
    /// A memdb's block checksums; `None` for a view built from JSON.
    blocks: Option<Blocks>,
    /// The mappings text is plainly valid as it is (see `Checkpoints::plain`), so writing
    /// the view may copy it instead of encoding the tokens again. Never for a memdb,
    /// whose text may hold names its tables dropped.
    plain_mappings: bool,
    /// Set for a view read for one pass over its segments (`remap` reading a map given
    /// as text): *unindexed*, the C export's word for it, as no checkpoints were built
    /// of its mappings, so it has none and no token count; the pass decodes and checks
    /// the text under these rules (`for_each_token`).
    unindexed: Option<Rules>,
    /// The map marks range mappings (`META_RANGE_MAPPINGS`): lookups check for them.
    range_mappings: bool,
}

impl View {
    /// Builds the lookup tables for assembled parts.
    pub(crate) fn assemble(
        input: SharedBytes,
        asm: Assembly,
        mappings: MappingsText,
        rules: Rules,
    ) -> Result<View> {
        View::assemble_prebuilt(input, asm, mappings, rules, None)
    }

    /// `assemble` without building the mappings' checkpoints: a view for one pass over
    /// its segments (see `unindexed`). Building them is most of a parse (8.5 of 11 ms on
    /// a 14 MB map), and a pass that decodes every segment anyway checks the text as it
    /// goes.
    pub(crate) fn assemble_unindexed(
        input: SharedBytes,
        asm: Assembly,
        mappings: MappingsText,
        rules: Rules,
    ) -> Result<View> {
        let none = mappings::Prebuilt {
            checkpoints: mappings::Checkpoints {
                records: Vec::new(),
                token_count: 0,
                rewritten: None,
                plain: false,
            },
            sources: 0,
            names: 0,
        };
        let mut view = View::assemble_prebuilt(input, asm, mappings, rules, Some(none))?;
        view.unindexed = Some(rules);
        Ok(view)
    }

    /// `assemble`, with the checkpoints of `mappings` built by the writer of the text
    /// (`Encoder::with_checkpoints`) if given: used when the document lists the sources
    /// and names its ids need, else they are built from the text as usual.
    pub(crate) fn assemble_prebuilt(
        input: SharedBytes,
        mut asm: Assembly,
        mappings: MappingsText,
        rules: Rules,
        prebuilt: Option<mappings::Prebuilt>,
    ) -> Result<View> {
        let limits = Limits {
            sources: asm.source_count,
            names: asm.name_count,
        };
        let text = mappings.bytes(input.as_slice());
        let mut meta = StringTableBuilder::default();
        meta.push(asm.file.as_deref().map(str::as_bytes))?;
        meta.push(asm.source_root.as_deref().map(str::as_bytes))?;
        meta.push(asm.debug_id.as_deref().map(str::as_bytes))?;
        meta.push(Some(&le_words(&asm.ignore_list)))?;
        meta.push(asm.hermes_offsets.as_deref().map(str::as_bytes))?;
        meta.push(asm.scopes.as_deref().map(str::as_bytes))?;
        // (A mark past the last token, after a lenient read skipped a segment, is never
        // asked for.)
        let ranges = le_words(&asm.range_mappings);
        meta.push((!ranges.is_empty()).then_some(&ranges[..]))?;
        let facebook = std::mem::take(&mut asm.function_maps).finish();
        let tables: [&[u8]; 9] = [
            &asm.sources.index,
            &asm.sources.blob,
            &asm.names.index,
            &asm.names.blob,
            &asm.contents.index,
            &meta.index,
            &meta.blob,
            &asm.raw_sources.index,
            &asm.raw_sources.blob,
        ];
        // Every table in one allocation: the checkpoints are written into it first, by
        // `build_checkpoints_into`, and the rest go after them. Building them apart and
        // copying (or growing the buffer piecemeal) would copy megabytes and fault pages
        // in twice.
        let others = tables.iter().map(|t| t.len()).sum::<usize>()
            + facebook.iter().map(Vec::len).sum::<usize>();
        let prebuilt = prebuilt.filter(|p| p.sources <= limits.sources && p.names <= limits.names);
        let checkpoints = match prebuilt {
            Some(prebuilt) => prebuilt.checkpoints,
            None => {
                mappings::build_checkpoints_into(text, limits, rules, Vec::with_capacity(others))?
            }
        };
        let plain_mappings = checkpoints.plain;
        let own_text = match (&checkpoints.rewritten, &mappings) {
            (Some(text), _) | (None, MappingsText::Owned(text)) => Some(text.as_slice()),
            (None, MappingsText::Input { .. }) => None,
        };
        let token_count = checkpoints.token_count;
        let checkpoints_span = Span {
            region: Region::Built,
            start: 0,
            len: checkpoints.records.len(),
        };
        let mut built = checkpoints.records;
        built.reserve(others + own_text.map_or(0, <[u8]>::len));
        let mut place = |bytes: &[u8]| {
            let span = Span {
                region: Region::Built,
                start: built.len(),
                len: bytes.len(),
            };
            built.extend_from_slice(bytes);
            span
        };
        let mappings_span = match (own_text, &mappings) {
            (Some(text), _) => place(text),
            (None, MappingsText::Input { offset, len }) => Span {
                region: Region::Input,
                start: *offset,
                len: *len,
            },
            (None, MappingsText::Owned(_)) => unreachable!("owned mappings are placed"),
        };
        let sources = (place(&asm.sources.index), place(&asm.sources.blob));
        let names = (place(&asm.names.index), place(&asm.names.blob));
        let contents_index = place(&asm.contents.index);
        let meta = (place(&meta.index), place(&meta.blob));
        let raw_sources = (place(&asm.raw_sources.index), place(&asm.raw_sources.blob));
        let facebook = facebook.each_ref().map(|table| place(table));
        let contents_blob = Span {
            region: Region::Input,
            start: 0,
            len: input.as_slice().len(),
        };
        let nothing = Span {
            region: Region::Built,
            start: 0,
            len: 0,
        };
        let mut spans = [nothing; PART_COUNT];
        for (part, span) in [
            (Part::Mappings, mappings_span),
            (Part::Checkpoints, checkpoints_span),
            (Part::SourcesIndex, sources.0),
            (Part::SourcesBlob, sources.1),
            (Part::NamesIndex, names.0),
            (Part::NamesBlob, names.1),
            (Part::ContentsIndex, contents_index),
            (Part::ContentsBlob, contents_blob),
            (Part::MetaIndex, meta.0),
            (Part::MetaBlob, meta.1),
            (Part::RawSourcesIndex, raw_sources.0),
            (Part::RawSourcesBlob, raw_sources.1),
            (Part::FacebookIndex, facebook[0]),
            (Part::FacebookEntries, facebook[1]),
            (Part::FacebookNamesIndex, facebook[2]),
            (Part::FacebookNamesBlob, facebook[3]),
        ] {
            spans[part as usize] = span;
        }
        Ok(View {
            input,
            built,
            spans,
            token_count,
            limits,
            blocks: None,
            plain_mappings,
            unindexed: None,
            range_mappings: !ranges.is_empty(),
        })
    }

    /// A view over tables that live in `input` (a memdb); spans and the checksum table
    /// are validated by the caller. Reads only what the header says (lengths): opening
    /// touches no table.
    pub(crate) fn from_parts(
        input: SharedBytes,
        spans: [Span; PART_COUNT],
        token_count: u32,
        blocks: Blocks,
    ) -> Result<View> {
        let mut view = View {
            input,
            built: Vec::new(),
            spans,
            token_count,
            limits: Limits {
                sources: 0,
                names: 0,
            },
            blocks: Some(blocks),
            plain_mappings: false,
            unindexed: None,
            range_mappings: false,
        };
        view.limits = Limits {
            sources: view.sources()?.len(),
            names: view.names()?.len(),
        };
        view.range_mappings = !view.range_mapping_marks()?.is_empty();
        view.tokens()?.validate()?;
        view.contents()?;
        view.meta()?;
        view.stored_functions()?;
        view.stored_line_starts()?;
        if let Some(maps) = view.function_maps()? {
            maps.validate(view.source_count())?;
        }
        Ok(view)
    }

    /// The mappings text as it may be written out unchanged, if it is plainly valid.
    pub fn plain_mappings(&self) -> Result<Option<&[u8]>> {
        match self.plain_mappings {
            true => Ok(Some(self.part(Part::Mappings).all()?)),
            false => Ok(None),
        }
    }

    pub fn is_memdb(&self) -> bool {
        self.blocks.is_some()
    }

    /// A table's bytes, verified against the memdb's checksums as they are read.
    pub fn part(&self, part: Part) -> Checked<'_> {
        let span = self.spans[part as usize];
        let region: &[u8] = match span.region {
            Region::Input => self.input.as_slice(),
            Region::Built => &self.built,
        };
        let bytes = &region[span.start..span.start + span.len];
        match &self.blocks {
            Some(blocks) => Checked::guarded(blocks, region, part, bytes),
            None => Checked::trusted(bytes),
        }
    }

    fn table(&self, index: Part, blob: Part) -> Result<StringTable<'_>> {
        StringTable::new(self.part(index), self.part(blob))
    }

    /// The searchable token table; an error for a view read for one pass (no checkpoints).
    pub fn tokens(&self) -> Result<TokenTable<'_>> {
        if self.unindexed.is_some() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "this view was read for one pass over its segments: it has no token index",
            ));
        }
        Ok(TokenTable::new(
            self.part(Part::Mappings),
            self.part(Part::Checkpoints),
            self.token_count,
            self.limits,
        ))
    }

    /// Every segment in generated order, for any view. An unindexed view decodes its text
    /// here, checked under the rules it was read with, and in text order: a line written
    /// out of column order comes as written (`visit` returns false to stop early).
    pub fn for_each_token(&self, mut visit: impl FnMut(&RawToken) -> bool) -> Result<()> {
        match self.unindexed {
            Some(rules) => {
                let text = self.part(Part::Mappings).all()?;
                mappings::walk(text, self.limits, rules, visit)
            }
            None => {
                let mut going = true;
                self.tokens()?.for_each(|token| {
                    if going {
                        going = visit(token);
                    }
                })
            }
        }
    }

    pub fn sources(&self) -> Result<StringTable<'_>> {
        self.table(Part::SourcesIndex, Part::SourcesBlob)
    }

    pub fn names(&self) -> Result<StringTable<'_>> {
        self.table(Part::NamesIndex, Part::NamesBlob)
    }

    pub fn contents(&self) -> Result<StringTable<'_>> {
        self.table(Part::ContentsIndex, Part::ContentsBlob)
    }

    fn meta(&self) -> Result<StringTable<'_>> {
        self.table(Part::MetaIndex, Part::MetaBlob)
    }

    pub fn source_count(&self) -> u32 {
        self.limits.sources
    }

    pub fn name_count(&self) -> u32 {
        self.limits.names
    }

    /// The token for a generated position and its index, see `TokenTable::lookup`. In a
    /// map with range mappings, a position after a range mapping (up to the next
    /// mapping, on its line or a later one) gets the range's token moved by the offset:
    /// its generated position the one asked for, its original position moved as far
    /// (on a later line: as many lines down, at the column asked for), without a name.
    pub fn lookup(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.lookup_in(&self.tokens()?, line, col)
    }

    /// `lookup` through this view's `tokens()`, fetched once for many lookups.
    pub fn lookup_in(
        &self,
        tokens: &TokenTable<'_>,
        line: u32,
        col: u32,
    ) -> Result<Option<(u32, RawToken)>> {
        if self.range_mappings {
            if let Some((index, token)) = tokens.floor(line, col)? {
                if token.dst() < (line, col) && token.has_source() && self.is_range(index)? {
                    if let Some(moved) = range_offset(&token, line, col) {
                        return Ok(Some((index, moved)));
                    }
                }
            }
        }
        tokens.lookup(line, col)
    }

    /// Whether token `index` is a range mapping (the marks are ascending).
    fn is_range(&self, index: u32) -> Result<bool> {
        let marks = self.range_mapping_marks()?;
        let mark = |i: usize| le_u32(marks, i * 4).unwrap_or(u32::MAX);
        let at = mappings::partition_point_from(marks.len() / 4, 0, |i| {
            Ok::<_, Error>(mark(i) < index)
        })?;
        Ok(at < marks.len() / 4 && mark(at) == index)
    }

    /// The range mappings' token indexes as little-endian u32s, ascending (empty for
    /// none).
    pub fn range_mapping_marks(&self) -> Result<&[u8]> {
        let marks = View::plain(self.meta(), META_RANGE_MAPPINGS)?.unwrap_or(&[]);
        if marks.len() % 4 != 0 {
            return Err(bad_memdb("the range mappings are not a list of u32s"));
        }
        Ok(marks)
    }

    /// The last segment at or before (`line`, `col`) on `line`, mapped or not.
    pub fn last_segment(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        Ok(self.floor(line, col)?.filter(|(_, t)| t.dst_line == line))
    }

    /// The last token at or before (`line`, `col`), on any line (see `TokenTable::floor`).
    pub fn floor(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.tokens()?.floor(line, col)
    }

    /// The greatest lower bound of (`line`, `col`) among all segments, on any line,
    /// mapped or not: the last one before it, or on an exact hit the *first* of the
    /// segments at (`line`, `col`) (rust-sourcemap's lookup, which symbolic answers with).
    pub fn greatest_lower_bound(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.greatest_lower_bound_from(&std::cell::Cell::new(0), line, col)
    }

    /// `greatest_lower_bound` for lookups that move forward (see `TokenTable::floor_from`).
    pub fn greatest_lower_bound_from(
        &self,
        hint: &std::cell::Cell<usize>,
        line: u32,
        col: u32,
    ) -> Result<Option<(u32, RawToken)>> {
        let Some((mut index, mut token)) = self.tokens()?.floor_from(hint, line, col)? else {
            return Ok(None);
        };
        if token.dst() == (line, col) {
            // Off the hot path: only exact hits on shared positions walk back.
            while let Some(previous) = index.checked_sub(1) {
                match self.get_token(previous)? {
                    Some(earlier) if earlier.dst() == (line, col) => {
                        (index, token) = (previous, earlier)
                    }
                    _ => break,
                }
            }
        }
        Ok(Some((index, token)))
    }

    /// The token a bytecode map answers for (`line`, `col`), as metro-symbolicate finds it
    /// (mozilla source-map's greatest lower bound): of the segments on `line` at the
    /// greatest column at or before `col`, the first, mapped or not.
    pub fn bytecode_lookup(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        let Some((mut index, mut token)) = self.last_segment(line, col)? else {
            return Ok(None);
        };
        let at = token.dst();
        while let Some(previous) = index.checked_sub(1) {
            match self.get_token(previous)? {
                Some(earlier) if earlier.dst() == at => (index, token) = (previous, earlier),
                _ => break,
            }
        }
        Ok(Some((index, token)))
    }

    /// The token stack frames resolve through: `bytecode_lookup` in a bytecode map (one
    /// with `x_hermes_function_offsets`), else `lookup`.
    pub fn frame_lookup(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        match self.hermes_function_offsets()? {
            Some(_) => self.bytecode_lookup(line, col),
            None => self.lookup(line, col),
        }
    }

    pub fn get_token(&self, index: u32) -> Result<Option<RawToken>> {
        self.tokens()?.get(index)
    }

    /// A plain (never escaped) string from a table.
    fn plain(table: Result<StringTable<'_>>, id: u32) -> Result<Option<&[u8]>> {
        Ok(table?.get(id)?.map(|s| s.bytes))
    }

    /// The source name (resolved against `sourceRoot`), `None` if null or out of range.
    pub fn source_name(&self, id: u32) -> Result<Option<&[u8]>> {
        View::plain(self.sources(), id)
    }

    /// The source name as written in the map, before `sourceRoot` is applied.
    pub fn raw_source_name(&self, id: u32) -> Result<Option<&[u8]>> {
        View::plain(self.table(Part::RawSourcesIndex, Part::RawSourcesBlob), id)
    }

    pub fn name(&self, id: u32) -> Result<Option<&[u8]>> {
        View::plain(self.names(), id)
    }

    pub fn file(&self) -> Result<Option<&[u8]>> {
        View::plain(self.meta(), META_FILE)
    }

    pub fn source_root(&self) -> Result<Option<&[u8]>> {
        View::plain(self.meta(), META_SOURCE_ROOT)
    }

    pub fn debug_id(&self) -> Result<Option<&[u8]>> {
        View::plain(self.meta(), META_DEBUG_ID)
    }

    /// Source ids from `ignoreList` (or `x_google_ignoreList`), as little-endian u32s.
    pub fn ignore_list_bytes(&self) -> Result<&[u8]> {
        Ok(View::plain(self.meta(), META_IGNORE_LIST)?.unwrap_or(&[]))
    }

    /// Source ids from `ignoreList` (or `x_google_ignoreList`).
    pub fn ignore_list(&self) -> Result<Vec<u32>> {
        Ok(self
            .ignore_list_bytes()?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The embedded source text: borrowed when stored plainly, unescaped on demand.
    pub fn source_contents(&self, id: u32) -> Result<Option<Cow<'_, [u8]>>> {
        match self.contents()?.get(id)? {
            None => Ok(None),
            Some(stored) if stored.escaped => {
                Ok(Some(Cow::Owned(json::unescape(stored.bytes)?.into_bytes())))
            }
            Some(stored) => Ok(Some(Cow::Borrowed(stored.bytes))),
        }
    }

    /// Whether source `id` has contents: its table entry is read, not its text.
    pub fn has_source_contents(&self, id: u32) -> Result<bool> {
        Ok(self.contents()?.get_unverified(id)?.is_some())
    }

    /// The resolved function table a memdb stored; `None` if it has none.
    pub fn stored_functions(&self) -> Result<Option<FunctionTable<'_>>> {
        let table = FunctionTable::new(
            self.part(Part::FunctionRecords),
            self.part(Part::FunctionNamesIndex),
            self.part(Part::FunctionNamesBlob),
        )?;
        Ok(Some(table).filter(|t| !t.is_empty()))
    }

    /// React Native's function maps of the sources (`x_facebook_sources`), if any has one.
    pub fn function_maps(&self) -> Result<Option<FunctionMaps<'_>>> {
        let index = self.part(Part::FacebookIndex);
        if index.is_empty() {
            return Ok(None);
        }
        let names = self.table(Part::FacebookNamesIndex, Part::FacebookNamesBlob)?;
        Ok(Some(FunctionMaps::new(
            index,
            self.part(Part::FacebookEntries),
            names,
        )))
    }

    /// Hermes' `x_hermes_function_offsets` as the map wrote it (JSON); its presence makes
    /// this a bytecode map: generated columns are bytecode offsets.
    pub fn hermes_function_offsets(&self) -> Result<Option<&[u8]>> {
        View::plain(self.meta(), META_HERMES_OFFSETS)
    }

    /// The meta table's two parts (index, blob) with entry `dropped` absent: what a dump
    /// that leaves that entry out stores.
    pub fn meta_without(&self, dropped: u32) -> Result<(Vec<u8>, Vec<u8>)> {
        let meta = self.meta()?;
        let mut out = StringTableBuilder::default();
        for id in 0..meta.len() {
            let entry = match id == dropped {
                true => None,
                false => meta.get(id)?.map(|s| s.bytes),
            };
            out.push(entry)?;
        }
        Ok((out.index, out.blob))
    }

    /// The `scopes` field's text as the map wrote it (unescaped); `None` without one.
    pub fn scopes_text(&self) -> Result<Option<&[u8]>> {
        View::plain(self.meta(), META_SCOPES)
    }

    /// The `scopes` field decoded leniently (the spec's fallbacks): `None` without one,
    /// `Some(Err(_))` for a field that cannot be read (the map itself stays readable;
    /// strict mode refused such a map when it was parsed).
    pub fn scopes(&self) -> Result<Option<std::result::Result<Scopes, ScopesError>>> {
        let Some(text) = self.scopes_text()? else {
            return Ok(None);
        };
        let counts = MapCounts {
            names: self.name_count() as usize,
            sources: self.source_count() as usize,
        };
        Ok(Some(crate::scopes::decode(text, counts, Mode::Lenient)))
    }

    /// The memdb's line starts of every source (`ContentLinesIndex`, `ContentLines`),
    /// checked for size; `None` in a JSON view or a memdb written without source contents.
    pub fn stored_line_starts(&self) -> Result<Option<(Checked<'_>, Checked<'_>)>> {
        let (index, starts) = (
            self.part(Part::ContentLinesIndex),
            self.part(Part::ContentLines),
        );
        if index.is_empty() {
            return Ok(None);
        }
        if index.len() != (self.source_count() as usize + 1) * 4 || starts.len() % 4 != 0 {
            return Err(crate::error::bad_memdb(
                "memdb line index has the wrong size",
            ));
        }
        Ok(Some((index, starts)))
    }
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("tokens", &self.token_count)
            .field("sources", &self.limits.sources)
            .field("names", &self.limits.names)
            .field("memdb", &self.is_memdb())
            .finish()
    }
}

/// `values` as little-endian bytes: how the meta table keeps lists of ids.
fn le_words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// `token`, a range mapping before (`line`, `col`), moved there; `None` if the original
/// position would pass 2^32 - 1.
fn range_offset(token: &RawToken, line: u32, col: u32) -> Option<RawToken> {
    let (src_line, src_col) = match line - token.dst_line {
        0 => (
            token.src_line,
            token.src_col.checked_add(col - token.dst_col)?,
        ),
        down => (token.src_line.checked_add(down)?, col),
    };
    Some(RawToken {
        dst_line: line,
        dst_col: col,
        src_line,
        src_col,
        name_id: crate::mappings::NONE,
        ..*token
    })
}
