"""``View.to_json``: whatever a view was made from (JSON, an index map flattened, a memdb,
a map read leniently), its JSON passes strict ECMA-426 validation and reads back to the
same tokens, sources, contents, names and metadata; an independent decoder (ecma426, the
reference the drop-in is held to) reads the same segments from it as from the input."""

from __future__ import annotations

import json

import pytest
from conftest import FIXTURES, tiny_map
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import View

MAPS = [
    "esbuild-lodash.min.js.map",
    "terser-underscore.min.js.map",
    "index-concat.flat.map",
    "index-concat.index.map",
    "stacks/dist/esbuild.min.mjs.map",
    "stacks/dist/terser.min.mjs.map",
]


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


segment = st.tuples(
    st.integers(0, 5),  # line
    st.integers(0, 300),  # column
    st.one_of(
        st.none(),
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 100),
            st.integers(0, 100),
            st.one_of(st.none(), st.integers(0, 2)),
        ),
    ),  # fmt: skip
)


@settings(max_examples=200, deadline=None)
@given(st.lists(segment, max_size=60))
def test_random_maps_round_trip(segments: list[tuple[int, int, object]]) -> None:
    """Random segments, written as a map by hand, through ``to_json`` and back."""
    lines: dict[int, list[tuple[int, object]]] = {}
    for line, col, mapped in segments:
        lines.setdefault(line, []).append((col, mapped))
    tokens = []
    for line in sorted(lines):
        for col, mapped in sorted(lines[line], key=lambda s: s[0]):
            tokens.append((line, col, mapped))
    doc = {"version": 3, "sources": ["a", "b", None, "d"], "names": ["x", "y", "z"],
           "mappings": _encode(tokens)}  # fmt: skip
    view = View.from_json(json.dumps(doc))
    again = View.from_json(view.to_json(), strict=True)
    assert everything(again) == everything(view)


def _encode(tokens: list[tuple[int, int, object]]) -> str:
    """A mappings string for sorted tokens (ECMA-426's VLQ), written here independently
    of the core's encoder."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def vlq(n: int) -> str:
        v = (-n << 1) | 1 if n < 0 else n << 1
        out = ""
        while True:
            digit, v = v & 31, v >> 5
            out += alphabet[digit | (32 if v else 0)]
            if not v:
                return out

    lines: list[list[str]] = []
    state = [0, 0, 0, 0]
    for line, col, mapped in tokens:
        while len(lines) <= line:
            lines.append([])
            previous_col = 0
        fields = [col - previous_col]
        previous_col = col
        if mapped is not None:
            src, src_line, src_col, name = mapped  # type: ignore[misc]
            fields += [src - state[0], src_line - state[1], src_col - state[2]]
            state[:3] = [src, src_line, src_col]
            if name is not None:
                fields.append(name - state[3])
                state[3] = name
        lines[line].append("".join(vlq(f) for f in fields))
    return ";".join(",".join(s) for s in lines)
