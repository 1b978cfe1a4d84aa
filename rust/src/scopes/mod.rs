//! The `scopes` field of ECMA-426's scopes proposal: original scope trees per source and
//! the generated ranges of the bundle, as the proposal's draft spec
//! (tc39/ecma426 branch `proposal-scopes`, 2026-05) encodes them, and as tc39's
//! source-map-tests `decoding/scopes/` and Chrome DevTools' codec
//! (`source-map-scopes-codec` 0.8.1) read them.
//!
//! The field is a comma-separated list of items, each a tag and base64 VLQs:
//!
//! | tag | item | values |
//! | --- | --- | --- |
//! | `A` | no scope tree for this source | |
//! | `B` | original scope start | flags (1 name, 2 kind, 4 stack frame), line, column, name?, kind? |
//! | `C` | original scope end | line, column |
//! | `D` | the scope's variables | name index deltas |
//! | `E` | generated range start | flags (1 line, 2 definition, 4 stack frame, 8 hidden), line?, column, definition? |
//! | `F` | generated range end | line?, column |
//! | `G` | the range's bindings | 1-based name index per variable, 0 = unavailable |
//! | `H` | a sub-range binding | variable index, then (line, column, 1-based name index) per sub-range |
//! | `I` | the call site of an inlined range | source, line, column (absolute) |
//! | `/` | vendor extension | name index, anything |
//!
//! Lines are relative to the previous item of the same tree kind; a column is relative
//! when its line did not move, absolute otherwise. Names, kinds, variables and
//! definitions are signed deltas from the previous one of their kind, across trees.
//! Original positions start from (0, 0) at each source's tree; generated positions run
//! through all ranges. See [`decode`] for what each mode accepts.
//!
//! The decoded form ([`Scopes`]) is flat: every original scope in pre-order (the order
//! of the `B` items, which is what a range's definition indexes), every generated range
//! in pre-order, and the variables, bindings and sub-range bindings in shared pools.
//! Names stay indexes into the map's `names`; [`Scopes::to_words`] is the same thing as
//! `u32` words, the form a caller outside the crate reads (libsourcemap/scopes.py).

pub mod decode;
pub mod encode;
pub mod words;

#[cfg(test)]
mod tests;

pub use decode::{decode, MapCounts, Mode, ScopesError};
pub use encode::encode;

use crate::error::{Error, ErrorKind};

/// A 0-based line and column (a generated position, or one in the original source whose
/// tree holds it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    pub const fn new(line: u32, column: u32) -> Position {
        Position { line, column }
    }
}

/// A position in an original source: the call site of an inlined range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OriginalPosition {
    /// Index into the map's `sources`.
    pub source: u32,
    pub line: u32,
    pub column: u32,
}

/// A run of a pool: `start..start + len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.start as usize + self.len as usize
    }
}

/// A scope in an original source (the spec's Original Scope Record). `name`, `kind` and
/// the variables are indexes into the map's `names`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalScope {
    /// Where the scope starts (inclusive).
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
    /// The original name (a function's or class's name), if any.
    pub name: Option<u32>,
    /// A label for debuggers ("Global", "Function", "Block"...), if any.
    pub kind: Option<u32>,
    /// Whether running it makes a stack frame (a function, a method).
    pub is_stack_frame: bool,
    parent: Option<u32>,
    subtree_end: u32,
    variables: Span,
}

/// A range of the generated code (the spec's Generated Range Record, as encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedRange {
    /// Where the range starts (inclusive).
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
    /// The original scope it is (an index into [`Scopes::scopes`]), if any.
    pub definition: Option<u32>,
    /// Whether it is a function of the generated code (it can show in `Error.stack`).
    pub is_stack_frame: bool,
    /// Whether calls to it are hidden from stack traces (an outlined function).
    pub is_hidden: bool,
    /// Where the inlined function it is was called, in the original code.
    pub call_site: Option<OriginalPosition>,
    parent: Option<u32>,
    subtree_end: u32,
    values: Span,
    sub_ranges: Span,
}

/// One `H` item: where a variable's value takes another expression within its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubRangeBinding {
    /// Index into the definition's variables (and the range's values).
    pub variable: u32,
    bindings: Span,
}

/// From `from` on (to the next binding of the variable, or the range's end), the value
/// of the variable is `expression` (an index into `names`; `None`: unavailable). The
/// spec's Binding Record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BindingFrom {
    pub from: Position,
    pub expression: Option<u32>,
}

