"""``libsourcemap.compat.symbolic`` against symbolic 13.9's own answers, recorded by
tests/fixtures/symbolic_139.py on five real maps (esbuild and terser bundles of lodash,
underscore and the stack-trace corpus, an index map flattened): tokens, sources and
contents, source views, lookups everywhere and at the corpus' frames (with function
names), ``SourceMapCache`` lookups with context lines and function names, and the
exceptions for bad input and bad arguments. Every answer must be the same."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import FIXTURES
from fixtures.symbolic_cases import (
    INPUT_CACHE_LOOKUPS,
    INPUT_LOOKUPS,
    INPUT_SOURCE,
    INPUTS,
    argument_calls,
    identity_map,
    match,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import ClosedError, Resolver, View
from libsourcemap._scopes import start_scopes
from libsourcemap.compat import symbolic
from libsourcemap.compat.symbolic import (
    ParseSourceMapError,
    SourceMapCache,
    SourceMapView,
    SourceView,
    SymbolicError,
)

EXPECTED = json.loads(gzip.decompress((FIXTURES / "expected-symbolic-13.9.json.gz").read_bytes()))
MINIFIED = {
    "esbuild-lodash.min.js.map": "esbuild-lodash.min.js",
    "terser-underscore.min.js.map": "terser-underscore.min.js",
    "index-concat.flat.map": "index-concat.min.js",
    "stacks/dist/esbuild.min.mjs.map": "stacks/dist/esbuild.min.mjs",
    "stacks/dist/terser.min.mjs.map": "stacks/dist/terser.min.mjs",
}


def cache_token(t: Any) -> list[Any] | None:
    if t is None:
        return None
    return [t.line, t.col, t.src, t.name, t.function_name, t.context_line, t.pre_context,
            t.post_context]  # fmt: skip


def digest(text: str | None) -> list[Any] | None:
    return None if text is None else [len(text), hashlib.sha256(text.encode()).hexdigest()]


@pytest.fixture(scope="module", params=sorted(EXPECTED["maps"]))
def recorded(request: pytest.FixtureRequest) -> tuple[dict[str, Any], bytes, bytes]:
    name = request.param
    return (
        EXPECTED["maps"][name],
        (FIXTURES / name).read_bytes(),
        (FIXTURES / MINIFIED[name]).read_bytes(),
    )


def test_view_tokens_sources_and_contents(recorded: tuple[dict[str, Any], bytes, bytes]) -> None:
    rec, data, minified = recorded
    view = SourceMapView.from_json_bytes(data)
    assert len(view) == rec["len"] and view.source_count == rec["source_count"]
    assert [[i, match(view[i])] for i, _ in rec["tokens"]] == rec["tokens"]
    assert [list(s) for s in view.iter_sources()] == rec["iter_sources"]
    for src_id, source in enumerate(rec["sources"]):
        assert view.get_source_name(src_id) == source["name"]
        assert digest(view.get_source_contents(src_id)) == source["contents"]
        sv = view.get_sourceview(src_id)
        got = None if sv is None else [len(sv), sv[0:3], sv[len(sv) - 1] if len(sv) else None]
        assert got == source["view"]
    count = view.source_count
    out_of_range = [view.get_source_name(count), view.get_source_contents(count),
                    view.get_sourceview(count) is None]  # fmt: skip
    assert out_of_range == rec["out_of_range_source"]
    source = SourceView.from_bytes(minified)
    assert [len(source), source[0][:200], source[len(source) - 1][:200]] == rec["minified_lines"]


def test_view_lookups(recorded: tuple[dict[str, Any], bytes, bytes]) -> None:
    rec, data, _ = recorded
    view = SourceMapView.from_json_bytes(data)
    assert [[p, match(view.lookup(*p))] for p, _ in rec["lookups"]] == rec["lookups"]


def test_view_lookups_with_function_names(recorded: tuple[dict[str, Any], bytes, bytes]) -> None:
    rec, data, minified = recorded
    view = SourceMapView.from_json_bytes(data)
    source = SourceView.from_bytes(minified)
    got = [[f, match(view.lookup(f[0], f[1], f[2], source))] for f, _ in rec["function_lookups"]]
    assert got == rec["function_lookups"]
    # The minified name as UTF-8 bytes, as symbolic also takes it.
    got = [
        [f, match(view.lookup(f[0], f[1], f[2].encode(), source))]
        for f, _ in rec["function_lookups_bytes"]
    ]
    assert got == rec["function_lookups_bytes"]


def test_cache_lookups(recorded: tuple[dict[str, Any], bytes, bytes]) -> None:
    rec, data, minified = recorded
    cache = SourceMapCache.from_bytes(minified, data)
    got = [[p, cache_token(cache.lookup(p[0], p[1], 5))] for p, _ in rec["cache_lookups"]]
    assert got == rec["cache_lookups"]
    frames = [[f, cache_token(cache.lookup(f[0] + 1, f[1] + 1, 5))] for f, _ in rec["cache_frames"]]
    assert frames == rec["cache_frames"]


@pytest.mark.parametrize("name", sorted(EXPECTED["inputs"]))
def test_inputs(name: str) -> None:
    """Odd and bad maps (symbolic_cases.INPUTS), as symbolic reads them: what a view and a
    cache of each answer, or the exception each raises (class for class: a view refuses
    invalid UTF-8, a cache reads it with U+FFFD)."""
    data = INPUTS[name]
    rec = EXPECTED["inputs"][name]
    for got, expected in [
        (outcome(lambda: SourceMapView.from_json_bytes(data)), rec["view"]),
        (outcome(lambda: SourceMapCache.from_bytes(INPUT_SOURCE, data)), rec["cache"]),
    ]:
        assert got[:1] == expected[:1] and (got[0] == "returns" or got == expected)
    if rec["view"][0] == "returns":
        view = SourceMapView.from_json_bytes(data)
        assert [match(t) for t in view] == rec["tokens"]
        sources = [
            [view.get_source_name(i), view.get_source_contents(i)] for i in range(view.source_count)
        ]
        assert sources == rec["sources"]
        assert [[p, match(view.lookup(*p))] for p in INPUT_LOOKUPS] == rec["lookups"]
        minified = SourceView.from_bytes(INPUT_SOURCE)
        named = [[p, match(view.lookup(p[0], p[1], "f", minified))] for p in INPUT_LOOKUPS]
        assert named == rec["named_lookups"]
    if rec["cache"][0] == "returns":
        cache = SourceMapCache.from_bytes(INPUT_SOURCE, data)
        got = [[p, cache_token(cache.lookup(p[0], p[1], 1))] for p in INPUT_CACHE_LOOKUPS]
        assert got == rec["cache_lookups"]


@pytest.mark.parametrize("source", sorted(EXPECTED["scopes"]))
def test_cache_scope_names(source: str) -> None:
    """The function name a cache gives each column of a minified source mapped to itself
    (js-source-scopes' naming: a method's scope starts with its member, `static` and key
    included)."""
    cache = SourceMapCache.from_bytes(source.encode(), identity_map(source))
    names = []
    for number, text in enumerate(source.split("\n")):
        for col in range(len(text)):
            token = cache.lookup(number + 1, col + 1, 0)
            names.append(None if token is None else token.function_name)
    assert names == EXPECTED["scopes"][source]


def outcome(call: Callable[[], Any]) -> list[Any]:
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the exception type is what is compared
        return ["raises", type(exc).__name__]
    primitive = isinstance(value, (int, str, type(None)))
    return ["returns", value if primitive else repr(value)[:40]]


def test_arguments() -> None:
    for name, call in argument_calls(symbolic, cache_token).items():
        expected = EXPECTED["arguments"][name]
        got = outcome(call)
        if isinstance(expected[1], str) and expected[1].startswith("<"):
            # An object's repr names its class and address: the outcome is what counts.
            assert (name, got[0]) == (name, expected[0])
        else:
            assert (name, got) == (name, expected)


def test_errors_are_symbolics() -> None:
    for name, bases in EXPECTED["error_bases"].items():
        cls = getattr(symbolic, name)
        # Where the real symbolic is installed, its classes are bases of the drop-in's
        # (`except symbolic.SymbolicError` catches both): the names, in order, are its.
        assert list(dict.fromkeys(c.__name__ for c in cls.__mro__)) == bases
    assert issubclass(ParseSourceMapError, SymbolicError)
    with pytest.raises(SymbolicError, match="bad json"):
        SourceMapView.from_json_bytes(b"{")
    try:
        import symbolic as real  # the real package, where the test venv has it
    except ImportError:
        return
    with pytest.raises(real.ParseSourceMapError):
        SourceMapView.from_json_bytes(b"{")
    assert issubclass(symbolic.IoError, real.SymbolicError)


PROGUARD = json.loads((FIXTURES / "expected-symbolic-13.9-proguard.json").read_text())


def java_frame(f: Any) -> list[Any]:
    return [f.class_name, f.method, f.line, f.file, f.parameters]


def test_proguard_mapper() -> None:
    """symbolic's ProguardMapper answers on a real ProGuard mapping: UUID, classes,
    methods, frames at their lines, at line 0, past the end, and by parameter types."""
    mapper = symbolic.ProguardMapper.open(str(FIXTURES / "proguard" / "mapping.txt"), True)
    assert str(mapper.uuid) == PROGUARD["uuid"]
    assert mapper.has_line_info == PROGUARD["has_line_info"]
    assert [[c, mapper.remap_class(c)] for c, _ in PROGUARD["classes"]] == PROGUARD["classes"]
    methods = [[c, m, mapper.remap_method(c, m)] for c, m, _ in PROGUARD["methods"]]
    assert json.loads(json.dumps(methods)) == PROGUARD["methods"]
    frames = [[f, [java_frame(x) for x in mapper.remap_frame(*f)]] for f, _ in PROGUARD["frames"]]
    assert frames == PROGUARD["frames"]
    by_parameters = [
        [p, [java_frame(x) for x in mapper.remap_frame(p[0], p[1], 0, p[2])]]
        for p, _ in PROGUARD["parameters"]
    ]
    assert by_parameters == PROGUARD["parameters"]
    with pytest.raises(symbolic.IoError):
        symbolic.ProguardMapper.open(str(FIXTURES / "no-such-mapping.txt"))
    # Without `initialize_param_mapping`, nothing is found by parameter types.
    unopened = symbolic.ProguardMapper.open(str(FIXTURES / "proguard" / "mapping.txt"))
    by_parameters = [
        [p, [java_frame(x) for x in unopened.remap_frame(p[0], p[1], 0, p[2])]]
        for p, _ in PROGUARD["without_parameter_mapping"]
    ]
    assert by_parameters == PROGUARD["without_parameter_mapping"]


@pytest.mark.parametrize("params", [True, False])
def test_proguard_files_as_symbolic_names_them(tmp_path: Path, params: bool) -> None:
    """symbolic 13.9's retracing (the crate 5.9's) of R8's cases: a frame's file is the
    `sourceFile` its class has in the mapping (its outer class's name for a synthetic
    class), else None, never one made up from the class name; a method mapped without
    line ranges is at line 0; inlined code of other classes; methods of one obfuscated
    name but different originals; queries by parameter types."""
    path = tmp_path / "mapping.txt"
    path.write_text(PROGUARD["other_mapping"])
    mapper = symbolic.ProguardMapper.open(str(path), params)
    rec = PROGUARD["other"][str(params)]
    frames = [[q, [java_frame(x) for x in mapper.remap_frame(*q)]] for q, _ in rec["frames"]]
    assert frames == rec["frames"]
    methods = [[c, m, mapper.remap_method(c, m)] for c, m, _ in rec["methods"]]
    assert json.loads(json.dumps(methods)) == rec["methods"]
    by_parameters = [
        [q, [java_frame(x) for x in mapper.remap_frame(q[0], q[1], 0, q[2])]]
        for q, _ in rec["parameters"]
    ]
    assert by_parameters == rec["parameters"]


HERMES = json.loads(
    gzip.decompress((FIXTURES / "expected-symbolic-13.9-hermes.json.gz").read_bytes())
)


@pytest.mark.parametrize("name", sorted(HERMES))
def test_react_native_maps(name: str) -> None:
    """React Native maps (tests/fixtures/rn), recorded by symbolic_hermes_139.py: a map
    with top-level function maps is a Hermes map to symbolic, whose lookups with a
    function name at line 0 look up the offset + 1 and name the function by its function
    map; Metro's index map is flattened without them."""
    rec = HERMES[name]
    data = (FIXTURES / "rn" / "build" / name).read_bytes()
    view = SourceMapView.from_json_bytes(data)
    empty = SourceView.from_bytes(b"")
    positions = [tuple(p) for p in rec["positions"]]
    assert [match(view.lookup(line, col)) for line, col in positions] == rec["plain"]
    assert [match(view.lookup(line, col, "f", empty)) for line, col in positions] == rec["named"]
    cache = SourceMapCache.from_bytes(b"", data)
    got = [hermes_cache_token(cache.lookup(line + 1, col + 1, 1)) for line, col in positions]
    assert got == rec["cache"]
    if "bundle_cache" in rec:
        bundle = (FIXTURES / "rn" / "build" / "index.android.bundle.js").read_bytes()
        cache = SourceMapCache.from_bytes(bundle, data)
        got = [
            hermes_cache_token(cache.lookup(line + 1, col + 1, 0))
            for line, col in rec["bundle_positions"]
        ]
        assert got == rec["bundle_cache"]


