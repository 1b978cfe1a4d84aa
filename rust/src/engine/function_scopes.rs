//! The functions of a JavaScript (or TypeScript) text: where each begins and ends, and the
//! name a stack trace would call it by. Parsed with oxc.
//!
//! The name of a function is its own name (`function f`, `class C`), else the name it is
//! given where it is defined: the variable it initialises (`var f = () => {}`), the target
//! of an assignment (`a.b.f = function () {}`), the key of an object property or class
//! member (`{ f() {} }`, `f = () => {}` in a class); a constructor takes its class's name.
//! These are the names V8 infers and prints in stack traces.

use oxc_ast::ast::{
    ArrowFunctionExpression, AssignmentExpression, AssignmentTarget, BindingPattern, Class,
    Expression, Function, MethodDefinition, MethodDefinitionKind, ObjectProperty,
    PropertyDefinition, PropertyKey, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::{GetSpan, SourceType, Span};
use oxc_syntax::scope::ScopeFlags;

use super::parser_threads::on_parser_stack;
use crate::error::{Error, ErrorKind, Result};
use crate::mappings::NONE;

/// One function: byte offsets `start..end` in the text, the byte span of its name (if it
/// has one) and the index of the innermost function around it (`NONE` at top level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub start: u32,
    pub end: u32,
    pub name: Option<(u32, u32)>,
    /// Where the function is introduced, if outside `start..end`: a method's key (also
    /// for a constructor, which is named after its class).
    pub anchor: Option<u32>,
    pub parent: u32,
}

/// Nesting deeper than this is refused before parsing: the parser recurses once per
/// level, and a stack overflow would abort the process instead of raising an error.
const MAX_NESTING: usize = 20_000;

/// What kind of text to parse, from its file name (TypeScript, JSX...); plain JavaScript
/// (module or script, decided by the parser) when the name does not say.
pub fn source_type_for(name: Option<&str>) -> SourceType {
    let from_name = name
        .map(|n| n.split(['?', '#']).next().unwrap_or(n))
        .and_then(|n| SourceType::from_path(n).ok());
    from_name.unwrap_or_else(SourceType::unambiguous)
}

/// The functions of `text`, sorted by start (outer before inner at the same start).
pub fn scopes(text: &str, source_type: SourceType) -> Result<Vec<Scope>> {
    if text.len() >= u32::MAX as usize {
        return Err(bad_source("source too large to parse (4 GiB or more)"));
    }
    if nesting_bound(text.as_bytes()) > MAX_NESTING {
        return Err(bad_source(format!(
            "source nested more than {MAX_NESTING} levels deep"
        )));
    }
    on_parser_stack(|| collect(text, source_type))
}

fn bad_source(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::BadSource, message)
}

/// An upper bound of the text's bracket nesting, counting brackets in strings and
/// comments too (cheap, and only ever an overestimate).
///
/// Branch-free, as this runs over every byte of sources of many megabytes: the nesting
/// at each byte is the running bracket balance minus its lowest value so far (a closing
/// bracket at depth 0 is ignored, as if the count saturated at zero).
fn nesting_bound(bytes: &[u8]) -> usize {
    const DELTA: [i8; 256] = {
        let mut table = [0i8; 256];
        table[b'(' as usize] = 1;
        table[b'[' as usize] = 1;
        table[b'{' as usize] = 1;
        table[b')' as usize] = -1;
        table[b']' as usize] = -1;
        table[b'}' as usize] = -1;
        table
    };
    let (mut balance, mut lowest, mut max) = (0i64, 0i64, 0i64);
    for &b in bytes {
        balance += DELTA[b as usize] as i64;
        lowest = lowest.min(balance);
        max = max.max(balance - lowest);
    }
    max as usize
}

fn collect(text: &str, source_type: SourceType) -> Result<Vec<Scope>> {
    let allocator = super::arena::for_text(text.len());
    // Only spans are read from the tree: no identifier hashes (they serve semantic
    // analysis, which never runs here) and no nodes for parentheses (names are found
    // through `without_parentheses` either way).
    let options = ParseOptions {
        enable_ident_hashes: false,
        preserve_parens: false,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, text, source_type)
        .with_options(options)
        .parse();
    if parsed.panicked {
        let first = parsed.diagnostics.errors().next().map(|e| e.to_string());
        return Err(bad_source(format!(
            "cannot parse the source: {}",
            first.unwrap_or_else(|| "unrecoverable syntax error".into())
        )));
    }
    let mut collector = Collector::default();
    collector.visit_program(&parsed.program);
    Ok(nest(collector.scopes))
}

