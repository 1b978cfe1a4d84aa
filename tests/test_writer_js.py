"""What our writers write, read by the JavaScript references (tests/js, run in node):
``@jridgewell/trace-mapping`` decodes every map ``to_json`` writes (all real maps, a memdb,
maps built by the builder) to the segments, sources, names and contents our reader sees;
``concat`` of real bundles and plain files gives the map ``@jridgewell/gen-mapping``
builds from the same parts."""

from __future__ import annotations

import json
from typing import Any, Callable

from conftest import ALL_REAL_MAPS, fixture_bytes

from libsourcemap import SourceMapBuilder, View, concat


def segments_of(view: View) -> list[tuple[Any, ...]]:
    """Our reading: (line, column, source name, line, column, name) per segment."""
    return [(t.dst_line, t.dst_col, t.src, t.src_line, t.src_col, t.name) for t in view]


def segments_decoded(decoded: dict[str, Any]) -> list[tuple[Any, ...]]:
    """trace-mapping's reading, in the same shape."""
    out = []
    sources, names = decoded["sources"], decoded["names"]
    for line, segments in enumerate(decoded["segments"]):
        for s in segments:
            if len(s) == 1:
                out.append((line, s[0], None, None, None, None))
            else:
                name = names[s[4]] if len(s) == 5 else None
                out.append((line, s[0], sources[s[1]], s[2], s[3], name))
    return out


def test_trace_mapping_reads_what_to_json_writes(js_reference: Callable[..., Any]) -> None:
    views = [View.from_json(fixture_bytes(name)) for name in ALL_REAL_MAPS]
    views.append(View.from_memdb(views[0].dump_memdb()))
    builder = SourceMapBuilder(file="built.js")
    a, b = builder.add_source("a.js", "let a;\n"), builder.add_source("dir/b.js")
    name = builder.add_name("a")
    for line in range(3):
        builder.add_mapping(line, 7, b, line * 2, 1)
        builder.add_mapping(line, 0, a, line, 0, name)
        builder.add_mapping(line, 12)
    builder.set_ignored(b)
    views.append(builder.build())
    decoded = js_reference("decode", maps=[v.to_json().decode() for v in views])
    for view, theirs in zip(views, decoded):
        assert segments_decoded(theirs) == segments_of(view)
        count = view.get_source_count()
        assert theirs["sources"] == [view.get_source_name(i) for i in range(count)]
        contents = [view.get_source_contents(i) for i in range(count)]
        expected = [None if c is None else c.decode() for c in contents]
        assert (theirs["sourcesContent"] or [None] * count) == expected
        assert theirs["ignoreList"] == view.ignore_list
        assert theirs["file"] == view.file


def test_concat_is_what_gen_mapping_builds(js_reference: Callable[..., Any]) -> None:
    parts = [
        (fixture_bytes("esbuild-lodash.min.js"), fixture_bytes("esbuild-lodash.min.js.map"), "a"),
        ("glue();\r\nmore();\u2028last()".encode(), None, "glue.js"),
        (
            fixture_bytes("terser-underscore.min.js"),
            fixture_bytes("terser-underscore.min.js.map"),
            "b",
        ),
        (b"", None, "empty.js"),
        (
            fixture_bytes("stacks/dist/esbuild.min.mjs"),
            fixture_bytes("stacks/dist/esbuild.min.mjs.map"),
            "c",
        ),
    ]
    _, ours = concat(parts)
    request = [
        {"code": code.decode(), "map": None if m is None else m.decode(), "name": name}
        for code, m, name in parts
    ]
    reference = js_reference("concat", parts=request)
    both = js_reference("decode", maps=[ours.to_json().decode(), json.dumps(reference)])
    mine, theirs = both
    assert segments_decoded(mine) == segments_decoded(theirs)
    contents_mine = dict(zip(mine["sources"], mine["sourcesContent"]))
    contents_theirs = dict(zip(theirs["sources"], theirs["sourcesContent"]))
    assert contents_mine == contents_theirs
    ignored = {mine["sources"][i] for i in mine["ignoreList"]}
    assert ignored == {theirs["sources"][i] for i in theirs["ignoreList"]}
