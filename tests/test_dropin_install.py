"""Drop-ins put where an application imports the real packages (libsourcemap.compat.install
and ``libsourcemap dropins``), each tried in a fresh interpreter: `import ecma426`,
symbolic's source map and ProGuard names, `import sourcemap`; the start-up file that does
it for an environment, and what stays with the real package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from libsourcemap.cli import main
from libsourcemap.compat import install

HERE = Path(__file__).parent


def run(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args, "-c", code], capture_output=True, text=True, cwd=HERE
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_ecma426_gives_the_dropin_with_its_modules() -> None:
    out = run(
        "from libsourcemap.compat.install import install, installed; install('ecma426')\n"
        "import ecma426, ecma426.codec, ecma426.scripts.identity_sourcemap\n"
        "from ecma426 import loads\n"
        "m = loads(open('fixtures/esbuild-lodash.min.js.map', 'rb').read())\n"
        "print(ecma426.__name__, ecma426.codec.__name__, installed('ecma426'), len(m) > 0)"
    )
    assert out == "libsourcemap.compat.ecma426 libsourcemap.compat.ecma426.codec True True"


def test_import_sourcemap_gives_the_dropin() -> None:
    out = run(
        "from libsourcemap.compat.install import install; install('sourcemap')\n"
        "import sourcemap\n"
        "index = sourcemap.loads(open('fixtures/esbuild-lodash.min.js.map').read())\n"
        "print(sourcemap.__name__, type(index).__module__)"
    )
    assert out == "libsourcemap.compat.sourcemap libsourcemap.compat.sourcemap"


def test_symbolic_source_map_and_proguard_names_are_the_dropins() -> None:
    """With the real symbolic installed, its other names (the native debug-file API) stay
    its own; without it, the package has the drop-in's names alone."""
    code = (
        "from libsourcemap.compat.install import install; install('symbolic')\n"
        "import symbolic, symbolic.sourcemap, symbolic.proguard\n"
        "from symbolic import SourceMapView, ProguardMapper\n"
        "from symbolic.sourcemapcache import SourceMapCache\n"
        "data = open('fixtures/esbuild-lodash.min.js.map', 'rb').read()\n"
        "view = SourceMapView.from_json_bytes(data)\n"
        "print(SourceMapView.__module__, ProguardMapper.__module__, SourceMapCache.__module__,\n"
        "      symbolic.sourcemap.__name__, hasattr(symbolic, 'SymCache'), len(view) > 0)"
    )
    out = run(code).split()
    assert out[:4] == ["libsourcemap.compat.symbolic"] * 4
    try:
        import symbolic  # noqa: F401  (the real package, where the test venv has it)
    except ImportError:
        assert out[4:] == ["False", "True"]  # no native API to keep: the drop-in alone
    else:
        assert out[4:] == ["True", "True"]  # SymCache: still the real package's


def test_unknown_packages_are_refused() -> None:
    with pytest.raises(ValueError, match="no drop-in for 'numpy'"):
        install.install("numpy")


def test_enable_writes_a_startup_file_every_interpreter_runs(
    tmp_path: Path, capsys: object
) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    assert main(["dropins", "enable", "ecma426", "symbolic", "--site-packages", str(site)]) == 0
    pth = site / install.PTH_NAME
    assert pth.read_text().startswith("import libsourcemap.compat.install")
    code = "import site, sys; site.addsitedir(sys.argv[1]); import ecma426; print(ecma426.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code, str(site)], capture_output=True, text=True, cwd=HERE
    )
    assert done.stdout.strip() == "libsourcemap.compat.ecma426", done.stderr
    assert main(["dropins", "status", "--site-packages", str(site)]) == 0
    assert main(["dropins", "disable", "--site-packages", str(site)]) == 0
    assert not pth.exists()
    assert main(["dropins", "enable", "--site-packages", str(site)]) == 2  # nothing named
    assert main(["dropins", "enable", "numpy", "--site-packages", str(site)]) == 2
