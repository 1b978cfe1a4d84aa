"""ECMA-426 conformance: one table-driven test per rule, each case a tiny hand-written map
checked in both modes. Strict mode raises `InvalidSourceMap` naming the field or the
generated position; lenient mode loads the map (skipping what is unusable) or raises a
`SourceMapError`, and never crashes."""

from __future__ import annotations

import base64
import json
from typing import Any, NamedTuple
from urllib.parse import quote

import pytest
from conftest import vlq

import libsourcemap
from libsourcemap import Index, InvalidSourceMap, SourceMapError, View

LOAD, ERROR = "load", "error"


class Case(NamedTuple):
    doc: Any  # a dict (JSON-encoded here) or raw text
    valid: bool  # does strict mode accept it?
    lenient: str = LOAD  # what lenient mode does with it
    match: str = ""  # a regex the strict error message must match


def base(**fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"version": 3, "sources": ["a.js"], "names": ["n"], "mappings": "AAAA"}
    for key, value in fields.items():
        if value is ...:
            doc.pop(key)
        else:
            doc[key] = value
    return doc


def index_map(*sections: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"version": 3, "sections": list(sections), **fields}


def section(line: int, column: int, **map_fields: Any) -> dict[str, Any]:
    return {"offset": {"line": line, "column": column}, "map": base(**map_fields)}


def load(doc: Any, strict: bool) -> View | Index:
    data = doc if isinstance(doc, (str, bytes)) else json.dumps(doc)
    return libsourcemap.from_json(data, strict=strict, raise_for_index=False)


def check(case: Case) -> None:
    if case.valid:
        load(case.doc, strict=True)
    else:
        with pytest.raises(InvalidSourceMap, match=case.match):
            load(case.doc, strict=True)
    if case.lenient == LOAD:
        load(case.doc, strict=False)
    else:
        with pytest.raises(SourceMapError):
            load(case.doc, strict=False)


def cases(*items: Case) -> Any:
    return pytest.mark.parametrize("case", items, ids=[str(i) for i in range(len(items))])


@cases(
    Case(base(), True),
    Case(base(version=2), False, match=r"`version` must be 3, got 2"),
    Case(base(version="3"), False, match=r"`version`"),
    Case(base(version=...), False, match=r"`version` is missing"),
    Case(base(version=None), False, match=r"`version`"),
)
def test_version_must_be_the_number_3(case: Case) -> None:
    check(case)


@cases(
    Case(base(mappings=""), True),
    Case(base(mappings=5), False, ERROR, r"`mappings` must be a string, got 5"),
    Case(base(mappings=["AAAA"]), False, ERROR, r"`mappings` must be a string"),
    Case(base(mappings=...), False, LOAD, r"`mappings` is missing"),
)
def test_mappings_must_be_a_string(case: Case) -> None:
    check(case)


@cases(
    Case(base(sources=["a.js", None]), True),
    Case(base(sources=[], mappings=""), True),
    Case(base(sources="a.js"), False, ERROR, r"`sources` must be a list, got \"a.js\""),
    Case(base(sources=None), False, ERROR, r"`sources` must be a list, got null"),
    Case(base(sources=[1]), False, LOAD, r"`sources\[0\]` must be a string or null, got 1"),
    Case(base(sources=...), False, LOAD, r"`sources` is missing"),
)
def test_sources_are_strings_or_nulls(case: Case) -> None:
    check(case)


@cases(
    Case(base(sourcesContent=["x", None]), True),
    Case(base(sourcesContent=None), True),
    Case(base(sourcesContent="x"), False, LOAD, r"`sourcesContent` must be a list"),
    Case(base(sourcesContent=[1]), False, LOAD, r"`sourcesContent\[0\]` must be a string or null"),
)
def test_sources_content_are_strings_or_nulls(case: Case) -> None:
    check(case)


@cases(
    Case(base(names=["n", "m"]), True),
    Case(base(names=[None]), False, LOAD, r"`names\[0\]` must be a string, got null"),
    Case(base(names=[1]), False, LOAD, r"`names\[0\]`"),
    Case(base(names="n"), False, LOAD, r"`names` must be a list"),
)
def test_names_are_strings(case: Case) -> None:
    check(case)


