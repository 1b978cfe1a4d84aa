"""The scopes of a source map (ECMA-426's scopes proposal, the ``scopes`` field): the
scope tree of each original source, and the ranges of the generated code with the
original scope each one is, how to get each original variable's value there, and where
an inlined function was called.

The names are the proposal's (its draft spec, tc39/ecma426 ``proposal-scopes``, and
Chrome DevTools' codec): :class:`OriginalScope`, :class:`GeneratedRange`,
:class:`Binding`, :class:`SubRangeBinding`, gathered in a :class:`ScopeInfo`. Lines
and columns are 0-based; a start is inclusive, an end exclusive.

Every type is a named tuple: immutable, compared by value, cheap to build. Trees are
built without recursion (a deep tree is fine); comparing or printing one thousands of
levels deep is Python's recursion, as for any nested tuple.

The native core decodes the field; :meth:`ScopeInfo.from_words` reads its answer (the
``u32`` words of ``rust/src/scopes/words.rs``) and resolves the names.
"""

from __future__ import annotations

import struct
from collections import namedtuple

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any, NamedTuple

    class _PositionBase(NamedTuple):
        line: int
        column: int

    class _OriginalPositionBase(NamedTuple):
        source_index: int
        line: int
        column: int

    class _OriginalScopeBase(NamedTuple):
        start: Position
        end: Position
        name: str | None
        kind: str | None
        is_stack_frame: bool
        variables: tuple[str, ...]
        children: tuple[OriginalScope, ...]

    class _BindingBase(NamedTuple):
        from_: Position
        binding: str | None

    class _SubRangeBindingBase(NamedTuple):
        variable_index: int
        bindings: tuple[Binding, ...]

    class _GeneratedRangeBase(NamedTuple):
        start: Position
        end: Position
        definition: int | None
        is_stack_frame: bool
        is_hidden: bool
        values: tuple[str | None, ...]
        sub_range_bindings: tuple[SubRangeBinding, ...]
        call_site: OriginalPosition | None
        children: tuple[GeneratedRange, ...]

    class _ScopeInfoBase(NamedTuple):
        scopes: tuple[OriginalScope | None, ...]
        ranges: tuple[GeneratedRange, ...]

else:
    _PositionBase = namedtuple("Position", "line column", module=__name__)
    _OriginalPositionBase = namedtuple(
        "OriginalPosition", "source_index line column", module=__name__
    )
    _OriginalScopeBase = namedtuple(
        "OriginalScope",
        "start end name kind is_stack_frame variables children",
        module=__name__,
    )
    _BindingBase = namedtuple("Binding", "from_ binding", module=__name__)
    _SubRangeBindingBase = namedtuple("SubRangeBinding", "variable_index bindings", module=__name__)
    _GeneratedRangeBase = namedtuple(
        "GeneratedRange",
        "start end definition is_stack_frame is_hidden values sub_range_bindings call_site "
        "children",
        module=__name__,
    )
    _ScopeInfoBase = namedtuple("ScopeInfo", "scopes ranges", module=__name__)


class Position(_PositionBase):
    """A 0-based line and column (the spec's Position Record)."""

    __slots__ = ()


class OriginalPosition(_OriginalPositionBase):
    """A position in an original source: ``source_index`` indexes the map's ``sources``
    (the spec's Original Position Record)."""

    __slots__ = ()


class OriginalScope(_OriginalScopeBase):
    """A scope of an original source (the spec's Original Scope Record).

    ``start`` is inclusive, ``end`` exclusive. ``name`` is the original name of a
    function or class, ``kind`` a label for debuggers (``"Global"``, ``"Function"``,
    ``"Block"``...); either may be ``None``. ``is_stack_frame``: running it makes a
    frame of the call stack (a function, a method). ``variables`` are the original
    names the scope declares ("" where the map's index was out of range, as the spec
    keeps it, so that values still line up); ``children`` its scopes, in order.
    """

    __slots__ = ()

    def walk(self) -> Iterator[OriginalScope]:
        """This scope and every scope inside it, in pre-order."""
        stack: list[OriginalScope] = [self]
        while stack:
            scope = stack.pop()
            yield scope
            stack.extend(reversed(scope.children))


