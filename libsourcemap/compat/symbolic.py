"""A drop-in for symbolic 13.9's source map API (``symbolic.sourcemap``,
``symbolic.sourcemapcache``, the errors they raise, and ``ProguardMapper``)::

    from libsourcemap.compat import symbolic

    view = symbolic.SourceMapView.from_json_bytes(map_bytes)
    token = view.lookup(lineno - 1, colno - 1, frame_function, symbolic.SourceView.from_bytes(js))
    cache = symbolic.SourceMapCache.from_bytes(js, map_bytes)
    token = cache.lookup(lineno, colno, 5)

Every answer is symbolic's, held to its recorded answers on real maps and traces
(tests/test_compat_symbolic.py); see docs/migration.md for what is faster and the few
places where symbolic itself is wrong. symbolic's quirks are kept on purpose:

- ``SourceMapView`` is 0-based; ``SourceMapCache`` 1-based in and out.
- A plain lookup answers the greatest lower bound among all segments, on any line, mapped
  or not (``None`` only before the first); on an exact hit the first segment there.
- Unmapped segments have ``src_line``/``src_col``/``src_id`` 4294967295 and ``src`` None;
  empty strings come back as None.
- Negative or too large numbers raise ``OverflowError``; floats and strings ``TypeError``.
- ``SourceView`` splits lines on ``\\n``, ``\\r\\n`` and ``\\r``; a trailing terminator adds
  an empty line.
- ``function_name`` of ``SourceMapView.lookup`` comes from rust-sourcemap's heuristic: the
  minified name must be a plain identifier found right after ``function`` in the minified
  source, at a token within 128 before the one looked up.
- ``sourceRoot`` is joined with ``/`` after stripping one trailing ``/``, not normalised;
  sources starting with ``/``, ``http:`` or ``https:`` are kept as they are.
- Maps are read as rust-sourcemap 9 reads them (``Rules.RUST_SOURCEMAP``): numbers in
  ``names`` are names (``"1"``), positions below 0 wrap modulo 2^32, index maps nested
  or out of order are flattened (sources and names merged by name), a lone surrogate
  escape or a field of the wrong type is ``ParseSourceMapError``; a ``SourceMapCache``
  reads invalid UTF-8 as U+FFFD (a view refuses it); a map with ``x_facebook_sources``
  is a Hermes map even where no function map in it reads.
- ``lookup`` takes the minified function name as ``str`` or UTF-8 ``bytes``.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import re
import uuid
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any, overload

from .. import (
    HERMES_BYTECODE_MAGIC,
    BadIo,
    ContentCache,
    Index,
    ProguardView,
    Resolver,
    Rules,
    SourceMapError,
    View,
    from_json,
)
from ._internal import ScopeIndex, lf_lines, start_scopes

__all__ = [
    "SourceView",
    "SourceMapView",
    "SourceMapTokenMatch",
    "SourceMapCache",
    "SourceMapCacheToken",
    "SymbolicError",
    "ParseSourceMapError",
    "Unknown",
    "IoError",
    "ProguardMapper",
    "JavaStackFrame",
]

_U32 = 0xFFFFFFFF
#: ProGuard's UUID namespace: version 5 of "guardsquare.com" in the DNS namespace.
_PROGUARD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "guardsquare.com")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SPACE = re.compile(r"\s*")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
#: What rust-sourcemap refuses beyond malformed JSON and VLQ: source and name indexes out
#: of range, segments of 2 or 3 fields; and its reading of what it takes (its field types,
#: its VLQ arithmetic, its flattening, numbers as names...: ``Rules.RUST_SOURCEMAP``).
_RULES = Rules.INDEXES | Rules.RUST_SOURCEMAP
#: How far back rust-sourcemap's function name heuristic looks, in tokens.
_NAME_LOOKBACK = 128


# -- errors ----------------------------------------------------------------------------

try:
    # The real package, where it is installed beside the drop-in (an application that
    # keeps symbolic for native debug files and takes its source maps from here): the
    # drop-in's errors are its errors too, so `except symbolic.SymbolicError` still
    # catches them (docs/migration.md).
    from symbolic import exceptions as _real  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    _real = None  # type: ignore[assignment,unused-ignore]


def _theirs(name: str) -> tuple[type[Exception], ...]:
    """The real package's class ``name`` as a base, where it has one."""
    cls = getattr(_real, name, None)
    return (cls,) if isinstance(cls, type) and issubclass(cls, Exception) else ()


class SymbolicError(*(_theirs("SymbolicError") or (Exception,))):  # type: ignore[misc]
    """Base class of symbolic's errors (``symbolic.exceptions.SymbolicError``)."""

    code: int | None = None

    def __init__(self, msg: str) -> None:
        Exception.__init__(self)
        self.message = msg
        self.rust_info: str | None = None

    def __str__(self) -> str:
        if self.rust_info is not None:
            return f"{self.message}\n\n{self.rust_info}"
        return self.message


