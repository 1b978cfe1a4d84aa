"""ProguardView on a real ProGuard 7.6.1 mapping (tests/fixtures/proguard/generate.sh): the
obfuscated program's stack trace must retrace to the original program's, and lookups must
answer as libsourcemap 0.8.2 did (expected-0.8.2.json, recorded by expected_082.py)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from libsourcemap import (
    BadIo,
    ClosedError,
    InvalidProguardMapping,
    JavaFrame,
    ProguardView,
)

HERE = Path(__file__).parent / "fixtures" / "proguard"
MAPPING = HERE / "mapping.txt"
EXPECTED_082 = json.loads((HERE / "expected-0.8.2.json").read_text())
# `    at com.example.shop.d.b(SourceFile:20)`
JAVA_FRAME = re.compile(
    r"^\s+at (?P<class>[\w.$]+)\.(?P<method>[\w$<>]+)\((?P<file>[^:)]+):(?P<line>\d+)\)$"
)


def java_frames(path: Path) -> list[JavaFrame]:
    frames = []
    for line in path.read_text().splitlines():
        match = JAVA_FRAME.match(line)
        if match:
            frames.append(
                JavaFrame(match["class"], match["method"], int(match["line"]), match["file"])
            )
    return frames


@pytest.fixture(scope="module")
def view() -> ProguardView:
    return ProguardView.from_path(MAPPING)


def test_obfuscated_trace_retraces_to_the_original(view: ProguardView) -> None:
    obfuscated = java_frames(HERE / "stacktrace.obfuscated.txt")
    original = java_frames(HERE / "stacktrace.original.txt")
    assert len(obfuscated) == 4 and len(original) == 5  # importBatch was inlined into main
    retraced = [
        found
        for frame in obfuscated
        for found in view.remap_frame(frame.class_name, frame.method, frame.line)
    ]
    assert retraced == original


def inline_ranges() -> dict[str, list[tuple[int, int]]]:
    """Obfuscated `class:method` -> line ranges that hold inlined code: member lines with
    an original line suffix (`1022:1027:long importBatch(...):22:27 -> main`)."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    cls = ""
    for line in MAPPING.read_text().splitlines():
        head = re.match(r"^\S+ -> (\S+):$", line)
        if head:
            cls = head.group(1)
        member = re.match(r"^\s+(\d+):(\d+):\S+ \S+\)(?::\d+)+ -> (\S+)$", line)
        if member:
            key = f"{cls}:{member.group(3)}"
            ranges.setdefault(key, []).append((int(member.group(1)), int(member.group(2))))
    return ranges


def test_lookups_answer_as_0_8_2(view: ProguardView) -> None:
    assert view.has_line_info is EXPECTED_082["has_line_info"]
    inlined = inline_ranges()
    assert inlined  # ProGuard inlined something, so the exception below is exercised
    differ = []
    for path, line, expected in EXPECTED_082["lookups"]:
        ours = view.lookup(path, line)
        if ours == expected:
            continue
        # 0.8.2 could not parse ProGuard 7's inline ranges and left those methods
        # obfuscated; ours names the innermost original method, as retrace does.
        assert line is not None and any(a <= line <= b for a, b in inlined.get(path, [])), (
            path,
            line,
            expected,
            ours,
        )
        cls, method = path.split(":")
        assert ours == f"{expected.split(':')[0]}:{view.remap_frame(cls, method, line)[0].method}"
        differ.append(path)
    assert len(EXPECTED_082["lookups"]) == 2091 and len(differ) == 7


def test_lookup_forms(view: ProguardView) -> None:
    assert view.lookup("com.example.shop.d") == "com.example.shop.PriceFormat"
    assert view.lookup("com.example.shop.d:b", 20) == "com.example.shop.PriceFormat:digits"
    assert view.lookup("com.example.shop.Main:main", 1025) == "com.example.shop.Main:importBatch"
    assert view.lookup("com.example.shop.d:zz", 3) == "com.example.shop.PriceFormat:zz"
    assert view.lookup("org.unknown.X:y", 3) == "org.unknown.X:y"
    assert view.lookup("") == ""
    assert view.remap_frame("org.unknown.X", "y", 3) == []


def test_from_bytes_and_str() -> None:
    text = MAPPING.read_text()
    for data in (text, text.encode(), bytearray(text.encode()), memoryview(text.encode())):
        assert ProguardView.from_bytes(data).lookup("com.example.shop.c") == (
            "com.example.shop.OrderParser"
        )


