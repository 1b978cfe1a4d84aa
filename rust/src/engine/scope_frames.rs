//! Frames from the map's `scopes` (ECMA-426's scopes proposal), found as Chrome DevTools
//! translates a call site (`SourceMapScopesInfo.translateCallSite`): no JavaScript is
//! parsed.
//!
//! - The function around a generated position is the original scope the innermost
//!   generated range there is (its definition), or the nearest enclosing scope of it that
//!   is a stack frame. A map with original scopes but no generated ranges is read
//!   through the mappings instead: the innermost original scope around the mapped
//!   original position.
//! - A position inside inlined code has callers the generated code does not show: from
//!   the innermost range outwards, up to the range that is a function of the generated
//!   code, every range with a call site adds a frame there, named by the function around
//!   the call site in its original scopes.
//!
//! Producers make mistakes (SWC 1.16 with `mangle` writes the mangled names into the
//! original scopes), so the resolver checks a name against the original source before
//! using it (`name_in_source`).

use crate::scopes::{OriginalPosition, OriginalScope, Position, Scopes};

/// What the scopes say about a generated position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Translated {
    /// The scopes cover the position: `function` is their answer (else the resolver
    /// asks the next source of names).
    pub covered: bool,
    /// The original function scope around the position (an index into the scopes);
    /// `None` in top-level code.
    pub function: Option<u32>,
    /// The callers of inlined functions, innermost first: each call site and the
    /// function scope around it.
    pub callers: Vec<(OriginalPosition, Option<u32>)>,
    /// The position is in an outlined function (the innermost range that is a function
    /// of the generated code is hidden): original traces leave its frame out.
    pub hidden: bool,
}

/// Translates generated (`line`, `col`); `mapped` is where the mappings put it (source
/// id, line, column), for maps without generated ranges.
pub fn translate(
    scopes: &Scopes,
    line: u32,
    col: u32,
    mapped: Option<(u32, u32, u32)>,
) -> Translated {
    let at = Position::new(line, col);
    if scopes.ranges.is_empty() {
        let Some((source, src_line, src_col)) = mapped else {
            return Translated::default();
        };
        let Some(inner) = innermost_scope(scopes, source, Position::new(src_line, src_col)) else {
            return Translated::default();
        };
        return Translated {
            covered: true,
            function: function_of(scopes, Some(inner)),
            callers: Vec::new(),
            hidden: false,
        };
    }
    let Some(innermost) = scopes.innermost_range(at) else {
        return Translated::default();
    };
    let mut callers = Vec::new();
    let mut hidden = false;
    let mut range = Some(innermost);
    while let Some(index) = range {
        let generated = &scopes.ranges[index as usize];
        if generated.is_stack_frame {
            hidden = generated.is_hidden;
            break;
        }
        if let Some(site) = generated.call_site {
            let around =
                innermost_scope(scopes, site.source, Position::new(site.line, site.column));
            callers.push((site, function_of(scopes, around)));
        }
        range = generated.parent();
    }
    Translated {
        covered: true,
        function: function_of(scopes, scopes.ranges[innermost as usize].definition),
        callers,
        hidden,
    }
}

/// The nearest scope from `scope` outwards that is a stack frame.
fn function_of(scopes: &Scopes, mut scope: Option<u32>) -> Option<u32> {
    while let Some(index) = scope {
        let original = scopes.scopes.get(index as usize)?;
        if original.is_stack_frame {
            return Some(index);
        }
        scope = original.parent();
    }
    None
}

/// The innermost original scope of source `source` around `at`, if its tree has one.
fn innermost_scope(scopes: &Scopes, source: u32, at: Position) -> Option<u32> {
    let root = (*scopes.sources.get(source as usize)?)?;
    let contains = |scope: &OriginalScope| scope.start <= at && at < scope.end;
    if !contains(&scopes.scopes[root as usize]) {
        return None;
    }
    let mut found = root;
    'descend: loop {
        for (index, child) in scopes.scope_children(found) {
            if contains(child) {
                found = index;
                continue 'descend;
            }
        }
        return Some(found);
    }
}

