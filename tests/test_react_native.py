"""React Native and Hermes, on a real build (tests/fixtures/rn: an app bundled by Metro with
React Native's config, compiled by hermesc, its maps composed as React Native composes
them, run on the `hermes` VM and on node; tests/fixtures/rn/generate.mjs), held to
``metro-symbolicate`` (run in node, tests/js) and to the app run from its sources:

- every mapped bytecode offset of the Hermes 1.0 and 0.12 builds resolves as
  metro-symbolicate resolves it (position, token name, function name);
- every segment of Metro's index map gets the function name metro-symbolicate gives;
- the Hermes trace (84 frames) and the V8 trace of the plain bundle symbolicate to the
  lines the app's own run reports and to metro-symbolicate's names, from the command line
  and the event stream too, through a memdb as well;
- bad function maps, offsets past the end and odd index maps are clean errors or
  unresolved frames."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import FIXTURES

from libsourcemap import Symbolicator, View, parse_stacktrace
from libsourcemap.cli import main
from libsourcemap.errors import InvalidSourceMap

RN = FIXTURES / "rn" / "build"
HERMES_MAPS = [RN / "index.android.bundle.map", RN / "hermes1" / "index.android.bundle.map"]
APP = "/tmp/lsm-rn-fixture/app/"


def metro_answers(
    js_reference: Callable[..., Any], map_path: Path, positions: list[tuple[int, int]]
) -> list[Any]:
    return js_reference("metro", map=str(map_path), positions=positions)["positions"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("map_path", HERMES_MAPS, ids=["hermes-0.12", "hermes-1.0"])
def test_every_mapped_bytecode_offset_agrees_with_metro_symbolicate(
    map_path: Path, js_reference: Callable[..., Any]
) -> None:
    view = View.from_json(map_path.read_bytes())
    assert view.is_bytecode_map and view.has_function_maps
    offsets = sorted({t.dst_col for t in view if t.dst_line == 0})
    # Every segment's offset, the offset after it, and past the end.
    asked = sorted({*offsets, *(o + 1 for o in offsets), offsets[-1] + 10_000})
    theirs = metro_answers(js_reference, map_path, [(1, offset) for offset in asked])
    mismatched = []
    for offset, expected in zip(asked, theirs):
        token = view.lookup_bytecode(offset)
        ours = [None] * 5
        if token is not None:
            function = view.get_source_function_name(token.src_id, token.src_line, token.src_col)
            ours = [token.src, token.src_line + 1, token.src_col, token.name, function]
        if ours != expected:
            mismatched.append((offset, ours, expected))
    assert not mismatched, mismatched[:5]
    assert len(asked) > 1000


def test_function_maps_of_every_section_of_metros_index_map(
    js_reference: Callable[..., Any],
) -> None:
    map_path = RN / "index.android.bundle.packager.map"
    view = View.from_json(map_path.read_bytes())
    assert "sections" in json.loads(map_path.read_bytes())
    tokens = [t for t in view if t.src is not None]
    theirs = metro_answers(js_reference, map_path, [(t.dst_line + 1, t.dst_col) for t in tokens])
    ours = [
        [
            t.src,
            t.src_line + 1,
            t.src_col,
            t.name,
            view.get_source_function_name(t.src_id, t.src_line, t.src_col),
        ]
        for t in tokens
    ]
    assert ours == theirs
    named = {row[4] for row in ours}
    assert {"lookup", "checkout", "Cart", "addItem", "parseLine", "rejectCode"} <= named


def frames_of(text: str) -> list[list[tuple[str, int]]]:
    """Per error in a run's output, its frames in app files: (file name, line)."""
    errors = []
    for block in text.split("ERROR ")[1:]:
        frames = []
        for match in re.finditer(r"(?:file://)?" + re.escape(APP) + r"([\w/.]+):(\d+)", block):
            frames.append((match.group(1), int(match.group(2))))
        errors.append(frames)
    return errors


def test_the_hermes_trace_resolves_to_the_apps_own_lines_and_metros_names(
    js_reference: Callable[..., Any],
) -> None:
    trace = (RN / "hermes.txt").read_text()
    with Symbolicator(root=RN) as sym:
        resolved = sym.symbolicate(trace)
    frames = [f for f in parse_stacktrace(trace) if f.file is not None]
    assert len(frames) == 84 and len(resolved) == len(parse_stacktrace(trace))
    metro = js_reference("metro", map=str(RN / "index.android.bundle.map"), traces=[trace])[
        "traces"
    ][0]
    # metro-symbolicate prints `(address at <source>:<line>:<function>)`.
    theirs = re.findall(r"\(address at (\S+?):(\w+):([^)]+)\)", metro)
    ours = [
        (f.source or "null", str(f.line) if f.line else "null", f.function or "null")
        for f in resolved
        if f.minified is not None and f.minified.file is not None
    ]
    assert ours == theirs
    # The app's own frames are where the app's run from its sources says they are.
    app_lines = [
        [(f.source[len(APP) :], f.line) for f in r if f.source and f.source.startswith(APP)]
        for r in _by_error(trace, resolved)
    ]
    assert app_lines == frames_of((RN / "originals.txt").read_text())


