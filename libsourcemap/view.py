"""``View``: one source map, from JSON or from a memdb cache, and its ``Token``s."""

from __future__ import annotations

import os
import struct
from _thread import allocate_lock  # not `threading`: see _native.py
from array import array
from collections import namedtuple
from collections.abc import Sequence as _Sequence

from ._native import (
    NONE,
    RustObject,
    call_str,
    ffi,
    lib,
    pinned,
    rule_flags,
    rustcall,
    scratch,
    take_buffer,
    take_dump,
    to_bytes,
    valid_u32,
)
from .errors import BadIo, InvalidArgument, InvalidSourceMap, SourceMapError

# `typing` costs a fifth of `import libsourcemap`; annotations are strings (see the
# __future__ import), so it is only needed by type checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, Callable, NamedTuple, Union

    from .frames import Frame
    from .scopes import ScopeInfo

    Buffer = Union[bytes, bytearray, memoryview, str]
    PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

_tuple_new = tuple.__new__
_ZEROS = [0]
_TOKEN_FIELDS = 7  # uint32 fields in an lsm_token_t
# Marks "not decoded yet" in the string caches, where None is a real value (a null source).
_MISSING: Any = object()
_resolver_lock = allocate_lock()  # one resolver per view, even when two threads ask
# Attribute access on an ABI-mode library object costs ~0.5 us a call: bind hot functions once.
_lookup_fast = lib.lsm_view_lookup_fast
_lookup_segment_fast = lib.lsm_view_lookup_segment_fast
_lookup_bound_fast = lib.lsm_view_lookup_bound_fast
_lookup_token = lib.lsm_view_lookup_token
_get_token = lib.lsm_view_get_token
_get_name = lib.lsm_view_get_name
_get_source_name = lib.lsm_view_get_source_name

#: The first bytes of a Hermes bytecode file (its magic number, little-endian): what a
#: bytecode map's "minified file" starts with (it is not JavaScript to parse).
HERMES_BYTECODE_MAGIC = bytes.fromhex("c61fbc03c103191f")

_TOKEN_DOC = """One mapping: a generated (minified) position and the original position it maps to.

    All lines and columns are 0-based. ``src`` is the source resolved against the map's
    ``sourceRoot``. Tokens from unmapped segments (iteration only; lookups skip them) have
    ``src``, ``src_line``, ``src_col`` and ``src_id`` set to ``None``.
    """

if TYPE_CHECKING:

    class Token(NamedTuple):
        dst_line: int
        dst_col: int
        src: str | None
        src_line: int | None
        src_col: int | None
        src_id: int | None
        name: str | None

else:
    # The same class typing.NamedTuple would make, without importing typing at run time
    # (a fifth of `import libsourcemap`).
    Token = namedtuple("Token", "dst_line dst_col src src_line src_col src_id name")
    Token.__doc__ = _TOKEN_DOC