/// Whether `name` appears as a whole identifier in `line`, the original source's line
/// where the scope starts, within `WINDOW` bytes either side of `column`: where a
/// function's or method's name is written (`function name(`, `name(`, `name = () =>`).
/// A name not there is one the source contradicts.
pub fn name_in_source(line: &[u8], column: u32, name: &[u8]) -> bool {
    const WINDOW: usize = 200;
    if name.is_empty() {
        return false;
    }
    // Columns count UTF-16 units; near enough in bytes for a window this wide.
    let at = (column as usize).min(line.len());
    let window = &line[at.saturating_sub(WINDOW)..(at + WINDOW).min(line.len())];
    let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&window[from..], name) {
        let start = from + found;
        let end = start + name.len();
        let before = start.checked_sub(1).map(|i| window[i]);
        let after = window.get(end).copied();
        if !before.is_some_and(part) && !after.is_some_and(part) {
            return true;
        }
        from = start + 1;
    }
    false
}

/// The name an engine infers for an unnamed function whose scope starts at `column` of
/// `line` (its original source's line), read from the text around it, not parsed: a
/// method's (`name(`, after `async`, `static`, `get`, `set` or `*`), or the variable or
/// property it is assigned to (`name = `, `obj.name = `, `name: ` before it). `None`:
/// nothing names it (a callback, an IIFE): anonymous, as the engine prints it.
pub fn inferred_name(line: &[u8], column: u32) -> Option<&[u8]> {
    let at = (column as usize).min(line.len());
    let part = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let skip_space = |text: &[u8], mut i: usize| {
        while text.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        i
    };
    // A method: `name(` where the scope starts (after modifiers).
    let mut i = skip_space(line, at);
    loop {
        let start = i;
        while line.get(i).copied().is_some_and(part) {
            i += 1;
        }
        let word = &line[start..i];
        if matches!(word, b"async" | b"static" | b"get" | b"set") {
            i = skip_space(line, i);
            continue;
        }
        if word.is_empty() && line.get(i) == Some(&b'*') {
            i = skip_space(line, i + 1);
            continue;
        }
        if !word.is_empty() && word != b"function" && line.get(skip_space(line, i)) == Some(&b'(') {
            return Some(word);
        }
        break;
    }
    // An assignment: `name = ` or `name: ` just before (an `async` between them).
    let mut end = at;
    let trim = |text: &[u8], mut end: usize| {
        while end > 0 && text[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        end
    };
    end = trim(line, end);
    if line[..end].ends_with(b"async") {
        end = trim(line, end - 5);
    }
    let sign = *line[..end].last()?;
    let before = line[..end.saturating_sub(1)].last().copied();
    let assigned = match sign {
        b'=' => !matches!(
            before,
            Some(
                b'=' | b'!'
                    | b'<'
                    | b'>'
                    | b'+'
                    | b'-'
                    | b'*'
                    | b'/'
                    | b'%'
                    | b'&'
                    | b'|'
                    | b'^'
                    | b'?'
            )
        ),
        b':' => true,
        _ => false,
    };
    if !assigned {
        return None;
    }
    let name_end = trim(line, end - 1);
    let mut name_start = name_end;
    while name_start > 0 && part(line[name_start - 1]) {
        name_start -= 1;
    }
    let name = &line[name_start..name_end];
    (!name.is_empty() && !name[0].is_ascii_digit()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::Builder;

    #[test]
    fn names_in_source() {
        assert!(name_in_source(b"function inner(x) {", 0, b"inner"));
        assert!(name_in_source(b"  checkout(n) {", 2, b"checkout"));
        assert!(name_in_source(b"const f = () => {", 10, b"f"));
        // SWC's mangled names: `t` is in `function`, but not as an identifier.
        assert!(!name_in_source(b"function inner(x) {", 0, b"t"));
        assert!(!name_in_source(b"function inner(x) {", 0, b"inn"));
        assert!(!name_in_source(b"function inner(x) {", 0, b""));
        assert!(name_in_source(b"x", 900, b"x"));
    }

    #[test]
    fn infers_names_as_engines() {
        let name = |line: &str, column: u32| {
            inferred_name(line.as_bytes(), column).map(|n| String::from_utf8_lossy(n).into_owned())
        };
        assert_eq!(name("  checkout(n) {", 2), Some("checkout".into()));
        assert_eq!(name("  static async *items() {", 2), Some("items".into()));
        assert_eq!(name("  get size() {", 2), Some("size".into()));
        assert_eq!(
            name("pp$4.raise = function(pos, message) {", 13),
            Some("raise".into())
        );
        assert_eq!(name("const f = async (x) => {", 16), Some("f".into()));
        assert_eq!(name("  parse: function() {", 9), Some("parse".into()));
        assert_eq!(name("let g = x => x", 8), Some("g".into()));
        assert_eq!(name("items.forEach((x) => {", 14), None);
        assert_eq!(name("(function() {", 1), None);
        assert_eq!(name("if (a == function() {", 9), None);
        assert_eq!(name("x => x", 0), None);
        assert_eq!(name("", 5), None);
    }

    #[test]
    fn translates_as_devtools() {
        // One source: a module scope (0:0-20:0) with function `outer` (1:0-9:0), which
        // holds function `inner` (2:2-4:3). Generated: `outer` is a function of the
        // generated code (0:0-0:50) with `inner` inlined into it (0:10-0:20), called at
        // 6:4 of the source.
        let mut b = Builder::new();
        b.start_scope(Position::new(0, 0), None, None, false, &[])
            .unwrap();
        let outer = b
            .start_scope(Position::new(1, 0), Some(0), None, true, &[])
            .unwrap();
        let inner = b
            .start_scope(Position::new(2, 2), Some(1), None, true, &[])
            .unwrap();
        b.end_scope(Position::new(4, 3)).unwrap();
        b.end_scope(Position::new(9, 0)).unwrap();
        b.end_scope(Position::new(20, 0)).unwrap();
        b.start_range(Position::new(0, 0), Some(outer), true, false)
            .unwrap();
        b.start_range(Position::new(0, 10), Some(inner), false, false)
            .unwrap();
        b.set_call_site(OriginalPosition {
            source: 0,
            line: 6,
            column: 4,
        })
        .unwrap();
        b.end_range(Position::new(0, 20)).unwrap();
        b.end_range(Position::new(0, 50)).unwrap();
        let s = b.finish().unwrap();
        let found = translate(&s, 0, 15, None);
        assert_eq!(found.function, Some(inner));
        let site = OriginalPosition {
            source: 0,
            line: 6,
            column: 4,
        };
        assert_eq!(found.callers, vec![(site, Some(outer))]);
        assert!(found.covered);
        let found = translate(&s, 0, 30, None);
        assert_eq!((found.function, found.callers.len()), (Some(outer), 0));
        assert!(!translate(&s, 0, 60, None).covered);
        assert!(!translate(&s, 0, 15, None).hidden);
        // The same with `outer`'s generated function hidden (outlined).
        let mut b = Builder::new();
        b.start_scope(Position::new(0, 0), None, None, true, &[])
            .unwrap();
        b.end_scope(Position::new(9, 0)).unwrap();
        b.start_range(Position::new(0, 0), Some(0), true, true)
            .unwrap();
        b.start_range(Position::new(0, 10), None, false, false)
            .unwrap();
        b.end_range(Position::new(0, 20)).unwrap();
        b.end_range(Position::new(0, 50)).unwrap();
        let s = b.finish().unwrap();
        assert!(translate(&s, 0, 15, None).hidden && translate(&s, 0, 5, None).hidden);
        // Without generated ranges: through the mapped original position.
        let mut b = Builder::new();
        b.start_scope(Position::new(0, 0), None, None, false, &[])
            .unwrap();
        b.start_scope(Position::new(1, 0), Some(0), None, true, &[])
            .unwrap();
        b.end_scope(Position::new(3, 0)).unwrap();
        b.end_scope(Position::new(9, 0)).unwrap();
        let s = b.finish().unwrap();
        assert_eq!(translate(&s, 5, 5, Some((0, 2, 0))).function, Some(1));
        let top = translate(&s, 5, 5, Some((0, 5, 0)));
        assert!(top.covered && top.function.is_none());
        assert!(!translate(&s, 5, 5, Some((1, 2, 0))).covered);
        assert!(!translate(&s, 5, 5, None).covered);
    }
}
