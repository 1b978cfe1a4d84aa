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
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Callable, Union
from urllib.parse import unquote, urlsplit

from .. import discovery
from .._locations import join_url
from ..errors import IndexedSourceMap, InternalError, SourceMapError
from ..frames import Frame, Frames, StackFrame
from ..index import Index, from_json
from ..resolver import Resolver
from ..view import HERMES_BYTECODE_MAGIC, View
from .cache import MemdbCache
from .context import context_around, text_lines, trimmed
from .stacktrace import BYTECODE_PREFIX, parse_frame, parse_stacktrace

TYPE_CHECKING = False  # bundles (zipfile) load only when a Symbolicator uses one
if TYPE_CHECKING:
    from ..bundle import BundleFile, BundleSet, SourceBundle
    from .explanation import Explanation

StrPath = Union[str, "os.PathLike[str]"]
#: A source bundle, open or as a path.
BundleArg = Union["SourceBundle", str, "os.PathLike[str]"]


class Unresolved(Exception):
    """Why a frame could not be resolved (becomes its ``error``); ``kind`` names the cause
    (``"minified_not_found"``, ``"map_invalid"``, ...) for :meth:`Symbolicator.explain`."""

    def __init__(self, message: str, kind: str = "unresolved") -> None:
        super().__init__(message)
        self.kind = kind


#: One step of a lookup, as :meth:`Symbolicator.explain` reports it: (step, found or not or
#: not needed, what was looked at and found, the cause's kind when it failed).
Note = tuple[str, Union[bool, None], str, Union[str, None]]


class _Loaded:
    """A map's view, and what its first frames still have to do. (Plain classes here, not
    dataclasses: importing ``dataclasses`` costs the Symbolicator's import ~5 ms.)"""

    __slots__ = (
        "view",
        "minified",
        "cache_key",
        "map_path",
        "rebuild",
        "opened_key",
        "borrowed",
        "strict_check",
    )

    def __init__(
        self,
        view: View,
        minified: bytes | None = None,
        cache_key: str | None = None,
        map_path: Path | None = None,
        rebuild: Callable[[], _Loaded] | None = None,
        opened_key: str | None = None,
        borrowed: bool = False,
        strict_check: Callable[[], object] | None = None,
    ) -> None:
        self.view = view
        #: The view is a bundle's (shared with its other users): never closed here.
        self.borrowed = borrowed
        #: Parses the map again with every ECMA-426 rule (for :meth:`Symbolicator.explain`).
        self.strict_check = strict_check
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
    """What a frame's file led to: the view of its map, with the map's URL and how the map
    was found; or the lines of a plain file (one without a map); or why neither."""

    __slots__ = ("loaded", "map_url", "resolved_with", "plain", "error")

    def __init__(
        self,
        loaded: _Loaded | None = None,
        map_url: str | None = None,
        resolved_with: str | None = None,
        plain: list[str] | None = None,
        error: str | None = None,
    ) -> None:
        self.loaded = loaded
        #: The map's URL: the frame's URL joined with the file's `sourceMappingURL`
        #: (``None`` for an inline map, or one found by debug ID without a reference).
        self.map_url = map_url
        self.resolved_with = resolved_with
        self.plain = plain
        self.error = error


#: How much of a minified file's end is read to find its ``sourceMappingURL`` and debug
#: ID (the whole file is read only when it is parsed for function names, or when the
#: comment is not there).
_TAIL = 64 * 1024
#: How a map was found (``Frame.resolved_with``, ``data.resolved_with`` in events).
BY_DEBUG_ID = "debug-id"
BY_URL = "url"


