"""Putting the drop-ins where an application imports the packages they replace, for an
application that cannot change its imports (docs/migration.md).

``install("ecma426")`` makes ``import ecma426`` (and ``ecma426.codec``, ``.model``,
``.vlq``, ``.scripts.identity_sourcemap``) give :mod:`libsourcemap.compat.ecma426`.
``install("symbolic")`` makes symbolic's source map and ProGuard API the drop-in's:
``symbolic.sourcemap``, ``symbolic.sourcemapcache`` and ``symbolic.proguard``, and those
names at the package's top (``symbolic.SourceMapView``, ``SourceView``,
``SourceMapCache``, ``ProguardMapper``, ...). Everything else of symbolic (its native
debug-file API: ``Archive``, ``SymCache``, ``CfiCache``, ...) stays the real package's,
which must then be installed; without it, ``import symbolic`` gives the drop-in's names
alone. ``install("sourcemap")`` does the same for the ``sourcemap`` 0.2.1 package.

It must run before the application imports those packages. Where the application's
code cannot be touched, put it in the environment's start-up: ``libsourcemap dropins
enable ecma426 symbolic`` writes a ``.pth`` file into the environment's site-packages
that calls ``install`` in every interpreter of that environment, and ``libsourcemap
dropins disable`` removes it.
"""

from __future__ import annotations

import importlib
import os
import sys
import sysconfig
from types import ModuleType

__all__ = ["DROPINS", "PTH_NAME", "disable", "enable", "install", "installed"]

#: The packages there is a drop-in for, and the modules that stand for theirs.
DROPINS = {
    "ecma426": {
        "ecma426": "libsourcemap.compat.ecma426",
        "ecma426.codec": "libsourcemap.compat.ecma426.codec",
        "ecma426.model": "libsourcemap.compat.ecma426.model",
        "ecma426.vlq": "libsourcemap.compat.ecma426.vlq",
        "ecma426.scripts": "libsourcemap.compat.ecma426.scripts",
        "ecma426.scripts.identity_sourcemap": (
            "libsourcemap.compat.ecma426.scripts.identity_sourcemap"
        ),
    },
    "sourcemap": {"sourcemap": "libsourcemap.compat.sourcemap"},
    "symbolic": {
        "symbolic.sourcemap": "libsourcemap.compat.symbolic",
        "symbolic.sourcemapcache": "libsourcemap.compat.symbolic",
        "symbolic.proguard": "libsourcemap.compat.symbolic",
    },
}
#: The names of symbolic's package that are the drop-in's once installed.
SYMBOLIC_NAMES = (
    "SourceView",
    "SourceMapView",
    "SourceMapTokenMatch",
    "SourceMapCache",
    "SourceMapCacheToken",
    "ProguardMapper",
    "JavaStackFrame",
)
#: The start-up file `enable` writes.
PTH_NAME = "libsourcemap-dropins.pth"


def install(*packages: str) -> None:
    """Makes ``import PACKAGE`` give the drop-in, for each of ``packages`` (``"ecma426"``,
    ``"symbolic"``, ``"sourcemap"``). A package imported before keeps the module objects
    already bound to names elsewhere; install first."""
    for package in packages:
        modules = DROPINS.get(package)
        if modules is None:
            known = ", ".join(sorted(DROPINS))
            raise ValueError(f"no drop-in for {package!r}: there are drop-ins for {known}")
        if package == "symbolic":
            _install_symbolic(modules)
            continue
        for name, dropin in modules.items():
            sys.modules[name] = importlib.import_module(dropin)


def _install_symbolic(modules: dict[str, str]) -> None:
    dropin = importlib.import_module("libsourcemap.compat.symbolic")
    try:
        real: ModuleType = importlib.import_module("symbolic")
    except ImportError:
        # No symbolic: the package is the drop-in's names alone.
        real = ModuleType("symbolic", "libsourcemap's drop-ins for symbolic's source map API")
        real.__path__ = []  # a package, so that `import symbolic.sourcemap` works
        sys.modules["symbolic"] = real
    for name in SYMBOLIC_NAMES:
        setattr(real, name, getattr(dropin, name))
    for name in modules:
        sys.modules[name] = dropin
        setattr(real, name.rsplit(".", 1)[1], dropin)


def installed(package: str) -> bool:
    """Whether ``import package`` gives the drop-in now."""
    modules = DROPINS.get(package, {})
    return bool(modules) and all(
        getattr(sys.modules.get(name), "__name__", None) == dropin
        for name, dropin in modules.items()
    )


def _site_packages() -> str:
    return sysconfig.get_paths()["purelib"]


def enable(*packages: str, site_packages: str | None = None) -> str:
    """Writes the start-up file that installs ``packages`` in every interpreter of this
    environment (or of ``site_packages``); returns its path."""
    for package in packages:
        if package not in DROPINS:
            raise ValueError(f"no drop-in for {package!r}")
    names = ", ".join(repr(p) for p in packages)
    path = os.path.join(site_packages or _site_packages(), PTH_NAME)
    # A .pth line that starts with `import` is run at start-up, and only such a line.
    line = f"import libsourcemap.compat.install as i; i.install({names})\n"
    with open(path, "w", encoding="utf-8") as f:
        f.write(line)
    return path


def disable(site_packages: str | None = None) -> str | None:
    """Removes the start-up file; returns its path, ``None`` if there was none."""
    path = os.path.join(site_packages or _site_packages(), PTH_NAME)
    try:
        os.unlink(path)
    except FileNotFoundError:
        return None
    return path