class Binding(_BindingBase):
    """From ``from_`` on (to the next binding of the variable, or the range's end), the
    variable's value is the JavaScript expression ``binding``; ``None``: the variable is
    unavailable there (the spec's Binding Record, whose [[From]] is ``from_``)."""

    __slots__ = ()


class SubRangeBinding(_SubRangeBindingBase):
    """Where the value of variable ``variable_index`` (of the range's definition) takes
    other expressions within its range: the ``bindings``, in order, each from a position
    after the range's start (the encoding's ``H`` item; the spec's Sub-Range Binding
    Record)."""

    __slots__ = ()


class GeneratedRange(_GeneratedRangeBase):
    """A range of the generated code (the spec's Generated Range Record, as encoded).

    ``start`` is inclusive, ``end`` exclusive. ``definition`` is the original scope the
    range is, as an index into :meth:`ScopeInfo.original_scopes` (``None``: none);
    :meth:`ScopeInfo.definition` gives the scope. ``is_stack_frame``: the range is a
    function of the generated code (it can show in ``Error.stack``); ``is_hidden``:
    calls to it are left out of original stack traces (an outlined function).

    ``values`` has one JavaScript expression per variable of the definition, its value
    from the range's start (``None``: unavailable); empty when the map gives none.
    ``sub_range_bindings`` are the expressions that take over later in the range;
    :attr:`bindings` puts both together as the spec does. ``call_site`` is set when the
    range is an inlined function's body: where it was called in the original code.
    ``children`` are its ranges, in order.
    """

    __slots__ = ()

    @property
    def stack_frame_type(self) -> str:
        """The spec's [[StackFrameType]]: ``"none"``, ``"original"`` or ``"hidden"``."""
        if not self.is_stack_frame:
            return "none"
        return "hidden" if self.is_hidden else "original"

    @property
    def bindings(self) -> tuple[tuple[Binding, ...], ...]:
        """The spec's [[Bindings]]: per variable, the binding from the range's start and
        then those of the sub-range bindings for it (those for a variable without a
        value are left out, as the spec leaves them)."""
        lists = [[Binding(self.start, value)] for value in self.values]
        for sub in self.sub_range_bindings:
            if sub.variable_index < len(lists):
                lists[sub.variable_index].extend(sub.bindings)
        return tuple(tuple(bindings) for bindings in lists)

    def walk(self) -> Iterator[GeneratedRange]:
        """This range and every range inside it, in pre-order."""
        stack: list[GeneratedRange] = [self]
        while stack:
            generated = stack.pop()
            yield generated
            stack.extend(reversed(generated.children))


#: No index, in the words.
_NONE = 0xFFFFFFFF
#: The words' layout (rust/src/scopes/words.rs): its version and record sizes.
_FORMAT, _HEADER, _SCOPE, _RANGE = 1, 8, 10, 14


