//! `lsm_view_*` exports.

use std::borrow::Cow;
use std::os::raw::{c_char, c_int};
use std::sync::Arc;

use super::{
    byte_slice, checked_array, ffi_fn, handle, landingpad, open_path, out_buffer, out_str,
};
use crate::bytes::Bytes;
use crate::error::{Error, ErrorKind};
use crate::index::Index;
use crate::load::{self, ViewOrIndex};
use crate::mappings::{RawToken, NONE};
use crate::memdb::{self, DumpOptions};
use crate::rules::Rules;
use crate::view::View;

/// See `lsm_token_t` in include/libsourcemap.h.
#[repr(C)]
pub struct LsmToken {
    pub dst_line: u32,
    pub dst_col: u32,
    pub src_line: u32,
    pub src_col: u32,
    pub src_id: u32,
    pub name_id: u32,
    pub index: u32,
}

const NO_TOKEN: LsmToken = LsmToken {
    dst_line: NONE,
    dst_col: NONE,
    src_line: NONE,
    src_col: NONE,
    src_id: NONE,
    name_id: NONE,
    index: NONE,
};

fn token_record((index, t): (u32, RawToken)) -> LsmToken {
    LsmToken {
        dst_line: t.dst_line,
        dst_col: t.dst_col,
        src_line: t.src_line,
        src_col: t.src_col,
        src_id: t.src_id,
        name_id: t.name_id,
        index,
    }
}

unsafe fn write_token(token: Option<(u32, RawToken)>, out: *mut LsmToken) -> u32 {
    match (token, out.as_mut()) {
        (Some(token), Some(out)) => {
            *out = token_record(token);
            1
        }
        _ => 0,
    }
}

/// The caller's buffer, borrowed for the life of the view (see the header).
pub(super) unsafe fn external(
    bytes: *const c_char,
    len: usize,
) -> crate::error::Result<Arc<Bytes>> {
    let slice = byte_slice(bytes, len)?;
    Ok(Arc::new(Bytes::external(slice.as_ptr(), slice.len())))
}

pub(super) fn boxed<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// A view handle: the view is shared (`Arc`), because a resolver made from it holds it
/// too; `lsm_view_free` drops this handle's share.
pub(super) fn shared_view(view: View) -> *mut View {
    Arc::into_raw(Arc::new(view)) as *mut View
}

/// Another share of the view behind a handle.
///
/// # Safety
/// `view` must be a live handle from `shared_view`.
pub(super) unsafe fn view_share(view: *const View) -> crate::error::Result<Arc<View>> {
    handle(view)?;
    Arc::increment_strong_count(view);
    Ok(Arc::from_raw(view))
}

ffi_fn! {
    /// A view (returns 1, `*view_out` set) or, for an index map, an index (2, `*index_out`).
    fn lsm_view_or_index_from_json(
        bytes: *const c_char,
        len: usize,
        flags: u32,
        view_out: *mut *mut View,
        index_out: *mut *mut Index,
    ) -> c_int {
        let (Some(view_out), Some(index_out)) = (view_out.as_mut(), index_out.as_mut()) else {
            return Err(Error::new(ErrorKind::InvalidArgument, "NULL out-pointer"));
        };
        match load::from_json(external(bytes, len)?, Rules::from_flags(flags))? {
            ViewOrIndex::View(view) => {
                *view_out = shared_view(view);
                Ok(1)
            }
            ViewOrIndex::Index(index) => {
                *index_out = boxed(index);
                Ok(2)
            }
        }
    }
}

ffi_fn! {
    fn lsm_view_from_json(bytes: *const c_char, len: usize, flags: u32) -> *mut View {
        let parsed = load::from_json(external(bytes, len)?, Rules::from_flags(flags))?;
        Ok(shared_view(parsed.into_loadable()?))
    }
}

ffi_fn! {
    /// A view for one pass over its segments (`lsm_remap`): its mappings are checked by
    /// that pass instead of having their checkpoints built here (see
    /// `View::assemble_unindexed`).
    fn lsm_view_from_json_unindexed(bytes: *const c_char, len: usize, flags: u32) -> *mut View {
        Ok(shared_view(load::from_json_unindexed(external(bytes, len)?, Rules::from_flags(flags))?))
    }
}

ffi_fn! {
    fn lsm_view_from_memdb(bytes: *const c_char, len: usize) -> *mut View {
        Ok(shared_view(memdb::load(external(bytes, len)?)?))
    }
}

ffi_fn! {
    fn lsm_view_from_memdb_file(path: *const c_char, path_len: usize) -> *mut View {
        Ok(shared_view(memdb::load(Arc::new(open_path(path, path_len)?))?))
    }
}

/// Drops this handle's share of the view (a resolver made from it keeps its own).
///
/// # Safety
/// `view` must be NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_view_free(view: *mut View) {
    if !view.is_null() {
        drop(Arc::from_raw(view as *const View));
    }
}

