"""Index maps (``sections``) and ``from_json``, which decides between a view and an index."""

from __future__ import annotations

from collections import namedtuple

from ._native import RustObject, ffi, lib, pinned, rule_flags, rustcall, scratch, to_bytes
from .errors import IndexedSourceMap
from .view import View

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from .view import Buffer


_SECTION_DOC = """One section of an index map: its generated offset, and its ``url`` if the map is
    external instead of embedded."""

if TYPE_CHECKING:

    class Section(NamedTuple):
        line: int
        column: int
        url: str | None

else:
    Section = namedtuple("Section", "line column url")
    Section.__doc__ = _SECTION_DOC


class Index(RustObject):
    """An index map. Flatten it into a :class:`View` with :meth:`into_view`."""

    # The JSON bytes, handed on to views flattened from this index (they borrow them too),
    # and the same bytes for to_json.
    __slots__ = ("_input", "_json")
    _input: Any
    _json: bytes
    _free = lib.lsm_index_free
    _kind = "index"

    @staticmethod
    def from_json(buffer: Buffer, strict: bool = False) -> Index:
        """Parses index map JSON; a regular map raises :class:`InvalidSourceMap`."""
        data = to_bytes(buffer, "buffer")
        borrowed = pinned(data)
        ptr = rustcall(lib.lsm_index_from_json, borrowed, len(data), rule_flags(strict))
        return Index._wrap(ptr, data, borrowed)

    @staticmethod
    def _wrap(ptr: Any, data: bytes, borrowed: Any) -> Index:
        index = Index._from_ptr(ptr, borrowed, recipe=(Index.from_json, (data,)))
        index._input = borrowed
        index._json = data
        return index

    @property
    def can_flatten(self) -> bool:
        """True if no section references an external map by ``url``."""
        return bool(rustcall(lib.lsm_index_can_flatten, self._get_ptr()))

    @property
    def sections(self) -> list[Section]:
        ptr = self._get_ptr()
        line, col = ffi.new("uint32_t *"), ffi.new("uint32_t *")
        size = scratch.size
        result = []
        for i in range(rustcall(lib.lsm_index_get_section_count, ptr)):
            url = rustcall(lib.lsm_index_get_section, ptr, i, line, col, size)
            text = None if url == ffi.NULL else ffi.unpack(url, size[0]).decode("utf-8", "replace")
            result.append(Section(line[0], col[0], text))
        return result

    def to_json(self) -> bytes:
        """The index map's JSON, as it was read."""
        self._get_ptr()  # a closed index raises, as every other method does
        return self._json

    def into_view(self) -> View:
        """Merges all sections into one view (the index stays usable).

        Raises :class:`CannotFlatten` if a section references an external map."""
        ptr = self._get_ptr()
        data = self._input
        return View._from_ptr(rustcall(lib.lsm_index_into_view, ptr), data)

    def _repr_html_(self) -> str:
        """The index map as an HTML table, for notebooks (Jupyter)."""
        from ._html import index_html

        return index_html(self)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libsourcemap.Index (closed)>"
        return f"<libsourcemap.Index sections={len(self.sections)}>"


def from_json(
    buffer: Buffer,
    auto_flatten: bool = True,
    raise_for_index: bool = True,
    strict: bool | int = False,
) -> View | Index:
    """Parses source map JSON into a :class:`View`, or an :class:`Index` for an index map.

    An index map whose sections are all embedded is flattened into a view when
    ``auto_flatten`` is true. Otherwise the index is raised as :class:`IndexedSourceMap`
    (its ``.index`` attribute) when ``raise_for_index`` is true, or returned.
    ``strict=True`` rejects every violation of ECMA-426 with :class:`InvalidSourceMap`;
    a combination of :class:`~libsourcemap.Rules` flags enforces just those rules.
    """
    index = parse_json(to_bytes(buffer, "buffer"), rule_flags(strict))
    if isinstance(index, View):
        return index
    if auto_flatten and index.can_flatten:
        return index.into_view()
    if raise_for_index:
        raise IndexedSourceMap("unexpected source map index", index=index)
    return index


def parse_json(data: bytes, flags: int) -> View | Index:
    """Parses JSON into a view or an index, enforcing the rule groups in ``flags``."""
    view_out = ffi.new("lsm_view_t **")
    index_out = ffi.new("lsm_index_t **")
    borrowed = pinned(data)
    kind = rustcall(
        lib.lsm_view_or_index_from_json, borrowed, len(data), flags, view_out, index_out
    )
    if kind == 1:
        return View._from_ptr(view_out[0], borrowed)
    return Index._wrap(index_out[0], data, borrowed)
