"""The writing commands (``remap``, ``concat``, ``inject``, ``rewrite``) on the real
multi-step build (tests/fixtures/pipeline): what they write, that maps are found next to
their files, that sources are named from where the output lives, and that a failing run
writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from libsourcemap import View, inject_debug_id, remap
from libsourcemap.cli import main

BUILD = FIXTURES / "pipeline" / "build"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "pipeline", tmp_path / "pipeline")
    return tmp_path / "pipeline" / "build"


def sources(path: Path) -> list[str | None]:
    view = View.from_json(path.read_bytes(), strict=True)
    return [view.get_source_name(i) for i in range(view.get_source_count())]


def test_remap_follows_the_maps_next_to_the_files(
    build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remap", str(build / "bundle.min.js.map"), "-o", str(build / "out.map")]) == 0
    assert "through 4 maps" in capsys.readouterr().out
    maps = {
        p.relative_to(BUILD).as_posix()[: -len(".map")]: p.read_bytes()
        for p in BUILD.rglob("*.js.map")
    }
    expected = remap(maps.pop("bundle.min.js"), maps.get)
    written = View.from_json((build / "out.map").read_bytes(), strict=True)
    assert [tuple(t) for t in written] == [tuple(t) for t in expected]
    # Written elsewhere, the sources are named from there.
    (build / "deeper").mkdir()
    main(["remap", str(build / "bundle.min.js.map"), "-o", str(build / "deeper" / "out.map")])
    assert sources(build / "deeper" / "out.map") == [
        "../../src/util/money.ts",
        "../../src/cart.ts",
        "../../src/index.ts",
    ]


def test_concat_writes_code_and_map(build: Path) -> None:
    out = build / "all.js"
    files = [
        str(build / "tsc" / "cart.js"),
        str(build / "bundle.min.js"),
        str(build.parent / "tsconfig.json"),
    ]
    assert main(["concat", *files, "-o", str(out)]) == 0
    code = out.read_bytes()
    assert code.count(b"sourceMappingURL") == 1 and code.endswith(
        b"//# sourceMappingURL=all.js.map\n"
    )
    assert sources(build / "all.js.map") == ["../src/cart.ts", "bundle.js", "../tsconfig.json"]
    assert (
        main(["concat", *files, "-o", str(out), "--index-map", "--map", str(build / "i.map")]) == 0
    )
    assert len(json.loads((build / "i.map").read_bytes())["sections"]) == 3


def test_inject_matches_the_library_and_leaves_injected_files_alone(
    build: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, source_map = (
        (build / "bundle.min.js").read_bytes(),
        (build / "bundle.min.js.map").read_bytes(),
    )
    expected = inject_debug_id(code, source_map)
    assert main(["inject", "--dry-run", str(build)]) == 0
    assert (build / "bundle.min.js").read_bytes() == code
    assert main(["inject", str(build / "bundle.min.js")]) == 0
    assert (build / "bundle.min.js").read_bytes() == expected[0]
    assert (build / "bundle.min.js.map").read_bytes() == expected[1]
    capsys.readouterr()
    assert main(["inject", str(build / "bundle.min.js")]) == 0
    assert "already has a debug id" in capsys.readouterr().out


def test_rewrite(build: Path) -> None:
    target = build / "tsc" / "cart.js.map"
    assert (
        main(["rewrite", str(target), "-o", str(target), "--strip-sources-content", "--drop-names"])
        == 0
    )
    stripped = View.from_json(target.read_bytes(), strict=True)
    assert not stripped.has_source_contents(0) and stripped.name_count == 0
    assert (
        main(["rewrite", str(target), "-o", str(target), "--inline-sources", "--ignore", "*cart*"])
        == 0
    )
    inlined = View.from_json(target.read_bytes(), strict=True)
    assert inlined.get_source_contents(0) == (build.parent / "src" / "cart.ts").read_bytes()
    assert inlined.ignore_list == [0]
    assert main(["rewrite", str(target), "-o", str(target), "--source-root", "/app"]) == 0
    assert sources(target) == ["/app/../../src/cart.ts"]


def test_failures_write_nothing(build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (build / "bad.js").write_bytes(b"x()\n//# sourceMappingURL=bad.js.map\n")
    (build / "bad.js.map").write_bytes(b"{not json")
    before = sorted(p.name for p in build.iterdir())
    assert main(["concat", str(build / "bad.js"), "-o", str(build / "out.js")]) == 4
    assert main(["inject", str(build / "bad.js")]) == 4
    assert main(["rewrite", str(build / "missing.map"), "-o", str(build / "o.map")]) == 3
    assert main(["remap", str(build / "bad.js.map"), "-o", str(build / "o.map")]) == 4
    assert main(["inject", str(build / "nothing-here")]) == 3
    assert sorted(p.name for p in build.iterdir()) == before
    assert (build / "bad.js").read_bytes() == b"x()\n//# sourceMappingURL=bad.js.map\n"
    errors = capsys.readouterr().err
    assert errors.count("libsourcemap: ") == 5 and "Traceback" not in errors
    assert (
        main(["remap", str(build / "bundle.min.js.map"), "-o", str(build / "no" / "dir.map")]) == 73
    )
