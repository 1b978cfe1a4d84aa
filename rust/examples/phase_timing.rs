use sourcemap_native::*;
use std::time::Instant;
fn main() {
    let map = std::fs::read("../bench/data/large.min.js.map").unwrap();
    let min = std::fs::read_to_string("../bench/data/large.min.js").unwrap();
    let t = Instant::now();
    let view = view::View::from_json_slice(&map)
        .unwrap()
        .into_view()
        .unwrap();
    println!("parse {:?}", t.elapsed());
    let t = Instant::now();
    let c = view.source_contents(0).unwrap().unwrap();
    println!("unescape {:?} {}", t.elapsed(), c.len());
    let t = Instant::now();
    let text = String::from_utf8(c.into_owned()).unwrap();
    println!("utf8 {:?}", t.elapsed());
    let t = Instant::now();
    let li = lines::LineIndex::new(&text);
    println!("lineindex {:?} {}", t.elapsed(), li.line_count());
    let t = Instant::now();
    let s = scopes::scopes(&text, scopes::source_type_for(Some("typescript.js"))).unwrap();
    println!("scopes {:?} {}", t.elapsed(), s.len());
    let t = Instant::now();
    let o = functions::OriginalSource::parse(Some("typescript.js"), text.clone()).unwrap();
    println!("original parse total {:?}", t.elapsed());
    drop(o);
    let t = Instant::now();
    let s = scopes::scopes(&min, scopes::source_type_for(None)).unwrap();
    println!("minified scopes {:?} {}", t.elapsed(), s.len());
    let t = Instant::now();
    let _ = functions::build(&view, &min).unwrap();
    println!("minified build {:?}", t.elapsed());
}