def hermes_cache_token(t: Any) -> list[Any] | None:
    return None if t is None else [t.line, t.col, t.src, t.name, t.function_name, t.context_line]


@given(
    st.lists(st.sampled_from(["", "a", "bc\r", "\u2028x", "é", "\\n", '"']), max_size=30),
    st.integers(0, 40),
    st.integers(0, 6),
)
@settings(max_examples=150, deadline=None)
def test_context_lines_split_at_line_feeds_only(pieces: list[str], line: int, size: int) -> None:
    """Context lines are the source split after each LF (kept), CR and U+2028 inside
    lines, as symbolic's cache has them; found in the escaped text, unescaped alone."""
    text = "\n".join(pieces)
    lines = [piece + "\n" for piece in pieces[:-1]] + (pieces[-1:] or [""])
    data = json.dumps(
        {
            "version": 3,
            "sources": ["a.js"],
            "sourcesContent": [text],
            "names": [],
            "mappings": "AAAA" + ",CACA" * line,
        }  # fmt: skip
    ).encode()
    token = SourceMapCache.from_bytes(b"x" * (line + 1), data).lookup(1, line + 1, size)
    assert token is not None and token.line == line + 1
    first = max(line - size, 0)
    assert token.context_line == ((lines[line] or None) if line < len(lines) else None)
    assert token.pre_context == lines[first:line]
    assert token.post_context == lines[line + 1 : line + size + 1]


