"""Source bundles: writing, finding files by URL and debug id, reading from many threads."""

from __future__ import annotations

import json
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from libsourcemap import BadBundle, SourceBundle, View
from libsourcemap.bundle.writer import create_bundle

EXAMPLES = Path(__file__).parent.parent / "examples"
DEBUG_ID = "85314830-023f-4cf1-a267-535f4e37bb17"


@pytest.fixture
def bundle_path(tmp_path: Path) -> Path:
    """The example build plus a second build whose map and script carry a debug id."""
    build = tmp_path / "build"
    shutil.copytree(EXAMPLES / "dist", build / "static")
    doc = json.loads((build / "static" / "app.min.js.map").read_text())
    doc["debugId"] = DEBUG_ID.upper()
    (build / "static" / "other.js.map").write_text(json.dumps(doc))
    script = (build / "static" / "app.min.js").read_text()
    script = script.replace("sourceMappingURL=app.min.js.map", "sourceMappingURL=nowhere.map")
    (build / "static" / "other.js").write_text(f"{script}\n//# debugId={DEBUG_ID}\n")
    (build / "README.txt").write_text("not a script")
    create_bundle(build, tmp_path / "release.zip")
    return tmp_path / "release.zip"


def test_manifest(bundle_path: Path) -> None:
    with SourceBundle.open(bundle_path) as bundle:
        by_url = {file.url: file for file in bundle.files}
    assert sorted(by_url) == [
        "~/README.txt",
        "~/static/app.min.js",
        "~/static/app.min.js.map",
        "~/static/other.js",
        "~/static/other.js.map",
    ]
    assert by_url["~/static/app.min.js"].type == "minified_source"
    assert by_url["~/static/app.min.js"].header("SOURCEMAP") == "app.min.js.map"
    assert by_url["~/static/app.min.js.map"].type == "source_map"
    assert by_url["~/README.txt"].type == "source"
    assert by_url["~/static/other.js"].debug_id == DEBUG_ID.lower()
    assert by_url["~/static/other.js.map"].header("debug-id") == DEBUG_ID
    manifest = json.loads(zipfile.ZipFile(bundle_path).read("manifest.json"))
    assert manifest["files"]["files/_/_/static/app.min.js"]["url"] == "~/static/app.min.js"


@pytest.mark.parametrize(
    "url",
    [
        "~/static/app.min.js",
        "https://shop.example.com/static/app.min.js",
        "https://shop.example.com/static/app.min.js?v=3#top",
        "/srv/www/static/app.min.js",
        "file:///srv/www/static/app.min.js",
    ],
)
def test_find_by_url(bundle_path: Path, url: str) -> None:
    with SourceBundle.open(bundle_path) as bundle:
        found = bundle.find(url)
        assert found is not None and found.url == "~/static/app.min.js"


def test_find_misses(bundle_path: Path) -> None:
    with SourceBundle.open(bundle_path) as bundle:
        assert bundle.find("https://a.io/static/missing.js") is None
        with pytest.raises(KeyError):
            bundle.read("https://a.io/static/missing.js")


def test_maps_by_header_debug_id_and_comment(bundle_path: Path) -> None:
    with SourceBundle.open(bundle_path) as bundle:
        app, other = bundle.find("~/static/app.min.js"), bundle.find("~/static/other.js")
        assert app is not None and other is not None
        map_of_app = bundle.source_map_for(app)
        assert map_of_app is not None and map_of_app.url == "~/static/app.min.js.map"
        # other.js names a map the bundle lacks; its debug id finds the right one.
        map_of_other = bundle.source_map_for(other)
        assert map_of_other is not None and map_of_other.url == "~/static/other.js.map"
        by_id = bundle.find_by_debug_id(DEBUG_ID.upper())
        assert by_id == map_of_other