@cases(
    Case(base(file="out.js", sourceRoot="src/"), True),
    Case(base(file=1), False, LOAD, r"`file` must be a string, got 1"),
    Case(base(sourceRoot=["src"]), False, LOAD, r"`sourceRoot` must be a string"),
)
def test_file_and_source_root_are_strings(case: Case) -> None:
    check(case)


@cases(
    Case(base(ignoreList=[0]), True),
    Case(base(sources=["a.js", "b.js"], ignoreList=[1, 0]), True),
    Case(
        base(ignoreList=[1]),
        False,
        LOAD,
        r"`ignoreList\[0\]` must be a source index in 0..1, got 1",
    ),
    Case(base(ignoreList=[-1]), False, LOAD, r"`ignoreList\[0\]`"),
    Case(base(ignoreList=["0"]), False, LOAD, r"`ignoreList\[0\]`"),
    Case(base(ignoreList=[0.5]), False, LOAD, r"`ignoreList\[0\]`"),
    Case(base(ignoreList=0), False, LOAD, r"`ignoreList` must be a list"),
    Case(base(x_google_ignoreList=[3]), False, LOAD, r"`x_google_ignoreList\[0\]`"),
)
def test_ignore_list_is_source_indexes_in_range(case: Case) -> None:
    check(case)


def test_ignore_list_values() -> None:
    doc = base(sources=["a.js", "b.js", "c.js"], ignoreList=[2, 0, 9])
    assert View.from_json(json.dumps(doc)).ignore_list == [2, 0]
    doc = base(sources=["a.js", "b.js"], x_google_ignoreList=[1])
    assert View.from_json(json.dumps(doc)).ignore_list == [1]
    # ignoreList wins over the older spelling.
    doc = base(sources=["a.js", "b.js"], ignoreList=[0], x_google_ignoreList=[1])
    assert View.from_json(json.dumps(doc)).ignore_list == [0]
    assert View.from_json(json.dumps(base())).ignore_list == []
    # In an index map, each section's ids are offset by the sources before it.
    flat = View.from_json(json.dumps(index_map(section(0, 0), section(1, 0, ignoreList=[0]))))
    assert flat.ignore_list == [1]
    assert View.from_memdb(flat.dump_memdb()).ignore_list == [1]


def test_debug_id() -> None:
    uuid = "85314830-023f-4cf1-a267-535f4e37bb17"
    assert View.from_json(json.dumps(base(debugId=uuid))).debug_id == uuid
    assert View.from_json(json.dumps(base(debug_id=uuid))).debug_id == uuid
    assert View.from_json(json.dumps(base(debugId=uuid, debug_id="x"))).debug_id == uuid
    assert View.from_json(json.dumps(base())).debug_id is None
    view = View.from_json(json.dumps(index_map(section(0, 0), debugId=uuid)))
    assert view.debug_id == uuid
    assert View.from_memdb(view.dump_memdb()).debug_id == uuid
    check(Case(base(debugId=5), False, LOAD, r"`debugId` must be a string"))


@cases(
    Case(
        base(mappings="AA!A"),
        False,
        ERROR,
        r'invalid base64 VLQ character "!" \(byte 2\) at generated line 0 column 0',
    ),
    Case(
        base(mappings="AAAA;A A"),
        False,
        ERROR,
        r'invalid base64 VLQ character " ".* at generated line 1',
    ),
    Case(base(mappings="AAA\u00e9"), False, ERROR, r"invalid base64 VLQ character"),
)
def test_vlq_digits_are_base64(case: Case) -> None:
    check(case)


@cases(
    Case(base(mappings="AAAg"), False, ERROR, r"continuation digit at generated line 0"),
    Case(base(mappings="AAAA,g"), False, ERROR, r"continuation digit"),
)
def test_vlq_has_its_continuation_digit(case: Case) -> None:
    check(case)


@cases(
    Case(base(mappings="A"), True),
    Case(base(mappings="AAAA"), True),
    Case(base(mappings="AAAAA"), True),
    Case(base(mappings="AA"), False, LOAD, r"segment with 2 fields at generated line 0 column 0"),
    Case(base(mappings="AAA"), False, LOAD, r"segment with 3 fields"),
    Case(base(mappings="AAAAAA"), False, LOAD, r"more than 5 fields"),
    Case(base(mappings="AAAA,,CAAA"), False, LOAD, r"empty segment"),
)
def test_segments_have_1_4_or_5_fields(case: Case) -> None:
    check(case)


