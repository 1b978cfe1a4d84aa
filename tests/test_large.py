"""A real ~28 MB esbuild map (TypeScript, Babel, three.js, ... bundled together) parses,
answers lookups, dumps to memdb and reloads from a mapped file with identical tokens.

The input is generated with bench/inputs/make_inputs.mjs (npm + esbuild) on first use and
kept in bench/data/, which is not committed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from libsourcemap import View

ROOT = Path(__file__).parent.parent
INPUTS = ROOT / "bench" / "inputs"
DATA = ROOT / "bench" / "data"


@pytest.fixture(scope="session")
def huge_map() -> Path:
    path = DATA / "huge.min.js.map"
    if not path.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=INPUTS, check=True)
        subprocess.run(["node", "make_inputs.mjs", str(DATA)], cwd=INPUTS, check=True)
    return path


def test_huge_real_map_round_trips_through_a_mapped_memdb(huge_map: Path, tmp_path: Path) -> None:
    data = huge_map.read_bytes()
    assert len(data) > 25_000_000
    view = View.from_json(data)
    assert len(view) > 1_000_000
    minified = huge_map.with_suffix("").read_text("utf-8").split("\n")
    # Lookups at every 97th token answer that token (or a later one at the same spot).
    tokens = list(view)
    for token in tokens[::97]:
        found = view.lookup_token(token.dst_line, token.dst_col)
        assert found is not None and (found.dst_line, found.dst_col) == (
            token.dst_line,
            token.dst_col,
        )
        assert token.dst_col <= len(minified[token.dst_line])
    cache = tmp_path / "huge.memdb"
    cache.write_bytes(view.dump_memdb())
    mapped = View.from_memdb_file(cache)
    assert list(mapped) == tokens
    assert list(mapped.iter_sources()) == list(view.iter_sources())
    for src_id in range(view.get_source_count()):
        assert mapped.get_source_contents(src_id) == view.get_source_contents(src_id)
