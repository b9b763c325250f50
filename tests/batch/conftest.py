"""Fixtures for the batch tests (helpers live in ``_batch_corpus``)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.batch._batch_corpus import page, write_corpus


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    write_corpus(root, 5)
    (root / "page.html").write_text(page(99), "utf-8")
    (root / "zipped.htm.gz").write_bytes(gzip.compress(page(98).encode()))
    (root / "empty.txt").write_text("", "utf-8")
    (root / "notes.md").write_text("ignored", "utf-8")
    return root
