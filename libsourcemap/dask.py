"""Moved to :mod:`libsourcemap.events.dask`.

This import path keeps working: it is that module."""

import sys

from .events.dask import *  # noqa: F403  (the public names, for type checkers)

sys.modules[__name__] = sys.modules["libsourcemap.events.dask"]
