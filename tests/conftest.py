from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

#: Real bundler output (see fixtures/generate.mjs): map file -> minified file.
REAL_MAPS = {
    "esbuild-lodash.min.js.map": "esbuild-lodash.min.js",
    "terser-underscore.min.js.map": "terser-underscore.min.js",
    "index-concat.flat.map": "index-concat.min.js",
    "index-concat.index.map": "index-concat.min.js",
}


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def tiny_map(**fields: object) -> bytes:
    """A small hand-written map; keyword arguments replace or add fields (None drops)."""
    doc: dict[str, object] = {
        "version": 3,
        "sources": ["a.js"],
        "names": ["foo"],
        "mappings": "AAAAA,CAAC;AACA",
        "sourcesContent": ["foo bar\nbaz"],
    }
    for key, value in fields.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return json.dumps(doc).encode()


@pytest.fixture(params=sorted(REAL_MAPS))
def real_map(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]
