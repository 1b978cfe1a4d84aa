//! A source map view: the tables of one map, over JSON input or a memdb, with lookups.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::bytes::{Bytes, SharedBytes};
use crate::error::{Error, ErrorKind, Result};
use crate::functions::{self, Answer, FunctionTable, OriginalSource, PendingFunctions};
use crate::index::Index;
use crate::json::{self, Assembly, MappingsText};
use crate::lines;
use crate::mappings::{self, Limits, RawToken, TokenTable, NONE};
use crate::rules::Rules;
use crate::tables::{self, StringTable, StringTableBuilder};

/// The tables of a view, in memdb order (see `memdb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Mappings,
    Checkpoints,
    SourcesIndex,
    SourcesBlob,
    NamesIndex,
    NamesBlob,
    ContentsIndex,
    ContentsBlob,
    MetaIndex,
    MetaBlob,
    /// Sources as written, before `sourceRoot` is applied (for sourcemap 0.2.1's join).
    RawSourcesIndex,
    RawSourcesBlob,
    /// The minified source's function table (see `functions`); empty until attached.
    FunctionRecords,
    FunctionNamesIndex,
    FunctionNamesBlob,
    /// Where each source's lines start, for context lines without scanning the source:
    /// `source count + 1` u32 offsets into `ContentLines` (in u32 units), then there the
    /// byte offset of every line start. Stored in a memdb; empty in a JSON view, which
    /// scans a source on its first context line instead (see `source_lines`).
    ContentLinesIndex,
    ContentLines,
}

pub const PART_COUNT: usize = 17;

/// Entries of the meta table.
pub const META_FILE: u32 = 0;
pub const META_SOURCE_ROOT: u32 = 1;
pub const META_DEBUG_ID: u32 = 2;
/// The ignore list: source ids as little-endian u32s.
pub const META_IGNORE_LIST: u32 = 3;

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
    from_memdb: bool,
    /// The function table of an attached minified source (see `attach_minified_source`).
    attached: OnceLock<PendingFunctions>,
    /// Original sources parsed for function names, by source id (`None`: no contents or
    /// not parseable), kept for the life of the view.
    originals: Mutex<HashMap<u32, Option<Arc<OriginalSource>>>>,
    /// Line starts of sources scanned for context lines (JSON views), by source id.
    line_starts: Mutex<HashMap<u32, Arc<LinedText>>>,
}

/// A source's line starts, and its text if it had to be unescaped (else it is read from
/// the view each time, in place).
struct LinedText {
    unescaped: Option<Vec<u8>>,
    starts: Vec<u32>,
}

/// What a JSON document turned out to be (a short-lived return value, so the size
/// difference between the variants does not matter).
#[allow(clippy::large_enum_variant)]
pub enum ViewOrIndex {
    View(View),
    Index(Index),
}

impl View {
    /// Parses source map JSON; an index map comes back as an `Index`.
    pub fn from_json(input: SharedBytes, rules: Rules) -> Result<ViewOrIndex> {
        let all = input.as_slice();
        let body = json::strip_xssi_prefix(all);
        let doc = json::parse_document(body)?;
        if doc.sections.is_some() {
            if doc.mappings.is_some() && rules.fields {
                return Err(crate::error::invalid_map(
                    "an index map must not have `mappings` beside `sections`",
                ));
            }
            let index = Index::from_document(input.clone(), &doc, rules)?;
            return Ok(ViewOrIndex::Index(index));
        }
        let mut asm = Assembly::default();
        let mappings = json::assemble_map(all, &doc, rules, &mut asm)?;
        Ok(ViewOrIndex::View(View::assemble(
            input, asm, mappings, rules,
        )?))
    }

    /// Copies `bytes` and parses them; convenient for Rust callers and tests.
    pub fn from_json_slice(bytes: &[u8]) -> Result<ViewOrIndex> {
        View::from_json(Arc::new(Bytes::Owned(bytes.to_vec())), Rules::LENIENT)
    }

