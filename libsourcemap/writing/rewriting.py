"""``rewrite``: a map written again with changes a build or an upload step needs, in one
pass over the core's writer (``View.to_json``'s), never through Python objects::

    data = rewrite(open("app.min.js.map", "rb").read(),
                   with_source_contents=False,          # strip sourcesContent
                   source_root=None,                    # drop sourceRoot
                   ignore_sources=["node_modules/*"])   # add to ignoreList by glob
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Union

from .._native import NONE, ffi, lib, rustcall, scratch, take_buffer
from ..errors import InvalidArgument
from ..view import View

__all__ = ["rewrite", "KEEP"]


class _Keep(Enum):
    KEEP = "keep"


#: ``source_root=KEEP`` (the default): the map's own ``sourceRoot`` stays.
KEEP = _Keep.KEEP

SourceLoader = Callable[[str], Union[str, bytes, None]]


def rewrite(
    source_map: bytes | str | View,
    *,
    with_source_contents: bool = True,
    load_source: SourceLoader | None = None,
    source_root: str | None | _Keep = KEEP,
    with_names: bool = True,
    ignore_list: Iterable[int] | None = None,
    ignore_sources: Sequence[str] = (),
    sources: Sequence[str | None] | None = None,
) -> bytes:
    """The map as ECMA-426 JSON, changed:

    - ``with_source_contents=False`` strips ``sourcesContent``; ``load_source(name)``
      inlines the text of every source that has none (``None``: leave it without);
    - ``source_root``: ``KEEP``, ``None`` to drop it, or a new value (``sources`` are
      written as the map has them, so a new root changes what they resolve to);
    - ``with_names=False`` drops ``names`` and every segment's name;
    - ``ignore_list`` replaces the ignore list with these source ids; ``ignore_sources``
      adds the sources whose names (``sourceRoot`` applied) match any of these globs
      (``fnmatch``: ``*`` also matches ``/``);
    - ``sources`` renames the sources (one name or ``None`` per source, as written:
      ``sourceRoot`` still applies unless dropped).

    The output passes ``strict=True``. Bad arguments raise ``TypeError`` or
    :class:`InvalidArgument` before anything is written."""
    view = source_map if isinstance(source_map, View) else View.from_json(source_map)
    contents = _loaded_contents(view, load_source) if load_source is not None else []
    ignored = _ignored(view, ignore_list, ignore_sources)
    if isinstance(source_root, _Keep):
        root_mode, root = 0, b""
    elif source_root is None:
        root_mode, root = 1, b""
    elif isinstance(source_root, str):
        root_mode, root = 2, source_root.encode("utf-8", "surrogatepass")
    else:
        raise TypeError(f"source_root must be str, None or KEEP, not {type(source_root).__name__}")
    names = _names(view, sources) if sources is not None else None
    name_buffers = (
        [] if names is None else [ffi.NULL if n is None else ffi.from_buffer(n) for n in names]
    )
    content_buffers = [ffi.NULL if c is None else ffi.from_buffer(c) for c in contents]
    size = scratch.size
    buf = rustcall(
        lib.lsm_view_to_json_rewritten,
        view._get_ptr(),
        size,
        int(bool(with_source_contents)),
        int(bool(with_names)),
        root_mode,
        root,
        len(root),
        ffi.new("char *[]", content_buffers),
        ffi.new("size_t[]", [0 if c is None else len(c) for c in contents]),
        len(contents),
        ffi.NULL if ignored is None else ffi.new("uint32_t[]", ignored),
        0 if ignored is None else len(ignored),
        ffi.NULL if names is None else ffi.new("char *[]", name_buffers),
        ffi.new("size_t[]", [0 if n is None else len(n) for n in names or ()]),
        0 if names is None else len(names),
    )
    return take_buffer(buf, size[0])


def _names(view: View, sources: Sequence[str | None]) -> list[bytes | None]:
    if isinstance(sources, str):
        raise TypeError("sources must be a sequence of names, not one str")
    names = list(sources)
    if len(names) != view.get_source_count():
        raise InvalidArgument(
            f"sources: {len(names)} names given for {view.get_source_count()} sources"
        )
    for name in names:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"sources must be str or None, not {type(name).__name__}")
    return [None if n is None else n.encode("utf-8", "surrogatepass") for n in names]


def _loaded_contents(view: View, load_source: SourceLoader) -> list[bytes | None]:
    if not callable(load_source):
        raise TypeError(f"load_source must be callable, not {type(load_source).__name__}")
    contents: list[bytes | None] = []
    for src_id, name in view.iter_sources():
        text = None if name is None or view.has_source_contents(src_id) else load_source(name)
        if isinstance(text, str):
            text = text.encode("utf-8", "surrogatepass")
        elif text is not None and not isinstance(text, bytes):
            raise TypeError(
                f"load_source({name!r}) returned {type(text).__name__}, not str or bytes"
            )
        contents.append(text)
    return contents


def _ignored(
    view: View, ignore_list: Iterable[int] | None, globs: Sequence[str]
) -> list[int] | None:
    if isinstance(globs, str):
        raise TypeError("ignore_sources must be a sequence of globs, not one str")
    if ignore_list is None and not globs:
        return None
    count = view.get_source_count()
    ids = list(view.ignore_list) if ignore_list is None else []
    for src_id in [] if ignore_list is None else ignore_list:
        if isinstance(src_id, bool) or not isinstance(src_id, int):
            raise TypeError(f"ignore_list entries must be int, not {type(src_id).__name__}")
        if not 0 <= src_id < min(count, NONE):
            raise InvalidArgument(f"ignore_list: {src_id} is not one of the {count} source ids")
        ids.append(src_id)
    for src_id, name in view.iter_sources():
        if name is not None and any(fnmatch.fnmatchcase(name, glob) for glob in globs):
            ids.append(src_id)
    return list(dict.fromkeys(ids))  # in order, each once
