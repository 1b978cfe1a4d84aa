"""Bad input, closed objects, threads, interpreter exit and leaks: clean exceptions or
correct answers, never a crash. Anything that could crash runs in a child process."""

from __future__ import annotations

import gc
import json
import os
import platform
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import fixture_bytes, tiny_map, vlq
from hypothesis import given, settings
from hypothesis import strategies as st

import libsourcemap
from libsourcemap import BadJson, ClosedError, InvalidSourceMap, SourceMapError, View

HERE = Path(__file__).parent


def run_child(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", code] if code else [sys.executable, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=HERE)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_inputs_in_a_child_process(seed: int) -> None:
    child = run_child(str(HERE / "fuzz_child.py"), str(seed), "1500")
    assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-4000:]
    assert child.stdout.strip() == "ok 1500"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    for call in (
        lambda: libsourcemap.from_json(data),
        lambda: libsourcemap.from_json(data, strict=True),
        lambda: View.from_memdb(data),
        lambda: libsourcemap.Index.from_json(data),
    ):
        try:
            call()
        except SourceMapError:
            pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
map_fields = st.fixed_dictionaries(
    {},
    optional={
        "version": json_values,
        "sources": json_values,
        "sourcesContent": json_values,
        "names": json_values,
        "mappings": st.text(alphabet="ABCDEFGHgh+/,;!AB", max_size=40) | json_values,
        "sourceRoot": json_values,
        "file": json_values,
        "ignoreList": json_values,
        "sections": json_values,
        "debugId": json_values,
    },
)


@settings(max_examples=400, deadline=None)
@given(map_fields, st.booleans(), st.integers(-2, 5), st.integers(-2, 50))
def test_arbitrary_json_structures(
    doc: dict[str, object], strict: bool, line: int, col: int
) -> None:
    try:
        view = libsourcemap.from_json(json.dumps(doc), strict=strict, raise_for_index=False)
    except SourceMapError:
        return
    if isinstance(view, View):
        view.lookup_token(line, col)
        list(view)
        View.from_memdb(view.dump_memdb())


def test_non_utf8_and_nul_input() -> None:
    with pytest.raises(BadJson):
        libsourcemap.from_json(b'{"version":3,"sources":["\xff\xfe"],"names":[],"mappings":""}')
    with pytest.raises(BadJson):
        libsourcemap.from_json(b"\x00" * 10)
    view = View.from_json(tiny_map(sources=["a\u0000b.js"]))
    assert view.get_source_name(0) == "a\x00b.js"


def test_lone_surrogate_escapes_read_as_replacement_characters() -> None:
    # Valid JSON that UTF-8 cannot hold (found by the parse_json fuzz target: the view
    # parsed, then its contents, and so its memdb dump, failed). Read as U+FFFD, the way
    # JavaScript's TextEncoder writes a lone surrogate.
    data = (
        b'{"version":3,"sources":["a.js"],"names":["n\\udc00"],'
        b'"sourcesContent":["/[\\ud800-\\udfff]/ \\ud83d\\ude00"],"mappings":"AAAAA"}'
    )
    for strict in (False, True):
        view = View.from_json(data, strict=strict)
        assert view.get_source_contents(0) == "/[\ufffd-\ufffd]/ \U0001f600".encode()
        assert view.get_name(0) == "n\ufffd"
        cached = View.from_memdb(view.dump_memdb())
        assert cached.get_source_contents(0) == view.get_source_contents(0)


def test_wrong_argument_types() -> None:
    view = View.from_json(tiny_map())
    for call in (
        lambda: view.lookup_token(1.5, 0),  # type: ignore[arg-type]
        lambda: view.lookup_token(None, 0),  # type: ignore[arg-type]
        lambda: view.get_source_contents("0"),  # type: ignore[arg-type]
        lambda: view.get_source_name(None),  # type: ignore[arg-type]
        lambda: View.from_memdb_file(3.5),  # type: ignore[arg-type]
        lambda: libsourcemap.from_json(None),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError):
            call()


