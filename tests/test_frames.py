"""Frames resolved in one native call (``View.resolve_frames``) and context lines from the
core's line index (``View.get_context_lines``), on the real stack-trace corpus
(tests/fixtures/stacks) and the real bundler fixtures."""

from __future__ import annotations

import json
import re
import struct

import pytest
from conftest import FIXTURES, REAL_MAPS, fixture_bytes
from memdb_layout import CONTENT_LINES, CONTENT_LINES_INDEX, part_entry, part_span, reseal

from libsourcemap import BadMemDb, Frame, SourceMapError, View

STACKS = FIXTURES / "stacks"
BUNDLERS = ["esbuild", "terser"]


def corpus_frames(bundler: str) -> list[tuple[int, int, str | None]]:
    """Every (line, column, function) node printed inside the bundle, 1-based."""
    runs = json.loads((STACKS / f"{bundler}.json").read_text())
    return [
        (site["line"], site["column"], site["function"])
        for sites in runs.values()
        for site in sites or []
        if site["file"] and site["file"].endswith(f"{bundler}.min.mjs")
    ]


def fresh_view(bundler: str) -> View:
    return View.from_json((STACKS / "dist" / f"{bundler}.min.mjs.map").read_bytes())


def minified(bundler: str) -> bytes:
    return (STACKS / "dist" / f"{bundler}.min.mjs").read_bytes()


@pytest.mark.parametrize("bundler", BUNDLERS)
def test_resolve_frames_is_resolve_frame_for_every_frame(bundler: str) -> None:
    frames = corpus_frames(bundler)
    assert len(frames) > 100
    # The reference: the minified source attached first, then one frame at a time.
    one_by_one = fresh_view(bundler)
    one_by_one.attach_minified_source(minified(bundler))
    expected = [one_by_one.resolve_frame(*frame, context_lines=3) for frame in frames]
    assert all(isinstance(frame, Frame) for frame in expected)
    # One call that parses the minified source and the needed originals in parallel.
    batched = fresh_view(bundler).resolve_frames(frames, minified(bundler), context_lines=3)
    assert batched == expected
    # From a memdb written by the batched view: no parsing, same answers.
    cached = View.from_memdb(one_by_one.dump_memdb())
    assert cached.resolve_frames(frames, context_lines=3) == expected


@pytest.mark.parametrize("bundler", BUNDLERS)
def test_map_minified_source_and_originals_parsed_together(bundler: str) -> None:
    """View.from_json(minified_source=, frames=) parses the map and the minified source
    at the same time, and the originals the frames need once the map is there: the
    frames then resolve exactly as when everything is parsed one after the other."""
    frames = corpus_frames(bundler)
    expected = fresh_view(bundler).resolve_frames(frames, minified(bundler), context_lines=3)
    data = (STACKS / "dist" / f"{bundler}.min.mjs.map").read_bytes()
    positions = [(line, col) for line, col, _ in frames]
    together = View.from_json(data, minified_source=minified(bundler), frames=positions)
    assert together.has_function_table
    assert together.resolve_frames(frames, context_lines=3) == expected
    # Without frames: the map and the minified source only; originals parse on demand.
    plain = View.from_json(data, minified_source=minified(bundler))
    assert plain.resolve_frames(frames, context_lines=3) == expected
    # Frames out of range are left out of the early parse, not an error.
    View.from_json(data, minified_source=minified(bundler), frames=[(0, 1), (2**40, 1)])
    with pytest.raises(TypeError):
        View.from_json(data, minified_source=minified(bundler), frames=[("1", 2)])  # type: ignore[list-item]


def test_a_minified_source_that_does_not_parse_is_skipped_with_the_map() -> None:
    data = (STACKS / "dist" / "esbuild.min.mjs.map").read_bytes()
    frames = corpus_frames("esbuild")
    view = View.from_json(data, minified_source=b"function ((( {", frames=[(1, 1)])
    assert not view.has_function_table  # names from the originals, as resolve_frames does
    assert view.resolve_frames(frames) == fresh_view("esbuild").resolve_frames(frames)
    with pytest.raises(SourceMapError):  # a bad map is still an error
        View.from_json(b"{", minified_source=minified("esbuild"))


def test_index_maps_with_a_minified_source() -> None:
    from libsourcemap import IndexedSourceMap

    flat = View.from_json(fixture_bytes("index-concat.flat.map"))
    source = (FIXTURES / "index-concat.min.js").read_bytes()
    index = View.from_json(fixture_bytes("index-concat.index.map"), minified_source=source)
    assert index.has_function_table and list(index) == list(flat)
    external = json.dumps(
        {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "url": "a.map"}]}
    )
    with pytest.raises(IndexedSourceMap):
        View.from_json(external, minified_source=source)