class ParseSourceMapError(SymbolicError, *_theirs("ParseSourceMapError")):  # type: ignore[misc]
    """A source map that does not parse (``SourceMapView.from_json_bytes``)."""


class Unknown(SymbolicError, *_theirs("Unknown")):  # type: ignore[misc]
    """What symbolic raises for a ``SourceMapCache`` whose map does not parse."""


class IoError(SymbolicError, *_theirs("IoError")):  # type: ignore[misc]
    """A file that cannot be read (``ProguardMapper.open``)."""


def _u32(value: object) -> int:
    """``value`` as CFFI converts it to ``uint32_t``: ints only, in range."""
    if not isinstance(value, int):
        raise TypeError(f"an integer is required, not {type(value).__name__}")
    if value < 0:
        raise OverflowError("can't convert negative number to unsigned")
    if value > _U32:
        raise OverflowError("integer out of range for 'uint32_t'")
    return value


def _bytes(data: object) -> bytes:
    """What ``bytes(data)`` makes of it, as symbolic converts its inputs (a ``str`` is a
    ``TypeError``)."""
    return bytes(data)  # type: ignore[call-overload,no-any-return]


# -- SourceView ------------------------------------------------------------------------


class _Text(str):
    """A source's text, as ``SourceView.get_source`` gives it: a ``str`` whose
    ``splitlines()`` is computed once. Error trackers take context lines from a source's
    whole text for every frame (``get_sourceview(i).get_source().splitlines()``), and a
    view's sources are shared by every frame that parses the same map (see
    ``SourceMapView.from_json_bytes``): splitting megabytes again for each frame would be
    most of their work. Each call returns a new list, as ``str.splitlines`` does."""

    def splitlines(self, keepends: bool = False) -> list[str]:
        known: dict[bool, list[str]] = self.__dict__.setdefault("_split", {})
        lines = known.get(keepends)
        if lines is None:
            lines = known[keepends] = str.splitlines(self, keepends)
        return list(lines)


class SourceView:
    """Access to JavaScript source code by line (``symbolic.SourceView``)."""

    def __init__(self, text: str) -> None:
        self._text = _Text(text)
        # Splitting at "\n" alone is a C loop; the pattern only where "\r" occurs.
        self._lines = _LINE_BREAK.split(text) if "\r" in text else text.split("\n")
        #: Per line with characters outside the BMP: each character's UTF-16 column.
        self._columns: dict[int, list[int] | None] = {}

    def _char_index(self, line: int, col: int) -> int:
        """The index in line ``line`` of the first character at or after UTF-16 column
        ``col`` (its length if none)."""
        if line not in self._columns:
            text = self._lines[line]
            found: list[int] | None = None
            if not text.isascii() and _ASTRAL.search(text):
                found, at = [], 0
                for c in text:
                    found.append(at)
                    at += 2 if ord(c) > 0xFFFF else 1
            self._columns[line] = found
        columns = self._columns[line]
        return col if columns is None else bisect_left(columns, col)

    @classmethod
    def from_bytes(cls, data: bytes) -> SourceView:
        """A source view of UTF-8 bytes (invalid sequences become U+FFFD): one per
        content, shared (a source view is immutable), as a processor that wraps the
        same minified file for every frame would otherwise decode it each time."""
        view: SourceView = _SOURCE_VIEWS.get(_bytes(data))
        return view

    def get_source(self) -> str:
        return self._text

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, idx: int) -> str: ...

    @overload
    def __getitem__(self, idx: slice) -> list[str]: ...

    def __getitem__(self, idx: int | slice) -> str | list[str]:
        if isinstance(idx, slice):
            return [self._lines[i] for i in range(*idx.indices(len(self._lines)))]
        if idx >= len(self._lines):
            raise IndexError("No such line")
        return self._lines[_u32(idx)]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._lines))


# -- SourceMapView ---------------------------------------------------------------------


class SourceMapTokenMatch:
    """A token matched or looked up (``symbolic.SourceMapTokenMatch``)."""

    def __init__(
        self,
        src_line: int,
        src_col: int,
        dst_line: int,
        dst_col: int,
        src_id: int | None = None,
        name: str | None = None,
        src: str | None = None,
        function_name: str | None = None,
    ) -> None:
        self.src_line = src_line
        self.src_col = src_col
        self.dst_line = dst_line
        self.dst_col = dst_col
        self.src_id = src_id
        self.name = name
        self.src = src
        self.function_name = function_name

    def __eq__(self, other: object) -> bool:
        if self.__class__ is not other.__class__:
            return False
        return self.__dict__ == other.__dict__

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # as symbolic's: __eq__ without __hash__

    def __repr__(self) -> str:
        return f"<SourceMapTokenMatch {self.src}:{self.src_line:d}>"


