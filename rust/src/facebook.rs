//! React Native's function maps (`x_facebook_sources`), which Metro writes for every
//! source: where each original function starts and its name, so that a frame's function
//! name needs no JavaScript parse.
//!
//! `x_facebook_sources[i]` belongs to `sources[i]`: `null`, or a list of metadata whose
//! first item is the function map `{"names": [...], "mappings": "..."}`. Its `mappings`
//! are read as `metro-symbolicate` reads them: groups separated by `;`, each starting at
//! column 0; segments separated by `,`, each three base64 VLQ deltas (column, name index,
//! line; the line delta may be left out), lines counted from 1. The function around an
//! original position is the last entry, in the stored order, at or before it (a binary
//! search, as metro-symbolicate's `findEnclosingMapping`).
//!
//! Stored as four tables (parts, so a memdb keeps them): per source the index of its
//! first entry (`source count + 1` u32s; empty when no source has a function map), the
//! entries (line, column, name id: three u32s; `NONE` for a name index out of range),
//! and a string table of the names.

use crate::error::{invalid_map, Result};
use crate::integrity::Checked;
use crate::mappings::NONE;
use crate::tables::{push_u32, StringTable, StringTableBuilder};
use crate::vlq;

/// The function maps of a map's sources, as they are read (see the module docs).
#[derive(Default)]
pub struct FunctionMapsBuilder {
    /// Entry index where each source's entries start (one per source so far).
    starts: Vec<u32>,
    entries: Vec<u8>,
    names: StringTableBuilder,
    /// Whether any source has a function map: if none does, nothing is stored.
    any: bool,
}

impl FunctionMapsBuilder {
    fn entry_count(&self) -> u32 {
        (self.entries.len() / ENTRY) as u32
    }

    /// Adds the function maps of one map's `count` sources from its `x_facebook_sources`
    /// value (raw JSON; `None`: the map has none). A function map that does not read is
    /// an error when `strict`, else that source has none. `rust_sourcemap`: read as
    /// rust-sourcemap reads them (`read_as_rust_sourcemap`), the map having function maps
    /// as soon as it has the list (its types were checked).
    pub fn push_map(
        &mut self,
        raw: Option<&str>,
        count: usize,
        strict: bool,
        rust_sourcemap: bool,
    ) -> Result<()> {
        if rust_sourcemap {
            return self.push_as_rust_sourcemap(raw, count);
        }
        let maps = match raw.map(serde_json::from_str::<serde_json::Value>) {
            None => Vec::new(),
            Some(Ok(serde_json::Value::Array(items))) => items,
            Some(Ok(serde_json::Value::Null)) => Vec::new(),
            Some(_) if strict => {
                return Err(invalid_map("`x_facebook_sources` must be a list"));
            }
            Some(_) => Vec::new(),
        };
        for i in 0..count {
            self.starts.push(self.entry_count());
            let Some(map) = maps.get(i).filter(|m| !m.is_null()) else {
                continue;
            };
            match read_function_map(map) {
                Ok((names, entries)) => {
                    let base = self.names.len();
                    for name in &names {
                        self.names.push(Some(name.as_bytes()))?;
                    }
                    for (line, col, name) in entries {
                        push_u32(&mut self.entries, line);
                        push_u32(&mut self.entries, col);
                        push_u32(
                            &mut self.entries,
                            match name < names.len() as u32 {
                                true => base + name,
                                false => NONE,
                            },
                        );
                    }
                    self.any = true;
                }
                Err(why) if strict => {
                    return Err(invalid_map(format!("`x_facebook_sources[{i}]`: {why}")));
                }
                Err(_) => {}
            }
        }
        Ok(())
    }

