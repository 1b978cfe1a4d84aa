"""``ViewCache``: a map parsed once per content, whatever object holds the bytes; bounded,
thread-safe, and never confused by maps that look alike."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from conftest import FIXTURES

import libsourcemap
from libsourcemap import view_cache
from libsourcemap.view_cache import ContentCache, ViewCache

MAP = (FIXTURES / "esbuild-lodash.min.js.map").read_bytes()


def test_equal_bytes_give_the_same_view_whatever_object_holds_them() -> None:
    cache = ViewCache()
    first = cache.from_json(MAP)
    assert cache.from_json(bytes(bytearray(MAP))) is first  # another object, same content
    assert cache.from_json(memoryview(MAP)) is first
    assert cache.from_json(MAP.decode()) is first
    assert first.lookup_token(0, 40) == libsourcemap.View.from_json(MAP).lookup_token(0, 40)
    assert len(cache) == 1 and cache.kept_bytes == len(MAP)
    # The rules are part of the key: a strict parse is another view.
    assert cache.from_json(MAP, strict=True) is not first


def test_maps_of_one_length_and_sample_are_told_apart_by_their_bytes() -> None:
    """Same length, same start, middle and end: only a byte in between differs. The key
    collides; the bytes decide."""
    doc = json.loads(MAP)
    names = list(doc["names"])
    text = json.dumps(doc)
    at = len(text) // 4  # away from the sampled start, middle and end
    other = text[:at] + ("X" if text[at] != "X" else "Y") + text[at + 1 :]
    a, b = text.encode(), other.encode()
    assert view_cache.content_key(a) == view_cache.content_key(b) and a != b
    made: list[bytes] = []
    cache = ContentCache(lambda data: made.append(data) or len(made))
    assert (cache.get(a), cache.get(b), cache.get(bytes(bytearray(a)))) == (1, 2, 1)
    assert names  # (the map is a real one)


def test_bounded_least_recently_used_first() -> None:
    cache = ContentCache(lambda data: object(), max_bytes=30)
    a, b, c = b"a" * 10, b"b" * 10, b"c" * 10
    kept_a = cache.get(a)
    cache.get(b)
    cache.get(c)
    assert cache.get(bytes(a)) is kept_a  # used last: b is now the oldest
    cache.get(b"d" * 10)
    assert len(cache) == 3 and cache.kept_bytes == 30
    assert cache.get(bytes(a)) is kept_a and cache.get(bytes(c)) is not None
    big = b"e" * 31  # larger than the whole cache: made each time, never kept
    assert cache.get(big) is not cache.get(bytes(big))
    cache.clear()
    assert len(cache) == 0 and cache.kept_bytes == 0
    with pytest.raises(ValueError):
        ContentCache(lambda data: data, max_bytes=-1)


def test_threads_wait_for_the_one_parse(monkeypatch: Any) -> None:
    parses = []
    gate = threading.Event()

    def slow_parse(data: bytes, flags: int) -> libsourcemap.View:
        parses.append(data)
        gate.wait(5)
        return libsourcemap.View.from_json(data)

    monkeypatch.setattr(view_cache, "_parse", slow_parse)
    cache = ViewCache()
    results: list[libsourcemap.View] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.from_json(bytes(MAP))))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    gate.set()
    for thread in threads:
        thread.join()
    assert len(parses) == 1 and len({id(view) for view in results}) == 1


def test_bad_input_is_not_cached_and_raises_as_a_parse_does() -> None:
    cache = ViewCache()
    for _ in range(2):
        with pytest.raises(libsourcemap.BadJson):
            cache.from_json(b"{not json")
    assert len(cache) == 0
    with pytest.raises(TypeError):
        cache.from_json(42)  # type: ignore[arg-type]
