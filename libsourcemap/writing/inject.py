"""``inject_debug_id``: what ``sentry-cli sourcemaps inject`` does to a minified file and
its map, byte for byte, so that the result is accepted wherever sentry-cli's is::

    code, map_json, debug_id = inject_debug_id(open("app.min.js", "rb").read(),
                                               open("app.min.js.map", "rb").read())

- The debug ID is the map's own ``debugId`` if it has one, else derived from the bytes
  of the code and the map (see :func:`debug_id_from_bytes`; sentry-cli 3.8's derivation,
  which differs from earlier versions' map-only hash); a file without a map gets one from
  its own bytes.
- The code gets sentry-cli's snippet (which registers the ID at run time) on a line of its
  own after any hashbang, leading comments and ``"use strict";``, and a
  ``//# debugId=`` comment at the end; the map's segments move down the two lines the
  snippet adds, and the map is written as sentry-cli writes it (rust-sourcemap's fields
  and order, ``debugId`` set). Without a map the snippet goes at the end instead, so that
  no position moves.
- Code that already has a ``//# debugId=`` comment is returned unchanged, with its ID.

Index maps, maps embedded as data URLs and React Native maps (with function maps), which
sentry-cli also handles, are not supported here (:class:`InvalidArgument`).
"""

from __future__ import annotations

import hashlib
import re
import uuid

from .._native import ffi, lib, rule_flags, rustcall, scratch, take_buffer
from ..errors import InvalidArgument
from ..index import Index, parse_json

__all__ = ["inject_debug_id", "debug_id_from_bytes", "SNIPPET"]

#: sentry-cli's snippet, with ``{debug_id}`` where the ID goes.
SNIPPET = (
    '!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?'
    'global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},'
    "n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},"
    'e._sentryDebugIds[n]="{debug_id}")}catch(e){}}();'
)

# Unicode White_Space, which sentry-cli's `\s` means (Python's `\s` also takes \x1c-\x1f).
_WS = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Where the snippet goes: after a hashbang line, a run of whitespace, block comments and
# line comments, and one string-literal directive (`"use strict";`).
_BEFORE_SNIPPET = re.compile(
    r"(#!.*[\n\r])?(?:[" + _WS + r"]+|/\*[\s\S]*?\*/|//.*[\n\r])*"
    r"""(?:"[^"]*";|'[^']*';[\n\r]?)?"""
)
_DEBUG_ID_COMMENT = b"//# debugId="
_FIRST_WORD = re.compile(rb"[ \t\n\x0c\r]*([^ \t\n\x0c\r]*)")
_SOURCE_MAPPING_URL = re.compile(rb"^//[#@] sourceMappingURL=")


def debug_id_from_bytes(code: bytes, source_map: bytes | None = None) -> str:
    """sentry-cli's (3.8) debug ID for a file and its map: the first 16 bytes of a SHA-1
    as a UUID with version 5 and the RFC 4122 variant. Of the file alone without a map;
    with one, of ``b"js"``, the code's length (8 bytes, little-endian), the code,
    ``b"sourcemap"``, the map's length and the map (so that files with byte-identical maps
    get different IDs)."""
    if source_map is None:
        data = code
    else:
        data = b"".join(
            (b"js", len(code).to_bytes(8, "little"), code)
            + (b"sourcemap", len(source_map).to_bytes(8, "little"), source_map)
        )
    return str(uuid.UUID(bytes=hashlib.sha1(data).digest()[:16], version=5))


def existing_debug_id(code: bytes) -> str | None:
    """The ID of the last ``//# debugId=`` comment, as sentry-cli finds it (``None`` if
    there is none or its value is not a UUID)."""
    position = code.rfind(_DEBUG_ID_COMMENT)
    if position == -1:
        return None
    # Its value: up to the next ASCII whitespace (Rust's: no \x0b), leading ones skipped.
    value = _FIRST_WORD.match(code, position + len(_DEBUG_ID_COMMENT))
    try:
        return str(uuid.UUID(value.group(1).decode("ascii"))) if value else None
    except (ValueError, UnicodeDecodeError):
        return None


