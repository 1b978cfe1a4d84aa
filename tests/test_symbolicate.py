"""Symbolicating the real example stack trace (examples/generate.mjs): node ran the same
failure on the esbuild bundle (stacktrace.txt) and on the unbundled app
(stacktrace.original.txt); every bundle frame must resolve to the original frame."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

import libsourcemap
from libsourcemap import Frame, SourceBundle, Symbolicator, symbolicate
from libsourcemap.bundle.writer import create_bundle
from libsourcemap.symbolication.stacktrace import StackFrame, parse_stacktrace

EXAMPLES = Path(__file__).parent.parent / "examples"
DIST = EXAMPLES / "dist"
TRACE = (EXAMPLES / "stacktrace.txt").read_text()
ORIGINAL = parse_stacktrace((EXAMPLES / "stacktrace.original.txt").read_text())


def bundle_frames(frames: list[Frame]) -> list[tuple[Frame, StackFrame]]:
    """(ours, node's original) for every frame node ran inside the bundle."""
    pairs = list(zip(frames, ORIGINAL))
    assert len(frames) == len(ORIGINAL) == 10
    return [(ours, original) for ours, original in pairs if _in_bundle(ours)]


def _in_bundle(frame: Frame) -> bool:
    return frame.minified.file is not None and "app.min.js" in frame.minified.file


def function_name(printed: str | None) -> str | None:
    """V8's printed name reduced to what a map can give back: `new SemVer` -> `SemVer`,
    `OrderParser.parse` -> `parse`, `Object.<anonymous>` (top level) -> None."""
    if printed is None or printed.endswith("<anonymous>"):
        return None
    return printed.removeprefix("new ").rsplit(".", 1)[-1]


def assert_matches_original(frames: list[Frame]) -> None:
    pairs = bundle_frames(frames)
    assert len(pairs) == 6
    for ours, original in pairs:
        assert ours.error is None, ours
        assert ours.source is not None and original.file is not None
        resolved = (DIST / ours.source).resolve()
        assert original.file.endswith(resolved.relative_to(EXAMPLES.parent.resolve()).as_posix())
        assert (ours.line, ours.column) == (original.line, original.column)
        assert ours.function == function_name(original.function), (ours, original)


def test_example_resolves_to_the_original_frames() -> None:
    frames = symbolicate(TRACE, root=EXAMPLES)
    assert_matches_original(frames)
    first = frames[0]
    assert first.function == "SemVer"
    assert first.context_line is not None and "Invalid Version" in first.context_line
    assert len(first.pre_context) == len(first.post_context) == 5
    assert first.minified.function == "new n" and first.minified.line == 1


def test_frames_without_a_map_say_why() -> None:
    frames = symbolicate(TRACE, root=EXAMPLES)
    array_map, internal = frames[3], frames[-1]
    assert array_map.minified.function == "Array.map" and not array_map.resolved
    assert "no file position" in (array_map.error or "")
    assert internal.source is None and "built into node" in (internal.error or "")


def test_firefox_and_safari_traces_resolve_the_same() -> None:
    """The node frames rewritten in SpiderMonkey's and JavaScriptCore's syntax, served
    from a URL: found under the root by the URL's path."""
    url = "https://shop.example.com/static/dist/app.min.js"
    v8 = [f for f in parse_stacktrace(TRACE) if f.file and "app.min.js" in f.file]
    firefox = "\n".join(f"{f.function or ''}@{url}:{f.line}:{f.column}" for f in v8)
    safari = "\n".join(f"{url}:{f.line}:{f.column}" for f in v8)
    expected = [(f.source, f.line, f.column, f.function) for f in symbolicate(TRACE, EXAMPLES)]
    expected = [e for e in expected if e[0] is not None]
    for text in (firefox, safari):
        frames = symbolicate(text, root=EXAMPLES)
        assert [(f.source, f.line, f.column, f.function) for f in frames] == expected


def test_bundle_gives_the_same_frames(tmp_path: Path) -> None:
    create_bundle(DIST, tmp_path / "release.zip")
    from_root = symbolicate(TRACE, root=EXAMPLES)
    with SourceBundle.open(tmp_path / "release.zip") as bundle:
        from_bundle = symbolicate(TRACE, bundle=bundle)
    assert_matches_original(from_bundle)
    assert [f.to_dict() for f in from_bundle][:7] == [f.to_dict() for f in from_root][:7]


def test_one_view_per_map_across_frames() -> None:
    with Symbolicator(root=EXAMPLES) as symbolicator:
        symbolicator.symbolicate(TRACE)
        assert len(symbolicator._views) == 1
        symbolicator.symbolicate(TRACE)
        assert len(symbolicator._views) == 1


def test_to_dict_is_the_json_frame() -> None:
    frame = symbolicate(TRACE, root=EXAMPLES, context_lines=1)[1].to_dict()
    assert list(frame) == [
        "function",
        "source",
        "abs_path",
        "filename",
        "line",
        "column",
        "pre_context",
        "context_line",
        "post_context",
        "symbolicated",
        "sourcemap",
        "resolved_with",
        "error",
        "context_error",
        "minified",
    ]
    file = parse_stacktrace(TRACE)[1].file
    assert frame["sourcemap"] == file + ".map" and frame["resolved_with"] == "url"
    assert frame["symbolicated"] is True and frame["filename"] == frame["source"]
    assert frame["minified"] == {
        "file": parse_stacktrace(TRACE)[1].file,
        "line": 1,
        "column": 8190,
        "function": "p.parse",
    }
    assert json.loads(json.dumps(frame)) == frame


# -- finding the map ------------------------------------------------------------------------


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A copy of the example build to break in different ways."""
    shutil.copytree(DIST, tmp_path / "dist")
    return tmp_path / "dist"


def first_error(root: Path, trace: str = TRACE) -> str | None:
    return symbolicate(trace, root=root)[0].error


def strip_url_comment(js: Path) -> str:
    text = js.read_text()
    kept = [line for line in text.split("\n") if "sourceMappingURL" not in line]
    js.write_text("\n".join(kept))
    return text


def test_map_next_to_the_file_without_a_comment(build: Path) -> None:
    strip_url_comment(build / "app.min.js")
    assert first_error(build) is None


def test_inline_data_url(build: Path) -> None:
    strip_url_comment(build / "app.min.js")
    payload = base64.b64encode((build / "app.min.js.map").read_bytes()).decode()
    (build / "app.min.js.map").unlink()
    with (build / "app.min.js").open("a") as js:
        js.write(f"\n//# sourceMappingURL=data:application/json;base64,{payload}\n")
    frames = symbolicate(TRACE, root=build)
    assert frames[0].error is None and frames[0].function == "SemVer"


def test_map_in_another_directory(build: Path) -> None:
    text = strip_url_comment(build / "app.min.js")
    (build.parent / "maps").mkdir()
    (build / "app.min.js.map").rename(build.parent / "maps" / "app.js.map")
    (build / "app.min.js").write_text(text.replace("app.min.js.map", "../maps/app.js.map"))
    assert first_error(build.parent) is None  # inside the root
    assert "outside the root" in (first_error(build) or "")  # not inside this one


# -- the root is a boundary ----------------------------------------------------------------


@pytest.fixture
def tenants(tmp_path: Path) -> tuple[Path, Path]:
    """Two projects' roots side by side: `ours` holds the example build, `theirs` a map
    (the example's, so that reading it would resolve the frame and show)."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    shutil.copytree(DIST, ours / "dist")
    theirs.mkdir()
    shutil.copy(DIST / "app.min.js.map", theirs / "secret.map")
    return ours, theirs


def point_map_at(js: Path, reference: str) -> None:
    text = strip_url_comment(js)
    js.write_text(text + f"\n//# sourceMappingURL={reference}\n")
    (js.parent / "app.min.js.map").unlink()


@pytest.mark.parametrize("form", ["relative", "absolute", "file-url"])
def test_a_source_mapping_url_cannot_leave_the_root(tenants: tuple[Path, Path], form: str) -> None:
    ours, theirs = tenants
    target = theirs / "secret.map"
    reference = {
        "relative": "../../theirs/secret.map",
        "absolute": str(target),
        "file-url": target.as_uri(),
    }[form]
    point_map_at(ours / "dist" / "app.min.js", reference)
    frames = symbolicate(TRACE, root=ours)
    assert all(not f.resolved for f in frames)
    assert "outside the root" in (frames[0].error or "")


def test_a_symlinked_map_cannot_leave_the_root(tenants: tuple[Path, Path]) -> None:
    ours, theirs = tenants
    (ours / "dist" / "app.min.js.map").unlink()
    (ours / "dist" / "app.min.js.map").symlink_to(theirs / "secret.map")
    frames = symbolicate(TRACE, root=ours)
    assert "outside the root" in (frames[0].error or "") and frames[0].context_line is None


def test_a_symlinked_file_or_directory_cannot_leave_the_root(tenants: tuple[Path, Path]) -> None:
    ours, theirs = tenants
    shutil.move(str(ours / "dist"), str(theirs / "dist"))
    (ours / "dist").symlink_to(theirs / "dist", target_is_directory=True)
    assert "outside the root" in (symbolicate(TRACE, root=ours)[0].error or "")
    (ours / "dist").unlink()
    (ours / "dist").mkdir()
    (ours / "dist" / "app.min.js").symlink_to(theirs / "dist" / "app.min.js")
    assert "outside the root" in (symbolicate(TRACE, root=ours)[0].error or "")


def test_symlinks_inside_the_root_are_followed(tenants: tuple[Path, Path]) -> None:
    ours, _ = tenants
    (ours / "releases").mkdir()
    shutil.move(str(ours / "dist"), str(ours / "releases" / "v1"))
    (ours / "dist").symlink_to(ours / "releases" / "v1", target_is_directory=True)
    assert symbolicate(TRACE, root=ours)[0].function == "SemVer"


def test_the_cli_and_events_are_confined_too(tenants: tuple[Path, Path]) -> None:
    import json
    import subprocess
    import sys

    from libsourcemap.events import EventConfig, symbolicate_lines

    ours, theirs = tenants
    point_map_at(ours / "dist" / "app.min.js", "../../theirs/secret.map")
    trace = ours / "trace.txt"
    trace.write_text(TRACE)
    command = [sys.executable, "-m", "libsourcemap", "symbolicate", str(trace), "--root", str(ours)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "outside the root" in done.stdout, done.stderr
    assert "throw new TypeError" not in done.stdout  # no context line from their map
    event = {"exception": {"values": [{"stacktrace": TRACE}]}}
    [line] = symbolicate_lines([json.dumps(event)], EventConfig.of(root=str(ours)), 1)
    frames = json.loads(line)["exception"]["values"][0]["stacktrace"]["frames"]
    assert all(not f.get("data", {}).get("symbolicated") for f in frames)
    assert any("outside the root" in f.get("data", {}).get("error", "") for f in frames)


def test_missing_map(build: Path) -> None:
    (build / "app.min.js.map").unlink()
    assert "'app.min.js.map' of" in (first_error(build) or "")


def test_garbage_map(build: Path) -> None:
    (build / "app.min.js.map").write_text('{"version": 3, "mappings": 12}')
    assert "not a usable source map" in (first_error(build) or "")


def test_missing_minified_file(tmp_path: Path) -> None:
    assert "not found in" in (first_error(tmp_path) or "")


def test_no_root_uses_the_printed_path(build: Path) -> None:
    trace = TRACE.replace("https://shop.example.com/dist", str(build))
    assert trace != TRACE
    assert symbolicate(trace)[0].function == "SemVer"


def test_root_never_escapes(build: Path) -> None:
    trace = "    at f (https://a.io/../../etc/app.min.js:1:4874)"
    assert "not found" in (first_error(build / "..", trace) or "")


def test_resolve_one_line() -> None:
    with Symbolicator(root=EXAMPLES) as symbolicator:
        frame = symbolicator.resolve(TRACE.splitlines()[2])
        assert frame.function == "parse"
        with pytest.raises(ValueError, match="not a stack frame"):
            symbolicator.resolve("TypeError: Invalid Version: 2.x")


def test_root_must_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        Symbolicator(root=tmp_path / "missing")


def test_exported() -> None:
    assert libsourcemap.symbolicate is symbolicate
