"""Exception classes, and the table from C ABI error codes to classes.

The names and codes of libsourcemap 0.8.2 are kept, so existing ``except`` clauses work.
"""

from __future__ import annotations

from ._lowlevel import ffi

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from typing import Any


class SourceMapError(Exception):
    """Base class of every error libsourcemap raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class IndexedSourceMap(SourceMapError):
    """The JSON is an index map where a regular map was asked for; ``.index`` holds it."""

    def __init__(self, message: str, index: Any = None) -> None:
        super().__init__(message)
        self.index = index


class BadJson(SourceMapError):
    """The input is not valid JSON, or not a JSON object."""


class InvalidSourceMap(BadJson):
    """The JSON is not a valid source map (ECMA-426); the message names the field or the
    generated position at fault."""


class CannotFlatten(SourceMapError):
    """An index map references external maps and cannot be merged into one view."""


class UnsupportedMemDbVersion(SourceMapError):
    """A memdb cache written by another, incompatible version of the format."""


class BadMemDb(SourceMapError):
    """Corrupt, truncated or foreign bytes where a memdb cache was expected."""


class BadIo(SourceMapError, OSError):
    """Reading a file failed (missing, a directory, unreadable). Also an ``OSError``
    with what the system said: ``errno`` (e.g. ``errno.ENOENT``), ``strerror`` and
    ``filename`` where a file was named."""


class MemDbDumpError(SourceMapError):
    """Writing a memdb failed."""


class TooManySources(MemDbDumpError):
    """More sources than the format can count."""


class TooManyNames(MemDbDumpError):
    """More names than the format can count."""


class LocationOverflow(MemDbDumpError):
    """A value does not fit the 32-bit fields of the format."""


class AlreadyMemDb(MemDbDumpError):
    """Kept for compatibility with 0.8.2; views from a memdb can be dumped again now."""


class InternalError(SourceMapError):
    """A bug in libsourcemap's Rust core (a caught panic). Please report it."""


class InvalidArgument(SourceMapError, ValueError):
    """An argument the core cannot use."""


class BadSource(SourceMapError, ValueError):
    """A JavaScript source that cannot be parsed (for function names)."""


class InvalidProguardMapping(SourceMapError, ValueError):
    """Input that is not a ProGuard/R8 mapping file."""


class ClosedError(SourceMapError, RuntimeError):
    """The object was closed; it cannot be used any more."""


class ResourceError(SourceMapError, OSError):
    """The system refused a resource the work needs (a parser thread could not start)."""


#: The class of each ``LSM_ERR_*`` constant of include/libsourcemap.h.
ERRORS_BY_CONSTANT: dict[str, type[SourceMapError]] = {
    "LSM_ERR_PANIC": InternalError,
    "LSM_ERR_INDEXED_SOURCEMAP": IndexedSourceMap,
    "LSM_ERR_BAD_JSON": BadJson,
    "LSM_ERR_CANNOT_FLATTEN": CannotFlatten,
    "LSM_ERR_UNSUPPORTED_MEMDB_VERSION": UnsupportedMemDbVersion,
    "LSM_ERR_BAD_IO": BadIo,
    "LSM_ERR_BAD_MEMDB": BadMemDb,
    "LSM_ERR_INVALID_SOURCEMAP": InvalidSourceMap,
    "LSM_ERR_INVALID_ARGUMENT": InvalidArgument,
    "LSM_ERR_BAD_SOURCE": BadSource,
    "LSM_ERR_INVALID_PROGUARD": InvalidProguardMapping,
    "LSM_ERR_SYSTEM": ResourceError,
    "LSM_ERR_TOO_MANY_SOURCES": TooManySources,
    "LSM_ERR_TOO_MANY_NAMES": TooManyNames,
    "LSM_ERR_LOCATION_OVERFLOW": LocationOverflow,
    "LSM_ERR_ALREADY_MEMDB": AlreadyMemDb,
}

#: Error code -> class; the numbers are the header's (they cross the C ABI), read from the
#: CFFI module generated from it, so they are written down once.
ERRORS_BY_CODE: dict[int, type[SourceMapError]] = {
    ffi.integer_const(name): cls for name, cls in ERRORS_BY_CONSTANT.items()
}