def inject_debug_id(code: bytes, source_map: bytes | str | None) -> tuple[bytes, bytes | None, str]:
    """``(code, map, debug_id)`` after injection, as ``sentry-cli sourcemaps inject``
    writes them. ``source_map`` is the map file's contents (its bytes give the debug ID),
    or ``None`` for a file without one (then the returned map is ``None`` too).

    Raises :class:`InvalidArgument` for code that is not UTF-8 (sentry-cli refuses it
    too), a map ``debugId`` that is not a UUID, or an index map; a map that does not
    parse raises what :meth:`View.from_json` raises."""
    if not isinstance(code, bytes):
        raise TypeError(f"code must be bytes, not {type(code).__name__}")
    if isinstance(source_map, str):
        source_map = source_map.encode("utf-8", "surrogatepass")
    if source_map is not None and not isinstance(source_map, bytes):
        raise TypeError(f"source_map must be bytes, str or None, not {type(source_map).__name__}")
    try:
        text = code.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidArgument(f"the code is not UTF-8: {error}") from None
    existing = existing_debug_id(code)
    if existing is not None:
        return code, source_map, existing
    if source_map is None:
        debug_id = debug_id_from_bytes(code)
        return _snippet_at_end(code, debug_id), None, debug_id

    view = parse_json(source_map, rule_flags(False))  # one parse tells an index map too
    if isinstance(view, Index):
        view.close()
        raise InvalidArgument("index maps are not supported by inject_debug_id")
    if view.has_function_maps or view.is_bytecode_map:
        # sentry-cli writes these through rust-sourcemap's Hermes encoder, which this
        # does not follow: refused rather than written without the function maps.
        raise InvalidArgument(
            "React Native / Hermes maps (x_facebook_sources) are not supported by inject_debug_id"
        )
    if view.debug_id:
        debug_id = _normalized(view.debug_id)
    else:
        debug_id = debug_id_from_bytes(code, source_map)
    prefix = _BEFORE_SNIPPET.match(text)
    assert prefix is not None  # every part is optional
    at = len(text[: prefix.end()].encode("utf-8"))
    if at == len(code):
        # Code that is all comments and directives: sentry-cli's edit finds no code
        # after the point and puts the snippet at the very start instead.
        at = 0
    snippet = SNIPPET.replace("{debug_id}", debug_id).encode()
    new_code = b"%s\n%s\n%s\n//# debugId=%s\n" % (code[:at], snippet, code[at:], debug_id.encode())
    identifier = debug_id.encode()
    size = scratch.size
    buf = rustcall(
        lib.lsm_view_injected_map,
        view._get_ptr(),
        ffi.from_buffer(code),
        len(code),
        at,
        identifier,
        len(identifier),
        # rust-sourcemap, which sentry-cli writes with, reads `ignoreList` only.
        int(b'"ignoreList"' in source_map),
        size,
    )
    return new_code, take_buffer(buf, size[0]), debug_id


def _normalized(debug_id: str) -> str:
    try:
        return str(uuid.UUID(debug_id))
    except ValueError:
        raise InvalidArgument(f"the map's debugId is not a UUID: {debug_id!r}") from None


def _snippet_at_end(code: bytes, debug_id: str) -> bytes:
    """sentry-cli's injection for a file without a map: every line kept (``\\r\\n`` read as
    a line end and written as ``\\n``), the snippet after them, then the last
    ``sourceMappingURL`` comment moved below it, then the ``debugId`` comment."""
    lines = code.split(b"\n")
    last = lines.pop()  # after the last \n: a line only if it has something
    lines = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    if last:
        lines.append(last)
    comment = None
    for index in range(len(lines) - 1, -1, -1):
        if _SOURCE_MAPPING_URL.match(lines[index]):
            comment = lines.pop(index)
            break
    lines.append(SNIPPET.replace("{debug_id}", debug_id).encode())
    if comment is not None:
        lines.append(comment)
    lines.append(b"//# debugId=" + debug_id.encode())
    return b"".join(line + b"\n" for line in lines)
