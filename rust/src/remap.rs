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

mod decoding;
mod encoding;

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
    /// The source this map was loaded for (none for the root), named in its errors.
    pub loaded_for: Option<&'a [u8]>,
}

/// `error` (from reading the segments of the map loaded for `loaded_for`, or of the
/// root) saying which map it is about.
fn error_in(loaded_for: Option<&[u8]>, error: Error) -> Error {
    let which = match loaded_for {
        Some(name) => format!("the map loaded for '{}'", String::from_utf8_lossy(name)),
        None => "the last step's map".to_owned(),
    };
    Error {
        message: format!("{}, in {which}", error.message),
        ..error
    }
}

/// The first index of `segments` whose column is not before `col`, searched outwards
/// from `hint`.
pub(crate) fn first_not_before(segments: &[RawToken], col: u32, hint: usize) -> usize {
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
    let size = |n: &Node<'_>| n.view.part(crate::view::Part::Mappings).len();
    let below: usize = nodes.iter().skip(1).map(size).sum();
    let threads = Threads {
        decoding: below >= THREAD_FROM,
        encoding: nodes.first().map_or(0, size) >= THREAD_FROM,
    };
    remap_with(nodes, threads)
}

/// Bytes of `mappings` (~64K segments) from which a helper thread saves more than it
/// costs: below the root, for decoding the maps there; in the root, for encoding.
const THREAD_FROM: usize = 1 << 18;

/// Which of `remap`'s helper threads to use: they cost more than they save on small maps.
#[derive(Clone, Copy)]
struct Threads {
    /// The maps below the root decoded on a second thread (see `decoding`).
    decoding: bool,
    /// The output encoded on a thread of its own (see `encoding`).
    encoding: bool,
}

