"""``ViewCache``: parsed views by the bytes they were parsed from.

A view is immutable, so two parses of the same bytes may share one: a program that
parses the same map again for every frame of an event (as error trackers' processors
do) parses it once. The cache is *content*-addressed: the same bytes given again as
another object find the view too, because entries are keyed by the input's length and a
sample of it, and a candidate is only taken when its bytes are equal to the input's
(one ``memcmp``, about a millisecond for a 14 MB map). It is bounded by the input bytes
its views keep alive, least recently used first out; a view dropped from the cache is
freed once nobody else holds it. Any number of threads may use one cache: a map being
parsed by one thread is waited for by the others, not parsed twice.

Views from a cache are shared: never ``close()`` one (the cache and its other users
still read it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ._native import rule_flags, to_bytes
from .view import View

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: Bytes of the input sampled for the key, from its start, middle and end: enough to tell
#: maps of one length apart without reading megabytes.
_SAMPLE = 4096
#: What a cache keeps by default: the input bytes of its views (their tables add about a
#: third to that).
DEFAULT_MAX_BYTES = 256 << 20


def content_key(data: bytes) -> tuple[int, int]:
    """The key of ``data`` for a content-addressed cache: its length and a hash of a
    sample of it (equal keys are only candidates: the bytes decide)."""
    size = len(data)
    if size <= 3 * _SAMPLE:
        return size, hash(data)
    middle = size // 2
    sample = data[:_SAMPLE] + data[middle : middle + _SAMPLE] + data[-_SAMPLE:]
    return size, hash(sample)


class ContentCache:
    """Values made from bytes by ``make``, by the content of the bytes (see the module
    documentation): bounded by ``max_bytes`` of input kept, thread-safe, each value made
    once per content."""

    def __init__(self, make: Callable[..., Any], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must not be negative")
        self._make = make
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], list[tuple[bytes, Any]]] = OrderedDict()
        self._kept = 0
        self._lock = threading.Lock()
        self._making: dict[tuple[Any, ...], threading.Lock] = {}

    def get(self, data: bytes, *variant: Any) -> Any:
        """The value for ``data`` (made with ``make(data, *variant)`` on a miss)."""
        key = (*content_key(data), *variant)
        found = self._find(key, data)
        if found is not None:
            return found[0]
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:  # one maker per key; the others wait for its value
            found = self._find(key, data)
            if found is not None:
                return found[0]
            value = self._make(data, *variant)
            self._store(key, data, value)
        with self._lock:
            self._making.pop(key, None)
        return value

    def _find(self, key: tuple[Any, ...], data: bytes) -> tuple[Any] | None:
        with self._lock:
            candidates = self._entries.get(key)
            if candidates is None:
                return None
            self._entries.move_to_end(key)
            candidates = list(candidates)
        for stored, value in candidates:
            if stored is data or stored == data:  # outside the lock: a memcmp of megabytes
                return (value,)
        return None

    def _store(self, key: tuple[Any, ...], data: bytes, value: Any) -> None:
        if len(data) > self.max_bytes:
            return  # larger than the whole cache: made, handed out, not kept
        with self._lock:
            self._entries.setdefault(key, []).append((data, value))
            self._entries.move_to_end(key)
            self._kept += len(data)
            while self._kept > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._kept -= sum(len(stored) for stored, _ in dropped)

    @property
    def kept_bytes(self) -> int:
        """Input bytes the cached values keep alive."""
        return self._kept

    def __len__(self) -> int:
        with self._lock:
            return sum(len(candidates) for candidates in self._entries.values())

    def clear(self) -> None:
        """Drops every value (each is freed once nobody else holds it)."""
        with self._lock:
            self._entries.clear()
            self._kept = 0


class ViewCache:
    """Views parsed from source map JSON, shared by content: ``cache.from_json(data)``
    parses ``data`` once, and gives the same :class:`View` for equal bytes afterwards
    (whatever object holds them). Bounded by ``max_bytes`` of input (least recently used
    views dropped first), thread-safe. Views from a cache are shared: do not close
    them."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._cache = ContentCache(_parse, max_bytes)

    def from_json(
        self, buffer: bytes | bytearray | memoryview | str, strict: bool | int = False
    ) -> View:
        """As :meth:`View.from_json`, parsed once per content and rule set."""
        data = to_bytes(buffer, "buffer")
        view: View = self._cache.get(data, rule_flags(strict))
        return view

    @property
    def max_bytes(self) -> int:
        return self._cache.max_bytes

    @property
    def kept_bytes(self) -> int:
        """Input bytes the cached views keep alive (they borrow their input)."""
        return self._cache.kept_bytes

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> None:
        """Drops every view (each is freed once nobody else holds it)."""
        self._cache.clear()


def _parse(data: bytes, flags: int) -> View:
    return View.from_json(data, strict=flags)
