"""``libsourcemap explain`` / ``Symbolicator.explain``: every usual cause of a frame that
does not resolve is named at the step where it happens, with a fix; a frame that
resolves says so, and to what. Real builds (tests/fixtures/sentry/), changed in a
temporary copy to make each failure."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from libsourcemap import StackFrame, Symbolicator
from libsourcemap.cli import main
from libsourcemap.symbolication.explain import FIXES
from libsourcemap.symbolication.explanation import Explanation

SENTRY = FIXTURES / "sentry"
URL = "http://example.com/static/js/"
APP = StackFrame("Module.e", URL + "uglify/app.js", 1, 145)  # -> src/app.js 10:15


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "root"
    shutil.copytree(SENTRY / "root", copy)
    return copy


def explained(root: Path | None, frame: Any = APP, **options: Any) -> Explanation:
    with Symbolicator(root=root, **options) as sym:
        return sym.explain(frame)[0]


def failing(explanation: Explanation) -> tuple[str, str, str | None]:
    """The step that failed: (name, detail, fix)."""
    failed = [s for s in explanation.steps if s.ok is False]
    assert failed, explanation.text()
    return failed[0].name, failed[0].detail, failed[0].fix


def test_a_frame_that_resolves_says_so_and_to_what(root: Path) -> None:
    e = explained(root)
    assert e.resolved and not [s for s in e.steps if s.ok is False]
    names = [s.name for s in e.steps]
    assert names == [
        "minified file",
        "reference",
        "source map",
        "strict",
        "position",
        "original source",
        "function name",
    ]
    text = e.text()
    assert "app.js.map" in text and "sourceMappingURL ../../src" not in text
    assert text.endswith("=> resolved: main at http://example.com/static/src/app.js:10:15")
    assert e.to_dict()["result"]["function"] == "main"


def test_a_missing_minified_file(root: Path) -> None:
    (root / "static/js/uglify/app.js").unlink()
    (root / "static/js/app.js").unlink(missing_ok=True)
    name, detail, fix = failing(explained(root))
    assert (
        name == "failure" and "minified file http://example.com/static/js/uglify/app.js" in detail
    )
    assert fix == FIXES["minified_not_found"]


def test_no_source_mapping_url_is_a_plain_file(root: Path) -> None:
    e = explained(root, StackFrame("f", URL + "plain.js", 3, 14))
    assert e.resolved and not e.result.symbolicated
    assert [(s.name, s.ok) for s in e.steps][-2:] == [("reference", None), ("source map", None)]
    assert "not minified" in e.text()


def test_a_missing_map(root: Path) -> None:
    (root / "static/js/uglify/app.js.map").unlink()
    name, detail, fix = failing(explained(root))
    assert "source map 'app.js.map'" in detail and "not found" in detail
    assert fix == FIXES["map_not_found"]


def test_an_invalid_map(root: Path) -> None:
    (root / "static/js/uglify/app.js.map").write_text('{"version": 3, "mappings": "!!"')
    name, detail, fix = failing(explained(root))
    assert "not a usable source map" in detail and fix == FIXES["map_invalid"]


def test_a_lenient_map_is_a_finding_not_a_failure(root: Path) -> None:
    path = root / "static/js/uglify/app.js.map"
    doc = json.loads(path.read_text())
    doc["version"] = 2  # strict ECMA-426 wants 3
    path.write_text(json.dumps(doc))
    e = explained(root)
    strict = next(s for s in e.steps if s.name == "strict")
    assert e.resolved and strict.ok is None and "version" in strict.detail


def test_a_file_minified_again_after_its_map(root: Path) -> None:
    """The frame's line is past the map's mappings: the fix says what likely happened."""
    e = explained(root, StackFrame("f", URL + "uglify/app.js", 3, 5))
    name, detail, fix = failing(e)
    assert name == "position" and "past the map's last mapped line (1)" in detail
    assert fix is not None and "minified (or changed) again after the map" in fix


def test_a_debug_id_mismatch(tmp_path: Path) -> None:
    """A frame whose event names build A's debug ID, answered by a map with another:
    the check compares the map's own debugId with the file's."""
    bundle = SENTRY / "bundles" / "a-debugid-webpack.zip"
    frame = StackFrame("f", "http://cdn.example.net/app.js", 3, 426)
    a_id = "b6275933-d0b2-55cd-a49b-bae8aff75e55"
    with Symbolicator(bundle=[bundle]) as sym:
        ok = sym.explain([frame], debug_ids={frame.file: a_id})[0]
    assert ok.resolved and next(s for s in ok.steps if s.name == "debug ID").ok is True
    # The same ID given in another case and without dashes is the same ID.
    with Symbolicator(bundle=[bundle]) as sym:
        same = sym.explain([frame], debug_ids={frame.file: a_id.upper().replace("-", "")})[0]
    assert same.resolved
    # An event naming another build's ID, whose map the bundle lists under that ID (its
    # manifest header changed) while the map itself says build A's: found by URL and ID,
    # then caught by comparing the map's own debugId.
    source = tmp_path / "mismatch.zip"
    import zipfile

    with zipfile.ZipFile(bundle) as old, zipfile.ZipFile(source, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                entry = manifest["files"]["files/_/_/static/js/app.min.js.map"]
                entry["headers"]["debug-id"] = "11111111-2222-4333-8444-555555555555"
                data = json.dumps(manifest).encode()
            new.writestr(item, data)
    frame = StackFrame("f", "http://example.com/static/js/app.min.js", 3, 426)  # by URL
    with Symbolicator(bundle=[source]) as sym:
        wrong = sym.explain(
            [frame], debug_ids={frame.file: "11111111-2222-4333-8444-555555555555"}
        )[0]
    name, detail, fix = failing(wrong)
    assert name == "debug ID" and "is not the file's" in detail
    assert fix == FIXES["debug_id_mismatch"]


def test_a_missing_original_source(root: Path) -> None:
    (root / "static/src/app.js").unlink()
    e = explained(root)
    name, detail, fix = failing(e)
    assert e.resolved and name == "original source"
    assert "original file http://example.com/static/src/app.js not found" in detail
    assert fix == FIXES["original_missing"]


def test_a_map_outside_the_root_is_refused_and_not_read(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.map"
    shutil.copy(root / "static/js/uglify/app.js.map", outside)
    (root / "static/js/uglify/app.js.map").unlink()
    (root / "static/js/uglify/app.js.map").symlink_to(outside)
    name, detail, fix = failing(explained(root))
    assert "outside the root" in detail and "not read" in detail
    assert fix == FIXES["outside_root"]


def test_frames_without_a_position_and_node_builtins(root: Path) -> None:
    trace = (
        "Error: x\n    at Array.map (<anonymous>)\n"
        "    at Module._compile (node:internal/modules/cjs/loader:1521:14)\n"
    )
    with Symbolicator(root=root) as sym:
        native, builtin = sym.explain(trace)
    assert failing(native)[2] == FIXES["no_position"]
    assert failing(builtin)[2] == FIXES["builtin"]
    assert native.text().startswith("at Array.map (<anonymous>)")


def test_an_event_with_debug_meta_is_explained_frame_by_frame() -> None:
    events = [json.loads(line) for line in (SENTRY / "events.jsonl").read_text().splitlines()]
    event = next(e for e in events if e["tags"][0][1] == "debugid-only")
    bundles = [SENTRY / "bundles" / "a-debugid-webpack.zip"]
    with Symbolicator(bundle=bundles) as sym:
        steps = sym.explain(event)
    assert [e.resolved for e in steps] == [True] * 4
    assert steps[0].steps[0].detail.startswith("by debug ID b6275933")
    assert "errors" not in event  # the caller's event is not changed


def test_the_command_line(root: Path, capsys: Any, tmp_path: Path) -> None:
    assert main(["explain", f"{URL}uglify/app.js:1:145", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert "=> resolved: main at http://example.com/static/src/app.js:10:15" in out
    assert main(["explain", f"{URL}uglify/app.js:3:5", "--root", str(root), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["frames"][0]["resolved"] is False
    assert [s["ok"] for s in doc["frames"][0]["steps"]][-1] is False
    event = tmp_path / "event.json"
    event.write_text("{not json")
    assert main(["explain", str(event)]) == 4
    assert "not an event" in capsys.readouterr().err
