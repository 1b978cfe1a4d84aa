"""ProGuard mappings: ours against libsourcemap 0.8.2 and symbolic, in one run.

    python bench/proguard_bench.py [--rounds 3]

Inputs (bench/data/proguard/, made on first use; needs java and mvn):
- real.txt: ProGuard 7.6.1's mapping of its own jars and dependencies (~5 MB, with
  inline ranges; bench/proguard/make_mapping.sh).
- x20.txt: real.txt 20 times with every class renamed per copy (~100 MB): the size of the
  largest Android apps' mappings, with real line structure.

Each measurement runs in its own process; rounds alternate the implementations; medians.
Columns: parse ms (open the file and build the mapper), peak RSS increase MB (VmHWM, file
pages a mapping touched included), anonymous MB kept (what the process owns: heap, copies;
not the page cache of a memory-mapped file), and µs per
query over up to 2,000 real (class, method, line) frames (at most 3 s of them): `lookup`
(0.8.2's API: 0.8.2 and ours) and `remap_frame` (all original frames: symbolic and ours).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable

from harness import (
    BENCH,
    alternate,
    child_json,
    ensure_anchors,
    medians,
    peak_mb,
    reset_peak,
    write_result,
)

DATA = BENCH / "data" / "proguard"
IMPLS = ["ours", "libsourcemap-0.8.2", "symbolic"]
COPIES = 20
QUERIES = 2000
TIME_BUDGET = 3.0
MEMBER = re.compile(r"^\s+(\d+):(\d+):\S+ [^\s(]+\([^)]*\)\S* -> (\S+)$")


def ensure_inputs() -> dict[str, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    real, big = DATA / "real.txt", DATA / f"x{COPIES}.txt"
    if not real.exists():
        subprocess.run(["bash", str(BENCH / "proguard" / "make_mapping.sh"), str(real)], check=True)
    if not big.exists():
        text = real.read_text()
        with big.open("w") as out:
            for copy in range(COPIES):
                # Class lines are the unindented ones: `original -> obfuscated:`.
                out.write(
                    re.sub(r"^(\S+) -> (\S+):$", rf"c{copy}.\1 -> o{copy}.\2:", text, flags=re.M)
                )
    return {"real": real, f"x{COPIES}": big}


def queries_for(mapping: Path) -> list[tuple[str, str, int]]:
    """Real frames: a class, one of its obfuscated methods, a line inside its range."""
    frames, cls = [], ""
    with mapping.open() as lines:
        for line in lines:
            if not line.startswith(" ") and line.rstrip().endswith(":"):
                cls = line.rstrip()[:-1].split(" -> ")[1]
                continue
            match = MEMBER.match(line)
            if match and cls:
                start, end = int(match.group(1)), int(match.group(2))
                frames.append((cls, match.group(3), (start + end) // 2))
    random.Random(7).shuffle(frames)
    return frames[:QUERIES]


def per_call_us(call: Callable[[Any], object], queries: list[Any]) -> float:
    """µs per call over the queries, stopping after TIME_BUDGET seconds (0.8.2 takes
    ~0.4 s per lookup on the 100 MB mapping: 2,000 of them would take 15 minutes)."""
    start = time.perf_counter()
    done = 0
    for query in queries:
        call(query)
        done += 1
        if time.perf_counter() - start > TIME_BUDGET:
            break
    return (time.perf_counter() - start) / done * 1e6


def private_mb() -> float:
    """Anonymous memory (smaps_rollup `Anonymous`), in MB: what the process owns (heap,
    copies of the input). A memory-mapped file's pages are page cache: shared with every
    process that maps the file and dropped by the kernel under pressure, so not counted;
    smaps' Private_* fields would count them while no other process maps the file."""
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith("Anonymous:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no Anonymous in /proc/self/smaps_rollup")


def child(impl: str, mapping: str, queries_file: str) -> None:
    queries = [tuple(q) for q in json.loads(Path(queries_file).read_text())]
    reset_peak()
    before, private_before = peak_mb(), private_mb()
    start = time.perf_counter()
    if impl == "symbolic":
        from symbolic.proguard import ProguardMapper

        mapper = ProguardMapper.open(mapping)
    else:
        from libsourcemap import ProguardView

        mapper = ProguardView.from_path(mapping)
    parse_ms = (time.perf_counter() - start) * 1000
    result: dict[str, float | None] = {"parse_ms": parse_ms, "lookup_us": None, "remap_us": None}
    if impl != "symbolic":
        paths = [(f"{c}:{m}", line) for c, m, line in queries]
        result["lookup_us"] = per_call_us(lambda q: mapper.lookup(*q), paths)
    if impl != "libsourcemap-0.8.2":
        result["remap_us"] = per_call_us(lambda q: mapper.remap_frame(*q), queries)
    # Peak RSS counts the mapping's file pages a memory-mapped view touched (page cache);
    # anonymous memory is what the process itself holds, and keeps.
    result["rss_mb"] = peak_mb() - before
    result["private_mb"] = private_mb() - private_before
    print(json.dumps(result))


def measure(python: Path, impl: str, mapping: Path, queries_file: Path) -> dict[str, Any]:
    command = [python, __file__, "--child", impl, mapping, queries_file]
    # From a directory without our package: the anchors import their own libsourcemap. The
    # environment as it is, not CHILD_ENV: the parse figure includes importing the mapper,
    # and the committed figures were taken so.
    return child_json(command, env=None, cwd="/")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("IMPL", "MAPPING", "QUERIES"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    anchors = ensure_anchors()
    pythons = {"ours": Path(sys.executable), "libsourcemap-0.8.2": anchors, "symbolic": anchors}
    metrics = [
        ("parse_ms", "parse ms"),
        ("rss_mb", "peak RSS MB"),
        ("private_mb", "anonymous MB kept"),
        ("lookup_us", "lookup µs"),
        ("remap_us", "remap_frame µs"),
    ]
    rows = []
    for name, mapping in ensure_inputs().items():
        queries_file = DATA / f"{name}.queries.json"
        queries_file.write_text(json.dumps(queries_for(mapping)))
        cases = {
            impl: partial(measure, pythons[impl], impl, mapping, queries_file) for impl in IMPLS
        }
        samples = alternate(args.rounds, cases)
        size = mapping.stat().st_size / 1e6
        for impl in IMPLS:
            figures = medians(samples[impl], [key for key, _ in metrics])
            rows.append((f"{name} ({size:.0f} MB)", impl, figures))
    header = "| mapping | implementation | " + " | ".join(label for _, label in metrics) + " |"
    lines = [header, "|" + "---|" * (len(metrics) + 2)]
    for mapping_name, impl, figures in rows:
        cells = ["-" if figures[k] is None else f"{figures[k]:.1f}" for k, _ in metrics]
        lines.append(f"| {mapping_name} | {impl} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    write_result("proguard_results.md", lines)


if __name__ == "__main__":
    main()
