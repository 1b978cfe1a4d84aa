"""``libsourcemap.concat``: real bundles and their maps, and plain code without a map,
joined into one file and one map; every segment of every part is found where the part
now starts, with its source, contents and name."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, fixture_bytes

from libsourcemap import SourceMapError, View, concat

BUNDLES = [
    ("esbuild-lodash.min.js", "esbuild-lodash.min.js.map"),
    ("terser-underscore.min.js", "terser-underscore.min.js.map"),
    ("stacks/dist/esbuild.min.mjs", "stacks/dist/esbuild.min.mjs.map"),
]
GLUE = b"// glue\r\nwindow.ready = true;\n\nstart();"


def line_count(code: bytes) -> int:
    return len(code.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))


def test_parts_keep_their_segments_sources_and_names() -> None:
    parts = [((FIXTURES / js).read_bytes(), (FIXTURES / m).read_bytes(), js) for js, m in BUNDLES]
    parts.insert(1, (GLUE, None, "glue.js"))
    code, view = concat(parts)
    assert code == b"\n".join(p[0] for p in parts)
    offset = 0
    for part_code, source_map, name in parts:
        lines = line_count(part_code)
        if source_map is None:
            for line in range(lines):
                token = view.lookup_token(offset + line, 0)
                assert token is not None and (token.src, token.src_line, token.src_col) == (
                    name,
                    line,
                    0,
                )
            src_id = view.lookup_token(offset, 0).src_id  # type: ignore[union-attr]
            assert view.get_source_contents(src_id) == part_code
        else:
            original = View.from_json(source_map)
            for token in list(original)[::17]:
                moved = view.lookup_token(offset + token.dst_line, token.dst_col)
                expected = original.lookup_token(token.dst_line, token.dst_col)
                assert moved is not None and expected is not None
                assert (moved.src, moved.src_line, moved.src_col, moved.name) == (
                    expected.src, expected.src_line, expected.src_col, expected.name
                )  # fmt: skip
                assert view.get_source_contents(moved.src_id) == original.get_source_contents(
                    expected.src_id
                )
        offset += lines
    # The result is a valid map and its code has the lines it maps.
    assert View.from_json(view.to_json(), strict=True).get_source_count() == view.get_source_count()
    assert line_count(code) == offset


def test_source_root_and_ignore_list_carry_over() -> None:
    part = (
        b'{"version":3,"sourceRoot":"src/","sources":["a.js","b.js"],"names":[],'
        b'"mappings":"AAAA;ACAA","ignoreList":[1]}'
    )
    code, view = concat([(b"x\ny", part, "one"), (b"z", part, "two")])
    assert [view.get_source_name(i) for i in range(4)] == ["src/a.js", "src/b.js"] * 2
    assert view.ignore_list == [1, 3]
    assert (view.lookup_token(2, 0).src_id, view.lookup_token(3, 0)) == (2, None)  # type: ignore[union-attr]


def test_a_map_that_covers_more_lines_than_its_code() -> None:
    map_ = b'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA;AACA;AACA"}'
    _, view = concat([(b"one line", map_, "a"), (b"next", None, "n.js")])
    assert [(t.dst_line, t.src) for t in view] == [(0, "a.js"), (1, "n.js")]


def test_bad_parts() -> None:
    with pytest.raises(TypeError):
        concat([("text", None, "a.js")])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        concat([(b"x", None)])  # type: ignore[list-item]
    with pytest.raises(SourceMapError):
        concat([(b"x", b"{not json", "a.js")])
    code, view = concat([])
    assert code == b"" and len(view) == 0


def test_index_map_reads_as_the_flat_map() -> None:
    """``index_map=True``: one section per part, at the line it starts; flattened, the
    same segments, sources and contents as the flat map of the same parts."""
    parts = [
        (fixture_bytes("esbuild-lodash.min.js"), fixture_bytes("esbuild-lodash.min.js.map"), "l"),
        ("glue();\r\nmore();\u2028x".encode(), None, "glue.js"),  # three lines
        (
            fixture_bytes("terser-underscore.min.js"),
            fixture_bytes("terser-underscore.min.js.map"),
            "u",
        ),
    ]
    code, flat = concat(parts)
    code_too, index = concat(parts, index_map=True)
    assert code_too == code
    lodash_lines = parts[0][0].count(b"\n") + 1
    assert [s.line for s in index.sections] == [0, lodash_lines, lodash_lines + 3]
    merged = View.from_json(index.to_json(), strict=True)
    assert [tuple(t) for t in merged] == [tuple(t) for t in flat]
    assert [merged.get_source_contents(i) for i in range(merged.get_source_count())] == [
        flat.get_source_contents(i) for i in range(flat.get_source_count())
    ]
