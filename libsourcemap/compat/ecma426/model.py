"""``Mapping`` and ``MappingIndex``, as ``ecma426.model`` has them.

A ``MappingIndex`` made by :func:`~libsourcemap.compat.ecma426.loads` is backed by a
libsourcemap ``View``: no Python object per token until one is asked for. ``tokens``,
``line_index``, ``index`` and ``raw`` are built on first use.

Where the core reads a map differently from ecma426, the index answers from the JSON:

- a source or name with a lone surrogate escape (``"\\ud800"``): the core decodes it to
  U+FFFD, ecma426 keeps the surrogate. A string the core gives with a U+FFFD is read again
  from the parsed JSON (``raw``), so only such maps pay for a parse in Python.
- a line whose segments are written out of column order: the core sorts them, ecma426 keeps
  them as written (``tokens``, ``line_index`` and the order of ``index`` follow the text, and
  ``lookup_left`` bisects a line's unsorted columns). Before an answer that depends on the
  order (a lookup that is not an exact hit: that line; ``tokens``: every line), the
  ``mappings`` text is checked for a negative column delta (see :mod:`._order`); once one
  is found, the index is decoded in Python (as :func:`~.codec.decode` does) and answers
  from its lists.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ... import View
from ._order import WrittenOrder

__all__ = ["Mapping", "MappingIndex"]

_NONE = 0xFFFFFFFF
_REPLACED = "\ufffd"  # what the core decodes a lone surrogate escape to


@dataclass(eq=True)
class Mapping:
    """One segment: generated position (0-based); ``source`` (``""`` when unmapped),
    original position and ``name`` (or ``None``)."""

    generated_line: int = 0
    generated_column: int = 0
    source: str = ""
    original_line: int = 0
    original_column: int = 0
    name: str | None = None

    def __repr__(self) -> str:
        return (
            f"<Mapping: source={self.source!r} generated_line={self.generated_line:d} "
            f"generated_column={self.generated_column:d} original_line={self.original_line:d} "
            f"original_column={self.original_column:d} name={self.name!r}>"
        )


class MappingIndex:
    """Segments by generated position. ``lookup_left`` answers an exact hit (the last
    segment there), else the last segment left of the column on that line."""

    def __init__(
        self,
        raw: Any,
        tokens: list[Mapping],
        line_index: list[list[int]],
        index: dict[tuple[int, int], Mapping],
        sources: list[str] | None = None,
    ) -> None:
        self._raw = raw
        self._tokens: list[Mapping] | None = tokens
        self._line_index: list[list[int]] | None = line_index
        self._index: dict[tuple[int, int], Mapping] | None = index
        self.sources: list[Any] = sources or []
        self._view: View | None = None
        self._text: bytes | None = None
        self._index_map = False
        self._order: WrittenOrder | None = None
        self._json_names: list[str] | None = None
        self._lines = len(line_index)
        self._sources: list[str] = []
        self._names: dict[int, str] = {}

    @classmethod
    def _over(cls, view: View, text: bytes, index_map: bool) -> MappingIndex:
        """An index over ``view``, of the JSON ``text`` (kept for ``raw``): a regular map's,
        or an index map's (whose ``sources`` ecma426 leaves empty) flattened."""
        index = cls.__new__(cls)
        index._raw = None
        index._tokens = index._line_index = index._index = None
        index._view, index._text, index._index_map = view, text, index_map
        index._order = None
        index._json_names = None
        count = len(view)
        index._lines = view.get_token_fields(count - 1)[0] + 1 if count else 0  # type: ignore[index]
        sources = [view.get_raw_source_name(i) for i in range(view.get_source_count())]
        if any(s is not None and _REPLACED in s for s in sources):
            sources = index._from_json("sources", sources)
        index.sources = [] if index_map else sources
        index._sources = [s or "" for s in sources]
        index._names = {}
        return index

    def _from_json(self, key: str, decoded: list[Any]) -> list[Any]:
        """The ``sources`` or ``names`` of the map as Python's ``json`` reads them (an index
        map's: its sections' in order, as the core numbers them), where the core's
        ``decoded`` have a U+FFFD that may stand for a lone surrogate."""
        raw = self.raw
        maps = [raw]
        if self._index_map:
            maps = [section["map"] for section in raw["sections"]]
        strings = [s for m in maps for s in m.get(key, [])]
        # The core numbers the same arrays; should it not, its strings stay.
        return strings if len(strings) == len(decoded) else decoded

    # -- what ecma426 keeps as attributes, built on first use ---------------------------

    @property
    def raw(self) -> Any:
        """The source map JSON, parsed."""
        if self._raw is None and self._text is not None:
            self._raw = json.loads(self._text.decode("utf-8"))
        return self._raw

    @property
    def tokens(self) -> list[Mapping]:
        if self._tokens is None and self._in_written_order():
            view = self._view
            assert view is not None
            self._tokens = [self._mapping(view.get_token_fields(i)) for i in range(len(view))]  # type: ignore[arg-type]
        assert self._tokens is not None
        return self._tokens

    @property
    def line_index(self) -> list[list[int]]:
        if self._line_index is None:
            self._line_index = [[] for _ in range(self._lines)]
            for token in self.tokens:
                self._line_index[token.generated_line].append(token.generated_column)
        return self._line_index

    @property
    def index(self) -> dict[tuple[int, int], Mapping]:
        if self._index is None:
            self._index = {(t.generated_line, t.generated_column): t for t in self.tokens}
        return self._index

    def _mapping(self, fields: list[int]) -> Mapping:
        dst_line, dst_col, src_line, src_col, src_id, name_id, _ = fields
        if src_id == _NONE:
            return Mapping(dst_line, dst_col)
        name = None
        if name_id != _NONE:
            name = self._names.get(name_id)
            if name is None:
                name = self._names[name_id] = self._name(name_id)
        return Mapping(dst_line, dst_col, self._sources[src_id], src_line, src_col, name)

    def _name(self, name_id: int) -> str:
        assert self._view is not None
        name = self._view.get_name(name_id) or ""
        if _REPLACED in name:
            if self._json_names is None:
                self._json_names = self._from_json("names", [None] * self._view.name_count)
            name = self._json_names[name_id] or name
        return name

    def _in_written_order(self, line: int | None = None) -> bool:
        """Whether ``line`` (by default: every line) is written in column order, as the
        View has it. Once some line is found not to be, the index is decoded in Python
        (as ``decode`` does) and answers from its lists, as ecma426 does: this is then
        False, as it is for an index made from lists."""
        if self._view is None:
            return False
        if self._lines == 0:
            return True  # no segments
        order = self._order
        if order is None:
            assert self._text is not None
            first = self._view.get_token_fields(0)
            assert first is not None
            order = self._order = WrittenOrder(self._text, self._index_map, first, lambda: self.raw)
        if order.all_lines() if line is None else order.line(line):
            return True
        from .codec import decode  # codec imports this module

        written = decode(self.raw)
        self._tokens, self._index = written.tokens, written.index
        self._line_index, self._lines = written.line_index, len(written.line_index)
        self._view = None
        return False

    # -- lookups ------------------------------------------------------------------------

    def lookup_left(self, line: int, column: int) -> Mapping:
        """The segment at (``line``, ``column``), else the last one left of ``column`` on
        ``line``. ``IndexError`` if there is none on that line (or the line is past the
        last segment's); as ecma426, a negative line counts from the end and then
        raises ``KeyError``."""
        view = self._view
        if view is None:
            return self._lookup_in_lists(line, column)
        if _is_int(line) and _is_int(column) and 0 <= line <= _NONE and 0 <= column <= _NONE:
            fields = view.lookup_fields(line, column, any_segment=True)
            if fields is None:  # no segment at or left of the column, in any order
                if line >= self._lines:
                    raise IndexError("list index out of range")
                raise IndexError
            # An exact hit is the last segment written there, in any order (the core's
            # sort is stable); a segment left of the column depends on the line's order.
            if fields[1] != column and not self._in_written_order(line):
                return self._lookup_in_lists(line, column)
            return self._mapping(fields)
        if not self._in_written_order():
            return self._lookup_in_lists(line, column)
        # What ecma426's dictionary and list lookups do with other arguments: a number
        # equal to an int finds the same dictionary key; a list index must be an int.
        key = (_integral(line), _integral(column))
        if None not in key and all(0 <= k <= _NONE for k in key):  # type: ignore[operator]
            fields = view.lookup_fields(key[0], key[1], any_segment=True)  # type: ignore[arg-type]
            if fields is not None and (fields[0], fields[1]) == key:
                return self._mapping(fields)
        if not _is_int(line):
            raise TypeError(f"list indices must be integers or slices, not {type(line).__name__}")
        if line >= self._lines or line < -self._lines:
            raise IndexError("list index out of range")
        row = line % self._lines if self._lines else line
        if isinstance(column, float) and not math.isnan(column):
            left = math.floor(column) if column < math.inf else _NONE
        elif _is_int(column):
            left = min(column, _NONE)
        else:
            first = view.lookup_fields(row, _NONE, any_segment=True)
            if first is None:
                raise IndexError
            raise TypeError(
                f"'<' not supported between instances of '{type(column).__name__}' and 'int'"
            )
        fields = view.lookup_fields(row, left, any_segment=True) if left >= 0 else None
        if fields is None:
            raise IndexError
        if line < 0:
            raise KeyError((line, fields[1]))
        return self._mapping(fields)

    def _lookup_in_lists(self, line: int, column: int) -> Mapping:
        try:
            return self.index[(line, column)]
        except KeyError:
            cols = self.line_index[line]
            i = bisect_right(cols, column)
            if not i:
                raise IndexError from None
            return self.index[(line, cols[i - 1])]

    def __getitem__(self, key: tuple[int, int]) -> Mapping:
        if self._view is None or self._index is not None:
            return self.index[key]
        hash(key)  # an unhashable key is a TypeError, as for a dict
        if isinstance(key, tuple) and len(key) == 2:
            line, col = _integral(key[0]), _integral(key[1])
            if line is not None and col is not None and 0 <= line <= _NONE and 0 <= col <= _NONE:
                fields = self._view.lookup_fields(line, col, any_segment=True)
                if fields is not None and (fields[0], fields[1]) == (line, col):
                    return self._mapping(fields)
        raise KeyError(key)

    def __iter__(self) -> Iterator[Mapping]:
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self._view) if self._view is not None else len(self.tokens)

    def __repr__(self) -> str:
        return "<MappingIndex: {}>".format(", ".join(map(str, self.sources)))


def _is_int(value: object) -> bool:
    return isinstance(value, int)


def _integral(value: object) -> int | None:
    """``value`` as the int a dictionary key equal to it would be; ``None`` if none."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
