"""libsourcemap: fast, lean, standard-conformant JavaScript source maps (Rust core, CFFI).

The public API of libsourcemap 0.8.2 is kept; docs/migration.md says what is new.
"""

from __future__ import annotations

from ._native import NONE, Rules
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
    ResourceError,
    SourceMapError,
    TooManyNames,
    TooManySources,
    UnsupportedMemDbVersion,
)
from .frames import Frame, Frames, StackFrame
from .index import Index, Section, from_json
from .view import HERMES_BYTECODE_MAGIC, Token, View

TYPE_CHECKING = False  # see view.py: typing is for type checkers only

# Names a `View` user does not need are imported on first use (PEP 562), so that
# `import libsourcemap` stays cheap and loads the library alone: the engine (the resolver,
# symbolication, bundles), the writers, ProGuard and discovery load only when touched.
# The names are the same either way.
_LAZY = {
    "discover": "discovery",
    "from_data_url": "discovery",
    "ProguardView": "proguard",
    "JavaFrame": "proguard",
    "parse_stacktrace": "symbolication.stacktrace",
    "symbolicate": "symbolication.symbolicator",
    "Symbolicator": "symbolication.symbolicator",
    "SourceBundle": "bundle",
    "BundleFile": "bundle",
    "BadBundle": "bundle",
    "Resolver": "resolver",
    "ViewCache": "view_cache",
    "ContentCache": "view_cache",
    "SourceMapBuilder": "writing",
    "concat": "writing",
    "remap": "writing",
    "inject_debug_id": "writing",
    "rewrite": "writing",
}

if TYPE_CHECKING:
    from typing import Any

    from .bundle import BadBundle, BundleFile, SourceBundle
    from .discovery import discover, from_data_url
    from .proguard import JavaFrame, ProguardView
    from .resolver import Resolver
    from .symbolication.stacktrace import parse_stacktrace
    from .symbolication.symbolicator import Symbolicator, symbolicate
    from .view_cache import ContentCache, ViewCache
    from .writing import SourceMapBuilder, concat, inject_debug_id, remap, rewrite


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'libsourcemap' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.9.0"

__all__ = [
    "NONE",
    "HERMES_BYTECODE_MAGIC",
    "SourceMapBuilder",
    "concat",
    "remap",
    "inject_debug_id",
    "rewrite",
    "Rules",
    "View",
    "ViewCache",
    "ContentCache",
    "Resolver",
    "Index",
    "Section",
    "Token",
    "ProguardView",
    "JavaFrame",
    "Frame",
    "Frames",
    "from_json",
    "from_data_url",
    "discover",
    "symbolicate",
    "Symbolicator",
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
    "ResourceError",
    "ClosedError",
]
