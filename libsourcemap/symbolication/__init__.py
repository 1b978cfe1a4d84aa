"""The symbolication engine: stack traces parsed as engines print them
(:mod:`~libsourcemap.symbolication.stacktrace`), each frame's minified file and map found
and resolved (:mod:`~libsourcemap.symbolication.symbolicator`), and the memdb cache that
makes the second symbolication of a build parse nothing
(:mod:`~libsourcemap.symbolication.cache`). Built on the library's public API only.

(Named ``symbolication``, not ``symbolicate``: ``libsourcemap.symbolicate`` is the
function, and a subpackage of that name would replace it once imported.)
"""

from __future__ import annotations

from .cache import MemdbCache
from .stacktrace import parse_frame, parse_stacktrace
from .symbolicator import StrPath, Symbolicator, Unresolved, symbolicate

__all__ = [
    "MemdbCache",
    "StrPath",
    "Symbolicator",
    "Unresolved",
    "parse_frame",
    "parse_stacktrace",
    "symbolicate",
]