def _by_error(trace: str, resolved: list[Any]) -> list[list[Any]]:
    """The resolved frames grouped by the error whose trace they are in."""
    groups: list[list[Any]] = []
    frames = iter(resolved)
    for line in trace.splitlines():
        if line.startswith("ERROR "):
            groups.append([])
        elif parse_stacktrace(line):
            groups[-1].append(next(frames))
    return groups


def test_the_plain_bundle_on_v8_is_named_by_the_function_maps(
    tmp_path: Path, js_reference: Callable[..., Any]
) -> None:
    """The same build run as JavaScript (JavaScriptCore/V8 apps): Metro's index map,
    function names from its function maps (nothing parsed), lines as the app's run."""
    shutil.copy(RN / "index.android.bundle.js", tmp_path)
    shutil.copy(RN / "index.android.bundle.packager.map", tmp_path / "index.android.bundle.map")
    trace = (RN / "v8.txt").read_text()
    with Symbolicator(root=tmp_path) as sym:
        resolved = sym.symbolicate(trace)
    bundle = [f for f in resolved if f.minified and f.minified.file and "bundle" in f.minified.file]
    assert len(bundle) == 84
    positions = [(f.minified.line, f.minified.column - 1) for f in bundle]
    theirs = metro_answers(js_reference, RN / "index.android.bundle.packager.map", positions)
    assert [(f.source, f.line, f.function) for f in bundle] == [(r[0], r[1], r[4]) for r in theirs]
    # The one position Metro's map leaves unmapped: the bundle's closing `__r(0)`.
    assert sum(f.error is not None for f in bundle) == 9
    app_lines = [
        [(f.source[len(APP) :], f.line) for f in r if f.source and f.source.startswith(APP)]
        for r in _by_error(trace, resolved)
    ]
    assert app_lines == frames_of((RN / "originals.txt").read_text())


def test_a_memdb_keeps_function_maps_and_bytecode_offsets(tmp_path: Path) -> None:
    view = View.from_json((RN / "index.android.bundle.map").read_bytes())
    cached = View.from_memdb(view.dump_memdb())
    assert cached.is_bytecode_map and cached.has_function_maps
    assert cached.hermes_function_offsets == view.hermes_function_offsets
    for offset in range(0, 12_000, 7):
        a, b = view.lookup_bytecode(offset), cached.lookup_bytecode(offset)
        assert a == b
        if a is not None:
            assert cached.get_original_function_name(0, offset) == view.get_original_function_name(
                0, offset
            )
    # A symbolicator with a cache directory answers from it the second time.
    trace = (RN / "hermes.txt").read_text()
    first = Symbolicator(root=RN, cache_dir=tmp_path).symbolicate(trace)
    again = Symbolicator(root=RN, cache_dir=tmp_path).symbolicate(trace)
    assert [f.to_dict() for f in first] == [f.to_dict() for f in again]
    assert list(tmp_path.glob("*.memdb"))


def test_the_command_line_and_sentry_react_native_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["symbolicate", str(RN / "hermes.txt"), "--root", str(RN), "--json"]) == 0
    frames = json.loads(capsys.readouterr().out)["frames"]
    assert frames[0]["function"] == "lookup" and frames[0]["source"].endswith("/src/checkout.js")
    # @sentry/react-native sends the bytecode offset + 1 as colno.
    stack = parse_stacktrace((RN / "hermes.txt").read_text())
    event = {
        "exception": {
            "values": [
                {
                    "type": "Error",
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "app:///index.android.bundle",
                                "abs_path": "app:///index.android.bundle",
                                "lineno": f.line,
                                "colno": f.column,
                                "function": f.function,
                                "in_app": True,
                            }
                            for f in reversed(stack)
                            if f.file is not None
                        ]
                    },
                }
            ]
        }
    }
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(event) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["symbolicate-events", str(events), "--root", str(RN), "-o", str(out)]) == 0
    written = json.loads(out.read_text())["exception"]["values"][0]["stacktrace"]["frames"]
    with Symbolicator(root=RN) as sym:
        expected = [f for f in sym.resolve_all(stack) if f.minified and f.minified.file]
    # The map's sources are absolute paths: as URLs they take the frame's scheme (the
    # map's URL is app:///index.android.bundle.map), as Sentry's symbolicator writes them.
    assert all(f.source.startswith("/") for f in expected if f.error is None)
    assert [(f["abs_path"], f["lineno"], f["function"]) for f in reversed(written)] == [
        ("app://" + f.source, f.line, f.function if f.error is None else f.minified.function)
        if f.error is None
        else ("app:///index.android.bundle", f.minified.line, f.minified.function)
        for f in expected
    ]


