"""A one-line progress bar on stderr for commands that work through many items."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_WIDTH = 30
# Redraw at most this often: drawing is cheap, but a terminal flooded with redraws is not.
_INTERVAL = 0.1


class Progress:
    """``progress(done, total)`` callable that draws ``label [#####.....] done/total``.

    Draws nothing when disabled (by default: when ``stream`` is not a terminal), or when
    there are fewer than ``minimum`` items; :meth:`finish` clears the line."""

    def __init__(
        self,
        label: str,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        minimum: int = 2,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.label = label
        self.minimum = minimum
        self._drawn = False
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.minimum:
            return
        now = time.monotonic()
        if done < total and now - self._last < _INTERVAL:
            return
        self._last = now
        filled = _WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r\x1b[K" if self.stream.isatty() else "\n")
            self.stream.flush()
            self._drawn = False
