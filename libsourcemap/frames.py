"""``Frame``: a stack frame resolved to the original source, with context lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# ECMAScript line terminators, as source maps and JS engines count lines. Not
# str.splitlines(), which also splits at \v, \f, \x1c-\x1e and \x85.
_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


@dataclass(frozen=True)
class Frame:
    """One stack frame mapped back to the original source.

    ``line`` and ``column`` are 1-based, as JS engines print them. ``function`` is the
    original name of the enclosing function (``None`` if anonymous or unknown); ``name``
    is the original name of the token at the position (for example the called method).
    The context lists come from the map's ``sourcesContent`` and are empty without it.
    """

    source: str | None
    line: int
    column: int
    function: str | None
    name: str | None = None
    src_id: int | None = None
    pre_context: list[str] = field(default_factory=list)
    context_line: str | None = None
    post_context: list[str] = field(default_factory=list)
    minified_function: str | None = None


def split_lines(text: str) -> list[str]:
    """``text`` split at ECMAScript line terminators."""
    return _LINE_BREAK.split(text)


def context(lines: list[str], line: int, size: int) -> tuple[list[str], str | None, list[str]]:
    """(pre_context, context_line, post_context) around 0-based ``line``, ``size`` lines
    each side; empty when ``line`` is outside ``lines``."""
    if not 0 <= line < len(lines):
        return [], None, []
    size = max(size, 0)
    return lines[max(line - size, 0) : line], lines[line], lines[line + 1 : line + 1 + size]
