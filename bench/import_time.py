"""Import time against the alternatives, in one run:

    python bench/import_time.py [--rounds 15]

Each import runs in a fresh interpreter (``python -c``), timed from inside around the
import statement alone (interpreter start-up excluded), with byte-compiled modules as an
installed package has them; rounds alternate the implementations; medians. Written to
bench/import_results.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from run import CHILD_ENV, compile_ours, ensure_anchors

BENCH = Path(__file__).parent
# (label, environment: "ours" or "anchors", statement)
CASES = [
    ("libsourcemap (ours): `import libsourcemap`", "ours", "import libsourcemap"),
    (
        "libsourcemap (ours): `from libsourcemap import Symbolicator`",
        "ours",
        "from libsourcemap import Symbolicator",
    ),
    ("libsourcemap 0.8.2: `import libsourcemap`", "anchors", "import libsourcemap"),
    ("symbolic: `import symbolic`", "anchors", "import symbolic"),
    (
        "symbolic: `from symbolic.sourcemapcache import SourceMapCache`",
        "anchors",
        "from symbolic.sourcemapcache import SourceMapCache",
    ),
    ("sourcemap 0.2.1: `import sourcemap`", "anchors", "import sourcemap"),
]


def time_import(python: Path, statement: str) -> float:
    code = (
        "import time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "print((time.perf_counter() - t) * 1e3)\n"
    )
    # Run from the bench directory, so that the anchors' `libsourcemap` is not shadowed by
    # this checkout's package directory.
    done = subprocess.run(
        [str(python), "-c", code],
        capture_output=True,
        text=True,
        env=CHILD_ENV,
        cwd=BENCH,
        check=True,
    )
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    pythons = {"ours": Path(sys.executable), "anchors": ensure_anchors()}
    compile_ours()  # as an install does (pip did the alternatives')
    samples: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
    for _ in range(args.rounds):
        for label, env, statement in CASES:
            samples[label].append(time_import(pythons[env], statement))
    lines = [
        "# Import time",
        "",
        f"`python bench/import_time.py --rounds {args.rounds}` (medians, ms; a fresh "
        "interpreter per import, start-up excluded)",
        "",
        "| import | ms |",
        "|---|---|",
    ]
    for label, _, _ in CASES:
        lines.append(f"| {label} | {statistics.median(samples[label]):.1f} |")
    text = "\n".join(lines) + "\n"
    (BENCH / "import_results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
