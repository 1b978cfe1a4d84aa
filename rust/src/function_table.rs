//! The function table of a minified source, as a memdb stores it: each function's
//! generated range, its parent, the original name it is known by and the original function
//! that name came from. Reading it needs no parsing; building it is the engine's job (see
//! `engine::functions`).

use std::borrow::Cow;
use std::collections::HashMap;

use crate::error::{bad_memdb, Result};
use crate::integrity::Checked;
use crate::mappings::NONE;
use crate::tables::{le_u32, StringTable, StringTableBuilder};

/// Bytes per function record, eleven u32: the function's generated range (start line,
/// start column, end line, end column; end exclusive), its parent record (`NONE` at top
/// level), its name id (`NONE`: unknown, `ANONYMOUS`: known to have no name), and the
/// original function it was made from (source id, or `NONE` if unknown; start line and
/// column; end line and column).
pub const RECORD_SIZE: usize = 44;
/// Name id of a function known to be anonymous (or original top-level code).
pub const ANONYMOUS: u32 = NONE - 1;

/// A resolved function table being built for a memdb (see `resolve_all`).
#[derive(Default)]
pub struct OwnedFunctions {
    pub records: Vec<u8>,
    pub names: StringTableBuilder,
    interned: HashMap<Vec<u8>, u32>,
}

impl OwnedFunctions {
    pub fn table(&self) -> Result<FunctionTable<'_>> {
        FunctionTable::new(
            Checked::trusted(&self.records),
            Checked::trusted(&self.names.index),
            Checked::trusted(&self.names.blob),
        )
    }

    pub fn intern(&mut self, name: &[u8]) -> Result<u32> {
        if let Some(&id) = self.interned.get(name) {
            return Ok(id);
        }
        let id = self.names.len();
        self.names.push(Some(name))?;
        self.interned.insert(name.to_vec(), id);
        Ok(id)
    }
}

/// A function table over borrowed bytes (attached, or read from a memdb).
#[derive(Clone, Copy)]
pub struct FunctionTable<'a> {
    records: Checked<'a>,
    names: StringTable<'a>,
}

/// One record of the table (see `RECORD_SIZE`).
pub struct Record {
    pub start: (u32, u32),
    pub end: (u32, u32),
    pub parent: u32,
    pub name_id: u32,
    /// The original function: source id (`NONE` if unknown), start, end.
    pub origin: (u32, (u32, u32), (u32, u32)),
}

impl Record {
    /// A record from its `RECORD_SIZE` bytes.
    fn read(bytes: &[u8]) -> Option<Record> {
        let field = |i: usize| le_u32(bytes, 4 * i);
        Some(Record {
            start: (field(0)?, field(1)?),
            end: (field(2)?, field(3)?),
            parent: field(4)?,
            name_id: field(5)?,
            origin: (field(6)?, (field(7)?, field(8)?), (field(9)?, field(10)?)),
        })
    }
}

/// What the table says about a position.
pub enum Answer<'a> {
    /// The original function's name, `None` if it is anonymous; valid where the
    /// position maps into `origin` (see `Record::origin`).
    Name(Option<Cow<'a, [u8]>>, (u32, (u32, u32), (u32, u32))),
    /// No answer: outside every function, or a function whose name is unknown.
    Unknown,
}

impl<'a> FunctionTable<'a> {
    pub fn new(
        records: Checked<'a>,
        names_index: Checked<'a>,
        names_blob: Checked<'a>,
    ) -> Result<Self> {
        if !records.len().is_multiple_of(RECORD_SIZE) {
            return Err(bad_memdb("function table has a partial record"));
        }
        Ok(FunctionTable {
            records,
            names: StringTable::new(names_index, names_blob)?,
        })
    }

    pub fn len(&self) -> usize {
        self.records.len() / RECORD_SIZE
    }

    /// The parts, for a memdb dump.
    pub fn records(&self) -> Checked<'a> {
        self.records
    }

    pub fn names_index(&self) -> Checked<'a> {
        self.names.index()
    }

    pub fn names_blob(&self) -> Checked<'a> {
        self.names.blob()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Record `index`, verified; `Ok(None)` past the end.
    fn record(&self, index: usize) -> Result<Option<Record>> {
        let at = index * RECORD_SIZE;
        Ok(self
            .records
            .get(at..at + RECORD_SIZE)?
            .and_then(Record::read))
    }

    /// What the innermost function around generated (`line`, `col`) is called.
    pub fn lookup(&self, line: u32, col: u32) -> Result<Answer<'a>> {
        let found = innermost_record(self.len(), (line, col), |i| {
            Ok(self.record(i)?.map(|r| (r.start, r.end, r.parent)))
        })?;
        let Some(record) = found.map(|i| self.record(i)).transpose()?.flatten() else {
            return Ok(Answer::Unknown);
        };
        Ok(match record.name_id {
            NONE => Answer::Unknown,
            ANONYMOUS => Answer::Name(None, record.origin),
            id => match self.names.get(id)? {
                Some(name) => Answer::Name(Some(Cow::Borrowed(name.bytes)), record.origin),
                None => Answer::Unknown,
            },
        })
    }
}

/// The innermost of `len` nested ranges (sorted by start, each with its parent's index,
/// parents first) that contains `target`.
pub fn innermost_record(
    len: usize,
    target: (u32, u32),
    record: impl Fn(usize) -> Result<Option<((u32, u32), (u32, u32), u32)>>,
) -> Result<Option<usize>> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match record(mid)? {
            Some((start, _, _)) if start <= target => lo = mid + 1,
            _ => hi = mid,
        }
    }
    let Some(mut index) = lo.checked_sub(1) else {
        return Ok(None);
    };
    loop {
        let (_, end, parent) =
            record(index)?.ok_or_else(|| bad_memdb("function table record out of range"))?;
        if target < end {
            return Ok(Some(index));
        }
        if parent == NONE {
            return Ok(None);
        }
        // Parents come before their children: anything else is a corrupt table, and
        // following it could loop forever.
        if parent as usize >= index {
            return Err(bad_memdb(
                "function table parent does not precede its child",
            ));
        }
        index = parent as usize;
    }
}