/// `remap` with these helper threads.
fn remap_with(nodes: &[Node<'_>], threads: Threads) -> Result<View> {
    check_tree(nodes)?;
    decoding::with_maps(nodes, threads.decoding, |maps| {
        compose(nodes, maps, threads.encoding)
    })
}

/// `remap`'s work on this thread: the root's segments traced through `maps` and written
/// (encoded on a thread of their own if the root is big, see `encoding`).
fn compose(nodes: &[Node<'_>], maps: decoding::Maps<'_>, threaded: bool) -> Result<View> {
    let root = nodes[0].view;
    // The output has about as many segments as the root: room for its text up front.
    let room = root.part(crate::view::Part::Mappings).len();
    let encoder = || crate::mappings::Encoder::with_checkpoints(Vec::with_capacity(room));
    if !threaded {
        return walk(nodes, maps, encoding::Segments::Here(encoder()));
    }
    std::thread::scope(|s| walk(nodes, maps, encoding::Segments::away(s, encoder())?))
}

/// `compose` with the output's segments going to `segments`.
fn walk(
    nodes: &[Node<'_>],
    mut maps: decoding::Maps<'_>,
    segments: encoding::Segments<'_>,
) -> Result<View> {
    let root = nodes[0].view;
    let mut writer = Writer::new(nodes, segments);
    // The root's segments stream through in generated order: no copy of them is made.
    // An unindexed root (read for this pass) comes in text order, which is generated
    // order but for a line written out of column order (rare): on the first such
    // segment, the work starts over from its segments sorted, as building checkpoints
    // sorts them.
    let mut failed = None;
    let mut last = (0, 0);
    let walked = root.for_each_token(|token| {
        if token.dst() < last {
            failed = Some(Unsorted);
            return false;
        }
        last = token.dst();
        let done =
            trace(nodes, &mut maps, token).and_then(|traced| writer.push(token, traced, &maps));
        failed = done.err().map(Failed);
        failed.is_none()
    });
    walked.map_err(|e| error_in(nodes[0].loaded_for, e))?;
    match failed {
        None => {}
        Some(Failed(error)) => return Err(error),
        Some(Unsorted) => {
            let mut tokens = Vec::new();
            root.for_each_token(|token| {
                tokens.push(*token);
                true
            })
            .map_err(|e| error_in(nodes[0].loaded_for, e))?;
            tokens.sort_by_key(RawToken::dst); // stable: the order of equal positions stays
            let room = root.part(crate::view::Part::Mappings).len();
            let encoder = crate::mappings::Encoder::with_checkpoints(Vec::with_capacity(room));
            writer = Writer::new(nodes, encoding::Segments::Here(encoder));
            for token in &tokens {
                let traced = trace(nodes, &mut maps, token)?;
                writer.push(token, traced, &maps)?;
            }
        }
    }
    drop(maps);
    writer.finish(root.file()?)
}

/// Why the walk over the root stopped early.
enum Stop {
    Failed(Error),
    /// An unindexed root has a line out of column order.
    Unsorted,
}
use Stop::{Failed, Unsorted};

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
fn trace(nodes: &[Node<'_>], maps: &mut decoding::Maps<'_>, token: &RawToken) -> Result<Traced> {
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
        let Some(found) = maps.trace(next, line, col)? else {
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

/// Output ids of names (sources or names), see `Writer::sources`.
type Interned<'a> = HashMap<&'a [u8], u32, foldhash::fast::RandomState>;

/// Writes traced segments: sources and names numbered by first use, the skipping rules,
/// contents and ignore flags.
struct Writer<'n, 'a, 's> {
    nodes: &'n [Node<'a>],
    /// The output but for its segments, which go to `segments`.
    out: MapOut<'a>,
    segments: encoding::Segments<'s>,
    /// Output ids by name. Hashed with foldhash, seeded at random per table like the
    /// default SipHash (so names crafted to collide cannot make interning quadratic),
    /// at a fraction of its cost: SipHash took 3 ms of a 14 MB remap (~40,000 names).
    sources: Interned<'a>,
    names: Interned<'a>,
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

impl<'n, 'a, 's> Writer<'n, 'a, 's> {
    fn new(nodes: &'n [Node<'a>], segments: encoding::Segments<'s>) -> Writer<'n, 'a, 's> {
        Writer {
            nodes,
            out: MapOut::new(),
            segments,
            sources: Interned::default(),
            names: Interned::default(),
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

    fn push(&mut self, at: &RawToken, traced: Traced, maps: &decoding::Maps<'_>) -> Result<()> {
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
        let ignored = maps.is_ignored(node, src_id);
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
            self.segments.push(RawToken {
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
            self.segments.push(RawToken {
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

    fn finish(mut self, file: Option<&[u8]>) -> Result<View> {
        self.out.mappings = self.segments.finish();
        // gen-mapping writes `file` only when it is not empty.
        self.out.into_view(file.filter(|f| !f.is_empty()))
    }
}

/// A node's view, borrowed for as long as the nodes are (not just as long as `self`).
fn view_of<'a>(nodes: &[Node<'a>], node: usize) -> &'a View {
    nodes[node].view
}

/// The id of `key` in `table`, numbered in order of first use, and whether it is new.
fn intern<'k>(table: &mut Interned<'k>, key: &'k [u8]) -> Result<(u32, bool)> {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A map of `lines` lines of `per_line` segments, each mapping into source 0 at a
    /// position that wanders (so traces move back and forth), some with names.
    fn map(lines: u32, per_line: u32, seed: u32) -> View {
        crate::load::from_json_slice(&map_json(lines, per_line, seed))
            .and_then(crate::load::ViewOrIndex::into_view)
            .unwrap()
    }

    /// `map`'s JSON.
    fn map_json(lines: u32, per_line: u32, seed: u32) -> Vec<u8> {
        let mut encoder = crate::mappings::Encoder::new(Vec::new());
        let mut x = seed;
        for line in 0..lines {
            for i in 0..per_line {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                encoder.push(&RawToken {
                    dst_line: line,
                    dst_col: i * 3,
                    src_id: if x.is_multiple_of(17) { NONE } else { 0 },
                    src_line: (x >> 8) % lines,
                    src_col: (x >> 4) % (per_line * 3),
                    name_id: if x.is_multiple_of(5) {
                        (x >> 3) % 7
                    } else {
                        NONE
                    },
                });
            }
        }
        let mappings = String::from_utf8(encoder.finish()).unwrap();
        format!(
            r#"{{"version":3,"sources":["a.js"],"names":["a","b","c","d","e","f","g"],"mappings":"{mappings}"}}"#
        )
        .into_bytes()
    }

    fn unindexed(json: &[u8]) -> View {
        let input = std::sync::Arc::new(crate::bytes::Bytes::Owned(json.to_vec()));
        crate::load::from_json_unindexed(input, crate::rules::Rules::LENIENT).unwrap()
    }

    /// The composed map's JSON, for a root and one map below it.
    fn composed(outer: &View, inner: &View, threaded: bool) -> Vec<u8> {
        let nodes = [
            Node {
                view: outer,
                children: vec![Child::Map(1)],
                loaded_for: None,
            },
            Node {
                view: inner,
                children: vec![Child::Original(b"src/a.ts")],
                loaded_for: Some(b"a.js"),
            },
        ];
        let threads = Threads {
            decoding: threaded,
            encoding: threaded,
        };
        let view = remap_with(&nodes, threads).unwrap();
        crate::writer::to_json(&view, Default::default()).unwrap()
    }

    #[test]
    fn unindexed_maps_compose_as_indexed_ones() {
        // The root's line 1 has its segments out of column order: building checkpoints
        // sorts them, and the unindexed walk starts over sorted when it meets them.
        let mut outer = map_json(40, 30, 3);
        let text = String::from_utf8(outer.clone()).unwrap();
        let at = text.find(';').unwrap() + 1;
        outer.splice(at..at, b"wMAAA,xMAAA,".iter().copied()); // columns 200, then 0
        let inner = map_json(40, 30, 4);
        let indexed = |json: &[u8]| {
            crate::load::from_json_slice(json)
                .and_then(crate::load::ViewOrIndex::into_view)
                .unwrap()
        };
        let expected = composed(&indexed(&outer), &indexed(&inner), false);
        for threaded in [false, true] {
            let got = composed(&unindexed(&outer), &unindexed(&inner), threaded);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                String::from_utf8(expected.clone()).unwrap()
            );
        }
        assert!(unindexed(&inner).tokens().is_err());
    }

    #[test]
    fn an_unindexed_map_with_bad_mappings_fails_the_pass() {
        let outer = map_json(5, 5, 5);
        let inner = br#"{"version":3,"sources":["a"],"names":[],"mappings":"AAAA,!"}"#;
        let nodes = [
            Node {
                view: &unindexed(&outer),
                children: vec![Child::Map(1)],
                loaded_for: None,
            },
            Node {
                view: &unindexed(inner),
                children: vec![Child::Original(b"a")],
                loaded_for: Some(b"bundle.js"),
            },
        ];
        let error = remap(&nodes).err().unwrap();
        assert_eq!(error.kind, ErrorKind::InvalidSourceMap);
        assert!(
            error.message.contains("invalid base64")
                && error
                    .message
                    .ends_with(", in the map loaded for 'bundle.js'"),
            "{}",
            error.message
        );
    }

    #[test]
    fn maps_decoded_and_encoded_on_threads_compose_as_on_this_one() {
        let (outer, inner) = (map(300, 300, 1), map(300, 300, 2));
        assert!(inner.part(crate::view::Part::Mappings).len() >= THREAD_FROM);
        assert!(outer.part(crate::view::Part::Mappings).len() >= THREAD_FROM);
        let (threaded, here) = (
            composed(&outer, &inner, true),
            composed(&outer, &inner, false),
        );
        assert_eq!(threaded, here);
        assert!(threaded.len() > 100_000);
    }
}
