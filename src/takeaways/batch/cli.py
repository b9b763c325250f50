"""``takeaways batch``: parse options, show progress, print the summary, pick the exit code.

Exit codes: 0 when at most ``--max-error-ratio`` (default 10%) of the documents
failed, 1 when more did or an input was truncated, 2 for usage errors (bad options,
missing inputs, an existing output without ``--resume``), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from takeaways.batch.runner import (
    MAX_ERROR_RATIO,
    RunOptions,
    RunSummary,
    check_doc_timeout,
    run_batch,
)
from takeaways.errors import ConfigError
from takeaways.ingest.loading import check_max_bytes
from takeaways.pipeline.chunk import BatchSettings, normalize_what
from takeaways.pipeline.records import JsonlFields
from takeaways.writer.settings import WriterSettings, add_writer_arguments, writer_overrides

__all__ = ["add_batch_arguments", "run_batch_cli"]


def _default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def add_batch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="directories (.html/.htm/.txt and .gz, recursive), .jsonl[.gz], .warc[.gz]")
    p.add_argument(
        "--out", "-o", required=True, help="output JSONL file (appended, fsynced per batch)",
    )
    p.add_argument("--what", default="read",
                   help="comma list of read, key-points, quotes, audit (default: read)")
    p.add_argument("-n", type=int, default=4, help="key points per article (default 4)")
    p.add_argument("--workers", "-j", type=int, default=None,
                   help="worker processes / Ray actors (default: one per CPU; 1 = in-process)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", default=None,
                   help="Ray cluster for --engine ray: auto, ray://host:10001 (default: local)")
    p.add_argument("--resume", action="store_true", help="skip ids already in --out")
    add_writer_arguments(p)
    p.add_argument("--store", default=None, metavar="PATH",
                   help="also write every quote to this store: a .duckdb file, or a folder "
                   "of Parquet shards (the default with --engine ray); needs --what quotes")
    p.add_argument("--unordered", action="store_true", help="write results as they finish")
    p.add_argument("--batch-size", type=int, default=16, help="documents per nlp.pipe batch (16)")
    p.add_argument("--max-bytes", type=int, default=None,
                   help="per-document size limit, 1 to 100,000,000 (default 5 MB)")
    p.add_argument("--doc-timeout", type=float, default=None, metavar="SECONDS",
                   help="stop a document after this many seconds, 0 = never "
                        "(default [limits] doc_timeout_s, 60)")
    p.add_argument("--max-error-ratio", type=float, default=MAX_ERROR_RATIO,
                   help=f"exit 1 when more than this share of documents fail ({MAX_ERROR_RATIO})")
    p.add_argument("--max-tasks-per-worker", type=int, default=None,
                   help="recycle a local worker after this many batches (caps memory growth)")
    p.add_argument("--no-fsync", action="store_true",
                   help="flush, skip fsync (faster, less safe)")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar: a log line every 30 s and the summary")
    p.add_argument("--errors", default=None, metavar="FILE",
                   help="write every failed document (id, source, reason, error_code) to "
                   "FILE as JSONL")
    g = p.add_argument_group("JSONL fields")
    for name in ("id", "html", "text", "url", "summary", "date"):
        g.add_argument(f"--{name}-field", default=name, help=f"key of the {name} ({name!r})")


def _writer_overrides(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The ``[writer]`` keys the flags set, checked before any worker starts when key
    points are asked for (an LLM writer without a server URL or model is a usage error,
    not a batch of failures)."""
    over = tuple(writer_overrides(args).items())
    if "key_points" not in normalize_what(args.what):
        return over
    from takeaways.config import default_settings

    WriterSettings.from_settings(default_settings().replace(writer=dict(over))).check()
    return over


def _options(args: argparse.Namespace) -> RunOptions:
    if args.batch_size < 1 or (args.workers is not None and args.workers < 1):
        raise ConfigError("--batch-size and --workers must be at least 1.")
    from takeaways.keypoints import MAX_KEY_POINTS

    if not 1 <= args.n <= MAX_KEY_POINTS:
        raise ConfigError(f"-n must be from 1 to {MAX_KEY_POINTS}, got {args.n}; ask for "
                          f"1 to {MAX_KEY_POINTS} key points.")
    if not 0.0 <= args.max_error_ratio <= 1.0:
        raise ConfigError("--max-error-ratio must be between 0 and 1.")
    if args.max_bytes is not None:
        try:
            check_max_bytes(args.max_bytes, name="--max-bytes")
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
    settings = BatchSettings(
        what=normalize_what(args.what), n=args.n, batch_size=args.batch_size,
        max_bytes=args.max_bytes,
        doc_timeout=check_doc_timeout(args.doc_timeout) if args.doc_timeout is not None
        else None,
        writer=_writer_overrides(args),
    )
    workers = args.workers if args.workers is not None else (
        0 if args.engine == "ray" else _default_workers()
    )
    fields = JsonlFields(id=args.id_field, html=args.html_field, text=args.text_field,
                         url=args.url_field, summary=args.summary_field,
                         date=args.date_field)
    return RunOptions(
        settings=settings, engine=args.engine, workers=workers, address=args.address,
        resume=args.resume, ordered=not args.unordered, fields=fields,
        fsync=not args.no_fsync, max_tasks_per_worker=args.max_tasks_per_worker,
        store=args.store,
    )