/// A decoded `scopes` field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scopes {
    /// One entry per source tree item, in order (the n-th is `sources[n]`'s): the index
    /// of its root scope, or `None` for an `A` item (no scope information).
    pub sources: Vec<Option<u32>>,
    /// Every original scope, in pre-order: a range's definition indexes this.
    pub scopes: Vec<OriginalScope>,
    /// Every generated range, in pre-order.
    pub ranges: Vec<GeneratedRange>,
    variables: Vec<u32>,
    values: Vec<Option<u32>>,
    sub_range_bindings: Vec<SubRangeBinding>,
    bindings: Vec<BindingFrom>,
}

impl OriginalScope {
    /// The enclosing scope, if this is not a root.
    pub fn parent(&self) -> Option<u32> {
        self.parent
    }

    /// One past the index of its last descendant: its subtree is `index..subtree_end`.
    pub fn subtree_end(&self) -> u32 {
        self.subtree_end
    }
}

impl GeneratedRange {
    /// The enclosing range, if this is not a root.
    pub fn parent(&self) -> Option<u32> {
        self.parent
    }

    /// One past the index of its last descendant: its subtree is `index..subtree_end`.
    pub fn subtree_end(&self) -> u32 {
        self.subtree_end
    }
}

impl Scopes {
    /// The names of a scope's variables (indexes into `names`).
    pub fn variables(&self, scope: &OriginalScope) -> &[u32] {
        &self.variables[scope.variables.range()]
    }

    /// A range's `G` item: per variable of its definition, the expression giving its
    /// value from the range's start (`None`: unavailable). Empty without a `G` item.
    pub fn values(&self, range: &GeneratedRange) -> &[Option<u32>] {
        &self.values[range.values.range()]
    }

    /// A range's `H` items, in the order they came.
    pub fn sub_range_bindings(&self, range: &GeneratedRange) -> &[SubRangeBinding] {
        &self.sub_range_bindings[range.sub_ranges.range()]
    }

    /// The sub-ranges of one `H` item.
    pub fn bindings(&self, sub: &SubRangeBinding) -> &[BindingFrom] {
        &self.bindings[sub.bindings.range()]
    }

    /// The direct children of scope `index`, in order.
    pub fn scope_children(&self, index: u32) -> Children<'_, OriginalScope> {
        let end = self.scopes[index as usize].subtree_end;
        Children {
            items: &self.scopes,
            next: index + 1,
            end,
        }
    }

    /// The direct children of range `index`, in order.
    pub fn range_children(&self, index: u32) -> Children<'_, GeneratedRange> {
        let end = self.ranges[index as usize].subtree_end;
        Children {
            items: &self.ranges,
            next: index + 1,
            end,
        }
    }

    /// The top-level ranges, in order.
    pub fn root_ranges(&self) -> Children<'_, GeneratedRange> {
        Children {
            items: &self.ranges,
            next: 0,
            end: self.ranges.len() as u32,
        }
    }

    /// The spec's [[Bindings]] of a range: per value of its `G` item, the binding from
    /// the range's start followed by those of the `H` items for that variable (`H` items
    /// for a variable beyond the values are left out, as the spec leaves them).
    pub fn binding_records(&self, range: &GeneratedRange) -> Vec<Vec<BindingFrom>> {
        let mut out: Vec<Vec<BindingFrom>> = self
            .values(range)
            .iter()
            .map(|&expression| {
                vec![BindingFrom {
                    from: range.start,
                    expression,
                }]
            })
            .collect();
        for sub in self.sub_range_bindings(range) {
            if let Some(list) = out.get_mut(sub.variable as usize) {
                list.extend_from_slice(self.bindings(sub));
            }
        }
        out
    }

    /// The innermost generated range containing `position`, if any. Ranges are nested
    /// and in order, so in pre-order their starts ascend: the last range starting at or
    /// before `position` is the innermost one if it contains it, else one of its
    /// ancestors is. A binary search and a walk up, not a scan of every sibling (one
    /// generated function may hold thousands). Ranges out of order (a lenient read) can
    /// give a range that is not the innermost, never a wrong containment.
    pub fn innermost_range(&self, position: Position) -> Option<u32> {
        let after = self.ranges.partition_point(|r| r.start <= position);
        let mut index = u32::try_from(after.checked_sub(1)?).ok()?;
        loop {
            let range = &self.ranges[index as usize];
            if range.start <= position && position < range.end {
                return Some(index);
            }
            index = range.parent?;
        }
    }
}

