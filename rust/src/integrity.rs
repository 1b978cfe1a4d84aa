//! Block checksums for memdb parts, verified on read.
//!
//! A memdb is mapped and searched in place, so a damaged byte (bit rot, a torn write on a
//! file system without atomic rename, a bad sector) would otherwise feed an answer with no
//! error. Every part is cut into blocks of `2^shift` bytes (counted from the part's
//! start) and each block has a CRC-32 in the memdb's checksum table. A reader asks for
//! the bytes it is about to use through `Checked::get`, which verifies the blocks under
//! them first — once per block per view, remembered in a bitset — the way RocksDB checks
//! a block on read. Opening stays O(1): nothing is hashed until it is read.
//!
//! Why CRC-32 and 4 KiB blocks (measured by `rust/examples/checksums.rs` and
//! `bench/memdb_blocks.py`, results in `bench/checksums_results.md`): a CRC, unlike a
//! hash, is guaranteed to catch every single-bit flip and every burst of up to 32 bits,
//! and of the checksums measured (CRC-32C, CRC-32, XXH3-64, each with only the CPU
//! features it detects at run time, as in the portable wheel) CRC-32 by `crc32fast`
//! (carry-less multiply on x86-64, the CRC instructions on ARMv8) was the fastest both
//! on blocks read cold and hot. It is also zlib's CRC, so any tool can check a memdb.
//! Block sizes from 1 to 16 KiB cost the cache path within noise of each other; 4 KiB
//! is the page size, keeps the table at 0.1% of the file, and hashes little a lookup
//! does not use. Bigger blocks made a 50-frame trace measurably slower.
//!
//! A checksum entry that is itself damaged makes a good block fail its check: that is a
//! false alarm (the cache is rebuilt), never a wrong answer.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{bad_memdb, Result};
use crate::part::{Part, PART_COUNT};

/// Block size the writer uses: `1 << DEFAULT_SHIFT` bytes.
pub const DEFAULT_SHIFT: u32 = 12;
/// Block sizes a reader accepts: 512 bytes to 1 MiB.
pub const SHIFTS: Range<u32> = 9..21;
/// Bytes per checksum.
pub const SUM_SIZE: usize = 4;

pub fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The checksums of `bytes`, one per block, appended to `out`.
pub fn push_block_sums(out: &mut Vec<u8>, bytes: &[u8], shift: u32) {
    for block in bytes.chunks(1 << shift) {
        out.extend_from_slice(&checksum(block).to_le_bytes());
    }
}

/// Blocks in a part of `len` bytes.
pub fn block_count(len: usize, shift: u32) -> usize {
    len.div_ceil(1 << shift)
}

/// A memdb's checksum table and which of its blocks have been verified.
pub struct Blocks {
    shift: u32,
    /// Where the checksum table is in the file.
    sums_at: usize,
    /// Per part: its offset in the file and the number of its first block.
    parts: [(usize, usize); PART_COUNT],
    /// One bit per block, set once the block has matched its checksum.
    verified: Box<[AtomicU64]>,
}

impl Blocks {
    /// `spans` are the parts' (offset, length) in the file, already bounds-checked;
    /// `sums` is the checksum table's (offset, length), which must have one entry per block.
    pub fn new(
        shift: u32,
        spans: &[(usize, usize); PART_COUNT],
        sums: (usize, usize),
    ) -> Result<Blocks> {
        if !SHIFTS.contains(&shift) {
            return Err(bad_memdb(format!(
                "memdb block size 2^{shift} is outside 2^{}..2^{}",
                SHIFTS.start,
                SHIFTS.end - 1
            )));
        }
        let mut parts = [(0, 0); PART_COUNT];
        let mut total = 0usize;
        for (slot, &(offset, len)) in parts.iter_mut().zip(spans) {
            *slot = (offset, total);
            total += block_count(len, shift);
        }
        if sums.1 != total * SUM_SIZE {
            return Err(bad_memdb(format!(
                "memdb checksum table has {} bytes for {total} blocks",
                sums.1
            )));
        }
        let verified = (0..total.div_ceil(64)).map(|_| AtomicU64::new(0)).collect();
        Ok(Blocks {
            shift,
            sums_at: sums.0,
            parts,
            verified,
        })
    }

