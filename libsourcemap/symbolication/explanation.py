"""What :meth:`Symbolicator.explain` returns: one :class:`Explanation` per frame, its
:class:`Step` s in order (see :mod:`libsourcemap.symbolication.explain`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..frames import Frame, StackFrame


@dataclass(frozen=True)
class Step:
    """One step: its ``name``, whether it found what it looked for (``None``: not
    needed), what it looked at and found, and the ``fix`` where it failed."""

    name: str
    ok: bool | None
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class Explanation:
    """One frame, its ``steps`` in order, and the :class:`Frame` it resolved to."""

    frame: StackFrame
    result: Frame
    steps: list[Step] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.result.error is None

    def to_dict(self) -> dict[str, Any]:
        f = self.frame
        return {
            "frame": {"file": f.file, "line": f.line, "column": f.column, "function": f.function},
            "resolved": self.resolved,
            "result": self.result.to_dict(),
            "steps": [step.to_dict() for step in self.steps],
        }

    def text(self) -> str:
        """The explanation as ``libsourcemap explain`` prints it."""
        f = self.frame
        where = f"{f.file}:{f.line}:{f.column}"
        lines = [f"at {f.function} ({where})" if f.function else f"at {where}"]
        if f.file is None:
            lines = [f.raw.strip() or f"at {f.function}"]
        width = max((len(step.name) for step in self.steps), default=0)
        for step in self.steps:
            mark = {True: "ok  ", False: "FAIL", None: "--  "}[step.ok]
            lines.append(f"  {mark} {step.name:<{width}}  {step.detail}")
            if step.fix:
                lines.append(f"       {'':<{width}}  fix: {step.fix}")
        lines.append("  => " + _outcome(self.result))
        return "\n".join(lines)


def _outcome(result: Frame) -> str:
    if result.error is not None:
        return f"unresolved: {result.error}"
    if not result.symbolicated:
        return "not minified: the frame is shown as it is, with the file's own lines"
    name = result.function or "(no name)"
    return f"resolved: {name} at {result.abs_path or result.source}:{result.line}:{result.column}"
