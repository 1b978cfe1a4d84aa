"""Finding a generated file's source map: ``sourceMappingURL`` comments and ``data:`` URLs
(ECMA-426, "Linking generated code to source maps")."""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import unquote_to_bytes

from .errors import InvalidSourceMap
from .index import Index, from_json
from .view import View

_MARKER = "sourceMappingURL="
# `//# sourceMappingURL=<url>` (and the legacy `//@`) running to the end of its line, or
# `/*# sourceMappingURL=<url> */` as CSS writes it. Matched only on lines that hold the
# marker, so scanning a large bundle costs one reverse search per candidate.
_LINE_COMMENT = re.compile(r"//[#@][ \t]+sourceMappingURL=([^\s'\"]+)[ \t]*$")
_BLOCK_COMMENT = re.compile(r"/\*[#@][ \t]+sourceMappingURL=([^\s*]+)[ \t]*\*/[ \t]*$")


def discover(source: str | bytes) -> str | None:
    """The ``sourceMappingURL`` of a JavaScript or CSS file, or ``None``.

    Recognises ``//# sourceMappingURL=...``, the legacy ``//@`` form, and
    ``/*# sourceMappingURL=... */``; when several are present, the last one wins.
    """
    text = _text(source)
    end = len(text)
    while True:
        at = text.rfind(_MARKER, 0, end)
        if at < 0:
            return None
        line_start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        line_end = min(i for i in (text.find("\n", at), text.find("\r", at), len(text)) if i >= 0)
        line = text[line_start:line_end]
        match = _LINE_COMMENT.search(line) or _BLOCK_COMMENT.search(line)
        if match:
            return match.group(1)
        end = at


_DEBUG_ID_MARKER = "debugId="
# `//# debugId=<id>`, as `sentry-cli sourcemaps inject` and the bundler plugins write it: a
# UUID (with or without dashes, any case) running to the end of its line.
_DEBUG_ID_COMMENT = re.compile(r"//#[ \t]+debugId=([0-9A-Fa-f-]{32,36})[ \t]*$")


def discover_debug_id(source: str | bytes) -> str | None:
    """The debug ID a generated file declares with a ``//# debugId=<uuid>`` comment
    (ECMA-426's debug ID proposal; what ``sentry-cli sourcemaps inject`` writes), in its
    canonical form (lower case, dashed); ``None`` without one. The last such comment
    wins; one whose value is not a UUID counts as none."""
    text = _text(source)
    end = len(text)
    while True:
        at = text.rfind(_DEBUG_ID_MARKER, 0, end)
        if at < 0:
            return None
        line_start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
        line_end = min(i for i in (text.find("\n", at), text.find("\r", at), len(text)) if i >= 0)
        match = _DEBUG_ID_COMMENT.search(text[line_start:line_end])
        if match:
            return canonical_debug_id(match.group(1))
        end = at


def canonical_debug_id(value: str) -> str | None:
    """A debug ID as ``8-4-4-4-12`` lower-case hex (how Sentry writes them), from any case,
    with or without dashes; ``None`` if it is not 32 hex digits (a debug ID may carry an
    appendix after them, as symbolic's do: it is dropped)."""
    digits = value.strip().replace("-", "").lower()[:32]
    if len(digits) != 32 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _text(source: str | bytes) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source).decode("utf-8", "replace")
    if isinstance(source, str):
        return source
    raise TypeError(f"source must be str or bytes, not {type(source).__name__}")


_DATA_URL = re.compile(r"data:([^,]*),(.*)", re.S)


def from_data_url(url: str, strict: bool = False) -> View | Index:
    """Loads a source map from a ``data:`` URL, as found in an inline ``sourceMappingURL``:
    ``data:application/json;base64,...`` or ``data:application/json;charset=utf-8,...``
    (percent-encoded). Returns what :func:`from_json` returns.

    Raises :class:`InvalidSourceMap` for a URL that is not a JSON ``data:`` URL.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be str, not {type(url).__name__}")
    match = _DATA_URL.fullmatch(url.strip())
    if not match:
        raise InvalidSourceMap(f"not a data: URL: {url[:60]!r}")
    media_type, *params = (part.strip().lower() for part in match.group(1).split(";"))
    if media_type != "application/json":
        raise InvalidSourceMap(f"data: URL media type must be application/json, got {media_type!r}")
    is_base64 = "base64" in params
    for param in params:
        if param.startswith("charset=") and param not in ("charset=utf-8", "charset=utf8"):
            raise InvalidSourceMap(f"data: URL charset must be utf-8, got {param[8:]!r}")
    payload = match.group(2)
    if is_base64:
        try:
            data = base64.b64decode(unquote_to_bytes(payload), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidSourceMap(f"bad base64 in data: URL: {exc}") from None
    else:
        data = unquote_to_bytes(payload)
    return from_json(data, strict=strict)
