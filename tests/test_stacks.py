"""Accuracy on real stack traces (tests/fixtures/stacks, made by generate-stacks.mjs).

The same failing calls into real libraries (acorn, semver, lodash-es) and our own code ran
in node on the original modules and on bundles minified by esbuild and by terser; both
runs recorded structured call sites. Each minified frame must resolve to the original
frame's file, line, column and function name.

V8 names a function assigned to a property after the object path too (``pp$4.raise``);
libsourcemap returns the function's own name (``raise``), so names are compared on their
last dotted segment.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import FIXTURES

from libsourcemap import View

STACKS = FIXTURES / "stacks"
BUNDLERS = ["esbuild", "terser"]


def load(name: str) -> dict[str, list[dict[str, Any]]]:
    return json.loads((STACKS / f"{name}.json").read_text())  # type: ignore[no-any-return]


def in_corpus(site: dict[str, Any]) -> bool:
    """Frames in the corpus' own files (not node's internals)."""
    file = site["file"]
    return bool(file) and not file.startswith("node:")


def own_name(name: str | None) -> str | None:
    return name.rsplit(".", 1)[-1] if name else None


@dataclass
class Score:
    frames: int = 0
    as_reference: int = 0  # resolved exactly where mozilla source-map resolves them
    positions: int = 0
    names: int = 0
    token_names: int = 0  # what a token-based guess (libsourcemap 0.8.2) gets right
    inlined: int = 0  # original frames the bundler inlined away: no map can restore them
    misses: list[str] = field(default_factory=list)


def score(bundler: str, view: View, original: str = "original") -> Score:
    """How the bundle's frames resolve against the run of ``original`` (the modules, or
    for SWC's builds the bundle SWC read)."""
    result = Score()
    bundle_dir = "stacks/dist"
    for scenario, original_sites in load(original).items():
        originals = [s for s in original_sites if in_corpus(s)]
        minified = [s for s in load(bundler)[scenario] if in_corpus(s)]
        result.frames += len(originals)
        # Pair frames in order; an original frame with no minified frame at its position
        # was inlined by the bundler.
        pending = list(originals)
        for site in minified:
            frame = view.resolve_frame(site["line"], site["column"])
            token = view.lookup_token(site["line"] - 1, site["column"] - 1)
            where = None
            if frame is not None and frame.source is not None:
                source = posixpath.normpath(posixpath.join(bundle_dir, frame.source))
                where = (source, frame.line, frame.column)
            reference = site["reference"]
            if reference is not None:
                source = posixpath.normpath(posixpath.join(bundle_dir, reference["source"]))
                reference = (source, reference["line"], reference["column"])
            result.as_reference += where == reference
            match = next(
                (i for i, o in enumerate(pending) if (o["file"], o["line"], o["column"]) == where),
                None,
            )
            if match is None:
                result.misses.append(f"{scenario}: {site} resolved to {where}")
                continue
            result.inlined += match
            expected = pending[match]
            pending = pending[match + 1 :]
            result.positions += 1
            assert frame is not None
            if own_name(frame.function) == own_name(expected["function"]):
                result.names += 1
            else:
                result.misses.append(
                    f"{scenario}: {where} function {frame.function!r}, "
                    f"node says {expected['function']!r}"
                )
            token_name = token.name if token is not None else None
            result.token_names += own_name(token_name) == own_name(expected["function"])
    return result


def view_for(bundler: str, attach: bool, contents: bool = True) -> View:
    minified = STACKS / "dist" / f"{bundler}.min.mjs"
    doc = json.loads((STACKS / "dist" / f"{bundler}.min.mjs.map").read_bytes())
    if not contents:
        del doc["sourcesContent"]
    view = View.from_json(json.dumps(doc))
    if attach:
        view.attach_minified_source(minified.read_bytes())
    return view


@pytest.mark.parametrize("attach", [True, False], ids=["function table", "original sources"])
@pytest.mark.parametrize("bundler", BUNDLERS)
def test_minified_frames_resolve_to_the_original_frames(bundler: str, attach: bool) -> None:
    result = score(bundler, view_for(bundler, attach))
    minified = sum(in_corpus(s) for sites in load(bundler).values() for s in sites)
    print(
        f"\n{bundler} ({'minified source attached' if attach else 'map only'}): "
        f"{result.frames} original frames, {result.inlined} inlined by the "
        f"bundler; of the {minified} minified frames, {result.as_reference} resolve where "
        f"mozilla source-map does, {result.positions} to node's original position; "
        f"function names right for {result.names} of those "
        f"(a token-based guess, as in 0.8.2: {result.token_names})"
    )
    for miss in result.misses:
        print("  miss:", miss)
    # Every position is what the map says (the reference implementation agrees) ...
    assert result.as_reference == minified, result.misses
    # ... and where the map allows the original position, the name is right as well.
    assert result.names == result.positions, result.misses


@pytest.mark.parametrize("bundler", BUNDLERS)
def test_function_names_survive_a_memdb_round_trip(bundler: str) -> None:
    attached = view_for(bundler, attach=True)
    cached = View.from_memdb(attached.dump_memdb())
    assert cached.has_function_table
    for sites in load(bundler).values():
        for site in filter(in_corpus, sites):
            line, col = site["line"] - 1, site["column"] - 1
            assert cached.get_original_function_name(line, col) == (
                attached.get_original_function_name(line, col)
            )


@pytest.mark.parametrize("bundler", BUNDLERS)
def test_without_sources_content_names_come_from_the_map(bundler: str) -> None:
    # No original text to parse: the function table maps minified names through the
    # map's `names`. Positions are unaffected; names are what the bundler recorded.
    result = score(bundler, view_for(bundler, attach=True, contents=False))
    print(
        f"\n{bundler} (no sourcesContent): names right for {result.names} of "
        f"{result.positions} frames"
    )
    assert result.positions >= result.frames - result.inlined - 1
    # The figures docs/function-names.md gives: esbuild records names only for what it
    # renamed (a name it kept is its own original), terser for nearly everything.
    assert (result.names, result.positions) == {"esbuild": (146, 149), "terser": (133, 146)}[
        bundler
    ]
