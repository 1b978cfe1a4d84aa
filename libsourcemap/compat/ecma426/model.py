"""``Mapping`` and ``MappingIndex``, as ``ecma426.model`` has them.

A ``MappingIndex`` made by :func:`~libsourcemap.compat.ecma426.loads` is backed by a
libsourcemap ``View``: no Python object per token until one is asked for. ``tokens``,
``line_index``, ``index`` and ``raw`` are built on first use.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ... import View

__all__ = ["Mapping", "MappingIndex"]

_NONE = 0xFFFFFFFF


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
        self.sources = sources or []
        self._view: View | None = None
        self._text: bytes | None = None
        self._lines = len(line_index)
        self._sources: list[str] = []
        self._names: dict[int, str] = {}

    @classmethod
    def _over(cls, view: View, text: bytes, sources: list[Any]) -> MappingIndex:
        """An index over ``view`` (of the JSON ``text``, kept for ``raw``)."""
        index = cls.__new__(cls)
        index._raw = None
        index._tokens = index._line_index = index._index = None
        index.sources = sources
        index._view, index._text = view, text
        count = len(view)
        index._lines = view.get_token_fields(count - 1)[0] + 1 if count else 0  # type: ignore[index]
        index._sources = [view.get_raw_source_name(i) or "" for i in range(view.get_source_count())]
        index._names = {}
        return index

    # -- what ecma426 keeps as attributes, built on first use ---------------------------

    @property
    def raw(self) -> Any:
        """The source map JSON, parsed."""
        if self._raw is None and self._text is not None:
            self._raw = json.loads(self._text)
        return self._raw

    @property
    def tokens(self) -> list[Mapping]:
        if self._tokens is None:
            view = self._view
            assert view is not None
            self._tokens = [self._mapping(view.get_token_fields(i)) for i in range(len(view))]  # type: ignore[arg-type]
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
                assert self._view is not None
                name = self._names[name_id] = self._view.get_name(name_id) or ""
        return Mapping(dst_line, dst_col, self._sources[src_id], src_line, src_col, name)

    # -- lookups ------------------------------------------------------------------------

    def lookup_left(self, line: int, column: int) -> Mapping:
        """The segment at (``line``, ``column``), else the last one left of ``column`` on
        ``line``. ``IndexError`` if there is none on that line (or the line is past the
        last segment's); as ecma426, a negative line counts from the end and then
        raises ``KeyError``."""
        if self._view is None:
            return self._lookup_in_lists(line, column)
        view = self._view
        if _is_int(line) and _is_int(column) and 0 <= line <= _NONE and 0 <= column <= _NONE:
            fields = view.lookup_fields(line, column, any_segment=True)
            if fields is not None:
                return self._mapping(fields)
            if line >= self._lines:
                raise IndexError("list index out of range")
            raise IndexError
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
