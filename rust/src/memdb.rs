//! The memdb cache format: a view's tables written out so that a file can be mapped and
//! searched in place, with no parsing beyond checking the header.
//!
//! Layout (all integers little-endian):
//!
//! ```text
//! 0   magic     8 bytes  "LSMMEMDB"
//! 8   version   u32      VERSION
//! 12  tokens    u32      token count
//! 16  interval  u32      tokens per checkpoint (mappings::INTERVAL)
//! 20  block     u32      log2 of the checksum block size (see `integrity`)
//! 24  parts     21 x (offset u64, length u64), in `view::Part` order
//! 360 sums      offset u64, length u64 of the checksum table
//! 376 check     u32      CRC-32 of bytes 0..376
//! 380 reserved  u32      0
//! 384 data      the parts, each at its offset, then the checksum table: a CRC-32
//!               (u32) per block of each part, parts in order
//! ```
//!
//! The parts are exactly the tables a JSON view builds (see `tables` and `mappings`), so
//! one lookup implementation serves both. Source contents are stored unescaped. The
//! header is verified on open; each block of a part when it is first read.

use crate::bytes::SharedBytes;
use crate::error::{bad_memdb, Error, ErrorKind, Result};
use crate::function_table::FunctionTable;
use crate::integrity::{self, Blocks, Checked};
use crate::lines;
use crate::mappings::{self, INTERVAL};
use crate::tables::{le_u32, push_u32, StringTableBuilder};
use crate::view::{Part, Region, Span, View, META_SCOPES, PART_COUNT};

pub const MAGIC: &[u8; 8] = b"LSMMEMDB";
/// 2: adds the function table parts. 3: adds the source contents' line starts.
/// 4: adds block checksums and the header checksum.
/// 5: adds React Native's function maps (four parts) and Hermes' function offsets (meta).
pub const VERSION: u32 = 5;
const PARTS_AT: usize = 24;
const SUMS_AT: usize = PARTS_AT + PART_COUNT * 16;
const CHECK_AT: usize = SUMS_AT + 16;
pub const HEADER_SIZE: usize = CHECK_AT + 8;

#[derive(Debug, Clone, Copy)]
pub struct DumpOptions {
    pub with_source_contents: bool,
    pub with_names: bool,
}

/// Serializes a view (from JSON or from another memdb) with the function table to store
/// (`None`: none; see `engine::Resolver::functions_to_store`). Every byte copied from a
/// memdb is verified first, so a damaged cache is never written out with fresh checksums.
pub fn dump(
    view: &View,
    functions: Option<FunctionTable<'_>>,
    options: DumpOptions,
) -> Result<Vec<u8>> {
    let mut contents = StringTableBuilder::default();
    if options.with_source_contents {
        for id in 0..view.source_count() {
            contents.push(view.source_contents(id)?.as_deref())?;
        }
    }
    let checkpoints = match options.with_names {
        true => None,
        false => Some(mappings::without_names(view.part(Part::Checkpoints).all()?)),
    };
    // The scopes field indexes `names`: a dump without names leaves it out, as to_json.
    let meta = match options.with_names || view.scopes_text()?.is_none() {
        true => None,
        false => Some(view.meta_without(META_SCOPES)?),
    };
    let (lines_index, lines) = match options.with_source_contents {
        true => line_start_parts(view)?,
        false => Default::default(),
    };
    let empty = Checked::trusted(&[]);
    let shift = integrity::DEFAULT_SHIFT;
    let mut out = Vec::with_capacity(HEADER_SIZE + view.part(Part::Mappings).len() * 2);
    out.extend_from_slice(MAGIC);
    push_u32(&mut out, VERSION);
    push_u32(&mut out, view.tokens()?.len());
    push_u32(&mut out, INTERVAL);
    push_u32(&mut out, shift);
    out.resize(HEADER_SIZE, 0);
    let mut spans = [(0usize, 0usize); PART_COUNT];
    for (i, part) in Part::ALL.iter().enumerate() {
        let bytes: &[u8] = match part {
            Part::ContentsIndex => &contents.index,
            Part::ContentsBlob => &contents.blob,
            Part::NamesIndex | Part::NamesBlob if !options.with_names => &[],
            Part::Checkpoints if checkpoints.is_some() => checkpoints.as_deref().unwrap_or(&[]),
            Part::FunctionRecords => functions.map_or(empty, |f| f.records()).all()?,
            Part::FunctionNamesIndex => functions.map_or(empty, |f| f.names_index()).all()?,
            Part::FunctionNamesBlob => functions.map_or(empty, |f| f.names_blob()).all()?,
            Part::MetaIndex if meta.is_some() => meta.as_ref().map_or(&[][..], |m| &m.0),
            Part::MetaBlob if meta.is_some() => meta.as_ref().map_or(&[][..], |m| &m.1),
            Part::ContentLinesIndex => &lines_index,
            Part::ContentLines => &lines,
            _ => view.part(*part).all()?,
        };
        spans[i] = (out.len(), bytes.len());
        out.extend_from_slice(bytes);
        put_u64s(&mut out, PARTS_AT + i * 16, spans[i]);
    }
    let sums_at = out.len();
    for &(offset, len) in &spans {
        let mut sums = Vec::with_capacity(integrity::block_count(len, shift) * 4);
        integrity::push_block_sums(&mut sums, &out[offset..offset + len], shift);
        out.extend_from_slice(&sums);
    }
    let sums_len = out.len() - sums_at;
    put_u64s(&mut out, SUMS_AT, (sums_at, sums_len));
    let check = integrity::checksum(&out[..CHECK_AT]);
    out[CHECK_AT..CHECK_AT + 4].copy_from_slice(&check.to_le_bytes());
    Ok(out)
}

