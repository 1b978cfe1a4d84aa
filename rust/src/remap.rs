//! Composing maps (remapping): the map of a multi-step build, from the last step's map
//! and the maps of the steps before it, as `@jridgewell/remapping` composes them.
//!
//! The steps form a tree: node 0 is the last step's map; each source of a node is either
//! another node (the map of the step that produced that file) or an original file. Every
//! segment of node 0 is traced down the tree to an original position:
//! - in a node's map, on an exact column hit the *first* segment at that column answers
//!   (not `View::lookup`'s last mapped one), else the last segment before the column on
//!   that line (trace-mapping's greatest lower bound);
//! - a segment whose trace finds nothing (no segment at or before it on its line) is
//!   dropped; one whose trace reaches a segment without a source has no source either;
//! - the deepest segment with a name gives the name, else the name carries through;
//! - as the output is written, a segment equal to the one before it on its line is
//!   skipped, as is a source-less segment at a line start or after another source-less
//!   one; sources and names are numbered in order of first use (by name: two originals
//!   of one name are one source), and an original's contents and ignore flag come from
//!   the map that lists it (the last traced one with contents wins).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::mappings::{RawToken, NONE};
use crate::view::View;
use crate::writer::{contents_value, json_value, MapOut};

/// What a source of a node is.
pub enum Child<'a> {
    /// The map of the step that produced this source: an index into the node list,
    /// greater than the index of the node that lists it (so the tree has no cycles).
    Map(usize),
    /// An original file, by its resolved name.
    Original(&'a [u8]),
}

/// One map of the tree and what each of its sources is (`children[i]` for source `i`).
pub struct Node<'a> {
    pub view: &'a View,
    pub children: Vec<Child<'a>>,
}

/// A node's segments decoded once, by line, for the many lookups a trace makes.
struct Segments {
    tokens: Vec<RawToken>,
    /// `tokens[line_starts[l]..line_starts[l + 1]]` are the segments of line `l`.
    line_starts: Vec<usize>,
    /// Source `i` is in the node's ignore list.
    ignored: Vec<bool>,
    /// The line and answer of the last trace (see `trace`).
    last: std::cell::Cell<(u32, usize)>,
}

impl Segments {
    fn decode(view: &View) -> Result<Segments> {
        let mut tokens = Vec::with_capacity(view.token_count() as usize);
        view.tokens().for_each(|t| tokens.push(*t))?;
        // Stable: segments at one position keep the order the map wrote them in.
        if !tokens.is_sorted_by_key(RawToken::dst) {
            tokens.sort_by_key(RawToken::dst);
        }
        let lines = tokens.last().map_or(0, |t| t.dst_line as usize + 1);
        let mut line_starts = Vec::with_capacity(lines + 1);
        let mut next = 0;
        for line in 0..=lines {
            while next < tokens.len() && (tokens[next].dst_line as usize) < line {
                next += 1;
            }
            line_starts.push(next);
        }
        Ok(Segments {
            tokens,
            line_starts,
            ..Segments::without_tokens(view)?
        })
    }

    /// Only the ignore flags: for the root, whose segments are read once, in order.
    fn without_tokens(view: &View) -> Result<Segments> {
        let mut ignored = vec![false; view.source_count() as usize];
        for id in view.ignore_list()? {
            if let Some(flag) = ignored.get_mut(id as usize) {
                *flag = true;
            }
        }
        Ok(Segments {
            tokens: Vec::new(),
            line_starts: Vec::new(),
            ignored,
            last: std::cell::Cell::new((0, 0)),
        })
    }

    fn line(&self, line: u32) -> &[RawToken] {
        let line = line as usize;
        match self.line_starts.get(line + 1) {
            Some(&end) => &self.tokens[self.line_starts[line]..end],
            None => &[],
        }
    }

    /// The segment for `col` on `line`: of the segments at `col`, the first; with none
    /// there, the last one before it (trace-mapping's greatest lower bound).
    fn trace(&self, line: u32, col: u32) -> Option<&RawToken> {
        let segments = self.line(line);
        // Consecutive traces mostly move forward on one line (a minifier keeps the
        // order of what it minifies): search on from the last answer when that is
        // behind the column, which takes a few steps instead of a whole binary search.
        let (last_line, last_at) = self.last.get();
        let hint = match last_line == line && last_at <= segments.len() {
            true => last_at,
            false => 0,
        };
        let at = first_not_before(segments, col, hint);
        self.last.set((line, at));
        match segments.get(at) {
            Some(token) if token.dst_col == col => Some(token),
            _ => segments.get(at.checked_sub(1)?),
        }
    }
}

/// The first index of `segments` whose column is not before `col`, searched outwards
/// from `hint`.
fn first_not_before(segments: &[RawToken], col: u32, hint: usize) -> usize {
    let found = crate::mappings::partition_point_from(segments.len(), hint, |i| {
        Ok::<_, std::convert::Infallible>(segments[i].dst_col < col)
    });
    match found {
        Ok(at) => at,
        Err(never) => match never {},
    }
}