/// The direct children of a node of a flat pre-order tree, with their indexes.
pub struct Children<'a, T> {
    items: &'a [T],
    next: u32,
    end: u32,
}

trait Subtree {
    fn subtree_end(&self) -> u32;
}

impl Subtree for OriginalScope {
    fn subtree_end(&self) -> u32 {
        self.subtree_end
    }
}

impl Subtree for GeneratedRange {
    fn subtree_end(&self) -> u32 {
        self.subtree_end
    }
}

#[allow(private_bounds)]
impl<'a, T: Subtree> Iterator for Children<'a, T> {
    type Item = (u32, &'a T);

    fn next(&mut self) -> Option<(u32, &'a T)> {
        if self.next >= self.end {
            return None;
        }
        let index = self.next;
        let item = self.items.get(index as usize)?;
        // A malformed subtree end (never made by the builder) cannot loop.
        self.next = item.subtree_end().max(index + 1);
        Some((index, item))
    }
}

/// Builds a [`Scopes`] item by item, in the order of the encoding: the decoder's and
/// `words`' way to make one, and the way to make one by hand. It keeps the structure
/// (parents, subtrees, pools) consistent; what it checks beyond that is that every start
/// has its end and that a range's definition names a scope.
#[derive(Debug, Default)]
pub struct Builder {
    out: Scopes,
    open_scopes: Vec<u32>,
    open_ranges: Vec<u32>,
    /// `H` items of open ranges: (range, item), the innermost range's last.
    pending: Vec<(u32, SubRangeBinding)>,
}

impl Builder {
    pub fn new() -> Builder {
        Builder::default()
    }

    /// A builder with room for `scopes` scopes and `ranges` ranges.
    pub fn with_capacity(scopes: usize, ranges: usize) -> Builder {
        let mut builder = Builder::default();
        builder.out.scopes.reserve_exact(scopes);
        builder.out.ranges.reserve_exact(ranges);
        builder
    }

    /// An `A` item: the next source has no scope tree.
    pub fn empty_source(&mut self) {
        self.out.sources.push(None);
    }

    /// Opens an original scope (a child of the open one, or the next source's root).
    pub fn start_scope(
        &mut self,
        start: Position,
        name: Option<u32>,
        kind: Option<u32>,
        is_stack_frame: bool,
        variables: &[u32],
    ) -> Result<u32, Error> {
        let index = len_u32(self.out.scopes.len())?;
        let parent = self.open_scopes.last().copied();
        if parent.is_none() {
            self.out.sources.push(Some(index));
        }
        let span = push_span(&mut self.out.variables, variables)?;
        self.out.scopes.push(OriginalScope {
            start,
            end: start,
            name,
            kind,
            is_stack_frame,
            parent,
            subtree_end: index + 1,
            variables: span,
        });
        self.open_scopes.push(index);
        Ok(index)
    }

    /// Sets the variables of the open scope (a `D` item after its start).
    pub fn set_variables(&mut self, variables: &[u32]) -> Result<(), Error> {
        let index = *self
            .open_scopes
            .last()
            .ok_or_else(|| misuse("variables without an open scope"))?;
        let span = push_span(&mut self.out.variables, variables)?;
        self.out.scopes[index as usize].variables = span;
        Ok(())
    }

    /// Closes the open scope.
    pub fn end_scope(&mut self, end: Position) -> Result<u32, Error> {
        let index = self
            .open_scopes
            .pop()
            .ok_or_else(|| misuse("a scope end without a start"))?;
        let subtree_end = len_u32(self.out.scopes.len())?;
        let scope = &mut self.out.scopes[index as usize];
        scope.end = end;
        scope.subtree_end = subtree_end;
        Ok(index)
    }

    /// Opens a generated range (a child of the open one, or a new root).
    pub fn start_range(
        &mut self,
        start: Position,
        definition: Option<u32>,
        is_stack_frame: bool,
        is_hidden: bool,
    ) -> Result<u32, Error> {
        let index = len_u32(self.out.ranges.len())?;
        self.out.ranges.push(GeneratedRange {
            start,
            end: start,
            definition,
            is_stack_frame,
            is_hidden,
            call_site: None,
            parent: self.open_ranges.last().copied(),
            subtree_end: index + 1,
            values: Span::default(),
            // Set at its end, when its `H` items are all there.
            sub_ranges: Span::default(),
        });
        self.open_ranges.push(index);
        Ok(index)
    }