def test_bad_function_maps_and_offsets() -> None:
    def bytecode_map(**fields: Any) -> bytes:
        doc = {
            "version": 3,
            "sources": ["a.js", "b.js"],
            "names": [],
            "mappings": "AAAA,IACC",
            "x_hermes_function_offsets": {"0": [0]},
            "x_facebook_sources": [[{"names": ["<global>", "f"], "mappings": "AAA,CCC"}], None],
        }
        doc.update(fields)
        return json.dumps(doc).encode()

    view = View.from_json(bytecode_map())
    assert view.get_original_function_name(0, 5) == "f"
    assert view.lookup_bytecode(2**31) is not None  # past the end: the last segment's line
    assert view.lookup_bytecode(3, line=7) is None  # no such line
    for broken in ["AAA;;A", "A", "AAF", "!!"]:
        bad = bytecode_map(x_facebook_sources=[[{"names": ["f"], "mappings": broken}]])
        assert View.from_json(bad).get_original_function_name(0, 5) is None  # lenient: no map
        with pytest.raises(InvalidSourceMap, match=r"x_facebook_sources\[0\]"):
            View.from_json(bad, strict=True)
    odd = View.from_json(bytecode_map(x_facebook_sources={"not": "a list"}))
    assert not odd.has_function_maps
    listed = View.from_json(bytecode_map(x_hermes_function_offsets=[1, 2]))
    with pytest.raises(InvalidSourceMap, match="x_hermes_function_offsets"):
        assert listed.hermes_function_offsets is None
    # A name index past the names: the function has no name, as metro-symbolicate says.
    past = View.from_json(
        bytecode_map(x_facebook_sources=[[{"names": ["f"], "mappings": "AAA,CCC"}]])
    )
    assert past.get_source_function_name(0, 0, 5) == "f"
    assert past.get_source_function_name(0, 1, 5) is None


def test_any_function_maps_read_cleanly() -> None:
    """Whatever `x_facebook_sources` holds, parsing and naming are clean: an error of
    the library's or an answer, never a crash (InternalError fails every test)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from libsourcemap import SourceMapError

    vlq_text = st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/;,!", max_size=30
    )
    leaf = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=5), vlq_text)
    function_map = st.fixed_dictionaries(
        {
            "names": st.lists(st.one_of(st.text(max_size=4), st.integers()), max_size=4),
            "mappings": leaf,
        }
    )
    value = st.recursive(
        st.one_of(leaf, function_map), lambda inner: st.lists(inner, max_size=3), max_leaves=8
    )

    @settings(max_examples=300, deadline=None)
    @given(value, st.booleans(), st.integers(0, 5), st.integers(0, 2**32 - 1))
    def check(sources: Any, strict: bool, line: int, col: int) -> None:
        doc = {"version": 3, "sources": ["a.js", "b.js"], "names": [], "mappings": "AAAA,CACC;AACA",
               "x_facebook_sources": sources}  # fmt: skip
        try:
            view = View.from_json(json.dumps(doc).encode(), strict=strict)
        except SourceMapError:
            return
        for src_id in (0, 1, 2):
            view.get_source_function_name(src_id, line, col)
        view.get_original_function_name(0, col % 8)
        View.from_memdb(view.dump_memdb()).get_source_function_name(0, line, col)

    check()


def test_written_maps_keep_function_maps_and_offsets(
    tmp_path: Path, js_reference: Callable[..., Any]
) -> None:
    """``to_json`` (and so ``rewrite``) writes ``x_facebook_sources`` and
    ``x_hermes_function_offsets`` back: metro-symbolicate reads the written map as the
    original, offset by offset."""
    from libsourcemap import inject_debug_id, rewrite
    from libsourcemap.errors import InvalidArgument

    for name in ["index.android.bundle.map", "index.android.bundle.packager.map"]:
        original = RN / name
        view = View.from_json(original.read_bytes())
        written = tmp_path / name.replace("/", "_")
        written.write_bytes(rewrite(view, with_source_contents=False))
        again = View.from_json(written.read_bytes(), strict=True)
        assert again.hermes_function_offsets == view.hermes_function_offsets
        positions = [(t.dst_line + 1, t.dst_col) for t in view if t.src is not None]
        assert metro_answers(js_reference, written, positions) == metro_answers(
            js_reference, original, positions
        )
    with pytest.raises(InvalidArgument, match="React Native"):
        inject_debug_id(b"x", (RN / "index.android.bundle.map").read_bytes())
