"""Parsing in 2 threads at once against 1 thread: native work runs without the GIL and
without any lock of libsourcemap's, so 2 threads on 2 cores should do ~2x the work.

    python bench/threads.py [MAP ...]   (default: large huge)
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path

from report import result_file

import libsourcemap

DATA = Path(__file__).parent / "data"
PARSES = 8


def parse(data: bytes, count: int) -> None:
    for _ in range(count):
        libsourcemap.View.from_json(data).lookup_token(0, 0)


def timed(threads: int, data: bytes) -> float:
    workers = [
        threading.Thread(target=parse, args=(data, PARSES // threads)) for _ in range(threads)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - start


def main(name: str, pairs: int = 9) -> None:
    data = (DATA / f"{name}.min.js.map").read_bytes()
    parse(data, 1)  # warm up
    # Paired rounds (1 thread, then 2 threads, back to back) so that drift in this shared
    # machine's speed hits both sides of each ratio alike; the median ratio is reported.
    ones, twos, ratios = [], [], []
    for _ in range(pairs):
        one, two = timed(1, data), timed(2, data)
        ones.append(one)
        twos.append(two)
        ratios.append(one / two)
    print(
        f"{name}: {PARSES} parses in 1 thread {statistics.median(ones) * 1000:.0f} ms, "
        f"in 2 threads {statistics.median(twos) * 1000:.0f} ms"
    )
    print(
        f"speed-up with 2 threads: median {statistics.median(ratios):.2f}x "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}x over {pairs} pairs)"
    )


if __name__ == "__main__":
    with result_file("threads_results.md", "Parsing on two threads"):
        for name in sys.argv[1:] or ["large", "huge"]:
            main(name)
