//! `scopes` text -> [`Scopes`].
//!
//! Two modes. [`Mode::Lenient`] reads what the spec's decoding algorithm reads, with its
//! fallbacks where it says "optionally report an error": an index into `names` out of
//! range is kept (it resolves to no name, or to "" for a variable), an index that would
//! go below 0 is 0, items of unknown tags and vendor extensions are skipped, values an
//! item has beyond its own are ignored, and the items that describe a range (`G`, `H`,
//! `I`) may come in any order before its end (Chrome DevTools writes a sub-range binding
//! before the call site, the spec's grammar the other way round). What has no reading
//! is an error in both modes: a byte that is not base64, a VLQ cut short or of 2^32 or
//! more, an item without the values it needs, an end without a start or a start without
//! an end, a scope inside a range or the other way round, an item outside what it
//! describes, a second `D`, `G` or `I` for one scope or range, an empty item, a position
//! beyond 2^32 - 1, a definition that is not an original scope. A map read leniently
//! keeps that error in place of its scopes.
//!
//! [`Mode::Strict`] also errors where the spec optionally reports one, and on anything
//! its grammar or its records' rules do not allow: names out of range, an index below 0,
//! values beyond an item's own, unknown flag bits, a hidden range that is no stack frame,
//! items out of the grammar's order (trees of the sources before the ranges; `D` first in
//! a scope; `G` first in a range, `I` before its children), empty `D`/`G`/`H` lists,
//! values that do not match the definition's variables, a sub-range binding for a
//! variable without a value or given twice, sub-ranges not strictly inside the range and
//! in order, a call site without a stack-frame definition or on a stack-frame range, a
//! call site source out of range, more source trees than sources.
//!
//! Every error names the item (its 0-based index among the comma-separated items) and
//! the byte offset of the item, or of the bad byte in it. Work is linear in the text:
//! each item is read once, nesting is kept on explicit stacks (no recursion).

use std::fmt;

use super::{BindingFrom, Builder, OriginalPosition, Position};
use crate::error::{Error, ErrorKind};

/// How much of the spec a decode enforces (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Lenient,
    Strict,
}

/// How many names and sources the map has (what the items' indexes are checked against
/// in strict mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MapCounts {
    pub names: usize,
    pub sources: usize,
}

/// Why a `scopes` text cannot be read: which item, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopesError {
    /// The 0-based index of the item among the comma-separated items (the item count
    /// for what is missing at the end).
    pub item: usize,
    /// The byte offset in the `scopes` text.
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ScopesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid `scopes`: item {} at byte {}: {}",
            self.item, self.offset, self.message
        )
    }
}

impl std::error::Error for ScopesError {}

impl From<ScopesError> for Error {
    fn from(err: ScopesError) -> Error {
        Error::new(ErrorKind::InvalidSourceMap, err.to_string())
    }
}

/// Decodes a `scopes` field (the string's text, unescaped). An empty text has no items.
pub fn decode(text: &[u8], counts: MapCounts, mode: Mode) -> Result<super::Scopes, ScopesError> {
    if u32::try_from(text.len()).is_err() {
        return Err(ScopesError {
            item: 0,
            offset: 0,
            message: "a `scopes` text of 4 GiB or more".into(),
        });
    }
    let mut decoder = Decoder {
        mode,
        counts,
        builder: room(text),
        scope_position: Position::default(),
        range_position: Position::default(),
        name: 0,
        kind: 0,
        variable: 0,
        definition: 0,
        open_scopes: Vec::new(),
        open_ranges: Vec::new(),
        ranges_begun: false,
        values: Vec::new(),
        forward: Vec::new(),
        scratch_names: Vec::new(),
        scratch_values: Vec::new(),
        scratch_bindings: Vec::new(),
        item: 0,
        offset: 0,
    };
    let mut start = 0;
    if !text.is_empty() {
        loop {
            decoder.offset = start;
            let end = decoder.item(text, start)?;
            if end == text.len() {
                break;
            }
            start = end + 1;
            decoder.item += 1;
        }
        decoder.item += 1;
    }
    decoder.finish(text.len())
}

