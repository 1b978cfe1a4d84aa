//! `lsm_scopes_*` exports: symbolic's scope index of a minified source (for
//! `libsourcemap.compat.symbolic`), collected on a parser thread while the caller parses
//! the map, then named through it.

use std::os::raw::c_char;

use super::view::boxed;
use super::{byte_slice, ffi_fn, handle, out_buffer};
use crate::engine::symbolic_scopes::{PendingScopes, ScopeName};
use crate::lines::utf8_lossy;
use crate::view::View;

ffi_fn! {
    /// Starts collecting the scopes of a minified source (copied; invalid UTF-8 replaced)
    /// on a parser thread, and returns at once.
    fn lsm_scopes_start(source: *const c_char, len: usize) -> *mut PendingScopes {
        let text = utf8_lossy(byte_slice(source, len)?).into_owned();
        Ok(boxed(PendingScopes::start(text)?))
    }
}

/// Frees a scope collection; a parse still running finishes on its own, unwaited.
///
/// # Safety
/// `scopes` must be NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_scopes_free(scopes: *mut PendingScopes) {
    if !scopes.is_null() {
        drop(Box::from_raw(scopes));
    }
}

ffi_fn! {
    /// The scope index, names resolved through `view` (see `engine::symbolic_scopes`),
    /// in columns a caller can search without decoding it: a u32 entry count and 4 zero
    /// bytes; per entry a u64 key `line << 32 | column` (0-based, UTF-16), sorted; per
    /// entry the u32 end of its name in the names' bytes; per entry a u8 kind (0 unknown,
    /// 1 anonymous, 2 named); then the names' bytes. Waits for the parse.
    fn lsm_scopes_index(
        scopes: *const PendingScopes,
        view: *const View,
        len_out: *mut usize,
    ) -> *mut c_char {
        let index = handle(scopes)?.index(handle(view)?)?;
        let count = index.len();
        let mut out = Vec::with_capacity(8 + count * 13);
        let mut ends = Vec::with_capacity(count * 4);
        let mut kinds = Vec::with_capacity(count);
        let mut names = Vec::new();
        out.extend_from_slice(&(count as u32).to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        for ((line, col), name) in &index {
            out.extend_from_slice(&((*line as u64) << 32 | *col as u64).to_le_bytes());
            let (kind, text) = match name {
                ScopeName::Unknown => (0u8, ""),
                ScopeName::Anonymous => (1, ""),
                ScopeName::Named(text) => (2, text.as_str()),
            };
            names.extend_from_slice(text.as_bytes());
            ends.extend_from_slice(&(names.len() as u32).to_le_bytes());
            kinds.push(kind);
        }
        out.extend_from_slice(&ends);
        out.extend_from_slice(&kinds);
        out.extend_from_slice(&names);
        Ok(out_buffer(Some(&out), len_out))
    }
}
