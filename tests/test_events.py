"""Symbolicating event streams (libsourcemap.events, `libsourcemap symbolicate-events`) on
events built from the real stack-trace corpus (tests/fixtures/stacks): the frames node
recorded on the esbuild and terser bundles, in Sentry's event shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from conftest import FIXTURES

from libsourcemap import Symbolicator
from libsourcemap.events import EventConfig, symbolicate_event, symbolicate_lines
from libsourcemap.symbolication.stacktrace import StackFrame

STACKS = FIXTURES / "stacks"
URL = "https://cdn.example.com/"


def corpus_events(bundler: str) -> list[dict[str, Any]]:
    """One event per failure scenario: its frames oldest first, as Sentry stores them;
    the corpus' own files under a CDN URL, node's internals as node printed them."""
    events = []
    for scenario, sites in json.loads((STACKS / f"{bundler}.json").read_text()).items():
        frames = []
        for site in reversed(sites):
            file = site["file"]
            if not file:
                continue
            url = file if file.startswith("node:") else URL + file
            frames.append(
                {
                    "abs_path": url,
                    "filename": url.rsplit("/", 1)[-1],
                    "lineno": site["line"],
                    "colno": site["column"],
                    "function": site["function"],
                    "in_app": not file.startswith("node:"),
                    "reference": site.get("reference"),
                }
            )
        exception = {"type": "Error", "value": scenario, "stacktrace": {"frames": frames}}
        events.append({"event_id": scenario, "exception": {"values": [exception]}})
    return events


def frames_of(event: dict[str, Any]) -> list[dict[str, Any]]:
    return event["exception"]["values"][0]["stacktrace"]["frames"]  # type: ignore[no-any-return]


def run_lines(lines: list[str], jobs: int = 1, **config: Any) -> list[str]:
    config.setdefault("root", FIXTURES)
    return list(symbolicate_lines(lines, EventConfig.of(**config), jobs))


@pytest.mark.parametrize("bundler", ["esbuild", "terser"])
def test_every_bundle_frame_resolves_where_the_reference_does(bundler: str) -> None:
    """Each frame mozilla's source-map resolved (recorded with the corpus) resolves to
    the same original position, with context; node's own frames say why they do not."""
    checked = 0
    with Symbolicator(root=FIXTURES) as sym:
        for event in corpus_events(bundler):
            out = symbolicate_event(event, sym)
            for before, after in zip(frames_of(event), frames_of(out)):
                reference = before["reference"]
                if before["abs_path"].startswith("node:"):
                    assert after["data"] == {
                        "symbolicated": False,
                        "error": f"{before['abs_path']} is built into node, not a file of "
                        "the build",
                    }
                    assert {k: after[k] for k in before} == before
                    continue
                assert after["data"]["symbolicated"] is True, after
                assert after["data"]["minified"] == {
                    "abs_path": before["abs_path"],
                    "filename": before["filename"],
                    "lineno": before["lineno"],
                    "colno": before["colno"],
                    "function": before["function"],
                }
                assert after["in_app"] is True and after["reference"] == reference
                if reference is None:
                    continue
                # The source as the map lists it, and as a URL resolved against the map's
                # (the frame's URL joined with its sourceMappingURL), by an independent
                # resolver: the standard library's.
                assert after["filename"] == reference["source"]
                map_name = f"{bundler}.min.mjs.map"  # the files' sourceMappingURL
                assert after["data"]["sourcemap"] == urljoin(before["abs_path"], map_name)
                assert after["abs_path"] == urljoin(after["data"]["sourcemap"], reference["source"])
                assert after["data"]["resolved_with"] == "url"
                assert (after["lineno"], after["colno"]) == (reference["line"], reference["column"])
                assert after["context_line"] is not None and len(after["pre_context"]) <= 5
                checked += 1
    assert checked >= 100


