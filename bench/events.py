"""Events per second symbolicated by `libsourcemap symbolicate-events`: one process, N
worker processes, and a Dask LocalCluster of N workers, on events built from the real
stack-trace corpus (tests/fixtures/stacks: node's frames on the esbuild and terser
bundles, 11-25 frames an event, 5 context lines each).

    python bench/events.py [--events 12000] [--jobs 2] [--rounds 3] [--baseline DIR]

"debug IDs, bundle": the same events with `debug_meta` images, against a source bundle of
the same builds (debug IDs injected by `inject_debug_id`, as `sentry-cli sourcemaps
inject` writes them) whose URLs are not the frames': only the debug IDs find the files.
`--baseline DIR`: the one-process and `--jobs` cases again with the package of another
checkout (DIR, with its native library built), in the same rounds: a change measured
against the code before it.

Every measurement runs the whole command in a new process (interpreter start, reading
the events file, writing the output) against a cache directory written by an untimed
first run, as a service would after its first event of a build; rounds alternate between
the cases and the medians are reported. "two separate processes" runs two one-process
commands at the same time: how far this machine scales any two CPU-bound processes,
the ceiling for N = 2 workers. Results go to bench/events_results.md.
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
from pathlib import Path
from typing import Any, Callable

from harness import CHILD_ENV, ROOT, alternate, compile_ours, result_file

FIXTURES = ROOT / "tests" / "fixtures"
URL = "https://cdn.example.com/"


def write_events(path: Path, count: int) -> int:
    """`count` events cycling through the corpus' failures (both bundlers); returns the
    number of frames."""
    templates = []
    for bundler in ("esbuild", "terser"):
        corpus = json.loads((FIXTURES / "stacks" / f"{bundler}.json").read_text())
        for scenario, sites in corpus.items():
            frames = [
                {
                    "abs_path": s["file"] if s["file"].startswith("node:") else URL + s["file"],
                    "lineno": s["line"],
                    "colno": s["column"],
                    "function": s["function"],
                }
                for s in reversed(sites)
                if s["file"]
            ]
            values = [{"type": "Error", "value": scenario, "stacktrace": {"frames": frames}}]
            templates.append({"exception": {"values": values}, "platform": "javascript"})
    frames = 0
    with path.open("w") as out:
        for i in range(count):
            event = {"event_id": f"{i:032x}", **templates[i % len(templates)]}
            frames += len(event["exception"]["values"][0]["stacktrace"]["frames"])
            out.write(json.dumps(event) + "\n")
    return frames


def write_debug_id_case(events: Path, scratch: Path) -> tuple[Path, Path]:
    """The corpus' builds with debug IDs, in a bundle under URLs no frame has, and the
    events of `events` with `debug_meta` naming each frame file's ID: (events, bundle)."""
    from libsourcemap import inject_debug_id
    from libsourcemap.bundle.writer import create_bundle

    dist = scratch / "injected" / "assets"
    dist.mkdir(parents=True)
    ids = {}
    for bundler in ("esbuild", "terser"):
        name = f"{bundler}.min.mjs"
        source = FIXTURES / "stacks" / "dist" / name
        code, map_json, debug_id = inject_debug_id(
            source.read_bytes(), source.with_name(name + ".map").read_bytes()
        )
        (dist / name).write_bytes(code)
        (dist / (name + ".map")).write_bytes(map_json or b"")
        ids[f"{URL}stacks/dist/{name}"] = debug_id
    bundle = scratch / "debug-ids.zip"
    create_bundle(dist.parent, bundle, url_prefix="~/elsewhere/")
    with_ids = scratch / "events-debug-ids.jsonl"
    with events.open() as lines, with_ids.open("w") as out:
        for line in lines:
            event = json.loads(line)
            frames = event["exception"]["values"][0]["stacktrace"]["frames"]
            files = {f["abs_path"] for f in frames} & set(ids)
            images = [{"type": "sourcemap", "code_file": f, "debug_id": ids[f]} for f in files]
            out.write(json.dumps({**event, "debug_meta": {"images": images}}) + "\n")
    return with_ids, bundle


def command(
    events: Path, cache: Path, output: Path, jobs: int, bundle: Path | None = None
) -> list[str]:
    where = ["--bundle", str(bundle)] if bundle is not None else ["--root", str(FIXTURES)]
    return [
        sys.executable,
        "-m",
        "libsourcemap",
        "symbolicate-events",
        str(events),
        *where,
        "--cache-dir",
        str(cache),
        "--jobs",
        str(jobs),
        "-o",
        str(output),
        "--no-progress",
    ]


def timed_commands(commands: list[list[str]], env: dict[str, str] = CHILD_ENV) -> float:
    """Wall seconds for the commands, started together, to all finish."""
    start = time.perf_counter()
    running = [subprocess.Popen(c, env=env) for c in commands]
    if any(p.wait() != 0 for p in running):
        raise SystemExit("a symbolicate-events run failed")
    return time.perf_counter() - start