class View(RustObject):
    """A parsed source map.

    Create one with :meth:`from_json`, :meth:`from_memdb` or :meth:`from_memdb_file` (or
    :func:`libsourcemap.from_json`). A view is immutable and safe to share between
    threads; native work runs without the GIL.
    """

    __slots__ = ("_sources", "_names", "_resolver", "_scopes")
    _sources: dict[int, str | None]
    _names: dict[int, str | None]
    # The decoded `scopes` field, on first use (a tuple holding it, or None: not read yet).
    _scopes: tuple[ScopeInfo | None] | None
    # The view's own Resolver (libsourcemap.resolver), made on first use. The library
    # never imports the engine, not even for a type: `Resolver.of(view)` is typed.
    _resolver: Any
    _free = lib.lsm_view_free
    _kind = "view"

    @classmethod
    def _from_ptr(
        cls,
        ptr: Any,
        keepalive: object = None,
        recipe: tuple[Callable[..., Any], tuple[Any, ...]] | None = None,
    ) -> View:
        view = super()._from_ptr(ptr, keepalive, recipe)
        # Source names and names, decoded once each, on first use.
        view._sources = {}
        view._names = {}
        view._resolver = None
        view._scopes = None
        return view

    @staticmethod
    def from_json(
        buffer: Buffer,
        strict: bool | int = False,
        minified_source: Buffer | None = None,
        frames: Iterable[tuple[int, int]] = (),
    ) -> View:
        """Parses source map JSON. An index map is flattened when all its sections are
        embedded; otherwise :class:`IndexedSourceMap` is raised.

        ``strict=True`` rejects every violation of ECMA-426 with :class:`InvalidSourceMap`;
        a combination of :class:`~libsourcemap.Rules` flags enforces just those rules.

        ``minified_source``: the minified file the map belongs to, parsed on another
        thread while the map is, and attached as by :meth:`attach_minified_source`. A
        source that cannot be parsed is skipped, as by :meth:`resolve_frames`:
        ``has_function_table`` is then false and names come from ``sourcesContent``.
        ``frames`` (with a ``minified_source``): the 1-based ``(lineno, colno)`` of frames
        about to be resolved; the original sources they land in are parsed as soon as the
        map is, while the minified source still may be. Together, everything a fresh
        symbolication parses starts as soon as what it depends on is there.
        """
        data = to_bytes(buffer, "buffer")
        flags = rule_flags(strict)
        borrowed = pinned(data)
        if minified_source is None:
            ptr = rustcall(lib.lsm_view_from_json, borrowed, len(data), flags)
            return View._from_ptr(ptr, borrowed)
        # The engine, reached only when a minified source asks for it.
        from .resolver import Resolver, frame_positions

        source = to_bytes(minified_source, "minified_source")
        positions, _ = frame_positions(frames)
        resolver_ptr = rustcall(
            lib.lsm_resolver_from_json_with_source,
            borrowed,
            len(data),
            flags,
            source,
            len(source),
            ffi.from_buffer("uint32_t[]", positions),
            len(positions) // 2,
        )
        try:
            view = View._from_ptr(rustcall(lib.lsm_resolver_get_view, resolver_ptr), borrowed)
        except BaseException:
            lib.lsm_resolver_free(resolver_ptr)
            raise
        # The resolver that parsed the minified source is the view's own: it has the table.
        view._resolver = Resolver._over(resolver_ptr, view._ptr, view._sources)
        return view

    @staticmethod
    def from_memdb(buffer: bytes | bytearray | memoryview) -> View:
        """Opens memdb bytes (from :meth:`dump_memdb`); the tables are read in place."""
        if isinstance(buffer, str):
            raise TypeError("memdb data must be bytes, not str")
        data = to_bytes(buffer, "buffer")
        borrowed = pinned(data)
        ptr = rustcall(lib.lsm_view_from_memdb, borrowed, len(data))
        return View._from_ptr(ptr, borrowed, recipe=(View.from_memdb, (data,)))

    @staticmethod
    def from_memdb_file(path: PathLike) -> View:
        """Opens a memdb file: files over 1 MiB are memory-mapped (opening costs the same
        for any size; pages are read as lookups touch them), smaller ones are read."""
        raw = os.fsencode(path)
        if b"\0" in raw:
            raise ValueError("embedded null byte in path")
        try:
            ptr = rustcall(lib.lsm_view_from_memdb_file, raw, len(raw))
        except BadIo as exc:
            exc.filename = os.fsdecode(path)
            raise
        return View._from_ptr(ptr, recipe=(View.from_memdb_file, (os.fsdecode(path),)))

    # -- lookups ------------------------------------------------------------------------

    def lookup_token(self, line: int, col: int) -> Token | None:
        """The token for a 0-based generated position: the one with the greatest column
        <= ``col`` on line ``line``. ``None`` if the line has no such token, if that
        token is an unmapped segment, or if ``line``/``col`` are negative or too large.

        Where several segments share that column, the last mapped one answers: a mapped
        and an unmapped segment at one column map it (as trace-mapping, symbolic and
        0.8.2 read it), and of several mapped ones the last wins (0.8.2's rule;
        trace-mapping and symbolic take the first)."""
        # The hot path of the library: one 3-argument native call, one read of the
        # thread's token slot, no allocation besides the Token.
        ptr = self._ptr
        if ptr is None:
            ptr = self._get_ptr()
        raw = _fast_fields(_lookup_fast, ptr, line, col)
        return None if raw is None else self._token(ptr, raw)

    def lookup_bound(self, line: int, col: int) -> list[int] | None:
        """The raw fields (as :meth:`lookup_fields`) of the greatest lower bound of
        ``(line, col)`` among all segments, mapped or not: the last segment before it,
        on any line, or on an exact hit the *first* segment at ``(line, col)``. This is
        rust-sourcemap's lookup, what symbolic answers (``libsourcemap.compat.symbolic``);
        ``None`` only before the first segment."""
        ptr = self._ptr
        if ptr is None:
            ptr = self._get_ptr()
        return _fast_fields(_lookup_bound_fast, ptr, line, col)

    def lookup_bytecode(self, offset: int, line: int = 0) -> Token | None:
        """The token for a Hermes bytecode offset (0-based: what a Hermes stack trace
        prints after ``:1:``) in a bytecode map (one composed as React Native composes
        Metro's and hermesc's maps), found as ``metro-symbolicate`` finds it: of the
        segments on ``line`` at the greatest column at or before ``offset``, the first.
        ``None`` if there is none or it is unmapped."""
        if not (valid_u32(offset) and valid_u32(line)):
            return None
        ptr = self._get_ptr()
        token, _, fields = scratch.token_out
        if not rustcall(lib.lsm_view_lookup_bytecode, ptr, line, offset, token):
            return None
        raw = fields.tolist()
        return None if raw[2] == NONE else self._token(ptr, raw)

    @property
    def hermes_function_offsets(self) -> dict[int, list[int]] | None:
        """Hermes' ``x_hermes_function_offsets`` (bytecode segment id -> the offset where
        each function starts); ``None`` if the map has none. A map that has it is a
        bytecode map: its generated columns are bytecode offsets, and stack frames
        resolve through it as :meth:`lookup_bytecode` looks up."""
        text = call_str(lib.lsm_view_get_hermes_function_offsets, self._get_ptr())
        if text is None:
            return None
        import json

        try:
            value = json.loads(text)
            return {int(k): [int(o) for o in v] for k, v in value.items()}
        except (ValueError, TypeError, AttributeError):
            raise InvalidSourceMap(
                "x_hermes_function_offsets must map segment ids to lists of offsets"
            ) from None

    @property
    def scopes(self) -> ScopeInfo | None:
        """The map's ``scopes`` field (ECMA-426's scopes proposal), decoded: the scope
        tree of each original source and the generated ranges (see
        :mod:`libsourcemap.scopes`); ``None`` if the map has none. Decoded on first use
        and kept (the view is immutable).

        A field the proposal's decoding cannot read raises :class:`InvalidSourceMap`
        naming the item and its byte; the rest of the map stays usable. (A map parsed with
        ``strict=True`` has refused such a field already.) An index map's sections keep
        their scopes to themselves: a flattened index map has none."""
        cached = self._scopes
        if cached is not None:
            return cached[0]
        ptr = self._get_ptr()
        size = scratch.size
        buf = rustcall(lib.lsm_view_get_scopes, ptr, size)
        info = None
        if buf != ffi.NULL:
            from .scopes import ScopeInfo

            info = ScopeInfo.from_bytes(take_buffer(buf, size[0]), _NameList(self))
        self._scopes = (info,)
        return info

    @property
    def is_bytecode_map(self) -> bool:
        """Whether the map has ``x_hermes_function_offsets``: a Hermes bytecode map."""
        handle = self._get_ptr()
        size = scratch.size
        return bool(rustcall(lib.lsm_view_get_hermes_function_offsets, handle, size) != ffi.NULL)

    @property
    def has_function_maps(self) -> bool:
        """Whether any source has a React Native function map (``x_facebook_sources``):
        frames in such sources are named by it, as metro-symbolicate names them, and
        nothing is parsed for their names."""
        return bool(rustcall(lib.lsm_view_has_function_maps, self._get_ptr()))

    def get_source_function_name(self, src_id: int, line: int, col: int) -> str | None:
        """The function around 0-based original (``line``, ``col``) of source ``src_id``
        by the source's function map; ``None`` without one, or before its first
        function."""
        if not (valid_u32(src_id) and valid_u32(line) and valid_u32(col)):
            return None
        ptr = self._get_ptr()
        return call_str(lib.lsm_view_get_source_function_name, ptr, src_id, line, col)

    def lookup_tokens(self, positions: Iterable[tuple[int, int]]) -> list[Token | None]:
        """:meth:`lookup_token` for many 0-based ``(line, col)`` pairs in one native call;
        one result per pair, in order."""
        pairs = list(positions)
        try:
            flat = array("I", [v for line, col in pairs for v in (line, col)])
            invalid: set[int] = set()
        except OverflowError:
            # A negative or too large number in some pair: those pairs have no token.
            flat, invalid = _clamped_pairs(pairs)
        ptr = self._get_ptr()
        raw = self._lookup_many(ptr, flat).tolist()
        token = self._token
        results = [token(ptr, raw[i : i + 7]) for i in range(0, len(raw), 7)]
        for i in invalid:
            results[i] = None
        return results

    def lookup_raw(self, positions: bytes | bytearray | memoryview | array[int]) -> array[int]:
        """The batch lookup without building Python objects, for hot loops: ``positions``
        is a buffer of native uint32 ``line, col`` pairs (e.g. ``array("I")``); the
        result holds 7 uint32 per pair, in ``lsm_token_t`` order: ``dst_line, dst_col,
        src_line, src_col, src_id, name_id, index``, with ``src_id == NONE`` (0xFFFFFFFF)
        where the pair has no token. Resolve ids with :meth:`get_source_name` and
        :meth:`get_name`."""
        return self._lookup_many(self._get_ptr(), positions)

    def lookup_fields(self, line: int, col: int, any_segment: bool = False) -> list[int] | None:
        """The raw fields of the token :meth:`lookup_token` finds, without building a
        ``Token``: ``[dst_line, dst_col, src_line, src_col, src_id, name_id, index]``
        (``index``: its position in generated order); ``None`` where there is none. For
        drop-ins of other APIs and hot loops.

        ``any_segment=True``: the last segment at or before the column, mapped or not
        (``src_id`` is then :data:`NONE` for an unmapped one), where segments share a
        column the last of them; by default, as :meth:`lookup_token`, the last mapped."""
        ptr = self._ptr
        if ptr is None:
            ptr = self._get_ptr()
        return _fast_fields(_lookup_segment_fast if any_segment else _lookup_fast, ptr, line, col)

    def get_token_fields(self, idx: int) -> list[int] | None:
        """The raw fields (as :meth:`lookup_fields`) of token ``idx`` in generated order,
        unmapped segments included (their ``src_id`` is :data:`NONE`); ``None`` past the
        end."""
        if not valid_u32(idx):
            return None
        token, _, fields = scratch.token_out
        if not rustcall(_get_token, self._get_ptr(), idx, token):
            return None
        return fields.tolist()

    def get_tokens_fields(self, first: int, count: int) -> array[int]:
        """The raw fields of tokens ``first`` to ``first + count - 1`` (fewer past the
        end) in one native call: 7 ``uint32`` a token, as :meth:`get_token_fields` gives
        them one at a time. For walking a stretch of tokens without a call each."""
        if not (valid_u32(first) and valid_u32(count)):
            raise InvalidArgument("first and count must be in 0..2^32-1")
        ptr = self._get_ptr()
        count = min(count, max(len(self) - first, 0))
        out = array("I", _ZEROS) * (_TOKEN_FIELDS * count)
        if count:
            with ffi.from_buffer("lsm_token_t[]", out) as tokens:
                written = rustcall(lib.lsm_view_get_tokens, ptr, first, count, tokens)
            del out[_TOKEN_FIELDS * written :]
        return out

    @staticmethod
    def _lookup_many(ptr: Any, positions: Any) -> array[int]:
        if isinstance(positions, str):
            raise TypeError("positions must be a buffer of uint32, not str")
        if memoryview(positions).nbytes % 8:
            raise ValueError("positions must hold (line, col) pairs of uint32: 8 bytes each")
        # The caller's buffer is released as soon as the call returns or fails, not when a
        # traceback that holds this frame is collected (in any order, with the buffer).
        with ffi.from_buffer("uint32_t[]", positions) as pairs:
            count = len(pairs) // 2
            out = array("I", _ZEROS) * (_TOKEN_FIELDS * count)
            with ffi.from_buffer("lsm_token_t[]", out) as tokens:
                rustcall(lib.lsm_view_lookup_many, ptr, pairs, count, tokens)
        return out

    def _token(self, ptr: Any, raw: list[int]) -> Token | None:
        """A ``Token`` from the fields of an ``lsm_token_t``; ``None`` if unmapped.

        ``ptr`` is the handle the caller fetched: one call uses one pointer throughout, so
        a concurrent ``close()`` cannot pull it away mid-call."""
        dst_line, dst_col, src_line, src_col, src_id, name_id, _ = raw
        if src_id == NONE:
            return None
        src = self._sources.get(src_id, _MISSING)
        if src is _MISSING:
            src = self._source(ptr, src_id)
        if name_id == NONE:
            name = None
        else:
            name = self._names.get(name_id, _MISSING)
            if name is _MISSING:
                name = self._names[name_id] = call_str(_get_name, ptr, name_id)
        return _tuple_new(Token, (dst_line, dst_col, src, src_line, src_col, src_id, name))

    def _source(self, ptr: Any, src_id: int) -> str | None:
        """Decodes a source name once; later calls find it in ``self._sources``."""
        name = self._sources[src_id] = call_str(_get_source_name, ptr, src_id)
        return name

    def __len__(self) -> int:
        return rustcall(lib.lsm_view_get_token_count, self._get_ptr())  # type: ignore[no-any-return]

    def __getitem__(self, idx: int) -> Token:
        """The token at index ``idx`` in generated order (negative counts from the end)."""
        if not isinstance(idx, int):
            raise TypeError(f"token indices must be integers, not {type(idx).__name__}")
        ptr = self._get_ptr()
        if idx < 0:
            idx += len(self)
        if not 0 <= idx <= 0xFFFFFFFF:
            raise IndexError(idx)
        token, _, fields = scratch.token_out
        if not rustcall(_get_token, ptr, idx, token):
            raise IndexError(idx)
        raw = fields.tolist()
        mapped = self._token(ptr, raw)
        if mapped is None:
            return Token(raw[0], raw[1], None, None, None, None, None)
        return mapped

    def __iter__(self) -> Iterator[Token]:
        for idx in range(len(self)):
            yield self[idx]

    # -- sources ------------------------------------------------------------------------

    def get_source_count(self) -> int:
        return rustcall(lib.lsm_view_get_source_count, self._get_ptr())  # type: ignore[no-any-return]

    def get_source_name(self, src_id: int) -> str | None:
        """The source's name resolved against ``sourceRoot``; ``None`` for a null source
        or an id out of range."""
        if not valid_u32(src_id):
            return None
        if src_id in self._sources:
            return self._sources[src_id]
        return self._source(self._get_ptr(), src_id)

    def get_raw_source_name(self, src_id: int) -> str | None:
        """The source's name as the map writes it, before ``sourceRoot`` is applied."""
        if not valid_u32(src_id):
            return None
        return call_str(lib.lsm_view_get_raw_source_name, self._get_ptr(), src_id)

    def iter_sources(self) -> Iterator[tuple[int, str | None]]:
        """``(src_id, name)`` for every source."""
        for src_id in range(self.get_source_count()):
            yield src_id, self.get_source_name(src_id)

    def has_source_contents(self, src_id: int) -> bool:
        if not valid_u32(src_id):
            return False
        return bool(rustcall(lib.lsm_view_has_source_contents, self._get_ptr(), src_id))

    def get_source_contents(self, src_id: int) -> bytes | None:
        """The embedded source text (``sourcesContent``) as UTF-8 bytes, or ``None``."""
        if not valid_u32(src_id):
            return None
        s = scratch
        # The result may borrow from the view: `handle` keeps it alive until copied, even
        # if another thread closes the view meanwhile.
        handle = self._get_ptr()
        ptr = rustcall(lib.lsm_view_get_source_contents, handle, src_id, s.size, s.flag)
        if ptr == ffi.NULL:
            return None
        try:
            return ffi.unpack(ptr, s.size[0])  # type: ignore[no-any-return]
        finally:
            if s.flag[0]:
                lib.lsm_buffer_free(ffi.cast("char *", ptr))

    @property
    def file(self) -> str | None:
        """The map's ``file`` field."""
        return call_str(lib.lsm_view_get_file, self._get_ptr())

    @property
    def source_root(self) -> str | None:
        """The map's ``sourceRoot`` field (sources are already resolved against it)."""
        return call_str(lib.lsm_view_get_source_root, self._get_ptr())

    @property
    def debug_id(self) -> str | None:
        """The map's ``debugId`` (or the older ``debug_id``)."""
        return call_str(lib.lsm_view_get_debug_id, self._get_ptr())

    @property
    def ignore_list(self) -> list[int]:
        """Source ids the map marks as third-party (``ignoreList``, else
        ``x_google_ignoreList``); entries out of range are dropped unless ``strict``."""
        size = scratch.size
        handle = self._get_ptr()  # keeps the borrowed result alive until copied
        ptr = rustcall(lib.lsm_view_get_ignore_list, handle, size)
        raw: bytes = ffi.unpack(ptr, size[0])
        return list(struct.unpack(f"<{len(raw) // 4}I", raw))

    @property
    def name_count(self) -> int:
        return rustcall(lib.lsm_view_get_name_count, self._get_ptr())  # type: ignore[no-any-return]

    def get_name(self, name_id: int) -> str | None:
        """Entry ``name_id`` of the map's ``names``; ``None`` for an id out of range."""
        if not valid_u32(name_id):
            return None
        name = self._names.get(name_id, _MISSING)
        if name is _MISSING:
            name = self._names[name_id] = call_str(_get_name, self._get_ptr(), name_id)
        return name  # type: ignore[no-any-return]

    # -- function names and frames (the view's own resolver: the engine) ----------------

    def _own_resolver(self) -> Any:
        """The view's own :class:`~libsourcemap.Resolver` (see :meth:`Resolver.of`),
        made on first use; the engine is imported only then."""
        self._get_ptr()
        resolver = self._resolver
        if resolver is None:
            from .resolver import Resolver

            with _resolver_lock:
                resolver = self._resolver
                if resolver is None:
                    resolver = self._resolver = Resolver.for_view(self)
        return resolver

    def attach_minified_source(self, source: Buffer) -> None:
        """Attaches the minified JavaScript this map belongs to; see
        :meth:`Resolver.attach_minified_source`. Once per view."""
        self._own_resolver().attach_minified_source(source)

    @property
    def has_function_table(self) -> bool:
        """Whether a minified source is attached (or the memdb stored its table)."""
        return bool(self._own_resolver().has_function_table)

    def get_original_function_name(
        self,
        line: int,
        col: int,
        minified_name: str | None = None,
        minified_source: Buffer | None = None,
    ) -> str | None:
        """The original name of the function around 0-based generated (``line``,
        ``col``), or ``None`` (anonymous, top level, or not found).

        Found through the function table of the minified source: ``minified_source`` is
        attached on first use when the view has no table yet (later calls reuse it; see
        :meth:`attach_minified_source`). Where that gives no name, the original source
        from ``sourcesContent`` is parsed around the mapped position. ``minified_name`` is
        accepted for compatibility with 0.8.2 and not needed.
        """
        resolver = self._own_resolver()
        if minified_source is not None and not resolver.has_function_table:
            try:
                resolver.attach_minified_source(minified_source)
            except InvalidArgument:
                pass  # another thread attached it first
        name: str | None = resolver.get_original_function_name(line, col)
        return name

    def resolve_frame(
        self, lineno: int, colno: int, function: str | None = None, context_lines: int = 5
    ) -> Frame | None:
        """A stack frame's 1-based ``lineno``/``colno`` (as JS engines print them) as a
        :class:`Frame` of the original source; see :meth:`Resolver.resolve_frame`."""
        frame: Frame | None = self._own_resolver().resolve_frame(
            lineno, colno, function, context_lines
        )
        return frame

    def resolve_frames(
        self,
        frames: Iterable[tuple[int, int] | tuple[int, int, str | None]],
        minified_source: Buffer | None = None,
        context_lines: int = 5,
    ) -> list[Frame | None]:
        """Many 1-based ``(lineno, colno[, function])`` frames of this map resolved in one
        native call; see :meth:`Resolver.resolve_frames`."""
        resolved: list[Frame | None] = self._own_resolver().resolve_frames(
            frames, minified_source, context_lines
        )
        return resolved

    def get_context_lines(
        self, src_id: int | None, line: int, size: int = 5
    ) -> tuple[list[str], str | None, list[str]]:
        """``(pre_context, context_line, post_context)`` around 0-based line ``line`` of
        source ``src_id``; see :meth:`Resolver.get_context_lines`."""
        context: tuple[list[str], str | None, list[str]] = self._own_resolver().get_context_lines(
            src_id, line, size
        )
        return context

    # -- cache --------------------------------------------------------------------------

    def dump_memdb(self, with_source_contents: bool = True, with_names: bool = True) -> bytes:
        """Serializes the view into the memdb cache format (see docs/memdb.md), with the
        function table of an attached minified source."""
        resolver = self._resolver
        if resolver is not None:
            return bytes(resolver.dump_memdb(with_source_contents, with_names))
        ptr = self._get_ptr()
        return take_dump(lib.lsm_view_dump_memdb, ptr, with_source_contents, with_names)

    def to_json(self, with_source_contents: bool = True, with_names: bool = True) -> bytes:
        """The view as source map JSON (ECMA-426), whatever it was made from (JSON, an
        index map flattened, a memdb): ``version``, ``file``, ``sourceRoot``, ``sources``
        (as the map wrote them, before ``sourceRoot``), ``sourcesContent`` (where a source
        has contents, unless ``with_source_contents=False``), ``names`` (none with
        ``with_names=False``, and no segment names then), ``mappings``, ``ignoreList``,
        ``debugId``. The output passes ``strict=True`` and parses back to the same tokens,
        sources, contents and names. ``mappings`` is the text as read where the parser read
        it whole on its fast path (it is valid under every rule) and names are kept; else it
        is encoded from the tokens, so a map read leniently comes out valid."""
        return take_dump(lib.lsm_view_to_json, self._get_ptr(), with_source_contents, with_names)

    def dump_memdb_file(
        self, path: PathLike, with_source_contents: bool = True, with_names: bool = True
    ) -> None:
        """Writes the memdb cache to ``path`` atomically: to a temporary file in the same
        directory, then renamed over ``path``. Views that have the old file mapped keep
        reading it; a cache must never be rewritten in place (see docs/memdb.md)."""
        from ._files import write_atomically

        data = self.dump_memdb(with_source_contents, with_names)
        write_atomically(os.fsdecode(path), data, prefix=".memdb-")

    def close(self) -> None:
        """Releases the native memory (once no call is using it), with the view's
        resolver. Idempotent."""
        self._ptr = None
        self._resolver = None

    def _pickled(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        # A view made from JSON pickles as its memdb: opened in place when unpickled (no
        # parse), with the function table of an attached minified source resolved.
        return View.from_memdb, (self.dump_memdb(),)

    def _repr_html_(self) -> str:
        """The view as HTML tables, for notebooks (Jupyter)."""
        from ._html import view_html

        return view_html(self)

    def __repr__(self) -> str:
        if self._ptr is None:
            return "<libsourcemap.View (closed)>"
        return (
            f"<libsourcemap.View tokens={len(self)} sources={self.get_source_count()} "
            f"file={self.file!r}>"
        )


def _clamped_pairs(pairs: list[tuple[int, int]]) -> tuple[array[int], set[int]]:
    """``pairs`` flattened for the native call, with each pair that does not fit in uint32
    replaced by a position no map has; returns the indexes of those pairs too."""
    flat: array[int] = array("I")
    invalid = set()
    for i, (line, col) in enumerate(pairs):
        if 0 <= line <= NONE and 0 <= col <= NONE:
            flat.extend((line, col))
        else:
            flat.extend((NONE, NONE))
            invalid.add(i)
    return flat, invalid


class _NameList(_Sequence["str | None"]):
    """A view's ``names`` as a sequence read on demand (what ``ScopeInfo.from_words``
    takes): the scopes of a big map name a few of its names, not all."""

    __slots__ = ("_view", "_len")

    def __init__(self, view: View) -> None:
        self._view = view
        self._len = view.name_count

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> str | None:  # type: ignore[override]
        return self._view.get_name(index)


def _fast_fields(fast: Callable[..., int], ptr: Any, line: int, col: int) -> list[int] | None:
    """The token fields a fast lookup (``lsm_view_lookup_fast`` or ``..._segment_fast``)
    leaves in this thread's slot; ``None`` where there is no token or the position does
    not fit uint32. A failed lookup (a corrupt memdb) is repeated by the checked call,
    which raises its error."""
    try:
        status = fast(ptr, line, col)
    except OverflowError:
        return None
    if status == 2:
        return scratch.token_slot.tolist()
    if status == 0:
        token, _, _ = scratch.token_out
        rustcall(_lookup_token, ptr, line, col, token)
        # The checked lookup reads less than some fast ones: if it found nothing wrong,
        # the failure is still not an answer.
        raise SourceMapError(f"the lookup at {line}:{col} failed")
    return None
