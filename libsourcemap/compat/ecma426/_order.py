"""Whether a map writes some line's segments out of column order, read from its JSON text.

ecma426 keeps segments in the order they are written (its ``line_index`` lists a line's
columns as written, and ``lookup_left`` bisects that list); the core sorts them. A line is
out of order exactly where a segment's generated-column delta is negative, and a negative
VLQ starts with an odd base64 digit: so the question is whether a separator (``,`` or
``;``), or the text's start, is followed by one of those 32 digits.

A line is checked when a lookup's answer depends on its order (one that is not an exact
hit), every line when all of them matter (``tokens``). No Python loop runs per byte. The
values of ``"mappings"`` keys are found by searching the whole text (nested ones too:
``x_facebook_sources`` has some). The top-level one is the value that starts with the
core's first token, as the top-level one does when its first line is in column order; the
others are checked whole (a nested value's false alarm only costs the Python path, which
answers the same), and so are all of them if several start alike. A line's start is found
with ``find`` from the last one found. Bytes are checked 64 KiB at a time: translated to
marks (separator 1, odd digit 2, anything else 0) and read as UTF-16, where a separator
followed by an odd digit is the code unit U+0201 (at both alignments). Where the text
cannot tell (an index map, escapes, no value that starts alike) the parsed JSON is checked
whole. (Only a top-level key written with escapes beside one nested value that starts
alike would mislead the search: no generator writes either.)
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any

from .vlq import decode_string

__all__ = ["WrittenOrder"]

_KEY = b'"mappings"'
_JSON_SPACE = b" \t\n\r"
_ODD_DIGITS = b"BDFHJLNPRTVXZbdfhjlnprtvxz13579/"
_MARKS = bytes(1 if byte in b",;" else 2 if byte in _ODD_DIGITS else 0 for byte in range(256))
_SEPARATOR_THEN_ODD = "\u0201"  # marks 1, 2 read as one little-endian UTF-16 code unit
_NONE = 0xFFFFFFFF
_CHUNK = 1 << 16
#: Line starts found one ``find`` at a time, at most this many for one question; past that,
#: checking the whole text costs less.
_MAX_LINE_STEPS = 2048
_utf16 = codecs.utf_16_le_decode


class WrittenOrder:
    """Which generated lines of a map are written in column order, found out as they are
    asked about. ``text``: the map JSON; ``first``: the fields of the core's first token
    (``View.get_token_fields(0)``); ``parsed``: the parsed JSON, asked for where the text
    alone cannot tell (an index map, escapes)."""

    def __init__(
        self,
        text: bytes,
        index_map: bool,
        first: list[int],
        parsed: Callable[[], Any],
    ) -> None:
        self._text, self._first, self._parsed = text, first, parsed
        #: True: every line is in column order; False: some line is not; None: not known.
        self.verdict: bool | None = None
        self._span: tuple[int, int] | None = None  # the top-level mappings, once found
        self._starts: list[int] = []  # where its lines start, as far as asked
        self._checked: set[int] = set()  # lines known to be in order
        if index_map:
            self._from_parsed()

    def all_lines(self) -> bool:
        """Whether every line is written in column order."""
        if self.verdict is None and self._find():
            assert self._span is not None
            self.verdict = not _has_negative_delta(self._text, *self._span)
        assert self.verdict is not None
        return self.verdict

    def line(self, line: int) -> bool:
        """Whether ``line`` (0-based) is written in column order; False also once any line
        is known not to be (the index then answers from Python lists)."""
        if self.verdict is not None or line in self._checked or not self._find():
            return self.verdict is not False
        starts, (_, end) = self._starts, self._span  # type: ignore[misc]
        if line + 1 - len(starts) > _MAX_LINE_STEPS:
            return self.all_lines()  # cheaper than finding that many line starts
        while len(starts) <= line + 1 and starts[-1] <= end:
            found = self._text.find(b";", starts[-1], end)
            starts.append(end + 1 if found < 0 else found + 1)  # end + 1: no more lines
        if line + 1 >= len(starts):
            return True  # past the text's last line: no segments
        if _has_negative_delta(self._text, starts[line], starts[line + 1] - 1):
            self.verdict = False
            return False
        self._checked.add(line)
        return True

    def _find(self) -> bool:
        """Finds the top-level mappings; False if the verdict came first (from the values
        of other ``"mappings"`` keys, or the parsed JSON)."""
        if self._span is None and self.verdict is None:
            text = self._text
            spans = _mappings_values(text)
            top = [s for s in spans or () if self._is_top_level(*s)]
            # A value that does not look like the top-level one is a nested one, or is it
            # with its first line out of order: either way a negative delta in it sends
            # the index to the Python path (which answers the same for a map in order, so
            # a nested value's false alarm costs time only).
            if any(_has_negative_delta(text, *s) for s in spans or () if s not in top):
                self.verdict = False
            elif len(top) == 1:
                self._span, self._starts = top[0], [top[0][0]]
            elif top:  # nested values just like it: all of them checked whole
                self.verdict = not any(_has_negative_delta(text, *s) for s in top)
            else:  # none found (a key written with escapes), or a value with escapes
                self._from_parsed()
        return self._span is not None

    def _is_top_level(self, start: int, end: int) -> bool:
        """Whether the mappings ``text[start:end]`` can be the top-level one: in column
        order, it starts with the core's first token."""
        return _starts_with_token(self._text, start, end, self._first)

    def _from_parsed(self) -> None:
        values = _parsed_mappings(self._parsed())
        self.verdict = not any(_has_negative_delta(v, 0, len(v)) for v in values)


