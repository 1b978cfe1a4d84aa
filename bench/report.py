"""Result files for the benchmark scripts whose output is a printed table: what they print
also goes to `bench/<name>`, with the command that made it, so every figure in the README
has a committed file behind it."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

BENCH = Path(__file__).parent


class _Tee(io.TextIOBase):
    def __init__(self, *streams: io.TextIOBase | object) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)  # type: ignore[attr-defined]
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()  # type: ignore[attr-defined]


@contextmanager
def result_file(name: str, title: str) -> Iterator[None]:
    """Prints as usual and, when the block ends without error, writes what was printed to
    `bench/<name>` under `title` and the command line that ran."""
    captured = io.StringIO()
    with redirect_stdout(_Tee(sys.stdout, captured)):
        yield
    command = " ".join(["python", f"bench/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    text = f"# {title}\n\n`{command}`\n\n```\n{captured.getvalue()}```\n"
    (BENCH / name).write_text(text)
