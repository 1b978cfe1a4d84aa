"""``Symbolicator(cache_dir=...)`` / ``libsourcemap symbolicate --cache-dir``: the first
symbolication of a build writes a memdb cache with its function table, later ones (in any
process) open it instead of parsing; caches are written atomically and shared safely."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from memdb_layout import CONTENT_LINES_INDEX, PART_COUNT, part_span

from libsourcemap import Frame, Symbolicator, View, symbolicate
from libsourcemap.cli import main
from libsourcemap.symbolication.cache import MemdbCache

# The module, not the function of the same name that the package exports.
symbolicate_module = importlib.import_module("libsourcemap.symbolication.symbolicator")
EXAMPLES = Path(__file__).parent.parent / "examples"
TRACE = (EXAMPLES / "stacktrace.txt").read_text()


@pytest.fixture
def build(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "dist", tmp_path / "dist")
    return tmp_path / "dist"


def as_dicts(frames: list[Frame]) -> list[dict[str, object]]:
    return [frame.to_dict() for frame in frames]


def no_minified_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes passing a minified source to be parsed fail the test."""
    resolve_frames = View.resolve_frames

    def checked(view: View, frames: object, minified: object = None, *rest: object) -> object:
        assert minified is None, "minified source parsed although a cache was there"
        return resolve_frames(view, frames, minified, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(View, "resolve_frames", checked)


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes parsing a map or the minified source fail the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("map parsed although a cache was there")

    monkeypatch.setattr(symbolicate_module, "from_json", refuse)
    no_minified_parse(monkeypatch)


def test_second_run_opens_the_cache(
    build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    expected = as_dicts(symbolicate(TRACE, root=build))
    first = as_dicts(symbolicate(TRACE, root=build, cache_dir=cache))
    assert first == expected
    memdbs = list(cache.glob("*.memdb"))
    assert len(memdbs) == 1 and memdbs[0].name.startswith("blake2b-")
    assert View.from_memdb_file(memdbs[0]).has_function_table
    assert len(list((cache / "by-file").iterdir())) == 1
    no_parsing(monkeypatch)
    assert as_dicts(symbolicate(TRACE, root=build, cache_dir=cache)) == expected


def test_the_same_build_elsewhere_shares_the_cache(
    build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    expected = as_dicts(symbolicate(TRACE, root=build, cache_dir=cache))
    other = tmp_path / "other" / "dist"
    shutil.copytree(build, other)
    # The map is parsed (to hash it) but the minified source is not: the cache is used.
    no_minified_parse(monkeypatch)
    with Symbolicator(root=other, cache_dir=cache) as symbolicator:
        frames = symbolicator.symbolicate(TRACE)
    assert as_dicts(frames) == expected
    assert len(list(cache.glob("*.memdb"))) == 1
    assert len(list((cache / "by-file").iterdir())) == 2


def test_a_changed_map_is_not_served_from_the_old_cache(build: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    symbolicate(TRACE, root=build, cache_dir=cache)
    doc = json.loads((build / "app.min.js.map").read_text())
    doc["sourcesContent"] = [None] * len(doc["sourcesContent"])
    (build / "app.min.js.map").write_text(json.dumps(doc))
    frames = symbolicate(TRACE, root=build, cache_dir=cache)
    assert all(f.context_line is None for f in frames)
    assert len(list(cache.glob("*.memdb"))) == 2


def test_a_damaged_cache_is_rebuilt(build: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = as_dicts(symbolicate(TRACE, root=build, cache_dir=cache))
    for memdb in cache.glob("*.memdb"):
        memdb.write_bytes(memdb.read_bytes()[:300])
    assert as_dicts(symbolicate(TRACE, root=build, cache_dir=cache)) == expected
    for pointer in (cache / "by-file").iterdir():
        pointer.write_text("../../etc/passwd")
    assert as_dicts(symbolicate(TRACE, root=build, cache_dir=cache)) == expected


def test_a_cache_damaged_inside_is_rebuilt_on_use(build: Path, tmp_path: Path) -> None:
    """A cache whose header is fine but whose line index is garbage opens, then fails on
    the first frame: the map is parsed again and the cache rewritten, with no frame lost."""
    cache = tmp_path / "cache"
    expected = as_dicts(symbolicate(TRACE, root=build, cache_dir=cache))
    (memdb,) = cache.glob("*.memdb")
    data = bytearray(memdb.read_bytes())
    index_at, index_len = part_span(bytes(data), CONTENT_LINES_INDEX)
    for at in range(index_at, index_at + index_len, 4):
        struct.pack_into("<I", data, at, 0x7FFFFFF0)
    memdb.write_bytes(bytes(data))
    assert as_dicts(symbolicate(TRACE, root=build, cache_dir=cache)) == expected
    assert memdb.read_bytes() != bytes(data)  # rewritten
    assert as_dicts(symbolicate(TRACE, root=build, cache_dir=cache)) == expected


@pytest.mark.parametrize("where", ["header", "tables"])
def test_a_damaged_cache_is_counted_and_logged_once(
    build: Path, tmp_path: Path, where: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Bit rot in a cache (a flipped bit in the header, or 64 garbage bytes in its
    tables): never served, rebuilt, counted, and logged once with the file's path."""
    cache = tmp_path / "cache"
    expected = as_dicts(symbolicate(TRACE, root=build, cache_dir=cache))
    (memdb,) = cache.glob("*.memdb")
    data = bytearray(memdb.read_bytes())
    if where == "header":
        data[40] ^= 0x04
    else:
        for index in range(PART_COUNT):  # every part (empty ones are skipped below)
            offset, length = part_span(bytes(data), index)
            at = offset + length // 2
            data[at : at + min(64, length)] = bytes(b ^ 0x5A for b in data[at : at + 64][:length])
    memdb.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="libsourcemap"):
        with Symbolicator(root=build, cache_dir=cache) as sym:
            assert as_dicts(sym.symbolicate(TRACE)) == expected
            assert as_dicts(sym.symbolicate(TRACE)) == expected
            assert sym.damaged_caches == 1
    warnings = [r for r in caplog.records if r.name == "libsourcemap"]
    assert len(warnings) == 1 and str(memdb) in warnings[0].getMessage()
    assert memdb.read_bytes() != bytes(data)  # rewritten
    with Symbolicator(root=build, cache_dir=cache) as sym:
        assert as_dicts(sym.symbolicate(TRACE)) == expected
        assert sym.damaged_caches == 0


def test_temporary_files_of_killed_writers_are_swept(build: Path, tmp_path: Path) -> None:
    """A writer killed mid-write leaves its temporary file; the next store deletes those
    older than an hour (younger ones may belong to a live writer)."""
    cache = tmp_path / "cache"
    MemdbCache(cache)
    old, young = cache / ".memdb-abc123", cache / "by-file" / ".pointer-young"
    for path in (old, young):
        path.write_bytes(b"partial")
    os.utime(old, (0, 0))
    symbolicate(TRACE, root=build, cache_dir=cache)
    assert not old.exists() and young.exists()


def test_bundles_use_the_cache_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A source bundle's map is cached by its debug id (or bytes) on first use; later
    symbolications, with a newly opened bundle, parse neither the map nor the minified
    file."""
    from libsourcemap import SourceBundle
    from libsourcemap.bundle.writer import create_bundle

    create_bundle(EXAMPLES / "dist", tmp_path / "release.zip")
    cache = tmp_path / "cache"
    with SourceBundle.open(tmp_path / "release.zip") as bundle:
        expected = as_dicts(symbolicate(TRACE, bundle=bundle))
    with SourceBundle.open(tmp_path / "release.zip") as bundle:
        assert as_dicts(symbolicate(TRACE, bundle=bundle, cache_dir=cache)) == expected
    assert len(list(cache.glob("*.memdb"))) == 1

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bundle's map was parsed although a cache was there")

    monkeypatch.setattr(SourceBundle, "get_view", refuse)
    with SourceBundle.open(tmp_path / "release.zip") as bundle:
        assert as_dicts(symbolicate(TRACE, bundle=bundle, cache_dir=cache)) == expected


def test_debug_id_keys_the_cache(tmp_path: Path) -> None:
    view = View.from_json(
        b'{"version":3,"sources":[],"names":[],"mappings":"",'
        b'"debugId":"85314830-023F-4CF1-A267-535F4E37BB17"}'
    )
    assert MemdbCache.key_for(b"", view) == "debugid-85314830023f4cf1a267535f4e37bb17"
    odd = View.from_json(b'{"version":3,"sources":[],"names":[],"mappings":"","debugId":"a/b"}')
    assert MemdbCache.key_for(b"x", odd).startswith("blake2b-")
    assert MemdbCache.key_for(b"x") != MemdbCache.key_for(b"y")
    assert MemdbCache.debug_id_key("a/b") is None and MemdbCache.debug_id_key(None) is None


def test_processes_share_one_cache_directory(build: Path, tmp_path: Path) -> None:
    """Four processes symbolicate at once with an empty cache: all succeed, all agree."""
    cache = tmp_path / "cache"
    script = (
        "import json, sys\n"
        "from libsourcemap import symbolicate\n"
        "frames = symbolicate(sys.stdin.read(), root=sys.argv[1], cache_dir=sys.argv[2])\n"
        "print(json.dumps([f.to_dict() for f in frames]))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(build), str(cache)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(TRACE)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    expected = as_dicts(symbolicate(TRACE, root=build))
    assert all(json.loads(out) == expected for out in outputs)
    assert len(list(cache.glob("*.memdb"))) == 1
    assert not [p for p in cache.rglob(".*")], "temporary files left behind"


def test_cache_files_are_readable_by_others(build: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    symbolicate(TRACE, root=build, cache_dir=cache)
    for path in [*cache.glob("*.memdb"), *(cache / "by-file").iterdir()]:
        assert os.stat(path).st_mode & 0o044 == 0o044


def test_cli_cache_dir(build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "trace.txt"
    trace.write_text(TRACE)
    cache = tmp_path / "cache"
    outputs = []
    for _ in range(2):
        code = main(["symbolicate", str(trace), "--root", str(build), "--cache-dir", str(cache)])
        assert code == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert main(["symbolicate", str(trace), "--root", str(build)]) == 0
    assert capsys.readouterr().out == outputs[0]
    assert len(list(cache.glob("*.memdb"))) == 1
