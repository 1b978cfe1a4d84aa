"""``SourceMapBuilder``: maps built segment by segment read back as built; a real map
rebuilt from its own tokens is the same map; bad arguments raise and change nothing."""

from __future__ import annotations

import json
import uuid

import pytest
from conftest import ALL_REAL_MAPS, FIXTURES, segment_lists
from hypothesis import given, settings

from libsourcemap import NONE, InvalidArgument, SourceMapBuilder, View


def rebuilt(view: View) -> SourceMapBuilder:
    """A builder given everything ``view`` has, its segments in reverse order."""
    builder = SourceMapBuilder(file=view.file)
    for src_id in range(view.get_source_count()):
        contents = view.get_source_contents(src_id)
        text = None if contents is None else contents.decode("utf-8")
        assert builder.add_source(view.get_raw_source_name(src_id), text) == src_id
    # add_name gives a name's first id to every copy of it: ids differ, names do not.
    names = [builder.add_name(view.get_name(i) or "") for i in range(view.name_count)]
    for index in reversed(range(len(view))):
        dst_line, dst_col, src_line, src_col, src_id, name_id, _ = view.get_token_fields(index)  # type: ignore[misc]
        if src_id == NONE:
            builder.add_mapping(dst_line, dst_col)
        else:
            name = None if name_id == NONE else names[name_id]
            builder.add_mapping(dst_line, dst_col, src_id, src_line, src_col, name)
    for src_id in view.ignore_list:
        builder.set_ignored(src_id)
    return builder


@pytest.mark.parametrize("name", ALL_REAL_MAPS)
def test_a_real_map_rebuilt_is_the_same(name: str) -> None:
    view = View.from_json((FIXTURES / name).read_bytes())
    built = rebuilt(view).build()
    # Segments at one position keep the order they were added in: reversed here.
    assert sorted(built, key=lambda t: (t.dst_line, t.dst_col)) == sorted(
        view, key=lambda t: (t.dst_line, t.dst_col)
    )
    assert json.loads(built.to_json())["sources"] == json.loads(view.to_json())["sources"]
    assert [built.get_source_contents(i) for i in range(built.get_source_count())] == [
        view.get_source_contents(i) for i in range(view.get_source_count())
    ]


def test_everything_a_map_can_say() -> None:
    builder = SourceMapBuilder(file="out.js")
    a = builder.add_source("a.ts", "const x = 1;\n")
    b = builder.add_source(None)
    lib = builder.add_source("node_modules/lib.js", "")
    assert builder.add_name("x") == builder.add_name("x") == 0
    builder.add_mapping(1, 0, a, 0, 6, 0)
    builder.add_mapping(0, 0)
    builder.add_mapping(0, 3, b, 2, 1)
    builder.add_mapping(0, 9, lib, 0, 0)
    builder.set_ignored(lib)
    builder.set_debug_id(uuid.UUID(int=5))
    view = builder.build()
    assert [tuple(t) for t in view] == [
        (0, 0, None, None, None, None, None),
        (0, 3, None, 2, 1, 1, None),
        (0, 9, "node_modules/lib.js", 0, 0, 2, None),
        (1, 0, "a.ts", 0, 6, 0, "x"),
    ]
    assert view.file == "out.js" and view.ignore_list == [lib]
    assert view.debug_id == "00000000-0000-0000-0000-000000000005"
    assert view.get_source_contents(lib) == b"" and view.get_source_contents(b) is None


def test_bad_arguments_raise_and_change_nothing() -> None:
    builder = SourceMapBuilder()
    src = builder.add_source("a.js")
    builder.add_mapping(0, 0, src, 0, 0)
    before = builder.to_json()
    bad = [
        (InvalidArgument, lambda: builder.add_mapping(0, 1, 5, 0, 0)),  # no such source
        (InvalidArgument, lambda: builder.add_mapping(0, 1, src, 0, 0, 3)),  # no such name
        (InvalidArgument, lambda: builder.add_mapping(-1, 0)),
        (InvalidArgument, lambda: builder.add_mapping(0, 2**32)),
        (InvalidArgument, lambda: builder.add_mapping(0, 1, src)),  # no original position
        (InvalidArgument, lambda: builder.add_mapping(0, 1, None, 3, 4)),
        (TypeError, lambda: builder.add_mapping(0.5, 1)),
        (TypeError, lambda: builder.add_mapping(True, 1)),
        (TypeError, lambda: builder.add_source(b"bytes")),
        (TypeError, lambda: builder.add_name(None)),
        (InvalidArgument, lambda: builder.set_ignored(9)),
        (InvalidArgument, lambda: builder.set_debug_id("not a uuid")),
        (TypeError, lambda: SourceMapBuilder(file=3)),
    ]
    for error, call in bad:
        with pytest.raises(error):
            call()
    assert builder.to_json() == before and len(builder) == 1


def test_strings_json_cannot_hold_as_utf8_are_escaped() -> None:
    builder = SourceMapBuilder()
    builder.add_source("\ud800 lone surrogate", 'quote " and \\ and \n')
    builder.add_mapping(0, 0, 0, 0, 0)
    view = builder.build()
    assert view.get_source_name(0) == "\ufffd lone surrogate"
    assert view.get_source_contents(0) == b'quote " and \\ and \n'


@settings(max_examples=200, deadline=None)
@given(segment_lists(sources=3, names=2, max_size=50))
def test_random_builds_read_back_as_built(segments: list[tuple[int, int, object]]) -> None:
    """Random builder input -> to_json -> parse: the segments added, sorted by position
    (stably), with their sources and names."""
    builder = SourceMapBuilder()
    for name in ("a", "b", "c"):
        builder.add_source(name)
    builder.add_name("x")
    builder.add_name("y")
    for line, col, mapped in segments:
        if mapped is None:
            builder.add_mapping(line, col)
        else:
            builder.add_mapping(line, col, *mapped)  # type: ignore[misc]
    view = View.from_json(builder.to_json(), strict=True)
    expected = []
    for line, col, mapped in sorted(segments, key=lambda s: (s[0], s[1])):
        if mapped is None:
            expected.append((line, col, None, None, None, None, None))
        else:
            src, src_line, src_col, name = mapped  # type: ignore[misc]
            expected.append(
                (
                    line,
                    col,
                    "abc"[src],
                    src_line,
                    src_col,
                    src,
                    "xy"[name] if name is not None else None,
                )
            )
    assert [tuple(t) for t in view] == expected
