"""Parsing in 2 threads at once against 1 thread: native work runs without the GIL and
without any lock of libsourcemap's, so 2 threads can parse at once.

    (cd bench/inputs && npm install && node make_inputs.mjs)   # once
    python bench/threads.py [MAP ...]   (default: large huge)

Beside it, in the same paired rounds, the same work in 2 separate processes against 1
(each process parses its share after all are ready): what this machine gives two workers
that share nothing at all, the figure to compare the threads' with. Not a ceiling: one
parse of a big map already indexes its mappings on two threads, in one thread as in one
process, so either way a second worker adds only what the first left of the second core,
and two threads can come out ahead of two processes (bench/threads_results.md).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import threading
import time

from harness import DATA, alternate, result_file

import libsourcemap

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


def in_processes(processes: int, name: str) -> float:
    """Seconds from the first process starting its share of the parses to the last one
    finishing, the processes started together once all have read the map."""
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", name, str(PARSES // processes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    spans = [tuple(map(float, child.communicate()[0].split())) for child in children]
    return max(end for _, end in spans) - min(start for start, _ in spans)


def child(name: str, count: int) -> None:
    data = (DATA / f"{name}.min.js.map").read_bytes()
    parse(data, 1)  # warm up, as the threads are
    print("ready", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes
    parse(data, count)
    print(start, time.perf_counter())


def main(name: str, pairs: int = 9) -> None:
    data = (DATA / f"{name}.min.js.map").read_bytes()
    parse(data, 1)  # warm up
    # Paired rounds (1 thread, then 2 threads, back to back) so that drift in this shared
    # machine's speed hits both sides of each ratio alike; the median ratio is reported.
    seconds = alternate(
        pairs,
        {
            "1 thread": lambda: timed(1, data),
            "2 threads": lambda: timed(2, data),
            "1 process": lambda: in_processes(1, name),
            "2 processes": lambda: in_processes(2, name),
        },
    )
    ones, twos = seconds["1 thread"], seconds["2 threads"]
    ratios = [one / two for one, two in zip(ones, twos)]
    process_ratios = [one / two for one, two in zip(seconds["1 process"], seconds["2 processes"])]
    print(
        f"{name}: {PARSES} parses in 1 thread {statistics.median(ones) * 1000:.0f} ms, "
        f"in 2 threads {statistics.median(twos) * 1000:.0f} ms"
    )
    print(
        f"speed-up with 2 threads: median {statistics.median(ratios):.2f}x "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}x over {pairs} pairs)"
    )
    print(
        f"speed-up with 2 separate processes (for comparison, not a ceiling: one parse "
        f"already indexes on 2 threads): median "
        f"{statistics.median(process_ratios):.2f}x "
        f"(range {min(process_ratios):.2f}-{max(process_ratios):.2f}x)"
    )


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    child(sys.argv[2], int(sys.argv[3]))
elif __name__ == "__main__":
    with result_file("threads_results.md", "Parsing on two threads"):
        for name in sys.argv[1:] or ["large", "huge"]:
            main(name)