    fn push_as_rust_sourcemap(&mut self, raw: Option<&str>, count: usize) -> Result<()> {
        let maps = match raw.map(serde_json::from_str::<Option<Vec<serde_json::Value>>>) {
            Some(Ok(Some(maps))) => maps,
            Some(Ok(None)) | None => Vec::new(),
            Some(Err(err)) => return Err(invalid_map(format!("`x_facebook_sources`: {err}"))),
        };
        self.any |= raw.is_some_and(|raw| raw != "null");
        for i in 0..count {
            self.starts.push(self.entry_count());
            let Some((names, entries)) = maps.get(i).and_then(read_as_rust_sourcemap) else {
                continue;
            };
            let base = self.names.len();
            for name in &names {
                self.names.push(Some(name.as_bytes()))?;
            }
            for (line, col, name) in entries {
                push_u32(&mut self.entries, line);
                push_u32(&mut self.entries, col);
                push_u32(
                    &mut self.entries,
                    match name < names.len() as u32 {
                        true => base + name,
                        false => NONE,
                    },
                );
            }
        }
        Ok(())
    }

    /// The tables: (index, entries, names index, names blob); all empty if no source
    /// has a function map.
    pub fn finish(mut self) -> [Vec<u8>; 4] {
        if !self.any {
            return Default::default();
        }
        let end = self.entry_count();
        let mut index = Vec::with_capacity((self.starts.len() + 1) * 4);
        for start in self.starts.drain(..).chain([end]) {
            push_u32(&mut index, start);
        }
        [index, self.entries, self.names.index, self.names.blob]
    }
}

const ENTRY: usize = 12;

/// Names and (line, column, name index) entries of one function map.
type FunctionMap = (Vec<String>, Vec<(u32, u32, u32)>);

fn read_function_map(metadata: &serde_json::Value) -> std::result::Result<FunctionMap, String> {
    let map = metadata
        .as_array()
        .and_then(|items| items.first())
        .ok_or("metadata must be a list whose first item is the function map")?;
    let names = map
        .get("names")
        .and_then(|n| n.as_array())
        .ok_or("the function map's `names` must be a list")?
        .iter()
        .map(|n| n.as_str().map(str::to_owned).ok_or("names must be strings"))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mappings = map
        .get("mappings")
        .and_then(|m| m.as_str())
        .ok_or("the function map's `mappings` must be a string")?;
    Ok((names, decode(mappings)?))
}

/// One source's function map as rust-sourcemap 9 reads it (`x_facebook_sources[i]`, of
/// checked types): `null` or an empty list is none; else its first item's `mappings`
/// in `;` groups (empty ones skipped, each starting at column 0) of `,` segments (empty
/// ones skipped) of at least one value: column, then name index and line if there
/// (more are ignored), running values wrapping modulo 2^32, lines from 1
/// (`rules::read_vlq_segment`: one that does not read leaves the source none). Its
/// lookup finds the greatest entry at or before a position, on an exact hit the first
/// of those at it; `name_at` finds the last at or before: so where entries share a
/// position, the last of them moves one column on (past an exact hit, rust-sourcemap
/// answers the last too) and the others between are dropped.
fn read_as_rust_sourcemap(metadata: &serde_json::Value) -> Option<FunctionMap> {
    let map = metadata.as_array()?.first()?;
    // The struct's fields by name, or in order when it is written as a list.
    let field = |name: &str, at: usize| match map {
        serde_json::Value::Array(items) => items.get(at),
        _ => map.get(name),
    };
    let names = field("names", 0)?
        .as_array()?
        .iter()
        .map(|n| n.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    let mappings = field("mappings", 1)?.as_str()?;
    let (mut line, mut name) = (1u32, 0u32);
    let mut entries: Vec<(u32, u32, u32)> = Vec::new();
    let mut values = Vec::with_capacity(4);
    for group in mappings.split(';').filter(|g| !g.is_empty()) {
        let mut col = 0u32;
        for segment in group.split(',').filter(|s| !s.is_empty()) {
            values.clear();
            crate::rules::read_vlq_segment(segment.as_bytes(), &mut values).ok()?;
            let add =
                |value: u32, at: usize| value.wrapping_add(values.get(at).map_or(0, |&v| v as u32));
            col = add(col, 0);
            name = add(name, 1);
            line = add(line, 2);
            entries.push((line, col, name));
        }
    }
    let mut kept: Vec<(u32, u32, u32)> = Vec::with_capacity(entries.len());
    let mut at = 0;
    while at < entries.len() {
        let key = (entries[at].0, entries[at].1);
        let run = entries[at..]
            .iter()
            .take_while(|e| (e.0, e.1) == key)
            .count();
        kept.push(entries[at]);
        if run > 1 {
            let last = entries[at + run - 1];
            let next = match key.1.checked_add(1) {
                Some(col) => (key.0, col),
                None => (key.0.wrapping_add(1), 0),
            };
            kept.push((next.0, next.1, last.2));
        }
        at += run;
    }
    Some((names, kept))
}

/// The entries of a function map's `mappings`, as metro-symbolicate decodes them.
pub fn decode(mappings: &str) -> std::result::Result<Vec<(u32, u32, u32)>, String> {
    let mut entries = Vec::new();
    if mappings.is_empty() {
        return Ok(entries); // no functions (metro-symbolicate would read one broken entry)
    }
    let (mut line, mut name) = (1i64, 0i64);
    for group in mappings.split(';') {
        let mut col = 0i64;
        for segment in group.split(',') {
            let bytes = segment.as_bytes();
            let mut pos = 0;
            let mut values = [0i64; 3];
            let mut count = 0;
            while pos < bytes.len() {
                let value = vlq::decode(bytes, &mut pos)
                    .map_err(|_| format!("invalid VLQ in segment {segment:?}"))?;
                if count < 3 {
                    values[count] = value;
                }
                count += 1;
            }
            if !(2..=3).contains(&count) {
                return Err(format!(
                    "segment {segment:?} has {count} values, not 2 or 3"
                ));
            }
            col += values[0];
            name += values[1];
            line += values[2];
            let field = |value: i64, what: &str| {
                u32::try_from(value).map_err(|_| format!("{what} {value} out of range"))
            };
            entries.push((
                field(line, "line")?,
                field(col, "column")?,
                field(name, "name index")?,
            ));
        }
    }
    Ok(entries)
}

/// A view's function maps (see the module docs).
pub struct FunctionMaps<'a> {
    index: Checked<'a>,
    entries: Checked<'a>,
    names: StringTable<'a>,
}

