"""``libsourcemap.compat.ecma426`` against ecma426 0.2.0 itself (a test dependency: pure
Python, so both run side by side in one process): its own test suite (``ecma426/tests.py``,
shipped in its wheel) run against the drop-in, and both packages' answers on real maps
(lookups everywhere, iteration, ``raw``, errors for bad input) compared."""

from __future__ import annotations

import copy
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import types
import unittest
from functools import partial
from pathlib import Path
from typing import Any, Callable

import ecma426 as reference
import ecma426.scripts.identity_sourcemap
import pytest
from conftest import ALL_REAL_MAPS, FIXTURES

from libsourcemap.compat import ecma426

MAPS = ALL_REAL_MAPS


def test_ecma426s_own_suite_passes_against_the_drop_in() -> None:
    """ecma426/tests.py, compiled as a module of the drop-in package: its relative
    imports (``from .codec import ...``) reach ours."""
    origin = importlib.util.find_spec("ecma426")
    assert origin is not None and origin.origin is not None
    path = Path(origin.origin).parent / "tests.py"
    module = types.ModuleType("libsourcemap.compat.ecma426.tests")
    module.__package__ = "libsourcemap.compat.ecma426"
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    try:
        exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
        suite = unittest.defaultTestLoader.loadTestsFromModule(module)
        result = unittest.TextTestRunner(verbosity=0).run(suite)
    finally:
        del sys.modules[module.__name__]
    assert suite.countTestCases() >= 40
    assert result.wasSuccessful(), [str(t) for t, _ in result.failures + result.errors]


def fields(m: Any) -> tuple[Any, ...]:
    return (m.generated_line, m.generated_column, m.source, m.original_line, m.original_column,
            m.name)  # fmt: skip


def outcome(call: Callable[[], Any]) -> Any:
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - the exception type is what is compared
        return ("raises", type(exc).__name__)
    return ("returns", fields(value))