def test_frames_are_what_the_symbolicator_says() -> None:
    event = corpus_events("esbuild")[0]
    with Symbolicator(root=FIXTURES) as sym:
        out = frames_of(symbolicate_event(event, sym))
        frames = [
            StackFrame(f["function"], f["abs_path"], f["lineno"], f["colno"], "")
            for f in frames_of(event)
        ]
        expected = sym.resolve_all(frames)
    for frame, resolved in zip(out, expected):
        if resolved.error is None:
            assert frame["function"] == resolved.function
            assert (frame["lineno"], frame["colno"]) == (resolved.line, resolved.column)
            assert frame["pre_context"] == resolved.pre_context
            assert frame["context_line"] == resolved.context_line
            assert frame["post_context"] == resolved.post_context
        else:
            assert frame["data"]["error"] == resolved.error


def test_the_input_event_is_not_changed() -> None:
    event = corpus_events("terser")[1]
    before = json.dumps(event)
    with Symbolicator(root=FIXTURES) as sym:
        symbolicate_event(event, sym)
    assert json.dumps(event) == before


def test_text_stacktrace_becomes_frames_oldest_first() -> None:
    text = (
        "TypeError: boom\n"
        f"    at raise ({URL}stacks/dist/esbuild.min.mjs:5:8847)\n"
        "    at node:internal/main:1:2\n"
    )
    [line] = run_lines([json.dumps({"stacktrace": text, "level": "error"})])
    out = json.loads(line)
    assert out["level"] == "error"
    assert out["stacktrace"]["data"] == {"raw": text}
    oldest, newest = out["stacktrace"]["frames"]
    assert oldest["data"]["symbolicated"] is False and oldest["abs_path"] == "node:internal/main"
    # The map's source, resolved against the map's URL (…/stacks/dist/esbuild.min.mjs.map).
    assert newest["abs_path"] == f"{URL}node_modules/acorn/dist/acorn.mjs"
    assert newest["filename"] == "../../node_modules/acorn/dist/acorn.mjs"
    assert (newest["lineno"], newest["colno"], newest["function"]) == (3640, 13, "raise")
    assert newest["data"]["minified"]["function"] == "raise"


def test_threads_and_top_level_stacktrace_objects() -> None:
    frame = {"abs_path": URL + "stacks/dist/esbuild.min.mjs", "lineno": 5, "colno": 8847}
    event = {
        "threads": {"values": [{"id": 1, "stacktrace": {"frames": [frame]}}, {"id": 2}]},
        "stacktrace": {"frames": [frame]},
    }
    out = json.loads(run_lines([json.dumps(event)])[0])
    for trace in (out["threads"]["values"][0]["stacktrace"], out["stacktrace"]):
        assert trace["frames"][0]["lineno"] == 3640
    assert out["threads"]["values"][1] == {"id": 2}


def test_frames_with_unusable_fields_come_back_unresolved_with_why() -> None:
    good = {"abs_path": URL + "stacks/dist/esbuild.min.mjs", "lineno": 5, "colno": 8847}
    frames = [
        {**good, "lineno": "5"},
        {**good, "colno": True},
        {**good, "lineno": 0},
        {"lineno": 5, "colno": 1},
        {**good, "abs_path": 7},
        {**good, "data": {"orig": 1}},
    ]
    out = json.loads(run_lines([json.dumps({"stacktrace": {"frames": frames}})])[0])
    result = out["stacktrace"]["frames"]
    for before, after in zip(frames[:5], result):
        assert after["data"]["symbolicated"] is False and after["data"]["error"], after
        assert {k: after[k] for k in before} == before
    assert result[5]["data"]["orig"] == 1 and result[5]["data"]["symbolicated"] is True


