//! `lsm_view_*` exports for original function names.

use std::os::raw::{c_char, c_int};

use super::view::positions;
use super::{byte_slice, handle, landingpad, out_buffer, LsmError};
use crate::view::View;

/// Parses the minified source of the map and keeps its function table in the view.
#[no_mangle]
pub unsafe extern "C" fn lsm_view_attach_minified_source(
    view: *const View,
    source: *const c_char,
    len: usize,
    err: *mut LsmError,
) -> c_int {
    landingpad(err, || {
        let view = handle(view)?;
        // Invalid UTF-8 is replaced, not refused: a stray byte must not cost every name.
        let text = crate::lines::utf8_lossy(byte_slice(source, len)?);
        view.attach_minified_source(&text)?;
        Ok(1)
    })
}

/// Parses, in parallel, what naming the functions at `count` generated (line, col)
/// `positions` needs: the minified source (NULL: none) and the original sources.
#[no_mangle]
pub unsafe extern "C" fn lsm_view_prepare_frames(
    view: *const View,
    source: *const c_char,
    len: usize,
    positions: *const u32,
    count: usize,
    err: *mut LsmError,
) -> c_int {
    landingpad(err, || {
        let (text, positions) = frames_args(source, len, positions, count)?;
        handle(view)?.prepare_frames(text.as_deref(), &positions)?;
        Ok(1)
    })
}

/// Resolves `count` generated (line, col) `positions` in one call (see `frames::resolve`):
/// a JSON array with an object or `null` per position, as an owned buffer.
#[no_mangle]
pub unsafe extern "C" fn lsm_view_resolve_frames(
    view: *const View,
    source: *const c_char,
    len: usize,
    positions: *const u32,
    count: usize,
    context: u32,
    len_out: *mut usize,
    err: *mut LsmError,
) -> *mut c_char {
    landingpad(err, || {
        let (text, positions) = frames_args(source, len, positions, count)?;
        let frames = crate::frames::resolve(handle(view)?, text.as_deref(), &positions, context)?;
        let json = serde_json::to_vec(&frames)
            .map_err(|e| crate::error::Error::new(crate::error::ErrorKind::Panic, e.to_string()))?;
        Ok(out_buffer(Some(&json), len_out))
    })
}

/// The minified source (NULL: none; invalid UTF-8 replaced) and the (line, col) pairs
/// of the frame calls.
type FramesArgs<'a> = (Option<std::borrow::Cow<'a, str>>, Vec<(u32, u32)>);

unsafe fn frames_args<'a>(
    source: *const c_char,
    len: usize,
    positions: *const u32,
    count: usize,
) -> crate::error::Result<FramesArgs<'a>> {
    let text = match source.is_null() {
        true => None,
        false => Some(crate::lines::utf8_lossy(byte_slice(source, len)?)),
    };
    Ok((text, self::positions(positions, count)?))
}

#[no_mangle]
pub unsafe extern "C" fn lsm_view_has_function_table(
    view: *const View,
    err: *mut LsmError,
) -> c_int {
    landingpad(err, || Ok(handle(view)?.has_function_table()? as c_int))
}

/// The original name of the function around generated (line, col), as an owned buffer;
/// NULL if there is none.
#[no_mangle]
pub unsafe extern "C" fn lsm_view_get_original_function_name(
    view: *const View,
    line: u32,
    col: u32,
    len_out: *mut usize,
    err: *mut LsmError,
) -> *mut c_char {
    landingpad(err, || {
        let name = handle(view)?.original_function_name(line, col)?;
        Ok(out_buffer(name.as_deref(), len_out))
    })
}
