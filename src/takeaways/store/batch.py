"""The store as the batch runner fills it: result dicts in, rows written per batch.

Closing it merges the speakers once and caches the merge in the store (`speakers`), so
the first `said` after a batch does not pay for it. A run killed before closing leaves
no fresh cache: the first query merges and caches instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from takeaways.errors import TakeawaysError
from takeaways.store.db import QuoteStore, new_shard, open_store
from takeaways.store.rows import rows_of

log = logging.getLogger(__name__)

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

    def close(self, *, cache: bool = True) -> None:
        """Close the store; ``cache`` first merges the speakers and caches the merge."""
        from takeaways.store.query import speakers

        store = self.store
        try:
            if cache and not store.parquet:
                speakers(store)
        except (TakeawaysError, OSError) as exc:  # the cache is an optimisation only
            log.warning("%s: the speaker merge was not cached (%s)", store.path, exc)
        finally:
            store.close()
        if cache and store.parquet:
            try:
                with open_store(store.path) as reader:
                    speakers(reader)
            except (TakeawaysError, OSError) as exc:
                log.warning("%s: the speaker merge was not cached (%s)", store.path, exc)
