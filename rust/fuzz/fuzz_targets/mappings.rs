//! Structure-aware: arbitrary text as `mappings` of a map with 3 sources and 3 names.
//! Lookups must agree with a reference model built from all decoded tokens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sourcemap_native::integrity::Checked;
use sourcemap_native::mappings::{self, Limits, TokenTable};
use sourcemap_native::rules::Rules;

const LIMITS: Limits = Limits { sources: 3, names: 3 };

fuzz_target!(|data: &[u8]| {
    let Ok(built) = mappings::build_checkpoints(data, LIMITS, Rules::LENIENT) else { return };
    let text = built.rewritten.as_deref().unwrap_or(data);
    let mut tokens = mappings::decode_all(text, LIMITS, Rules::LENIENT).expect("scanned text decodes");
    tokens.sort_by_key(|t| (t.dst_line, t.dst_col));
    assert_eq!(tokens.len() as u32, built.token_count);
    let (text_bytes, checkpoints) = (Checked::trusted(text), Checked::trusted(&built.records));
    let table = TokenTable::new(text_bytes, checkpoints, built.token_count, LIMITS);
    table.validate().expect("own checkpoints are valid");
    for (i, token) in tokens.iter().enumerate().take(3000) {
        assert_eq!(table.get(i as u32).unwrap().as_ref(), Some(token));
        for col in [token.dst_col, token.dst_col.saturating_add(1)] {
            let expected = tokens
                .iter()
                .rposition(|t| t.dst_line == token.dst_line && t.dst_col <= col)
                .map(|j| (j as u32, tokens[j]));
            assert_eq!(table.lookup(token.dst_line, col).unwrap(), expected);
        }
    }
});