def test_lenient_segments_with_2_or_3_fields_are_unmapped() -> None:
    view = View.from_json(json.dumps(base(mappings="AAAA,CA")))
    assert view.lookup_token(0, 1) is None
    assert view.lookup_token(0, 0) is not None


@cases(
    Case(base(sources=["a.js", "b.js"], mappings="ACAA"), True),
    Case(
        base(mappings="ACAA"),
        False,
        LOAD,
        r"source index 1 out of range \(1 sources\) at generated line 0",
    ),
    Case(base(mappings="AAAAC"), False, LOAD, r"name index 1 out of range \(1 names\)"),
)
def test_source_and_name_indexes_in_range(case: Case) -> None:
    check(case)


def test_lenient_out_of_range_indexes_are_skipped() -> None:
    view = View.from_json(json.dumps(base(mappings="AAAAC,CCAA")))
    assert view.lookup_token(0, 0).name is None  # type: ignore[union-attr]
    assert view.lookup_token(0, 1) is None  # the source index 1 does not exist


MAX = 2**32 - 1
I32 = 2**31 - 1


@cases(
    # Values up to 2^32-1, reached in steps that each fit a 32-bit signed VLQ.
    Case(base(mappings="AA" + vlq(I32) + "A,AA" + vlq(I32) + "A,AACA"), True),
    Case(base(mappings=vlq(I32) + "AAA," + vlq(I32) + "AAA,CAAA"), True),
    # A VLQ padded with zero digits decodes in range.
    Case(base(mappings="AAggggggAA"), True),
    Case(base(mappings="AA" + vlq(-(2**31)) + "A"), False, ERROR, r"original line -2147483648"),
    Case(
        base(mappings="AAAD"), False, ERROR, r"original column -1 out of range at generated line 0"
    ),
    Case(base(mappings="D"), False, ERROR, r"generated column -1 out of range"),
    Case(
        base(mappings="AA" + vlq(I32) + "A,AA" + vlq(I32) + "A,AAEA"),
        False,
        ERROR,
        r"original line 4294967296 out of range",
    ),
)
def test_values_between_0_and_2_pow_32_minus_1(case: Case) -> None:
    check(case)


@cases(
    # ECMA-426 decodes each VLQ as a 32-bit signed integer: larger deltas are invalid even
    # where the running value stays in range. Lenient mode loads them (64-bit decode).
    Case(base(mappings="AA" + vlq(I32 + 1) + "A"), False, LOAD, r"VLQ value 2147483648"),
    Case(base(mappings="AA" + vlq(MAX) + "A"), False, LOAD, r"VLQ value 4294967295 \(byte 2\)"),
    Case(base(mappings=vlq(MAX) + "AAA"), False, LOAD, r"at generated line 0"),
    Case(base(mappings="AAA" + vlq(MAX)), False, LOAD, r"VLQ value 4294967295"),
    Case(
        base(mappings="AA" + vlq(MAX) + "A,AA" + vlq(-MAX) + "A"),
        False,
        LOAD,
        r"VLQ value 4294967295",
    ),
    Case(base(mappings="AA" + vlq(-(2**31) - 1) + "A"), False, ERROR, r"VLQ value -2147483649"),
)
def test_vlq_values_are_32_bit_signed(case: Case) -> None:
    check(case)


def test_maximum_values_round_trip() -> None:
    view = View.from_json(json.dumps(base(mappings=vlq(MAX) + "A" + vlq(MAX) + vlq(MAX))))
    assert view.lookup_token(0, MAX) == libsourcemap.Token(0, MAX, "a.js", MAX, MAX, 0, None)


@cases(
    Case(index_map(section(0, 0), section(1, 5)), True),
    Case(index_map(), True),
    Case({"version": 3, "sections": {}}, False, ERROR, r"`sections` must be a list"),
    Case({"version": 3, "sections": [5]}, False, ERROR, r"`sections` must be a list of section"),
)
def test_index_map_sections_are_a_list(case: Case) -> None:
    check(case)


