"""Parsing stack traces as V8, SpiderMonkey and JavaScriptCore print them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap.symbolication.stacktrace import (
    StackFrame,
    _split_location,
    _v8_match,
    _v8_parts,
    parse_frame,
    parse_stacktrace,
)

EXAMPLES = Path(__file__).parent.parent / "examples"


def where(line: str) -> tuple[str | None, str | None, int | None, int | None] | None:
    frame = parse_frame(line)
    return None if frame is None else (frame.function, frame.file, frame.line, frame.column)


@pytest.mark.parametrize(
    "line, expected",
    [
        # V8 (Chrome, node)
        ("    at new n (/srv/dist/app.min.js:1:4874)", ("new n", "/srv/dist/app.min.js", 1, 4874)),
        ("    at p.parse (https://a.io/app.js:1:81)", ("p.parse", "https://a.io/app.js", 1, 81)),
        ("    at https://a.io/app.js:2:38", (None, "https://a.io/app.js", 2, 38)),
        (
            "    at Object.<anonymous> (file:///x/a.js:6:89)",
            ("Object.<anonymous>", "file:///x/a.js", 6, 89),
        ),
        ("    at Br [as parseSourceFile] (a.js:3:4)", ("Br [as parseSourceFile]", "a.js", 3, 4)),
        ("    at async run (/srv/app.mjs:10:5)", ("run", "/srv/app.mjs", 10, 5)),
        ("    at Array.map (<anonymous>)", ("Array.map", None, None, None)),
        ("    at async Promise.all (index 0)", ("Promise.all", None, None, None)),
        (
            "    at Module.load (node:internal/modules/cjs/loader:1266:32)",
            ("Module.load", "node:internal/modules/cjs/loader", 1266, 32),
        ),
        (
            "    at f (C:\\Program Files\\app\\a.js:1:2)",
            ("f", "C:\\Program Files\\app\\a.js", 1, 2),
        ),
        # Code run by eval has no file of its own: the eval call site is not its position.
        (
            "    at eval (eval at run (https://a.io/app.js:1:2), <anonymous>:1:3)",
            ("eval", None, None, None),
        ),
        # SpiderMonkey (Firefox)
        (
            "parseOrders@https://a.io/app.min.js:2:29",
            ("parseOrders", "https://a.io/app.min.js", 2, 29),
        ),
        ("@https://a.io/app.min.js:6:89", (None, "https://a.io/app.min.js", 6, 89)),
        ("te/<@https://a.io/app.min.js:2:38", ("te/<", "https://a.io/app.min.js", 2, 38)),
        ("f@https://a.io/app.js line 2 > eval:1:5", ("f", "https://a.io/app.js", 2, None)),
        # JavaScriptCore (Safari)
        ("global code@https://a.io/app.js:6:90", ("global code", "https://a.io/app.js", 6, 90)),
        ("map@[native code]", ("map", None, None, None)),
        ("https://a.io/app.js:6:90", (None, "https://a.io/app.js", 6, 90)),
    ],
)
def test_frames(line: str, expected: tuple[object, ...]) -> None:
    assert where(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "TypeError: Invalid Version: 2.x",
        "Error: user@example.com was not found",
        "  at least one order failed (see the log)",
        "    ... 4 more",
        "",
        "Caused by: x@y",
    ],
)
def test_other_lines_are_not_frames(line: str) -> None:
    assert parse_frame(line) is None


def test_real_node_trace() -> None:
    text = (EXAMPLES / "stacktrace.txt").read_text()
    frames = parse_stacktrace(text)
    assert len(frames) == len(text.splitlines()) - 1  # every line but the message
    assert all(isinstance(frame, StackFrame) for frame in frames)
    assert frames[0].function == "new n" and frames[0].file is not None
    assert frames[0].file == "https://shop.example.com/dist/app.min.js"
    assert frames[3] == StackFrame("Array.map", None, None, None, "    at Array.map (<anonymous>)")


_LOCATION = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<column>\d+))?$")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:/.1٢²0 ")), max_size=14))
def test_locations_split_as_the_pattern_reads_them(location: str) -> None:
    # The definition: the pattern the parser used before splitting from the right.
    match = _LOCATION.match(location)
    column = match and match.group("column")
    expected = match and (match.group("file"), int(match.group("line")), column and int(column))
    assert _split_location(location) == (expected or None)


_V8_LINE = st.lists(
    st.sampled_from(
        ["at ", "async ", " (", ")", "(", ":", "1", "f", " ", "\t", "\u00a0", "\u2003", "x.js"]
    ),
    max_size=10,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_V8_LINE, st.text(max_size=12)))
def test_v8_lines_split_as_the_pattern_reads_them(line: str) -> None:
    # The definition: the V8 pattern the parser used before taking lines apart by hand
    # (its bare location may keep trailing white space, or be nothing but white space: the
    # parser strips it anyway, and finds no frame in nothing).
    expected = _v8_match(line)
    if expected is not None and expected[0] is None:
        expected = (None, expected[1].rstrip()) if expected[1].strip() else None
    got = _v8_parts(line)
    if got is not None and got[0] is None:
        got = (None, got[1].rstrip())
    assert got == expected
