"""``takeaways batch --store``: the runner fills the store before the JSONL, so a resume
after a kill redoes what OUT lacks and the store holds each quote once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from takeaways.batch import runner
from takeaways.batch.engine import ChunkResult
from takeaways.batch.runner import RunOptions, run_batch
from takeaways.errors import ConfigError
from takeaways.pipeline.chunk import BatchSettings
from takeaways.pipeline.records import JsonlFields, Record, iter_inputs
from takeaways.store import open_store
from tests.store._envelopes import corpus

pytest.importorskip("duckdb")

BY_ID = {r["id"]: r for r in corpus()}


class FakeEngine:
    """Answers each record with its hand-built envelope (no models)."""

    workers = 1

    def map(self, chunks: Iterable[list[Record]], *, ordered: bool) -> Iterator[ChunkResult]:
        for chunk in chunks:
            yield ChunkResult([dict(BY_ID[r.id], source=r.source) for r in chunk], "main", 0,
                              nbytes=sum(r.size for r in chunk))

    def close(self) -> None:
        pass


@pytest.fixture()
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(runner, "make_engine", lambda options: FakeEngine())
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": "x"}) + "\n" for i in BY_ID), "utf-8")
    return path


def options(store: Path, **kw: Any) -> RunOptions:
    return RunOptions(settings=BatchSettings(what=("read", "quotes"), batch_size=2),
                      store=str(store), **kw)


def quotes_in(store: Path) -> list[tuple[str, int]]:
    with open_store(store) as s:
        return s.con.execute("SELECT doc_id, start FROM quotes ORDER BY ALL").fetchall()


@pytest.mark.parametrize("name", ["q.duckdb", "shards"])
def test_store_batch_resume_after_a_kill_between_store_and_out(
        inputs: Path, tmp_path: Path, name: str) -> None:
    out, store = tmp_path / "out.jsonl", tmp_path / name
    run_batch([inputs], out, options(store))
    full = quotes_in(store)
    assert len(full) == len(set(full)) == 5
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:2]) + lines[2][:10])  # killed: store ahead, torn line
    summary = run_batch([inputs], out, options(store, resume=True))
    assert summary.resumed == 2
    assert quotes_in(store) == full
    ids = [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()]
    assert sorted(ids) == sorted(BY_ID)


def test_store_batch_rerun_into_the_same_store_keeps_one_copy(inputs: Path,
                                                              tmp_path: Path) -> None:
    store = tmp_path / "q.duckdb"
    run_batch([inputs], tmp_path / "a.jsonl", options(store))
    run_batch([inputs], tmp_path / "b.jsonl", options(store))
    assert len(quotes_in(store)) == 5


def test_store_batch_needs_quotes(inputs: Path, tmp_path: Path) -> None:
    opts = RunOptions(settings=BatchSettings(what=("read",)), store=str(tmp_path / "q.duckdb"))
    with pytest.raises(ConfigError, match="add quotes to --what"):
        run_batch([inputs], tmp_path / "out.jsonl", opts)


def test_store_batch_jsonl_date_field(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "x", "published": "2016-03-01"}) + "\n",
                    "utf-8")
    [rec] = iter_inputs([path], fields=JsonlFields(date="published"))
    assert rec.meta["date"] == "2016-03-01"


@pytest.mark.slow
def test_store_ray_engine_writes_parquet_shards_the_queries_read(tmp_path: Path) -> None:
    """``--engine ray --store FOLDER``: real Ray workers and the real quote pipeline; the
    Parquet shards answer `speakers`, and a second full run adds no quote twice."""
    pytest.importorskip("ray")
    from takeaways.store import speakers

    src = tmp_path / "in.jsonl"
    texts = [
        'Mayor Anna Berg opened the bridge on Monday. "This bridge joins our two halves," '
        "Berg said at the ceremony.",
        '"The bridge is late," engineer Tom Hale said on Tuesday. Anna Berg disagreed. '
        '"It is on time," Berg said.',
    ]
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n"
                           for i, t in enumerate(texts)))
    store = tmp_path / "quotes"

    def run(out: str) -> None:
        options = RunOptions(settings=BatchSettings(what=("quotes",), batch_size=1),
                             engine="ray", workers=1, store=str(store),
                             ray_init={"num_cpus": 1, "include_dashboard": False})
        assert run_batch([src], tmp_path / out, options).ok == 2

    run("a.jsonl")
    with open_store(store) as s:
        first = {g.name: g.count for g in speakers(s)}
    run("b.jsonl")
    with open_store(store) as s:
        again = {g.name: g.count for g in speakers(s)}
    assert store.is_dir() and any(store.rglob("*.parquet"))
    assert first == again and sum(first.values()) >= 3
    assert any("Berg" in name for name in first)
