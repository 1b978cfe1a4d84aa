//! Which checksum, and what block size, for memdb blocks (see `src/integrity.rs`).
//!
//!     cargo run --release --example checksums
//!
//! Times CRC-32C (`crc32c`), CRC-32 (`crc32fast`, the one used) and XXH3-64 (`xxhash-rust`)
//! over blocks of 512 B to 64 KiB, two ways: "cold", blocks picked at random from 256 MiB
//! (a lookup in a cache that is not in the CPU cache: what a symbolicator mostly does)
//! and "hot", one block over and over. Built for the portable baseline (no
//! `-C target-cpu`), as the wheel is: run-time detection is all each crate gets.
//! Prints a Markdown table (bench/checksums_results.md).

use std::hint::black_box;
use std::time::Instant;

type Checksum = (&'static str, fn(&[u8]) -> u64);

const CHECKSUMS: [Checksum; 3] = [
    ("crc32c", |b| crc32c::crc32c(b) as u64),
    ("crc32 (crc32fast)", |b| crc32fast::hash(b) as u64),
    ("xxh3-64", xxhash_rust::xxh3::xxh3_64),
];

/// Nanoseconds per block: the best of 5 passes over `blocks` block starts.
fn time(data: &[u8], size: usize, starts: &[usize], f: fn(&[u8]) -> u64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut acc = 0u64;
        for &s in starts {
            acc ^= f(&data[s..s + size]);
        }
        black_box(acc);
        best = best.min(t.elapsed().as_secs_f64());
    }
    best * 1e9 / starts.len() as f64
}

fn main() {
    let len = 256 << 20;
    let data: Vec<u8> = (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    println!("| block | checksum | cold ns/block | cold GB/s | hot ns/block | hot GB/s |");
    println!("|---|---|---|---|---|---|");
    for size in [512usize, 1024, 4096, 16384, 65536] {
        let count = 20_000;
        // A fixed pseudo-random walk over the blocks (the same for every checksum).
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let cold: Vec<usize> = (0..count)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x as usize % (len / size)) * size
            })
            .collect();
        let hot = vec![0usize; count];
        for (name, f) in CHECKSUMS {
            let (c, h) = (time(&data, size, &cold, f), time(&data, size, &hot, f));
            let gbs = |ns: f64| size as f64 / ns;
            println!(
                "| {size} | {name} | {c:.0} | {:.1} | {h:.0} | {:.1} |",
                gbs(c),
                gbs(h)
            );
        }
    }
}
