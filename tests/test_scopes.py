"""The ``scopes`` field (ECMA-426's scopes proposal): tc39's decoding expectations, and
Chrome DevTools' codec both ways, on random scope trees and on a real SWC build; and the
field through a view: strict and lenient reading, ``to_json``, memdb caches, index maps.

Decodings (``View.scopes``) and encodings (``ScopeInfo.encode``) are live;
tests/fixtures/scopes/rust.json, which ``cargo test scopes`` checks is exactly what the
native codec answers (and rewrites with LSM_REGENERATE_SCOPES=1), must hold the same
(``ours()``).

The DevTools side runs live in node (tests/js/scopes-reference.mjs, the codec pinned by
tests/fixtures/scopes/package.json); tests/fixtures/scopes/generate.mjs made the random
trees, the SWC build and the tc39 copies (see its header to regenerate them).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, Callable

import pytest

from libsourcemap import InvalidSourceMap, View
from libsourcemap.scopes import (
    Binding,
    GeneratedRange,
    OriginalPosition,
    OriginalScope,
    Position,
    ScopeInfo,
    SubRangeBinding,
)

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "scopes"
REFERENCE = HERE / "js" / "scopes-reference.mjs"
TC39 = sorted((FIXTURES / "tc39").glob("*.map"))


@cache
def _json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def devtools_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = _json("devtools.json")["cases"]
    return cases


def tc39_map(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def case_map(case: dict[str, Any]) -> dict[str, Any]:
    """A map with a DevTools case's scopes, names and number of sources."""
    return {
        "version": 3,
        "sources": [f"s{i}.js" for i in range(case["sources"])],
        "names": case["names"],
        "mappings": "",
        "scopes": case["scopes"],
    }


def ours(name: str, source_map: dict[str, Any]) -> tuple[ScopeInfo, str]:
    """The native codec's decoding of a map's ``scopes`` through a view (both modes:
    every fixture is valid), and its encoding of that (``ScopeInfo.encode``, names
    indexed in the map's ``names``). rust.json, which ``cargo test`` checks the Rust side
    against, holds the same."""
    text = json.dumps(source_map)
    info = View.from_json(text).scopes
    assert info is not None
    assert View.from_json(text, strict=True).scopes == info
    answer = {case["name"]: case for case in _json("rust.json")["cases"]}[name]
    assert ScopeInfo.from_words(answer["words"], source_map["names"]) == info
    names = list(source_map["names"])
    encoded = info.encode(name_index(names))
    assert names == source_map["names"]  # every name the scopes use is the map's
    assert encoded == answer["encoded"]
    return info, encoded


def name_index(names: list[str]) -> Callable[[str], int]:
    """``name_id`` for ``ScopeInfo.encode``: a name's first index in ``names``, appended
    if missing."""
    first: dict[str, int] = {}
    for i, n in enumerate(names):
        first.setdefault(n, i)

    def index(name: str) -> int:
        if name not in first:
            first[name] = len(names)
            names.append(name)
        return first[name]

    return index


# --- the model as JSON: DevTools' (the reference script's) and tc39's ------------------


def model(info: ScopeInfo) -> dict[str, Any]:
    """The model of tests/js/scopes-reference.mjs."""

    def scope(s: OriginalScope) -> dict[str, Any]:
        return {
            "start": list(s.start),
            "end": list(s.end),
            "name": s.name,
            "kind": s.kind,
            "isStackFrame": s.is_stack_frame,
            "variables": list(s.variables),
            "children": [scope(c) for c in s.children],
        }

    def generated(r: GeneratedRange) -> dict[str, Any]:
        return {
            "start": list(r.start),
            "end": list(r.end),
            "definition": r.definition,
            "isStackFrame": r.is_stack_frame,
            "isHidden": r.is_hidden,
            "values": list(r.values),
            "subRangeBindings": [
                [sub.variable_index, [[*b.from_, b.binding] for b in sub.bindings]]
                for sub in r.sub_range_bindings
            ],
            "callSite": None if r.call_site is None else list(r.call_site),
            "children": [generated(c) for c in r.children],
        }

    return {
        "scopes": [None if s is None else scope(s) for s in info.scopes],
        "ranges": [generated(r) for r in info.ranges],
    }


