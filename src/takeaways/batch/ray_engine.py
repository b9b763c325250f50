"""The Ray engine (``--engine ray``, in the ``ray`` extra): the same chunks on a Ray cluster.

Ray tasks run on a pool of actors; each actor loads the models once in its
constructor and processes one chunk per call. The driver reads the inputs,
ships each chunk's bytes through Ray's object store (workers need no access to
the driver's files), and collects the results back on the driver, which writes
the one output file, so ordering, fsync and ``--resume`` behave exactly as in
a local run. Actors restart if their process dies; the chunk that was running is
reported as ``WorkerCrashed``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from takeaways.batch.engine import ChunkResult, crashed, limit_threads, schedule, work
from takeaways.errors import ConfigError
from takeaways.pipeline.chunk import BatchSettings, prepare_process
from takeaways.pipeline.records import Record

log = logging.getLogger(__name__)

__all__ = ["RayEngine"]


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
        self._load = {i: 0 for i in range(self.workers)}
        self._owner: dict[Any, int] = {}

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
        return ref

    def _wait_one(self, refs: list[Any]) -> Any:
        done, _ = self.ray.wait(refs, num_returns=1)
        return done[0]

    def _collect(self, ref: Any, chunk: list[Record]) -> ChunkResult:
        self._load[self._owner.pop(ref)] -= 1
        try:
            result: ChunkResult = self.ray.get(ref)
            return result
        except self.ray.exceptions.RayActorError as exc:
            log.warning("a Ray worker died on a chunk of %d documents: %s", len(chunk), exc)
            return crashed(chunk, "the Ray worker died while processing this chunk")
        except self.ray.exceptions.RayTaskError as exc:
            cause = exc.as_instanceof_cause()
            raise cause from None

    def close(self) -> None:
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []
        if self._owns_ray:
            self.ray.shutdown()
