"""``Resolver``: the symbolication engine over one :class:`~libsourcemap.View`.

A view is a map's tables and lookups. A resolver adds what turning a stack frame back
into original code needs: the original function name around a position (from the
minified source's function table, or the original source parsed around the mapped
position), context lines, and whole frames resolved in one native call. It keeps what it
parses for its life. Every view has one on demand (:meth:`Resolver.of`), which is what
the view's own frame methods use.
"""

from __future__ import annotations

from array import array

from ._native import (
    NONE,
    RustObject,
    call_str,
    ffi,
    lib,
    raise_error,
    rustcall,
    scratch,
    take_buffer,
    take_dump,
    to_bytes,
    valid_u32,
)
from ._scopes import start_scopes
from .frames import Frame, StackFrame, split_context

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, Union

    from .view import View

    Buffer = Union[bytes, bytearray, memoryview, str]

_new_frame = tuple.__new__
# Attribute access on an ABI-mode library object costs ~0.5 us: hot functions bound once.
_resolve_frames = lib.lsm_resolver_resolve_frames
_get_source_name = lib.lsm_view_get_source_name
_buffer_free = lib.lsm_buffer_free
_unpack = ffi.unpack
_RECORD = 8  # uint32 fields per frame in lsm_resolver_resolve_frames' header
_EMPTY: list[str] = []
# A resolved frame's last fields: error, abs_path, sourcemap, resolved_with (those three
# are a Symbolicator's), symbolicated, context_error.
_RESOLVED = (None, None, None, None, True, None)
_NO_CALLERS: tuple[Frame, ...] = ()
#: The bit of a record's `found` that marks a frame the map's scopes hide (outlined), and
#: the rest: 1 + the number of its inlined callers (rust/src/engine/frames.rs).
_HIDDEN = 1 << 31
_FOUND = _HIDDEN - 1