/// Sorts scopes by start (outer first) and links each to its innermost enclosing scope.
fn nest(mut scopes: Vec<Scope>) -> Vec<Scope> {
    scopes.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut open: Vec<u32> = Vec::new();
    for i in 0..scopes.len() {
        while let Some(&top) = open.last() {
            if scopes[top as usize].end >= scopes[i].end
                && scopes[top as usize].start <= scopes[i].start
            {
                break;
            }
            open.pop();
        }
        scopes[i].parent = open.last().copied().unwrap_or(NONE);
        open.push(i as u32);
    }
    scopes
}

/// The innermost scope containing byte `offset` (`start <= offset < end`).
pub fn innermost(scopes: &[Scope], offset: u32) -> Option<&Scope> {
    let after = scopes.partition_point(|s| s.start <= offset);
    let mut index = after.checked_sub(1)? as u32;
    loop {
        let scope = scopes.get(index as usize)?;
        if offset < scope.end {
            return Some(scope);
        }
        index = scope.parent;
    }
}

#[derive(Default)]
struct Collector {
    scopes: Vec<Scope>,
    /// A name for the function-like node that starts at this offset: set by the parent
    /// that gives the name (declarator, assignment, property), taken by that node; with
    /// the anchor of a method.
    pending: Option<(u32, Span, Option<u32>)>,
    /// The names of the classes being visited, for their constructors.
    classes: Vec<Option<Span>>,
}

/// True for expressions that define a function (or class) and so take a name from context.
fn defines_function(expr: &Expression) -> bool {
    matches!(
        expr.without_parentheses(),
        Expression::FunctionExpression(_)
            | Expression::ArrowFunctionExpression(_)
            | Expression::ClassExpression(_)
    )
}

fn key_span(key: &PropertyKey) -> Option<Span> {
    match key {
        PropertyKey::StaticIdentifier(id) => Some(id.span),
        PropertyKey::PrivateIdentifier(id) => Some(id.span),
        PropertyKey::StringLiteral(s) => Some(s.span),
        _ => None,
    }
}

fn target_span(target: &AssignmentTarget) -> Option<Span> {
    match target {
        AssignmentTarget::AssignmentTargetIdentifier(id) => Some(id.span),
        AssignmentTarget::StaticMemberExpression(m) => Some(m.property.span),
        AssignmentTarget::PrivateFieldExpression(m) => Some(m.field.span),
        _ => None,
    }
}

impl Collector {
    fn name_next(&mut self, value: &Expression, name: Option<Span>) {
        if let Some(name) = name {
            self.pending = Some((value.without_parentheses().span().start, name, None));
        }
    }

    /// The pending name (and anchor), if it was meant for the node starting at `start`.
    fn take_name(&mut self, start: u32) -> (Option<Span>, Option<u32>) {
        match self.pending {
            Some((at, name, anchor)) if at == start => {
                self.pending = None;
                (Some(name), anchor)
            }
            _ => (None, None),
        }
    }

    fn push(&mut self, span: Span, name: Option<Span>, anchor: Option<u32>) {
        self.scopes.push(Scope {
            start: span.start,
            end: span.end,
            name: name.map(|n| (n.start, n.end)),
            anchor,
            parent: NONE,
        });
    }
}

