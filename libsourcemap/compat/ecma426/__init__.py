"""A drop-in for ``ecma426`` 0.2.0 (Bugsink's source map package)::

    from libsourcemap.compat import ecma426

    index = ecma426.loads(map_bytes)
    mapping = index.lookup_left(line0, col0)  # .source, .original_line, .original_column, .name

``loads`` parses in libsourcemap's core and builds no Python object per segment: a
``Mapping`` is made when a lookup or iteration asks for one. ``decode``, ``encode`` and
the ``codec``, ``model`` and ``vlq`` modules work on Python objects, as ecma426's do.
The answers are ecma426's (its own test suite runs against this package in
tests/test_compat_ecma426.py); see docs/migration.md for the differences that remain.
"""

from __future__ import annotations

import json

from ... import Rules, SourceMapError, View, from_json
from .codec import decode, encode
from .model import Mapping, MappingIndex

__all__ = ["loads", "decode", "encode", "Mapping", "MappingIndex"]

#: Everything ECMA-426 asks of a map, which covers everything ecma426 checks: a map this
#: accepts, ecma426 accepts with the same segments. What it refuses goes to ``decode``,
#: which refuses it the way ecma426 does, or decodes it (absent ``version``, ``sources``,
#: ``names`` or ``mappings``; fields ecma426 does not read).
_FAST = Rules.STRICT


def _strip_xssi_prefix(text: str) -> str:
    if text.startswith(")]}"):
        return text.split("\n", 1)[1]
    return text


def loads(s: str | bytes) -> MappingIndex:
    """A :class:`MappingIndex` of source map JSON (``str`` or UTF-8 ``bytes``, with or
    without the ``)]}'`` prefix)."""
    if isinstance(s, bytes):
        data = s
        if not data.isascii():
            data.decode("utf-8")  # invalid UTF-8 is a UnicodeDecodeError, as in ecma426
        if data.startswith(b")]}"):
            data = data.split(b"\n", 1)[1]
    else:
        data = _strip_xssi_prefix(s).encode("utf-8", "surrogatepass")
    try:
        parsed = from_json(data, auto_flatten=False, raise_for_index=False, strict=_FAST)
        # ecma426 lists no sources for an index map.
        view, sources = (
            (parsed, _sources(parsed)) if isinstance(parsed, View) else (parsed.into_view(), [])
        )
    except SourceMapError:
        return decode(json.loads(data))
    return MappingIndex._over(view, data, sources)


def _sources(view: View) -> list[str | None]:
    return [view.get_raw_source_name(i) for i in range(view.get_source_count())]