def test_without_line_info() -> None:
    view = ProguardView.from_bytes(b"com.example.A -> a:\n    void run() -> a\n")
    assert view.has_line_info is False
    assert view.lookup("a:a") == view.lookup("a:a", 7) == "com.example.A:run"


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="null byte"):
        ProguardView.from_path(str(MAPPING) + "\0x")
    with pytest.raises(BadIo, match="missing.txt"):
        ProguardView.from_path(tmp_path / "missing.txt")
    with pytest.raises(BadIo, match="directory"):
        ProguardView.from_path(tmp_path)


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02 binary", b'{"version": 3, "mappings": ""}', b"just some text\nand more\n"],
)
def test_not_a_mapping(data: bytes) -> None:
    with pytest.raises(InvalidProguardMapping, match="not a ProGuard/R8 mapping"):
        ProguardView.from_bytes(data)


def test_empty_mapping() -> None:
    view = ProguardView.from_bytes(b"")
    assert view.lookup("a.b:c", 3) == "a.b:c" and view.has_line_info is False


def test_truncated_and_damaged_lines_are_skipped() -> None:
    data = MAPPING.read_bytes()
    cut = data[: data.index(b"com.example.shop.PriceFormat ->") + 40]  # mid-line
    view = ProguardView.from_bytes(cut)
    assert view.lookup("com.example.shop.c:a", 15) == "com.example.shop.OrderParser:parse"
    damaged = data.replace(b"12:15:long parse", b"12:xx:long parse").replace(b"->", b"\xff>", 1)
    view = ProguardView.from_bytes(damaged)
    assert view.lookup("com.example.shop.d:b", 20) == "com.example.shop.PriceFormat:digits"


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=400)
    | st.text(alphabet="abc.:-> 0123456789()\n#[];$", max_size=400).map(str.encode)
)
def test_random_input_never_crashes(data: bytes) -> None:
    prefix = b"com.example.A -> a:\n    1:2:void run():3:4 -> a\n"
    for candidate in (data, prefix + data):
        try:
            view = ProguardView.from_bytes(candidate)
        except InvalidProguardMapping:
            continue
        view.lookup("a:a", 1)
        view.remap_frame("a", "a", 2)
        assert isinstance(view.has_line_info, bool)


def test_argument_errors(view: ProguardView) -> None:
    with pytest.raises(TypeError):
        view.lookup(b"a.b")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        view.lookup("a.b", "3")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        view.lookup("a.b", -1)
    with pytest.raises(ValueError):
        view.remap_frame("a", "b", 2**32)
    with pytest.raises(TypeError):
        ProguardView.from_bytes(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ProguardView()


def test_close_and_with() -> None:
    with ProguardView.from_path(MAPPING) as view:
        assert view.lookup("com.example.shop.a") == "com.example.shop.Cart"
    assert view.closed and "closed" in repr(view)
    with pytest.raises(ClosedError):
        view.lookup("com.example.shop.a")
    with pytest.raises(ClosedError):
        _ = view.has_line_info
    view.close()


def test_threads_share_one_view(view: ProguardView) -> None:
    queries = [(path, line, expected) for path, line, expected in EXPECTED_082["lookups"]]
    want = [view.lookup(path, line) for path, line, _ in queries]
    results: list[list[str]] = []

    def worker() -> None:
        results.append([view.lookup(path, line) for path, line, _ in queries])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [want] * 4


def test_inlined_code_of_another_class_is_in_its_file() -> None:
    """A frame of code inlined from another class is in the file that class's own
    `sourceFile` names (a Kotlin file here), as the proguard crate's whole-file mapper
    says; without one, the file is made up of the class's name (`Main.java`)."""
    view = ProguardView.from_bytes(
        "com.example.Main -> a.a:\n"
        "    3:3:void com.example.Util.twice():7:7 -> b\n"
        "    3:3:void run():12 -> b\n"
        "com.example.Util -> a.c:\n"
        '# {"fileName":"Util.kt","id":"sourceFile"}\n'
        "    1:1:void twice():7:7 -> a\n"
    )
    assert view.remap_frame("a.a", "b", 3) == [
        JavaFrame("com.example.Util", "twice", 7, "Util.kt"),
        JavaFrame("com.example.Main", "run", 12, "Main.java"),
    ]
