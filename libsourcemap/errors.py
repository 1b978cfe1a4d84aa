"""Exception classes, and the table from C ABI error codes to classes.

The names and codes of libsourcemap 0.8.2 are kept, so existing ``except`` clauses work.
"""

from __future__ import annotations

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


class BadIo(SourceMapError):
    """Reading a file failed (missing, a directory, unreadable)."""


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


ERRORS_BY_CODE: dict[int, type[SourceMapError]] = {
    1: InternalError,
    2: IndexedSourceMap,
    3: BadJson,
    4: CannotFlatten,
    5: UnsupportedMemDbVersion,
    6: BadIo,
    7: BadMemDb,
    8: InvalidSourceMap,
    9: InvalidArgument,
    10: BadSource,
    11: InvalidProguardMapping,
    20: TooManySources,
    21: TooManyNames,
    22: LocationOverflow,
    23: AlreadyMemDb,
}
