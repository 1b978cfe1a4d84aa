"""Import time against the alternatives, in one run:

    python bench/import_time.py [--rounds 15]

Each import runs in a fresh interpreter (``python -c``), timed from inside around the
import statement alone (interpreter start-up excluded), with byte-compiled modules as an
installed package has them; rounds alternate the implementations; medians. Written to
bench/import_results.md.

Every implementation is timed the same way: from a fresh virtualenv of its own
(bench/venvs/fresh-*), where starting the interpreter has imported nothing beyond what
any Python imports (a development environment's editable installs run `.pth` hooks that
import `re` and more at start-up, which would hide what an import really costs). Ours is
this checkout, put on that venv's path by a plain `.pth` line (which runs no code); each
row also says whether `re` was loaded before the import.
"""

from __future__ import annotations

import argparse
import statistics
from functools import partial
from pathlib import Path

from harness import BENCH, FRESH, alternate, compile_ours, fresh_venv, run_child, write_result

# (label, fresh environment, statement)
CASES = [
    ("libsourcemap (ours): `import libsourcemap`", "ours", "import libsourcemap"),
    (
        "libsourcemap (ours): `from libsourcemap import Symbolicator`",
        "ours",
        "from libsourcemap import Symbolicator",
    ),
    ("libsourcemap 0.8.2: `import libsourcemap`", "0.8.2", "import libsourcemap"),
    ("symbolic: `import symbolic`", "symbolic", "import symbolic"),
    (
        "symbolic: `from symbolic.sourcemapcache import SourceMapCache`",
        "symbolic",
        "from symbolic.sourcemapcache import SourceMapCache",
    ),
    ("sourcemap 0.2.1: `import sourcemap`", "sourcemap", "import sourcemap"),
]


def time_import(python: Path, statement: str) -> float:
    code = (
        "import sys, time\n"
        "preloaded = 're' in sys.modules\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "print((time.perf_counter() - t) * 1e3, preloaded)\n"
    )
    # Run from the bench directory, so that the anchors' `libsourcemap` is not shadowed by
    # this checkout's package directory.
    ms, preloaded = run_child([python, "-c", code], cwd=BENCH).check().stdout.split()
    if preloaded != "False":
        raise SystemExit(f"{python}: `re` is loaded at start-up; not a fresh environment")
    return float(ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    pythons = {name: fresh_venv(name) for name in FRESH}
    compile_ours()  # as an install does (pip did the alternatives')
    cases = {
        label: partial(time_import, pythons[env], statement) for label, env, statement in CASES
    }
    samples = alternate(args.rounds, cases)
    lines = [
        "# Import time",
        "",
        f"`python bench/import_time.py --rounds {args.rounds}` (medians, ms; a fresh "
        "interpreter per import, start-up excluded; each implementation in a fresh "
        "virtualenv of its own, where start-up has not loaded `re`)",
        "",
        "| import | ms |",
        "|---|---|",
    ]
    for label, _, _ in CASES:
        lines.append(f"| {label} | {statistics.median(samples[label]):.1f} |")
    print(write_result("import_results.md", lines))


if __name__ == "__main__":
    main()
