//! The resolver: a view plus what symbolication adds to it. It names the function around
//! a generated position (through the minified source's function table, or the original
//! source parsed around the mapped position) and reads context lines, and it keeps what
//! that costs to find: parsed sources, line starts. The view itself stays tables and
//! lookups; any number of resolvers (or none) may share one.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::functions::{self, OriginalSource, PendingFunctions};
use super::parser_threads;
use super::scope_frames::{self, Translated};
use crate::bytes::SharedBytes;
use crate::error::{bad_memdb, Error, ErrorKind, Result};
use crate::function_table::{Answer, FunctionTable, OwnedFunctions};
use crate::integrity::Checked;
use crate::lines;
use crate::load;
use crate::mappings::{RawToken, NONE};
use crate::rules::Rules;
use crate::scopes::{OriginalPosition, Scopes};
use crate::tables::{self, StoredStr};
use crate::view::View;

pub struct Resolver {
    view: Arc<View>,
    /// The function table of an attached minified source (see `attach_minified_source`).
    attached: OnceLock<PendingFunctions>,
    /// Original sources parsed for function names, by source id (`None`: no contents or
    /// not parseable), kept for the life of the resolver.
    originals: Mutex<HashMap<u32, Option<Arc<OriginalSource>>>>,
    /// Line starts of sources scanned for context lines (JSON views), by source id.
    line_starts: Mutex<HashMap<u32, Arc<LinedText>>>,
    /// Line starts of sources split at line feeds only (`source_lf_lines`), by source id.
    lf_starts: Mutex<HashMap<u32, Arc<Vec<u32>>>>,
    /// The map's `scopes`, decoded on first use (`None`: none, or not readable).
    scopes: OnceLock<Option<Scopes>>,
}

/// A caller of an inlined function (`Resolver::inlined`): the call site and the name of
/// the function around it.
pub struct Caller<'r> {
    pub site: OriginalPosition,
    pub function: Option<Cow<'r, [u8]>>,
}

/// What the scopes add to a frame beyond its name (`Resolver::inlined`).
#[derive(Default)]
pub struct Inlined<'r> {
    /// The callers of the inlined functions the frame is in, innermost first.
    pub callers: Vec<Caller<'r>>,
    /// The frame is in an outlined function, which the scopes hide from traces.
    pub hidden: bool,
}

/// A source's line starts, and its text if it had to be unescaped (else it is read from
/// the view each time, in place).
struct LinedText {
    unescaped: Option<Vec<u8>>,
    starts: Vec<u32>,
}

impl Resolver {
    pub fn new(view: Arc<View>) -> Resolver {
        Resolver {
            view,
            attached: OnceLock::new(),
            originals: Mutex::default(),
            line_starts: Mutex::default(),
            lf_starts: Mutex::default(),
            scopes: OnceLock::new(),
        }
    }

    pub fn view(&self) -> &Arc<View> {
        &self.view
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
    ) -> Result<Resolver> {
        // A map with scopes names its frames itself: the minified source is parsed only
        // for positions they leave unnamed (`prepare_frames`), not on speculation. (A
        // map that only seems to have them loses the overlap of the two parses, no more.)
        if may_have_scopes(input.as_slice()) {
            let view = load::from_json(input, rules).and_then(load::ViewOrIndex::into_loadable)?;
            let resolver = Resolver::new(Arc::new(view));
            match resolver.prepare_frames(Some(source), positions) {
                Err(e) if e.kind == ErrorKind::BadSource => {}
                other => other?,
            }
            return Ok(resolver);
        }
        let (resolver, minified) = std::thread::scope(|s| -> Result<_> {
            let minified = parser_threads::spawn_parser(s, || functions::parse_minified(source))?;
            // No table yet: `prepare_frames` parses just the originals the positions map into.
            let resolver = load::from_json(input, rules)
                .and_then(load::ViewOrIndex::into_loadable)
                .map(|view| Resolver::new(Arc::new(view)))
                .and_then(|r| r.prepare_frames(None, positions).map(|()| r));
            Ok((resolver, crate::threads::joined(minified)))
        })?;
        let resolver = resolver?;
        match minified {
            Ok(parsed) => {
                let table = functions::table_from(&resolver.view, source, &parsed)?;
                resolver
                    .attached
                    .set(table)
                    .map_err(|_| already_attached())?;
            }
            Err(e) if e.kind == ErrorKind::BadSource => {}
            Err(e) => return Err(e),
        }
        Ok(resolver)
    }

