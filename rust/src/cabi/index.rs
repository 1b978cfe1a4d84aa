//! `lsm_index_*` exports.

use std::os::raw::c_char;

use super::view::{boxed, external, shared_view};
use super::{ffi_fn, handle, out_str};
use crate::error::{invalid_map, Error, ErrorKind};
use crate::index::Index;
use crate::load::{self, ViewOrIndex};
use crate::rules::Rules;
use crate::view::View;

ffi_fn! {
    fn lsm_index_from_json(bytes: *const c_char, len: usize, flags: u32) -> *mut Index {
        match load::from_json(external(bytes, len)?, Rules::from_flags(flags))? {
            ViewOrIndex::Index(index) => Ok(boxed(index)),
            ViewOrIndex::View(_) => Err(invalid_map("not an index map: `sections` is missing")),
        }
    }
}

/// # Safety
/// `index` must be NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_index_free(index: *mut Index) {
    if !index.is_null() {
        drop(Box::from_raw(index));
    }
}

ffi_fn! {
    fn lsm_index_can_flatten(index: *const Index) -> u32 {
        Ok(handle(index)?.can_flatten() as u32)
    }
}

ffi_fn! {
    fn lsm_index_into_view(index: *const Index) -> *mut View {
        Ok(shared_view(handle(index)?.flatten()?))
    }
}

ffi_fn! {
    fn lsm_index_get_section_count(index: *const Index) -> u32 {
        Ok(handle(index)?.sections().len() as u32)
    }
}

ffi_fn! {
    fn lsm_index_get_section(
        index: *const Index,
        section: u32,
        line_out: *mut u32,
        col_out: *mut u32,
        url_len_out: *mut usize,
    ) -> *const c_char {
        let index = handle(index)?;
        let section = index.sections().get(section as usize).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, format!("no section {section}"))
        })?;
        if let (Some(line), Some(col)) = (line_out.as_mut(), col_out.as_mut()) {
            *line = section.line;
            *col = section.column;
        }
        Ok(out_str(section.url.as_deref().map(str::as_bytes), url_len_out))
    }
}
