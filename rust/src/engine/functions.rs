//! Original function names for generated positions.
//!
//! Two sources of truth, tried in order:
//!
//! 1. The *function table* of the minified source: each function's generated range, the
//!    name of the original function it was made from and that function's original range.
//!    Attached to a resolver, it is `PendingFunctions` (`build`): where each function's code
//!    comes from, named on first use from the original source it lands in, so a stack
//!    trace only pays for parsing the sources its frames need. In a memdb it is stored
//!    resolved (`FunctionTable`), so a cache needs no parsing at all.
//! 2. When the table has no name for the innermost function, the position maps outside
//!    the original function the name came from (inlined code), or no table is attached:
//!    the original source (`sourcesContent`) is parsed and the function around the
//!    mapped position there gives the name (`OriginalSource`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::function_scopes::{self, Scope};
use super::parser_threads::on_parser_stack;
use crate::error::Result;
use crate::function_table::{innermost_record, Answer, OwnedFunctions, ANONYMOUS};
use crate::lines::{utf8_lossy, LineStarts};
use crate::mappings::{RawToken, NONE};
use crate::tables::push_u32;
use crate::view::View;

/// The parsed original source `src_id`, as the resolver keeps it (parsed once, on first
/// use); `None` without contents or when it does not parse.
pub type Originals<'a> = dyn Fn(u32) -> Result<Option<Arc<OriginalSource>>> + 'a;

/// One function of an attached minified source, before its original name is looked up.
#[derive(Debug, Clone)]
struct PendingRecord {
    start: (u32, u32),
    end: (u32, u32),
    parent: u32,
    /// Original position (source id, line, column) of the first mapped token inside the
    /// function; source `NONE` if there is none.
    first: (u32, u32, u32),
    /// What the map says the function's own (minified) name was written as.
    mapped_name: MappedName,
}

/// The original name of a function's own minified name, as the map gives it.
#[derive(Debug, Clone)]
enum MappedName {
    /// No name, or one the map does not map.
    None,
    /// The map's `names` entry.
    Id(u32),
    /// Mapped code with no `names` entry: the name was not renamed, it is the original.
    Own(Box<str>),
}

/// The function table of an attached minified source: each function's generated range
/// and where its code comes from. Naming a function needs its original source parsed
/// (`resolve`); that happens on first use, per source, so a stack trace pays only for the
/// sources its frames land in.
pub struct PendingFunctions {
    records: Vec<PendingRecord>,
}

/// A function's original name as the table gives it.
pub struct Resolved {
    /// `false`: the table does not know (no mapped code, no contents, no mapped name).
    pub known: bool,
    /// The name; `None` if the function is anonymous (or original top-level code).
    pub name: Option<Vec<u8>>,
    /// The original function the name came from: source id (`NONE` if unknown), start
    /// line and column, end line and column.
    pub origin: [u32; 5],
}

impl PendingFunctions {
    /// The source ids whose originals name these functions.
    pub fn sources(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = self.records.iter().map(|r| r.first.0).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.retain(|&id| id != NONE);
        ids
    }

