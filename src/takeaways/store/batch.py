"""The store as the batch runner fills it: result dicts in, rows written per batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from takeaways.store.db import QuoteStore, new_shard, open_store
from takeaways.store.rows import rows_of

__all__ = ["BatchStore"]


class BatchStore:
    """Writes the quotes of each batch's ``ok`` results (one transaction or shard each)."""

    def __init__(self, store: QuoteStore) -> None:
        self.store = store

    @classmethod
    def open(cls, path: str | Path) -> BatchStore:
        return cls(open_store(path, write=True))

    def write_results(self, results: Iterable[Mapping[str, Any]]) -> None:
        self.store.write(rows_of(results, shard=new_shard()))

    def close(self) -> None:
        self.store.close()
