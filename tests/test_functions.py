"""Original function names and resolved frames: the API around them (accuracy on real
stack traces is in test_stacks.py)."""

from __future__ import annotations

import json
import threading

import pytest
from conftest import encode_mappings
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import BadSource, ClosedError, Frame, InvalidArgument, View

# A hand-made map whose "minified" source renames `compute` to `c`; the original has the
# function as a method, so names come from parsing the original.
ORIGINAL = "const api = {\n  compute(a) {\n    return a.value;\n  },\n};\n"
MINIFIED = "var o={c(n){return n.value}};"


# (generated column, original line, original column): `var`, the method key `c`, the
# parameter `n`, `return` and `n.value`.
SEGMENTS = [(0, 0, 0), (7, 1, 2), (9, 1, 10), (12, 2, 4), (19, 2, 11)]


def one_source_view(text: str, segments: list[tuple[int, int, int]]) -> View:
    """A map of one generated line onto one source with contents `text`; `segments` are
    (generated column, original line, original column)."""
    mappings = encode_mappings([(0, c, 0, line, col, None) for c, line, col in segments], lines=1)
    doc = {
        "version": 3,
        "sources": ["api.js"],
        "sourcesContent": [text],
        "names": [],
        "mappings": mappings,
    }
    return View.from_json(json.dumps(doc))


def small_view() -> View:
    return one_source_view(ORIGINAL, SEGMENTS)


def test_function_name_from_the_original_source() -> None:
    view = small_view()
    col = MINIFIED.index("n.value")
    assert view.get_original_function_name(0, col) == "compute"
    view.attach_minified_source(MINIFIED)
    assert view.has_function_table
    assert view.get_original_function_name(0, col) == "compute"
    # Outside every function: no name.
    assert view.get_original_function_name(0, 0) is None


def test_082_signature_attaches_the_minified_source_once() -> None:
    view = small_view()
    col = MINIFIED.index("n.value")
    assert not view.has_function_table
    assert view.get_original_function_name(0, col, "c", MINIFIED.encode()) == "compute"
    assert view.has_function_table
    # Later calls reuse the table; the source argument is not parsed again.
    assert view.get_original_function_name(0, col, "c", "not even javascript (") == "compute"


def test_attach_twice_and_bad_input() -> None:
    view = small_view()
    view.attach_minified_source(MINIFIED)
    with pytest.raises(InvalidArgument):
        view.attach_minified_source(MINIFIED)
    with pytest.raises(TypeError):
        small_view().attach_minified_source(123)  # type: ignore[arg-type]
    with pytest.raises(BadSource, match="nested"):
        small_view().attach_minified_source("(" * 100_000)
    for line, col in [(-1, 0), (0, -5), (2**32, 0), (0, 2**40)]:
        assert view.get_original_function_name(line, col) is None


def test_resolve_frame_is_one_based_with_context() -> None:
    view = small_view()
    col = MINIFIED.index("n.value")
    frame = view.resolve_frame(1, col + 1, function="Object.c", context_lines=1)
    assert frame == Frame(
        source="api.js",
        line=3,
        column=12,
        function="compute",
        name=None,
        src_id=0,
        pre_context=["  compute(a) {"],
        context_line="    return a.value;",
        post_context=["  },"],
        minified_function="Object.c",
    )
    assert view.resolve_frame(0, 1) is None
    assert view.resolve_frame(1, 0) is None
    assert view.resolve_frame(5, 1) is None
    no_context = view.resolve_frame(1, col + 1, context_lines=0)
    assert no_context is not None
    assert no_context.pre_context == [] and no_context.post_context == []


def test_context_lines_split_at_ecmascript_line_terminators() -> None:
    text = "a\u2028b\u000bstill b\r\nc\rd"
    frame = one_source_view(text, [(0, 2, 0)]).resolve_frame(1, 1, context_lines=1)
    assert frame is not None
    assert (frame.pre_context, frame.context_line, frame.post_context) == (
        ["b\u000bstill b"],
        "c",
        ["d"],
    )


def test_memdb_keeps_the_function_table() -> None:
    view = small_view()
    view.attach_minified_source(MINIFIED)
    col = MINIFIED.index("n.value")
    cached = View.from_memdb(view.dump_memdb(with_source_contents=False))
    assert cached.has_function_table
    # The name comes from the stored table: there is no source left to parse.
    assert cached.get_original_function_name(0, col) == "compute"
    assert View.from_memdb(small_view().dump_memdb()).has_function_table is False


def test_closed_view_raises() -> None:
    view = small_view()
    view.close()
    for call in (
        lambda: view.attach_minified_source(MINIFIED),
        lambda: view.get_original_function_name(0, 0),
        lambda: view.resolve_frame(1, 1),
        lambda: view.has_function_table,
    ):
        with pytest.raises(ClosedError):
            call()