/// A builder with room for the text's scopes and ranges at once (counted from the items
/// that start one, in a fast pass), not a copy at every doubling; no more than a valid
/// text of this length can hold (a scope takes 9 bytes or more, a range 7).
fn room(text: &[u8]) -> Builder {
    let Some(&first) = text.first() else {
        return Builder::new();
    };
    let starting = |tag: u8| {
        let pairs = text.iter().zip(&text[1..]);
        usize::from(first == tag) + pairs.filter(|&(&a, &b)| (a == b',') & (b == tag)).count()
    };
    let scopes = starting(b'B').min(text.len() / 9);
    let ranges = starting(b'E').min(text.len() / 7);
    Builder::with_capacity(scopes, ranges)
}

/// Base64 digit per byte, 0xff for other bytes (`,` among them).
const DIGIT: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The tags.
const EMPTY: u64 = 0;
const SCOPE_START: u64 = 1;
const SCOPE_END: u64 = 2;
const VARIABLES: u64 = 3;
const RANGE_START: u64 = 4;
const RANGE_END: u64 = 5;
const BINDINGS: u64 = 6;
const SUB_RANGE_BINDING: u64 = 7;
const CALL_SITE: u64 = 8;

/// What is known of an open scope while its items come.
struct OpenScope {
    index: u32,
    has_variables: bool,
    has_items: bool,
}

/// What is known of an open range while its items come.
struct OpenRange {
    index: u32,
    start: Position,
    definition: Option<u32>,
    is_stack_frame: bool,
    values: u32,
    has_values: bool,
    has_call_site: bool,
    has_sub_ranges: bool,
    has_children: bool,
}

struct Decoder {
    mode: Mode,
    counts: MapCounts,
    builder: Builder,
    scope_position: Position,
    range_position: Position,
    name: i64,
    kind: i64,
    variable: i64,
    definition: i64,
    open_scopes: Vec<OpenScope>,
    open_ranges: Vec<OpenRange>,
    /// A top-level item that is not a source's tree has come: no tree may follow
    /// (strict).
    ranges_begun: bool,
    /// The current item's VLQs (unsigned values), reused.
    values: Vec<u64>,
    /// Definitions beyond the scopes decoded when they came (lenient mode allows trees
    /// after ranges): (definition, item, offset), checked at the end.
    forward: Vec<(u32, usize, usize)>,
    /// Reused lists of `D`, `G` and `H` items.
    scratch_names: Vec<u32>,
    scratch_values: Vec<Option<u32>>,
    scratch_bindings: Vec<BindingFrom>,
    item: usize,
    offset: usize,
}

/// Reads the VLQs from `start` to the end of the item (the next `,`, or the text's end)
/// as unsigned values, and returns where the item ends.
fn read_item(
    text: &[u8],
    start: usize,
    out: &mut Vec<u64>,
) -> Result<usize, (usize, &'static str)> {
    out.clear();
    let (mut value, mut shift, mut begin) = (0u64, 0u32, usize::MAX);
    let mut i = start;
    while let Some(&byte) = text.get(i) {
        let digit = DIGIT[byte as usize];
        if digit >= 64 {
            if byte == b',' {
                break;
            }
            return Err((i, "a byte that is not a base64 digit"));
        }
        if shift == 0 && digit < 32 {
            // A one-digit value, the common case.
            out.push(digit as u64);
            i += 1;
            continue;
        }
        if begin == usize::MAX {
            begin = i;
        }
        let bits = (digit & 0x1f) as u64;
        if shift < 35 {
            value |= bits << shift;
        } else if bits != 0 {
            return Err((begin, "a VLQ value of 2^32 or more"));
        }
        if digit & 0x20 == 0 {
            if value >= 1 << 32 {
                return Err((begin, "a VLQ value of 2^32 or more"));
            }
            out.push(value);
            (value, shift, begin) = (0, 0, usize::MAX);
        } else {
            shift = shift.saturating_add(5);
        }
        i += 1;
    }
    if begin != usize::MAX {
        return Err((begin, "a VLQ cut short (its last digit is continued)"));
    }
    Ok(i)
}

