"""The frame types: ``StackFrame``, a frame as a stack trace prints it, and ``Frame``, a
frame resolved to the original source (or why it could not be).

Both are named tuples: built with one ``tuple.__new__``, immutable, and free of the
``dataclasses`` import (7-10 ms) that a first call would otherwise pay.
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # see view.py: typing is for type checkers only
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NamedTuple

    class _StackFrameBase(NamedTuple):
        function: str | None
        file: str | None
        line: int | None
        column: int | None
        raw: str = ""

    class _FrameBase(NamedTuple):
        source: str | None
        line: int | None
        column: int | None
        function: str | None
        name: str | None = None
        src_id: int | None = None
        pre_context: Sequence[str] = ()
        context_line: str | None = None
        post_context: Sequence[str] = ()
        minified_function: str | None = None
        minified: StackFrame | None = None
        error: str | None = None

else:
    _StackFrameBase = namedtuple(
        "StackFrame", "function file line column raw", defaults=("",), module=__name__
    )
    _FrameBase = namedtuple(
        "Frame",
        "source line column function name src_id pre_context context_line post_context "
        "minified_function minified error",
        defaults=(None, None, (), None, (), None, None, None),
        module=__name__,
    )


class StackFrame(_StackFrameBase):
    """One frame of a stack trace, as printed: ``file`` is the URL or path the engine
    gave, ``line`` and ``column`` are 1-based. ``file``/``line``/``column`` are ``None``
    for frames without a location (``at Array.map (<anonymous>)``, ``[native code]``).
    ``raw`` is the line it was parsed from (empty for a frame given as numbers)."""

    __slots__ = ()


class Frame(_FrameBase):
    """A stack frame resolved to the original source, or why it could not be.

    ``line`` and ``column`` are 1-based, as JS engines print them. ``function`` is the
    original name of the enclosing function (``None`` if anonymous or unknown); ``name``
    is the original name of the token at the position (for example the called method).
    The context lists come from the map's ``sourcesContent`` and are empty without it.

    ``minified`` is the frame as the trace printed it (set by the symbolicator), and
    ``minified_function`` the function name it printed. ``error`` is ``None`` when the
    frame was resolved, else why it was not (the original-source fields are then ``None``
    or empty).
    """

    __slots__ = ()

    @property
    def resolved(self) -> bool:
        return self.error is None

    @classmethod
    def unresolved(cls, minified: StackFrame, error: str) -> Frame:
        """The result for a frame that could not be resolved, and why."""
        return cls(None, None, None, None, None, None, [], None, [], None, minified, error)

    def to_dict(self) -> dict[str, Any]:
        """The frame as the JSON objects ``libsourcemap symbolicate --json`` prints."""
        m = self.minified
        return {
            "function": self.function,
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "pre_context": list(self.pre_context),
            "context_line": self.context_line,
            "post_context": list(self.post_context),
            "error": self.error,
            "minified": None
            if m is None
            else {"file": m.file, "line": m.line, "column": m.column, "function": m.function},
        }


def split_context(
    lines: list[str], line: int, size: int
) -> tuple[list[str], str | None, list[str]]:
    """(pre_context, context_line, post_context) from the ``lines`` of a source starting
    at 0-based line ``max(line - size, 0)``; empty when ``line`` is past the end."""
    before = min(line, size)
    if before >= len(lines):
        return [], None, []
    return lines[:before], lines[before], lines[before + 1 :]