def golden(info: ScopeInfo, sources: int) -> tuple[list[Any], list[Any]]:
    """``sources[].scope`` and ``ranges`` of tc39's .golden files (scopes.d.ts)."""

    def position(p: Position) -> dict[str, int]:
        return {"line": p.line, "column": p.column}

    def scope(s: OriginalScope) -> dict[str, Any]:
        return {
            "start": position(s.start),
            "end": position(s.end),
            "name": s.name,
            "kind": s.kind,
            "isStackFrame": s.is_stack_frame,
            "variables": list(s.variables),
            "children": [scope(c) for c in s.children],
        }

    def generated(r: GeneratedRange) -> dict[str, Any]:
        site = r.call_site
        return {
            "start": position(r.start),
            "end": position(r.end),
            "definitionIndex": r.definition,
            "stackFrameType": r.stack_frame_type,
            "callSite": None
            if site is None
            else {"sourceIndex": site.source_index, "line": site.line, "column": site.column},
            "bindings": [
                [{"from": position(b.from_), "binding": b.binding} for b in bindings]
                for bindings in r.bindings
            ],
            "children": [generated(c) for c in r.children],
        }

    scopes = [
        scope(s) if i < len(info.scopes) and (s := info.scopes[i]) is not None else None
        for i in range(sources)
    ]
    return scopes, [generated(r) for r in info.ranges]


# --- DevTools, in node --------------------------------------------------------------


@pytest.fixture(scope="session")
def devtools() -> Callable[..., Any]:
    """Runs tests/js/scopes-reference.mjs: ``devtools("decode", cases=[...])``. Installs
    the codec (npm ci, without the SWC that only generate.mjs needs) the first time."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "the scopes tests need node and npm on PATH"
    if not (FIXTURES / "node_modules" / "chrome-devtools-frontend").is_dir():
        subprocess.run(
            [npm, "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=FIXTURES,
            check=True,
        )

    def run(op: str, **request: Any) -> Any:
        done = subprocess.run(
            [node, str(REFERENCE)],
            input=json.dumps({"op": op, **request}).encode(),
            capture_output=True,
        )
        assert done.returncode == 0, f"scopes-reference.mjs {op} failed:\n{done.stderr.decode()}"
        return json.loads(done.stdout)

    return run


# --- tc39 ---------------------------------------------------------------------------


def test_every_tc39_expectation_is_here() -> None:
    """generate.mjs copied all of tc39's decoding/scopes/ (8 maps at the commit in
    tc39/SOURCE), each with its .golden; rust.json answers each."""
    assert len(TC39) == 8
    assert all(p.with_suffix(".map.golden").exists() for p in TC39)
    answered = {case["name"] for case in _json("rust.json")["cases"]}
    assert {f"tc39/{p.name}" for p in TC39} <= answered


@pytest.mark.parametrize("path", TC39, ids=[p.stem for p in TC39])
def test_tc39_decoding(path: Path) -> None:
    source_map = tc39_map(path)
    expected = json.loads(path.with_suffix(".map.golden").read_text("utf-8"))
    info, encoded = ours(f"tc39/{path.name}", source_map)
    scopes, ranges = golden(info, len(source_map["sources"]))
    assert scopes == [source["scope"] for source in expected["sources"]]
    assert ranges == expected["ranges"]
    assert encoded == source_map.get("scopes", "")


def test_tc39_maps_through_devtools(devtools: Callable[..., Any]) -> None:
    """DevTools reads tc39's maps, and our encoding of them, as we do."""
    cases, infos = [], []
    for path in TC39:
        source_map = tc39_map(path)
        info, encoded = ours(f"tc39/{path.name}", source_map)
        infos.append(info)
        for scopes in (source_map.get("scopes", ""), encoded):
            cases.append(
                {
                    "scopes": scopes,
                    "names": source_map["names"],
                    "sources": len(source_map["sources"]),
                }
            )
    theirs = devtools("decode", cases=cases, strict=True)
    for i, info in enumerate(infos):
        assert theirs[2 * i] == model(info)
        assert theirs[2 * i + 1] == model(info)


# --- DevTools -----------------------------------------------------------------------


def test_the_corpus_is_what_devtools_writes(devtools: Callable[..., Any]) -> None:
    """The random cases' text is DevTools' encoding of their trees, today: so reading it
    reads what DevTools writes (the SWC case is SWC's own text)."""
    cases = [c for c in devtools_cases() if c["name"].startswith("random-")]
    assert len(cases) == _json("devtools.json")["about"]["random"]["count"]
    encoded = devtools("encode", models=[c["model"] for c in cases])
    for case, theirs in zip(cases, encoded):
        assert theirs == {"scopes": case["scopes"], "names": case["names"]}, case["name"]
    random = _json("devtools.json")["about"]["random"]
    again = devtools("random", seed=random["seed"], count=random["count"])
    assert again == [c["model"] for c in cases]