def test_eight_threads_get_the_answers_of_one() -> None:
    view = View.from_json(fixture_bytes("esbuild-lodash.min.js.map"))
    positions = [(t.dst_line, t.dst_col + k) for t in view for k in (0, 1)]
    expected = [view.lookup_token(line, col) for line, col in positions]
    results: list[list[object]] = [[] for _ in range(8)]

    def work(slot: int) -> None:
        results[slot] = [view.lookup_token(line, col) for line, col in positions]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


COPY_LIMIT = 1 << 20  # caches up to this size are read, larger ones memory-mapped


def big_view() -> View:
    """A real map whose memdb is over the copy limit (its sources repeated)."""
    doc = json.loads(fixture_bytes("esbuild-lodash.min.js.map"))
    doc["sourcesContent"] = [text * 8 for text in doc["sourcesContent"]]
    return View.from_json(json.dumps(doc))


def test_close_while_threads_use_a_mapped_cache() -> None:
    # Found a use-after-free once (a borrowed result copied after the handle was let go).
    child = run_child(str(HERE / "race_child.py"), "25")
    assert child.returncode == 0, child.stdout[-2000:] + child.stderr[-4000:]
    assert child.stdout.strip() == "ok 25"


def test_small_cache_survives_truncation_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "small.memdb"
    View.from_json(tiny_map()).dump_memdb_file(path)
    view = View.from_memdb_file(path)
    path.write_bytes(b"")  # truncated in place, as a careless writer would
    assert view.lookup_token(0, 0) is not None
    assert view.get_source_contents(0) == b"foo bar\nbaz"


def test_dump_memdb_file_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "big.memdb"
    first = big_view()
    first.dump_memdb_file(path)
    assert path.stat().st_size > COPY_LIMIT  # really memory-mapped
    mapped = View.from_memdb_file(path)
    View.from_json(tiny_map()).dump_memdb_file(path)  # replaced while mapped
    assert list(mapped) == list(first)
    assert mapped.get_source_contents(3) == first.get_source_contents(3)
    assert len(View.from_memdb_file(path)) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["big.memdb"]


def test_garbage_collection_at_interpreter_exit() -> None:
    code = """
import libsourcemap, json
from libsourcemap import compat
data = open('fixtures/terser-underscore.min.js.map', 'rb').read()
views = [libsourcemap.from_json(data) for _ in range(5)]
cycle = {'view': views[0]}
cycle['self'] = cycle
index = libsourcemap.Index.from_json(json.dumps({'version': 3, 'sections': []}))
legacy = compat.loads(data.decode())
legacy.lookup(0, 10)
views[1].close()
mapped = libsourcemap.View.from_memdb(views[2].dump_memdb())
import threading
def spin():
    for i in range(100000):
        views[3].lookup_token(0, i)
t = threading.Thread(target=spin, daemon=True)
t.start()
"""
    child = run_child(code=code)
    assert child.returncode == 0, child.stderr
    assert child.stderr == ""


#: Megabytes of RSS growth over 100k cycles a PyPy run may show without a leak.
PYPY_LIMIT = 50.0


