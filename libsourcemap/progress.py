"""Moved to :mod:`libsourcemap.cli.progress`.

This import path keeps working: it is that module."""

import sys

from .cli.progress import *  # noqa: F403  (the public names, for type checkers)

sys.modules[__name__] = sys.modules["libsourcemap.cli.progress"]
