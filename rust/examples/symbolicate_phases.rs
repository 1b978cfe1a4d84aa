//! Where a fresh symbolication of the large benchmark build spends its time, phase by
//! phase (the profile behind README "Symbolication"):
//!
//!     cd bench/inputs && npm install && node make_inputs.mjs   (once)
//!     cd rust && cargo run --release --example symbolicate_phases [MAP] [MINIFIED]
//!
//! Parses the map, then times what naming a frame's function needs: unescaping and
//! scanning the original source, parsing it, and parsing the minified source.

use std::time::Instant;

use sourcemap_native::engine::{function_scopes as scopes, functions};
use sourcemap_native::{lines, load};

fn main() {
    let mut args = std::env::args().skip(1);
    let map = args
        .next()
        .unwrap_or("../bench/data/large.min.js.map".into());
    let minified = args.next().unwrap_or("../bench/data/large.min.js".into());
    let map = std::fs::read(&map).expect("the map (see the header for how to make it)");
    let minified = std::fs::read_to_string(&minified).expect("the minified source");

    let t = Instant::now();
    let view = load::from_json_slice(&map)
        .and_then(load::ViewOrIndex::into_view)
        .expect("a usable map");
    println!("map parsed              {:?}", t.elapsed());
    // The largest original: what a frame in it costs.
    let (src_id, _) = (0..view.source_count())
        .map(|id| {
            (
                id,
                view.source_contents(id)
                    .ok()
                    .flatten()
                    .map_or(0, |c| c.len()),
            )
        })
        .max_by_key(|&(_, len)| len)
        .expect("a source with contents");
    let name = view
        .source_name(src_id)
        .ok()
        .flatten()
        .map(String::from_utf8_lossy);
    let t = Instant::now();
    let contents = view.source_contents(src_id).unwrap().unwrap().into_owned();
    println!(
        "original unescaped      {:?} ({} bytes)",
        t.elapsed(),
        contents.len()
    );
    let text = String::from_utf8(contents).expect("UTF-8");
    let t = Instant::now();
    let starts = lines::LineStarts::new(&text);
    println!(
        "original lines indexed  {:?} ({} lines)",
        t.elapsed(),
        starts.line_count()
    );
    let t = Instant::now();
    let found = scopes::scopes(&text, scopes::source_type_for(name.as_deref())).unwrap();
    println!(
        "original scopes         {:?} ({} functions)",
        t.elapsed(),
        found.len()
    );
    let t = Instant::now();
    functions::OriginalSource::parse(name.as_deref(), text).unwrap();
    println!("original parsed (all)   {:?}", t.elapsed());
    let t = Instant::now();
    let found = scopes::scopes(&minified, scopes::source_type_for(None)).unwrap();
    println!(
        "minified scopes         {:?} ({} functions)",
        t.elapsed(),
        found.len()
    );
    let t = Instant::now();
    functions::build(&view, &minified).unwrap();
    println!("minified table built    {:?}", t.elapsed());
}
