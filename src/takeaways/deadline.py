"""A cooperative per-document deadline: ``with deadline(seconds): ...`` and `check()`.

The work under ``deadline`` calls `check()` at safe points (each `Pipeline` step, the
long loops of the quote graph, the entity graph and key points); once the deadline has
passed, `check()` raises `DeadlineError` (E201, reason ``TimeoutError``), which stops the
work cleanly. Outside any deadline `check()` costs one ContextVar read and never raises.

    from takeaways.pipeline.deadline import deadline   # (or takeaways.deadline)
    with deadline(10):                       # seconds
        points = pipeline.key_points(article)

The deadline is a `contextvars.ContextVar`, so it follows the code that set it (threads
and asyncio tasks each have their own). Deadlines nest: an inner one never extends an
outer one. It is cooperative: code that does not call `check()` (one spaCy call, a model
forward pass) runs to its end first; a worker process that can be killed is the hard
limit, this is the soft one that frees the CPU without losing the process.

This module sits at the bottom of the layers (stdlib and `takeaways.errors` only) so that
every layer can call `check()`; `takeaways.pipeline.deadline` is the same API where the
pipeline's users look for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from takeaways.errors import DeadlineError

__all__ = ["check", "deadline", "remaining"]

#: (monotonic time the work must end by, the limit in seconds as given)
_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("takeaways_deadline",
                                                               default=None)


def _now() -> float:
    return time.monotonic()


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the block under a deadline of ``seconds`` from now (None or <= 0: none added)."""
    if seconds is None or seconds <= 0:
        yield
        return
    end = _now() + float(seconds)
    outer = _DEADLINE.get()
    if outer is not None and outer[0] <= end:
        end, seconds = outer
    token = _DEADLINE.set((end, float(seconds)))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left before the deadline (negative once past it), None when there is none."""
    current = _DEADLINE.get()
    return None if current is None else current[0] - _now()


def check(doc_id: str | None = None) -> None:
    """Raise `DeadlineError` when the current deadline has passed; else do nothing."""
    current = _DEADLINE.get()
    if current is not None and _now() >= current[0]:
        raise DeadlineError(
            f"the work on this document ran past its {current[1]:g}-second time limit and "
            "was stopped; shorten the input or raise the limit (batch --doc-timeout, the "
            "server's request timeout).", doc_id=doc_id)
