//! Arbitrary bytes as a memdb cache: loading and every query return errors, never panic
//! or read out of bounds.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sourcemap_native::bytes::Bytes;
use sourcemap_native::memdb::{self, DumpOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(view) = memdb::load(Arc::new(Bytes::Owned(data.to_vec()))) else { return };
    for i in 0..view.tokens().map_or(0, |tokens| tokens.len()).min(500) {
        let _ = view.get_token(i);
    }
    for line in 0..4 {
        for col in [0, 1, 7, 100, u32::MAX] {
            let _ = view.lookup(line, col);
        }
    }
    for id in 0..view.source_count().min(50) + 1 {
        let _ = view.source_contents(id);
        let _ = view.source_name(id);
        let _ = view.raw_source_name(id);
        let _ = view.name(id);
    }
    let _ = view.file();
    let _ = view.debug_id();
    let _ = view.ignore_list_bytes();
    let _ = memdb::dump(&view, view.stored_functions().ok().flatten(), DumpOptions { with_source_contents: true, with_names: false });
});
