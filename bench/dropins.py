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
    ensure_inputs(["large"])
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
    print(write_result("dropins_results.md", out))


if __name__ == "__main__":
    main()
