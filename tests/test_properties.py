"""Property tests: an independent Python VLQ encoder and lookup model against the core."""

from __future__ import annotations

import json

from conftest import encode_mappings
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import View

# (dst_line, dst_col, source, src_line, src_col, name), source/name None = absent
token = st.tuples(
    st.integers(0, 5),
    st.integers(0, 60),
    st.one_of(st.none(), st.integers(0, 2)),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.one_of(st.none(), st.integers(0, 3)),
)


def build(tokens: list[tuple]) -> View:
    doc = {
        "version": 3,
        "sources": ["a.js", "b.js", "c.js"],
        "names": ["n0", "n1", "n2", "n3"],
        "mappings": encode_mappings(tokens, 6),
    }
    return View.from_json(json.dumps(doc))


def sort(tokens: list[tuple]) -> list[tuple]:
    return sorted(tokens, key=lambda t: (t[0], t[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(token, max_size=80))
def test_vlq_round_trip_through_the_core(tokens: list[tuple]) -> None:
    tokens = sort(tokens)
    view = build(tokens)
    got = [
        (
            t.dst_line,
            t.dst_col,
            t.src_id,
            t.src_line,
            t.src_col,
            None if t.name is None else int(t.name[1:]),
        )
        for t in view
    ]
    want = [
        (
            t[0],
            t[1],
            t[2],
            None if t[2] is None else t[3],
            None if t[2] is None else t[4],
            None if t[2] is None else t[5],
        )
        for t in tokens
    ]
    assert got == want


def expected_lookup(tokens: list[tuple], line: int, col: int) -> tuple | None:
    """The reference lookup: the tokens at the greatest column <= ``col`` on ``line``
    answer with their last mapped one; none mapped (or no such column): ``None``."""
    candidates = [t for t in tokens if t[0] == line and t[1] <= col]
    if not candidates:
        return None
    at_column = [t for t in candidates if t[1] == candidates[-1][1] and t[2] is not None]
    return at_column[-1] if at_column else None


def assert_lookup(view: View, tokens: list[tuple], line: int, col: int) -> None:
    expected = expected_lookup(tokens, line, col)
    got = view.lookup_token(line, col)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (got.dst_line, got.dst_col, got.src_id, got.src_line, got.src_col) == expected[:5]


@settings(max_examples=300, deadline=None)
@given(st.lists(token, max_size=80), st.integers(0, 6), st.integers(0, 65))
def test_lookup_agrees_with_reference_model(tokens: list[tuple], line: int, col: int) -> None:
    tokens = sort(tokens)
    assert_lookup(build(tokens), tokens, line, col)


# Many segments on few columns of one line: runs of segments sharing a column, mapped and
# unmapped, longer than the core's checkpoint interval (8), so that runs cross blocks.
crowded = st.tuples(
    st.just(0),
    st.integers(0, 3),
    st.one_of(st.none(), st.integers(0, 2)),
    st.integers(0, 50),
    st.integers(0, 50),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(crowded, max_size=60))
def test_shared_columns_prefer_the_last_mapped_segment(tokens: list[tuple]) -> None:
    tokens = sort(tokens)
    view = build(tokens)
    cached = View.from_memdb(view.dump_memdb())
    for col in range(5):
        assert_lookup(view, tokens, 0, col)
        assert_lookup(cached, tokens, 0, col)
