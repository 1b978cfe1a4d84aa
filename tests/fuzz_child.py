"""Random-input fuzzing of the Python API, run in a child process by test_robustness.py so
that a crash fails that test instead of killing the test run.

    python tests/fuzz_child.py SEED ITERATIONS

Feeds mutated real maps, mutated caches, random bytes and random arguments to every entry
point, and mutated maps to composition (``remap``) and concatenation. Loading mutated
bytes may only raise SourceMapError subclasses; calls with random arguments also
TypeError, ValueError, IndexError and KeyError where the API documents them.
A caught Rust panic (InternalError) is a bug like any other: it, or anything else, is
printed and exits 1.
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from pathlib import Path

import libsourcemap
from libsourcemap import InternalError, SourceMapError, View
from libsourcemap import compat as sourcemap

FIXTURES = Path(__file__).parent / "fixtures"
#: What loading bytes may raise (InternalError is re-raised before these are caught).
LOAD_ERRORS = (SourceMapError,)
#: What calls with random arguments may raise.
ALLOWED = (SourceMapError, TypeError, ValueError, IndexError, KeyError)


def mutate(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[pos % len(data)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = rng.choice(
                [b"-1", b"4294967296", b"null", b'"', b"\\u0000", b"[", b"}", b",,"]
            )
        elif op == 2:
            del data[pos : pos + rng.randint(1, 30)]
        else:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(data)


def random_int(rng: random.Random) -> object:
    return rng.choice(
        [0, 1, -1, 2**31, 2**32 - 1, 2**32, 2**64, -(2**63), rng.randrange(-5, 50), 1.5, "1", None]
    )


def exercise(rng: random.Random, view: View) -> None:
    calls = [
        lambda: view.lookup_token(random_int(rng), random_int(rng)),  # type: ignore[arg-type]
        lambda: view[random_int(rng)],  # type: ignore[index]
        lambda: view.get_source_contents(random_int(rng)),  # type: ignore[arg-type]
        lambda: view.get_source_name(random_int(rng)),  # type: ignore[arg-type]
        lambda: view.has_source_contents(random_int(rng)),  # type: ignore[arg-type]
        lambda: (view.file, view.source_root, view.debug_id, view.ignore_list, repr(view)),
        lambda: view.scopes,
        lambda: list(view)[:50],
        lambda: View.from_memdb(view.dump_memdb(rng.random() < 0.5, rng.random() < 0.5)),
        lambda: view.get_context_lines(random_int(rng), random_int(rng), random_int(rng)),  # type: ignore[arg-type]
        lambda: view.resolve_frames(
            [(random_int(rng), random_int(rng)) for _ in range(rng.randrange(4))],  # type: ignore[misc]
            rng.choice([None, b"function f(){return g()}", b"(((", "x=>{", bytes(range(256))]),
        ),
        lambda: view.get_original_function_name(random_int(rng), random_int(rng)),  # type: ignore[arg-type]
        lambda: View.from_json(view.to_json(rng.random() < 0.5, rng.random() < 0.5), strict=True),
    ]
    for _ in range(10):
        try:
            rng.choice(calls)()
        except InternalError:
            raise
        except ALLOWED:
            pass


def main(seed: int, iterations: int) -> int:
    rng = random.Random(seed)
    seeds = [p.read_bytes() for p in sorted(FIXTURES.glob("*.map")) if p.stat().st_size < 400_000]
    seeds.append(
        json.dumps(
            {"version": 3, "sources": ["a"], "names": ["n"], "mappings": "AAAAA;CAAC"}
        ).encode()
    )
    caches = [View.from_json(s).dump_memdb() for s in seeds[-2:]]
    # Maps with the proposals' fields (tc39's scopes and range mappings, valid and not;
    # SWC's scopes): mutations reach their decoders, and caches hold them.
    proposals = [
        *sorted((FIXTURES / "scopes" / "tc39").glob("*.map")),
        FIXTURES / "scopes" / "swc" / "output.js.map",
        *sorted((FIXTURES / "range-mappings").glob("*.map")),
    ]
    seeds += [p.read_bytes() for p in proposals]
    for name in ("scopes/swc/output.js.map", "range-mappings/multiple-mappings.js.map"):
        caches.append(View.from_json((FIXTURES / name).read_bytes()).dump_memdb())
    tmpdir = tempfile.mkdtemp()
    for i in range(iterations):
        kind = rng.randrange(7)
        try:
            if kind == 0 and rng.random() < 0.2:
                # With a minified source parsed at the same time, and frames' originals.
                view = View.from_json(
                    mutate(rng, rng.choice(seeds)),
                    strict=rng.random() < 0.3,
                    minified_source=rng.choice([b"function f(){return g()}", b"(((", b"x=>{"]),
                    frames=[(rng.randrange(1, 40), rng.randrange(1, 5000)) for _ in range(3)],
                )
            elif kind == 0:
                view = libsourcemap.from_json(
                    mutate(rng, rng.choice(seeds)), strict=rng.random() < 0.3
                )
            elif kind == 1:
                view = View.from_memdb(mutate(rng, rng.choice(caches)))
            elif kind == 2:
                path = os.path.join(tmpdir, f"c{i % 4}")
                with open(path, "wb") as f:
                    f.write(mutate(rng, rng.choice(caches)))
                view = View.from_memdb_file(path)
            elif kind == 3:
                view = libsourcemap.from_json(
                    bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
                )
            elif kind == 5:
                # Composition reads maps given as text without indexing them: their
                # mappings are checked as it walks them (the first source gets a map).
                as_given = lambda data: rng.choice([data, mutate(rng, data)])  # noqa: E731
                maps = [as_given(rng.choice(seeds))]
                loader = lambda name, maps=maps: maps.pop() if maps else None  # noqa: E731
                libsourcemap.remap(as_given(rng.choice(seeds)), loader).to_json()
                continue
            elif kind == 6:
                parts = [
                    (b"x();\n", rng.choice([mutate(rng, rng.choice(seeds)), None]), f"p{n}.js")
                    for n in range(rng.randrange(1, 4))
                ]
                libsourcemap.concat(parts)[1].to_json()
                continue
            else:
                index = sourcemap.loads(mutate(rng, rng.choice(seeds)).decode("utf-8", "replace"))
                for _ in range(5):
                    try:
                        index.lookup(rng.randrange(-3, 40), rng.randrange(-3, 5000))
                    except (IndexError, KeyError):
                        pass
                continue
        except InternalError:
            raise
        except ALLOWED as exc:
            if kind < 4 and not isinstance(exc, LOAD_ERRORS):
                raise  # loading bytes raises SourceMapError subclasses, nothing else
            continue
        if isinstance(view, View):
            exercise(rng, view)
    print(f"ok {iterations}")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]), int(sys.argv[2])))
