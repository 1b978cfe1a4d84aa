"""The cost of memdb block checksums on the cache path, by block size, against the build
before checksums, in one run:

    python bench/memdb_blocks.py [--rounds 7] [--shifts 10,12,14,16] [--baseline e4ce9f5]

For each block size 2^shift (and for ``--baseline``, a commit whose memdb has no
checksums) the script checks this repository out into a temporary git worktree, sets
``integrity::DEFAULT_SHIFT``, builds the library and runs bench/symbolicate_child.py's
``ours-cache`` case (open the memdb caches an earlier run wrote, symbolicate the trace,
5 context lines per frame) in its own process, rounds alternating between builds.
"warm" repeats start over from the files each time, so they verify every block they
read again. Figures are medians. Written to bench/memdb_blocks_results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import site
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from harness import (
    BENCH,
    CHILD_ENV,
    ROOT,
    alternate,
    child_json,
    ensure_inputs,
    ensure_traces,
    medians,
    write_result,
)
from symbolicate import trace_case

CASES = [
    ("large: TypeScript checker, 50 frames", "large", "typescript", 50),
    ("huge: Babel traverse, 200 frames", "huge", "babel", 200),
]
SO = "_sourcemap_native.cpython-311-x86_64-linux-gnu.so"


def build(work: Path, name: str, rev: str, shift: int | None) -> Path:
    """A worktree of ``rev`` with its library built (block size 2^shift if given)."""
    tree = work / name
    subprocess.run(
        ["git", "worktree", "add", "-f", "--detach", str(tree), rev],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    if shift is not None:
        integrity = tree / "rust/src/integrity.rs"
        text, count = re.subn(
            r"DEFAULT_SHIFT: u32 = \d+;", f"DEFAULT_SHIFT: u32 = {shift};", integrity.read_text()
        )
        assert count == 1, "DEFAULT_SHIFT not found"
        integrity.write_text(text)
    target = work / "target"
    subprocess.run(
        ["cargo", "build", "--release", "--quiet"],
        cwd=tree / "rust",
        check=True,
        env=dict(os.environ, CARGO_TARGET_DIR=str(target)),
    )
    built = target / "release/libsourcemap_native.so"
    shutil.copy(built, tree / "libsourcemap" / SO)
    built.unlink()  # the next worktree has the same crate: make cargo link it anew
    subprocess.run(
        [sys.executable, "-c", "import build_ffi; build_ffi.ffi.compile(tmpdir='.')"],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    return tree


def measure(tree: Path, case_path: Path) -> dict[str, Any]:
    # -S and an explicit path: this checkout's editable install must not win over `tree`.
    env = dict(CHILD_ENV, PYTHONPATH=f"{tree}:{site.getsitepackages()[0]}")
    command = [sys.executable, "-S", BENCH / "symbolicate_child.py", "ours-cache", case_path]
    return child_json(command, env=env, cwd=tempfile.gettempdir())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--shifts", default="10,12,14,16")
    parser.add_argument("--baseline", default="e4ce9f5", help="a commit without checksums")
    args = parser.parse_args()
    ensure_inputs(["large", "huge"])
    ensure_traces()
    shifts = [int(s) for s in args.shifts.split(",")]
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    out = [
        "# Memdb block checksums: cost on the cache path",
        "",
        f"`python bench/memdb_blocks.py --rounds {args.rounds} --shifts {args.shifts} "
        f"--baseline {args.baseline}` (medians; each measurement in its own process; "
        "open the caches, symbolicate, 5 context lines per frame)",
        "",
        "| case | build | block | cold ms | warm ms | cache MB |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        builds = {
            f"no checksums ({args.baseline})": (build(work, "base", args.baseline, None), "–")
        }
        for shift in shifts:
            builds[f"checksums ({head[:7]})" + ("" if shift == shifts[0] else f" #{shift}")] = (
                build(work, f"shift-{shift}", head, shift),
                f"{1 << shift} B",
            )
        try:
            for spec in CASES:
                case = trace_case(*spec, work)
                paths = {}
                for number, name in enumerate(builds):
                    cache = work / f"cache-{spec[1]}-{number}"
                    path = work / f"case-{spec[1]}-{number}.json"
                    path.write_text(json.dumps(dict(case, cache_dir=str(cache))))
                    paths[name] = (path, cache)
                    measure(builds[name][0], path)  # writes the caches
                cases = {
                    name: partial(measure, tree, paths[name][0])
                    for name, (tree, _) in builds.items()
                }
                samples = alternate(args.rounds, cases)
                for name, (_, block) in builds.items():
                    size = sum(f.stat().st_size for f in paths[name][1].glob("*.memdb"))
                    figures = medians(samples[name], ["cold_ms", "warm_ms"])
                    cold, warm = figures["cold_ms"], figures["warm_ms"]
                    label = name.split(" #")[0]
                    out.append(
                        f"| {spec[0]} | {label} | {block} | {cold:.2f} | {warm:.2f} "
                        f"| {size / 1e6:.2f} |"
                    )
                    print(out[-1], flush=True)
        finally:
            for tree, _ in builds.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    write_result("memdb_blocks_results.md", out)


if __name__ == "__main__":
    main()
