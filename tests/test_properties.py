"""Property tests: an independent Python VLQ encoder and lookup model against the core."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import View

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int) -> str:
    rest = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit = rest & 31
        rest >>= 5
        out += B64[digit | (32 if rest else 0)]
        if not rest:
            return out


# (dst_line, dst_col, source, src_line, src_col, name), source/name None = absent
token = st.tuples(
    st.integers(0, 5),
    st.integers(0, 60),
    st.one_of(st.none(), st.integers(0, 2)),
    st.integers(0, 2**32 - 1),
    st.integers(0, 2**32 - 1),
    st.one_of(st.none(), st.integers(0, 3)),
)


def encode(tokens: list[tuple]) -> str:
    lines: list[list[str]] = [[] for _ in range(6)]
    prev_src = prev_line = prev_col = prev_name = 0
    for dst_line, dst_col, src, src_line, src_col, name in tokens:
        prev_dst = (lines[dst_line] and lines[dst_line][-1][0]) or 0
        seg = vlq(dst_col - prev_dst)
        if src is not None:
            seg += vlq(src - prev_src) + vlq(src_line - prev_line) + vlq(src_col - prev_col)
            prev_src, prev_line, prev_col = src, src_line, src_col
            if name is not None:
                seg += vlq(name - prev_name)
                prev_name = name
        lines[dst_line].append((dst_col, seg))  # type: ignore[arg-type]
    return ";".join(",".join(s for _, s in line) for line in lines)


def build(tokens: list[tuple]) -> View:
    doc = {
        "version": 3,
        "sources": ["a.js", "b.js", "c.js"],
        "names": ["n0", "n1", "n2", "n3"],
        "mappings": encode(tokens),
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


@settings(max_examples=300, deadline=None)
@given(st.lists(token, max_size=80), st.integers(0, 6), st.integers(0, 65))
def test_lookup_agrees_with_reference_model(tokens: list[tuple], line: int, col: int) -> None:
    tokens = sort(tokens)
    view = build(tokens)
    candidates = [t for t in tokens if t[0] == line and t[1] <= col]
    expected = candidates[-1] if candidates and candidates[-1][2] is not None else None
    got = view.lookup_token(line, col)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (got.dst_line, got.dst_col, got.src_id, got.src_line, got.src_col) == expected[:5]
