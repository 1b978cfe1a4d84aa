"""Drop-in APIs of other packages, built on libsourcemap's public API.

``libsourcemap.compat`` itself is the drop-in for the pure-Python ``sourcemap`` 0.2.1
package (implemented in :mod:`libsourcemap.compat.sourcemap`)::

    import libsourcemap.compat as sourcemap

    index = sourcemap.loads(text)
    token = index.lookup(line, column)
"""

from __future__ import annotations

from . import sourcemap as _sourcemap
from .sourcemap import *  # noqa: F403 (the drop-in's names, listed once, in its __all__)

__all__ = list(_sourcemap.__all__)
