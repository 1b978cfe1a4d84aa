//! The memory a parse builds its tree in.
//!
//! oxc's tree of a minified bundle takes ~14 bytes per byte of source (50 MB for the
//! 3.5 MB benchmark bundle), allocated by default in chunks that double in size. Fresh
//! memory comes from the kernel one 4 KiB page per fault: twelve thousand faults for that
//! bundle, about a third of its parse. One chunk sized for the text up front, advised to
//! use transparent huge pages (2 MiB a fault, where the kernel allows it: its default
//! `madvise` mode), leaves a few dozen (symbolic's cache of that bundle: 92 → 65 ms).
//! Pages of the reservation a parse never touches cost nothing.

use oxc_allocator::Allocator;

/// Room reserved per byte of source (the tree of real bundles takes 13–15).
const BYTES_PER_SOURCE_BYTE: usize = 16;
/// The most reserved up front; a bigger tree grows the arena as usual.
const MAX_RESERVATION: usize = 512 << 20;

/// An arena for parsing a text of `len` bytes.
pub fn for_text(len: usize) -> Allocator {
    let reserve = len
        .saturating_mul(BYTES_PER_SOURCE_BYTE)
        .min(MAX_RESERVATION);
    let allocator = Allocator::with_capacity(reserve);
    if reserve >= crate::bytes::HUGE_PAGES_FROM {
        advise_huge_pages(&allocator);
    }
    allocator
}

/// Advises transparent huge pages for the arena's (only) chunk.
fn advise_huge_pages(allocator: &Allocator) {
    // The chunk's data is [end - capacity, end): the arena bumps down from its end.
    let end = allocator.data_end_ptr().as_ptr();
    let capacity = allocator.capacity();
    crate::bytes::advise_huge_pages(end.wrapping_sub(capacity), capacity);
}