    /// What the innermost function around generated (`line`, `col`) is called.
    pub fn lookup(
        &self,
        view: &View,
        originals: &Originals<'_>,
        line: u32,
        col: u32,
    ) -> Result<Answer<'static>> {
        let found = innermost_record(self.records.len(), (line, col), |i| {
            Ok(self.records.get(i).map(|r| (r.start, r.end, r.parent)))
        })?;
        let Some(index) = found else {
            return Ok(Answer::Unknown);
        };
        let resolved = resolve(view, originals, &self.records[index])?;
        Ok(match resolved.known {
            true => Answer::Name(resolved.name.map(Cow::Owned), origin_of(resolved.origin)),
            false => Answer::Unknown,
        })
    }

    /// The source id the innermost function around generated (`line`, `col`) is named
    /// from (`NONE` if none).
    pub fn first_source_at(&self, line: u32, col: u32) -> Result<u32> {
        let found = innermost_record(self.records.len(), (line, col), |i| {
            Ok(self.records.get(i).map(|r| (r.start, r.end, r.parent)))
        })?;
        Ok(found.map_or(NONE, |i| self.records[i].first.0))
    }

    /// Every function named, in the memdb layout (`RECORD_SIZE` bytes per record). The
    /// caller parses `sources()` first, in parallel, for `originals` to find.
    pub fn resolve_all(&self, view: &View, originals: &Originals<'_>) -> Result<OwnedFunctions> {
        let mut out = OwnedFunctions::default();
        for record in &self.records {
            let resolved = resolve(view, originals, record)?;
            let name_id = match (resolved.known, resolved.name) {
                (false, _) => NONE,
                (true, None) => ANONYMOUS,
                (true, Some(name)) => out.intern(&name)?,
            };
            let (start, end) = (record.start, record.end);
            let fields = [start.0, start.1, end.0, end.1, record.parent, name_id];
            for v in fields.into_iter().chain(resolved.origin) {
                push_u32(&mut out.records, v);
            }
        }
        Ok(out)
    }
}

fn origin_of(o: [u32; 5]) -> (u32, (u32, u32), (u32, u32)) {
    (o[0], (o[1], o[2]), (o[3], o[4]))
}

/// Names one function: after the original function around the original position of its
/// first mapped token (the name the JS engine gives the original code, whatever the
/// bundler renamed or restructured); without contents, after its own minified name as the
/// map's `names` maps it.
fn resolve(view: &View, originals: &Originals<'_>, record: &PendingRecord) -> Result<Resolved> {
    let (src_id, line, col) = record.first;
    if src_id != NONE {
        if let Some(original) = originals(src_id)? {
            return Ok(match original.named_or_innermost(line, col) {
                Some(found) => {
                    let ((sl, sc), (el, ec)) = original.range(found);
                    Resolved {
                        known: true,
                        name: original.name_of(found).map(|n| n.as_bytes().to_vec()),
                        origin: [src_id, sl, sc, el, ec],
                    }
                }
                // Original top-level code, in a function the bundler made (a module
                // wrapper): engines name no function there.
                None => Resolved {
                    known: true,
                    name: None,
                    origin: [NONE; 5],
                },
            });
        }
    }
    let mapped = match &record.mapped_name {
        MappedName::None => None,
        MappedName::Id(id) => view.name(*id)?.map(<[u8]>::to_vec),
        MappedName::Own(name) => Some(name.as_bytes().to_vec()),
    };
    Ok(Resolved {
        known: mapped.is_some(),
        name: mapped,
        origin: [NONE; 5],
    })
}

/// Parses `source`, the minified file `view` maps, into its function table.
pub fn build(view: &View, source: &str) -> Result<PendingFunctions> {
    on_parser_stack(|| build_here(view, source))
}

fn build_here(view: &View, source: &str) -> Result<PendingFunctions> {
    table_from(view, source, &parse_minified(source)?)
}

/// A minified source's functions, found without its map (so that the parse can run while
/// the map is being read: `Resolver::from_json_with_source`).
pub struct MinifiedFunctions {
    lines: LineStarts,
    found: Vec<Scope>,
}

/// Parses a minified source for its function table (on a parser stack: see `parser_threads`).
pub fn parse_minified(source: &str) -> Result<MinifiedFunctions> {
    Ok(MinifiedFunctions {
        lines: LineStarts::new(source),
        found: function_scopes::scopes(source, function_scopes::source_type_for(None))?,
    })
}

