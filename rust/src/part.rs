//! The tables of a view (`Part`), in memdb order: shared by the view that reads them,
//! the memdb that stores them and the checksums that guard them.

/// Declares `Part` and its one list, `Part::ALL`, in memdb order.
macro_rules! parts {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// The tables of a view, in memdb order (see `memdb`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Part {
            $($(#[$doc])* $name,)*
        }

        impl Part {
            /// Every part, in memdb order.
            pub const ALL: &'static [Part] = &[$(Part::$name,)*];
        }
    };
}

parts! {
    Mappings,
    Checkpoints,
    SourcesIndex,
    SourcesBlob,
    NamesIndex,
    NamesBlob,
    ContentsIndex,
    ContentsBlob,
    MetaIndex,
    MetaBlob,
    /// Sources as written, before `sourceRoot` is applied (for sourcemap 0.2.1's join).
    RawSourcesIndex,
    RawSourcesBlob,
    /// The minified source's function table (see `function_table`); empty but in a
    /// memdb dumped with one.
    FunctionRecords,
    FunctionNamesIndex,
    FunctionNamesBlob,
    /// Where each source's lines start, for context lines without scanning the source:
    /// `source count + 1` u32 offsets into `ContentLines` (in u32 units), then there the
    /// byte offset of every line start. Stored in a memdb; empty in a JSON view, which
    /// scans a source on its first context line instead (see
    /// `engine::Resolver::source_lines`).
    ContentLinesIndex,
    ContentLines,
    /// React Native's function maps (`x_facebook_sources`; see `facebook`): per source
    /// the index of its first entry, the entries, and their names.
    FacebookIndex,
    FacebookEntries,
    FacebookNamesIndex,
    FacebookNamesBlob,
}

pub const PART_COUNT: usize = Part::ALL.len();