ffi_fn! {
    fn lsm_view_get_token_count(view: *const View) -> u32 {
        Ok(handle(view)?.tokens()?.len())
    }
}

ffi_fn! {
    fn lsm_view_get_source_count(view: *const View) -> u32 {
        Ok(handle(view)?.source_count())
    }
}

ffi_fn! {
    fn lsm_view_get_name_count(view: *const View) -> u32 {
        Ok(handle(view)?.name_count())
    }
}

ffi_fn! {
    fn lsm_view_get_token(view: *const View, index: u32, out: *mut LsmToken) -> u32 {
        let found = handle(view)?.get_token(index)?;
        Ok(write_token(found.map(|t| (index, t)), out))
    }
}

ffi_fn! {
    /// Tokens `first..first + count` (fewer past the end) into `out`; their number.
    fn lsm_view_get_tokens(view: *const View, first: u32, count: u32, out: *mut LsmToken) -> u32 {
        let out = out_slice(out, count as usize)?;
        let mut written = 0u32;
        handle(view)?.tokens()?.range(first, count, |token| {
            out[written as usize] = token_record((first + written, *token));
            written += 1;
        })?;
        Ok(written)
    }
}

ffi_fn! {
    fn lsm_view_lookup_token(view: *const View, line: u32, col: u32, out: *mut LsmToken) -> u32 {
        Ok(write_token(handle(view)?.lookup(line, col)?, out))
    }
}

ffi_fn! {
    fn lsm_view_lookup_bytecode(view: *const View, line: u32, col: u32, out: *mut LsmToken) -> u32 {
        Ok(write_token(handle(view)?.bytecode_lookup(line, col)?, out))
    }
}

ffi_fn! {
    fn lsm_view_get_hermes_function_offsets(view: *const View, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.hermes_function_offsets()?, len_out))
    }
}

ffi_fn! {
    /// The `scopes` field decoded leniently, as little-endian u32 words
    /// (`scopes::words`) in an owned buffer; NULL without the field. A field that cannot
    /// be read is an `InvalidSourceMap` error naming the item (the view stays usable).
    fn lsm_view_get_scopes(view: *const View, len_out: *mut usize) -> *mut c_char {
        let words = match handle(view)?.scopes()? {
            Some(decoded) => Some(decoded?.to_le_bytes()),
            None => None,
        };
        Ok(out_buffer(words.as_deref(), len_out))
    }
}

ffi_fn! {
    fn lsm_view_has_function_maps(view: *const View) -> c_int {
        Ok(handle(view)?.function_maps()?.is_some() as c_int)
    }
}

