"""Fault injection: `libsourcemap symbolicate-events` with workers and a cache directory,
and `Symbolicator(cache_dir=...)` shared by processes, and `bundle create`, under SIGKILL
at random moments, damaged cache files and full disks. Every later run must answer
exactly as a clean run, with no partial output and no traceback.

    python tests/faults.py [--corruptions 1000] [--kills 20] [--seed 0]

writes tests/faults_results.md; tests/test_faults.py runs it in every test run (smaller
counts, the same checks). The events are the stack-trace corpus' (tests/fixtures/stacks:
esbuild and terser bundles, in Sentry's event shape; see tests/test_events.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from test_events import corpus_events

from libsourcemap.events import EventConfig, symbolicate_lines

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
RESULTS = TESTS / "faults_results.md"

#: How a cache file is damaged: what a crash, a bad sector or bit rot leaves behind.
DAMAGES = ["bit flip", "64 garbage bytes", "truncated", "zeroed", "garbage header"]


def damage(data: bytes, kind: str, rng: random.Random) -> bytes:
    out = bytearray(data)
    if kind == "bit flip":
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    elif kind == "64 garbage bytes":
        at = rng.randrange(len(out) - 64)
        out[at : at + 64] = rng.randbytes(64)
    elif kind == "truncated":
        del out[rng.randrange(len(out)) :]
    elif kind == "zeroed":
        at = rng.randrange(len(out))
        n = min(rng.randrange(1, 65536), len(out) - at)
        out[at : at + n] = bytes(n)
    else:  # the header (after the magic, or all of it) overwritten
        start = rng.choice([0, 8])
        out[start:320] = rng.randbytes(len(out[start:320]))
    return bytes(out)


class Run:
    """The corpus events, the clean answer, and ways to run symbolicate-events."""

    def __init__(self, work: Path) -> None:
        self.work = work
        lines = [json.dumps(e) for b in ("esbuild", "terser") for e in corpus_events(b)]
        self.events = work / "events.jsonl"
        self.events.write_text("\n".join(lines) + "\n")
        self.lines = lines
        clean = self.cli(work / "clean.jsonl")
        assert clean.returncode == 0, clean.stderr
        self.expected = (work / "clean.jsonl").read_text()
        assert self.expected.count("\n") == len(lines)

    def command(self, out: Path, cache: Path | None = None, jobs: int = 2) -> list[str]:
        command = [sys.executable, "-m", "libsourcemap", "symbolicate-events", str(self.events)]
        command += ["--root", str(FIXTURES), "--jobs", str(jobs), "-o", str(out)]
        command += ["--no-progress"] + (["--cache-dir", str(cache)] if cache else [])
        return command

    def cli(
        self,
        out: Path,
        cache: Path | None = None,
        preexec: Callable[[], None] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(out, cache),
            capture_output=True,
            text=True,
            timeout=300,
            preexec_fn=preexec,
        )

    def in_process(self, cache: Path) -> str:
        config = EventConfig.of(root=FIXTURES, cache_dir=cache)
        return "".join(line + "\n" for line in symbolicate_lines(self.lines, config, 1))


def clean_stderr(stderr: str) -> bool:
    return "Traceback" not in stderr and "internal error" not in stderr


def kills(run: Run, count: int, rng: random.Random) -> dict[str, int]:
    """SIGKILL to the whole process group (the CLI and its workers) at a random moment,
    with caches being written; then a whole run over the same cache directory."""
    cache, out = run.work / "kill-cache", run.work / "kill-out.jsonl"
    start = time.perf_counter()
    assert run.cli(run.work / "timing.jsonl").returncode == 0
    span = time.perf_counter() - start
    seen: Counter[str] = Counter()
    for _ in range(count):
        if rng.random() < 0.3:
            shutil.rmtree(cache, ignore_errors=True)  # kill while the caches are first written
        with subprocess.Popen(
            run.command(out, cache),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        ) as child:
            time.sleep(rng.uniform(0, span))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        # The output is the previous whole run's, or none: never a part.
        if out.exists():
            assert out.read_text() == run.expected, "a killed run left a partial output"
            seen["output whole"] += 1
        else:
            seen["no output"] += 1
        after = run.cli(out, cache)
        assert after.returncode == 0 and clean_stderr(after.stderr), after.stderr
        assert out.read_text() == run.expected, "a run after a kill answered differently"
        seen["killed"] += 1
        out.unlink()
    # What SIGKILL cannot clean up at once: the temporary files of writes it cut short
    # (the cache sweeps its own when they are an hour old).
    seen["temporary files left"] = sum(1 for p in cache.rglob(".*") if p.is_file())
    seen["temporary files left"] += sum(1 for p in run.work.glob(".symbolicated-*"))
    return dict(seen)


def corruptions(run: Run, count: int, rng: random.Random) -> dict[str, dict[str, int]]:
    """Random damage to one cache file of a warm cache directory, then the events again:
    in process (most rounds) and through the CLI with workers (every 25th)."""
    pristine = run.work / "pristine-cache"
    assert run.cli(run.work / "warm.jsonl", pristine).returncode == 0
    files = sorted(pristine.glob("*.memdb"))
    assert files, "no cache written"
    table: dict[str, Counter[str]] = {kind: Counter() for kind in DAMAGES}
    scratch = run.work / "scratch-cache"
    for number in range(count):
        kind = DAMAGES[number % len(DAMAGES)] if number < 50 else None
        kind = kind or rng.choice(["bit flip", "64 garbage bytes"] * 3 + DAMAGES)
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.copytree(pristine, scratch)
        target = scratch / rng.choice(files).name
        target.write_bytes(damage(target.read_bytes(), kind, rng))
        if number % 25 == 0:
            out = run.work / "damaged.jsonl"
            done = run.cli(out, scratch)
            assert done.returncode == 0 and clean_stderr(done.stderr), done.stderr
            got = out.read_text()
        else:
            got = run.in_process(scratch)
        table[kind]["runs"] += 1
        table[kind]["wrong answers"] += got != run.expected
        # Rebuilt: written anew, the same bytes as before the damage. Else the damage is
        # still there, in bytes no answer read (and every answer was right).
        rebuilt = target.read_bytes() == (pristine / target.name).read_bytes()
        table[kind]["rebuilt" if rebuilt else "damage not read"] += 1
    return {kind: dict(c) for kind, c in table.items()}


@contextlib.contextmanager
def small_disk(path: Path, size: int) -> Iterator[tuple[str, Callable[[], None] | None]]:
    """``path`` on a full-ish file system: a tmpfs of ``size`` bytes where this process may
    mount one (root), else a file size limit (RLIMIT_FSIZE) for the child instead."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
        ).returncode
        == 0
    )
    if mounted:
        try:
            yield f"tmpfs of {size // 1024} KiB", None
        finally:
            subprocess.run(["umount", "-l", str(path)], check=True)
        return

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, do not kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    yield f"RLIMIT_FSIZE of {size // 1024} KiB", limit


