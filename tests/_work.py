"""Bounded-work checks without timings: count the Python lines a call runs.

`lines_run(fn, under)` runs ``fn()`` with a line tracer on the code whose file lies under
``under`` (e.g. ``"takeaways/attribution"``) and returns ``(result, lines)``. A test runs a
case at size N and 2N: linear work about doubles the count, quadratic work quadruples it.
spaCy's C code and the standard library are not counted, so the count is deterministic.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


def lines_run(fn: Callable[[], T], under: str | tuple[str, ...]) -> tuple[T, int]:
    parts = (under,) if isinstance(under, str) else under
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        name = frame.f_code.co_filename.replace("\\", "/")
        return local if any(p in name for p in parts) else None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = fn()
    finally:
        sys.settrace(old)
    return result, count


def growth(fn: Callable[[int], object], n: int, under: str | tuple[str, ...]) -> float:
    """How many times more lines ``fn(2 * n)`` runs than ``fn(n)`` (about 2 when linear)."""
    _, small = lines_run(lambda: fn(n), under)
    _, large = lines_run(lambda: fn(2 * n), under)
    return large / max(small, 1)
