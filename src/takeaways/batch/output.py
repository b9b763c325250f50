"""The JSONL output file: append-only, flushed and fsynced per batch, resumable.

A run killed at any moment leaves complete lines plus at most one torn last
line. `done_ids` truncates that torn tail and returns the ids already written, so
``--resume`` processes exactly the documents that are missing.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

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


def _line(result: dict[str, Any]) -> bytes:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