class SourceMapView:
    """A source map (``symbolic.SourceMapView``); index maps are flattened."""

    def __init__(self, view: View, hermes: bool = False) -> None:
        self._view = view
        # A regular map with function maps (`x_facebook_sources`) is a Hermes map to
        # symbolic (rust-sourcemap's `SourceMapHermes`); an index map never is.
        self._hermes = hermes
        root = view.source_root
        self._sources = [
            _prefixed(root, view.get_raw_source_name(i)) or None
            for i in range(view.get_source_count())
        ]
        self._names: dict[int, str | None] = {}
        self._source_views: dict[int, SourceView | None] = {}

    @classmethod
    def from_json_bytes(cls, data: bytes) -> SourceMapView:
        """A view of source map JSON: bytes, bytearray or memoryview. Parsed once per
        content: a view is immutable, so equal bytes given again (as an error tracker's
        processor does for every frame of an event) get the same view, its decoded
        sources included (``libsourcemap.ContentCache``, bounded)."""
        map_view: SourceMapView = _MAP_VIEWS.get(_bytes(data))
        return map_view

    @classmethod
    def _parse(cls, data: bytes) -> SourceMapView:
        try:
            view, hermes = _parsed(data)
        except SourceMapError as exc:
            raise ParseSourceMapError(f"bad json: {exc}") from None
        return cls(view, hermes)

    def _match(self, fields: list[int]) -> SourceMapTokenMatch:
        dst_line, dst_col, src_line, src_col, src_id, name_id, _ = fields
        if src_id == _U32:
            src_line = src_col = _U32
        return SourceMapTokenMatch(
            src_line=src_line,
            src_col=src_col,
            dst_line=dst_line,
            dst_col=dst_col,
            src_id=src_id,
            name=self._name(name_id),
            src=self._source(src_id),
        )

    def _source(self, src_id: int) -> str | None:
        return self._sources[src_id] if src_id < len(self._sources) else None

    def _name(self, name_id: int) -> str | None:
        """Name ``name_id`` (``None`` for none or an empty one), read once."""
        if name_id == _U32:
            return None
        if name_id not in self._names:
            self._names[name_id] = self._view.get_name(name_id) or None
        return self._names[name_id]

    def lookup(
        self,
        line: int,
        col: int,
        minified_function_name: str | bytes | None = None,
        minified_source: SourceView | None = None,
    ) -> SourceMapTokenMatch | None:
        """The token at or before the 0-based position (see the module's notes), and with
        both a minified function name (``str``, or UTF-8 ``bytes`` as symbolic also takes)
        and the minified ``SourceView``, the original name of the function, where
        rust-sourcemap's heuristic finds one."""
        with_name = minified_function_name is not None and minified_source is not None
        name: str | None = None
        if with_name:
            if not isinstance(minified_source, SourceView):
                raise TypeError("source view required")
            # symbolic passes the name on as UTF-8 before the position is converted.
            name = _name_text(minified_function_name)
            if self._hermes and isinstance(line, int) and line == 0:
                return self._hermes_lookup(_u32(col))
        fields = self._view.lookup_bound(_u32(line), _u32(col))
        if fields is None:
            return None
        match = self._match(fields)
        if name is not None:
            assert minified_source is not None
            match.function_name = self._function_name(fields[6], name, minified_source)
        return match

    def _hermes_lookup(self, offset: int) -> SourceMapTokenMatch | None:
        """symbolic's lookup in a Hermes map at line 0: the column is a 0-based bytecode
        offset, looked up one further (``col + 1``, matching Sentry's processor, which
        took one off), and the function named by the function map of its source."""
        fields = self._view.lookup_bound(0, (offset + 1) & _U32)
        if fields is None:
            return None
        match = self._match(fields)
        # An empty name is none, as symbolic reads it.
        match.function_name = self._function_map_name(fields) or None
        return match

    def _function_map_name(self, fields: list[int]) -> str | None:
        """The function around a token's original position by its source's function map
        (`x_facebook_sources`). rust-sourcemap looks up line + 1 in 32 bits: the last
        line is line 0 there, before every function."""
        _, _, src_line, src_col, src_id, _, _ = fields
        if src_id == _U32 or src_line == _U32:
            return None
        return self._view.get_source_function_name(src_id, src_line, src_col)

    def _function_name(self, index: int, minified_name: str, source: SourceView) -> str | None:
        """rust-sourcemap's ``get_original_function_name``: walking back from token
        ``index`` (at most 128 tokens), the name of a token whose text in the minified
        source is ``minified_name`` and whose previous token's text is ``function``."""
        if not _is_identifier(minified_name):
            return None
        first = max(index - _NAME_LOOKBACK + 1, 0)
        window = self._view.get_tokens_fields(first, index - first + 1)  # one native call
        # Walking back, the token after the current one read `minified_name`: is the
        # current one `function`? (The name is looked for first: most tokens are not it.)
        after_is_name, after_name_id = False, _U32
        for at in range(len(window) - 7, -1, -7):  # from token `index` back
            line, col = window[at], window[at + 1]
            if after_is_name and _word_at(source, line, col, "function"):
                return self._name(after_name_id)
            after_is_name = _word_at(source, line, col, minified_name)
            after_name_id = window[at + 5]
        return None

    def get_sourceview(self, idx: int) -> SourceView | None:
        """The contents of source ``idx`` as a ``SourceView``; ``None`` without contents.
        Decoded once per view (views are shared by content: see ``from_json_bytes``)."""
        idx = _u32(idx)
        known = self._source_views.get(idx, _MISSING)
        if known is _MISSING:
            contents = self._contents(idx)
            known = self._source_views[idx] = None if contents is None else SourceView(contents)
        return known  # type: ignore[no-any-return]

    def _contents(self, idx: int) -> str | None:
        if idx >= len(self._sources):
            return None
        data = self._view.get_source_contents(idx)
        return None if data is None else data.decode("utf-8", "replace")

    @property
    def source_count(self) -> int:
        return len(self._sources)

    def get_source_name(self, idx: int) -> str | None:
        return self._source(_u32(idx))

    def get_source_contents(self, idx: int) -> str | None:
        return self._contents(_u32(idx)) or None

    def iter_sources(self) -> Iterator[tuple[int, str | None]]:
        for src_id in range(self.source_count):
            yield src_id, self.get_source_name(src_id)

    def __len__(self) -> int:
        return len(self._view)

    def __getitem__(self, idx: int) -> SourceMapTokenMatch:
        fields = self._view.get_token_fields(_u32(idx))
        if fields is None:
            raise IndexError("Token out of range")
        return self._match(fields)

    def __iter__(self) -> Iterator[SourceMapTokenMatch]:
        for i in range(len(self)):
            yield self[i]


