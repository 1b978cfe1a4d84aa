"""``remap``: the map of a multi-step build (TypeScript → bundler → minifier, or a bundle
minified again), composed from each step's map as ``@jridgewell/remapping`` composes them::

    maps = {"dist/app.js": open("dist/app.js.map").read()}
    view = remap(open("dist/app.min.js.map").read(), maps.get)

The loader is asked for every source of every map, depth first, with the source's name
resolved against the directory of the map that lists it (a source ``../src/a.ts`` of the
map loaded for ``dist/app.js`` is asked for as ``src/a.ts``). It returns that file's map
(JSON ``bytes``/``str`` or a :class:`View`), or ``None`` when the file is an original.
Loading and resolving happen here; the composition itself runs in the core
(``rust/src/remap.rs`` says exactly how segments are traced and written).
"""

from __future__ import annotations

from .._native import NONE, ffi, lib, pinned, rule_flags, rustcall, to_bytes
from .._uri import directory_of, resolve
from ..errors import InvalidArgument
from ..view import View

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Callable

    MapInput = bytes | str | View

__all__ = ["remap", "MAX_STEPS"]

#: How many maps deep a chain of steps may go: more means a loader that never ends.
MAX_STEPS = 256


def remap(source_map: MapInput, loader: Callable[[str], MapInput | None]) -> View:
    """The composed map of a build. ``source_map`` is the last step's map; ``loader(name)``
    returns the map of the step that produced source ``name``, or ``None`` for an original
    file, and is applied through any number of steps.

    Raises what parsing raises for a map that does not parse (naming the source it was
    loaded for), :class:`InvalidSourceMap` for bad ``mappings`` (checked as the
    composition reads them, so parsing a map for it skips their index; the message names
    the map), ``TypeError`` for a loader result of another type, and
    :class:`InvalidArgument` for a cycle (a map loaded again for a source inside itself)
    or more than :data:`MAX_STEPS` steps; an exception from the loader propagates as it
    is. Nothing is written in any of these cases."""
    tree = _Tree(loader)
    tree.add(_as_view(source_map, "source_map"), importer="", chain=())
    children = [child for node in tree.children for child in node]
    names = [name.encode("utf-8", "surrogatepass") for node in tree.names for name in node]
    name_buffers = [ffi.from_buffer(name) for name in names]
    ptr = rustcall(
        lib.lsm_remap,
        ffi.new("lsm_view_t *[]", [view._get_ptr() for view in tree.views]),
        len(tree.views),
        ffi.new("uint32_t[]", children),
        ffi.new("char *[]", name_buffers),
        ffi.new("size_t[]", [len(name) for name in names]),
        len(children),
    )
    return View._from_ptr(ptr)


class _Tree:
    """The maps of a build, numbered depth first (a map before the maps of its sources),
    with, per map, each source's resolved name and the number of its map (or ``NONE``)."""

    def __init__(self, loader: Callable[[str], MapInput | None]) -> None:
        if not callable(loader):
            raise TypeError(f"loader must be callable, not {type(loader).__name__}")
        self.loader = loader
        self.views: list[View] = []
        self.children: list[list[int]] = []
        self.names: list[list[str]] = []

    def add(self, view: View, importer: str, chain: tuple[str, ...]) -> int:
        if len(chain) >= MAX_STEPS:
            raise InvalidArgument(f"more than {MAX_STEPS} maps deep at {importer!r}")
        number = len(self.views)
        self.views.append(view)
        children: list[int] = []
        names: list[str] = []
        self.children.append(children)
        self.names.append(names)
        base = directory_of(importer)
        root = view.source_root
        prefix = root + "/" if root else ""
        for src_id in range(view.get_source_count()):
            name = resolve(prefix + (view.get_raw_source_name(src_id) or ""), base)
            loaded = self.loader(name)
            if loaded is None:
                children.append(NONE)
            else:
                if name in chain:
                    steps = " -> ".join((*chain, name))
                    raise InvalidArgument(f"the maps form a cycle: {steps}")
                child = _as_view(loaded, f"the map loaded for {name!r}")
                children.append(self.add(child, name, (*chain, name)))
            names.append(name)
        return number


def _as_view(value: object, what: str) -> View:
    if isinstance(value, View):
        return value
    if not isinstance(value, (bytes, bytearray, memoryview, str)):
        raise TypeError(f"{what} must be bytes, str or a View, not {type(value).__name__}")
    data = to_bytes(value, "map")
    borrowed = pinned(data)
    try:
        # Read for the one pass `lsm_remap` makes over its segments, which checks them:
        # indexing them here would be most of the parse, for nothing.
        ptr = rustcall(lib.lsm_view_from_json_unindexed, borrowed, len(data), rule_flags(False))
    except Exception as error:
        if hasattr(error, "add_note"):  # Python 3.11+
            error.add_note(f"while reading {what}")
        raise
    return View._from_ptr(ptr, borrowed)
