"""Symbolicating stack traces: each frame of a minified build's stack trace mapped back to
the original source, line, column and function name, with context lines.

A frame's minified file is found in a source bundle (by URL) or under a root directory
(the URL's path, then shorter and shorter tails of it), or, with neither, at the path the
frame names. Its map is found through the bundle manifest, the file's
``sourceMappingURL`` (a path, URL or inline ``data:`` URL), or ``<file>.map``. Each map is
parsed once per :class:`Symbolicator` and shared by all frames that use it.

The frames of a trace are resolved per map in one :meth:`View.resolve_frames` call, which
parses the minified file and just the original sources those frames land in, at the same
time. With a ``cache_dir``, the first symbolication of a build writes a memdb cache of its
map with the function table (see :mod:`libsourcemap.symbolication.cache`); later ones, in
any process, open that cache and parse nothing.
"""

from __future__ import annotations

import json  # noqa: F401  (what View.resolve_frames needs, loaded with this module)
import os
from pathlib import Path
from typing import Callable, Union
from urllib.parse import unquote, urlsplit

from .. import discovery
from ..errors import IndexedSourceMap, InternalError, SourceMapError
from ..frames import Frame, StackFrame
from ..index import Index, from_json
from ..resolver import Resolver
from ..view import HERMES_BYTECODE_MAGIC, View
from .cache import MemdbCache
from .stacktrace import BYTECODE_PREFIX, parse_frame, parse_stacktrace

TYPE_CHECKING = False  # bundles (zipfile) load only when a Symbolicator uses one
if TYPE_CHECKING:
    from ..bundle import BundleFile, SourceBundle

StrPath = Union[str, "os.PathLike[str]"]


class Unresolved(Exception):
    """Why a frame could not be resolved (becomes its ``error``)."""


class _Loaded:
    """A map's view, and what its first frames still have to do. (Plain classes here, not
    dataclasses: importing ``dataclasses`` costs the Symbolicator's import ~5 ms.)"""

    __slots__ = ("view", "minified", "cache_key", "map_path", "rebuild", "opened_key")

    def __init__(
        self,
        view: View,
        minified: bytes | None = None,
        cache_key: str | None = None,
        map_path: Path | None = None,
        rebuild: Callable[[], _Loaded] | None = None,
        opened_key: str | None = None,
    ) -> None:
        self.view = view
        #: The minified source, to parse with the first frames (a fresh build).
        self.minified = minified
        #: Where to write the cache once the first frames are resolved.
        self.cache_key = cache_key
        self.map_path = map_path
        #: For a view opened from the cache: loads the map again, bypassing the cache (a
        #: cache file can be damaged in ways that only show on use).
        self.rebuild = rebuild
        #: The key of the cache the view was opened from.
        self.opened_key = opened_key


class _Artifact:
    """What loading the map of a frame's minified file gave: a view, or why not."""

    __slots__ = ("loaded", "error")

    def __init__(self, loaded: _Loaded | None = None, error: str | None = None) -> None:
        self.loaded = loaded
        self.error = error


#: How much of a minified file's end is read to find its ``sourceMappingURL`` (the whole
#: file is read only when it is parsed for function names, or when the comment is not there).
_TAIL = 64 * 1024