def _name_text(name: object) -> str | None:
    """A minified function name as symbolic hands it to rust-sourcemap: a ``str`` as UTF-8
    (a lone surrogate is ``UnicodeEncodeError``), any bytes-like object as it is (anything
    else is ``TypeError``). Bytes that are not UTF-8 never equal an identifier of the
    source (``None``: no name is found)."""
    if isinstance(name, str):
        if not name.isascii():
            name.encode("utf-8")
        return name
    try:
        return bytes(memoryview(name)).decode("utf-8")  # type: ignore[arg-type]
    except UnicodeDecodeError:
        return None
    except TypeError:
        raise TypeError(
            f"from_buffer() cannot return the address of the raw string within a "
            f"{type(name).__name__} object"
        ) from None


def _prefixed(root: str | None, source: str | None) -> str:
    """rust-sourcemap's ``prefix_source``: ``sourceRoot`` joined with ``/`` (one trailing
    ``/`` stripped), except to sources starting with ``/``, ``http:`` or ``https:``."""
    source = source or ""
    if not root:
        return source
    if source.startswith(("/", "http:", "https:")):
        return source
    return f"{root[:-1] if root.endswith('/') else root}/{source}"


def _is_start(c: str) -> bool:
    return c in "$_" or c.isidentifier()


def _is_continue(c: str) -> bool:
    return c in "$_\u200c\u200d" or ("a" + c).isidentifier()


def _strip_identifier(text: str) -> str | None:
    """The identifier ``text`` starts with; ``None`` if it does not start with one."""
    if not text or not _is_start(text[0]):
        return None
    end = 1
    while end < len(text) and _is_continue(text[end]):
        end += 1
    return text[:end]


def _is_identifier(name: str) -> bool:
    return _strip_identifier(name) == name


def _word_at(source: SourceView, line: int, col: int, word: str) -> bool:
    """Whether the identifier at 0-based (``line``, UTF-16 ``col``) of the minified source
    is ``word`` (an identifier), as rust-sourcemap's ``get_javascript_token`` reads one:
    the first whitespace-separated word from there."""
    lines = source._lines
    if line >= len(lines):
        return False
    text = lines[line]
    offset = source._char_index(line, col)
    if offset >= len(text):
        return False
    start = _SPACE.match(text, offset).end()  # type: ignore[union-attr]
    if not text.startswith(word, start):
        return False
    end = start + len(word)
    return end == len(text) or not _is_continue(text[end])


# -- SourceMapCache --------------------------------------------------------------------


class SourceMapCacheToken:
    """A token looked up in a ``SourceMapCache``: 1-based, with context lines."""

    line: int
    col: int
    src: str | None
    name: str | None
    function_name: str | None
    context_line: str | None
    pre_context: list[str]
    post_context: list[str]

    def __repr__(self) -> str:
        return f"<SourceMapCacheToken {self.src}:{self.line:d}>"


