"""Moved to :mod:`libsourcemap.symbolication.stacktrace`.

This import path keeps working: it is that module."""

import sys

from .symbolication.stacktrace import *  # noqa: F403  (the public names, for type checkers)

sys.modules[__name__] = sys.modules["libsourcemap.symbolication.stacktrace"]
