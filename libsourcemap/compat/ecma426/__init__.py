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

#: UTF-8's byte order mark: the core reads past one; Python's json, so ecma426, refuses it.
_BOM = b"\xef\xbb\xbf"


def _strip_xssi_prefix(text: str) -> str:
    if text.startswith(")]}"):
        return text.split("\n", 1)[1]
    return text


def loads(s: str | bytes) -> MappingIndex:
    """A :class:`MappingIndex` of source map JSON (``str`` or UTF-8 ``bytes``, with or
    without the ``)]}'`` prefix).

    As ecma426's: a byte order mark is a ``json.JSONDecodeError`` ("Unexpected UTF-8 BOM"),
    a lone surrogate escape stays a lone surrogate in ``sources`` and names, and a line's
    segments stay in the order written (see :mod:`.model`)."""
    if isinstance(s, bytes):
        data = s
        if not data.isascii():
            data.decode("utf-8")  # invalid UTF-8 is a UnicodeDecodeError, as in ecma426
        if data.startswith(b")]}"):
            data = data.split(b"\n", 1)[1]
    else:
        text = _strip_xssi_prefix(s)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate character (not an escape): Python's json reads it as it is.
            return decode(json.loads(text))
    if data.startswith(_BOM):
        return decode(json.loads(data.decode("utf-8")))  # "Unexpected UTF-8 BOM"
    try:
        parsed = from_json(data, auto_flatten=False, raise_for_index=False, strict=_FAST)
        index_map = not isinstance(parsed, View)
        view = parsed if isinstance(parsed, View) else parsed.into_view()
    except SourceMapError:
        # A str, as ecma426 parses (json.loads of bytes would guess UTF-16 and -32 too).
        return decode(json.loads(data.decode("utf-8")))
    return MappingIndex._over(view, data, index_map)