def _parsed(data: bytes) -> tuple[View, bool]:
    """The view of map JSON as symbolic reads it, and whether symbolic takes it for a
    Hermes map: a regular map with function maps (`x_facebook_sources`; rust-sourcemap's
    `SourceMapHermes`). An index map is flattened, and never one (its sections' function
    maps are dropped by the flattening symbolic does)."""
    parsed = from_json(data, auto_flatten=False, raise_for_index=False, strict=_RULES)
    if isinstance(parsed, Index):
        parsed.close()
        return View.from_json(data, strict=_RULES), False
    return parsed, parsed.has_function_maps


#: Parsed maps and wrapped sources, by content: what an event's frames share.
_MAP_VIEWS = ContentCache(SourceMapView._parse)
_SOURCE_VIEWS = ContentCache(lambda data: SourceView(data.decode("utf-8", "replace")))
_MISSING: Any = object()


class SourceMapCache:
    """symbolic's ``SourceMapCache``: a minified file and its map, looked up 1-based
    with context lines and the name of the enclosing function."""

    def __init__(self, view: View, scopes: ScopeIndex | None, hermes: bool = False) -> None:
        self._view = view
        # Sources (sourceRoot joined as symbolic joins it) and names, as the view's.
        self._map = SourceMapView(view, hermes)
        # Context lines come from the core, which indexes a source's line feeds once.
        self._resolver = Resolver.for_view(view)
        # A Hermes map names scopes by its function maps: the minified source (bytecode,
        # usually empty) is not parsed, as symbolic does not parse it.
        self._hermes = hermes
        self._scopes = scopes

    @classmethod
    def from_bytes(cls, source_content: bytes, sourcemap_content: bytes) -> SourceMapCache:
        """A cache of the minified file ``source_content`` and its map."""
        for value in (source_content, sourcemap_content):
            if not isinstance(value, bytes):
                raise TypeError(
                    f"initializer for ctype 'char *' must be a bytes, not {type(value).__name__}"
                )
        # The minified source is parsed on a native thread while the map is parsed here.
        # A Hermes map names its functions itself: its parse (if one was started for a
        # JavaScript bundle) is left to finish unwaited; bytecode is never parsed.
        bytecode = source_content.startswith(HERMES_BYTECODE_MAGIC)
        pending = None if bytecode else start_scopes(source_content)
        try:
            try:
                view, hermes = _parsed(sourcemap_content)
            except SourceMapError as exc:
                # symbolic reads the map as text with invalid UTF-8 replaced (U+FFFD),
                # which only a map that failed to parse can hold: parsed again so.
                try:
                    lossy = sourcemap_content.decode("utf-8", "replace").encode()
                except UnicodeEncodeError:  # pragma: no cover - "replace" leaves none
                    lossy = sourcemap_content
                if lossy == sourcemap_content:
                    raise Unknown(f"sourcemap error: {exc}") from None
                try:
                    view, hermes = _parsed(lossy)
                except SourceMapError as again:
                    raise Unknown(f"sourcemap error: {again}") from None
            if hermes:
                return cls(view, None, hermes)
            if pending is None:
                pending = start_scopes(source_content)
            try:
                return cls(view, pending.index(view._get_ptr()))
            except SourceMapError as exc:  # the minified source's scopes overlap
                raise Unknown(f"scope index error: {exc}") from None
        finally:
            if pending is not None:
                pending.close()

    def lookup(self, line: int, col: int, context_lines: int) -> SourceMapCacheToken | None:
        """The original location of the 1-based position, with ``context_lines`` lines
        before and after it; ``None`` where the line has no mapped segment at or before
        the column. Column 0 (like symbolic, which subtracts 1 in 32 bits) is the end of
        the line."""
        line, col, context = _u32(line), _u32(col), _u32(context_lines)
        at = ((line - 1) & _U32, (col - 1) & _U32)
        # The last segment at or before the position on its line (of several at one
        # column the last, as the cache's binary search lands on it).
        fields = self._view.lookup_fields(*at, any_segment=True)
        if fields is None:
            return None
        fields = self._first_of_run(fields)
        dst_line, _, src_line, src_col, src_id, name_id, _ = fields
        if dst_line < at[0] or src_id == _U32:
            return None
        token = SourceMapCacheToken()
        token.line, token.col = (src_line + 1) & _U32, (src_col + 1) & _U32
        token.src = self._map._source(src_id)
        token.name = self._map._name(name_id)
        token.function_name = self._scope(dst_line, fields[1]) or None
        first = max(src_line - context, 0)
        lines = None
        if src_id < self._map.source_count:
            end = min(src_line + context + 1, _U32)
            lines = lf_lines(self._resolver, src_id, first, end)
        if lines is None:
            token.context_line, token.pre_context, token.post_context = None, [], []
        else:
            here = src_line - first
            token.context_line = lines[here] if here < len(lines) and lines[here] else None
            token.pre_context = lines[:here]
            token.post_context = lines[here + 1 :]
        return token

    def _first_of_run(self, fields: list[int]) -> list[int]:
        """symbolic's cache keeps a segment only where its original location (and scope)
        differs from the segment before it: a lookup answers the first of the run."""
        index, scope = fields[6], self._scope(fields[0], fields[1])
        while index > 0:
            previous = self._view.get_token_fields(index - 1)
            if (
                previous is None
                or _origin(previous) != _origin(fields)
                or self._scope(previous[0], previous[1]) != scope
            ):
                break
            index, fields = index - 1, previous
        return fields

    def _scope(self, line: int, col: int) -> str:
        """The name of the scope at a minified position, as symbolic's cache says it."""
        if self._hermes:
            # The function map's function around the segment at that position.
            fields = self._view.lookup_bound(line, col)
            name = None if fields is None else self._map._function_map_name(fields)
            return "<unknown>" if name is None else name
        scopes = self._scopes
        if not scopes:
            return "<unknown>"
        _, _, name = scopes.entry(scopes.at(line, col) or 0)
        return "<unknown>" if name is None else name or "<anonymous>"


