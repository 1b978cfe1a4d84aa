"""The batch lookups, ``View.lookup_tokens`` and ``View.lookup_raw``: same answers as
``lookup_token``, one native call."""

from __future__ import annotations

import random
from array import array

import pytest
from conftest import close_during_calls, fixture_bytes, tiny_map

from libsourcemap import ClosedError, View
from libsourcemap._native import NONE


def sample_positions(view: View, count: int, seed: int) -> list[tuple[int, int]]:
    """Token positions, the columns right after and before them, and positions past
    every line and column, in random order."""
    rng = random.Random(seed)
    tokens = [view[rng.randrange(len(view))] for _ in range(count)]
    last_line = view[len(view) - 1].dst_line
    positions = [(t.dst_line, t.dst_col + d) for t in tokens for d in (0, 1)]
    positions += [(t.dst_line, max(t.dst_col - 1, 0)) for t in tokens]
    positions += [(last_line + 1, 0), (last_line, 10**6), (0, 0)]
    rng.shuffle(positions)
    return positions


def test_lookup_tokens_matches_single_lookups_on_real_maps(real_map: str) -> None:
    view = View.from_json(fixture_bytes(real_map))
    positions = sample_positions(view, 2000, seed=len(real_map))
    expected = [view.lookup_token(line, col) for line, col in positions]
    assert view.lookup_tokens(positions) == expected
    assert any(t is None for t in expected) and any(t is not None for t in expected)


def test_lookup_raw_matches_lookup_tokens(real_map: str) -> None:
    view = View.from_json(fixture_bytes(real_map))
    positions = sample_positions(view, 500, seed=7)
    raw = view.lookup_raw(array("I", [v for pair in positions for v in pair]))
    assert len(raw) == 7 * len(positions)
    for i, ((line, col), token) in enumerate(zip(positions, view.lookup_tokens(positions))):
        record = raw[7 * i : 7 * i + 7]
        if token is None:
            # A miss keeps its position and has no source.
            assert record[:2] == array("I", [line, col]) and record[4] == NONE
            continue
        dst_line, dst_col, src_line, src_col, src_id, name_id, index = record
        assert (dst_line, dst_col, src_line, src_col, src_id) == (
            token.dst_line,
            token.dst_col,
            token.src_line,
            token.src_col,
            token.src_id,
        )
        assert view[index] == token
        assert (None if name_id == NONE else view.get_name(name_id)) == token.name


def test_lookup_tokens_takes_any_iterable_and_keeps_order() -> None:
    view = View.from_json(tiny_map())
    results = view.lookup_tokens(iter([(1, 0), (0, 5), (0, 0), (2, 0)]))
    assert [t and (t.dst_line, t.dst_col) for t in results] == [(1, 0), (0, 1), (0, 0), None]
    assert view.lookup_tokens([]) == []
    assert len(view.lookup_raw(b"")) == 0


@pytest.mark.parametrize("bad", [(-1, 0), (0, -1), (2**32, 0), (0, 2**64)])
def test_out_of_range_pairs_are_none_and_do_not_disturb_the_rest(bad: tuple[int, int]) -> None:
    view = View.from_json(tiny_map())
    results = view.lookup_tokens([(0, 0), bad, (1, 0)])
    assert results[1] is None
    assert results[0] == view.lookup_token(0, 0) and results[2] == view.lookup_token(1, 0)


def test_malformed_positions_raise_clear_errors() -> None:
    view = View.from_json(tiny_map())
    with pytest.raises(ValueError):
        view.lookup_tokens([(0, 0, 0)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        view.lookup_tokens([(0.5, 0)])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        view.lookup_tokens(5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pairs"):
        view.lookup_raw(b"123")
    with pytest.raises(TypeError):
        view.lookup_raw("0000")  # type: ignore[arg-type]
    # A misaligned buffer is refused by the native side, not read.
    with pytest.raises(ValueError):
        view.lookup_raw(memoryview(bytes(9))[1:])


def test_batch_on_closed_view_raises() -> None:
    view = View.from_json(tiny_map())
    view.close()
    with pytest.raises(ClosedError):
        view.lookup_tokens([(0, 0)])
    with pytest.raises(ClosedError):
        view.lookup_raw(array("I", [0, 0]))


def test_close_while_other_threads_batch() -> None:
    view = View.from_json(tiny_map(mappings="AAAA;" * 2000))
    positions = [(line, 0) for line in range(0, 2000, 7)]
    close_during_calls(view, lambda: view.lookup_tokens(positions))
