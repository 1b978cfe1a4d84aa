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
        abs_path: str | None = None
        sourcemap: str | None = None
        resolved_with: str | None = None
        symbolicated: bool = True
        context_error: str | None = None
        inlined_callers: tuple[Frame, ...] = ()
        hidden: bool = False

else:
    _StackFrameBase = namedtuple(
        "StackFrame", "function file line column raw", defaults=("",), module=__name__
    )
    _FrameBase = namedtuple(
        "Frame",
        "source line column function name src_id pre_context context_line post_context "
        "minified_function minified error abs_path sourcemap resolved_with symbolicated "
        "context_error inlined_callers hidden",
        defaults=(
            None,
            None,
            (),
            None,
            (),
            None,
            None,
            None,
            None,
            None,
            None,
            True,
            None,
            (),
            False,
        ),
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

    Set by a :class:`~libsourcemap.Symbolicator` (``None`` from a view's own methods):
    ``abs_path``, the original source's URL (``source`` resolved against the map's URL;
    for a plain file, the file's own); ``sourcemap``, the URL of the map that resolved
    the frame (the frame's file for an inline map or one found by debug ID alone);
    ``resolved_with``, how that map was found (``"debug-id"`` or ``"url"``);
    ``context_error``, why a resolved frame has no context lines (its original file was
    not found or not readable). ``symbolicated`` is false for a frame of a plain file,
    one without a source map: ``error`` is ``None`` there, and the context lines are the
    file's own.

    ``inlined_callers``: where the frame's position is in code a compiler inlined (the
    map's ``scopes`` say so), the original callers that the generated code does not show,
    innermost first, each a ``Frame`` at its call site (:meth:`expanded` puts them in a
    trace). ``hidden``: the position is in an outlined function (the map's scopes mark its
    generated range hidden), which original traces leave out.
    """

    __slots__ = ()

    @property
    def resolved(self) -> bool:
        return self.error is None

    def expanded(self) -> list[Frame]:
        """This frame followed by its inlined callers: the frames the original program
        had here, innermost first (as V8 prints a trace); none for a hidden frame (an
        outlined function's: the original program had no such call)."""
        if self.hidden:
            return []
        return [self, *self.inlined_callers]

    @property
    def filename(self) -> str | None:
        """``source`` as an error tracker names the file: webpack and turbopack
        namespaces cut (``libsourcemap._locations.source_filename``); ``None`` without
        a source."""
        if self.source is None:
            return None
        from ._locations import source_filename  # (imports `re`: not at start-up)

        return source_filename(self.source)

    @classmethod
    def unresolved(cls, minified: StackFrame, error: str) -> Frame:
        """The result for a frame that could not be resolved, and why."""
        return cls(
            None,
            None,
            None,
            None,
            pre_context=[],
            post_context=[],
            minified=minified,
            error=error,
            symbolicated=False,
        )

    def _repr_html_(self) -> str:
        """The frame as an HTML table, for notebooks (Jupyter)."""
        from ._html import frames_html

        return frames_html([self])

    def to_dict(self) -> dict[str, Any]:
        """The frame as the JSON objects ``libsourcemap symbolicate --json`` prints."""
        m = self.minified
        return {
            "function": self.function,
            "source": self.source,
            "abs_path": self.abs_path,
            "filename": self.filename,
            "line": self.line,
            "column": self.column,
            "pre_context": list(self.pre_context),
            "context_line": self.context_line,
            "post_context": list(self.post_context),
            "symbolicated": self.symbolicated,
            "sourcemap": self.sourcemap,
            "resolved_with": self.resolved_with,
            "error": self.error,
            "context_error": self.context_error,
            "minified": None
            if m is None
            else {"file": m.file, "line": m.line, "column": m.column, "function": m.function},
        }


class Frames(list["Frame"]):
    """A list of frames, as a :class:`~libsourcemap.Symbolicator` returns them: a plain
    ``list`` that a notebook shows as one HTML table."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        from ._html import frames_html

        return frames_html(self)


def split_context(
    lines: list[str], line: int, size: int
) -> tuple[list[str], str | None, list[str]]:
    """(pre_context, context_line, post_context) from the ``lines`` of a source starting
    at 0-based line ``max(line - size, 0)``; empty when ``line`` is past the end."""
    before = min(line, size)
    if before >= len(lines):
        return [], None, []
    return lines[:before], lines[before], lines[before + 1 :]
