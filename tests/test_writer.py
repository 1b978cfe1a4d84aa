"""``View.to_json``: whatever a view was made from (JSON, an index map flattened, a memdb,
a map read leniently), its JSON passes strict ECMA-426 validation and reads back to the
same tokens, sources, contents, names and metadata; an independent decoder (ecma426, the
reference the drop-in is held to) reads the same segments from it as from the input."""

from __future__ import annotations

import json

import pytest
from conftest import ALL_REAL_MAPS, FIXTURES, encode_mappings, segment_lists, tiny_map
from hypothesis import given, settings

from libsourcemap import View

MAPS = ALL_REAL_MAPS


def everything(view: View) -> dict[str, object]:
    count = view.get_source_count()
    return {
        "tokens": list(view),
        "sources": [view.get_source_name(i) for i in range(count)],
        "raw sources": [view.get_raw_source_name(i) for i in range(count)],
        "contents": [view.get_source_contents(i) for i in range(count)],
        "names": [view.get_name(i) for i in range(view.name_count)],
        "meta": (view.file, view.source_root, view.debug_id, view.ignore_list),
    }


@pytest.mark.parametrize("name", MAPS)
def test_round_trip(name: str) -> None:
    view = View.from_json((FIXTURES / name).read_bytes())
    again = View.from_json(view.to_json(), strict=True)
    assert everything(again) == everything(view)
    # From a memdb: the same JSON (a memdb keeps contents unescaped, so escapes in the
    # input's strings may come out as the characters they stand for).
    assert json.loads(View.from_memdb(view.dump_memdb()).to_json()) == json.loads(view.to_json())


def test_metadata_and_odd_strings() -> None:
    doc = {
        "version": 3,
        "file": 'out "quoted"\n.js',
        "sourceRoot": "src/\\root/",
        "sources": ["a.js", None, "ü/\u2028.js"],
        "sourcesContent": ["line1\r\nline2\t\u0001", None, "x"],
        "names": ['n"ame', ""],
        "mappings": "AAAAA,CAACC;;ACAA,GCCA",
        "ignoreList": [2],
        "debugId": "00000000-0000-0000-0000-000000000001",
    }
    view = View.from_json(json.dumps(doc))
    out = json.loads(view.to_json())
    assert out == doc
    assert everything(View.from_json(view.to_json(), strict=True)) == everything(view)


def test_options_leave_out_contents_and_names() -> None:
    view = View.from_json((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    lean = json.loads(view.to_json(with_source_contents=False, with_names=False))
    assert "sourcesContent" not in lean and lean["names"] == []
    again = View.from_json(json.dumps(lean), strict=True)
    assert [t._replace(name=None) for t in view] == list(again)


def test_lenient_input_comes_out_valid() -> None:
    # Empty segments and a trailing comma: lenient reading accepts them, strict does not.
    view = View.from_json(tiny_map(mappings="AAAA,,CAAC,;;AACA"))
    out = view.to_json()
    assert list(View.from_json(out, strict=True)) == list(view)


@pytest.mark.parametrize("name", MAPS)
def test_an_independent_decoder_reads_the_same_segments(name: str) -> None:
    import ecma426  # needs Python 3.10: .ci/test-pypy leaves this test out on its 3.9

    data = (FIXTURES / name).read_bytes()
    ours = View.from_json(data).to_json()

    def segments(index: object) -> list[tuple[object, ...]]:
        return sorted(
            (
                m.generated_line,
                m.generated_column,
                m.source,
                m.original_line,
                m.original_column,
                m.name,
            )
            for m in index  # type: ignore[attr-defined]
        )

    assert segments(ecma426.loads(ours)) == segments(ecma426.loads(View.from_json(data).to_json()))
    if "index" not in name:  # ecma426 does not apply an index map's sections as we flatten
        assert segments(ecma426.loads(ours)) == segments(ecma426.loads(data))


@settings(max_examples=200, deadline=None)
@given(segment_lists(sources=4, names=3))
def test_random_maps_round_trip(segments: list[tuple[int, int, object]]) -> None:
    """Random segments (shared positions, unmapped ones, names), written as a map by an
    encoder independent of the core's, through ``to_json`` and back."""
    ordered = sorted(segments, key=lambda s: (s[0], s[1]))
    tokens = [
        (line, col, *(mapped if mapped is not None else (None, 0, 0, None)))  # type: ignore[misc]
        for line, col, mapped in ordered
    ]
    doc = {"version": 3, "sources": ["a", "b", None, "d"], "names": ["x", "y", "z"],
           "mappings": encode_mappings(tokens, lines=6)}  # fmt: skip
    view = View.from_json(json.dumps(doc))
    again = View.from_json(view.to_json(), strict=True)
    assert everything(again) == everything(view)