@cases(
    Case(index_map({"map": base()}), False, ERROR, r"`sections\[0\].offset` is missing"),
    Case(index_map({"offset": {"line": -1, "column": 0}, "map": base()}), False, ERROR, r"integer"),
    Case(
        index_map({"offset": {"line": 1.5, "column": 0}, "map": base()}), False, ERROR, r"integer"
    ),
    Case(index_map({"offset": {"line": 0}, "map": base()}), False, ERROR, r"`column`"),
    Case(index_map({"offset": {"line": 0, "column": "0"}, "map": base()}), False, ERROR, r"offset"),
)
def test_index_map_offsets_are_integer_line_and_column(case: Case) -> None:
    check(case)


@cases(
    Case(index_map({"offset": {"line": 0, "column": 0}, "url": "a.map"}), False, LOAD, r"`url`"),
    Case(
        index_map({"offset": {"line": 0, "column": 0}, "map": 5}),
        False,
        ERROR,
        r"must be an object",
    ),
    Case(index_map({"offset": {"line": 0, "column": 0}}), False, ERROR, r"neither `map` nor `url`"),
)
def test_index_map_sections_embed_a_map(case: Case) -> None:
    check(case)


@cases(
    Case(index_map(section(0, 0), section(0, 5), section(3, 0)), True),
    Case(index_map(section(2, 0), section(1, 0)), False, ERROR, r"before the previous section"),
    Case(index_map(section(0, 5), section(0, 5)), False, LOAD, r"before the previous section"),
    Case(
        index_map(section(0, 0, mappings="AAAA;AAAA"), section(1, 0)),
        False,
        LOAD,
        r"`sections\[0\]` has a mapping at generated line 1 column 0, inside the next section",
    ),
)
def test_index_map_sections_ordered_and_not_overlapping(case: Case) -> None:
    check(case)


@cases(
    Case(
        index_map({"offset": {"line": 0, "column": 0}, "map": index_map(section(0, 0))}),
        False,
        ERROR,
        r"itself an index map",
    ),
)
def test_index_map_sections_are_not_nested(case: Case) -> None:
    check(case)


@cases(
    Case(index_map(section(0, 0), mappings="AAAA"), False, LOAD, r"`mappings` beside `sections`"),
)
def test_index_map_has_no_mappings_beside_sections(case: Case) -> None:
    check(case)


def test_index_map_offsets_apply_to_first_line_columns_only() -> None:
    view = View.from_json(
        json.dumps(index_map(section(0, 0), section(2, 10, mappings="AAAA;CAAC")))
    )
    assert [(t.dst_line, t.dst_col) for t in view] == [(0, 0), (2, 10), (3, 1)]


@cases(
    Case(base(x_custom={"anything": [1, 2]}, x_google_linecount=3), True),
)
def test_unknown_fields_are_allowed(case: Case) -> None:
    check(case)


@cases(
    Case(")]}'\n" + json.dumps(base()), True),
    Case(")]}'garbage\n" + json.dumps(base()), True),
)
def test_xssi_guard_line_is_skipped(case: Case) -> None:
    check(case)


def test_source_root_is_joined_with_sources() -> None:
    doc = base(sourceRoot="https://example.com/src", sources=["a.js", "webpack://x/b.js", None])
    view = View.from_json(json.dumps(doc))
    assert list(view.iter_sources()) == [
        (0, "https://example.com/src/a.js"),
        (1, "webpack://x/b.js"),  # absolute URLs are left alone
        (2, None),  # null sources stay None
    ]
    assert (
        View.from_json(json.dumps(base(sourceRoot="lib/", sources=["a.js"]))).get_source_name(0)
        == "lib/a.js"
    )


# -- discovery ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source,url",
    [
        ("x();\n//# sourceMappingURL=app.js.map\n", "app.js.map"),
        ("x();\n//@ sourceMappingURL=legacy.map", "legacy.map"),
        ("x();//# sourceMappingURL=same-line.map  \n", "same-line.map"),
        ("a{}\n/*# sourceMappingURL=style.css.map */\n", "style.css.map"),
        ("//# sourceMappingURL=first.map\nx();\n//# sourceMappingURL=last.map\n", "last.map"),
        ("x();\r\n//# sourceMappingURL=crlf.map\r\n", "crlf.map"),
        ('s = "//# sourceMappingURL=in-string.map";\n', None),
        ("x();\n// sourceMappingURL=no-marker.map\n", None),
        ("x();\n", None),
        (b"x();\n//# sourceMappingURL=bytes.map\n", "bytes.map"),
    ],
)
def test_discover_source_mapping_url(source: str | bytes, url: str | None) -> None:
    assert libsourcemap.discover(source) == url


