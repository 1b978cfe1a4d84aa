"""Writing maps, against the JavaScript writers, on the same inputs, in one run:

    python bench/writing.py [--rounds 7] [--processes 5]

- ``to_json`` of the large benchmark map (bench/inputs/make_inputs.mjs: 14 MB, esbuild
  over the TypeScript compiler) from a parsed view, next to parsing the same map, and the
  JavaScript writers writing the map they hold: ``@jridgewell/gen-mapping``
  (``toEncodedMap`` + ``JSON.stringify``) and mozilla ``source-map`` 0.7
  (``SourceMapGenerator.toString``). Also ``to_json(with_names=False)``, which has to
  encode the segments anew.
- ``remap`` of that bundle minified again by terser (bench/inputs/reminify.mjs) through
  esbuild's map, from the two maps' text to the composed map's text, against
  ``@jridgewell/remapping`` doing the same.
- ``concat`` of 8 to 64 copies of the medium build (a 0.9 MB map each) from their text:
  time per MB of maps, which is flat if concatenation is linear.

Each case runs in ``--processes`` fresh processes (ours: ``python bench/writing.py
--child``; theirs: bench/inputs/writing.mjs): "cold" is the median of their first runs,
"warm" the median of their medians of the rounds after it. A first run here sometimes
takes 20-60 ms more, when fresh memory is first touched (see docs/design.md): one cold
sample would report that stall as the cost. Imports are outside the timings. Written to
bench/writing_results.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness import BENCH, DATA, child_json, cold_and_warm, ensure_inputs, medians, write_result

INPUTS = BENCH / "inputs"
LARGE = DATA / "large.min.js.map"
REMINIFIED = DATA / "large.reminified.js"
CONCAT_COUNTS = [8, 16, 32, 64]


def child(case: str, rounds: int) -> dict[str, Any]:
    """Our side of a case, in this (fresh) process."""
    import libsourcemap

    if case == "tojson":
        data = LARGE.read_bytes()
        parse = cold_and_warm(rounds, lambda: libsourcemap.View.from_json(data))
        view = libsourcemap.View.from_json(data)
        return {
            "parse": parse,
            "to_json": cold_and_warm(rounds, view.to_json),
            "to_json without names": cold_and_warm(rounds, lambda: view.to_json(with_names=False)),
        }
    if case == "remap":
        outer = Path(str(REMINIFIED) + ".map").read_bytes()
        inner = {"large.min.js": LARGE.read_bytes()}
        return {
            "remap": cold_and_warm(rounds, lambda: libsourcemap.remap(outer, inner.get).to_json())
        }
    if case == "concat":
        code = (DATA / "medium.min.js").read_bytes()
        data = (DATA / "medium.min.js.map").read_bytes()
        results = {}
        for count in CONCAT_COUNTS:
            parts = [(code, data, f"part{i}.js") for i in range(count)]
            result = cold_and_warm(
                rounds, lambda parts=parts: libsourcemap.concat(parts)[1].to_json()
            )
            results[str(count)] = {**result, "mb": count * len(data) / 1e6}
        return results
    raise SystemExit(f"unknown case {case}")


def run_ours(case: str, rounds: int, processes: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", case, "--rounds", str(rounds)]
    return medians([child_json(command) for _ in range(processes)])


def run_node(args: list[str], processes: int) -> dict[str, Any]:
    command = ["node", "writing.mjs", *args]
    return medians([child_json(command, cwd=INPUTS) for _ in range(processes)])


def ensure_reminified() -> None:
    if not Path(str(REMINIFIED) + ".map").exists():
        subprocess.run(
            ["node", "reminify.mjs", str(DATA / "large.min.js"), str(REMINIFIED)],
            cwd=INPUTS,
            check=True,
        )


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rounds)))
        return
    ensure_inputs(["large", "medium"])
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=INPUTS, check=True)
    ensure_reminified()
    rounds, processes = str(args.rounds), args.processes
    tojson = {
        **run_ours("tojson", args.rounds, processes),
        **run_node(["tojson", str(LARGE), rounds], processes),
    }
    remap_args = ["remap", str(REMINIFIED) + ".map", str(LARGE), "large.min.js", rounds]
    remap = {
        **run_ours("remap", args.rounds, processes),
        **run_node(remap_args, processes),
    }
    concat = run_ours("concat", args.rounds, processes)

    out = [
        "# Writing maps: libsourcemap against the JavaScript writers",
        "",
        f"`python bench/writing.py --rounds {args.rounds} --processes {processes}` (each "
        f"case in {processes} fresh processes; cold = median of their first runs, warm = "
        "median of their medians of the rounds after it; milliseconds).",
        "",
        f"## to_json: the large map ({LARGE.stat().st_size / 1e6:.1f} MB, esbuild over "
        "the TypeScript compiler)",
        "",
        "| | cold ms | warm ms | gen-mapping / this (warm) |",
        "|---|---:|---:|---:|",
    ]
    base = tojson["gen-mapping"]["warm"]
    for name in ["to_json", "to_json without names", "parse", "gen-mapping", "source-map"]:
        row = tojson[name]
        label = {
            "to_json": "libsourcemap `to_json()`",
            "to_json without names": "libsourcemap `to_json(with_names=False)` (encodes)",
            "parse": "libsourcemap `View.from_json` (parse, for scale)",
            "gen-mapping": "@jridgewell/gen-mapping `toEncodedMap` + stringify",
            "source-map": "mozilla source-map 0.7 `SourceMapGenerator.toString`",
        }[name]
        ratio = f"{base / row['warm']:.1f}×"
        out.append(f"| {label} | {ms(row['cold'])} | {ms(row['warm'])} | {ratio} |")
    outer_mb = Path(str(REMINIFIED) + ".map").stat().st_size / 1e6
    out += [
        "",
        f"## remap: the large bundle minified again by terser ({outer_mb:.1f} MB map) "
        f"through esbuild's ({LARGE.stat().st_size / 1e6:.1f} MB), text to text",
        "",
        "| | cold ms | warm ms | remapping / this (warm) |",
        "|---|---:|---:|---:|",
    ]
    base = remap["remapping"]["warm"]
    for name, label in [
        ("remap", "libsourcemap `remap(...).to_json()`"),
        ("remapping", "@jridgewell/remapping `remapping(...).toString()`"),
    ]:
        row = remap[name]
        ratio = f"{base / row['warm']:.1f}×"
        out.append(f"| {label} | {ms(row['cold'])} | {ms(row['warm'])} | {ratio} |")
    out += [
        "",
        "## concat: copies of the medium build (0.9 MB map each), from their text",
        "",
        "| parts | MB of maps | warm ms | ms per MB |",
        "|---:|---:|---:|---:|",
    ]
    for count, row in concat.items():
        per_mb = row["warm"] / row["mb"]
        out.append(f"| {count} | {row['mb']:.1f} | {ms(row['warm'])} | {per_mb:.2f} |")
    print(write_result("writing_results.md", out))


if __name__ == "__main__":
    main()
