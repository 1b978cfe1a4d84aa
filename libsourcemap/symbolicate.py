"""Symbolicating stack traces: each frame of a minified build's stack trace mapped back to
the original source, line, column and function name, with context lines.

A frame's minified file is found in a source bundle (by URL) or under a root directory
(the URL's path, then shorter and shorter tails of it), or, with neither, at the path the
frame names. Its map is found through the bundle manifest, the file's
``sourceMappingURL`` (a path, URL or inline ``data:`` URL), or ``<file>.map``. Each map is
parsed once per :class:`Symbolicator` and shared by all frames that use it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Union
from urllib.parse import unquote, urlsplit

from . import discovery
from .bundle import SourceBundle
from .errors import SourceMapError
from .index import Index, from_json
from .stacktrace import StackFrame, parse_frame, parse_stacktrace
from .view import View

StrPath = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class MinifiedFrame:
    """The frame as the stack trace printed it (``line``/``column`` 1-based)."""

    file: str | None
    line: int | None
    column: int | None
    function: str | None


@dataclass(frozen=True)
class SymbolicatedFrame:
    """One input frame, resolved or not. ``line`` and ``column`` are 1-based in the
    original source; ``error`` is ``None`` when resolved, else why it was not (the
    original-source fields are then ``None`` or empty)."""

    minified: MinifiedFrame
    function: str | None = None
    source: str | None = None
    line: int | None = None
    column: int | None = None
    pre_context: list[str] = field(default_factory=list)
    context_line: str | None = None
    post_context: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def resolved(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        """The frame as the JSON objects ``libsourcemap symbolicate --json`` prints."""
        data = asdict(self)
        minified = data.pop("minified")
        return {**data, "minified": minified}


class Unresolved(Exception):
    """Why a frame could not be resolved (becomes its ``error``)."""


@dataclass
class _Artifact:
    """What loading the map of a frame's minified file gave: a view, or why not."""

    view: View | None = None
    error: str | None = None


