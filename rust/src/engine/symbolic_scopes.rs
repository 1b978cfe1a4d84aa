//! The function names symbolic's `SourceMapCache` gives (what `libsourcemap.compat.symbolic`
//! must answer): the scopes of the *minified* source, named the way Sentry's
//! js-source-scopes names them, each identifier of a name mapped to its original through
//! the map's `names`, and then an index from minified positions to names.
//!
//! This is a second naming scheme beside `function_scopes` (ours, which names a function
//! from the original source, as V8 prints it): a drop-in must give the other library's
//! answers, quirks included. The rules, as js-source-scopes 0.7.2 (symbolic 13.9's) has them (behaviour learnt
//! from its source; the code here is ours, over oxc):
//!
//! - Functions, arrow functions and classes are scopes; so are getters and setters of
//!   object literals (the whole property). Constructors are not (their class is). A
//!   method's scope (of a class or an object literal) starts where the member does, its
//!   modifiers and key included, as swc spans its function.
//! - A scope's name is built from where it is defined, walking out to the nearest
//!   enclosing function: variable declarators and assignments (`a.b.c = ...`, `this.x`,
//!   computed members as `[...]`) end the walk; object keys and methods, class methods
//!   (`get `/`set ` prefixed), private methods (`#`) and class names are prepended
//!   with `.`; inside an object literal reached before a name ends the walk, the name is
//!   prefixed `<object>.`. A function's or class's own name replaces the last component;
//!   classes are prefixed `new `.
//! - Each identifier of a name is replaced by the `names` entry of the token at (or one
//!   column before) it, or of the token before that one when both map to the same place.
//!   Where that changes nothing, the name of the token at the scope's closing character
//!   is taken instead, if a token starts exactly there and ends there.
//! - A source that does not parse as a module has no scopes (every name is unknown).

use oxc_ast::ast::{
    ArrowFunctionExpression, AssignmentExpression, AssignmentTarget, BindingPattern, Class,
    ClassType, Expression, Function, MethodDefinition, MethodDefinitionKind, ObjectExpression,
    ObjectProperty, PropertyKey, PropertyKind, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::{ParseOptions, Parser};
use oxc_span::SourceType;
use oxc_syntax::scope::ScopeFlags;

use std::cell::Cell;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::arena;
use super::parser_threads::start_parser;
use crate::error::{Error, ErrorKind, Result};
use crate::mappings::{RawToken, NONE};
use crate::view::View;

/// What a position's scope is called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeName {
    Named(String),
    Anonymous,
    /// Outside every scope, or the source did not parse.
    Unknown,
}

/// The scope index: from each minified position (0-based line, UTF-16 column) on, until
/// the next entry, the scope named so. Sorted by position.
pub type ScopeIndex = Vec<((u32, u32), ScopeName)>;

/// A scope collection under way: the minified source parsed on a parser thread while
/// the caller goes on (symbolic's cache parses its map meanwhile: the two largest costs
/// of building one then overlap), the scopes sent back in batches as the walk over the
/// tree finds them and named through a map as they come (`index`), so that naming, too,
/// overlaps the walk. Dropped unfinished, its parse goes on to the end on its own and
/// frees itself (symbolic's cache starts one before it knows whether the map names its
/// functions itself, and must not wait for it then).
pub struct PendingScopes {
    text: Arc<str>,
    state: Mutex<Collection>,
}

enum Collection {
    Running {
        batches: Receiver<Vec<Scope>>,
        thread: JoinHandle<()>,
    },
    Done(Vec<Scope>),
}

/// A scope of the minified source: byte range and the name its context gives it.
type Scope = (u32, u32, Option<Name>);

/// Scopes per batch sent from the walk.
const BATCH: usize = 512;

impl PendingScopes {
    /// Starts collecting the scopes of `minified` on a parser thread.
    pub fn start(minified: String) -> Result<PendingScopes> {
        let text: Arc<str> = minified.into();
        let source = Arc::clone(&text);
        let (sink, batches) = std::sync::mpsc::channel();
        // The sink takes every scope: nothing is left to return.
        let thread = start_parser(move || drop(collect_into(&source, Some(sink))))?;
        Ok(PendingScopes {
            text,
            state: Mutex::new(Collection::Running { batches, thread }),
        })
    }

