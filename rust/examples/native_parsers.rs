//! Our parser beside the Rust source map crates, natively, on the same inputs in one run
//! (run by `bench/run.py`, which writes its output to `bench/results.md`):
//!
//!     cargo run --release --example native_parsers -- MAP [MAP...] [--rounds N]
//!
//! For each map: parse time (the input already in memory, fastest and median of N rounds,
//! the parsers alternating within each round) and the time per lookup over 20,000 real
//! positions, for libsourcemap, `srcmap-sourcemap` 0.4 and `sourcemap` 9 (rust-sourcemap,
//! which symbolic wraps). The crates are dev-dependencies: only this example uses them.
use std::sync::Arc;
use std::time::{Duration, Instant};

use sourcemap_native::bytes::Bytes;
use sourcemap_native::rules::Rules;
use sourcemap_native::view::View;

const PARSERS: [&str; 3] = ["libsourcemap", "srcmap-sourcemap 0.4", "sourcemap 9"];

/// A parsed map of any of the three crates, for lookups (boxed: the sizes differ).
enum Parsed {
    Ours(Box<View>),
    Srcmap(srcmap_sourcemap::SourceMap),
    RustSourcemap(sourcemap::SourceMap),
}

impl Parsed {
    fn found(&self, line: u32, col: u32) -> bool {
        match self {
            Parsed::Ours(view) => matches!(view.lookup(line, col), Ok(Some(_))),
            Parsed::Srcmap(map) => map.original_position_for(line, col).is_some(),
            Parsed::RustSourcemap(map) => map.lookup_token(line, col).is_some(),
        }
    }
}

fn parse(which: usize, input: &Arc<Bytes>, text: &str) -> Parsed {
    match which {
        // The view borrows its input (as from Python); sharing the buffer costs nothing.
        0 => Parsed::Ours(Box::new(
            sourcemap_native::load::from_json(input.clone(), Rules::LENIENT)
                .and_then(|v| v.into_view())
                .expect("libsourcemap parses the map"),
        )),
        1 => Parsed::Srcmap(srcmap_sourcemap::SourceMap::from_json(text).expect("srcmap parses")),
        _ => Parsed::RustSourcemap(
            sourcemap::SourceMap::from_slice(text.as_bytes()).expect("sourcemap parses"),
        ),
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let rounds = match args.iter().position(|a| a == "--rounds") {
        Some(at) => {
            let n = args
                .get(at + 1)
                .and_then(|n| n.parse().ok())
                .expect("--rounds N");
            args.drain(at..at + 2);
            n
        }
        None => 7,
    };
    assert!(
        !args.is_empty(),
        "usage: native_parsers MAP [MAP...] [--rounds N]"
    );
    for path in &args {
        let data = std::fs::read(path).expect("cannot read the map");
        let text = std::str::from_utf8(&data).expect("UTF-8 map").to_owned();
        let input = Arc::new(Bytes::Owned(data));
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); PARSERS.len()];
        for _ in 0..rounds.max(1) {
            for (which, samples) in times.iter_mut().enumerate() {
                let start = Instant::now();
                let parsed = parse(which, &input, &text);
                samples.push(start.elapsed());
                drop(parsed);
            }
        }
        // Real positions: every token's position spread over the file, from our view.
        let ours = parse(0, &input, &text);
        let Parsed::Ours(view) = &ours else {
            unreachable!()
        };
        let count = view.tokens().expect("parsed with checkpoints").len();
        let step = (count / 20_000).max(1);
        let positions: Vec<(u32, u32)> = (0..count)
            .step_by(step as usize)
            .filter_map(|i| view.get_token(i).ok().flatten())
            .map(|t| (t.dst_line, t.dst_col))
            .collect();
        println!(
            "{path} ({:.1} MB), {} rounds, {} lookups",
            text.len() as f64 / 1e6,
            rounds,
            positions.len()
        );
        println!("| parser | parse fastest ms | parse median ms | lookup ns |");
        println!("|---|---|---|---|");
        for (which, samples) in times.iter_mut().enumerate() {
            samples.sort();
            let parsed = parse(which, &input, &text);
            let start = Instant::now();
            let found = positions
                .iter()
                .filter(|&&(l, c)| parsed.found(l, c))
                .count();
            let per_lookup = start.elapsed().as_nanos() as f64 / positions.len() as f64;
            assert!(found > 0, "{} found no position", PARSERS[which]);
            println!(
                "| {} | {:.2} | {:.2} | {:.0} |",
                PARSERS[which],
                samples[0].as_secs_f64() * 1e3,
                samples[samples.len() / 2].as_secs_f64() * 1e3,
                per_lookup
            );
        }
        println!();
    }
}
