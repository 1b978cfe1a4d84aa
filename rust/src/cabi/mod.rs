//! The C ABI. Every export has the same shape: convert arguments, call the core inside
//! `landingpad`, convert the result. No logic lives here.

mod index;
mod proguard;
mod resolver;
mod scopes;
mod view;
mod writer;

use std::os::raw::{c_char, c_int};
use std::ptr;

use crate::error::{Error, ErrorKind, Result};

/// Error out-parameter: see `lsm_error_t` in include/libsourcemap.h.
#[repr(C)]
pub struct LsmError {
    pub message: *mut c_char,
    pub failed: c_int,
    pub code: c_int,
    pub os_errno: c_int,
}

/// The value a function returns when it fails: NULL, 0 or false.
pub trait FailValue {
    fn fail_value() -> Self;
}

impl<T> FailValue for *mut T {
    fn fail_value() -> Self {
        ptr::null_mut()
    }
}

impl<T> FailValue for *const T {
    fn fail_value() -> Self {
        ptr::null()
    }
}

macro_rules! zero_fail_value {
    ($($ty:ty),*) => { $(impl FailValue for $ty { fn fail_value() -> Self { 0 as $ty } })* };
}
zero_fail_value!(u32, i32, usize);

/// Declares a C export whose body runs in the landing pad: the last parameter is the
/// `lsm_error_t` out-parameter, and the body is a block that returns `Result<T>`.
macro_rules! ffi_fn {
    ($(#[$attr:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$attr])*
        ///
        /// # Safety
        /// Pointers must be NULL or valid as include/libsourcemap.h describes.
        #[no_mangle]
        pub unsafe extern "C" fn $name($($arg: $ty,)* err: *mut $crate::cabi::LsmError) -> $ret {
            $crate::cabi::landingpad(err, || $body)
        }
    };
}
pub(crate) use ffi_fn;

/// Runs `body`, turning an `Err` or a panic into `*err` and the fail value.
///
/// A panic is not printed (the process's stderr is not ours to write to): its message
/// and location go into the error, which Python raises as `InternalError`.
///
/// # Safety
/// `err` must be NULL or point to a writable `lsm_error_t`.
pub unsafe fn landingpad<T: FailValue>(err: *mut LsmError, body: impl FnOnce() -> Result<T>) -> T {
    let error = match crate::quiet_panics::catch(body) {
        Ok(Ok(value)) => return value,
        Ok(Err(error)) => error,
        Err(message) => Error::new(
            ErrorKind::Panic,
            format!("internal error (panic): {message}"),
        ),
    };
    if let Some(err) = err.as_mut() {
        err.failed = 1;
        err.code = error.code();
        err.os_errno = error.os_errno;
        err.message = c_string(error.message.as_bytes());
    }
    T::fail_value()
}

/// Bytes in front of every buffer we hand out, holding its allocation size, so that
/// `lsm_buffer_free` needs only the pointer.
const HEADER: usize = std::mem::size_of::<usize>();

/// Copies `data` into a new caller-owned buffer with a trailing NUL (so messages are C
/// strings); free with `lsm_buffer_free`.
pub fn into_buffer(data: &[u8]) -> *mut c_char {
    let total = HEADER + data.len() + 1;
    // Exactly `total` (so the boxed slice is the allocation), huge pages when big.
    let mut block = crate::bytes::buffer(total);
    block.extend_from_slice(&total.to_ne_bytes());
    block.extend_from_slice(data);
    block.push(0);
    let block = block.into_boxed_slice();
    let base = Box::into_raw(block) as *mut u8;
    // SAFETY: HEADER < total, inside the allocation.
    unsafe { base.add(HEADER) as *mut c_char }
}

/// Hands `data` over as a caller-owned buffer (see `into_buffer`) without copying it:
/// its first `HEADER` bytes are room for the buffer's header (`JsonOptions::room_before`).
pub fn owned_buffer(mut data: Vec<u8>) -> *mut c_char {
    assert!(data.len() >= HEADER, "no room for the buffer header");
    data.push(0);
    let total = data.capacity();
    data[..HEADER].copy_from_slice(&total.to_ne_bytes());
    let base = std::mem::ManuallyDrop::new(data).as_mut_ptr();
    // SAFETY: HEADER < len <= total, inside the allocation.
    unsafe { base.add(HEADER) as *mut c_char }
}

/// Bytes of room `owned_buffer` needs before the data.
pub const BUFFER_HEADER: usize = HEADER;

/// A NUL-free copy for error messages.
fn c_string(message: &[u8]) -> *mut c_char {
    let cleaned: Vec<u8> = message
        .iter()
        .map(|&b| if b == 0 { b'?' } else { b })
        .collect();
    into_buffer(&cleaned)
}

/// Frees a buffer returned by this library. NULL is ignored.
///
/// # Safety
/// `buf` must be NULL or a pointer returned by this library and not yet freed.
#[no_mangle]
pub unsafe extern "C" fn lsm_buffer_free(buf: *mut c_char) {
    if buf.is_null() {
        return;
    }
    let base = (buf as *mut u8).sub(HEADER);
    let mut size = [0u8; HEADER];
    ptr::copy_nonoverlapping(base, size.as_mut_ptr(), HEADER);
    let total = usize::from_ne_bytes(size);
    // `total` is the allocation's size: a boxed slice's length (`into_buffer`) or a
    // vector's capacity (`owned_buffer`), so this frees either with the right layout.
    drop(Vec::from_raw_parts(base, 0, total));
}

/// Borrows an opaque handle, rejecting NULL.
unsafe fn handle<'a, T>(ptr: *const T) -> Result<&'a T> {
    ptr.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidArgument,
            "NULL handle passed to libsourcemap",
        )
    })
}

