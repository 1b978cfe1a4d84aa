//! `lsm_resolver_*` exports: the symbolication engine over a view (function names,
//! context lines, whole frames).

use std::borrow::Cow;
use std::os::raw::{c_char, c_int};
use std::sync::Arc;

use super::view::{boxed, dump_options, external, positions, view_share};
use super::{byte_slice, ffi_fn, handle, out_buffer};
use crate::engine::{frames, Resolver};
use crate::error::Result;
use crate::lines::utf8_lossy;
use crate::memdb;
use crate::rules::Rules;
use crate::view::View;

ffi_fn! {
    /// A resolver over the view behind `view`, sharing it (the view handle may be freed
    /// first).
    fn lsm_resolver_new(view: *const View) -> *mut Resolver {
        Ok(boxed(Resolver::new(view_share(view)?)))
    }
}

ffi_fn! {
    /// A view from JSON with a resolver over it, the minified source parsed at the same
    /// time on another thread (see `Resolver::from_json_with_source`).
    fn lsm_resolver_from_json_with_source(
        bytes: *const c_char,
        len: usize,
        flags: u32,
        source: *const c_char,
        source_len: usize,
        positions: *const u32,
        count: usize,
    ) -> *mut Resolver {
        let text = utf8_lossy(byte_slice(source, source_len)?);
        let pairs = self::positions(positions, count)?;
        let input = external(bytes, len)?;
        let resolver = Resolver::from_json_with_source(input, Rules::from_flags(flags), &text, &pairs)?;
        Ok(boxed(resolver))
    }
}

/// # Safety
/// `resolver` must be NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_resolver_free(resolver: *mut Resolver) {
    if !resolver.is_null() {
        drop(Box::from_raw(resolver));
    }
}

ffi_fn! {
    /// A new handle to the resolver's view (free it with `lsm_view_free`).
    fn lsm_resolver_get_view(resolver: *const Resolver) -> *mut View {
        Ok(Arc::into_raw(handle(resolver)?.view().clone()) as *mut View)
    }
}

ffi_fn! {
    /// Parses the minified source of the map and keeps its function table.
    fn lsm_resolver_attach_minified_source(
        resolver: *const Resolver,
        source: *const c_char,
        len: usize,
    ) -> c_int {
        // Invalid UTF-8 is replaced, not refused: a stray byte must not cost every name.
        let text = utf8_lossy(byte_slice(source, len)?);
        handle(resolver)?.attach_minified_source(&text)?;
        Ok(1)
    }
}

ffi_fn! {
    /// Resolves `count` generated (line, col) `positions` in one call (see
    /// `frames::resolve`), as records (see `frames::to_records`).
    fn lsm_resolver_resolve_frames(
        resolver: *const Resolver,
        source: *const c_char,
        len: usize,
        positions: *const u32,
        count: usize,
        context: u32,
        len_out: *mut usize,
    ) -> *mut c_char {
        let (text, positions) = frames_args(source, len, positions, count)?;
        let resolved = frames::resolve(handle(resolver)?, text.as_deref(), &positions, context)?;
        Ok(out_buffer(Some(&frames::to_records(&resolved)?), len_out))
    }
}

ffi_fn! {
    fn lsm_resolver_has_function_table(resolver: *const Resolver) -> c_int {
        Ok(handle(resolver)?.has_function_table()? as c_int)
    }
}

ffi_fn! {
    /// The original name of the function around generated (line, col); NULL if none.
    fn lsm_resolver_get_original_function_name(
        resolver: *const Resolver,
        line: u32,
        col: u32,
        len_out: *mut usize,
    ) -> *mut c_char {
        let name = handle(resolver)?.original_function_name(line, col)?;
        Ok(out_buffer(name.as_deref(), len_out))
    }
}

ffi_fn! {
    /// Lines `from..to` of a source's contents, each followed by `\n`; NULL if the source
    /// has no contents.
    fn lsm_resolver_get_source_lines(
        resolver: *const Resolver,
        src_id: u32,
        from: u32,
        to: u32,
        len_out: *mut usize,
    ) -> *mut c_char {
        let lines = handle(resolver)?.source_lines(src_id, from, to)?;
        Ok(out_buffer(lines.as_deref(), len_out))
    }
}

ffi_fn! {
    /// Lines `from..to` of a source's contents split at line feeds only, each with its
    /// `\n` (symbolic's context lines): a u32 line count, a u32 byte length per line,
    /// then the lines' bytes; NULL if the source has no contents.
    fn lsm_resolver_get_source_lf_lines(
        resolver: *const Resolver,
        src_id: u32,
        from: u32,
        to: u32,
        len_out: *mut usize,
    ) -> *mut c_char {
        let Some(lines) = handle(resolver)?.source_lf_lines(src_id, from, to)? else {
            return Ok(out_buffer(None, len_out));
        };
        let mut out = Vec::with_capacity(4 + 4 * lines.len());
        out.extend_from_slice(&(lines.len() as u32).to_le_bytes());
        for line in &lines {
            let len = u32::try_from(line.len()).map_err(|_| {
                crate::error::Error::new(crate::error::ErrorKind::LocationOverflow, "a line of 4 GiB or more")
            })?;
            out.extend_from_slice(&len.to_le_bytes());
        }
        for line in &lines {
            out.extend_from_slice(line);
        }
        Ok(out_buffer(Some(&out), len_out))
    }
}

ffi_fn! {
    /// A memdb of the resolver's view with its function table (attached: resolved).
    fn lsm_resolver_dump_memdb(
        resolver: *const Resolver,
        len_out: *mut usize,
        with_source_contents: c_int,
        with_names: c_int,
    ) -> *mut c_char {
        let resolver = handle(resolver)?;
        let functions = resolver.functions_to_store()?;
        let table = functions.as_ref().map(|f| f.table()).transpose()?;
        let options = dump_options(with_source_contents, with_names);
        let bytes = memdb::dump(resolver.view(), table, options)?;
        Ok(out_buffer(Some(&bytes), len_out))
    }
}

/// The minified source (NULL: none; invalid UTF-8 replaced) and the (line, col) pairs
/// of the frame calls.
type FramesArgs<'a> = (Option<Cow<'a, str>>, Vec<(u32, u32)>);

unsafe fn frames_args<'a>(
    source: *const c_char,
    len: usize,
    positions: *const u32,
    count: usize,
) -> Result<FramesArgs<'a>> {
    let text = match source.is_null() {
        true => None,
        false => Some(utf8_lossy(byte_slice(source, len)?)),
    };
    Ok((text, self::positions(positions, count)?))
}
