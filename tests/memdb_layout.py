"""The memdb layout, for tests that damage a memdb on purpose (see rust/src/memdb.rs).

`reseal` recomputes the checksums after a deliberate change, so that a test reaches the
structural checks behind them (bounds, sizes, parents) instead of the checksum check.
"""

from __future__ import annotations

import struct
from zlib import crc32

PARTS_AT = 24
PART_COUNT = 21
SUMS_AT = PARTS_AT + 16 * PART_COUNT
CHECK_AT = SUMS_AT + 16
HEADER_SIZE = CHECK_AT + 8
FUNCTION_RECORDS, CONTENT_LINES_INDEX, CONTENT_LINES = 12, 15, 16


def part_span(data: bytes, index: int) -> tuple[int, int]:
    """(offset, length) of part `index`."""
    offset, length = struct.unpack_from("<QQ", data, PARTS_AT + 16 * index)
    return offset, length


def part_entry(index: int) -> int:
    """Where part `index`'s (offset, length) pair is in the header."""
    return PARTS_AT + 16 * index


def reseal(data: bytes | bytearray) -> bytes:
    """`data` with every block checksum and the header checksum made to match it."""
    out = bytearray(data)
    shift = struct.unpack_from("<I", out, 20)[0]
    block = 1 << shift
    sums_at, _ = struct.unpack_from("<QQ", out, SUMS_AT)
    at = sums_at
    for index in range(PART_COUNT):
        offset, length = part_span(bytes(out), index)
        for start in range(0, length, block):
            chunk = out[offset + start : offset + min(start + block, length)]
            struct.pack_into("<I", out, at, crc32(bytes(chunk)))
            at += 4
    struct.pack_into("<I", out, CHECK_AT, crc32(bytes(out[:CHECK_AT])))
    return bytes(out)