impl<'a> Visit<'a> for Collector {
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            if defines_function(init) {
                self.name_next(init, Some(id.span));
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if defines_function(&it.right) {
            self.name_next(&it.right, target_span(&it.left));
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if defines_function(&it.value) {
            self.name_next(&it.value, key_span(&it.key));
        }
        walk::walk_object_property(self, it);
    }

    fn visit_property_definition(&mut self, it: &PropertyDefinition<'a>) {
        if let Some(value) = &it.value {
            if defines_function(value) {
                self.name_next(value, key_span(&it.key));
            }
        }
        walk::walk_property_definition(self, it);
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        let name = match it.kind {
            MethodDefinitionKind::Constructor => self.classes.last().copied().flatten(),
            _ => key_span(&it.key),
        };
        if let Some(name) = name {
            self.pending = Some((it.value.span.start, name, Some(it.key.span().start)));
        }
        walk::walk_method_definition(self, it);
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        let name = it
            .id
            .as_ref()
            .map(|id| id.span)
            .or_else(|| self.take_name(it.span.start).0);
        self.classes.push(name);
        walk::walk_class(self, it);
        self.classes.pop();
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let (pending, anchor) = self.take_name(it.span.start);
        let name = it.id.as_ref().map(|id| id.span).or(pending);
        self.push(it.span, name, anchor);
        walk::walk_function(self, it, flags);
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let (name, anchor) = self.take_name(it.span.start);
        self.push(it.span, name, anchor);
        walk::walk_arrow_function_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_bound_saturates_at_zero() {
        let saturating = |text: &str| {
            let (mut depth, mut max) = (0usize, 0usize);
            for b in text.bytes() {
                match b {
                    b'(' | b'[' | b'{' => {
                        depth += 1;
                        max = max.max(depth);
                    }
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            max
        };
        for text in [
            "",
            "()",
            "(()",
            "))((",
            "}}}{{{[",
            "a(b[c{d}e]f)g",
            "((]]]]((((((",
            "{)}([",
        ] {
            assert_eq!(nesting_bound(text.as_bytes()), saturating(text), "{text:?}");
        }
    }

    /// (function text start, name) for each scope.
    fn names(text: &str) -> Vec<Option<&str>> {
        scopes(text, SourceType::unambiguous())
            .unwrap()
            .iter()
            .map(|s| s.name.map(|(a, b)| &text[a as usize..b as usize]))
            .collect()
    }

    #[test]
    fn names_come_from_declarations_and_context() {
        let text = "function a(){} var b = function(){}; c.d.e = () => 1; \
                    var o = { f() {}, 'g': function(){}, h: async () => {} }; \
                    class K { constructor(){} m(){} #p = () => 0; static s(){} } \
                    var L = class { constructor(){} }; [1].map(function(){});";
        assert_eq!(
            names(text),
            [
                Some("a"),
                Some("b"),
                Some("e"),
                Some("f"),
                Some("'g'"),
                Some("h"),
                Some("K"),
                Some("m"),
                Some("#p"),
                Some("s"),
                Some("L"),
                None
            ]
        );
    }

    #[test]
    fn innermost_scope_and_parents() {
        let text = "function outer(){ function inner(){ x(); } y(); }";
        let found = scopes(text, SourceType::unambiguous()).unwrap();
        let name_at = |needle: &str| {
            let offset = text.find(needle).unwrap() as u32;
            innermost(&found, offset)
                .and_then(|s| s.name)
                .map(|(a, b)| &text[a as usize..b as usize])
        };
        assert_eq!(name_at("x()"), Some("inner"));
        assert_eq!(name_at("y()"), Some("outer"));
        assert_eq!(innermost(&found, 0).map(|s| s.start), Some(0));
        assert_eq!(found[1].parent, 0);
    }

    #[test]
    fn bad_sources_are_errors_not_crashes() {
        let deep = scopes(&"(".repeat(100_000), SourceType::unambiguous()).unwrap_err();
        assert_eq!(deep.kind, ErrorKind::BadSource);
        assert!(
            deep.message.contains("nested more than 20000"),
            "{}",
            deep.message
        );
        // An unrecoverable syntax error is a BadSource naming the parser's complaint.
        let broken = scopes("function f( {", SourceType::unambiguous()).unwrap_err();
        assert_eq!(broken.kind, ErrorKind::BadSource);
        assert!(
            broken.message.starts_with("cannot parse the source: "),
            "{}",
            broken.message
        );
        // Errors the parser recovers from (`with` in strict code) keep the functions found.
        let source = "'use strict'; function g() {} with (a) {}";
        assert_eq!(
            scopes(source, SourceType::unambiguous()).map(|s| s.len()),
            Ok(1)
        );
        assert!(source_type_for(Some("a/b.ts?x=1")).is_typescript());
    }
}