    /// The scope index, names resolved through `view`: on the first call, named as the
    /// parse's batches arrive (it waits for the parse; a panic on the parser thread is
    /// raised here); later calls name the scopes kept from it.
    pub fn index(&self, view: &View) -> Result<ScopeIndex> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let namer = Namer::new(view, &self.text);
        let named = match std::mem::replace(&mut *state, Collection::Done(Vec::new())) {
            Collection::Done(scopes) => {
                let named = namer.name_all(&scopes);
                *state = Collection::Done(scopes);
                named?
            }
            Collection::Running { batches, thread } => {
                let (mut scopes, mut named) = (Vec::new(), Ok(Vec::new()));
                for batch in batches {
                    if let Ok(done) = &mut named {
                        match namer.name_all(&batch) {
                            Ok(more) => done.extend(more),
                            Err(error) => named = Err(error),
                        }
                    }
                    scopes.extend(batch);
                }
                if let Err(panic) = thread.join() {
                    std::panic::resume_unwind(panic);
                }
                *state = Collection::Done(scopes);
                named?
            }
        };
        let index = nest(named)?;
        Ok(index
            .into_iter()
            .filter_map(|(offset, name)| namer.positions.at(offset).map(|p| (p, name)))
            .collect())
    }
}

// -- names --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Component {
    /// Text put in by the rules (`.`, `new `, `<object>.`...).
    Text(String),
    /// An identifier of the minified source: its text and byte offset.
    Ident(String, u32),
}

#[derive(Debug, Clone, Default)]
struct Name(std::collections::VecDeque<Component>);

impl Name {
    fn text(&self) -> String {
        self.0
            .iter()
            .map(|c| match c {
                Component::Text(t) | Component::Ident(t, _) => t.as_str(),
            })
            .collect()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn front(&mut self, component: Component) {
        self.0.push_front(component);
    }

    fn front_text(&mut self, text: &str) {
        self.0.push_front(Component::Text(text.into()));
    }

    /// A `.` in front, unless the name is empty.
    fn separate(&mut self) {
        if !self.is_empty() {
            self.front_text(".");
        }
    }

    fn prefix_accessor(&mut self, kind: MethodDefinitionKind) {
        match kind {
            MethodDefinitionKind::Get => self.front_text("get "),
            MethodDefinitionKind::Set => self.front_text("set "),
            _ => {}
        }
    }
}

fn ident(name: &str, start: u32) -> Component {
    Component::Ident(name.to_string(), start)
}

/// A key as a name component: identifiers resolve; literals are shown in `<...>`.
fn key_component(key: &PropertyKey, computed: bool) -> Component {
    if computed {
        return Component::Text("<computed>".into());
    }
    match key {
        PropertyKey::StaticIdentifier(id) => ident(&id.name, id.span.start),
        PropertyKey::StringLiteral(s) => Component::Text(format!("<{:?}>", s.value.as_str())),
        PropertyKey::NumericLiteral(n) => Component::Text(format!("<{}>", n.value)),
        PropertyKey::BigIntLiteral(b) => Component::Text(format!("<{}n>", b.value.as_str())),
        _ => Component::Text("<computed>".into()),
    }
}

/// A computed member's property: `[literal]`, `[ident]`, else `[<computed>]`.
fn front_computed(expr: &Expression, name: &mut Name) {
    let literal = match expr {
        Expression::StringLiteral(s) => Some(format!("{:?}", s.value.as_str())),
        Expression::NumericLiteral(n) => Some(n.value.to_string()),
        Expression::BigIntLiteral(b) => Some(format!("{}n", b.value.as_str())),
        Expression::BooleanLiteral(b) => Some(b.value.to_string()),
        Expression::NullLiteral(_) => Some("null".into()),
        Expression::RegExpLiteral(r) => {
            Some(format!("/{}/{}", r.regex.pattern.text, r.regex.flags))
        }
        _ => None,
    };
    match (literal, expr) {
        (Some(text), _) => name.front(Component::Text(format!("[{text}]"))),
        (None, Expression::Identifier(id)) => {
            name.front_text("]");
            name.front(ident(&id.name, id.span.start));
            name.front_text("[");
        }
        (None, _) => name.front_text("[<computed>]"),
    }
}

/// The name of an assignment target's object: identifiers, `this` and member chains.
fn expression_name(mut expr: &Expression) -> Option<Name> {
    let mut name = Name::default();
    loop {
        match expr {
            Expression::Identifier(id) => {
                name.front(ident(&id.name, id.span.start));
                return Some(name);
            }
            Expression::StaticMemberExpression(m) => {
                name.front(ident(&m.property.name, m.property.span.start));
                name.front_text(".");
                expr = &m.object;
            }
            Expression::ComputedMemberExpression(m) => {
                front_computed(&m.expression, &mut name);
                expr = &m.object;
            }
            Expression::PrivateFieldExpression(m) => expr = &m.object,
            Expression::ThisExpression(_) => {
                name.front_text("this");
                return Some(name);
            }
            _ => return None,
        }
    }
}

// -- the walk -----------------------------------------------------------------------------

/// The enclosing nodes that naming looks at, innermost last.
#[derive(Clone, Copy)]
enum Parent<'a> {
    /// A function or arrow function: naming stops here.
    Boundary,
    /// The function of an object literal's getter or setter (no scope boundary: the
    /// property is the scope).
    Accessor,
    Class(&'a Class<'a>),
    Property(&'a ObjectProperty<'a>),
    Method(&'a MethodDefinition<'a>),
    Declarator(&'a VariableDeclarator<'a>),
    Assignment(&'a AssignmentExpression<'a>),
    Object,
}

