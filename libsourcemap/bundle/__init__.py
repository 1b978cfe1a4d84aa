"""Source bundles: zip archives of minified files and their source maps with a
``manifest.json``, the artifact bundle layout error-monitoring services accept.

The manifest lists every archived file under ``files``, keyed by its path in the zip::

    {"files": {"files/_/_/app.min.js": {"url": "~/app.min.js", "type": "minified_source",
                                        "headers": {"Sourcemap": "app.min.js.map",
                                                    "debug-id": "..."}},
               "files/_/_/app.min.js.map": {"url": "~/app.min.js.map",
                                            "type": "source_map", "headers": {...}}}}

URLs starting with ``~/`` match any scheme and host: a frame from
``https://cdn.example.com/static/app.min.js`` finds ``~/static/app.min.js``.

Reading is built for many threads on one open bundle: every thread reads through its own
archive handle (no lock shared by readers), and each file is decompressed once, guarded by
a lock of its own, so threads wanting different files never wait for each other.
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from .. import discovery
from ..errors import BadJson, BadSource, InvalidArgument, SourceMapError
from ..index import Index, from_json
from ..view import View

MANIFEST = "manifest.json"
DEFAULT_MAX_FILE_SIZE = 1 << 30
HOSTLESS = "~/"


class BadBundle(SourceMapError, ValueError):
    """The file is not a source bundle: not a zip archive, or no valid manifest."""


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle, as its manifest describes it."""

    path: str  # inside the zip archive
    url: str
    type: str  # "minified_source", "source_map", "source", ...
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """The header ``name``, compared case-insensitively, or ``None``."""
        name = name.lower()
        for key, value in self.headers.items():
            if key.lower() == name:
                return value
        return None

    @property
    def debug_id(self) -> str | None:
        value = self.header("debug-id")
        return normalize_debug_id(value) if value else None


