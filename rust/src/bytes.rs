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

impl Bytes {
    /// Borrows memory owned by someone else (the Python `bytes` object behind a view).
    ///
    /// # Safety
    /// `ptr..ptr+len` must stay valid, readable and unchanged until the returned value and
    /// every clone of the `Arc` holding it are dropped.
    pub unsafe fn external(ptr: *const u8, len: usize) -> Bytes {
        Bytes::External { ptr, len }
    }

    /// Maps a file read-only.
    pub fn map_file(path: &Path) -> Result<Bytes> {
        let file = File::open(path)?;
        if file.metadata()?.is_dir() {
            return Err(std::io::Error::other(format!("{} is a directory", path.display())).into());
        }
        // SAFETY: the map is read-only. If another process truncates the file while it is
        // mapped, reads past the new end raise SIGBUS; see README "Caches" for the policy.
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
