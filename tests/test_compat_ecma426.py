"""``libsourcemap.compat.ecma426`` against ecma426 0.2.0 itself (a test dependency: pure
Python, so both run side by side in one process): its own test suite (``ecma426/tests.py``,
shipped in its wheel) run against the drop-in, and both packages' answers on real maps
(lookups everywhere, iteration, ``raw``, errors for bad input) compared."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
import unittest
from pathlib import Path
from typing import Any, Callable

import ecma426 as reference
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
