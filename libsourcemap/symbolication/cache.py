"""A directory of memdb caches shared by symbolicating processes (``Symbolicator(cache_dir=...)``).

Each map's cache is ``<key>.memdb``, where the key is the map's ``debugId`` when it has one,
else a BLAKE2 hash of its bytes: two builds never share a cache, and the same build found
under two paths does. Opening a cache must not cost reading the map, so a small pointer
file, named after the map file's path, size, modification time and inode, remembers the
key: a warm lookup is one ``stat``, one small read and one ``mmap``.

Every file is written to a temporary name in the directory and renamed into place, so
any number of processes can share the directory: readers see a whole file or none, and
a view keeps the file it mapped even if another process replaces it.

A cache damaged on disk (its header when opened, any other block when first read: see
docs/robustness.md) is never served: the symbolicator parses the map again and writes
the cache anew. Each damaged file is counted (``MemdbCache.damaged``) and logged once, as
a warning of the ``libsourcemap`` logger.
"""

from __future__ import annotations

import os
from pathlib import Path

try:  # hashlib would load OpenSSL first (milliseconds); BLAKE2 is built in either way
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - Python builds without the _blake2 module
    from hashlib import blake2b

from .._files import write_atomically
from ..errors import BadMemDb, SourceMapError
from ..view import View

#: Age after which a writer's temporary file is taken for one a killed writer left.
_STALE = 3600.0
_KEY_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-")


def _valid_key(key: str) -> bool:
    """Keys name files in the directory: letters, digits, `_` and `-` only."""
    return 0 < len(key) <= 128 and set(key) <= _KEY_CHARS


class MemdbCache:
    """The memdb caches in ``directory`` (created if missing)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        (self.directory / "by-file").mkdir(parents=True, exist_ok=True)
        self._damaged: set[str] = set()

    def key_for_file(self, map_path: Path) -> str | None:
        """The key of the cache of the map at ``map_path``, if this file (same path, size
        and modification time) was cached before; ``None`` otherwise."""
        return self._read(self._pointer(map_path))

    def open(self, key: str) -> View | None:
        """The cached view for ``key``; ``None`` if there is none, it was written by
        another format version, or it is damaged (counted and logged: see
        ``report_damaged``)."""
        path = self.directory / f"{key}.memdb"
        try:
            return View.from_memdb_file(path)
        except BadMemDb as exc:
            self.report_damaged(key, exc)
            return None
        except SourceMapError:
            return None

    @property
    def damaged(self) -> int:
        """Damaged cache files found so far (each is rebuilt by the symbolicator)."""
        return len(self._damaged)

    def report_damaged(self, key: str, error: Exception) -> None:
        """Counts the damaged cache ``key`` and logs it, once per file."""
        if key in self._damaged:
            return
        self._damaged.add(key)
        import logging  # only here: a damaged cache is rare, and the import costs ~2 ms

        logging.getLogger("libsourcemap").warning(
            "damaged cache %s (%s): rebuilt from the source map",
            self.directory / f"{key}.memdb",
            error,
        )

    @staticmethod
    def debug_id_key(debug_id: str | None) -> str | None:
        """The cache key for a debug id; ``None`` if there is none or it is unusable as
        a file name."""
        if debug_id is None or not _valid_key(debug_id.replace("-", "")):
            return None
        return "debugid-" + debug_id.replace("-", "").lower()

    @staticmethod
    def key_for(map_bytes: bytes, view: View | None = None) -> str:
        """The cache key of a map: its debug id (from the parsed ``view``), else a hash of
        its bytes."""
        key = MemdbCache.debug_id_key(view.debug_id if view is not None else None)
        return key or "blake2b-" + blake2b(map_bytes, digest_size=20).hexdigest()

    def store(self, key: str, view: View, map_path: Path | None = None) -> None:
        """Writes ``view`` (with its function table, if attached) as the cache for
        ``key``, and remembers ``map_path``'s key; atomic, safe beside other processes."""
        view.dump_memdb_file(self.directory / f"{key}.memdb")
        if map_path is not None:
            self._write(self._pointer(map_path), key)
        self._sweep()

    def _sweep(self) -> None:
        """Deletes temporary files that writers killed mid-write (SIGKILL, a power cut)
        left behind: any older than ``_STALE`` seconds, which no live writer keeps open.
        Done after a store, which is rare (once per build), not on every open."""
        import time

        now = time.time()
        for folder in (self.directory, self.directory / "by-file"):
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                if not name.startswith((".memdb-", ".pointer-")):
                    continue
                path = folder / name
                try:
                    if now - path.stat().st_mtime > _STALE:
                        path.unlink()
                except OSError:
                    pass  # another process swept it first

    def remember(self, map_path: Path, key: str) -> None:
        """Points ``map_path`` at an existing cache ``key``."""
        self._write(self._pointer(map_path), key)

    def _pointer(self, map_path: Path) -> Path | None:
        try:
            st = map_path.stat()
        except OSError:
            return None
        identity = f"{map_path.resolve()}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}"
        name = blake2b(identity.encode("utf-8", "surrogateescape"), digest_size=16)
        return self.directory / "by-file" / name.hexdigest()

    @staticmethod
    def _read(pointer: Path | None) -> str | None:
        if pointer is None:
            return None
        try:
            # Not read_text("ascii"): its codec lookup imports a module on first use,
            # a third of a millisecond of a cache hit in a new process.
            key = pointer.read_bytes().decode("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return key if _valid_key(key) else None

    @staticmethod
    def _write(pointer: Path | None, key: str) -> None:
        if pointer is not None:
            write_atomically(str(pointer), key.encode("ascii"), prefix=".pointer-")
