"""Views, ProGuard views and indexes pickle, so they can be shipped to worker processes:
a JSON view as its memdb (function table included), a memdb view as its bytes, a
file-backed one by its path, a ProGuard view by its input or path, an index by its JSON."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, fixture_bytes

from libsourcemap import BadIo, ClosedError, Index, ProguardView, View

MAP = "esbuild-lodash.min.js.map"
MINIFIED = FIXTURES / "esbuild-lodash.min.js"
PROGUARD = next((FIXTURES / "proguard").glob("*.txt"))


def round_trip(obj: Any) -> Any:
    return pickle.loads(pickle.dumps(obj))


def same_view(a: View, b: View) -> None:
    assert list(a) == list(b)
    assert [a.get_source_name(i) for i in range(a.get_source_count())] == [
        b.get_source_name(i) for i in range(b.get_source_count())
    ]
    assert a.get_source_contents(3) == b.get_source_contents(3)
    assert (a.file, a.debug_id, a.source_root) == (b.file, b.debug_id, b.source_root)


def test_json_view_pickles_as_its_memdb() -> None:
    view = View.from_json(fixture_bytes(MAP))
    copy = round_trip(view)
    same_view(view, copy)
    assert pickle.loads(pickle.dumps(copy)).lookup_token(0, 500) == view.lookup_token(0, 500)


def test_function_table_travels_with_the_view() -> None:
    view = View.from_json(fixture_bytes(MAP))
    view.attach_minified_source(MINIFIED.read_bytes())
    copy = round_trip(view)
    assert copy.has_function_table
    positions = [(t.dst_line + 1, t.dst_col + 1) for t in list(view)[::97]]
    assert len(positions) > 50
    assert copy.resolve_frames(positions) == view.resolve_frames(positions)


def test_memdb_view_pickles_its_bytes_and_a_file_view_its_path(tmp_path: Path) -> None:
    view = View.from_json(fixture_bytes(MAP))
    data = view.dump_memdb()
    assert pickle.dumps(View.from_memdb(data)).count(data) == 1
    path = tmp_path / "lodash.memdb"
    view.dump_memdb_file(path)
    from_file = View.from_memdb_file(path)
    pickled = pickle.dumps(from_file)
    assert len(pickled) < 200 and str(path).encode() in pickled
    same_view(view, pickle.loads(pickled))
    path.unlink()  # the path is what travels: without the file there is nothing to open
    with pytest.raises(BadIo, match="No such file"):
        pickle.loads(pickled)


def test_proguard_view_pickles(tmp_path: Path) -> None:
    data = PROGUARD.read_bytes()
    for view in (ProguardView.from_bytes(data), ProguardView.from_path(PROGUARD)):
        copy = round_trip(view)
        assert copy.has_line_info == view.has_line_info
        assert repr(copy) == repr(view)


def test_index_pickles_by_its_json() -> None:
    index = Index.from_json(fixture_bytes("index-concat.index.map"))
    copy = round_trip(index)
    assert copy.sections == index.sections
    same_view(copy.into_view(), index.into_view())


def test_closed_objects_refuse_to_pickle() -> None:
    view = View.from_json(fixture_bytes(MAP))
    proguard = ProguardView.from_bytes(PROGUARD.read_bytes())
    for obj in (view, proguard):
        obj.close()
        with pytest.raises(ClosedError):
            pickle.dumps(obj)


def _names_in_child(view: View, positions: list[tuple[int, int]]) -> list[Any]:
    return [(f.function, f.line) if f else None for f in view.resolve_frames(positions)]


def test_a_view_ships_to_a_spawned_process() -> None:
    view = View.from_json(fixture_bytes(MAP))
    view.attach_minified_source(MINIFIED.read_bytes())
    positions = [(t.dst_line + 1, t.dst_col + 1) for t in list(view)[::211]]
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        remote = pool.apply(_names_in_child, (view, positions))
    assert remote == _names_in_child(view, positions)
    assert any(name for name, _ in filter(None, remote))
