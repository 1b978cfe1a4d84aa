"""The writers: source maps made, joined, composed and changed (docs/writing.md).

They read views and make new maps; they never change a view, and the library never
imports them. The public names are re-exported by :mod:`libsourcemap` (``SourceMapBuilder``,
``concat``, ``remap``, ``inject_debug_id``, ``rewrite``); the modules:

- :mod:`.builder`: ``SourceMapBuilder`` (a map segment by segment) and ``concat``;
- :mod:`.remapping`: ``remap``, the composition of a multi-step build's maps;
- :mod:`.inject`: ``inject_debug_id``, a debug ID into a minified file and its map;
- :mod:`.rewriting`: ``rewrite``, a map's sources, contents and ignore list changed.
"""

from .builder import SourceMapBuilder, concat
from .inject import inject_debug_id
from .remapping import remap
from .rewriting import KEEP, rewrite

__all__ = ["KEEP", "SourceMapBuilder", "concat", "inject_debug_id", "remap", "rewrite"]
