"""The memdb cache: corrupt, truncated and foreign bytes always give a clean exception."""

from __future__ import annotations

import errno
import json
import os
import random
import struct
from pathlib import Path

import pytest
from conftest import fixture_bytes, tiny_map
from memdb_layout import FUNCTION_RECORDS, part_entry, part_span, reseal

from libsourcemap import BadIo, BadMemDb, SourceMapError, UnsupportedMemDbVersion, View

MEMDB = View.from_json(tiny_map(sourcesContent=["x\\ny"], file="f.js")).dump_memdb()


def test_header_layout() -> None:
    assert MEMDB[:8] == b"LSMMEMDB"
    assert struct.unpack_from("<I", MEMDB, 8)[0] == 5


def test_truncated_at_every_offset() -> None:
    for size in range(len(MEMDB)):
        with pytest.raises(BadMemDb):
            View.from_memdb(MEMDB[:size])


def test_wrong_magic() -> None:
    with pytest.raises(BadMemDb, match="magic"):
        View.from_memdb(b"NOTADB!!" + MEMDB[8:])
    with pytest.raises(BadMemDb):
        View.from_memdb(tiny_map())


def test_wrong_version() -> None:
    data = bytearray(MEMDB)
    struct.pack_into("<I", data, 8, 99)
    with pytest.raises(UnsupportedMemDbVersion, match="99"):
        View.from_memdb(bytes(data))


def exercise(view: View) -> None:
    """Touch everything a corrupt table could break."""
    list(view)
    for line in range(3):
        for col in range(6):
            view.lookup_token(line, col)
    for src_id in range(view.get_source_count() + 1):
        view.get_source_contents(src_id)
        view.get_source_name(src_id)
    assert view.file is None or isinstance(view.file, str)
    view.dump_memdb()


@pytest.mark.parametrize("seed", range(8))
def test_random_bit_flips_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    source = fixture_bytes("terser-underscore.min.js.map")
    base = View.from_json(source).dump_memdb()
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(data))
            data[pos] ^= 1 << rng.randrange(8)
        try:
            exercise(View.from_memdb(bytes(data)))
        except SourceMapError:
            pass


def test_flipped_small_cache_everywhere() -> None:
    for pos in range(len(MEMDB)):
        data = bytearray(MEMDB)
        data[pos] ^= 0xFF
        try:
            exercise(View.from_memdb(bytes(data)))
        except SourceMapError:
            pass


def answers(view: View) -> list[object]:
    """Everything a view answers: tokens, lookups, sources, contents, names, function
    names, context lines (what a damaged cache must never change without an error)."""
    out: list[object] = [list(view), view.file, view.get_source_count()]
    for token in list(view)[::7]:
        for col in (token.dst_col, token.dst_col + 1):
            out.append(view.lookup_token(token.dst_line, col))
            out.append(view.get_original_function_name(token.dst_line, col))
            out.append(view.get_context_lines(token.src_id, token.src_line))
    for src_id in range(view.get_source_count()):
        out += [view.get_source_name(src_id), view.get_source_contents(src_id)]
    return out


def test_checksums_are_zlib_crc32() -> None:
    """The checksums are zlib's CRC-32: any tool can check a memdb (resealing a clean
    cache changes nothing)."""
    base = functions_memdb()
    assert reseal(base) == base


def functions_memdb() -> bytes:
    view = View.from_json(fixture_bytes("terser-underscore.min.js.map"))
    view.attach_minified_source(fixture_bytes("terser-underscore.min.js"))
    return view.dump_memdb()


def test_damage_is_caught_or_harmless() -> None:
    """Single-bit flips anywhere and 64 garbage bytes at random places: the view opened
    over the damaged bytes answers exactly as the clean one or raises BadMemDb (the
    header's version field aside, which says UnsupportedMemDbVersion)."""
    rng = random.Random(426)
    base = functions_memdb()
    expected = answers(View.from_memdb(base))
    caught = 0
    for round in range(200):
        data = bytearray(base)
        if round % 2:
            pos = rng.randrange(len(data))
            data[pos] ^= 1 << rng.randrange(8)
        else:
            pos = rng.randrange(len(data) - 64)
            data[pos : pos + 64] = rng.randbytes(64)
        try:
            got = answers(View.from_memdb(bytes(data)))
        except (BadMemDb, UnsupportedMemDbVersion):
            caught += 1
            continue
        assert got == expected, f"damage at {pos} changed an answer"
    assert caught > 150  # nearly every byte of a memdb is read by some answer


