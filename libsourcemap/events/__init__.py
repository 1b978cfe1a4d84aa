"""Symbolicating error events: the JSON objects error-tracking SDKs send (Sentry's shape),
one per line of a JSON Lines stream, on one process or many.

An event's stack traces are found at ``exception.values[].stacktrace``,
``threads.values[].stacktrace`` and ``stacktrace``: each either Sentry's
``{"frames": [...]}`` (oldest call first; ``abs_path``, ``lineno``, ``colno``,
``function``) or the text an engine printed (a string, newest call first). Each frame
comes back with the original ``function``, ``abs_path``/``filename``, ``lineno``,
``colno``, ``pre_context``/``context_line``/``post_context``, and ``data``:
``{"symbolicated": true, "minified": {the frame's minified values}, "sourcemap": the map's
URL, "resolved_with": "debug-id" or "url"}``; a frame of a plain file (no source map) keeps
its position and gets the file's own lines, with ``data: {"symbolicated": false}``; a
frame that does not resolve is kept as it was, with ``data: {"symbolicated": false,
"error": why}``. A text trace becomes ``{"frames": [...], "data": {"raw": text}}``.

An event's ``debug_meta.images`` of type ``sourcemap`` (``code_file``, ``debug_id``) name
the debug ID of the file a frame's ``abs_path`` is: that file and its map are looked for
by ID first. An image of the wrong shape is skipped, and said so in the event's
``errors`` list (``{"type": "invalid_data", "name": "debug_meta.images.N", "value":
why}``, as Sentry records processing errors).

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
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable

from ..discovery import canonical_debug_id
from ..frames import Frame, StackFrame
from ..symbolication.stacktrace import parse_stacktrace
from ..symbolication.symbolicator import StrPath, Symbolicator


class _Executor(ProcessPoolExecutor):
    """The standard executor. PyPy 3.9's standard library renamed a method of it to
    ``_adjust_process_count_cpython`` but still calls it by its old name when processes are
    spawned: the old name is given back here (on CPython the class is unchanged)."""

    if not hasattr(ProcessPoolExecutor, "_adjust_process_count"):
        _adjust_process_count = ProcessPoolExecutor._adjust_process_count_cpython  # type: ignore[attr-defined]


#: Lines sent to a worker at a time: enough to make the hand-over cheap, few enough to
#: keep every worker busy near the end of a run.
CHUNK = 32


class BadEvent(ValueError):
    """The event is not in a shape this module reads (the message says where)."""


@dataclass(frozen=True)
class EventConfig:
    """How to symbolicate: what a worker process needs to make its own Symbolicator."""

    root: str | None = None
    #: Source bundles, the first winning where two hold a file (newest first).
    bundles: tuple[str, ...] = ()
    cache_dir: str | None = None
    context_lines: int = 5

    @classmethod
    def of(
        cls,
        root: StrPath | None = None,
        bundle: StrPath | Sequence[StrPath] | None = None,
        cache_dir: StrPath | None = None,
        context_lines: int = 5,
    ) -> EventConfig:
        """A config from paths: ``bundle`` is one bundle or a list of them."""

        def text(path: StrPath | None) -> str | None:
            return None if path is None else os.fspath(path)

        given = (
            [] if bundle is None else [bundle] if isinstance(bundle, (str, os.PathLike)) else bundle
        )
        return cls(text(root), tuple(os.fspath(b) for b in given), text(cache_dir), context_lines)

    def symbolicator(self) -> Symbolicator:
        return Symbolicator(
            root=self.root,
            bundle=list(self.bundles),
            context_lines=self.context_lines,
            cache_dir=self.cache_dir,
        )


# -- one event ----------------------------------------------------------------------------


def symbolicate_event(event: Any, symbolicator: Symbolicator) -> dict[str, Any]:
    """A copy of ``event`` with every frame of its stack traces symbolicated (see the
    module docs for the shape). Raises :class:`BadEvent` if it is not an event."""
    if not isinstance(event, dict):
        raise BadEvent(f"an event must be a JSON object, not {_kind(event)}")
    copy: dict[str, Any] = dict(event)
    traces = list(_stacktraces(copy))
    frames: list[StackFrame] = []
    for trace in traces:
        frames.extend(trace.frames)
    debug_ids = _debug_ids(copy)
    resolved = iter(symbolicator.resolve_all(frames, debug_ids=debug_ids, caller_first=True))
    for trace in traces:
        trace.write_back([next(resolved) for _ in trace.frames])
    return copy


def _debug_ids(event: dict[str, Any]) -> dict[str, str]:
    """``code_file`` -> debug ID of the event's ``debug_meta.images`` of type
    ``sourcemap``. An image that is not of that shape is skipped and recorded in the
    event's ``errors`` (copied first: the caller's event is never changed)."""
    meta = event.get("debug_meta")
    if meta is None:
        return {}
    images = meta.get("images") if isinstance(meta, dict) else None
    if not isinstance(images, list):
        _event_error(event, "debug_meta.images", "must be a list of images")
        return {}
    found: dict[str, str] = {}
    for i, image in enumerate(images):
        if not isinstance(image, dict) or image.get("type") != "sourcemap":
            continue  # other kinds of images (native debug files) are not ours
        code_file, value = image.get("code_file"), image.get("debug_id")
        debug_id = canonical_debug_id(value) if isinstance(value, str) else None
        if not isinstance(code_file, str) or debug_id is None:
            why = "a sourcemap image needs a code_file and a debug_id that is a UUID"
            _event_error(event, f"debug_meta.images.{i}", why)
            continue
        found[code_file] = debug_id
    return found


def _event_error(event: dict[str, Any], name: str, value: str) -> None:
    errors = event.get("errors")
    event["errors"] = [
        *(errors if isinstance(errors, list) else []),
        {
            "type": "invalid_data",
            "name": name,
            "value": value,
        },
    ]


@dataclass
class _Trace:
    """One stack trace of an event: its frames as parsed, and how to write them back."""

    frames: list[StackFrame]
    write_back: Callable[[list[Frame]], None]


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

        def write_text(resolved: list[Frame]) -> None:
            frames = [_written({}, f) for r in resolved for f in _oldest_first(r)]
            holder["stacktrace"] = {"frames": frames, "data": {"raw": stacktrace}}

        return _Trace(parsed, write_text)
    trace = holder["stacktrace"] = _copy_dict(stacktrace, where)
    raw_frames = trace.get("frames")
    if not isinstance(raw_frames, list):
        raise BadEvent(f"{where}.frames must be a list, not {_kind(raw_frames)}")
    frames = [_copy_dict(f, f"{where}.frames[{i}]") for i, f in enumerate(raw_frames)]

    def write_frames(resolved: list[Frame]) -> None:
        trace["frames"] = [
            _written(f, shown) for f, r in zip(frames, resolved) for shown in _oldest_first(r)
        ]

    return _Trace([_stack_frame(f) for f in frames], write_frames)


def _oldest_first(frame: Frame) -> list[Frame]:
    """A resolved frame as an event lists it: the callers of the inlined code it is in
    (the map's scopes say so) before it, the oldest first, each written from the same
    event frame; none for a frame of an outlined function, which the scopes hide."""
    return frame.expanded()[::-1]


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


def _written(frame: dict[str, Any], resolved: Frame) -> dict[str, Any]:
    data = dict(frame["data"]) if isinstance(frame.get("data"), dict) else {}
    if not frame:  # from a text trace: what the engine printed
        frame = _minified_fields(resolved)
    if resolved.error is not None:
        data.update(symbolicated=False, error=resolved.error)
        return {**frame, "data": data}
    context = {
        "pre_context": resolved.pre_context,
        "context_line": resolved.context_line,
        "post_context": resolved.post_context,
    }
    if not resolved.symbolicated:  # a plain file: its own position, its own lines
        data["symbolicated"] = False
        return {**frame, **context, "data": data}
    data.update(symbolicated=True, minified=_minified_fields(resolved))
    if "filename" in frame:
        data["minified"]["filename"] = frame["filename"]
    if resolved.sourcemap is not None:
        data.update(sourcemap=resolved.sourcemap, resolved_with=resolved.resolved_with)
    if resolved.context_error is not None:
        data["error"] = resolved.context_error
    located = {"abs_path": resolved.abs_path or resolved.source}
    if resolved.source is not None:  # a null source keeps the frame's file
        located["filename"] = resolved.filename
    return {
        **frame,
        "function": resolved.function,
        **located,
        "lineno": resolved.line,
        "colno": resolved.column,
        **context,
        "data": data,
    }


def _minified_fields(frame: Frame) -> dict[str, Any]:
    m = frame.minified
    if m is None:  # not from a symbolicator: nothing printed to report
        return {}
    return {"abs_path": m.file, "lineno": m.line, "colno": m.column, "function": m.function}


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


def not_json(exc: ValueError) -> str:
    """Why a line is not JSON, as ``json`` says it. Written out from the error's fields for
    a ``JSONDecodeError``: PyPy's decoder can put half a UTF-8 character into its message,
    and formatting that error then fails inside the interpreter (PyPy 7.3.11)."""
    if isinstance(exc, json.JSONDecodeError):
        msg = exc.msg.encode("utf-8", "replace").decode("utf-8", "replace")
        return f"not JSON: {msg}: line {exc.lineno} column {exc.colno} (char {exc.pos})"
    return f"not JSON: {exc}"


def symbolicate_line(line: str, number: int, symbolicator: Symbolicator) -> str:
    """One line of a JSON Lines stream in, one out: the symbolicated event, or an error
    record ``{"line": number, "error": ..., "input": line}``."""
    try:
        event = json.loads(line)
    except ValueError as exc:
        return _error_record(number, not_json(exc), line)
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
    for block in _in_workers(_chunk_task, _chunks(numbered, CHUNK), config, jobs, progress):
        # Not splitlines(): JSON text may hold U+2028 and other line breaks unescaped.
        yield from block.decode().split("\n")[:-1]


def symbolicate_file(
    path: StrPath,
    out: BinaryIO,
    config: EventConfig,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> None:
    """:func:`symbolicate_lines` from a JSON Lines file to ``out`` (UTF-8, a line per
    event). With ``jobs`` > 1 each worker reads its share of the file (byte ranges cut at
    newlines) and writes its output to a temporary file, which is then copied to ``out``
    in order by the kernel: this process moves no event through Python, so the work
    scales with the workers."""
    if jobs <= 1:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in symbolicate_lines(lines, config, 1, progress):
                out.write((line + "\n").encode())
        return
    scratch = tempfile.mkdtemp(prefix="libsourcemap-events-")
    try:
        ranges = ((scratch, r) for r in _line_ranges(os.fspath(path), RANGE))
        for written in _in_workers(_range_task, ranges, config, jobs, progress):
            _append(out, written)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _append(out: BinaryIO, path: str) -> None:
    """Copies the file at ``path`` to the end of ``out`` (in the kernel when ``out`` is
    a real file or pipe), then deletes it."""
    with open(path, "rb") as block:
        try:
            fd = out.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation: BytesIO
            shutil.copyfileobj(block, out)
        else:
            out.flush()
            size, offset = os.fstat(block.fileno()).st_size, 0
            try:
                while offset < size:
                    offset += os.sendfile(fd, block.fileno(), offset, size - offset)
            except OSError:
                if offset:
                    raise  # part of the block is out: copying the rest again would not do
                shutil.copyfileobj(block, out)  # a system whose sendfile wants a socket
    os.unlink(path)


def _in_workers(
    task: Callable[[Any], tuple[int, Any]],
    items: Iterable[Any],
    config: EventConfig,
    jobs: int,
    progress: Callable[[int], None] | None,
) -> Iterator[Any]:
    """``task(item)`` -> (lines done, result) for every item on ``jobs`` worker
    processes; the results in item order."""
    # spawn, not fork: a forked child would inherit whatever threads and native state the
    # caller has (and Python 3.12+ warns about forking a threaded process). An executor,
    # not a Pool: a worker that dies (killed, out of memory) raises BrokenProcessPool
    # here, where a Pool would wait for its task forever.
    context = multiprocessing.get_context("spawn")
    with _Executor(jobs, mp_context=context, initializer=_start_worker, initargs=(config,)) as pool:
        pending: deque[Future[tuple[int, Any]]] = deque()
        done = 0

        def finished() -> Any:
            nonlocal done
            lines, result = pending.popleft().result()
            done += lines
            if progress is not None:
                progress(done)
            return result

        # At most a few items per worker in flight: memory stays bounded for any input.
        for item in items:
            pending.append(pool.submit(task, item))
            if len(pending) >= 4 * jobs:
                yield finished()
        while pending:
            yield finished()


def _chunks(numbered: Iterator[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for item in numbered:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _line_ranges(path: str, size: int) -> Iterator[tuple[str, int, int, int]]:
    """(path, first line number, offset, length) of blocks of about ``size`` bytes of
    the file, each cut after a newline (the last may end without one). A line longer
    than ``size`` makes a longer block; nothing read is copied or read again."""
    with open(path, "rb") as f:
        start, number, position = 0, 1, 0
        while True:
            block = f.read(size)
            if not block:
                if position > start:
                    yield path, number, start, position - start
                return
            cut = block.rfind(b"\n")
            if cut >= 0:
                end = position + cut + 1
                yield path, number, start, end - start
                # Every newline of the range since `start` is in this block or counted:
                # earlier blocks of the range had none.
                number += block.count(b"\n")
                start = end
            position += len(block)


#: Bytes of input a worker reads at a time (a few hundred events).
RANGE = 1 << 19

_worker: Symbolicator | None = None


def _start_worker(config: EventConfig) -> None:
    global _worker
    _worker = config.symbolicator()


def _chunk_task(chunk: list[tuple[int, str]]) -> tuple[int, bytes]:
    assert _worker is not None, "worker not started"
    out = [symbolicate_line(line, number, _worker) for number, line in chunk]
    return len(chunk), "".join(line + "\n" for line in out).encode()


def _range_task(item: tuple[str, tuple[str, int, int, int]]) -> tuple[int, str]:
    """Symbolicates one byte range of the input into a new file in ``scratch``."""
    scratch, (path, first, offset, length) = item
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(length).decode("utf-8", "replace")
    lines = data.split("\n")
    if lines[-1] == "":
        lines.pop()  # the range ends with a newline
    numbered = [(n, line.rstrip("\r")) for n, line in enumerate(lines, first) if line.strip()]
    block = _chunk_task(numbered)[1]
    fd, written = tempfile.mkstemp(dir=scratch, suffix=f"-{first}.jsonl")
    with os.fdopen(fd, "wb") as f:
        f.write(block)
    return len(lines), written
