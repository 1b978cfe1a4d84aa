"""What the benchmark scripts share, in one module, so that every script times, runs its
children, takes medians and writes its result file the same way:

- paths and inputs: ``BENCH``, ``ROOT``, ``DATA``, ``VENVS``; ``ensure_inputs(maps)`` and
  ``ensure_traces()`` generate bench/data on first use (bench/inputs/*.mjs);
- environments: ``ensure_venv(name, requirements)`` makes bench/venvs/NAME once;
  ``ensure_anchors()`` is the one with the alternatives (``ANCHOR_PACKAGES``) and
  ``fresh_venv(name)`` one of the fresh ones (``FRESH``); ``compile_ours()`` byte-compiles
  this checkout as an install would; ``CHILD_ENV`` is the environment children run in;
- running children: ``run_child(command)`` runs one process and gives back its exit code,
  output and the JSON object it printed last; ``child_json(command)`` is that object, and
  stops the benchmark, with the child's stderr, if the child failed;
- sampling: ``alternate(rounds, cases)`` runs each case once a round; ``medians(samples)``
  takes each figure's median over them;
- timing inside a process: ``timed_ms``, ``median_ms``, ``cold_and_warm``;
- memory inside a process: ``peak_mb``, ``reset_peak``, ``current_mb``;
- results: ``result_file(name, title)`` tees what a script prints into bench/NAME;
  ``write_result(name, lines)`` writes a table a script built; ``fmt`` formats a figure.

One module rather than the former bench/report.py and the memory probes of bench/child.py
(which is now only bench/run.py's child): a script finds everything it shares in one place.
What a benchmark alone needs (its cases, its child's measurements, its table) stays in it.

Children import this module too (bench/child.py, bench/symbolicate_child.py,
bench/dropins_child.py, and the scripts that re-run themselves with ``--child``), under
every interpreter the benchmarks use: the alternatives' virtualenvs included. So it
imports nothing but the standard library, and at module level only what those children
load anyway: symbolicate_child.py reports its process's whole peak RSS, which importing
subprocess and tempfile here would raise by ~2 MB. Functions that run processes import
them when called.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, NamedTuple, TypeVar

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
VENVS = BENCH / "venvs"

# -- inputs -------------------------------------------------------------------------------

# The traces bench/inputs/make_traces.mjs writes: (bundle, scenario).
TRACES = [
    ("large", "typescript"),
    ("huge", "typescript"),
    ("huge", "babel"),
    ("large-swc", "typescript"),
]


def ensure_inputs(maps: Sequence[str]) -> None:
    """The benchmark bundles and maps (bench/inputs/make_inputs.mjs), made if missing."""
    if all((DATA / f"{m}.min.js.map").exists() for m in maps):
        return
    import subprocess

    inputs = BENCH / "inputs"
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=inputs, check=True)
    subprocess.run(["node", "make_inputs.mjs", str(DATA)], cwd=inputs, check=True)


def ensure_traces() -> None:
    """Real V8 traces through the bundles (bench/inputs/make_traces.mjs), made if missing."""
    if all((DATA / f"{b}.{s}.trace.txt").exists() for b, s in TRACES):
        return
    import subprocess

    subprocess.run(["node", "make_traces.mjs", str(DATA)], cwd=BENCH / "inputs", check=True)


# -- environments -------------------------------------------------------------------------

# The alternatives in one virtualenv, bench/venvs/anchors. libsourcemap 0.8.2 shares our
# import name: it can only run in an environment without this checkout.
ANCHOR_PACKAGES = ["libsourcemap==0.8.2", "symbolic==13.9.0", "sourcemap==0.2.1"]

# Fresh virtualenvs, bench/venvs/fresh-NAME, one implementation each: starting their
# interpreter imports nothing beyond what any Python imports (a development environment's
# editable installs run `.pth` hooks that import `re` and more at start-up, which would
# hide what an import costs). "ours" has this checkout on its path by a plain `.pth` line.
FRESH = {
    "ours": ["cffi>=1.15"],
    "0.8.2": [p for p in ANCHOR_PACKAGES if p.startswith("libsourcemap")],
    "symbolic": [p for p in ANCHOR_PACKAGES if p.startswith("symbolic")],
    "sourcemap": [p for p in ANCHOR_PACKAGES if p.startswith("sourcemap")],
}

# Children may write and use bytecode caches, as installed packages have them: compiling
# modules from source (PYTHONDONTWRITEBYTECODE) costs time and raises the peak RSS that the
# memory figures are measured against.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def ensure_venv(name: str, requirements: Sequence[str], *, with_checkout: bool = False) -> Path:
    """The interpreter of bench/venvs/NAME (not committed), made once with `requirements`
    from PyPI, and with this checkout on its path if `with_checkout`."""
    import subprocess

    venv = VENVS / name
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *requirements], check=True)
        if with_checkout:
            site = subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            (Path(site) / "libsourcemap-checkout.pth").write_text(f"{ROOT}\n")
    return python


def ensure_anchors() -> Path:
    return ensure_venv("anchors", ANCHOR_PACKAGES)


def fresh_venv(name: str) -> Path:
    """The interpreter of bench/venvs/fresh-NAME, NAME one of ``FRESH``."""
    return ensure_venv(f"fresh-{name}", FRESH[name], with_checkout=name == "ours")


def compile_ours() -> None:
    """Byte-compiles this checkout's package, as an install does (pip did the others')."""
    import subprocess

    import libsourcemap

    package = Path(libsourcemap.__file__ or "").parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=CHILD_ENV)


# -- running children ---------------------------------------------------------------------


class Child(NamedTuple):
    """A finished child process: its command, exit code and output."""

    command: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> dict[str, Any]:
        """The JSON object the child printed last: {} if it printed none. Children print
        one after each phase, so a child that crashed leaves what it measured before."""
        lines = self.stdout.strip().splitlines()
        try:
            return json.loads(lines[-1]) if lines else {}
        except json.JSONDecodeError:
            if self.returncode == 0:
                raise
            return {}

    def check(self) -> Child:
        """Stops the benchmark if the child failed, with the end of what it said."""
        if self.returncode != 0:
            command = " ".join(self.command)
            raise SystemExit(f"{command}: exit {self.returncode}\n{self.stderr[-2000:]}")
        return self


def run_child(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = CHILD_ENV,
    cwd: str | Path | None = None,
) -> Child:
    """Runs `command` to its end, its output captured; a failure is the caller's to judge.
    `env=None` passes this process's environment on unchanged."""
    import subprocess

    args = [str(part) for part in command]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    return Child(args, done.returncode, done.stdout, done.stderr)