#[derive(Default)]
struct Collector<'a> {
    parents: Vec<Parent<'a>>,
    scopes: Vec<Scope>,
    /// Where full batches of `scopes` go as they are found (none: all kept).
    sink: Option<Sender<Vec<Scope>>>,
}

impl<'a> Collector<'a> {
    /// The name the context gives a scope whose parents are `parents`.
    fn infer(parents: &[Parent<'a>]) -> Name {
        Self::infer_from(parents, None, MethodDefinitionKind::Method)
    }

    /// `infer`, for a class its own innermost parent (`class`) where one is being named.
    fn infer_from(
        parents: &[Parent<'a>],
        class: Option<&Class<'_>>,
        mut kind: MethodDefinitionKind,
    ) -> Name {
        let mut name = Name::default();
        let mut in_object = false;
        if let Some(class) = class {
            if Self::named_by_class(class, &mut name, kind) {
                return name;
            }
        }
        for parent in parents.iter().rev() {
            match *parent {
                Parent::Boundary => {
                    if in_object && !name.is_empty() {
                        name.front_text("<object>.");
                    }
                    name.prefix_accessor(kind);
                    return name;
                }
                Parent::Accessor => {}
                Parent::Class(class) => {
                    if Self::named_by_class(class, &mut name, kind) {
                        return name;
                    }
                }
                Parent::Property(p) if p.kind == PropertyKind::Init => {
                    if p.method {
                        name.separate();
                        name.front(key_component(&p.key, p.computed));
                    } else if let (PropertyKey::StaticIdentifier(id), false) = (&p.key, p.computed)
                    {
                        name.separate();
                        name.front(ident(&id.name, id.span.start));
                    }
                }
                Parent::Property(_) => {}
                Parent::Method(m) => match &m.key {
                    PropertyKey::PrivateIdentifier(id) => {
                        name.front(ident(&id.name, id.span.start));
                        name.front_text("#");
                    }
                    key => {
                        name.front(key_component(key, m.computed));
                        kind = m.kind;
                    }
                },
                Parent::Declarator(d) => {
                    if let BindingPattern::BindingIdentifier(id) = &d.id {
                        name.separate();
                        name.front(ident(&id.name, id.span.start));
                        name.prefix_accessor(kind);
                        return name;
                    }
                }
                Parent::Assignment(a) => {
                    if let Some(done) = Self::assigned(a, &mut name) {
                        let mut done = done;
                        done.prefix_accessor(kind);
                        return done;
                    }
                }
                Parent::Object => in_object = true,
            }
        }
        if in_object && !name.is_empty() {
            name.front_text("<object>.");
        }
        name.prefix_accessor(kind);
        name
    }

    /// A class's name in front; true if that ends the name (a class declaration).
    fn named_by_class(class: &Class<'_>, name: &mut Name, kind: MethodDefinitionKind) -> bool {
        let Some(id) = &class.id else { return false };
        name.separate();
        name.front(ident(&id.name, id.span.start));
        if class.r#type == ClassType::ClassDeclaration {
            name.prefix_accessor(kind);
            return true;
        }
        false
    }

    /// The name an assignment gives (`inner` is the name so far), if its target names.
    fn assigned(a: &AssignmentExpression<'a>, inner: &mut Name) -> Option<Name> {
        match &a.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => {
                inner.separate();
                inner.front(ident(&id.name, id.span.start));
                Some(std::mem::take(inner))
            }
            AssignmentTarget::StaticMemberExpression(m) => {
                let mut object = expression_name(&m.object)?;
                inner.front(ident(&m.property.name, m.property.span.start));
                inner.separate();
                object.0.append(&mut inner.0);
                Some(object)
            }
            AssignmentTarget::ComputedMemberExpression(m) => {
                let mut object = expression_name(&m.object)?;
                front_computed(&m.expression, inner);
                object.0.append(&mut inner.0);
                Some(object)
            }
            AssignmentTarget::PrivateFieldExpression(m) => {
                let mut object = expression_name(&m.object)?;
                object.0.append(&mut inner.0);
                Some(object)
            }
            _ => None,
        }
    }

