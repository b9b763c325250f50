"""Engines run `process_chunk` over a stream of chunks: in-process, or local worker processes.

Both keep a bounded number of chunks in flight (memory stays flat on any corpus
size) and yield `ChunkResult`s either in input order or as they finish. Every
worker loads its models once, in its initializer, and reports its peak RSS with
each chunk. A worker that dies (segfault, OOM kill) breaks only its chunk: the
chunk is re-run one record at a time on a fresh pool, and a record that kills a
worker again is reported as ``WorkerCrashed``.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from takeaways.pipeline import default_pipeline
from takeaways.pipeline.chunk import BatchSettings, prepare_process, process_chunk, result_dict
from takeaways.pipeline.records import Record

log = logging.getLogger(__name__)

H = TypeVar("H")

__all__ = ["ChunkResult", "Engine", "InProcessEngine", "LocalEngine", "peak_rss_bytes", "work"]


@dataclass(slots=True)
class ChunkResult:
    """The results of one chunk plus where it ran and how much memory that worker peaked at."""

    results: list[dict[str, Any]]
    worker: str
    peak_rss: int
    nbytes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    workers: int

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


def peak_rss_bytes() -> int:
    """This process's peak resident set size, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def limit_threads(threads: int) -> None:
    """Cap BLAS/OpenMP/torch threads so N workers do not oversubscribe the cores."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # torch is optional for --what read
        pass


def work(chunk: list[Record], settings: BatchSettings, worker: str | None = None) -> ChunkResult:
    """Process one chunk here and describe where it ran (the unit every engine ships)."""
    if _STATE.get("error") is not None:
        raise _STATE["error"]
    results = process_chunk(chunk, settings, default_pipeline())
    return ChunkResult(
        results=results,
        worker=worker or f"pid {os.getpid()}",
        peak_rss=peak_rss_bytes(),
        nbytes=sum(r.size for r in chunk),
    )


def crashed(chunk: list[Record], reason: str) -> ChunkResult:
    """Error results for a chunk whose worker died."""
    results = [result_dict(r, "error", f"WorkerCrashed: {reason}") for r in chunk]
    return ChunkResult(results, "crashed", 0, sum(r.size for r in chunk))


_STATE: dict[str, Any] = {}


def _init_worker(settings: BatchSettings, threads: int) -> None:
    """Pool initializer: load the models once; keep a failure to re-raise on first use."""
    limit_threads(threads)
    try:
        prepare_process(settings)
    except Exception as exc:  # noqa: BLE001 - re-raised by work() so the run stops cleanly
        _STATE["error"] = exc


def schedule(
    chunks: Iterable[list[Record]], *, ordered: bool, limit: int,
    submit: Callable[[list[Record]], H], wait_one: Callable[[list[H]], H],
    collect: Callable[[H, list[Record]], ChunkResult],
) -> Iterator[ChunkResult]:
    """Keep ``limit`` chunks in flight; yield results in input order or as they finish."""
    it = iter(chunks)
    inflight: dict[int, tuple[H, list[Record]]] = {}
    done: dict[int, ChunkResult] = {}
    seq = head = 0
    exhausted = False
    while True:
        while not exhausted and len(inflight) + len(done) < limit:
            chunk = next(it, None)
            if chunk is None:
                exhausted = True
                break
            inflight[seq] = (submit(chunk), chunk)
            seq += 1
        if not inflight:
            return
        handle = wait_one([h for h, _ in inflight.values()])
        key = next(k for k, (h, _) in inflight.items() if h is handle)
        _, chunk = inflight.pop(key)
        done[key] = collect(handle, chunk)
        if not ordered:
            yield done.pop(key)
            continue
        while head in done:
            yield done.pop(head)
            head += 1


class InProcessEngine:
    """Runs every chunk in this process (``--workers 1``): no start-up, no pickling."""

    workers = 1

    def __init__(self, settings: BatchSettings) -> None:
        self.settings = settings
        self._ready = False

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]:
        if not self._ready:
            prepare_process(self.settings)
            self._ready = True
        for chunk in chunks:
            yield work(chunk, self.settings, worker="main")

    def close(self) -> None:
        pass


class LocalEngine:
    """``workers`` spawned processes (ProcessPoolExecutor), each loading the models once."""

    def __init__(
        self, settings: BatchSettings, workers: int, *, max_tasks_per_worker: int | None = None
    ) -> None:
        import multiprocessing

        self.settings = settings
        self.workers = workers
        self._ctx = multiprocessing.get_context("spawn")
        self._threads = max(1, (os.cpu_count() or 1) // workers)
        self._max_tasks = max_tasks_per_worker
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._ctx, initializer=_init_worker,
            initargs=(self.settings, self._threads), max_tasks_per_child=self._max_tasks,
        )

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]:
        yield from schedule(
            chunks, ordered=ordered, limit=2 * self.workers,
            submit=self._submit, wait_one=_wait_one, collect=self._collect,
        )

    def _submit(self, chunk: list[Record]) -> Future[ChunkResult]:
        try:
            return self._pool.submit(work, chunk, self.settings)
        except BrokenProcessPool:
            self._restart()
            return self._pool.submit(work, chunk, self.settings)

    def _collect(self, fut: Future[ChunkResult], chunk: list[Record]) -> ChunkResult:
        try:
            return fut.result()
        except BrokenProcessPool:
            log.warning("a worker died; re-running its %d documents one by one", len(chunk))
            return self._isolate(chunk)

    def _isolate(self, chunk: list[Record]) -> ChunkResult:
        """Re-run a crashed chunk record by record, so only the culprit is lost."""
        results: list[dict[str, Any]] = []
        last = ChunkResult([], "crashed", 0)
        for record in chunk:
            try:
                last = self._submit([record]).result()
            except BrokenProcessPool:
                self._restart()
                last = crashed([record], "the worker process died on this document")
            results.extend(last.results)
        return ChunkResult(results, last.worker, last.peak_rss, sum(r.size for r in chunk))

    def _restart(self) -> None:
        if getattr(self._pool, "_broken", False):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _wait_one(futures: list[Future[ChunkResult]]) -> Future[ChunkResult]:
    done, _ = wait(futures, return_when=FIRST_COMPLETED)
    return next(f for f in futures if f in done)
