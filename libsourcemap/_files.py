"""Writing files so that readers never see half of one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO


def write_atomically(target: str, data: bytes, prefix: str) -> None:
    """Writes ``data`` to a temporary file (named ``prefix...``) in ``target``'s directory,
    then renames it over ``target``: readers see the old file or the new one, never a
    part, and a view that has the old file memory-mapped keeps its intact inode."""
    with replacing(target, prefix) as f:
        f.write(data)


@contextmanager
def replacing(target: str, prefix: str) -> Iterator[BinaryIO]:
    """A file to write that takes ``target``'s place when the block ends without error (a
    temporary file in the same directory, renamed over it); on error it is deleted and
    ``target`` is left as it was."""
    import tempfile  # only writers need it (and it is slow to import)

    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(target) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        # mkstemp makes the file private (0600); these files are read by other processes.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            # A write that failed (a full disk, a file size limit) names no file: this
            # is the one it was for.
            exc.filename = target
        raise