/// Where a root segment's trace ends.
enum Traced {
    /// Not found: the segment is dropped.
    Nothing,
    /// A segment without a source.
    Sourceless,
    /// An original position: source `src_id` of node `node`, and the name if any.
    Original {
        node: usize,
        src_id: u32,
        line: u32,
        col: u32,
        name: Option<(usize, u32)>,
    },
}

/// The composed map of the tree `nodes` (node 0 the last step's map), with the root
/// map's `file`: a view of the JSON written for it (`to_json` gives that back).
pub fn remap(nodes: &[Node<'_>]) -> Result<View> {
    check_tree(nodes)?;
    let mut writer = Writer::new(nodes);
    // The output has about as many segments as the root: room for its text up front.
    writer.out.mappings = crate::mappings::Encoder::indexed(Vec::with_capacity(
        nodes[0].view.part(crate::view::Part::Mappings).len(),
    ));
    let mut decoded: Vec<Option<Segments>> = (0..nodes.len()).map(|_| None).collect();
    decoded[0] = Some(Segments::without_tokens(nodes[0].view)?);
    // The root's segments stream through in generated order (a parsed view keeps its
    // tokens sorted): no copy of them is made. The first error stops the work.
    let mut failed = None;
    nodes[0].view.tokens().for_each(|token| {
        if failed.is_none() {
            let done = trace(nodes, &mut decoded, token)
                .and_then(|traced| writer.push(token, traced, &decoded));
            failed = done.err();
        }
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    writer.finish(nodes[0].view.file()?)
}

fn check_tree(nodes: &[Node<'_>]) -> Result<()> {
    if nodes.is_empty() {
        return Err(invalid("remapping needs at least one map"));
    }
    for (index, node) in nodes.iter().enumerate() {
        if node.children.len() != node.view.source_count() as usize {
            return Err(invalid(format!(
                "map {index} lists {} sources but {} were described",
                node.view.source_count(),
                node.children.len()
            )));
        }
        for child in &node.children {
            if let Child::Map(child) = *child {
                if child <= index || child >= nodes.len() {
                    return Err(invalid(format!(
                        "map {index} names map {child} as a source's map: not a later node"
                    )));
                }
            }
        }
    }
    Ok(())
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

/// Follows a root segment down the tree to where it ends.
fn trace(nodes: &[Node<'_>], decoded: &mut [Option<Segments>], token: &RawToken) -> Result<Traced> {
    if !token.has_source() {
        return Ok(Traced::Sourceless);
    }
    let (mut node, mut src_id) = (0, token.src_id);
    let (mut line, mut col) = (token.src_line, token.src_col);
    let mut name = (token.name_id != NONE).then_some((0, token.name_id));
    loop {
        let child = nodes[node].children.get(src_id as usize).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidSourceMap,
                format!(
                    "map {node} has a segment in source {src_id}, but lists {} sources",
                    nodes[node].children.len()
                ),
            )
        })?;
        let next = match *child {
            Child::Original(_) => {
                return Ok(Traced::Original {
                    node,
                    src_id,
                    line,
                    col,
                    name,
                })
            }
            Child::Map(next) => next,
        };
        if decoded[next].is_none() {
            decoded[next] = Some(Segments::decode(nodes[next].view)?);
        }
        let segments = decoded[next].as_ref().expect("decoded above");
        let Some(found) = segments.trace(line, col) else {
            return Ok(Traced::Nothing);
        };
        if !found.has_source() {
            return Ok(Traced::Sourceless);
        }
        if found.name_id != NONE {
            name = Some((next, found.name_id));
        }
        (node, src_id, line, col) = (next, found.src_id, found.src_line, found.src_col);
    }
}

/// The previous segment written on the current output line.
#[derive(PartialEq)]
enum Previous {
    LineStart,
    Sourceless,
    Mapped(u32, u32, u32, u32),
}

/// Writes traced segments: sources and names numbered by first use, the skipping rules,
/// contents and ignore flags.
struct Writer<'n, 'a> {
    nodes: &'n [Node<'a>],
    out: MapOut<'a>,
    sources: HashMap<&'a [u8], u32>,
    names: HashMap<&'a [u8], u32>,
    /// Which node's source last gave an output source its contents.
    contents_from: Vec<Option<(usize, u32)>>,
    ignored: Vec<bool>,
    /// Per node, the output id of each of its sources and names once looked up (`NONE`:
    /// not yet), so that the name is hashed once, not once per segment.
    source_ids: Vec<Vec<u32>>,
    name_ids: Vec<Vec<u32>>,
    /// Per node and source: contents not known yet (0), none (1), some (2).
    has_contents: Vec<Vec<u8>>,
    line: u32,
    previous: Previous,
}

impl<'n, 'a> Writer<'n, 'a> {
    fn new(nodes: &'n [Node<'a>]) -> Writer<'n, 'a> {
        Writer {
            nodes,
            out: MapOut::new(),
            sources: HashMap::new(),
            names: HashMap::new(),
            contents_from: Vec::new(),
            ignored: Vec::new(),
            source_ids: nodes
                .iter()
                .map(|n| vec![NONE; n.view.source_count() as usize])
                .collect(),
            name_ids: nodes
                .iter()
                .map(|n| vec![NONE; n.view.name_count() as usize])
                .collect(),
            has_contents: nodes
                .iter()
                .map(|n| vec![0; n.view.source_count() as usize])
                .collect(),
            line: 0,
            previous: Previous::LineStart,
        }
    }

    fn push(&mut self, at: &RawToken, traced: Traced, decoded: &[Option<Segments>]) -> Result<()> {
        if at.dst_line != self.line {
            (self.line, self.previous) = (at.dst_line, Previous::LineStart);
        }
        let (node, src_id, line, col, name) = match traced {
            Traced::Nothing => return Ok(()),
            Traced::Sourceless => {
                self.push_sourceless(at);
                return Ok(());
            }
            Traced::Original {
                node,
                src_id,
                line,
                col,
                name,
            } => (node, src_id, line, col, name),
        };
        let Child::Original(source) = self.nodes[node].children[src_id as usize] else {
            unreachable!("a trace ends at an original");
        };
        let ignored = decoded[node]
            .as_ref()
            .is_some_and(|s| s.ignored[src_id as usize]);
        if source.is_empty() {
            // An original without a name counts as no source (but is still listed when
            // it is ignored, as gen-mapping's setIgnore does).
            self.push_sourceless(at);
            if ignored {
                let id = self.source(source)?;
                self.ignore(id);
            }
            return Ok(());
        }
        let source_id = match self.source_ids[node][src_id as usize] {
            NONE => {
                let id = self.source(source)?;
                self.source_ids[node][src_id as usize] = id;
                id
            }
            id => id,
        };
        let name_id = match name {
            Some((name_node, id)) => self.name_of(name_node, id)?,
            None => NONE,
        };
        let segment = Previous::Mapped(source_id, line, col, name_id);
        if self.previous != segment {
            self.out.mappings.push(&RawToken {
                dst_line: at.dst_line,
                dst_col: at.dst_col,
                src_id: source_id,
                src_line: line,
                src_col: col,
                name_id,
            });
            self.previous = segment;
        }
        let known = &mut self.has_contents[node][src_id as usize];
        if *known != 1 && self.contents_from[source_id as usize] != Some((node, src_id)) {
            match contents_value(view_of(self.nodes, node), src_id)? {
                Some(contents) => {
                    self.out.contents[source_id as usize] = contents;
                    self.contents_from[source_id as usize] = Some((node, src_id));
                    *known = 2;
                }
                None => *known = 1,
            }
        }
        if ignored {
            self.ignore(source_id);
        }
        Ok(())
    }

    fn push_sourceless(&mut self, at: &RawToken) {
        if matches!(self.previous, Previous::Mapped(..)) {
            self.out.mappings.push(&RawToken {
                src_id: NONE,
                name_id: NONE,
                ..*at
            });
            self.previous = Previous::Sourceless;
        }
    }

    fn source(&mut self, source: &'a [u8]) -> Result<u32> {
        let (id, new) = intern(&mut self.sources, source)?;
        if new {
            self.out.sources.push(json_value(Some(source)));
            self.out.contents.push(Cow::Borrowed(b"null"));
            self.contents_from.push(None);
            self.ignored.push(false);
        }
        Ok(id)
    }

    fn name(&mut self, name: &'a [u8]) -> Result<u32> {
        let (id, new) = intern(&mut self.names, name)?;
        if new {
            self.out.names.push(json_value(Some(name)));
        }
        Ok(id)
    }

    /// The output id of name `id` of node `node` (`NONE` for a missing or empty name).
    fn name_of(&mut self, node: usize, id: u32) -> Result<u32> {
        let Some(&cached) = self.name_ids[node].get(id as usize) else {
            return Ok(NONE); // out of range: no name
        };
        if cached != NONE {
            return Ok(cached);
        }
        let found = match view_of(self.nodes, node).name(id)? {
            Some(text) if !text.is_empty() => self.name(text)?,
            _ => NONE,
        };
        self.name_ids[node][id as usize] = found;
        Ok(found)
    }

    fn ignore(&mut self, source_id: u32) {
        if !std::mem::replace(&mut self.ignored[source_id as usize], true) {
            self.out.ignored.push(source_id);
        }
    }

    fn finish(self, file: Option<&[u8]>) -> Result<View> {
        // gen-mapping writes `file` only when it is not empty.
        self.out.into_view(file.filter(|f| !f.is_empty()))
    }
}

/// A node's view, borrowed for as long as the nodes are (not just as long as `self`).
fn view_of<'a>(nodes: &[Node<'a>], node: usize) -> &'a View {
    nodes[node].view
}

/// The id of `key` in `table`, numbered in order of first use, and whether it is new.
fn intern<'k>(table: &mut HashMap<&'k [u8], u32>, key: &'k [u8]) -> Result<(u32, bool)> {
    let next = table.len() as u32;
    let id = *table.entry(key).or_insert(next);
    if id == next && next == NONE {
        return Err(Error::new(
            ErrorKind::LocationOverflow,
            "the remapped map has more than 2^32 - 2 sources or names",
        ));
    }
    Ok((id, id == next))
}
