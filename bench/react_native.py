"""React Native and Hermes: accuracy against metro-symbolicate and speed against symbolic
13.9, on real builds (tests/fixtures/rn/generate.mjs: Metro with React Native's config,
hermesc, maps composed as React Native does, traces from the `hermes` VM and from node):
the committed small app, and the same app with lodash-es, rxjs, three and react in it
(generated into bench/data/rn-large on first use, not committed):

    python bench/react_native.py [--rounds 20]

Accuracy: every frame of the Hermes trace (bytecode offsets, the composed map) and of
the V8 trace of the same build run as JavaScript (Metro's index map), each resolved by
libsourcemap, by metro-symbolicate (the reference: its function name is the right name),
and by symbolic's ``SourceMapView.lookup(line, col, name, source_view)`` and
``SourceMapCache.lookup`` (GlitchTip's two paths). A name counts as right when it is the
reference's; a position when its file and line are the reference's.

Speed, on each build: its Hermes trace from the files: libsourcemap's ``Symbolicator`` on
a fresh build (reads and parses the map, resolves the frames), from its memdb cache (a
warm cache directory), and symbolic's ``SourceMapCache.from_bytes`` plus a lookup per
frame (``SourceMapView`` and ``SourceMapCache`` are given the same frames).
Each in a fresh process: cold is the first run, warm the median of the rounds after it.
Written to bench/react_native_results.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness import DATA, ROOT, child_json, cold_and_warm, fresh_venv, write_result

SMALL = ROOT / "tests" / "fixtures" / "rn" / "build"
LARGE = DATA / "rn-large"
JS = ROOT / "tests" / "js"


def hermes_frames(build: Path) -> list[tuple[str, int, int]]:
    """(function, line, bytecode offset) of every located frame of the Hermes trace."""
    pattern = re.compile(r"at (\S+) \(address at [^:]+:(\d+):(\d+)\)")
    return [
        (m[1], int(m[2]), int(m[3])) for m in pattern.finditer((build / "hermes.txt").read_text())
    ]


def v8_frames(build: Path) -> list[tuple[str | None, int, int]]:
    """(function, line, 1-based column) of every frame of the V8 trace in the bundle."""
    pattern = re.compile(r"at (?:(\S+) \()?file://\S+index\.android\.bundle\.js:(\d+):(\d+)")
    return [(m[1], int(m[2]), int(m[3])) for m in pattern.finditer((build / "v8.txt").read_text())]


# -- the children -----------------------------------------------------------------------


def child(case: str, build: Path, rounds: int) -> dict[str, Any]:
    import libsourcemap
    from libsourcemap import Symbolicator  # imported before the clock starts

    trace = (build / "hermes.txt").read_text()
    if case == "fresh":
        return cold_and_warm(rounds, lambda: Symbolicator(root=build).symbolicate(trace))
    if case == "cached":
        cache = tempfile.mkdtemp()
        Symbolicator(root=build, cache_dir=cache).symbolicate(trace)  # fills it
        return cold_and_warm(
            rounds, lambda: Symbolicator(root=build, cache_dir=cache).symbolicate(trace)
        )
    del libsourcemap
    raise SystemExit(f"unknown case {case}")


SYMBOLIC_CHILD = """
import json, statistics, sys, time
from symbolic import SourceMapCache, SourceMapView, SourceView
rn, rounds = sys.argv[1], int(sys.argv[2])
hermes, v8 = json.loads(sys.argv[3]), json.loads(sys.argv[4])
composed = open(rn + "/index.android.bundle.map", "rb").read()
def run():
    cache = SourceMapCache.from_bytes(b"", composed)
    return [cache.lookup(line, offset + 1, 0) for _, line, offset in hermes]
runs = []
for _ in range(rounds + 1):
    start = time.perf_counter(); run(); runs.append((time.perf_counter() - start) * 1000)
def answer(token):
    if token is None: return None
    return [token.src, token.line, token.function_name]
names = {}
cache = SourceMapCache.from_bytes(b"", composed)
names["hermes SourceMapCache"] = [answer(cache.lookup(l, o + 1, 0)) for _, l, o in hermes]
view = SourceMapView.from_json_bytes(composed)
def view_answer(token):
    if token is None: return None
    return [token.src, token.src_line + 1, token.function_name]
source = SourceView.from_bytes(b"")
names["hermes SourceMapView"] = [
    view_answer(view.lookup(l - 1, o, f, source)) for f, l, o in hermes
]
js = open(rn + "/index.android.bundle.js", "rb").read()
packager = open(rn + "/index.android.bundle.packager.map", "rb").read()
try:
    pview = SourceMapView.from_json_bytes(packager)
    jsview = SourceView.from_bytes(js)
    names["v8 SourceMapView"] = [
        view_answer(pview.lookup(l - 1, c - 1, f, jsview)) for f, l, c in v8
    ]
except Exception as error:
    names["v8 SourceMapView"] = repr(error)
try:
    pcache = SourceMapCache.from_bytes(js, packager)
    names["v8 SourceMapCache"] = [answer(pcache.lookup(l, c, 0)) for _, l, c in v8]
except Exception as error:
    names["v8 SourceMapCache"] = repr(error)