def full_disks(run: Run) -> dict[str, str]:
    seen = {}
    # The cache directory on a disk too small for any cache: the answers are the same.
    with small_disk(run.work / "small-cache", 64 * 1024) as (how, preexec):
        out = run.work / "full-cache-out.jsonl"
        for _ in range(2):
            done = run.cli(out, run.work / "small-cache", preexec)
            assert done.returncode == 0 and clean_stderr(done.stderr), done.stderr
            assert out.read_text() == run.expected, "a full cache disk changed an answer"
        seen["cache dir on a full disk"] = f"{how}: exit 0, same answers, twice"
    # The output on a disk too small for it: an I/O error naming it, no partial file.
    with small_disk(run.work / "small-out", 16 * 1024) as (how, preexec):
        out = run.work / "small-out" / "out.jsonl"
        done = run.cli(out, None, preexec)
        assert done.returncode == 74 and clean_stderr(done.stderr), done.stderr
        assert "I/O error" in done.stderr and str(out) in done.stderr, done.stderr
        assert list((run.work / "small-out").iterdir()) == [], "a partial output was left"
        seen["output on a full disk"] = f"{how}: exit 74, 'I/O error' with the path, no file"
    return seen


SHARED_CHILD = """
import os, sys
from libsourcemap.events import EventConfig, symbolicate_lines
lines = open(sys.argv[1]).read().splitlines()
expected = open(sys.argv[4]).read()
config = EventConfig.of(root=sys.argv[2], cache_dir=sys.argv[3])
while not os.path.exists(sys.argv[5]):
    got = "".join(line + "\\n" for line in symbolicate_lines(lines, config, 1))
    sys.stdout.write("same\\n" if got == expected else "DIFFERENT\\n")
    sys.stdout.flush()
"""


