"""``remap`` held to ``@jridgewell/remapping`` (run in node, tests/js): real multi-step
builds made with the real tools (tsc → esbuild → terser; a minified bundle minified again,
tests/fixtures/generate-pipeline.mjs), 300 random trees of maps built to hit every rule
(exact column hits, repeated and source-less segments, names at every depth, contents
and ignore lists, sourceRoot and relative names), and the name resolution itself over
thousands of pairs. Both outputs are decoded by ``@jridgewell/trace-mapping``, so the
written maps are checked too. Then the errors."""

from __future__ import annotations

import itertools
import json
import random
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import FIXTURES, encode_mappings, vlq

import libsourcemap
from libsourcemap import View, remap
from libsourcemap._uri import resolve
from libsourcemap.errors import BadJson, InvalidArgument, InvalidSourceMap

BUILD = FIXTURES / "pipeline" / "build"


def maps_in(directory: Path) -> dict[str, str]:
    """Every map under ``directory``, by the name of the file it maps (relative)."""
    return {
        path.relative_to(directory).as_posix()[: -len(".map")]: path.read_text()
        for path in sorted(directory.rglob("*.js.map"))
    }


def ours(case: dict[str, Any]) -> tuple[bytes, list[str]]:
    calls: list[str] = []

    def loader(name: str) -> str | None:
        calls.append(name)
        return case["maps"].get(name)

    return remap(case["map"], loader).to_json(), calls


def decoded(maps: dict[str, Any]) -> dict[str, Any]:
    """A decoded map with an absent ``sourcesContent`` as a list of nulls (we leave it
    out when no source has contents; remapping writes nulls)."""
    if maps["sourcesContent"] is None:
        maps["sourcesContent"] = [None] * len(maps["sources"])
    return maps


def assert_same_as_remapping(cases: list[dict[str, Any]], js_reference: Callable[..., Any]) -> None:
    theirs = js_reference("remap", cases=cases)
    mine = [ours(case) for case in cases]
    for answer in theirs:
        assert "error" not in answer, answer
    both = js_reference(
        "decode",
        maps=[data.decode() for data, _ in mine] + [json.dumps(a["map"]) for a in theirs],
    )
    for number, case in enumerate(cases):
        assert mine[number][1] == theirs[number]["calls"], f"loader calls, case {number}"
        assert decoded(both[number]) == decoded(both[len(cases) + number]), (
            f"case {number}: {json.dumps(case)[:2000]}"
        )


def test_typescript_esbuild_terser(js_reference: Callable[..., Any]) -> None:
    maps = maps_in(BUILD)
    case = {"map": maps.pop("bundle.min.js"), "maps": maps}
    assert_same_as_remapping([case], js_reference)
    view = remap(case["map"], maps.get)
    # Through three steps, to the TypeScript: `checkout` is thrown from in index.ts.
    sources = {view.get_source_name(i) for i in range(view.get_source_count())}
    assert sources == {"../src/index.ts", "../src/cart.ts", "../src/util/money.ts"}
    index_ts = next(i for i, name in view.iter_sources() if name == "../src/index.ts")
    assert b"unknown product" in view.get_source_contents(index_ts)
    minified = (BUILD / "bundle.min.js").read_text().splitlines()
    line = next(n for n, text in enumerate(minified) if "unknown product" in text)
    token = view.lookup_token(line, minified[line].index("unknown product") - 1)
    original = view.get_source_contents(token.src_id).decode().splitlines()[token.src_line]
    assert "unknown product" in original


def test_minified_bundle_minified_again(js_reference: Callable[..., Any]) -> None:
    inner = (FIXTURES / "esbuild-lodash.min.js.map").read_text()
    case = {
        "map": (BUILD / "lodash.reminified.js.map").read_text(),
        "maps": {"esbuild-lodash.min.js": inner},
    }
    assert_same_as_remapping([case], js_reference)
    view = remap(case["map"], case["maps"].get)
    assert view.get_source_count() > 100  # lodash's modules, not the intermediate bundle
    assert all("lodash" in (name or "") for _, name in view.iter_sources())
    assert not any(name == "esbuild-lodash.min.js" for _, name in view.iter_sources())


def test_views_and_text_load_the_same() -> None:
    maps = maps_in(BUILD)
    root = maps.pop("bundle.min.js")
    as_views = {name: View.from_json(text) for name, text in maps.items()}
    from_text = remap(root, maps.get).to_json()
    assert remap(View.from_json(root), as_views.get).to_json() == from_text
    as_bytes = {name: text.encode() for name, text in maps.items()}
    assert remap(root.encode(), as_bytes.get).to_json() == from_text


# -- random trees -------------------------------------------------------------------------

ORIGINALS = ["a.js", "lib/b.js", "../c.js", "./d.js", "", "webpack:///e.js", "/f.js", "x/../g.js"]
ROOTS = [None, "", "root", "root/", "http://cdn.example/js/", "../up"]
NAMES = ["alpha", "beta", "", "gamma", "δ"]


def random_map(rng: random.Random, sources: list[str | None]) -> dict[str, Any]:
    tokens = []
    for line in range(rng.randint(1, 3)):
        columns = sorted(rng.choice(range(12)) for _ in range(rng.randint(0, 7)))
        for column in columns:
            if rng.random() < 0.2:
                tokens.append((line, column, None, 0, 0, None))
            else:
                name = rng.randrange(len(NAMES)) if rng.random() < 0.4 else None
                source = rng.randrange(len(sources))
                tokens.append((line, column, source, rng.randint(0, 2), rng.randint(0, 12), name))
    doc: dict[str, Any] = {
        "version": 3,
        "sources": sources,
        "names": NAMES,
        "mappings": encode_mappings(tokens, max([t[0] for t in tokens], default=0) + 1),
    }
    if rng.random() < 0.3:
        doc["file"] = rng.choice(["out.js", ""])
    if rng.random() < 0.7:
        doc["sourcesContent"] = [rng.choice([None, f"text {rng.random()}"]) for _ in sources]
    ignored = [i for i in range(len(sources)) if rng.random() < 0.3]
    if ignored:
        doc[rng.choice(["ignoreList", "x_google_ignoreList"])] = ignored
    return doc