BAD_LINES = [
    ("not json", "not JSON"),
    ("[1, 2]", "an event must be a JSON object, not a list"),
    ('{"exception": {"values": 3}}', "exception.values must be a list, not a number"),
    ('{"exception": []}', "exception must be an object, not a list"),
    ('{"exception": {"values": [4]}}', "exception.values[0] must be an object"),
    ('{"stacktrace": {"frames": {}}}', "stacktrace.frames must be a list, not an object"),
    ('{"stacktrace": {"frames": [null]}}', "stacktrace.frames[0] must be an object, not null"),
    ('{"stacktrace": 12}', "stacktrace must be an object, not a number"),
]


def test_bad_lines_become_error_records_and_the_run_goes_on() -> None:
    good = json.dumps(corpus_events("esbuild")[0])
    lines = [good]
    for bad, _ in BAD_LINES:
        lines += [bad, "", good]
    out = [json.loads(line) for line in run_lines(lines)]
    assert len(out) == 1 + 2 * len(BAD_LINES)  # blank lines skipped, nothing else dropped
    for i, (bad, error) in enumerate(BAD_LINES):
        record = out[1 + 2 * i]
        assert record["line"] == 2 + 3 * i  # the input line number, blank lines counted
        assert error in record["error"] and record["input"] == bad
        assert out[2 + 2 * i]["event_id"] == "acornUnexpectedToken"


def test_workers_give_the_same_lines_in_the_same_order(tmp_path: Path) -> None:
    lines = [json.dumps(e) for e in corpus_events("esbuild") + corpus_events("terser")] * 3
    lines.insert(5, "garbage")
    one = run_lines(lines)
    cache = tmp_path / "cache"
    two = run_lines(lines, jobs=2, cache_dir=cache)
    assert two == one
    assert any(cache.iterdir())  # the workers wrote the maps' caches
    assert run_lines(lines, jobs=2, cache_dir=cache) == one  # and read them back
    assert "internal error" not in "".join(one)