def _origin(fields: list[int]) -> tuple[int, ...]:
    """Where a token maps to (source, line, column, name); nowhere for an unmapped one."""
    if fields[4] == _U32:
        return (_U32, _U32, _U32, fields[5])
    return tuple(fields[2:6])


# -- ProGuard --------------------------------------------------------------------------


class JavaStackFrame:
    """A Java frame (``symbolic.proguard.JavaStackFrame``)."""

    def __init__(
        self,
        class_name: str,
        method: str,
        line: int,
        file: str | None = None,
        parameters: str | None = None,
    ) -> None:
        self.class_name = class_name
        self.method = method
        self.file = file or None
        self.line = line
        self.parameters = parameters


class ProguardMapper:
    """A ProGuard/R8 mapping file (``symbolic.ProguardMapper``): classes, methods and
    frames found by parameter types over :class:`~libsourcemap.ProguardView`; frames by
    line as symbolic 13.9 (the ``proguard`` crate 5.9) retraces them, from the lines of
    the frame's class, found in the file when first asked for.

    Where ProguardView (like newer versions of the crate) answers otherwise: a frame's
    ``file`` is the ``sourceFile`` the mapping records for the frame's original class (its
    outer class's name for ``R8$$SyntheticClass``), else ``None``, never one made up
    from the class name; a method mapped without line ranges gives line 0 (or the
    original line its mapping names), not the frame's; a mapper opened without
    ``initialize_param_mapping`` finds nothing by parameter types."""

    def __init__(self, view: ProguardView, path: str, param_mapping: bool = True) -> None:
        self._view = view
        self._path = path
        self._param_mapping = param_mapping
        self._uuid: uuid.UUID | None = None
        self._data: bytes | mmap.mmap | None = None
        self._files: dict[str, str | None] = {}
        #: Per obfuscated class: its original name and its method lines.
        self._classes: dict[str, tuple[str, _Section] | None] = {}

    @classmethod
    def open(cls, path: str, initialize_param_mapping: bool = False) -> ProguardMapper:
        """Opens the mapping file at ``path``. Parameter mappings are built per query;
        without ``initialize_param_mapping`` a query by parameter types finds nothing,
        as symbolic's."""
        if not isinstance(path, str):
            raise TypeError(f"path must be str, not {type(path).__name__}")
        try:
            view = ProguardView.from_path(path)
        except BadIo as exc:
            raise IoError(str(exc)) from None
        except SourceMapError:  # not a mapping file: symbolic maps nothing either
            view = ProguardView.from_bytes(b"")
        return cls(view, path, bool(initialize_param_mapping))

    @property
    def uuid(self) -> uuid.UUID:
        """The file's UUID: version 5 of its bytes in the ``guardsquare.com`` namespace,
        as ProGuard's tools and Sentry name mapping files."""
        if self._uuid is None:
            digest = hashlib.sha1(_PROGUARD_NAMESPACE.bytes + self._bytes()).digest()
            self._uuid = uuid.UUID(bytes=digest[:16], version=5)
        return self._uuid

    @property
    def has_line_info(self) -> bool:
        return self._view.has_line_info

    def remap_class(self, klass: str) -> str | None:
        """The original name of an obfuscated class; ``None`` if unknown."""
        return self._view.remap_class(klass) or None

    def remap_method(self, klass: str, method: str) -> tuple[str, str] | None:
        """The original class and method, where every mapping of the obfuscated name
        (those with line ranges, if any has one) has the same original method name."""
        found = self._class(_text(klass))
        if found is None:
            return None
        original, section = found
        members = _with_lines(section.methods.get(_text(method), []))
        if not members or any(m.name != members[0].name for m in members):
            return None
        return (original, members[0].name) if original and members[0].name else None

    def remap_frame(
        self, klass: str, method: str, line: int, parameters: str | None = None
    ) -> list[JavaStackFrame]:
        """The original frames of an obfuscated one, innermost first (inlining)."""
        for value in (klass, method, parameters):
            if value is not None and not isinstance(value, (str, bytes)):
                raise TypeError(f"expected str, not {type(value).__name__}")
        if not isinstance(line, int):
            raise TypeError(f"an integer is required, not {type(line).__name__}")
        if not 0 <= line <= _USIZE:
            raise OverflowError("integer out of range for 'size_t'")
        found = self._class(_text(klass))
        if found is None:
            return []
        original, section = found
        if parameters is not None:
            if not self._param_mapping:
                return []
            # symbolic 13.9's retracer gives a frame found by its parameters no line and
            # no file (newer ones give the member's first line and the class's file).
            typed = section.by_parameters.get((_text(method), _text(parameters)), [])
            return [JavaStackFrame(m.original_class or original, m.name, 0) for m in typed]
        members = _with_lines(section.methods.get(_text(method), []))
        frames = []
        for m in members:
            if m.endline > 0 and not m.startline <= line <= m.endline:
                continue
            if m.original_endline is None or m.original_endline == m.original_startline:
                number = m.original_startline
            else:  # usize arithmetic, as the crate's
                number = (m.original_startline + line - m.startline) & _USIZE
            name = m.original_class or original
            frames.append(JavaStackFrame(name, m.name, number, self._file(name)))
        return frames

    def _file(self, class_name: str) -> str | None:
        """A frame's file, as the crate 5.9 names it: its class's ``sourceFile`` (the
        outer class's name, no extension, for ``R8$$SyntheticClass``), else none."""
        file = self._source_file(class_name)
        if file == "R8$$SyntheticClass":
            return class_name.rsplit(".", 1)[-1].split("$", 1)[0]
        return file

    def _bytes(self) -> bytes | mmap.mmap:
        """The file's bytes (memory-mapped), read once; empty if it cannot be read."""
        if self._data is None:
            try:
                with open(self._path, "rb") as f:
                    try:
                        self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                    except ValueError:  # an empty file cannot be mapped
                        self._data = f.read()
            except OSError:
                self._data = b""
        return self._data

    def _source_file(self, original: str) -> str | None:
        """The ``sourceFile`` the mapping records for the class originally named
        ``original`` (its last class line, as the crate keeps the last), found in the
        file when first asked for."""
        if original not in self._files:
            self._files[original] = _source_file(self._bytes(), original)
        return self._files[original]

    def _class(self, klass: str) -> tuple[str, _Section] | None:
        """The original name of obfuscated class ``klass`` and its method lines, from its
        section of the file (the first), found by its class line."""
        if klass not in self._classes:
            self._classes[klass] = _class_section(self._bytes(), klass)
        return self._classes[klass]


