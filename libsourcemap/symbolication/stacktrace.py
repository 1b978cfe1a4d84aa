"""Parsing JavaScript stack traces as engines print them: V8 (Chrome, Node, Edge, Deno),
SpiderMonkey (Firefox), JavaScriptCore (Safari) and Hermes (React Native)."""

from __future__ import annotations

import re

from ..frames import StackFrame

# V8: `    at [async ]<function> (<location>)` or `    at [async ]<location>`, where the
# location is `<file>:<line>:<column>`, `<file>:<line>`, `<anonymous>`, `native`, or an
# eval origin `eval at f (<location>), <anonymous>:1:2`.
_V8 = re.compile(r"^\s*at (?:async )?(?:(?P<function>.+?) \((?P<inner>.*)\)|(?P<bare>.+))\s*$")
# SpiderMonkey and JavaScriptCore: `<function>@<location>`; the function may be empty and
# may contain `@`-free decorations (`foo/<`, `foo*`); Safari also prints bare locations.
_AT_SIGN = re.compile(r"^\s*(?P<function>[^@]*)@(?P<location>.*?)\s*$")
# Firefox eval frames: `<file> line 12 > eval:1:5`, the outer file is the real one.
_FIREFOX_EVAL = re.compile(r"^(?P<file>.+?) line (?P<line>\d+) > (?:eval|Function)(?::\d+)*$")
_URLISH = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|\.{0,2}/|~/)", re.I)


# Locations engines print for frames that have no position in a file.
_NO_POSITION = re.compile(r"^(?:<anonymous>|native|\[native code\]|unknown location|index \d+)$")


def parse_frame(line: str) -> StackFrame | None:
    """The frame printed on ``line``, or ``None`` if the line is not a stack frame (the
    error message, a blank line, ``... 3 more``). A line counts as a frame only when its
    location parses, so messages that happen to contain `` at `` or ``@`` are not frames."""
    v8 = _v8_parts(line)
    if v8 is not None:
        return _v8_frame(v8[0], v8[1], line)
    match = _AT_SIGN.match(line)
    if match:
        function = match.group("function").strip() or None
        return _located(function, match.group("location"), line)
    stripped = line.strip()
    # Safari prints frames of anonymous top-level code as a bare `<url>:<line>:<column>`.
    if _URLISH.match(stripped) and " " not in stripped:
        frame = _located(None, stripped, line)
        return frame if frame is not None and frame.line is not None else None
    return None


def parse_stacktrace(text: str) -> list[StackFrame]:
    """Every frame of ``text`` in order; other lines are skipped."""
    frames = (parse_frame(line) for line in text.splitlines())
    return [frame for frame in frames if frame is not None]


def _v8_parts(line: str) -> tuple[str | None, str] | None:
    """(function, location) of a V8 frame line, as ``_V8`` reads it; ``None`` if the line
    is not one. Taken apart with string methods: the pattern's lazy function name made
    every frame line cost a backtracking match, most of parsing a trace."""
    text = line.strip()
    if "\n" in text:
        return _v8_match(line)  # the pattern's `.` stops at a line break: let it decide
    if not text.startswith("at "):
        return None
    rest = text[3:]
    if rest.startswith("async "):  # something follows: `text` ends in no white space
        rest = rest[6:]
    elif rest == "async" and line.lstrip().startswith("at async "):
        # `at async ` and more white space is an `async` frame with no location; with
        # nothing more (or only line breaks, which the pattern's `.` does not take),
        # `async ` is the location, as the pattern reads it.
        after = line.lstrip()[len("at async ") :]
        if after.strip("\n"):
            return None
    if rest.endswith(")"):
        split = rest.find(" (", 1)
        if split > 0 and split + 2 < len(rest):
            return rest[:split], rest[split + 2 : -1]
    return (None, rest) if rest else None


def _v8_match(line: str) -> tuple[str | None, str] | None:
    """``_v8_parts`` by the pattern itself, for the rare line it does not take apart."""
    match = _V8.match(line)
    if match is None:
        return None
    function = match.group("function")
    return function, match.group("inner") if function is not None else match.group("bare")


#: What Hermes prints before a bytecode location: `at f (address at index.android.bundle:1:9427)`.
BYTECODE_PREFIX = "address at "


def _v8_frame(function: str | None, location: str, raw: str) -> StackFrame | None:
    if location.startswith(BYTECODE_PREFIX):
        # Hermes: the column is the 0-based bytecode offset. Frames keep 1-based columns
        # (as @sentry/react-native sends them: offset + 1), so it is moved up by one.
        frame = _located(function, location[len(BYTECODE_PREFIX) :], raw, spaces=True)
        if frame is None or frame.column is None:
            return frame
        return frame._replace(column=frame.column + 1)
    if location.startswith("eval at "):
        # `eval at outer (<file>:1:2), <anonymous>:3:4`: the frame runs in evaluated code,
        # which has no file (or map) of its own; the outer location is only where eval was
        # called, not this frame's position.
        return StackFrame(function, None, None, None, raw)
    # Only a parenthesised location can hold spaces (`C:\Program Files\app.js:1:2`).
    return _located(function, location, raw, spaces=function is not None)


def _located(
    function: str | None, location: str, raw: str, spaces: bool = False
) -> StackFrame | None:
    location = location.strip()
    if _NO_POSITION.match(location):
        return StackFrame(function, None, None, None, raw)
    # (The cheap test first: the pattern's lazy prefix is slow on long locations.)
    eval_origin = _FIREFOX_EVAL.match(location) if " line " in location else None
    if eval_origin:
        line = int(eval_origin.group("line"))
        return StackFrame(function, eval_origin.group("file"), line, None, raw)
    found = _split_location(location)
    if found is None or (not spaces and " " in found[0]):
        return None
    return StackFrame(function, found[0], found[1], found[2], raw)


def _split_location(location: str) -> tuple[str, int, int | None] | None:
    """``<file>:<line>:<column>`` or ``<file>:<line>`` (the file may hold colons: a URL's
    port, a Windows drive) as (file, line, column); ``None`` for anything else. Split from
    the right, not by a pattern: the lazy pattern it replaces backtracked over every colon
    of a long URL. (``isdecimal`` is what ``\\d`` matches, and what ``int`` reads.)"""
    head, _, last = location.rpartition(":")
    if not (head and last.isdecimal()):
        return None
    file, _, line = head.rpartition(":")
    if file and line.isdecimal():
        return file, int(line), int(last)
    return head, int(last), None
