"""Events symbolicated as Sentry's symbolicator writes them, on real builds of a small app
(tests/fixtures/sentry/, made by generate-sentry.mjs with uglify-js, terser, webpack,
esbuild and sentry-cli 3.8): the original program's own stacks are the truth for
positions and names; source URLs, original files, plain files, debug IDs, several
bundles and context lines are checked against what the reference does for each."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from conftest import FIXTURES

from libsourcemap import Symbolicator
from libsourcemap.events import symbolicate_event
from libsourcemap.symbolication.context import context_around, text_lines, trim_line

SENTRY = FIXTURES / "sentry"
ROOT = SENTRY / "root"
BUNDLES = SENTRY / "bundles"
#: The bundles newest first (b was uploaded after a: where both hold a URL, b wins).
NEWEST_FIRST = [
    BUNDLES / "b-debugid-esbuild-same-url.zip",
    BUNDLES / "a-debugid-webpack.zip",
    BUNDLES / "c-esbuild-inline.zip",
    BUNDLES / "d-uglify-with-originals.zip",
]
EVENTS = {
    event["tags"][0][1]: event
    for event in map(json.loads, (SENTRY / "events.jsonl").read_text().splitlines())
}
TRUTH = json.loads((SENTRY / "original-stacks.json").read_text())
#: uglify-js maps the call of the function it inlined (util.js 10:33) to 7:1; mozilla's
#: source-map reads the same there. The position is the map's, not ours to fix; and the
#: inlined callee, named by that call site, then gets no name.
UGLIFY_MISMAPPED = ("src/util.js", 10, 33)
UGLIFY_EVENTS = ("uglify", "plain")


def frames_of(event: dict[str, Any]) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = event["exception"]["values"][0]["stacktrace"]["frames"]
    return frames


def symbolicated(
    name: str, bundles: list[Path] | None = None, root: Path | None = ROOT, **changes: Any
) -> list[dict[str, Any]]:
    event = {**EVENTS[name], **changes}
    with Symbolicator(root=root, bundle=NEWEST_FIRST if bundles is None else bundles) as sym:
        return frames_of(symbolicate_event(event, sym))


def original_lines(file: str) -> list[str]:
    return (SENTRY / file).read_text().splitlines()


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_positions_and_names_are_the_original_programs(name: str) -> None:
    """Every frame: the original file, line, column and function name the app's own stack
    has (V8 prints `Module.main` for `main` called as a module's member), or for a frame
    of the plain file, its own position, not symbolicated and not an error."""
    truth = TRUTH[EVENTS[name]["event_id"]]["frames"]
    frames = symbolicated(name)
    assert len(frames) == len(truth)
    mismapped = False
    for frame, expected in zip(frames, truth):
        file, line, column = expected["file"], expected["lineno"], expected["colno"]
        data = frame["data"]
        if file == "src/plain.js":
            assert data == {"symbolicated": False}
            assert frame["abs_path"] == "http://example.com/static/js/plain.js"
            assert frame["context_line"] == original_lines(file)[line - 1]
            continue
        assert data["symbolicated"] is True, data
        assert frame["abs_path"].endswith(file.removeprefix("src"))
        if name in UGLIFY_EVENTS and (file, line, column) == UGLIFY_MISMAPPED:
            assert (frame["lineno"], frame["colno"]) == (7, 1)
            mismapped = True
            continue
        assert (frame["lineno"], frame["colno"]) == (line, column)
        if mismapped:
            assert frame["function"] is None  # named by a call site the map misplaces
            continue
        assert frame["function"] == expected["function"].removeprefix("Module.").removeprefix(
            "Cart."
        ), (frame, expected)


def test_source_urls_and_filenames() -> None:
    """``abs_path``: the map's source resolved against the map's URL (sourceRoot joined
    first); ``filename``: the source as the map wrote it, webpack's namespace cut."""
    uglify = symbolicated("uglify")
    # app.js.map: sources ../../src/app.js; orders.js.map: sourceRoot /static/src/;
    # util.js.map: sourceRoot ../../src/.
    assert [(f["abs_path"], f["filename"]) for f in uglify[:3]] == [
        ("http://example.com/static/src/app.js", "../../src/app.js"),
        ("http://example.com/static/src/orders.js", "/static/src/orders.js"),
        ("http://example.com/static/src/util.js", "../../src/util.js"),
    ]
    for frame in uglify:
        # The standard library's resolver agrees (an independent implementation).
        assert frame["abs_path"] == urljoin(frame["data"]["sourcemap"], frame["filename"])
        assert frame["data"]["minified"]["filename"] == frame["data"]["minified"]["abs_path"][18:]
    webpack = symbolicated("webpack")[0]
    assert (webpack["abs_path"], webpack["filename"]) == (
        "webpack://fixture-app/./src/app.js",
        "./src/app.js",
    )
    hostless = symbolicated("webpack-empty-ns")[0]
    assert (hostless["abs_path"], hostless["filename"]) == (
        "webpack:///./src/app.js",
        "./src/app.js",
    )
    assert (
        hostless["data"]["sourcemap"]
        == "http://example.com/static/js/webpack-empty-ns/app.min.js.map"
    )
    assert hostless["data"]["resolved_with"] == "url"


def test_a_null_source_keeps_the_frames_file(tmp_path: Path) -> None:
    shutil.copytree(ROOT, tmp_path / "root")
    map_path = tmp_path / "root/static/js/uglify/app.js.map"
    doc = json.loads(map_path.read_text())
    doc["sources"] = [None]
    map_path.write_text(json.dumps(doc))
    frame = symbolicated("uglify", [], root=tmp_path / "root")[0]
    before = frames_of(EVENTS["uglify"])[0]
    assert frame["data"]["symbolicated"] is True and frame["lineno"] == 10
    assert (frame["abs_path"], frame["filename"]) == (before["abs_path"], before["filename"])


def test_originals_without_sources_content_are_read_where_their_url_points() -> None:
    """terser and uglify maps have no sourcesContent: context lines come from the
    original files at the sources' URLs, under the root, or in a bundle."""
    for bundles, root in (([], ROOT), ([BUNDLES / "d-uglify-with-originals.zip"], None)):
        frames = symbolicated("uglify", bundles, root=root)
        for frame, expected in zip(frames, TRUTH[EVENTS["uglify"]["event_id"]]["frames"]):
            lines = original_lines(expected["file"])
            line = frame["lineno"]
            assert frame["context_line"] == lines[line - 1]
            assert frame["pre_context"] == lines[max(line - 6, 0) : line - 1]
            assert frame["post_context"] == lines[line : line + 5]
            assert "error" not in frame["data"]


def test_an_original_that_is_not_found_says_so_and_the_frame_stays_resolved() -> None:
    frame = symbolicated("webpack")[0]  # nosources-source-map: webpack:// URLs only
    assert frame["data"]["symbolicated"] is True and frame["lineno"] == 10
    assert "context_line" in frame and frame["context_line"] is None
    error = frame["data"]["error"]
    assert error.startswith("no sourcesContent, and original file ")
    assert "webpack://fixture-app/./src/app.js not found in" in error


def test_an_original_outside_the_root_is_not_read(tmp_path: Path) -> None:
    """A source URL with `..` past the root, a symlink out of it: not read, and said."""
    root = tmp_path / "root"
    shutil.copytree(ROOT, root)
    outside = tmp_path / "secret.js"
    outside.write_text("SECRET\n" * 20)
    (root / "static/src/app.js").unlink()
    (root / "static/src/app.js").symlink_to(outside)
    frame = symbolicated("uglify", [], root=root)[0]
    assert frame["data"]["symbolicated"] is True
    assert "outside the root" in frame["data"]["error"] and "not read" in frame["data"]["error"]
    assert "SECRET" not in json.dumps(frame)


def test_an_original_that_is_not_utf8_is_said_so(tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(ROOT, root)
    (root / "static/src/app.js").write_bytes(b"\xff\xfe not text\n" * 12)
    frame = symbolicated("uglify", [], root=root)[0]
    assert (
        frame["data"]["error"]
        == "original file http://example.com/static/src/app.js is not UTF-8 text"
    )


def test_debug_ids_find_files_no_url_leads_to() -> None:
    """A CDN URL that no bundle has: only the event's debug ID finds file and map."""
    frames = symbolicated("debugid-only")
    assert all(f["data"]["resolved_with"] == "debug-id" for f in frames)
    assert frames[0]["data"]["sourcemap"] == "http://cdn.example.net/assets/app.min.js.map"
    without = symbolicated("debugid-only", debug_meta=None)
    assert all(f["data"]["symbolicated"] is False for f in without)
    assert without[0]["data"]["error"].startswith(
        "minified file http://cdn.example.net/assets/app.3f9a1c.min.js not found"
    )


@pytest.mark.parametrize("order", [1, -1], ids=["newest first", "oldest first"])
def test_a_debug_id_beats_the_order_of_the_bundles(order: int) -> None:
    """Builds A and B under the same URL in two bundles: the event's debug ID picks its
    build, whichever bundle comes first."""
    for name in ("debugid-a", "debugid-b"):
        frames = symbolicated(name, NEWEST_FIRST[::order])
        truth = TRUTH[EVENTS[name]["event_id"]]["frames"]
        assert [(f["lineno"], f["colno"]) for f in frames] == [
            (t["lineno"], t["colno"]) for t in truth
        ]
        assert {f["data"]["resolved_with"] for f in frames} == {"debug-id"}


def test_by_url_the_first_bundle_given_wins() -> None:
    """Without a debug ID, the URL is in both bundles: the first one given answers (B,
    the newest, right; A listed first answers with A's map, wrong for B's positions)."""
    truth = [
        (t["lineno"], t["colno"])
        for t in TRUTH[EVENTS["url-only-latest-bundle"]["event_id"]]["frames"]
    ]
    newest = symbolicated("url-only-latest-bundle")
    assert [(f["lineno"], f["colno"]) for f in newest] == truth
    oldest = symbolicated("url-only-latest-bundle", NEWEST_FIRST[::-1])
    assert [(f["lineno"], f["colno"]) for f in oldest] != truth


def test_an_inline_map_inside_a_bundle() -> None:
    frames = symbolicated("esbuild-inline", [BUNDLES / "c-esbuild-inline.zip"], root=None)
    assert [f["data"]["symbolicated"] for f in frames] == [True] * 4
    # An inline map has no URL of its own: the frame's file stands for it.
    assert frames[0]["data"]["sourcemap"] == "http://example.com/static/js/esbuild/app.min.js"


def test_a_manifest_entry_with_a_path_and_no_url(tmp_path: Path) -> None:
    """A map listed by `path` only (as sentry-cli lists files it has no URL for) is found
    by its debug ID; such an entry no longer makes the bundle unreadable."""
    source = BUNDLES / "a-debugid-webpack.zip"
    with open(source, "rb") as f:
        head = f.read(8)
    assert head[:4] == b"SYSB"  # sentry-cli's header before the zip archive
    bundle = tmp_path / "path-only.zip"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(bundle, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "manifest.json":
                manifest = json.loads(data)
                entry = manifest["files"]["files/_/_/static/js/app.min.js.map"]
                entry["path"] = entry.pop("url")
                data = json.dumps(manifest).encode()
            new.writestr(item, data)
    frames = symbolicated("debugid-only", [bundle], root=None)
    assert {f["data"]["resolved_with"] for f in frames} == {"debug-id"}
    assert frames[0]["lineno"] == 10


def test_bad_debug_meta_is_recorded_and_the_event_goes_on() -> None:
    event = {
        **EVENTS["debugid-only"],
        "debug_meta": {
            "images": [
                {"type": "sourcemap", "code_file": 5, "debug_id": "x"},
                {"type": "sourcemap", "code_file": "a.js", "debug_id": "not-a-uuid"},
                {"type": "macho", "debug_id": "whatever"},  # not ours: ignored
                "nonsense",
            ]
        },
    }
    with Symbolicator(root=ROOT, bundle=NEWEST_FIRST) as sym:
        out = symbolicate_event(event, sym)
    assert [(e["type"], e["name"]) for e in out["errors"]] == [
        ("invalid_data", "debug_meta.images.0"),
        ("invalid_data", "debug_meta.images.1"),
    ]
    assert all(f["data"]["symbolicated"] is False for f in frames_of(out))  # no ID: not found
    assert "errors" not in EVENTS["debugid-only"]  # the input is not changed
    with Symbolicator(root=ROOT) as sym:
        wrong = symbolicate_event({**event, "debug_meta": {"images": 3}}, sym)
    assert wrong["errors"] == [
        {"type": "invalid_data", "name": "debug_meta.images", "value": "must be a list of images"}
    ]


def test_a_debug_id_no_bundle_holds_falls_back_to_the_url() -> None:
    meta = {
        "images": [
            {
                "type": "sourcemap",
                "code_file": frames_of(EVENTS["webpack"])[0]["abs_path"],
                "debug_id": "00000000-0000-4000-8000-000000000000",
            }
        ]
    }
    frames = symbolicated("webpack", debug_meta=meta)
    assert {f["data"]["resolved_with"] for f in frames} == {"url"}


def test_the_command_line_takes_several_bundles(tmp_path: Path) -> None:
    from libsourcemap.cli import main

    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(EVENTS["url-only-latest-bundle"]) + "\n")
    out = tmp_path / "out.jsonl"
    args = ["symbolicate-events", str(events), "-o", str(out)]
    for bundle in NEWEST_FIRST[:2]:
        args += ["--bundle", str(bundle)]
    assert main(args) == 0
    frames = frames_of(json.loads(out.read_text()))
    truth = TRUTH[EVENTS["url-only-latest-bundle"]["event_id"]]["frames"]
    assert [(f["lineno"], f["colno"]) for f in frames] == [(t["lineno"], t["colno"]) for t in truth]


# -- context lines ------------------------------------------------------------------------


def test_lines_are_an_editors() -> None:
    assert text_lines("a\nb\n") == ["a", "b"]
    assert text_lines("a\r\nb") == ["a", "b"]
    assert text_lines("") == []
    assert text_lines("\n") == [""]
    assert context_around(["a", "b", "c"], 3, 5, 1) == (["a", "b"], "c", [])
    assert context_around(["a"], 2, 5, 1) == ([], None, [])


# A 199-byte line of minified code and how Sentry's symbolicator writes it around column
# 183 and column 64 (values from its own test expectations).
MINIFIED = (
    'var makeAFailure=function(){function n(n){}function e(n){throw new Error("failed!")}'
    "function r(r){var i=null;if(r.failed){i=e}else{i=n}i(r)}function i(){var n={failed:true,"
    "value:42};r(n)}return i}();"
)


def test_long_lines_are_cut_around_the_column_as_the_reference_does() -> None:
    assert len(MINIFIED.encode()) == 199
    assert trim_line(MINIFIED, 183) == (
        '{snip} row new Error("failed!")}function r(r){var i=null;if(r.failed){i=e}else{i=n}i(r)}'
        "function i(){var n={failed:true,value:42};r(n)}return i}();"
    )
    assert trim_line(MINIFIED, 64) == (
        'var makeAFailure=function(){function n(n){}function e(n){throw new Error("failed!")}'
        "function r(r){var i=null;if(r.failed){i=e}else{i=n}i(r)} {snip}"
    )
    assert trim_line("x" * 150, 1) == "x" * 150  # up to 150 bytes: whole
    # Cut at a character boundary, never inside a UTF-8 sequence.
    assert "\ufffd" not in trim_line("é" * 200, 100)


def test_the_command_line_prints_plain_frames_with_their_lines(capsys: Any, tmp_path: Path) -> None:
    from libsourcemap.cli import main

    trace = (
        "Error: invalid total 0 for 1 item(s)\n"
        "    at Module.main (http://example.com/static/js/uglify/app.js:1:145)\n"
        "    at Module.runPlain (http://example.com/static/js/plain.js:3:14)\n"
    )
    path = tmp_path / "trace.txt"
    path.write_text(trace)
    assert main(["symbolicate", str(path), "--root", str(ROOT), "--context", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "    at main (../../src/app.js:10:15)"
    assert out[3] == (
        "    at Module.runPlain (http://example.com/static/js/plain.js:3:14)"
        "    [no source map: not minified]"
    )
    assert out[4].endswith('3 |   return app.main([{ name: "gift", price: 0, quantity: 1 }]);')


# -- the reference ------------------------------------------------------------------------

#: What Sentry's symbolicator wrote for each event, given these release files and bundles
#: (tests/fixtures/sentry/symbolicator.md says how it was recorded).
REFERENCE = json.loads((SENTRY / "symbolicator.json").read_text())
COMPARED = ("abs_path", "filename", "lineno", "colno", "pre_context", "context_line")
COMPARED += ("post_context",)


def field(frame: dict[str, Any], key: str) -> Any:
    """A frame's field; an absent context list is an empty one (the reference leaves
    empty lists out)."""
    return frame.get(key, [] if key.endswith("_context") else None)


def reference_frames(name: str) -> list[dict[str, Any]]:
    response = REFERENCE["events"][EVENTS[name]["event_id"]]
    frames: list[dict[str, Any]] = response["stacktraces"][0]["frames"]
    return frames


def documented_difference(ours: str | None, theirs: str | None) -> bool:
    """The two ways our `function` may differ (docs/symbolication.md): the reference puts
    a class method's class before its name (`Cart.checkout`, as V8 prints it), where ours
    is the function's own name; where no name is known, the reference keeps the name the
    trace printed (`?`), ours is null."""
    if ours is not None and theirs is not None and "." in theirs:
        return theirs.rsplit(".", 1)[1] == ours
    return ours is None and theirs is not None


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_frames_are_what_sentrys_symbolicator_writes(name: str) -> None:
    """Field by field, each frame as the reference wrote it for the same event, release
    files (our root) and bundles (newest first): source URL, filename, position, context
    lines, whether it was symbolicated, the map's URL and how the map was found."""
    ours, theirs = symbolicated(name), reference_frames(name)
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        for key in COMPARED:
            assert field(mine, key) == field(reference, key), (key, mine, reference)
        data, expected = mine["data"], reference["data"]
        assert data["symbolicated"] == expected["symbolicated"]
        assert data.get("sourcemap") == expected.get("sourcemap")
        resolved_with = {"release": "url"}.get(expected.get("resolved_with"))
        assert data.get("resolved_with") == (resolved_with or expected.get("resolved_with"))
        if mine["function"] != reference.get("function"):
            assert documented_difference(mine["function"], reference.get("function"))


def test_how_many_frames_equal_the_references_to_the_letter() -> None:
    """The figure the docs give: frames whose every compared field, function included,
    is the reference's."""
    same = total = 0
    for name in EVENTS:
        for mine, reference in zip(symbolicated(name), reference_frames(name)):
            total += 1
            same += all(field(mine, k) == field(reference, k) for k in (*COMPARED, "function"))
    print(f"\n{same} of {total} frames equal the reference's, function names included")
    assert (same, total) == (41, 57)