    /// The context's name with a scope's own name, if it has one, in place of the last
    /// component.
    fn own_or_inferred(&self, own: Option<(&str, u32)>) -> Name {
        let mut name = Self::infer(&self.parents);
        if let Some((text, start)) = own {
            name.0.pop_back();
            name.0.push_back(ident(text, start));
        }
        name
    }

    fn push(&mut self, start: u32, end: u32, name: Name) {
        let name = Some(name).filter(|n| !n.is_empty());
        self.scopes.push((start, end, name));
        if self.scopes.len() >= BATCH {
            self.send();
        }
    }

    /// Walks a node's children with `parent` as their innermost enclosing node.
    fn within(&mut self, parent: Parent<'a>, walk: impl FnOnce(&mut Self)) {
        self.parents.push(parent);
        walk(self);
        self.parents.pop();
    }

    /// Sends the scopes found so far to the sink, if there is one (a receiver gone away
    /// takes no more: the walk finishes without it).
    fn send(&mut self) {
        if let Some(sink) = &self.sink {
            if sink.send(std::mem::take(&mut self.scopes)).is_err() {
                self.sink = None;
            }
        }
    }
}

/// The parents naming looks at are pushed by the visits of their own node types, not by
/// `enter_node`, which runs for every node of the tree (millions in a bundle; the walk
/// over the benchmark bundle's tree: 18 -> 16 ms). Parents are kept as `alloc`'s
/// tree-lived references (all nodes live in the parse's arena, which outlives the walk),
/// as the `AstKind` given to `enter_node` holds them.
impl<'a> Visit<'a> for Collector<'a> {
    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let parent = match self.parents.last().copied() {
            // A constructor is not a scope of its own.
            Some(Parent::Method(m)) if m.kind == MethodDefinitionKind::Constructor => {
                Parent::Boundary
            }
            // An object literal's getter or setter: the property is the scope.
            Some(Parent::Property(p)) if p.kind != PropertyKind::Init => {
                let outer = &self.parents[..self.parents.len() - 1];
                let mut name = Self::infer(outer);
                if !name.is_empty() {
                    name.0.push_back(Component::Text(".".into()));
                }
                name.0.push_back(key_component(&p.key, p.computed));
                name.front_text(if p.kind == PropertyKind::Get {
                    "get "
                } else {
                    "set "
                });
                self.push(p.span.start, p.span.end, name);
                Parent::Accessor
            }
            _ => {
                let own = it.id.as_ref().map(|id| (id.name.as_str(), id.span.start));
                let name = self.own_or_inferred(own);
                // swc's function of a method starts where the member does (its `static`,
                // `async`, `*`, `get`/`set` and key included), oxc's at its parameters.
                let start = match self.parents.last() {
                    Some(Parent::Method(m)) => m.span.start,
                    Some(Parent::Property(p)) if p.method => p.span.start,
                    _ => it.span.start,
                };
                self.push(start, it.span.end, name);
                Parent::Boundary
            }
        };
        self.within(parent, |v| walk::walk_function(v, it, flags));
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let name = Self::infer(&self.parents);
        self.push(it.span.start, it.span.end, name);
        self.within(Parent::Boundary, |v| {
            walk::walk_arrow_function_expression(v, it)
        });
    }

    fn visit_class(&mut self, it: &Class<'a>) {
        // js-source-scopes sees a class under its declaration or expression node, which
        // names it first (so `var A = class B {}` is `A.B`): the class is its own parent.
        let mut name = Self::infer_from(&self.parents, Some(it), MethodDefinitionKind::Method);
        if let Some(id) = &it.id {
            name.0.pop_back();
            name.0.push_back(ident(&id.name, id.span.start));
        }
        if !name.is_empty() {
            name.front_text("new ");
        }
        self.push(it.span.start, it.span.end, name);
        self.within(Parent::Class(self.alloc(it)), |v| walk::walk_class(v, it));
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        self.within(Parent::Property(self.alloc(it)), |v| {
            walk::walk_object_property(v, it)
        });
    }

    fn visit_method_definition(&mut self, it: &MethodDefinition<'a>) {
        self.within(Parent::Method(self.alloc(it)), |v| {
            walk::walk_method_definition(v, it)
        });
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        self.within(Parent::Declarator(self.alloc(it)), |v| {
            walk::walk_variable_declarator(v, it)
        });
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        self.within(Parent::Assignment(self.alloc(it)), |v| {
            walk::walk_assignment_expression(v, it)
        });
    }

    fn visit_object_expression(&mut self, it: &ObjectExpression<'a>) {
        self.within(Parent::Object, |v| walk::walk_object_expression(v, it));
    }
}

