"""One drop-in measurement, in its own process (see bench/dropins.py):

    python bench/dropins_child.py IMPL CASE_JSON REPEATS

IMPL: symbolic, symbolic-cache, glitchtip, ecma426 (the real packages, run with their
venv's interpreter) or ours-symbolic, ours-symbolic-cache, ours-glitchtip, ours-ecma426
(libsourcemap.compat).
Prints one JSON object: cold_ms, warm_ms, peak_mb, kept_mb and the answers.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
from pathlib import Path
from typing import Any, Callable

from harness import current_mb, peak_mb, reset_peak, timed_ms


def jobs(impl: str, case: dict[str, Any]) -> Callable[[], tuple[object, list[Any]]]:
    """A job reading the files and answering every frame: (what it keeps, answers)."""
    frames = case["frames"]
    if impl.removeprefix("ours-") in ("symbolic", "symbolic-cache", "glitchtip"):
        if impl.startswith("ours"):
            from libsourcemap.compat import symbolic as api
        else:
            import symbolic as api  # type: ignore[no-redef]

        if impl.endswith("cache"):

            def cache_job() -> tuple[object, list[Any]]:
                js = Path(case["minified"]).read_bytes()
                data = Path(case["map"]).read_bytes()
                cache = api.SourceMapCache.from_bytes(js, data)
                answers = []
                for line, col, _ in frames:
                    t = cache.lookup(line, col, 5)
                    answers.append(t and [t.line, t.col, t.src, t.function_name, t.context_line,
                                          t.pre_context, t.post_context])  # fmt: skip
                return cache, answers

            return cache_job

        if impl.endswith("glitchtip"):

            def glitchtip_job() -> tuple[object, list[Any]]:
                # GlitchTip's calling pattern, as its event processor uses symbolic: the
                # files are read once per event, and for every frame the map is parsed,
                # the minified file wrapped, the frame looked up with its minified name,
                # its source found among the map's, and 5 lines of context taken from
                # that source's whole text.
                data = Path(case["map"]).read_bytes()
                js = Path(case["minified"]).read_bytes()
                answers = []
                for line, col, name in frames:
                    view = api.SourceMapView.from_json_bytes(data)
                    source = api.SourceView.from_bytes(js)
                    t = view.lookup(line - 1, col - 1, name, source)
                    if t is None:
                        answers.append(None)
                        continue
                    context = None
                    for src_id, src in view.iter_sources():
                        if src == t.src:
                            original = view.get_sourceview(src_id)
                            if original is not None:
                                lines = original.get_source().splitlines()
                                context = lines[max(t.src_line - 5, 0) : t.src_line + 6]
                            break
                    answers.append([t.src, t.src_line, t.src_col, t.name, t.function_name, context])
                return None, answers

            return glitchtip_job

        def view_job() -> tuple[object, list[Any]]:
            data = Path(case["map"]).read_bytes()
            js = Path(case["minified"]).read_bytes()
            view = api.SourceMapView.from_json_bytes(data)
            source = api.SourceView.from_bytes(js)
            answers = []
            for line, col, name in frames:
                t = view.lookup(line - 1, col - 1, name, source)
                answers.append(t and [t.src, t.src_line, t.src_col, t.name, t.function_name])
            return (view, source), answers

        return view_job

    if impl.startswith("ours"):
        from libsourcemap.compat import ecma426
    else:
        import ecma426  # type: ignore[no-redef]

    def ecma_job() -> tuple[object, list[Any]]:
        index = ecma426.loads(Path(case["map"]).read_bytes())
        answers = []
        for line, col, _ in frames:
            try:
                m = index.lookup_left(line - 1, col - 1)
                answers.append([m.source, m.original_line, m.original_column, m.name])
            except (IndexError, KeyError) as exc:
                answers.append(type(exc).__name__)
        return index, answers

    return ecma_job


def main() -> None:
    impl, case_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    case = json.loads(Path(case_path).read_text())
    job = jobs(impl, case)
    gc.collect()
    before = current_mb()
    reset_peak()
    (kept, answers), cold_ms = timed_ms(job)
    peak = peak_mb() - before
    gc.collect()
    kept_mb = current_mb() - before  # the input bytes are gone; what the objects hold stays
    del kept
    gc.collect()
    warm = []
    for _ in range(repeats):
        # Each result is freed after the clock stops, as the cold run's is: freeing is not
        # the job's cost.
        result, ms = timed_ms(job)
        warm.append(ms)
        del result
    print(json.dumps({
        "cold_ms": cold_ms,
        "warm_ms": statistics.median(warm),
        "peak_mb": peak,
        "kept_mb": kept_mb,
        "answers": answers,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
