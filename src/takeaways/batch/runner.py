"""`run_batch`: inputs → engine → one append-only JSONL file, plus a run summary.

The importable core of ``takeaways batch`` (the CLI only parses, shows progress
and prints the summary).
"""

from __future__ import annotations

import logging
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from takeaways.batch.engine import ChunkResult, Engine, InProcessEngine, LocalEngine
from takeaways.batch.output import ResultWriter, done_ids
from takeaways.errors import ConfigError
from takeaways.pipeline.chunk import STEPS, BatchSettings, chunked
from takeaways.pipeline.records import JsonlFields, Record, input_size, iter_inputs

log = logging.getLogger(__name__)

#: Default exit-code threshold: a run exits 1 when more than this share of its
#: documents (ok + error, skipped ones excluded) failed.
MAX_ERROR_RATIO = 0.10

__all__ = ["MAX_ERROR_RATIO", "ProgressSink", "RunOptions", "RunSummary", "run_batch"]


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a batch (the settings travel to workers; the rest stays here)."""

    settings: BatchSettings = field(default_factory=BatchSettings)
    engine: str = "local"
    workers: int = 1
    address: str | None = None
    resume: bool = False
    ordered: bool = True
    fields: JsonlFields = field(default_factory=JsonlFields)
    fsync: bool = True
    max_tasks_per_worker: int | None = None
    ray_init: dict[str, Any] | None = None
    #: a quote store to fill as well (``--store``): a ``.duckdb`` file or a Parquet folder
    store: str | None = None


@dataclass(slots=True)
class RunSummary:
    """Counts for one run; ``resumed`` were already in the output, ``duplicates`` repeated ids."""

    ok: int = 0
    error: int = 0
    skipped: int = 0
    resumed: int = 0
    duplicates: int = 0
    #: inputs that ended early (a truncated or corrupt file): the run exits 1 whatever
    #: the error ratio, since documents may be missing
    truncated: int = 0
    errors_by_reason: Counter[str] = field(default_factory=Counter)
    #: every failed document: id, source, reason and error code (for ``--errors FILE``)
    failed: list[dict[str, Any]] = field(default_factory=list)
    peak_rss: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    workers: int = 1
    engine: str = "local"

    @property
    def processed(self) -> int:
        return self.ok + self.error + self.skipped

    @property
    def error_ratio(self) -> float:
        judged = self.ok + self.error
        return self.error / judged if judged else 0.0

    def exit_code(self, max_error_ratio: float = MAX_ERROR_RATIO) -> int:
        """0 when the error ratio is at most ``max_error_ratio`` and no input was
        truncated, else 1."""
        return 0 if self.error_ratio <= max_error_ratio and not self.truncated else 1

    def add(self, chunk: ChunkResult) -> None:
        for r in chunk.results:
            status = r["status"]
            if status == "ok":
                self.ok += 1
            elif status == "skipped":
                self.skipped += 1
            else:
                self.error += 1
                self.errors_by_reason[reason_key(str(r.get("reason")))] += 1
                self.failed.append({k: r.get(k) for k in ("id", "source", "reason",
                                                          "error_code")})
        if chunk.peak_rss:
            self.peak_rss[chunk.worker] = max(self.peak_rss.get(chunk.worker, 0), chunk.peak_rss)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "error": self.error, "skipped": self.skipped,
            "resumed": self.resumed, "duplicates": self.duplicates,
            "truncated": self.truncated,
            "error_ratio": round(self.error_ratio, 4),
            "errors_by_reason": dict(self.errors_by_reason.most_common()),
            "elapsed_s": round(self.elapsed, 2),
            "docs_per_s": round(self.processed / self.elapsed, 2) if self.elapsed else None,
            "engine": self.engine, "workers": self.workers,
            "peak_rss_mb": {w: round(b / 2**20, 1) for w, b in sorted(self.peak_rss.items())},
        }


def reason_key(reason: str) -> str:
    """``"quotes: ValueError: bad span 3"`` → ``"quotes: ValueError"`` (the summary's grouping)."""
    parts = reason.split(": ")
    if parts[0] in (*STEPS, "parse") and len(parts) > 1:
        return f"{parts[0]}: {parts[1]}"
    return parts[0]


class ProgressSink(Protocol):
    def start(self, total_bytes: int) -> None: ...

    def advance(self, nbytes: int, summary: RunSummary) -> None: ...

    def finish(self, summary: RunSummary) -> None: ...


class _NoProgress:
    def start(self, total_bytes: int) -> None:
        pass

    def advance(self, nbytes: int, summary: RunSummary) -> None:
        pass

    def finish(self, summary: RunSummary) -> None:
        pass


def check_doc_timeout(value: object) -> float:
    """A per-document time limit in seconds (0: none), or `ConfigError`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
        math.isfinite(value) and value >= 0
    ):
        raise ConfigError(
            f"the per-document time limit must be 0 (none) or a positive number of seconds, "
            f"got {value!r}; set --doc-timeout or [limits] doc_timeout_s."
        )
    return float(value)


def resolve_settings(settings: BatchSettings) -> BatchSettings:
    """``settings`` with the time limit taken from ``[limits] doc_timeout_s`` when unset,
    checked (0 becomes None: no limit)."""
    from takeaways.config import section

    raw = settings.doc_timeout
    if raw is None:
        raw = section("limits").get("doc_timeout_s", 0)
    timeout = check_doc_timeout(raw)
    if settings.max_bytes is not None:
        from takeaways.ingest.loading import check_max_bytes

        try:
            check_max_bytes(settings.max_bytes, name="--max-bytes")
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    return replace(settings, doc_timeout=timeout or None)


def make_engine(options: RunOptions) -> Engine:
    if options.engine == "ray":
        from takeaways.batch.ray_engine import RayEngine

        workers = options.workers if options.workers > 0 else None
        return RayEngine(options.settings, workers, address=options.address,
                         init_kwargs=options.ray_init)
    if options.engine != "local":
        raise ConfigError(f"unknown engine {options.engine!r}; use 'local' or 'ray'.")
    if options.workers <= 1:
        return InProcessEngine(options.settings)
    return LocalEngine(options.settings, options.workers,
                       max_tasks_per_worker=options.max_tasks_per_worker)


def open_batch_store(options: RunOptions) -> Any:
    """The ``--store`` to fill (None without one); with Ray a name that is not a
    ``.duckdb`` file is a Parquet folder."""
    if not options.store:
        return None
    if "quotes" not in options.settings.what:
        raise ConfigError("--store holds quotes; add quotes to --what (e.g. --what quotes).")
    from takeaways.store.batch import BatchStore

    return BatchStore.open(options.store)


def _check_out(out: Path, resume: bool) -> None:
    if out.is_dir():
        raise ConfigError(f"--out {out} is a directory; name a .jsonl file.")
    if not resume and out.exists() and out.stat().st_size > 0:
        raise ConfigError(
            f"{out} already has results; pass --resume to continue that run, "
            "or choose another --out file."
        )


def _todo(
    records: Iterable[Record], done: set[str], summary: RunSummary, progress: ProgressSink
) -> Iterator[Record]:
    """Drop records already in the output (``--resume``) and repeated ids."""
    seen: set[str] = set()
    for record in records:
        if record.meta.get("truncated"):
            summary.truncated += 1
            log.warning("%s", record.meta.get("error"))
        if record.id in done:
            summary.resumed += 1
            progress.advance(record.size, summary)
        elif record.id in seen:
            summary.duplicates += 1
            log.warning("duplicate id %s (%s) skipped", record.id, record.source)
            progress.advance(record.size, summary)
        else:
            seen.add(record.id)
            yield record


def run_batch(
    inputs: Iterable[str | Path], out: str | Path, options: RunOptions | None = None,
    *, progress: ProgressSink | None = None,
) -> RunSummary:
    """Process every document of ``inputs`` into ``out`` (JSONL); returns the summary."""
    options = options or RunOptions()
    options = replace(options, settings=resolve_settings(options.settings))
    inputs, out_path, sink = list(inputs), Path(out), progress or _NoProgress()
    _check_out(out_path, options.resume)
    done = done_ids(out_path) if options.resume else set()
    summary = RunSummary(engine=options.engine)
    sink.start(input_size(inputs))
    records = _todo(
        iter_inputs(inputs, fields=options.fields, max_bytes=options.settings.max_bytes),
        done, summary, sink,
    )
    started = time.perf_counter()
    store = open_batch_store(options)
    engine = make_engine(options)
    summary.workers = engine.workers
    try:
        with ResultWriter(out_path, fsync=options.fsync) as writer:
            chunks = chunked(records, options.settings.batch_size)
            for chunk in engine.map(chunks, ordered=options.ordered):
                if store is not None:  # the store first: --resume redoes what OUT lacks
                    store.write_results(chunk.results)
                writer.write_batch(chunk.results)
                summary.add(chunk)
                summary.elapsed = time.perf_counter() - started
                sink.advance(chunk.nbytes, summary)
    finally:
        engine.close()
        if store is not None:
            store.close()
        summary.elapsed = time.perf_counter() - started
        sink.finish(summary)
    return summary
