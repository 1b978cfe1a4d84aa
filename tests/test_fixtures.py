"""Real bundler output (esbuild, terser over real npm packages): every token is consistent
with the original source, found by lookups over its whole range, and survives memdb."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import FIXTURES, REAL_MAPS, fixture_bytes

import libsourcemap
from libsourcemap import Token, View

# Two real-world deviations from "the name is the source text at the position":
# - esbuild names the bindings it creates for ES module default exports `<name>_default`
#   and records that synthesized name at the original `default` keyword or at a use of
#   `<name>`;
# - terser records a quoted property key (`'default': x`) by its unquoted name.
ESBUILD_DEFAULT_BINDING = re.compile(r"(\w+?)_default")


def name_is_in_source(name: str, text: str) -> bool:
    if text.startswith(name) or (text[:1] in "'\"" and text[1:].startswith(name + text[0])):
        return True
    m = ESBUILD_DEFAULT_BINDING.fullmatch(name)
    return bool(m) and (text.startswith("default") or text.startswith(m.group(1)))


def test_named_tokens_point_at_their_name(real_map: str) -> None:
    view = libsourcemap.from_json(fixture_bytes(real_map))
    assert isinstance(view, View)
    lines: dict[int, list[str]] = {}
    checked = 0
    for token in view:
        if not token.name:
            continue
        if token.src_id not in lines:
            contents = view.get_source_contents(token.src_id)
            assert contents is not None
            lines[token.src_id] = contents.decode("utf-8").split("\n")
        # Columns count UTF-16 code units; these sources are ASCII on named lines.
        text = lines[token.src_id][token.src_line][token.src_col :]
        assert name_is_in_source(token.name, text), (token, text[:40])
        checked += 1
    assert checked > 1000


def expected_lookups(tokens: list[Token], line_lengths: list[int]):  # type: ignore[no-untyped-def]
    """Every generated column of every line, with the token a lookup must return."""
    by_line: dict[int, list[Token]] = {}
    for token in tokens:
        by_line.setdefault(token.dst_line, []).append(token)
    for line, line_tokens in by_line.items():
        for i, token in enumerate(line_tokens):
            end = line_tokens[i + 1].dst_col if i + 1 < len(line_tokens) else line_lengths[line] + 1
            if end == token.dst_col:
                continue  # a duplicate position: the last one wins
            for col in range(token.dst_col, end):
                yield line, col, token if token.src is not None else None


def test_every_token_found_across_its_column_range(real_map: str) -> None:
    view = libsourcemap.from_json(fixture_bytes(real_map))
    minified = (FIXTURES / REAL_MAPS[real_map]).read_text("utf-8").split("\n")
    tokens = list(view)
    checked = 0
    for line, col, expected in expected_lookups(tokens, [len(s) for s in minified]):
        assert view.lookup_token(line, col) == expected, (line, col)
        checked += 1
    assert checked >= len(tokens)
    # Before the first token of a line there is nothing.
    first = tokens[0]
    if first.dst_col > 0:
        assert view.lookup_token(first.dst_line, first.dst_col - 1) is None


def assert_same_view(a: View, b: View) -> None:
    assert len(a) == len(b)
    assert list(a) == list(b)
    assert list(a.iter_sources()) == list(b.iter_sources())
    for src_id in range(a.get_source_count()):
        assert a.get_source_contents(src_id) == b.get_source_contents(src_id)
    assert a.file == b.file
    assert a.source_root == b.source_root


def test_memdb_bytes_and_mapped_file_equal_json_view(real_map: str, tmp_path: Path) -> None:
    view = libsourcemap.from_json(fixture_bytes(real_map))
    assert isinstance(view, View)
    memdb = view.dump_memdb()
    assert_same_view(view, View.from_memdb(memdb))
    path = tmp_path / "cache.memdb"
    path.write_bytes(memdb)
    mapped = View.from_memdb_file(path)
    assert_same_view(view, mapped)
    # A memdb view can be dumped again, byte for byte the same.
    assert mapped.dump_memdb() == memdb


def test_memdb_without_names_or_contents(real_map: str) -> None:
    view = libsourcemap.from_json(fixture_bytes(real_map))
    assert isinstance(view, View)
    lean = View.from_memdb(view.dump_memdb(with_source_contents=False, with_names=False))
    assert [t._replace(name=None) for t in view] == list(lean)
    assert all(lean.get_source_contents(i) is None for i in range(lean.get_source_count()))
    assert len(lean.dump_memdb()) < len(view.dump_memdb())


def test_index_map_flattens_to_the_equivalent_regular_map() -> None:
    # index-concat.flat.map was composed from the same sections by mozilla source-map.
    flat = View.from_json(fixture_bytes("index-concat.flat.map"))
    index = libsourcemap.from_json(
        fixture_bytes("index-concat.index.map"), auto_flatten=False, raise_for_index=False
    )
    assert isinstance(index, libsourcemap.Index)
    assert index.can_flatten
    first, second, third = index.sections
    assert (first.line, first.column, first.url) == (0, 0, None)
    assert second.line > 0 and second.column == 0
    # The third section starts mid-line, right after the second section's code.
    assert third.line == second.line and third.column > 0
    assert list(index.into_view()) == list(flat)
    assert_same_view(
        index.into_view(), libsourcemap.from_json(fixture_bytes("index-concat.index.map"))
    )