def test_discover_on_real_bundle() -> None:
    from conftest import FIXTURES

    js = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    assert libsourcemap.discover(js) == "esbuild-lodash.min.js.map"


def test_data_urls_load_directly() -> None:
    text = json.dumps(base(sourcesContent=["é ü"]))
    b64 = "data:application/json;base64," + base64.b64encode(text.encode()).decode()
    pct = "data:application/json;charset=utf-8," + quote(text)
    for url in (b64, pct, b64.replace("application/json", "application/json;charset=utf-8")):
        view = libsourcemap.from_data_url(url)
        assert isinstance(view, View)
        assert view.get_source_contents(0) == "é ü".encode()
    js = "x();\n//# sourceMappingURL=" + b64 + "\n"
    assert isinstance(libsourcemap.from_data_url(libsourcemap.discover(js) or ""), View)
    with pytest.raises(InvalidSourceMap, match="application/json"):
        libsourcemap.from_data_url("data:text/plain;base64,e30=")
    with pytest.raises(InvalidSourceMap, match="base64"):
        libsourcemap.from_data_url("data:application/json;base64,!!!")
    with pytest.raises(InvalidSourceMap, match="not a data: URL"):
        libsourcemap.from_data_url("https://example.com/app.js.map")
    with pytest.raises(InvalidSourceMap, match="charset"):
        libsourcemap.from_data_url("data:application/json;charset=latin1,{}")
    with pytest.raises(InvalidSourceMap, match="version"):
        libsourcemap.from_data_url(
            "data:application/json," + quote(json.dumps(base(version=2))), strict=True
        )


def test_javascript_is_not_confused_with_a_map() -> None:
    js = "x();\n//# sourceMappingURL=data:application/json;base64,e30=\n"
    with pytest.raises(libsourcemap.BadJson, match="looks like JavaScript.*discover"):
        libsourcemap.from_json(js)


def lenient(doc: Any) -> View:
    loaded = load(doc, strict=False)
    assert isinstance(loaded, View)
    return loaded


def test_lenient_outcomes_are_what_the_readme_table_says() -> None:
    """The "lenient" column of README "Standard conformance", one row at a time: not just
    that the map loads, but what the loaded view then holds."""
    # `version` ignored.
    assert lenient(base(version=2)).lookup_token(0, 0) is not None
    # `mappings` missing: no tokens.
    assert len(lenient(base(mappings=...))) == 0
    # bad `sources` entries: None (the token keeps its source id, with no name).
    view = lenient(base(sources=["a.js", 1, {"x": 1}], mappings="AAAA,CCAA,CCAA"))
    assert [view.get_source_name(i) for i in range(3)] == ["a.js", None, None]
    assert view.lookup_token(0, 1) == libsourcemap.Token(0, 1, None, 0, 0, 1, None)
    # bad `sourcesContent` field or entries: ignored.
    assert lenient(base(sourcesContent="x")).get_source_contents(0) is None
    assert lenient(base(sourcesContent=[1])).get_source_contents(0) is None
    # bad `names` field ignored; bad entries: no name.
    assert lenient(base(names="n", mappings="AAAAA")).lookup_token(0, 0).name is None
    view = lenient(base(names=["n", None], mappings="AAAAA,CAAAC"))
    assert view.lookup_token(0, 0).name == "n" and view.lookup_token(0, 1).name is None
    # `file`, `sourceRoot`, `debugId` that are not strings: ignored.
    view = lenient(base(file=1, sourceRoot=[2], debugId={}))
    assert (view.file, view.source_root, view.debug_id) == (None, None, None)
    assert view.get_source_name(0) == "a.js"
    # `ignoreList`: bad entries dropped.
    assert lenient(base(ignoreList=[0, 5, "x", -1])).ignore_list == [0]
    # 2/3-field segments: unmapped; empty segments: skipped.
    view = lenient(base(mappings="AAAA,CA,,CAAC"))
    assert view.lookup_token(0, 1) is None
    assert view.lookup_token(0, 2) == libsourcemap.Token(0, 2, "a.js", 0, 1, 0, None)
    # out-of-range source / name indexes: unmapped / no name.
    assert lenient(base(mappings="ACAA")).lookup_token(0, 0) is None
    assert lenient(base(mappings="AAAAC")).lookup_token(0, 0).name is None
    # VLQ values beyond 32-bit signed: decoded as 64-bit.
    big = 2**32 - 1
    view = lenient(base(mappings="AA" + vlq(big) + "A"))
    assert view.lookup_token(0, 0) == libsourcemap.Token(0, 0, "a.js", big, 0, 0, None)
    # `url` sections: an Index that cannot be flattened; equal offsets load.
    index = load(index_map({"offset": {"line": 0, "column": 0}, "url": "a.map"}), strict=False)
    assert isinstance(index, Index) and not index.can_flatten
    both = lenient(index_map(section(0, 0), section(0, 0)))
    assert both.lookup_token(0, 0) is not None
    # `mappings` beside `sections`: ignored (the sections' tokens only).
    view = lenient(index_map(section(1, 0), mappings="AAAA"))
    assert view.lookup_token(0, 0) is None and view.lookup_token(1, 0) is not None


