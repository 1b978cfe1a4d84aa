"""``Frame``: a stack frame resolved to the original source, with context lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


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


def frozen(cls: type[T], **fields: Any) -> T:
    """An instance of the frozen dataclass ``cls`` with every field given, built without
    its ``__init__``: a frozen dataclass sets each field through ``object.__setattr__``,
    which makes building a frame cost more than resolving it natively. Callers pass every
    field (no defaults are applied)."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def split_context(
    lines: list[str], line: int, size: int
) -> tuple[list[str], str | None, list[str]]:
    """(pre_context, context_line, post_context) from the ``lines`` of a source starting
    at 0-based line ``max(line - size, 0)``; empty when ``line`` is past the end."""
    before = min(line, size)
    if before >= len(lines):
        return [], None, []
    return lines[:before], lines[before], lines[before + 1 :]
