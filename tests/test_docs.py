"""Every Python example in the README and the documentation runs, as written, from the
root of the checkout (where the examples' relative paths point)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, code in enumerate(BLOCK.findall(page.read_text("utf-8")), 1):
            found.append((f"{page.relative_to(ROOT)}#{number}", code))
    return found


def test_the_pages_have_examples() -> None:
    assert len(examples()) >= 10


@pytest.mark.parametrize(("where", "code"), examples(), ids=[w for w, _ in examples()])
def test_example_runs(where: str, code: str) -> None:
    # Each in its own interpreter: an example must not lean on another's imports or state.
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning"},
    )
    assert done.returncode == 0, f"{where} failed:\n{done.stderr}"


def test_the_readme_stays_short() -> None:
    assert len((ROOT / "README.md").read_text("utf-8").splitlines()) <= 200
