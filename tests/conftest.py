from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def panics_fail_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A caught Rust panic (`InternalError`) is a bug, never a clean error: wherever one is
    raised, even inside a test that expects some `SourceMapError`, the test fails."""
    from libsourcemap import _native
    from libsourcemap.errors import InternalError

    raise_error = _native.raise_error

    def failing(err: Any) -> None:
        try:
            raise_error(err)  # resets the thread's error struct, then raises
        except InternalError as exc:
            pytest.fail(f"caught Rust panic: {exc}")

    monkeypatch.setattr(_native, "raise_error", failing)


#: Real bundler output (see fixtures/generate.mjs): map file -> minified file.
REAL_MAPS = {
    "esbuild-lodash.min.js.map": "esbuild-lodash.min.js",
    "terser-underscore.min.js.map": "terser-underscore.min.js",
    "index-concat.flat.map": "index-concat.min.js",
    "index-concat.index.map": "index-concat.min.js",
}

#: Those and the stack-trace corpus' bundles (fixtures/generate-stacks.mjs).
ALL_REAL_MAPS = [*REAL_MAPS, "stacks/dist/esbuild.min.mjs.map", "stacks/dist/terser.min.mjs.map"]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def tiny_map(**fields: object) -> bytes:
    """A small hand-written map; keyword arguments replace or add fields (None drops)."""
    doc: dict[str, object] = {
        "version": 3,
        "sources": ["a.js"],
        "names": ["foo"],
        "mappings": "AAAAA,CAAC;AACA",
        "sourcesContent": ["foo bar\nbaz"],
    }
    for key, value in fields.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return json.dumps(doc).encode()


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int, signed: bool = True) -> str:
    """An independent base64 VLQ encoder, to check the core's decoder against; with
    ``signed=False``, of an unsigned VLQ (the proposals' fields: every bit a value bit)."""
    if signed:
        rest = (-value << 1) | 1 if value < 0 else value << 1
    else:
        rest = value
    out = ""
    while True:
        digit, rest = rest & 31, rest >> 5
        out += B64[digit | (32 if rest else 0)]
        if not rest:
            return out


def encode_mappings(tokens: list[tuple[Any, ...]], lines: int) -> str:
    """`mappings` text for tokens sorted by generated position:
    (dst_line, dst_col, source index or None, src_line, src_col, name index or None)."""
    out: list[list[tuple[int, str]]] = [[] for _ in range(lines)]
    state = [0, 0, 0, 0]
    for dst_line, dst_col, src, src_line, src_col, name in tokens:
        prev_col = out[dst_line][-1][0] if out[dst_line] else 0
        seg = vlq(dst_col - prev_col)
        if src is not None:
            seg += vlq(src - state[0]) + vlq(src_line - state[1]) + vlq(src_col - state[2])
            state[:3] = [src, src_line, src_col]
            if name is not None:
                seg += vlq(name - state[3])
                state[3] = name
        out[dst_line].append((dst_col, seg))
    return ";".join(",".join(seg for _, seg in line) for line in out)


def segment_lists(sources: int, names: int, max_size: int = 60) -> Any:
    """Hypothesis: lists of segments ``(dst_line, dst_col, mapped)``, ``mapped`` being
    ``None`` (unmapped) or ``(src_id, src_line, src_col, name_id or None)`` with ids below
    ``sources`` and ``names``; positions repeat, in any order."""
    from hypothesis import strategies as st

    original = st.tuples(
        st.integers(0, sources - 1),
        st.integers(0, 100),
        st.integers(0, 100),
        st.one_of(st.none(), st.integers(0, names - 1)),
    )
    segment = st.tuples(st.integers(0, 5), st.integers(0, 300), st.one_of(st.none(), original))
    return st.lists(segment, max_size=max_size)


@pytest.fixture(params=sorted(REAL_MAPS))
def real_map(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


def close_during_calls(obj: Any, call: Callable[[], object], threads: int = 4) -> None:
    """Closes ``obj`` while ``threads`` threads repeat ``call``: every call must either
    finish or raise ClosedError, nothing else."""
    from libsourcemap import ClosedError

    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20000):
                call()
        except ClosedError:
            pass
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    obj.close()
    for worker in workers:
        worker.join()
    assert errors == []


JS_REFERENCES = Path(__file__).parent / "js"


@pytest.fixture(scope="session")
def js_reference() -> Callable[..., Any]:
    """Runs tests/js/reference.mjs (the JavaScript libraries our writers are held to):
    ``js_reference("remap", cases=[...])``. Installs them with ``npm ci`` the first time
    (node and npm are on every machine the tests run on)."""
    import shutil
    import subprocess

    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the writer tests need node and npm on PATH"
    if not (JS_REFERENCES / "node_modules" / "@jridgewell" / "remapping").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=JS_REFERENCES,
            check=True,
        )

    def run(op: str, **request: Any) -> Any:
        done = subprocess.run(
            [node, str(JS_REFERENCES / "reference.mjs")],
            input=json.dumps({"op": op, **request}).encode(),
            capture_output=True,
        )
        assert done.returncode == 0, f"reference.mjs {op} failed:\n{done.stderr.decode()}"
        return json.loads(done.stdout)

    return run