def test_damage_is_found_when_read_and_named() -> None:
    """Opening reads the header only; a damaged block is found by the first read that
    uses it, and the error names the part and where it is."""
    base = functions_memdb()
    offset, length = part_span(base, 7)  # ContentsBlob
    data = bytearray(base)
    data[offset + length // 2] ^= 0x10
    view = View.from_memdb(bytes(data))
    assert len(view) == len(View.from_memdb(base))
    assert view.lookup_token(0, 100) == View.from_memdb(base).lookup_token(0, 100)
    with pytest.raises(BadMemDb, match=r"part ContentsBlob: bytes \d+\.\.\d+ .*file offset \d+"):
        view.get_source_contents(0)
    with pytest.raises(BadMemDb, match="ContentsBlob"):
        view.dump_memdb()  # a copy verifies everything it copies
    # The header has its own checksum.
    data = bytearray(base)
    data[part_entry(3) + 3] ^= 1
    with pytest.raises(BadMemDb, match="header"):
        View.from_memdb(bytes(data))


def test_every_bit_of_a_small_cache() -> None:
    expected = answers(View.from_memdb(MEMDB))
    for pos in range(len(MEMDB)):
        for bit in range(8):
            data = bytearray(MEMDB)
            data[pos] ^= 1 << bit
            try:
                got = answers(View.from_memdb(bytes(data)))
            except (BadMemDb, UnsupportedMemDbVersion):
                continue
            assert got == expected, (pos, bit)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(BadIo, match="missing") as missing:
        View.from_memdb_file(tmp_path / "missing")
    # An OSError as well, saying what the system said, with the file.
    assert isinstance(missing.value, OSError) and missing.value.errno == errno.ENOENT
    assert missing.value.filename == str(tmp_path / "missing")
    assert missing.value.strerror == os.strerror(errno.ENOENT)
    with pytest.raises(BadIo, match="directory") as directory:
        View.from_memdb_file(tmp_path)
    assert directory.value.errno == errno.EISDIR
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(BadMemDb):
        View.from_memdb_file(empty)
    with pytest.raises(ValueError):
        View.from_memdb_file("bad\0path")
    # Unreadable paths that fail even for root: a dangling symlink, a file used as a
    # directory.
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(BadIo):
        View.from_memdb_file(tmp_path / "dangling")
    (tmp_path / "plain").write_bytes(MEMDB)
    with pytest.raises(BadIo, match="Not a directory"):
        View.from_memdb_file(tmp_path / "plain" / "child")


def test_mapped_file_accepts_str_bytes_and_pathlike(tmp_path: Path) -> None:
    path = tmp_path / "c.memdb"
    path.write_bytes(MEMDB)
    for p in (path, str(path), os.fsencode(path)):
        assert len(View.from_memdb_file(p)) == 3


def test_corrupt_function_table_is_an_error_not_a_hang() -> None:
    # Two nested functions; then the inner record's parent is pointed at itself, which a
    # naive walk up the parents would follow forever.
    source = "function outer(){function inner(){return 1}return 2}"
    doc = {"version": 3, "sources": ["a.js"], "names": [], "mappings": "AAAA"}
    view = View.from_json(json.dumps(doc))
    view.attach_minified_source(source)
    data = bytearray(view.dump_memdb())
    records_at, records_len = part_span(bytes(data), FUNCTION_RECORDS)
    assert records_len == 2 * 44
    inner = records_at + 44
    struct.pack_into("<IIII", data, inner, 0, 0, 0, 1)  # range 0:0..0:1, far from col 40
    struct.pack_into("<I", data, inner + 16, 1)  # parent: itself
    # Sealed again: the structural check behind the checksums is what is tested here.
    corrupt = View.from_memdb(reseal(data))
    with pytest.raises(BadMemDb, match="parent"):
        corrupt.get_original_function_name(0, 45)
    # A table with a partial record is refused when opened.
    struct.pack_into("<Q", data, part_entry(FUNCTION_RECORDS) + 8, records_len - 1)
    with pytest.raises(BadMemDb, match="partial record"):
        View.from_memdb(reseal(data))
