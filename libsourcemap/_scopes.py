"""symbolic's scope index of a minified source (for :mod:`libsourcemap.compat.symbolic` and
:meth:`Resolver.scope_names`): js-source-scopes' naming of the minified code, each
identifier mapped through the map's ``names``.

The core parses the source on a parser thread from :func:`start_scopes` on, so a caller
parses the map meanwhile; :meth:`PendingScopes.index` waits for it and names the scopes.
The index stays packed in one buffer (sorted keys searched in place, names decoded when
asked): a big bundle has tens of thousands of scopes, and a tuple each would cost more
than finding them.
"""

from __future__ import annotations

from bisect import bisect_right

from ._native import RustObject, lib, rustcall, scratch, take_buffer, to_bytes

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from typing import Any

    from .view import Buffer

__all__ = ["PendingScopes", "ScopeIndex", "start_scopes"]


class PendingScopes(RustObject):
    """A minified source being parsed for its scopes (on a native parser thread)."""

    __slots__ = ()
    _free = lib.lsm_scopes_free
    _kind = "scope collection"

    def index(self, view_ptr: Any) -> ScopeIndex:
        """The scope index, names resolved through the view behind ``view_ptr`` (a
        native handle; waits for the parse)."""
        size = scratch.size
        buf = rustcall(lib.lsm_scopes_index, self._get_ptr(), view_ptr, size)
        return ScopeIndex(take_buffer(buf, size[0]))


def start_scopes(minified_source: Buffer) -> PendingScopes:
    """Starts parsing ``minified_source`` for its scopes and returns at once."""
    source = to_bytes(minified_source, "minified_source")
    return PendingScopes._from_ptr(rustcall(lib.lsm_scopes_start, source, len(source)))


class ScopeIndex:
    """Where each scope's name takes over: from an entry's (line, col) on, until the
    next entry's, the scope is that entry's (0-based, UTF-16 columns)."""

    __slots__ = ("_keys", "_ends", "_kinds", "_names")

    def __init__(self, data: bytes) -> None:
        count = int.from_bytes(data[:4], "little")
        keys_end = 8 + 8 * count
        ends_end = keys_end + 4 * count
        view = memoryview(data)
        self._keys = view[8:keys_end].cast("Q")
        self._ends = view[keys_end:ends_end].cast("I")
        self._kinds = data[ends_end : ends_end + count]
        self._names = data[ends_end + count :]

    def __len__(self) -> int:
        return len(self._kinds)

    def entry(self, i: int) -> tuple[int, int, str | None]:
        """Entry ``i``: ``(line, col, name)``, name ``""`` for an anonymous scope and
        ``None`` outside every scope."""
        key, kind = self._keys[i], self._kinds[i]
        start = self._ends[i - 1] if i else 0
        name = self._names[start : self._ends[i]].decode("utf-8", "replace")
        return key >> 32, key & 0xFFFFFFFF, name if kind == 2 else "" if kind == 1 else None

    def at(self, line: int, col: int) -> int | None:
        """The number of the entry in force at (line, col); ``None`` before the first."""
        i = bisect_right(self._keys, line << 32 | col) - 1
        return i if i >= 0 else None

    def entries(self) -> list[tuple[int, int, str | None]]:
        return [self.entry(i) for i in range(len(self))]
