//! Arbitrary bytes as source map JSON, lenient and strict. Whatever loads must answer
//! every query without panicking, and survive a memdb round trip token for token; the
//! JSON scanner must read every input as serde_json does.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sourcemap_native::bytes::Bytes;
use sourcemap_native::memdb::{self, DumpOptions};
use sourcemap_native::rules::{self, Rules};
use sourcemap_native::load::{self, ViewOrIndex};
use sourcemap_native::view::View;

fn exercise(view: &View) {
    let count = view.tokens().expect("a parsed view has its tokens").len().min(2000);
    let mut tokens = Vec::new();
    for i in 0..count {
        let token = view.get_token(i).expect("a parsed view never fails").expect("in range");
        let found = view.lookup(token.dst_line, token.dst_col).expect("no error");
        let (_, found) = found.expect("a token's own position finds a token");
        assert_eq!((found.dst_line, found.dst_col), (token.dst_line, token.dst_col));
        tokens.push(token);
    }
    for id in 0..view.source_count().min(50) + 1 {
        let _ = view.source_contents(id);
        let _ = view.source_name(id);
    }
    // The scopes field decodes leniently to scopes or an error, never a panic; a dump
    // keeps its text.
    let scopes = view.scopes().expect("a parsed view reads its meta table");
    let options = DumpOptions { with_source_contents: true, with_names: true };
    let dumped = memdb::dump(view, view.stored_functions().expect("stored functions"), options).expect("dump");
    let loaded = memdb::load(Arc::new(Bytes::Owned(dumped))).expect("a dump loads");
    for (i, token) in tokens.iter().enumerate() {
        assert_eq!(loaded.get_token(i as u32).unwrap().as_ref(), Some(token));
    }
    assert_eq!(loaded.scopes().expect("the dump's meta table"), scopes);
}

fuzz_target!(|data: &[u8]| {
    assert!(sourcemap_native::json::scanner_agrees_with_serde_json(data));
    let symbolic = Rules::from_flags(rules::INDEXES | rules::RUST_SOURCEMAP);
    for rules in [Rules::LENIENT, Rules::STRICT, symbolic] {
        match load::from_json(Arc::new(Bytes::Owned(data.to_vec())), rules) {
            Ok(ViewOrIndex::View(view)) => exercise(&view),
            Ok(ViewOrIndex::Index(index)) => {
                if let Ok(view) = index.flatten() {
                    exercise(&view);
                }
            }
            Err(_) => {}
        }
    }
});