impl<'a> FunctionMaps<'a> {
    pub fn new(index: Checked<'a>, entries: Checked<'a>, names: StringTable<'a>) -> Self {
        FunctionMaps {
            index,
            entries,
            names,
        }
    }

    /// Checks that the tables hold together (a memdb's, read from disk).
    pub fn validate(&self, source_count: u32) -> Result<()> {
        let index_len = self.index.len();
        if index_len == 0 {
            return match self.entries.is_empty() {
                true => Ok(()),
                false => Err(crate::error::bad_memdb(
                    "function map entries without an index",
                )),
            };
        }
        let entries = (self.entries.len() / ENTRY) as u32;
        let bad = index_len != (source_count as usize + 1) * 4
            || !self.entries.len().is_multiple_of(ENTRY)
            || self.index.u32_at(index_len - 4)? != Some(entries);
        match bad {
            true => Err(crate::error::bad_memdb(
                "function map tables do not fit together",
            )),
            false => Ok(()),
        }
    }

    /// The indexes of source `src_id`'s entries; `None` if it has no function map.
    fn entries_of(&self, src_id: u32) -> Result<Option<std::ops::Range<u32>>> {
        let at = src_id as usize * 4;
        Ok(match (self.index.u32_at(at)?, self.index.u32_at(at + 4)?) {
            (Some(start), Some(end)) if start < end => Some(start..end),
            _ => None,
        })
    }

    /// Entry `i`: (line from 1, column, name id); `NONE` for what the table lacks.
    fn entry(&self, i: u32) -> Result<(u32, u32, u32)> {
        let at = i as usize * ENTRY;
        let value =
            |k: usize| -> Result<u32> { Ok(self.entries.u32_at(at + k * 4)?.unwrap_or(NONE)) };
        Ok((value(0)?, value(1)?, value(2)?))
    }