class ScopeInfo(_ScopeInfoBase):
    """The decoded ``scopes`` field (the spec's Scope Info Record).

    ``scopes`` has one entry per source of the map, in order, that the field describes:
    the source's root scope, or ``None`` where the map has no scope information for it.
    ``ranges`` are the top-level generated ranges, in order.
    """

    __slots__ = ()

    def original_scopes(self) -> tuple[OriginalScope, ...]:
        """Every original scope in pre-order, source after source: what a range's
        ``definition`` indexes."""
        return tuple(s for root in self.scopes if root is not None for s in root.walk())

    def definition(self, generated: GeneratedRange) -> OriginalScope | None:
        """The original scope a range is, if any."""
        if generated.definition is None:
            return None
        return self.original_scopes()[generated.definition]

    def ranges_at(self, line: int, column: int) -> list[GeneratedRange]:
        """The ranges containing (``line``, ``column``) of the generated code, outermost
        first (the last is the innermost)."""
        found: list[GeneratedRange] = []
        level = self.ranges
        at = (line, column)
        while True:
            inner = next((r for r in level if r.start <= at < r.end), None)
            if inner is None:
                return found
            found.append(inner)
            level = inner.children

    def encode(self, name_id: Callable[[str], int]) -> str:
        """The ``scopes`` text of these scopes (the proposal's encoding, written by the
        native encoder in the grammar's order), for a map whose ``names`` ``name_id``
        indexes: it gives the index of a name, adding it to the map's names if need be
        (a :class:`~libsourcemap.SourceMapBuilder`'s ``add_name``). Raises
        :class:`~libsourcemap.InvalidArgument` for scopes the format cannot hold (a
        definition that is no scope, a range that does not nest)."""
        from ._native import ffi, lib, rustcall, scratch, take_buffer

        words = self.to_words(name_id)
        size = scratch.size
        with ffi.from_buffer("uint32_t[]", struct.pack(f"={len(words)}I", *words)) as buf:
            out = rustcall(lib.lsm_scopes_encode, buf, len(words), size)
        return take_buffer(out, size[0]).decode("ascii")

    def to_words(self, name_id: Callable[[str], int]) -> list[int]:
        """These scopes as the native layout's words (what :meth:`from_words` reads):
        scopes and ranges in pre-order, names as the indexes ``name_id`` gives (a
        variable's ``""`` too). Trees are walked without recursion."""

        def index(text: str | None) -> int:
            return _NONE if text is None else name_id(text)

        def preorder(roots: Sequence[Any]) -> list[tuple[Any, int]]:
            order: list[tuple[Any, int]] = []
            stack = [(root, _NONE) for root in reversed(roots)]
            while stack:
                node, parent = stack.pop()
                at = len(order)
                order.append((node, parent))
                stack.extend((child, at) for child in reversed(node.children))
            return order

        sources: list[int] = []
        scopes: list[tuple[OriginalScope, int]] = []
        for root in self.scopes:
            if root is None:
                sources.append(_NONE)
                continue
            base = len(scopes)
            sources.append(base)
            scopes += [(n, _NONE if p == _NONE else p + base) for n, p in preorder([root])]
        variables: list[int] = []
        scope_words: list[int] = []
        for scope, parent in scopes:
            scope_words += [*scope.start, *scope.end, parent, index(scope.name)]
            scope_words += [index(scope.kind), int(scope.is_stack_frame)]
            scope_words += [len(variables), len(scope.variables)]
            variables += [name_id(v) for v in scope.variables]
        values: list[int] = []
        subs: list[int] = []
        bindings: list[int] = []
        range_words: list[int] = []
        ranges = preorder(self.ranges)
        for generated, parent in ranges:
            site = generated.call_site
            flags = int(generated.is_stack_frame) | int(generated.is_hidden) << 1
            flags |= (site is not None) << 2
            range_words += [*generated.start, *generated.end, parent]
            range_words += [_NONE if generated.definition is None else generated.definition]
            range_words += [flags, *(site if site is not None else (0, 0, 0))]
            range_words += [len(values), len(generated.values)]
            range_words += [len(subs) // 3, len(generated.sub_range_bindings)]
            values += [index(v) for v in generated.values]
            for sub in generated.sub_range_bindings:
                subs += [sub.variable_index, len(bindings) // 3, len(sub.bindings)]
                for binding in sub.bindings:
                    bindings += [*binding.from_, index(binding.binding)]
        header = [_FORMAT, len(sources), len(scopes), len(ranges), len(variables)]
        header += [len(values), len(subs) // 3, len(bindings) // 3]
        return header + sources + scope_words + range_words + variables + values + subs + bindings

    @classmethod
    def from_bytes(cls, data: bytes, names: Sequence[str | None]) -> ScopeInfo:
        """:meth:`from_words` of the words as little-endian bytes (the native buffer)."""
        if len(data) % 4:
            raise ValueError("scope words: a length that is not a multiple of 4")
        return cls.from_words(struct.unpack(f"<{len(data) // 4}I", data), names)

    @classmethod
    def from_words(cls, words: Sequence[int], names: Sequence[str | None]) -> ScopeInfo:
        """Builds the scopes from the native decoder's words (rust/src/scopes/words.rs:
        absolute records, scopes and ranges in pre-order with their parents), resolving
        name indexes against the map's ``names`` as the spec does (out of range: no
        name; "" for a variable). ``names`` is read only at the indexes the scopes use
        (and for its length), so it may be a lazy sequence over a view's names."""
        if len(words) < _HEADER or words[0] != _FORMAT:
            raise ValueError("scope words: no header, or an unknown format")
        s, n, r, v, b, u, f = words[1:_HEADER]
        at = _HEADER
        sources = words[at : at + s]
        at += s
        scope_words = words[at : at + n * _SCOPE]
        at += n * _SCOPE
        range_words = words[at : at + r * _RANGE]
        at += r * _RANGE
        variables = words[at : at + v]
        at += v
        values = words[at : at + b]
        at += b
        sub_words = words[at : at + u * 3]
        at += u * 3
        binding_words = words[at : at + f * 3]
        if at + f * 3 != len(words):
            raise ValueError("scope words: a length that is not the header's")
        count = len(names)
        # Each name index read once (a view's names cross the FFI); records are built
        # with tuple.__new__ (a named tuple's own __new__ is a Python function).
        resolved: dict[int, str | None] = {}
        new = tuple.__new__

        def name(index: int) -> str | None:
            try:
                return resolved[index]
            except KeyError:
                value = resolved[index] = names[index] if index < count else None
                return value

        def variable(index: int) -> str:
            return name(index) or ""

        def position(line: int, column: int) -> Position:
            return new(Position, (line, column))

        # Each tree is built from its leaves up: a node's children are done before it.
        children: list[list[int]] = [[] for _ in range(n)]
        for i in range(n):
            parent = scope_words[i * _SCOPE + 4]
            if parent != _NONE:
                children[parent].append(i)
        built: list[OriginalScope | None] = [None] * n
        for i in reversed(range(n)):
            w = scope_words[i * _SCOPE : (i + 1) * _SCOPE]
            built[i] = new(
                OriginalScope,
                (
                    position(w[0], w[1]),
                    position(w[2], w[3]),
                    name(w[5]),
                    name(w[6]),
                    bool(w[7] & 1),
                    tuple([variable(x) for x in variables[w[8] : w[8] + w[9]]]),
                    tuple([built[c] for c in children[i]]),
                ),
            )

        def sub_range(k: int) -> SubRangeBinding:
            variable_index, start, length = sub_words[k * 3 : k * 3 + 3]
            return SubRangeBinding(
                variable_index,
                tuple(
                    Binding(Position(x[0], x[1]), name(x[2]))
                    for j in range(start, start + length)
                    for x in (binding_words[j * 3 : j * 3 + 3],)
                ),
            )

        range_children: list[list[int]] = [[] for _ in range(r)]
        for i in range(r):
            parent = range_words[i * _RANGE + 4]
            if parent != _NONE:
                range_children[parent].append(i)
        ranges: list[GeneratedRange | None] = [None] * r
        for i in reversed(range(r)):
            w = range_words[i * _RANGE : (i + 1) * _RANGE]
            flags = w[6]
            ranges[i] = new(
                GeneratedRange,
                (
                    position(w[0], w[1]),
                    position(w[2], w[3]),
                    None if w[5] == _NONE else w[5],
                    bool(flags & 1),
                    bool(flags & 2),
                    tuple([None if x == _NONE else name(x) for x in values[w[10] : w[10] + w[11]]]),
                    tuple([sub_range(k) for k in range(w[12], w[12] + w[13])]),
                    new(OriginalPosition, (w[7], w[8], w[9])) if flags & 4 else None,
                    tuple([ranges[c] for c in range_children[i]]),
                ),
            )
        return cls(
            tuple(None if root == _NONE else built[root] for root in sources),
            tuple(
                ranges[i]  # type: ignore[misc]
                for i in range(r)
                if range_words[i * _RANGE + 4] == _NONE
            ),
        )