# -- rust-sourcemap's reading: opt-in (`Rules.RUST_SOURCEMAP`), for symbolic's drop-in --


def rust_sourcemap(doc: Any) -> View:
    data = doc if isinstance(doc, (str, bytes)) else json.dumps(doc)
    return View.from_json(data, strict=libsourcemap.Rules.RUST_SOURCEMAP)


def test_the_rust_sourcemap_reading_is_opt_in() -> None:
    """What the dialect changes, the default readings (lenient and strict) keep: each
    input below reads one way by default and another way with the flag."""
    # `names` entries that are numbers: no name by default, their text as the flag reads.
    doc = base(names=[1, 2.5, True], mappings="AAAAA,CAAAC,CAAAC")
    assert [t.name for t in lenient(doc)] == [None, None, None]
    assert [t.name for t in rust_sourcemap(doc)] == ["1", "2.5", ""]  # rust-sourcemap: ""
    with pytest.raises(InvalidSourceMap, match=r"`names\[0\]`"):
        load(doc, strict=True)
    # An original line below 0: an error by default, wrapped modulo 2^32 with the flag.
    doc = base(mappings="AAAA,CAFA")
    for strict in (False, True):
        with pytest.raises(SourceMapError):
            load(doc, strict=strict)
    assert rust_sourcemap(doc).get_token_fields(1)[2] == 2**32 - 2
    # An index map nested in a section, sections out of order: errors by default.
    nested = index_map({"offset": {"line": 0, "column": 0}, "map": index_map(section(1, 0))})
    backwards = index_map(section(2, 0), section(0, 0, sources=["b.js"]))
    for doc in (nested, backwards):
        for strict in (False, True):
            with pytest.raises(SourceMapError):
                View.from_json(json.dumps(doc), strict=strict)
    assert [(t.dst_line, t.src) for t in rust_sourcemap(nested)] == [(1, "a.js")]
    assert [(t.dst_line, t.src) for t in rust_sourcemap(backwards)] == [(0, "b.js"), (2, "a.js")]
    # A lone surrogate escape: U+FFFD by default, refused with the flag.
    doc = base(sources=["a\ud800.js"])
    assert lenient(doc).get_source_name(0) == "a\ufffd.js"
    assert load(doc, strict=True).get_source_name(0) == "a\ufffd.js"
    with pytest.raises(libsourcemap.BadJson, match="lone surrogate"):
        rust_sourcemap(doc)
    # Types rust-sourcemap's `RawSourceMap` refuses; a function map list that makes a
    # Hermes map even where no function map in it reads.
    assert lenient(base(version="3")).get_source_name(0) == "a.js"
    with pytest.raises(libsourcemap.BadJson, match="version"):
        rust_sourcemap(base(version="3"))
    doc = base(x_facebook_sources=[None])
    assert not lenient(doc).has_function_maps and rust_sourcemap(doc).has_function_maps


def test_a_section_far_down_is_refused_not_written_out() -> None:
    """Flattening writes a `;` per generated line: a section offset of four billion lines
    is an error (it was 4 GB of them, and the process aborted where memory ran out)."""
    doc = index_map(section(4_000_000_000, 0))
    for strict in (False, True, libsourcemap.Rules.RUST_SOURCEMAP):
        with pytest.raises(libsourcemap.LocationOverflow):
            View.from_json(json.dumps(doc), strict=strict)