def test_their_encoding_our_decoding(devtools: Callable[..., Any]) -> None:
    """DevTools' text (random trees, SWC's output) decoded by us is what DevTools
    decodes it to, in both of its modes."""
    cases = devtools_cases()
    request = [{"scopes": c["scopes"], "names": c["names"], "sources": c["sources"]} for c in cases]
    for strict in (False, True):
        theirs = devtools("decode", cases=request, strict=strict)
        for case, decoded in zip(cases, theirs):
            info, _ = ours(case["name"], case_map(case))
            assert model(info) == decoded == case["model"], case["name"]


def test_our_encoding_their_decoding(devtools: Callable[..., Any]) -> None:
    """Our text, decoded by DevTools, is our model (names are the map's: our encoding
    indexes the same `names`)."""
    cases = devtools_cases()
    infos, request = [], []
    for case in cases:
        info, encoded = ours(case["name"], case_map(case))
        infos.append(info)
        request.append({"scopes": encoded, "names": case["names"], "sources": case["sources"]})
    for strict in (False, True):
        theirs = devtools("decode", cases=request, strict=strict)
        for case, info, decoded in zip(cases, infos, theirs):
            assert decoded == model(info), case["name"]


def test_our_encoding_differs_from_theirs_only_in_call_site_order() -> None:
    """DevTools writes a range's call site (`I`) after its sub-range bindings (`H`); the
    spec's grammar, and our encoder, before them. Otherwise the texts are the same."""

    def call_sites_first(text: str) -> str:
        items = text.split(",")
        for i, item in enumerate(items):
            j = i
            while item.startswith("I") and j > 0 and items[j - 1].startswith("H"):
                items[j - 1], items[j] = items[j], items[j - 1]
                j -= 1
        return ",".join(items)

    moved = 0
    for case in devtools_cases():
        _, encoded = ours(case["name"], case_map(case))
        assert encoded == call_sites_first(case["scopes"]), case["name"]
        moved += encoded != case["scopes"]
    assert moved > 0


# --- SWC ----------------------------------------------------------------------------


def swc() -> tuple[dict[str, Any], ScopeInfo]:
    source_map = json.loads((FIXTURES / "swc" / "output.js.map").read_text("utf-8"))
    case = next(c for c in devtools_cases() if c["name"] == "swc")
    assert case["scopes"] == source_map["scopes"] and case["names"] == source_map["names"]
    info, encoded = ours("swc", source_map)
    assert encoded == source_map["scopes"]
    return source_map, info


def test_swc_build_scopes() -> None:
    """SWC's scopes of tests/fixtures/scopes/swc/input.js, read: a module scope with
    function and block scopes inside, and generated ranges that are them, over the code
    of those functions. (SWC 1.16's scopes carry the minified variable names, and
    original positions past the input's end: what it writes, read as DevTools reads it.)"""
    source_map, info = swc()
    assert len(info.scopes) == len(source_map["sources"]) == 1
    root = info.scopes[0]
    assert root is not None and root.kind == "module" and not root.is_stack_frame
    scopes = list(root.walk())
    assert {s.kind for s in scopes} == {"module", "function", "block"}
    assert all(s.is_stack_frame == (s.kind == "function") for s in scopes)
    assert {"main", "constructor"} <= {s.name for s in scopes}
    code = (FIXTURES / "swc" / "output.js").read_text("utf-8").splitlines()[0]
    ranges = [r for top in info.ranges for r in top.walk()]
    assert len(ranges) == len(scopes)
    for r in ranges:
        definition = info.definition(r)
        assert definition is not None
        assert r.is_stack_frame == definition.is_stack_frame
        assert r.values == definition.variables  # SWC's bindings: the names themselves
        text = code[r.start.column : r.end.column]
        if definition.name == "main":
            assert text.startswith("function main(e){") and text.endswith("}")
        if definition.kind == "block":
            assert text.startswith("{") and text.endswith("}")
    # The ranges at the loop's body: the module, the class's method, the inlined
    # function expression, the loop's block.
    at = code.index("r.push")
    kinds = [d.kind for r in info.ranges_at(0, at) if (d := info.definition(r)) is not None]
    assert kinds == ["module", "function", "function", "block"]


# --- the Python model ---------------------------------------------------------------