def test_bundle_serves_events_like_the_root(tmp_path: Path) -> None:
    from libsourcemap.bundle.writer import create_bundle

    bundle = tmp_path / "stacks.zip"
    create_bundle(STACKS / "dist", bundle, url_prefix=URL + "stacks/dist/")
    lines = [json.dumps(e) for e in corpus_events("terser")]
    from_bundle = run_lines(lines, root=None, bundle=bundle)
    assert from_bundle == run_lines(lines, jobs=2, root=None, bundle=bundle)
    for a, b in zip(from_bundle, run_lines(lines)):
        for fa, fb in zip(frames_of(json.loads(a)), frames_of(json.loads(b))):
            assert (fa.get("lineno"), fa.get("function")) == (fb.get("lineno"), fb.get("function"))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "libsourcemap", "symbolicate-events", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_cli(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    lines = [json.dumps(e, ensure_ascii=False) for e in corpus_events("esbuild")]
    events.write_text("\n".join([*lines, "{oops", "ünïcode"]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = cli(str(events), "--root", str(FIXTURES), "-o", str(out), "--no-progress")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    written = out.read_text(encoding="utf-8").splitlines()
    assert written == run_lines([*lines, "{oops", "ünïcode"])
    assert json.loads(written[-1])["input"] == "ünïcode"
    parallel = cli(str(events), "--root", str(FIXTURES), "--jobs", "2", "--progress")
    assert parallel.returncode == 0 and parallel.stdout.splitlines() == written
    assert "symbolicating events" in parallel.stderr


def test_cli_errors(tmp_path: Path) -> None:
    missing = cli(str(tmp_path / "nope.jsonl"), "--root", str(FIXTURES))
    assert missing.returncode == 3 and "no such file" in missing.stderr
    (tmp_path / "e.jsonl").write_text("{}\n")
    assert cli(str(tmp_path / "e.jsonl"), "--jobs", "0").returncode == 2
    no_bundle = cli(str(tmp_path / "e.jsonl"), "--bundle", str(tmp_path / "b.zip"))
    assert no_bundle.returncode == 3 and "no such file" in no_bundle.stderr
    no_root = cli(str(tmp_path / "e.jsonl"), "--root", str(tmp_path / "nowhere"))
    assert no_root.returncode == 3


def test_file_to_any_binary_stream_and_the_last_line_without_newline(tmp_path: Path) -> None:
    """symbolicate_file writes to objects without a file descriptor too (copied in
    Python), and a last line without a newline is still an event."""
    import io

    from libsourcemap.events import symbolicate_file

    lines = [json.dumps(e) for e in corpus_events("esbuild")]
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines))  # no newline at the end
    expected = "".join(line + "\n" for line in run_lines(lines)).encode()
    config = EventConfig.of(root=FIXTURES)
    for jobs in (1, 2):
        out = io.BytesIO()
        symbolicate_file(events, out, config, jobs)
        assert out.getvalue() == expected


def test_cli_reads_stdin_with_workers(tmp_path: Path) -> None:
    lines = [json.dumps(e) for e in corpus_events("terser")]
    command = [sys.executable, "-m", "libsourcemap", "symbolicate-events", "-"]
    args = ["--root", str(FIXTURES), "--jobs", "2"]
    done = subprocess.run(
        [*command, *args], input="\n".join(lines) + "\n", capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == run_lines(lines)


def test_many_ranges_keep_order_and_line_numbers(tmp_path: Path, monkeypatch: Any) -> None:
    """Workers get the file in byte ranges cut at newlines: with tiny ranges, every
    line is still written once, in order, and error records carry the right line."""
    from libsourcemap import events as events_module

    monkeypatch.setattr(events_module, "RANGE", 700)  # a few lines a range
    lines = [json.dumps(e) for e in corpus_events("esbuild")[:3]] * 4
    lines[7] = "broken"
    lines.insert(3, "")
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    with out.open("wb") as f:
        events_module.symbolicate_file(path, f, EventConfig.of(root=FIXTURES), jobs=2)
    written = out.read_text().splitlines()
    assert written == run_lines(lines)
    record = json.loads(written[7])  # input line 9: the blank line 4 writes nothing
    assert (record["line"], record["input"]) == (9, "broken")
    assert record["error"].startswith("not JSON")


def _dies_on_three(item: int) -> tuple[int, int]:
    if item == 3:
        os._exit(1)  # a worker killed mid-run (out of memory, a signal)
    return 1, item


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    from concurrent.futures.process import BrokenProcessPool

    from libsourcemap.events import _in_workers

    with pytest.raises(BrokenProcessPool):
        list(_in_workers(_dies_on_three, range(10), EventConfig.of(root=FIXTURES), 2, None))


def test_cli_output_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    missing = cli(str(tmp_path / "nope.jsonl"), "--root", str(FIXTURES), "-o", str(out))
    assert missing.returncode == 3
    assert out.read_text() == "previous run\n"  # not truncated by a run that did not start
    unwritable = cli(str(out), "-o", str(tmp_path / "no-such-dir" / "out.jsonl"))
    assert unwritable.returncode == 73 and "cannot write" in unwritable.stderr
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(corpus_events("esbuild")[0]) + "\n")
    assert cli(str(events), "--root", str(FIXTURES), "-o", str(out)).returncode == 0
    assert json.loads(out.read_text())["event_id"] == "acornUnexpectedToken"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_line_ranges_cover_the_file_once_with_the_right_line_numbers(tmp_path: Path) -> None:
    from libsourcemap.events import _line_ranges

    path = tmp_path / "lines.txt"
    for text in ["", "a", "a\n", "a\nbb\n\nccc", "x" * 50 + "\n" + "y\n" * 30 + "z" * 70]:
        path.write_bytes(text.encode())
        for size in (1, 3, 16, 1000):
            ranges = list(_line_ranges(str(path), size))
            data = text.encode()
            assert b"".join(data[o : o + n] for _, _, o, n in ranges) == data
            for _, first, offset, length in ranges:
                assert first == data[:offset].count(b"\n") + 1
                assert length > 0 and (
                    offset + length == len(data) or data[offset + length - 1] == 10
                )