def random_tree(rng: random.Random) -> dict[str, Any]:
    maps: dict[str, str] = {}
    counter = itertools.count()

    def make(importer: str, depth: int) -> str:
        root = rng.choice(ROOTS)
        prefix = root + "/" if root else ""
        base = importer[: importer.rfind("/") + 1]
        sources: list[str | None] = []
        children = []
        for _ in range(rng.randint(1, 3)):
            if depth < 3 and rng.random() < 0.45:
                name = rng.choice(["", "step/", "../"]) + f"m{next(counter)}.js"
                sources.append(name)
                children.append(resolve(prefix + name, base))
            else:
                sources.append(rng.choice([*ORIGINALS, None]))
        doc = random_map(rng, sources)
        if root is not None:
            doc["sourceRoot"] = root
        for child in children:
            maps[child] = make(child, depth + 1)
        return json.dumps(doc)

    return {"map": make("", 0), "maps": maps}


def test_random_trees(js_reference: Callable[..., Any]) -> None:
    rng = random.Random(2026)
    assert_same_as_remapping([random_tree(rng) for _ in range(300)], js_reference)


def test_name_resolution(js_reference: Callable[..., Any]) -> None:
    parts = [
        "",
        "a",
        "a/b",
        "./a",
        "../a",
        "../../a/b/",
        "a/./b/../c",
        "/abs",
        "/abs/../x",
        "//host/p",
        "http://h.com/p/q",
        "http://u@h.com:8080/p?q=1#h",
        "webpack:///./src/x",
        "file:///C:/x",
        "file:x/y",
        "?q",
        "#h",
        "a//b",
        "..",
        ".",
        "a/..",
        "x:y",
        "data:text/plain,hi",
    ]
    pairs = [[x + y, z] for x in parts for y in ["", "/d.js", "f.js"] for z in parts]
    expected = js_reference("resolve", pairs=pairs)
    assert [resolve(x, y) for x, y in pairs] == expected


# -- semantics spelled out ----------------------------------------------------------------


def test_a_map_with_no_loaded_sources_is_itself() -> None:
    text = (FIXTURES / "terser-underscore.min.js.map").read_bytes()
    view = remap(text, lambda name: None)
    original = View.from_json(text)
    assert [tuple(t)[:4] for t in view] == [tuple(t)[:4] for t in original]


# -- bad input ----------------------------------------------------------------------------


def test_bad_input_raises_clearly() -> None:
    maps = maps_in(BUILD)
    root = maps.pop("bundle.min.js")
    with pytest.raises(BadJson) as caught:
        remap(root, lambda name: b"{not json" if name == "bundle.js" else None)
    if sys.version_info >= (3, 11):  # exception notes; PyPy 3.9 has none
        assert "the map loaded for 'bundle.js'" in "".join(caught.value.__notes__)
    # Mappings are checked by the composition's one pass over them, which names the map.
    bad = json.dumps({"version": 3, "sources": ["a.js"], "names": [], "mappings": "AAAA,!"})
    with pytest.raises(InvalidSourceMap, match="in the map loaded for 'bundle.js'"):
        remap(root, lambda name: bad if name == "bundle.js" else None)
    with pytest.raises(InvalidSourceMap, match="invalid base64 .* in the last step's map"):
        remap(bad, lambda name: None)
    with pytest.raises(TypeError, match="must be bytes, str or a View, not int"):
        remap(root, lambda name: 42)
    with pytest.raises(TypeError, match="loader must be callable"):
        remap(root, "not a loader")  # type: ignore[arg-type]

    class Refused(Exception):
        pass

    def refusing(name: str) -> None:
        raise Refused(name)

    with pytest.raises(Refused, match="bundle.js"):
        remap(root, refusing)


def test_cycles_and_endless_loaders_are_refused() -> None:
    loop = json.dumps({"version": 3, "sources": ["self.js"], "names": [], "mappings": "AAAA"})
    with pytest.raises(InvalidArgument, match="cycle: self.js -> self.js"):
        remap(loop, lambda name: loop)
    deeper = itertools.count()

    def endless(name: str) -> str:
        return json.dumps(
            {"version": 3, "sources": [f"s{next(deeper)}.js"], "names": [], "mappings": "AAAA"}
        )

    with pytest.raises(InvalidArgument, match="more than 256 maps deep"):
        remap(endless(""), endless)


def test_huge_positions_compose() -> None:
    big = 2**31 - 1  # the largest value a VLQ may hold
    outer = {"version": 3, "sources": ["mid.js"], "names": [], "mappings": "AAAA"}
    inner = {"version": 3, "sources": ["orig.js"], "names": [], "mappings": "AA" + vlq(big) * 2}
    view = remap(json.dumps(outer), lambda n: json.dumps(inner) if n == "mid.js" else None)
    token = view.lookup_token(0, 0)
    assert (token.src_line, token.src_col) == (big, big)


def test_closed_views_are_refused() -> None:
    view = View.from_json((FIXTURES / "terser-underscore.min.js.map").read_bytes())
    view.close()
    with pytest.raises(Exception, match="closed"):
        remap(view, lambda name: None)


def test_is_exported() -> None:
    assert libsourcemap.remap is remap
