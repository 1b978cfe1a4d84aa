"""`import libsourcemap` loads only what a `View` user needs; the other public names
(bundles, symbolication, ProGuard, frames, discovery) load on first use, unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import _cffi_backend
import cffi

import libsourcemap

FIXTURES = Path(__file__).parent / "fixtures"

# Modules that cost milliseconds to import, which neither `import libsourcemap` nor the
# first call of a View method may load.
HEAVY = [
    "zipfile", "dataclasses", "inspect", "typing", "tempfile", "json", "pathlib", "re",
    "glob", "threading", "enum", "libsourcemap.bundle", "libsourcemap.symbolication",
    "libsourcemap.proguard",
]  # fmt: skip


def run_bare(code: str) -> str:
    """Runs ``code`` in an interpreter without `site` (as a fresh virtualenv starts: no
    .pth file has imported anything), with libsourcemap and cffi on the path."""
    paths = {str(Path(libsourcemap.__file__).parent.parent), str(Path(cffi.__file__).parent.parent)}
    if hasattr(_cffi_backend, "__file__"):  # built into PyPy
        paths.add(str(Path(_cffi_backend.__file__).parent))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sorted(paths))}
    done = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_leaves_the_heavy_modules_alone() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import libsourcemap\n"
        f"print(sorted(m for m in {HEAVY!r} if m in set(sys.modules) - before))\n"
    )
    assert run_bare(code) == "[]"


def test_first_calls_of_view_methods_import_nothing_heavy() -> None:
    code = f"""
import sys
before = set(sys.modules)
import libsourcemap
data = open({str(FIXTURES / "terser-underscore.min.js.map")!r}, "rb").read()
source = open({str(FIXTURES / "terser-underscore.min.js")!r}, "rb").read()
view = libsourcemap.View.from_json(data)
view.lookup_token(0, 100); view.lookup_tokens([(0, 1), (0, 50)]); list(view)[:3]
view.get_source_name(0); view.get_source_contents(0); view.get_name(0)
view.file; view.source_root; view.debug_id; view.ignore_list
view.get_original_function_name(0, 500, None, source)
view.resolve_frame(1, 300); view.resolve_frames([(1, 10), (1, 900, "f")], source)
view.get_context_lines(0, 3)
cached = libsourcemap.View.from_memdb(view.dump_memdb())
cached.resolve_frames([(1, 10), (1, 900)]); cached.get_original_function_name(0, 500)
fresh = libsourcemap.View.from_json(data, minified_source=source, frames=[(1, 10)])
fresh.resolve_frame(1, 10)
print(sorted(m for m in {HEAVY!r} if m in set(sys.modules) - before))
"""
    assert run_bare(code) == "[]"


def test_every_public_name_resolves() -> None:
    for name in libsourcemap.__all__:
        assert getattr(libsourcemap, name) is not None, name
    assert set(libsourcemap.__all__) <= set(dir(libsourcemap))
    namespace: dict[str, object] = {}
    exec("from libsourcemap import *", namespace)
    assert set(libsourcemap.__all__) <= set(namespace)
    from libsourcemap.frames import Frame
    from libsourcemap.symbolication import symbolicate

    assert libsourcemap.Frame is Frame and libsourcemap.symbolicate is symbolicate


def test_unknown_names_are_attribute_errors() -> None:
    try:
        libsourcemap.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_lazy_names_are_not_shadowed_by_their_modules() -> None:
    """Importing a submodule binds it on the package: a lazy name spelled like its module
    (``remap`` in ``remap.py``) would then be the module, not the function. Each lazy
    name is checked after every lazily loaded module (and the CLI) is imported."""
    code = (
        "import importlib, types, libsourcemap\n"
        "for module in {*libsourcemap._LAZY.values(), 'cli', 'cli.writing'}:\n"
        "    importlib.import_module('libsourcemap.' + module)\n"
        "bad = [n for n in libsourcemap._LAZY\n"
        "       if isinstance(getattr(libsourcemap, n), types.ModuleType)]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