def test_many_cycles_keep_memory_flat() -> None:
    code = """
import gc, libsourcemap
data = open('fixtures/terser-underscore.min.js.map', 'rb').read()
small = b'{"version":3,"sources":["a"],"names":["n"],"mappings":"AAAAA;CAAC"}'
stacks_map = open('fixtures/stacks/dist/esbuild.min.mjs.map', 'rb').read()
stacks_js = open('fixtures/stacks/dist/esbuild.min.mjs', 'rb').read()
frames = [(5, 8847), (3, 4197), (1, 1), (2, 100)]
import os, tempfile
memdb_path = os.path.join(tempfile.mkdtemp(), 'c.memdb')
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 1e6
def cycle(n):
    for i in range(n):
        view = libsourcemap.from_json(small)
        view.lookup_token(0, 0)
        view[1]
        if i % 100 == 0:
            big = libsourcemap.from_json(data)
            big.lookup_token(0, 500)
            libsourcemap.View.from_memdb(big.dump_memdb()).lookup_token(0, 500)
            big.close()
        if i % 500 == 0:
            # The whole symbolication path: function table, originals parsed in
            # parallel, frames with context, a memdb file written and read back.
            trace = libsourcemap.View.from_json(stacks_map)
            trace.resolve_frames(frames, stacks_js, 3)
            trace.get_context_lines(0, 3)
            trace.dump_memdb_file(memdb_path)
            cached = libsourcemap.View.from_memdb_file(memdb_path)
            cached.resolve_frames(frames, None, 3)
            cached.close()
            trace.close()
        view.close()
import sys
def collect():
    # Garbage collected, and what malloc holds free given back: RSS then counts what
    # is alive, not the allocator's high-water mark.
    gc.collect()
    import ctypes
    ctypes.CDLL("libc.so.6").malloc_trim(0)

cycle(20000)
collect()
# PyPy's heap keeps growing for the first few hundred thousand cycles before it levels
# off, and its RSS after a collection moves by tens of megabytes from round to round
# (measured here on the code of before and after this test's last change alike: +1010,
# +528, +129, +0.2, +36, +6 MB for rounds of 100k cycles; in a CI run under load the
# least of six was 28): there the least growth of six rounds is taken, and held to
# PYPY_LIMIT below. A leak grows in every round.
growths = []
for _ in range(1 if sys.implementation.name == "cpython" else 6):
    before = rss()
    cycle(100000)
    collect()
    growths.append(rss() - before)
print(f"{min(growths):.2f}")
"""
    child = run_child(code=code)
    assert child.returncode == 0, child.stderr
    growth = float(child.stdout)
    print(f"RSS growth over 100k cycles: {growth:.2f} MB")
    # CPython frees at once: 2 MB over 100k cycles catches a leak of 20 bytes a cycle.
    # PyPy's noise allows only a coarser bound: a leak of 500 bytes a cycle or more.
    assert growth < (2.0 if platform.python_implementation() == "CPython" else PYPY_LIMIT)


def test_closed_view_from_other_references() -> None:
    view = View.from_json(tiny_map())
    token = view.lookup_token(0, 0)
    view.close()
    gc.collect()
    assert token is not None and token.src == "a.js"  # tokens own their data
    with pytest.raises(ClosedError):
        view.iter_sources().__next__()


def test_huge_and_negative_numbers_in_maps() -> None:
    def tokens(mappings: str) -> list[libsourcemap.Token]:
        return list(View.from_json(tiny_map(mappings=mappings)))

    # One segment of 100,000 zero fields: lenient keeps the first five.
    assert tokens("A" * 100000) == [libsourcemap.Token(0, 0, "a.js", 0, 0, 0, "foo")]
    # A zero padded with 100,000 continuation digits is still a zero (an unmapped segment).
    assert tokens("g" * 100000 + "A") == [libsourcemap.Token(0, 0, None, None, None, None, None)]
    # 100,000 empty lines, then a token on the last.
    assert tokens(";" * 100000) == []
    view = View.from_json(tiny_map(mappings=";" * 100000 + "AAAA"))
    assert view.lookup_token(100000, 0) == libsourcemap.Token(100000, 0, "a.js", 0, 0, 0, None)
    # Huge values, and values that go negative, are errors that say so, in both modes.
    for mappings, message in [
        ("+/" * 1000, "VLQ value out of range"),
        ("AA" + vlq(2**40) + "A", "VLQ value out of range"),
        ("D", "generated column -1 out of range"),
        (vlq(-5), "generated column -5 out of range"),
        ("AAAD", "original column -1 out of range"),
        ("AA" + vlq(-(2**31)) + "A", "original line -2147483648 out of range"),
    ]:
        for strict in (False, True):
            with pytest.raises(InvalidSourceMap, match=message):
                libsourcemap.from_json(tiny_map(mappings=mappings), strict=strict)


if os.environ.get("LIBSOURCEMAP_FUZZ_ITERATIONS"):  # longer runs on demand

    def test_long_random_run() -> None:
        n = os.environ["LIBSOURCEMAP_FUZZ_ITERATIONS"]
        child = run_child(str(HERE / "fuzz_child.py"), "99", n)
        assert child.returncode == 0, child.stderr[-4000:]
