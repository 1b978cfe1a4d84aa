"""Writing source bundles (see :mod:`libsourcemap.bundle` for the format)."""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Callable

from .. import discovery
from .._files import replacing
from . import HOSTLESS, MANIFEST, BundleFile

_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".css")
# `//# debugId=<uuid>`, the comment bundlers emit next to `sourceMappingURL`.
_DEBUG_ID_COMMENT = re.compile(rb"//# debugId=([0-9a-fA-F-]{32,36})\s*$", re.M)


def create_bundle(
    directory: str | os.PathLike[str],
    output: str | os.PathLike[str],
    url_prefix: str = HOSTLESS,
    progress: Callable[[int, int], None] | None = None,
) -> list[BundleFile]:
    """Writes every file under ``directory`` into a source bundle at ``output`` and
    returns the manifest entries. ``.map`` files become ``source_map``; scripts with a
    map (``sourceMappingURL`` or ``<file>.map`` next to them) ``minified_source``; the
    rest ``source``. Each URL is ``url_prefix`` + the path relative to ``directory``.
    Minified files get a ``Sourcemap`` header; both get ``debug-id`` where the map has
    a ``debugId`` or the script a ``//# debugId=`` comment. ``progress(done, total)`` is
    called after each file. The bundle appears at ``output`` whole, when it is complete, or
    not at all (it is written to a temporary file beside it and renamed)."""
    root = Path(directory)
    if not root.is_dir():
        raise NotADirectoryError(f"{root}: not a directory")
    paths = sorted(p for p in root.rglob("*") if p.is_file() and p.resolve() != _resolved(output))
    relative = {path: path.relative_to(root).as_posix() for path in paths}
    entries: list[BundleFile] = []
    with replacing(os.fspath(output), prefix=".bundle-") as file:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, path in enumerate(paths, 1):
                data = path.read_bytes()
                entry = _describe(path, data, relative[path], url_prefix)
                archive.writestr(entry.path, data)
                entries.append(entry)
                if progress is not None:
                    progress(done, len(paths))
            manifest = {
                "files": {
                    entry.path: {"url": entry.url, "type": entry.type, "headers": entry.headers}
                    for entry in entries
                }
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
    return entries


def _describe(path: Path, data: bytes, relative: str, url_prefix: str) -> BundleFile:
    headers: dict[str, str] = {}
    archive_path = "files/_/_/" + relative
    url = url_prefix + relative
    if path.suffix == ".map":
        debug_id = _map_debug_id(data)
        if debug_id:
            headers["debug-id"] = debug_id
        return BundleFile(archive_path, url, "source_map", headers)
    if path.suffix not in _SCRIPT_SUFFIXES:
        return BundleFile(archive_path, url, "source", headers)
    reference = discovery.discover(data)
    if reference is None and path.with_name(path.name + ".map").is_file():
        reference = path.name + ".map"
    if reference is None:
        return BundleFile(archive_path, url, "source", headers)
    if not reference.startswith("data:"):
        headers["Sourcemap"] = reference
    comment = _DEBUG_ID_COMMENT.search(data)
    if comment:
        headers["debug-id"] = comment.group(1).decode("ascii").lower()
    return BundleFile(archive_path, url, "minified_source", headers)


def _map_debug_id(data: bytes) -> str | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    value = parsed.get("debugId", parsed.get("debug_id"))
    return value.lower() if isinstance(value, str) else None


def _resolved(path: str | os.PathLike[str]) -> Path:
    return Path(path).resolve()