def shared_cache(run: Run, victims: int, rng: random.Random) -> dict[str, int]:
    """Processes symbolicating with one cache directory, from empty: two run throughout
    and check every answer, while others are started and killed at random moments, half
    of the time after the caches were evicted (deleted), so kills land in cache writes."""
    cache, stop = run.work / "shared-cache", run.work / "shared-stop"
    args = [str(run.events), str(FIXTURES), str(cache), str(run.work / "clean.jsonl"), str(stop)]

    def start() -> subprocess.Popen[str]:
        command = [sys.executable, "-c", SHARED_CHILD, *args]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    steady = [start(), start()]
    for _ in range(victims):
        if rng.random() < 0.5:
            for memdb in cache.glob("*.memdb"):
                memdb.unlink(missing_ok=True)
        victim = start()
        time.sleep(rng.uniform(0.1, 0.8))
        victim.kill()
        victim.communicate()
    stop.touch()
    answers: Counter[str] = Counter()
    for p in steady:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and clean_stderr(err), err
        answers.update(out.split())
    assert set(answers) == {"same"}, answers
    assert run.in_process(cache) == run.expected
    return {"processes killed": victims, "runs of the survivors, all the same": answers["same"]}


def bundle_writes(run: Run, count: int, rng: random.Random) -> dict[str, str]:
    """`bundle create` killed at random moments, and on a full disk: a whole bundle or
    none."""
    out = run.work / "bundle" / "release.zip"
    out.parent.mkdir()
    command = [
        sys.executable,
        "-m",
        "libsourcemap",
        "bundle",
        "create",
        str(FIXTURES / "stacks"),
        "--no-progress",
        "-o",
        str(out),
    ]
    start = time.perf_counter()
    assert subprocess.run(command, capture_output=True).returncode == 0
    span = time.perf_counter() - start
    whole = zipfile.ZipFile(out).namelist()
    out.unlink()
    outcomes: Counter[str] = Counter()
    for _ in range(count):
        with subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        ) as child:
            time.sleep(rng.uniform(0, span))
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
        if out.exists():
            assert zipfile.ZipFile(out).namelist() == whole, "a partial bundle"
            outcomes["whole bundle"] += 1
            out.unlink()
        else:
            outcomes["no bundle"] += 1
    with small_disk(run.work / "small-bundle", 64 * 1024) as (how, preexec):
        target = run.work / "small-bundle" / "release.zip"
        command[-1] = str(target)
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=preexec)
        assert done.returncode == 74 and clean_stderr(done.stderr), done.stderr
        assert list(target.parent.iterdir()) == [], "a partial bundle was left"
    return {
        "killed": f"{count} ({outcomes['whole bundle']} whole, {outcomes['no bundle']} none)",
        "full disk": f"{how}: exit 74, no file",
    }


def run_all(corruption_count: int, kill_count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    # The in-process runs' warnings about damaged caches are expected here, not news.
    logging.getLogger("libsourcemap").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(Path(tmp))
        return {
            "corruptions": corruptions(run, corruption_count, rng),
            "kills": kills(run, kill_count, rng),
            "full disks": full_disks(run),
            "shared cache": shared_cache(run, 10, rng),
            "bundle writes": bundle_writes(run, max(3, kill_count // 2), rng),
        }


def report(results: dict[str, Any], args: str) -> str:
    lines = [
        "# Fault injection",
        "",
        f"`python tests/faults.py {args}` ({len(DAMAGES)} kinds of damage to one cache file of a",
        "warm cache directory, then the corpus events again; SIGKILL to the process group at",
        "random moments; full disks). Every run after a fault answered as a clean run.",
        "",
        "| damage | runs | wrong answers | cache rebuilt | damage in bytes no answer read |",
        "|---|---|---|---|---|",
    ]
    for kind, c in results["corruptions"].items():
        lines.append(
            f"| {kind} | {c.get('runs', 0)} | {c.get('wrong answers', 0)} "
            f"| {c.get('rebuilt', 0)} | {c.get('damage not read', 0)} |"
        )
    total = sum(c.get("runs", 0) for c in results["corruptions"].values())
    wrong = wrong_answers(results)
    lines += ["", f"**{total} damaged caches, {wrong} wrong answers.**", ""]
    for section in ("kills", "full disks", "shared cache", "bundle writes"):
        lines.append(f"- {section}: " + "; ".join(f"{k}: {v}" for k, v in results[section].items()))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corruptions", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = run_all(args.corruptions, args.kills, args.seed)
    text = report(
        results, f"--corruptions {args.corruptions} --kills {args.kills} --seed {args.seed}"
    )
    RESULTS.write_text(text)
    print(text)
    if wrong_answers(results):
        raise SystemExit(1)


def wrong_answers(results: dict[str, Any]) -> int:
    return sum(c.get("wrong answers", 0) for c in results["corruptions"].values())


if __name__ == "__main__":
    main()
