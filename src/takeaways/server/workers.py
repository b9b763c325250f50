"""Analyses in worker processes, so that a time limit really stops the work.

Each of the server's analysis threads hands its job to one worker process (spawned, so
nothing of the server's threads or sockets is inherited) and waits for the answer until
the job's deadline. Past it the process is killed, a fresh one is started in its place,
and the request gets `DeadlineError` (504): the slot is free again at once, and no
runaway parse keeps a core or gigabytes busy. A worker that dies on its own (killed for
memory, say) is replaced the same way, and its job tried once more on the fresh one. Each
worker keeps its own `Engine` cache (its share of ``cache_size``); a job goes to the idle
worker that last read the same page when there is one. A worker is retired after
``worker_max_jobs`` jobs so that its memory cannot creep up for ever.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from takeaways.errors import DeadlineError
from takeaways.server.engine import Engine, Job, Library, ServerError, Source, error_from
from takeaways.server.settings import ServerSettings

log = logging.getLogger(__name__)

LibraryFactory = Callable[[], Library]


def _serve(conn: Connection, settings: ServerSettings, factory: LibraryFactory | None) -> None:
    """A worker process: answer ``(job, strict)`` messages until ``None`` or EOF."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    # the workers share the cache budget: together they keep ``cache_size`` articles
    share = dataclasses.replace(
        settings, cache_size=max(1, settings.cache_size // max(1, settings.max_workers)),
        cache_max_chars=max(1, settings.cache_max_chars // max(1, settings.max_workers)),
    )
    engine = Engine(share, factory() if factory is not None else Library())
    _warm(engine)
    conn.send(("ready", None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job, strict = message
        try:
            reply: tuple[str, Any] = ("ok", engine.run(job, strict=strict))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back as a status
            err = error_from(exc)
            reply = ("error", (err.status, err.code, err.message))
        conn.send(reply)
        del job, reply
        release_memory()


def release_memory() -> bool:
    """Give the heap's free pages back to the system after a job (glibc ``malloc_trim``):
    a parse frees most of what it allocated, but the allocator keeps the pages, so without
    this a worker's resident memory creeps up with every distinct article. False where
    there is no glibc (macOS, musl), which changes nothing else."""
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM is False:
        return False
    _TRIM(0)
    return True


_TRIM: Any = None


#: A small article each worker analyses once before it takes jobs, so that imports and
#: model loads are not charged to the first request's time limit.
WARM_TEXT = (
    "The city council approved a new budget on Tuesday after a long debate.\n\n"
    "The mayor said the plan would fund road repairs and two new libraries. Critics argued "
    "that the spending was too high for a small town.\n\n"
    "The budget takes effect in January, and the council will review it in the summer."
)


def _warm(engine: Engine) -> None:
    job = Job(Source(data=WARM_TEXT.encode(), kind="plain"), what=("read", "key_points"))
    try:
        engine.run(job, strict=False)
    except Exception as exc:  # noqa: BLE001 - a request will report it properly
        log.warning("warming up the analysis worker failed: %s", exc)
    engine.clear()


class _Worker:
    def __init__(self, ctx: Any, settings: ServerSettings, factory: LibraryFactory | None
                 ) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, settings, factory),
                                   name="takeaways-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.jobs = 0
        self.keys: OrderedDict[str, None] = OrderedDict()

    @property
    def pid(self) -> int | None:
        pid: int | None = self.process.pid
        return pid

    def wait_ready(self, timeout: float) -> bool:
        if not self.ready and self.conn.poll(max(0.0, timeout)):
            kind, _ = self.conn.recv()
            self.ready = kind == "ready"
        return self.ready

    def remember(self, key: str, size: int) -> None:
        self.keys[key] = None
        self.keys.move_to_end(key)
        while len(self.keys) > max(1, size):
            self.keys.popitem(last=False)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(10)
        self.conn.close()

    def stop(self, timeout: float = 5.0) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes; `call` runs one job on an idle one (blocking; call it
    from at most ``size`` threads at once, as `Runner` does)."""

    def __init__(self, settings: ServerSettings, factory: LibraryFactory | None = None,
                 size: int | None = None) -> None:
        self.settings = settings
        self.factory = factory
        self.size = max(1, size or settings.max_workers)
        self._ctx = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._closed = False
        self.replaced = 0  # workers killed at a deadline or found dead

    def start(self) -> None:
        """Start every worker now (they load their models in the background)."""
        with self._cond:
            while len(self._idle) + self._busy < self.size:
                self._idle.append(self._new())

    def _new(self) -> _Worker:
        return _Worker(self._ctx, self.settings, self.factory)

    @property
    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._idle if w.pid is not None]

    def _acquire(self, key: str) -> _Worker:
        with self._cond:
            if self._closed:
                raise ServerError(503, "shutting_down", "the server is shutting down.")
            while not self._idle and self._busy >= self.size:
                self._cond.wait()
            self._busy += 1
            self._replace_dead()
            if not self._idle:
                return self._new()
            ready = [w for w in self._idle if w.ready or w.conn.poll(0)]
            pick = next((w for w in ready if key in w.keys), None) or (
                ready[0] if ready else self._idle[0])
            self._idle.remove(pick)
            return pick

    def _replace_dead(self) -> None:
        """Idle workers that died (killed from outside, out of memory) are replaced before
        a job is sent to one (under the lock)."""
        for dead in [w for w in self._idle if not w.process.is_alive()]:
            log.warning("analysis worker %s had ended (exit code %s); starting another",
                        dead.pid, dead.process.exitcode)
            self._idle.remove(dead)
            dead.conn.close()
            self._idle.append(self._new())
            self.replaced += 1

    def _release(self, worker: _Worker | None) -> None:
        retire = worker is not None and worker.jobs >= self.settings.worker_max_jobs > 0
        with self._cond:
            self._busy -= 1
            if self._closed:
                pass
            elif worker is None or retire:
                self._idle.append(self._new())
            else:
                self._idle.append(worker)
            self._cond.notify()
        if worker is not None and (retire or self._closed):
            worker.stop()

    def call(self, job: Job, *, strict: bool) -> dict[str, Any]:
        """The record of ``job`` (see `Engine.run`), or a `ServerError`. The time limit
        (``request_timeout_s``) starts when a ready worker takes the job; past it the
        worker is killed (a fresh one starts in its place) and `DeadlineError` raised.

        A worker that ends before it answers (killed from outside between two jobs, or out
        of memory) is replaced and the job tried once more on the worker just started in
        its place, never on another idle one: what killed one worker (the OOM killer, a
        ``kill`` of the whole group) may be killing the others too, and a process whose
        threads are still exiting looks alive for a moment. The retry has a time limit of
        its own (so a job takes at most twice the limit): jobs have no side effects, so a
        retry is safe. A second death is reported as ``worker_died`` (500)."""
        key = job.source.key()
        worker: _Worker | None = self._acquire(key)
        try:
            for attempt in (1, 2):
                assert worker is not None
                try:
                    kind, payload = self._try(worker, job, strict, key)
                    break
                except _WorkerEnded:
                    self._drop(worker)
                    worker = self._new()  # the slot stays ours: the retry runs here
                    if attempt == 2:
                        raise ServerError(500, "worker_died", "the analysis process ended "
                                          "unexpectedly (out of memory?); try a shorter "
                                          "page, or see the log.") from None
                    log.warning("retrying the job on a fresh analysis worker")
                except DeadlineError:
                    self._drop(worker)
                    worker = None  # `_release` starts a fresh one in its place
                    raise
        finally:
            self._release(worker)
        if kind == "error":
            status, code, message = payload
            raise ServerError(status, code, message)
        return dict(payload)

    def _try(self, worker: _Worker, job: Job, strict: bool, key: str) -> tuple[str, Any]:
        """One attempt on ``worker``: ``(kind, payload)``; `_WorkerEnded` when the worker
        ends before it answers, `DeadlineError` past the time limit, which starts when the
        ready worker takes the job."""
        try:
            if not worker.wait_ready(self.settings.worker_start_timeout_s):
                raise ServerError(503, "busy", "the analysis worker did not start in time; "
                                  "retry in a moment, or see the log.")
            deadline = time.monotonic() + self.settings.request_timeout_s
            worker.conn.send((job, strict))
            worker.jobs += 1
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                log.warning("analysis ran past %g s; stopping worker %s",
                            self.settings.request_timeout_s, worker.pid)
                raise DeadlineError(_deadline_message(self.settings.request_timeout_s))
            kind, payload = worker.conn.recv()
        except (EOFError, OSError) as exc:
            log.error("analysis worker %s ended unexpectedly: %s", worker.pid, exc)
            raise _WorkerEnded from None
        worker.remember(key, max(1, self.settings.cache_size // self.size))
        return kind, payload

    def _drop(self, worker: _Worker) -> None:
        worker.kill()
        self.replaced += 1

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for w in idle:
            w.stop()


class _WorkerEnded(Exception):
    """A worker ended before it answered."""


def _deadline_message(timeout: float) -> str:
    from takeaways.server.limits import timeout_message

    return timeout_message(timeout)
