"""``inject_debug_id`` held to ``sentry-cli sourcemaps inject`` (3.8, the binary npm's
``@sentry/cli-linux-x64`` ships, installed into tests/js): every real bundle we have and
cases built to hit each rule (hashbangs, comment blocks, ``"use strict"``, CRLF, a
non-ASCII comment before code on its line, segments across the insertion point, escaped
contents, ``sourceRoot``/``file``, both ignore-list keys, an existing ``debugId`` in the
map or in the code, no map at all) are injected by both, and the files must be the same
bytes. Then what we refuse."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import FIXTURES, JS_REFERENCES, encode_mappings

from libsourcemap import View, inject_debug_id
from libsourcemap.errors import InvalidArgument

REPO = FIXTURES.parent.parent
REAL = [
    "esbuild-lodash.min.js",
    "terser-underscore.min.js",
    "pipeline/build/bundle.min.js",
    "pipeline/build/lodash.reminified.js",
    "stacks/dist/esbuild.min.mjs",
    "stacks/dist/terser.min.mjs",
]


@pytest.fixture(scope="module")
def sentry_cli(js_reference: Callable[..., Any]) -> Path:
    """The real sentry-cli (js_reference has installed tests/js)."""
    binary = JS_REFERENCES / "node_modules" / "@sentry" / "cli-linux-x64" / "bin" / "sentry-cli"
    assert binary.is_file(), "npm did not install @sentry/cli-linux-x64 (Linux x86_64 only)"
    return binary


def map_of(**fields: Any) -> str:
    doc = {"version": 3, "sources": ["src/a.js"], "names": ["alpha"], "mappings": "AAAA"}
    doc.update(fields)
    return json.dumps(doc)


# name -> (code, map or None). Maps reference code columns; `mappings` are written out.
CASES: dict[str, tuple[str, str | None]] = {
    "plain.js": ("var a=1;var b=2;\n", map_of(mappings="AAAA,IAAIA,IAAI")),
    "no-newline.js": ("var a=1;", map_of(mappings="AAAA,IAAI")),
    "hashbang.js": (
        "#!/usr/bin/env node\nvar a=1;\n",
        map_of(mappings="AAAA;AACA,IAAIA"),
    ),
    "comments.js": (
        "/*! license */\n// note\n\n/* a\n b */ var a=1;\n",
        map_of(mappings="AAAA;AACA;;AACA;GAAG,IAAIA,IAAI"),
    ),
    "use-strict.js": ('"use strict";var a=1;\n', map_of(mappings="AAAA,aAAa,IAAIA")),
    "use-strict-single.js": ("'use strict';\nvar a=1;\n", map_of(mappings="AAAA;AACA")),
    "crlf.js": ("/* c */\r\nvar a=1;\r\nvar b;\r\n", map_of(mappings="AAAA;AACA,IAAI;AACA")),
    # The comment's é and 😀 take more bytes than UTF-16 units: sentry-cli moves the
    # segments after it by bytes.
    "non-ascii.js": ("/* é😀 */var a=1;var b=2;\n", map_of(mappings="EAAA,QAAC,IAAC,IAAC")),
    "across-the-point.js": ("/*x*/var a;\n", map_of(mappings="EAAA,MAAC")),
    "past-the-end.js": ("var a;\n", map_of(mappings="AAAA;AACA;;;AACA")),
    "contents.js": (
        "var a;\n",
        map_of(sourcesContent=['caf\\u00e9 \\/ \u2028 "q" \\t'], sourceRoot="/root/", file="x.js"),
    ),
    "google-ignore.js": ("var a;\n", map_of(sources=["a.js", "b.js"], x_google_ignoreList=[1])),
    "ignore.js": ("var a;\n", map_of(sources=["a.js", "b.js", None], ignoreList=[2, 0, 2])),
    "map-debug-id.js": ("var a;\n", map_of(debugId="6E3B8B44-9E1A-4C3D-8F5A-0B1C2D3E4F50")),
    "map-legacy-debug-id.js": ("var a;\n", map_of(debug_id="6e3b8b449e1a4c3d8f5a0b1c2d3e4f51")),
    "code-debug-id.js": ("var a;\n//# debugId=0d9e2f1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f\n", map_of()),
    "empty.js": ("", map_of(mappings="")),
    "no-map.js": ("var a=1;\r\n//# sourceMappingURL=missing.js.map\r\nrun()", None),
    "no-map-plain.js": ("var a=1;\n", None),
}


def run_sentry_cli(sentry_cli: Path, directory: Path) -> None:
    subprocess.run(
        [str(sentry_cli), "sourcemaps", "inject", str(directory)],
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "SENTRY_LOAD_DOTENV": "0", "HOME": str(directory)},
    )


def test_same_bytes_as_sentry_cli(sentry_cli: Path, tmp_path: Path) -> None:
    inputs: dict[str, tuple[bytes, bytes | None]] = {}
    for name in REAL:
        code = (FIXTURES / name).read_bytes()
        inputs[Path(name).name] = (code, (FIXTURES / (name + ".map")).read_bytes())
    for name, (code_text, map_text) in CASES.items():
        url = f"\n//# sourceMappingURL={name}.map\n" if map_text is not None else ""
        code_bytes = (
            (code_text + url).encode()
            if "sourceMappingURL" not in code_text
            else code_text.encode()
        )
        inputs[name] = (code_bytes, None if map_text is None else map_text.encode())
    for name, (code, source_map) in inputs.items():
        (tmp_path / name).write_bytes(code)
        if source_map is not None:
            (tmp_path / (name + ".map")).write_bytes(source_map)
    ours = {name: inject_debug_id(code, source_map) for name, (code, source_map) in inputs.items()}
    run_sentry_cli(sentry_cli, tmp_path)
    for name, (code, source_map, debug_id) in ours.items():
        assert code == (tmp_path / name).read_bytes(), name
        if source_map is not None:
            assert source_map == (tmp_path / (name + ".map")).read_bytes(), name
        assert f"//# debugId={debug_id}\n".encode() in code, name


def test_the_injected_map_still_maps_the_code() -> None:
    code = (FIXTURES / "esbuild-lodash.min.js").read_bytes()
    source_map = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()
    new_code, new_map, debug_id = inject_debug_id(code, source_map)
    assert new_map is not None
    before, after = View.from_json(source_map), View.from_json(new_map, strict=True)
    assert after.debug_id == debug_id
    # Every segment moved down the two lines the snippet takes, nothing else changed.
    assert [(t.dst_line + 2, *tuple(t)[1:]) for t in before] == [tuple(t) for t in after]
    assert new_code.splitlines()[2] == code.splitlines()[0]


def test_already_injected_code_is_left_alone() -> None:
    code, source_map = CASES["code-debug-id.js"]
    assert inject_debug_id(code.encode(), source_map) == (
        code.encode(),
        source_map.encode(),
        "0d9e2f1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f",
    )


def test_refusals() -> None:
    with pytest.raises(InvalidArgument, match="not UTF-8"):
        inject_debug_id(b"var \xff;", map_of())
    with pytest.raises(InvalidArgument, match="debugId is not a UUID"):
        inject_debug_id(b"var a;", map_of(debugId="nope"))
    index = {
        "version": 3,
        "sections": [{"offset": {"line": 0, "column": 0}, "map": json.loads(map_of())}],
    }
    with pytest.raises(InvalidArgument, match="index maps"):
        inject_debug_id(b"var a;", json.dumps(index))
    with pytest.raises(TypeError, match="code must be bytes"):
        inject_debug_id("var a;", map_of())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="source_map must be bytes"):
        inject_debug_id(b"var a;", 3)  # type: ignore[arg-type]


def test_the_example_bundle_too(sentry_cli: Path, tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "dist", tmp_path / "dist")
    pairs = {p: p.with_name(p.name + ".map") for p in (tmp_path / "dist").glob("*.js")}
    ours = {p: inject_debug_id(p.read_bytes(), m.read_bytes()) for p, m in pairs.items()}
    run_sentry_cli(sentry_cli, tmp_path / "dist")
    for path, (code, source_map, _) in ours.items():
        assert (code, source_map) == (path.read_bytes(), pairs[path].read_bytes())


def random_case(rng: random.Random) -> tuple[bytes, bytes]:
    """Code that starts with a random run of what the insertion point skips (hashbang,
    whitespace, comments, a directive), then code, with a random map over its lines."""
    head = rng.choice(["", "#!/usr/bin/env node\n", "#!x\r\n"])
    pieces = [
        " ",
        "\n",
        "\r\n",
        "\t",
        "/* c */",
        "/*\né\n*/",
        "// l\n",
        "//😀\r",
        '"use strict";',
        "'u';\n",
    ]
    body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
    lines = [
        "".join(rng.choice("ab;( ") for _ in range(rng.randint(0, 12)))
        for _ in range(rng.randint(1, 4))
    ]
    code = head + body + rng.choice(["\n", "\r\n"]).join(lines) + rng.choice(["", "\n"])
    tokens = []
    for line in range(code.count("\n") + 2):
        for column in sorted({rng.randrange(20) for _ in range(rng.randint(0, 4))}):
            tokens.append(
                (line, column, 0, rng.randrange(9), rng.randrange(30), rng.choice([None, 0]))
            )
    mappings = encode_mappings(tokens, code.count("\n") + 2)
    return code.encode(), map_of(mappings=mappings).encode()


def test_random_code_and_maps(sentry_cli: Path, tmp_path: Path) -> None:
    rng = random.Random(426)
    inputs = {f"r{n}.js": random_case(rng) for n in range(200)}
    for name, (code, source_map) in inputs.items():
        (tmp_path / name).write_bytes(code + f"\n//# sourceMappingURL={name}.map".encode())
        (tmp_path / (name + ".map")).write_bytes(source_map)
    ours = {
        name: inject_debug_id((tmp_path / name).read_bytes(), source_map)
        for name, (_, source_map) in inputs.items()
    }
    run_sentry_cli(sentry_cli, tmp_path)
    for name, (code, source_map, _) in ours.items():
        assert code == (tmp_path / name).read_bytes(), name
        assert source_map == (tmp_path / (name + ".map")).read_bytes(), name