def test_concurrent_first_calls_attach_once() -> None:
    view = small_view()
    col = MINIFIED.index("n.value")
    results: list[str | None] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(view.get_original_function_name(0, col, "c", MINIFIED))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == ["compute"] * 8


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="(){}[]=>;,.fnctiorua'\"`/\n\u2028 abc", max_size=300))
def test_any_text_attaches_or_raises_bad_source(text: str) -> None:
    view = small_view()
    try:
        view.attach_minified_source(text)
    except BadSource:
        return
    for col in range(0, len(text) + 2, 7):
        view.get_original_function_name(0, col)


def test_function_whose_line_has_no_token_before_it_is_named() -> None:
    # The first token of the line lies inside the function (at `return`): the table must
    # still find it, so a cache without sources names the function.
    minified = "function c(n){return n.value}"
    view = one_source_view(ORIGINAL, [(14, 2, 4), (21, 2, 11)])
    view.attach_minified_source(minified)
    cached = View.from_memdb(view.dump_memdb(with_source_contents=False))
    assert cached.get_original_function_name(0, 21) == "compute"


def test_an_original_that_does_not_parse_gives_no_name_and_no_error() -> None:
    # The original cannot be parsed (unbalanced): no function name, everything else works,
    # with or without the minified source, and from a memdb.
    text = "function broken( {\n  return a.value;\n}"
    view = one_source_view(text, [(0, 1, 2), (5, 1, 9)])
    frame = view.resolve_frame(1, 6)
    assert frame is not None
    assert (frame.function, frame.line, frame.column) == (None, 2, 10)
    assert frame.context_line == "  return a.value;" and frame.pre_context == [text.split("\n")[0]]
    attached = one_source_view(text, [(0, 1, 2), (5, 1, 9)])
    assert attached.resolve_frames([(1, 6)], "function c(n){return n.value}") == [frame]
    assert View.from_memdb(attached.dump_memdb()).resolve_frames([(1, 6)]) == [frame]


def test_a_dart2js_async_body_is_named_by_its_token() -> None:
    """dart2js turns an `async` function into a body function `$async$` + its minified
    name; the frame's own token names it (`main`), as Sentry's symbolicator does. (No
    Dart SDK here to build a real one: the map is built, the rule is the reference's.)"""
    from libsourcemap import SourceMapBuilder

    minified = b'function $async$be(){throw new Error("x")}'

    def resolved(token_name: str | None) -> str | None:
        builder = SourceMapBuilder()
        dart = builder.add_source("main.dart")  # no contents: names come from the map
        builder.add_mapping(0, 0, dart, 0, 0)
        builder.add_mapping(0, 9, dart, 0, 0, builder.add_name("$async$main"))
        name = None if token_name is None else builder.add_name(token_name)
        builder.add_mapping(0, 21, dart, 1, 2, name)
        view = builder.build()
        view.attach_minified_source(minified)
        frame = view.resolve_frame(1, 22)
        assert frame is not None
        return frame.function

    assert resolved("main") == "main"
    assert resolved(None) == "$async$main"  # no token name: the scope's stays


def test_names_the_minifier_kept_or_wrote_beside_the_identifier() -> None:
    """Without sourcesContent a function's own minified name is mapped through `names`:
    at the name or one column before it (UglifyJS), at its end (terser, esbuild), and a
    name with mapped code but no entry is one the minifier kept (a method's)."""
    from libsourcemap import SourceMapBuilder

    minified = b"class C{run(){throw 1}}function f(){throw 2}"

    def function_at(column: int, *mappings: tuple[int, str | None]) -> str | None:
        builder = SourceMapBuilder()
        src = builder.add_source("a.js")
        builder.add_mapping(0, 0, src, 0, 0)
        for at, name in mappings:
            builder.add_mapping(0, at, src, 1, 2, None if name is None else builder.add_name(name))
        builder.add_mapping(0, column - 1, src, 3, 4)
        view = builder.build()
        view.attach_minified_source(minified)
        frame = view.resolve_frame(1, column)
        assert frame is not None
        return frame.function

    run, f = 15, 38  # 1-based columns of the two `throw`s
    assert function_at(run, (8, None)) == "run"  # mapped, no entry: kept
    assert function_at(run, (8, "execute")) == "execute"  # at the name
    assert function_at(f, (31, "launch")) == "launch"  # one column before `f` (UglifyJS)
    assert function_at(f, (32, None), (33, "launch")) == "launch"  # at its end (terser)
    assert function_at(f) is None  # unmapped name: unknown
