"""Reading one open source bundle from many threads, three ways, in one run:

    python bench/bundles.py [--rounds 3] [--requests 4]

The bundle holds the benchmark's real minified files and maps (bench/data, made by
bench/run.py's generator on first use: ~55 MB, deflated). Each thread serves
``--requests`` symbolication requests; a request reads every minified file and map once.

- locked:     one archive handle behind one lock held for the whole read (decompression
              included): the mutex-guarded shared reader that became the bottleneck.
- per-thread: each thread its own archive handle, no lock, but every read decompresses
              again.
- ours:       SourceBundle: a handle per thread, and each file decompressed once (the
              first request pays, later ones are dictionary hits).

Prints the median wall time per configuration and the speed-up over `locked`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from functools import partial
from pathlib import Path
from typing import Callable

from harness import DATA, alternate, ensure_inputs, result_file

from libsourcemap import SourceBundle
from libsourcemap.bundle.writer import create_bundle

Reader = Callable[[str], bytes]
MAPS = ["small", "medium", "large", "huge"]


def locked_reader(path: Path) -> tuple[Reader, Callable[[], None]]:
    archive = zipfile.ZipFile(path)
    lock = threading.Lock()

    def read(name: str) -> bytes:
        with lock:
            return archive.read(name)

    return read, archive.close


def per_thread_reader(path: Path) -> tuple[Reader, Callable[[], None]]:
    local = threading.local()
    handles: list[zipfile.ZipFile] = []

    def read(name: str) -> bytes:
        archive = getattr(local, "archive", None)
        if archive is None:
            archive = local.archive = zipfile.ZipFile(path)
            handles.append(archive)
        return archive.read(name)

    def close() -> None:
        for handle in handles:
            handle.close()

    return read, close


def ours(path: Path) -> tuple[Reader, Callable[[], None]]:
    bundle = SourceBundle.open(path)
    by_path = {file.path: file for file in bundle.files}
    return (lambda name: bundle.read(by_path[name])), bundle.close


WAYS = {"locked": locked_reader, "per-thread": per_thread_reader, "ours": ours}


def serve(read: Reader, names: list[str], requests: int) -> None:
    for _ in range(requests):
        for name in names:
            read(name)


def timed(way: str, path: Path, names: list[str], threads: int, requests: int) -> float:
    read, close = WAYS[way](path)
    workers = [threading.Thread(target=serve, args=(read, names, requests)) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=4)
    args = parser.parse_args()
    ensure_inputs(MAPS)
    with tempfile.TemporaryDirectory() as tmp:
        path, build = Path(tmp) / "release.zip", Path(tmp) / "build"
        build.mkdir()
        for name in MAPS:  # the JS inputs only (bench/data holds other benchmarks' too)
            for suffix in (".min.js", ".min.js.map"):
                (build / f"{name}{suffix}").symlink_to(DATA / f"{name}{suffix}")
        create_bundle(build, path)
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if i.filename.startswith("files/")]
        names = [info.filename for info in infos]
        size = sum(info.file_size for info in infos) / 1e6
        packed = sum(info.compress_size for info in infos) / 1e6
        print(f"bundle: {len(names)} files, {size:.1f} MB ({packed:.1f} MB deflated)")
        print(
            f"each thread: {args.requests} requests x {len(names)} files, medians of {args.rounds}"
        )
        print(f"{'threads':>7} | {'way':<10} | {'wall s':>7} | {'MB/s':>7} | vs locked")
        print("-" * 50)
        for threads in (1, 2, 4, 8):
            times = alternate(
                args.rounds,
                {way: partial(timed, way, path, names, threads, args.requests) for way in WAYS},
            )
            base = statistics.median(times["locked"])
            for way, samples in times.items():
                wall = statistics.median(samples)
                rate = size * args.requests * threads / wall
                print(f"{threads:>7} | {way:<10} | {wall:7.2f} | {rate:7.0f} | {base / wall:5.1f}x")
            sys.stdout.flush()


if __name__ == "__main__":
    with result_file("bundles_results.md", "Reading a source bundle from many threads"):
        main()