def _mappings_values(text: bytes) -> list[tuple[int, int]] | None:
    """The span of every ``"mappings": "..."`` value in the text; ``None`` if one has
    escapes (only a JSON parse reads those)."""
    spans = []
    at = text.find(_KEY)
    while at >= 0:
        span = _string_value(text, at + len(_KEY))  # None: a "mappings" that is a value
        if span is not None:
            if text.find(b"\\", *span) >= 0:
                return None
            spans.append(span)
        # On past the value: a string has no "mappings" token inside.
        at = text.find(_KEY, span[1] if span else at + len(_KEY))
    return spans


def _string_value(text: bytes, at: int) -> tuple[int, int] | None:
    """The span of the string after ``:`` at ``at``; ``None`` if no ``:`` and string."""
    at = _skip_space(text, at)
    if text[at : at + 1] != b":":
        return None
    at = _skip_space(text, at + 1)
    if text[at : at + 1] != b'"':
        return None
    end = text.find(b'"', at + 1)
    return (at + 1, end) if end >= 0 else None


def _skip_space(text: bytes, at: int) -> int:
    while at < len(text) and text[at] in _JSON_SPACE:
        at += 1
    return at


def _starts_with_token(text: bytes, start: int, end: int, first: list[int]) -> bool:
    """Whether the mappings ``text[start:end]`` starts with the token whose fields are
    ``first``."""
    line = 0
    while start < end and text[start] == 0x3B:  # ';'
        line, start = line + 1, start + 1
    stop = start
    while stop < end and stop - start < 64 and text[stop] not in b",;":
        stop += 1
    try:
        fields = decode_string(text[start:stop].decode("ascii"))
    except ValueError:  # also UnicodeDecodeError
        return False
    if len(fields) == 1:  # unmapped
        return first[:2] == [line, fields[0]] and first[4] == _NONE
    if len(fields) == 4:
        fields.append(_NONE)  # no name
    if len(fields) != 5:
        return False
    column, source, src_line, src_col, name = fields
    return first[:6] == [line, column, src_line, src_col, source, name]


def _parsed_mappings(obj: Any) -> list[bytes]:
    """The ``mappings`` strings of the parsed map (of each section's map in an index map)."""
    maps = [obj]
    if isinstance(obj, dict) and isinstance(obj.get("sections"), list):
        maps = [s.get("map") for s in obj["sections"] if isinstance(s, dict)]
    values = [m.get("mappings") for m in maps if isinstance(m, dict)]
    # What the core reads is base64 digits and separators: ASCII.
    return [v.encode("utf-8", "surrogatepass") for v in values if isinstance(v, str)]


def _has_negative_delta(text: bytes, start: int, end: int) -> bool:
    """Whether the mappings ``text[start:end]`` has a negative generated-column delta."""
    if start < end and text[start] in _ODD_DIGITS:
        return True
    view = memoryview(text)
    while start < end:
        stop = min(end, start + _CHUNK)
        # One byte more: the pair across the chunks' border. Copies of a chunk stay in
        # the cache (and fresh megabyte buffers would fault their pages in).
        marks = bytes(view[start : min(end, stop + 1)]).translate(_MARKS)
        for aligned in (marks, marks[1:]):  # unaligned UTF-16 reads are slow
            if _SEPARATOR_THEN_ODD in _utf16(aligned, None, False)[0]:
                return True
        start = stop
    return False