    // -- function names -----------------------------------------------------------------

    /// Whether a minified source is attached or the memdb stored its function table.
    pub fn has_function_table(&self) -> Result<bool> {
        Ok(self.attached.get().is_some() || self.view.stored_functions()?.is_some())
    }

    /// The function table a memdb dump stores: the attached one with every function
    /// named (this parses every original source it needs, in parallel), else the one the
    /// view's memdb stored, if any.
    pub fn functions_to_store(&self) -> Result<Option<StoredFunctions<'_>>> {
        let Some(pending) = self.attached.get() else {
            return Ok(self.view.stored_functions()?.map(StoredFunctions::Stored));
        };
        self.parse_originals(&pending.sources())?;
        let originals = |id| self.original_source(id);
        Ok(Some(StoredFunctions::Resolved(
            pending.resolve_all(&self.view, &originals)?,
        )))
    }

    /// Parses the minified source this map belongs to and keeps its function table, for
    /// `original_function_name` and for memdb dumps. Once per resolver.
    pub fn attach_minified_source(&self, source: &str) -> Result<()> {
        if self.has_function_table()? {
            return Err(already_attached());
        }
        let built = functions::build(&self.view, source)?;
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
        // Positions in sources with function maps (React Native) need no parse at all.
        let mut unnamed = Vec::with_capacity(positions.len());
        for &(line, col) in positions {
            let mapped = self.mapped_token(line, col)?;
            if self.scope_function_name(line, col, mapped)?.is_none()
                && !self.named_by_function_map(mapped)?
            {
                unnamed.push((line, col));
            }
        }
        let positions = &unnamed[..];
        if let Some(source) = source.filter(|_| !positions.is_empty()) {
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
        let threads = parser_threads::parser_threads();
        let results = parser_threads::in_parallel(&jobs, threads, |job| match job {
            Job::Minified(source) => match self.attach_minified_source(source) {
                Err(e) if e.kind == ErrorKind::InvalidArgument => Ok(Ok(())), // raced
                other => Ok(other),
            },
            Job::Original(id) => self.original_source(*id).map(|_| Ok(())),
        })?;
        results.into_iter().collect()
    }

    /// Parses the original sources `ids` that are not parsed yet, in parallel.
    fn parse_originals(&self, ids: &[u32]) -> Result<()> {
        let threads = parser_threads::parser_threads();
        parser_threads::in_parallel(&self.unparsed(ids), threads, |&id| self.original_source(id))?;
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
        if let Some(table) = self.view.stored_functions()? {
            if table_answers(&table.lookup(line, col)?, mapped.as_ref()) {
                return Ok([NONE, NONE]);
            }
        }
        Ok([mapped_src, NONE])
    }

    /// Whether the function at a generated position, `mapped` there, is named by its
    /// source's function map (see `function_name_at`).
    fn named_by_function_map(&self, mapped: Option<RawToken>) -> Result<bool> {
        let (Some(maps), Some(token)) = (self.view.function_maps()?, mapped) else {
            return Ok(false);
        };
        Ok(maps
            .name_at(token.src_id, token.src_line, token.src_col)?
            .is_some())
    }

    /// The token at generated (`line`, `col`), if it has an original position.
    fn mapped_token(&self, line: u32, col: u32) -> Result<Option<RawToken>> {
        Ok(self
            .view
            .frame_lookup(line, col)?
            .map(|(_, t)| t)
            .filter(RawToken::has_source))
    }

    /// The original name of the function around generated (`line`, `col`) (see
    /// `functions` for how it is found); `None` if there is none or it is anonymous.
    pub fn original_function_name(&self, line: u32, col: u32) -> Result<Option<Cow<'_, [u8]>>> {
        self.function_name_at(line, col, self.mapped_token(line, col)?)
    }

    /// `original_function_name` for a caller that has looked up the token at (`line`,
    /// `col`) already: `mapped` is it, if it has an original position.
    pub fn function_name_at(
        &self,
        line: u32,
        col: u32,
        mapped: Option<RawToken>,
    ) -> Result<Option<Cow<'_, [u8]>>> {
        let name = self.enclosing_function_at(line, col, mapped)?;
        // dart2js compiles an `async` function into a body function named `$async$` +
        // its minified name: the original name is the token's own (`main`, where the
        // scope says `$async$be`), as Sentry's symbolicator names it.
        if let (Some(found), Some(token)) = (&name, mapped) {
            if found.starts_with(b"$async$") {
                if let Some(own) = self.view.name(token.name_id)? {
                    return Ok(Some(Cow::Borrowed(own)));
                }
            }
        }
        Ok(name)
    }

    fn enclosing_function_at(
        &self,
        line: u32,
        col: u32,
        mapped: Option<RawToken>,
    ) -> Result<Option<Cow<'_, [u8]>>> {
        // The map's scopes come first: they name what the producer knew, and cost no
        // parse.
        if let Some(answer) = self.scope_function_name(line, col, mapped)? {
            return Ok(answer);
        }
        // A source with a function map (React Native) names its functions itself, as
        // metro-symbolicate reads it: nothing is parsed.
        if let (Some(token), Some(maps)) = (mapped, self.view.function_maps()?) {
            if let Some(name) = maps.name_at(token.src_id, token.src_line, token.src_col)? {
                return Ok(name.map(Cow::Borrowed));
            }
        }
        let originals = |id| self.original_source(id);
        let answer = match (self.attached.get(), self.view.stored_functions()?) {
            (Some(pending), _) => pending.lookup(&self.view, &originals, line, col)?,
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

    // -- scopes (ECMA-426's scopes proposal) ---------------------------------------------

    /// The map's scopes, decoded on first use; a field that cannot be read names nothing.
    fn scopes(&self) -> Result<Option<&Scopes>> {
        if let Some(scopes) = self.scopes.get() {
            return Ok(scopes.as_ref());
        }
        let decoded = self.view.scopes()?.and_then(std::result::Result::ok);
        Ok(self.scopes.get_or_init(|| decoded).as_ref())
    }

    /// What the scopes say of generated (`line`, `col`), if they cover it.
    fn translated(
        &self,
        line: u32,
        col: u32,
        mapped: Option<RawToken>,
    ) -> Result<Option<(&Scopes, Translated)>> {
        let Some(scopes) = self.scopes()? else {
            return Ok(None);
        };
        let at = mapped.map(|t| (t.src_id, t.src_line, t.src_col));
        let found = scope_frames::translate(scopes, line, col, at);
        Ok(found.covered.then_some((scopes, found)))
    }

    /// The scopes' name for the function at generated (`line`, `col`): `Some(None)` in
    /// top-level code they cover, `None` where they do not decide (no scopes, not
    /// covered, an anonymous function, or a name the original source contradicts).
    fn scope_function_name(
        &self,
        line: u32,
        col: u32,
        mapped: Option<RawToken>,
    ) -> Result<Option<Option<Cow<'_, [u8]>>>> {
        let Some((scopes, found)) = self.translated(line, col, mapped)? else {
            return Ok(None);
        };
        match found.function {
            None => Ok(Some(None)),
            Some(scope) => self.scope_name(scopes, scope),
        }
    }

    /// The name of function scope `index`: its own, if trusted, else as the engine would
    /// infer it; `None` where the scopes leave it to the next source of names.
    fn scope_name(&self, scopes: &Scopes, index: u32) -> Result<Option<Option<Cow<'_, [u8]>>>> {
        if let Some(name) = self.trusted_scope_name(scopes, index)? {
            return Ok(Some(Some(Cow::Borrowed(name))));
        }
        self.inferred_scope_name(scopes, index)
    }

    /// The name of an unnamed function scope as the engine infers it, read from its
    /// original source's line (see `scope_frames::inferred_name`): `Some(None)` for an
    /// anonymous one, `None` to leave the name to the next source (a scope with a name
    /// the source contradicts, or a constructor).
    fn inferred_scope_name(
        &self,
        scopes: &Scopes,
        index: u32,
    ) -> Result<Option<Option<Cow<'_, [u8]>>>> {
        let scope = &scopes.scopes[index as usize];
        if scope.name.is_some() {
            return Ok(None);
        }
        let Some(source) = source_of(scopes, index) else {
            return Ok(None);
        };
        let (line, column) = (scope.start.line, scope.start.column);
        let Some(text) = self.source_lines(source, line, line.saturating_add(1))? else {
            return Ok(Some(None)); // no source at hand: anonymous, nothing to parse
        };
        Ok(Some(
            scope_frames::inferred_name(&text, column).map(|name| Cow::Owned(name.to_vec())),
        ))
    }

    /// The name of original scope `index`, unless it has none, it is a constructor's, or
    /// its original source (when the map has its contents) does not have it where the
    /// scope starts.
    fn trusted_scope_name(&self, scopes: &Scopes, index: u32) -> Result<Option<&[u8]>> {
        let scope = &scopes.scopes[index as usize];
        let Some(name) = scope
            .name
            .map(|id| self.view.name(id))
            .transpose()?
            .flatten()
        else {
            return Ok(None);
        };
        // A class's constructor: V8 prints the class's name, which the scopes do not
        // give (SWC writes no class scope), so the next source of names answers.
        if name == b"constructor" {
            return Ok(None);
        }
        let Some(source) = source_of(scopes, index) else {
            return Ok(Some(name));
        };
        let (line, column) = (scope.start.line, scope.start.column);
        match self.source_lines(source, line, line.saturating_add(1))? {
            Some(text) if !scope_frames::name_in_source(&text, column, name) => Ok(None),
            _ => Ok(Some(name)),
        }
    }

    /// What the scopes add at generated (`line`, `col`), from one translation: the
    /// callers of the inlined functions there, innermost first (none outside inlined
    /// code), each named as a frame's function is (the scopes around its call site, else
    /// its original source, parsed); and whether the position is in an outlined function.
    pub fn inlined(&self, line: u32, col: u32, mapped: Option<RawToken>) -> Result<Inlined<'_>> {
        let Some((scopes, found)) = self.translated(line, col, mapped)? else {
            return Ok(Inlined::default());
        };
        let mut callers = Vec::with_capacity(found.callers.len());
        for (site, scope) in found.callers {
            let named = match scope {
                Some(scope) => self.scope_name(scopes, scope)?,
                None => Some(None), // top-level code
            };
            let function = match named {
                Some(name) => name,
                None => self.original_source(site.source)?.and_then(|original| {
                    original
                        .function_name(site.line, site.column)
                        .map(|name| Cow::Owned(name.as_bytes().to_vec()))
                }),
            };
            callers.push(Caller { site, function });
        }
        Ok(Inlined {
            callers,
            hidden: found.hidden,
        })
    }

    /// Source `src_id` parsed for function names, once per resolver; `None` without
    /// contents or when it does not parse.
    fn original_source(&self, src_id: u32) -> Result<Option<Arc<OriginalSource>>> {
        per_source(&self.originals, src_id, || {
            Ok(functions::parse_original(&self.view, src_id)?.map(Arc::new))
        })
    }

    // -- context lines ------------------------------------------------------------------

    /// Lines `from..to` of source `src_id`'s contents (as many as exist), each without
    /// its terminator and followed by `\n`; `None` if the source has no contents.
    /// A memdb reads its stored line starts; a JSON view scans a source once, on its
    /// first use, and keeps the line starts.
    pub fn source_lines(&self, src_id: u32, from: u32, to: u32) -> Result<Option<Vec<u8>>> {
        if let Some((index, starts)) = self.view.stored_line_starts()? {
            return stored_lines(&self.view, (index, starts), src_id, from, to);
        }
        let Some(stored) = self.view.contents()?.get(src_id)? else {
            return Ok(None);
        };
        // A source parsed for function names has its text and line starts already.
        let parsed = self
            .originals
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&src_id)
            .cloned()
            .flatten();
        if let Some(original) = parsed {
            let (text, lines) = original.text();
            return join_lines(text.as_bytes(), |line| lines.start(line), from, to).map(Some);
        }
        let lined = self.lined_text(src_id, stored)?;
        let text = lined.unescaped.as_deref().unwrap_or(stored.bytes);
        join_lines(text, |line| lined.starts.get(line).copied(), from, to).map(Some)
    }

    /// Lines `from..to` of source `src_id`'s contents (as many as exist) split at line
    /// feeds only, each with its `\n` (the last line of a text that does not end in one
    /// without): the lines symbolic's cache gives as context. `None` if the source has
    /// no contents. The line starts are found once per source, in the stored text, so a
    /// lookup unescapes only its own lines.
    pub fn source_lf_lines(&self, src_id: u32, from: u32, to: u32) -> Result<Option<Vec<Vec<u8>>>> {
        let Some(stored) = self.view.contents()?.get(src_id)? else {
            return Ok(None);
        };
        let starts = per_source(&self.lf_starts, src_id, || {
            Ok(Arc::new(crate::json::lf_line_starts(
                stored.bytes,
                stored.escaped,
            )))
        })?;
        let end = crate::json::lf_text_end(stored.bytes, stored.escaped);
        let mut lines = Vec::new();
        for line in from as usize..(to as usize).min(starts.len()) {
            let next = starts.get(line + 1).map_or(end, |&s| s as usize);
            let Some(bytes) = stored.bytes.get(starts[line] as usize..next) else {
                return Err(bad_memdb("line index points outside the source"));
            };
            lines.push(match stored.escaped {
                true => crate::json::unescape_fragment(bytes)?.into_bytes(),
                false => bytes.to_vec(),
            });
        }
        Ok(Some(lines))
    }

    fn lined_text(&self, src_id: u32, stored: StoredStr<'_>) -> Result<Arc<LinedText>> {
        per_source(&self.line_starts, src_id, || {
            let unescaped = match stored.escaped {
                true => Some(crate::json::unescape(stored.bytes)?.into_bytes()),
                false => None,
            };
            let starts = lines::line_starts(unescaped.as_deref().unwrap_or(stored.bytes));
            Ok(Arc::new(LinedText { unescaped, starts }))
        })
    }
}