_USIZE = 2**64 - 1
#: A method line as the crate 5.9 reads it: `[start:end:]type [class.]name(args)[:ostart
#: [:oend]] -> obfuscated`; a field line has no parentheses.
_MEMBER = re.compile(
    rb"    (?:(\d+):(\d+):)?[^ \r\n]+ ([^ (\r\n]+)\(([^)\r\n]*)\)"
    rb"(?::(\d+)(?::(\d+))?)? -> ([^\r\n]*)"
)
_FIELD = re.compile(rb"    [^ \r\n]+ [^ (\r\n]+ -> ")
#: A class line (`original -> obfuscated:`), which ends the section before it.
_CLASS_LINE = re.compile(rb"^[^ \t\r\n#][^ \r\n]* -> [^:\r\n]*:", re.M)


class _Member:
    """A method line of a class section, as the crate 5.9 keeps it."""

    __slots__ = (
        "ranged",
        "startline",
        "endline",
        "original_class",
        "name",
        "arguments",
        "original_startline",
        "original_endline",
    )

    def __init__(self, found: re.Match[bytes]) -> None:
        start, end, original, arguments, ostart, oend, _ = found.groups()
        # Without a line range: lines 0, no original end; with one, its original lines
        # default to it.
        self.ranged = start is not None
        self.startline = int(start) if start is not None else 0
        self.endline = int(end) if end is not None else 0
        if start is None:
            self.original_startline, self.original_endline = 0, None
        elif ostart is None:
            self.original_startline, self.original_endline = self.startline, self.endline
        else:
            self.original_startline = int(ostart)
            self.original_endline = None if oend is None else int(oend)
        owner, _, name = original.decode("utf-8", "replace").rpartition(".")
        self.original_class = owner or None
        self.name = name
        self.arguments = arguments.decode("utf-8", "replace")