class Resolver(RustObject):
    """Function names, context lines and resolved frames for one view.

    Made with :meth:`for_view`, or taken from :meth:`of` (the view's own). It shares the view's
    native tables, so it stays usable when the view is closed, and is safe to share
    between threads; parsing runs without the GIL, on up to four threads.
    """

    __slots__ = ("_view_ptr", "_sources")
    _view_ptr: Any
    _sources: dict[int, str | None]
    _free = lib.lsm_resolver_free
    _kind = "resolver"

    @staticmethod
    def of(view: View) -> Resolver:
        """The view's own resolver, made on first use: the one the view's frame methods
        (``get_original_function_name``, ``resolve_frame(s)``, ...) use, and where a
        minified source attached to the view keeps its function table."""
        resolver: Resolver = view._own_resolver()
        return resolver

    @staticmethod
    def for_view(view: View) -> Resolver:
        """A new resolver over ``view`` (one with nothing parsed yet)."""
        view_ptr = view._get_ptr()
        ptr = rustcall(lib.lsm_resolver_new, view_ptr)
        return Resolver._over(ptr, view_ptr, view._sources)

    @staticmethod
    def _over(ptr: Any, view_ptr: Any, sources: dict[int, str | None]) -> Resolver:
        # The view's handle is kept alive with the resolver: its destructor holds the
        # input bytes that the shared native view borrows.
        resolver = Resolver._from_ptr(ptr, keepalive=view_ptr)
        resolver._view_ptr = view_ptr
        resolver._sources = sources  # the view's decoded source names, shared
        return resolver

    def attach_minified_source(self, source: Buffer) -> None:
        """Parses the minified JavaScript the map belongs to and keeps its function table
        (each function's range and the original name its name maps to): later function
        name lookups need no parsing, and :meth:`dump_memdb` stores the table. Once per
        resolver; ``InvalidArgument`` after that, ``BadSource`` if it does not parse."""
        data = to_bytes(source, "minified_source")
        rustcall(lib.lsm_resolver_attach_minified_source, self._get_ptr(), data, len(data))

    @property
    def has_function_table(self) -> bool:
        """Whether a minified source is attached (or the view's memdb stored a table)."""
        return bool(rustcall(lib.lsm_resolver_has_function_table, self._get_ptr()))

    def get_original_function_name(self, line: int, col: int) -> str | None:
        """The original name of the function around 0-based generated (``line``,
        ``col``), or ``None`` (anonymous, top level, or not found): from the function
        table, else from the original source parsed around the mapped position."""
        if not (valid_u32(line) and valid_u32(col)):
            return None
        size = scratch.size
        ptr = self._get_ptr()
        buf = rustcall(lib.lsm_resolver_get_original_function_name, ptr, line, col, size)
        return _owned_text(buf, size[0])

    def resolve_frame(
        self, lineno: int, colno: int, function: str | None = None, context_lines: int = 5
    ) -> Frame | None:
        """Maps a stack frame's 1-based ``lineno``/``colno`` (as JS engines print them)
        to a :class:`Frame` in the original source, with the original function name and
        ``context_lines`` lines of context each side; ``None`` if the position does not
        map. ``function`` is the frame's function name as printed, kept on the result as
        ``minified_function``."""
        if not (isinstance(lineno, int) and isinstance(colno, int)):
            raise TypeError("lineno and colno must be integers")
        if not _frame_ok(lineno, colno):
            return None
        position = scratch.position
        position[0] = lineno - 1
        position[1] = colno - 1
        return self._call(position, 1, [function], [None], [True], None, context_lines)[0]

    def resolve_frames(
        self,
        frames: Iterable[tuple[int, int] | tuple[int, int, str | None]],
        minified_source: Buffer | None = None,
        context_lines: int = 5,
    ) -> list[Frame | None]:
        """:meth:`resolve_frame` for many 1-based ``(lineno, colno[, function])`` frames
        in one native call, one result per frame, in order.

        First parses, at the same time on the machine's cores (at most four threads),
        what the frames' function names need: ``minified_source`` (attached as by
        :meth:`attach_minified_source`, unless there is a function table already) and
        the original sources (``sourcesContent``) the frames land in; no other source is
        parsed. A ``minified_source`` that cannot be parsed is skipped (``BadSource`` is
        not raised): names then come from ``sourcesContent`` alone."""
        items = [(f[0], f[1], f[2] if len(f) > 2 else None) for f in frames]
        positions, valid = frame_positions((lineno, colno) for lineno, colno, _ in items)
        functions = [function for _, _, function in items]
        minified: list[StackFrame | None] = [None] * len(items)
        pairs = ffi.from_buffer("uint32_t[]", positions)
        count = len(positions) // 2
        return self._call(pairs, count, functions, minified, valid, minified_source, context_lines)

    def resolve_stack_frames(
        self,
        frames: Sequence[StackFrame],
        minified_source: Buffer | None = None,
        context_lines: int = 5,
    ) -> list[Frame | None]:
        """:meth:`resolve_frames` for parsed :class:`StackFrame` s (for example from
        :func:`~libsourcemap.parse_stacktrace`): each result keeps its frame as
        ``minified``. Frames without a line and column resolve to ``None``."""
        positions, valid = frame_positions((f.line or 0, f.column or 0) for f in frames)
        functions = [f.function for f in frames]
        printed: list[StackFrame | None] = list(frames)
        pairs = ffi.from_buffer("uint32_t[]", positions)
        count = len(positions) // 2
        return self._call(pairs, count, functions, printed, valid, minified_source, context_lines)

    def _call(
        self,
        pairs: Any,
        count: int,
        functions: list[str | None],
        minified: list[StackFrame | None],
        valid: list[bool],
        minified_source: Buffer | None,
        context_lines: int,
    ) -> list[Frame | None]:
        """``lsm_resolver_resolve_frames`` over ``count`` 0-based pairs at ``pairs``."""
        if minified_source is None:
            source, length = ffi.NULL, 0
        else:
            source = to_bytes(minified_source, "minified_source")
            length = len(source)
        ptr = self._ptr
        if ptr is None:
            ptr = self._get_ptr()  # raises ClosedError
        # `rustcall` and `take_buffer` written out: this runs once per frame for callers
        # that resolve frames one at a time, where each Python call is a tenth of the cost.
        s = scratch
        size, err = s.size, s.err
        context = context_lines if 0 <= context_lines <= NONE else min(max(context_lines, 0), NONE)
        buf = _resolve_frames(ptr, source, length, pairs, count, context, size, err)
        if err.failed:
            raise_error(err)
        try:
            data: bytes = _unpack(buf, size[0])
        finally:
            _buffer_free(buf)
        return self._frames(data, count, functions, minified, valid)

    def _frames(
        self,
        data: bytes,
        count: int,
        functions: list[str | None],
        minified: list[StackFrame | None],
        valid: list[bool],
    ) -> list[Frame | None]:
        """Frames from the records of ``lsm_resolver_resolve_frames`` (see the header):
        one record per position, then one per inlined caller, then their texts."""
        founds = memoryview(data)[: count * _RECORD * 4].cast("I")[::_RECORD].tolist()
        extra = sum((found & _FOUND) - 1 for found in founds if found & _FOUND > 1)
        header = memoryview(data)[: (count + extra) * _RECORD * 4].cast("I").tolist()
        text = [(count + extra) * _RECORD * 4]  # where the next record's text starts
        out: list[Frame | None] = []
        inlined: list[tuple[int, int]] = []  # (frame index, number of callers)
        record = 0
        for function, printed, ok in zip(functions, minified, valid):
            if not ok:
                out.append(None)
                continue
            fields = header[record : record + _RECORD]
            record += _RECORD
            if not fields[0]:
                out.append(None)
                continue
            found = fields[0] & _FOUND
            if found > 1:
                inlined.append((len(out), found - 1))
            out.append(self._frame(data, text, fields, function, printed))
        for index, callers in inlined:
            frames = []
            for _ in range(callers):
                fields = header[record : record + _RECORD]
                frames.append(self._frame(data, text, fields, None, None))
                record += _RECORD
            out[index] = out[index]._replace(inlined_callers=tuple(frames))  # type: ignore[union-attr]
        return out

    def _frame(
        self,
        data: bytes,
        text: list[int],
        fields: list[int],
        function: str | None,
        printed: StackFrame | None,
    ) -> Frame:
        """One frame from its record and the texts at ``text[0]`` (moved past them)."""
        found, src_id, line, col, name_len, fn_len, ctx_len, current = fields
        at = text[0]
        name = fn = None
        if name_len != NONE:
            name = data[at : at + name_len].decode("utf-8", "replace")
            at += name_len
        if fn_len != NONE:
            fn = data[at : at + fn_len].decode("utf-8", "replace")
            at += fn_len
        if current == NONE:
            pre, line_text, post = _EMPTY.copy(), None, _EMPTY.copy()
        else:
            lines = data[at : at + ctx_len].decode("utf-8", "replace").split("\n")
            pre, line_text, post = lines[:current], lines[current], lines[current + 1 : -1]
        text[0] = at + ctx_len
        sources = self._sources
        src = sources.get(src_id, _MISSING)
        if src is _MISSING:
            src = sources[src_id] = call_str(_get_source_name, self._view_ptr, src_id)
        return _new_frame(
            Frame,
            (src, line + 1, col + 1, fn, name, src_id, pre, line_text, post)
            + (function, printed)
            + _RESOLVED
            + (_NO_CALLERS, found >= _HIDDEN),
        )

    def get_context_lines(
        self, src_id: int | None, line: int, size: int = 5
    ) -> tuple[list[str], str | None, list[str]]:
        """``(pre_context, context_line, post_context)``: 0-based line ``line`` of source
        ``src_id``'s contents and up to ``size`` lines each side; empty when the source
        has no contents or ``line`` is past its end. Read from the line starts the core keeps:
        no whole-source work in Python."""
        if src_id is None or not (valid_u32(src_id) and valid_u32(line)):
            return [], None, []
        size = max(size, 0)
        first = max(line - size, 0)
        last = min(line + size + 1, NONE)
        out = scratch.size
        ptr = self._get_ptr()
        buf = rustcall(lib.lsm_resolver_get_source_lines, ptr, src_id, first, last, out)
        text = _owned_text(buf, out[0])
        if text is None:
            return [], None, []
        return split_context(text.split("\n")[:-1], line, size)

    def _lf_lines(self, src_id: int, first: int, end: int) -> list[str] | None:
        """Lines ``first..end`` (0-based, as many as exist) of source ``src_id``'s
        contents split at line feeds only, each keeping its ``\n``: the context lines of
        symbolic's ``SourceMapCache`` (for :mod:`libsourcemap.compat.symbolic`). ``None``
        if the source has no contents. Only these lines are unescaped."""
        size, ptr = scratch.size, self._get_ptr()
        buf = rustcall(lib.lsm_resolver_get_source_lf_lines, ptr, src_id, first, end, size)
        if buf == ffi.NULL:
            return None
        data = take_buffer(buf, size[0])
        count = int.from_bytes(data[:4], "little")
        at = 4 + 4 * count
        lines = []
        for length in memoryview(data)[4:at].cast("I"):
            lines.append(data[at : at + length].decode("utf-8", "replace"))
            at += length
        return lines

    def scope_names(self, minified_source: Buffer) -> list[tuple[int, int, str | None]]:
        """The scope index symbolic's ``SourceMapCache`` builds for ``minified_source``
        (Sentry's js-source-scopes rules: scopes of the minified code, named from where
        they are defined, each identifier mapped through the map's ``names``): entries
        ``(line, col, name)``, 0-based with UTF-16 columns and sorted, each saying that
        from there on, until the next entry, the scope is ``name`` (``""``: anonymous;
        ``None``: none). For ``libsourcemap.compat.symbolic``; the names V8 prints are
        :meth:`get_original_function_name`'s."""
        self._get_ptr()  # a closed resolver raises, as its other methods do
        pending = start_scopes(minified_source)
        try:
            return pending.index(self._view_ptr).entries()
        finally:
            pending.close()

    def dump_memdb(self, with_source_contents: bool = True, with_names: bool = True) -> bytes:
        """The view's memdb (see :meth:`View.dump_memdb`) with this resolver's function
        table: an attached one with every function named, else the view's own."""
        return take_dump(
            lib.lsm_resolver_dump_memdb, self._get_ptr(), with_source_contents, with_names
        )

    def __repr__(self) -> str:
        state = "closed" if self._ptr is None else f"function_table={self.has_function_table}"
        return f"<libsourcemap.Resolver {state}>"


_MISSING: Any = object()


def _owned_text(buf: Any, size: int) -> str | None:
    """An owned native string as ``str`` (freed here); ``None`` for NULL."""
    if buf == ffi.NULL:
        return None
    return take_buffer(buf, size).decode("utf-8", "replace")


def frame_positions(frames: Iterable[tuple[int, int]]) -> tuple[array[int], list[bool]]:
    """1-based ``(lineno, colno)`` frames as 0-based uint32 pairs for the native call,
    leaving out those outside 1..2^32-1; and, per frame, whether it was kept.
    ``TypeError`` for a position that is not an integer."""
    positions: array[int] = array("I")
    valid = []
    for lineno, colno in frames:
        if not (isinstance(lineno, int) and isinstance(colno, int)):
            raise TypeError("lineno and colno must be integers")
        ok = _frame_ok(lineno, colno)
        valid.append(ok)
        if ok:
            positions.extend((lineno - 1, colno - 1))
    return positions, valid


def _frame_ok(lineno: int, colno: int) -> bool:
    return bool(1 <= lineno <= NONE and 1 <= colno <= NONE)