def test_views(bundle_path: Path) -> None:
    with SourceBundle.open(bundle_path) as bundle:
        view = bundle.get_view("https://cdn.example.com/static/app.min.js")
        assert isinstance(view, View) and view.has_function_table
        assert bundle.get_view("~/static/app.min.js.map") is view  # parsed once
        assert view.get_original_function_name(0, 4873) == "SemVer"
        with pytest.raises(KeyError, match="no source map"):
            bundle.get_view("~/README.txt")


def test_reads_decompress_once_with_a_handle_per_thread(
    bundle_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, str]] = []
    original = zipfile.ZipFile.open
    start = threading.Barrier(8)

    def counting_open(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append((id(self), str(name)))
        return original(self, name, *args, **kwargs)

    with SourceBundle.open(bundle_path) as bundle:
        monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
        results: list[bytes] = []

        def reader(url: str) -> None:
            start.wait()
            for _ in range(20):
                results.append(bundle.read(url))

        urls = ["~/static/app.min.js.map", "~/static/other.js.map"] * 4
        threads = [threading.Thread(target=reader, args=(url,)) for url in urls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(name for _, name in calls) == [
        "files/_/_/static/app.min.js.map",
        "files/_/_/static/other.js.map",
    ]
    assert len({id(data) for data in results}) == 2  # every reader got the one copy
    assert len({handle for handle, _ in calls}) == 2  # two threads, two archive handles


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a.js": b"x"}, "no manifest.json"),
        ({"manifest.json": b"{nope"}, "unreadable manifest.json"),
        ({"manifest.json": b"[]"}, "has no 'files' object"),
        ({"manifest.json": b'{"files": {"a.js": 5}}', "a.js": b""}, "is not an object"),
        ({"manifest.json": b'{"files": {"a.js": {"url": 5}}}', "a.js": b""}, "not text"),
        ({"manifest.json": b'{"files": {"a.js": {"url": "~/a.js"}}}'}, "archive lacks"),
        (
            {"manifest.json": b'{"files": {"a.js": {"url": "~/a.js", "headers": 1}}}', "a.js": b""},
            "bad 'headers'",
        ),
    ],
)
def test_bad_bundles(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    with pytest.raises(BadBundle, match=message):
        SourceBundle.open(path)


def test_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(BadBundle, match="not a zip archive"):
        SourceBundle.open(tmp_path / "x.zip")
    with pytest.raises(FileNotFoundError):
        SourceBundle.open(tmp_path / "missing.zip")


def test_damaged_entry(bundle_path: Path) -> None:
    data = bytearray(bundle_path.read_bytes())
    with zipfile.ZipFile(bundle_path) as archive:
        info = archive.getinfo("files/_/_/static/app.min.js.map")
    # Past the local header (30 bytes + name + extra), into the deflated data.
    start = info.header_offset + 30 + len(info.filename) + 40
    data[start : start + 64] = bytes(64)
    damaged = bundle_path.with_name("damaged.zip")
    damaged.write_bytes(bytes(data))
    with SourceBundle.open(damaged) as bundle:
        with pytest.raises(BadBundle, match="cannot read files/_/_/static/app.min.js.map"):
            bundle.read("~/static/app.min.js.map")
        with pytest.raises(BadBundle):
            bundle.get_view("~/static/app.min.js")
        assert bundle.read("~/README.txt") == b"not a script"


def test_size_limit(bundle_path: Path) -> None:
    with SourceBundle.open(bundle_path, max_file_size=1000) as bundle:
        assert bundle.read("~/README.txt") == b"not a script"
        with pytest.raises(BadBundle, match="larger than 1000 bytes"):
            bundle.read("~/static/app.min.js.map")


def test_closed(bundle_path: Path) -> None:
    bundle = SourceBundle.open(bundle_path)
    bundle.close()
    assert bundle.closed and "closed" in repr(bundle)
    with pytest.raises(ValueError, match="closed"):
        bundle.read("~/static/app.min.js")
    bundle.close()  # twice is fine
