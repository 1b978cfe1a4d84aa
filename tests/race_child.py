"""Closing views while other threads are inside calls that return borrowed data, over a
memory-mapped cache (freeing it unmaps the memory). Run in a child process by
test_robustness.py: a use-after-free here is a segfault, which must fail a test rather
than kill the test run.

    python tests/race_child.py ROUNDS
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from conftest import close_during_calls

from libsourcemap import View

COPY_LIMIT = 1 << 20  # caches up to this size are read, larger ones memory-mapped


def main(rounds: int) -> int:
    doc = json.loads(
        (Path(__file__).parent / "fixtures" / "esbuild-lodash.min.js.map").read_bytes()
    )
    doc["sourcesContent"] = [text * 8 for text in doc["sourcesContent"]]
    big = View.from_json(json.dumps(doc))
    path = os.path.join(tempfile.mkdtemp(), "big.memdb")
    big.dump_memdb_file(path)
    assert os.path.getsize(path) > COPY_LIMIT, "the cache must be memory-mapped"
    positions = [(t.dst_line, t.dst_col) for t in big][::7]
    for _ in range(rounds):
        view = View.from_memdb_file(path)
        cycle = iter(positions * 10**4)

        def call(view: View = view, cycle: object = cycle) -> None:
            view.lookup_token(*next(cycle))  # type: ignore[call-overload]
            view.get_source_contents(1)
            view.get_source_name(1)
            assert isinstance(view.ignore_list, list)
            assert view.file is None or isinstance(view.file, str)

        close_during_calls(view, call)
    print(f"ok {rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
