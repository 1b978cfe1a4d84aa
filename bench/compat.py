"""libsourcemap.compat against the real sourcemap 0.2.1 on the same map, each in its own
process (so peak memory is its own): loads time, peak RSS growth, lookup time.

    (cd bench/inputs && npm install && node make_inputs.mjs)   # once
    pip install sourcemap==0.2.1
    python bench/compat.py [large]
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time

from harness import DATA, child_json, current_mb, peak_mb, reset_peak, result_file

ROUNDS = 5


def measure(impl: str, name: str) -> dict[str, float]:
    """Runs in a child process: one implementation, one map."""
    if impl == "ours":
        from libsourcemap import compat as module
    else:
        import sourcemap as module  # type: ignore[no-redef]
    path = DATA / f"{name}.min.js.map"
    # Memory is counted over the whole span, from before the file is read: "peak" is the
    # growth through reading and loading, "kept" what stays once the caller has dropped
    # its text (what the index keeps alive, borrowed input included).
    rss_before = current_mb()
    reset_peak()
    text = path.read_text("utf-8")
    start = time.perf_counter()
    index = module.loads(text)
    first = time.perf_counter() - start
    peak = peak_mb() - rss_before
    del text
    gc.collect()
    retained = current_mb() - rss_before
    del index
    text = path.read_text("utf-8")
    times = [first]
    for _ in range(ROUNDS - 1):
        start = time.perf_counter()
        index = module.loads(text)
        times.append(time.perf_counter() - start)
        del index
    # Real token positions spread over the file, and the column after each, picked on an
    # index of their own: the timed index has built no token before its first pass.
    picker = module.loads(text)
    count = len(picker)
    picks = [picker[i] for i in range(0, count, max(1, count // 20000))]
    positions = [(t.dst_line, t.dst_col + 1) for t in picks]
    del picker, picks
    index = module.loads(text)
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for line, col in positions:
            index.lookup(line, col)
        rounds.append((time.perf_counter() - start) / len(positions) * 1e6)
    return {
        "loads_ms": statistics.median(times) * 1000,
        "peak_mb": peak,
        "retained_mb": retained,
        # The first pass is every position's first lookup; later passes find what the
        # first one left (compat, like 0.2.1, returns the same token object again).
        "lookup_us": rounds[0],
        "warm_lookup_us": statistics.median(rounds[1:]),
    }


def main(names: list[str]) -> None:
    print(
        f"{'map':6} {'impl':15} {'loads ms':>9} {'peak MB':>8} {'kept MB':>8} "
        f"{'lookup us':>10} {'again us':>9}"
    )
    for name in names:
        results = {}
        for impl in ("sourcemap-0.2.1", "ours"):
            results[impl] = child_json([sys.executable, __file__, "--child", impl, name])
            r = results[impl]
            print(
                f"{name:6} {impl:15} {r['loads_ms']:9.1f} {r['peak_mb']:8.1f} "
                f"{r['retained_mb']:8.1f} {r['lookup_us']:10.2f} {r['warm_lookup_us']:9.2f}"
            )
        theirs, ours = results["sourcemap-0.2.1"], results["ours"]
        print(
            f"{name:6} {'ratio':15} {theirs['loads_ms'] / ours['loads_ms']:8.1f}x "
            f"{theirs['peak_mb'] / max(ours['peak_mb'], 0.1):7.1f}x "
            f"{theirs['retained_mb'] / max(ours['retained_mb'], 0.1):7.1f}x "
            f"{theirs['lookup_us'] / ours['lookup_us']:9.2f}x "
            f"{theirs['warm_lookup_us'] / ours['warm_lookup_us']:8.2f}x"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        impl = "ours" if sys.argv[2] == "ours" else "theirs"
        print(json.dumps(measure(impl, sys.argv[3])))
    else:
        with result_file("compat_results.md", "libsourcemap.compat against sourcemap 0.2.1"):
            main(sys.argv[1:] or ["large"])
