"""The Ray engine (``--engine ray``, in the ``ray`` extra): the same chunks on a Ray cluster.

Ray tasks run on a pool of actors; each actor loads the models once in its
constructor and processes one chunk per call. The driver reads the inputs,
ships each chunk's bytes through Ray's object store (workers need no access to
the driver's files), and collects the results back on the driver, which writes
the one output file, so ordering, fsync and ``--resume`` behave exactly as in
a local run. Actors restart if their process dies.

A chunk whose actor dies, or that runs past its time limit (``doc_timeout`` per
document, as in `LocalEngine`: the actor is killed and restarts), is re-run one
document at a time, each with ``doc_timeout``: the document that runs past it again
is written as `DeadlineError` (reason ``TimeoutError``), one that kills its actor again
as ``WorkerCrashed``, and the batch goes on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from takeaways.batch.engine import (
    ChunkResult,
    _budget,
    _merge,
    crashed,
    limit_threads,
    schedule,
    timed_out,
    work,
)
from takeaways.errors import ConfigError
from takeaways.pipeline.chunk import BatchSettings, prepare_process
from takeaways.pipeline.records import Record

log = logging.getLogger(__name__)

__all__ = ["RayEngine"]

#: seconds an actor may take to (re)start and load its models before a re-run document's
#: clock starts anyway
STARTUP_S = 120.0


class _BatchActor:
    """Holds the loaded models for the life of the actor process."""

    def __init__(self, settings: BatchSettings, threads: int) -> None:
        limit_threads(threads)
        self.settings = settings
        self.error: Exception | None = None
        try:
            prepare_process(settings)
        except Exception as exc:  # noqa: BLE001 - re-raised on first use: the run stops cleanly
            self.error = exc

    def ready(self) -> bool:
        """Answers once the actor (re)started and finished the calls queued before this."""
        return True

    def work(self, chunk: list[Record]) -> ChunkResult:
        if self.error is not None:
            raise self.error
        return work(chunk, self.settings, worker=f"ray pid {os.getpid()}")


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--engine ray needs Ray; install it with 'pip install \"takeaways[ray]\"'."
        ) from exc
    return ray


class RayEngine:
    """``workers`` Ray actors (one CPU each) on the cluster at ``address``."""

    def __init__(
        self, settings: BatchSettings, workers: int | None = None, *, address: str | None = None,
        cpus_per_worker: float = 1.0, init_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.ray = _import_ray()
        self._owns_ray = not self.ray.is_initialized()
        if self._owns_ray:
            kwargs = {"include_dashboard": False, "log_to_driver": False, **(init_kwargs or {})}
            self.ray.init(address=address, **kwargs)
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers or int(cpus // cpus_per_worker))
        remote = self.ray.remote(num_cpus=cpus_per_worker, max_restarts=-1)(_BatchActor)
        threads = max(1, int(cpus_per_worker))
        self._actors = [remote.remote(settings, threads) for _ in range(self.workers)]
        self.settings = settings
        self._load = {i: 0 for i in range(self.workers)}
        self._owner: dict[Any, int] = {}
        self._due: dict[Any, float] = {}  # ref -> monotonic deadline (chunks with a limit)
        self._expired: set[Any] = set()

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]:
        shipped = ([r.materialize() for r in chunk] for chunk in chunks)
        yield from schedule(
            shipped, ordered=ordered, limit=2 * self.workers,
            submit=self._submit, wait_one=self._wait_one, collect=self._collect,
        )

    def _submit(self, chunk: list[Record]) -> Any:
        actor = min(self._load, key=lambda i: self._load[i])
        self._load[actor] += 1
        ref = self._actors[actor].work.remote(chunk)
        self._owner[ref] = actor
        budget = _budget(self.settings, chunk)
        if budget is not None:
            # queued behind the actor's other chunks: the clock starts when they are done,
            # so each chunk in flight on it adds its own budget
            self._due[ref] = max([time.monotonic(), *self._queued(actor, ref)]) + budget
        return ref

    def _queued(self, actor: int, skip: Any = None) -> list[float]:
        """The deadlines of the chunks still pending on ``actor`` (not finished, not failed,
        not killed): a new chunk's clock starts after them."""
        refs = [r for r, a in self._owner.items()
                if a == actor and r is not skip and r in self._due and r not in self._expired]
        if not refs:
            return []
        _, pending = self.ray.wait(refs, num_returns=len(refs), timeout=0)
        return [self._due[r] for r in pending]

    def _wait_one(self, refs: list[Any]) -> Any:
        due = [(self._due[r], r) for r in refs if r in self._due]
        timeout = max(0.0, min(d for d, _ in due) - time.monotonic()) if due else None
        done, _ = self.ray.wait(refs, num_returns=1, timeout=timeout)
        if done:
            return done[0]
        _, late = min(due, key=lambda p: p[0])
        self._expired.add(late)
        log.warning("a Ray worker ran past the time limit of its chunk; killing it")
        killed = self._owner[late]
        self.ray.kill(self._actors[killed], no_restart=False)
        for r, a in self._owner.items():  # queued behind it: they fail with the kill
            if a == killed:
                self._due.pop(r, None)
        return late

    def _collect(self, ref: Any, chunk: list[Record]) -> ChunkResult:
        self._load[self._owner.pop(ref)] -= 1
        self._due.pop(ref, None)
        if ref in self._expired:
            self._expired.discard(ref)
            return self._one_by_one(chunk, "ran past its time limit")
        try:
            result: ChunkResult = self.ray.get(ref)
            return result
        except self.ray.exceptions.RayActorError as exc:
            log.warning("a Ray worker died on a chunk of %d documents: %s", len(chunk), exc)
            return self._one_by_one(chunk, "lost its worker")
        except self.ray.exceptions.RayTaskError as exc:
            cause = exc.as_instanceof_cause()
            raise cause from None

    def _one_by_one(self, chunk: list[Record], why: str) -> ChunkResult:
        """Re-run ``chunk`` a document at a time (after a kill or a crash): the document
        that runs past ``doc_timeout`` again is a `DeadlineError`, one whose worker dies
        again ``WorkerCrashed``."""
        if len(chunk) > 1:
            log.warning("a chunk of %d documents %s; re-running them one by one",
                        len(chunk), why)
        return _merge([self._single(record) for record in chunk], chunk)

    def _single(self, record: Record) -> ChunkResult:
        for _ in range(3):  # a call that meets a restart (after a kill) is tried again
            actor = min(self._load, key=lambda i: self._load[i])
            self._ready(actor)  # a killed actor restarts (loads its models) before the clock
            ref = self._submit([record])
            self._load[self._owner.pop(ref)] -= 1
            due = self._due.pop(ref, None)
            done, _ = self.ray.wait(
                [ref], num_returns=1,
                timeout=None if due is None else max(0.0, due - time.monotonic()))
            if not done:
                self.ray.kill(self._actors[actor], no_restart=False)
                return timed_out([record], float(self.settings.doc_timeout or 0))
            try:
                result: ChunkResult = self.ray.get(ref)
                return result
            except self.ray.exceptions.ActorUnavailableError:
                continue
            except self.ray.exceptions.RayActorError:
                break
            except self.ray.exceptions.RayTaskError as exc:
                raise exc.as_instanceof_cause() from None
        return crashed([record], "the Ray worker died while processing this document")

    def _ready(self, actor: int) -> None:
        """Wait (bounded) until ``actor`` is up and through its queue; a restart after a
        kill loads the models again, which must not count against a document's limit."""
        wait = max([time.monotonic(), *self._queued(actor)]) - time.monotonic() + STARTUP_S
        for _ in range(2):
            try:
                self.ray.get(self._actors[actor].ready.remote(), timeout=wait)
                return
            except self.ray.exceptions.RayActorError:
                continue  # died while we waited: it restarts; ask once more
            except self.ray.exceptions.GetTimeoutError:
                return

    def close(self) -> None:
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []
        if self._owns_ray:
            self.ray.shutdown()
