"""libsourcemap: fast, lean, standard-conformant JavaScript source maps (Rust core, CFFI).

The public API of libsourcemap 0.8.2 is kept; see the README for what is new.
"""

from .bundle import BadBundle, BundleFile, SourceBundle
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
    InvalidProguardMapping,
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
from .proguard import JavaFrame, ProguardView
from .stacktrace import StackFrame, parse_stacktrace
from .symbolicate import MinifiedFrame, SymbolicatedFrame, Symbolicator, symbolicate
from .view import Token, View

__version__ = "0.9.0"

__all__ = [
    "View",
    "Index",
    "Section",
    "Token",
    "ProguardView",
    "JavaFrame",
    "Frame",
    "from_json",
    "from_data_url",
    "discover",
    "symbolicate",
    "Symbolicator",
    "SymbolicatedFrame",
    "MinifiedFrame",
    "StackFrame",
    "parse_stacktrace",
    "SourceBundle",
    "BundleFile",
    "BadBundle",
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
    "InvalidProguardMapping",
    "ClosedError",
]