/// The spec's VLQSignedValue of an unsigned value below 2^32 ("-0" is -2^31).
fn signed(value: u64) -> i64 {
    let magnitude = (value >> 1) as i64;
    match (value & 1 == 1, magnitude) {
        (true, 0) => -(1i64 << 31),
        (true, m) => -m,
        (false, m) => m,
    }
}

impl Decoder {
    fn error(&self, message: impl Into<String>) -> ScopesError {
        ScopesError {
            item: self.item,
            offset: self.offset,
            message: message.into(),
        }
    }

    fn strict(&self) -> bool {
        self.mode == Mode::Strict
    }

    /// A builder error (never expected: the decoder checks first) as an item error.
    fn built<T>(&self, result: Result<T, Error>) -> Result<T, ScopesError> {
        result.map_err(|e| self.error(e.message))
    }

    /// Reads the item at `start` and returns where it ends.
    fn item(&mut self, text: &[u8], start: usize) -> Result<usize, ScopesError> {
        let vendor = match text.get(start) {
            None | Some(b',') => return Err(self.error("an empty item")),
            Some(&first) => first == b'/',
        };
        let mut values = std::mem::take(&mut self.values);
        let read = read_item(text, start + usize::from(vendor), &mut values);
        let result = match read {
            Err((offset, message)) => Err(ScopesError {
                item: self.item,
                offset,
                message: message.into(),
            }),
            Ok(end) if vendor => self.vendor(&values).map(|()| end),
            Ok(end) => self.tagged(&values).map(|()| end),
        };
        self.values = values;
        result
    }

    fn tagged(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        let tag = v[0];
        let rest = &v[1..];
        match tag {
            EMPTY => self.empty(rest),
            SCOPE_START => self.scope_start(rest),
            SCOPE_END => self.scope_end(rest),
            VARIABLES => self.variables(rest),
            RANGE_START => self.range_start(rest),
            RANGE_END => self.range_end(rest),
            BINDINGS => self.bindings(rest),
            SUB_RANGE_BINDING => self.sub_range_binding(rest),
            CALL_SITE => self.call_site(rest),
            _ => {
                // An unknown item: to be read and ignored.
                self.other_item();
                Ok(())
            }
        }
    }

    /// A vendor extension (`/`, a name, anything): read and ignored.
    fn vendor(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        let Some(&name) = v.first() else {
            return Err(self.error("a vendor extension item without its name"));
        };
        if self.strict() && name as usize >= self.counts.names {
            return Err(self.error(format!(
                "vendor extension name {name} is not an index into the {} names",
                self.counts.names
            )));
        }
        self.other_item();
        Ok(())
    }

    /// An item that is neither a start, an end nor a known item of the current scope or
    /// range: the grammar allows it among a scope's or range's children and at the top
    /// level among the ranges.
    fn other_item(&mut self) {
        if let Some(scope) = self.open_scopes.last_mut() {
            scope.has_items = true;
        } else if let Some(range) = self.open_ranges.last_mut() {
            range.has_children = true;
        } else {
            self.ranges_begun = true;
        }
    }

    /// The values an item needs: an error if it has fewer; more are an error in strict
    /// mode only.
    fn expect(&self, what: &str, v: &[u64], needed: usize) -> Result<(), ScopesError> {
        if v.len() < needed {
            return Err(self.error(format!(
                "{what} needs {needed} values after its tag, has {}",
                v.len()
            )));
        }
        if self.strict() && v.len() > needed {
            return Err(self.error(format!(
                "{what} has {} values after its tag, {needed} expected",
                v.len()
            )));
        }
        Ok(())
    }

