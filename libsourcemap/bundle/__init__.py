"""Source bundles: zip archives of minified files and their source maps with a
``manifest.json``, the artifact bundle layout error-monitoring services accept.

The manifest lists every archived file under ``files``, keyed by its path in the zip::

    {"files": {"files/_/_/app.min.js": {"url": "~/app.min.js", "type": "minified_source",
                                        "headers": {"Sourcemap": "app.min.js.map",
                                                    "debug-id": "..."}},
               "files/_/_/app.min.js.map": {"url": "~/app.min.js.map",
                                            "type": "source_map", "headers": {...}}}}

URLs starting with ``~/`` match any scheme and host: a frame from
``https://cdn.example.com/static/app.min.js`` finds ``~/static/app.min.js``. An entry may
have no ``url`` but a ``debug-id`` header (sentry-cli writes such entries with a ``path``
only): it is found by its debug ID alone. Several bundles are searched as one by
:class:`BundleSet`.

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
    url: str | None  # None: found by its debug ID only
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
        """The ``debug-id`` header in canonical form (see
        :func:`~libsourcemap.discovery.canonical_debug_id`); ``None`` without a valid one."""
        value = self.header("debug-id")
        return discovery.canonical_debug_id(value) if value else None

    @property
    def name(self) -> str:
        """How to name the file to a person: its URL, else its path in the archive."""
        return self.url if self.url is not None else self.path


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
        self._by_url = {file.url: file for file in self.files if file.url is not None}
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

    @property
    def path(self) -> str:
        """The bundle's file."""
        return self._path

    # -- finding files ------------------------------------------------------------------

    def find(self, url: str) -> BundleFile | None:
        """The file stored for ``url``: the first of :func:`candidate_urls` it has an
        entry for."""
        for candidate in candidate_urls(url):
            found = self._by_url.get(candidate)
            if found is not None:
                return found
        return None

    def find_by_debug_id(self, debug_id: str, type: str = "source_map") -> BundleFile | None:
        """The file of ``type`` (``source_map`` or ``minified_source``) whose ``debug-id``
        header is ``debug_id`` (any case, with or without dashes)."""
        canonical = discovery.canonical_debug_id(debug_id)
        return self._by_debug_id.get((canonical, type)) if canonical is not None else None

    def map_reference(self, minified: BundleFile) -> str | None:
        """Where the map of ``minified`` is, as its entry says: the ``Sourcemap`` (or
        ``X-SourceMap``) header, else the file's own ``sourceMappingURL`` comment (a URL
        relative to the file's, or an inline ``data:`` URL); ``None`` without either."""
        header = minified.header("sourcemap") or minified.header("x-sourcemap")
        if header:
            return header
        return discovery.discover(self.read(minified))

    def source_map_for(self, minified: BundleFile) -> BundleFile | None:
        """The source map of a minified file: the map with the same debug id (the one
        identity that survives renames), else its ``Sourcemap`` header (relative to the
        file's URL), its ``sourceMappingURL`` comment, or ``<url>.map``."""
        debug_id = minified.debug_id
        if debug_id:
            by_id = self.find_by_debug_id(debug_id)
            if by_id is not None:
                return by_id
        if minified.url is None:
            return None
        candidates: list[str] = []
        reference = self.map_reference(minified)
        if reference and not reference.startswith("data:"):
            candidates.append(urljoin(_joinable(minified.url), reference))
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
                raise KeyError(f"no source map for {entry.name} in the bundle")
            entry = found
        view = self.map_view(entry)
        if minified is not None:
            self.attach_minified(view, minified)
        return view

    def map_view(self, entry: BundleFile) -> View:
        """The parsed map stored as ``entry``: parsed once, shared by every caller."""
        view = self._views.get(entry.path)
        if view is None:
            once = self._once.setdefault("view:" + entry.path, threading.Lock())
            with once:
                view = self._views.get(entry.path)
                if view is None:
                    view = self._views[entry.path] = _as_view(from_json(self.read(entry)))
        return view

    def attach_minified(self, view: View, minified: BundleFile) -> None:
        """Attaches the minified file ``minified`` to ``view`` for function names, once;
        one that does not parse is skipped (names then come from ``sourcesContent``)."""
        if not view.has_function_table:
            try:
                view.attach_minified_source(self.read(minified))
            except (InvalidArgument, BadSource):  # attached by another thread, or
                pass  # unparsable: names come from sourcesContent (a panic is raised)

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


def candidate_urls(url: str) -> list[str]:
    """The manifest URLs that serve a file asked for as ``url``, in order (as Sentry's
    symbolicator tries them, then tails of the path): the URL without its fragment, then
    without its query; ``~/`` + its path (any scheme and host), with the query and
    without; then ``~/`` + shorter and shorter tails of the path, so that a frame printed
    with a local path (``/srv/app/dist/app.min.js``) finds ``~/dist/app.min.js``."""
    parts = urlsplit(url)
    if len(parts.scheme) == 1:  # a Windows drive letter, not a scheme
        parts = urlsplit("file:///" + url.replace("\\", "/"))
    whole = parts._replace(fragment="").geturl() if parts.fragment else url.split("#")[0]
    candidates = [whole, parts._replace(query="", fragment="").geturl()]
    path = parts.path if parts.scheme or parts.netloc else whole.split("?")[0]
    path = path[1:] if path.startswith("~/") else path
    hostless = HOSTLESS + path.lstrip("/")
    if parts.query:
        candidates.append(f"{hostless}?{parts.query}")
    candidates.append(hostless)
    segments = [segment for segment in unquote(path).split("/") if segment]
    candidates.extend(HOSTLESS + "/".join(segments[start:]) for start in range(1, len(segments)))
    return list(dict.fromkeys(candidates))


class BundleSet:
    """Several source bundles searched as one. A file is looked for by debug ID first, in
    every bundle; then by URL, each of :func:`candidate_urls` in every bundle before the
    next (an exact URL in one bundle beats a ``~/`` entry in another). Where two bundles
    hold the same key, the first one given wins: list them newest first."""

    def __init__(self, bundles: list[SourceBundle]) -> None:
        self.bundles = bundles

    def find(self, url: str) -> tuple[SourceBundle, BundleFile] | None:
        for candidate in candidate_urls(url):
            for bundle in self.bundles:
                found = bundle._by_url.get(candidate)
                if found is not None:
                    return bundle, found
        return None

    def find_by_debug_id(
        self, debug_id: str, type: str = "source_map"
    ) -> tuple[SourceBundle, BundleFile] | None:
        for bundle in self.bundles:
            found = bundle.find_by_debug_id(debug_id, type)
            if found is not None:
                return bundle, found
        return None

    def __bool__(self) -> bool:
        return bool(self.bundles)

    def close(self) -> None:
        for bundle in self.bundles:
            bundle.close()


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
        if not isinstance(info, dict):
            raise BadBundle(f"{where}: manifest entry {path!r} is not an object")
        url = info.get("url")
        if url is not None and not isinstance(url, str):
            raise BadBundle(f"{where}: manifest entry {path!r} has a 'url' that is not text")
        if path not in names:
            raise BadBundle(f"{where}: manifest lists {path!r}, which the archive lacks")
        headers = info.get("headers") or {}
        if not isinstance(headers, dict):
            raise BadBundle(f"{where}: manifest entry {path!r} has bad 'headers'")
        kind = info.get("type")
        files.append(
            BundleFile(
                path=path,
                url=url,
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
