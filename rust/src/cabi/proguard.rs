//! `lsm_proguard_*` exports.

use std::fmt::Write;
use std::os::raw::{c_char, c_int};
use std::sync::Arc;

use super::view::{boxed, external};
use super::{byte_slice, ffi_fn, handle, open_path, out_buffer};
use crate::error::{Error, ErrorKind, Result};
use crate::proguard::ProguardView;

ffi_fn! {
    fn lsm_proguard_view_from_bytes(bytes: *const c_char, len: usize) -> *mut ProguardView {
        Ok(boxed(ProguardView::new(external(bytes, len)?)?))
    }
}

ffi_fn! {
    fn lsm_proguard_view_from_path(path: *const c_char, path_len: usize) -> *mut ProguardView {
        Ok(boxed(ProguardView::new(Arc::new(open_path(path, path_len)?))?))
    }
}

/// # Safety
/// `view` must be NULL or a handle not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_proguard_view_free(view: *mut ProguardView) {
    if !view.is_null() {
        drop(Box::from_raw(view));
    }
}

ffi_fn! {
    fn lsm_proguard_view_has_line_info(view: *const ProguardView) -> c_int {
        Ok(handle(view)?.has_line_info() as c_int)
    }
}

ffi_fn! {
    fn lsm_proguard_view_convert_dotted_path(
        view: *const ProguardView,
        path: *const c_char,
        path_len: usize,
        line: u32,
        len_out: *mut usize,
    ) -> *mut c_char {
        let converted = handle(view)?.convert_dotted_path(utf8(path, path_len)?, line);
        Ok(out_buffer(Some(converted.as_bytes()), len_out))
    }
}

ffi_fn! {
    /// The original frames as text: one line per frame, innermost first, with the fields
    /// `class \t method \t line \t file` (line and file empty when unknown). Java names
    /// cannot hold tabs or line breaks.
    ///
    /// With `parameters` (not NULL: a signature's argument types, comma-separated), the
    /// method is told apart by them instead of by `line`.
    fn lsm_proguard_view_remap_frame(
        view: *const ProguardView,
        class: *const c_char,
        class_len: usize,
        method: *const c_char,
        method_len: usize,
        line: u32,
        parameters: *const c_char,
        parameters_len: usize,
        len_out: *mut usize,
    ) -> *mut c_char {
        let (view, class, method) = (handle(view)?, utf8(class, class_len)?, utf8(method, method_len)?);
        let frames = match parameters.is_null() {
            true => view.remap_frame(class, method, line),
            false => view.remap_frame_with_parameters(class, method, utf8(parameters, parameters_len)?),
        };
        let mut text = String::new();
        for frame in frames {
            let line = frame.line.map(|l| l.to_string()).unwrap_or_default();
            let file = frame.file.unwrap_or_default();
            let _ = writeln!(text, "{}\t{}\t{}\t{}", frame.class, frame.method, line, file);
        }
        Ok(out_buffer(Some(text.as_bytes()), len_out))
    }
}

ffi_fn! {
    /// The original name of an obfuscated class; NULL if the mapping does not have it.
    fn lsm_proguard_view_remap_class(
        view: *const ProguardView,
        class: *const c_char,
        class_len: usize,
        len_out: *mut usize,
    ) -> *mut c_char {
        let original = handle(view)?.remap_class(utf8(class, class_len)?);
        Ok(out_buffer(original.as_deref().map(str::as_bytes), len_out))
    }
}

ffi_fn! {
    /// The original `class \t method` of an obfuscated class and method, where every
    /// mapping of the method leads to the same original; NULL otherwise.
    fn lsm_proguard_view_remap_method(
        view: *const ProguardView,
        class: *const c_char,
        class_len: usize,
        method: *const c_char,
        method_len: usize,
        len_out: *mut usize,
    ) -> *mut c_char {
        let found = handle(view)?.remap_method(utf8(class, class_len)?, utf8(method, method_len)?);
        let text = found.map(|(class, method)| format!("{class}\t{method}"));
        Ok(out_buffer(text.as_deref().map(str::as_bytes), len_out))
    }
}

unsafe fn utf8<'a>(ptr: *const c_char, len: usize) -> Result<&'a str> {
    std::str::from_utf8(byte_slice(ptr, len)?)
        .map_err(|_| Error::new(ErrorKind::InvalidArgument, "argument is not valid UTF-8"))
}
