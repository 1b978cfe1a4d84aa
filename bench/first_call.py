"""The first call against the second, and the cost of a frame, from a cache:

    (cd bench/inputs && npm install && node make_inputs.mjs && node make_traces.mjs)  # once
    python bench/first_call.py [--rounds 5]

Input: the large build (TypeScript compiler, 14.3 MB map) and its real 200-frame V8 trace
(bench/inputs/make_traces.mjs), cut to 50 frames too. A memdb cache is written once; then
every measurement runs in a new process of a fresh virtualenv (bench/venvs/fresh-*, as
bench/import_time.py makes them: nothing imported at start-up), so "first" really is the
first call in a process, imports included, and the import of the package is timed apart:

view      ``View.from_memdb_file`` + ``resolve_frames`` of the trace's frames (5 context
          lines), first call and second call in one process
per frame ``resolve_frame`` one frame at a time over the trace (warm; µs a frame), and
          symbolic's ``SourceMapCache.lookup(line, col, 5)`` the same way, from a
          ``SourceMapCache`` built beforehand in its process (its cache, warm)
trace set ``Symbolicator(root, cache_dir).symbolicate(text)``: the whole user path (parse
          the trace, find the file, open the cache, resolve, context lines), first and
          second call in one process

Medians over rounds; written to bench/first_call_results.md.
"""

from __future__ import annotations

import argparse
import tempfile
from functools import partial
from pathlib import Path
from typing import Callable

from harness import (
    BENCH,
    DATA,
    alternate,
    child_json,
    compile_ours,
    fresh_venv,
    medians,
    result_file,
    run_child,
)

TRACE = DATA / "large.typescript.trace.txt"

CHILD = r"""
import json, statistics, sys, time
T = time.perf_counter
mode, trace_path, cache_dir, memdb, count, root = sys.argv[1:7]
lines = open(trace_path).read().splitlines()
text = "\n".join(lines[: int(count) + 1]) + "\n"
t = T()
import libsourcemap
if mode == "set":
    from libsourcemap import Symbolicator  # the engine's modules: imports, timed apart
out = {"import_ms": (T() - t) * 1e3}
if mode == "view":
    frames = [f for f in libsourcemap.parse_stacktrace(text) if f.line is not None]
    positions = [(f.line, f.column, f.function) for f in frames]
    def call():
        t = T()
        view = libsourcemap.View.from_memdb_file(memdb)
        view.resolve_frames(positions)
        return (T() - t) * 1e3
    out["frames"] = len(positions)
else:
    def call():
        t = T()
        with libsourcemap.Symbolicator(root=root, cache_dir=cache_dir) as symbolicator:
            symbolicator.symbolicate(text)
        return (T() - t) * 1e3
out["first_ms"] = call()
out["second_ms"] = call()
out["warm_ms"] = statistics.median(call() for _ in range(10))
if mode == "view":
    view = libsourcemap.View.from_memdb_file(memdb)
    per = []
    for _ in range(5):
        t = T()
        for line, col, function in positions:
            view.resolve_frame(line, col, function)
        per.append((T() - t) / len(positions) * 1e6)
    out["per_frame_us"] = statistics.median(per)
print(json.dumps(out))
"""

SYMBOLIC = r"""
import json, statistics, sys, time
T = time.perf_counter
from symbolic.sourcemapcache import SourceMapCache
lines = open(sys.argv[1]).read().splitlines()
import re
frame = re.compile(r"large\.min\.js:(\d+):(\d+)")
positions = [tuple(map(int, m.groups())) for m in map(frame.search, lines) if m]
cache = SourceMapCache.from_bytes(open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read())
per = []
for _ in range(5):
    t = T()
    for line, col in positions:
        cache.lookup(line, col, 5)
    per.append((T() - t) / len(positions) * 1e6)
print(json.dumps({"per_frame_us": statistics.median(per), "frames": len(positions)}))
"""


def run(python: Path, code: str, *args: str) -> dict[str, float]:
    return child_json([python, "-c", code, *args], cwd=BENCH)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not TRACE.exists():
        raise SystemExit(f"{TRACE} is missing: see this script's docstring")
    compile_ours()
    ours = fresh_venv("ours")
    symbolic = fresh_venv("symbolic")
    with tempfile.TemporaryDirectory() as cache_dir:
        # One symbolication writes the cache; its memdb is what the view rows open.
        write = "import sys, libsourcemap as l; l.symbolicate(open(sys.argv[1]).read(), "
        write += "root=sys.argv[2], cache_dir=sys.argv[3])"
        run_child([ours, "-c", write, TRACE, DATA, cache_dir]).check()
        memdb = str(next(Path(cache_dir).glob("*.memdb")))
        cases: dict[object, Callable[[], dict[str, float]]] = {
            (mode, count): partial(
                run, ours, CHILD, mode, str(TRACE), cache_dir, memdb, str(count), str(DATA)
            )
            for count in (200, 50)
            for mode in ("view", "set")
        }
        minified = DATA / "large.min.js"
        cases["symbolic"] = partial(
            run, symbolic, SYMBOLIC, str(TRACE), str(minified), f"{minified}.map"
        )
        samples = alternate(args.rounds, cases)
    theirs = medians(samples.pop("symbolic"))
    rows = {case: medians(results) for case, results in samples.items()}

    print(f"large build (14.3 MB map), memdb cache; medians of {args.rounds} processes each")
    print("view: View.from_memdb_file + resolve_frames; set: Symbolicator(root, cache_dir)")
    print("import: `import libsourcemap`, and for set `from libsourcemap import Symbolicator`")
    print("first: the first call in a new process (imports apart); second: the next call\n")
    print(
        f"{'case':12} {'import ms':>9} {'first ms':>9} {'second ms':>10} {'warm ms':>8} "
        f"{'first/second':>13}"
    )
    for (mode, count), row in rows.items():
        first, second = row["first_ms"], row["second_ms"]
        print(
            f"{mode + ' ' + str(count) + ' fr':12} {row['import_ms']:9.2f} "
            f"{first:9.2f} {second:10.2f} {row['warm_ms']:8.2f} "
            f"{first / second:12.2f}x"
        )
    ours_frame = rows[("view", 200)]["per_frame_us"]
    theirs_frame = theirs["per_frame_us"]
    print("\nresolve_frame one frame at a time, 5 context lines, warm, 199 frames:")
    print(f"  ours (View.resolve_frame)             {ours_frame:8.2f} µs a frame")
    print(
        f"  symbolic (SourceMapCache.lookup)      {theirs_frame:8.2f} µs a frame "
        f"({theirs_frame / ours_frame:.1f}x ours)"
    )


if __name__ == "__main__":
    with result_file("first_call_results.md", "First call, second call, and a frame, from a cache"):
        main()