/// The scopes of `text` parsed as a module, in source order (outer before inner); none
/// if it does not parse.
#[cfg(test)]
fn collect(text: &str) -> Vec<Scope> {
    collect_into(text, None)
}

/// The scopes of `text` (see `collect`), sent to `sink` in batches as they are found if
/// there is one (the rest returned).
fn collect_into(text: &str, sink: Option<Sender<Vec<Scope>>>) -> Vec<Scope> {
    let allocator = arena::for_text(text.len());
    // No identifier hashes: they serve semantic analysis, which never runs here.
    // Parentheses are kept: js-source-scopes does not name through them.
    let options = ParseOptions {
        enable_ident_hashes: false,
        ..ParseOptions::default()
    };
    let parsed = Parser::new(&allocator, text, SourceType::mjs())
        .with_options(options)
        .parse();
    if parsed.panicked || parsed.diagnostics.errors().next().is_some() {
        return Vec::new();
    }
    let mut collector = Collector {
        sink,
        ..Collector::default()
    };
    collector.visit_program(&parsed.program);
    collector.send();
    collector.scopes
}

// -- resolving names through the map ------------------------------------------------------

/// Byte offsets to (line, UTF-16 column) of a text.
struct Positions<'t> {
    text: &'t str,
    line_starts: Vec<u32>,
    /// Per line: `None` if it is ASCII (the column is the byte count), else the UTF-16
    /// column of each of its bytes, made on first use (minified lines run to megabytes:
    /// counting from the line's start for every offset would be quadratic).
    columns: std::cell::RefCell<Vec<Option<std::rc::Rc<[u32]>>>>,
    ascii: Vec<bool>,
}

impl<'t> Positions<'t> {
    fn new(text: &'t str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        let ascii = (0..line_starts.len())
            .map(|line| Self::line_bytes(text, &line_starts, line).is_ascii())
            .collect();
        let columns = std::cell::RefCell::new(vec![None; line_starts.len()]);
        Positions {
            text,
            line_starts,
            columns,
            ascii,
        }
    }

