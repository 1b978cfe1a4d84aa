"""One symbolication measurement, in its own process. Run by bench/symbolicate.py with the
interpreter of the environment that has the implementation installed.

    python bench/symbolicate_child.py IMPL CASE_JSON

IMPL is one of:

ours          libsourcemap's Symbolicator over the root directory: reads the trace text,
              finds each minified file and its map (sourceMappingURL), parses them, names
              functions, reads 5 context lines per frame
ours-cache    the same with ``cache_dir``: the case's cache directory was written by an
              earlier run, so this opens memdb files and parses nothing
symbolic      symbolic's SourceMapCache (what Sentry runs): reads each minified file and its
              map, ``SourceMapCache.from_bytes``, then ``lookup`` per frame with 5 context
              lines
sourcemap-0.8.2  libsourcemap 0.8.2: ``View.from_json``, ``lookup_token`` and
              ``get_original_function_name(line, col, minified_name, minified_source)`` per
              frame, 5 context lines split from ``get_source_contents``

Prints one JSON object: import_ms, cold_ms (the first symbolication in this process, from
reading the files), warm_ms (median of repeats in the same process, each starting over
from the files), rss_mb (peak RSS of the process after the cold run), and names: the
function name each frame resolved to (``null`` if none), for scoring by the parent.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

from harness import median_ms, peak_mb, timed_ms

CONTEXT = 5
REPEATS = 5


def run_ours(case: dict[str, Any], cache: bool) -> Callable[[], list[str | None]]:
    from libsourcemap import Symbolicator

    def job() -> list[str | None]:
        text = Path(case["trace"]).read_text()
        cache_dir = case["cache_dir"] if cache else None
        with Symbolicator(root=case["root"], context_lines=CONTEXT, cache_dir=cache_dir) as sym:
            frames = sym.symbolicate(text)
        return [f.function for f in frames]

    return job


def per_frame(
    case: dict[str, Any], load: Callable[[bytes, bytes], Any], name: Callable[..., str | None]
) -> Callable[[], list[str | None]]:
    """A job that loads each bundle once (`load(minified, sourcemap)`) and names each
    frame in it (`name(loaded, frame)`); frames outside the bundles get no name."""

    def job() -> list[str | None]:
        loaded: dict[str, Any] = {}
        names: list[str | None] = []
        for frame in case["frames"]:
            files = case["files"].get(frame["file"] or "")
            if files is None or frame["line"] is None or frame["column"] is None:
                names.append(None)
                continue
            if files[0] not in loaded:
                minified, sourcemap = (Path(p).read_bytes() for p in files)
                loaded[files[0]] = load(minified, sourcemap)
            names.append(name(loaded[files[0]], frame))
        return names

    return job


def run_symbolic(case: dict[str, Any]) -> Callable[[], list[str | None]]:
    from symbolic.sourcemapcache import SourceMapCache

    def name(smcache: Any, frame: dict[str, Any]) -> str | None:
        token = smcache.lookup(frame["line"], frame["column"], CONTEXT)
        return token.function_name if token is not None else None

    return per_frame(case, SourceMapCache.from_bytes, name)


def run_082(case: dict[str, Any]) -> Callable[[], list[str | None]]:
    import libsourcemap  # 0.8.2, in the anchors environment

    def load(minified: bytes, sourcemap: bytes) -> Any:
        return libsourcemap.View.from_json(sourcemap), minified, {}

    def name(loaded: Any, frame: dict[str, Any]) -> str | None:
        view, minified, lines = loaded
        line, col = frame["line"] - 1, frame["column"] - 1
        token = view.lookup_token(line, col)
        if token is None:
            return None
        minified_name = frame["function"] or ""  # 0.8.2 requires a str
        found = view.get_original_function_name(line, col, minified_name, minified)
        if token.src_id not in lines:
            contents = view.get_source_contents(token.src_id) or b""
            lines[token.src_id] = contents.decode("utf-8", "replace").splitlines()
        start = max(token.src_line - CONTEXT, 0)
        _context = lines[token.src_id][start : token.src_line + CONTEXT + 1]
        return found  # type: ignore[no-any-return]

    return per_frame(case, load, name)


def main() -> None:
    impl, case_path = sys.argv[1], sys.argv[2]
    case = json.loads(Path(case_path).read_text())
    started = time.perf_counter()
    if impl in ("ours", "ours-cache"):
        job = run_ours(case, cache=impl == "ours-cache")
    elif impl == "symbolic":
        job = run_symbolic(case)
    elif impl == "sourcemap-0.8.2":
        job = run_082(case)
    else:
        raise SystemExit(f"unknown implementation {impl}")
    import_ms = (time.perf_counter() - started) * 1e3
    names, cold_ms = timed_ms(job)
    cold_rss_mb = peak_mb()
    result = {
        "import_ms": import_ms,
        "cold_ms": cold_ms,
        "warm_ms": median_ms(job, REPEATS),
        "rss_mb": cold_rss_mb,
        "names": names,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
