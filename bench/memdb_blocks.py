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
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from run import ensure_inputs
from symbolicate import ensure_traces, trace_case

BENCH = Path(__file__).parent
ROOT = BENCH.parent
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
    env = dict(os.environ, PYTHONPATH=f"{tree}:{site.getsitepackages()[0]}")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    child = subprocess.run(
        [sys.executable, "-S", str(BENCH / "symbolicate_child.py"), "ours-cache", str(case_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


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
                samples: dict[str, list[dict[str, Any]]] = {name: [] for name in builds}
                for _ in range(args.rounds):
                    for name, (tree, _) in builds.items():
                        samples[name].append(measure(tree, paths[name][0]))
                for name, (_, block) in builds.items():
                    size = sum(f.stat().st_size for f in paths[name][1].glob("*.memdb"))
                    cold = statistics.median(s["cold_ms"] for s in samples[name])
                    warm = statistics.median(s["warm_ms"] for s in samples[name])
                    label = name.split(" #")[0]
                    out.append(
                        f"| {spec[0]} | {label} | {block} | {cold:.2f} | {warm:.2f} "
                        f"| {size / 1e6:.2f} |"
                    )
                    print(out[-1], flush=True)
        finally:
            for tree, _ in builds.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    (BENCH / "memdb_blocks_results.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
