"""``SourceMapBuilder``: a source map made segment by segment, for programs that produce
JavaScript (asset pipelines, transpilers)::

    builder = SourceMapBuilder(file="app.min.js")
    src = builder.add_source("app.js", contents="let answer = 42;\\n")
    name = builder.add_name("answer")
    builder.add_mapping(0, 0, src, 0, 0)
    builder.add_mapping(0, 4, src, 0, 4, name)
    view = builder.build()          # a View: look up, dump a memdb, or
    data = view.to_json()           # write ECMA-426 JSON

Positions are 0-based, columns in UTF-16 code units. Segments may be added in any order
(``build`` sorts them by generated position, keeping the order of those added at one
position). The segments are kept in a flat ``array`` (24 bytes each), not as objects.
"""

from __future__ import annotations

import re
from array import array
from typing import Literal, Union, overload

from .._native import NONE, ffi, lib, rustcall, scratch, take_buffer, valid_u32
from ..errors import InvalidArgument
from ..index import Index
from ..view import View

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..scopes import ScopeInfo

__all__ = ["SourceMapBuilder", "concat", "ConcatPart"]

#: One part of a concatenation: its code, its map (or ``None``) and the name it is a
#: source by when it has no map.
ConcatPart = tuple[bytes, Union[bytes, str, View, None], str]


class SourceMapBuilder:
    """Builds a source map. Bad arguments raise :class:`InvalidArgument` (``TypeError``
    for non-integers) and leave the builder as it was; ``build`` can be called again after
    more additions."""

    def __init__(self, file: str | None = None) -> None:
        if file is not None and not isinstance(file, str):
            raise TypeError(f"file must be str or None, not {type(file).__name__}")
        self.file = file
        self._sources: list[str | None] = []
        self._contents: list[str | None] = []
        self._names: list[str] = []
        self._name_ids: dict[str, int] = {}
        self._segments = array("I")
        self._ignored: set[int] = set()
        self._debug_id: str | None = None
        self._scopes: ScopeInfo | None = None

    def add_source(self, name: str | None, contents: str | None = None) -> int:
        """Adds a source (``None``: unknown name) with its text, if given; its id."""
        _text_or_none(name, "name")
        _text_or_none(contents, "contents")
        self._sources.append(name)
        self._contents.append(contents)
        return len(self._sources) - 1

    def add_name(self, name: str) -> int:
        """The id of ``name`` in ``names``, added on first use."""
        if not isinstance(name, str):
            raise TypeError(f"name must be str, not {type(name).__name__}")
        found = self._name_ids.get(name)
        if found is None:
            found = self._name_ids[name] = len(self._names)
            self._names.append(name)
        return found

    def add_mapping(
        self,
        dst_line: int,
        dst_col: int,
        src_id: int | None = None,
        src_line: int | None = None,
        src_col: int | None = None,
        name_id: int | None = None,
    ) -> None:
        """Maps generated (``dst_line``, ``dst_col``) to (``src_line``, ``src_col``) of
        source ``src_id``, named ``name_id``. Without a source, an unmapped segment: the
        generated code from there on comes from no source."""
        for value, what in ((dst_line, "dst_line"), (dst_col, "dst_col")):
            _position(value, what)
        if src_id is None:
            if src_line is not None or src_col is not None or name_id is not None:
                raise InvalidArgument("an unmapped segment has no original position or name")
            self._segments.extend((dst_line, dst_col, NONE, 0, 0, NONE))
            return
        _id(src_id, len(self._sources), "src_id", "sources")
        if src_line is None or src_col is None:
            raise InvalidArgument("a mapped segment needs src_line and src_col")
        _position(src_line, "src_line")
        _position(src_col, "src_col")
        if name_id is not None:
            _id(name_id, len(self._names), "name_id", "names")
        name = NONE if name_id is None else name_id
        self._segments.extend((dst_line, dst_col, src_id, src_line, src_col, name))

    def set_ignored(self, src_id: int, ignored: bool = True) -> None:
        """Puts source ``src_id`` on the ``ignoreList`` (library or generated code that
        debuggers and error trackers hide), or takes it off."""
        _id(src_id, len(self._sources), "src_id", "sources")
        if ignored:
            self._ignored.add(src_id)
        else:
            self._ignored.discard(src_id)

    def set_debug_id(self, debug_id: object) -> None:
        """Sets ``debugId``: a UUID (``uuid.UUID`` or its text; written lowercase with
        hyphens), or ``None`` to drop it."""
        if debug_id is None:
            self._debug_id = None
            return
        import uuid

        try:
            value = debug_id if isinstance(debug_id, uuid.UUID) else uuid.UUID(str(debug_id))
        except ValueError:
            raise InvalidArgument(f"not a UUID: {debug_id!r}") from None
        self._debug_id = str(value)

    def set_scopes(self, scopes: ScopeInfo | None) -> None:
        """Sets the ``scopes`` field (ECMA-426's scopes proposal; see
        :mod:`libsourcemap.scopes`), for example a view's :attr:`~View.scopes`: its
        names are added to ``names`` when the map is written. ``None`` drops it. The
        scopes' source indexes and positions are the map's: they are not checked against
        the sources or mappings added."""
        from ..scopes import ScopeInfo

        if scopes is not None and not isinstance(scopes, ScopeInfo):
            raise TypeError(f"scopes must be a ScopeInfo or None, not {type(scopes).__name__}")
        self._scopes = scopes

    def __len__(self) -> int:
        """Segments added so far."""
        return len(self._segments) // 6

    def to_json(self) -> bytes:
        """The map as ECMA-426 JSON."""
        import json

        size = scratch.size
        with ffi.from_buffer("uint32_t[]", self._segments) as records:
            buf = rustcall(lib.lsm_mappings_encode, records, len(self), size)
        mappings = take_buffer(buf, size[0]).decode("ascii")
        # Encoded first: the scopes' names join `names`.
        scopes = None if self._scopes is None else self._scopes.encode(self.add_name)
        doc: dict[str, object] = {"version": 3}
        if self.file is not None:
            doc["file"] = self.file
        doc["sources"] = self._sources
        if any(c is not None for c in self._contents):
            doc["sourcesContent"] = self._contents
        doc["names"] = self._names
        doc["mappings"] = mappings
        if self._ignored:
            doc["ignoreList"] = sorted(self._ignored)
        if self._debug_id is not None:
            doc["debugId"] = self._debug_id
        if scopes is not None:
            doc["scopes"] = scopes
        # ASCII out: a str may hold a lone surrogate, which UTF-8 cannot encode (the
        # parser reads its escape as U+FFFD, as for any map).
        return json.dumps(doc, separators=(",", ":")).encode("ascii")

    def build(self) -> View:
        """A :class:`View` of the map as built so far (checked against all of ECMA-426)."""
        return View.from_json(self.to_json(), strict=True)

    def __repr__(self) -> str:
        return (
            f"<SourceMapBuilder {len(self._sources)} sources, {len(self._names)} names, "
            f"{len(self)} segments>"
        )