/// The function table of a parsed minified `source`: where each function's code comes
/// from in `view`'s map.
pub fn table_from(
    view: &View,
    source: &str,
    parsed: &MinifiedFunctions,
) -> Result<PendingFunctions> {
    let MinifiedFunctions { lines, found } = parsed;
    let mut records = Vec::with_capacity(found.len());
    for scope in found {
        let start = lines.position(source, scope.start);
        let end = lines.position(source, scope.end);
        let first = first_token_in(view, start, end)?
            .map_or((NONE, 0, 0), |t| (t.src_id, t.src_line, t.src_col));
        let mapped_name = match scope.name {
            Some(name) => mapped_name(view, source, lines, name)?,
            None => MappedName::None,
        };
        records.push(PendingRecord {
            start,
            end,
            parent: scope.parent,
            first,
            mapped_name,
        });
    }
    Ok(PendingFunctions { records })
}

/// The first token with an original position inside generated range `start..end`.
fn first_token_in(view: &View, start: (u32, u32), end: (u32, u32)) -> Result<Option<RawToken>> {
    let first = match view.floor(start.0, start.1)? {
        Some((index, token)) if (token.dst_line, token.dst_col) == start => index,
        Some((index, _)) => index + 1,
        None => 0,
    };
    // A few tokens on: generated code before the first mapped one (a bundler's
    // helpers) should not hide the function's origin.
    for index in first..first.saturating_add(8) {
        let Some(token) = view.get_token(index)? else {
            return Ok(None);
        };
        if (token.dst_line, token.dst_col) >= end {
            return Ok(None);
        }
        if token.has_source() {
            return Ok(Some(token));
        }
    }
    Ok(None)
}

/// Source `src_id` of `view` parsed for function names; `None` without contents or when
/// it does not parse.
pub fn parse_original(view: &View, src_id: u32) -> Result<Option<OriginalSource>> {
    let Some(bytes) = view.source_contents(src_id)? else {
        return Ok(None);
    };
    let name = view.source_name(src_id)?.map(String::from_utf8_lossy);
    let text = match bytes {
        Cow::Owned(bytes) => String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Cow::Borrowed(bytes) => utf8_lossy(bytes).into_owned(),
    };
    // An original that does not parse gives no names; the map is still usable.
    Ok(OriginalSource::parse(name.as_deref(), text).ok())
}

/// The original of the minified name at byte span `span`, as js-source-scopes (with which
/// Sentry's symbolicator names scopes) reads it, and then some: the `names` entry of the
/// token at the name or one column before it (UglifyJS maps a name from the space before
/// it); else of the token before that one, when both map to the same original position;
/// else of the token at the name's end with that same position (terser and esbuild write
/// the name there). Mapped code without any is a name the minifier kept (a method's, an
/// export's): the minified text is the original. Unmapped: `None`.
fn mapped_name(
    view: &View,
    source: &str,
    lines: &LineStarts,
    (start, end): (u32, u32),
) -> Result<MappedName> {
    let (line, col) = lines.position(source, start);
    let Some((index, token)) = view.floor(line, col)? else {
        return Ok(MappedName::None);
    };
    if token.dst_line != line || token.dst_col.saturating_add(1) < col || !token.has_source() {
        return Ok(MappedName::None);
    }
    if token.name_id != NONE {
        return Ok(MappedName::Id(token.name_id));
    }
    let origin = |t: &RawToken| (t.src_id, t.src_line, t.src_col);
    let same_origin = |t: &RawToken| t.has_source() && origin(t) == origin(&token);
    if index > 0 {
        if let Some(before) = view.get_token(index - 1)? {
            if same_origin(&before) && before.name_id != NONE {
                return Ok(MappedName::Id(before.name_id));
            }
        }
    }
    let (end_line, end_col) = lines.position(source, end);
    if let Some((_, after)) = view.floor(end_line, end_col)? {
        let at_end = (after.dst_line, after.dst_col) == (end_line, end_col);
        if at_end && same_origin(&after) && after.name_id != NONE {
            return Ok(MappedName::Id(after.name_id));
        }
    }
    let own = source.get(start as usize..end as usize).unwrap_or_default();
    Ok(match own.is_empty() {
        true => MappedName::None,
        false => MappedName::Own(own.into()),
    })
}

