"""A drop-in replacement for the pure-Python ``sourcemap`` 0.2.1 package::

    from libsourcemap import compat as sourcemap

    index = sourcemap.loads(text)
    token = index.lookup(line, column)

Same functions, classes, attributes, results and exceptions (docs/migration.md lists the few
deliberate differences), but parsing runs in libsourcemap's Rust core: no Python object
is made per token until ``tokens`` is read, the index is iterated or a token is looked up,
and ``raw`` (the parsed JSON) is only built if someone reads it.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_right
from collections.abc import Iterator
from typing import IO, Any, NoReturn

from .. import NONE, Rules, SourceMapError, View, from_json

__all__ = [
    "load",
    "loads",
    "discover",
    "SourceMapDecodeError",
    "SourceMapDecoder",
    "SourceMapIndex",
    "Token",
]

# What sourcemap 0.2.1 rejects: 2/3-field segments, source and name indexes out of range,
# and a missing `sources`, `names` or `mappings` (it skips empty segments, ignores the
# version). Negative values and bad VLQ are rejected in every mode.
_RULES = Rules.INDEXES | Rules.REQUIRE_KEYS
_U32_MAX = 0xFFFFFFFF
_NONE = NONE


class SourceMapDecodeError(SourceMapError, ValueError):
    """Raised for a map that cannot be decoded. A ``ValueError``, as in sourcemap 0.2.1,
    and also a ``libsourcemap.SourceMapError``."""

    def __init__(self, *args: object) -> None:
        ValueError.__init__(self, *args)
        self.message = str(args[0]) if args else ""


class Token:
    """One mapping, as sourcemap 0.2.1 defines it (0-based lines and columns)."""

    __slots__ = ["dst_line", "dst_col", "src", "src_line", "src_col", "name"]

    def __init__(
        self,
        dst_line: int = 0,
        dst_col: int = 0,
        src: str | None = "",
        src_line: int = 0,
        src_col: int = 0,
        name: str | None = None,
    ) -> None:
        self.dst_line = dst_line
        self.dst_col = dst_col
        self.src = src
        self.src_line = src_line
        self.src_col = src_col
        self.name = name

    def __str__(self) -> str:
        return str(self.name)

    def __eq__(self, other: object) -> bool:
        for key in self.__slots__:
            if getattr(self, key) != getattr(other, key):
                return False
        return True

    __hash__ = None  # type: ignore[assignment]  # like the original: __eq__ without __hash__

    def __repr__(self) -> str:
        args = self.src, self.dst_line, self.dst_col, self.src_line, self.src_col, self.name
        # %-formatting on purpose: the exact output (and errors) of the original.
        return "<Token: src=%r dst_line=%d dst_col=%d src_line=%d src_col=%d name=%r>" % args  # noqa: UP031


_new_token = object.__new__


class SourceMapIndex:
    """The decoded map: ``tokens``, ``sources``, ``raw`` and ``lookup``.

    Built by :class:`SourceMapDecoder` over a native view, it is lazy: tokens become Python
    objects when they are looked up, indexed or iterated, each one once (a repeated lookup
    returns the same object, as in sourcemap 0.2.1). Constructed directly with the
    original's arguments, it behaves exactly like the original, in pure Python.
    """

    def __init__(
        self,
        raw: Any,
        tokens: list[Token],
        line_index: list[list[int]],
        index: dict[tuple[int, int], Token],
        sources: list[Any] | None = None,
    ) -> None:
        self._view: View | None = None
        self._text: str | bytes = ""
        self._raw = raw
        self._tokens: list[Token] | None = tokens
        self._line_index: list[list[int]] | None = line_index
        self._index: dict[tuple[int, int], Token] | None = index
        self._by_id: dict[int, Token] = {}
        self.sources = sources or []

    @classmethod
    def _over(cls, view: View, text: str | bytes, sources: list[str | None]) -> SourceMapIndex:
        obj = cls.__new__(cls)
        obj._view = view
        obj._text = text
        obj._raw = _UNREAD
        obj._tokens = obj._line_index = obj._index = None
        obj._by_id = {}
        obj.sources = sources
        return obj

    # -- lazily built attributes of the original --------------------------------------------

    @property
    def raw(self) -> Any:
        """The parsed JSON, built on first access."""
        if self._raw is _UNREAD:
            self._raw = json.loads(self._text)
        return self._raw

    @raw.setter
    def raw(self, value: Any) -> None:
        self._raw = value

    @property
    def tokens(self) -> list[Token]:
        """Every token in generated order (built on first access)."""
        if self._tokens is None:
            self._tokens = [self._token_at(i) for i in range(len(self))]
        return self._tokens

    @tokens.setter
    def tokens(self, value: list[Token]) -> None:
        self._tokens = value

    @property
    def line_index(self) -> list[list[int]]:
        """Per generated line, the columns of its tokens (built on first access)."""
        if self._line_index is None:
            lines: list[list[int]] = [[] for _ in range(self._line_count())]
            for token in self.tokens:
                lines[token.dst_line].append(token.dst_col)
            self._line_index = lines
        return self._line_index

    @line_index.setter
    def line_index(self, value: list[list[int]]) -> None:
        self._line_index = value

    @property
    def index(self) -> dict[tuple[int, int], Token]:
        """``(dst_line, dst_col) -> Token`` (built on first access)."""
        if self._index is None:
            self._index = {(t.dst_line, t.dst_col): t for t in self.tokens}
        return self._index

    @index.setter
    def index(self, value: dict[tuple[int, int], Token]) -> None:
        self._index = value

    def _line_count(self) -> int:
        # The original keeps one entry per `;`-separated line of `mappings`.
        return int(self.raw["mappings"].count(";")) + 1

    # -- tokens from the native view --------------------------------------------------------

    def _make(self, raw: list[int]) -> Token:
        dst_line, dst_col, src_line, src_col, src_id, name_id, idx = raw
        token = _new_token(Token)
        token.dst_line = dst_line
        token.dst_col = dst_col
        token.src_line = src_line
        token.src_col = src_col
        if src_id == _NONE:
            token.src = None
            token.name = None
        else:
            token.src = self.sources[src_id]
            token.name = None if name_id == _NONE else self._name(name_id)
        self._by_id[idx] = token
        return token

    def _name(self, name_id: int) -> str | None:
        view = self._view
        assert view is not None
        return view.get_name(name_id)

    def _token_at(self, idx: int) -> Token:
        token = self._by_id.get(idx)
        if token is not None:
            return token
        view = self._view
        assert view is not None
        fields = view.get_token_fields(idx)
        if fields is None:
            raise IndexError(idx)
        return self._make(fields)

    # -- the original's API -----------------------------------------------------------------

    def lookup(self, line: int, column: int) -> Token:
        """The token at or before ``column`` on ``line``; ``IndexError`` where there is
        none, exactly where sourcemap 0.2.1 raises it."""
        view = self._view
        if view is None:
            return self._lookup_in_python(line, column)
        if line < 0:
            # The original finds the column in `line_index[line]` (-1 is the last line),
            # then fails to find `(line, column)` in its index: KeyError, or IndexError if
            # that row has no token at or before the column.
            row = line + self._line_count()
            if row < 0:
                raise IndexError(line)
            found = self.lookup(row, column)
            raise KeyError((line, found.dst_col))
        if column > _U32_MAX:
            column = _U32_MAX  # past the end of any line: its last token
        fields = view.lookup_fields(line, column, any_segment=True)
        if fields is None:
            raise IndexError(line)
        token = self._by_id.get(fields[6])
        return token if token is not None else self._make(fields)

    def _lookup_in_python(self, line: int, column: int) -> Token:
        # For an index constructed directly from the original's arguments.
        index = self.index
        try:
            return index[(line, column)]
        except KeyError:
            pass
        columns = self.line_index[line]
        i = bisect_right(columns, column)
        if not i:
            raise IndexError
        return index[(line, columns[i - 1])]

    def __getitem__(self, item: Any) -> Any:
        if self._view is None or self._tokens is not None or not isinstance(item, int):
            return self.tokens[item]
        count = len(self)
        idx = item + count if item < 0 else item
        if not 0 <= idx < count:
            raise IndexError("list index out of range")
        return self._token_at(idx)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.tokens)

    def __len__(self) -> int:
        if self._view is None:
            return len(self.tokens)
        return len(self._view)

    def __repr__(self) -> str:
        return "<SourceMapIndex: %s>" % ", ".join(map(str, self.sources))  # noqa: UP031


_UNREAD: Any = object()


class SourceMapDecoder:
    """Decodes source map text into a :class:`SourceMapIndex` (subclassable, as the
    original's ``cls`` argument allows)."""

    def parse_vlq(self, segment: str) -> list[int]:
        """Parses a string of VLQ-encoded values (the original's helper, kept for callers)."""
        values = []
        cur, shift = 0, 0
        for c in segment:
            val = _B64[ord(c)]
            val, cont = val & 0b11111, val >> 5
            cur += val << shift
            shift += 5
            if not cont:
                cur, sign = cur >> 1, cur & 1
                if sign:
                    cur = -cur
                values.append(cur)
                cur, shift = 0, 0
        if cur or shift:
            raise SourceMapDecodeError("leftover cur/shift in vlq decode")
        return values

    def decode(self, source: str | bytes) -> SourceMapIndex:
        """Decodes a source map (``str`` or ``bytes``)."""
        if isinstance(source, str) and (source[:4] == ")]}'" or source[:3] == ")]}"):
            source = source.split("\n", 1)[1]
        try:
            parsed = from_json(source, auto_flatten=False, raise_for_index=False, strict=_RULES)
        except SourceMapError as exc:
            _raise_as_original(source, exc)
        if not isinstance(parsed, View):
            _raise_as_original(source, SourceMapDecodeError("index maps are not supported"))
        root_raw = parsed.source_root
        sources = [parsed.get_raw_source_name(i) for i in range(parsed.get_source_count())]
        if root_raw is not None:
            # The original joins with os.path.join (a null source crashed it; it stays None).
            sources = [None if s is None else os.path.join(root_raw, s) for s in sources]
        return SourceMapIndex._over(parsed, source, sources)


def _raise_as_original(source: str | bytes, exc: Exception) -> NoReturn:
    """Raises what sourcemap 0.2.1 raises for this input: the json module's error for bad
    JSON, ``KeyError``/``TypeError`` for missing keys or a non-object, otherwise
    :class:`SourceMapDecodeError` with libsourcemap's message. Only runs on failure."""
    smap = json.loads(source)
    smap["sources"], smap["names"], smap["mappings"]
    if isinstance(exc, SourceMapDecodeError):
        raise exc
    raise SourceMapDecodeError(str(exc)) from None


def loads(source: str | bytes, cls: type[SourceMapDecoder] | None = None) -> SourceMapIndex:
    """Parses a source map from a string."""
    cls = cls or SourceMapDecoder
    return cls().decode(source)


def load(fp: IO[Any], cls: type[SourceMapDecoder] | None = None) -> SourceMapIndex:
    """Parses a source map from a file-like object."""
    return loads(fp.read(), cls)


def discover(source: str) -> str | None:
    """Finds the ``sourceMappingURL`` in the first or last 5 lines of a JavaScript file,
    as the original does; when several match, the last one wins (the original's choice
    depended on set ordering)."""
    lines = source.splitlines()
    possibilities = lines[:5] + lines[-5:] if len(lines) > 10 else lines
    found = None
    for line in possibilities:
        pragma = line[:21]
        if pragma == "//# sourceMappingURL=" or pragma == "//@ sourceMappingURL=":
            found = line[21:].rstrip()
    return found


_B64 = [-1] * 123
for _i, _c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"):
    _B64[ord(_c)] = _i