def child_json(
    command: Sequence[str | Path],
    *,
    env: Mapping[str, str] | None = CHILD_ENV,
    cwd: str | Path | None = None,
) -> dict[str, Any]:
    """The JSON object a child that must succeed prints last."""
    return run_child(command, env=env, cwd=cwd).check().result


# -- sampling -----------------------------------------------------------------------------

Key = TypeVar("Key")
Sample = TypeVar("Sample")


def alternate(rounds: int, cases: Mapping[Key, Callable[[], Sample]]) -> dict[Key, list[Sample]]:
    """Each case's samples: every case runs once a round, in order, so that drift in this
    shared machine's speed hits every case alike."""
    samples: dict[Key, list[Sample]] = {key: [] for key in cases}
    for _ in range(rounds):
        for key, measure in cases.items():
            samples[key].append(measure())
    return samples


def medians(
    samples: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None
) -> dict[str, Any]:
    """The samples in one: each figure the median of its values, nested objects likewise.
    `keys` defaults to the first sample's (give them when samples hold other things, such
    as answers). A figure no sample has (a crashed run, a phase an implementation lacks)
    is None."""
    result: dict[str, Any] = {}
    for key in keys if keys is not None else list(samples[0]):
        values = [s[key] for s in samples if s.get(key) is not None]
        if values and isinstance(values[0], Mapping):
            result[key] = medians(values)
        else:
            result[key] = statistics.median(values) if values else None
    return result


# -- timing inside a process --------------------------------------------------------------


def timed_ms(work: Callable[[], Sample]) -> tuple[Sample, float]:
    """What `work` returns, and the milliseconds it took."""
    start = time.perf_counter()
    result = work()
    return result, (time.perf_counter() - start) * 1000


def median_ms(work: Callable[[], object], runs: int) -> float:
    """The median milliseconds of `runs` runs of `work`. What it returns is dropped before
    the clock stops, as a caller that does not keep it pays for that too."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def cold_and_warm(rounds: int, work: Callable[[], object]) -> dict[str, float]:
    """Milliseconds of `work`: its first run in this process ("cold") and the median of
    `rounds` runs after it ("warm")."""
    start = time.perf_counter()
    work()
    cold = (time.perf_counter() - start) * 1000
    return {"cold": cold, "warm": median_ms(work, rounds)}


# -- memory inside a process --------------------------------------------------------------


def peak_mb() -> float:
    """This process's peak RSS in MB. From VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across exec, which would hide a child smaller than the parent."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_peak() -> None:
    """Starts the peak over from the current RSS (Linux 4.0+: clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


# -- results ------------------------------------------------------------------------------
# Every figure in the README has a committed file behind it: bench/<name>, written by the
# script that measured it.


class _Tee(io.TextIOBase):
    def __init__(self, *streams: Any) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def result_file(name: str, title: str) -> Iterator[None]:
    """For scripts whose output is a printed table: prints as usual and, when the block
    ends without error, writes what was printed to `bench/<name>` under `title` and the
    command line that ran."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
        yield
    command = " ".join(["python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    text = f"# {title}\n\n`{command}`\n\n```\n{captured.getvalue()}```\n"
    (BENCH / name).write_text(text)


def write_result(name: str, lines: Sequence[str]) -> str:
    """For scripts that build a Markdown table: writes `lines` to `bench/<name>`, and
    returns the text."""
    text = "\n".join(lines) + "\n"
    (BENCH / name).write_text(text)
    return text


def fmt(value: float | None) -> str:
    """A figure with the digits that matter at its size; "–" for none."""
    if value is None:
        return "–"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