fn put_u64s(out: &mut [u8], at: usize, (a, b): (usize, usize)) {
    out[at..at + 8].copy_from_slice(&(a as u64).to_le_bytes());
    out[at + 8..at + 16].copy_from_slice(&(b as u64).to_le_bytes());
}

/// The line starts of every source's contents: (`ContentLinesIndex`, `ContentLines`) as
/// bytes, so that a memdb reads context lines without scanning a source.
fn line_start_parts(view: &View) -> Result<(Vec<u8>, Vec<u8>)> {
    let (mut index, mut starts) = (Vec::new(), Vec::new());
    let mut count = 0u32;
    for id in 0..view.source_count() {
        push_u32(&mut index, count);
        if let Some(text) = view.source_contents(id)? {
            for start in lines::line_starts(&text) {
                push_u32(&mut starts, start);
                count = count.checked_add(1).ok_or_else(|| {
                    Error::new(
                        ErrorKind::LocationOverflow,
                        "too many source lines for a memdb",
                    )
                })?;
            }
        }
    }
    push_u32(&mut index, count);
    Ok((index, starts))
}

fn le_u64(bytes: &[u8], at: usize) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(raw)
}

/// An (offset, length) pair from the header, checked to lie inside the file after it.
fn span_at(bytes: &[u8], at: usize, what: impl Fn() -> String) -> Result<(usize, usize)> {
    let (offset, len) = (le_u64(bytes, at), le_u64(bytes, at + 8));
    let end = offset.checked_add(len);
    if offset < HEADER_SIZE as u64 || end.is_none_or(|end| end > bytes.len() as u64) {
        return Err(bad_memdb(format!(
            "memdb truncated or corrupt: {} at {offset}+{len} is outside the {} byte file",
            what(),
            bytes.len()
        )));
    }
    Ok((offset as usize, len as usize))
}

/// Opens memdb bytes: checks the header (its checksum and every table's bounds) and
/// nothing else. The tables are verified block by block as they are read.
pub fn load(input: SharedBytes) -> Result<View> {
    let bytes = input.as_slice();
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad_memdb("not a libsourcemap memdb (wrong magic bytes)"));
    }
    if bytes.len() < HEADER_SIZE {
        return Err(bad_memdb(format!(
            "memdb truncated: {} bytes, the header alone is {HEADER_SIZE}",
            bytes.len()
        )));
    }
    let version = le_u32(bytes, 8).unwrap_or(0);
    if version != VERSION {
        return Err(Error::new(
            ErrorKind::UnsupportedMemDbVersion,
            format!(
                "memdb version {version} is not supported (this build reads version {VERSION})"
            ),
        ));
    }
    if le_u32(bytes, CHECK_AT) != Some(integrity::checksum(&bytes[..CHECK_AT])) {
        return Err(bad_memdb(format!(
            "memdb checksum mismatch in the header (bytes 0..{CHECK_AT}): the file is damaged"
        )));
    }
    let token_count = le_u32(bytes, 12).unwrap_or(0);
    if le_u32(bytes, 16) != Some(INTERVAL) {
        return Err(bad_memdb(
            "memdb checkpoint interval does not match this build",
        ));
    }
    let mut parts = [(0, 0); PART_COUNT];
    for (i, part) in Part::ALL.iter().enumerate() {
        parts[i] = span_at(bytes, PARTS_AT + i * 16, || format!("part {part:?}"))?;
    }
    let sums = span_at(bytes, SUMS_AT, || "the checksum table".into())?;
    let blocks = Blocks::new(le_u32(bytes, 20).unwrap_or(0), &parts, sums)?;
    let spans = parts.map(|(start, len)| Span {
        region: Region::Input,
        start,
        len,
    });
    View::from_parts(input, spans, token_count, blocks)
}
