"""Quick figures for libsourcemap alone (the comparison with the alternatives is the
benchmark of issue 6): parse, lookup, memdb dump/open, peak RSS growth.

    (cd bench/inputs && npm install && node make_inputs.mjs)   # once
    python bench/ours.py [small medium large huge]
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time

from harness import DATA, median_ms

import libsourcemap


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(names: list[str]) -> None:
    print(
        f"{'map':8} {'MB':>6} {'tokens':>9} {'parse ms':>9} {'ms/MB':>6} {'lookup us':>10} "
        f"{'dump ms':>8} {'memdb MB':>9} {'open+1st ms':>12}"
    )
    for name in names:
        data = (DATA / f"{name}.min.js.map").read_bytes()
        view = libsourcemap.View.from_json(data)
        parse = median_ms(lambda data=data: libsourcemap.View.from_json(data), 7)
        positions = [(t.dst_line, t.dst_col) for t in (view[i] for i in range(0, len(view), 37))]
        lookup = view.lookup_token
        per_lookup = []
        for _ in range(7):
            start = time.perf_counter()
            for line, col in positions:
                lookup(line, col)
            per_lookup.append((time.perf_counter() - start) / len(positions) * 1e6)
        memdb = view.dump_memdb()
        dump = median_ms(view.dump_memdb, 3)
        with tempfile.NamedTemporaryFile(suffix=".memdb") as f:
            f.write(memdb)
            f.flush()
            line, col = positions[len(positions) // 2]

            def open_and_look_up(path: str = f.name, line: int = line, col: int = col) -> None:
                libsourcemap.View.from_memdb_file(path).lookup_token(line, col)

            open_ms = median_ms(open_and_look_up, 7)
        mb = len(data) / 1e6
        lookup_us = statistics.median(per_lookup)
        print(
            f"{name:8} {mb:6.1f} {len(view):9} {parse:9.1f} {parse / mb:6.2f} {lookup_us:10.2f} "
            f"{dump:8.1f} {len(memdb) / 1e6:9.1f} {open_ms:12.3f}"
        )


def rss_of_parse(name: str) -> None:
    data = (DATA / f"{name}.min.js.map").read_bytes()
    before = peak_rss_mb()
    view = libsourcemap.View.from_json(data)
    view.lookup_token(0, 0)
    print(f"peak RSS growth parsing {name}: {peak_rss_mb() - before:.1f} MB")


if __name__ == "__main__":
    args = sys.argv[1:] or ["small", "medium", "large", "huge"]
    if args[0] == "--rss":
        rss_of_parse(args[1])
    else:
        main(args)