def test_scope_collection_lifecycle() -> None:
    """A collection can be read twice, closed unread (its parse waited for), and says
    nothing for a source that does not parse; a closed view raises."""
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    source = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    view = View.from_json(data)
    pending = start_scopes(source)
    first = pending.index(view._get_ptr()).entries()
    assert first == pending.index(view._get_ptr()).entries()
    assert first == Resolver.for_view(view).scope_names(source)
    assert any(name for _, _, name in first)
    start_scopes(source).close()  # dropped while parsing: waits, frees, no crash
    assert start_scopes(b"function (").index(view._get_ptr()).entries() == []
    assert start_scopes(bytes(range(256)) * 64).index(view._get_ptr()).entries() == []
    closed = start_scopes(source)
    closed.close()
    with pytest.raises(ClosedError):
        closed.index(view._get_ptr())


def test_cache_of_a_map_naming_function_maps_in_text_only() -> None:
    """A map whose text mentions `x_facebook_sources` without having function maps is
    parsed before its minified source (no speculative parse), with the same answers."""
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    source = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    mentioned = data.rstrip()[:-1] + b', "x_comment": "no x_facebook_sources here"}'
    plain, marked = (
        SourceMapCache.from_bytes(source, data),
        SourceMapCache.from_bytes(source, mentioned),
    )
    for line, col in [(1, 100), (1, 5000), (1, 20000)]:
        assert cache_token(plain.lookup(line, col, 3)) == cache_token(marked.lookup(line, col, 3))


def test_maps_and_sources_are_parsed_once_per_content() -> None:
    """GlitchTip parses the same map and wraps the same minified file for every frame:
    equal bytes give the same (immutable) objects, decoded sources included; a source's
    text splits once, each call a new list equal to str.splitlines'."""
    data = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    js = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    view = symbolic.SourceMapView.from_json_bytes(data)
    assert symbolic.SourceMapView.from_json_bytes(bytes(bytearray(data))) is view
    assert symbolic.SourceView.from_bytes(bytes(bytearray(js))) is symbolic.SourceView.from_bytes(
        js
    )
    source = view.get_sourceview(3)
    assert source is not None and view.get_sourceview(3) is source
    text = source.get_source()
    lines = text.splitlines()
    assert lines == str(text).splitlines() and text.splitlines(True) == str(text).splitlines(True)
    lines.append("changed by the caller")
    assert text.splitlines() == str(text).splitlines()  # a new list each call
    assert isinstance(text, str) and text == str(text)
    other = json.loads(data)
    other["names"] = [*other["names"], "extra"]
    assert symbolic.SourceMapView.from_json_bytes(json.dumps(other).encode()) is not view