class Symbolicator:
    """Resolves stack frames against a root directory and/or a source bundle, loading
    each minified file and map once. Not thread-safe itself (the views it shares are)."""

    def __init__(
        self,
        root: StrPath | None = None,
        bundle: SourceBundle | StrPath | None = None,
        context_lines: int = 5,
    ) -> None:
        self.root = Path(root) if root is not None else None
        if self.root is not None and not self.root.is_dir():
            raise NotADirectoryError(f"{self.root}: not a directory")
        self._owns_bundle = bundle is not None and not isinstance(bundle, SourceBundle)
        self.bundle = (
            bundle if isinstance(bundle, SourceBundle) or bundle is None else SourceBundle(bundle)
        )
        self.context_lines = context_lines
        self._artifacts: dict[str, _Artifact] = {}
        self._views: dict[str, View] = {}

    def symbolicate(
        self, text: str, progress: Callable[[int, int], None] | None = None
    ) -> list[SymbolicatedFrame]:
        """Every frame of the stack trace ``text``, in input order."""
        frames = parse_stacktrace(text)
        resolved = []
        for done, frame in enumerate(frames, 1):
            resolved.append(self.resolve(frame))
            if progress is not None:
                progress(done, len(frames))
        return resolved

    def resolve(self, frame: StackFrame | str) -> SymbolicatedFrame:
        """One frame (parsed, or a line of a stack trace)."""
        if isinstance(frame, str):
            parsed = parse_frame(frame)
            if parsed is None:
                raise ValueError(f"not a stack frame: {frame!r}")
            frame = parsed
        minified = MinifiedFrame(frame.file, frame.line, frame.column, frame.function)
        try:
            return self._resolve(frame, minified)
        except Unresolved as reason:
            return SymbolicatedFrame(minified, error=str(reason))

    def _resolve(self, frame: StackFrame, minified: MinifiedFrame) -> SymbolicatedFrame:
        if frame.file is None or frame.line is None:
            raise Unresolved("the frame has no file position (native or evaluated code)")
        if frame.column is None:
            raise Unresolved("the frame has no column")
        view = self._view_for(frame.file)
        found = view.resolve_frame(frame.line, frame.column, frame.function, self.context_lines)
        if found is None:
            raise Unresolved(f"{frame.line}:{frame.column} is not mapped by the source map")
        return SymbolicatedFrame(
            minified,
            function=found.function,
            source=found.source,
            line=found.line,
            column=found.column,
            pre_context=found.pre_context,
            context_line=found.context_line,
            post_context=found.post_context,
        )

    # -- finding the minified file and its map ----------------------------------------

    def _view_for(self, url: str) -> View:
        artifact = self._artifacts.get(url)
        if artifact is None:
            artifact = self._artifacts[url] = self._load(url)
        if artifact.view is None:
            raise Unresolved(artifact.error or "no source map")
        return artifact.view

    def _load(self, url: str) -> _Artifact:
        try:
            if self.bundle is not None:
                entry = self.bundle.find(url)
                if entry is not None:
                    return _Artifact(self._bundle_view(entry.url))
            if url.startswith("node:"):
                raise Unresolved(f"{url} is built into node, not a file of the build")
            path = self._local_file(url)
            if path is None:
                raise Unresolved(self._not_found(url))
            return _Artifact(self._file_view(path))
        except Unresolved as reason:
            return _Artifact(error=str(reason))

    def _bundle_view(self, url: str) -> View:
        assert self.bundle is not None
        try:
            return self.bundle.get_view(url)
        except KeyError as exc:
            raise Unresolved(exc.args[0]) from None
        except SourceMapError as exc:
            raise Unresolved(f"the source map in the bundle does not load: {exc}") from None

    def _file_view(self, minified: Path) -> View:
        try:
            source = minified.read_bytes()
        except OSError as exc:
            raise Unresolved(f"cannot read {minified}: {exc.strerror}") from None
        reference = discovery.discover(source)
        load: Callable[[], View | Index]
        if reference is not None and reference.startswith("data:"):
            key = f"{minified}#inline"
            load = lambda: discovery.from_data_url(reference)  # noqa: E731
        else:
            map_path = self._map_path(minified, reference)
            key = str(map_path)
            load = lambda: from_json(map_path.read_bytes())  # noqa: E731
        view = self._views.get(key)
        if view is None:
            view = self._views[key] = self._parse(load, key, source)
        return view

    def _map_path(self, minified: Path, reference: str | None) -> Path:
        if reference is None:
            candidate = minified.with_name(minified.name + ".map")
            if candidate.is_file():
                return candidate
            raise Unresolved(f"{minified} has no sourceMappingURL and no {candidate.name}")
        parts = urlsplit(reference)
        if parts.scheme in ("", "file"):
            candidate = minified.parent / unquote(parts.path)
            if parts.scheme == "file" or Path(unquote(parts.path)).is_absolute():
                candidate = Path(unquote(parts.path))
            if candidate.is_file():
                return candidate
        # A map URL on a server, or a server-absolute path: where its path would be
        # under the root.
        found = self._local_file(reference) if self.root is not None else None
        if found is not None:
            return found
        sibling = minified.with_name(minified.name + ".map")
        if sibling.is_file():
            return sibling
        raise Unresolved(f"source map {reference!r} of {minified} not found")

    @staticmethod
    def _parse(load: Callable[[], View | Index], key: str, minified: bytes) -> View:
        try:
            parsed = load()
        except OSError as exc:
            raise Unresolved(f"cannot read {key}: {exc.strerror}") from None
        except SourceMapError as exc:
            raise Unresolved(f"{key} is not a usable source map: {exc}") from None
        if isinstance(parsed, Index):
            raise Unresolved(f"{key} is an index map with external sections")
        try:
            parsed.attach_minified_source(minified)
        except SourceMapError:
            pass  # unparsable minified source: names still come from sourcesContent
        return parsed

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
                return candidate
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
        for view in self._views.values():
            view.close()
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
) -> list[SymbolicatedFrame]:
    """Every frame of ``stacktrace`` mapped to its original source (see the module
    documentation for how files and maps are found). Frames that cannot be resolved are
    returned with ``error`` set; nothing is raised for them."""
    with Symbolicator(root=root, bundle=bundle, context_lines=context_lines) as symbolicator:
        return symbolicator.symbolicate(stacktrace)
