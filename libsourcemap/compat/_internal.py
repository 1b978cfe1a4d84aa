"""What the drop-ins use beyond the public API: the one door from ``compat`` to internals.

Everything else in :mod:`libsourcemap.compat` is built on public names of
:mod:`libsourcemap` (``tests/test_layers.py`` checks it). These pieces stay internal
because they exist to answer exactly as symbolic 13.9 does, and are no API of ours:

- :func:`start_scopes` / :class:`ScopeIndex`: symbolic's scope index of a minified source
  (js-source-scopes' naming), its parse started on a native thread *before* the map is
  parsed, so ``SourceMapCache.from_bytes`` parses both at once
  (:meth:`Resolver.scope_names` is the public, one-step form).
- :func:`lf_lines`: a source's lines split at line feeds only, as symbolic's
  ``SourceMapCache`` splits them (the public context lines also split at ``\\r\\n``).
"""

from __future__ import annotations

from .._scopes import ScopeIndex, start_scopes
from ..resolver import Resolver

__all__ = ["ScopeIndex", "lf_lines", "start_scopes"]


def lf_lines(resolver: Resolver, src_id: int, first: int, end: int) -> list[str] | None:
    """Lines ``first`` to ``end`` (exclusive) of source ``src_id``, split at ``\\n`` only;
    ``None`` where the source has no contents."""
    return resolver._lf_lines(src_id, first, end)