    fn is_verified(&self, block: usize) -> bool {
        self.verified[block / 64].load(Ordering::Relaxed) & (1 << (block % 64)) != 0
    }

    /// Verifies the blocks of `part` (its bytes are `bytes`) that overlap `range`.
    fn verify(&self, file: &[u8], part: Part, bytes: &[u8], range: Range<usize>) -> Result<()> {
        if range.is_empty() {
            return Ok(());
        }
        let (offset, first_block) = self.parts[part as usize];
        let (from, to) = (range.start >> self.shift, (range.end - 1) >> self.shift);
        for block in from..=to {
            let number = first_block + block;
            if self.is_verified(number) {
                continue;
            }
            let start = block << self.shift;
            let end = (start + (1 << self.shift)).min(bytes.len());
            let at = self.sums_at + number * SUM_SIZE;
            let expected = file
                .get(at..at + SUM_SIZE)
                .map(|b| [b[0], b[1], b[2], b[3]]);
            if expected != Some(checksum(&bytes[start..end]).to_le_bytes()) {
                return Err(bad_memdb(format!(
                    "memdb checksum mismatch in part {part:?}: bytes {start}..{end} of the \
                     part (file offset {}) are damaged",
                    offset + start
                )));
            }
            // Relaxed is enough: a thread that misses the bit verifies the block again.
            self.verified[number / 64].fetch_or(1 << (number % 64), Ordering::Relaxed);
        }
        Ok(())
    }
}

/// The bytes of one part (or a piece of one), read only through checks when they come
/// from a memdb. Views built from JSON hold their tables in memory they built or were
/// given, with nothing to verify: `Checked::trusted`.
#[derive(Clone, Copy)]
pub struct Checked<'a> {
    bytes: &'a [u8],
    guard: Option<Guard<'a>>,
}

#[derive(Clone, Copy)]
struct Guard<'a> {
    blocks: &'a Blocks,
    file: &'a [u8],
    part: Part,
    /// The whole part `bytes` is a piece of, and where that piece starts in it.
    whole: &'a [u8],
    at: usize,
}

impl<'a> Checked<'a> {
    pub fn trusted(bytes: &'a [u8]) -> Checked<'a> {
        Checked { bytes, guard: None }
    }

    /// Part `part` of a memdb (`whole`, inside `file`), verified against `blocks` on read.
    pub fn guarded(blocks: &'a Blocks, file: &'a [u8], part: Part, whole: &'a [u8]) -> Checked<'a> {
        Checked {
            bytes: whole,
            guard: Some(Guard {
                blocks,
                file,
                part,
                whole,
                at: 0,
            }),
        }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether reads are verified (bytes of a memdb) or not (tables a JSON view built).
    pub fn is_verified(&self) -> bool {
        self.guard.is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bytes in `range`, verified; `Ok(None)` if `range` is out of bounds.
    #[inline]
    pub fn get(&self, range: Range<usize>) -> Result<Option<&'a [u8]>> {
        let Some(bytes) = self.bytes.get(range.clone()) else {
            return Ok(None);
        };
        if let Some(g) = &self.guard {
            let whole = g.at + range.start..g.at + range.end;
            g.blocks.verify(g.file, g.part, g.whole, whole)?;
        }
        Ok(Some(bytes))
    }

    /// A little-endian u32 at `at`, verified; `Ok(None)` if out of bounds.
    #[inline]
    pub fn u32_at(&self, at: usize) -> Result<Option<u32>> {
        Ok(self
            .get(at..at + 4)?
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    }

    /// All the bytes, verified (a whole-part pass: for copies, not lookups).
    pub fn all(&self) -> Result<&'a [u8]> {
        Ok(self.get(0..self.bytes.len())?.unwrap_or_default())
    }

    /// The bytes in `range` as a `Checked`, not yet verified; `None` if out of bounds.
    pub fn slice(&self, range: Range<usize>) -> Option<Checked<'a>> {
        let bytes = self.bytes.get(range.clone())?;
        let guard = self.guard.map(|g| Guard {
            at: g.at + range.start,
            ..g
        });
        Some(Checked { bytes, guard })
    }

    /// The bytes without verification: for their length, or for code that verifies
    /// what it reads itself through `get` on the same `Checked`.
    pub fn unverified(&self) -> &'a [u8] {
        self.bytes
    }
}
