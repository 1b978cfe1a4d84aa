"""One self-contained HTML page that shows a source map: the generated code beside the
original sources, every mapping's span coloured, its partner highlighted on hover or click.

The page needs no network and no server (it opens from ``file://``), so it can be attached
to a bug report or kept next to a build. Its data is one JSON document in a
``<script type="application/json">`` block, with ``<``, ``>`` and ``&`` escaped so that no
text from the map or the files can end the block; the page's script puts every such text
into the DOM with ``textContent``, and a Content-Security-Policy with the hashes of the
page's own script and style forbids every other script, style and fetch. The mappings go
in as the map's VLQ text and are decoded in the page into typed arrays, and the page draws
only the lines and columns on screen, so a 14 MB map with megabyte-long minified lines
opens in about a second (docs/visualize.md has the measurements).

A map that cannot be read gives a page that says why, not an exception: a page is what
was asked for, and the reason is what its reader needs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from functools import cache
from importlib import resources
from typing import Any, Callable, Union

from .. import View, __version__
from ..discovery import discover, from_data_url
from ..errors import InvalidSourceMap, SourceMapError

__all__ = ["render_page", "write_page"]

Buffer = Union[bytes, bytearray, memoryview, str]
PathLike = Union[str, "os.PathLike[str]"]

#: The first bytes of a memdb cache (see docs/memdb.md): such input is opened as one.
_MEMDB_MAGIC = b"LSMMEMDB"


def render_page(
    source_map: Buffer | View | None,
    minified: Buffer | None = None,
    title: str | None = None,
    *,
    minified_name: str | None = None,
) -> str:
    """The page for ``source_map`` as one HTML document (a ``str``).

    ``source_map``: the map's JSON (``bytes``/``str``), memdb bytes, a :class:`View`, or
    ``None`` to read the inline ``data:`` map of ``minified``; JavaScript with an inline
    map is also accepted here, and is then the minified file too unless one is given.
    ``minified``: the generated file the map describes; without it the page lists each
    generated line's segments instead of showing the code. Bytes that are not UTF-8 are
    decoded with replacement characters (the page says so). ``title`` defaults to the
    map's ``file``; ``minified_name`` (shown above the generated code) to it too.
    """
    return _assemble(_page_data(source_map, minified, title, minified_name)).decode("utf-8")


def write_page(
    source_map: Buffer | View | None,
    minified: Buffer | None,
    out_path: PathLike,
    title: str | None = None,
    *,
    minified_name: str | None = None,
) -> str | None:
    """Writes :func:`render_page`'s page to ``out_path`` (UTF-8). Returns ``None``, or
    the message of the error that kept the map from being read (the page then shows it)."""
    data = _page_data(source_map, minified, title, minified_name)
    with open(out_path, "wb") as out:
        out.write(_assemble(data))
    error = data.get("error")
    return None if error is None else str(error["message"])


# -- the data the page reads ----------------------------------------------------------------


def _decode(data: Buffer, what: str, notes: list[str]) -> str:
    """Text for the page: ``str`` as it is, bytes as UTF-8 with replacement characters
    (noted once, so that the reader knows the U+FFFD they see were not in the file)."""
    if isinstance(data, str):
        return data
    raw = bytes(data)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        notes.append(f"{what} is not valid UTF-8: shown with replacement characters (U+FFFD)")
        return raw.decode("utf-8", "replace")


def _open(
    source_map: Buffer | View | None, minified: Buffer | None
) -> tuple[View, Buffer | None, Callable[[], object] | None, bool]:
    """The view; the minified file (possibly found to be ``source_map`` itself); a
    function that reads the map again under every rule of ECMA-426 (``None``: no JSON to
    check, a view or a memdb); and whether the view is ours to close. Raises
    :class:`SourceMapError` for a map that cannot be read."""
    if isinstance(source_map, View):
        return source_map, minified, None, False
    if source_map is None:
        if minified is None:
            raise TypeError("render_page needs a source map or a minified file")
        return _inline(minified, minified)
    raw = source_map.encode("utf-8") if isinstance(source_map, str) else bytes(source_map)
    if raw.startswith(_MEMDB_MAGIC):
        return View.from_memdb(raw), minified, None, True
    head = raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head and not head.startswith((b"{", b")]}")) and discover(raw) is not None:
        # JavaScript with an inline map (`libsourcemap visualize app.min.js`).
        return _inline(raw, raw if minified is None else minified)
    return View.from_json(raw), minified, lambda: View.from_json(raw, strict=True), True


def _inline(
    generated: Buffer, minified: Buffer
) -> tuple[View, Buffer | None, Callable[[], object] | None, bool]:
    url = discover(generated if isinstance(generated, str) else bytes(generated))
    if url is None:
        raise InvalidSourceMap("the minified file has no sourceMappingURL comment")
    if not url.startswith("data:"):
        raise InvalidSourceMap(
            f"the minified file's map is not inline ({url[:200]}): pass the map itself"
        )
    view = from_data_url(url)
    if not isinstance(view, View):  # an index map that cannot be flattened
        raise InvalidSourceMap("the inline map is an index map with external sections")
    return view, minified, lambda: from_data_url(url, strict=True), True


def _strict_check(read_strictly: Callable[[], object] | None) -> dict[str, Any]:
    """Whether the map passes strict ECMA-426 validation, and the first violation if not;
    not checked without JSON (a view, a memdb). The page shows it in its summary:
    libsourcemap reads leniently what other readers may refuse."""
    if read_strictly is None:
        return {"checked": False, "problem": None}
    try:
        parsed = read_strictly()
    except SourceMapError as exc:
        return {"checked": True, "problem": str(exc.message)}
    if isinstance(parsed, View):
        parsed.close()
    return {"checked": True, "problem": None}


def _page_data(
    source_map: Buffer | View | None,
    minified: Buffer | None,
    title: str | None,
    minified_name: str | None,
) -> dict[str, Any]:
    notes: list[str] = []
    try:
        view, minified, read_strictly, owned = _open(source_map, minified)
    except SourceMapError as exc:
        return {
            "title": title or "Source map",
            "error": {"kind": type(exc).__name__, "message": str(exc.message)},
            "notes": notes,
        }
    try:
        return _view_data(view, minified, minified_name, read_strictly, title, notes)
    finally:
        if owned:
            view.close()


def _view_data(
    view: View,
    minified: Buffer | None,
    minified_name: str | None,
    read_strictly: Callable[[], object] | None,
    title: str | None,
    notes: list[str],
) -> dict[str, Any]:
    # The view's own JSON without contents: its mappings are exactly its tokens (an index
    # map flattened, a lenient map's text re-encoded), and a few MB at most to parse.
    written = json.loads(view.to_json(with_source_contents=False))
    count = view.get_source_count()
    contents: list[str | None] = []
    for src_id in range(count):
        text = view.get_source_contents(src_id)
        name = view.get_source_name(src_id) or f"source #{src_id}"
        contents.append(None if text is None else _decode(text, f"the contents of {name}", notes))
    file = view.file
    named = file or minified_name
    return {
        "title": title or (f"Source map of {named}" if named else "Source map"),
        "error": None,
        "file": file,
        "debugId": view.debug_id,
        "strict": _strict_check(read_strictly),
        "sources": [view.get_source_name(i) for i in range(count)],
        "contents": contents,
        "ignoreList": view.ignore_list,
        "names": written.get("names", []),
        "mappings": written.get("mappings", ""),
        "minified": None if minified is None else _decode(minified, "the minified file", notes),
        "minifiedName": minified_name,
        "notes": notes,
    }


# -- the page -------------------------------------------------------------------------------


def _json_for_script(data: dict[str, Any]) -> bytes:
    """JSON (UTF-8) that is safe inside ``<script type="application/json">``: ``<`` cannot
    open ``</script>`` or ``<!--``, and ``>`` and ``&`` go too (no parser state to reason
    about). In JSON text these can only be inside strings, where ``\\u003c`` means the
    same character to ``JSON.parse``. Replaced in the UTF-8 bytes: three passes over a
    str holding any non-ASCII character cost 10 times as much."""
    # A lone surrogate (a `str` argument can hold one) can only be inside a JSON string,
    # where its backslash escape is what JSON.parse reads back.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = text.encode("utf-8", "backslashreplace")
    return raw.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")


@cache
def _asset(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text("utf-8")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


@cache
def _shell() -> tuple[bytes, bytes]:
    """The page around its data: the template with the style, the script and a
    Content-Security-Policy that allows just those two (by hash) and nothing else."""
    style, script = _asset("page.css"), _asset("page.js")
    csp = (
        f"default-src 'none'; script-src 'sha256-{_sha256(script)}'; "
        f"style-src 'sha256-{_sha256(style)}'; base-uri 'none'; "
        "form-action 'none'"
    )
    page = (
        _asset("template.html")
        .replace("{{CSP}}", csp)
        .replace("{{VERSION}}", __version__)
        .replace("{{STYLE}}", style)
        .replace("{{SCRIPT}}", script)
    )
    before, after = page.split("{{DATA}}")
    return before.encode("utf-8"), after.encode("utf-8")


def _assemble(data: dict[str, Any]) -> bytes:
    before, after = _shell()
    return b"".join((before, _json_for_script(data), after))
