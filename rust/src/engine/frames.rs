//! Stack frames resolved in one go: for each generated position, the original position,
//! the token's name, the original function's name and the context lines around it.
//!
//! A symbolication service resolves a whole trace at once; doing it here costs one call
//! across the FFI boundary per trace instead of several per frame.

use super::resolver::Resolver;
use crate::error::Result;
use crate::lines::utf8_lossy;
use crate::mappings::NONE;

/// One resolved frame (all numbers 0-based).
#[derive(Debug)]
pub struct ResolvedFrame {
    pub src_id: u32,
    pub line: u32,
    pub col: u32,
    /// The original name of the token at the position (e.g. the called method).
    pub name: Option<String>,
    /// The original name of the function around the position.
    pub function: Option<String>,
    /// The context lines, each ended by '\n', as the source has them: split into
    /// pre-context, the frame's line and post-context only by the reader (a trace of 50
    /// frames with 5 lines each side would otherwise make 550 small strings).
    context: Vec<u8>,
    /// Which line of `context` is the frame's (`None`: the source has no such line).
    at: Option<usize>,
    /// Where the position is in inlined code (the map's scopes say so): the original
    /// callers the generated code does not show, innermost first, each at its call site
    /// (no `name`, no callers of its own).
    pub callers: Vec<ResolvedFrame>,
    /// The position is in an outlined function, which the map's scopes hide from
    /// original traces.
    pub hidden: bool,
}

/// Fields per frame in the header of `to_records`.
pub const RECORD_FIELDS: usize = 8;

/// The bit of `found` that marks a frame in an outlined function (see `to_records`).
pub const HIDDEN: u32 = 1 << 31;

/// The frames as `lsm_resolver_resolve_frames` returns them: a header of `RECORD_FIELDS`
/// native-endian u32 per frame, `[found, src_id, line, col, name length, function length,
/// context length, context line index]` (a length or index of `NONE`: null; a frame not
/// found is all zeros; `found` is 1 plus the number of its inlined callers, with
/// `HIDDEN` set for a frame the scopes hide), then a
/// record of the same form for each inlined caller (frame after frame, innermost caller
/// first), then the bytes of every name, function and context, in the records' order.
/// Read with one array conversion and slices, no parser: unlike JSON, this costs the
/// reader no module import on its first call.
pub fn to_records(frames: &[Option<ResolvedFrame>]) -> Result<Vec<u8>> {
    let callers = frames.iter().flatten().flat_map(|f| &f.callers);
    let text: usize = frames
        .iter()
        .flatten()
        .chain(callers.clone())
        .map(|f| f.context.len())
        .sum();
    let records = frames.len() + callers.clone().count();
    let mut out = Vec::with_capacity(records * RECORD_FIELDS * 4 + text);
    let mut blob = Vec::with_capacity(text);
    let firsts = frames
        .iter()
        .map(|frame| frame.as_ref().map(|f| (f, 1 + f.callers.len())));
    for record in firsts.chain(callers.map(|f| Some((f, 1)))) {
        let fields = match record {
            None => [0; RECORD_FIELDS],
            Some((f, found)) => {
                let (name, function) = (f.name.as_deref(), f.function.as_deref());
                let found = u32::try_from(found)
                    .ok()
                    .filter(|&n| n < HIDDEN)
                    .ok_or_else(too_large)?;
                let fields = [
                    found | if f.hidden { HIDDEN } else { 0 },
                    f.src_id,
                    f.line,
                    f.col,
                    len_of(name.map(str::as_bytes))?,
                    len_of(function.map(str::as_bytes))?,
                    len_of(Some(&f.context))?,
                    f.at.map_or(NONE, |at| at as u32),
                ];
                for bytes in [name.unwrap_or(""), function.unwrap_or("")] {
                    blob.extend_from_slice(bytes.as_bytes());
                }
                blob.extend_from_slice(&f.context);
                fields
            }
        };
        for value in fields {
            out.extend_from_slice(&value.to_ne_bytes());
        }
    }
    out.extend_from_slice(&blob);
    Ok(out)
}

/// A length field of `to_records`: `NONE` for none.
fn len_of(bytes: Option<&[u8]>) -> Result<u32> {
    match bytes {
        None => Ok(NONE),
        Some(b) => u32::try_from(b.len())
            .ok()
            .filter(|&n| n != NONE)
            .ok_or_else(too_large),
    }
}

fn too_large() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorKind::LocationOverflow,
        "a resolved frame's text is 4 GiB or more",
    )
}

/// Resolves generated `positions`, with `context` lines each side; `None` for a position
/// that does not map. Parses what the function names need first, in parallel (see
/// `Resolver::prepare_frames`); a minified `source` that does not parse is skipped, as names
/// then come from the original sources.
pub fn resolve(
    resolver: &Resolver,
    source: Option<&str>,
    positions: &[(u32, u32)],
    context: u32,
) -> Result<Vec<Option<ResolvedFrame>>> {
    match resolver.prepare_frames(source, positions) {
        Err(e) if e.kind == crate::error::ErrorKind::BadSource => {}
        other => other?,
    }
    positions
        .iter()
        .map(|&(line, col)| resolve_one(resolver, line, col, context))
        .collect()
}

fn resolve_one(
    resolver: &Resolver,
    line: u32,
    col: u32,
    context: u32,
) -> Result<Option<ResolvedFrame>> {
    let view = resolver.view();
    let Some((_, token)) = view.frame_lookup(line, col)? else {
        return Ok(None);
    };
    if !token.has_source() {
        return Ok(None);
    }
    let text = |bytes: &[u8]| utf8_lossy(bytes).into_owned();
    let name = view.name(token.name_id)?.map(text);
    let function = resolver
        .function_name_at(line, col, Some(token))?
        .map(|n| text(&n));
    let inlined = resolver.inlined(line, col, Some(token))?;
    let mut callers = Vec::new();
    for caller in inlined.callers {
        let site = caller.site;
        let function = caller.function.map(|n| text(&n));
        callers.push(with_context(
            resolver,
            site.source,
            site.line,
            site.column,
            None,
            function,
            context,
        )?);
    }
    let mut frame = with_context(
        resolver,
        token.src_id,
        token.src_line,
        token.src_col,
        name,
        function,
        context,
    )?;
    frame.callers = callers;
    frame.hidden = inlined.hidden;
    Ok(Some(frame))
}

/// A frame at original (`line`, `col`) of source `src_id`, with `context` lines each
/// side.
fn with_context(
    resolver: &Resolver,
    src_id: u32,
    line: u32,
    col: u32,
    name: Option<String>,
    function: Option<String>,
    context: u32,
) -> Result<ResolvedFrame> {
    let first = line.saturating_sub(context);
    let last = line.saturating_add(context).saturating_add(1);
    let lines = resolver
        .source_lines(src_id, first, last)?
        .unwrap_or_default();
    let at = (line - first) as usize;
    let count = lines.iter().filter(|&&b| b == b'\n').count();
    Ok(ResolvedFrame {
        src_id,
        line,
        col,
        name,
        function,
        context: lines,
        at: (at < count).then_some(at),
        callers: Vec::new(),
        hidden: false,
    })
}
