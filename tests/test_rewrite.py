"""``rewrite``: each change alone on real maps, read back strictly; what is not asked
for stays as it was; bad arguments raise before anything is written."""

from __future__ import annotations

import json

import pytest
from conftest import fixture_bytes

from libsourcemap import View, rewrite
from libsourcemap.errors import InvalidArgument
from libsourcemap.writing.rewriting import KEEP

LODASH = "esbuild-lodash.min.js.map"


def tokens(view: View) -> list[tuple[object, ...]]:
    return [tuple(t) for t in view]


def test_nothing_asked_is_to_json() -> None:
    view = View.from_json(fixture_bytes(LODASH))
    assert rewrite(view) == view.to_json()


def test_strip_and_inline_contents() -> None:
    data = fixture_bytes(LODASH)
    stripped = rewrite(data, with_source_contents=False)
    assert "sourcesContent" not in json.loads(stripped)
    original = View.from_json(data)
    texts = {name: original.get_source_contents(i) for i, name in original.iter_sources()}
    inlined = View.from_json(rewrite(stripped, load_source=texts.get), strict=True)
    assert [inlined.get_source_contents(i) for i in range(inlined.get_source_count())] == list(
        texts.values()
    )
    assert tokens(inlined) == tokens(original)
    # Sources that have contents are not asked for.
    asked: list[str] = []
    rewrite(data, load_source=lambda name: asked.append(name))
    assert asked == []


def test_source_root_names_and_ignore_list() -> None:
    doc = {
        "version": 3,
        "sourceRoot": "old/",
        "sources": ["a.js", "node_modules/x/b.js"],
        "names": ["n"],
        "mappings": "AAAAA,CCAAA",
        "ignoreList": [0],
    }
    data = json.dumps(doc)
    assert View.from_json(rewrite(data, source_root=None)).get_source_name(0) == "a.js"
    assert View.from_json(rewrite(data, source_root="/src")).get_source_name(0) == "/src/a.js"
    assert View.from_json(rewrite(data, source_root=KEEP)).source_root == "old/"
    unnamed = View.from_json(rewrite(data, with_names=False), strict=True)
    assert unnamed.name_count == 0 and all(t.name is None for t in unnamed)
    added = View.from_json(rewrite(data, ignore_sources=["*/node_modules/*"]), strict=True)
    assert added.ignore_list == [0, 1]
    assert View.from_json(rewrite(data, ignore_list=[1])).ignore_list == [1]
    assert View.from_json(rewrite(data, ignore_list=[])).ignore_list == []


def test_bad_arguments() -> None:
    data = fixture_bytes(LODASH)
    with pytest.raises(InvalidArgument, match="not one of the"):
        rewrite(data, ignore_list=[10**6])
    with pytest.raises(TypeError, match="entries must be int"):
        rewrite(data, ignore_list=["0"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="source_root must be"):
        rewrite(data, source_root=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not one str"):
        rewrite(data, ignore_sources="*.js")
    with pytest.raises(TypeError, match="returned int"):
        rewrite(rewrite(data, with_source_contents=False), load_source=lambda name: 3)  # type: ignore[arg-type,return-value]
