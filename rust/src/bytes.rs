//! The bytes a view reads from: owned, memory-mapped, or borrowed from the caller.
//!
//! Views never copy their input. A JSON view keeps byte ranges into the JSON text (for
//! `sourcesContent` and, usually, `mappings`); a memdb view reads its tables in place.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use crate::error::Result;

pub enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
    External { ptr: *const u8, len: usize },
}

// SAFETY: `External` is read-only memory the creator promised stays valid and unchanged
// for the life of this value (see `Bytes::external`); the other variants own their data.
unsafe impl Send for Bytes {}
unsafe impl Sync for Bytes {}

/// Shared, immutable input bytes.
pub type SharedBytes = Arc<Bytes>;

/// Files up to this size are copied rather than mapped: reading 1 MiB costs ~0.1 ms, and
/// a copy cannot be pulled from under us by another process truncating the file.
pub const COPY_LIMIT: u64 = 1 << 20;

impl Bytes {
    /// Borrows memory owned by someone else (the Python `bytes` object behind a view).
    ///
    /// # Safety
    /// `ptr..ptr+len` must stay valid, readable and unchanged until the returned value and
    /// every clone of the `Arc` holding it are dropped.
    pub unsafe fn external(ptr: *const u8, len: usize) -> Bytes {
        Bytes::External { ptr, len }
    }

    /// Opens a file for reading in place: files up to `COPY_LIMIT` are read into memory,
    /// larger ones are memory-mapped read-only.
    pub fn open_file(path: &Path) -> Result<Bytes> {
        let mut file = File::open(path)?;
        let metadata = file.metadata()?;
        if metadata.is_dir() {
            // EISDIR, as a read of it would report (21 on Linux and macOS alike).
            return Err(std::io::Error::from_raw_os_error(21).into());
        }
        if metadata.len() <= COPY_LIMIT {
            let mut data = Vec::with_capacity(metadata.len() as usize);
            std::io::Read::read_to_end(&mut file, &mut data)?;
            return Ok(Bytes::Owned(data));
        }
        // SAFETY: the map is read-only. If another process truncates the file while it is
        // mapped, touching the lost pages raises SIGBUS: caches must be replaced by rename
        // (as `dump_memdb_file` does), never rewritten in place. See README "Caches".
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Bytes::Mapped(map))
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(vec) => vec,
            Bytes::Mapped(map) => map,
            Bytes::External { ptr, len } => {
                if *len == 0 {
                    &[]
                } else {
                    // SAFETY: guaranteed by the contract of `Bytes::external`.
                    unsafe { std::slice::from_raw_parts(*ptr, *len) }
                }
            }
        }
    }
}

/// Below this, a buffer is too small for huge pages to matter.
pub const HUGE_PAGES_FROM: usize = 4 << 20;

/// An empty buffer with room for `capacity` bytes, advised to use transparent huge pages
/// when it is big: fresh memory comes from the kernel a page per fault, and a 4 KiB page
/// per fault made writing a 14 MB output cost several times what the writing does.
pub fn buffer(capacity: usize) -> Vec<u8> {
    let out = Vec::with_capacity(capacity);
    if capacity >= HUGE_PAGES_FROM {
        advise_huge_pages(out.as_ptr(), capacity);
    }
    out
}

/// Advises transparent huge pages for the whole pages of `[start, start + len)` (memory
/// this process owns). Advice only: where the kernel says no, nothing changes.
#[cfg(target_os = "linux")]
pub fn advise_huge_pages(start: *const u8, len: usize) {
    const PAGE: usize = 4096;
    const MADV_HUGEPAGE: i32 = 14;
    extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    let (start, end) = (start as usize, start as usize + len);
    let (first, last) = (start.next_multiple_of(PAGE), end / PAGE * PAGE);
    if last > first {
        // SAFETY: whole pages of memory this process owns; MADV_HUGEPAGE changes how
        // they are backed, never their contents.
        unsafe { madvise(first as *mut std::ffi::c_void, last - first, MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
pub fn advise_huge_pages(_: *const u8, _: usize) {}