ffi_fn! {
    fn lsm_view_get_source_function_name(
        view: *const View,
        src_id: u32,
        line: u32,
        col: u32,
        len_out: *mut usize,
    ) -> *const c_char {
        let name = match handle(view)?.function_maps()? {
            Some(maps) => maps.name_at(src_id, line, col)?.flatten(),
            None => None,
        };
        Ok(out_str(name, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_source_name(view: *const View, src_id: u32, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.source_name(src_id)?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_raw_source_name(
        view: *const View,
        src_id: u32,
        len_out: *mut usize,
    ) -> *const c_char {
        Ok(out_str(handle(view)?.raw_source_name(src_id)?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_name(view: *const View, name_id: u32, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.name(name_id)?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_file(view: *const View, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.file()?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_source_root(view: *const View, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.source_root()?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_debug_id(view: *const View, len_out: *mut usize) -> *const c_char {
        Ok(out_str(handle(view)?.debug_id()?, len_out))
    }
}

ffi_fn! {
    fn lsm_view_get_ignore_list(view: *const View, len_out: *mut usize) -> *const c_char {
        Ok(out_str(Some(handle(view)?.ignore_list_bytes()?), len_out))
    }
}

ffi_fn! {
    fn lsm_view_has_source_contents(view: *const View, src_id: u32) -> u32 {
        Ok(handle(view)?.has_source_contents(src_id)? as u32)
    }
}

ffi_fn! {
    fn lsm_view_get_source_contents(
        view: *const View,
        src_id: u32,
        len_out: *mut usize,
        must_free: *mut c_int,
    ) -> *const c_char {
        let contents = handle(view)?.source_contents(src_id)?;
        if let Some(must_free) = must_free.as_mut() {
            *must_free = matches!(contents, Some(Cow::Owned(_))) as c_int;
        }
        Ok(match contents {
            Some(Cow::Owned(bytes)) => out_buffer(Some(&bytes), len_out),
            Some(Cow::Borrowed(bytes)) => out_str(Some(bytes), len_out),
            None => out_str(None, len_out),
        })
    }
}

ffi_fn! {
    /// A memdb of the view, with the function table its own memdb stored (if any); a
    /// resolver's dump adds an attached one (`lsm_resolver_dump_memdb`).
    fn lsm_view_dump_memdb(
        view: *const View,
        len_out: *mut usize,
        with_source_contents: c_int,
        with_names: c_int,
    ) -> *mut c_char {
        let view = handle(view)?;
        let options = dump_options(with_source_contents, with_names);
        let bytes = memdb::dump(view, view.stored_functions()?, options)?;
        Ok(out_buffer(Some(&bytes), len_out))
    }
}

pub(super) fn dump_options(with_source_contents: c_int, with_names: c_int) -> DumpOptions {
    DumpOptions {
        with_source_contents: with_source_contents != 0,
        with_names: with_names != 0,
    }
}

thread_local! {
    /// Where `lsm_view_lookup_fast` writes its result: one slot per thread, at a stable
    /// address for the thread's life, so the caller can keep a view of it.
    static TOKEN_SLOT: std::cell::UnsafeCell<LsmToken> = const {
        std::cell::UnsafeCell::new(NO_TOKEN)
    };
}

/// This thread's token slot (see `lsm_view_lookup_fast`).
#[no_mangle]
pub extern "C" fn lsm_thread_token() -> *const LsmToken {
    TOKEN_SLOT.with(|slot| slot.get() as *const LsmToken)
}

/// The hot path: 3 scalar arguments and no out-parameters, because every argument of an
/// ABI-mode CFFI call costs ~0.1 us. Returns 2 and fills this thread's token slot if a
/// token was found, 1 if not, 0 on failure (repeat with `lsm_view_lookup_token` for the
/// error).
#[no_mangle]
pub unsafe extern "C" fn lsm_view_lookup_fast(view: *const View, line: u32, col: u32) -> u32 {
    landingpad(std::ptr::null_mut(), || {
        let found = handle(view)?.lookup(line, col)?;
        TOKEN_SLOT.with(|slot| Ok(1 + write_token(found, slot.get())))
    })
}

/// `lsm_view_lookup_fast` for the last segment at or before (line, col) on `line`, mapped
/// or not (what sourcemap 0.2.1's lookup answers).
#[no_mangle]
pub unsafe extern "C" fn lsm_view_lookup_segment_fast(
    view: *const View,
    line: u32,
    col: u32,
) -> u32 {
    landingpad(std::ptr::null_mut(), || {
        let found = handle(view)?.last_segment(line, col)?;
        TOKEN_SLOT.with(|slot| Ok(1 + write_token(found, slot.get())))
    })
}

/// `lsm_view_lookup_fast` for the greatest lower bound of (line, col) on any line, mapped
/// or not, the first of the segments at (line, col) on an exact hit (symbolic's lookup).
#[no_mangle]
pub unsafe extern "C" fn lsm_view_lookup_bound_fast(view: *const View, line: u32, col: u32) -> u32 {
    landingpad(std::ptr::null_mut(), || {
        let found = handle(view)?.greatest_lower_bound(line, col)?;
        TOKEN_SLOT.with(|slot| Ok(1 + write_token(found, slot.get())))
    })
}

ffi_fn! {
    /// Many lookups in one call: `positions` holds `count` (line, col) pairs of `u32`;
    /// `out` receives one token per pair. A pair without a token gets its own line and
    /// column and `LSM_NONE` everywhere else. Returns how many pairs found a token.
    fn lsm_view_lookup_many(
        view: *const View,
        positions: *const u32,
        count: usize,
        out: *mut LsmToken,
    ) -> usize {
        let view = handle(view)?;
        let tokens = view.tokens()?;
        let (positions, out) = (u32_pairs(positions, count)?, out_slice(out, count)?);
        let mut found = 0;
        for (pair, slot) in positions.chunks_exact(2).zip(out.iter_mut()) {
            let (line, col) = (pair[0], pair[1]);
            *slot = match view.lookup_in(&tokens, line, col)? {
                Some(token) => {
                    found += 1;
                    token_record(token)
                }
                None => LsmToken {
                    dst_line: line,
                    dst_col: col,
                    ..NO_TOKEN
                },
            };
        }
        Ok(found)
    }
}

/// `count` pairs of `u32` from the caller, checked for NULL, alignment and size.
pub(super) unsafe fn u32_pairs<'a>(
    ptr: *const u32,
    count: usize,
) -> crate::error::Result<&'a [u32]> {
    let len = count
        .checked_mul(2)
        .ok_or_else(|| Error::new(ErrorKind::InvalidArgument, "too many positions"))?;
    Ok(std::slice::from_raw_parts(checked_array(ptr, len)?, len))
}

/// `count` (line, col) positions from the caller (see `u32_pairs`).
pub(super) unsafe fn positions(
    ptr: *const u32,
    count: usize,
) -> crate::error::Result<Vec<(u32, u32)>> {
    let pairs = u32_pairs(ptr, count)?;
    Ok(pairs.chunks_exact(2).map(|p| (p[0], p[1])).collect())
}

unsafe fn out_slice<'a>(
    ptr: *mut LsmToken,
    len: usize,
) -> crate::error::Result<&'a mut [LsmToken]> {
    Ok(std::slice::from_raw_parts_mut(
        checked_array(ptr, len)? as *mut LsmToken,
        len,
    ))
}