    /// Source `src_id`'s function map as `x_facebook_sources` writes it (`[{"names":
    /// [...], "mappings": "..."}]`), or `null` if it has none: one `;` group per entry,
    /// which metro-symbolicate reads back to the same entries.
    pub fn write_source(&self, out: &mut Vec<u8>, src_id: u32) -> Result<()> {
        let Some(range) = self.entries_of(src_id)? else {
            out.extend_from_slice(b"null");
            return Ok(());
        };
        let entries = range.map(|i| self.entry(i)).collect::<Result<Vec<_>>>()?;
        // The names this map's entries use, in id order (they were stored together).
        let named = entries.iter().map(|e| e.2).filter(|&n| n != NONE);
        let first = named.clone().min().unwrap_or(0);
        let last = named.max().map_or(first, |n| n + 1);
        out.extend_from_slice(b"[{\"names\":[");
        for id in first..last {
            if id > first {
                out.push(b',');
            }
            let name = self.names.get(id)?.map_or(&b""[..], |s| s.bytes);
            crate::json_text::string(out, name);
        }
        out.extend_from_slice(b"],\"mappings\":\"");
        let mut room = [0; vlq::DIGITS_ROOM];
        let (mut line, mut name) = (1i64, 0i64);
        for (i, &(entry_line, col, entry_name)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(b';');
            }
            // A name out of range stays out of range (no name), one past the list.
            let index = match entry_name {
                NONE => i64::from(last - first),
                id => i64::from(id - first),
            };
            let mut digits = vlq::Digits::new(&mut room);
            digits.value(i64::from(col));
            digits.value(index - name);
            digits.value(i64::from(entry_line) - line);
            out.extend_from_slice(digits.as_slice());
            (line, name) = (i64::from(entry_line), index);
        }
        out.extend_from_slice(b"\"}]");
        Ok(())
    }

    /// The function around original (`line`, `col`) (0-based) in source `src_id`:
    /// `None` if the source has no function map, `Some(None)` if no function of it
    /// starts at or before the position (or that entry has no name).
    pub fn name_at(&self, src_id: u32, line: u32, col: u32) -> Result<Option<Option<&'a [u8]>>> {
        let Some(std::ops::Range { start, end }) = self.entries_of(src_id)? else {
            return Ok(None);
        };
        // Function map lines count from 1.
        let target = (u64::from(line) + 1, col);
        // The first entry after the target, by metro-symbolicate's binary search (which
        // does not assume more order than the map has: it is the same search).
        let (mut first, mut count) = (start, end - start);
        while count > 0 {
            let step = count / 2;
            let (l, c, _) = self.entry(first + step)?;
            if target >= (u64::from(l), c) {
                first += step + 1;
                count -= step + 1;
            } else {
                count = step;
            }
        }
        if first == start {
            return Ok(Some(None));
        }
        let (_, _, name) = self.entry(first - 1)?;
        Ok(Some(self.names.get(name)?.map(|s| s.bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_metro_function_maps() {
        // Metro's map of a module with `<global>`, `lookup`, `checkout` and a callback.
        let entries = decode("AAA;ACS;CDM;OEE;gBCE,8CD;CFE").unwrap();
        assert_eq!(
            entries,
            [
                (1, 0, 0),
                (10, 0, 1),
                (16, 1, 0),
                (18, 7, 2),
                (20, 16, 3),
                (20, 62, 2),
                (22, 1, 0)
            ]
        );
        assert!(decode("AAA;;A").is_err());
        assert!(decode("AAA,AAAAA").is_err());
        assert!(decode("AAF").is_err()); // line 1 - 2
    }

    #[test]
    fn reads_function_maps_as_rust_sourcemap() {
        let read = |json: &str| read_as_rust_sourcemap(&serde_json::from_str(json).unwrap());
        let entries = |json: &str| read(json).map(|(_, entries)| entries);
        // One value is a column; a fourth is ignored; lines wrap below 1.
        assert_eq!(
            entries(r#"[{"names":["f"],"mappings":"A,CAAC;AAF"}]"#),
            Some(vec![(1, 0, 0), (1, 1, 0), (u32::MAX, 0, 0)])
        );
        assert_eq!(entries(r#"[{"names":[],"mappings":"!!"}]"#), None);
        assert_eq!(entries(r#"[]"#), None);
        assert_eq!(entries(r#"[[["n"], ""]]"#), Some(vec![]));
        // Entries at one position: the first answers there, the last past it.
        assert_eq!(
            entries(r#"[{"names":["f","g","h"],"mappings":"AAA,ACA,ACA"}]"#),
            Some(vec![(1, 0, 0), (1, 1, 2)])
        );
    }
}
