"""What every command shares: exit codes, the one-line errors, reading inputs and maps."""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path
from typing import Any

from .. import Index, SourceMapError, View, from_json

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2
EXIT_NO_INPUT = 3
EXIT_BAD_INPUT = 4
EXIT_CANT_CREATE = 73  # sysexits' EX_CANTCREAT: an output file cannot be created
EXIT_IO = 74  # sysexits' EX_IOERR: the environment failed (a full disk), not the input
EXIT_INTERNAL = 70

MEMDB_MAGIC = b"LSMMEMDB"


class UserError(Exception):
    """A mistake in the command's input: printed as one line, exits with ``code``."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise cannot_read(path, exc) from None


def cannot_write(path: str, exc: OSError) -> UserError:
    """The one line an output that cannot be written gets: exit 74 (sysexits' EX_IOERR)
    when writing failed for want of room (a full disk, a quota, a file size limit) or
    the device failed; 73 (EX_CANTCREAT) when the file cannot be created (no such
    directory, no permission, a read-only file system)."""
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO):
        return UserError(f"I/O error: {path}: {exc.strerror}", EXIT_IO)
    return UserError(f"{path}: cannot write: {exc.strerror}", EXIT_CANT_CREATE)


def cannot_read(path: str, exc: OSError) -> UserError:
    """The one line an input file that cannot be read gets."""
    if isinstance(exc, FileNotFoundError):
        return UserError(f"{path}: no such file", EXIT_NO_INPUT)
    if isinstance(exc, IsADirectoryError):
        return UserError(f"{path}: is a directory", EXIT_NO_INPUT)
    return UserError(f"{path}: cannot read: {exc.strerror}", EXIT_NO_INPUT)


def read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    return read_bytes(path).decode("utf-8", "replace")


def parse_map(data: bytes, path: str, flatten: bool = True) -> View | Index:
    try:
        return from_json(data, auto_flatten=flatten, raise_for_index=False)
    except SourceMapError as exc:
        raise UserError(f"{path}: not a source map: {exc}", EXIT_BAD_INPUT) from None


def load_view(path: str) -> View:
    data = read_bytes(path)
    if data.startswith(MEMDB_MAGIC):
        try:
            return View.from_memdb(data)
        except SourceMapError as exc:
            raise UserError(f"{path}: bad memdb cache: {exc}", EXIT_BAD_INPUT) from None
    parsed = parse_map(data, path)
    if isinstance(parsed, Index):
        raise UserError(f"{path}: an index map with external sections", EXIT_BAD_INPUT)
    return parsed


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def error(message: str) -> None:
    sys.stderr.write(f"libsourcemap: {message}\n")
