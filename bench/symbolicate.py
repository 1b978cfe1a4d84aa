"""Symbolicating real stack traces end to end, against the alternatives, in one run:

    python bench/symbolicate.py [--rounds 3]

Inputs: the benchmark bundles (bench/inputs/make_inputs.mjs: esbuild over the TypeScript
compiler alone, and over TypeScript, Babel and five more packages; and esbuild's bundle of
TypeScript minified by SWC with scopes, whose map names its functions), real V8 traces through
them (bench/inputs/make_traces.mjs: the TypeScript type checker and Babel's traversal
stopped at their deepest call, 200 frames), and the test suite's stack-trace corpus
(tests/fixtures/stacks: esbuild and terser bundles). The answer key is the same failure run
by node on the original, unbundled packages.

Every measurement runs in its own process (bench/symbolicate_child.py); rounds alternate
the implementations; tables show medians. "cold" is the first symbolication in a process
(from reading the files; the import is reported apart), "warm" the median of five repeats
in that process, each starting over from the files. ``ours-cache`` opens the memdb caches
an earlier, unmeasured run wrote (``Symbolicator(cache_dir=...)``). Names right: frames
whose original function name matches the original run's (see ``own_name``), out of the
frames in the bundle. Written to
bench/symbolicate_results.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness import (
    BENCH,
    DATA,
    ROOT,
    alternate,
    compile_ours,
    ensure_anchors,
    ensure_inputs,
    ensure_traces,
    fmt,
    medians,
    run_child,
    write_result,
)

from libsourcemap import parse_stacktrace

FIXTURES = ROOT / "tests" / "fixtures"
IMPLS = ["ours", "ours-cache", "symbolic", "sourcemap-0.8.2"]
TRACE_CASES = [
    # (name, bundle, scenario, frames kept)
    ("large: TypeScript checker", "large", "typescript", 200),
    ("large: TypeScript checker, 50 frames", "large", "typescript", 50),
    ("huge: TypeScript checker, 50 frames", "huge", "typescript", 50),
    ("huge: Babel traverse", "huge", "babel", 200),
    # SWC's build with scopes: names come from the map, nothing is parsed (the trace is
    # the same failure; the build keeps its names, so V8 prints them too).
    ("large-swc (scopes): TypeScript checker", "large-swc", "typescript", 200),
]


def own_name(name: str | None) -> str | None:
    """A function name as compared: its last dotted segment (V8 prints `Class.method`),
    without the `$N` a bundler appends to tell apart functions of the same name (node ran
    Babel's Rollup bundle, where `visit` is `visit$1`; the map leads to Babel's TypeScript
    sources, where it is `visit`)."""
    if not name:
        return None
    last = name.rsplit(".", 1)[-1]
    stem, dollar, suffix = last.rpartition("$")
    return stem if dollar and stem and suffix.isdigit() else last


def trace_case(name: str, bundle: str, scenario: str, keep: int, work: Path) -> dict[str, Any]:
    """A case from a make_traces.mjs trace: the first `keep` frames, and the answer key."""
    lines = (DATA / f"{bundle}.{scenario}.trace.txt").read_text().splitlines()
    trace = work / f"{bundle}.{scenario}.{keep}.txt"
    trace.write_text("\n".join(lines[: keep + 1]) + "\n")
    original = json.loads((DATA / f"{bundle}.{scenario}.original.json").read_text())
    frames = parse_stacktrace(trace.read_text())
    minified = DATA / f"{bundle}.min.js"
    truth: list[str | None] = []
    for i, frame in enumerate(frames):
        site = original[i] if i < len(original) else None
        in_bundle = frame.file is not None and frame.file.endswith(f"/{minified.name}")
        in_package = site is not None and "node_modules" in (site["file"] or "")
        scored = site is not None and in_bundle and in_package
        truth.append((own_name(site["function"]) or "") if scored else None)
    return {
        "name": name,
        "trace": str(trace),
        "root": str(DATA),
        "frames": [f._asdict() for f in frames],
        "files": {f.file: [str(minified), f"{minified}.map"] for f in frames if f.file},
        "truth": truth,
    }


def fixture_case(bundler: str, work: Path) -> dict[str, Any]:
    """A case from the test corpus: every failure's frames in the bundle, as a V8 trace,
    each frame paired with the original run's frame at the same depth (scenarios whose
    frame counts differ, where the bundler inlined a function, are left unscored)."""
    stacks = FIXTURES / "stacks"
    minified_runs = json.loads((stacks / f"{bundler}.json").read_text())
    original_runs = json.loads((stacks / "original.json").read_text())
    lines, truth = ["Error: the corpus"], []
    for scenario, sites in minified_runs.items():
        own = [s for s in sites or [] if s["file"] and not s["file"].startswith("node:")]
        originals = [
            s
            for s in original_runs.get(scenario) or []
            if s["file"] and not s["file"].startswith("node:")
        ]
        for i, site in enumerate(own):
            path = (FIXTURES / site["file"]).resolve()
            function = site["function"] or "<anonymous>"
            lines.append(f"    at {function} (file://{path}:{site['line']}:{site['column']})")
            paired = len(own) == len(originals)
            truth.append((own_name(originals[i]["function"]) or "") if paired else None)
    trace = work / f"fixtures-{bundler}.txt"
    trace.write_text("\n".join(lines) + "\n")
    frames = parse_stacktrace(trace.read_text())
    files = {}
    for f in frames:
        if f.file:
            path = Path(urlsplit(f.file).path)
            files[f.file] = [str(path), f"{path}.map"]
    return {
        "name": f"test corpus: {bundler}",
        "trace": str(trace),
        "root": str(stacks / "dist"),
        "frames": [f._asdict() for f in frames],
        "files": files,
        "truth": truth,
    }


def measure(python: Path, impl: str, case_path: Path) -> dict[str, Any]:
    child = run_child([python, BENCH / "symbolicate_child.py", impl, case_path])
    if child.returncode != 0:
        return {"error": f"exit {child.returncode}: {child.stderr.strip()[-300:]}"}
    return child.result


def names_right(case: dict[str, Any], names: list[str | None]) -> tuple[int, int]:
    scored = [(t, own_name(n) or "") for t, n in zip(case["truth"], names) if t is not None]
    return sum(t == n for t, n in scored), len(scored)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ensure_inputs(["large", "huge", "large-swc"])
    ensure_traces()
    anchors = ensure_anchors()
    compile_ours()
    pythons = {impl: anchors for impl in IMPLS}
    pythons["ours"] = pythons["ours-cache"] = Path(sys.executable)
    out = [
        "# Symbolication benchmark",
        "",
        f"`python bench/symbolicate.py --rounds {args.rounds}` (medians; each measurement "
        "in its own process; 5 context lines per frame)",
        "",
        "Names right are V8's names for the original run. `Symbolicator` names a frame V8 "
        "prints as anonymous after its call site, as Sentry's symbolicator does "
        "(docs/symbolication.md): those count as not right here.",
        "",
        "| case | implementation | cold ms | warm ms | names right | peak RSS MB | import ms |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cases = [trace_case(*spec, work) for spec in TRACE_CASES]
        cases += [fixture_case(bundler, work) for bundler in ("esbuild", "terser")]
        for number, case in enumerate(cases):
            case["cache_dir"] = str(work / f"cache-{number}")
            case_path = work / f"case-{number}.json"
            case_path.write_text(json.dumps(case))
            measure(pythons["ours-cache"], "ours-cache", case_path)  # writes the caches
            cases = {impl: partial(measure, pythons[impl], impl, case_path) for impl in IMPLS}
            samples = alternate(args.rounds, cases)
            figures: dict[str, dict[str, float]] = {}
            for impl in IMPLS:
                good = [s for s in samples[impl] if "error" not in s]
                if not good:
                    error = samples[impl][0]["error"]
                    out.append(f"| {case['name']} | {impl} | failed: {error} | | | | |")
                    continue
                figures[impl] = medians(good, ["cold_ms", "warm_ms", "rss_mb", "import_ms"])
                right, total = names_right(case, good[0]["names"])
                m = figures[impl]
                out.append(
                    f"| {case['name']} | {impl} | {fmt(m['cold_ms'])} | {fmt(m['warm_ms'])} "
                    f"| {right}/{total} | {fmt(m['rss_mb'])} | {fmt(m['import_ms'])} |"
                )
            if "symbolic" in figures and "ours" in figures:
                sym, ours = figures["symbolic"], figures["ours"]
                cache = figures.get("ours-cache", {})
                out.append(
                    f"| {case['name']} | **symbolic / ours** | "
                    f"**{sym['cold_ms'] / ours['cold_ms']:.1f}×** "
                    f"(cache: {sym['cold_ms'] / cache.get('cold_ms', float('nan')):.0f}×) | "
                    f"**{sym['warm_ms'] / ours['warm_ms']:.1f}×** | | "
                    f"{sym['rss_mb'] / ours['rss_mb']:.2f}× | |"
                )
            print("\n".join(out[-len(IMPLS) - 1 :]), flush=True)
    print(write_result("symbolicate_results.md", out))


if __name__ == "__main__":
    main()
