"""Where a resolved frame's original source is, as a URL (``abs_path``) and as the name an
error tracker shows (``filename``), and how one URL is resolved against another.

A map's ``sources`` are resolved the way ECMA-426 says: ``sourceRoot`` joined first (the
view does it), then the result taken relative to the map's own URL, which is the minified
file's URL joined with its ``sourceMappingURL``. A source that is a URL already
(``http://...``, ``webpack://...``, ``app:///...``) is kept exactly as written, as
Sentry's symbolicator keeps it (``webpack:///./src/a.js`` stays that, not
``webpack:///src/a.js``).
"""

from __future__ import annotations

import re

from ._uri import resolve

# A URL with a scheme and `//`, or the bundler schemes that are written without one.
_ABSOLUTE = re.compile(r"^[A-Za-z][\w+.-]*://|^(webpack|turbopack):")
# webpack's `webpack://<namespace>/./path`: the namespace and `/.` give way to `./`.
_WEBPACK_NAMESPACE = re.compile(r"^webpack://[A-Za-z0-9_\-@.]+/\./")


def join_url(base: str, reference: str) -> str:
    """``reference`` (a source, or a ``sourceMappingURL``) as a URL, relative to the URL
    or path ``base``; a reference that is a URL already is returned as it is. A leading
    ``~/`` (a host-less URL, as bundles write them) is taken from the base's root."""
    if _ABSOLUTE.match(reference):
        return reference
    if reference.startswith("~/"):
        reference = reference[1:]
    return resolve(reference, base)


def source_filename(source: str) -> str:
    """The name of an original source to show (a frame's ``filename``): the ``sources``
    entry as the map wrote it (``sourceRoot`` joined), except that a bundler's namespace
    is cut from webpack and turbopack URLs, as Sentry's symbolicator does:
    ``webpack:///./src/a.tsx`` and ``webpack://app/./src/a.tsx`` become ``./src/a.tsx``,
    ``webpack:///src/a.tsx`` becomes ``src/a.tsx``, ``turbopack:///[project]/app/page.tsx``
    becomes ``app/page.tsx``, and a path through ``/~/`` (webpack's ``node_modules``
    alias) becomes ``~/`` and what follows it."""
    for scheme in ("webpack:", "turbopack:"):
        if not source.startswith(scheme):
            continue
        if "/~/" in source:
            return "~/" + source.split("/~/", 1)[1]
        if scheme == "webpack:":
            namespaced = _WEBPACK_NAMESPACE.match(source)
            if namespaced:
                return "./" + source[namespaced.end() :]
        triple = scheme + "///"
        if source.startswith(triple):
            rest = source[len(triple) :]
            return rest.removeprefix("[project]/") if scheme == "turbopack:" else rest
    return source
