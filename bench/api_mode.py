"""ABI mode against API mode for the hot lookup, measured in one run: the evidence behind
README "Design notes" (why the package stays an ABI-mode CFFI module).

    python bench/api_mode.py [MAP]   (default: bench/data/large.min.js.map)

Builds an out-of-line API-mode CFFI module over the same preprocessed header
(build_ffi.preprocessed_header), compiled and linked against the package's own cdylib
(the same file, so both modules share one library instance and its thread-local token
slot), then times, on the same random real positions, each in the same process:

- the bare native call through the ABI-mode module and through the API-mode one;
- ``View.lookup_token`` as shipped (ABI mode), and the same method with the API-mode
  function bound in (everything else identical), checked to give the same tokens;
- sourcemap 0.2.1's ``lookup`` (a bisect over Python objects: the "Python dict" target).

Results go to bench/api_mode_results.md.
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import tempfile
import timeit
from functools import partial
from pathlib import Path
from typing import Any, Callable

from harness import DATA, ROOT, alternate, result_file

sys.path.insert(0, str(ROOT))  # this checkout first: its build_ffi and its libsourcemap

import libsourcemap  # noqa: E402
from build_ffi import preprocessed_header  # noqa: E402
from libsourcemap import view as view_module  # noqa: E402


def build_api_module(scratch: Path) -> Any:
    from cffi import FFI

    native = Path(libsourcemap._native._find_library())
    ffi = FFI()
    ffi.cdef(preprocessed_header())
    ffi.set_source(
        "_lsm_api_mode",
        '#include "libsourcemap.h"',
        include_dirs=[str(ROOT / "include")],
        extra_link_args=[
            f"-L{native.parent}",
            f"-l:{native.name}",
            f"-Wl,-rpath,{native.parent}",
        ],
        py_limited_api=True,
    )
    built = ffi.compile(tmpdir=str(scratch))
    spec = importlib.util.spec_from_file_location("_lsm_api_mode", built)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROUNDS = 5


def per_call_ns(loop: Callable[[], None], calls: int, repeat: int = 7) -> float:
    return min(timeit.repeat(loop, number=3, repeat=repeat)) / 3 / calls * 1e9


def main(map_path: Path) -> None:
    import sourcemap  # 0.2.1, from the test dependencies

    data = map_path.read_bytes()
    view = libsourcemap.View.from_json(data)
    index = sourcemap.loads(data.decode("utf-8"))
    rng = random.Random(1)
    picks = rng.sample(list(view), 5000)
    positions = [(t.dst_line, t.dst_col + k) for t in picks for k in (0, 1)]
    rng.shuffle(positions)
    calls = len(positions)

    with tempfile.TemporaryDirectory(prefix="api-mode-") as scratch:
        api = build_api_module(Path(scratch))
        abi_ptr = view._ptr
        api_ptr = api.ffi.cast("lsm_view_t *", int(view_module.ffi.cast("uintptr_t", abi_ptr)))
        abi_call, api_call = view_module._lookup_fast, api.lib.lsm_view_lookup_fast

        err_abi, err_api = view_module.scratch.err, api.ffi.new("lsm_error_t *")
        count_abi, count_api = (
            view_module.lib.lsm_view_get_token_count,
            api.lib.lsm_view_get_token_count,
        )

        def empty_abi() -> None:
            for _line, _col in positions:
                count_abi(abi_ptr, err_abi)

        def empty_api() -> None:
            for _line, _col in positions:
                count_api(api_ptr, err_api)

        def bare_abi() -> None:
            for line, col in positions:
                abi_call(abi_ptr, line, col)

        def bare_api() -> None:
            for line, col in positions:
                api_call(api_ptr, line, col)

        def shipped() -> None:
            view_module._lookup_fast = abi_call
            try:
                lookup = view.lookup_token
                for line, col in positions:
                    lookup(line, col)
            finally:
                view_module._lookup_fast = api_call

        expected = [view.lookup_token(line, col) for line, col in positions]  # warms caches
        # The shipped method over the same native view, with the API-mode function bound
        # in: the only change. (Not owning the handle: nothing is freed through it. Its
        # source and name caches are the warmed ones, so the hot path makes no other call.)
        api_view = object.__new__(view_module.View)
        api_view._ptr, api_view._recipe = api_ptr, None
        api_view._sources, api_view._names = view._sources, view._names

        def with_api() -> None:
            lookup = api_view.lookup_token
            for line, col in positions:
                lookup(line, col)

        def dict_021() -> None:
            lookup = index.lookup
            for line, col in positions:
                try:
                    lookup(line, col)
                except IndexError:
                    pass

        from array import array

        flat = array("I", [v for pair in positions for v in pair])

        def batch_raw() -> None:
            view.lookup_raw(flat)

        cases = {
            # A 2-argument call that does next to no work, in the same loop: the call alone.
            "bare 2-argument call, ABI mode": empty_abi,
            "bare 2-argument call, API mode": empty_api,
            # The 3-argument lookup call: call, native lookup, loop.
            "lookup call (native lookup), ABI mode": bare_abi,
            "lookup call (native lookup), API mode": bare_api,
            "View.lookup_token, ABI mode (shipped)": shipped,
            "View.lookup_token, API mode": with_api,
            "sourcemap 0.2.1 lookup": dict_021,
            "View.lookup_raw (batch, per position)": batch_raw,
        }
        view_module._lookup_fast = api_call
        try:
            assert [api_view.lookup_token(*p) for p in positions] == expected, "API mode differs"
            samples = alternate(
                ROUNDS, {name: partial(per_call_ns, loop, calls) for name, loop in cases.items()}
            )
        finally:
            view_module._lookup_fast = abi_call

    with result_file("api_mode_results.md", "CFFI ABI mode against API mode"):
        print(f"{map_path.name}: {calls} random real positions, fastest of 7x3 passes, ")
        print(f"median of {ROUNDS} rounds, ns per call (per position for the batch)\n")
        dict_ns = statistics.median(samples["sourcemap 0.2.1 lookup"])
        for name, values in samples.items():
            ns = statistics.median(values)
            print(f"{name:<40} {ns:>6.0f} ns   sourcemap 0.2.1 / this: {dict_ns / ns:.2f}x")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "large.min.js.map")
