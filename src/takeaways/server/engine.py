"""The server's one path to the library: input → Article → one Analysis → results.

Everything goes through a `Pipeline` (no second implementation of any step). One
`Analysis` serves key points, quotes and audit of a request, and recent analyses are
cached by content hash, so repeated requests for the same page parse it once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from takeaways.document import Article
from takeaways.errors import (
    DeadlineError,
    FetchError,
    FetchTimeoutError,
    InputError,
    LimitError,
    ModelError,
    TakeawaysError,
)
from takeaways.pipeline import Pipeline, StepError, default_pipeline
from takeaways.pipeline.envelope import envelope
from takeaways.server.settings import ServerSettings

log = logging.getLogger(__name__)

FEATURES = ("key_points", "quotes", "audit")


class ServerError(Exception):
    """An error with an HTTP status and a stable machine-readable code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"status": self.status, "code": self.code, "message": self.message}}


def error_from(exc: BaseException, feature: str = "analysis") -> ServerError:
    """Map any exception to a `ServerError` whose message is safe to show."""
    if isinstance(exc, ServerError):
        return exc
    if isinstance(exc, DeadlineError):
        return ServerError(504, "timeout", str(exc))
    if isinstance(exc, LimitError):
        return ServerError(413, "too_large", str(exc))
    if isinstance(exc, FetchTimeoutError):
        return ServerError(504, "fetch_timeout", str(exc))
    if isinstance(exc, FetchError):
        return ServerError(400, "fetch_refused", str(exc))
    if isinstance(exc, InputError):
        return ServerError(422, "bad_input", str(exc))
    if isinstance(exc, ModelError):
        return ServerError(503, "model_missing", str(exc))
    if isinstance(exc, TakeawaysError):
        return ServerError(400, exc.reason, str(exc))
    if isinstance(exc, MemoryError) or (isinstance(exc, ValueError) and "[E088]" in str(exc)):
        log.warning("%s: input over a model limit: %s", feature, type(exc).__name__)
        return ServerError(413, "too_large", f"{feature}: the text is too long for the language "
                           "model (spaCy takes at most 1,000,000 characters); send a shorter page.")
    log.exception("%s failed", feature, exc_info=exc)
    return ServerError(500, "internal", f"{feature} failed with an internal error; see the log.")


def fetch_disabled() -> ServerError:
    return ServerError(
        403, "fetch_disabled",
        "fetching URLs is disabled on this server; paste the page's HTML or text, "
        "or start the server with --allow-fetch.",
    )


