"""libsourcemap.compat against the real sourcemap 0.2.1 (installed from PyPI as a test
dependency): same tokens, same lookups, same exceptions, on every fixture and on
generated maps."""

from __future__ import annotations

import io
import json
import random
from typing import Any, Callable

import pytest
import sourcemap as theirs
from conftest import FIXTURES, REAL_MAPS, encode_mappings, vlq
from hypothesis import given, settings
from hypothesis import strategies as st

import libsourcemap
from libsourcemap import compat as ours
from libsourcemap.compat import sourcemap as impl

REGULAR_MAPS = [name for name in sorted(REAL_MAPS) if "index" not in name]


def outcome(fn: Callable[[], Any]) -> Any:
    """A call's result, or the type of the exception it raised."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the exception type is the result
        return type(exc)


def same(a: Any, b: Any) -> bool:
    """Equal results, or the same exception type (Token.__eq__ cannot compare to a type)."""
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    return bool(a == b)


def assert_same_index(a: Any, b: Any, positions: list[tuple[int, int]]) -> None:
    assert len(a) == len(b)
    assert a.sources == b.sources
    assert repr(a) == repr(b)
    for i in (0, 1, len(a) // 2, -1, -len(a), len(a), -len(a) - 1):
        assert same(outcome(lambda i=i: a[i]), outcome(lambda i=i: b[i])), i
    for line, col in positions:
        expected = outcome(lambda line=line, col=col: a.lookup(line, col))
        got = outcome(lambda line=line, col=col: b.lookup(line, col))
        assert same(expected, got), (line, col, expected, got)
    assert list(a) == list(b)
    assert a.tokens == b.tokens
    assert a[1:4] == b[1:4]
    assert a.line_index == b.line_index
    assert a.index == b.index
    assert a.raw == b.raw


def probe_positions(tokens: list[Any], seed: int = 0) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    lines = max((t.dst_line for t in tokens), default=0) + 2
    positions = [(t.dst_line, t.dst_col) for t in tokens[:: max(1, len(tokens) // 500)]]
    positions += [(t.dst_line, t.dst_col + 1) for t in tokens[:: max(1, len(tokens) // 200)]]
    positions += [
        (rng.randrange(-lines - 1, lines + 1), rng.randrange(-2, 60000)) for _ in range(300)
    ]
    positions += [(0, 2**40), (-1, 0), (-1, 10**6), (2**40, 0)]
    return positions


@pytest.mark.parametrize("name", REGULAR_MAPS)
def test_real_fixtures_match(name: str) -> None:
    text = (FIXTURES / name).read_text("utf-8")
    a, b = theirs.loads(text), ours.loads(text)
    assert_same_index(a, b, probe_positions(a.tokens))


def test_bytes_and_files_and_xssi() -> None:
    text = (FIXTURES / "terser-underscore.min.js.map").read_text("utf-8")
    assert list(ours.loads(text.encode())) == list(theirs.loads(text.encode()))
    assert list(ours.load(io.StringIO(text))) == list(theirs.load(io.StringIO(text)))
    for prefix in (")]}'\n", ")]}\n"):
        assert list(ours.loads(prefix + text)) == list(theirs.loads(prefix + text))


# (dst_line, dst_col, source index or None, src_line, src_col, name index or None)
token_strategy = st.tuples(
    st.integers(0, 4),
    st.integers(0, 50),
    st.one_of(st.none(), st.integers(0, 2)),
    st.integers(0, 30),
    st.integers(0, 30),
    st.one_of(st.none(), st.integers(0, 2)),
)


@settings(max_examples=150, deadline=None)
@given(
    tokens=st.lists(token_strategy, max_size=60),
    trailing_lines=st.integers(0, 2),
    root=st.sampled_from([None, "", "src", "webpack:///", "/abs/"]),
    sources=st.sampled_from([["a.js", "b.js", "c.js"], ["/x/a.js", "http://h/b.js", "c.js"]]),
)
def test_generated_maps_match(
    tokens: list[tuple[Any, ...]], trailing_lines: int, root: str | None, sources: list[str]
) -> None:
    tokens = sorted(tokens, key=lambda t: (t[0], t[1]))
    doc: dict[str, Any] = {
        "version": 3,
        "sources": sources,
        "names": ["x", "y", "z"],
        "mappings": encode_mappings(tokens, 5 + trailing_lines),
    }
    if root is not None:
        doc["sourceRoot"] = root
    text = json.dumps(doc)
    a, b = theirs.loads(text), ours.loads(text)
    positions = [(line, col) for line in range(-8, 9) for col in (-1, 0, 1, 7, 25, 49, 50, 10**9)]
    assert_same_index(a, b, positions)


BAD_INPUTS = {
    "not json": "{",
    "empty": "",
    "not an object": "[1, 2]",
    "missing sources": json.dumps({"version": 3, "names": [], "mappings": ""}),
    "missing names": json.dumps({"version": 3, "sources": [], "mappings": ""}),
    "missing mappings": json.dumps({"version": 3, "sources": [], "names": []}),
    "source out of range": json.dumps({"sources": ["a"], "names": [], "mappings": "ACAA"}),
    "name out of range": json.dumps({"sources": ["a"], "names": [], "mappings": "AAAAA"}),
    "2-field segment": json.dumps({"sources": ["a"], "names": [], "mappings": "AA"}),
    "3-field segment": json.dumps({"sources": ["a"], "names": [], "mappings": "AAA"}),
    "leftover vlq": json.dumps({"sources": ["a"], "names": [], "mappings": "AAAg"}),
    "index map": json.dumps({"version": 3, "sections": []}),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_inputs_raise_the_same_exceptions(name: str) -> None:
    text = BAD_INPUTS[name]
    expected = outcome(lambda: theirs.loads(text))
    got = outcome(lambda: ours.loads(text))
    assert isinstance(expected, type) and issubclass(expected, Exception), expected
    if expected is theirs.SourceMapDecodeError:
        assert got is ours.SourceMapDecodeError
    else:
        assert got is expected


def test_documented_differences_on_invalid_input() -> None:
    # Negative values: the original's error path crashes with AttributeError on Python 3
    # (it reads `e.message`); compat raises SourceMapDecodeError as intended.
    negative = json.dumps({"sources": ["a"], "names": [], "mappings": "AAAD"})
    assert outcome(lambda: theirs.loads(negative)) is AttributeError
    assert outcome(lambda: ours.loads(negative)) is ours.SourceMapDecodeError
    # A null source with a sourceRoot is valid, and crashes the original (TypeError).
    null_source = json.dumps({"sourceRoot": "r", "sources": [None], "names": [], "mappings": "A"})
    assert outcome(lambda: theirs.loads(null_source)) is TypeError
    assert ours.loads(null_source).sources == [None]


def test_decode_error_base_classes() -> None:
    assert issubclass(ours.SourceMapDecodeError, ValueError)
    assert issubclass(ours.SourceMapDecodeError, libsourcemap.SourceMapError)
    assert str(ours.SourceMapDecodeError("boom")) == "boom"


def test_tokens_behave_like_the_originals() -> None:
    text = (FIXTURES / "terser-underscore.min.js.map").read_text("utf-8")
    a, b = theirs.loads(text), ours.loads(text)
    ta, tb = a.lookup(0, 300), b.lookup(0, 300)
    assert repr(ta) == repr(tb)
    assert str(ta) == str(tb)
    assert ta == tb and tb == ta
    with pytest.raises(TypeError):
        hash(tb)
    # Repeated lookups and the token list share objects, as in the original.
    assert b.lookup(0, 300) is tb
    assert b.tokens[b.tokens.index(tb)] is tb
    assert ours.Token() == theirs.objects.Token()
    assert repr(ours.Token(1, 2, "a.js", 3, 4, "n")) == repr(
        theirs.objects.Token(1, 2, "a.js", 3, 4, "n")
    )


def test_index_constructed_directly_works_in_python() -> None:
    token = ours.Token(0, 5, "a.js", 1, 2, "n")
    index = ours.SourceMapIndex({"x": 1}, [token], [[5]], {(0, 5): token}, ["a.js"])
    assert index.lookup(0, 9) is token
    assert index[0] is token and len(index) == 1 and list(index) == [token]
    with pytest.raises(IndexError):
        index.lookup(0, 4)
    assert index.raw == {"x": 1}


def test_lazy_until_read() -> None:
    text = (FIXTURES / "esbuild-lodash.min.js.map").read_text("utf-8")
    index = ours.loads(text)
    assert index._tokens is None and index._raw is impl._UNREAD and not index._by_id
    index.lookup(0, 100)
    assert index._tokens is None and index._raw is impl._UNREAD and len(index._by_id) == 1
    assert index.raw == json.loads(text)


def test_custom_decoder_class() -> None:
    class Decoder(ours.SourceMapDecoder):
        def decode(self, source: Any) -> ours.SourceMapIndex:
            index = super().decode(source)
            index.sources = ["patched"]
            return index

    text = json.dumps({"sources": ["a"], "names": [], "mappings": "AAAA"})
    assert ours.loads(text, cls=Decoder).sources == ["patched"]
    assert ours.SourceMapDecoder().parse_vlq("AAgBC") == theirs.SourceMapDecoder().parse_vlq(
        "AAgBC"
    )


@pytest.mark.parametrize(
    "source",
    [
        "x();\n//# sourceMappingURL=app.js.map",
        "//@ sourceMappingURL=legacy.map\nx();",
        "\n".join(["//# sourceMappingURL=top.map"] + ["x();"] * 20),
        "\n".join(["x();"] * 20 + ["//# sourceMappingURL=bottom.map  "]),
        "\n".join(["x();"] * 8 + ["//# sourceMappingURL=middle.map"] + ["x();"] * 8),
        " //# sourceMappingURL=indented.map",
        "x();",
    ],
)
def test_discover_matches(source: str) -> None:
    assert ours.discover(source) == theirs.discover(source)


def test_documented_difference_non_base64_digits() -> None:
    # 0.2.1 decodes a character outside the base64 alphabet as garbage or fails with
    # IndexError; compat raises SourceMapDecodeError.
    for mappings in ("AA*A", "AAA\u00e9"):
        doc = json.dumps({"sources": ["a"], "names": [], "mappings": mappings})
        assert outcome(lambda d=doc: theirs.loads(d)) is not ours.SourceMapDecodeError
        assert outcome(lambda d=doc: ours.loads(d)) is ours.SourceMapDecodeError


def test_documented_difference_last_source_mapping_url_wins() -> None:
    source = "a();\n//# sourceMappingURL=first.map\nb();\n//# sourceMappingURL=second.map\n"
    assert ours.discover(source) == "second.map"
    # 0.2.1 collects the candidates in a set: either may come back.
    assert theirs.discover(source) in ("first.map", "second.map")


def test_documented_difference_out_of_order_segments() -> None:
    # Segments written right to left on one line: compat answers every lookup by column,
    # and iterates tokens in generated order.
    segments = [vlq(d) + "AA" + vlq(d) for d in (10, 5, -10)]  # columns 10, 15, 5
    doc = json.dumps({"sources": ["a"], "names": [], "mappings": ",".join(segments)})
    index = ours.loads(doc)
    assert [(t.dst_col, t.src_col) for t in index] == [(5, 5), (10, 10), (15, 15)]
    for col, expected in [(5, 5), (7, 5), (10, 10), (12, 10), (15, 15), (99, 15)]:
        assert index.lookup(0, col).src_col == expected
    # The original keeps the written order, so its bisect may miss the right token.
    assert [t.dst_col for t in theirs.loads(doc)] == [10, 15, 5]


def test_documented_difference_non_string_names() -> None:
    doc = json.dumps({"sources": ["a"], "names": [1, "n"], "mappings": "AAAAA,CAAAC"})
    assert theirs.loads(doc).lookup(0, 0).name == "1"  # stringified
    assert ours.loads(doc).lookup(0, 0).name is None
    assert ours.loads(doc).lookup(0, 1).name == "n"
