"""One measurement, in its own process: one implementation, one map. Run by bench/run.py
with the interpreter of the environment that has the implementation installed.

    python bench/child.py IMPL MAP POSITIONS_JSON WORKDIR

Prints a JSON object after each phase (the last line is complete): parse_ms, rss_mb (peak
RSS growth from before reading the file through the parse), kept_mb (RSS the parsed map
keeps once the caller has dropped the input bytes: borrowed input counts), lookup_us, and where
the implementation has them, batch_us (one batch call building result objects),
raw_batch_us (the native batch call alone), functions_ms (building the function-name
index of the minified file, parsing it and the original sources), dump_ms, memdb_mb,
open_ms (open a cache file and do a first lookup).
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

from harness import current_mb, peak_mb, reset_peak


class Impl:
    """What each implementation must provide; memdb and batch support are optional."""

    def parse(self, data: bytes) -> object:
        raise NotImplementedError

    def lookup(self, index: object, line: int, col: int) -> object:
        raise NotImplementedError

    dump = None
    open_cache = None
    # batch(index, positions) -> results; batch_raw(index, positions) -> seconds taken
    # by the native call alone (positions converted beforehand).
    batch = None
    batch_raw = None
    # attach(index, minified_source): build the function-name index of the minified file
    attach = None


class Ours(Impl):
    def __init__(self) -> None:
        import libsourcemap

        self.lib = libsourcemap

    def parse(self, data: bytes) -> object:
        return self.lib.View.from_json(data)

    def lookup(self, view, line, col):  # type: ignore[no-untyped-def]
        return view.lookup_token(line, col)

    def dump(self, view):  # type: ignore[no-untyped-def]
        return view.dump_memdb()

    def open_cache(self, path: str):  # type: ignore[no-untyped-def]
        return self.lib.View.from_memdb_file(path)

    def attach(self, view, source: bytes):  # type: ignore[no-untyped-def]
        view.attach_minified_source(source)

    def batch(self, view, positions):  # type: ignore[no-untyped-def]
        return view.lookup_tokens(positions)

    def batch_raw(self, view, positions):  # type: ignore[no-untyped-def]
        from array import array

        flat = array("I", [v for pair in positions for v in pair])
        start = time.perf_counter()
        view.lookup_raw(flat)
        return time.perf_counter() - start


class Libsourcemap082(Ours):
    def __init__(self) -> None:
        import libsourcemap

        assert not hasattr(libsourcemap, "compat"), "this must run against 0.8.2"
        self.lib = libsourcemap

    batch = None  # 0.8.2 has no batch lookup
    batch_raw = None
    attach = None  # 0.8.2 re-parses the minified source on every function name lookup


class Symbolic(Impl):
    def __init__(self) -> None:
        from symbolic.sourcemap import SourceMapView

        self.view_class = SourceMapView

    def parse(self, data: bytes) -> object:
        return self.view_class.from_json_bytes(data)

    def lookup(self, view, line, col):  # type: ignore[no-untyped-def]
        return view.lookup(line, col)


class Sourcemap021(Impl):
    def __init__(self) -> None:
        import sourcemap

        self.module = sourcemap

    def parse(self, data: bytes) -> object:
        return self.module.loads(data.decode("utf-8"))

    def lookup(self, index, line, col):  # type: ignore[no-untyped-def]
        try:
            return index.lookup(line, col)
        except IndexError:
            return None


IMPLS = {
    "ours": Ours,
    "libsourcemap-0.8.2": Libsourcemap082,
    "symbolic": Symbolic,
    "sourcemap-0.2.1": Sourcemap021,
}


def main(impl_name: str, map_path: str, positions_path: str, workdir: str) -> None:
    impl = IMPLS[impl_name]()
    with open(positions_path) as f:
        positions = [tuple(p) for p in json.load(f)]
    result: dict[str, float] = {}

    # Memory is counted from before the file is read, for every implementation alike:
    # the peak of reading and parsing, and what stays once the caller has dropped its
    # bytes. A view of ours borrows those bytes (it keeps them alive, they are counted);
    # the alternatives copy what they need and let the input go.
    reset_peak()
    before, current_before = peak_mb(), current_mb()
    data = open(map_path, "rb").read()
    start = time.perf_counter()
    index = impl.parse(data)
    result["parse_ms"] = (time.perf_counter() - start) * 1000
    del data
    gc.collect()
    result["rss_mb"] = peak_mb() - before
    result["kept_mb"] = current_mb() - current_before

    lookup = impl.lookup
    start = time.perf_counter()
    for line, col in positions:
        lookup(index, line, col)
    result["lookup_us"] = (time.perf_counter() - start) / len(positions) * 1e6
    minified = map_path.removesuffix(".map")
    if impl.attach is not None and os.path.exists(minified):
        with open(minified, "rb") as f:
            source = f.read()
        start = time.perf_counter()
        impl.attach(index, source)
        result["functions_ms"] = (time.perf_counter() - start) * 1000
    if impl.batch is not None:
        start = time.perf_counter()
        impl.batch(index, positions)
        result["batch_us"] = (time.perf_counter() - start) / len(positions) * 1e6
    if impl.batch_raw is not None:
        result["raw_batch_us"] = impl.batch_raw(index, positions) / len(positions) * 1e6
    # Report what is measured so far: 0.8.2 is known to crash in dump_memdb on real maps.
    print(json.dumps(result), flush=True)

    if impl.dump is not None:
        start = time.perf_counter()
        memdb = impl.dump(index)
        result["dump_ms"] = (time.perf_counter() - start) * 1000
        result["memdb_mb"] = len(memdb) / 1e6
        path = os.path.join(workdir, f"{impl_name}.memdb")
        with open(path, "wb") as f:
            f.write(memdb)
        line, col = positions[len(positions) // 2]
        start = time.perf_counter()
        lookup(impl.open_cache(path), line, col)
        result["open_ms"] = (time.perf_counter() - start) * 1000
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:5])