def test_model_types() -> None:
    """Named tuples: immutable, compared by value; the spec's views of a range."""
    inner = OriginalScope(Position(1, 2), Position(3, 0), "f", "Function", True, ("x",), ())
    outer = OriginalScope(Position(0, 0), Position(9, 0), None, "Global", False, (), (inner,))
    sub = SubRangeBinding(0, (Binding(Position(0, 20), "b"), Binding(Position(0, 30), None)))
    r = GeneratedRange(
        Position(0, 10),
        Position(0, 40),
        1,
        False,
        False,
        ("a",),
        (sub,),
        OriginalPosition(0, 5, 1),
        (),
    )
    info = ScopeInfo((outer, None), (r,))
    assert info.original_scopes() == (outer, inner)
    assert info.definition(r) is inner
    assert r.stack_frame_type == "none"
    assert r._replace(is_stack_frame=True).stack_frame_type == "original"
    assert r._replace(is_stack_frame=True, is_hidden=True).stack_frame_type == "hidden"
    assert r.bindings == (
        (
            Binding(Position(0, 10), "a"),
            Binding(Position(0, 20), "b"),
            Binding(Position(0, 30), None),
        ),
    )
    # Sub-range bindings of a variable without a value are left out, as the spec does.
    assert r._replace(values=()).bindings == ()
    assert info.ranges_at(0, 10) == [r] and info.ranges_at(0, 40) == []
    with pytest.raises(AttributeError):
        r.start = Position(0, 0)  # type: ignore[misc]
    assert r == GeneratedRange(*r)
    assert repr(Position(1, 2)) == "Position(line=1, column=2)"


def test_from_words_resolves_names_as_the_spec() -> None:
    """An index beyond ``names`` is no name, and "" for a variable; words that do not
    match their header are refused."""
    none = 0xFFFFFFFF
    words = [1, 1, 1, 1, 2, 1, 0, 0]  # 1 source, scope, range; 2 variables, 1 value
    words += [0]  # the source's root
    words += [0, 0, 5, 0, none, 7, 0, 1, 0, 2]  # the scope: name 7 (out), kind 0
    words += [0, 0, 1, 0, none, 0, 0, 0, 0, 0, 0, 1, 0, 0]  # the range
    words += [0, 9]  # variables
    words += [9]  # values
    info = ScopeInfo.from_words(words, ["k"])
    (scope,) = info.scopes
    assert scope is not None
    assert (scope.name, scope.kind, scope.variables) == (None, "k", ("k", ""))
    assert info.ranges[0].values == (None,)
    assert info.definition(info.ranges[0]) is scope
    data = struct.pack(f"<{len(words)}I", *words)
    assert ScopeInfo.from_bytes(data, ["k"]) == info
    with pytest.raises(ValueError):
        ScopeInfo.from_bytes(data[:-1], ["k"])
    with pytest.raises(ValueError):
        ScopeInfo.from_words(words[:-1], ["k"])
    with pytest.raises(ValueError):
        ScopeInfo.from_words([2] + words[1:], ["k"])


def test_deep_trees_build_without_recursion() -> None:
    """The words of 50,000 nested scopes (rust/src/scopes's test makes 200,000) build
    a model: no recursion."""
    none = 0xFFFFFFFF
    depth = 50_000
    words = [1, 1, depth, 0, 0, 0, 0, 0, 0]  # the header, then the source's root
    for i in range(depth):
        words += [0, i, 0, 2 * depth - i, none if i == 0 else i - 1, none, none, 0, 0, 0]
    info = ScopeInfo.from_words(words, [])
    scope = info.scopes[0]
    assert scope is not None
    assert sum(1 for _ in scope.walk()) == depth
    assert len(info.original_scopes()) == depth


# --- the field through a view ---------------------------------------------------------


def nested() -> dict[str, Any]:
    return tc39_map(FIXTURES / "tc39" / "nested-scopes.map")


@pytest.mark.parametrize(
    ("scopes", "item"),
    [
        ("BAAA,ZZZ", "item 2 at byte 8"),  # a scope that never ends
        ("BAA", "item 0"),  # cut short
        ("B!AA,C", "item 0"),  # not base64
        ("BAAA,CAA,CAA", "item 2"),  # an end without a start
        ("B" + "g" * 40, "item 0"),  # a VLQ of 2^32 or more
    ],
)
def test_unreadable_scopes_keep_the_map_and_fail_strict(scopes: str, item: str) -> None:
    """Lenient: the map reads, its mappings answer, and only ``scopes`` raises, naming
    the item; strict: the parse is refused with the same words."""
    text = json.dumps({**nested(), "scopes": scopes})
    view = View.from_json(text)
    assert view.get_source_count() == len(nested()["sources"])
    with pytest.raises(InvalidSourceMap, match=f"invalid `scopes`: {item}"):
        assert view.scopes is None  # raises before the comparison
    with pytest.raises(InvalidSourceMap, match=f"invalid `scopes`: {item}"):
        View.from_json(text, strict=True)


