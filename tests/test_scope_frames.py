"""Frames named, and inlined calls expanded, from a map's ``scopes`` (ECMA-426's scopes
proposal), against real V8 traces.

- SWC's builds of the stack-trace corpus (tests/fixtures/generate-stacks.mjs: the esbuild
  bundle of real libraries, minified by SWC 1.16.22 with scopes, mangled and not): every
  frame resolves to the frame node reports running the bundle SWC read. Mangled, SWC
  writes the mangled names into the original scopes (``t`` for ``inner``): the names
  are checked against the original source and not used.
- An inlined call (tests/fixtures/scopes/inlined/generate.mjs: SWC's compressor inlines
  three functions; the generated ranges and call sites are written by the script, SWC
  writes none): two minified frames expand into the five frames of the original program.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import FIXTURES
from test_stacks import in_corpus, load, own_name, score

from libsourcemap import View

STACKS = FIXTURES / "stacks"
INLINED = FIXTURES / "scopes" / "inlined"


def swc_view(build: str, contents: bool = True) -> View:
    doc = json.loads((STACKS / "dist" / f"{build}.min.mjs.map").read_bytes())
    assert doc["scopes"], "SWC wrote scopes"
    if not contents:
        del doc["sourcesContent"]
    return View.from_json(json.dumps(doc))


@pytest.mark.parametrize("build", ["swc", "swc-names"])
def test_swc_builds_resolve_to_the_frames_of_the_program_swc_read(build: str) -> None:
    result = score(build, swc_view(build), original="swc-original")
    minified = sum(in_corpus(s) for sites in load(build).values() for s in sites)
    assert result.as_reference == minified == result.positions == result.frames, result.misses
    assert result.names == result.positions, result.misses


def test_names_from_scopes_need_no_source() -> None:
    """Without ``sourcesContent`` nothing can be parsed: the unmangled build's names come
    from its scopes alone, right wherever the scopes name the function (its methods and
    function expressions are unnamed there)."""
    view = swc_view("swc-names", contents=False)
    named = 0
    for scenario, sites in load("swc-names").items():
        expected = [s for s in load("swc-original")[scenario] if in_corpus(s)]
        for site, original in zip(filter(in_corpus, sites), expected):
            frame = view.resolve_frame(site["line"], site["column"])
            assert frame is not None
            if frame.function is not None:
                named += 1
                assert own_name(frame.function) == own_name(original["function"]), site
    assert named >= 20


def test_mangled_scope_names_are_not_trusted() -> None:
    """The mangled build's scopes name functions by their mangled names. Without the
    original source nothing contradicts them, and they are what the frames get; with it,
    each is checked where its scope starts, refused, and the source names the frame."""
    blind, checked = swc_view("swc", contents=False), swc_view("swc")
    mangled = 0
    for scenario, sites in load("swc").items():
        expected = [s for s in load("swc-original")[scenario] if in_corpus(s)]
        for site, original in zip(filter(in_corpus, sites), expected):
            guess = blind.resolve_frame(site["line"], site["column"])
            frame = checked.resolve_frame(site["line"], site["column"])
            assert guess is not None and frame is not None
            assert own_name(frame.function) == own_name(original["function"])
            if guess.function is not None and own_name(guess.function) != own_name(
                original["function"]
            ):
                mangled += 1
                assert len(guess.function) <= 2, guess.function  # SWC's mangled names
    assert mangled >= 10


def traces() -> dict[str, list[dict[str, Any]]]:
    return json.loads((INLINED / "traces.json").read_text())  # type: ignore[no-any-return]


def test_inlined_calls_expand_into_the_original_frames() -> None:
    view = View.from_json((INLINED / "output.js.map").read_bytes())
    original = traces()["original"]
    expanded = []
    for site in traces()["minified"]:
        frame = view.resolve_frame(site["line"], site["column"])
        assert frame is not None
        expanded += frame.expanded()
    assert len(original) == len(expanded) == 5
    assert [f.function for f in expanded] == [o["function"] for o in original]
    # The top frame is where the mappings put it (SWC maps the compressed `throw Error`
    # to `Error`, where V8 reports the `new` before it); every caller is at its call site.
    top = view.lookup_token(
        traces()["minified"][0]["line"] - 1, traces()["minified"][0]["column"] - 1
    )
    assert top is not None and (expanded[0].line, expanded[0].column) == (
        top.src_line + 1,
        top.src_col + 1,
    )
    assert expanded[0].line == original[0]["line"]
    assert [(f.line, f.column) for f in expanded[1:]] == [
        (o["line"], o["column"]) for o in original[1:]
    ]
    assert all(f.source == "input.js" and f.context_line for f in expanded)
    assert expanded[1].context_line.strip() == "const v = inner(y * 2);"


def test_callers_in_a_memdb_and_in_batches() -> None:
    """The scopes survive a memdb round trip, and a batch call expands as one call."""
    view = View.from_json((INLINED / "output.js.map").read_bytes())
    cached = View.from_memdb(view.dump_memdb())
    sites = [(s["line"], s["column"]) for s in traces()["minified"]]
    frames = cached.resolve_frames(sites)
    assert [len(f.inlined_callers) for f in frames if f] == [2, 1]
    assert frames == view.resolve_frames(sites)


def test_symbolicator_text_and_events_show_the_inlined_callers(tmp_path: Any) -> None:
    """A trace through a Symbolicator, the command line and an event: the callers follow
    their frame (newest first in a trace; oldest first in an event), located alike."""
    import shutil
    import subprocess
    import sys

    from libsourcemap import Symbolicator
    from libsourcemap.events import symbolicate_event

    for name in ("output.js", "output.js.map"):
        shutil.copy(INLINED / name, tmp_path / name)
    url = "http://example.com/output.js"
    sites = traces()["minified"]
    trace = "Error: boom 6\n" + "".join(f"    at {url}:{s['line']}:{s['column']}\n" for s in sites)
    want = [(o["function"], o["line"], o["column"]) for o in traces()["original"]]
    with Symbolicator(root=tmp_path) as symbolicator:
        frames = symbolicator.symbolicate(trace)
        shown = [f for frame in frames for f in frame.expanded()]
        assert [(f.function, f.line) for f in shown] == [(w[0], w[1]) for w in want]
        assert {f.abs_path for f in shown} == {"http://example.com/input.js"}
        assert all(f.sourcemap == "http://example.com/output.js.map" for f in shown)
        event = {
            "exception": {
                "values": [
                    {
                        "stacktrace": {
                            "frames": [
                                {"abs_path": url, "lineno": s["line"], "colno": s["column"]}
                                for s in reversed(sites)
                            ]
                        }
                    }
                ]
            }
        }
        written = symbolicate_event(event, symbolicator)
    frames_out = written["exception"]["values"][0]["stacktrace"]["frames"]
    got = [(f["function"], f["lineno"]) for f in frames_out]
    assert got == [(w[0], w[1]) for w in reversed(want)]
    done = subprocess.run(
        [sys.executable, "-m", "libsourcemap", "symbolicate", "-", "--root", str(tmp_path)],
        input=trace.encode(),
        capture_output=True,
        check=True,
    )
    text = done.stdout.decode()
    assert text.count("[inlined]") == 3 and "at outer (input.js:11:13)" in text


def test_outlined_code_is_hidden() -> None:
    """A generated function the scopes mark hidden (outlined by a compiler): its frame is
    resolved but ``hidden``, and traces and events leave it out. The map is written by
    ``SourceMapBuilder`` from scopes made here: ``helper`` outlined from ``main``."""
    from libsourcemap import SourceMapBuilder, Symbolicator
    from libsourcemap.events import symbolicate_event
    from libsourcemap.scopes import GeneratedRange, OriginalScope, Position, ScopeInfo

    original = "function main() {\n  work();\n  more();\n}\n"
    main_scope = OriginalScope(Position(0, 0), Position(3, 1), "main", None, True, (), ())
    module = OriginalScope(Position(0, 0), Position(4, 0), None, None, False, (), (main_scope,))

    def generated(start: int, end: int, definition: int | None, hidden: bool) -> GeneratedRange:
        return GeneratedRange(
            Position(0, start), Position(0, end), definition, True, hidden, (), (), None, ()
        )

    # Generated: `function m(){w()}function h(){x()}`: m is main, h its outlined part.
    outer = GeneratedRange(
        Position(0, 0),
        Position(0, 40),
        0,
        False,
        False,
        (),
        (),
        None,
        (
            generated(0, 17, 1, False),
            generated(17, 34, None, True),
        ),
    )
    builder = SourceMapBuilder("out.js")
    src = builder.add_source("main.js", original)
    builder.add_mapping(0, 13, src, 1, 2)  # w() -> work()
    builder.add_mapping(0, 30, src, 2, 2)  # x() -> more()
    builder.set_scopes(ScopeInfo((module,), (outer,)))
    view = builder.build()
    shown, outlined = view.resolve_frames([(1, 14), (1, 31)])
    assert shown is not None and outlined is not None
    assert (shown.function, shown.hidden, shown.expanded()) == ("main", False, [shown])
    assert outlined.hidden and outlined.line == 3 and outlined.expanded() == []

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "out.js").write_text(
            "function m(){w()}function h(){x()}\n//# sourceMappingURL=out.js.map\n"
        )
        Path(tmp, "out.js.map").write_bytes(builder.to_json())
        url = "http://example.com/out.js"
        event = {
            "stacktrace": {
                "frames": [
                    {"abs_path": url, "lineno": 1, "colno": 14},
                    {"abs_path": url, "lineno": 1, "colno": 31},
                ]
            }
        }
        with Symbolicator(root=tmp) as symbolicator:
            written = symbolicate_event(event, symbolicator)
    assert [f["lineno"] for f in written["stacktrace"]["frames"]] == [2]
