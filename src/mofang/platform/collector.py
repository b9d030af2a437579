"""Holding off Python's cyclic garbage collector while a batch builds many short-lived rows."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for one batch; it resumes when the last batch running in the process ends.

    A batch of the journey engine holds ~10^5 dicts, tuples and rows until its commit. They form no cycles
    (reference counting frees them), but while they live every young-generation pass walks them again and the
    full passes walk the whole heap: measured at 40 % of a segment entry's CPU. Nothing is kept beyond what the
    batch itself holds; cycles made meanwhile are collected once collection resumes.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
