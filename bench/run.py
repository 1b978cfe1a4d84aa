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
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import libsourcemap

BENCH = Path(__file__).parent
DATA = BENCH / "data"
ANCHORS = BENCH / "venvs" / "anchors"
ANCHOR_PACKAGES = ["libsourcemap==0.8.2", "symbolic==13.9.0", "sourcemap==0.2.1"]
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


def ensure_inputs(maps: list[str]) -> None:
    if all((DATA / f"{m}.min.js.map").exists() for m in maps):
        return
    inputs = BENCH / "inputs"
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=inputs, check=True)
    subprocess.run(["node", "make_inputs.mjs", str(DATA)], cwd=inputs, check=True)


def ensure_anchors() -> Path:
    python = ANCHORS / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ANCHORS)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *ANCHOR_PACKAGES], check=True)
    return python


def positions_for(map_path: Path, out: Path) -> None:
    """Real token positions spread over the file, and the column after each one."""
    view = libsourcemap.View.from_json(map_path.read_bytes())
    step = max(1, len(view) // (POSITIONS // 2))
    picks = [view[i] for i in range(0, len(view), step)]
    positions = [(t.dst_line, t.dst_col + k) for t in picks for k in (0, 1)]
    out.write_text(json.dumps(positions))


# Children may write and use bytecode caches, as installed packages have them: compiling
# modules from source (PYTHONDONTWRITEBYTECODE) costs time and raises the peak RSS that the
# memory figures are measured against.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cold_and_warm(rounds: int, work: Callable[[], object]) -> dict[str, float]:
    """Milliseconds of `work`: its first run in this process ("cold") and the median of
    `rounds` runs after it ("warm")."""
    runs = []
    for _ in range(rounds + 1):
        start = time.perf_counter()
        work()
        runs.append((time.perf_counter() - start) * 1000)
    return {"cold": runs[0], "warm": statistics.median(runs[1:])}


def compile_ours() -> None:
    """Byte-compiles this checkout's package, as an install does (pip did the others')."""
    package = Path(libsourcemap.__file__ or "").parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=CHILD_ENV)


def measure(python: Path, impl: str, map_path: Path, positions: Path, work: str) -> dict:
    child = subprocess.run(
        [str(python), str(BENCH / "child.py"), impl, str(map_path), str(positions), work],
        capture_output=True,
        text=True,
        env=CHILD_ENV,
    )
    lines = child.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {}
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
            samples: dict[str, list[dict]] = {impl: [] for impl in IMPLS}
            for _ in range(args.rounds):
                for impl in IMPLS:  # alternate implementations within each round
                    samples[impl].append(measure(pythons[impl], impl, map_path, positions, work))
            size_mb = map_path.stat().st_size / 1e6
            table = [f"## {name}: {size_mb:.1f} MB map", ""]
            table.append("| | " + " | ".join(label for _, label in METRICS) + " |")
            table.append("|---" * (len(METRICS) + 1) + "|")
            medians: dict[str, dict[str, float | None]] = {}
            for impl in IMPLS:
                medians[impl] = {}
                for key, _ in METRICS:
                    values = [s[key] for s in samples[impl] if key in s]
                    medians[impl][key] = statistics.median(values) if values else None
                errors = {s["error"] for s in samples[impl] if "error" in s}
                note = f" (failed: {'; '.join(sorted(errors))})" if errors else ""
                table.append(
                    f"| {impl}{note} | "
                    + " | ".join(fmt(medians[impl][key]) for key, _ in METRICS)
                    + " |"
                )
            ratios = []
            for key, _ in METRICS:
                alternatives = [medians[i][key] for i in IMPLS[1:] if medians[i][key] is not None]
                ours = medians["ours"][key]
                ratios.append(f"{min(alternatives) / ours:.1f}x" if alternatives and ours else "–")
            table.append("| best alternative / ours | " + " | ".join(ratios) + " |")
            parse = medians["ours"]["parse_ms"]
            if parse is not None:
                table += ["", f"ours: {parse / size_mb:.2f} ms per MB of map"]
            table.append("")
            print("\n".join(table), flush=True)
            lines += table
    native = native_comparison([m for m in maps if m in ("large", "huge")] or maps)
    print(native, flush=True)
    lines += ["## Natively, beside the Rust parsers", "", native]
    (BENCH / "results.md").write_text("\n".join(lines) + "\n")
    print(f"written to {BENCH / 'results.md'}")


if __name__ == "__main__":
    main()