def test_strict_only_refusals() -> None:
    """What the proposal lets a decoder read with a fallback: read leniently (a name
    index out of range is no name), refused in strict mode; a `scopes` that is not a
    string is ignored leniently."""
    source_map = nested()
    out_of_range = {**source_map, "names": source_map["names"][:1]}
    info = View.from_json(json.dumps(out_of_range)).scopes
    assert info is not None and info.scopes[0] is not None
    # names[1] (a scope's name) and names[2] (a kind) are gone.
    assert [(s.name, s.kind) for s in info.scopes[0].walk()] == [
        (None, None),
        ("originalFunctionFoo", None),
        (None, None),
        (None, None),
    ]
    with pytest.raises(InvalidSourceMap, match="invalid `scopes`: item 2"):
        View.from_json(json.dumps(out_of_range), strict=True)
    assert View.from_json(json.dumps({**source_map, "scopes": 7})).scopes is None
    with pytest.raises(InvalidSourceMap, match="`scopes` must be a string"):
        View.from_json(json.dumps({**source_map, "scopes": 7}), strict=True)


def test_scopes_carried_by_to_json_and_memdb() -> None:
    """``to_json`` writes the field as read, and leaves it out without names (it indexes
    them); a memdb stores it likewise."""
    source_map = nested()
    view = View.from_json(json.dumps(source_map))
    assert view.scopes is not None
    assert json.loads(view.to_json())["scopes"] == source_map["scopes"]
    assert "scopes" not in json.loads(view.to_json(with_names=False))
    assert View.from_json(view.to_json()).scopes == view.scopes
    cached = View.from_memdb(view.dump_memdb())
    assert cached.scopes == view.scopes
    assert json.loads(cached.to_json())["scopes"] == source_map["scopes"]
    assert View.from_memdb(view.dump_memdb(with_names=False)).scopes is None
    without = View.from_json(json.dumps({k: v for k, v in source_map.items() if k != "scopes"}))
    assert without.scopes is None and "scopes" not in json.loads(without.to_json())


def test_an_index_map_keeps_its_sections_scopes_to_themselves() -> None:
    """A flattened index map has no scopes (each section's index its own sources, names
    and code); strict mode still checks each section's."""
    section = {**nested(), "mappings": "AAAA"}
    index = {"version": 3, "sections": [{"offset": {"line": 0, "column": 0}, "map": section}]}
    assert View.from_json(json.dumps(index)).scopes is None
    bad = {**index, "sections": [{**index["sections"][0], "map": {**section, "scopes": "BAA"}}]}
    assert View.from_json(json.dumps(bad)).scopes is None
    with pytest.raises(InvalidSourceMap, match="invalid `scopes`: item 0"):
        View.from_json(json.dumps(bad), strict=True)


def test_the_builder_writes_scopes() -> None:
    """A view's scopes through ``SourceMapBuilder.set_scopes``: the names they use join
    ``names``, and the built map reads back the same scopes (SWC's, DevTools' random
    trees with sub-range bindings and call sites)."""
    from libsourcemap import SourceMapBuilder

    cases = [c for c in devtools_cases() if c["name"] in ("swc", "random-0", "random-7")]
    for case in cases:
        info = View.from_json(json.dumps(case_map(case))).scopes
        assert info is not None
        builder = SourceMapBuilder()
        for i in range(case["sources"]):
            builder.add_source(f"s{i}.js")
        builder.add_name("unrelated")
        builder.set_scopes(info)
        built = builder.build()
        assert built.scopes == info, case["name"]
        assert "unrelated" in json.loads(builder.to_json())["names"]
    builder.set_scopes(None)
    assert "scopes" not in json.loads(builder.to_json())
    with pytest.raises(TypeError):
        builder.set_scopes("BAAA")  # type: ignore[arg-type]


def test_encode_refuses_what_the_format_cannot_hold() -> None:
    """A definition that is no scope: ``InvalidArgument``, nothing written."""
    from libsourcemap import InvalidArgument

    scope = OriginalScope(Position(0, 0), Position(1, 0), None, None, False, (), ())
    good = GeneratedRange(Position(0, 0), Position(0, 5), 0, False, False, (), (), None, ())
    assert ScopeInfo((scope,), (good,)).encode(name_index([]))
    bad = good._replace(definition=3)
    with pytest.raises(InvalidArgument):
        ScopeInfo((scope,), (bad,)).encode(name_index([]))
