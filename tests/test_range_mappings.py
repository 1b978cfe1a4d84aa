"""The range mappings proposal (``rangeMappings``): tc39's 13 tests (source-map-tests'
range-mappings-proposal-tests.json, copied by tests/fixtures/range-mappings/update.py),
writing the field back, caches, and lookups against a model of the proposal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import vlq
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import InvalidSourceMap, View

HERE = Path(__file__).parent / "fixtures" / "range-mappings"
TESTS: list[dict[str, Any]] = json.loads((HERE / "tests.json").read_text("utf-8"))["tests"]


def test_all_of_tc39s_tests_are_here() -> None:
    assert len(TESTS) == 13
    assert all((HERE / t["sourceMapFile"]).exists() for t in TESTS)


@pytest.mark.parametrize("test", TESTS, ids=[t["name"] for t in TESTS])
def test_tc39(test: dict[str, Any]) -> None:
    """Valid maps read in both modes and map every checked position as the test says;
    invalid ones are refused in strict mode and read leniently without their ranges."""
    data = (HERE / test["sourceMapFile"]).read_bytes()
    if not test["sourceMapIsValid"]:
        with pytest.raises(InvalidSourceMap, match="rangeMappings"):
            View.from_json(data, strict=True)
        lenient = View.from_json(data)
        assert "rangeMappings" not in json.loads(lenient.to_json())
        return
    for strict in (False, True):
        view = View.from_json(data, strict=strict)
        for action in test.get("testActions", []):
            assert action["actionType"] == "checkMapping"
            line, col = action["generatedLine"], action["generatedColumn"]
            token = view.lookup_token(line, col)
            assert token is not None, action
            assert (token.src, token.src_line, token.src_col, token.name) == (
                action["originalSource"],
                action["originalLine"],
                action["originalColumn"],
                action["mappedName"],
            ), action
            assert view.lookup_tokens([(line, col)]) == [token]


@pytest.mark.parametrize("name", ["simple", "multiple-mappings", "newline-semantics"])
def test_written_back_and_cached(name: str) -> None:
    """``to_json`` writes the field as the test has it; a memdb keeps it; both answer the
    same lookups."""
    source_map = json.loads((HERE / f"{name}.js.map").read_text("utf-8"))
    view = View.from_json(json.dumps(source_map))
    written = json.loads(view.to_json())
    assert written["rangeMappings"].rstrip(";") == source_map["rangeMappings"].rstrip(";")
    for again in (View.from_json(view.to_json()), View.from_memdb(view.dump_memdb())):
        for line in range(3):
            for col in range(40):
                assert again.lookup_token(line, col) == view.lookup_token(line, col)


def test_without_the_field_nothing_changes() -> None:
    """The same mappings without ``rangeMappings``: each maps its own column only."""
    source_map = json.loads((HERE / "simple.js.map").read_text("utf-8"))
    del source_map["rangeMappings"]
    view = View.from_json(json.dumps(source_map))
    token = view.lookup_token(1, 3)
    assert token is not None and (token.src_line, token.src_col, token.dst_col) == (0, 0, 1)
    assert "rangeMappings" not in json.loads(view.to_json())


def test_an_index_map_leaves_its_sections_ranges() -> None:
    """A flattened index map has no range mappings (a section's marks index its own
    segments); strict mode still checks each section's field."""
    section = json.loads((HERE / "simple.js.map").read_text("utf-8"))
    index = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": section}]}
    view = View.from_json(json.dumps(index))
    token = view.lookup_token(1, 3)
    assert token is not None and token.src_col == 0
    bad = {
        **index,
        "sections": [{**index["sections"][0], "map": {**section, "rangeMappings": "A"}}],
    }
    with pytest.raises(InvalidSourceMap, match="rangeMappings"):
        View.from_json(json.dumps(bad), strict=True)


# --- lookups against a model of the proposal ---------------------------------------------

# A line: segments as (column step >= 1, original line, original column, is a range).
segment = st.tuples(st.integers(1, 6), st.integers(0, 4), st.integers(0, 20), st.booleans())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(segment, max_size=4), max_size=4), st.integers(0, 4), st.integers(0, 30))
def test_lookups_follow_the_model(lines: list[list[tuple]], line: int, col: int) -> None:
    mappings, ranges, tokens = [], [], []
    previous = (0, 0)  # the original position of the last segment, across lines
    for dst_line, segments in enumerate(lines):
        text, marks, dst_col, last_mark = [], [], 0, -1
        for i, (step, src_line, src_col, is_range) in enumerate(segments):
            dst_col += step
            start = dst_col - step if text else 0
            text.append(
                vlq(dst_col - start)
                + "A"
                + vlq(src_line - previous[0])
                + vlq(src_col - previous[1])
            )
            previous = (src_line, src_col)
            tokens.append((dst_line, dst_col, src_line, src_col, is_range))
            if is_range:
                marks.append(vlq(i - last_mark, signed=False))
                last_mark = i
        mappings.append(",".join(text))
        ranges.append("".join(marks))
    source_map = {
        "version": 3,
        "sources": ["a.js"],
        "names": [],
        "mappings": ";".join(mappings),
        "rangeMappings": ";".join(ranges),
    }
    view = View.from_json(json.dumps(source_map), strict=True)
    # The model: the last segment at or before the position; on the position's own line
    # it answers (moved by the offset if a range); before the line, only a range does.
    before = [t for t in tokens if (t[0], t[1]) <= (line, col)]
    expected = None
    if before:
        dst_line, dst_col, src_line, src_col, is_range = before[-1]
        if (dst_line, dst_col) == (line, col) or (dst_line == line and not is_range):
            expected = (src_line, src_col)
        elif is_range and dst_line == line:
            expected = (src_line, src_col + col - dst_col)
        elif is_range:
            expected = (src_line + line - dst_line, col)
    token = view.lookup_token(line, col)
    assert (None if token is None else (token.src_line, token.src_col)) == expected