class SourceBundle:
    """An open source bundle. Safe to share between threads; close it (or use ``with``)
    to release its archive handles."""

    def __init__(
        self, path: str | os.PathLike[str], max_file_size: int = DEFAULT_MAX_FILE_SIZE
    ) -> None:
        self._path = os.fspath(path)
        self._max_file_size = max_file_size
        self._closed = False
        self._handles: list[zipfile.ZipFile] = []
        self._local = threading.local()
        try:
            archive = zipfile.ZipFile(self._path)
        except FileNotFoundError:
            raise
        except (zipfile.BadZipFile, OSError) as exc:
            raise BadBundle(f"{self._path}: not a zip archive ({exc})") from None
        try:
            self.files = _read_manifest(archive, self._path)
        except BadBundle:
            archive.close()
            raise
        self._handles.append(archive)
        self._local.archive = archive
        self._by_url = {file.url: file for file in self.files}
        self._by_debug_id: dict[tuple[str, str], BundleFile] = {}
        for file in self.files:
            if file.debug_id:
                self._by_debug_id.setdefault((file.debug_id, file.type), file)
        self._data: dict[str, bytes] = {}
        self._views: dict[str, View] = {}
        self._once: dict[str, threading.Lock] = {}

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], max_file_size: int = DEFAULT_MAX_FILE_SIZE
    ) -> SourceBundle:
        """Opens the bundle at ``path``: ``BadBundle`` if it is not one. Reading a file
        that decompresses to more than ``max_file_size`` bytes raises ``BadBundle``
        instead of exhausting memory (zip headers can lie about sizes)."""
        return cls(path, max_file_size)

    # -- finding files ------------------------------------------------------------------

    def find(self, url: str) -> BundleFile | None:
        """The file stored for ``url``: an exact match first, then (ignoring query and
        fragment) the ``~/`` entry for the URL's path with any scheme and host, then for
        the longest tail of that path that has one."""
        found = self._by_url.get(url)
        if found is not None:
            return found
        parts = urlsplit(url)
        found = self._by_url.get(parts._replace(query="", fragment="").geturl())
        if found is not None:
            return found
        # `~/` + the path, then + shorter and shorter tails of it: a frame printed with a
        # local path (`/srv/app/dist/app.min.js`) finds `~/dist/app.min.js`.
        segments = [segment for segment in unquote(parts.path).split("/") if segment]
        for start in range(len(segments)):
            found = self._by_url.get(HOSTLESS + "/".join(segments[start:]))
            if found is not None:
                return found
        return None

    def find_by_debug_id(self, debug_id: str, type: str = "source_map") -> BundleFile | None:
        """The file of ``type`` whose ``debug-id`` header is ``debug_id`` (any case,
        with or without dashes)."""
        return self._by_debug_id.get((normalize_debug_id(debug_id), type))

    def source_map_for(self, minified: BundleFile) -> BundleFile | None:
        """The source map of a minified file: the map with the same debug id (the one
        identity that survives renames), else its ``Sourcemap`` header (relative to the
        file's URL), its ``sourceMappingURL`` comment, or ``<url>.map``."""
        debug_id = minified.debug_id
        if debug_id:
            by_id = self.find_by_debug_id(debug_id)
            if by_id is not None:
                return by_id
        candidates: list[str] = []
        header = minified.header("sourcemap") or minified.header("x-sourcemap")
        if header:
            candidates.append(urljoin(_joinable(minified.url), header))
        comment = discovery.discover(self.read(minified))
        if comment and not comment.startswith("data:"):
            candidates.append(urljoin(_joinable(minified.url), comment))
        candidates.append(minified.url + ".map")
        for candidate in candidates:
            found = self.find(_unjoinable(candidate))
            if found is not None:
                return found
        return None

    # -- reading ------------------------------------------------------------------------

    def read(self, file: BundleFile | str) -> bytes:
        """The contents of ``file`` (a :class:`BundleFile` or a URL), decompressed once
        and kept for the bundle's lifetime. ``KeyError`` for an unknown URL, ``BadBundle``
        for a damaged entry."""
        entry = self._resolve(file)
        data = self._data.get(entry.path)
        if data is not None:
            return data
        # One lock per file: a second reader of the same file waits for the first one's
        # result instead of decompressing it again; readers of other files do not wait.
        once = self._once.setdefault(entry.path, threading.Lock())
        with once:
            data = self._data.get(entry.path)
            if data is None:
                data = self._decompress(entry.path)
                self._data[entry.path] = data
        return data

    def _decompress(self, path: str) -> bytes:
        limit = self._max_file_size
        try:
            # Read at most one byte past the limit: the size in the zip header is not
            # trusted, the bytes that come out are counted.
            with self._archive().open(path) as stream:
                data = stream.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            raise BadBundle(f"{self._path}: cannot read {path}: {exc}") from None
        if len(data) > limit:
            raise BadBundle(f"{self._path}: {path} is larger than {limit} bytes")
        return data

    def get_source(self, file: BundleFile | str) -> str:
        """The contents of ``file`` as text (UTF-8, undecodable bytes replaced)."""
        return self.read(file).decode("utf-8", "replace")

    def get_view(self, file: BundleFile | str) -> View:
        """The parsed source map of ``file``: the map itself for a ``source_map`` entry,
        or the map of a minified file (see :meth:`source_map_for`), with the minified
        source attached for function names. Parsed once per map, shared by callers.
        ``KeyError`` when there is no map, ``SourceMapError`` when it does not parse."""
        entry = self._resolve(file)
        minified: BundleFile | None = None
        if entry.type != "source_map":
            minified, found = entry, self.source_map_for(entry)
            if found is None:
                raise KeyError(f"no source map for {entry.url} in the bundle")
            entry = found
        view = self._views.get(entry.path)
        if view is None:
            once = self._once.setdefault("view:" + entry.path, threading.Lock())
            with once:
                view = self._views.get(entry.path)
                if view is None:
                    view = self._views[entry.path] = _as_view(from_json(self.read(entry)))
        if minified is not None and not view.has_function_table:
            try:
                view.attach_minified_source(self.read(minified))
            except (InvalidArgument, BadSource):  # attached by another thread, or
                pass  # unparsable: names come from sourcesContent (a panic is raised)
        return view

    def _resolve(self, file: BundleFile | str) -> BundleFile:
        if self._closed:
            raise ValueError("the source bundle is closed")
        if isinstance(file, BundleFile):
            return file
        found = self.find(file)
        if found is None:
            raise KeyError(f"{file!r} is not in the bundle")
        return found

    def _archive(self) -> zipfile.ZipFile:
        """This thread's own handle on the archive (zipfile handles share a file position,
        so sharing one between threads would need a lock around every read)."""
        archive: zipfile.ZipFile | None = getattr(self._local, "archive", None)
        if archive is None:
            archive = self._local.archive = zipfile.ZipFile(self._path)
            self._handles.append(archive)
        return archive

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Closes every archive handle and drops the cached files and views."""
        self._closed = True
        for archive in self._handles:
            archive.close()
        self._handles.clear()
        self._data.clear()
        self._views.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> SourceBundle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{len(self.files)} files"
        return f"<SourceBundle {self._path!r} {state}>"


def normalize_debug_id(value: str) -> str:
    """Debug ids compare without case or dashes (``85314830-023F-4CF1-...``)."""
    return value.strip().replace("-", "").lower()


def _read_manifest(archive: zipfile.ZipFile, where: str) -> list[BundleFile]:
    try:
        manifest: Any = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BadBundle(f"{where}: no {MANIFEST} in the archive") from None
    except (ValueError, zipfile.BadZipFile) as exc:
        raise BadBundle(f"{where}: unreadable {MANIFEST}: {exc}") from None
    entries = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(entries, dict):
        raise BadBundle(f"{where}: {MANIFEST} has no 'files' object")
    names = set(archive.namelist())
    files = []
    for path, info in entries.items():
        if not isinstance(info, dict) or not isinstance(info.get("url"), str):
            raise BadBundle(f"{where}: manifest entry {path!r} has no 'url'")
        if path not in names:
            raise BadBundle(f"{where}: manifest lists {path!r}, which the archive lacks")
        headers = info.get("headers") or {}
        if not isinstance(headers, dict):
            raise BadBundle(f"{where}: manifest entry {path!r} has bad 'headers'")
        kind = info.get("type")
        files.append(
            BundleFile(
                path=path,
                url=info["url"],
                type=kind if isinstance(kind, str) else "source",
                headers={str(k): str(v) for k, v in headers.items()},
            )
        )
    return files


def _as_view(parsed: View | Index) -> View:
    if isinstance(parsed, Index):  # only returned when raise_for_index=False
        raise BadJson("index maps with external sections are not supported in bundles")
    return parsed


# urljoin knows neither `~/` nor made-up schemes: join under a reserved host instead.
_TILDE_ORIGIN = "https://hostless.invalid/"


def _joinable(url: str) -> str:
    return _TILDE_ORIGIN + url[2:] if url.startswith(HOSTLESS) else url


def _unjoinable(url: str) -> str:
    return HOSTLESS + url[len(_TILDE_ORIGIN) :] if url.startswith(_TILDE_ORIGIN) else url