def read_error(exc: BaseException) -> ServerError:
    """An error from reading the page. Reading takes any bytes, so an unexpected exception
    there (an SVG document trips htmldate's ``assert``; nesting too deep for a parser) is
    the input's doing as far as the client can tell: 422 ``bad_input``, logged as a bug."""
    if isinstance(exc, ServerError | TakeawaysError | MemoryError):
        return error_from(exc, "reading the page")
    if isinstance(exc, ValueError) and "[E088]" in str(exc):
        return error_from(exc, "reading the page")
    log.warning("reading the page failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
    return ServerError(422, "bad_input", f"the input could not be read as an article "
                       f"({type(exc).__name__} in the reader); send the page's HTML or text.")


@dataclass(frozen=True, slots=True)
class Source:
    """A request's input: raw bytes (never a path or URL string) or a URL to fetch."""

    data: bytes | None = None
    kind: str | None = None
    url: str | None = None

    def key(self) -> str:
        h = hashlib.sha256()
        h.update(f"{self.kind}\0{self.url}\0".encode())
        h.update(self.data or b"")
        return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Job:
    """What to compute for one source."""

    source: Source
    what: tuple[str, ...] = ("read",)
    n: int = 4
    summary: str | None = None
    store: bool = True

    def key(self) -> str:
        extra = json.dumps([sorted(self.what), self.n, self.summary])
        return hashlib.sha256((self.source.key() + extra).encode()).hexdigest()


@dataclass(slots=True)
class _Entry:
    article: Article
    analysis: Any = None
    results: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Library:
    """The library calls the server makes, all through one `Pipeline` (default: the
    process-wide one); tests may substitute a fake."""

    def __init__(self, pipeline: Pipeline | None = None) -> None:
        self.pipeline = pipeline or default_pipeline()

    def read(self, data: bytes, *, kind: str | None, url: str | None, max_bytes: int) -> Article:
        # a request's bytes are the page itself: never a path or a URL to fetch
        return self.pipeline.read(data, kind=kind, url=url, max_bytes=max_bytes,
                                  allow_fetch=False)

    def analyze(self, article: Article) -> Any:
        analysis = self.pipeline.analyze(article)
        _ = analysis.doc  # parse now, under the entry lock
        self.pipeline.forget(article)  # the server's own cache keeps it
        return analysis

    def _step(self, analysis: Any, step: str, **options: Any) -> dict[str, Any]:
        try:
            done = self.pipeline.run(analysis, [step], **options)
        except StepError as exc:
            raise exc.cause from exc
        return dict(done[step].to_dict(article=False))  # the record holds the article

    def key_points(self, analysis: Any, *, n: int) -> dict[str, Any]:
        return self._step(analysis, "key_points", n=n)

    def quotes(self, analysis: Any) -> dict[str, Any]:
        return self._step(analysis, "quotes")

    def audit(self, analysis: Any, summary: str | None) -> dict[str, Any]:
        return self._step(analysis, "audit", summary=summary)


class Engine:
    """Runs jobs, caches by content hash, and builds storable records."""

    def __init__(self, settings: ServerSettings, library: Library | None = None) -> None:
        self.settings = settings
        self.library = library or Library()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._read_locks: dict[str, threading.Lock] = {}
        from takeaways.ingest.fetch import is_public_address

        self.fetch_policy = is_public_address  # which addresses fetching may reach

    # -- input ---------------------------------------------------------------------------
    def fetch(self, url: str) -> bytes:
        if not self.settings.allow_fetch:
            raise fetch_disabled()
        from takeaways.ingest.fetch import fetch_url

        data, _final = fetch_url(
            url, max_bytes=self.settings.max_body_bytes, timeout=self.settings.fetch_timeout_s,
            policy=self.fetch_policy,
        )
        return data

    def _entry(self, source: Source) -> _Entry:
        key = source.key()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            read_lock = self._read_locks.setdefault(key, threading.Lock())
        with read_lock:  # one read per key at a time; later callers find it cached
            with self._lock:
                if key in self._entries:
                    return self._entries[key]
            try:
                data = source.data if source.data is not None else self.fetch(source.url or "")
                article = self.library.read(
                    data, kind=source.kind, url=source.url, max_bytes=self.settings.max_body_bytes
                )
            finally:
                with self._lock:
                    self._read_locks.pop(key, None)
            entry = _Entry(article)
            with self._lock:
                self._entries[key] = entry
                self._trim()
            return entry

    def _trim(self) -> None:
        """Keep at most ``cache_size`` entries and ``cache_max_chars`` characters of text
        (a parse costs memory in proportion to its text); the newest entry always stays."""
        size, chars = max(1, self.settings.cache_size), self.settings.cache_max_chars
        while len(self._entries) > 1 and (
            len(self._entries) > size
            or sum(len(e.article.text) for e in self._entries.values()) > chars
        ):
            self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def cached(self) -> int:
        """How many articles the cache holds now."""
        return len(self._entries)

    # -- features ------------------------------------------------------------------------
    def _feature(self, entry: _Entry, name: str, job: Job) -> dict[str, Any]:
        key = f"{name}:{job.n}" if name == "key_points" else (
            f"audit:{job.summary!r}" if name == "audit" else name
        )
        if key in entry.results:
            return dict(entry.results[key])
        if entry.analysis is None:
            entry.analysis = self.library.analyze(entry.article)
        fn: Callable[[], dict[str, Any]] = {
            "key_points": lambda: self.library.key_points(entry.analysis, n=job.n),
            "quotes": lambda: self.library.quotes(entry.analysis),
            "audit": lambda: self.library.audit(entry.analysis, job.summary),
        }[name]
        entry.results[key] = fn()
        return dict(entry.results[key])

    def run(self, job: Job, *, strict: bool = True) -> dict[str, Any]:
        """Compute a job into a record. ``strict``: raise a feature's error; otherwise keep
        going and note it under ``errors`` (the web page shows what did work)."""
        started = time.perf_counter()
        try:
            entry = self._entry(job.source)
        except Exception as exc:  # noqa: BLE001 - mapped to a status
            raise read_error(exc) from exc
        record = self._record(job, entry.article)
        with entry.lock:
            for name in FEATURES:
                if name not in job.what:
                    continue
                try:
                    record[name] = self._feature(entry, name, job)
                except Exception as exc:  # noqa: BLE001 - mapped to a status, never swallowed
                    err = error_from(exc, name.replace("_", " "))
                    if strict:
                        raise err from exc
                    record["errors"][name] = err.to_dict()["error"]
        record["elapsed_s"] = round(time.perf_counter() - started, 4)
        return record

    def _record(self, job: Job, article: Article) -> dict[str, Any]:
        """An analysis envelope (``analysis.schema.json``) with the server's own fields."""
        record = envelope(article, {"key_points": None, "quotes": None, "audit": None},
                          id=None, created_at=time.time(), title=article.title,
                          source_kind=article.source_kind, content_key=job.key(),
                          summary=job.summary,
                          options={"what": list(job.what), "n": job.n, "url": job.source.url})
        record["errors"] = {}
        return record
