"""The `libsourcemap` command: output, JSON, exit codes, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from libsourcemap.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples"
TRACE = str(EXAMPLES / "stacktrace.txt")
MAP = str(EXAMPLES / "dist" / "app.min.js.map")
JS = str(EXAMPLES / "dist" / "app.min.js")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_symbolicate_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "symbolicate", TRACE, "--root", str(EXAMPLES))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "TypeError: Invalid Version: 2.x"
    assert (
        "    at new SemVer (../../tests/fixtures/node_modules/semver/classes/semver.js:38:13)"
        in lines
    )
    assert "    at parse (../app/orders.js:12:21)" in lines
    assert any(line.startswith("      > 38 |") and "Invalid Version" in line for line in lines)
    unresolved = [line for line in lines if "[unresolved:" in line]
    assert len(unresolved) == 4
    assert unresolved[0].startswith("    at Array.map (<anonymous>)")


def test_symbolicate_json_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(Path(TRACE).read_text()))
    code, out, _ = run(
        capsys, "symbolicate", "-", "--root", str(EXAMPLES), "--json", "--context", "0"
    )
    assert code == 0
    frames = json.loads(out)["frames"]
    assert len(frames) == 10
    assert frames[1]["function"] == "parse" and frames[1]["line"] == 12
    assert frames[1]["pre_context"] == [] and "new SemVer" in frames[1]["context_line"]
    assert frames[1]["minified"]["function"] == "p.parse" and frames[1]["error"] is None
    assert frames[3]["error"] and frames[3]["source"] is None


def test_symbolicate_with_a_bundle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = str(tmp_path / "b.zip")
    code, out, _ = run(capsys, "bundle", "create", str(EXAMPLES / "dist"), "-o", bundle)
    assert code == 0 and "2 files (1 minified_source, 1 source_map)" in out
    code, out, _ = run(capsys, "symbolicate", TRACE, "--bundle", bundle, "--json")
    frames = json.loads(out)["frames"]
    assert [f["function"] for f in frames[:3]] == ["SemVer", "parse", None]


def test_progress_bar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "symbolicate", TRACE, "--root", str(EXAMPLES), "--progress")
    assert code == 0 and "symbolicating [" in err and "10/10" in err
    code, _, err = run(capsys, "symbolicate", TRACE, "--root", str(EXAMPLES))
    assert err == ""  # not a terminal: no bar by default


def test_lookup(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lookup", MAP, "1", "8190")
    assert code == 0
    assert out.startswith("../app/orders.js:12:21 in parse")
    code, out, _ = run(capsys, "lookup", MAP, "1", "8190", "--json")
    assert json.loads(out)["line"] == 12
    code, out, _ = run(capsys, "lookup", MAP, "900", "1")
    assert code == 1 and "not mapped" in out


def test_info(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "info", MAP)
    assert code == 0
    assert "kind:                  source map" in out and "ECMA-426:              valid" in out
    assert "  ../app/orders.js" in out
    code, out, _ = run(capsys, "info", MAP, "--json")
    details = json.loads(out)
    assert (
        details["kind"] == "source map" and details["tokens"] > 1000 and details["problems"] == []
    )
    assert details["source_count"] == details["sources_with_contents"] == len(details["sources"])


def test_info_on_an_index_map(capsys: pytest.CaptureFixture[str]) -> None:
    index = str(Path(__file__).parent / "fixtures" / "index-concat.index.map")
    code, out, _ = run(capsys, "info", index, "--json")
    details = json.loads(out)
    assert code == 0 and details["kind"] == "index map (3 sections)"
    assert details["tokens"] > 10000 and len(details["sections"]) == 3


def test_info_reports_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.map"
    bad.write_text('{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,"}')
    code, out, _ = run(capsys, "info", str(bad))
    assert code == 0 and "INVALID" in out and "empty segment" in out


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.map"
    bad.write_text('{"version":3,"sources":[],"names":[],"mappings":"AAAA"}')
    assert run(capsys, "validate", MAP)[:2] == (0, f"{MAP}: ok\n")
    code, out, _ = run(capsys, "validate", MAP, str(bad))
    assert code == 1 and "bad.map: INVALID: mappings: source index 0 out of range" in out
    code, out, err = run(capsys, "validate", MAP, str(tmp_path / "missing.map"))
    assert code == 3 and out == f"{MAP}: ok\n" and "missing.map: no such file" in err


def test_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    memdb = str(tmp_path / "app.memdb")
    code, out, _ = run(capsys, "cache", MAP, "--minified-source", JS, "-o", memdb)
    assert code == 0 and "with function names" in out
    code, out, _ = run(capsys, "lookup", memdb, "1", "4874")
    assert code == 0 and out.startswith(
        "../../tests/fixtures/node_modules/semver/classes/semver.js:38:13 in SemVer"
    )
    code, out, _ = run(capsys, "info", memdb)
    assert "memdb cache" in out and "function table:        True" in out


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["lookup", "missing.map", "1", "1"], 3, "missing.map: no such file"),
        (["info", str(EXAMPLES)], 3, "is a directory"),
        (["lookup", TRACE, "1", "1"], 4, "not a source map"),
        (["symbolicate", "missing.txt"], 3, "no such file"),
        (["symbolicate", TRACE, "--root", "missing-dir"], 3, "no such directory"),
        (["symbolicate", TRACE, "--bundle", MAP], 4, "not a zip archive"),
        (
            ["cache", MAP, "--minified-source", TRACE, "-o", "/nonexistent/x.memdb"],
            4,
            "cannot parse the source",
        ),
        (["bundle", "create", "missing-dir", "-o", "x.zip"], 3, "no such directory"),
    ],
)
def test_user_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert got == code, err
    assert err.startswith("libsourcemap: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_corrupt_memdb(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.memdb"
    bad.write_bytes(b"LSMMEMDB" + b"\xff" * 40)
    code, _, err = run(capsys, "lookup", str(bad), "1", "1")
    assert code == 4 and "bad memdb cache" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["lookup", MAP, "0", "1"], ["lookup", MAP, "x", "1"], ["frobnicate"], []):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    capsys.readouterr()


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "libsourcemap", "symbolicate", TRACE, "--root", str(EXAMPLES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "    at importBatch (../app/main.js:12:18)" in done.stdout


def test_a_full_disk_is_an_io_error_not_a_bug(tmp_path: Path) -> None:
    # RLIMIT_FSIZE stands in for a full disk (no tmpfs to fill without privileges): a write
    # past the limit fails with EFBIG, as one on a full disk fails with ENOSPC.
    import json
    import resource
    import signal
    import subprocess

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    trace = (EXAMPLES / "stacktrace.txt").read_text()
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps({"stacktrace": trace}) + "\n")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "libsourcemap", "symbolicate-events", str(events)]
    command += ["--root", str(EXAMPLES), "-o", str(out), "--no-progress"]
    done = subprocess.run(
        command, capture_output=True, text=True, preexec_fn=small_files, timeout=120
    )
    assert done.returncode == 74, done.stderr
    assert "I/O error" in done.stderr and str(out) in done.stderr, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]  # nothing partial
