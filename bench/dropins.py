"""The drop-ins against the packages they replace, on the same inputs, in one run:

    python bench/dropins.py [--rounds 5]

Cases, on the large benchmark build (bench/inputs/make_inputs.mjs: 14 MB map) and the
first 12 frames of a real V8 trace through it (bench/inputs/make_traces.mjs):

- GlitchTip's source map path: ``SourceMapView.from_json_bytes(map)``,
  ``SourceView.from_bytes(js)``, then ``view.lookup(line, col, function, source_view)``
  per frame (symbolic 13.9 against ``libsourcemap.compat.symbolic``);
- GlitchTip's newer path: ``SourceMapCache.from_bytes(js, map)`` and ``lookup(line, col,
  5)`` per frame, with context lines;
- Bugsink's: ``ecma426.loads(map)`` and ``lookup_left(line, col)`` per frame (ecma426 0.2.0
  against ``libsourcemap.compat.ecma426``).

Then GlitchTip's real calling pattern, per build from 118 KB of minified code (acorn) to
3.6 MB (the TypeScript compiler; its 14 MB map), 12 frames each: for every frame the
map is parsed, the minified file wrapped, the frame looked up with its name, its source
found among the map's and 5 context lines taken from that source's text (see
bench/dropins_child.py). The large build's frames are its trace's; the others' are 12
mapped positions with a name spread over the file, with the minified identifier there
as the function name.

Each measurement runs in its own process (bench/dropins_child.py) from reading the files:
"cold" is the first run in the process (imports excluded), "warm" the median of repeats
in the same process; "peak MB" the RSS growth through the first run, "kept MB" what the
objects keep alive once the caller has dropped the input bytes (borrowed input counts).
Rounds alternate the implementations; tables show medians. Written to
bench/dropins_results.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    DATA,
    alternate,
    child_json,
    ensure_inputs,
    ensure_traces,
    ensure_venv,
    fmt,
    fresh_venv,
    medians,
    write_result,
)

from libsourcemap import parse_stacktrace

CASES = [
    # (case, implementation, interpreter: None for this one)
    ("SourceMapView + SourceView, lookups with names", "symbolic", "fresh-symbolic"),
    ("SourceMapView + SourceView, lookups with names", "ours-symbolic", None),
    ("SourceMapCache, lookups with 5 context lines", "symbolic-cache", "fresh-symbolic"),
    ("SourceMapCache, lookups with 5 context lines", "ours-symbolic-cache", None),
    ("ecma426.loads, lookup_left", "ecma426", "ecma426"),
    ("ecma426.loads, lookup_left", "ours-ecma426", None),
]
FIGURES = ["cold_ms", "warm_ms", "peak_mb", "kept_mb"]
#: GlitchTip's frame loop per build: (build, minified file, map), smallest first.
GLITCHTIP_BUILDS = [
    ("small (acorn)", "small.min.js", "small.min.js.map"),
    ("medium (lodash-es)", "medium.min.js", "medium.min.js.map"),
    ("large, re-minified by terser", "large.reminified.js", "large.reminified.js.map"),
    ("large (typescript)", "large.min.js", "large.min.js.map"),
]


def ensure_venvs() -> dict[str, Path]:
    """The peers' interpreters (bench/venvs/, not committed), by environment."""
    return {
        "fresh-symbolic": fresh_venv("symbolic"),
        "ecma426": ensure_venv("ecma426", ["ecma426==0.2.0"]),
    }


def frames_case(work: Path) -> Path:
    """The first 12 frames of the trace that are in the bundle: 1-based line and column
    and the minified function name, as an error tracker receives them."""
    minified = DATA / "large.min.js"
    trace = (DATA / "large.typescript.trace.txt").read_text()
    frames = [
        [f.line, f.column, (f.function or "").rsplit(".", 1)[-1] or None]
        for f in parse_stacktrace(trace)
        if f.file and f.file.endswith("/large.min.js") and f.line and f.column
    ][:12]
    case = {"map": str(DATA / "large.min.js.map"), "minified": str(minified), "frames": frames}
    path = work / "case.json"
    path.write_text(json.dumps(case))
    return path