    fn open_range(&self) -> Result<u32, Error> {
        self.open_ranges
            .last()
            .copied()
            .ok_or_else(|| misuse("a range item without an open range"))
    }

    /// Sets the open range's values (its `G` item).
    pub fn set_values(&mut self, values: &[Option<u32>]) -> Result<(), Error> {
        let index = self.open_range()?;
        let span = push_span(&mut self.out.values, values)?;
        self.out.ranges[index as usize].values = span;
        Ok(())
    }

    /// Sets the open range's call site (its `I` item).
    pub fn set_call_site(&mut self, call_site: OriginalPosition) -> Result<(), Error> {
        let index = self.open_range()?;
        self.out.ranges[index as usize].call_site = Some(call_site);
        Ok(())
    }

    /// Adds an `H` item to the open range.
    pub fn add_sub_range_binding(
        &mut self,
        variable: u32,
        bindings: &[BindingFrom],
    ) -> Result<(), Error> {
        let index = self.open_range()?;
        let span = push_span(&mut self.out.bindings, bindings)?;
        self.pending.push((
            index,
            SubRangeBinding {
                variable,
                bindings: span,
            },
        ));
        Ok(())
    }

    /// The `H` items given so far to the open range.
    pub fn open_sub_range_bindings(&self) -> impl Iterator<Item = &SubRangeBinding> {
        let open = self.open_ranges.last().copied();
        self.pending
            .iter()
            .rev()
            .take_while(move |(owner, _)| Some(*owner) == open)
            .map(|(_, sub)| sub)
    }

    /// Closes the open range; its `H` items join the pool in one run.
    pub fn end_range(&mut self, end: Position) -> Result<u32, Error> {
        let index = self
            .open_ranges
            .pop()
            .ok_or_else(|| misuse("a range end without a start"))?;
        let first = self
            .pending
            .iter()
            .rposition(|(owner, _)| *owner != index)
            .map_or(0, |i| i + 1);
        let start = len_u32(self.out.sub_range_bindings.len())?;
        self.out
            .sub_range_bindings
            .extend(self.pending.drain(first..).map(|(_, sub)| sub));
        let len = len_u32(self.out.sub_range_bindings.len())? - start;
        let subtree_end = len_u32(self.out.ranges.len())?;
        let range = &mut self.out.ranges[index as usize];
        range.end = end;
        range.subtree_end = subtree_end;
        range.sub_ranges = Span { start, len };
        Ok(index)
    }

    /// How many scopes and ranges are open.
    pub fn open_counts(&self) -> (usize, usize) {
        (self.open_scopes.len(), self.open_ranges.len())
    }

    /// The scopes so far (a definition's variables, while decoding).
    pub fn scopes(&self) -> &Scopes {
        &self.out
    }

    /// The result, for a caller that checked what `finish` checks.
    fn finish_checked(self) -> Scopes {
        self.out
    }

    /// The result: every start ended, every definition a scope.
    pub fn finish(self) -> Result<Scopes, Error> {
        if !self.open_scopes.is_empty() || !self.open_ranges.is_empty() {
            return Err(misuse("a scope or range was not ended"));
        }
        let count = self.out.scopes.len() as u64;
        if let Some(range) = self
            .out
            .ranges
            .iter()
            .find(|r| r.definition.is_some_and(|d| d as u64 >= count))
        {
            return Err(misuse(format!(
                "definition {} of a range is not one of the {count} original scopes",
                range.definition.unwrap_or(0)
            )));
        }
        Ok(self.out)
    }
}

fn misuse(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

fn len_u32(len: usize) -> Result<u32, Error> {
    u32::try_from(len).map_err(|_| misuse("more than 2^32 - 1 scope items"))
}

fn push_span<T: Copy>(pool: &mut Vec<T>, items: &[T]) -> Result<Span, Error> {
    let start = len_u32(pool.len())?;
    let len = len_u32(items.len())?;
    len_u32(pool.len() + items.len())?;
    pool.extend_from_slice(items);
    Ok(Span { start, len })
}
