"""libsourcemap: fast, lean, standard-conformant JavaScript source maps (Rust core, CFFI).

The public API of libsourcemap 0.8.2 is kept; see the README for what is new.
"""

from .discovery import discover, from_data_url
from .errors import (
    AlreadyMemDb,
    BadIo,
    BadJson,
    BadMemDb,
    BadSource,
    CannotFlatten,
    ClosedError,
    IndexedSourceMap,
    InternalError,
    InvalidArgument,
    InvalidSourceMap,
    LocationOverflow,
    MemDbDumpError,
    SourceMapError,
    TooManyNames,
    TooManySources,
    UnsupportedMemDbVersion,
)
from .frames import Frame
from .index import Index, Section, from_json
from .view import Token, View

__version__ = "0.9.0"

__all__ = [
    "View",
    "Index",
    "Section",
    "Token",
    "Frame",
    "from_json",
    "from_data_url",
    "discover",
    "SourceMapError",
    "IndexedSourceMap",
    "BadJson",
    "InvalidSourceMap",
    "CannotFlatten",
    "UnsupportedMemDbVersion",
    "BadMemDb",
    "BadSource",
    "BadIo",
    "MemDbDumpError",
    "TooManySources",
    "TooManyNames",
    "LocationOverflow",
    "AlreadyMemDb",
    "InternalError",
    "InvalidArgument",
    "ClosedError",
]