    /// Builds the lookup tables for assembled parts.
    pub(crate) fn assemble(
        input: SharedBytes,
        asm: Assembly,
        mappings: MappingsText,
        rules: Rules,
    ) -> Result<View> {
        let limits = Limits {
            sources: asm.source_count,
            names: asm.name_count,
        };
        let text: &[u8] = match &mappings {
            MappingsText::Input { offset, len } => &input.as_slice()[*offset..*offset + *len],
            MappingsText::Owned(text) => text,
        };
        let mut meta = StringTableBuilder::default();
        meta.push(asm.file.as_deref().map(str::as_bytes))?;
        meta.push(asm.source_root.as_deref().map(str::as_bytes))?;
        meta.push(asm.debug_id.as_deref().map(str::as_bytes))?;
        let ignore: Vec<u8> = asm
            .ignore_list
            .iter()
            .flat_map(|id| id.to_le_bytes())
            .collect();
        meta.push(Some(&ignore))?;
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
        // the indexer, and the rest go after them. Building them apart and copying (or
        // growing the buffer piecemeal) would copy megabytes and fault pages in twice.
        let others = tables.iter().map(|t| t.len()).sum::<usize>();
        let indexed = mappings::index_into(text, limits, rules, Vec::with_capacity(others))?;
        let own_text = match (&indexed.rewritten, &mappings) {
            (Some(text), _) | (None, MappingsText::Owned(text)) => Some(text.as_slice()),
            (None, MappingsText::Input { .. }) => None,
        };
        let token_count = indexed.token_count;
        let checkpoints = Span {
            region: Region::Built,
            start: 0,
            len: indexed.checkpoints.len(),
        };
        let mut built = indexed.checkpoints;
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
        Ok(View {
            input,
            built,
            spans: [
                mappings_span,
                checkpoints,
                sources.0,
                sources.1,
                names.0,
                names.1,
                contents_index,
                contents_blob,
                meta.0,
                meta.1,
                raw_sources.0,
                raw_sources.1,
                nothing,
                nothing,
                nothing,
                nothing,
                nothing,
            ],
            token_count,
            limits,
            from_memdb: false,
            attached: OnceLock::new(),
            originals: Mutex::default(),
            line_starts: Mutex::default(),
        })
    }