class Symbolicator:
    """Resolves stack frames against a root directory and/or source bundles, loading each
    minified file and map once. Not thread-safe itself (the views it shares are).

    Where each file is looked for, in order (docs/symbolication.md): a frame's minified
    file by its debug ID in the bundles (when the event gives one), then by its URL in the
    bundles, then under ``root``; its map by debug ID in the bundles (the event's, else
    the file's ``//# debugId=``), then where its ``sourceMappingURL`` points (inline, in
    the bundles, under ``root``), then ``<file>.map``. A file with no map at all is a
    plain file: its frames keep their position and get the file's own lines as context.
    An original source the map has no ``sourcesContent`` for is read where its URL points
    (in the bundles, under ``root``), for context lines.

    ``bundle``: a source bundle (path or :class:`~libsourcemap.SourceBundle`) or a list of
    them; where two hold the same file, the first listed wins (list them newest first).
    ``cache_dir``: a directory of memdb caches (created if missing), shared safely by any
    number of processes: maps found under ``root`` or in a bundle are cached there with
    their function tables on first use and opened from there afterwards."""

    def __init__(
        self,
        root: StrPath | None = None,
        bundle: BundleArg | Sequence[BundleArg] | None = None,
        context_lines: int = 5,
        cache_dir: StrPath | None = None,
    ) -> None:
        self.root = Path(root) if root is not None else None
        if self.root is not None and not self.root.is_dir():
            raise NotADirectoryError(f"{self.root}: not a directory")
        # The root as the file system resolves it: every file read under a root must
        # resolve (symlinks included) to a path inside it (see `_confined`).
        self._real_root = Path(os.path.realpath(self.root)) if self.root is not None else None
        self.bundles: list[SourceBundle] = []
        self._owned: list[SourceBundle] = []  # opened here from paths: closed here
        self._bundle_set: BundleSet | None = None
        if bundle is not None:
            from ..bundle import BundleSet, SourceBundle

            given = [bundle] if isinstance(bundle, (str, os.PathLike, SourceBundle)) else bundle
            try:
                for item in given:
                    opened = item if isinstance(item, SourceBundle) else SourceBundle(item)
                    if opened is not item:
                        self._owned.append(opened)
                    self.bundles.append(opened)
            except BaseException:
                self._close_owned()
                raise
            self._bundle_set = BundleSet(self.bundles) if self.bundles else None
        self.context_lines = context_lines
        self.cache: MemdbCache | None = None
        if cache_dir is not None:
            self.cache = MemdbCache(cache_dir)
        self._artifacts: dict[tuple[str, str | None], _Artifact] = {}
        self._views: dict[str, _Loaded] = {}
        self._originals: dict[str, list[str] | str] = {}
        #: What each lookup step found, per frame file, while :meth:`explain` listens.
        self._notes_by_key: dict[tuple[str, str | None], list[Note]] | None = None
        self._notes: list[Note] | None = None

    def _note(self, step: str, ok: bool | None, detail: str, kind: str | None = None) -> None:
        if self._notes is not None:
            self._notes.append((step, ok, detail, kind))

    def _note_reference(
        self, reference: str | None, debug_id: str | None, entry_id: str | None
    ) -> None:
        """Notes what the minified file says of its map."""
        if self._notes is None:
            return
        shown = reference if reference is None or len(reference) < 80 else reference[:60] + "..."
        ids = ", ".join(
            f"{what} {value}"
            for what, value in (("debug ID", debug_id), ("bundle entry's debug ID", entry_id))
            if value is not None
        )
        says = f"sourceMappingURL {shown}" if reference is not None else "no sourceMappingURL"
        found = reference is not None or bool(ids)
        self._note("reference", found or None, says + (f"; {ids}" if ids else ""))

    def explain(self, frames: Any, debug_ids: Mapping[str, str] | None = None) -> list[Explanation]:
        """Each frame with every step its symbolication takes, what each found and, where
        one fails, what to do about it: see :mod:`libsourcemap.symbolication.explain`.
        ``frames``: a stack trace (text), a parsed frame, a list of them, or an event
        (a dict, as :mod:`libsourcemap.events` reads them)."""
        from .explain import explain

        return explain(self, frames, debug_ids)

    @property
    def bundle(self) -> SourceBundle | None:
        """The first bundle (the one that wins where several hold a file), or ``None``."""
        return self.bundles[0] if self.bundles else None

    @property
    def damaged_caches(self) -> int:
        """Damaged cache files this symbolicator found in ``cache_dir`` (and rebuilt)."""
        return self.cache.damaged if self.cache is not None else 0

    def symbolicate(
        self, text: str, progress: Callable[[int, int], None] | None = None
    ) -> list[Frame]:
        """Every frame of the stack trace ``text``, in input order."""
        # Engines print the newest call first: a frame's caller is the one after it.
        return self.resolve_all(parse_stacktrace(text), progress, caller_first=False)

    def resolve_all(
        self,
        frames: list[StackFrame],
        progress: Callable[[int, int], None] | None = None,
        debug_ids: Mapping[str, str] | None = None,
        caller_first: bool | None = None,
    ) -> list[Frame]:
        """Every frame, in order; the frames of each file are resolved together.

        ``debug_ids`` maps a frame's file (its URL, exactly as the frame gives it) to the
        debug ID of that file, as an event's ``debug_meta.images`` do: the file and its
        map are then looked for by that ID first.

        ``caller_first``: whether ``frames`` list the oldest call first (as events do) or
        the newest (as engines print traces). When given, a resolved frame in a function
        with no name (an anonymous or inlined function, webpack's module loader) is named
        by its call site: the original name at the caller's position, as Sentry's
        symbolicator names it."""
        results: list[Frame | None] = [None] * len(frames)
        groups: dict[int, tuple[_Artifact, list[int]]] = {}
        # Each file's positions: a build parsed fresh parses what they need meanwhile.
        positions: dict[str, list[tuple[int, int]]] = {}
        for frame in frames:
            if frame.file is not None and frame.line is not None and frame.column is not None:
                positions.setdefault(frame.file, []).append((frame.line, frame.column))
        done = 0
        for i, frame in enumerate(frames):
            debug_id = debug_ids.get(frame.file) if debug_ids and frame.file else None
            try:
                artifact = self._artifact_for(frame, debug_id, positions.get(frame.file or "", []))
            except Unresolved as reason:
                results[i] = Frame.unresolved(frame, str(reason))
                done += 1
                continue
            groups.setdefault(id(artifact), (artifact, []))[1].append(i)
        if progress is not None and done:
            progress(done, len(frames))
        for artifact, indexes in groups.values():
            group = [frames[i] for i in indexes]
            for i, resolved in zip(indexes, self._resolve_group(artifact, group)):
                results[i] = resolved
            done += len(indexes)
            if progress is not None:
                progress(done, len(frames))
        out = Frames(r for r in results if r is not None)
        if caller_first is not None:
            _name_from_call_sites(out, caller_first)
        return out

    def resolve(self, frame: StackFrame | str) -> Frame:
        """One frame (parsed, or a line of a stack trace)."""
        if isinstance(frame, str):
            parsed = parse_frame(frame)
            if parsed is None:
                raise ValueError(f"not a stack frame: {frame!r}")
            frame = parsed
        return self.resolve_all([frame])[0]

    def _artifact_for(
        self, frame: StackFrame, debug_id: str | None, positions: list[tuple[int, int]]
    ) -> _Artifact:
        if frame.file is None or frame.line is None:
            raise Unresolved(
                "the frame has no file position (native or evaluated code)", "no_position"
            )
        if frame.column is None:
            raise Unresolved("the frame has no column", "no_column")
        key = (frame.file, debug_id)
        artifact = self._artifacts.get(key)
        if artifact is None:
            if self._notes_by_key is not None:
                self._notes = self._notes_by_key[key] = []
            artifact = self._artifacts[key] = self._load(frame.file, debug_id, positions)
            self._notes = None
        if artifact.error is not None:
            raise Unresolved(artifact.error)
        return artifact

    # -- resolving ----------------------------------------------------------------------

    def _resolve_group(self, artifact: _Artifact, frames: list[StackFrame]) -> list[Frame]:
        if artifact.plain is not None:
            return [self._plain_frame(frame, artifact.plain) for frame in frames]
        assert artifact.loaded is not None
        found = self._resolve_loaded(artifact.loaded, frames)
        return [self._located(artifact, frame) for frame in found]

    def _resolve_loaded(self, loaded: _Loaded, frames: list[StackFrame]) -> list[Frame]:
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
            loaded.borrowed = fresh.borrowed
            loaded.cache_key, loaded.map_path = fresh.cache_key, fresh.map_path
            loaded.opened_key = None
            return self._resolve_loaded(loaded, frames)
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

    def _located(self, artifact: _Artifact, frame: Frame) -> Frame:
        """A frame the map resolved, with the original source's URL, the map's URL and
        how it was found, and context lines as an error tracker shows them: from
        ``sourcesContent``, else from the original file where its URL points."""
        if frame.error is not None or frame.minified is None:
            return frame
        url = frame.minified.file or ""
        base = artifact.map_url or url
        # A null source keeps the frame's URL: there is no other to give.
        abs_path = url if frame.source is None else join_url(base, frame.source)
        column = frame.column or 0
        context = frame.pre_context, frame.context_line, frame.post_context
        context_error = None
        view = artifact.loaded.view if artifact.loaded is not None else None
        if frame.src_id is not None and view is not None and not _has_contents(view, frame.src_id):
            lines = self._original_lines(abs_path)
            if isinstance(lines, str):
                context, context_error = ([], None, []), lines
            else:
                context = context_around(lines, frame.line or 0, self.context_lines, column)
        else:
            context = trimmed(context, column)
        # The callers of inlined code: located alike, from the same minified frame.
        callers = tuple(
            self._located(artifact, caller._replace(minified=frame.minified))
            for caller in frame.inlined_callers
        )
        return frame._replace(
            abs_path=abs_path,
            sourcemap=artifact.map_url or url,
            resolved_with=artifact.resolved_with,
            pre_context=context[0],
            context_line=context[1],
            post_context=context[2],
            context_error=context_error,
            inlined_callers=callers,
        )

    def _plain_frame(self, frame: StackFrame, lines: list[str]) -> Frame:
        """A frame of a file without a source map: its own position, function and URL,
        the file's own lines as context; not symbolicated, and not an error."""
        line, column = frame.line or 0, frame.column or 0
        pre, current, post = context_around(lines, line, self.context_lines, column)
        return Frame(
            source=frame.file,
            line=frame.line,
            column=frame.column,
            function=frame.function,
            pre_context=pre,
            context_line=current,
            post_context=post,
            minified_function=frame.function,
            minified=frame,
            abs_path=frame.file,
            symbolicated=False,
        )

    def _original_lines(self, url: str) -> list[str] | str:
        """The lines of the original file at ``url`` (in the bundles, then under the
        root), or why there are none; read once per URL."""
        known = self._originals.get(url)
        if known is None:
            known = self._originals[url] = self._read_original(url)
        return known

    def _read_original(self, url: str) -> list[str] | str:
        what = f"original file {url}"
        try:
            found = self._bundle_set.find(url) if self._bundle_set is not None else None
            if found is not None:
                bundle, entry = found
                data = bundle.read(entry)
            else:
                path = self._local_file(url)
                if path is None:
                    return f"no sourcesContent, and {what} not found in {self._places()}"
                data = path.read_bytes()
            return text_lines(data.decode("utf-8"))
        except Unresolved as reason:
            return f"no sourcesContent, and {reason}"
        except UnicodeDecodeError:
            return f"{what} is not UTF-8 text"
        except OSError as exc:
            return f"cannot read {what}: {exc.strerror or exc}"
        except SourceMapError as exc:  # a damaged bundle entry (BadBundle)
            return f"cannot read {what}: {exc}"

    # -- finding the minified file and its map ----------------------------------------

    def _load(self, url: str, debug_id: str | None, positions: list[tuple[int, int]]) -> _Artifact:
        step = "minified file"
        try:
            bundles = self._bundle_set
            if bundles is not None:
                found = None
                if debug_id is not None:
                    found = bundles.find_by_debug_id(debug_id, "minified_source")
                    where = f"in {found[0].path} ({found[1].name})" if found else "in no bundle"
                    self._note(step, found is not None or None, f"by debug ID {debug_id}: {where}")
                how = BY_DEBUG_ID if found is not None else BY_URL
                if found is None:
                    found = bundles.find(url)
                    where = f"in {found[0].path} as {found[1].name}" if found else "in no bundle"
                    self._note(step, found is not None or None, f"{url} by URL: {where}")
                if found is not None:
                    return self._from_bundle(url, debug_id, found[0], found[1], how, positions)
            if url.startswith("node:"):
                raise Unresolved(f"{url} is built into node, not a file of the build", "builtin")
            path = self._local_file(url)
            if path is None:
                raise Unresolved(self._not_found(url), "minified_not_found")
            self._note(step, True, f"{url}: {path}")
            return self._from_file(url, debug_id, path, positions)
        except Unresolved as reason:
            self._note("failure", False, str(reason), reason.kind)
            return _Artifact(error=str(reason))

    def _from_bundle(
        self,
        url: str,
        debug_id: str | None,
        bundle: SourceBundle,
        entry: BundleFile,
        how: str,
        positions: list[tuple[int, int]],
    ) -> _Artifact:
        """The map (or plain text) of a minified file found in a bundle."""
        where = f"{entry.name} in {bundle.path}"
        try:
            reference = bundle.map_reference(entry)
        except SourceMapError as exc:  # BadBundle: a damaged entry
            raise Unresolved(f"cannot read {where}: {exc}", "unreadable") from None

        def minified() -> bytes | None:
            try:
                return bundle.read(entry)
            except SourceMapError:
                return None

        self._note_reference(reference, debug_id, entry.debug_id)
        if reference is not None and reference.startswith("data:"):
            self._note("source map", True, f"inline (a data: URL in {where})")
            key = f"bundle:{bundle.path}:{entry.path}#inline"
            if key not in self._views:
                self._views[key] = self._parse_inline(reference, where, minified)
            return _Artifact(self._views[key], None, how)
        found = self._map_elsewhere(url, debug_id, reference, minified, [], True)
        if found is None and debug_id is None and entry.debug_id is not None:
            # The entry's own `debug-id` header, after its map's URL: Sentry's symbolicator
            # reads no debug ID from a bundled file, so where the URL finds the map it says
            # `url` as the reference does, and where it does not, the ID still can.
            found = self._map_elsewhere(url, entry.debug_id, None, minified, [], False)
        if found is not None:
            return found
        if reference is not None:
            raise Unresolved(f"source map {reference!r} of {where} not found", "map_not_found")
        if self._bundle_set is not None:
            sibling = self._bundle_set.find(url + ".map")
            if sibling is not None:
                loaded = self._bundle_loaded(sibling[0], sibling[1], minified, entry.debug_id)
                return _Artifact(loaded, url + ".map", BY_URL)
        data = minified()
        if data is None:
            raise Unresolved(f"cannot read {where}", "unreadable")
        self._note("source map", None, "none: a plain file, its frames keep their position")
        return _Artifact(plain=text_lines(data.decode("utf-8", "replace")))

    def _from_file(
        self, url: str, debug_id: str | None, path: Path, positions: list[tuple[int, int]]
    ) -> _Artifact:
        """The map (or plain text) of a minified file found under the root."""
        try:
            # Hermes bytecode has no sourceMappingURL (its map is `<file>.map`) and is
            # no JavaScript to name functions from: it is not read beyond its magic.
            bytecode = _is_bytecode(path)
            reference = None
            if not bytecode:
                source, whole = _read_tail(path)
                reference = discovery.discover(source)
                debug_id = debug_id or discovery.discover_debug_id(source)
                if not whole and (reference is None or reference.startswith("data:")):
                    source, whole = path.read_bytes(), True
                    reference = discovery.discover(source)
                    debug_id = debug_id or discovery.discover_debug_id(source)
        except OSError as exc:
            raise Unresolved(f"cannot read {path}: {exc.strerror}", "unreadable") from None

        def minified() -> bytes | None:
            return None if bytecode else _read(path)

        self._note_reference(reference, debug_id, None)
        if reference is not None and reference.startswith("data:"):
            self._note("source map", True, f"inline (a data: URL in {path})")
            key = f"{path}#inline"
            if key not in self._views:
                self._views[key] = self._parse_inline(reference, key, minified)
            return _Artifact(self._views[key], None, BY_URL)
        found = self._map_elsewhere(url, debug_id, reference, minified, positions, False)
        if found is not None:
            return found
        map_path = self._map_path(path, reference)
        if map_path is None:
            if bytecode:
                raise Unresolved(f"{path} has no {path.name}.map", "map_not_found")
            try:
                text = path.read_bytes().decode("utf-8", "replace")
            except OSError as exc:
                raise Unresolved(f"cannot read {path}: {exc.strerror}", "unreadable") from None
            self._note("source map", None, "none: a plain file, its frames keep their position")
            return _Artifact(plain=text_lines(text))
        self._note("source map", True, f"{map_path}")
        key = str(map_path)
        if key not in self._views:
            self._views[key] = self._parse_file(map_path, minified, positions)
        map_url = join_url(url, reference if reference is not None else map_path.name)
        return _Artifact(self._views[key], map_url, BY_URL)

    def _map_elsewhere(
        self,
        url: str,
        debug_id: str | None,
        reference: str | None,
        minified: Callable[[], bytes | None],
        positions: list[tuple[int, int]],
        under_root: bool,
    ) -> _Artifact | None:
        """The map of the file at ``url`` found in the bundles, by ``debug_id`` first,
        then at the URL its ``reference`` gives; with ``under_root`` (a file found in a
        bundle), also under the root at that URL's path. ``None`` when none has it."""
        map_url = join_url(url, reference) if reference is not None else None
        bundles = self._bundle_set
        if bundles is not None:
            if debug_id is not None:
                found = bundles.find_by_debug_id(debug_id, "source_map")
                where = f"in {found[0].path} ({found[1].name})" if found else "in no bundle"
                self._note(
                    "source map", found is not None or None, f"by debug ID {debug_id}: {where}"
                )
                if found is not None:
                    loaded = self._bundle_loaded(found[0], found[1], minified, debug_id)
                    return _Artifact(loaded, map_url, BY_DEBUG_ID)
            if map_url is not None:
                found = bundles.find(map_url)
                where = f"in {found[0].path} as {found[1].name}" if found else "in no bundle"
                self._note("source map", found is not None or None, f"{map_url} by URL: {where}")
                if found is not None:
                    loaded = self._bundle_loaded(found[0], found[1], minified, debug_id)
                    return _Artifact(loaded, map_url, BY_URL)
        if under_root and map_url is not None and self.root is not None:
            # A bundle's minified file whose map is under the root, at the map URL's path.
            path = self._local_file(map_url)
            if path is not None:
                self._note("source map", True, f"{map_url} under the root: {path}")
                key = str(path)
                if key not in self._views:
                    self._views[key] = self._parse_file(path, minified, positions)
                return _Artifact(self._views[key], map_url, BY_URL)
        return None

    def _bundle_loaded(
        self,
        bundle: SourceBundle,
        map_entry: BundleFile,
        minified: Callable[[], bytes | None],
        debug_id: str | None,
    ) -> _Loaded:
        """The view of a map in a bundle: from the cache directory when it has one (keyed
        by the map's debug ID, else by its bytes: no parse), else parsed by the bundle
        (once, shared) and written to the cache after its first frames. The minified file
        is parsed for function names with the first frames."""
        if self.cache is None:
            where = f"bundle:{bundle.path}:{map_entry.path}"
            if where not in self._views:
                parsed = self._bundle_view(bundle, map_entry)
                check = partial(_strict, lambda: bundle.read(map_entry))
                self._views[where] = _Loaded(parsed, minified(), borrowed=True, strict_check=check)
            return self._views[where]
        key = self.cache.debug_id_key(map_entry.debug_id or debug_id)
        if key is None:
            try:
                key = self.cache.key_for(bundle.read(map_entry))
            except SourceMapError as exc:
                raise Unresolved(
                    f"the source map in the bundle does not load: {exc}", "map_invalid"
                ) from None
        cache_key = key
        cached = self._views.get(f"bundle:{key}")
        if cached is None:
            opened = self.cache.open(key)
            if opened is not None and opened.has_function_table:

                def rebuild() -> _Loaded:  # a damaged cache: parse the map from the bundle
                    parsed = self._bundle_view(bundle, map_entry)
                    return _Loaded(parsed, minified(), cache_key, borrowed=True)

                cached = _Loaded(opened, rebuild=rebuild, opened_key=key)
            else:
                if opened is not None:
                    opened.close()
                parsed = self._bundle_view(bundle, map_entry)
                check = partial(_strict, lambda: bundle.read(map_entry))
                cached = _Loaded(parsed, minified(), key, borrowed=True, strict_check=check)
            self._views[f"bundle:{key}"] = cached
        return cached

    @staticmethod
    def _bundle_view(bundle: SourceBundle, map_entry: BundleFile) -> View:
        try:
            return bundle.map_view(map_entry)
        except SourceMapError as exc:
            raise Unresolved(
                f"the source map in the bundle does not load: {exc}", "map_invalid"
            ) from None

    def _parse_inline(self, url: str, where: str, minified: Callable[[], bytes | None]) -> _Loaded:
        try:
            parsed = discovery.from_data_url(url)
        except SourceMapError as exc:
            raise Unresolved(
                f"the inline source map of {where} is not usable: {exc}", "map_invalid"
            ) from None
        check = partial(discovery.from_data_url, url, True)
        return _Loaded(_as_view(parsed, where), minified=minified(), strict_check=check)

    def _parse_file(
        self,
        map_path: Path,
        minified: Callable[[], bytes | None] | None,
        positions: list[tuple[int, int]],
        use_cache: bool = True,
    ) -> _Loaded:
        """The view of the map at ``map_path`` (from the cache when it has one), and the
        minified JavaScript ``minified()`` gives to name functions from (``None``: none)."""

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
            raise Unresolved(f"cannot read {map_path}: {exc.strerror}", "unreadable") from None
        source = minified() if minified is not None else None
        try:
            if source is None:
                view = _as_view(from_json(data), str(map_path))
            else:
                # Parsed at the same time: the map, the minified file (function names)
                # and, once the map is there, the originals the frames land in.
                view = View.from_json(data, minified_source=source, frames=positions)
        except IndexedSourceMap:
            raise Unresolved(
                f"{map_path} is an index map with external sections", "map_sections"
            ) from None
        except SourceMapError as exc:
            raise Unresolved(
                f"{map_path} is not a usable source map: {exc}", "map_invalid"
            ) from None
        cache_key = None
        if self.cache is not None:
            cache_key = self.cache.key_for(data, view)
            cached = self.cache.open(cache_key) if use_cache else None
            if cached is not None and cached.has_function_table:
                # The same build under another path: its cache serves this one too.
                view.close()
                self.cache.remember(map_path, cache_key)
                return _Loaded(cached, rebuild=rebuild, opened_key=cache_key)
        check = partial(_strict, map_path.read_bytes)
        return _Loaded(view, cache_key=cache_key, map_path=map_path, strict_check=check)

    def _map_path(self, minified: Path, reference: str | None) -> Path | None:
        """The map file of the minified file at ``minified``: where its ``reference``
        points (relative to the file, or the URL's path under the root), else
        ``<file>.map``; ``None`` without a reference or that file (a plain file)."""
        sibling = minified.with_name(minified.name + ".map")
        if reference is None:
            if sibling.is_file():
                return self._confined(sibling, f"the source map of {minified}")
            return None
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
        if sibling.is_file():
            return self._confined(sibling, f"the source map of {minified}")
        raise Unresolved(f"source map {reference!r} of {minified} not found", "map_not_found")

    def _confined(self, path: Path, what: str) -> Path:
        """``path`` if it resolves (symlinks included) to a file inside the root; without a
        root, any path. A root is a boundary: on a server where each project has its own,
        a `sourceMappingURL` of `../other/x.map`, an absolute path, a `file://` URL or a
        symlink must not read another project's files."""
        if self._real_root is None:
            return path
        real = Path(os.path.realpath(path))
        if real != self._real_root and self._real_root not in real.parents:
            raise Unresolved(
                f"{what} is outside the root {self.root} ({real}): not read", "outside_root"
            )
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

    def _places(self) -> str:
        places = [str(bundle.path) for bundle in self.bundles]
        if self.root is not None:
            places.append(str(self.root))
        return " or ".join(places) if places else "the file system (no --root given)"

    def _not_found(self, url: str) -> str:
        return f"minified file {url} not found in {self._places()}"

    def close(self) -> None:
        """Releases the loaded views (and the bundles this symbolicator opened)."""
        for loaded in self._views.values():
            if not loaded.borrowed:
                loaded.view.close()
        self._views.clear()
        self._artifacts.clear()
        self._originals.clear()
        self._close_owned()

    def _close_owned(self) -> None:
        for bundle in self._owned:
            bundle.close()

    def __enter__(self) -> Symbolicator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def symbolicate(
    stacktrace: str,
    root: StrPath | None = None,
    bundle: BundleArg | Sequence[BundleArg] | None = None,
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
        raise Unresolved(f"{key} is an index map with external sections", "map_sections")
    return parsed


def _read(path: Path) -> bytes | None:
    """The minified source for function names; ``None`` if it cannot be read (names then
    come from ``sourcesContent``)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


#: Names a function can have that say nothing of it: webpack's module machinery.
_NO_NAME = (None, "__webpack_require__", "__webpack_modules__")


def _name_from_call_sites(frames: list[Frame], caller_first: bool) -> None:
    """Names, in place, each resolved frame whose function has no name after the
    original name at its caller's position (the called name there), where the caller
    resolved: an inlined or anonymous function is known by the name it was called as."""
    caller_name = None
    for i in range(len(frames)) if caller_first else reversed(range(len(frames))):
        frame = frames[i]
        if frame.error is not None or not frame.symbolicated:
            caller_name = None
            continue
        if frame.function in _NO_NAME and caller_name:
            frames[i] = frame._replace(function=caller_name)
        caller_name = frame.name


def _strict(read: Callable[[], bytes]) -> None:
    """Parses the map ``read()`` gives with every ECMA-426 rule: raises its first
    violation (``InvalidSourceMap``)."""
    View.from_json(read(), strict=True).close()


def _has_contents(view: View, src_id: int) -> bool:
    """Whether the map has ``sourcesContent`` for a source (a damaged cache answers as
    if not: the original file is read instead)."""
    try:
        return view.has_source_contents(src_id)
    except SourceMapError:
        return False


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