class _Section:
    """A class's method lines: all of them by obfuscated name, in file order, and those a
    query by parameter types finds, by (obfuscated name, parameter types)."""

    def __init__(self) -> None:
        self.methods: dict[str, list[_Member]] = {}
        self.by_parameters: dict[tuple[str, str], list[_Member]] = {}


def _with_lines(members: list[_Member]) -> list[_Member]:
    """A method's mappings as the crate 5.9 retraces them: those without a line range
    give way to those with one, if any has one."""
    if any(m.endline > 0 for m in members):
        return [m for m in members if m.startline or m.endline]
    return members


def _class_section(data: bytes | mmap.mmap, klass: str) -> tuple[str, _Section] | None:
    """The original name of obfuscated class ``klass`` and its method lines: from the
    first class line that names it to the next class line."""
    needle = b" -> " + klass.encode("utf-8") + b":"
    at = data.find(needle)
    while at >= 0:
        start = data.rfind(b"\n", 0, at) + 1
        original = bytes(data[start:at])
        if original[:1] not in (b"", b"#") and not original[:1].isspace() and b" " not in original:
            end = _CLASS_LINE.search(data, at + len(needle))
            text = bytes(data[at + len(needle) : end.start() if end else len(data)])
            return original.decode("utf-8", "replace"), _section(text)
        at = data.find(needle, at + 1)
    return None


def _section(text: bytes) -> _Section:
    """The method lines of a class section's text (after its class line). A method a
    query by parameter types finds is each (name, parameter types, original) once, but
    for one whose next record is a method line of the same line range (code inlined
    into it, which no trace shows)."""
    section = _Section()
    records: list[tuple[str, _Member] | None] = []  # methods; None for other records
    for line in text.split(b"\n")[1:]:
        line = line.rstrip(b"\r")
        stripped = line.lstrip()
        if not stripped:
            continue
        if stripped.startswith(b"#"):
            if not stripped[1:].lstrip().startswith(b"{"):
                records.append(None)  # a `# key: value` header is a record; R8's are not
            continue
        found = _MEMBER.fullmatch(line)
        if found is not None:
            obfuscated = found.group(7).decode("utf-8", "replace")
            member = _Member(found)
            records.append((obfuscated, member))
            section.methods.setdefault(obfuscated, []).append(member)
        elif _FIELD.match(line):
            records.append(None)
    seen: set[tuple[str, str, str]] = set()
    for at, record in enumerate(records):
        if record is None:
            continue
        obfuscated, member = record
        following = records[at + 1] if at + 1 < len(records) else None
        if member.ranged and following is not None and following[1].ranged:
            if (following[1].startline, following[1].endline) == (
                member.startline,
                member.endline,
            ):
                continue
        key = (obfuscated, member.arguments, member.name)
        if key not in seen:
            seen.add(key)
            section.by_parameters.setdefault(key[:2], []).append(member)
    return section


def _text(value: str | bytes) -> str:
    """A name as symbolic hands it on: ``str``, or UTF-8 bytes."""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _source_file(data: bytes | mmap.mmap, original: str) -> str | None:
    """The ``fileName`` of the ``{"id":"sourceFile"}`` header of the last class line of
    ``original``: of the R8 headers right after it (blank lines between them skipped, any
    other line ending them), the last such."""
    needle = b"\n" + original.encode("utf-8") + b" -> "
    at = data.rfind(needle)
    while True:
        if at < 0:
            if not data[: len(needle) - 1] == needle[1:]:
                return None
            start = 0  # the file's first line
        else:
            start = at + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if bytes(data[start:end]).rstrip().endswith(b":"):
            break
        if at < 0:
            return None
        at = data.rfind(needle, 0, at)
    found = None
    while end < len(data):
        start, end = end + 1, data.find(b"\n", end + 1)
        end = len(data) if end < 0 else end
        line = bytes(data[start:end]).strip()
        if not line:
            continue
        if not line.startswith(b"#") or not line[1:].lstrip().startswith(b"{"):
            break
        found = _header_file(line) or found
    return found


def _header_file(header: bytes) -> str | None:
    """The ``fileName`` of an R8 ``sourceFile`` header line (``# {...}``); ``None`` for
    another line or a header the crate does not read (its file name escaped)."""
    if not header.startswith(b"#"):
        return None
    text = header[1:].strip()
    if not text.startswith(b"{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("id") != "sourceFile":
        return None
    name = value.get("fileName")
    if not isinstance(name, str) or f'"{name}"'.encode() not in text:
        return None  # the crate borrows the name: one written with escapes fails to read
    return name