class Symbolicator:
    """Resolves stack frames against a root directory and/or a source bundle, loading
    each minified file and map once. Not thread-safe itself (the views it shares are).

    ``cache_dir``: a directory of memdb caches (created if missing), shared safely by any
    number of processes: maps found under ``root`` or in the bundle are cached there with
    their function tables on first use and opened from there afterwards."""

    def __init__(
        self,
        root: StrPath | None = None,
        bundle: SourceBundle | StrPath | None = None,
        context_lines: int = 5,
        cache_dir: StrPath | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else None
        if self.root is not None and not self.root.is_dir():
            raise NotADirectoryError(f"{self.root}: not a directory")
        # The root as the file system resolves it: every file read under a root must
        # resolve (symlinks included) to a path inside it (see `_confined`).
        self._real_root = Path(os.path.realpath(self.root)) if self.root is not None else None
        self.bundle: SourceBundle | None = None
        self._owns_bundle = False
        if bundle is not None:
            from ..bundle import SourceBundle

            self._owns_bundle = not isinstance(bundle, SourceBundle)
            self.bundle = bundle if isinstance(bundle, SourceBundle) else SourceBundle(bundle)
        self.context_lines = context_lines
        self.cache: MemdbCache | None = None
        if cache_dir is not None:
            self.cache = MemdbCache(cache_dir)
        self._artifacts: dict[str, _Artifact] = {}
        self._views: dict[str, _Loaded] = {}

    @property
    def damaged_caches(self) -> int:
        """Damaged cache files this symbolicator found in ``cache_dir`` (and rebuilt)."""
        return self.cache.damaged if self.cache is not None else 0

    def symbolicate(
        self, text: str, progress: Callable[[int, int], None] | None = None
    ) -> list[Frame]:
        """Every frame of the stack trace ``text``, in input order."""
        return self.resolve_all(parse_stacktrace(text), progress)

    def resolve_all(
        self,
        frames: list[StackFrame],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Frame]:
        """Every frame, in order; the frames of each map are resolved together."""
        results: list[Frame | None] = [None] * len(frames)
        groups: dict[int, tuple[_Loaded, list[int]]] = {}
        # Each file's positions: a build parsed fresh parses what they need meanwhile.
        positions: dict[str, list[tuple[int, int]]] = {}
        for frame in frames:
            if frame.file is not None and frame.line is not None and frame.column is not None:
                positions.setdefault(frame.file, []).append((frame.line, frame.column))
        done = 0
        for i, frame in enumerate(frames):
            try:
                loaded = self._loaded_for(frame, positions.get(frame.file or "", []))
            except Unresolved as reason:
                results[i] = Frame.unresolved(frame, str(reason))
                done += 1
                continue
            groups.setdefault(id(loaded), (loaded, []))[1].append(i)
        if progress is not None and done:
            progress(done, len(frames))
        for loaded, indexes in groups.values():
            group = [frames[i] for i in indexes]
            for i, resolved in zip(indexes, self._resolve_group(loaded, group)):
                results[i] = resolved
            done += len(indexes)
            if progress is not None:
                progress(done, len(frames))
        return [r for r in results if r is not None]

    def resolve(self, frame: StackFrame | str) -> Frame:
        """One frame (parsed, or a line of a stack trace)."""
        if isinstance(frame, str):
            parsed = parse_frame(frame)
            if parsed is None:
                raise ValueError(f"not a stack frame: {frame!r}")
            frame = parsed
        return self.resolve_all([frame])[0]

    def _loaded_for(self, frame: StackFrame, positions: list[tuple[int, int]]) -> _Loaded:
        if frame.file is None or frame.line is None:
            raise Unresolved("the frame has no file position (native or evaluated code)")
        if frame.column is None:
            raise Unresolved("the frame has no column")
        artifact = self._artifacts.get(frame.file)
        if artifact is None:
            artifact = self._artifacts[frame.file] = self._load(frame.file, positions)
        if artifact.loaded is None:
            raise Unresolved(artifact.error or "no source map")
        return artifact.loaded

    def _resolve_group(self, loaded: _Loaded, frames: list[StackFrame]) -> list[Frame]:
        bytecode = False
        try:
            # (Inside: reading a damaged cache's metadata fails like any other read.)
            bytecode = loaded.view.is_bytecode_map
            asked = [_as_bytecode_frame(frame) for frame in frames] if bytecode else frames
            resolver = Resolver.of(loaded.view)
            found = resolver.resolve_stack_frames(asked, loaded.minified, self.context_lines)
        except InternalError as exc:
            # A caught panic is a bug, not bad input: said so, never retried or hidden.
            reason = f"internal error in libsourcemap (a bug, please report it): {exc}"
            return [Frame.unresolved(f, reason) for f in frames]
        except SourceMapError as exc:
            if loaded.rebuild is None:
                reason = f"the source map cannot resolve these frames: {exc}"
                return [Frame.unresolved(f, reason) for f in frames]
            # A damaged cache: the map is parsed again and the cache rewritten.
            if self.cache is not None and loaded.opened_key is not None:
                self.cache.report_damaged(loaded.opened_key, exc)
            try:
                fresh = loaded.rebuild()
            except Unresolved as reason:
                return [Frame.unresolved(f, str(reason)) for f in frames]
            loaded.view.close()
            loaded.view, loaded.minified, loaded.rebuild = fresh.view, fresh.minified, None
            loaded.cache_key, loaded.map_path = fresh.cache_key, fresh.map_path
            loaded.opened_key = None
            return self._resolve_group(loaded, frames)
        loaded.minified = None
        if loaded.cache_key is not None and self.cache is not None:
            key, loaded.cache_key = loaded.cache_key, None
            try:
                self.cache.store(key, loaded.view, loaded.map_path)
            except (OSError, SourceMapError):
                pass  # a cache that cannot be written costs speed next time, not this answer
        out = []
        for frame, resolved in zip(asked, found):
            if resolved is None:
                error = f"{frame.line}:{frame.column} is not mapped by the source map"
                if bytecode:
                    offset = (frame.column or 1) - 1
                    error = f"bytecode offset {offset} is not mapped by the source map"
                out.append(Frame.unresolved(frame, error))
            else:
                out.append(resolved)
        return out

    # -- finding the minified file and its map ----------------------------------------

    def _load(self, url: str, positions: list[tuple[int, int]]) -> _Artifact:
        try:
            if self.bundle is not None:
                entry = self.bundle.find(url)
                if entry is not None:
                    return _Artifact(self._bundle_loaded(entry))
            if url.startswith("node:"):
                raise Unresolved(f"{url} is built into node, not a file of the build")
            path = self._local_file(url)
            if path is None:
                raise Unresolved(self._not_found(url))
            return _Artifact(self._file_view(path, positions))
        except Unresolved as reason:
            return _Artifact(error=str(reason))

    def _bundle_loaded(self, entry: BundleFile) -> _Loaded:
        """The view of a bundle file's map: from the cache directory when it has one
        (keyed by the manifest's debug id, else by the map's bytes: no parse), else parsed
        by the bundle and written to the cache after its first frames."""
        assert self.bundle is not None
        if self.cache is None:
            return _Loaded(self._bundle_view(entry.url))
        map_entry = entry if entry.type == "source_map" else self.bundle.source_map_for(entry)
        if map_entry is None:
            return _Loaded(self._bundle_view(entry.url))  # says why, as without a cache
        key = self.cache.debug_id_key(map_entry.debug_id or entry.debug_id)
        if key is None:
            try:
                key = self.cache.key_for(self.bundle.read(map_entry))
            except (KeyError, SourceMapError) as exc:
                raise Unresolved(f"the source map in the bundle does not load: {exc}") from None
        cached = self._views.get(f"bundle:{key}")
        if cached is None:
            view = self.cache.open(key)
            if view is not None and view.has_function_table:
                url = entry.url

                def rebuild() -> _Loaded:  # a damaged cache: parse the map from the bundle
                    return _Loaded(self._bundle_view(url), cache_key=key)

                loaded = _Loaded(view, rebuild=rebuild, opened_key=key)
                cached = self._views[f"bundle:{key}"] = loaded
        if cached is not None:
            return cached
        return _Loaded(self._bundle_view(entry.url), cache_key=key)

    def _bundle_view(self, url: str) -> View:
        assert self.bundle is not None
        try:
            return self.bundle.get_view(url)
        except KeyError as exc:
            raise Unresolved(exc.args[0]) from None
        except SourceMapError as exc:
            raise Unresolved(f"the source map in the bundle does not load: {exc}") from None

    def _file_view(self, minified: Path, positions: list[tuple[int, int]]) -> _Loaded:
        try:
            # Hermes bytecode has no sourceMappingURL (its map is `<file>.map`) and is
            # no JavaScript to name functions from: it is not read beyond its magic.
            script = None if _is_bytecode(minified) else minified
            if script is None:
                reference = None
            else:
                source, whole = _read_tail(minified)
                reference = discovery.discover(source)
                if not whole and (reference is None or reference.startswith("data:")):
                    source, whole = minified.read_bytes(), True
                    reference = discovery.discover(source)
        except OSError as exc:
            raise Unresolved(f"cannot read {minified}: {exc.strerror}") from None
        if reference is not None and reference.startswith("data:"):
            key = f"{minified}#inline"
            if key not in self._views:
                self._views[key] = self._parse_inline(reference, key, minified)
            return self._views[key]
        map_path = self._map_path(minified, reference)
        key = str(map_path)
        if key not in self._views:
            self._views[key] = self._parse_file(map_path, script, positions)
        return self._views[key]

    def _parse_inline(self, url: str, key: str, minified: Path) -> _Loaded:
        try:
            parsed = discovery.from_data_url(url)
        except SourceMapError as exc:
            raise Unresolved(f"{key} is not a usable source map: {exc}") from None
        return _Loaded(_as_view(parsed, key), minified=_read(minified))

    def _parse_file(
        self,
        map_path: Path,
        minified: Path | None,
        positions: list[tuple[int, int]],
        use_cache: bool = True,
    ) -> _Loaded:
        """The view of the map at ``map_path`` (from the cache when it has one), and the
        minified JavaScript ``minified`` to name functions from (``None``: none)."""

        def rebuild() -> _Loaded:
            return self._parse_file(map_path, minified, positions, use_cache=False)

        if self.cache is not None and use_cache:
            key = self.cache.key_for_file(map_path)
            cached = self.cache.open(key) if key is not None else None
            if cached is not None:
                return _Loaded(cached, rebuild=rebuild, opened_key=key)
        try:
            data = map_path.read_bytes()
        except OSError as exc:
            raise Unresolved(f"cannot read {map_path}: {exc.strerror}") from None
        source = _read(minified) if minified is not None else None
        try:
            if source is None:
                view = _as_view(from_json(data), str(map_path))
            else:
                # Parsed at the same time: the map, the minified file (function names)
                # and, once the map is there, the originals the frames land in.
                view = View.from_json(data, minified_source=source, frames=positions)
        except IndexedSourceMap:
            raise Unresolved(f"{map_path} is an index map with external sections") from None
        except SourceMapError as exc:
            raise Unresolved(f"{map_path} is not a usable source map: {exc}") from None
        cache_key = None
        if self.cache is not None:
            cache_key = self.cache.key_for(data, view)
            cached = self.cache.open(cache_key) if use_cache else None
            if cached is not None and cached.has_function_table:
                # The same build under another path: its cache serves this one too.
                view.close()
                self.cache.remember(map_path, cache_key)
                return _Loaded(cached, rebuild=rebuild, opened_key=cache_key)
        return _Loaded(view, cache_key=cache_key, map_path=map_path)

    def _map_path(self, minified: Path, reference: str | None) -> Path:
        if reference is None:
            candidate = minified.with_name(minified.name + ".map")
            if candidate.is_file():
                return self._confined(candidate, f"the source map of {minified}")
            raise Unresolved(f"{minified} has no sourceMappingURL and no {candidate.name}")
        parts = urlsplit(reference)
        if parts.scheme in ("", "file"):
            candidate = minified.parent / unquote(parts.path)
            if parts.scheme == "file" or Path(unquote(parts.path)).is_absolute():
                candidate = Path(unquote(parts.path))
            if candidate.is_file():
                return self._confined(candidate, f"source map {reference!r} of {minified}")
        # A map URL on a server, or a server-absolute path: where its path would be
        # under the root.
        found = self._local_file(reference) if self.root is not None else None
        if found is not None:
            return found
        sibling = minified.with_name(minified.name + ".map")
        if sibling.is_file():
            return self._confined(sibling, f"the source map of {minified}")
        raise Unresolved(f"source map {reference!r} of {minified} not found")

    def _confined(self, path: Path, what: str) -> Path:
        """``path`` if it resolves (symlinks included) to a file inside the root; without a
        root, any path. A root is a boundary: on a server where each project has its own,
        a `sourceMappingURL` of `../other/x.map`, an absolute path, a `file://` URL or a
        symlink must not read another project's files."""
        if self._real_root is None:
            return path
        real = Path(os.path.realpath(path))
        if real != self._real_root and self._real_root not in real.parents:
            raise Unresolved(f"{what} is outside the root {self.root} ({real}): not read")
        return path

    def _local_file(self, url: str) -> Path | None:
        """The file a frame's URL or path names: under the root (the URL's path, then
        shorter and shorter tails of it), or without a root, the path itself."""
        parts = urlsplit(url)
        if len(parts.scheme) == 1:  # a Windows drive letter, not a scheme
            parts = urlsplit("file:///" + url.replace("\\", "/"))
        path = unquote(parts.path if parts.scheme or parts.netloc else url.split("?")[0])
        if path.startswith("~/"):
            path = path[1:]
        if self.root is None:
            if parts.scheme in ("", "file") and Path(path).is_file():
                return Path(path)
            return None
        segments = [s for s in path.replace("\\", "/").split("/") if s not in ("", ".")]
        if ".." in segments:
            return None  # never look outside the root
        for start in range(len(segments)):
            candidate = self.root.joinpath(*segments[start:])
            if candidate.is_file():
                return self._confined(candidate, url)
        return None

    def _not_found(self, url: str) -> str:
        places = []
        if self.bundle is not None:
            places.append("the bundle")
        if self.root is not None:
            places.append(str(self.root))
        where = " or ".join(places) if places else "the file system (no --root given)"
        return f"minified file {url} not found in {where}"

    def close(self) -> None:
        """Releases the loaded views (and the bundle, if this symbolicator opened it)."""
        for loaded in self._views.values():
            loaded.view.close()
        self._views.clear()
        self._artifacts.clear()
        if self._owns_bundle and self.bundle is not None:
            self.bundle.close()

    def __enter__(self) -> Symbolicator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def symbolicate(
    stacktrace: str,
    root: StrPath | None = None,
    bundle: SourceBundle | StrPath | None = None,
    context_lines: int = 5,
    cache_dir: StrPath | None = None,
) -> list[Frame]:
    """Every frame of ``stacktrace`` mapped to its original source (see the module
    documentation for how files and maps are found). Frames that cannot be resolved are
    returned with ``error`` set; nothing is raised for them."""
    with Symbolicator(
        root=root, bundle=bundle, context_lines=context_lines, cache_dir=cache_dir
    ) as symbolicator:
        return symbolicator.symbolicate(stacktrace)


def _as_view(parsed: View | Index, key: str) -> View:
    if isinstance(parsed, Index):
        raise Unresolved(f"{key} is an index map with external sections")
    return parsed


def _read(path: Path) -> bytes | None:
    """The minified source for function names; ``None`` if it cannot be read (names then
    come from ``sourcesContent``)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def _is_bytecode(path: Path) -> bool:
    """Whether the file is Hermes bytecode (by its first 8 bytes)."""
    with open(path, "rb") as f:
        return f.read(len(HERMES_BYTECODE_MAGIC)) == HERMES_BYTECODE_MAGIC


def _as_bytecode_frame(frame: StackFrame) -> StackFrame:
    """A frame for a bytecode map with the 1-based column frames carry (offset + 1).
    Hermes prints the 0-based offset: `address at` frames are moved up when parsed; a
    frame it printed as a plain `file:1:offset` is moved up here, where the map says
    that the column is an offset. Frames given as numbers (events) are 1-based already,
    as @sentry/react-native sends them."""
    if frame.raw and frame.column is not None and BYTECODE_PREFIX not in frame.raw:
        return frame._replace(column=frame.column + 1)
    return frame


def _read_tail(path: Path) -> tuple[bytes, bool]:
    """The last ``_TAIL`` bytes of ``path``, and whether that is the whole file."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        f.seek(max(size - _TAIL, 0))
        return f.read(), size <= _TAIL
