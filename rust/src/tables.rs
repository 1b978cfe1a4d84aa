//! Fixed-layout tables shared by views built from JSON and views read from a memdb.
//!
//! Both kinds of view read the same little-endian byte layouts, so there is one lookup
//! implementation, and a memdb is mostly the in-memory tables written out as they are.
//! Reads go through `le_u32` on byte slices: no alignment requirement, no `unsafe`, and a
//! corrupt table yields an error instead of an out-of-bounds read.

use crate::error::{bad_memdb, Result};
use crate::integrity::Checked;

#[inline]
pub fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[inline]
pub fn push_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// Length value marking an absent (`null`) string.
const ABSENT: u32 = u32::MAX;
/// Length bit marking a string stored as raw, still escaped JSON text (quotes included).
const ESCAPED: u32 = 1 << 31;
/// Bytes per string table entry: offset and length, both u32.
const ENTRY: usize = 8;

/// A string as stored in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredStr<'a> {
    pub bytes: &'a [u8],
    /// `bytes` is a JSON string literal (with quotes) that still needs unescaping.
    pub escaped: bool,
}

/// A table of optional strings: `count` entries of (offset, len) into `blob`.
#[derive(Clone, Copy)]
pub struct StringTable<'a> {
    index: Checked<'a>,
    blob: Checked<'a>,
}

impl<'a> StringTable<'a> {
    pub fn new(index: Checked<'a>, blob: Checked<'a>) -> Result<StringTable<'a>> {
        if !index.len().is_multiple_of(ENTRY) {
            return Err(bad_memdb("string table index has a partial entry"));
        }
        Ok(StringTable { index, blob })
    }

    pub fn len(&self) -> u32 {
        (self.index.len() / ENTRY) as u32
    }

    pub fn index(&self) -> Checked<'a> {
        self.index
    }

    pub fn blob(&self) -> Checked<'a> {
        self.blob
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The string at `id`, verified; `Ok(None)` for a null entry or an id past the end.
    pub fn get(&self, id: u32) -> Result<Option<StoredStr<'a>>> {
        let Some((text, escaped)) = self.get_unverified(id)? else {
            return Ok(None);
        };
        Ok(Some(StoredStr {
            bytes: text.all()?,
            escaped,
        }))
    }

    /// The string at `id` with its bytes not yet verified (its index entry is), and
    /// whether it is escaped: for a reader that uses a small piece of a long string
    /// (context lines of a source) and verifies that piece alone.
    pub fn get_unverified(&self, id: u32) -> Result<Option<(Checked<'a>, bool)>> {
        let at = id as usize * ENTRY;
        let Some(entry) = self.index.get(at..at + ENTRY)? else {
            return Ok(None);
        };
        let (Some(offset), Some(len)) = (le_u32(entry, 0), le_u32(entry, 4)) else {
            return Ok(None);
        };
        if len == ABSENT {
            return Ok(None);
        }
        let escaped = len & ESCAPED != 0;
        let len = (len & !ESCAPED) as usize;
        let start = offset as usize;
        match self.blob.slice(start..start + len) {
            Some(text) => Ok(Some((text, escaped))),
            None => Err(bad_memdb(format!("string {id} points outside its table"))),
        }
    }
}

/// Builds a string table; strings are either copied into the blob or referenced by offset
/// into some other buffer that will serve as the blob (JSON `sourcesContent`).
#[derive(Default)]
pub struct StringTableBuilder {
    pub index: Vec<u8>,
    pub blob: Vec<u8>,
}

impl StringTableBuilder {
    /// Entries so far.
    pub fn len(&self) -> u32 {
        (self.index.len() / ENTRY) as u32
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn push(&mut self, value: Option<&[u8]>) -> Result<()> {
        match value {
            None => self.push_absent(),
            Some(bytes) => {
                let offset = self.blob.len();
                self.blob.extend_from_slice(bytes);
                self.push_ref(offset, bytes.len(), false)
            }
        }
    }

    pub fn push_absent(&mut self) -> Result<()> {
        push_u32(&mut self.index, 0);
        push_u32(&mut self.index, ABSENT);
        Ok(())
    }

    /// Adds an entry pointing at `offset..offset+len` of the blob this table will use.
    pub fn push_ref(&mut self, offset: usize, len: usize, escaped: bool) -> Result<()> {
        let offset = u32::try_from(offset).map_err(|_| too_large())?;
        if len as u64 >= ESCAPED as u64 {
            return Err(too_large());
        }
        let len = len as u32 | if escaped { ESCAPED } else { 0 };
        push_u32(&mut self.index, offset);
        push_u32(&mut self.index, len);
        Ok(())
    }
}

fn too_large() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorKind::LocationOverflow,
        "string data larger than 2 GiB does not fit the table format",
    )
}
