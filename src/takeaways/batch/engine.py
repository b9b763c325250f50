"""Engines run `process_chunk` over a stream of chunks: in-process, or local worker processes.

Both keep a bounded number of chunks in flight (memory stays flat on any corpus
size) and yield `ChunkResult`s either in input order or as they finish. Every
worker loads its models once, when it starts, and reports its peak RSS with each
chunk. A worker that dies (segfault, OOM kill) breaks only its chunk: the chunk is
re-run one record at a time on a fresh worker, and a record that kills a worker
again is reported as ``WorkerCrashed``.

Per-document time limit (``BatchSettings.doc_timeout``): a chunk of ``k`` documents
may take ``k × doc_timeout`` seconds. In `LocalEngine` a worker past that is killed
(SIGKILL) and replaced, and the chunk's documents are re-run one by one, each with
``doc_timeout``; the one that runs past it again is written as an error with
`DeadlineError` (reason ``TimeoutError``, code E201) and the batch goes on.
`InProcessEngine` does the same with a SIGALRM timer in the main thread, which
interrupts Python code (a long call into C, such as one tokenizer call, ends first);
off the main thread it has no time limit.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from typing import Any, Protocol, TypeVar

from takeaways.errors import DeadlineError
from takeaways.pipeline import default_pipeline
from takeaways.pipeline.chunk import BatchSettings, prepare_process, process_chunk, result_dict
from takeaways.pipeline.records import Record

log = logging.getLogger(__name__)

H = TypeVar("H")

__all__ = [
    "ChunkResult", "Engine", "InProcessEngine", "LocalEngine", "peak_rss_bytes", "timed_out",
    "work",
]


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


def _pipeline(settings: BatchSettings) -> Any:
    """The process's pipeline: the default one, or (kept for the process) one whose
    ``[writer]`` the batch flags override."""
    if not settings.writer:
        return default_pipeline()
    cached = _STATE.get("writer_pipeline")
    if cached is None or cached[0] != settings.writer:
        from takeaways.config import default_settings
        from takeaways.pipeline import Pipeline

        over = dict(settings.writer)
        cached = (settings.writer, Pipeline(default_settings().replace(writer=over)))
        _STATE["writer_pipeline"] = cached
    return cached[1]


def work(chunk: list[Record], settings: BatchSettings, worker: str | None = None) -> ChunkResult:
    """Process one chunk here and describe where it ran (the unit every engine ships)."""
    if _STATE.get("error") is not None:
        raise _STATE["error"]
    results = process_chunk(chunk, settings, _pipeline(settings))
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


def timed_out(chunk: list[Record], seconds: float) -> ChunkResult:
    """Error results (`DeadlineError`, reason ``TimeoutError``) for documents stopped at
    their time limit."""
    results = []
    for r in chunk:
        exc = DeadlineError(
            f"{r.source}: the work on this document ran past the {seconds:g} s limit and "
            "was stopped; raise --doc-timeout ([limits] doc_timeout_s) or shorten it.",
            doc_id=r.id,
        )
        results.append(result_dict(r, "error", f"{exc.reason}: {exc}", error=exc))
    return ChunkResult(results, "timed out", 0, sum(r.size for r in chunk))


_STATE: dict[str, Any] = {}


def _init_worker(settings: BatchSettings, threads: int) -> None:
    """Pool initializer: load the models once; keep a failure to re-raise on first use."""
    limit_threads(threads)
    try:
        prepare_process(settings)
    except Exception as exc:  # noqa: BLE001 - re-raised by work() so the run stops cleanly
        _STATE["error"] = exc


def _budget(settings: BatchSettings, chunk: list[Record]) -> float | None:
    """Seconds ``chunk`` may take: ``doc_timeout`` per document (None: no limit)."""
    return settings.doc_timeout * len(chunk) if settings.doc_timeout else None


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


class _Expired(BaseException):
    """Raised by the in-process timer; a BaseException so no ``except Exception`` keeps it."""


@contextmanager
def _alarm(seconds: float | None) -> Iterator[bool]:
    """SIGALRM after ``seconds`` in the main thread; yields whether a timer is set."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield False
        return

    def expire(signum: int, frame: object) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    old_delay, _ = signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    started = time.monotonic()
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay:  # someone else's timer: put it back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL,
                             max(0.001, old_delay - (time.monotonic() - started)))


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
            yield self._run(chunk, single=False)

    def _run(self, chunk: list[Record], *, single: bool) -> ChunkResult:
        try:
            with _alarm(_budget(self.settings, chunk)):
                return work(chunk, self.settings, worker="main")
        except _Expired:
            pass
        if single:
            return timed_out(chunk, float(self.settings.doc_timeout or 0))
        log.warning("a chunk of %d documents ran past its time limit; re-running them one "
                    "by one", len(chunk))
        parts = [self._run([record], single=True) for record in chunk]
        return _merge(parts, chunk)

    def close(self) -> None:
        pass


