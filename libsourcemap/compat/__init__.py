"""Drop-in APIs of other packages, built on libsourcemap's public API.

``libsourcemap.compat`` itself is the drop-in for the pure-Python ``sourcemap`` 0.2.1
package (implemented in :mod:`libsourcemap.compat.sourcemap`)::

    import libsourcemap.compat as sourcemap

    index = sourcemap.loads(text)
    token = index.lookup(line, column)
"""

from __future__ import annotations

from .sourcemap import (
    SourceMapDecodeError,
    SourceMapDecoder,
    SourceMapIndex,
    Token,
    discover,
    load,
    loads,
)

__all__ = [
    "load",
    "loads",
    "discover",
    "SourceMapDecodeError",
    "SourceMapDecoder",
    "SourceMapIndex",
    "Token",
]
