"""The benchmark against the alternatives, in one run:

    python bench/run.py [--rounds 3] [--maps small,medium,large,huge]

Generates the inputs (npm + esbuild over real packages, bench/inputs/) and a virtualenv
with the alternatives (bench/venvs/anchors: libsourcemap 0.8.2, which shares our import
name, symbolic and sourcemap 0.2.1) on first use. Every measurement runs in its own process
(bench/child.py); rounds alternate the implementations; the table shows medians and the
ratio best alternative / ours (above 1: ours is better). Then the native comparison with
the Rust parsers (rust/examples/native_parsers.rs). Written to bench/results.md too.
Run it from an environment where this libsourcemap is installed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from harness import (
    BENCH,
    DATA,
    alternate,
    compile_ours,
    ensure_anchors,
    ensure_inputs,
    medians,
    run_child,
    write_result,
)

import libsourcemap

IMPLS = ["ours", "libsourcemap-0.8.2", "symbolic", "sourcemap-0.2.1"]
METRICS = [
    ("parse_ms", "parse ms"),
    ("lookup_us", "lookup µs"),
    ("batch_us", "batch µs/pos"),
    ("raw_batch_us", "raw batch µs/pos"),
    ("functions_ms", "function index ms"),
    ("rss_mb", "peak RSS MB"),
    ("kept_mb", "kept MB"),
    ("dump_ms", "memdb dump ms"),
    ("memdb_mb", "memdb MB"),
    ("open_ms", "open+lookup ms"),
]
POSITIONS = 20000


def positions_for(map_path: Path, out: Path) -> None:
    """Real token positions spread over the file, and the column after each one."""
    view = libsourcemap.View.from_json(map_path.read_bytes())
    step = max(1, len(view) // (POSITIONS // 2))
    picks = [view[i] for i in range(0, len(view), step)]
    positions = [(t.dst_line, t.dst_col + k) for t in picks for k in (0, 1)]
    out.write_text(json.dumps(positions))


def measure(python: Path, impl: str, map_path: Path, positions: Path, work: str) -> dict:
    child = run_child([python, BENCH / "child.py", impl, map_path, positions, work])
    result = child.result
    if child.returncode != 0:
        # 0.8.2 is known to crash on some real maps: a crash is a result, not an abort; the
        # phases measured before it are kept.
        phase = "memdb dump" if "lookup_us" in result else "parse or lookup"
        result["error"] = f"crashed in {phase} (exit {child.returncode})"
    return result


def native_comparison(maps: list[str]) -> str:
    """Our parser beside srcmap-sourcemap and rust-sourcemap, natively, same inputs, one
    run (rust/examples/native_parsers.rs; the crates are dev-dependencies)."""
    rust = BENCH.parent / "rust"
    build = ["cargo", "build", "--release", "--quiet", "--example", "native_parsers"]
    subprocess.run(build, cwd=rust, check=True)
    binary = rust / "target" / "release" / "examples" / "native_parsers"
    paths = [str(DATA / f"{m}.min.js.map") for m in maps]
    done = subprocess.run([str(binary), *paths], capture_output=True, text=True, check=True)
    command = "cargo run --release --example native_parsers -- MAPS"
    return f"`{command}` (input in memory; 7 rounds)\n\n{done.stdout}"


def fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--maps", default="small,medium,large,huge")
    args = parser.parse_args()
    maps = args.maps.split(",")
    ensure_inputs(maps)
    anchors = ensure_anchors()
    compile_ours()
    pythons = {impl: anchors for impl in IMPLS}
    pythons["ours"] = Path(sys.executable)

    lines = [
        "# Benchmark results",
        "",
        f"`python bench/run.py` ({args.rounds} rounds, medians)",
        "",
    ]
    with tempfile.TemporaryDirectory() as work:
        for name in maps:
            map_path = DATA / f"{name}.min.js.map"
            positions = Path(work) / f"{name}.positions.json"
            positions_for(map_path, positions)
            cases = {
                impl: partial(measure, pythons[impl], impl, map_path, positions, work)
                for impl in IMPLS
            }
            samples = alternate(args.rounds, cases)
            size_mb = map_path.stat().st_size / 1e6
            table = [f"## {name}: {size_mb:.1f} MB map", ""]
            table.append("| | " + " | ".join(label for _, label in METRICS) + " |")
            table.append("|---" * (len(METRICS) + 1) + "|")
            figures = {impl: medians(samples[impl], [key for key, _ in METRICS]) for impl in IMPLS}
            for impl in IMPLS:
                errors = {s["error"] for s in samples[impl] if "error" in s}
                note = f" (failed: {'; '.join(sorted(errors))})" if errors else ""
                table.append(
                    f"| {impl}{note} | "
                    + " | ".join(fmt(figures[impl][key]) for key, _ in METRICS)
                    + " |"
                )
            ratios = []
            for key, _ in METRICS:
                alternatives = [figures[i][key] for i in IMPLS[1:] if figures[i][key] is not None]
                ours = figures["ours"][key]
                ratios.append(f"{min(alternatives) / ours:.1f}x" if alternatives and ours else "–")
            table.append("| best alternative / ours | " + " | ".join(ratios) + " |")
            parse = figures["ours"]["parse_ms"]
            if parse is not None:
                table += ["", f"ours: {parse / size_mb:.2f} ms per MB of map"]
            table.append("")
            print("\n".join(table), flush=True)
            lines += table
    native = native_comparison([m for m in maps if m in ("large", "huge")] or maps)
    print(native, flush=True)
    lines += ["## Natively, beside the Rust parsers", "", native]
    write_result("results.md", lines)
    print(f"written to {BENCH / 'results.md'}")


if __name__ == "__main__":
    main()
