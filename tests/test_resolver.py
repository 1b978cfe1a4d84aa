"""The Resolver: the symbolication engine over a view, with its own native handle."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import libsourcemap
from libsourcemap import ClosedError, Frame, Resolver, StackFrame, View, parse_stacktrace

EXAMPLES = Path(__file__).parent.parent / "examples"
MAP = (EXAMPLES / "dist" / "app.min.js.map").read_bytes()
MINIFIED = (EXAMPLES / "dist" / "app.min.js").read_bytes()
TRACE = (EXAMPLES / "stacktrace.txt").read_text()


def test_a_view_has_one_resolver_and_its_frame_methods_are_the_resolvers() -> None:
    view = View.from_json(MAP)
    resolver = Resolver.of(view)
    assert isinstance(resolver, Resolver) and Resolver.of(view) is resolver
    assert not view.has_function_table
    view.attach_minified_source(MINIFIED)
    assert resolver.has_function_table and view.has_function_table
    assert view.resolve_frame(1, 4875, "new n") == resolver.resolve_frame(1, 4875, "new n")
    assert view.get_original_function_name(0, 4874) == "SemVer"


def test_another_resolver_starts_with_nothing_parsed() -> None:
    view = View.from_json(MAP)
    view.attach_minified_source(MINIFIED)
    other = Resolver.for_view(view)
    assert not other.has_function_table
    # Names still come from sourcesContent, parsed by this resolver for itself.
    assert other.get_original_function_name(0, 4874) == "SemVer"


def test_a_resolver_outlives_its_view() -> None:
    view = View.from_json(bytes(MAP))  # a buffer only the view holds
    resolver = Resolver.for_view(view)
    view.close()
    del view
    gc.collect()
    frame = resolver.resolve_frame(1, 4875)
    assert frame is not None and frame.function == "SemVer" and frame.source is not None
    assert frame.context_line is not None and "TypeError" in frame.context_line


def test_closed_objects_raise() -> None:
    view = View.from_json(MAP)
    resolver = Resolver.for_view(view)
    resolver.close()
    with pytest.raises(ClosedError):
        resolver.resolve_frame(1, 4875)
    view.close()
    with pytest.raises(ClosedError):
        view.resolve_frame(1, 4875)
    with pytest.raises(ClosedError):
        Resolver.for_view(view)


def test_stack_frames_keep_what_the_trace_printed() -> None:
    frames = parse_stacktrace(TRACE)[:3]
    resolved = Resolver.of(View.from_json(MAP)).resolve_stack_frames(frames, MINIFIED, 1)
    assert len(resolved) == 3
    first = resolved[0]
    assert isinstance(first, Frame) and first.minified == frames[0]
    assert first.minified_function == "new n" and first.function == "SemVer"
    assert first.resolved and first.error is None
    # A frame without a position resolves to nothing.
    assert Resolver.of(View.from_json(MAP)).resolve_stack_frames(
        [StackFrame("Array.map", None, None, None)]
    ) == [None]


def test_dump_stores_the_resolvers_table() -> None:
    view = View.from_json(MAP)
    view.attach_minified_source(MINIFIED)
    cached = View.from_memdb(view.dump_memdb())
    assert cached.has_function_table
    assert Resolver.for_view(View.from_memdb(Resolver.of(view).dump_memdb())).has_function_table
    assert not View.from_memdb(View.from_json(MAP).dump_memdb()).has_function_table


def test_one_frame_type() -> None:
    from_view = View.from_json(MAP).resolve_frame(1, 4875)
    from_symbolicator = libsourcemap.symbolicate(TRACE, root=EXAMPLES)[0]
    assert type(from_view) is type(from_symbolicator) is Frame
    assert not hasattr(libsourcemap, "SymbolicatedFrame")  # one name per type
    assert from_view is not None
    assert (from_view.source, from_view.line, from_view.function) == (
        from_symbolicator.source,
        from_symbolicator.line,
        from_symbolicator.function,
    )
