"""Why a frame resolves as it does, or why not: each step the symbolicator takes for it,
what the step looked at and found, and for a step that fails, what to do about it.

The steps are the symbolicator's own: :meth:`Symbolicator.explain` runs the same lookups
as :meth:`Symbolicator.resolve_all` on a fresh symbolicator (no cache directory, nothing
kept from earlier frames), which notes what each one finds. Then it looks closer at what
the answer rests on: the map's validity under every ECMA-426 rule, the debug IDs of file
and map, the segment at the position and its neighbours, the original source, and where
the function's name came from.
"""

from __future__ import annotations

from typing import Any

from ..errors import SourceMapError
from ..frames import Frame, StackFrame
from .explanation import Explanation, Step
from .stacktrace import parse_frame, parse_stacktrace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..view import View
    from .symbolicator import Symbolicator

#: What to do about each kind of failure (``Unresolved.kind`` and the checks below), in
#: words a user can act on.
FIXES = {
    "no_position": "nothing to do: the engine gave no file position (native code, eval)",
    "no_column": "send frames with their column (colno): without it no map can be used",
    "builtin": "nothing to do: the runtime's own code has no source map",
    "minified_not_found": "put the minified file where its URL's path is under --root, or "
    "give the bundle (--bundle) that holds it; with debug IDs, send the event's debug_meta "
    "images or upload the bundle made by `sentry-cli sourcemaps inject`",
    "unreadable": "check the file's permissions and that it is not damaged",
    "map_not_found": "upload the map to the URL its sourceMappingURL names (relative to the "
    "minified file), put it next to the file as <file>.map, or add it to the bundle",
    "map_invalid": "rebuild the map: it does not parse (the message says where)",
    "map_sections": "flatten the index map (its sections name other maps by URL) or inline them",
    "outside_root": "keep every file of a build under its --root: a sourceMappingURL or "
    "symlink that leaves the root is not followed",
    "line_outside_map": "the map has no mapping on that line: was the file minified (or "
    "changed) again after the map was written? Upload the map made with this very file",
    "not_mapped": "the map has no mapping at that column: the code there may be a "
    "bundler's own (helpers, wrappers), or the file was changed after the map was written",
    "debug_id_mismatch": "the file and the map come from different builds: upload the map "
    "that was injected with this file (`sentry-cli sourcemaps inject` on both together)",
    "original_missing": "upload the original sources too (to the URLs the map's sources "
    "resolve to), or build the map with sourcesContent",
}


def frames_and_ids(
    frames: Any, debug_ids: Mapping[str, str] | None
) -> tuple[list[StackFrame], dict[str, str], bool]:
    """The frames to explain, the debug IDs of their files, and whether they list the
    oldest call first: from a trace's text (newest first), a ``StackFrame`` or a line of a
    trace, a list of those, or an event (its stack traces, oldest first; its
    ``debug_meta``)."""
    ids = dict(debug_ids or {})
    if isinstance(frames, dict):
        from ..events import _debug_ids, _stacktraces  # the events' own reading of an event

        event = dict(frames)
        found: list[StackFrame] = []
        for trace in _stacktraces(event):
            found.extend(trace.frames)
        return found, {**_debug_ids(event), **ids}, True
    if isinstance(frames, str):
        parsed = parse_stacktrace(frames)
        if not parsed and parse_frame(frames.strip()) is not None:
            parsed = [parse_frame(frames.strip())]  # type: ignore[list-item]
        return parsed, ids, False
    if isinstance(frames, StackFrame):
        return [frames], ids, False
    return list(frames), ids, False


def explain(
    symbolicator: Symbolicator, frames: Any, debug_ids: Mapping[str, str] | None = None
) -> list[Explanation]:
    """See :meth:`Symbolicator.explain`."""
    from .symbolicator import Symbolicator

    stack, ids, caller_first = frames_and_ids(frames, debug_ids)
    fresh = Symbolicator(
        root=symbolicator.root,
        bundle=symbolicator.bundles,
        context_lines=symbolicator.context_lines,
    )
    fresh._notes_by_key = {}
    try:
        results = fresh.resolve_all(stack, debug_ids=ids, caller_first=caller_first)
        explained = []
        for frame, result in zip(stack, results):
            key = (frame.file or "", ids.get(frame.file or ""))
            notes = fresh._notes_by_key.get(key, [])
            steps = [
                Step(step, ok, detail, FIXES.get(kind or "")) for step, ok, detail, kind in notes
            ]
            artifact = fresh._artifacts.get(key)
            if not notes and result.error is not None:  # failed before any lookup
                steps.append(Step("frame", False, result.error, _fix_for_error(result.error)))
            view = None
            if artifact is not None and artifact.loaded is not None:
                view = artifact.loaded.view
                steps.extend(_map_steps(artifact.loaded, ids.get(frame.file or "")))
                steps.extend(_position_steps(view, frame, result))
            steps.extend(_source_steps(result, view, frame))
            explained.append(Explanation(frame, result, steps))
        return explained
    finally:
        fresh.close()


