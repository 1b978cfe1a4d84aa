//! Native timing of parse and lookup, without Python in the way; for profiling with
//! `perf record` or `valgrind --tool=callgrind`:
//!
//!     cargo run --release --example lookup_timing -- ../bench/data/large.min.js.map [ROUNDS]
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: lookup_timing MAP");
    let rounds: usize = std::env::args()
        .nth(2)
        .map_or(5, |r| r.parse().expect("ROUNDS"));
    let data = std::fs::read(&path).expect("cannot read the map");
    let parse = || {
        sourcemap_native::load::from_json_slice(&data)
            .and_then(|v| v.into_view())
            .expect("not a map")
    };
    let fastest = (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            parse();
            start.elapsed()
        })
        .min();
    println!("parse: {fastest:?} (fastest of {})", rounds.max(1));
    let view = parse();
    // Every 50th token's position: real positions spread over the whole file.
    let positions: Vec<(u32, u32)> = (0..view.tokens().expect("parsed with checkpoints").len())
        .step_by(50)
        .filter_map(|i| view.get_token(i).ok().flatten())
        .map(|t| (t.dst_line, t.dst_col))
        .collect();
    // The same positions in a scattered order too (a fixed stride through them): random
    // access pays cache misses that file order does not.
    let scattered: Vec<(u32, u32)> = (0..positions.len())
        .map(|i| positions[(i * 7919) % positions.len()])
        .collect();
    for (order, positions) in [("file order", &positions), ("scattered order", &scattered)] {
        for _ in 0..rounds {
            let start = Instant::now();
            let found = positions
                .iter()
                .filter(|&&(l, c)| matches!(view.lookup(l, c), Ok(Some(_))))
                .count();
            let ns = start.elapsed().as_nanos() as f64 / positions.len() as f64;
            println!(
                "lookup, {order}: {ns:.0} ns ({found} of {} found)",
                positions.len()
            );
        }
    }
}
