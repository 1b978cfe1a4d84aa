//! Making views from source map JSON: a regular map becomes a `View`, an index map an
//! `Index` (flattened into a view where its sections are embedded). Memdb caches are
//! opened by `memdb::load`.

use std::sync::Arc;

use crate::bytes::{Bytes, SharedBytes};
use crate::error::{bad_json, invalid_map, Error, ErrorKind, Result};
use crate::index::Index;
use crate::json::{self, Assembly, MappingsText};
use crate::mappings::Limits;
use crate::rules::Rules;
use crate::view::View;

/// What a JSON document turned out to be (a short-lived return value, so the size
/// difference between the variants does not matter).
#[allow(clippy::large_enum_variant)]
pub enum ViewOrIndex {
    View(View),
    Index(Index),
}

/// Parses source map JSON; an index map comes back as an `Index`.
pub fn from_json(input: SharedBytes, rules: Rules) -> Result<ViewOrIndex> {
    parse(input, rules, View::assemble)
}

/// Parses source map JSON for one pass over its segments (`remap`): no checkpoints are
/// built of a regular map's mappings (see `View::assemble_unindexed`), so they are
/// checked when that pass decodes them; an index map is flattened as `from_json`
/// flattens it.
pub fn from_json_unindexed(input: SharedBytes, rules: Rules) -> Result<View> {
    parse(input, rules, View::assemble_unindexed)?.into_loadable()
}

/// Parses the document; a regular map's parts are made a view by `assemble`.
fn parse(
    input: SharedBytes,
    rules: Rules,
    assemble: fn(SharedBytes, Assembly, MappingsText, Rules) -> Result<View>,
) -> Result<ViewOrIndex> {
    let all = input.as_slice();
    let body = match rules.rust_sourcemap {
        true => json::strip_junk_prefix(all)?,
        false => json::strip_xssi_prefix(all),
    };
    let doc = match rules.rust_sourcemap {
        true => json::parse_document_as_rust_sourcemap(body)?,
        false => json::parse_document(body)?,
    };
    if rules.rust_sourcemap {
        json::check_rust_sourcemap(&doc)?;
        if json::has_lone_surrogate(body) {
            return Err(bad_json(
                "invalid source map JSON: a lone surrogate escape (\\ud800-\\udfff)",
            ));
        }
    }
    if doc.sections.is_some() {
        if doc.mappings.is_some() && rules.fields {
            return Err(invalid_map(
                "an index map must not have `mappings` beside `sections`",
            ));
        }
        let index = Index::from_document(input.clone(), &doc, rules)?;
        return Ok(ViewOrIndex::Index(index));
    }
    let mut asm = Assembly::default();
    let mappings = json::assemble_map(all, &doc, rules, &mut asm)?;
    if !rules.rust_sourcemap {
        return Ok(ViewOrIndex::View(assemble(input, asm, mappings, rules)?));
    }
    // rust-sourcemap reads a text the fast path reads whole as it does (1-, 4- and
    // 5-value segments, in range); anything else, or a text that does not parse, is
    // decoded its way and written again, to be read plainly.
    if doc.range_mappings.is_none() {
        if let Ok(view) = assemble(input.clone(), asm, mappings, rules) {
            if view.plain_mappings()?.is_some() {
                return Ok(ViewOrIndex::View(view));
            }
        }
    }
    let mut asm = Assembly::default();
    let mappings = json::assemble_map(all, &doc, rules, &mut asm)?;
    let text = mappings.bytes(all);
    let limits = Limits {
        sources: asm.source_count,
        names: asm.name_count,
    };
    let tokens = json::rust_sourcemap_tokens(text, doc.range_mappings, limits)?;
    let text = MappingsText::Owned(crate::mappings::encode(&tokens));
    Ok(ViewOrIndex::View(assemble(
        input,
        asm,
        text,
        Rules::LENIENT,
    )?))
}

/// A view of map JSON this library wrote (`remap`), the checkpoints of its `mappings`
/// already built by the encoder that wrote them (`Encoder::with_checkpoints`): parsed
/// strictly, its segments not decoded again.
pub fn from_written_json(
    json: Vec<u8>,
    prebuilt: Option<crate::mappings::Prebuilt>,
) -> Result<View> {
    let input: SharedBytes = Arc::new(Bytes::Owned(json));
    let doc = json::parse_document(input.as_slice())?;
    if doc.sections.is_some() {
        return Err(invalid_map("a written map must not be an index map"));
    }
    let mut asm = Assembly::default();
    let mappings = json::assemble_map(input.as_slice(), &doc, Rules::STRICT, &mut asm)?;
    View::assemble_prebuilt(input.clone(), asm, mappings, Rules::STRICT, prebuilt)
}

/// Copies `bytes` and parses them leniently; convenient for Rust callers and tests.
pub fn from_json_slice(bytes: &[u8]) -> Result<ViewOrIndex> {
    from_json(Arc::new(Bytes::Owned(bytes.to_vec())), Rules::LENIENT)
}

impl ViewOrIndex {
    /// The view to load from map JSON: an index map is flattened when all its sections
    /// are embedded; one that references external maps is `IndexedSourceMap`.
    pub fn into_loadable(self) -> Result<View> {
        match self {
            ViewOrIndex::View(view) => Ok(view),
            ViewOrIndex::Index(index) if index.can_flatten() => index.flatten(),
            ViewOrIndex::Index(_) => Err(Error::new(
                ErrorKind::IndexedSourceMap,
                "an index map with external sections cannot be loaded as a view",
            )),
        }
    }

    /// The view, flattening an index map when it can be flattened.
    pub fn into_view(self) -> Result<View> {
        match self {
            ViewOrIndex::View(view) => Ok(view),
            ViewOrIndex::Index(index) => index.flatten(),
        }
    }
}