/// The function table a memdb dump writes: resolved from an attached minified source, or
/// the one a memdb stored, borrowed from it.
pub enum StoredFunctions<'a> {
    Resolved(OwnedFunctions),
    Stored(FunctionTable<'a>),
}

impl StoredFunctions<'_> {
    pub fn table(&self) -> Result<FunctionTable<'_>> {
        match self {
            StoredFunctions::Resolved(owned) => owned.table(),
            StoredFunctions::Stored(table) => Ok(*table),
        }
    }
}

/// Whether map JSON may have a top-level `scopes` field: a `"scopes"` key (whitespace
/// before its colon allowed). In escaped text, as in `sourcesContent`, a quote is
/// preceded by a backslash and does not count; a nested key of that name does (a false
/// positive only costs `from_json_with_source` its overlap).
fn may_have_scopes(json: &[u8]) -> bool {
    memchr::memmem::find_iter(json, b"\"scopes\"").any(|at| {
        let rest = &json[at + 8..];
        let colon = rest.iter().position(|b| !b.is_ascii_whitespace());
        colon.is_some_and(|i| rest[i] == b':')
    })
}

/// The source whose tree holds original scope `index`.
fn source_of(scopes: &Scopes, index: u32) -> Option<u32> {
    let mut root = index;
    while let Some(parent) = scopes.scopes.get(root as usize)?.parent() {
        root = parent;
    }
    let source = scopes.sources.iter().position(|&r| r == Some(root))?;
    u32::try_from(source).ok()
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

/// Lines `from..to` of source `src_id` from a memdb's line starts (see `source_lines`):
/// only the index entries and the bytes of the lines returned are read and verified.
fn stored_lines(
    view: &View,
    (index, starts): (Checked<'_>, Checked<'_>),
    src_id: u32,
    from: u32,
    to: u32,
) -> Result<Option<Vec<u8>>> {
    let Some((text, _)) = view.contents()?.get_unverified(src_id)? else {
        return Ok(None);
    };
    let corrupt = || bad_memdb("memdb line index out of range");
    let entry = |i: u32| index.u32_at(i as usize * 4)?.ok_or_else(corrupt);
    let (first, last) = (entry(src_id)?, entry(src_id + 1)?);
    if first > last || last as usize * 4 > starts.len() {
        return Err(corrupt());
    }
    let count = last - first;
    // The starts of lines `from..=to` (the one after the last line ends it), verified.
    let lo = from.min(count);
    let hi = to.saturating_add(1).min(count).max(lo);
    let wanted = (first + lo) as usize * 4..(first + hi) as usize * 4;
    let wanted_starts = starts.get(wanted)?.ok_or_else(corrupt)?;
    let start_of = |line: usize| match line >= lo as usize && line < hi as usize {
        true => tables::le_u32(wanted_starts, (line - lo as usize) * 4),
        false => None,
    };
    // The text from the first line's start to the end of the last (or of the source).
    let text_from = start_of(lo as usize).map_or(text.len(), |s| s as usize);
    let text_to = match to < count {
        true => start_of(to as usize).map_or(text.len(), |s| s as usize),
        false => text.len(),
    };
    text.get(text_from.min(text_to)..text_to)?
        .ok_or_else(|| bad_memdb("line index points outside the source"))?;
    join_lines(text.unverified(), start_of, from, to).map(Some)
}

/// What `cache` holds for source `src_id`, made by `make` on first use. Made outside the
/// lock: another thread may do the same work meanwhile, and the first result stored wins;
/// no thread waits on another's parse or scan.
fn per_source<T: Clone>(
    cache: &Mutex<HashMap<u32, T>>,
    src_id: u32,
    make: impl FnOnce() -> Result<T>,
) -> Result<T> {
    let cached = cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&src_id)
        .cloned();
    if let Some(found) = cached {
        return Ok(found);
    }
    let made = make()?;
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    Ok(cache.entry(src_id).or_insert(made).clone())
}

/// Lines `from..to` of `text` (as many as exist) each followed by `\n`, given where
/// each line starts. A text's lines for context are those an editor shows (Rust's
/// `str::lines`, Python's `splitlines`, Sentry's symbolicator): the empty "line" after a
/// final terminator, which a source map may still address, is not one (`a\nb\n` has
/// two lines, the empty text none).
fn join_lines(
    text: &[u8],
    start_of: impl Fn(usize) -> Option<u32>,
    from: u32,
    to: u32,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for line in from..to {
        match start_of(line as usize) {
            None => break,
            Some(start) if start as usize == text.len() => break,
            Some(_) => {}
        }
        let Some(bytes) = lines::line_at(text, &start_of, line) else {
            return Err(bad_memdb("line index points outside the source"));
        };
        out.extend_from_slice(bytes);
        out.push(b'\n');
    }
    Ok(out)
}

fn already_attached() -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "this view already has a minified source's function table",
    )
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("view", &self.view)
            .field("attached", &self.attached.get().is_some())
            .finish()
    }
}