def test_resolve_frames_without_a_minified_source_names_from_the_originals() -> None:
    frames = corpus_frames("esbuild")
    view = fresh_view("esbuild")
    batched = view.resolve_frames(frames)
    assert not view.has_function_table
    assert batched == [fresh_view("esbuild").resolve_frame(*frame) for frame in frames]


def test_resolve_frames_edge_cases() -> None:
    view = fresh_view("esbuild")
    frames = [(1, 1), (0, 5), (5, 0), (-1, 3), (2**40, 1), (1, 2**32), (10**6, 10**6)]
    assert view.resolve_frames(frames) == [view.resolve_frame(*f) for f in frames]
    assert view.resolve_frames(frames)[1:] == [None] * 6
    assert view.resolve_frames([]) == []
    with pytest.raises(TypeError):
        view.resolve_frames([(1.5, 2)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        view.resolve_frames([(1, 2)], minified_source=12)  # type: ignore[arg-type]
    # A minified source that does not parse is skipped: names come from the originals.
    frames_ = corpus_frames("esbuild")[:5]
    assert fresh_view("esbuild").resolve_frames(frames_, b"function (") == [
        fresh_view("esbuild").resolve_frame(*f) for f in frames_
    ]


def ecmascript_lines(text: str) -> list[str]:
    """The lines of ``text`` as context shows them: split at ECMAScript line terminators,
    and no empty line after a final one (``a\\nb\\n`` has two lines, as in an editor)."""
    lines = re.split("\r\n|[\n\r\u2028\u2029]", text)
    return lines[:-1] if lines[-1] == "" else lines


@pytest.mark.parametrize("name", sorted(REAL_MAPS))
def test_context_lines_match_the_source_contents(name: str) -> None:
    view = View.from_json(fixture_bytes(name))
    views = [view, View.from_memdb(view.dump_memdb())]
    for src_id in range(view.get_source_count()):
        contents = view.get_source_contents(src_id)
        if contents is None:
            continue
        lines = ecmascript_lines(contents.decode("utf-8", "replace"))
        for line in sorted({0, 1, len(lines) // 2, len(lines) - 1, len(lines)}):
            size = 4
            first = max(line - size, 0)
            expected = (
                (lines[first:line], lines[line], lines[line + 1 : line + 1 + size])
                if line < len(lines)
                else ([], None, [])
            )
            for v in views:
                assert v.get_context_lines(src_id, line, size) == expected, (name, line)


def test_context_lines_edge_cases() -> None:
    view = View.from_json(fixture_bytes("esbuild-lodash.min.js.map"))
    assert view.get_context_lines(None, 3) == ([], None, [])
    assert view.get_context_lines(10**6, 0) == ([], None, [])
    assert view.get_context_lines(0, -1) == ([], None, [])
    assert view.get_context_lines(0, 2**40) == ([], None, [])
    pre, line, post = view.get_context_lines(0, 0, 0)
    assert (pre, post) == ([], []) and line is not None
    assert view.get_context_lines(0, 0, -3) == (pre, line, post)


def test_a_corrupt_line_index_is_bad_memdb() -> None:
    data = bytearray(View.from_json(fixture_bytes("esbuild-lodash.min.js.map")).dump_memdb())
    offset, length = part_span(bytes(data), CONTENT_LINES)
    assert length > 100
    # Line starts past the end of the source, or going backwards.
    for value in (0xFFFFFFF0, 0):
        broken = bytearray(data)
        for at in range(offset + 40, offset + 60, 4):
            struct.pack_into("<I", broken, at, value)
        view = View.from_memdb(reseal(broken))
        for line in range(0, 40):
            try:
                view.get_context_lines(0, line)
            except BadMemDb:
                pass
    # An index that points outside the line table.
    index_at, _ = part_span(bytes(data), CONTENT_LINES_INDEX)
    broken = bytearray(data)
    struct.pack_into("<I", broken, index_at + 4, 0x7FFFFFFF)
    view = View.from_memdb(reseal(broken))
    with pytest.raises(BadMemDb, match="line index"):
        view.get_context_lines(0, 1)
    # A line table of the wrong size is refused when the cache is opened.
    broken = bytearray(data)
    struct.pack_into("<Q", broken, part_entry(CONTENT_LINES_INDEX) + 8, 6)
    with pytest.raises(SourceMapError):
        View.from_memdb(reseal(broken))


def test_memdb_without_contents_has_no_context_lines() -> None:
    view = View.from_json(fixture_bytes("esbuild-lodash.min.js.map"))
    bare = View.from_memdb(view.dump_memdb(with_source_contents=False))
    assert bare.get_context_lines(0, 1) == ([], None, [])
    frame = bare.resolve_frame(1, 100)
    assert frame is None or (frame.context_line is None and frame.pre_context == [])