    fn line_bytes<'a>(text: &'a str, starts: &[u32], line: usize) -> &'a [u8] {
        let end = starts.get(line + 1).map_or(text.len(), |&s| s as usize);
        &text.as_bytes()[starts[line] as usize..end]
    }

    /// The position of byte `offset`; `None` at or past the end.
    fn at(&self, offset: u32) -> Option<(u32, u32)> {
        if offset as usize >= self.text.len() {
            return None;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let within = (offset - self.line_starts[line]) as usize;
        if self.ascii[line] {
            return Some((line as u32, within as u32));
        }
        let mut columns = self.columns.borrow_mut();
        let table = columns[line].get_or_insert_with(|| {
            let bytes = Self::line_bytes(self.text, &self.line_starts, line);
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            let mut table = vec![0u32; bytes.len() + 1];
            let mut col = 0u32;
            for (at, c) in text.char_indices() {
                table[at..at + c.len_utf8()].fill(col);
                col += c.len_utf16() as u32;
            }
            table[bytes.len()] = col;
            table.into()
        });
        Some((line as u32, *table.get(within)?))
    }
}

/// The original location of a token, with no location for an unmapped one.
fn origin(t: &RawToken) -> (u32, u32, u32) {
    match t.has_source() {
        true => (t.src_id, t.src_line, t.src_col),
        false => (NONE, NONE, NONE),
    }
}

fn token_name(view: &View, t: &RawToken) -> Result<Option<String>> {
    if t.name_id == NONE {
        return Ok(None);
    }
    Ok(view
        .name(t.name_id)?
        .map(|n| String::from_utf8_lossy(n).into_owned()))
}

/// Names scopes through a map. Scopes come in source order, so the lookups near their
/// starts move forward through the map, as do those at their ends, mostly: each kind
/// searches on from its last answer (`View::greatest_lower_bound_from`) instead of
/// binary-searching all the token table's checkpoints every time.
struct Namer<'v, 't> {
    view: &'v View,
    positions: Positions<'t>,
    near_starts: Cell<usize>,
    near_ends: Cell<usize>,
}

impl<'v, 't> Namer<'v, 't> {
    fn new(view: &'v View, minified: &'t str) -> Self {
        Namer {
            view,
            positions: Positions::new(minified),
            near_starts: Cell::new(0),
            near_ends: Cell::new(0),
        }
    }

    /// `scopes` with their names resolved: (start, end, name).
    fn name_all(&self, scopes: &[Scope]) -> Result<Vec<(u32, u32, Option<String>)>> {
        let mut named = Vec::with_capacity(scopes.len());
        for (start, end, name) in scopes {
            let raw = name.as_ref().map(|n| n.text());
            let resolved = match name {
                Some(n) => Some(self.resolve(n)?).filter(|s| !s.is_empty()),
                None => None,
            };
            let closing = match raw == resolved {
                true => self.closing_name(*end)?,
                false => None,
            };
            named.push((*start, *end, closing.or(resolved)));
        }
        Ok(named)
    }

    /// The map's token at (line, col), as rust-sourcemap's lookup finds it.
    fn token_at(&self, hint: &Cell<usize>, (line, col): (u32, u32)) -> Result<Option<RawToken>> {
        Ok(self
            .view
            .greatest_lower_bound_from(hint, line, col)?
            .map(|(_, t)| t))
    }

    /// A name with each identifier replaced by its original where the map says.
    fn resolve(&self, name: &Name) -> Result<String> {
        let mut out = String::new();
        for component in &name.0 {
            match component {
                Component::Text(text) => out.push_str(text),
                Component::Ident(text, start) => match self.original_identifier(*start)? {
                    Some(original) => out.push_str(&original),
                    None => out.push_str(text),
                },
            }
        }
        Ok(out)
    }

    fn original_identifier(&self, start: u32) -> Result<Option<String>> {
        let Some((line, col)) = self.positions.at(start) else {
            return Ok(None);
        };
        let hint = &self.near_starts;
        let Some(token) = self.token_at(hint, (line, col))? else {
            return Ok(None);
        };
        if token.dst_line != line || token.dst_col < col.saturating_sub(1) {
            return Ok(None);
        }
        if let Some(name) = token_name(self.view, &token)? {
            return Ok(Some(name));
        }
        if token.dst_col > 0 {
            if let Some(previous) = self.token_at(hint, (token.dst_line, token.dst_col - 1))? {
                if origin(&previous) == origin(&token) {
                    return token_name(self.view, &previous);
                }
            }
        }
        Ok(None)
    }

