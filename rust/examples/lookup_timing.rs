//! Native timing of parse and lookup, without Python in the way; for profiling with
//! `perf record` or `valgrind --tool=callgrind`:
//!
//!     cargo run --release --example lookup_timing -- ../bench/data/large.min.js.map
use std::time::Instant;

use sourcemap_native::view::View;

fn main() {
    let path = std::env::args().nth(1).expect("usage: lookup_timing MAP");
    let data = std::fs::read(&path).expect("cannot read the map");
    let start = Instant::now();
    let view = View::from_json_slice(&data)
        .and_then(|v| v.into_view())
        .expect("not a map");
    println!("parse: {:?}", start.elapsed());
    // Every 50th token's position: real positions spread over the whole file.
    let positions: Vec<(u32, u32)> = (0..view.token_count())
        .step_by(50)
        .filter_map(|i| view.get_token(i).ok().flatten())
        .map(|t| (t.dst_line, t.dst_col))
        .collect();
    for _ in 0..5 {
        let start = Instant::now();
        let found = positions
            .iter()
            .filter(|&&(l, c)| matches!(view.lookup(l, c), Ok(Some(_))))
            .count();
        let ns = start.elapsed().as_nanos() as f64 / positions.len() as f64;
        println!("lookup: {ns:.0} ns ({found} of {} found)", positions.len());
    }
}