def dask_case(
    events: Path, cache: Path, out_dir: Path, jobs: int
) -> tuple[float, Callable[[], float], Callable[[], None]]:
    """(cluster start seconds, a function timing one run on the cluster, one that shuts
    the cluster down)."""
    import dask.bag
    from distributed import Client, LocalCluster

    from libsourcemap.events.dask import symbolicate_bag

    start = time.perf_counter()
    cluster = LocalCluster(
        n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = Client(cluster)
    started = time.perf_counter() - start

    def shut_down() -> None:
        client.close()
        cluster.close()

    def run() -> float:
        start = time.perf_counter()
        bag = dask.bag.read_text(str(events), blocksize=1 << 20)
        symbolicate_bag(bag, root=FIXTURES, cache_dir=cache).to_textfiles(
            str(out_dir / "*.jsonl"), last_endline=True
        )
        return time.perf_counter() - start

    return started, run, shut_down


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=12000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout, measured beside")
    args = parser.parse_args()
    compile_ours()
    with tempfile.TemporaryDirectory(prefix="events-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        events, cache = scratch / "events.jsonl", scratch / "cache"
        frames = write_events(events, args.events)
        size_mb = events.stat().st_size / 1e6
        one = command(events, cache, scratch / "one.jsonl", 1)
        timed_commands([one])  # writes the cache; the output is checked below
        out_mb = (scratch / "one.jsonl").stat().st_size / 1e6
        by_id, bundle = write_debug_id_case(events, scratch)
        by_id_cache = scratch / "cache-ids"
        one_by_id = command(by_id, by_id_cache, scratch / "ids.jsonl", 1, bundle)
        timed_commands([one_by_id])  # writes its cache
        many = command(events, cache, scratch / "many.jsonl", args.jobs)
        cases: dict[str, Callable[[], float]] = {
            "1 process": lambda: timed_commands([one]),
            f"--jobs {args.jobs}": lambda: timed_commands([many]),
            "two separate processes": lambda: (
                timed_commands([one, command(events, cache, scratch / "other.jsonl", 1)]) / 2
            ),
            "1 process, debug IDs, bundle": lambda: timed_commands([one_by_id]),
        }
        if args.baseline is not None:
            # The other checkout's package first on the path; its own cache directory.
            env = {**CHILD_ENV, "PYTHONPATH": str(args.baseline.resolve())}
            base_cache = scratch / "cache-baseline"
            base_one = command(events, base_cache, scratch / "base.jsonl", 1)
            base_many = command(events, base_cache, scratch / "base-many.jsonl", args.jobs)
            timed_commands([base_one], env)
            cases["baseline: 1 process"] = lambda: timed_commands([base_one], env)
            cases[f"baseline: --jobs {args.jobs}"] = lambda: timed_commands([base_many], env)
        dask_out = scratch / "dask"
        cluster_start, dask_run, shut_down = dask_case(events, cache, dask_out, args.jobs)
        cases[f"Dask LocalCluster, {args.jobs} workers"] = dask_run
        try:
            times = alternate(args.rounds, cases)
        finally:
            shut_down()
        same = (scratch / "many.jsonl").read_bytes() == (scratch / "one.jsonl").read_bytes()
        resolved = sum(
            f["data"].get("symbolicated", False)
            for line in (scratch / "ids.jsonl").read_text().splitlines()
            for f in json.loads(line)["exception"]["values"][0]["stacktrace"]["frames"]
        )
        dask_lines = sum(len(p.read_bytes().splitlines()) for p in dask_out.glob("*.jsonl"))
    report(args, frames, size_mb, out_mb, times, cluster_start, same, dask_lines, resolved)


def report(
    args: Any,
    frames: int,
    size_mb: float,
    out_mb: float,
    times: dict[str, list[float]],
    cluster_start: float,
    same: bool,
    dask_lines: int,
    resolved_by_id: int,
) -> None:
    with result_file("events_results.md", "Event stream benchmark"):
        print(
            f"{args.events} events ({frames} frames, {size_mb:.1f} MB in, {out_mb:.1f} MB out), "
            f"warm cache directory, {os.cpu_count()} cores, medians of {args.rounds} rounds"
        )
        print(f"--jobs {args.jobs} output identical to 1 process: {same}")
        print(f"Dask output lines: {dask_lines} (of {args.events})")
        print(f"frames resolved by debug ID from the bundle: {resolved_by_id} (of {frames})")
        if args.baseline is not None:
            print(f"baseline: the package of {args.baseline}")
        print(f"Dask cluster start (not in its figures): {cluster_start:.2f} s\n")
        base = statistics.median(times["1 process"])
        print(f"{'case':<34} {'seconds':>8} {'events/s':>9} {'vs 1 process':>13}")
        for name, values in times.items():
            seconds = statistics.median(values)
            print(
                f"{name:<34} {seconds:>8.2f} {args.events / seconds:>9.0f} {base / seconds:>12.2f}x"
            )
        print(
            '\n"two separate processes": two 1-process runs at once, seconds per run '
            "halved: what this machine gives any two CPU-bound processes."
        )


if __name__ == "__main__":
    main()
