"""Writing cache files so that readers never see half of one."""

from __future__ import annotations

import os


def write_atomically(target: str, data: bytes, prefix: str) -> None:
    """Writes ``data`` to a temporary file (named ``prefix...``) in ``target``'s directory,
    then renames it over ``target``: readers see the old file or the new one, never a
    part, and a view that has the old file memory-mapped keeps its intact inode."""
    import tempfile  # only writers need it (and it is slow to import)

    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=os.path.dirname(target) or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # mkstemp makes the file private (0600); caches are read by other processes.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
