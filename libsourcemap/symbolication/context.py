"""Context lines as an error tracker shows them: the lines around a frame's line, each
long line cut to a window around the frame's column.

Sentry's symbolicator (and so Sentry's UI) keeps a line of up to 150 bytes whole; a
longer one (a line of minified code runs to megabytes) becomes 140 bytes from 60 before
the column, marked ``{snip}`` where it was cut. The same rule is applied here to every
context line a :class:`~libsourcemap.Symbolicator` writes, from a map's
``sourcesContent``, an original file or a plain file.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Lines longer than this many bytes (UTF-8) are cut to a window.
MAX_LINE = 150
#: The window: this many bytes, from this many before the column.
WINDOW = 140
BEFORE = 60
SNIP = "{snip}"


def trim_line(line: str, column: int) -> str:
    """``line`` whole if it is short; else the window around the 1-based ``column``
    (counted in bytes, as the reference counts it), cut at character boundaries, with
    ``{snip}`` where text was left out."""
    if len(line) * 4 <= MAX_LINE:  # no UTF-8 encoding can make it longer than MAX_LINE
        return line
    data = line.encode("utf-8")
    size = len(data)
    if size <= MAX_LINE:
        return line
    start = max(min(column, size) - BEFORE, 0)
    if start < 5:
        start = 0
    end = min(start + WINDOW, size)
    if end > size - 5:
        end = size
    if end == size:
        start = max(size - WINDOW, 0)
    start, end = _char_start(data, start), _char_start(data, end)
    text = data[start:end].decode("utf-8", "replace")
    if start > 0:
        text = f"{SNIP} {text}"
    if end < size:
        text = f"{text} {SNIP}"
    return text


def _char_start(data: bytes, at: int) -> int:
    """``at`` moved back to the first byte of the character it falls in."""
    while 0 < at < len(data) and data[at] & 0xC0 == 0x80:
        at -= 1
    return at


def trimmed(
    context: tuple[Sequence[str], str | None, Sequence[str]], column: int
) -> tuple[list[str], str | None, list[str]]:
    """``(pre, line, post)`` with every line trimmed around ``column``."""
    pre, line, post = context
    return (
        [trim_line(text, column) for text in pre],
        None if line is None else trim_line(line, column),
        [trim_line(text, column) for text in post],
    )


def text_lines(text: str) -> list[str]:
    """The lines of ``text`` as an editor shows them (Rust's ``str::lines``, as the
    reference splits them): split at ``\\n``, a ``\\r`` before it dropped, and no empty
    line after a final newline."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def context_around(
    lines: Sequence[str], line: int, size: int, column: int
) -> tuple[list[str], str | None, list[str]]:
    """``(pre_context, context_line, post_context)``: the 1-based ``line`` of ``lines``
    and up to ``size`` lines each side, trimmed around the 1-based ``column``; empty when
    the line does not exist."""
    index = line - 1
    if not 0 <= index < len(lines):
        return [], None, []
    size = max(size, 0)
    window = (
        lines[max(index - size, 0) : index],
        lines[index],
        lines[index + 1 : index + 1 + size],
    )
    return trimmed(window, column)
