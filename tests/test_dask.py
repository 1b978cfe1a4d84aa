"""libsourcemap.events.dask on a real dask.distributed LocalCluster of two worker processes: every
frame must come back as the single-process symbolication gives it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.bag
import dask.dataframe
import pandas
import pytest
from conftest import FIXTURES
from distributed import Client, LocalCluster
from test_events import corpus_events

from libsourcemap import Symbolicator
from libsourcemap.events import symbolicate_event
from libsourcemap.events.dask import symbolicate_bag, symbolicate_dataframe


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def events() -> list[dict[str, Any]]:
    return (corpus_events("esbuild") + corpus_events("terser")) * 2


def single_process() -> list[dict[str, Any]]:
    with Symbolicator(root=FIXTURES) as sym:
        return [symbolicate_event(e, sym) for e in events()]


def test_bag_on_two_workers_matches_one_process(client: Client, tmp_path: Path) -> None:
    bag = dask.bag.from_sequence(events(), npartitions=8)
    cache = tmp_path / "cache"
    result = symbolicate_bag(bag, root=FIXTURES, cache_dir=cache).compute()
    assert result == single_process()
    workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2  # really two processes
    assert any(cache.iterdir())


def test_json_strings_and_bad_events(client: Client) -> None:
    lines = [json.dumps(e) for e in events()[:4]] + ["{nope", "[1]"]
    result = symbolicate_bag(dask.bag.from_sequence(lines, npartitions=3), root=FIXTURES)
    out = result.compute()
    assert [json.loads(line) for line in out[:4]] == single_process()[:4]
    assert json.loads(out[4])["error"].startswith("not JSON")
    assert json.loads(out[5]) == {
        "error": "an event must be a JSON object, not a list",
        "input": [1],
    }


def test_dataframe_column(client: Client) -> None:
    expected = single_process()
    table = pandas.DataFrame(
        {"id": range(len(expected)), "event": [json.dumps(e) for e in events()]}
    )
    frame = dask.dataframe.from_pandas(table, npartitions=4)
    out = symbolicate_dataframe(frame, root=FIXTURES).compute()
    assert list(out["id"]) == list(range(len(expected)))
    assert [json.loads(e) for e in out["event"]] == expected