@pytest.mark.parametrize("name", MAPS)
def test_real_maps_answer_the_same(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    theirs, ours = reference.loads(data), ecma426.loads(data)
    assert len(ours) == len(theirs)
    assert [fields(m) for m in ours] == [fields(m) for m in theirs]
    assert ours.sources == theirs.sources and ours.raw == theirs.raw
    lines = len(theirs.line_index)
    positions = [
        (t.generated_line, t.generated_column + d) for t in list(theirs)[::13] for d in (0, 1, 50)
    ]
    positions += [(line, 0) for line in range(lines)] + [
        (lines, 0),
        (lines + 5, 3),
        (-1, 0),
        (-1, 10**6),
    ]
    positions += [(0, -1), (0, 2**40), (0, 0.5), (1.0, 0), (0, "x"), (True, 3)]  # type: ignore[list-item]
    for line, col in positions:
        assert outcome(lambda line=line, col=col: ours.lookup_left(line, col)) == outcome(
            lambda line=line, col=col: theirs.lookup_left(line, col)
        ), (line, col)
        assert outcome(lambda line=line, col=col: ours[line, col]) == outcome(
            lambda line=line, col=col: theirs[line, col]
        ), (line, col)
    assert repr(ours) == repr(theirs)
    assert ours.line_index == theirs.line_index
    # Each package's own Mapping class: compared by their fields.
    assert {k: fields(m) for k, m in ours.index.items()} == {
        k: fields(m) for k, m in theirs.index.items()
    }


BAD_INPUTS = [
    b"",
    b"{",
    b"[]",
    b"3",
    b'{"version": 2}',
    b'{"version": "3"}',
    b"\xff\xfe",
    b'{"version":3,"sources":["a"],"names":[],"mappings":"AAAA,,C"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"AA"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"AAAAAA"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"AAAAC"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"ACAA"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"gggggggA"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"!"}',
    b'{"version":3,"sources":[1],"names":[],"mappings":""}',
    b'{"version":3,"sources":[],"names":[null],"mappings":""}',
    b'{"version":3,"sources":[],"names":[],"mappings":1}',
    b'{"sources":["a"],"mappings":"AAAA"}',
    b'{"version":3,"sections":{}}',
    b'{"version":3,"sections":[{"offset":{"line":0,"column":0},"url":"x.map"}]}',
    b")]}'\n" + b'{"version":3,"sources":["a"],"names":["n"],"mappings":"AAAAA;;CACA"}',
    b'{"version":3,"sources":[null,"b"],"names":[],"mappings":"AAAA,CCAA;A"}',
    b'{"version":3,"sourceRoot":"r/","sources":["a"],"names":[],"mappings":"AAAA"}',
    b'{"version":3,"sources":["a"],"names":[],"mappings":"AAAA,AAEA,C"}',
]


@pytest.mark.parametrize("data", BAD_INPUTS, ids=range(len(BAD_INPUTS)))
def test_unusual_input_answers_the_same(data: bytes) -> None:
    def parsed(loads: Callable[[bytes], Any]) -> Any:
        try:
            index = loads(data)
        except Exception as exc:  # noqa: BLE001
            return ("raises", type(exc).__name__)
        return ("returns", [fields(m) for m in index], index.sources, len(index))

    assert parsed(ecma426.loads) == parsed(reference.loads)
    text = data.decode("utf-8", "replace")
    assert parsed(lambda _: ecma426.loads(text)) == parsed(lambda _: reference.loads(text))


def test_decode_and_encode_answer_the_same() -> None:
    for name in MAPS:
        obj = json.loads((FIXTURES / name).read_bytes())
        ours, theirs = ecma426.decode(obj), reference.decode(obj)
        assert [fields(m) for m in ours] == [fields(m) for m in theirs]
        tokens = list(theirs)
        encoded = ecma426.encode(
            [ecma426.Mapping(*fields(m)) for m in tokens], source_root="x/", debug_id="d"
        )
        assert encoded == reference.encode(tokens, source_root="x/", debug_id="d")


def test_mapping_is_ecma426s() -> None:
    a, b = ecma426.Mapping(1, 2, "s", 3, 4, "n"), reference.model.Mapping(1, 2, "s", 3, 4, "n")
    assert repr(a) == repr(b) and fields(a) == fields(b)
    with pytest.raises(TypeError):
        hash(a)


# -- every map, all of each index, and mutated maps ----------------------------------------

#: Every map under tests/fixtures (the npm packages' own maps left out).
EVERY_MAP = sorted(
    str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.map") if "node_modules" not in p.parts
)


def _has(name: str, what: str) -> bool:
    """Whether the map (or a section of it) has ``what`` to change: ``"lines"``, a line of
    two segments or more to reorder; ``"strings"``, a source or a name for a surrogate.
    (tc39's scopes fixtures are maps of another field: no sources, no mappings.)"""
    doc = json.loads((FIXTURES / name).read_bytes())
    maps = [s.get("map", {}) for s in doc.get("sections", [])] or [doc]
    if what == "lines":
        return any("," in line for m in maps for line in str(m.get("mappings", "")).split(";"))
    return any(m.get("sources") or m.get("names") for m in maps)


#: The maps a mutation changes: those with lines to reorder, those with strings.
#: tc39's invalid range mapping maps, which ecma426 may refuse (both alike, then): not
#: mutated to test something else.
INVALID_BY_DESIGN = {
    f"range-mappings/{test['sourceMapFile']}"
    for test in json.loads((FIXTURES / "range-mappings" / "tests.json").read_bytes())["tests"]
    if not test["sourceMapIsValid"]
}
VALID = [name for name in EVERY_MAP if name not in INVALID_BY_DESIGN]
#: SWC's line of the inlined-call fixture has two segments at one column in its middle,
#: which the "last-line" reordering swaps: the same order, nothing to test.
SAME_WHEN_SWAPPED = {"scopes/inlined/output.js.map"}
REORDERABLE = [name for name in VALID if _has(name, "lines") and name not in SAME_WHEN_SWAPPED]
WITH_STRINGS = [name for name in VALID if _has(name, "strings")]


def probe_positions(index: Any) -> list[Any]:
    """Where to look up in ``index`` (ecma426's): around 300 of its segments, evenly spread
    (exact hits, left of them, past them), every line's start and end, past the last line,
    and arguments of other types; shuffled, so that the lines are asked about in no
    particular order."""
    lines = len(index.line_index)
    tokens = list(index)
    positions: list[Any] = [
        (t.generated_line, t.generated_column + d)
        for t in tokens[:: max(7, len(tokens) // 300)]
        for d in (-1, 0, 1, 7, 50)
    ]
    positions += [(line, col) for line in range(lines) for col in (0, 10**6)]
    positions += [(lines, 0), (lines + 5, 3), (-1, 0), (-1, 10**6), (0, -1), (0, 2**40)]
    positions += [(0, 0.5), (1.0, 0), (0, "x"), (True, 3)]
    random.Random(426).shuffle(positions)
    return positions


def loaded(loads: Callable[[Any], Any], data: Any) -> Any:
    """``loads(data)``, or the exception it raises (its class and message)."""
    try:
        return loads(data)
    except Exception as exc:  # noqa: BLE001 - the exception is what is compared
        return ("raises", type(exc).__name__, str(exc))


def everything(index: Any, positions: list[Any], first: str) -> Any:
    """All ``index`` answers, by field values: lookups and ``[]`` at ``positions`` (before
    anything else when ``first == "lookups"``, after iterating when ``first == "tokens"``),
    the segments, ``tokens``, ``sources``, ``raw``, ``repr``, ``len``, ``line_index`` and
    ``index`` (in its order); an exception ``loads`` raised instead stands for itself."""
    if isinstance(index, tuple):
        return index
    out: dict[str, Any] = {}
    if first == "tokens":
        out["iteration"] = [fields(m) for m in index]
    out["lookup_left"] = [outcome(lambda p=p: index.lookup_left(*p)) for p in positions]
    out["getitem"] = [outcome(lambda p=p: index[p]) for p in positions]
    out["iteration"] = [fields(m) for m in index]
    out["tokens"] = [fields(m) for m in index.tokens]
    out["sources"] = index.sources
    out["raw"] = index.raw
    out["repr"] = repr(index)
    out["len"] = len(index)
    out["line_index"] = index.line_index
    out["index"] = [(k, fields(m)) for k, m in index.index.items()]
    return out


def assert_same(data: Any) -> Any:
    """Both packages answer everything the same on ``data``, the drop-in asked in both
    orders (each on an index of its own: it builds what it answers from on first use);
    returns ecma426's answers."""
    theirs = loaded(reference.loads, data)
    positions = [] if isinstance(theirs, tuple) else probe_positions(theirs)
    expected = everything(theirs, positions, "lookups")
    for first in ("lookups", "tokens"):
        assert everything(loaded(ecma426.loads, data), positions, first) == expected, first
    return expected


@pytest.mark.parametrize("name", EVERY_MAP)
def test_every_fixture_map_answers_the_same(name: str) -> None:
    """Every map under tests/fixtures (Sentry's, React Native's, the pipeline's included),
    as bytes and as str; each loads, but for the ones written to be invalid."""
    data = (FIXTURES / name).read_bytes()
    for given in (data, data.decode("utf-8")):
        answers = assert_same(given)
        assert isinstance(answers, dict) or name in INVALID_BY_DESIGN


# A BOM: the core reads past it; Python's json refuses it in a str ("Unexpected UTF-8 BOM
# (decode using utf-8-sig)"), and ecma426 decodes bytes to a str first, so it raises
# json.JSONDecodeError for bytes and str alike, after its ")]}'" prefix is stripped too.

BOM = "\ufeff"


def bom_variants(data: bytes) -> dict[str, Any]:
    bom, xssi = BOM.encode(), b")]}'\n"
    text = data.decode("utf-8")
    return {
        "bytes": bom + data,
        "str": BOM + text,
        "after-xssi": xssi + bom + data,
        "before-xssi": bom + xssi + data,
        "after-space": b" " + bom + data,
        "at-end": data + bom,
        "str-at-end": text + BOM,
    }


@pytest.mark.parametrize("name", EVERY_MAP)
def test_a_bom_is_refused_as_by_ecma426(name: str) -> None:
    for variant, data in bom_variants((FIXTURES / name).read_bytes()).items():
        theirs = assert_same(data)
        assert isinstance(theirs, tuple) and theirs[:2] == ("raises", "JSONDecodeError"), variant
    with pytest.raises(json.JSONDecodeError, match="Unexpected UTF-8 BOM"):
        ecma426.loads(BOM.encode() + (FIXTURES / name).read_bytes())


def test_a_bom_inside_a_string_is_kept() -> None:
    obj = json.loads((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    obj["sources"][0] = BOM + obj["sources"][0]
    obj["names"][0] = obj["names"][0] + BOM
    for data in (json.dumps(obj).encode(), json.dumps(obj, ensure_ascii=False).encode()):
        assert assert_same(data)["sources"][0].startswith(BOM)


# Lone surrogates: Python's json keeps a "\ud800" escape as a lone surrogate, so ecma426's
# sources, names (and raw sourcesContent) have one; the core decodes it to U+FFFD.

LONE = ["\ud800", "\udc00", "\udbff\ud800", "\ude00\ud83d", "x\udfff"]


def with_surrogates(obj: dict[str, Any], salt: int) -> dict[str, Any]:
    """``obj`` (a parsed map, or an index map) with lone surrogates put in a few of its
    names (the first, the last, and ones segments use), sources and sourcesContent; and a
    valid pair and a real U+FFFD beside them."""
    obj = copy.deepcopy(obj)
    maps = [s["map"] for s in obj["sections"]] if "sections" in obj else [obj]
    for i, m in enumerate(maps):
        lone = LONE[(salt + i) % len(LONE)]
        names = m.get("names", [])
        for j in {0, len(names) - 1, len(names) // 2, 1 + salt % max(1, len(names) - 1)}:
            if 0 <= j < len(names):
                names[j] = (lone + names[j]) if j % 2 else (names[j] + lone)
        if len(names) > 3:
            names[2] += "\ud83d\ude00\ufffd"
        sources = m.get("sources", [])
        if sources and sources[0] is not None:
            sources[0] += lone
        if len(sources) > 1 and sources[-1] is not None:
            sources[-1] = "\ufffd" + sources[-1]
        contents = m.get("sourcesContent") or []
        if contents and contents[0] is not None:
            contents[0] = lone + contents[0]
    return obj


@pytest.mark.parametrize("name", WITH_STRINGS)
def test_lone_surrogates_stay_as_in_ecma426(name: str) -> None:
    obj = json.loads((FIXTURES / name).read_bytes())
    for salt in range(2):
        mutated = with_surrogates(obj, salt)
        escaped = json.dumps(mutated).encode()  # "\ud800" escapes (ASCII)
        assert b"\\ud8" in escaped or b"\\udb" in escaped or b"\\udc" in escaped
        theirs = assert_same(escaped)
        assert any("\ud800" <= c <= "\udfff" for s in theirs["sources"] + [
            m[5] or "" for m in theirs["tokens"]] for c in s or "")  # fmt: skip
        if salt:
            assert_same(escaped.replace(b"\\ud", b"\\uD"))  # upper-case escapes
            continue
        # A str with the surrogates themselves (no escapes): json reads them as they are.
        assert_same(json.dumps(mutated, ensure_ascii=False))
        # As bytes, surrogates are not UTF-8: both raise UnicodeDecodeError.
        raw = json.dumps(mutated, ensure_ascii=False).encode("utf-8", "surrogatepass")
        assert assert_same(raw)[:2] == ("raises", "UnicodeDecodeError")


# Segments of a line written out of column order: ecma426 keeps them as written (tokens,
# line_index and index follow the text; lookup_left bisects the line's unsorted columns),
# the core sorts them; the drop-in answers as ecma426 does.


def segments_by_line(mappings: str) -> list[list[list[int]]]:
    """Each line's segments with absolute fields: ``[column]`` or ``[column, source, line,
    column(, name)]``."""
    state = [0, 0, 0, 0]  # source, original line, original column, name
    out = []
    for text in mappings.split(";"):
        column, line = 0, []
        for segment in text.split(",") if text else []:
            values = reference.vlq.decode_string(segment)
            column += values[0]
            for i, value in enumerate(values[1:]):
                state[i] += value
            line.append([column, *state[: len(values) - 1]])
        out.append(line)
    return out


def written(lines: list[list[list[int]]]) -> str:
    """The mappings text of segments in the order given (deltas as they come)."""
    state = [0, 0, 0, 0]
    texts = []
    for line in lines:
        column, parts = 0, []
        for segment in line:
            values = [segment[0] - column]
            column = segment[0]
            for i, value in enumerate(segment[1:]):
                values.append(value - state[i])
                state[i] = value
            parts.append(reference.vlq.encode_values(values))
        texts.append(",".join(parts))
    return ";".join(texts)


def reorder(mappings: str, how: str, rng: random.Random) -> str:
    lines = segments_by_line(mappings)
    assert written(lines) == mappings  # the fixtures' encoders are canonical
    full = [i for i, line in enumerate(lines) if len(line) > 1]
    if how == "reversed":
        for i in full:
            lines[i].reverse()
    elif how == "first-line":  # the first segment written is not the first in order
        lines[full[0]].append(lines[full[0]].pop(0))
    elif how == "last-line":  # only the last line with two segments is out of order
        line = lines[full[-1]]
        at = len(line) // 2
        line[at - 1], line[at] = line[at], line[at - 1]
    elif how == "shuffled":
        for i in rng.sample(full, max(1, len(full) // 3)):
            rng.shuffle(lines[i])
    elif how == "ties":  # equal columns, and one going back to them
        line = lines[full[-1]]
        if len(line) > 2:
            line[1][0] = line[0][0]
            line[2][0], line[0][0] = line[0][0], line[2][0]
        else:
            line.reverse()
    return written(lines)


REORDERINGS = ["reversed", "first-line", "last-line", "shuffled", "ties"]


def reordered_maps(obj: dict[str, Any], how: str, seed: int) -> Any:
    obj = copy.deepcopy(obj)
    rng = random.Random(seed)
    maps = [s["map"] for s in obj["sections"]] if "sections" in obj else [obj]
    for m in maps:
        if any(len(line) > 1 for line in segments_by_line(m["mappings"])):
            m["mappings"] = reorder(m["mappings"], how, rng)
    return obj


@pytest.mark.parametrize("how", REORDERINGS)
@pytest.mark.parametrize("name", REORDERABLE)
def test_segments_out_of_order_answer_as_in_ecma426(name: str, how: str) -> None:
    obj = reordered_maps(json.loads((FIXTURES / name).read_bytes()), how, seed=len(name))
    data = json.dumps(obj).encode()
    theirs = assert_same(data)
    if how != "ties":
        assert theirs["line_index"] != sorted_lines(theirs["line_index"]), "not reordered"
    # decode (of the parsed JSON) keeps the written order too, in both packages.
    ours, ref = ecma426.decode(json.loads(data)), reference.decode(json.loads(data))
    assert [fields(m) for m in ours] == [fields(m) for m in ref] == theirs["tokens"]
    assert ours.line_index == ref.line_index
    assert [(k, fields(m)) for k, m in ours.index.items()] == theirs["index"]


def sorted_lines(line_index: list[list[int]]) -> list[list[int]]:
    return [sorted(line) for line in line_index]


@pytest.mark.parametrize("name", ["esbuild-lodash.min.js.map", "rn/build/index.android.bundle.map"])
def test_out_of_order_maps_with_other_mappings_keys(name: str) -> None:
    """Where the top-level ``mappings`` is found in the text: beside nested ``"mappings"``
    keys (React Native's ``x_facebook_sources`` has some; one more here, after it in the
    text, in column order and before it), with a key written with an escape, and with a
    name ``"mappings"``."""
    obj = reordered_maps(json.loads((FIXTURES / name).read_bytes()), "last-line", seed=3)
    obj["names"].append("mappings")
    before = {"x_before": {"mappings": "CAAC,CAAC"}, **obj}
    after = {**obj, "x_after": {"mappings": "AAAA;KAAK,IAAI"}, "x_ordered": {"mappings": "AAAA"}}
    for doc in (obj, before, after):
        data = json.dumps(doc).encode()
        assert_same(data)
        assert_same(data.replace(b'"mappings": ', b'"mapp\\u0069ngs": '))
        assert_same(data.replace(b'"mappings": ', b'"mappings"\n :\t'))
    in_order = json.loads((FIXTURES / name).read_bytes())
    escaped = json.dumps(in_order).encode().replace(b'"mappings": ', b'"mapp\\u0069ngs": ')
    assert_same(escaped)


def test_lookups_on_lines_in_order_come_from_the_core() -> None:
    """A map with one line out of order answers lookups on its other lines, and exact hits
    anywhere, from the core (the Python path is taken when that line is asked about)."""
    obj = json.loads((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    lines = segments_by_line(obj["mappings"])
    late = max(i for i, line in enumerate(lines) if len(line) > 2)
    lines[late][1], lines[late][2] = lines[late][2], lines[late][1]
    obj["mappings"] = written(lines)
    data = json.dumps(obj).encode()
    ours, theirs = ecma426.loads(data), reference.loads(data)
    for line, segments in enumerate(lines):
        if line != late and segments:
            col = segments[-1][0] + 3
            assert fields(ours.lookup_left(line, col)) == fields(theirs.lookup_left(line, col))
    col = lines[late][1][0]
    assert fields(ours.lookup_left(late, col)) == fields(theirs.lookup_left(late, col))
    assert ours._view is not None, "an exact hit needs no order"
    assert outcome(lambda: ours.lookup_left(late, col + 1)) == outcome(
        lambda: theirs.lookup_left(late, col + 1)
    )
    assert ours._view is None, "the Python path answers that line"
    assert [fields(m) for m in ours] == [fields(m) for m in theirs]


# -- identity-sourcemap -------------------------------------------------------------------

#: Inputs for identity-sourcemap (any text file: maps and the minified files beside them).
IDENTITY_INPUTS = sorted(
    {str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*.map")}
    | {str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*.js")}
    | {str(p.relative_to(FIXTURES)) for p in (FIXTURES / "sentry/root").rglob("*.map")}
    | {str(p.relative_to(FIXTURES)) for p in (FIXTURES / "sentry/root").rglob("*.js")}
)


def run_identity(
    main: Callable[[], None], argv: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[Any, str, dict[str, bytes]]:  # fmt: skip
    """``main`` run in ``cwd`` with ``argv``: its exit status (or exception class), its
    stdout, and the files it leaves in ``cwd``."""
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["identity-sourcemap", *argv])
    try:
        main()
        status: Any = 0
    except SystemExit as exc:
        status = exc.code
    except Exception as exc:  # noqa: BLE001 - compared
        status = type(exc).__name__
    files = {str(p.relative_to(cwd)): p.read_bytes() for p in cwd.rglob("*") if p.is_file()}
    return status, capsys.readouterr().out, files


@pytest.mark.parametrize("name", IDENTITY_INPUTS)
def test_identity_sourcemap_writes_what_ecma426s_writes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ecma426.scripts import identity_sourcemap as theirs

    from libsourcemap.compat.ecma426.scripts import identity_sourcemap as ours

    results = []
    for main, where in ((theirs.main, "theirs"), (ours.main, "ours")):
        cwd = tmp_path / where
        (cwd / "in").mkdir(parents=True)
        (cwd / "in" / Path(name).name).write_bytes((FIXTURES / name).read_bytes())
        results.append(run_identity(main, [f"in/{Path(name).name}"], cwd, monkeypatch, capsys))
    assert results[0] == results[1]
    status, out, files = results[1]
    assert status == 0 and out == f"Wrote in/{Path(name).name}.map\n" and len(files) == 2


IDENTITY_EDGE_CASES = {
    "crlf.js": b"a\r\nb\rc\n",
    "empty.js": b"",
    "no-suffix": b"x",
    "bom.js": b"\xef\xbb\xbfvar a;\n",
    "unicode.js": 'var \u00e9 = "\\ud800 \U0001f600";\n'.encode(),
    "not-utf8.js": b"\xff\xfe",
    "two.dots.js": b"1\n2",
    "trailing.": b"\n\n",
}


@pytest.mark.parametrize(
    "argv",
    [[name] for name in IDENTITY_EDGE_CASES]
    + [[], ["a.js", "b.js"], ["missing.js"], ["dir"], [""]],
    ids=repr,
)
def test_identity_sourcemap_edge_cases(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from ecma426.scripts import identity_sourcemap as theirs

    from libsourcemap.compat.ecma426.scripts import identity_sourcemap as ours

    results = []
    for main, where in ((theirs.main, "theirs"), (ours.main, "ours")):
        cwd = tmp_path / where
        (cwd / "dir").mkdir(parents=True)
        for name, data in IDENTITY_EDGE_CASES.items():
            (cwd / name).write_bytes(data)
        results.append(run_identity(main, argv, cwd, monkeypatch, capsys))
    assert results[0] == results[1]


def test_identity_sourcemap_commands_run_alike(tmp_path: Path) -> None:
    """As processes: ecma426's console script and module, and the drop-in's module (what
    a console script of ours runs), with the same exit status, stdout, last line of stderr
    and map bytes."""
    command = shutil.which("identity-sourcemap", path=str(Path(sys.executable).parent))
    assert command, "ecma426 installs identity-sourcemap"
    runs = {
        "console script": [command],
        "ecma426 module": [sys.executable, "-m", "ecma426.scripts.identity_sourcemap"],
        "drop-in module": [
            sys.executable,
            "-m",
            "libsourcemap.compat.ecma426.scripts.identity_sourcemap",
        ],
    }
    results = {}
    for label, prefix in runs.items():
        cwd = tmp_path / label.replace(" ", "-")
        cwd.mkdir()
        for name, data in IDENTITY_EDGE_CASES.items():
            (cwd / name).write_bytes(data)
        (cwd / "app.js").write_bytes((FIXTURES / "esbuild-lodash.min.js").read_bytes())
        found = []
        for argv in (["app.js"], ["crlf.js"], ["not-utf8.js"], ["missing.js"], []):
            done = subprocess.run([*prefix, *argv], cwd=cwd, capture_output=True, timeout=120)
            last = done.stderr.decode().strip().splitlines()[-1:] if done.stderr else []
            found.append((done.returncode, done.stdout, last))
        maps = {p.name: p.read_bytes() for p in sorted(cwd.glob("*.map"))}
        results[label] = (found, maps)
    assert results["console script"] == results["ecma426 module"] == results["drop-in module"]
    assert [r[0] for r in results["drop-in module"][0]] == [0, 0, 1, 1, 1]


def test_identity_sourcemap_entry_point_is_ecma426s() -> None:
    """ecma426 registers ``identity-sourcemap = ecma426.scripts.identity_sourcemap:main``;
    the drop-in's module has the same ``main`` and ``build_identity_line_tokens``."""
    from importlib.metadata import distribution

    from libsourcemap.compat.ecma426.scripts import identity_sourcemap as ours

    scripts = {
        e.name: e.value
        for e in distribution("ecma426").entry_points
        if e.group == "console_scripts"
    }
    assert scripts == {"identity-sourcemap": "ecma426.scripts.identity_sourcemap:main"}
    tokens = ours.build_identity_line_tokens("a\nb\n", "x.js")
    assert [fields(t) for t in tokens] == [
        fields(t) for t in reference.scripts.identity_sourcemap.build_identity_line_tokens(
            "a\nb\n", "x.js"
        )
    ]  # fmt: skip


def tiny(text: bytes, **fields: bytes) -> bytes:
    """A two-source map with ``text`` as its mappings, after ``fields`` (JSON values)."""
    extra = b"".join(b',"%s":%s' % (k.encode(), v) for k, v in fields.items())
    return b'{"version":3,"sources":["a","b"],"names":["n"]%s,"mappings":"%s"}' % (
        extra,
        text,
    )


SMALL_MAPS = {
    "empty": tiny(b""),
    "empty lines": tiny(b";;;"),
    "unmapped": tiny(b"A,C"),
    "reversed": tiny(b"KAAA,LAAA"),
    "reversed unmapped": tiny(b"K,LAAA,A"),
    "ties": tiny(b"KAAAA,AACA,HAAA,AACA"),
    "later line": tiny(b";;KAAA,LAAA;AAAA"),
    "first line fine": tiny(b"AAAA,CAAA;;GACA,HAAA"),
    "trailing lines": tiny(b"KAAA,LAAA;;;"),
    "escaped": tiny(b"\\u004bAAA,LAAA"),
    "escaped in order": tiny(b"\\u0041AAA,CAAA"),
    "duplicate key": tiny(b"AAAA", mappings=b'"KAAA,LAAA"'),
    "nested first": tiny(b"AAAA,CAAA;KAAA,LAAA", x_nested=b'{"mappings":"AAAA,CAAA"}'),
    "nested after": tiny(b"GAAA,FAAA", x_a=b'[{"mappings":"GAAA"}]', x_b=b'{"mappings":";D"}'),
    "index": b'{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":'
    + tiny(b"AAAA,CAAA")
    + b'},{"offset":{"line":1,"column":4},"map":'
    + tiny(b"KAAA,LAAA;GAAA,FAAA")
    + b"}]}",
}


@pytest.mark.parametrize("name", SMALL_MAPS)
def test_small_maps_answer_the_same(name: str) -> None:
    assert_same(SMALL_MAPS[name])
    assert_same(SMALL_MAPS[name].decode())


def test_a_line_far_down_is_checked_with_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``_MAX_LINE_STEPS`` line starts to find, the whole mappings text is checked."""
    from libsourcemap.compat.ecma426 import _order

    monkeypatch.setattr(_order, "_MAX_LINE_STEPS", 1)
    obj = json.loads((FIXTURES / "esbuild-lodash.min.js.map").read_bytes())
    lines = segments_by_line(obj["mappings"])
    assert len(lines) > 3
    for how in ("in order", "reordered"):
        if how == "reordered":
            obj = reordered_maps(obj, "last-line", seed=1)
        data = json.dumps(obj).encode()
        ours, theirs = ecma426.loads(data), reference.loads(data)
        for line in (len(lines) - 1, 0, 1):
            assert outcome(partial(ours.lookup_left, line, 10**6)) == outcome(
                partial(theirs.lookup_left, line, 10**6)
            )
        assert (ours._view is None) == (how == "reordered")


def test_other_argument_types_raise_as_in_ecma426() -> None:
    data = (FIXTURES / "sentry/root/static/js/terser/app.js.map").read_bytes()
    for argument in (bytearray(data), memoryview(data), None, 3, [data], data.decode()[:-1]):
        assert loaded(ecma426.loads, argument)[:2] == loaded(reference.loads, argument)[:2]
