//! Stack frames resolved in one go: for each generated position, the original position,
//! the token's name, the original function's name and the context lines around it.
//!
//! A symbolication service resolves a whole trace at once; doing it here costs one call
//! across the FFI boundary per trace instead of several per frame.

use serde::Serialize;

use crate::error::Result;
use crate::lines::utf8_lossy;
use crate::view::View;

/// One resolved frame (all numbers 0-based).
#[derive(Debug, Serialize)]
pub struct ResolvedFrame {
    pub src_id: u32,
    pub line: u32,
    pub col: u32,
    /// The original name of the token at the position (e.g. the called method).
    pub name: Option<String>,
    /// The original name of the function around the position.
    pub function: Option<String>,
    pub pre_context: Vec<String>,
    pub context_line: Option<String>,
    pub post_context: Vec<String>,
}

/// Resolves generated `positions`, with `context` lines each side; `None` for a position
/// that does not map. Parses what the function names need first, in parallel (see
/// `View::prepare_frames`); a minified `source` that does not parse is skipped, as names
/// then come from the original sources.
pub fn resolve(
    view: &View,
    source: Option<&str>,
    positions: &[(u32, u32)],
    context: u32,
) -> Result<Vec<Option<ResolvedFrame>>> {
    match view.prepare_frames(source, positions) {
        Err(e) if e.kind == crate::error::ErrorKind::BadSource => {}
        other => other?,
    }
    positions
        .iter()
        .map(|&(line, col)| resolve_one(view, line, col, context))
        .collect()
}

fn resolve_one(view: &View, line: u32, col: u32, context: u32) -> Result<Option<ResolvedFrame>> {
    let Some((_, token)) = view.lookup(line, col)? else {
        return Ok(None);
    };
    if !token.has_source() {
        return Ok(None);
    }
    let text = |bytes: &[u8]| utf8_lossy(bytes).into_owned();
    let name = view.name(token.name_id)?.map(text);
    let function = view.original_function_name(line, col)?.map(|n| text(&n));
    let first = token.src_line.saturating_sub(context);
    let last = token.src_line.saturating_add(context).saturating_add(1);
    let (mut pre_context, mut context_line, mut post_context) = (Vec::new(), None, Vec::new());
    if let Some(joined) = view.source_lines(token.src_id, first, last)? {
        // `source_lines` ends every line with '\n'; the last split piece is empty.
        let mut lines: Vec<String> = joined.split(|&b| b == b'\n').map(text).collect();
        lines.pop();
        let at = (token.src_line - first) as usize;
        if at < lines.len() {
            post_context = lines.split_off(at + 1);
            context_line = lines.pop();
            pre_context = lines;
        }
    }
    Ok(Some(ResolvedFrame {
        src_id: token.src_id,
        line: token.src_line,
        col: token.src_col,
        name,
        function,
        pre_context,
        context_line,
        post_context,
    }))
}