def _merge(parts: list[ChunkResult], chunk: list[Record]) -> ChunkResult:
    """One chunk's result from the results of its documents re-run one by one."""
    ran = [p for p in parts if p.peak_rss] or parts
    return ChunkResult([r for p in parts for r in p.results], ran[-1].worker,
                       max(p.peak_rss for p in parts), sum(r.size for r in chunk))


def _worker_main(conn: Connection, settings: BatchSettings, threads: int,
                 max_tasks: int | None) -> None:
    """A local worker: load the models, say so, then run chunks until told to stop."""
    _exit_with_parent()
    _init_worker(settings, threads)
    error = _STATE.get("error")
    try:
        conn.send(("ready", error))
    except Exception:  # noqa: BLE001 - an unpicklable error: send its text
        conn.send(("ready", RuntimeError(f"{type(error).__name__}: {error}")))
    done = 0
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", work(chunk, settings))
        except Exception as exc:  # noqa: BLE001 - the driver re-raises it
            reply = ("error", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # noqa: BLE001 - an unpicklable error: send its text
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        done += 1
        if max_tasks and done >= max_tasks:
            return


def _exit_with_parent(every: float = 1.0) -> None:
    """End this worker when the driver is gone (killed with SIGKILL, say), even in the
    middle of a document that would never finish."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


@dataclass(eq=False)
class _Task:
    """A chunk to run; ``group`` is set for the one-record re-runs of a chunk."""

    seq: int
    chunk: list[Record]
    group: _Group | None = None
    index: int = 0


@dataclass(eq=False)
class _Group:
    parts: list[ChunkResult | None]
    chunk: list[Record]


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: Connection
    ready: bool = False
    task: _Task | None = None
    deadline: float | None = None
    tasks: int = 0


class LocalEngine:
    """``workers`` spawned processes, each loading the models once; a worker that dies or
    runs past the time limit is replaced, and only its documents are re-run."""

    def __init__(
        self, settings: BatchSettings, workers: int, *, max_tasks_per_worker: int | None = None
    ) -> None:
        import multiprocessing

        self.settings = settings
        self.workers = workers
        self._ctx = multiprocessing.get_context("spawn")
        self._threads = max(1, (os.cpu_count() or 1) // workers)
        self._max_tasks = max_tasks_per_worker
        self._pool: list[_Worker] = [self._spawn() for _ in range(workers)]

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_worker_main, daemon=True,
            args=(child, self.settings, self._threads, self._max_tasks),
        )
        proc.start()
        child.close()
        return _Worker(proc, parent)

    def _replace(self, worker: _Worker, *, kill: bool) -> None:
        if kill and worker.proc.is_alive():
            worker.proc.kill()
        worker.proc.join(timeout=10)
        worker.conn.close()
        self._pool[self._pool.index(worker)] = self._spawn()

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]:
        it = iter(chunks)
        queue: deque[_Task] = deque()
        done: dict[int, ChunkResult] = {}
        limit = 2 * self.workers
        seq = head = 0
        open_seqs = 0  # chunks taken from ``chunks`` and not yielded yet
        exhausted = False
        while True:
            while not exhausted and open_seqs < limit:
                chunk = next(it, None)
                if chunk is None:
                    exhausted = True
                    break
                queue.append(_Task(seq, chunk))
                seq += 1
                open_seqs += 1
            self._dispatch(queue)
            busy = [w for w in self._pool if w.task is not None or not w.ready]
            if not queue and not any(w.task for w in busy) and not done:
                if exhausted:
                    return
            else:
                for task, result in self._wait(busy, queue):
                    finished = self._finish(task, result)
                    if finished is not None:
                        done[finished[0]] = finished[1]
            if ordered:
                while head in done:
                    open_seqs -= 1
                    yield done.pop(head)
                    head += 1
            else:
                for key in list(done):
                    open_seqs -= 1
                    yield done.pop(key)

    def _dispatch(self, queue: deque[_Task]) -> None:
        for worker in self._pool:
            if not queue:
                return
            if worker.ready and worker.task is None:
                task = queue.popleft()
                try:
                    worker.conn.send(task.chunk)
                except (OSError, ValueError):  # it died while idle: replace, keep the task
                    queue.appendleft(task)
                    self._replace(worker, kill=True)
                    continue
                budget = _budget(self.settings, task.chunk)
                worker.task = task
                worker.deadline = time.monotonic() + budget if budget else None

    def _wait(self, busy: list[_Worker],
              queue: deque[_Task]) -> Iterator[tuple[_Task, ChunkResult]]:
        """Wait for the next event; yield each finished task with its result. Workers that
        died or ran late are replaced; their tasks are re-queued (one by one) or ended."""
        deadlines = [w.deadline for w in busy if w.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        waitables: list[Any] = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
        wait_ready(waitables, timeout)
        now = time.monotonic()
        for worker in busy:
            got: tuple[str, Any] | None = None
            try:
                if worker.conn.poll():
                    got = worker.conn.recv()
            except (EOFError, OSError):
                got = None
            if got is not None:
                kind, value = got
                if kind == "ready":
                    if value is not None:
                        raise value  # the models failed to load: the run stops cleanly
                    worker.ready = True
                    continue
                if kind == "error":
                    raise value
                task, worker.task, worker.deadline = worker.task, None, None
                worker.tasks += 1
                if self._max_tasks and worker.tasks >= self._max_tasks:
                    self._replace(worker, kill=False)
                if task is not None:
                    yield task, value
                continue
            if not worker.proc.is_alive():
                if not worker.ready:
                    raise RuntimeError(
                        f"a batch worker died while loading the models (exit code "
                        f"{worker.proc.exitcode}); run with --workers 1 to see why."
                    )
                task = worker.task
                self._replace(worker, kill=False)
                if task is None:
                    continue
                if task.group is not None:
                    yield task, crashed(task.chunk, "the worker process died on this document")
                else:
                    log.warning("a worker died; re-running its %d documents one by one",
                                len(task.chunk))
                    queue.extendleft(reversed(_split(task)))
            elif worker.deadline is not None and now >= worker.deadline:
                task = worker.task
                assert task is not None
                self._replace(worker, kill=True)
                if task.group is not None or len(task.chunk) == 1:
                    log.warning("%s: stopped at the time limit", task.chunk[0].source)
                    yield task, timed_out(task.chunk, float(self.settings.doc_timeout or 0))
                else:
                    log.warning("a chunk of %d documents ran past its time limit; re-running "
                                "them one by one", len(task.chunk))
                    queue.extendleft(reversed(_split(task)))

    def _finish(self, task: _Task, result: ChunkResult) -> tuple[int, ChunkResult] | None:
        """The chunk's (seq, result) once it is complete, else None."""
        if task.group is None:
            return task.seq, result
        task.group.parts[task.index] = result
        if any(p is None for p in task.group.parts):
            return None
        parts = [p for p in task.group.parts if p is not None]
        return task.seq, _merge(parts, task.group.chunk)

    def close(self) -> None:
        for worker in self._pool:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self._pool:
            worker.proc.join(timeout=5)
            if worker.proc.is_alive():
                worker.proc.kill()
                worker.proc.join(timeout=5)
            worker.conn.close()


def _split(task: _Task) -> list[_Task]:
    """A chunk's documents as one-record tasks of one group."""
    group = _Group([None] * len(task.chunk), task.chunk)
    return [_Task(task.seq, [r], group, i) for i, r in enumerate(task.chunk)]
