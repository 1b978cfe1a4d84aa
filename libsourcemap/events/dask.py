"""Symbolicating events on a Dask cluster (``pip install 'libsourcemap[dask]'``), for
when one machine is not enough.

Each Dask worker thread keeps one :class:`~libsourcemap.Symbolicator` per configuration
for its lifetime, so a map is loaded once per worker, not once per partition. Put
``cache_dir`` on storage every worker sees: the first worker to meet a build writes its
memdb cache there and every other worker opens it instead of parsing the map. Paths
(``root``, ``bundle``, ``cache_dir``) must be valid on the workers.

Events are what :mod:`libsourcemap.events` reads: dicts (symbolicated into new dicts) or
JSON strings (into JSON strings). An event that is not one becomes an error record
(``{"error": why, "input": event}``), never a failed task.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from ..symbolication.symbolicator import StrPath, Symbolicator
from . import BadEvent, EventConfig, not_json, symbolicate_event

TYPE_CHECKING = False
if TYPE_CHECKING:
    import dask.bag
    import dask.dataframe

__all__ = ["symbolicate_bag", "symbolicate_dataframe"]


def symbolicate_bag(
    events: dask.bag.Bag,
    *,
    root: StrPath | None = None,
    bundle: StrPath | None = None,
    cache_dir: StrPath | None = None,
    context_lines: int = 5,
) -> dask.bag.Bag:
    """A bag of the symbolicated events, partition for partition, in order."""
    config = EventConfig.of(root, bundle, cache_dir, context_lines)
    bag: Any = events  # dask is untyped
    result: dask.bag.Bag = bag.map_partitions(_symbolicate_partition, config)
    return result


def symbolicate_dataframe(
    frame: dask.dataframe.DataFrame,
    column: str = "event",
    *,
    root: StrPath | None = None,
    bundle: StrPath | None = None,
    cache_dir: StrPath | None = None,
    context_lines: int = 5,
) -> dask.dataframe.DataFrame:
    """The dataframe with ``column`` (events as dicts or JSON strings) symbolicated."""
    config = EventConfig.of(root, bundle, cache_dir, context_lines)
    table: Any = frame  # dask is untyped
    meta = table._meta.assign(**{column: table._meta[column].astype(object)})
    result: dask.dataframe.DataFrame = table.map_partitions(
        _symbolicate_column, column, config, meta=meta
    )
    return result


def _symbolicate_partition(events: Any, config: EventConfig) -> list[Any]:
    symbolicator = _symbolicator(config)
    return [symbolicate_one(event, symbolicator) for event in events]


def _symbolicate_column(part: Any, column: str, config: EventConfig) -> Any:
    symbolicator = _symbolicator(config)
    values = [symbolicate_one(event, symbolicator) for event in part[column]]
    return part.assign(**{column: values})


def symbolicate_one(event: Any, symbolicator: Symbolicator) -> Any:
    """One event, as a dict or a JSON string (the result has the same form)."""
    if isinstance(event, (str, bytes)):
        try:
            parsed = json.loads(event)
        except ValueError as exc:
            return json.dumps({"error": not_json(exc), "input": _text(event)})
        return json.dumps(symbolicate_one(parsed, symbolicator), ensure_ascii=False)
    try:
        return symbolicate_event(event, symbolicator)
    except BadEvent as exc:
        return {"error": str(exc), "input": event}


def _text(event: str | bytes) -> str:
    return event.decode("utf-8", "replace") if isinstance(event, bytes) else event


_local = threading.local()


def _symbolicator(config: EventConfig) -> Symbolicator:
    """This thread's Symbolicator for ``config`` (a Symbolicator is not thread-safe)."""
    cache: dict[EventConfig, Symbolicator] = _local.__dict__.setdefault("symbolicators", {})
    symbolicator = cache.get(config)
    if symbolicator is None:
        symbolicator = cache[config] = config.symbolicator()
    return symbolicator