def _fix_for_error(error: str) -> str | None:
    if "no file position" in error:
        return FIXES["no_position"]
    if "no column" in error:
        return FIXES["no_column"]
    return None


def _map_steps(loaded: Any, event_id: str | None) -> list[Step]:
    """The map's validity under every rule, and whether its debug ID is the file's."""
    steps = []
    view: View = loaded.view
    if loaded.strict_check is not None:
        try:
            loaded.strict_check()
            steps.append(Step("strict", True, "the map follows every ECMA-426 rule"))
        except SourceMapError as exc:
            # Read leniently, as real generators need: a finding, not a failure.
            steps.append(Step("strict", None, f"read leniently; strictly: {exc}"))
    map_id = view.debug_id
    if event_id is not None and map_id is not None:
        from ..discovery import canonical_debug_id

        same = canonical_debug_id(map_id) == canonical_debug_id(event_id)
        detail = f"the map's debugId {map_id} {'is' if same else 'is not'} the file's {event_id}"
        steps.append(Step("debug ID", same, detail, None if same else FIXES["debug_id_mismatch"]))
    return steps


def _position_steps(view: View, frame: StackFrame, result: Frame) -> list[Step]:
    """The segment at the frame's position, its neighbours, and whether the map reaches
    that line at all."""
    if frame.line is None or frame.column is None:
        return []
    line, col = frame.line - 1, frame.column - 1
    count = len(view)
    last = view.get_token_fields(count - 1) if count else None
    last_line = last[0] if last is not None else -1
    at = f"{frame.line}:{frame.column}"
    if line > last_line:
        detail = f"{at} is past the map's last mapped line ({last_line + 1})"
        return [Step("position", False, detail, FIXES["line_outside_map"])]
    fields = view.lookup_fields(line, col, any_segment=True)
    if fields is None or fields[0] != line:
        detail = f"{at}: the map has no segment at or before this column on line {frame.line}"
        return [Step("position", False, detail, FIXES["line_outside_map"])]
    index = fields[6]
    around = [
        _segment(view.get_token_fields(i))
        for i in (index - 1, index + 1)
        if 0 <= i < count and view.get_token_fields(i) is not None
    ]
    segment = _segment(fields)
    near = f"; neighbours {', '.join(around)}" if around else ""
    if result.error is not None and fields[4] == 0xFFFFFFFF:
        detail = f"{at} falls on {segment}, which maps to nothing{near}"
        return [Step("position", False, detail, FIXES["not_mapped"])]
    return [Step("position", result.error is None, f"{at} falls on {segment}{near}")]


def _segment(fields: list[int] | None) -> str:
    if fields is None:
        return "?"
    dst_line, dst_col, src_line, src_col, src_id = fields[:5]
    where = f"{dst_line + 1}:{dst_col + 1}"
    if src_id == 0xFFFFFFFF:
        return f"the unmapped segment at {where}"
    return f"the segment at {where} -> source {src_id} {src_line + 1}:{src_col + 1}"


def _source_steps(result: Frame, view: View | None, frame: StackFrame) -> list[Step]:
    """Where the context lines and the function's name came from."""
    if result.error is not None or not result.symbolicated:
        return []
    steps = []
    if result.context_error is not None:
        steps.append(
            Step("original source", False, result.context_error, FIXES["original_missing"])
        )
    elif result.context_line is not None:
        steps.append(Step("original source", True, f"{result.abs_path}: line {result.line}"))
    else:
        steps.append(Step("original source", None, f"{result.abs_path} has no line {result.line}"))
    if result.function is not None:
        steps.append(
            Step("function name", True, f"{result.function}: {_name_origin(view, frame, result)}")
        )
    else:
        detail = "none: anonymous or top-level code, or no name in the map and no original to parse"
        steps.append(Step("function name", None, detail))
    return steps


def _name_origin(view: View | None, frame: StackFrame, result: Frame) -> str:
    """Which of the symbolicator's sources of names gave ``result.function``."""
    if view is None or frame.line is None or frame.column is None:
        return "?"
    if view.has_function_maps:
        return "the map's React Native function map (x_facebook_sources)"
    from ..resolver import Resolver

    own = Resolver.of(view).get_original_function_name(frame.line - 1, frame.column - 1)
    if own != result.function:
        return "the call site in the calling frame (the name it called)"
    if view.has_function_table:
        return "the minified file's function table (from the original source or the names)"
    return "the original source, parsed around the position"