timing = {"cold": runs[0], "warm": statistics.median(runs[1:])}
print(json.dumps({"timing": timing, "names": names}))
"""


def run_ours(case: str, build: Path, rounds: int) -> dict[str, Any]:
    return child_json([sys.executable, __file__, "--child", case, build, "--rounds", str(rounds)])


def run_symbolic(build: Path, rounds: int) -> dict[str, Any]:
    args = [json.dumps(hermes_frames(build)), json.dumps(v8_frames(build))]
    command = [fresh_venv("symbolic"), "-c", SYMBOLIC_CHILD, build, str(rounds), *args]
    return child_json(command)


def metro(map_path: Path, positions: list[tuple[int, int]]) -> list[list[Any]]:
    """metro-symbolicate's answers (tests/js/reference.mjs), installing it if needed."""
    if not (JS / "node_modules" / "metro-symbolicate").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, check=True)
    request = {"op": "metro", "map": str(map_path), "positions": positions}
    done = subprocess.run(
        ["node", str(JS / "reference.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)["positions"]  # type: ignore[no-any-return]


def ours_answers(build: Path) -> dict[str, list[Any]]:
    import shutil

    import libsourcemap

    def answers(frames: list[Any]) -> list[Any]:
        return [None if f.error else [f.source, f.line, f.function] for f in frames]

    located = [
        f for f in libsourcemap.parse_stacktrace((build / "hermes.txt").read_text()) if f.file
    ]
    with libsourcemap.Symbolicator(root=build) as sym:
        hermes = answers(sym.resolve_all(located))
    with tempfile.TemporaryDirectory() as root:
        shutil.copy(build / "index.android.bundle.js", root)
        shutil.copy(
            build / "index.android.bundle.packager.map", Path(root) / "index.android.bundle.map"
        )
        v8_text = (build / "v8.txt").read_text()
        stack = [f for f in libsourcemap.parse_stacktrace(v8_text) if f.file and "bundle" in f.file]
        with libsourcemap.Symbolicator(root=root) as sym:
            v8 = answers(sym.resolve_all(stack))
    return {"hermes": hermes, "v8": v8}


def score(answers: Any, reference: list[list[Any]]) -> tuple[int, int, int]:
    """(positions right, names right, frames the reference resolves)."""
    resolvable = [i for i, r in enumerate(reference) if r[0] is not None]
    if not isinstance(answers, list):
        return 0, 0, len(resolvable)
    position = name = 0
    for i in resolvable:
        got = answers[i]
        if got is None:
            continue
        position += got[0] == reference[i][0] and got[1] == reference[i][1]
        name += got[2] == reference[i][4]
    return position, name, len(resolvable)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--child", nargs=2, metavar=("CASE", "BUILD"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]), args.rounds)))
        return
    if not (LARGE / "hermes.txt").exists():
        generate = ROOT / "tests" / "fixtures" / "rn" / "generate.mjs"
        subprocess.run(["node", str(generate), "--large", str(LARGE)], check=True)
    out = [
        "# React Native and Hermes: libsourcemap, metro-symbolicate and symbolic 13.9",
        "",
        f"`python bench/react_native.py --rounds {args.rounds}`; right = metro-symbolicate's "
        "answer (of the frames it resolves).",
    ]
    for label, build in [("small app (tests/fixtures/rn)", SMALL), ("large app", LARGE)]:
        out += report(label, build, args.rounds)
    print(write_result("react_native_results.md", out))


def report(label: str, build: Path, rounds: int) -> list[str]:
    hermes, v8 = hermes_frames(build), v8_frames(build)
    hermes_ref = metro(build / "index.android.bundle.map", [(line, off) for _, line, off in hermes])
    packager = build / "index.android.bundle.packager.map"
    v8_ref = metro(packager, [(line, col - 1) for _, line, col in v8])
    ours = ours_answers(build)
    theirs = run_symbolic(build, rounds)
    fresh, cached = run_ours("fresh", build, rounds), run_ours("cached", build, rounds)
    composed_mb = (build / "index.android.bundle.map").stat().st_size / 1e6
    rows = [
        ("libsourcemap", "Hermes (bytecode, composed map)", ours["hermes"], hermes_ref),
        (
            "symbolic `SourceMapView.lookup`",
            "Hermes",
            theirs["names"]["hermes SourceMapView"],
            hermes_ref,
        ),
        (
            "symbolic `SourceMapCache.lookup`",
            "Hermes",
            theirs["names"]["hermes SourceMapCache"],
            hermes_ref,
        ),
        ("libsourcemap", "V8 (plain bundle, Metro's index map)", ours["v8"], v8_ref),
        ("symbolic `SourceMapView.lookup`", "V8", theirs["names"]["v8 SourceMapView"], v8_ref),
        ("symbolic `SourceMapCache.lookup`", "V8", theirs["names"]["v8 SourceMapCache"], v8_ref),
    ]
    out = [
        "",
        f"## {label}: composed map {composed_mb:.1f} MB, {len(hermes)} Hermes frames, "
        f"{len(v8)} V8 frames",
        "",
        "| | trace | positions right | names right |",
        "|---|---|---:|---:|",
    ]
    for who, trace, answers, reference in rows:
        position, name, total = score(answers, reference)
        note = "" if isinstance(answers, list) else f" ({answers[:60]})"
        out.append(f"| {who}{note} | {trace} | {position} of {total} | {name} of {total} |")
    symbolic_ms = theirs["timing"]
    out += [
        "",
        f"Symbolicating its Hermes trace ({len(hermes)} frames) from the files, milliseconds:",
        "",
        "| | cold | warm | symbolic / this (warm) |",
        "|---|---:|---:|---:|",
    ]
    for name, row in [
        ("libsourcemap `Symbolicator`, fresh build (map parsed)", fresh),
        ("libsourcemap `Symbolicator`, from its memdb cache", cached),
        (f"symbolic `SourceMapCache.from_bytes` + {len(hermes)} lookups", symbolic_ms),
    ]:
        ratio = symbolic_ms["warm"] / row["warm"]
        out.append(f"| {name} | {row['cold']:.2f} | {row['warm']:.2f} | {ratio:.1f}× |")
    return out


if __name__ == "__main__":
    main()
