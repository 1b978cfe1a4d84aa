"""include/libsourcemap.h is the contract: its functions are exactly the cdylib's exports."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import libsourcemap._native as native

HEADER = Path(__file__).parent.parent / "include" / "libsourcemap.h"


def header_functions() -> set[str]:
    return set(re.findall(r"\b(lsm_\w+)\s*\(", HEADER.read_text()))


def exported_symbols() -> set[str]:
    library = native.lib_path
    out = subprocess.run(
        ["nm", "-D", "--defined-only", library], check=True, capture_output=True, text=True
    ).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()[-1].startswith("lsm_")}


def test_header_matches_exports() -> None:
    header = header_functions()
    assert len(header) > 20
    assert header == exported_symbols()


def test_every_header_function_is_callable_through_cffi() -> None:
    for name in header_functions():
        assert callable(getattr(native.lib, name))


def test_every_export_is_used_by_the_package() -> None:
    # No unused exports: each function of the header is called somewhere in libsourcemap/.
    package = Path(native.__file__).parent
    sources = "".join(
        path.read_text("utf-8") for path in package.rglob("*.py") if path.name != "_lowlevel.py"
    )
    unused = sorted(name for name in header_functions() if name not in sources)
    assert unused == []
