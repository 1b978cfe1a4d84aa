//! `lsm_index_*` exports.

use std::os::raw::c_char;
use std::sync::Arc;

use super::{byte_slice, handle, landingpad, out_str, LsmError};
use crate::bytes::Bytes;
use crate::error::{invalid_map, Error, ErrorKind};
use crate::index::Index;
use crate::rules::Rules;
use crate::view::{View, ViewOrIndex};

#[no_mangle]
pub unsafe extern "C" fn lsm_index_from_json(
    bytes: *const c_char,
    len: usize,
    flags: u32,
    err: *mut LsmError,
) -> *mut Index {
    landingpad(err, || {
        let slice = byte_slice(bytes, len)?;
        let input = Arc::new(Bytes::external(slice.as_ptr(), slice.len()));
        match View::from_json(input, Rules::from_flags(flags))? {
            ViewOrIndex::Index(index) => Ok(Box::into_raw(Box::new(index))),
            ViewOrIndex::View(_) => Err(invalid_map("not an index map: `sections` is missing")),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn lsm_index_free(index: *mut Index) {
    if !index.is_null() {
        drop(Box::from_raw(index));
    }
}

#[no_mangle]
pub unsafe extern "C" fn lsm_index_can_flatten(index: *const Index, err: *mut LsmError) -> u32 {
    landingpad(err, || Ok(handle(index)?.can_flatten() as u32))
}

#[no_mangle]
pub unsafe extern "C" fn lsm_index_into_view(index: *const Index, err: *mut LsmError) -> *mut View {
    landingpad(err, || {
        Ok(Box::into_raw(Box::new(handle(index)?.flatten()?)))
    })
}

#[no_mangle]
pub unsafe extern "C" fn lsm_index_get_section_count(
    index: *const Index,
    err: *mut LsmError,
) -> u32 {
    landingpad(err, || Ok(handle(index)?.sections().len() as u32))
}

#[no_mangle]
pub unsafe extern "C" fn lsm_index_get_section(
    index: *const Index,
    section: u32,
    line_out: *mut u32,
    col_out: *mut u32,
    url_len_out: *mut usize,
    err: *mut LsmError,
) -> *const c_char {
    landingpad(err, || {
        let index = handle(index)?;
        let section = index.sections().get(section as usize).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, format!("no section {section}"))
        })?;
        if let (Some(line), Some(col)) = (line_out.as_mut(), col_out.as_mut()) {
            *line = section.line;
            *col = section.column;
        }
        Ok(out_str(
            section.url.as_deref().map(str::as_bytes),
            url_len_out,
        ))
    })
}
