"""Base64 VLQ values (ECMA-426 §5.1), as ``ecma426.vlq`` has them: ``decode_string`` and
``encode_values``, 32-bit signed, with ``-2147483648`` written as ``B``."""

from __future__ import annotations

from collections.abc import Iterable

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_DIGITS = {c: i for i, c in enumerate(_ALPHABET)}
_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1

__all__ = ["decode_string", "encode_values"]


def decode_string(segment: str) -> list[int]:
    """Every VLQ value in ``segment``. ``ValueError`` for a character outside base64, a
    value cut off at the end, or one of 2^31 or more."""
    values = []
    at, end = 0, len(segment)
    while at < end:
        digit = _digit(segment, at)
        negative = digit & 1
        value = (digit >> 1) & 0x0F
        shift = 16
        while digit & 0x20:
            at += 1
            if at >= end:
                raise ValueError("unterminated VLQ (unexpected end of segment)")
            digit = _digit(segment, at)
            value += (digit & 0x1F) * shift
            if value >= 2**31:
                raise ValueError("VLQ value exceeds 32-bit range (>= 2^31)")
            shift *= 32
        at += 1
        values.append(_INT_MIN if negative and value == 0 else -value if negative else value)
    return values


def _digit(segment: str, at: int) -> int:
    digit = _DIGITS.get(segment[at])
    if digit is None:
        raise ValueError(f"invalid base64 digit: {segment[at]!r}")
    return digit


def encode_values(values: Iterable[int]) -> str:
    """The VLQs of 32-bit signed ``values``; ``ValueError`` outside that range."""
    out = []
    for n in values:
        if n < _INT_MIN or n > _INT_MAX:
            raise ValueError("VLQ value out of 32-bit range")
        if n == _INT_MIN:
            out.append("B")
            continue
        value = -n if n < 0 else n
        digit = ((value & 0x0F) << 1) | (n < 0)
        value >>= 4
        while True:
            if value:
                digit |= 0x20
            out.append(_ALPHABET[digit])
            if not value:
                break
            digit, value = value & 0x1F, value >> 5
    return "".join(out)
