"""How a source name is resolved against the map that lists it, exactly as the JavaScript
tooling resolves it (``@jridgewell/resolve-uri``, which ``trace-mapping`` and
``remapping`` use): ``remap`` must hand its loader the very names that ``remapping``
hands its own, and list the same names in its output.

Not WHATWG URL resolution: relative paths stay relative (``../a`` keeps its ``..``),
``.`` and ``..`` segments are folded, empty segments dropped, and query and hash kept.
Checked against the JavaScript package over thousands of generated cases
(tests/test_remap.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["resolve", "directory_of"]

# What an input is, in increasing order of how much of a URL it carries; a relative input
# takes everything from its base down to its own kind.
EMPTY, HASH, QUERY, RELATIVE_PATH, ABSOLUTE_PATH, SCHEME_RELATIVE, ABSOLUTE = range(1, 8)

# JavaScript's `.` stops at any of its four line terminators.
_REST = r"[^\n\r\u2028\u2029]*"
_SCHEME = re.compile(r"^[\w+.-]+://", re.ASCII)
_URL = re.compile(
    r"^([\w+.-]+:)//([^@/#?]*@)?(\[[^\]]+\]|[^:/#?]*)(:\d+)?(/[^#?]*)?(\?[^#]*)?(#" + _REST + ")?",
    re.ASCII,
)
# file: URLs need not have `//`, may lack the leading `/`, and have a host only when the
# path does not start with a drive letter.
_FILE_URL = re.compile(
    r"^file:(?://((?![a-z]:)[^/#?]*)?)?(/?[^#?]*)(\?[^#]*)?(#" + _REST + ")?",
    re.ASCII | re.IGNORECASE,
)


@dataclass
class _Url:
    kind: int
    scheme: str = ""
    user: str = ""
    host: str = ""
    port: str = ""
    path: str = "/"
    query: str = ""
    hash: str = ""


def _absolute(text: str, kind: int) -> _Url:
    match = _URL.match(text)
    assert match is not None  # every group but the scheme is optional
    scheme, user, host, port, path, query, hash_ = match.groups()
    return _Url(kind, scheme, user or "", host, port or "", path or "/", query or "", hash_ or "")


def _parse(text: str) -> _Url:
    if text.startswith("//"):
        url = _absolute("http:" + text, SCHEME_RELATIVE)
        url.scheme = ""
        return url
    if text.startswith("/"):
        url = _absolute("http://host" + text, ABSOLUTE_PATH)
        url.scheme = url.host = ""
        return url
    if text.startswith("file:"):
        match = _FILE_URL.match(text)
        assert match is not None
        host, path, query, hash_ = match.groups()
        path = path if path.startswith("/") else "/" + path
        return _Url(ABSOLUTE, "file:", "", host or "", "", path, query or "", hash_ or "")
    if _SCHEME.match(text):
        return _absolute(text, ABSOLUTE)
    url = _absolute("http://host/" + text, RELATIVE_PATH)
    url.scheme = url.host = ""
    if not text:
        url.kind = EMPTY
    elif text[0] == "?":
        url.kind = QUERY
    elif text[0] == "#":
        url.kind = HASH
    return url


def _normalized(path: str, kind: int) -> str:
    """``path`` (starting with ``/``) with ``.``, ``..`` and empty segments folded; excess
    ``..`` kept only in relative paths. A trailing ``/`` stays when the path ended in a
    directory (an empty last segment, or a folded ``..``)."""
    kept: list[str] = []
    directories = 0  # real directories in `kept` that a `..` may fold
    trailing_slash = False
    for segment in path.split("/")[1:]:
        if not segment:
            trailing_slash = True
            continue
        trailing_slash = False
        if segment == ".":
            continue
        if segment == "..":
            if directories:
                kept.pop()
                directories -= 1
                trailing_slash = True
            elif kind <= RELATIVE_PATH:
                kept.append(segment)
            continue
        kept.append(segment)
        directories += 1
    result = "".join("/" + segment for segment in kept)
    if not result or (trailing_slash and not result.endswith("/..")):
        result += "/"
    return result


def _starts_relative(text: str) -> bool:
    return text[:1] in (".", "?", "#") and text != ""


def directory_of(path: str) -> str:
    """Everything up to and including the last ``/`` (``""`` if none): what a map's own
    name contributes to resolving its sources."""
    return path[: path.rfind("/") + 1]


def resolve(text: str, base: str) -> str:
    """``text`` resolved against ``base`` (both may be URLs, absolute or relative paths)."""
    if not text and not base:
        return ""
    url = _parse(text)
    kind = url.kind
    if base and kind != ABSOLUTE:
        base_url = _parse(base)
        if kind <= EMPTY:
            url.hash = base_url.hash
        if kind <= HASH:
            url.query = base_url.query
        if kind <= RELATIVE_PATH:
            base_url.path = _normalized(base_url.path, base_url.kind)
            if url.path == "/":
                url.path = base_url.path
            else:
                base_dir = base_url.path
                if not base_dir.endswith("/.."):
                    base_dir = directory_of(base_dir)
                url.path = base_dir + url.path
        if kind <= ABSOLUTE_PATH:
            url.user, url.host, url.port = base_url.user, base_url.host, base_url.port
        url.scheme = base_url.scheme
        kind = max(kind, base_url.kind)
    path = _normalized(url.path, kind)
    query_hash = url.query + url.hash
    if kind in (HASH, QUERY):
        return query_hash
    if kind == RELATIVE_PATH:
        relative = path[1:]
        if not relative:
            return query_hash or "."
        if _starts_relative(base or text) and not _starts_relative(relative):
            return "./" + relative + query_hash
        return relative + query_hash
    if kind == ABSOLUTE_PATH:
        return path + query_hash
    return url.scheme + "//" + url.user + url.host + url.port + path + query_hash
