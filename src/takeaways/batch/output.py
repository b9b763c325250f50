"""The JSONL output file: append-only, flushed and fsynced per batch, resumable.

A run killed at any moment leaves complete lines plus at most one torn last
line. `done_ids` truncates that torn tail and returns the ids already written, so
``--resume`` processes exactly the documents that are missing.

Every line is valid UTF-8 JSON: a lone UTF-16 surrogate anywhere in a result is replaced
by U+FFFD (and said so in the article's warnings, or the reason), and a result that
cannot be written as JSON at all is written as an error line for its id instead, so one
odd result never loses the batch around it.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from takeaways.pipeline.records import scrub_surrogates

log = logging.getLogger(__name__)

__all__ = ["ResultWriter", "done_ids", "repair_tail"]


def repair_tail(path: Path) -> int:
    """Cut a torn (unterminated) last line off ``path``; returns the bytes removed."""
    if not path.exists():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        keep = _last_newline_end(fh, size)
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    log.warning("%s: removed a torn last line (%d bytes) of an interrupted run", path, size - keep)
    return size - keep


def _last_newline_end(fh: IO[bytes], size: int) -> int:
    """The offset just after the last ``\\n`` in the file (0 when there is none)."""
    pos = size
    block = 1 << 16
    while pos > 0:
        start = max(0, pos - block)
        fh.seek(start)
        chunk = fh.read(pos - start)
        idx = chunk.rfind(b"\n")
        if idx >= 0:
            return start + idx + 1
        pos = start
    return 0


def done_ids(path: Path) -> set[str]:
    """Ids already in ``path`` (after repairing a torn tail). Unparsable lines are dropped."""
    repair_tail(path)
    ids: set[str] = set()
    if not path.exists():
        return ids
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                ids.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError, TypeError):
                log.warning("%s:%d: not a result line; ignored by --resume", path, lineno)
    return ids


class ResultWriter:
    """Appends result dicts as JSON lines; `write_batch` ends with flush + fsync."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self._fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = path.open("ab")

    def write_batch(self, results: Iterable[dict[str, Any]]) -> None:
        data = b"".join(_line(r) for r in results)
        if not data:
            return
        self._fh.write(data)
        self._fh.flush()
        if self._fsync:
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(
        self, tp: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


_SCRUBBED = "lone UTF-16 surrogates in this result were replaced by U+FFFD"


def _dumps(result: dict[str, Any]) -> bytes:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_surrogates(value)[0]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _line(result: dict[str, Any]) -> bytes:
    try:
        return _dumps(result)
    except UnicodeEncodeError:
        pass
    except (TypeError, ValueError, RecursionError) as exc:
        return _unwritable(result, exc)
    try:
        clean = _scrub(result)
        article = clean.get("article")
        if isinstance(article, dict) and isinstance(article.get("warnings"), list):
            article["warnings"].append(_SCRUBBED)
        else:
            clean["reason"] = f"{clean.get('reason') or ''} ({_SCRUBBED})".lstrip()
        return _dumps(clean)
    except (TypeError, ValueError, RecursionError) as exc:
        return _unwritable(result, exc)


def _unwritable(result: dict[str, Any], exc: BaseException) -> bytes:
    """The error line written for a result that is not JSON-serialisable."""
    log.warning("result %r cannot be written as JSON: %s", result.get("id"), exc)
    line = {k: _scrub(result.get(k)) for k in ("schema_version", "type", "id", "source")}
    line.update(status="error", reason=f"write: {type(exc).__name__}: {exc}",
                error_code="E000", article=None)
    return _dumps({k: v if isinstance(v, str) or v is None else str(v)
                   for k, v in line.items()})