def spread_frames(minified: Path, map_path: Path, count: int = 12) -> list[list[Any]]:
    """``count`` mapped positions that carry a name, spread over the build: 1-based line
    and column, and the minified identifier written there as the frame's function."""
    from libsourcemap import View

    view = View.from_json(map_path.read_bytes())
    lines = minified.read_text("utf-8", "replace").split("\n")
    named = [t for t in view if t.name is not None and t.src is not None]
    frames = []
    for token in named[:: max(1, len(named) // count)][:count]:
        word = re.match(r"[A-Za-z_$][\w$]*", lines[token.dst_line][token.dst_col :])
        frames.append([token.dst_line + 1, token.dst_col + 1, word and word.group()])
    return frames


def glitchtip_cases(work: Path) -> list[tuple[str, Path]]:
    """A case file per build of ``GLITCHTIP_BUILDS``."""
    out = []
    large = json.loads(frames_case(work).read_text())["frames"]
    for build, js, map_name in GLITCHTIP_BUILDS:
        frames = large if js == "large.min.js" else spread_frames(DATA / js, DATA / map_name)
        case = {"map": str(DATA / map_name), "minified": str(DATA / js), "frames": frames}
        path = work / f"glitchtip-{js}.json"
        path.write_text(json.dumps(case))
        out.append((build, path))
    return out


def measure(python: Path, impl: str, case: Path, repeats: int) -> dict[str, Any]:
    command = [python, BENCH / "dropins_child.py", impl, case, str(repeats)]
    # From a directory without our package: the peers' environments import their own.
    return child_json(command, cwd="/")


def times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:.0f}×"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_inputs(["small", "medium", "large"])
    ensure_traces()
    pythons = ensure_venvs()
    out = [
        "# The drop-ins against the packages they replace",
        "",
        f"`python bench/dropins.py --rounds {args.rounds}` (medians; each measurement in its "
        "own process; the 14 MB large build, 12 frames of a real trace)",
        "",
        "| case | implementation | cold ms | warm ms | peak MB | kept MB | answers |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        case = frames_case(Path(tmp))
        cases = {
            impl: partial(measure, pythons[venv] if venv else Path(sys.executable), impl, case, 5)
            for _, impl, venv in CASES
        }
        builds = glitchtip_cases(Path(tmp))
        for build, build_case in builds:
            for impl, python in (
                ("glitchtip", pythons["fresh-symbolic"]),
                ("ours-glitchtip", Path(sys.executable)),
            ):
                cases[f"{impl} {build}"] = partial(measure, python, impl, build_case, 5)
        samples = alternate(args.rounds, cases)
    rows: dict[str, dict[str, Any]] = {}
    for name, impl, _ in CASES:
        runs = samples[impl]
        row = medians(runs, FIGURES)
        row["answers"] = runs[0]["answers"]
        rows[impl] = row
        peer = rows.get(impl.replace("ours-", "")) if impl.startswith("ours-") else None
        same = (
            ""
            if peer is None
            else ("same as the peer's" if row["answers"] == peer["answers"] else "DIFFERENT")
        )
        out.append(
            f"| {name} | {impl} | {fmt(row['cold_ms'])} | {fmt(row['warm_ms'])} | "
            f"{fmt(row['peak_mb'])} | {fmt(row['kept_mb'])} | {same} |"
        )
        if peer is not None:
            ratio = {k: peer[k] / row[k] if row[k] > 0 else float("inf") for k in FIGURES}
            out.append(
                f"| {name} | **peer / ours** | **{times(ratio['cold_ms'])}** | "
                f"**{times(ratio['warm_ms'])}** | {times(ratio['peak_mb'])} | "
                f"{times(ratio['kept_mb'])} | |"
            )
    out += [
        "",
        "GlitchTip's frame loop (a parse per frame; 12 frames), symbolic 13.9 against "
        "`libsourcemap.compat.symbolic`:",
        "",
        "| build | symbolic cold ms | ours cold ms | symbolic warm ms | ours warm ms | "
        "peer / ours cold | peer / ours warm | answers |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for build, _ in builds:
        peer = medians(samples[f"glitchtip {build}"], FIGURES)
        ours = medians(samples[f"ours-glitchtip {build}"], FIGURES)
        same = (
            samples[f"glitchtip {build}"][0]["answers"]
            == samples[f"ours-glitchtip {build}"][0]["answers"]
        )
        out.append(
            f"| {build} | {fmt(peer['cold_ms'])} | {fmt(ours['cold_ms'])} | "
            f"{fmt(peer['warm_ms'])} | {fmt(ours['warm_ms'])} | "
            f"**{times(peer['cold_ms'] / ours['cold_ms'])}** | "
            f"**{times(peer['warm_ms'] / ours['warm_ms'])}** | "
            f"{'same' if same else 'DIFFERENT'} |"
        )
    print(write_result("dropins_results.md", out))


if __name__ == "__main__":
    main()