@overload
def concat(
    parts: Iterable[ConcatPart], index_map: Literal[False] = False
) -> tuple[bytes, View]: ...
@overload
def concat(parts: Iterable[ConcatPart], index_map: Literal[True]) -> tuple[bytes, Index]: ...
def concat(parts: Iterable[ConcatPart], index_map: bool = False) -> tuple[bytes, View | Index]:
    """Concatenates code and its maps: ``parts`` are ``(code, map, name)``; the result
    is the code joined with ``\n`` and one map for it. A part with a map (JSON ``bytes`` or
    ``str``, or a :class:`View`) keeps its segments, moved down by the lines before it,
    with its sources (``sourceRoot`` applied), contents, names and ``ignoreList``; segments
    past the part's last line are dropped. A part without a map becomes a source named
    ``name`` with its code as contents, every line mapped at column 0. Lines are counted
    as ECMA-262 counts them (``\n``, ``\r\n``, ``\r``, U+2028, U+2029).

    ``index_map=True``: the map is an index map instead (an :class:`Index`, whose
    ``to_json`` gives its JSON), one section per part at the line the part starts, each
    holding that part's map as above; cheaper to write for large parts, and read as the
    same positions."""
    codes, views, names = _checked_parts(parts)
    if not index_map:
        data = _concat_map(codes, views, names)
        return b"\n".join(codes), View.from_json(data, strict=True)
    sections = []
    line = 0
    for code, view, name in zip(codes, views, names):
        part_map = _concat_map([code], [view], [name])
        sections.append(b'{"offset":{"line":%d,"column":0},"map":%s}' % (line, part_map))
        line += len(_LINE_BREAKS.findall(code)) + 1
    data = b'{"version":3,"sections":[' + b",".join(sections) + b"]}"
    return b"\n".join(codes), Index.from_json(data, strict=True)


# ECMA-262's line terminators, as UTF-8 (the core counts lines the same way).
_LINE_BREAKS = re.compile(rb"\r\n|[\n\r]|\xe2\x80[\xa8\xa9]")


def _checked_parts(
    parts: Iterable[ConcatPart],
) -> tuple[list[bytes], list[View | None], list[bytes]]:
    codes: list[bytes] = []
    views: list[View | None] = []
    names: list[bytes] = []
    for number, part in enumerate(parts):
        if not (isinstance(part, tuple) and len(part) == 3):
            raise TypeError(f"part {number} must be a (code, map, name) tuple")
        code, source_map, name = part
        if not isinstance(code, bytes):
            raise TypeError(f"part {number}: code must be bytes, not {type(code).__name__}")
        if not isinstance(name, str):
            raise TypeError(f"part {number}: name must be str, not {type(name).__name__}")
        if source_map is None or isinstance(source_map, View):
            views.append(source_map)
        else:
            views.append(View.from_json(source_map))
        codes.append(code)
        names.append(name.encode("utf-8", "surrogatepass"))
    return codes, views, names


def _concat_map(codes: list[bytes], views: list[View | None], names: list[bytes]) -> bytes:
    """The flat map (JSON) of the parts joined with ``\n``, written by the core."""
    handles = [ffi.NULL if v is None else v._get_ptr() for v in views]
    code_buffers = [ffi.from_buffer(c) for c in codes]
    name_buffers = [ffi.from_buffer(n) for n in names]
    size = scratch.size
    buf = rustcall(
        lib.lsm_concat,
        ffi.new("lsm_view_t *[]", handles),
        ffi.new("char *[]", code_buffers),
        ffi.new("size_t[]", [len(c) for c in codes]),
        ffi.new("char *[]", name_buffers),
        ffi.new("size_t[]", [len(n) for n in names]),
        len(codes),
        size,
    )
    return take_buffer(buf, size[0])


def _text_or_none(value: object, what: str) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} must be str or None, not {type(value).__name__}")


def _position(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be int, not {type(value).__name__}")
    if not valid_u32(value) or value == NONE:
        raise InvalidArgument(f"{what} must be between 0 and {NONE - 1}, got {value}")


def _id(value: object, count: int, what: str, table: str) -> None:
    _position(value, what)
    if value >= count:  # type: ignore[operator]
        raise InvalidArgument(f"{what} {value} is not one of the {count} {table} added")
