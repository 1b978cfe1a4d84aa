"""Symbolicating error events: the JSON objects error-tracking SDKs send (Sentry's shape),
one per line of a JSON Lines stream, on one process or many.

An event's stack traces are found at ``exception.values[].stacktrace``,
``threads.values[].stacktrace`` and ``stacktrace``: each either Sentry's
``{"frames": [...]}`` (oldest call first; ``abs_path``, ``lineno``, ``colno``,
``function``) or the text an engine printed (a string, newest call first). Each frame
comes back with the original ``function``, ``abs_path``/``filename``, ``lineno``,
``colno``, ``pre_context``/``context_line``/``post_context``, and ``data``:
``{"symbolicated": true, "minified": {the frame's minified values}}``; a frame that does
not resolve is kept as it was, with ``data: {"symbolicated": false, "error": why}``. A
text trace becomes ``{"frames": [...], "data": {"raw": text}}``.

A line that is not an event (bad JSON, not an object, a stack trace of the wrong shape)
becomes an error record ``{"line": N, "error": why, "input": the line}``: nothing is
dropped and the run goes on. Output is in input order; blank lines are skipped.

With ``jobs`` > 1 the lines are spread over worker processes, each with its own
:class:`~libsourcemap.Symbolicator` (own bundle reader, own views: no lock is shared), all
sharing ``cache_dir``: a map parsed by one worker is cached there for the others.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from .stacktrace import StackFrame, parse_stacktrace
from .symbolication import StrPath, SymbolicatedFrame, Symbolicator

#: Lines sent to a worker at a time: enough to make the hand-over cheap, few enough to
#: keep every worker busy near the end of a run.
CHUNK = 32


class BadEvent(ValueError):
    """The event is not in a shape this module reads (the message says where)."""


@dataclass(frozen=True)
class EventConfig:
    """How to symbolicate: what a worker process needs to make its own Symbolicator."""

    root: Optional[str] = None
    bundle: Optional[str] = None
    cache_dir: Optional[str] = None
    context_lines: int = 5

    @classmethod
    def of(
        cls,
        root: StrPath | None = None,
        bundle: StrPath | None = None,
        cache_dir: StrPath | None = None,
        context_lines: int = 5,
    ) -> EventConfig:
        def text(path: StrPath | None) -> str | None:
            return None if path is None else str(path)

        return cls(text(root), text(bundle), text(cache_dir), context_lines)

    def symbolicator(self) -> Symbolicator:
        return Symbolicator(
            root=self.root,
            bundle=self.bundle,
            context_lines=self.context_lines,
            cache_dir=self.cache_dir,
        )


# -- one event ----------------------------------------------------------------------------


def symbolicate_event(event: Any, symbolicator: Symbolicator) -> dict[str, Any]:
    """A copy of ``event`` with every frame of its stack traces symbolicated (see the
    module docs for the shape). Raises :class:`BadEvent` if it is not an event."""
    if not isinstance(event, dict):
        raise BadEvent(f"an event must be a JSON object, not {_kind(event)}")
    event = dict(event)
    traces = list(_stacktraces(event))
    frames: list[StackFrame] = []
    for trace in traces:
        frames.extend(trace.frames)
    resolved = iter(symbolicator.resolve_all(frames))
    for trace in traces:
        trace.write_back([next(resolved) for _ in trace.frames])
    return event


@dataclass
class _Trace:
    """One stack trace of an event: its frames as parsed, and how to write them back."""

    frames: list[StackFrame]
    write_back: Callable[[list[SymbolicatedFrame]], None]


def _stacktraces(event: dict[str, Any]) -> Iterator[_Trace]:
    for key in ("exception", "threads"):
        if key not in event or event[key] is None:
            continue
        container = event[key] = _copy_dict(event[key], key)
        values = container.get("values")
        if not isinstance(values, list):
            raise BadEvent(f"{key}.values must be a list, not {_kind(values)}")
        container["values"] = values = list(values)
        for i, value in enumerate(values):
            where = f"{key}.values[{i}]"
            values[i] = value = _copy_dict(value, where)
            if value.get("stacktrace") is not None:
                yield _trace(value, f"{where}.stacktrace")
    if event.get("stacktrace") is not None:
        yield _trace(event, "stacktrace")


def _trace(holder: dict[str, Any], where: str) -> _Trace:
    stacktrace = holder["stacktrace"]
    if isinstance(stacktrace, str):
        parsed = parse_stacktrace(stacktrace)
        parsed.reverse()  # printed newest first; events list the oldest call first

        def write_text(resolved: list[SymbolicatedFrame]) -> None:
            frames = [_written({}, f) for f in resolved]
            holder["stacktrace"] = {"frames": frames, "data": {"raw": stacktrace}}

        return _Trace(parsed, write_text)
    trace = holder["stacktrace"] = _copy_dict(stacktrace, where)
    raw_frames = trace.get("frames")
    if not isinstance(raw_frames, list):
        raise BadEvent(f"{where}.frames must be a list, not {_kind(raw_frames)}")
    frames = [_copy_dict(f, f"{where}.frames[{i}]") for i, f in enumerate(raw_frames)]

    def write_frames(resolved: list[SymbolicatedFrame]) -> None:
        trace["frames"] = [_written(f, r) for f, r in zip(frames, resolved)]

    return _Trace([_stack_frame(f) for f in frames], write_frames)


def _stack_frame(frame: dict[str, Any]) -> StackFrame:
    """The frame as the Symbolicator reads it; values of the wrong type count as missing
    (the frame then comes back unresolved, saying what it lacks)."""
    path = frame.get("abs_path") or frame.get("filename")
    function = frame.get("function")
    return StackFrame(
        function=function if isinstance(function, str) else None,
        file=path if isinstance(path, str) else None,
        line=_position(frame.get("lineno")),
        column=_position(frame.get("colno")),
        raw="",
    )


def _position(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
    return value if ok else None


def _written(frame: dict[str, Any], resolved: SymbolicatedFrame) -> dict[str, Any]:
    data = dict(frame["data"]) if isinstance(frame.get("data"), dict) else {}
    if resolved.error is not None:
        if not frame:  # from a text trace: what the engine printed
            frame = _minified_fields(resolved)
        data.update(symbolicated=False, error=resolved.error)
        return {**frame, "data": data}
    data.update(symbolicated=True, minified=_minified_fields(resolved))
    if "filename" in frame:
        data["minified"]["filename"] = frame["filename"]
    return {
        **frame,
        "function": resolved.function,
        "abs_path": resolved.source,
        "filename": _filename(resolved.source),
        "lineno": resolved.line,
        "colno": resolved.column,
        "pre_context": resolved.pre_context,
        "context_line": resolved.context_line,
        "post_context": resolved.post_context,
        "data": data,
    }


def _minified_fields(frame: SymbolicatedFrame) -> dict[str, Any]:
    m = frame.minified
    return {"abs_path": m.file, "lineno": m.line, "colno": m.column, "function": m.function}


def _filename(source: str | None) -> str | None:
    """The source as a path: a URL's scheme and host dropped (``webpack://app/./src/a.js``
    -> ``./src/a.js``), anything else as it is."""
    if source is None or "://" not in source:
        return source
    parts = urlsplit(source)
    path = parts.path.lstrip("/") if parts.netloc else parts.path
    return path or source


def _copy_dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadEvent(f"{where} must be an object, not {_kind(value)}")
    return dict(value)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "?")


# -- JSON Lines ---------------------------------------------------------------------------


def symbolicate_line(line: str, number: int, symbolicator: Symbolicator) -> str:
    """One line of a JSON Lines stream in, one out: the symbolicated event, or an error
    record ``{"line": number, "error": ..., "input": line}``."""
    try:
        event = json.loads(line)
    except ValueError as exc:
        return _error_record(number, f"not JSON: {exc}", line)
    try:
        out = symbolicate_event(event, symbolicator)
    except BadEvent as exc:
        return _error_record(number, str(exc), line)
    return json.dumps(out, ensure_ascii=False)


def _error_record(number: int, error: str, line: str) -> str:
    return json.dumps({"line": number, "error": error, "input": line}, ensure_ascii=False)


def symbolicate_lines(
    lines: Iterable[str],
    config: EventConfig,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Iterator[str]:
    """The output line of every non-blank input line, in input order. ``jobs`` > 1 runs
    that many worker processes; ``progress(lines_done)`` is called as lines finish."""
    numbered = ((n, line.rstrip("\r\n")) for n, line in enumerate(lines, 1) if line.strip())
    if jobs <= 1:
        with config.symbolicator() as symbolicator:
            for done, (number, line) in enumerate(numbered, 1):
                yield symbolicate_line(line, number, symbolicator)
                if progress is not None:
                    progress(done)
        return
    yield from _in_workers(numbered, config, jobs, progress)


def _in_workers(
    numbered: Iterator[tuple[int, str]],
    config: EventConfig,
    jobs: int,
    progress: Callable[[int], None] | None,
) -> Iterator[str]:
    # spawn, not fork: a forked child would inherit whatever threads and native state the
    # caller has (and Python 3.12+ warns about forking a threaded process).
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_start_worker, initargs=(config,)) as pool:
        pending: deque[Any] = deque()
        done = 0
        chunks = _chunks(numbered, CHUNK)
        # At most a few chunks per worker in flight: memory stays bounded for any input.
        for chunk in chunks:
            pending.append(pool.apply_async(_worker_chunk, (chunk,)))
            if len(pending) >= 4 * jobs:
                out = pending.popleft().get()
                done += len(out)
                yield from out
                if progress is not None:
                    progress(done)
        while pending:
            out = pending.popleft().get()
            done += len(out)
            yield from out
            if progress is not None:
                progress(done)


def _chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for item in numbered:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_worker: Symbolicator | None = None


def _start_worker(config: EventConfig) -> None:
    global _worker
    _worker = config.symbolicator()


def _worker_chunk(chunk: list[tuple[int, str]]) -> list[str]:
    assert _worker is not None, "worker not started"
    return [symbolicate_line(line, number, _worker) for number, line in chunk]