/// Borrows a (pointer, length) byte string, rejecting NULL with a non-zero length.
unsafe fn byte_slice<'a>(ptr: *const c_char, len: usize) -> Result<&'a [u8]> {
    Ok(std::slice::from_raw_parts(
        checked_array(ptr as *const u8, len)?,
        len,
    ))
}

/// A pointer that may be turned into a slice of `len` elements: aligned, and not NULL
/// unless `len` is 0 (then a dangling, aligned pointer stands in for it).
fn checked_array<T>(ptr: *const T, len: usize) -> Result<*const T> {
    if len == 0 {
        return Ok(std::ptr::NonNull::dangling().as_ptr());
    }
    if ptr.is_null() || !ptr.is_aligned() {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "NULL or misaligned array with non-zero length",
        ));
    }
    if len
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|n| n > isize::MAX as usize)
    {
        return Err(Error::new(ErrorKind::InvalidArgument, "array too large"));
    }
    Ok(ptr)
}

/// Opens the file at a (pointer, length) path for reading in place (see `Bytes::open_file`),
/// with the path in the error message.
unsafe fn open_path(path: *const c_char, path_len: usize) -> Result<crate::bytes::Bytes> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(byte_slice(path, path_len)?));
    crate::bytes::Bytes::open_file(path).map_err(|e| Error {
        message: format!("{}: {}", path.display(), e),
        ..e
    })
}

/// Writes an owned copy of `value` to (return value, `*len_out`), to be freed with
/// `lsm_buffer_free`; NULL and 0 for `None`. The owned twin of `out_str`.
unsafe fn out_buffer(value: Option<&[u8]>, len_out: *mut usize) -> *mut c_char {
    if let Some(len_out) = len_out.as_mut() {
        *len_out = value.map_or(0, <[u8]>::len);
    }
    value.map_or(ptr::null_mut(), into_buffer)
}

/// Writes a borrowed string to (return value, `*len_out`); NULL and 0 for `None`.
unsafe fn out_str(value: Option<&[u8]>, len_out: *mut usize) -> *const c_char {
    let (ptr, len) = match value {
        Some(bytes) => (bytes.as_ptr() as *const c_char, bytes.len()),
        None => (ptr::null(), 0),
    };
    if let Some(len_out) = len_out.as_mut() {
        *len_out = len;
    }
    ptr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_error() -> LsmError {
        LsmError {
            message: ptr::null_mut(),
            failed: 0,
            code: 0,
            os_errno: 0,
        }
    }

    unsafe fn take_message(err: &mut LsmError) -> String {
        let text = std::ffi::CStr::from_ptr(err.message)
            .to_string_lossy()
            .into_owned();
        lsm_buffer_free(err.message);
        text
    }

    #[test]
    fn panics_become_errors() {
        let mut err = new_error();
        let value: u32 = unsafe { landingpad(&mut err, || panic!("boom {}", 42)) };
        assert_eq!(
            (value, err.failed, err.code),
            (0, 1, ErrorKind::Panic as i32)
        );
        let message = unsafe { take_message(&mut err) };
        assert!(
            message.starts_with("internal error (panic): boom 42 at src/cabi/mod.rs:"),
            "{message}"
        );
    }

    #[test]
    fn errors_carry_code_and_message() {
        let mut err = new_error();
        let value: *mut u8 = unsafe {
            landingpad(&mut err, || {
                Err(Error::new(ErrorKind::TooManyNames, "too\0many"))
            })
        };
        assert!(value.is_null());
        assert_eq!(err.code, 21);
        assert_eq!(unsafe { take_message(&mut err) }, "too?many");
    }

    #[test]
    fn success_leaves_error_untouched() {
        let mut err = new_error();
        assert_eq!(unsafe { landingpad(&mut err, || Ok(7u32)) }, 7);
        assert_eq!(err.failed, 0);
    }
}