    /// A view over tables that live in `input` (a memdb); spans are validated by the caller.
    pub(crate) fn from_parts(
        input: SharedBytes,
        spans: [Span; PART_COUNT],
        token_count: u32,
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
            from_memdb: true,
            attached: OnceLock::new(),
            originals: Mutex::default(),
            line_starts: Mutex::default(),
        };
        view.limits = Limits {
            sources: view.sources()?.len(),
            names: view.names()?.len(),
        };
        view.tokens().validate()?;
        view.contents()?;
        view.meta()?;
        view.stored_functions()?;
        view.stored_line_index()?;
        Ok(view)
    }

    pub fn is_memdb(&self) -> bool {
        self.from_memdb
    }

    pub fn part(&self, part: Part) -> &[u8] {
        let span = self.spans[part as usize];
        let region: &[u8] = match span.region {
            Region::Input => self.input.as_slice(),
            Region::Built => &self.built,
        };
        &region[span.start..span.start + span.len]
    }

    fn table(&self, index: Part, blob: Part) -> Result<StringTable<'_>> {
        StringTable::new(self.part(index), self.part(blob))
    }

    pub fn tokens(&self) -> TokenTable<'_> {
        TokenTable::new(
            self.part(Part::Mappings),
            self.part(Part::Checkpoints),
            self.token_count,
            self.limits,
        )
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

    pub fn token_count(&self) -> u32 {
        self.token_count
    }

    pub fn source_count(&self) -> u32 {
        self.limits.sources
    }

    pub fn name_count(&self) -> u32 {
        self.limits.names
    }

    /// The token for a generated position and its index, see `TokenTable::lookup`.
    pub fn lookup(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.tokens().lookup(line, col)
    }

    /// The last token at or before (`line`, `col`), on any line (see `TokenTable::floor`).
    pub fn floor(&self, line: u32, col: u32) -> Result<Option<(u32, RawToken)>> {
        self.tokens().floor(line, col)
    }

    pub fn get_token(&self, index: u32) -> Result<Option<RawToken>> {
        self.tokens().get(index)
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

    pub fn has_source_contents(&self, id: u32) -> Result<bool> {
        Ok(self.contents()?.get(id)?.is_some())
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

    /// Whether a minified source is attached or the memdb stored its function table.
    pub fn has_function_table(&self) -> Result<bool> {
        Ok(self.attached.get().is_some() || self.stored_functions()?.is_some())
    }

    /// The attached function table with every function named, for a memdb dump (this
    /// parses every original source it needs, in parallel); `None` without an attached
    /// table. (A memdb's own table is stored resolved: see `stored_functions`.)
    pub fn resolved_functions(&self) -> Result<Option<functions::OwnedFunctions>> {
        match self.attached.get() {
            Some(pending) => pending.resolve_all(self).map(Some),
            None => Ok(None),
        }
    }

    /// Parses map JSON (an index map flattened, see `ViewOrIndex::into_loadable`) and, at
    /// the same time on a parser thread, the minified source the map belongs to, whose
    /// function table is then attached as by `attach_minified_source`. Once the map is
    /// parsed, and while the minified source still is, the original sources that the
    /// generated `positions` (0-based; may be none) map into are parsed too: everything a
    /// fresh symbolication of those frames needs, with each parse started as soon as what
    /// it depends on is there. A source that does not parse is skipped, as in
    /// `prepare_frames` (names then come from the original sources alone).
    pub fn from_json_with_source(
        input: SharedBytes,
        rules: Rules,
        source: &str,
        positions: &[(u32, u32)],
    ) -> Result<View> {
        let (view, minified) = std::thread::scope(|s| -> Result<_> {
            let minified = crate::scopes::spawn_parser(s, || functions::parse_minified(source))?;
            // No table yet: `prepare_frames` parses just the originals the positions map into.
            let view = View::from_json(input, rules)
                .and_then(ViewOrIndex::into_loadable)
                .and_then(|view| view.prepare_frames(None, positions).map(|()| view));
            Ok((view, crate::scopes::joined(minified)))
        })?;
        let view = view?;
        match minified {
            Ok(parsed) => {
                let table = functions::table_from(&view, source, &parsed)?;
                view.attached.set(table).map_err(|_| already_attached())?;
            }
            Err(e) if e.kind == ErrorKind::BadSource => {}
            Err(e) => return Err(e),
        }
        Ok(view)
    }

    /// Parses the minified source this map belongs to and keeps its function table, for
    /// `original_function_name` and for memdb dumps. Once per view.
    pub fn attach_minified_source(&self, source: &str) -> Result<()> {
        if self.has_function_table()? {
            return Err(already_attached());
        }
        let built = functions::build(self, source)?;
        self.attached.set(built).map_err(|_| already_attached())
    }

    /// Gets ready to name the functions of the frames at generated `positions`: parses
    /// the minified `source` (unless a table is there already) and the original sources
    /// the positions map into, at the same time on up to `parser_threads` threads.
    /// Everything it parses is kept; later lookups for these frames parse nothing.
    /// Errors from the minified source (`BadSource`) are returned after the originals are
    /// parsed, so names from `sourcesContent` still work.
    pub fn prepare_frames(&self, source: Option<&str>, positions: &[(u32, u32)]) -> Result<()> {
        enum Job<'s> {
            Minified(&'s str),
            Original(u32),
        }
        let mut jobs = Vec::new();
        if let Some(source) = source {
            if !self.has_function_table()? {
                jobs.push(Job::Minified(source));
            }
        }
        let attaching = !jobs.is_empty();
        let mut wanted = Vec::new();
        for &(line, col) in positions {
            for id in self.originals_needed(line, col, attaching)? {
                if id != NONE && !wanted.contains(&id) {
                    wanted.push(id);
                }
            }
        }
        jobs.extend(self.unparsed(&wanted).into_iter().map(Job::Original));
        let threads = crate::scopes::parser_threads();
        let results = crate::scopes::in_parallel(&jobs, threads, |job| match job {
            Job::Minified(source) => match self.attach_minified_source(source) {
                Err(e) if e.kind == ErrorKind::InvalidArgument => Ok(Ok(())), // raced
                other => Ok(other),
            },
            Job::Original(id) => self.original_source(*id).map(|_| Ok(())),
        })?;
        results.into_iter().collect()
    }

    /// Parses the original sources `ids` that are not parsed yet, in parallel.
    pub fn parse_originals(&self, ids: &[u32]) -> Result<()> {
        let threads = crate::scopes::parser_threads();
        crate::scopes::in_parallel(&self.unparsed(ids), threads, |&id| self.original_source(id))?;
        Ok(())
    }

    /// Those of `ids` whose original source has not been parsed (or tried) yet.
    fn unparsed(&self, ids: &[u32]) -> Vec<u32> {
        let cached = self.originals.lock().unwrap_or_else(|e| e.into_inner());
        ids.iter()
            .copied()
            .filter(|id| !cached.contains_key(id))
            .collect()
    }

    /// The original sources naming the function at generated (`line`, `col`) will parse
    /// (`NONE` for none): the one its function's code comes from and the one the position
    /// maps into, less what a stored table answers by itself. `attaching`: a table is
    /// about to be built, so both are needed.
    fn originals_needed(&self, line: u32, col: u32, attaching: bool) -> Result<[u32; 2]> {
        let mapped = self.mapped_token(line, col)?;
        let mapped_src = mapped.as_ref().map_or(NONE, |t| t.src_id);
        if attaching {
            return Ok([mapped_src, NONE]);
        }
        if let Some(pending) = self.attached.get() {
            return Ok([pending.first_source_at(line, col)?, mapped_src]);
        }
        if let Some(table) = self.stored_functions()? {
            if table_answers(&table.lookup(line, col)?, mapped.as_ref()) {
                return Ok([NONE, NONE]);
            }
        }
        Ok([mapped_src, NONE])
    }

    /// The token at generated (`line`, `col`), if it has an original position.
    fn mapped_token(&self, line: u32, col: u32) -> Result<Option<RawToken>> {
        Ok(self
            .lookup(line, col)?
            .map(|(_, t)| t)
            .filter(RawToken::has_source))
    }

    /// The original name of the function around generated (`line`, `col`) (see
    /// `functions` for how it is found); `None` if there is none or it is anonymous.
    pub fn original_function_name(&self, line: u32, col: u32) -> Result<Option<Cow<'_, [u8]>>> {
        let mapped = self.mapped_token(line, col)?;
        let answer = match (self.attached.get(), self.stored_functions()?) {
            (Some(pending), _) => pending.lookup(self, line, col)?,
            (None, Some(table)) => table.lookup(line, col)?,
            (None, None) => Answer::Unknown,
        };
        if table_answers(&answer, mapped.as_ref()) {
            if let Answer::Name(name, _) = answer {
                return Ok(name);
            }
        }
        let Some(token) = mapped else {
            return Ok(None);
        };
        let Some(original) = self.original_source(token.src_id)? else {
            return Ok(None);
        };
        Ok(original
            .function_name(token.src_line, token.src_col)
            .map(|name| Cow::Owned(name.as_bytes().to_vec())))
    }

    /// Source `src_id` parsed for function names, once per view; `None` without contents
    /// or when it does not parse.
    pub(crate) fn original_source(&self, src_id: u32) -> Result<Option<Arc<OriginalSource>>> {
        let cached = self
            .originals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&src_id)
            .cloned();
        if let Some(entry) = cached {
            return Ok(entry);
        }
        // Parsed outside the lock: another thread may do the same work meanwhile, and the
        // first result stored wins; no thread waits on another's parse.
        let parsed = functions::parse_original(self, src_id)?.map(Arc::new);
        let mut originals = self.originals.lock().unwrap_or_else(|e| e.into_inner());
        Ok(originals.entry(src_id).or_insert(parsed).clone())
    }

    // -- context lines ------------------------------------------------------------------

    /// The memdb's line index (`ContentLinesIndex`, `ContentLines`), checked for size;
    /// `None` in a JSON view or a memdb written without source contents.
    fn stored_line_index(&self) -> Result<Option<(&[u8], &[u8])>> {
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

    /// Lines `from..to` of source `src_id`'s contents (as many as exist), each without
    /// its terminator and followed by `\n`; `None` if the source has no contents.
    /// A memdb reads its stored line index; a JSON view scans a source once, on its
    /// first use, and keeps the line starts.
    pub fn source_lines(&self, src_id: u32, from: u32, to: u32) -> Result<Option<Vec<u8>>> {
        let Some(stored) = self.contents()?.get(src_id)? else {
            return Ok(None);
        };
        if let Some((index, starts)) = self.stored_line_index()? {
            let entry = |i: u32| tables::le_u32(index, i as usize * 4);
            let corrupt = || crate::error::bad_memdb("memdb line index out of range");
            let (first, last) = (
                entry(src_id).ok_or_else(corrupt)?,
                entry(src_id + 1).ok_or_else(corrupt)?,
            );
            if first > last || last as usize * 4 > starts.len() {
                return Err(corrupt());
            }
            let count = last - first;
            let start_of = |line: usize| match line < count as usize {
                true => tables::le_u32(starts, (first as usize + line) * 4),
                false => None,
            };
            return join_lines(stored.bytes, start_of, from, to).map(Some);
        }
        // A source parsed for function names has its text and line starts already.
        let parsed = self
            .originals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&src_id)
            .cloned()
            .flatten();
        if let Some(original) = parsed {
            let (text, index) = original.text();
            return join_lines(text.as_bytes(), |line| index.start(line), from, to).map(Some);
        }
        let lined = self.lined_text(src_id, stored)?;
        let text = lined.unescaped.as_deref().unwrap_or(stored.bytes);
        join_lines(text, |line| lined.starts.get(line).copied(), from, to).map(Some)
    }

    fn lined_text(&self, src_id: u32, stored: tables::StoredStr<'_>) -> Result<Arc<LinedText>> {
        if let Some(found) = self
            .line_starts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&src_id)
        {
            return Ok(found.clone());
        }
        let unescaped = match stored.escaped {
            true => Some(json::unescape(stored.bytes)?.into_bytes()),
            false => None,
        };
        let starts = lines::line_starts(unescaped.as_deref().unwrap_or(stored.bytes));
        let lined = Arc::new(LinedText { unescaped, starts });
        let mut cache = self.line_starts.lock().unwrap_or_else(|e| e.into_inner());
        Ok(cache.entry(src_id).or_insert(lined).clone())
    }

    /// The line index of every source's contents, for a memdb: (`ContentLinesIndex`,
    /// `ContentLines`) as bytes.
    pub fn line_index_parts(&self) -> Result<(Vec<u8>, Vec<u8>)> {
        let (mut index, mut starts) = (Vec::new(), Vec::new());
        let mut count = 0u32;
        for id in 0..self.source_count() {
            tables::push_u32(&mut index, count);
            if let Some(text) = self.source_contents(id)? {
                for start in lines::line_starts(&text) {
                    tables::push_u32(&mut starts, start);
                    count = count.checked_add(1).ok_or_else(|| {
                        Error::new(
                            ErrorKind::LocationOverflow,
                            "too many source lines for a memdb",
                        )
                    })?;
                }
            }
        }
        tables::push_u32(&mut index, count);
        Ok((index, starts))
    }
}