def run_batch_cli(args: argparse.Namespace) -> int:
    options = _options(args)
    quiet = args.quiet or not sys.stderr.isatty()
    loading = _loading_line(options)
    progress: Any = LogProgress(loading=loading) if quiet else RichProgress(loading=loading)
    summary = run_batch(args.inputs, args.out, options, progress=progress)
    if args.errors:
        write_errors(summary, args.errors)
    print_summary(summary, args.out, args.max_error_ratio, errors_file=args.errors)
    return summary.exit_code(args.max_error_ratio)


def _loading_line(options: RunOptions) -> str:
    """What the run does before its first result, said at once (the first batch waits
    for the workers to start and, past ``read``, for the models to load)."""
    workers = f"{options.workers} worker(s)" if options.workers else "Ray workers"
    if tuple(options.settings.what) == ("read",):
        return f"starting {workers}…"
    return f"starting {workers} and loading the models (the first results take a while)…"


def write_errors(summary: RunSummary, path: str) -> None:
    """Every failed document of the run as one JSON line (id, source, reason, code)."""
    import json

    with open(path, "w", encoding="utf-8") as fh:
        for row in summary.failed:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _rate(summary: RunSummary) -> float:
    return summary.processed / summary.elapsed if summary.elapsed else 0.0


class LogProgress:
    """Quiet mode: one plain line to stderr every ``every`` seconds."""

    def __init__(self, every: float = 30.0, *, loading: str = "") -> None:
        self.every = every
        self.loading = loading
        self.total = self.seen = 0
        self._last = time.monotonic()

    def start(self, total_bytes: int) -> None:
        self.total = total_bytes
        if self.loading:
            print(f"takeaways: batch: {self.loading}", file=sys.stderr, flush=True)

    def advance(self, nbytes: int, summary: RunSummary) -> None:
        self.seen += nbytes
        if time.monotonic() - self._last >= self.every:
            self._last = time.monotonic()
            pct = 100 * self.seen / self.total if self.total else 0.0
            print(f"takeaways: batch: {summary.processed} docs ({summary.error} errors), "
                  f"{_rate(summary):.1f} docs/s, {pct:.0f}% of input", file=sys.stderr, flush=True)

    def finish(self, summary: RunSummary) -> None:
        pass


class RichProgress:
    """A rich progress bar over input bytes (so the ETA works for WARC too), with docs/s."""

    def __init__(self, *, loading: str = "") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[docs]} docs · {task.fields[errors]} errors · "
                       "{task.fields[rate]} docs/s"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        self._task: Any = None
        self.loading = loading

    def start(self, total_bytes: int) -> None:
        self._progress.start()
        self._task = self._progress.add_task(self.loading or "batch", total=total_bytes or None,
                                             docs=0, errors=0, rate="0.0")

    def advance(self, nbytes: int, summary: RunSummary) -> None:
        self._progress.update(self._task, advance=nbytes, docs=summary.processed,
                              errors=summary.error, rate=f"{_rate(summary):.1f}",
                              description="batch")

    def finish(self, summary: RunSummary) -> None:
        self._progress.stop()


#: How many failed ids the summary names (``--errors FILE`` has them all).
SHOW_FAILED = 5


def print_summary(
    summary: RunSummary, out: str, max_ratio: float, *, errors_file: str | None = None
) -> None:
    """The end-of-run report on stderr: counts, errors by reason, the first failed ids,
    memory per worker."""
    d = summary.to_dict()
    lines = [
        f"takeaways: batch: wrote {summary.processed} results to {out} in {d['elapsed_s']} s "
        f"({d['docs_per_s'] or 0} docs/s, {summary.engine} engine, {summary.workers} worker(s))",
        f"  ok {summary.ok} · error {summary.error} · skipped {summary.skipped} · "
        f"already done {summary.resumed} · duplicate ids {summary.duplicates}",
    ]
    if summary.truncated:
        lines.append(f"  truncated or corrupt inputs: {summary.truncated} (documents may be "
                     "missing; the run fails)")
    for reason, count in d["errors_by_reason"].items():
        lines.append(f"  error {count:>6} × {reason}")
    lines += _failed_lines(summary, errors_file)
    if d["peak_rss_mb"]:
        rss = ", ".join(f"{w}: {mb:.0f} MB" for w, mb in d["peak_rss_mb"].items())
        lines.append(f"  peak RSS per worker: {rss}")
    verdict = "ok" if summary.exit_code(max_ratio) == 0 else "FAILED"
    lines.append(f"  error ratio {summary.error_ratio:.1%} (limit {max_ratio:.0%}): {verdict}")
    print("\n".join(lines), file=sys.stderr)


def _failed_lines(summary: RunSummary, errors_file: str | None) -> list[str]:
    if not summary.failed:
        return []
    lines = [f"  failed: {row['id']} ({row.get('reason')})"
             for row in summary.failed[:SHOW_FAILED]]
    more = len(summary.failed) - SHOW_FAILED
    if errors_file:
        lines.append(f"  all {len(summary.failed)} failed ids: {errors_file}")
    elif more > 0:
        lines.append(f"  … and {more} more (--errors FILE lists them all)")
    return lines