    /// The name of the token at a scope's closing character (`end - 1`), if one starts
    /// exactly there and does not also cover the position after it.
    fn closing_name(&self, end: u32) -> Result<Option<String>> {
        let Some(last) = end.checked_sub(1).and_then(|o| self.positions.at(o)) else {
            return Ok(None);
        };
        let hint = &self.near_ends;
        let Some(token) = self.token_at(hint, last)? else {
            return Ok(None);
        };
        if token.dst() != last {
            return Ok(None);
        }
        if let Some(past) = self.positions.at(end) {
            if self.token_at(hint, past)? == Some(token) {
                return Ok(None);
            }
        }
        token_name(self.view, &token)
    }
}

// -- the index ----------------------------------------------------------------------------

/// From nested scopes (start, end, name) to where each scope's name takes over: each
/// start, and each end back to the enclosing scope (or nothing). Overlapping scopes
/// that do not nest are an error, as in js-source-scopes.
fn nest(mut scopes: Vec<(u32, u32, Option<String>)>) -> Result<Vec<(u32, ScopeName)>> {
    scopes.sort_by_key(|s| s.0);
    let mut ranges: Vec<(u32, ScopeName)> = Vec::new();
    if scopes.first().is_some_and(|s| s.0 != 0) {
        ranges.push((0, ScopeName::Unknown));
    }
    let named = |name: &Option<String>| match name {
        Some(n) => ScopeName::Named(n.clone()),
        None => ScopeName::Anonymous,
    };
    let mut stack: Vec<(u32, u32, ScopeName)> = Vec::new();
    for (start, end, name) in &scopes {
        while let Some(last) = stack.pop() {
            if last.1 <= *start {
                let outer = stack.last().map_or(ScopeName::Unknown, |p| p.2.clone());
                ranges.push((last.1, outer));
            } else if last.1 < *end {
                return Err(Error::new(
                    ErrorKind::BadSource,
                    "the minified source's scopes overlap",
                ));
            } else {
                stack.push(last);
                break;
            }
        }
        let name = named(name);
        ranges.push((*start, name.clone()));
        if stack.last().is_some_and(|last| last.1 == *end) {
            stack.pop();
        }
        stack.push((*start, *end, name));
    }
    while let Some(last) = stack.pop() {
        let outer = stack.last().map_or(ScopeName::Unknown, |p| p.2.clone());
        ranges.push((last.1, outer));
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(u32, u32, Option<String>)> {
        collect(text)
            .into_iter()
            .map(|(s, e, n)| (s, e, n.map(|n| n.text())))
            .collect()
    }

    #[test]
    fn names_follow_js_source_scopes() {
        let got = names(
            "var a = function () {}; x.y.z = () => {}; class C { m() {} get g() {} \
             #p() {} constructor() {} } o = { k: function () {}, get q() {} }; \
             function f() { return { s() {} } } var A = class B {};",
        );
        let texts: Vec<_> = got.into_iter().map(|(_, _, n)| n).collect();
        assert_eq!(
            texts,
            [
                Some("a".into()),
                Some("x.y.z".into()),
                Some("new C".into()),
                Some("C.m".into()),
                Some("get C.g".into()),
                Some("C.#p".into()),
                Some("o.k".into()),
                Some("get o.q".into()),
                Some("f".into()),
                Some("<object>.s".into()),
                Some("new A.B".into()),
            ]
        );
    }

    #[test]
    fn methods_start_with_their_member() {
        let text = "class C{static async m(){} get [k](){}} o={*g(){}, h:function(){}}";
        let starts: Vec<_> = names(text)
            .into_iter()
            .map(|(start, end, name)| (&text[start as usize..end as usize], name))
            .collect();
        assert_eq!(
            starts,
            [
                (
                    "class C{static async m(){} get [k](){}}",
                    Some("new C".into())
                ),
                ("static async m(){}", Some("C.m".into())),
                ("get [k](){}", Some("get C.<computed>".into())),
                ("*g(){}", Some("o.g".into())),
                ("function(){}", Some("o.h".into())),
            ]
        );
    }

    #[test]
    fn a_source_that_does_not_parse_has_no_scopes() {
        assert!(names("function (").is_empty());
    }
}