/// Whether the function table's `answer` names the function at a position that maps to
/// `mapped`: it must hold where the position maps into the original function the name
/// came from; code inlined from elsewhere is named from its own original source.
fn table_answers(answer: &Answer<'_>, mapped: Option<&RawToken>) -> bool {
    let Answer::Name(_, (src_id, start, end)) = *answer else {
        return false;
    };
    let inside = |t: &RawToken| {
        t.src_id == src_id && start <= (t.src_line, t.src_col) && (t.src_line, t.src_col) < end
    };
    src_id == NONE || mapped.is_none_or(inside)
}

/// Lines `from..to` of `text` (as many as exist) each followed by `\n`, given where
/// each line starts.
fn join_lines(
    text: &[u8],
    start_of: impl Fn(usize) -> Option<u32>,
    from: u32,
    to: u32,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for line in from..to {
        if start_of(line as usize).is_none() {
            break;
        }
        let Some(bytes) = lines::line_at(text, &start_of, line) else {
            return Err(crate::error::bad_memdb(
                "line index points outside the source",
            ));
        };
        out.extend_from_slice(bytes);
        out.push(b'\n');
    }
    Ok(out)
}

impl ViewOrIndex {
    /// The view to load from map JSON: an index map is flattened when all its sections
    /// are embedded; one that references external maps is `IndexedSourceMap`.
    pub fn into_loadable(self) -> Result<View> {
        match self {
            ViewOrIndex::View(view) => Ok(view),
            ViewOrIndex::Index(index) if index.can_flatten() => index.flatten(),
            ViewOrIndex::Index(_) => Err(Error::new(
                ErrorKind::IndexedSourceMap,
                "an index map with external sections cannot be loaded as a view",
            )),
        }
    }

    /// The view, flattening an index map when it can be flattened.
    pub fn into_view(self) -> Result<View> {
        match self {
            ViewOrIndex::View(view) => Ok(view),
            ViewOrIndex::Index(index) => index.flatten(),
        }
    }
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("tokens", &self.token_count)
            .field("sources", &self.limits.sources)
            .field("names", &self.limits.names)
            .field("memdb", &self.from_memdb)
            .finish()
    }
}

fn already_attached() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "this view already has a minified source's function table",
    )
}
