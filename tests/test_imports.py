"""`import libsourcemap` loads only what a `View` user needs; the other public names
(bundles, symbolication, ProGuard, frames, discovery) load on first use, unchanged."""

from __future__ import annotations

import subprocess
import sys

import libsourcemap


def test_import_leaves_the_heavy_modules_alone() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import libsourcemap\n"
        "heavy = ['zipfile', 'dataclasses', 'typing', 'tempfile', 'json', 'pathlib',\n"
        "         'libsourcemap.bundle', 'libsourcemap.symbolication', 'libsourcemap.proguard']\n"
        "print(sorted(m for m in heavy if m in set(sys.modules) - before))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


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
