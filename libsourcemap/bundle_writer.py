"""Moved to :mod:`libsourcemap.bundle.writer`.

This import path keeps working: it is that module."""

import sys

from .bundle.writer import *  # noqa: F403  (the public names, for type checkers)

sys.modules[__name__] = sys.modules["libsourcemap.bundle.writer"]
