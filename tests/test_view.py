"""The View API, compatible with libsourcemap 0.8.2, on small hand-written maps."""

from __future__ import annotations

import json

import pytest
from conftest import close_during_calls, tiny_map

import libsourcemap
from libsourcemap import ClosedError, Token, View


def test_from_json_accepts_bytes_str_and_buffers() -> None:
    data = tiny_map()
    for value in (data, data.decode(), bytearray(data), memoryview(data)):
        assert len(libsourcemap.from_json(value)) == 3


def test_wrong_input_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        libsourcemap.from_json(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        View.from_memdb("text")  # type: ignore[arg-type]


def test_lookup_picks_greatest_column_on_the_line() -> None:
    view = View.from_json(tiny_map(mappings="AAAAA,EAAC,EAAE;AACA"))
    assert view.lookup_token(0, 0) == Token(0, 0, "a.js", 0, 0, 0, "foo")
    assert view.lookup_token(0, 1) == Token(0, 0, "a.js", 0, 0, 0, "foo")
    assert view.lookup_token(0, 3) == Token(0, 2, "a.js", 0, 1, 0, None)
    assert view.lookup_token(0, 10_000) == Token(0, 4, "a.js", 0, 3, 0, None)
    assert view.lookup_token(1, 0) == Token(1, 0, "a.js", 1, 3, 0, None)


def test_lookup_never_crosses_lines() -> None:
    view = View.from_json(tiny_map(mappings=";;EAAA"))
    assert view.lookup_token(0, 5) is None
    assert view.lookup_token(2, 1) is None
    assert view.lookup_token(2, 2) is not None
    assert view.lookup_token(3, 0) is None


def test_lookup_of_unmapped_segment_is_none() -> None:
    view = View.from_json(tiny_map(mappings="AAAA,E"))
    assert view.lookup_token(0, 1) is not None
    assert view.lookup_token(0, 2) is None
    assert view[1] == Token(0, 2, None, None, None, None, None)


@pytest.mark.parametrize("line,col", [(-1, 0), (0, -1), (2**32, 0), (0, 2**32), (2**70, 1)])
def test_lookup_out_of_range_is_none(line: int, col: int) -> None:
    assert View.from_json(tiny_map()).lookup_token(line, col) is None


def test_lookup_wrong_type_is_type_error() -> None:
    with pytest.raises(TypeError):
        View.from_json(tiny_map()).lookup_token("1", 0)  # type: ignore[arg-type]


def test_last_of_duplicate_positions_wins() -> None:
    view = View.from_json(tiny_map(mappings="AAAA,AACA", sources=["a.js"]))
    assert view.lookup_token(0, 0).src_line == 1  # type: ignore[union-attr]


def test_segments_out_of_column_order_are_sorted() -> None:
    # Columns 4 then 2 (a negative delta): legal, and lookups must still work.
    view = View.from_json(tiny_map(mappings="IAAA,FAAC"))
    assert [t.dst_col for t in view] == [2, 4]
    assert view.lookup_token(0, 3).src_col == 1  # type: ignore[union-attr]


def test_sequence_protocol() -> None:
    view = View.from_json(tiny_map())
    tokens = list(view)
    assert len(tokens) == len(view) == 3
    assert view[0] == tokens[0]
    assert view[-1] == tokens[-1]
    with pytest.raises(IndexError):
        view[3]
    with pytest.raises(IndexError):
        view[-4]
    with pytest.raises(TypeError):
        view["0"]  # type: ignore[call-overload]


def test_sources_and_contents() -> None:
    view = View.from_json(
        tiny_map(sources=["a.js", None, "c.js"], sourcesContent=["x\\u00e9\n", None])
    )
    assert view.get_source_count() == 3
    assert list(view.iter_sources()) == [(0, "a.js"), (1, None), (2, "c.js")]
    assert view.get_source_name(5) is None
    assert view.get_source_contents(0) == b"x\\u00e9\n"
    assert view.has_source_contents(0)
    assert not view.has_source_contents(1)
    assert not view.has_source_contents(2)
    assert view.get_source_contents(2) is None
    assert view.get_source_contents(-1) is None
    assert view.get_source_contents(2**40) is None


def test_escaped_contents_are_unescaped() -> None:
    view = View.from_json(tiny_map(sourcesContent=['say "hi"\n\ttab \u00e9 \U0001f600']))
    assert view.get_source_contents(0) == 'say "hi"\n\ttab \u00e9 \U0001f600'.encode()


def test_source_root_resolution_and_metadata() -> None:
    view = View.from_json(
        tiny_map(sourceRoot="webpack:///", file="out.js", sources=["src/a.js", "https://x/b.js"])
    )
    assert view.get_source_name(0) == "webpack:///src/a.js"
    assert view.get_source_name(1) == "https://x/b.js"
    assert view.lookup_token(0, 0).src == "webpack:///src/a.js"  # type: ignore[union-attr]
    assert view.file == "out.js"
    assert view.source_root == "webpack:///"


def test_xssi_prefix_is_skipped() -> None:
    view = View.from_json(b")]}'\n" + tiny_map())
    assert len(view) == 3


def test_repr() -> None:
    view = View.from_json(tiny_map(file="x.js"))
    assert repr(view) == "<libsourcemap.View tokens=3 sources=1 file='x.js'>"
    view.close()
    assert repr(view) == "<libsourcemap.View (closed)>"


def test_closed_view_raises_clear_error() -> None:
    view = View.from_json(tiny_map())
    view.close()
    view.close()  # idempotent
    assert view.closed
    for call in (
        lambda: view.lookup_token(0, 0),
        lambda: len(view),
        lambda: view[0],
        lambda: view.get_source_contents(0),
        lambda: view.dump_memdb(),
        lambda: view.file,
    ):
        with pytest.raises(ClosedError):
            call()
    # ClosedError is also a RuntimeError, as in 0.8.2.
    assert issubclass(ClosedError, RuntimeError)


def test_context_manager_closes() -> None:
    with View.from_json(tiny_map()) as view:
        assert view.lookup_token(0, 0) is not None
    assert view.closed


def test_input_buffer_may_be_dropped_by_caller() -> None:
    # The view borrows its input; it must keep it alive on its own.
    view = View.from_json(bytearray(tiny_map()))
    import gc

    gc.collect()
    assert view.get_source_contents(0) == b"foo bar\nbaz"


def test_views_cannot_be_instantiated_directly() -> None:
    with pytest.raises(TypeError):
        View()


def test_close_while_other_threads_look_up() -> None:
    view = View.from_json(tiny_map(mappings="AAAA;" * 2000))
    lines = iter(range(10**9))
    close_during_calls(view, lambda: view.lookup_token(next(lines) % 2000, 0))


def _one_line_map(mappings: str) -> View:
    doc = {"version": 3, "sources": ["a.js"], "names": [], "mappings": mappings}
    return View.from_json(json.dumps(doc))


def test_a_mapped_and_an_unmapped_segment_at_one_column_map_it() -> None:
    # `[777,0,3,30]` then `[777]`, as in next's bundled devtools map: the position maps
    # (trace-mapping, symbolic, 0.8.2 and sourcemap 0.2.1 all say so).
    view = _one_line_map("ywBAG8B,A")
    token = view.lookup_token(0, 777)
    assert token is not None and (token.src_line, token.src_col) == (3, 30)
    assert view.lookup_token(0, 778) == token
    assert _one_line_map("ywB,AAG8B").lookup_token(0, 777) == token


def test_several_mapped_segments_at_one_column_answer_with_the_last() -> None:
    # 0.8.2's rule, kept (trace-mapping and symbolic take the first).
    token = _one_line_map("AAAA,AACA").lookup_token(0, 0)
    assert token is not None and token.src_line == 1


def test_a_stretch_of_tokens_in_one_call() -> None:
    """get_tokens_fields: the fields get_token_fields gives one at a time, in one call,
    from JSON and from a memdb, at the edges of checkpoint blocks and of the map."""
    from conftest import fixture_bytes

    view = View.from_json(fixture_bytes("esbuild-lodash.min.js.map"))
    cached = View.from_memdb(view.dump_memdb())
    count = len(view)
    for first, size in [(0, 1), (0, 8), (7, 2), (8, 17), (3, 200), (count - 3, 10), (count, 5)]:
        expected = [
            v for i in range(first, min(first + size, count)) for v in view.get_token_fields(i)
        ]
        assert view.get_tokens_fields(first, size).tolist() == expected
        assert cached.get_tokens_fields(first, size).tolist() == expected
    with pytest.raises(libsourcemap.InvalidArgument):
        view.get_tokens_fields(-1, 3)