    fn no_open_range(&self, what: &str) -> Result<(), ScopesError> {
        if self.open_ranges.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{what} inside a generated range")))
        }
    }

    fn no_open_scope(&self, what: &str) -> Result<(), ScopesError> {
        if self.open_scopes.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{what} inside an original scope")))
        }
    }

    /// The spec's AccumulateIndex: below 0 is 0 (an error in strict mode).
    fn accumulate(&self, which: Index, delta: u64) -> Result<(i64, u32), ScopesError> {
        let acc = match which {
            Index::Name => self.name,
            Index::Kind => self.kind,
            Index::Variable => self.variable,
            Index::Definition => self.definition,
        };
        let mut next = acc + signed(delta);
        if next < 0 {
            if self.strict() {
                return Err(self.error(format!("{} index {next} is below 0", which.label())));
            }
            next = 0;
        }
        Ok((next, u32::try_from(next).unwrap_or(u32::MAX)))
    }

    /// A name index checked against `names` (strict mode only).
    fn name_in_range(&self, what: &str, index: u64) -> Result<(), ScopesError> {
        if self.strict() && index >= self.counts.names as u64 {
            return Err(self.error(format!(
                "{what} {index} is not an index into the {} names",
                self.counts.names
            )));
        }
        Ok(())
    }

    /// The spec's AccumulatePosition: a line delta of 0 moves the column by its delta,
    /// any other sets it.
    fn moved(&self, from: Position, line: u64, column: u64) -> Result<Position, ScopesError> {
        let too_far = || self.error("a position beyond line or column 2^32 - 1");
        let new_line = u32::try_from(from.line as u64 + line).map_err(|_| too_far())?;
        let new_column = if line == 0 {
            from.column as u64 + column
        } else {
            column
        };
        let new_column = u32::try_from(new_column).map_err(|_| too_far())?;
        Ok(Position::new(new_line, new_column))
    }

    fn empty(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        self.no_open_scope("an empty source item (`A`)")?;
        self.no_open_range("an empty source item (`A`)")?;
        if self.strict() {
            self.expect("an empty source item (`A`)", v, 0)?;
            self.sources_come_first("an empty source item (`A`)")?;
        }
        self.builder.empty_source();
        Ok(())
    }

    fn sources_come_first(&self, what: &str) -> Result<(), ScopesError> {
        if self.ranges_begun {
            return Err(self.error(format!(
                "{what} after the generated ranges (the sources' scope trees come first)"
            )));
        }
        Ok(())
    }

    fn scope_start(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "an original scope start (`B`)";
        self.no_open_range(WHAT)?;
        let flags = *v
            .first()
            .ok_or_else(|| self.error(format!("{WHAT} without its flags")))?;
        let needed = 3 + usize::from(flags & 1 != 0) + usize::from(flags & 2 != 0);
        self.expect(WHAT, v, needed)?;
        if self.strict() {
            if flags & !7 != 0 {
                return Err(self.error(format!("{WHAT} with unknown flags {flags:#x}")));
            }
            if self.open_scopes.is_empty() {
                self.sources_come_first(WHAT)?;
            }
        }
        match self.open_scopes.last_mut() {
            Some(parent) => parent.has_items = true,
            // Each source's tree starts from (0, 0).
            None => self.scope_position = Position::default(),
        }
        let start = self.moved(self.scope_position, v[1], v[2])?;
        let mut next = 3;
        let mut name = None;
        if flags & 1 != 0 {
            let (acc, index) = self.accumulate(Index::Name, v[next])?;
            self.name_in_range("scope name", index as u64)?;
            self.name = acc;
            name = Some(index);
            next += 1;
        }
        let mut kind = None;
        if flags & 2 != 0 {
            let (acc, index) = self.accumulate(Index::Kind, v[next])?;
            self.name_in_range("scope kind", index as u64)?;
            self.kind = acc;
            kind = Some(index);
        }
        self.scope_position = start;
        let index = self
            .builder
            .start_scope(start, name, kind, flags & 4 != 0, &[]);
        let index = self.built(index)?;
        self.open_scopes.push(OpenScope {
            index,
            has_variables: false,
            has_items: false,
        });
        Ok(())
    }

    fn scope_end(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "an original scope end (`C`)";
        self.expect(WHAT, v, 2)?;
        if self.open_scopes.is_empty() {
            return Err(self.error(format!("{WHAT} without a start")));
        }
        let end = self.moved(self.scope_position, v[0], v[1])?;
        self.scope_position = end;
        self.open_scopes.pop();
        let ended = self.builder.end_scope(end);
        self.built(ended)?;
        Ok(())
    }

    fn variables(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a variables item (`D`)";
        let Some(scope) = self.open_scopes.last() else {
            return Err(self.error(format!("{WHAT} outside an original scope")));
        };
        if scope.has_variables {
            return Err(self.error(format!(
                "a second variables item (`D`) for scope {}",
                scope.index
            )));
        }
        if self.strict() {
            if scope.has_items {
                return Err(self.error(format!(
                    "{WHAT} after the scope's children (it comes right after the start)"
                )));
            }
            if v.is_empty() {
                return Err(self.error(format!("{WHAT} without variables")));
            }
        }
        let mut names = std::mem::take(&mut self.scratch_names);
        names.clear();
        for &delta in v {
            let (acc, index) = self.accumulate(Index::Variable, delta)?;
            self.name_in_range("variable", index as u64)?;
            self.variable = acc;
            names.push(index);
        }
        let set = self.builder.set_variables(&names);
        self.scratch_names = names;
        self.built(set)?;
        if let Some(scope) = self.open_scopes.last_mut() {
            scope.has_variables = true;
        }
        Ok(())
    }

    fn range_start(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a generated range start (`E`)";
        self.no_open_scope(WHAT)?;
        let flags = *v
            .first()
            .ok_or_else(|| self.error(format!("{WHAT} without its flags")))?;
        let has_line = flags & 1 != 0;
        let has_definition = flags & 2 != 0;
        let needed = 2 + usize::from(has_line) + usize::from(has_definition);
        self.expect(WHAT, v, needed)?;
        if self.strict() {
            if flags & !0xf != 0 {
                return Err(self.error(format!("{WHAT} with unknown flags {flags:#x}")));
            }
            if flags & 0xc == 0x8 {
                return Err(self.error(format!("{WHAT} marked hidden but not a stack frame")));
            }
        }
        self.ranges_begun = true;
        if let Some(parent) = self.open_ranges.last_mut() {
            parent.has_children = true;
        }
        let (line, column) = if has_line { (v[1], v[2]) } else { (0, v[1]) };
        let start = self.moved(self.range_position, line, column)?;
        let mut definition = None;
        if has_definition {
            let (acc, index) = self.accumulate(Index::Definition, v[needed - 1])?;
            self.definition = acc;
            let known = self.builder.scopes().scopes.len();
            if index as usize >= known {
                if self.strict() {
                    return Err(self.error(format!(
                        "definition {index} is not one of the {known} original scopes"
                    )));
                }
                self.forward.push((index, self.item, self.offset));
            }
            definition = Some(index);
        }
        self.range_position = start;
        let is_stack_frame = flags & 4 != 0;
        let index = self
            .builder
            .start_range(start, definition, is_stack_frame, flags & 8 != 0);
        let index = self.built(index)?;
        self.open_ranges.push(OpenRange {
            index,
            start,
            definition,
            is_stack_frame,
            values: 0,
            has_values: false,
            has_call_site: false,
            has_sub_ranges: false,
            has_children: false,
        });
        Ok(())
    }

    fn range_end(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a generated range end (`F`)";
        if v.is_empty() {
            return Err(self.error(format!("{WHAT} without its column")));
        }
        if self.strict() && v.len() > 2 {
            return Err(self.error(format!(
                "{WHAT} has {} values after its tag, 1 or 2 expected",
                v.len()
            )));
        }
        let Some(range) = self.open_ranges.pop() else {
            return Err(self.error(format!("{WHAT} without a start")));
        };
        let (line, column) = if v.len() == 1 {
            (0, v[0])
        } else {
            (v[0], v[1])
        };
        let end = self.moved(self.range_position, line, column)?;
        self.range_position = end;
        if self.strict() {
            let late = self
                .builder
                .open_sub_range_bindings()
                .flat_map(|sub| self.builder.scopes().bindings(sub))
                .any(|binding| binding.from >= end);
            if late {
                return Err(self.error(format!(
                    "range {} ends at or before one of its sub-range bindings",
                    range.index
                )));
            }
        }
        let ended = self.builder.end_range(end);
        self.built(ended)?;
        Ok(())
    }

    fn open_range(&self, what: &str) -> Result<&OpenRange, ScopesError> {
        self.open_ranges
            .last()
            .ok_or_else(|| self.error(format!("{what} outside a generated range")))
    }

    fn bindings(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a bindings item (`G`)";
        let range = self.open_range(WHAT)?;
        if range.has_values {
            return Err(self.error(format!("a second {} for range {}", &WHAT[2..], range.index)));
        }
        if self.strict() {
            if range.has_call_site || range.has_sub_ranges || range.has_children {
                return Err(self.error(format!(
                    "{WHAT} after other items of its range (it comes right after the start)"
                )));
            }
            if v.is_empty() {
                return Err(self.error(format!("{WHAT} without bindings")));
            }
            let Some(definition) = range.definition else {
                return Err(self.error(format!("{WHAT} in a range without a definition")));
            };
            let scopes = self.builder.scopes();
            let variables = scopes.variables(&scopes.scopes[definition as usize]).len();
            if variables != v.len() {
                return Err(self.error(format!(
                    "{WHAT} with {} bindings for the {variables} variables of scope {definition}",
                    v.len()
                )));
            }
        }
        let mut expressions = std::mem::take(&mut self.scratch_values);
        expressions.clear();
        for &value in v {
            expressions.push(self.expression(value)?);
        }
        let set = self.builder.set_values(&expressions);
        self.scratch_values = expressions;
        self.built(set)?;
        if let Some(range) = self.open_ranges.last_mut() {
            range.has_values = true;
            range.values = v.len() as u32;
        }
        Ok(())
    }

    /// A binding expression: 0 is unavailable, else a 1-based name index.
    fn expression(&self, value: u64) -> Result<Option<u32>, ScopesError> {
        if value == 0 {
            return Ok(None);
        }
        self.name_in_range("binding expression", value - 1)?;
        Ok(Some((value - 1) as u32))
    }

    fn sub_range_binding(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a sub-range binding (`H`)";
        let range = self.open_range(WHAT)?;
        let Some((&variable, froms)) = v.split_first() else {
            return Err(self.error(format!("{WHAT} without its variable")));
        };
        if froms.len() % 3 != 0 {
            return Err(self.error(format!(
                "{WHAT} whose bindings are not (line, column, expression) triples"
            )));
        }
        let variable = variable as u32;
        if self.strict() {
            if froms.is_empty() {
                return Err(self.error(format!("{WHAT} without bindings")));
            }
            if v[0] >= range.values as u64 {
                return Err(self.error(format!(
                    "{WHAT} for variable {} of a range with {} bindings",
                    v[0], range.values
                )));
            }
            if self
                .builder
                .open_sub_range_bindings()
                .any(|s| s.variable == variable)
            {
                return Err(self.error(format!("a second {} for variable {variable}", &WHAT[2..])));
            }
        }
        let (start, mut at) = (range.start, range.start);
        let mut bindings = std::mem::take(&mut self.scratch_bindings);
        bindings.clear();
        for triple in froms.chunks_exact(3) {
            let from = self.moved(at, triple[0], triple[1])?;
            if self.strict() && from <= at {
                let what = if at == start {
                    "does not start after its range's start"
                } else {
                    "does not start after the previous one"
                };
                return Err(self.error(format!("a sub-range of {WHAT} {what}")));
            }
            bindings.push(BindingFrom {
                from,
                expression: self.expression(triple[2])?,
            });
            at = from;
        }
        let added = self.builder.add_sub_range_binding(variable, &bindings);
        self.scratch_bindings = bindings;
        self.built(added)?;
        if let Some(range) = self.open_ranges.last_mut() {
            range.has_sub_ranges = true;
        }
        Ok(())
    }

    fn call_site(&mut self, v: &[u64]) -> Result<(), ScopesError> {
        const WHAT: &str = "a call site (`I`)";
        self.expect(WHAT, v, 3)?;
        let range = self.open_range(WHAT)?;
        if range.has_call_site {
            return Err(self.error(format!("a second {} for range {}", &WHAT[2..], range.index)));
        }
        if self.strict() {
            if range.has_children {
                return Err(self.error(format!("{WHAT} after its range's children")));
            }
            let Some(definition) = range.definition else {
                return Err(self.error(format!("{WHAT} in a range without a definition")));
            };
            if !self.builder.scopes().scopes[definition as usize].is_stack_frame {
                return Err(self.error(format!(
                    "{WHAT} in a range whose definition (scope {definition}) is no stack frame"
                )));
            }
            if range.is_stack_frame {
                return Err(self.error(format!("{WHAT} in a range that is a stack frame")));
            }
            if v[0] >= self.counts.sources as u64 {
                return Err(self.error(format!(
                    "{WHAT} in source {} of {}",
                    v[0], self.counts.sources
                )));
            }
        }
        let set = self.builder.set_call_site(OriginalPosition {
            source: v[0] as u32,
            line: v[1] as u32,
            column: v[2] as u32,
        });
        self.built(set)?;
        if let Some(range) = self.open_ranges.last_mut() {
            range.has_call_site = true;
        }
        Ok(())
    }

    fn finish(self, len: usize) -> Result<super::Scopes, ScopesError> {
        let at_end = |message: String| ScopesError {
            item: self.item,
            offset: len,
            message,
        };
        if let Some(scope) = self.open_scopes.last() {
            return Err(at_end(format!("original scope {} never ends", scope.index)));
        }
        if let Some(range) = self.open_ranges.last() {
            return Err(at_end(format!(
                "generated range {} never ends",
                range.index
            )));
        }
        if self.strict() && self.builder.scopes().sources.len() > self.counts.sources {
            return Err(at_end(format!(
                "{} source scope trees for {} sources",
                self.builder.scopes().sources.len(),
                self.counts.sources
            )));
        }
        let known = self.builder.scopes().scopes.len();
        if let Some(&(index, item, offset)) = self
            .forward
            .iter()
            .find(|(index, ..)| *index as usize >= known)
        {
            return Err(ScopesError {
                item,
                offset,
                message: format!("definition {index} is not one of the {known} original scopes"),
            });
        }
        // Every start has had its end, every definition is checked.
        Ok(self.builder.finish_checked())
    }
}

#[derive(Clone, Copy)]
enum Index {
    Name,
    Kind,
    Variable,
    Definition,
}

impl Index {
    fn label(self) -> &'static str {
        match self {
            Index::Name => "scope name",
            Index::Kind => "scope kind",
            Index::Variable => "variable",
            Index::Definition => "definition",
        }
    }
}