/// The name written at byte `at` of `text`: an identifier (or `#private` name), or the
/// contents of a string literal key. `None` if no name starts there.
pub fn identifier_at(text: &str, at: usize) -> Option<&str> {
    let rest = text.get(at..)?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '"' || first == '\'' {
        let body = &rest[1..];
        let end = body.find(first)?;
        return Some(&body[..end]).filter(|s| !s.contains('\\') && !s.is_empty());
    }
    let is_part = |c: char| c == '_' || c == '$' || c.is_alphanumeric();
    if !(is_part(first) || first == '#') || first.is_ascii_digit() {
        return None;
    }
    let end = chars
        .find(|&(_, c)| !is_part(c))
        .map_or(rest.len(), |(i, _)| i);
    Some(&rest[..end])
}

/// An original source parsed for the fallback, kept by the resolver for later lookups.
pub struct OriginalSource {
    text: String,
    lines: LineStarts,
    scopes: Vec<Scope>,
    /// Scope index by the offset of its anchor or name: a minifier often maps a
    /// function's first token there (a method's key), outside the function's own range.
    named_at: HashMap<u32, usize>,
}

impl OriginalSource {
    /// Parses the source named `name` (its extension picks JavaScript, TypeScript, JSX).
    pub fn parse(name: Option<&str>, text: String) -> Result<OriginalSource> {
        let scopes = function_scopes::scopes(&text, function_scopes::source_type_for(name))?;
        let lines = LineStarts::new(&text);
        let named_at = scopes
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.anchor.or(s.name.map(|n| n.0))?, i)))
            .collect();
        Ok(OriginalSource {
            text,
            lines,
            scopes,
            named_at,
        })
    }

    /// The source text and its line starts.
    pub fn text(&self) -> (&str, &LineStarts) {
        (&self.text, &self.lines)
    }

    /// The innermost function around original (`line`, `col`).
    pub fn innermost(&self, line: u32, col: u32) -> Option<&Scope> {
        let offset = self.lines.offset(&self.text, line, col)?;
        function_scopes::innermost(&self.scopes, offset)
    }

    /// The function named at original (`line`, `col`), else the innermost one around it.
    pub fn named_or_innermost(&self, line: u32, col: u32) -> Option<&Scope> {
        let offset = self.lines.offset(&self.text, line, col)?;
        match self.named_at.get(&offset) {
            Some(&index) => self.scopes.get(index),
            None => function_scopes::innermost(&self.scopes, offset),
        }
    }

    /// The name a function of this source is written with; `None` if anonymous.
    pub fn name_of(&self, scope: &Scope) -> Option<&str> {
        identifier_at(&self.text, scope.name?.0 as usize)
    }

    /// A function's original range, (line, column) to (line, column).
    pub fn range(&self, scope: &Scope) -> ((u32, u32), (u32, u32)) {
        (
            self.lines.position(&self.text, scope.start),
            self.lines.position(&self.text, scope.end),
        )
    }

    /// The name of the innermost function around original (`line`, `col`); `None` outside
    /// functions or for an anonymous one.
    pub fn function_name(&self, line: u32, col: u32) -> Option<&str> {
        self.name_of(self.innermost(line, col)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_string_keys() {
        let text = "foo.bar_$1(x) #p 'key' \"k\\\"\" 9a";
        assert_eq!(identifier_at(text, 0), Some("foo"));
        assert_eq!(identifier_at(text, 4), Some("bar_$1"));
        assert_eq!(identifier_at(text, 3), None);
        assert_eq!(identifier_at(text, 14), Some("#p"));
        assert_eq!(identifier_at(text, 17), Some("key"));
        assert_eq!(identifier_at(text, 23), None); // escaped: not worth guessing
        assert_eq!(identifier_at(text, 29), None); // starts with a digit
        assert_eq!(identifier_at(text, 999), None);
    }
}
